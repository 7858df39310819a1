//! The Compressor's editor, built from the shared kit: header (presets, A/B, scale, help,
//! bypass); the transfer curve with the live operating point; a scrolling 5 s history of
//! input, output and gain reduction; input/output meters and the GR meter; sections for
//! compression, timing, output, detector and sidechain (with the key status).
//!
//! All drawing is in [`draw`], a plain function of `(ui, params, setter, meters, state)`, so
//! headless tests and the frame bench run it without a window; [`CompressorApp::ui`] only
//! calls it.

use crate::params::{CompressorParams, DetectionParam};
use crate::{CompressorMeters, KeyStatus, HISTORY_RATE_HZ};
use dsp_core::dynamics::{CurveSide, GainCurve};
use egui::{vec2, RichText, Ui};
use lacquer_kit::app::{create_editor, EditorSpec, KitApp};
use lacquer_kit::header::{Header, HeaderState};
use lacquer_kit::meters::{GainReductionMeter, StereoLevelMeter, METER_FRAME};
use lacquer_kit::meters_bridge::METER_FLOOR_DB;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::theme::{self, section};
use lacquer_kit::views::{HistoryView, TransferView};
use lacquer_kit::EditorState;
use lacquer_kit::{Knob, Segmented, Toggle};
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, RepaintNotifier};
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// Default logical width at 100 % scale.
pub const WIDTH: u32 = 960;
/// Default logical height at 100 % scale.
pub const HEIGHT: u32 = 590;
/// Seconds of history shown.
pub const HISTORY_SECONDS: f32 = 5.0;
/// Knob size in the sections.
const KNOB: f32 = 44.0;

/// The editor type the plugin returns from `Plugin::editor`.
pub type CompressorEditor = EguiEditor<KitApp<CompressorEditorSpec>>;

/// Factory presets, embedded at build time.
pub const FACTORY_PRESETS: &[&str] = &[
    include_str!("../../../assets/presets/compressor/vocal-leveler.json"),
    include_str!("../../../assets/presets/compressor/drum-bus-glue.json"),
    include_str!("../../../assets/presets/compressor/bass-control.json"),
    include_str!("../../../assets/presets/compressor/parallel-smash.json"),
    include_str!("../../../assets/presets/compressor/gentle-master-glue.json"),
    include_str!("../../../assets/presets/compressor/de-ess-ish.json"),
    include_str!("../../../assets/presets/compressor/peak-catcher.json"),
];

/// Parameters a preset never changes: makeup and auto makeup are gain staging; listen and
/// level match are monitoring states, not part of a sound.
pub const LOCKED_PARAMS: &[&str] = &["makeup", "amkup", "listen", "lvlm"];

/// Help text behind the header's "?".
const HELP: &str = "Threshold, ratio (∞ for limiting), knee and range shape the static curve; \
attack, release and hold shape its timing; lookahead lets the gain move before a peak \
arrives (reported as latency). Makeup restores level, Mix blends the dry signal for \
parallel compression. Sidechain External listens to the sidechain input when the host \
connects one, else to the input. Listen: Sidechain plays the filtered key, Delta what the \
compression removes. Level Match compares with bypass at equal loudness.";

/// The status line for where the detector listens.
pub fn key_status_text(status: KeyStatus) -> &'static str {
    status.text()
}

/// GUI-only state of an open (or headless) Compressor editor.
#[derive(Debug)]
pub struct CompressorUiState {
    /// Header: presets, save field, status.
    pub header: HeaderState,
    /// 5 s of input, output and gain reduction, fed from the audio thread's queue.
    pub history: HistoryView,
    /// The key status text drawn last frame.
    pub key_text: &'static str,
}

impl CompressorUiState {
    /// State with the factory presets and the user's preset folder.
    pub fn new() -> Self {
        Self::with_presets(PresetLibrary::new(
            "compressor",
            FACTORY_PRESETS,
            LOCKED_PARAMS,
        ))
    }

    /// State around a given preset library (tests use one without a user folder).
    pub fn with_presets(presets: PresetLibrary) -> Self {
        let mut history = HistoryView::new(HISTORY_SECONDS, HISTORY_RATE_HZ)
            .with_trace("IN", theme::TEXT_DIM)
            .with_trace("OUT", theme::METER_OK)
            .with_trace("GR", theme::GR);
        history.min_db = -60.0;
        history.max_db = 6.0;
        Self {
            header: HeaderState::new(presets),
            history,
            key_text: key_status_text(KeyStatus::Internal),
        }
    }
}

impl Default for CompressorUiState {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Compressor adds to the kit's editor shell.
pub struct CompressorEditorSpec;

impl EditorSpec for CompressorEditorSpec {
    type Params = CompressorParams;
    type Meters = CompressorMeters;
    type State = CompressorUiState;

    fn editor_state(params: &CompressorParams) -> &EditorState {
        &params.editor_state
    }

    fn draw(
        ui: &mut Ui,
        params: &CompressorParams,
        setter: &ParamSetter,
        meters: &CompressorMeters,
        state: &mut CompressorUiState,
    ) {
        draw(ui, params, setter, meters, state);
    }

    fn on_open(meters: &CompressorMeters, _state: &mut CompressorUiState) {
        // Points queued while the editor was closed are stale.
        while meters.history.pop().is_some() {}
    }
}

/// Build the editor (called from `Plugin::editor`).
pub fn create(
    params: Arc<CompressorParams>,
    meters: Arc<CompressorMeters>,
) -> Option<CompressorEditor> {
    // Meter changes on the audio thread wake an idle editor through this flag.
    let notifier = meters.input.attach_editor(RepaintNotifier::new());
    let notifier = meters.output.attach_editor(notifier);
    create_editor::<CompressorEditorSpec>(
        "Lacquer Compressor",
        params,
        meters,
        CompressorUiState::new(),
        notifier,
    )
}

/// Output level (dB) of the static curve at `input_db`, makeup included: what the transfer
/// view draws, from the same `dsp-core` gain computer the processor uses.
pub fn transfer_db(params: &CompressorParams, input_db: f32) -> f32 {
    let s = params.target_settings().clamped();
    let curve = GainCurve::new(
        s.threshold_db,
        s.ratio,
        s.knee_db,
        s.range_db,
        CurveSide::Above,
    );
    let auto = if s.auto_makeup {
        -curve.gain_db(0.0)
    } else {
        0.0
    };
    input_db + curve.gain_db(input_db) + s.makeup_db + auto
}

/// Move the audio thread's history points into the view. Returns whether any carried signal
/// (then the view is moving and asks for the next frame).
fn drain_history(meters: &CompressorMeters, history: &mut HistoryView) -> bool {
    let mut live = false;
    while let Some(p) = meters.history.pop() {
        history.push(&[p.input_db, p.output_db, -p.gain_reduction_db]);
        live |= p.input_db > METER_FLOOR_DB + 1.0 || p.gain_reduction_db > 0.01;
    }
    live
}

/// Draw the whole editor. The app's `ui()` calls this; so do the headless tests and the bench.
pub fn draw(
    ui: &mut Ui,
    params: &CompressorParams,
    setter: &ParamSetter,
    meters: &CompressorMeters,
    state: &mut CompressorUiState,
) {
    theme::apply(ui.ctx());
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BG);
    ui.spacing_mut().item_spacing = vec2(theme::GAP, theme::GAP);

    Header {
        title: "Compressor",
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
    state.key_text = key_status_text(meters.key_status());

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

    let centre_width = body.width() - 2.0 * (52.0 + theme::GAP) - (40.0 + theme::GAP);
    ui.allocate_ui_with_layout(
        vec2(centre_width, body.height()),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            ui.horizontal_top(|ui| {
                curve_view(ui, params, meters);
                let width = ui.available_width();
                state.history.paint(ui, vec2(width, 200.0));
            });
            ui.horizontal_top(|ui| {
                compression_section(ui, params, setter);
                timing_section(ui, params, setter);
                output_section(ui, params, setter);
            });
            ui.horizontal_top(|ui| {
                detector_section(ui, params, setter);
                sidechain_section(ui, params, setter, state.key_text);
            });
        },
    );

    ui.add(GainReductionMeter::new(&meters.gain_reduction_db).height(meter_height));
    ui.add(StereoLevelMeter::new(&meters.output, "OUT").height(meter_height));
}

/// The transfer curve and the live operating point (input peak, and that level less the
/// measured gain reduction plus makeup).
fn curve_view(ui: &mut Ui, params: &CompressorParams, meters: &CompressorMeters) {
    let input = meters.input_peak_db.load(Ordering::Relaxed);
    let gr = meters.gain_reduction_db.load(Ordering::Relaxed);
    let makeup = transfer_db(params, 0.0) - transfer_db_without_makeup(params, 0.0);
    let threshold = params.threshold_db.value();
    ui.add(
        TransferView::new(|x| transfer_db(params, x))
            .size(vec2(200.0, 200.0))
            .min_db(-60.0)
            .threshold_db(threshold)
            .point(input, input - gr + makeup),
    );
}

/// [`transfer_db`] without any makeup.
fn transfer_db_without_makeup(params: &CompressorParams, input_db: f32) -> f32 {
    let s = params.target_settings().clamped();
    let curve = GainCurve::new(
        s.threshold_db,
        s.ratio,
        s.knee_db,
        s.range_db,
        CurveSide::Above,
    );
    input_db + curve.gain_db(input_db)
}

/// Threshold, ratio (with ∞), knee, range.
fn compression_section(ui: &mut Ui, params: &CompressorParams, setter: &ParamSetter) {
    section(ui, "Compression", |ui| {
        ui.horizontal_top(|ui| {
            ui.add(Knob::for_param(&params.threshold_db, setter).diameter(KNOB));
            ui.add_enabled_ui(!params.ratio_inf.value(), |ui| {
                ui.add(Knob::for_param(&params.ratio, setter).diameter(KNOB));
            });
            ui.add(Knob::for_param(&params.knee_db, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.range_db, setter).diameter(KNOB));
        });
        ui.add(
            Toggle::for_param(&params.ratio_inf, setter)
                .label("∞ : 1")
                .width(64.0),
        );
    });
}

/// Attack, release, hold, lookahead, auto release.
fn timing_section(ui: &mut Ui, params: &CompressorParams, setter: &ParamSetter) {
    section(ui, "Timing", |ui| {
        ui.horizontal_top(|ui| {
            ui.add(Knob::for_param(&params.attack_ms, setter).diameter(KNOB));
            ui.add_enabled_ui(!params.auto_release.value(), |ui| {
                ui.add(Knob::for_param(&params.release_ms, setter).diameter(KNOB));
            });
            ui.add(Knob::for_param(&params.hold_ms, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.lookahead_ms, setter).diameter(KNOB));
        });
        ui.add(
            Toggle::for_param(&params.auto_release, setter)
                .label("Auto release")
                .width(136.0),
        );
    });
}

/// Makeup, auto makeup, mix, level match.
fn output_section(ui: &mut Ui, params: &CompressorParams, setter: &ParamSetter) {
    section(ui, "Output", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_top(|ui| {
            ui.add(
                Knob::for_param(&params.makeup_db, setter)
                    .bipolar()
                    .diameter(KNOB),
            );
            ui.add(Knob::for_param(&params.mix, setter).diameter(KNOB));
        });
        ui.horizontal(|ui| {
            ui.add(
                Toggle::for_param(&params.auto_makeup, setter)
                    .label("Auto")
                    .width(56.0),
            );
            ui.add(
                Toggle::for_param(&params.level_match, setter)
                    .label("Match")
                    .width(64.0),
            );
        });
    });
}

/// Peak/RMS and its window, stereo link, L/R or M/S.
fn detector_section(ui: &mut Ui, params: &CompressorParams, setter: &ParamSetter) {
    section(ui, "Detector", |ui| {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.add(
                    Segmented::for_param(&params.detection, setter)
                        .labels(&["Peak", "RMS"])
                        .segment_width(52.0),
                );
                ui.add(
                    Segmented::for_param(&params.stereo_mode, setter)
                        .labels(&["L/R", "M/S"])
                        .segment_width(52.0),
                );
            });
            ui.add_enabled_ui(params.detection.value() == DetectionParam::Rms, |ui| {
                ui.add(
                    Knob::for_param(&params.rms_window_ms, setter)
                        .label("Window")
                        .diameter(KNOB),
                );
            });
            ui.add(
                Knob::for_param(&params.link, setter)
                    .label("Link")
                    .diameter(KNOB),
            );
        });
    });
}

/// Source and status, key filters, listen.
fn sidechain_section(ui: &mut Ui, params: &CompressorParams, setter: &ParamSetter, key: &str) {
    section(ui, "Sidechain", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.add(
                    Segmented::for_param(&params.source, setter)
                        .labels(&["Internal", "External"])
                        .segment_width(66.0),
                );
                let colour = if key.starts_with("no key") {
                    theme::METER_HOT
                } else {
                    theme::TEXT_DIM
                };
                ui.label(RichText::new(key).font(theme::label_font()).color(colour));
                ui.add(
                    Segmented::for_param(&params.listen, setter)
                        .labels(&["Off", "Key", "Delta"])
                        .segment_width(44.0),
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
