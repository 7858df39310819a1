//! The Ducker's editor, built from the shared kit: header (presets, A/B, scale, help,
//! bypass); a scrolling 5 s history of the key level against the threshold line and of the
//! gain change; the key indicator ("no key signal" when the sidechain carries none); the
//! depth meter and the output meter; sections for ducking, timing, band and key.
//!
//! All drawing is in [`draw`], a plain function of `(ui, params, setter, meters, state)`, so
//! headless tests and the frame bench run it without a window.

use crate::params::DuckerParams;
use crate::{DuckerMeters, KeyStatus, HISTORY_RATE_HZ};
use egui::{pos2, vec2, Color32, RichText, Stroke, Ui};
use lacquer_kit::app::{create_editor, EditorSpec, KitApp};
use lacquer_kit::header::{Header, HeaderState};
use lacquer_kit::meters::{GainReductionMeter, StereoLevelMeter, METER_FRAME};
use lacquer_kit::meters_bridge::METER_FLOOR_DB;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::theme::{self, section};
use lacquer_kit::views::HistoryView;
use lacquer_kit::EditorState;
use lacquer_kit::{Knob, Segmented, Toggle};
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, RepaintNotifier};
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// Default logical width at 100 % scale.
pub const WIDTH: u32 = 900;
/// Default logical height at 100 % scale.
pub const HEIGHT: u32 = 556;
/// Seconds of history shown.
pub const HISTORY_SECONDS: f32 = 5.0;
/// Knob size in the sections.
const KNOB: f32 = 44.0;

/// The editor type the plugin returns from `Plugin::editor`.
pub type DuckerEditor = EguiEditor<KitApp<DuckerEditorSpec>>;

/// Factory presets, embedded at build time.
pub const FACTORY_PRESETS: &[&str] = &[
    include_str!("../../../assets/presets/ducker/kick-ducks-bass.json"),
    include_str!("../../../assets/presets/ducker/kick-pump.json"),
    include_str!("../../../assets/presets/ducker/voice-over.json"),
    include_str!("../../../assets/presets/ducker/podcast-music-bed.json"),
    include_str!("../../../assets/presets/ducker/snare-makes-room.json"),
];

/// Parameters a preset never changes: listening and routing are monitoring and session
/// states, not part of a sound.
pub const LOCKED_PARAMS: &[&str] = &["klisten", "scsrc", "nokey"];

/// Help text behind the header's "?".
const HELP: &str = "When the key (the sidechain input, or the track itself) rises above \
Threshold, the track is turned down by Depth with the Attack time, held while the key stays \
(plus Hold), and brought back with the Release time (Exponential or Linear in dB). \
Lookahead delays the track so the duck lands before the hit (reported as latency). Band \
Limited ducks only below Band Freq: the kick-versus-bass fix that keeps the highs. Key HP/LP \
filter what the detector hears; Key Listen plays it. No Key: what to do when the sidechain \
is silent or not connected.";

/// The indicator text for where the key comes from.
pub fn key_status_text(status: KeyStatus) -> &'static str {
    match status {
        KeyStatus::Internal => "self-keyed: input",
        KeyStatus::External => "key connected",
        KeyStatus::NoKey => "no key signal",
    }
}

/// GUI-only state of an open (or headless) Ducker editor.
#[derive(Debug)]
pub struct DuckerUiState {
    /// Header: presets, save field, status.
    pub header: HeaderState,
    /// 5 s of key level and gain change, fed from the audio thread's queue.
    pub history: HistoryView,
    /// The key indicator text drawn last frame.
    pub key_text: &'static str,
}

impl DuckerUiState {
    /// State with the factory presets and the user's preset folder.
    pub fn new() -> Self {
        Self::with_presets(PresetLibrary::new("ducker", FACTORY_PRESETS, LOCKED_PARAMS))
    }

    /// State around a given preset library (tests use one without a user folder).
    pub fn with_presets(presets: PresetLibrary) -> Self {
        let mut history = HistoryView::new(HISTORY_SECONDS, HISTORY_RATE_HZ)
            .with_trace("KEY", theme::TEXT_DIM)
            .with_trace("GAIN", theme::GR);
        history.min_db = -66.0;
        history.max_db = 6.0;
        Self {
            header: HeaderState::new(presets),
            history,
            key_text: key_status_text(KeyStatus::NoKey),
        }
    }
}

impl Default for DuckerUiState {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Ducker adds to the kit's editor shell.
pub struct DuckerEditorSpec;

impl EditorSpec for DuckerEditorSpec {
    type Params = DuckerParams;
    type Meters = DuckerMeters;
    type State = DuckerUiState;

    fn editor_state(params: &DuckerParams) -> &EditorState {
        &params.editor_state
    }

    fn draw(
        ui: &mut Ui,
        params: &DuckerParams,
        setter: &ParamSetter,
        meters: &DuckerMeters,
        state: &mut DuckerUiState,
    ) {
        draw(ui, params, setter, meters, state);
    }

    fn on_open(meters: &DuckerMeters, _state: &mut DuckerUiState) {
        // Points queued while the editor was closed are stale.
        while meters.history.pop().is_some() {}
    }
}

/// Build the editor (called from `Plugin::editor`).
pub fn create(params: Arc<DuckerParams>, meters: Arc<DuckerMeters>) -> Option<DuckerEditor> {
    // Meter changes on the audio thread wake an idle editor through this flag.
    let notifier = meters.output.attach_editor(RepaintNotifier::new());
    create_editor::<DuckerEditorSpec>(
        "Lacquer Ducker",
        params,
        meters,
        DuckerUiState::new(),
        notifier,
    )
}

/// Move the audio thread's history points into the view. Returns whether any carried signal
/// (then the view is moving and asks for the next frame).
fn drain_history(meters: &DuckerMeters, history: &mut HistoryView) -> bool {
    let mut live = false;
    while let Some(p) = meters.history.pop() {
        history.push(&[p.key_db, p.gain_db]);
        live |= p.key_db > METER_FLOOR_DB + 1.0 || p.gain_db < -0.01;
    }
    live
}

/// Draw the whole editor. The app's `ui()` calls this; so do the headless tests and the bench.
pub fn draw(
    ui: &mut Ui,
    params: &DuckerParams,
    setter: &ParamSetter,
    meters: &DuckerMeters,
    state: &mut DuckerUiState,
) {
    theme::apply(ui.ctx());
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BG);
    ui.spacing_mut().item_spacing = vec2(theme::GAP, theme::GAP);

    Header {
        title: "Ducker",
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
    let status = meters.key_status();
    state.key_text = key_status_text(status);

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
    let centre_width = body.width() - 2.0 * (52.0 + theme::GAP);
    ui.allocate_ui_with_layout(
        vec2(centre_width, body.height()),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            history_view(ui, params, meters, state, status);
            ui.horizontal_top(|ui| {
                duck_section(ui, params, setter);
                timing_section(ui, params, setter);
                band_section(ui, params, setter);
            });
            key_section(ui, params, setter, state.key_text);
        },
    );
    ui.add(
        GainReductionMeter::new(&meters.reduction_db)
            .range_db(60.0)
            .height(meter_height),
    );
    ui.add(StereoLevelMeter::new(&meters.output, "OUT").height(meter_height));
}

/// The history (key level, gain change) with the threshold line and the key indicator.
fn history_view(
    ui: &mut Ui,
    params: &DuckerParams,
    meters: &DuckerMeters,
    state: &DuckerUiState,
    status: KeyStatus,
) {
    let width = ui.available_width();
    let rect = state.history.paint(ui, vec2(width, 200.0)).rect;
    let h = &state.history;
    let y = |db: f32| {
        let t = ((db - h.min_db) / (h.max_db - h.min_db)).clamp(0.0, 1.0);
        rect.bottom() - rect.height() * t
    };
    let painter = ui.painter_at(rect);
    let thr = y(params.threshold_db.value());
    // Dashed threshold line.
    let mut x = rect.left();
    while x < rect.right() {
        let end = (x + 6.0).min(rect.right());
        painter.line_segment(
            [pos2(x, thr), pos2(end, thr)],
            Stroke::new(1.0, theme::ACCENT),
        );
        x += 10.0;
    }
    painter.text(
        pos2(rect.right() - 6.0, thr - 2.0),
        egui::Align2::RIGHT_BOTTOM,
        "THRESHOLD",
        egui::FontId::proportional(9.5),
        theme::ACCENT,
    );
    // Key indicator: lit while the key is above threshold, amber without a key.
    let key_db = meters.key_db.load(Ordering::Relaxed);
    let colour = match status {
        KeyStatus::NoKey => theme::METER_HOT,
        _ if key_db >= params.threshold_db.value() => theme::METER_OK,
        _ => theme::TEXT_DIM,
    };
    let dot = pos2(rect.right() - 12.0, rect.top() + 12.0);
    painter.circle_filled(dot, 5.0, colour);
    painter.text(
        dot - vec2(10.0, 0.0),
        egui::Align2::RIGHT_CENTER,
        key_status_text(status),
        egui::FontId::proportional(11.0),
        colour,
    );
}

/// Threshold, depth (with −∞).
fn duck_section(ui: &mut Ui, params: &DuckerParams, setter: &ParamSetter) {
    section(ui, "Duck", |ui| {
        ui.horizontal_top(|ui| {
            ui.add(Knob::for_param(&params.threshold_db, setter).diameter(KNOB));
            ui.add_enabled_ui(!params.depth_inf.value(), |ui| {
                ui.add(Knob::for_param(&params.depth_db, setter).diameter(KNOB));
            });
        });
        ui.add(
            Toggle::for_param(&params.depth_inf, setter)
                .label("−∞ dB")
                .width(64.0),
        );
    });
}

/// Attack, hold, release, release curve, lookahead.
fn timing_section(ui: &mut Ui, params: &DuckerParams, setter: &ParamSetter) {
    section(ui, "Timing", |ui| {
        ui.horizontal_top(|ui| {
            ui.add(Knob::for_param(&params.attack_ms, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.hold_ms, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.release_ms, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.lookahead_ms, setter).diameter(KNOB));
        });
        ui.add(
            Segmented::for_param(&params.release_curve, setter)
                .labels(&["Exp", "Lin dB"])
                .segment_width(60.0),
        );
    });
}

/// Band-limited ducking and its crossover.
fn band_section(ui: &mut Ui, params: &DuckerParams, setter: &ParamSetter) {
    section(ui, "Band", |ui| {
        ui.set_width(ui.available_width());
        ui.add_enabled_ui(params.band_limited.value(), |ui| {
            ui.add(
                Knob::for_param(&params.band_hz, setter)
                    .label("Below")
                    .diameter(KNOB),
            );
        });
        ui.add(
            Toggle::for_param(&params.band_limited, setter)
                .label("Band limited")
                .width(104.0),
        );
    });
}

/// Source, no-key behaviour, status, key filters, listen.
fn key_section(ui: &mut Ui, params: &DuckerParams, setter: &ParamSetter, key: &str) {
    section(ui, "Key", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.add(
                    Segmented::for_param(&params.source, setter)
                        .labels(&["Internal", "External"])
                        .segment_width(66.0),
                );
                let colour: Color32 = if key == key_status_text(KeyStatus::NoKey) {
                    theme::METER_HOT
                } else {
                    theme::TEXT_DIM
                };
                ui.label(RichText::new(key).font(theme::label_font()).color(colour));
            });
            ui.vertical(|ui| {
                ui.add(
                    Segmented::for_param(&params.no_key, setter)
                        .labels(&["No duck", "Self-key"])
                        .segment_width(66.0),
                );
                ui.add(
                    Toggle::for_param(&params.key_listen, setter)
                        .label("Listen")
                        .width(64.0),
                );
            });
            ui.vertical(|ui| {
                ui.add(
                    Toggle::for_param(&params.key_hp, setter)
                        .label("HP")
                        .width(64.0),
                );
                ui.add_enabled_ui(params.key_hp.value(), |ui| {
                    ui.add(
                        Knob::for_param(&params.key_hp_hz, setter)
                            .label("HP Freq")
                            .diameter(34.0),
                    );
                });
            });
            ui.vertical(|ui| {
                ui.add(
                    Toggle::for_param(&params.key_lp, setter)
                        .label("LP")
                        .width(64.0),
                );
                ui.add_enabled_ui(params.key_lp.value(), |ui| {
                    ui.add(
                        Knob::for_param(&params.key_lp_hz, setter)
                            .label("LP Freq")
                            .diameter(34.0),
                    );
                });
            });
        });
    });
}
