//! The Imager's editor, built from the shared kit: header (presets, A/B, scale, help,
//! bypass); the output spectrum with the bands over it — drag a crossover line sideways, a
//! band's width bar up or down (0 % at the bottom, 100 % in the middle, 200 % at the top);
//! the vectorscope and the correlation meter; the last 5 s of correlation; per-band
//! correlation readouts; a warning when the side is louder than the mid or the correlation
//! goes negative (what will go wrong in mono); in/out meters; the controls grouped Bands /
//! Width / Stereo / Utility.
//!
//! The audio thread sends the output once through the kit's bounded queue; the editor
//! drains it once per frame and feeds both the spectrum (mid) and the vectorscope.
//!
//! All drawing is in [`draw`], a plain function of `(ui, params, setter, meters, state)`, so
//! headless tests run it without a window; the kit's app only calls it.

use crate::params::ImagerParams;
use crate::{HistoryPoint, ImagerMeters, HISTORY_RATE_HZ};
use dsp_core::imager::{MAX_BANDS, MAX_WIDTH};
use egui::{pos2, vec2, Color32, Pos2, Rect, Sense, Shape, Stroke, Ui};
use lacquer_kit::app::{create_editor, EditorSpec, KitApp};
use lacquer_kit::header::{Header, HeaderState};
use lacquer_kit::meters::{CorrelationMeter, StereoLevelMeter};
use lacquer_kit::meters_bridge::AnalyzerQueue;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::theme::{self, section};
use lacquer_kit::views::{bands, x_to_freq, SpectrumAnalyzer, Vectorscope};
use lacquer_kit::EditorState;
use lacquer_kit::{Knob, Segmented, Toggle};
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, RepaintNotifier};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// Default logical width at 100 % scale.
pub const WIDTH: u32 = 960;
/// Default logical height at 100 % scale.
pub const HEIGHT: u32 = 640;
/// Knob size in the sections.
const KNOB: f32 = 42.0;
/// Grab distance of a crossover line or a width bar (points).
pub const GRAB: f32 = 8.0;
/// Seconds of correlation history.
pub const HISTORY_SECONDS: f32 = 5.0;
/// Analyses per second of the spectrum at most.
const SPECTRUM_FPS: f64 = 30.0;

/// The editor type the plugin returns from `Plugin::editor`.
pub type ImagerEditor = EguiEditor<KitApp<ImagerEditorSpec>>;

/// Factory presets, embedded at build time.
pub const FACTORY_PRESETS: &[&str] = &[
    include_str!("../../../assets/presets/imager/neutral.json"),
    include_str!("../../../assets/presets/imager/master-widen.json"),
    include_str!("../../../assets/presets/imager/mono-safe-bass.json"),
    include_str!("../../../assets/presets/imager/tighten-low-mids.json"),
    include_str!("../../../assets/presets/imager/wide-air.json"),
    include_str!("../../../assets/presets/imager/mono-check.json"),
];

/// Parameters a preset never changes: the phase mode (it changes the latency, a routing
/// decision the engineer makes once per session).
pub const LOCKED_PARAMS: &[&str] = &["phase"];

/// Band colours (the kit's accent family).
const BAND_COLORS: [Color32; MAX_BANDS] = [
    Color32::from_rgb(0xe8, 0x7d, 0x3e),
    Color32::from_rgb(0xe8, 0xc5, 0x47),
    Color32::from_rgb(0x4c, 0xc3, 0x8a),
    Color32::from_rgb(0x5a, 0xa9, 0xe6),
];

/// Help text behind the header's "?".
const HELP: &str = "Split the programme into 1 to 4 bands and set each band's width: 0 % \
is mono, 100 % unchanged, 200 % doubles the side. Width only scales the side, so the mono \
fold-down never changes. Drag a crossover line sideways, a band's bar up or down. Minimum \
phase has no latency; Linear phase keeps every band's phase (latency reported to the \
host). Bass Mono sums the lows to mono below its frequency; Side HP removes low side \
energy. The vectorscope shows the stereo image (mono is a vertical line); the correlation \
meter reads +1 for mono, 0 for unrelated channels, -1 for anti-phase: negative values and \
a side louder than the mid are warnings for mono playback.";

/// What the mouse holds in the band view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grab {
    /// Crossover `k` (0-based): drag sideways.
    Crossover(usize),
    /// Band `b`'s width bar: drag up or down.
    Width(usize),
}

/// GUI-only state of an open (or headless) Imager editor.
#[derive(Debug)]
pub struct ImagerUiState {
    /// Header: presets, save field, status.
    pub header: HeaderState,
    /// Spectrum of the output mid.
    pub analyzer: SpectrumAnalyzer,
    /// Vectorscope of the output.
    pub scope: Vectorscope,
    /// Correlation history (oldest first).
    pub history: VecDeque<HistoryPoint>,
    /// What is being dragged (its gesture is open).
    pub dragging: Option<Grab>,
    /// Where the band view was drawn last frame (tests aim at it).
    pub band_rect: Rect,
    /// An always-empty queue: the spectrum is fed by [`drain`], not by its own `show`.
    empty: AnalyzerQueue,
    /// When the spectrum was last analysed.
    last_analysis: Option<f64>,
}

impl ImagerUiState {
    /// State with the factory presets and the user's preset folder.
    pub fn new() -> Self {
        Self::with_presets(PresetLibrary::new("imager", FACTORY_PRESETS, LOCKED_PARAMS))
    }

    /// State around a given preset library (tests use one without a user folder).
    pub fn with_presets(presets: PresetLibrary) -> Self {
        Self {
            header: HeaderState::new(presets),
            analyzer: SpectrumAnalyzer::new(48_000.0),
            scope: Vectorscope::default(),
            history: VecDeque::new(),
            dragging: None,
            band_rect: Rect::NOTHING,
            empty: AnalyzerQueue::with_capacity(1),
            last_analysis: None,
        }
    }
}

impl Default for ImagerUiState {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Imager adds to the kit's editor shell.
pub struct ImagerEditorSpec;

impl EditorSpec for ImagerEditorSpec {
    type Params = ImagerParams;
    type Meters = ImagerMeters;
    type State = ImagerUiState;

    fn editor_state(params: &ImagerParams) -> &EditorState {
        &params.editor_state
    }

    fn draw(
        ui: &mut Ui,
        params: &ImagerParams,
        setter: &ParamSetter,
        meters: &ImagerMeters,
        state: &mut ImagerUiState,
    ) {
        draw(ui, params, setter, meters, state);
    }

    fn on_open(meters: &ImagerMeters, _state: &mut ImagerUiState) {
        // Audio and points queued while the editor was closed are stale.
        while meters.analyzer.pop().is_some() {}
        while meters.history.pop().is_some() {}
    }
}

/// Build the editor (called from `Plugin::editor`).
pub fn create(params: Arc<ImagerParams>, meters: Arc<ImagerMeters>) -> Option<ImagerEditor> {
    // Meter changes on the audio thread wake an idle editor through this flag.
    let notifier = meters.input.attach_editor(RepaintNotifier::new());
    create_editor::<ImagerEditorSpec>(
        "Lacquer Imager",
        params,
        meters,
        ImagerUiState::new(),
        notifier,
    )
}

/// Take what the audio thread sent: audio into the spectrum and the scope, points into the
/// history. Returns whether anything arrived.
fn drain(ui: &Ui, meters: &ImagerMeters, state: &mut ImagerUiState) -> bool {
    let mut fresh = false;
    while let Some(chunk) = meters.analyzer.pop() {
        state
            .analyzer
            .push_samples(chunk.iter().map(|[l, r]| 0.5 * (l + r)));
        state.scope.push_chunk(&chunk);
        fresh = true;
    }
    let capacity = (HISTORY_SECONDS * HISTORY_RATE_HZ) as usize;
    while let Some(p) = meters.history.pop() {
        if state.history.len() == capacity {
            state.history.pop_front();
        }
        state.history.push_back(p);
        fresh = true;
    }
    let now = ui.input(|i| i.time);
    if fresh
        && state
            .last_analysis
            .is_none_or(|t| now - t >= 1.0 / SPECTRUM_FPS)
    {
        state.analyzer.analyze();
        state.last_analysis = Some(now);
    }
    fresh
}

/// Draw the whole editor. The app's `ui()` calls this; so do the headless tests.
pub fn draw(
    ui: &mut Ui,
    params: &ImagerParams,
    setter: &ParamSetter,
    meters: &ImagerMeters,
    state: &mut ImagerUiState,
) {
    theme::apply(ui.ctx());
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BG);
    ui.spacing_mut().item_spacing = vec2(theme::GAP, theme::GAP);

    Header {
        title: "Imager",
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
            let scope_size = 220.0;
            ui.horizontal_top(|ui| {
                let band_width = centre_width - scope_size - theme::GAP;
                band_view(ui, params, setter, meters, state, vec2(band_width, 248.0));
                ui.vertical(|ui| {
                    state.scope.show(ui, scope_size);
                    ui.add(CorrelationMeter::new(&meters.correlation).width(scope_size));
                });
            });
            ui.horizontal_top(|ui| {
                correlation_history(ui, state, vec2(centre_width * 0.5, 54.0));
                readouts(ui, params, meters);
            });
            ui.horizontal_top(|ui| {
                bands_section(ui, params, setter);
                width_section(ui, params, setter);
            });
            ui.horizontal_top(|ui| {
                stereo_section(ui, params, setter);
                utility_section(ui, params, setter);
            });
        },
    );

    ui.add(StereoLevelMeter::new(&meters.output, "OUT").height(meter_height));
}

/// y of a width (0..2) in the band view.
pub fn width_to_y(rect: Rect, width: f32) -> f32 {
    let t = (width / MAX_WIDTH).clamp(0.0, 1.0);
    rect.bottom() - 6.0 - (rect.height() - 12.0) * t
}

/// Width (0..2) at y in the band view.
pub fn y_to_width(rect: Rect, y: f32) -> f32 {
    ((rect.bottom() - 6.0 - y) / (rect.height() - 12.0) * MAX_WIDTH).clamp(0.0, MAX_WIDTH)
}

/// The active crossovers (Hz), in parameter order.
fn crossovers(params: &ImagerParams) -> Vec<f32> {
    let n = params.bands.value().count();
    (0..n - 1)
        .map(|k| params.crossovers[k].hz.value())
        .collect()
}

/// Band `b`'s extent in x (the processor keeps the crossovers sorted).
pub fn band_span(params: &ImagerParams, rect: Rect, b: usize) -> (f32, f32) {
    bands::band_span(rect, &crossovers(params), b)
}

/// What is under `pos`: a crossover line first, then a band's width bar.
fn grab_at(params: &ImagerParams, rect: Rect, pos: Pos2) -> Option<Grab> {
    let n = params.bands.value().count();
    if let Some(k) = bands::crossover_at(rect, &crossovers(params), pos) {
        return Some(Grab::Crossover(k));
    }
    (0..n).find_map(|b| {
        let (l, r) = band_span(params, rect, b);
        let y = width_to_y(rect, params.band[b].width.value());
        (pos.x >= l && pos.x <= r && (pos.y - y).abs() <= GRAB).then_some(Grab::Width(b))
    })
}

/// The spectrum with the bands over it: crossover lines and width bars to drag.
fn band_view(
    ui: &mut Ui,
    params: &ImagerParams,
    setter: &ParamSetter,
    meters: &ImagerMeters,
    state: &mut ImagerUiState,
    size: egui::Vec2,
) {
    state
        .analyzer
        .set_sample_rate(meters.sample_rate.load(Ordering::Relaxed));
    let rect = state.analyzer.show(ui, size, &state.empty).rect;
    state.band_rect = rect;
    let response = ui.interact(
        rect,
        ui.scope_id().with("imager-bands"),
        Sense::click_and_drag(),
    );
    let painter = ui.painter_at(rect);
    let n = params.bands.value().count();
    // 100 % reference.
    let unity = width_to_y(rect, 1.0);
    painter.line_segment(
        [pos2(rect.left(), unity), pos2(rect.right(), unity)],
        Stroke::new(1.0, theme::LINE),
    );
    for (b, &color) in BAND_COLORS.iter().enumerate().take(n) {
        let (l, r) = band_span(params, rect, b);
        let w = params.band[b].width.value();
        let y = width_to_y(rect, w);
        painter.rect_filled(
            Rect::from_min_max(pos2(l + 1.0, y.min(unity)), pos2(r - 1.0, y.max(unity))),
            0.0,
            color.gamma_multiply(0.18),
        );
        let active = state.dragging == Some(Grab::Width(b));
        painter.line_segment(
            [pos2(l + 2.0, y), pos2(r - 2.0, y)],
            Stroke::new(if active { 3.0 } else { 2.0 }, color),
        );
        painter.text(
            pos2(0.5 * (l + r), y - 4.0),
            egui::Align2::CENTER_BOTTOM,
            format!("{:.0} %", w * 100.0),
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

/// Drag a crossover or a width bar (one gesture from press to release); double-click
/// resets what is under the pointer.
fn handle_mouse(
    ui: &Ui,
    response: &egui::Response,
    params: &ImagerParams,
    setter: &ParamSetter,
    state: &mut ImagerUiState,
    rect: Rect,
) {
    bands::drag_handles(
        ui,
        response,
        setter,
        &mut state.dragging,
        |p| grab_at(params, rect, p),
        |g| match g {
            Grab::Crossover(k) => &params.crossovers[k].hz,
            Grab::Width(b) => &params.band[b].width,
        },
        |g, pos| match g {
            Grab::Crossover(_) => x_to_freq(rect, pos.x.clamp(rect.left(), rect.right())) as f32,
            Grab::Width(_) => (y_to_width(rect, pos.y) * 100.0).round() / 100.0,
        },
    );
}

/// The last 5 s of correlation (−1 bottom, +1 top), red below 0.
fn correlation_history(ui: &mut Ui, state: &ImagerUiState, size: egui::Vec2) {
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, theme::WELL);
    let y = |c: f32| rect.center().y - 0.5 * (rect.height() - 4.0) * c.clamp(-1.0, 1.0);
    painter.line_segment(
        [pos2(rect.left(), y(0.0)), pos2(rect.right(), y(0.0))],
        Stroke::new(1.0, theme::LINE),
    );
    let capacity = (HISTORY_SECONDS * HISTORY_RATE_HZ) as usize;
    let dx = rect.width() / (capacity - 1) as f32;
    let offset = capacity - state.history.len();
    let points: Vec<Pos2> = state
        .history
        .iter()
        .enumerate()
        .map(|(i, p)| pos2(rect.left() + (offset + i) as f32 * dx, y(p.correlation)))
        .collect();
    // The trace in green, its stretches below zero again in red (a few shapes, not one
    // per segment).
    if points.len() >= 2 {
        painter.add(Shape::line(
            points.clone(),
            Stroke::new(1.5, theme::METER_OK),
        ));
    }
    let zero = y(0.0);
    let mut run: Vec<Pos2> = Vec::new();
    for p in points {
        if p.y > zero {
            run.push(p);
        } else if !run.is_empty() {
            if run.len() >= 2 {
                painter.add(Shape::line(
                    std::mem::take(&mut run),
                    Stroke::new(1.5, theme::METER_CLIP),
                ));
            }
            run.clear();
        }
    }
    if run.len() >= 2 {
        painter.add(Shape::line(run, Stroke::new(1.5, theme::METER_CLIP)));
    }
    painter.text(
        rect.left_top() + vec2(4.0, 2.0),
        egui::Align2::LEFT_TOP,
        "CORRELATION",
        egui::FontId::monospace(9.0),
        theme::TEXT_DIM,
    );
}

/// Per-band correlation, mid and side levels, and the mono-compatibility warning.
fn readouts(ui: &mut Ui, params: &ImagerParams, meters: &ImagerMeters) {
    ui.vertical(|ui| {
        let n = params.bands.value().count();
        let bands: Vec<String> = (0..n)
            .map(|b| {
                format!(
                    "B{} {:+.2}",
                    b + 1,
                    meters.band_correlation[b].load(Ordering::Relaxed)
                )
            })
            .collect();
        ui.label(
            egui::RichText::new(bands.join("   "))
                .font(egui::FontId::monospace(11.0))
                .color(theme::TEXT),
        );
        let (mid, side) = (
            meters.mid_db.load(Ordering::Relaxed),
            meters.side_db.load(Ordering::Relaxed),
        );
        ui.label(
            egui::RichText::new(format!("mid {mid:.1} dBFS   side {side:.1} dBFS"))
                .font(egui::FontId::monospace(11.0))
                .color(theme::TEXT_DIM),
        );
        if let Some(warning) = warning(meters) {
            ui.label(
                egui::RichText::new(warning)
                    .font(theme::label_font())
                    .color(theme::METER_CLIP),
            );
        }
    });
}

/// The mono-compatibility warning, if any: negative correlation, or a side louder than the
/// mid (with signal present).
pub fn warning(meters: &ImagerMeters) -> Option<&'static str> {
    let corr = meters.correlation.load(Ordering::Relaxed);
    let (mid, side) = (
        meters.mid_db.load(Ordering::Relaxed),
        meters.side_db.load(Ordering::Relaxed),
    );
    if corr < 0.0 && side > -80.0 {
        Some("Negative correlation: the mix cancels in mono")
    } else if side > mid && side > -80.0 {
        Some("Side louder than mid: check in mono")
    } else {
        None
    }
}

/// Band count, phase mode and the crossovers.
fn bands_section(ui: &mut Ui, params: &ImagerParams, setter: &ParamSetter) {
    section(ui, "Bands", |ui| {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.add(
                    Segmented::for_param(&params.bands, setter)
                        .labels(&["1", "2", "3", "4"])
                        .segment_width(30.0),
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

/// The four widths.
fn width_section(ui: &mut Ui, params: &ImagerParams, setter: &ParamSetter) {
    section(ui, "Width", |ui| {
        ui.set_width(ui.available_width());
        let n = params.bands.value().count();
        ui.horizontal_top(|ui| {
            for (b, band) in params.band.iter().enumerate() {
                ui.add_enabled_ui(b < n, |ui| {
                    ui.add(
                        Knob::for_param(&band.width, setter)
                            .label(format!("Band {}", b + 1))
                            .diameter(KNOB),
                    );
                });
            }
        });
    });
}

/// Bass mono, side high-pass, balance.
fn stereo_section(ui: &mut Ui, params: &ImagerParams, setter: &ParamSetter) {
    section(ui, "Stereo", |ui| {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.add(
                    Toggle::for_param(&params.bass_mono, setter)
                        .label("Bass mono")
                        .width(96.0),
                );
                ui.add(
                    Toggle::for_param(&params.side_hp, setter)
                        .label("Side HP")
                        .width(96.0),
                );
            });
            ui.add(
                Knob::for_param(&params.bass_mono_hz, setter)
                    .label("Mono below")
                    .diameter(KNOB),
            );
            ui.add(
                Knob::for_param(&params.side_hp_hz, setter)
                    .label("Side HP")
                    .diameter(KNOB),
            );
            ui.add(
                Knob::for_param(&params.balance, setter)
                    .bipolar()
                    .diameter(KNOB),
            );
        });
    });
}

/// Swap, polarity, mono monitoring.
fn utility_section(ui: &mut Ui, params: &ImagerParams, setter: &ParamSetter) {
    section(ui, "Utility", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_wrapped(|ui| {
            for (p, label) in [
                (&params.swap, "Swap L/R"),
                (&params.invert_left, "Ø Left"),
                (&params.invert_right, "Ø Right"),
                (&params.mono_monitor, "Mono"),
            ] {
                ui.add(Toggle::for_param(p, setter).label(label).width(84.0));
            }
        });
    });
}
