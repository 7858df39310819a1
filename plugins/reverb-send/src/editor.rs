//! The Reverb Send's editor, built from the shared kit: header (presets, A/B, scale, help,
//! bypass); the decay over frequency (RT60 per band, drawn from the decay filters the
//! processor designs: [`dsp_core::fdn::Fdn::rt60_at`]) with three handles to drag — low
//! (crossover and multiplier), mid (decay) and high (crossover and multiplier); a 5 s
//! level history of input and output, where the tail is seen falling; in/out meters; and
//! the controls grouped Early / Late / EQ / Output.
//!
//! Send mode: while it is on, loading a preset leaves the mix alone (the kit's preset
//! loader skips the locked IDs); the send mode itself is never changed by a preset.
//!
//! All drawing is in [`draw`], a plain function of `(ui, params, setter, meters, state)`, so
//! headless tests run it without a window; the kit's app only calls it.

use crate::params::{ReverbParams, SyncParam};
use crate::{ReverbMeters, HISTORY_RATE_HZ};
use dsp_core::fdn::{DecaySettings, Fdn, FDN_LINES};
use dsp_core::reverb::{
    MAX_HIGH_MULT, MAX_LOW_MULT, MAX_RT60_S, MIN_HIGH_MULT, MIN_LOW_MULT, MIN_RT60_S,
};
use egui::{pos2, vec2, Pos2, Rect, Sense, Shape, Stroke, Ui};
use lacquer_kit::app::{create_editor, EditorSpec, KitApp};
use lacquer_kit::header::{Header, HeaderState};
use lacquer_kit::meters::{StereoLevelMeter, METER_FRAME};
use lacquer_kit::meters_bridge::METER_FLOOR_DB;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::theme::{self, section};
use lacquer_kit::views::{freq_to_x, x_to_freq, HistoryView, MAX_HZ, MIN_HZ};
use lacquer_kit::EditorState;
use lacquer_kit::{Knob, Toggle};
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, RepaintNotifier};
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// Default logical width at 100 % scale.
pub const WIDTH: u32 = 940;
/// Default logical height at 100 % scale.
pub const HEIGHT: u32 = 520;
/// Seconds of history shown.
pub const HISTORY_SECONDS: f32 = 5.0;
/// Knob size in the sections.
const KNOB: f32 = 44.0;
/// Decay graph's vertical range (RT60, seconds, log axis).
pub const GRAPH_MIN_S: f32 = 0.05;
/// Top of the decay graph.
pub const GRAPH_MAX_S: f32 = 80.0;
/// Grab radius of a handle (points).
pub const HANDLE_RADIUS: f32 = 10.0;

/// The editor type the plugin returns from `Plugin::editor`.
pub type ReverbEditor = EguiEditor<KitApp<ReverbEditorSpec>>;

/// Factory presets, embedded at build time.
pub const FACTORY_PRESETS: &[&str] = &[
    include_str!("../../../assets/presets/reverb-send/vocal-plate.json"),
    include_str!("../../../assets/presets/reverb-send/drum-room.json"),
    include_str!("../../../assets/presets/reverb-send/large-hall.json"),
    include_str!("../../../assets/presets/reverb-send/small-chamber.json"),
    include_str!("../../../assets/presets/reverb-send/ambient-cloud.json"),
    include_str!("../../../assets/presets/reverb-send/slapback-ambience.json"),
];

/// Parameters a preset never changes: the send mode (a routing decision, not a sound).
pub const LOCKED_PARAMS: &[&str] = &["send"];
/// Parameters send mode adds to [`LOCKED_PARAMS`]: the mix stays at whatever it was.
pub const SEND_LOCK_PARAMS: &[&str] = &["mix"];

/// Help text behind the header's "?".
const HELP: &str = "Decay is the mid-band RT60: the time the tail takes to fall 60 dB, \
exact whatever the Size. Low and High Decay set the RT60 below and above their crossovers \
as multiples of it (drag the handles in the graph). Pre-delay delays the whole reverb \
(Sync: a note value at the host tempo). Early/Late balances the reflections against the \
tail; Diffusion thickens the onset; Mod Rate and Depth move the delay lines gently to \
avoid metallic ringing. Low Cut and High Cut filter what enters the reverb. Width sets the \
stereo spread of the reverb. Freeze holds the tail forever. Send Mode keeps the output \
100 % wet for a send/return bus; presets never change it, nor the mix while it is on.";

/// The RT60 curve of a set of decay settings, from the processor's own decay filters.
#[derive(Debug)]
pub struct DecayCurve {
    /// A small network used only for its filter design (never processes audio).
    fdn: Fdn,
    /// Sample rate and settings the filters were designed for.
    key: Option<(f32, [f32; 5])>,
}

impl DecayCurve {
    /// A curve for 48 kHz until [`DecayCurve::update`] says otherwise.
    pub fn new() -> Self {
        Self {
            fdn: Fdn::new(30.0),
            key: None,
        }
    }

    /// Redesign for `sample_rate` and the decay part of `params` (only when they changed).
    pub fn update(&mut self, params: &ReverbParams, sample_rate: f32) {
        let decay = DecaySettings {
            rt60_s: params.decay_s.value(),
            low_mult: params.low_mult.value(),
            high_mult: params.high_mult.value(),
            low_hz: params.low_xover_hz.value(),
            high_hz: params.high_xover_hz.value(),
        };
        let key = (
            sample_rate,
            [
                decay.rt60_s,
                decay.low_mult,
                decay.high_mult,
                decay.low_hz,
                decay.high_hz,
            ],
        );
        if self.key == Some(key) {
            return;
        }
        if self.key.map(|k| k.0) != Some(sample_rate) {
            self.fdn.prepare(sample_rate, 0, 2);
        }
        // Any line length gives the same RT60 (each line's loss follows its length).
        self.fdn
            .set_delays(&[0.02 * self.fdn.sample_rate(); FDN_LINES]);
        self.fdn.set_decay(&decay, 0.0);
        self.key = Some(key);
    }

    /// RT60 (s) at `freq_hz`.
    pub fn rt60_at(&self, freq_hz: f64) -> f64 {
        self.fdn.rt60_at(freq_hz)
    }
}

impl Default for DecayCurve {
    fn default() -> Self {
        Self::new()
    }
}

/// Which handle of the decay graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handle {
    /// Low crossover (x) and low multiplier (y).
    Low,
    /// Mid decay (y only).
    Mid,
    /// High crossover (x) and high multiplier (y).
    High,
}

/// GUI-only state of an open (or headless) Reverb Send editor.
#[derive(Debug)]
pub struct ReverbUiState {
    /// Header: presets, save field, status.
    pub header: HeaderState,
    /// 5 s of input and output level, fed from the audio thread's queue.
    pub history: HistoryView,
    /// The RT60 curve.
    pub curve: DecayCurve,
    /// The handle being dragged (its gestures are open).
    pub dragging: Option<Handle>,
    /// Where the decay graph was drawn last frame (tests aim at it).
    pub graph_rect: Rect,
}

impl ReverbUiState {
    /// State with the factory presets and the user's preset folder.
    pub fn new() -> Self {
        Self::with_presets(PresetLibrary::new(
            "reverb-send",
            FACTORY_PRESETS,
            LOCKED_PARAMS,
        ))
    }

    /// State around a given preset library (tests use one without a user folder).
    pub fn with_presets(presets: PresetLibrary) -> Self {
        let mut history = HistoryView::new(HISTORY_SECONDS, HISTORY_RATE_HZ)
            .with_trace("IN", theme::TEXT_DIM)
            .with_trace("OUT", theme::ACCENT);
        history.min_db = -72.0;
        history.max_db = 0.0;
        Self {
            header: HeaderState::new(presets),
            history,
            curve: DecayCurve::new(),
            dragging: None,
            graph_rect: Rect::NOTHING,
        }
    }
}

impl Default for ReverbUiState {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Reverb Send adds to the kit's editor shell.
pub struct ReverbEditorSpec;

impl EditorSpec for ReverbEditorSpec {
    type Params = ReverbParams;
    type Meters = ReverbMeters;
    type State = ReverbUiState;

    fn editor_state(params: &ReverbParams) -> &EditorState {
        &params.editor_state
    }

    fn draw(
        ui: &mut Ui,
        params: &ReverbParams,
        setter: &ParamSetter,
        meters: &ReverbMeters,
        state: &mut ReverbUiState,
    ) {
        draw(ui, params, setter, meters, state);
    }

    fn on_open(meters: &ReverbMeters, _state: &mut ReverbUiState) {
        // Points queued while the editor was closed are stale.
        while meters.history.pop().is_some() {}
    }
}

/// Build the editor (called from `Plugin::editor`).
pub fn create(params: Arc<ReverbParams>, meters: Arc<ReverbMeters>) -> Option<ReverbEditor> {
    // Meter changes on the audio thread wake an idle editor through this flag.
    let notifier = meters.input.attach_editor(RepaintNotifier::new());
    create_editor::<ReverbEditorSpec>(
        "Lacquer Reverb Send",
        params,
        meters,
        ReverbUiState::new(),
        notifier,
    )
}

/// The IDs presets must skip in send mode (`send`) or not.
pub fn locked_ids(send: bool) -> Vec<String> {
    let extra: &[&str] = if send { SEND_LOCK_PARAMS } else { &[] };
    LOCKED_PARAMS
        .iter()
        .chain(extra)
        .map(|s| (*s).to_owned())
        .collect()
}

/// Move the audio thread's history points into the view. Returns whether any carried signal.
fn drain_history(meters: &ReverbMeters, history: &mut HistoryView) -> bool {
    let mut live = false;
    while let Some(p) = meters.history.pop() {
        history.push(&[p.input_db, p.output_db]);
        live |= p.input_db.max(p.output_db) > METER_FLOOR_DB + 1.0;
    }
    live
}

/// Draw the whole editor. The app's `ui()` calls this; so do the headless tests.
pub fn draw(
    ui: &mut Ui,
    params: &ReverbParams,
    setter: &ParamSetter,
    meters: &ReverbMeters,
    state: &mut ReverbUiState,
) {
    theme::apply(ui.ctx());
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BG);
    ui.spacing_mut().item_spacing = vec2(theme::GAP, theme::GAP);

    // Send mode decides what the preset loader skips, before the header can load one.
    let locked = locked_ids(params.send_mode.value());
    if state.header.presets.locked != locked {
        state.header.presets.locked = locked;
    }

    Header {
        title: "Reverb Send",
        params,
        setter,
        ab: &params.ab,
        editor: &params.editor_state,
        bypass: &params.bypass,
        help: HELP,
    }
    .show(ui, &mut state.header);

    if drain_history(meters, &mut state.history) {
        ui.ctx().request_repaint_after(METER_FRAME);
    }

    let body = full
        .with_min_y(full.top() + theme::HEADER_HEIGHT)
        .shrink(theme::GAP);
    let mut body_ui = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(body)
            .layout(egui::Layout::left_to_right(egui::Align::Min)),
    );
    let ui = &mut body_ui;
    let meter_height = (body.height() - 52.0).max(120.0);
    ui.add(StereoLevelMeter::new(&meters.input, "IN").height(meter_height));

    let centre_width = body.width() - 2.0 * (52.0 + theme::GAP);
    ui.allocate_ui_with_layout(
        vec2(centre_width, body.height()),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            let width = ui.available_width();
            ui.horizontal_top(|ui| {
                let graph_width = (width * 0.58).round();
                decay_graph(ui, params, setter, meters, state, vec2(graph_width, 200.0));
                ui.vertical(|ui| {
                    let tail_width = ui.available_width();
                    state.history.paint(ui, vec2(tail_width, 176.0));
                    status_line(ui, params, meters);
                });
            });
            ui.horizontal_top(|ui| {
                early_section(ui, params, setter);
                late_section(ui, params, setter);
            });
            ui.horizontal_top(|ui| {
                eq_section(ui, params, setter);
                output_section(ui, params, setter);
            });
        },
    );

    ui.add(StereoLevelMeter::new(&meters.output, "OUT").height(meter_height));
}

/// RT60, pre-delay in effect and whether the reverb sleeps.
fn status_line(ui: &mut Ui, params: &ReverbParams, meters: &ReverbMeters) {
    let pre = meters.predelay_ms.load(Ordering::Relaxed);
    let mut text = format!(
        "RT60 {} s   pre-delay {:.1} ms",
        crate::params::format_seconds(params.decay_s.value()),
        pre
    );
    if params.freeze.value() {
        text.push_str("   FROZEN");
    } else if meters.asleep.load(Ordering::Relaxed) {
        text.push_str("   idle (tail below -120 dB)");
    }
    ui.label(
        egui::RichText::new(text)
            .font(theme::label_font())
            .color(theme::TEXT_DIM),
    );
}

/// y of an RT60 (s) on the graph's log axis.
pub fn seconds_to_y(rect: Rect, s: f32) -> f32 {
    let t = ((s.max(GRAPH_MIN_S)).ln() - GRAPH_MIN_S.ln()) / (GRAPH_MAX_S.ln() - GRAPH_MIN_S.ln());
    rect.bottom() - rect.height() * t.clamp(0.0, 1.0)
}

/// RT60 (s) at y on the graph's log axis.
pub fn y_to_seconds(rect: Rect, y: f32) -> f32 {
    let t = ((rect.bottom() - y) / rect.height()).clamp(0.0, 1.0);
    (GRAPH_MIN_S.ln() + t * (GRAPH_MAX_S.ln() - GRAPH_MIN_S.ln())).exp()
}

/// Where a handle sits in `rect`.
pub fn handle_pos(params: &ReverbParams, handle: Handle, rect: Rect) -> Pos2 {
    let rt = params.decay_s.value();
    let (hz, s) = match handle {
        Handle::Low => (params.low_xover_hz.value(), rt * params.low_mult.value()),
        Handle::Mid => (
            (params.low_xover_hz.value() * params.high_xover_hz.value()).sqrt(),
            rt,
        ),
        Handle::High => (params.high_xover_hz.value(), rt * params.high_mult.value()),
    };
    pos2(freq_to_x(rect, f64::from(hz)), seconds_to_y(rect, s))
}

/// The handle nearest to `pos` within [`HANDLE_RADIUS`].
fn handle_at(params: &ReverbParams, rect: Rect, pos: Pos2) -> Option<Handle> {
    [Handle::Low, Handle::Mid, Handle::High]
        .into_iter()
        .map(|h| (h, handle_pos(params, h, rect).distance(pos)))
        .filter(|&(_, d)| d <= HANDLE_RADIUS)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(h, _)| h)
}

/// The parameters a handle moves: (x parameter, y parameter).
fn handle_params(params: &ReverbParams, handle: Handle) -> (Option<&FloatParam>, &FloatParam) {
    match handle {
        Handle::Low => (Some(&params.low_xover_hz), &params.low_mult),
        Handle::Mid => (None, &params.decay_s),
        Handle::High => (Some(&params.high_xover_hz), &params.high_mult),
    }
}

/// The RT60-over-frequency graph with its three handles.
fn decay_graph(
    ui: &mut Ui,
    params: &ReverbParams,
    setter: &ParamSetter,
    meters: &ReverbMeters,
    state: &mut ReverbUiState,
    size: egui::Vec2,
) {
    let sample_rate = meters.sample_rate.load(Ordering::Relaxed);
    state.curve.update(params, sample_rate);
    let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    state.graph_rect = rect;
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, theme::WELL);
    let grid = Stroke::new(1.0, theme::LINE.gamma_multiply(0.6));
    for hz in [100.0, 1000.0, 10_000.0] {
        let x = freq_to_x(rect, hz);
        painter.line_segment([pos2(x, rect.top()), pos2(x, rect.bottom())], grid);
        painter.text(
            pos2(x + 2.0, rect.bottom() - 2.0),
            egui::Align2::LEFT_BOTTOM,
            if hz >= 1000.0 {
                format!("{}k", hz / 1000.0)
            } else {
                format!("{hz}")
            },
            egui::FontId::monospace(9.0),
            theme::TEXT_DIM,
        );
    }
    for s in [0.1_f32, 0.3, 1.0, 3.0, 10.0, 30.0] {
        let y = seconds_to_y(rect, s);
        painter.line_segment([pos2(rect.left(), y), pos2(rect.right(), y)], grid);
        painter.text(
            pos2(rect.left() + 2.0, y),
            egui::Align2::LEFT_BOTTOM,
            format!("{s} s"),
            egui::FontId::monospace(9.0),
            theme::TEXT_DIM,
        );
    }
    // The curve, one point per 2 px; a frozen tail is endless (drawn along the top).
    let frozen = params.freeze.value();
    let n = (rect.width() / 2.0).max(2.0) as usize;
    let nyquist = 0.5 * f64::from(sample_rate);
    let points: Vec<Pos2> = (0..=n)
        .map(|i| {
            let x = rect.left() + rect.width() * i as f32 / n as f32;
            let hz = x_to_freq(rect, x).clamp(MIN_HZ, MAX_HZ.min(0.49 * nyquist.max(1.0)));
            let s = if frozen {
                f64::from(GRAPH_MAX_S)
            } else {
                state.curve.rt60_at(hz)
            };
            let s = if s.is_finite() { s as f32 } else { GRAPH_MAX_S };
            pos2(x, seconds_to_y(rect, s))
        })
        .collect();
    for pair in points.windows(2) {
        painter.add(Shape::convex_polygon(
            vec![
                pair[0],
                pair[1],
                pos2(pair[1].x, rect.bottom()),
                pos2(pair[0].x, rect.bottom()),
            ],
            theme::ACCENT.gamma_multiply(0.12),
            Stroke::NONE,
        ));
    }
    painter.add(Shape::line(points, Stroke::new(2.0, theme::ACCENT)));
    for (h, label) in [(Handle::Low, "L"), (Handle::Mid, "M"), (Handle::High, "H")] {
        let p = handle_pos(params, h, rect);
        let active = state.dragging == Some(h);
        painter.circle_filled(p, if active { 7.0 } else { 5.5 }, theme::TEXT);
        painter.text(
            p + vec2(0.0, -13.0),
            egui::Align2::CENTER_CENTER,
            label,
            egui::FontId::monospace(10.0),
            theme::TEXT,
        );
    }
    painter.text(
        rect.right_top() + vec2(-4.0, 4.0),
        egui::Align2::RIGHT_TOP,
        "DECAY (RT60)",
        theme::title_font(),
        theme::TEXT_DIM,
    );
    handle_mouse(ui, &response, params, setter, state, rect);
}

/// Drag a handle: one gesture per parameter from press to release; double-click resets
/// the handle's parameters.
fn handle_mouse(
    ui: &Ui,
    response: &egui::Response,
    params: &ReverbParams,
    setter: &ParamSetter,
    state: &mut ReverbUiState,
    rect: Rect,
) {
    if response.drag_started() {
        let origin = ui.input(|i| i.pointer.press_origin());
        if let Some(h) = origin.and_then(|p| handle_at(params, rect, p)) {
            state.dragging = Some(h);
            let (x, y) = handle_params(params, h);
            if let Some(x) = x {
                setter.begin_set_parameter(x);
            }
            setter.begin_set_parameter(y);
        }
    }
    if let (Some(h), Some(pos)) = (state.dragging, response.interact_pointer_pos()) {
        if response.dragged() {
            let (x, y) = handle_params(params, h);
            if let Some(x) = x {
                let hz = x_to_freq(rect, pos.x.clamp(rect.left(), rect.right())) as f32;
                setter.set_parameter(x, hz);
            }
            let s = y_to_seconds(rect, pos.y);
            let value = match h {
                Handle::Mid => s.clamp(MIN_RT60_S, MAX_RT60_S),
                Handle::Low => (s / params.decay_s.value()).clamp(MIN_LOW_MULT, MAX_LOW_MULT),
                Handle::High => (s / params.decay_s.value()).clamp(MIN_HIGH_MULT, MAX_HIGH_MULT),
            };
            setter.set_parameter(y, value);
        }
    }
    if response.drag_stopped() || (state.dragging.is_some() && !response.dragged()) {
        if let Some(h) = state.dragging.take() {
            let (x, y) = handle_params(params, h);
            if let Some(x) = x {
                setter.end_set_parameter(x);
            }
            setter.end_set_parameter(y);
        }
    }
    if response.double_clicked() {
        if let Some(h) = response
            .interact_pointer_pos()
            .and_then(|p| handle_at(params, rect, p))
        {
            let (x, y) = handle_params(params, h);
            for p in x.into_iter().chain([y]) {
                setter.begin_set_parameter(p);
                setter.set_parameter(p, p.default_plain_value());
                setter.end_set_parameter(p);
            }
        }
    }
}

/// Pre-delay (with sync), early/late balance, diffusion.
fn early_section(ui: &mut Ui, params: &ReverbParams, setter: &ParamSetter) {
    section(ui, "Early", |ui| {
        ui.horizontal_top(|ui| {
            ui.add_enabled_ui(params.predelay_sync.value() == SyncParam::Off, |ui| {
                ui.add(Knob::for_param(&params.predelay_ms, setter).diameter(KNOB));
            });
            ui.add(
                Knob::for_param(&params.predelay_sync, setter)
                    .label("Sync")
                    .diameter(KNOB),
            );
            ui.add(Knob::for_param(&params.early_late, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.diffusion, setter).diameter(KNOB));
        });
    });
}

/// Decay, size, modulation, freeze.
fn late_section(ui: &mut Ui, params: &ReverbParams, setter: &ParamSetter) {
    section(ui, "Late", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_top(|ui| {
            ui.add(Knob::for_param(&params.decay_s, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.size, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.mod_rate_hz, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.mod_depth, setter).diameter(KNOB));
            ui.add(
                Toggle::for_param(&params.freeze, setter)
                    .label("Freeze")
                    .width(72.0),
            );
        });
    });
}

/// Input filters and the decay multipliers with their crossovers.
fn eq_section(ui: &mut Ui, params: &ReverbParams, setter: &ParamSetter) {
    section(ui, "EQ", |ui| {
        ui.horizontal_top(|ui| {
            ui.add(Knob::for_param(&params.low_cut_hz, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.high_cut_hz, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.low_mult, setter).diameter(KNOB));
            ui.add(
                Knob::for_param(&params.low_xover_hz, setter)
                    .label("Low X")
                    .diameter(KNOB),
            );
            ui.add(Knob::for_param(&params.high_mult, setter).diameter(KNOB));
            ui.add(
                Knob::for_param(&params.high_xover_hz, setter)
                    .label("High X")
                    .diameter(KNOB),
            );
        });
    });
}

/// Width, mix and send mode.
fn output_section(ui: &mut Ui, params: &ReverbParams, setter: &ParamSetter) {
    section(ui, "Output", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_top(|ui| {
            ui.add(Knob::for_param(&params.width, setter).diameter(KNOB));
            ui.add_enabled_ui(!params.send_mode.value(), |ui| {
                ui.add(Knob::for_param(&params.mix, setter).diameter(KNOB));
            });
            ui.add(
                Toggle::for_param(&params.send_mode, setter)
                    .label("Send mode")
                    .width(96.0),
            );
        });
    });
}
