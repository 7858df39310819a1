//! The Channel EQ's editor, built from the shared kit: header (presets, A/B, scale, help,
//! bypass); the response curve over the live post-EQ spectrum with a node per band (drag:
//! frequency and gain, one host gesture per parameter per drag; wheel: Q; double-click on
//! empty space adds a band — a low shelf near the left edge, a high shelf near the right,
//! a bell elsewhere —, double-click a node or Delete removes it; right-click a node: type,
//! slope, routing, solo); the selected band's controls below; output gain, auto gain and the
//! output meter.
//!
//! All drawing is in [`draw`], a plain function of `(ui, params, setter, meters, state)`, so
//! headless tests and the frame bench run it without a window.

use crate::params::{BandParams, EqParams, TypeParam, HIGH_CUT, LOW_CUT, PARAMETRIC_BANDS};
use crate::EqMeters;
use dsp_core::eq::{EqCurve, EqSettings, NUM_BANDS};
use egui::{pos2, vec2, Color32, Pos2, Rect, Sense, Shape, Stroke, Ui};
use lacquer_kit::app::{create_editor, EditorSpec, KitApp};
use lacquer_kit::header::{Header, HeaderState};
use lacquer_kit::meters::StereoLevelMeter;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::theme::{self, section};
use lacquer_kit::views::{db_to_y, freq_to_x, x_to_freq, SpectrumAnalyzer};
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
pub const HEIGHT: u32 = 640;
/// The curve's vertical range (±dB).
pub const RANGE_DB: f32 = 24.0;
/// Grab radius of a node (points).
pub const NODE_RADIUS: f32 = 9.0;
/// Wheel: Q changes by this factor per line.
pub const WHEEL_Q_STEP: f32 = 1.12;

/// The editor type the plugin returns from `Plugin::editor`.
pub type EqEditor = EguiEditor<KitApp<EqEditorSpec>>;

/// Factory presets, embedded at build time.
pub const FACTORY_PRESETS: &[&str] = &[
    include_str!("../../../assets/presets/channel-eq/flat.json"),
    include_str!("../../../assets/presets/channel-eq/vocal-presence.json"),
    include_str!("../../../assets/presets/channel-eq/kick-tighten.json"),
    include_str!("../../../assets/presets/channel-eq/low-mud-cut.json"),
    include_str!("../../../assets/presets/channel-eq/air-shelf.json"),
    include_str!("../../../assets/presets/channel-eq/telephone.json"),
];

/// Parameters a preset never changes: the output gain is a gain-staging decision.
pub const LOCKED_PARAMS: &[&str] = &["out"];

/// Help text behind the header's "?".
const HELP: &str = "Drag a node to move its frequency and gain (hold Shift for fine \
moves), scroll over it for Q, \
double-click empty space to add a band and a node to remove it, right-click a node for type, \
slope, routing and solo. Auto Gain holds the long-term loudness while you boost or cut.";

/// Node colours, one per band slot.
const BAND_COLORS: [Color32; NUM_BANDS] = [
    Color32::from_rgb(0xe5, 0x6b, 0x6f),
    Color32::from_rgb(0xf0, 0xa0, 0x3c),
    Color32::from_rgb(0xe8, 0xc5, 0x47),
    Color32::from_rgb(0x8f, 0xd1, 0x5a),
    Color32::from_rgb(0x4c, 0xc3, 0x8a),
    Color32::from_rgb(0x4f, 0xc1, 0xd6),
    Color32::from_rgb(0x5a, 0xa9, 0xe6),
    Color32::from_rgb(0xa5, 0x8b, 0xe8),
    Color32::from_rgb(0xb0, 0xb6, 0xbf),
    Color32::from_rgb(0xb0, 0xb6, 0xbf),
];

/// The spectrum's options, switched by the small buttons in the graph's corner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpectrumView {
    /// Show the spectrum before the EQ (grey).
    pub pre: bool,
    /// Show the spectrum after the EQ.
    pub post: bool,
    /// 1/6-octave smoothing.
    pub smoothing: bool,
    /// 4.5 dB/octave tilt (pink reads flat).
    pub tilt: bool,
    /// Hold the display.
    pub freeze: bool,
}

impl Default for SpectrumView {
    fn default() -> Self {
        Self {
            pre: false,
            post: true,
            smoothing: true,
            tilt: true,
            freeze: false,
        }
    }
}

/// Analyses per second of the pre spectrum at most (the post one limits itself).
const SPECTRUM_FPS: f64 = 30.0;

/// Fine drag (Shift held): the node moves this fraction of the pointer's movement.
pub const FINE_DRAG: f32 = 0.1;

/// GUI-only state of an open (or headless) editor.
#[derive(Debug)]
pub struct EqUiState {
    /// Header: presets, save field, status.
    pub header: HeaderState,
    /// Spectrum analyzer (post EQ).
    pub analyzer: SpectrumAnalyzer,
    /// Spectrum analyzer (pre EQ).
    pub pre: SpectrumAnalyzer,
    /// Spectrum options (GUI only): show pre, show post, 1/6-octave smoothing, tilt, freeze.
    pub view: SpectrumView,
    /// Drag anchor: pointer and node position where the drag (or its fine part) began,
    /// and whether Shift (fine, 1/10 speed) was held; the node's current position.
    drag_anchor: Option<(Pos2, Pos2, bool, Pos2)>,
    /// When the pre spectrum was last analysed.
    pre_analysis: Option<f64>,
    /// Where the spectrum buttons (PRE, POST, 1/6 OCT, TILT, FREEZE) were drawn last frame.
    pub view_buttons: [Rect; 5],
    /// Selected band slot (0..8 parametric, 8 low cut, 9 high cut).
    pub selected: usize,
    /// The node being dragged (its gestures are open).
    pub dragging: Option<usize>,
    /// The node whose right-click menu is open.
    pub menu_band: Option<usize>,
    /// Where the graph was drawn last frame (tests place the pointer with it).
    pub graph_rect: Rect,
    /// The curve for the settings and sample rate it was computed for.
    curve: Option<(EqSettings, f32, EqCurve)>,
}

impl EqUiState {
    /// State with the factory presets and the user's preset folder.
    pub fn new() -> Self {
        Self::with_presets(PresetLibrary::new(
            "channel-eq",
            FACTORY_PRESETS,
            LOCKED_PARAMS,
        ))
    }

    /// State with the given preset library.
    pub fn with_presets(presets: PresetLibrary) -> Self {
        Self {
            header: HeaderState::new(presets),
            analyzer: SpectrumAnalyzer::new(48_000.0),
            pre: SpectrumAnalyzer::new(48_000.0),
            view: SpectrumView::default(),
            drag_anchor: None,
            pre_analysis: None,
            view_buttons: [Rect::NOTHING; 5],
            selected: 0,
            dragging: None,
            menu_band: None,
            graph_rect: Rect::NOTHING,
            curve: None,
        }
    }

    /// The curve of `settings` at `sample_rate`, redesigned only when they changed.
    fn curve(&mut self, settings: &EqSettings, sample_rate: f32) -> &EqCurve {
        let stale = !matches!(&self.curve, Some((s, sr, _)) if s == settings && *sr == sample_rate);
        if stale {
            self.curve = Some((*settings, sample_rate, EqCurve::new(settings, sample_rate)));
        }
        // Just set when missing.
        &self.curve.as_ref().expect("curve cached above").2
    }
}

impl Default for EqUiState {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Channel EQ adds to the kit's editor shell.
pub struct EqEditorSpec;

impl EditorSpec for EqEditorSpec {
    type Params = EqParams;
    type Meters = EqMeters;
    type State = EqUiState;

    fn editor_state(params: &EqParams) -> &EditorState {
        &params.editor_state
    }

    fn draw(
        ui: &mut Ui,
        params: &EqParams,
        setter: &ParamSetter,
        meters: &EqMeters,
        state: &mut EqUiState,
    ) {
        draw(ui, params, setter, meters, state);
    }

    fn on_open(meters: &EqMeters, _state: &mut EqUiState) {
        // Stale audio from before the window opened is dropped.
        while meters.analyzer.pop().is_some() {}
        while meters.pre.pop().is_some() {}
    }
}

/// Build the editor (called from `Plugin::editor`).
pub fn create(params: Arc<EqParams>, meters: Arc<EqMeters>) -> Option<EqEditor> {
    let notifier = meters.output.attach_editor(RepaintNotifier::new());
    create_editor::<EqEditorSpec>(
        "Lacquer Channel EQ",
        params,
        meters,
        EqUiState::new(),
        notifier,
    )
}

/// The parameters a node moves: (frequency, gain if the type has one, Q, on).
struct NodeParams<'a> {
    /// Frequency.
    freq: &'a FloatParam,
    /// Gain (bells, shelves, tilt).
    gain: Option<&'a FloatParam>,
    /// Q.
    q: &'a FloatParam,
    /// On/off.
    on: &'a BoolParam,
}

/// The parameters of band slot `k`.
fn node_params(params: &EqParams, k: usize) -> NodeParams<'_> {
    match k {
        LOW_CUT | HIGH_CUT => {
            let c = if k == LOW_CUT {
                &params.low_cut
            } else {
                &params.high_cut
            };
            NodeParams {
                freq: &c.freq_hz,
                gain: None,
                q: &c.q,
                on: &c.on,
            }
        }
        _ => {
            let b = &params.bands[k];
            NodeParams {
                freq: &b.freq_hz,
                gain: b.band_type.value().dsp().has_gain().then_some(&b.gain_db),
                q: &b.q,
                on: &b.on,
            }
        }
    }
}

/// Where band `k`'s node sits in `rect`.
pub fn node_pos(params: &EqParams, k: usize, rect: Rect) -> Pos2 {
    let n = node_params(params, k);
    let db = n.gain.map_or(0.0, |g| g.value());
    pos2(
        freq_to_x(rect, f64::from(n.freq.value())),
        db_to_y(rect, db, -RANGE_DB, RANGE_DB),
    )
}

/// The enabled node nearest to `pos` within [`NODE_RADIUS`].
fn node_at(params: &EqParams, rect: Rect, pos: Pos2) -> Option<usize> {
    (0..NUM_BANDS)
        .filter(|&k| node_params(params, k).on.value())
        .map(|k| (k, node_pos(params, k, rect).distance(pos)))
        .filter(|&(_, d)| d <= NODE_RADIUS)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| k)
}

/// One complete gesture on a parameter.
fn set_once<P: Param>(setter: &ParamSetter, param: &P, value: P::Plain) {
    setter.begin_set_parameter(param);
    setter.set_parameter(param, value);
    setter.end_set_parameter(param);
}

/// Draw the whole editor. The app's `ui()` calls this; so do the headless tests and the bench.
pub fn draw(
    ui: &mut Ui,
    params: &EqParams,
    setter: &ParamSetter,
    meters: &EqMeters,
    state: &mut EqUiState,
) {
    theme::apply(ui.ctx());
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BG);
    ui.spacing_mut().item_spacing = vec2(theme::GAP, theme::GAP);

    Header {
        title: "Channel EQ",
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
    let graph_size = vec2(body.width() - 52.0 - theme::GAP, body.height() * 0.56);
    ui.horizontal_top(|ui| {
        graph(ui, params, setter, meters, state, graph_size);
        ui.add(StereoLevelMeter::new(&meters.output, "OUT").height(graph_size.y));
    });
    band_strip(ui, params, state);
    ui.horizontal_top(|ui| {
        band_section(ui, params, setter, state);
        output_section(ui, params, setter, meters);
    });
}

/// The spectrum, the curve, the nodes and their mouse handling.
fn graph(
    ui: &mut Ui,
    params: &EqParams,
    setter: &ParamSetter,
    meters: &EqMeters,
    state: &mut EqUiState,
    size: egui::Vec2,
) {
    let sample_rate = meters.sample_rate.load(Ordering::Relaxed);
    let view = state.view;
    for a in [&mut state.analyzer, &mut state.pre] {
        a.set_sample_rate(sample_rate);
        a.smoothing = view.smoothing;
        a.tilt = view.tilt;
        a.frozen = view.freeze;
    }
    state.analyzer.trace_visible = view.post;
    // The pre spectrum: drained always (the queue stays empty), analysed when shown.
    if state.pre.drain(&meters.pre) > 0 && view.pre {
        let now = ui.input(|i| i.time);
        if state
            .pre_analysis
            .is_none_or(|t| now - t >= 1.0 / SPECTRUM_FPS)
        {
            state.pre.analyze();
            state.pre_analysis = Some(now);
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(1.0 / SPECTRUM_FPS));
    }
    let rect = state.analyzer.show(ui, size, &meters.analyzer).rect;
    state.graph_rect = rect;
    let response = ui.interact(
        rect,
        ui.scope_id().with("eq-graph"),
        Sense::click_and_drag(),
    );
    let settings = params.target_settings();
    let painter = ui.painter_at(rect);
    if view.pre {
        painter.add(Shape::line(
            state.pre.trace(rect),
            Stroke::new(1.0, theme::TEXT_DIM.gamma_multiply(0.6)),
        ));
    }
    // 0 dB line and the curve range's labels (the spectrum grid shows dBFS).
    let zero = db_to_y(rect, 0.0, -RANGE_DB, RANGE_DB);
    painter.line_segment(
        [pos2(rect.left(), zero), pos2(rect.right(), zero)],
        Stroke::new(1.0, theme::LINE),
    );
    let selected = state.selected;
    let curve = state.curve(&settings, sample_rate);
    let n = (rect.width() / 2.0).max(2.0) as usize;
    let xs: Vec<f32> = (0..=n)
        .map(|i| rect.left() + rect.width() * i as f32 / n as f32)
        .collect();
    let line = |f: &dyn Fn(f64) -> f64| -> Vec<Pos2> {
        xs.iter()
            .map(|&x| {
                let db = f(x_to_freq(rect, x)) as f32;
                let db = if db.is_finite() { db } else { -RANGE_DB };
                pos2(x, db_to_y(rect, db, -RANGE_DB, RANGE_DB))
            })
            .collect()
    };
    if settings.bands[selected].enabled {
        let band = line(&|f| curve.band_magnitude_db(selected, f));
        painter.add(Shape::line(
            band,
            Stroke::new(1.0, BAND_COLORS[selected].gamma_multiply(0.7)),
        ));
    }
    painter.add(Shape::line(
        line(&|f| curve.magnitude_db(f)),
        Stroke::new(2.0, theme::ACCENT),
    ));
    for (k, &color) in BAND_COLORS.iter().enumerate() {
        if !settings.bands[k].enabled {
            continue;
        }
        let p = node_pos(params, k, rect);
        let r = if k == selected { 7.0 } else { 5.5 };
        painter.circle_filled(p, r, color);
        if k == selected {
            painter.circle_stroke(p, r + 2.0, Stroke::new(1.5, theme::TEXT));
        }
        let label = match k {
            LOW_CUT => "LC".to_owned(),
            HIGH_CUT => "HC".to_owned(),
            _ => format!("{}", k + 1),
        };
        painter.text(
            p + vec2(0.0, -r - 7.0),
            egui::Align2::CENTER_CENTER,
            label,
            egui::FontId::monospace(10.0),
            theme::TEXT,
        );
    }
    handle_mouse(ui, &response, params, setter, state, rect);
    view_buttons(ui, state, rect);
}

/// The spectrum options as small buttons in the graph's top-left corner.
fn view_buttons(ui: &mut Ui, state: &mut EqUiState, rect: Rect) {
    let bar = Rect::from_min_size(rect.left_top() + vec2(6.0, 4.0), vec2(320.0, 20.0));
    let mut bar_ui = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(bar)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    bar_ui.spacing_mut().item_spacing.x = 4.0;
    let v = &mut state.view;
    for (k, (flag, label)) in [
        (&mut v.pre, "PRE"),
        (&mut v.post, "POST"),
        (&mut v.smoothing, "1/6 OCT"),
        (&mut v.tilt, "TILT"),
        (&mut v.freeze, "FREEZE"),
    ]
    .into_iter()
    .enumerate()
    {
        let text = egui::RichText::new(label).font(egui::FontId::monospace(9.0));
        let response = bar_ui.selectable_label(*flag, text);
        if response.clicked() {
            *flag = !*flag;
        }
        state.view_buttons[k] = response.rect;
    }
}

/// Drag, wheel, double-click, right-click and Delete on the graph.
fn handle_mouse(
    ui: &Ui,
    response: &egui::Response,
    params: &EqParams,
    setter: &ParamSetter,
    state: &mut EqUiState,
    rect: Rect,
) {
    // Drag: one gesture per parameter from press to release.
    if response.drag_started() {
        let origin = ui.input(|i| i.pointer.press_origin());
        if let Some(k) = origin.and_then(|p| node_at(params, rect, p)) {
            state.selected = k;
            state.dragging = Some(k);
            if let Some(p) = origin {
                let node = node_pos(params, k, rect);
                state.drag_anchor = Some((p, node, ui.input(|i| i.modifiers.shift), node));
            }
            let n = node_params(params, k);
            setter.begin_set_parameter(n.freq);
            if let Some(g) = n.gain {
                setter.begin_set_parameter(g);
            }
        }
    }
    if let (Some(k), Some(pos)) = (state.dragging, response.interact_pointer_pos()) {
        if response.dragged() {
            // Relative to the anchor; Shift moves at 1/10 speed (re-anchored when Shift is
            // pressed or released mid-drag, so the node never jumps).
            let fine = ui.input(|i| i.modifiers.shift);
            let (mut p0, mut n0, was_fine, last) =
                state.drag_anchor.unwrap_or((pos, pos, fine, pos));
            if fine != was_fine {
                (p0, n0) = (pos, last);
            }
            let speed = if fine { FINE_DRAG } else { 1.0 };
            let pos = n0 + (pos - p0) * speed;
            state.drag_anchor = Some((p0, n0, fine, pos));
            let n = node_params(params, k);
            let freq = x_to_freq(rect, pos.x.clamp(rect.left(), rect.right())) as f32;
            setter.set_parameter(n.freq, freq);
            if let Some(g) = n.gain {
                let t = (rect.bottom() - pos.y) / rect.height();
                let db = (-RANGE_DB + t * 2.0 * RANGE_DB).clamp(-RANGE_DB, RANGE_DB);
                setter.set_parameter(g, (db * 10.0).round() / 10.0);
            }
        }
    }
    if response.drag_stopped() || (state.dragging.is_some() && !response.dragged()) {
        if let Some(k) = state.dragging.take() {
            state.drag_anchor = None;
            let n = node_params(params, k);
            setter.end_set_parameter(n.freq);
            if let Some(g) = n.gain {
                setter.end_set_parameter(g);
            }
        }
    }
    let hover = response.hover_pos();
    // Wheel over a node: Q.
    if let Some(k) = hover.and_then(|p| node_at(params, rect, p)) {
        let lines: f32 = ui.input(|i| {
            i.events
                .iter()
                .map(|e| match e {
                    egui::Event::MouseWheel { unit, delta, .. } => match unit {
                        egui::MouseWheelUnit::Point => delta.y / 20.0,
                        _ => delta.y,
                    },
                    _ => 0.0,
                })
                .sum()
        });
        if lines != 0.0 {
            let q = node_params(params, k).q;
            set_once(setter, q, q.value() * WHEEL_Q_STEP.powf(lines));
            state.selected = k;
        }
    }
    // Double-click: remove a node, or add a band where there is none.
    if response.double_clicked() {
        if let Some(p) = response.interact_pointer_pos() {
            match node_at(params, rect, p) {
                Some(k) => set_once(setter, node_params(params, k).on, false),
                None => add_band(params, setter, state, rect, p),
            }
        }
    } else if response.clicked() {
        if let Some(k) = response
            .interact_pointer_pos()
            .and_then(|p| node_at(params, rect, p))
        {
            state.selected = k;
        }
    }
    if response.secondary_clicked() {
        state.menu_band = response
            .interact_pointer_pos()
            .and_then(|p| node_at(params, rect, p));
        if let Some(k) = state.menu_band {
            state.selected = k;
        }
    }
    if let Some(k) = state.menu_band {
        response.context_menu(|ui| node_menu(ui, params, setter, k));
    }
    if response.hovered() && ui.input(|i| i.key_pressed(egui::Key::Delete)) {
        let k = state.selected;
        if node_params(params, k).on.value() {
            set_once(setter, node_params(params, k).on, false);
        }
    }
}

/// Double-click on empty space: the first free band, shaped by where the click is.
fn add_band(params: &EqParams, setter: &ParamSetter, state: &mut EqUiState, rect: Rect, p: Pos2) {
    let Some(k) = (0..PARAMETRIC_BANDS).find(|&k| !params.bands[k].on.value()) else {
        return;
    };
    let b: &BandParams = &params.bands[k];
    let x = (p.x - rect.left()) / rect.width();
    let band_type = if x < 0.12 {
        TypeParam::LowShelf
    } else if x > 0.88 {
        TypeParam::HighShelf
    } else {
        TypeParam::Bell
    };
    let t = (rect.bottom() - p.y) / rect.height();
    let db = ((-RANGE_DB + t * 2.0 * RANGE_DB) * 10.0).round() / 10.0;
    set_once(setter, &b.band_type, band_type);
    set_once(setter, &b.freq_hz, x_to_freq(rect, p.x) as f32);
    set_once(setter, &b.gain_db, db.clamp(-RANGE_DB, RANGE_DB));
    set_once(setter, &b.on, true);
    state.selected = k;
}

/// The right-click menu of node `k`: type, slope, routing, solo.
fn node_menu(ui: &mut Ui, params: &EqParams, setter: &ParamSetter, k: usize) {
    if k >= PARAMETRIC_BANDS {
        let c = if k == LOW_CUT {
            &params.low_cut
        } else {
            &params.high_cut
        };
        ui.menu_button("Slope", |ui| enum_menu(ui, setter, &c.slope));
        return;
    }
    let b = &params.bands[k];
    ui.menu_button("Type", |ui| enum_menu(ui, setter, &b.band_type));
    ui.menu_button("Slope", |ui| enum_menu(ui, setter, &b.slope));
    ui.menu_button("Routing", |ui| enum_menu(ui, setter, &b.routing));
    let solo = b.solo.value();
    if ui.selectable_label(solo, "Solo").clicked() {
        set_once(setter, &b.solo, !solo);
        ui.close();
    }
}

/// One entry per variant of an enum parameter.
fn enum_menu<T: Enum + PartialEq + 'static>(
    ui: &mut Ui,
    setter: &ParamSetter,
    param: &EnumParam<T>,
) {
    let current = param.value().to_index();
    for (i, name) in T::variants().iter().enumerate() {
        if ui.selectable_label(i == current, *name).clicked() {
            set_once(setter, param, T::from_index(i));
            ui.close();
        }
    }
}

/// The band selector: one button per slot, lit when the band is on.
fn band_strip(ui: &mut Ui, params: &EqParams, state: &mut EqUiState) {
    ui.horizontal(|ui| {
        for (k, &color) in BAND_COLORS.iter().enumerate() {
            let on = node_params(params, k).on.value();
            let label = match k {
                LOW_CUT => "Low Cut".to_owned(),
                HIGH_CUT => "High Cut".to_owned(),
                _ => format!("Band {}", k + 1),
            };
            let text = egui::RichText::new(label).color(if on { color } else { theme::TEXT_DIM });
            if ui.selectable_label(state.selected == k, text).clicked() {
                state.selected = k;
            }
        }
    });
}

/// Controls of the selected band.
fn band_section(ui: &mut Ui, params: &EqParams, setter: &ParamSetter, state: &EqUiState) {
    let k = state.selected;
    let title = match k {
        LOW_CUT => "Low cut".to_owned(),
        HIGH_CUT => "High cut".to_owned(),
        _ => format!("Band {}", k + 1),
    };
    section(ui, &title, |ui| {
        ui.set_width(640.0);
        if k >= PARAMETRIC_BANDS {
            let c = if k == LOW_CUT {
                &params.low_cut
            } else {
                &params.high_cut
            };
            ui.horizontal_top(|ui| {
                ui.add(Toggle::for_param(&c.on, setter).label("On").width(60.0));
                ui.add(
                    Knob::for_param(&c.freq_hz, setter)
                        .label("Freq")
                        .diameter(52.0),
                );
                ui.add(Knob::for_param(&c.q, setter).label("Q").diameter(52.0));
            });
            ui.add(
                Segmented::for_param(&c.slope, setter)
                    .labels(&SLOPE_LABELS)
                    .segment_width(52.0),
            );
            return;
        }
        let b = &params.bands[k];
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.add(Toggle::for_param(&b.on, setter).label("On").width(60.0));
                ui.add(Toggle::for_param(&b.solo, setter).label("Solo").width(60.0));
            });
            ui.add(
                Knob::for_param(&b.freq_hz, setter)
                    .label("Freq")
                    .diameter(52.0),
            );
            ui.add_enabled_ui(b.band_type.value().dsp().has_gain(), |ui| {
                ui.add(
                    Knob::for_param(&b.gain_db, setter)
                        .label("Gain")
                        .bipolar()
                        .diameter(52.0),
                );
            });
            ui.add(Knob::for_param(&b.q, setter).label("Q").diameter(52.0));
        });
        ui.add(
            Segmented::for_param(&b.band_type, setter)
                .labels(&TYPE_LABELS)
                .segment_width(68.0),
        );
        let cut = matches!(b.band_type.value(), TypeParam::LowCut | TypeParam::HighCut);
        ui.horizontal(|ui| {
            ui.add_enabled_ui(cut, |ui| {
                ui.add(
                    Segmented::for_param(&b.slope, setter)
                        .labels(&SLOPE_LABELS)
                        .segment_width(38.0),
                );
            });
            ui.add(
                Segmented::for_param(&b.routing, setter)
                    .labels(&ROUTING_LABELS)
                    .segment_width(50.0),
            );
        });
    });
}

/// Short labels of [`TypeParam`] (one per variant, in order).
const TYPE_LABELS: [&str; 9] = [
    "Bell", "Lo Shelf", "Hi Shelf", "Lo Cut", "Hi Cut", "Notch", "B Pass", "Tilt", "A Pass",
];
/// Short labels of the slopes (`SlopeParam`).
const SLOPE_LABELS: [&str; 8] = ["6", "12", "18", "24", "36", "48", "72", "96"];
/// Short labels of the routings (`RoutingParam`).
const ROUTING_LABELS: [&str; 5] = ["St", "L", "R", "M", "S"];

/// Output gain, auto gain and its correction.
fn output_section(ui: &mut Ui, params: &EqParams, setter: &ParamSetter, meters: &EqMeters) {
    section(ui, "Output", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_top(|ui| {
            ui.add(
                Knob::for_param(&params.output_gain_db, setter)
                    .label("Gain")
                    .bipolar()
                    .diameter(52.0),
            );
            ui.vertical(|ui| {
                ui.add(
                    Toggle::for_param(&params.auto_gain, setter)
                        .label("Auto Gain")
                        .width(110.0),
                );
                let db = meters.auto_gain_db.load(Ordering::Relaxed);
                ui.label(
                    egui::RichText::new(format!("{db:+.1} dB"))
                        .font(theme::value_font())
                        .color(theme::TEXT_DIM),
                );
            });
        });
    });
}
