//! The Limiter's editor, built from the shared kit: header (presets, A/B, scale, help,
//! bypass); a scrolling 5 s history of input and output true peak with the gain reduction
//! drawn over it; input meters, the GR meter and the output true-peak meter; the loudness
//! readouts (integrated, short-term, true-peak max) with the target and the input gain
//! still needed; sections for the limiter, the output (oversampling, dither, lock) and the
//! loudness target.
//!
//! The output lock: while it is on, loading a preset leaves ceiling, dither, bits and
//! oversampling alone (the kit's preset loader skips the locked IDs). The lock itself is a
//! parameter that presets never change, so it survives preset changes and is saved with
//! the project.
//!
//! All drawing is in [`draw`], a plain function of `(ui, params, setter, meters, state)`, so
//! headless tests run it without a window; the kit's app only calls it.

use crate::params::{LimiterParams, TargetParam};
use crate::{LimiterMeters, HISTORY_RATE_HZ};
use egui::{vec2, Ui};
use lacquer_kit::app::{create_editor, EditorSpec, KitApp};
use lacquer_kit::header::{Header, HeaderState};
use lacquer_kit::meters::{
    GainReductionMeter, LevelMeter, LufsReadout, StereoLevelMeter, METER_FRAME,
};
use lacquer_kit::meters_bridge::METER_FLOOR_DB;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::theme::{self, section};
use lacquer_kit::views::HistoryView;
use lacquer_kit::EditorState;
use lacquer_kit::{Knob, Segmented, Toggle};
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, RepaintNotifier};
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// Default logical width at 100 % scale.
pub const WIDTH: u32 = 900;
/// Default logical height at 100 % scale.
pub const HEIGHT: u32 = 580;
/// Seconds of history shown.
pub const HISTORY_SECONDS: f32 = 5.0;
/// Knob size in the sections.
const KNOB: f32 = 44.0;

/// The editor type the plugin returns from `Plugin::editor`.
pub type LimiterEditor = EguiEditor<KitApp<LimiterEditorSpec>>;

/// Factory presets, embedded at build time.
pub const FACTORY_PRESETS: &[&str] = &[
    include_str!("../../../assets/presets/limiter/transparent-master.json"),
    include_str!("../../../assets/presets/limiter/streaming-loud.json"),
    include_str!("../../../assets/presets/limiter/broadcast-safe.json"),
    include_str!("../../../assets/presets/limiter/cd-master-16-bit.json"),
    include_str!("../../../assets/presets/limiter/punchy-drums.json"),
];

/// Parameters a preset never changes: the lock itself and the loudness target (a delivery
/// spec, not a sound).
pub const LOCKED_PARAMS: &[&str] = &["olock", "target", "tlufs"];
/// Parameters the output lock adds to [`LOCKED_PARAMS`].
pub const OUTPUT_LOCK_PARAMS: &[&str] = &["ceil", "dith", "bits", "os"];

/// Help text behind the header's "?".
const HELP: &str = "Input Gain drives the programme into the limiter; Ceiling is the highest \
true peak (BS.1770) the output ever reaches. Lookahead is the attack window (reported as \
latency); Release sets the recovery, Auto makes it slower on dense programme. Link couples \
the channels. Oversampling sets the detector's resolution. Dither reduces the word length \
to 16 or 24 bits (Shaped moves the noise up in frequency). The loudness panel shows the \
output's integrated and short-term loudness and the input gain still needed to reach the \
target. Lock keeps ceiling, dither and oversampling when you load a preset.";

/// GUI-only state of an open (or headless) Limiter editor.
#[derive(Debug)]
pub struct LimiterUiState {
    /// Header: presets, save field, status.
    pub header: HeaderState,
    /// 5 s of input, output and gain reduction, fed from the audio thread's queue.
    pub history: HistoryView,
}

impl LimiterUiState {
    /// State with the factory presets and the user's preset folder.
    pub fn new() -> Self {
        Self::with_presets(PresetLibrary::new(
            "limiter",
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
        history.min_db = -48.0;
        history.max_db = 12.0;
        Self {
            header: HeaderState::new(presets),
            history,
        }
    }
}

impl Default for LimiterUiState {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Limiter adds to the kit's editor shell.
pub struct LimiterEditorSpec;

impl EditorSpec for LimiterEditorSpec {
    type Params = LimiterParams;
    type Meters = LimiterMeters;
    type State = LimiterUiState;

    fn editor_state(params: &LimiterParams) -> &EditorState {
        &params.editor_state
    }

    fn draw(
        ui: &mut Ui,
        params: &LimiterParams,
        setter: &ParamSetter,
        meters: &LimiterMeters,
        state: &mut LimiterUiState,
    ) {
        draw(ui, params, setter, meters, state);
    }

    fn on_open(meters: &LimiterMeters, _state: &mut LimiterUiState) {
        // Points queued while the editor was closed are stale.
        while meters.history.pop().is_some() {}
    }
}

/// Build the editor (called from `Plugin::editor`).
pub fn create(params: Arc<LimiterParams>, meters: Arc<LimiterMeters>) -> Option<LimiterEditor> {
    // Meter changes on the audio thread wake an idle editor through this flag.
    let notifier = meters.input.attach_editor(RepaintNotifier::new());
    create_editor::<LimiterEditorSpec>(
        "Lacquer Limiter",
        params,
        meters,
        LimiterUiState::new(),
        notifier,
    )
}

/// The IDs presets must skip for the lock state `locked`.
pub fn locked_ids(locked: bool) -> Vec<String> {
    let extra: &[&str] = if locked { OUTPUT_LOCK_PARAMS } else { &[] };
    LOCKED_PARAMS
        .iter()
        .chain(extra)
        .map(|s| (*s).to_owned())
        .collect()
}

/// Move the audio thread's history points into the view. Returns whether any carried signal.
fn drain_history(meters: &LimiterMeters, history: &mut HistoryView) -> bool {
    let mut live = false;
    while let Some(p) = meters.history.pop() {
        history.push(&[p.input_db, p.output_db, -p.gain_reduction_db]);
        live |= p.input_db > METER_FLOOR_DB + 1.0 || p.gain_reduction_db > 0.01;
    }
    live
}

/// Draw the whole editor. The app's `ui()` calls this; so do the headless tests.
pub fn draw(
    ui: &mut Ui,
    params: &LimiterParams,
    setter: &ParamSetter,
    meters: &LimiterMeters,
    state: &mut LimiterUiState,
) {
    theme::apply(ui.ctx());
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BG);
    ui.spacing_mut().item_spacing = vec2(theme::GAP, theme::GAP);

    // The lock decides what the preset loader skips, before the header can load one.
    let lock = params.output_lock.value();
    if state.header.presets.locked.len() != locked_ids(lock).len() {
        state.header.presets.locked = locked_ids(lock);
    }

    Header {
        title: "Limiter",
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

    let centre_width = body.width() - 2.0 * (52.0 + theme::GAP) - (40.0 + theme::GAP);
    ui.allocate_ui_with_layout(
        vec2(centre_width, body.height()),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            let width = ui.available_width();
            state.history.paint(ui, vec2(width, 190.0));
            loudness_row(ui, params, meters);
            ui.horizontal_top(|ui| {
                limiter_section(ui, params, setter);
                output_section(ui, params, setter);
            });
            target_section(ui, params, setter);
        },
    );

    ui.add(GainReductionMeter::new(&meters.gain_reduction_db).height(meter_height));
    ui.add(LevelMeter::new(&meters.output_true_peak, "TP").height(meter_height));
}

/// Integrated, short-term, true-peak max and the gain to the target.
fn loudness_row(ui: &mut Ui, params: &LimiterParams, meters: &LimiterMeters) {
    let target = params.target_lufs();
    ui.horizontal(|ui| {
        ui.add(LufsReadout::new(&meters.integrated_lufs, "I").target(target, 1.0));
        ui.add(LufsReadout::new(&meters.short_term_lufs, "S").target(target, 1.0));
        ui.add(
            LufsReadout::new(&meters.true_peak_max_db, "TP max")
                .unit("dBTP")
                .target(params.ceiling_db.value() - 0.5, 0.5),
        );
        ui.add(LufsReadout::new(&meters.to_target_db, "to target").unit("dB"));
    });
}

/// Input gain, ceiling, release (with auto), lookahead, link.
fn limiter_section(ui: &mut Ui, params: &LimiterParams, setter: &ParamSetter) {
    section(ui, "Limiter", |ui| {
        ui.horizontal_top(|ui| {
            ui.add(
                Knob::for_param(&params.input_gain_db, setter)
                    .label("Input")
                    .diameter(KNOB),
            );
            ui.add(Knob::for_param(&params.ceiling_db, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.release_ms, setter).diameter(KNOB));
            ui.add(Knob::for_param(&params.lookahead_ms, setter).diameter(KNOB));
            ui.add(
                Knob::for_param(&params.link, setter)
                    .label("Link")
                    .diameter(KNOB),
            );
        });
        ui.add(
            Toggle::for_param(&params.auto_release, setter)
                .label("Auto release")
                .width(136.0),
        );
    });
}

/// Oversampling, dither, bits and the output lock.
fn output_section(ui: &mut Ui, params: &LimiterParams, setter: &ParamSetter) {
    section(ui, "Output", |ui| {
        ui.set_width(ui.available_width());
        ui.add(
            Segmented::for_param(&params.oversampling, setter)
                .labels(&["4x", "8x"])
                .segment_width(44.0),
        );
        ui.add(
            Segmented::for_param(&params.dither, setter)
                .labels(&["Off", "TPDF", "Shaped"])
                .segment_width(56.0),
        );
        ui.add(
            Segmented::for_param(&params.bits, setter)
                .labels(&["16 bit", "24 bit"])
                .segment_width(56.0),
        );
        ui.add(
            Toggle::for_param(&params.output_lock, setter)
                .label("Lock output")
                .width(120.0),
        );
    });
}

/// The loudness target and its custom value.
fn target_section(ui: &mut Ui, params: &LimiterParams, setter: &ParamSetter) {
    section(ui, "Loudness target", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_top(|ui| {
            ui.add(
                Segmented::for_param(&params.target, setter)
                    .labels(&["-14", "-16", "-23", "Custom"])
                    .segment_width(56.0),
            );
            ui.add_enabled_ui(params.target.value() == TargetParam::Custom, |ui| {
                ui.add(
                    Knob::for_param(&params.custom_target_lufs, setter)
                        .label("Custom")
                        .diameter(KNOB),
                );
            });
        });
    });
}
