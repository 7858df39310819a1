//! The Loudness editor, built from the shared kit: header (presets, A/B, scale, help, bypass),
//! big M / S / I readouts, M and S bars on the EBU +9 or +18 scale, the scrolling M/S history,
//! the statistics (LRA, true-peak max, PLR, PSR, maxima), the platform verdict and headroom,
//! and the controls (target, custom target, scale, unit, true-peak oversampling, pause,
//! reset on play, reset, export).
//!
//! All drawing is in [`draw`], a plain function of `(ui, params, setter, meters, state)`, so
//! headless tests and the frame bench run it without a window; [`LoudnessApp::ui`] only calls it.

use crate::bridge::{LoudnessMeters, Readings};
use crate::export::{measurement_dir, Measurement};
use crate::params::{LoudnessParams, OversamplingParam, TargetParam, UnitParam};
use dsp_core::loudness::targets::Target;
use dsp_core::loudness::SILENCE_LUFS;
use egui::{vec2, RichText, Ui};
use lacquer_kit::app::{create_editor, EditorSpec, KitApp};
use lacquer_kit::header::{Header, HeaderState};
use lacquer_kit::meters::repaint_if_changed;
use lacquer_kit::param_control::register_rect;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::theme::{self, section};
use lacquer_kit::EditorState;
use lacquer_kit::{Knob, Segmented, Toggle};
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, RepaintNotifier};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub mod history;
mod readings;
mod references;
pub mod spectrum_view;

#[cfg(test)]
mod tests;

use history::{LoudnessHistory, Scale};
use readings::{bars_section, readouts_section, statistics_section};
use references::{handover_section, reference_section};

/// Default logical width at 100 % scale.
pub const WIDTH: u32 = 900;
/// Default logical height at 100 % scale.
pub const HEIGHT: u32 = 880;

/// The editor type the plugin returns from `Plugin::editor`.
pub type LoudnessEditor = EguiEditor<KitApp<LoudnessEditorSpec>>;

/// Factory presets, embedded at build time.
pub const FACTORY_PRESETS: &[&str] = &[
    include_str!("../../../assets/presets/loudness/ebu-r128.json"),
    include_str!("../../../assets/presets/loudness/spotify.json"),
    include_str!("../../../assets/presets/loudness/apple-music.json"),
    include_str!("../../../assets/presets/loudness/youtube.json"),
    include_str!("../../../assets/presets/loudness/tidal.json"),
    include_str!("../../../assets/presets/loudness/deezer.json"),
    include_str!("../../../assets/presets/loudness/amazon-music.json"),
    include_str!("../../../assets/presets/loudness/atsc-a85.json"),
];

/// Parameters a preset never changes: pausing and the reference A/B are actions, not settings.
pub const LOCKED_PARAMS: &[&str] = &["pause", "ref"];

/// Help text behind the header's "?".
const HELP: &str = "M: momentary loudness (400 ms), S: short-term (3 s), I: integrated since \
reset (gated, BS.1770-5). Reference A/B: add reference tracks by path; while Reference is on \
you hear the chosen one, looped from Start, at your mix's integrated loudness (the meters keep \
measuring your mix). Handover: clipped samples are runs of 3 or more at full scale; headroom \
is the peak target minus the true peak. LRA: loudness range (EBU Tech 3342), provisional until a minute of \
programme. TP: true-peak maximum, red above the target's ceiling. PLR = TP - I, PSR = peak of \
the last 3 s - S. Pause stops integrating (M and S keep moving); Reset clears everything. The \
verdict is the gain the chosen platform's normalisation would apply, as it publishes it \
(approximately). The audio passes through untouched unless the reference A/B plays; Bypass \
returns to your mix.";

/// Labels of the target selector, in variant order.
const TARGET_LABELS: &[&str] = &[
    "Spotify", "Apple", "YouTube", "Tidal", "Deezer", "Amazon", "EBU", "ATSC", "Custom",
];

/// GUI-only state of an open (or headless) Loudness editor.
#[derive(Debug)]
pub struct LoudnessUiState {
    /// Header: presets, save field, status.
    pub header: HeaderState,
    /// The M/S history drained from the audio thread's queue.
    pub history: LoudnessHistory,
    /// Where exports go (`None`: the platform has no data folder).
    pub export_dir: Option<PathBuf>,
    /// Result of the last export (path or error).
    pub export_status: Option<String>,
    /// The reference path being typed.
    pub reference_path: String,
    /// What the last Add did ("added to slot 2", "all 8 slots are taken").
    pub reference_note: Option<String>,
    /// The meters' reset count when the history was last cleared.
    seen_resets: u32,
}

impl LoudnessUiState {
    /// State with the factory presets, the user's preset folder and measurement folder.
    pub fn new() -> Self {
        Self::with(
            PresetLibrary::new("loudness", FACTORY_PRESETS, LOCKED_PARAMS),
            measurement_dir(),
        )
    }

    /// State around a given preset library and export folder (tests, benches).
    pub fn with(presets: PresetLibrary, export_dir: Option<PathBuf>) -> Self {
        Self {
            header: HeaderState::new(presets),
            history: LoudnessHistory::default(),
            export_dir,
            export_status: None,
            reference_path: String::new(),
            reference_note: None,
            seen_resets: 0,
        }
    }
}

impl Default for LoudnessUiState {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Loudness adds to the kit's editor shell.
pub struct LoudnessEditorSpec;

impl EditorSpec for LoudnessEditorSpec {
    type Params = LoudnessParams;
    type Meters = LoudnessMeters;
    type State = LoudnessUiState;

    fn editor_state(params: &LoudnessParams) -> &EditorState {
        &params.editor_state
    }

    fn draw(
        ui: &mut Ui,
        params: &LoudnessParams,
        setter: &ParamSetter,
        meters: &LoudnessMeters,
        state: &mut LoudnessUiState,
    ) {
        draw(ui, params, setter, meters, state);
    }
}

/// Build the editor (called from `Plugin::editor`).
pub fn create(params: Arc<LoudnessParams>, meters: Arc<LoudnessMeters>) -> Option<LoudnessEditor> {
    // Every closed 100 ms slot wakes an idle editor through this flag.
    let notifier = meters.wake.attach(RepaintNotifier::new());
    create_editor::<LoudnessEditorSpec>(
        "Lacquer Loudness",
        params,
        meters,
        LoudnessUiState::new(),
        notifier,
    )
}

/// How values are shown this frame: absolute or relative to the target.
struct View {
    /// The chosen target.
    pub(crate) target: Target,
    /// LU mode: values relative to the target.
    pub(crate) relative: bool,
    /// The bars' and history's vertical scale.
    pub(crate) scale: Scale,
}

impl View {
    /// A loudness as text without unit ("-14.2", "+1.3" in LU mode, "-inf" for silence).
    pub(crate) fn loudness(&self, lufs: f32) -> String {
        if !lufs.is_finite() || f64::from(lufs) <= SILENCE_LUFS + 1.0 || lufs < -99.0 {
            return "-inf".to_owned();
        }
        if self.relative {
            format!("{:+.1}", lufs - self.target.target_lufs as f32)
        } else {
            format!("{lufs:.1}")
        }
    }

    /// The unit of [`View::loudness`].
    pub(crate) fn unit(&self) -> &'static str {
        if self.relative {
            "LU"
        } else {
            "LUFS"
        }
    }

    /// A scale label for a LUFS value.
    pub(crate) fn scale_label(&self, lufs: f32) -> String {
        if self.relative {
            format!("{:+.0}", lufs - self.target.target_lufs as f32)
        } else {
            format!("{lufs:.0}")
        }
    }
}

/// Draw the whole editor. The app's `ui()` calls this; so do the headless tests and the bench.
pub fn draw(
    ui: &mut Ui,
    params: &LoudnessParams,
    setter: &ParamSetter,
    meters: &LoudnessMeters,
    state: &mut LoudnessUiState,
) {
    theme::apply(ui.ctx());
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BG);
    ui.spacing_mut().item_spacing = vec2(theme::GAP, theme::GAP);

    // GUI-side bookkeeping: a reset on the audio thread clears the history; then drain the
    // queue (only an open editor does this, and the audio thread only fills it then).
    let resets = meters.resets.load(Ordering::Relaxed);
    if resets != state.seen_resets {
        state.seen_resets = resets;
        state.history.clear();
    }
    while let Some(point) = meters.pop_history() {
        state.history.push(point);
    }
    let readings = meters.load();
    let target = params.target();
    let (lo, hi) = params.scale.value().range_lu();
    let view = View {
        target,
        relative: params.unit.value() == UnitParam::Lu,
        scale: Scale {
            bottom_lufs: target.target_lufs as f32 + lo,
            top_lufs: target.target_lufs as f32 + hi,
        },
    };
    // Wake the next frame while anything shown moves (the audio thread wakes an idle one).
    for (i, v) in [
        readings.momentary,
        readings.short_term,
        readings.integrated,
        readings.true_peak_max,
        readings.lra,
    ]
    .into_iter()
    .enumerate()
    {
        let id = ui.make_persistent_id(("loudness-reading", i));
        repaint_if_changed(ui, id, v.max(-1000.0), 0.05);
    }

    Header {
        title: "Loudness",
        params,
        setter,
        ab: &params.ab,
        editor: &params.editor_state,
        bypass: &params.bypass,
        help: HELP,
    }
    .show(ui, &mut state.header);

    let body = full
        .with_min_y(full.top() + theme::HEADER_HEIGHT)
        .shrink(theme::GAP);
    let mut body_ui = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(body)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    let ui = &mut body_ui;
    ui.horizontal_top(|ui| {
        readouts_section(ui, &readings, &view);
        bars_section(ui, &readings, &view);
        history_section(ui, &view, state);
    });
    statistics_section(ui, &readings, &view);
    ui.horizontal_top(|ui| {
        target_section(ui, params, setter);
        display_section(ui, params, setter);
        measurement_section(ui, params, setter, meters, &readings, state);
    });
    ui.horizontal_top(|ui| {
        reference_section(ui, params, setter, meters, &readings, state);
        handover_section(ui, params, setter, meters, &readings, &view);
    });
}

/// The scrolling history with its zoom buttons.
fn history_section(ui: &mut Ui, view: &View, state: &mut LoudnessUiState) {
    section(ui, "History", |ui| {
        let width = ui.available_width();
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 4.0;
            for (zoom, label) in history::ZOOM_STEPS_S
                .iter()
                .zip(["30 s", "1 min", "3 min", "10 min"])
            {
                let selected = state.history.zoom_s == *zoom;
                let button =
                    egui::Button::new(RichText::new(label).size(11.0).color(if selected {
                        theme::TEXT
                    } else {
                        theme::TEXT_DIM
                    }))
                    .fill(if selected {
                        theme::ACCENT_DIM
                    } else {
                        theme::WELL
                    });
                let response = ui.add(button);
                register_rect(ui, "History Zoom", label, response.rect);
                if response.clicked() {
                    state.history.zoom_s = *zoom;
                }
            }
        });
        let label = |lufs: f32| view.scale_label(lufs);
        state.history.show(
            ui,
            vec2(width, 186.0),
            view.scale,
            view.target.target_lufs as f32,
            &label,
        );
    });
}

/// Target selector and the custom target's two knobs.
fn target_section(ui: &mut Ui, params: &LoudnessParams, setter: &ParamSetter) {
    section(ui, "Target", |ui| {
        ui.add(
            Segmented::for_param(&params.target, setter)
                .labels(TARGET_LABELS)
                .segment_width(50.0),
        );
        ui.horizontal(|ui| {
            let t = params.target();
            ui.vertical(|ui| {
                // Fixed width, so the knobs do not move when the target changes.
                ui.set_width(120.0);
                ui.add_space(6.0);
                ui.label(RichText::new(t.name).size(12.0).color(theme::TEXT).strong());
                ui.label(
                    RichText::new(format!(
                        "{:.0} LUFS, {:.0} dBTP",
                        t.target_lufs, t.ceiling_dbtp
                    ))
                    .size(11.0)
                    .color(theme::TEXT_DIM),
                );
                let note = if params.target.value() == TargetParam::Custom {
                    "your target"
                } else if t.normalisation == dsp_core::loudness::targets::Normalisation::Delivery {
                    "delivery spec"
                } else if t.raises_quiet_tracks() {
                    "turns quiet tracks up"
                } else {
                    "only turns down"
                };
                ui.label(RichText::new(note).size(10.5).color(theme::TEXT_DIM));
            });
            // Always editable: they define the Custom target, used when it is selected.
            ui.add(
                Knob::for_param(&params.custom_lufs, setter)
                    .label("Custom LUFS")
                    .diameter(40.0),
            );
            ui.add(
                Knob::for_param(&params.custom_ceiling_dbtp, setter)
                    .label("Ceiling")
                    .diameter(40.0),
            );
        });
    });
}

/// Scale, unit and true-peak oversampling.
fn display_section(ui: &mut Ui, params: &LoudnessParams, setter: &ParamSetter) {
    section(ui, "Display", |ui| {
        ui.add(
            Segmented::for_param(&params.scale, setter)
                .labels(&["+9", "+18"])
                .segment_width(44.0),
        );
        ui.add(
            Segmented::for_param(&params.unit, setter)
                .labels(&["LUFS", "LU"])
                .segment_width(44.0),
        );
        ui.add(
            Segmented::for_param(&params.true_peak_oversampling, setter)
                .labels(&["TP 4x", "8x"])
                .segment_width(44.0),
        );
    });
}

/// Pause, reset on play, reset and export.
fn measurement_section(
    ui: &mut Ui,
    params: &LoudnessParams,
    setter: &ParamSetter,
    meters: &LoudnessMeters,
    readings: &Readings,
    state: &mut LoudnessUiState,
) {
    section(ui, "Measurement", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.add(Toggle::for_param(&params.pause, setter).width(80.0));
            ui.add(
                Toggle::for_param(&params.reset_on_play, setter)
                    .label("Reset on play")
                    .width(110.0),
            );
        });
        ui.horizontal(|ui| {
            let reset = ui.add(egui::Button::new("Reset").min_size(vec2(80.0, 22.0)));
            register_rect(ui, "Reset", "control", reset.rect);
            if reset
                .on_hover_text("Clear I, LRA, maxima and the history (EBU Tech 3341 reset)")
                .clicked()
            {
                meters.request_reset();
            }
            let export = ui.add_enabled(
                state.export_dir.is_some(),
                egui::Button::new("Export JSON + CSV").min_size(vec2(110.0, 22.0)),
            );
            register_rect(ui, "Export", "control", export.rect);
            if export.clicked() {
                state.export_status = Some(export_now(params, readings, state));
            }
        });
        let folder = state.export_dir.as_ref().map_or_else(
            || "no data folder on this system".to_owned(),
            |d| d.display().to_string(),
        );
        ui.label(
            RichText::new(state.export_status.clone().unwrap_or(folder))
                .size(10.0)
                .color(theme::TEXT_DIM),
        );
    });
}

/// Write the current measurement; returns the status line (the path, or the error).
fn export_now(params: &LoudnessParams, readings: &Readings, state: &LoudnessUiState) -> String {
    let Some(dir) = &state.export_dir else {
        return "no data folder on this system".to_owned();
    };
    let (momentary, short_term) = state.history.series();
    let unix_seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let measurement = Measurement {
        readings: *readings,
        target: params.target(),
        oversampling: match params.true_peak_oversampling.value() {
            OversamplingParam::X4 => "4x",
            OversamplingParam::X8 => "8x",
        },
        history_momentary: &momentary,
        history_short_term: &short_term,
        unix_seconds,
    };
    match measurement.write(dir) {
        Ok(path) => format!("Saved {} (+ .csv)", path.display()),
        Err(e) => format!("Export failed: {e}"),
    }
}
