//! The Multiband's editor, built from the shared kit: header (presets, A/B, scale, help,
//! bypass); the spectrum before (dim) and after (bright) the processor with the bands over
//! it — drag a crossover line sideways, a band's threshold line up or down, click a band to
//! select it; each band's gain reduction hangs from the top of its span and its input peak
//! is a tick on the dB axis next to its threshold; a strip of band cells (select, solo,
//! mute, bypass, gain reduction); the selected band's controls; the split (band count,
//! slope, phase, crossovers) and the global controls; in/out meters.
//!
//! The audio thread sends the input and the output through two of the kit's bounded
//! queues; the editor drains them once per frame into two analyzers.
//!
//! All drawing is in [`draw`], a plain function of `(ui, params, setter, meters, state)`, so
//! headless tests run it without a window; the kit's app only calls it.

use crate::params::MultibandParams;
use crate::MultibandMeters;
use dsp_core::multiband::{MAX_BANDS, MIN_THRESHOLD_DB};
use egui::{pos2, vec2, Color32, Pos2, Rect, Sense, Shape, Stroke, Ui};
use lacquer_kit::app::{create_editor, EditorSpec, KitApp};
use lacquer_kit::header::{Header, HeaderState};
use lacquer_kit::meters::StereoLevelMeter;
use lacquer_kit::meters_bridge::AnalyzerQueue;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::theme::{self, section};
use lacquer_kit::views::{bands, db_to_y, x_to_freq, SpectrumAnalyzer};
use lacquer_kit::EditorState;
use lacquer_kit::{Knob, Segmented, Toggle};
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, RepaintNotifier};
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// Default logical width at 100 % scale.
pub const WIDTH: u32 = 1120;
/// Default logical height at 100 % scale.
pub const HEIGHT: u32 = 660;
/// Knob size in the sections.
const KNOB: f32 = 42.0;
/// Grab distance of a crossover or threshold line (points).
pub const GRAB: f32 = 8.0;
/// Analyses per second of the spectra at most.
const SPECTRUM_FPS: f64 = 30.0;
/// Gain reduction shown over the full height of the band view (dB).
pub const GR_SCALE_DB: f32 = 24.0;
/// Height of the band view.
const VIEW_HEIGHT: f32 = 280.0;

/// The editor type the plugin returns from `Plugin::editor`.
pub type MultibandEditor = EguiEditor<KitApp<MultibandEditorSpec>>;

/// Factory presets, embedded at build time.
pub const FACTORY_PRESETS: &[&str] = &[
    include_str!("../../../assets/presets/multiband/neutral.json"),
    include_str!("../../../assets/presets/multiband/gentle-master-glue.json"),
    include_str!("../../../assets/presets/multiband/tame-low-end.json"),
    include_str!("../../../assets/presets/multiband/de-harsh.json"),
    include_str!("../../../assets/presets/multiband/loud-master.json"),
    include_str!("../../../assets/presets/multiband/upward-air.json"),
];

/// Parameters a preset never changes: the phase mode and the lookahead (they change the
/// latency) and the sidechain source (a routing decision).
pub const LOCKED_PARAMS: &[&str] = &["phase", "look", "scsrc"];

/// Band colours (the kit's accent family).
pub const BAND_COLORS: [Color32; MAX_BANDS] = [
    Color32::from_rgb(0xe8, 0x7d, 0x3e),
    Color32::from_rgb(0xe8, 0xc5, 0x47),
    Color32::from_rgb(0x4c, 0xc3, 0x8a),
    Color32::from_rgb(0x5a, 0xa9, 0xe6),
    Color32::from_rgb(0xb4, 0x7c, 0xe6),
];

/// Help text behind the header's "?".
const HELP: &str = "Split the programme into 2 to 5 bands and compress each on its own. \
Drag a crossover line sideways, a band's threshold line up or down; click a band to edit \
it below. The bars hanging from the top are each band's gain reduction; the tick beside a \
threshold is the band's input peak. Minimum phase (12, 24 or 48 dB/oct Linkwitz-Riley with \
all-pass compensation) has no latency and sums flat; Linear phase keeps every band's phase \
(latency reported to the host). Ratio below 1:1 expands upward above the threshold. Tilt \
weights detection (+3 dB/oct reads pink noise equal in every band, so the lows stop \
dominating). Lookahead lets the gain move before a peak. Sidechain External splits the \
sidechain input with the same crossovers and each band listens to its part.";

/// What the mouse holds in the band view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grab {
    /// Crossover `k` (0-based): drag sideways.
    Crossover(usize),
    /// Band `b`'s threshold line: drag up or down.
    Threshold(usize),
}

/// GUI-only state of an open (or headless) Multiband editor.
#[derive(Debug)]
pub struct MultibandUiState {
    /// Header: presets, save field, status.
    pub header: HeaderState,
    /// Spectrum of the input.
    pub pre: SpectrumAnalyzer,
    /// Spectrum of the output.
    pub post: SpectrumAnalyzer,
    /// The band whose controls are shown (0-based).
    pub selected: usize,
    /// What is being dragged (its gesture is open).
    pub dragging: Option<Grab>,
    /// Where the band view was drawn last frame (tests aim at it).
    pub band_rect: Rect,
    /// An always-empty queue: the analyzers are fed by [`drain`], not by their `show`.
    empty: AnalyzerQueue,
    /// When the spectra were last analysed.
    last_analysis: Option<f64>,
}

impl MultibandUiState {
    /// State with the factory presets and the user's preset folder.
    pub fn new() -> Self {
        Self::with_presets(PresetLibrary::new(
            "multiband",
            FACTORY_PRESETS,
            LOCKED_PARAMS,
        ))
    }

    /// State around a given preset library (tests use one without a user folder).
    pub fn with_presets(presets: PresetLibrary) -> Self {
        Self {
            header: HeaderState::new(presets),
            pre: SpectrumAnalyzer::new(48_000.0),
            post: SpectrumAnalyzer::new(48_000.0),
            selected: 0,
            dragging: None,
            band_rect: Rect::NOTHING,
            empty: AnalyzerQueue::with_capacity(1),
            last_analysis: None,
        }
    }
}

impl Default for MultibandUiState {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Multiband adds to the kit's editor shell.
pub struct MultibandEditorSpec;

impl EditorSpec for MultibandEditorSpec {
    type Params = MultibandParams;
    type Meters = MultibandMeters;
    type State = MultibandUiState;

    fn editor_state(params: &MultibandParams) -> &EditorState {
        &params.editor_state
    }

    fn draw(
        ui: &mut Ui,
        params: &MultibandParams,
        setter: &ParamSetter,
        meters: &MultibandMeters,
        state: &mut MultibandUiState,
    ) {
        draw(ui, params, setter, meters, state);
    }

    fn on_open(meters: &MultibandMeters, _state: &mut MultibandUiState) {
        // Audio queued while the editor was closed is stale.
        while meters.pre.pop().is_some() {}
        while meters.post.pop().is_some() {}
    }
}

/// Build the editor (called from `Plugin::editor`).
pub fn create(
    params: Arc<MultibandParams>,
    meters: Arc<MultibandMeters>,
) -> Option<MultibandEditor> {
    // Meter changes on the audio thread wake an idle editor through this flag.
    let notifier = meters.input.attach_editor(RepaintNotifier::new());
    create_editor::<MultibandEditorSpec>(
        "Lacquer Multiband",
        params,
        meters,
        MultibandUiState::new(),
        notifier,
    )
}

/// Take the audio the audio thread sent into the two analyzers; analyse at most 30 times a
/// second. Returns whether anything arrived.
fn drain(ui: &Ui, meters: &MultibandMeters, state: &mut MultibandUiState) -> bool {
    let fresh = state.pre.drain(&meters.pre) + state.post.drain(&meters.post) > 0;
    let now = ui.input(|i| i.time);
    if fresh
        && state
            .last_analysis
            .is_none_or(|t| now - t >= 1.0 / SPECTRUM_FPS)
    {
        state.pre.analyze();
        state.post.analyze();
        state.last_analysis = Some(now);
    }
    fresh
}

/// Draw the whole editor. The app's `ui()` calls this; so do the headless tests.
pub fn draw(
    ui: &mut Ui,
    params: &MultibandParams,
    setter: &ParamSetter,
    meters: &MultibandMeters,
    state: &mut MultibandUiState,
) {
    theme::apply(ui.ctx());
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BG);
    ui.spacing_mut().item_spacing = vec2(theme::GAP, theme::GAP);

    Header {
        title: "Multiband",
        params,
        setter,
        ab: &params.ab,
        editor: &params.editor_state,
        bypass: &params.bypass,
        help: HELP,
    }
    .show(ui, &mut state.header);

    if drain(ui, meters, state) {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(1.0 / SPECTRUM_FPS));
    }
    let nb = params.bands.value().count();
    state.selected = state.selected.min(nb - 1);

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
            band_view(
                ui,
                params,
                setter,
                meters,
                state,
                vec2(centre_width, VIEW_HEIGHT),
            );
            band_strip(ui, params, setter, meters, state, centre_width);
            band_section(ui, params, setter, state.selected);
            ui.horizontal_top(|ui| {
                split_section(ui, params, setter);
                global_section(ui, params, setter, meters);
            });
        },
    );

    ui.add(StereoLevelMeter::new(&meters.output, "OUT").height(meter_height));
}

/// The active crossovers (Hz), in parameter order.
fn crossovers(params: &MultibandParams) -> Vec<f32> {
    let n = params.bands.value().count();
    (0..n - 1)
        .map(|k| params.crossovers[k].hz.value())
        .collect()
}

/// Band `b`'s extent in x (the processor keeps the crossovers sorted).
pub fn band_span(params: &MultibandParams, rect: Rect, b: usize) -> (f32, f32) {
    bands::band_span(rect, &crossovers(params), b)
}

/// y of a threshold (dBFS) in the band view.
pub fn threshold_to_y(state: &MultibandUiState, rect: Rect, db: f32) -> f32 {
    db_to_y(rect, db, state.post.min_db, state.post.max_db)
}

/// Threshold (dBFS, 0.1 dB steps) at y in the band view.
pub fn y_to_threshold(state: &MultibandUiState, rect: Rect, y: f32) -> f32 {
    y_to_db(rect, state.post.min_db, state.post.max_db, y)
}

/// Threshold (dBFS, 0.1 dB steps) at y for the display range `lo..hi`.
fn y_to_db(rect: Rect, lo: f32, hi: f32, y: f32) -> f32 {
    let t = ((rect.bottom() - y) / rect.height()).clamp(0.0, 1.0);
    ((lo + t * (hi - lo)).clamp(MIN_THRESHOLD_DB, 0.0) * 10.0).round() / 10.0
}

/// The band under x.
fn band_at(params: &MultibandParams, rect: Rect, x: f32) -> usize {
    bands::band_at(rect, &crossovers(params), x)
}

/// What is under `pos`: a crossover line first, then a band's threshold line.
fn grab_at(
    params: &MultibandParams,
    state: &MultibandUiState,
    rect: Rect,
    pos: Pos2,
) -> Option<Grab> {
    if let Some(k) = bands::crossover_at(rect, &crossovers(params), pos) {
        return Some(Grab::Crossover(k));
    }
    let b = band_at(params, rect, pos.x);
    let y = threshold_to_y(state, rect, params.band[b].threshold_db.value());
    ((pos.y - y).abs() <= GRAB).then_some(Grab::Threshold(b))
}

/// The pre/post spectra with the bands over them.
fn band_view(
    ui: &mut Ui,
    params: &MultibandParams,
    setter: &ParamSetter,
    meters: &MultibandMeters,
    state: &mut MultibandUiState,
    size: egui::Vec2,
) {
    let fs = meters.sample_rate.load(Ordering::Relaxed);
    state.pre.set_sample_rate(fs);
    state.post.set_sample_rate(fs);
    let rect = state.post.show(ui, size, &state.empty).rect;
    state.band_rect = rect;
    let response = ui.interact(
        rect,
        ui.scope_id().with("multiband-bands"),
        Sense::click_and_drag(),
    );
    let painter = ui.painter_at(rect);
    painter.add(Shape::line(
        state.pre.trace(rect),
        Stroke::new(1.0, theme::TEXT_DIM.gamma_multiply(0.6)),
    ));
    let n = params.bands.value().count();
    for (b, &color) in BAND_COLORS.iter().enumerate().take(n) {
        let (l, r) = band_span(params, rect, b);
        let selected = b == state.selected;
        if selected {
            painter.rect_filled(
                Rect::from_min_max(pos2(l, rect.top()), pos2(r, rect.bottom())),
                0.0,
                color.gamma_multiply(0.07),
            );
        }
        // Gain reduction from the top.
        let gr = meters.band_gr_db[b].load(Ordering::Relaxed);
        if gr > 0.05 {
            let h = rect.height() * (gr / GR_SCALE_DB).clamp(0.0, 1.0);
            painter.rect_filled(
                Rect::from_min_max(pos2(l + 3.0, rect.top()), pos2(r - 3.0, rect.top() + h)),
                0.0,
                color.gamma_multiply(0.35),
            );
        }
        // Threshold line and the band's input peak beside it.
        let thr = params.band[b].threshold_db.value();
        let y = threshold_to_y(state, rect, thr);
        let active = state.dragging == Some(Grab::Threshold(b));
        painter.line_segment(
            [pos2(l + 2.0, y), pos2(r - 2.0, y)],
            Stroke::new(if active || selected { 2.5 } else { 1.5 }, color),
        );
        let peak = meters.band_in_db[b].load(Ordering::Relaxed);
        let py = threshold_to_y(state, rect, peak);
        painter.line_segment(
            [pos2(r - 8.0, py), pos2(r - 3.0, py)],
            Stroke::new(
                3.0,
                if peak > thr {
                    theme::METER_HOT
                } else {
                    theme::TEXT
                },
            ),
        );
        let muted = params.band[b].mute.value();
        let text = if muted {
            "mute".to_owned()
        } else if gr > 0.05 {
            format!("{thr:.1} dB  -{gr:.1}")
        } else {
            format!("{thr:.1} dB")
        };
        // Above the line, or below it when the line is at the top.
        let (ty, align) = if y - 16.0 < rect.top() {
            (y + 4.0, egui::Align2::CENTER_TOP)
        } else {
            (y - 4.0, egui::Align2::CENTER_BOTTOM)
        };
        painter.text(
            pos2(0.5 * (l + r), ty),
            align,
            text,
            egui::FontId::monospace(10.0),
            theme::TEXT,
        );
    }
    let active = match state.dragging {
        Some(Grab::Crossover(k)) => Some(k),
        _ => None,
    };
    bands::draw_crossovers(ui, rect, &crossovers(params), active);
    handle_mouse(ui, &response, params, setter, state, rect);
}

/// Drag a crossover or a threshold (one gesture from press to release); a press or a click
/// selects the band under the pointer; double-click resets what is under the pointer.
fn handle_mouse(
    ui: &Ui,
    response: &egui::Response,
    params: &MultibandParams,
    setter: &ParamSetter,
    state: &mut MultibandUiState,
    rect: Rect,
) {
    if response.drag_started() {
        if let Some(p) = ui.input(|i| i.pointer.press_origin()) {
            state.selected = band_at(params, rect, p.x);
        }
    }
    let (lo, hi) = (state.post.min_db, state.post.max_db);
    let mut dragging = state.dragging;
    bands::drag_handles(
        ui,
        response,
        setter,
        &mut dragging,
        |p| grab_at(params, state, rect, p),
        |g| match g {
            Grab::Crossover(k) => &params.crossovers[k].hz,
            Grab::Threshold(b) => &params.band[b].threshold_db,
        },
        |g, pos| match g {
            Grab::Crossover(_) => x_to_freq(rect, pos.x.clamp(rect.left(), rect.right())) as f32,
            Grab::Threshold(_) => y_to_db(rect, lo, hi, pos.y),
        },
    );
    state.dragging = dragging;
    if response.clicked() {
        if let Some(p) = response.interact_pointer_pos() {
            state.selected = band_at(params, rect, p.x);
        }
    }
}

/// One cell per band: select, solo, mute, bypass, gain reduction.
fn band_strip(
    ui: &mut Ui,
    params: &MultibandParams,
    setter: &ParamSetter,
    meters: &MultibandMeters,
    state: &mut MultibandUiState,
    width: f32,
) {
    let n = params.bands.value().count();
    let cell = (width - theme::GAP * (n - 1) as f32) / n as f32;
    ui.horizontal_top(|ui| {
        for (b, (band, &color)) in params.band.iter().zip(&BAND_COLORS).enumerate().take(n) {
            ui.allocate_ui_with_layout(
                vec2(cell, 30.0),
                egui::Layout::left_to_right(egui::Align::Center),
                |ui| {
                    ui.spacing_mut().item_spacing.x = 4.0;
                    let selected = state.selected == b;
                    let label = egui::RichText::new(format!("Band {}", b + 1))
                        .font(theme::label_font())
                        .color(if selected { color } else { theme::TEXT_DIM });
                    if ui.selectable_label(selected, label).clicked() {
                        state.selected = b;
                    }
                    ui.add(Toggle::for_param(&band.solo, setter).label("S").width(24.0));
                    ui.add(Toggle::for_param(&band.mute, setter).label("M").width(24.0));
                    ui.add(
                        Toggle::for_param(&band.bypass, setter)
                            .label("B")
                            .width(24.0),
                    );
                    let gr = meters.band_gr_db[b].load(Ordering::Relaxed);
                    let text = if gr >= 0.05 {
                        format!("{:>5.1}", -gr)
                    } else {
                        "  0.0".to_owned()
                    };
                    ui.label(
                        egui::RichText::new(text)
                            .font(egui::FontId::monospace(11.0))
                            .color(theme::GR),
                    );
                },
            );
        }
    });
}

/// The selected band's dynamics.
fn band_section(ui: &mut Ui, params: &MultibandParams, setter: &ParamSetter, b: usize) {
    let band = &params.band[b];
    section(ui, &format!("Band {}", b + 1), |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_top(|ui| {
            for (p, label) in [
                (&band.threshold_db, "Threshold"),
                (&band.ratio, "Ratio"),
                (&band.knee_db, "Knee"),
                (&band.attack_ms, "Attack"),
                (&band.release_ms, "Release"),
                (&band.range_db, "Range"),
            ] {
                ui.add(Knob::for_param(p, setter).label(label).diameter(KNOB));
            }
            ui.add(
                Knob::for_param(&band.makeup_db, setter)
                    .label("Makeup")
                    .bipolar()
                    .diameter(KNOB),
            );
            ui.add(
                Knob::for_param(&band.link, setter)
                    .label("Link")
                    .diameter(KNOB),
            );
            ui.vertical(|ui| {
                ui.add(
                    Segmented::for_param(&band.detection, setter)
                        .labels(&["Peak", "RMS"])
                        .segment_width(48.0),
                );
                ui.add(
                    Segmented::for_param(&band.stereo_mode, setter)
                        .labels(&["L/R", "M/S"])
                        .segment_width(48.0),
                );
            });
        });
    });
}

/// Band count, slope, phase and the crossovers.
fn split_section(ui: &mut Ui, params: &MultibandParams, setter: &ParamSetter) {
    section(ui, "Split", |ui| {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.add(
                    Segmented::for_param(&params.bands, setter)
                        .labels(&["2", "3", "4", "5"])
                        .segment_width(28.0),
                );
                ui.add(
                    Segmented::for_param(&params.slope, setter)
                        .labels(&["12", "24", "48"])
                        .segment_width(37.0),
                );
                ui.add(
                    Segmented::for_param(&params.phase, setter)
                        .labels(&["Min", "Linear"])
                        .segment_width(56.0),
                );
            });
            let n = params.bands.value().count();
            for (k, x) in params.crossovers.iter().enumerate() {
                ui.add_enabled_ui(k + 1 < n, |ui| {
                    ui.add(
                        Knob::for_param(&x.hz, setter)
                            .label(format!("X{}", k + 1))
                            .diameter(KNOB),
                    );
                });
            }
        });
    });
}

/// Input, output, mix, tilt, lookahead, RMS window, sidechain.
fn global_section(
    ui: &mut Ui,
    params: &MultibandParams,
    setter: &ParamSetter,
    meters: &MultibandMeters,
) {
    section(ui, "Global", |ui| {
        ui.horizontal_top(|ui| {
            ui.add(
                Knob::for_param(&params.input_gain_db, setter)
                    .label("Input")
                    .bipolar()
                    .diameter(KNOB),
            );
            ui.add(
                Knob::for_param(&params.output_gain_db, setter)
                    .label("Output")
                    .bipolar()
                    .diameter(KNOB),
            );
            ui.add(
                Knob::for_param(&params.mix, setter)
                    .label("Mix")
                    .diameter(KNOB),
            );
            ui.add(
                Knob::for_param(&params.tilt, setter)
                    .label("Tilt")
                    .bipolar()
                    .diameter(KNOB),
            );
            ui.add(
                Knob::for_param(&params.lookahead_ms, setter)
                    .label("Lookahead")
                    .diameter(KNOB),
            );
            ui.add(
                Knob::for_param(&params.rms_window_ms, setter)
                    .label("RMS")
                    .diameter(KNOB),
            );
            ui.vertical(|ui| {
                ui.add(
                    Segmented::for_param(&params.source, setter)
                        .labels(&["Int", "Ext"])
                        .segment_width(40.0),
                );
                ui.label(
                    egui::RichText::new(meters.key_status().text())
                        .font(egui::FontId::monospace(10.0))
                        .color(theme::TEXT_DIM),
                );
            });
        });
    });
}
