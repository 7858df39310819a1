#!/usr/bin/env bash
# GUI smoke test for a Lacquer standalone binary under Xvfb.
#
#   plugins/kit/scripts/gui-smoke.sh <plugin-binary> <out.png>
#
# Starts the standalone with the dummy audio backend on a virtual display, waits for its
# window, checks the first screenshot is not blank, drags a knob with xdotool and checks the
# knob region changed, then saves the final window screenshot to <out.png>. Exits non-zero on
# any failure. Needs: xvfb (xvfb-run), xdotool, imagemagick.
#
# Environment:
#   DRAG_X, DRAG_Y   knob centre in window coordinates (default: the Panner's pan knob)
#   DRAG_DY          pixels to drag (negative = up; default -40)
#   SMOKE_TIMEOUT    seconds to wait for the window (default 60: a debug build on a busy
#                    2-core machine was seen to miss 20)
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 <plugin-binary> <out.png>" >&2
    exit 2
fi
BIN=$(realpath "$1")
OUT=$(realpath -m "$2")
for tool in xvfb-run xdotool import compare convert; do
    command -v "$tool" >/dev/null || { echo "gui-smoke: missing $tool" >&2; exit 2; }
done
[[ -x "$BIN" ]] || { echo "gui-smoke: $BIN is not executable" >&2; exit 2; }

if [[ -z "${GUI_SMOKE_INNER:-}" ]]; then
    export GUI_SMOKE_INNER=1
    # 1024 rows: the Loudness editor is 880 points tall.
    exec xvfb-run -a -s "-screen 0 1280x1024x24" "$0" "$BIN" "$OUT"
fi

# --- inside Xvfb from here on ---
DRAG_X=${DRAG_X:-119}
DRAG_Y=${DRAG_Y:-156}
DRAG_DY=${DRAG_DY:--40}
TIMEOUT=${SMOKE_TIMEOUT:-60}
WORK=$(mktemp -d)
APP_PID=""
cleanup() {
    if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
        # The standalone ignores SIGINT while its GUI is open.
        kill -TERM "$APP_PID" 2>/dev/null || true
        sleep 0.5
        kill -KILL "$APP_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "gui-smoke: FAIL: $*" >&2; [[ -f "$WORK/app.log" ]] && tail -20 "$WORK/app.log" >&2; exit 1; }

"$BIN" --backend dummy >"$WORK/app.log" 2>&1 &
APP_PID=$!

WID=""
for _ in $(seq 1 $((TIMEOUT * 5))); do
    kill -0 "$APP_PID" 2>/dev/null || fail "the application exited early"
    WID=$(xdotool search --onlyvisible --name "Lacquer" 2>/dev/null | head -1 || true)
    [[ -n "$WID" ]] && break
    sleep 0.2
done
[[ -n "$WID" ]] || fail "no window titled 'Lacquer*' after ${TIMEOUT}s"
echo "gui-smoke: window $WID ($(xdotool getwindowname "$WID"))"
# Let the first frames render.
sleep 1.5

eval "$(xdotool getwindowgeometry --shell "$WID")"   # sets X Y WIDTH HEIGHT
shot() { import -window root -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$1"; }
shot "$WORK/before.png"
STDDEV=$(convert "$WORK/before.png" -colorspace Gray -format "%[fx:standard_deviation]" info:)
awk -v s="$STDDEV" 'BEGIN { exit !(s > 0.02) }' || fail "screenshot is blank (stddev $STDDEV)"
echo "gui-smoke: screenshot ok (${WIDTH}x${HEIGHT}, stddev $STDDEV)"

# Drag the knob: press, move in steps, release, pause before moving away.
AX=$((X + DRAG_X)); AY=$((Y + DRAG_Y))
xdotool mousemove "$AX" "$AY"; sleep 0.2
xdotool mousedown 1; sleep 0.1
for i in 1 2 3 4 5 6 7 8; do
    xdotool mousemove "$AX" $((AY + DRAG_DY * i / 8)); sleep 0.05
done
xdotool mouseup 1; sleep 0.2
xdotool mousemove $((X + WIDTH - 20)) $((Y + HEIGHT - 20)); sleep 0.8
shot "$WORK/after.png"

# Compare the knob region (knob + its value readout).
REGION="100x110+$((DRAG_X - 50))+$((DRAG_Y - 50))"
convert "$WORK/before.png" -crop "$REGION" +repage "$WORK/knob-before.png"
convert "$WORK/after.png" -crop "$REGION" +repage "$WORK/knob-after.png"
DIFF=$(compare -metric AE -fuzz 5% "$WORK/knob-before.png" "$WORK/knob-after.png" null: 2>&1 || true)
DIFF=${DIFF%% *}
[[ "$DIFF" =~ ^[0-9.e+]+$ ]] || fail "could not compare screenshots ($DIFF)"
awk -v d="$DIFF" 'BEGIN { exit !(d > 50) }' || fail "knob region did not change after the drag ($DIFF px)"
echo "gui-smoke: drag changed $DIFF pixels in the knob region"

kill -0 "$APP_PID" 2>/dev/null || fail "the application died during the test"
mkdir -p "$(dirname "$OUT")"
cp "$WORK/after.png" "$OUT"
echo "gui-smoke: PASS, saved $OUT"
