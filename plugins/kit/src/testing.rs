//! Headless editor tests: a fake host and an egui harness with synthetic input. No display,
//! no GPU. Always compiled (it has no extra dependencies) but hidden from the docs, so every
//! plugin crate's `#[cfg(test)]` code can drive its own `editor::draw`:
//!
//! ```ignore
//! let params = Arc::new(PannerParams::default());
//! let host = FakeHost::new(params.clone());
//! let mut h = Harness::new(egui::vec2(720.0, 420.0));
//! let setter = ParamSetter::new(&host);
//! h.frame(|ui| editor::draw(ui, &params, &setter, &meters, &mut state));
//! h.drag("Pan", egui::vec2(0.0, -50.0), egui::Modifiers::NONE, |ui| /* same draw */);
//! assert_eq!(host.take_events(), vec![Begin("pan"), Set("pan", _), .., End("pan")]);
//! ```

use crate::param_control::rect_id;
use egui::{Event, Key, Modifiers, PointerButton, Pos2, RawInput, Rect, Ui, Vec2};
use nice_plug::prelude::{GuiContextInner, ParamPtr, Params, PluginApi, PluginState};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One call the editor made to the host.
#[derive(Debug, Clone, PartialEq)]
pub enum HostEvent {
    /// `begin_set_parameter(id)`.
    Begin(String),
    /// `set_parameter(id, normalized)`.
    Set(String, f32),
    /// `end_set_parameter(id)`.
    End(String),
}

impl HostEvent {
    /// The parameter ID the event is about.
    pub fn id(&self) -> &str {
        match self {
            HostEvent::Begin(id) | HostEvent::Set(id, _) | HostEvent::End(id) => id,
        }
    }

    /// Shape of the event without the value: "begin", "set" or "end".
    pub fn kind(&self) -> &'static str {
        match self {
            HostEvent::Begin(_) => "begin",
            HostEvent::Set(..) => "set",
            HostEvent::End(_) => "end",
        }
    }
}

/// A host for tests: records gestures and applies values to the parameters.
pub struct FakeHost {
    /// Keeps the parameters alive as long as the pointers below are used.
    _params: Arc<dyn Params>,
    /// Pointer -> parameter ID.
    ids: HashMap<ParamPtr, String>,
    /// Everything the editor did, in order.
    events: Mutex<Vec<HostEvent>>,
    /// Gestures currently open, to catch set-without-begin and double begins.
    open: Mutex<Vec<String>>,
    /// Protocol violations (set outside a gesture, nested begin, end without begin).
    violations: Mutex<Vec<String>>,
}

// SAFETY: ParamPtr is Send + Sync; the Arc<dyn Params> is only used to keep them alive and the
// parameters use atomics internally.
unsafe impl Send for FakeHost {}
unsafe impl Sync for FakeHost {}

impl FakeHost {
    /// A host over `params`.
    pub fn new(params: Arc<dyn Params>) -> Self {
        let ids = params
            .param_map()
            .into_iter()
            .map(|(id, ptr, _)| (ptr, id))
            .collect();
        Self {
            _params: params,
            ids,
            events: Mutex::new(Vec::new()),
            open: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
        }
    }

    fn id(&self, ptr: ParamPtr) -> String {
        self.ids
            .get(&ptr)
            .cloned()
            .unwrap_or_else(|| "<unknown>".to_owned())
    }

    /// Take (and clear) the recorded events.
    pub fn take_events(&self) -> Vec<HostEvent> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }

    /// Recorded events without clearing.
    pub fn events(&self) -> Vec<HostEvent> {
        self.events.lock().unwrap().clone()
    }

    /// Gesture protocol violations seen so far (should be empty).
    pub fn violations(&self) -> Vec<String> {
        self.violations.lock().unwrap().clone()
    }

    /// Gestures begun but not ended.
    pub fn open_gestures(&self) -> Vec<String> {
        self.open.lock().unwrap().clone()
    }

    /// Sets `param` to `value` in one complete host gesture (begin, set, end), as an
    /// automation lane or a preset would.
    pub fn set<P: nice_plug::prelude::Param>(&self, param: &P, value: P::Plain) {
        let setter = nice_plug::prelude::ParamSetter::new(self);
        setter.begin_set_parameter(param);
        setter.set_parameter(param, value);
        setter.end_set_parameter(param);
    }
}

/// The begin/set/end shape of `events` with consecutive sets collapsed: e.g.
/// `["begin pan", "set pan", "end pan"]`.
pub fn gesture_shape(events: &[HostEvent]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let s = format!("{} {}", e.kind(), e.id());
        if e.kind() == "set" && out.last() == Some(&s) {
            continue;
        }
        out.push(s);
    }
    out
}

impl GuiContextInner for FakeHost {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }

    unsafe fn raw_begin_set_parameter(&self, param: ParamPtr) {
        let id = self.id(param);
        let mut open = self.open.lock().unwrap();
        if open.contains(&id) {
            self.violations
                .lock()
                .unwrap()
                .push(format!("nested begin {id}"));
        }
        open.push(id.clone());
        self.events.lock().unwrap().push(HostEvent::Begin(id));
    }

    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        let id = self.id(param);
        if !self.open.lock().unwrap().contains(&id) {
            self.violations
                .lock()
                .unwrap()
                .push(format!("set outside gesture {id}"));
        }
        // SAFETY: the pointer comes from the live params this host keeps alive.
        unsafe {
            param._internal_set_normalized_value(normalized);
        }
        self.events
            .lock()
            .unwrap()
            .push(HostEvent::Set(id, normalized));
    }

    unsafe fn raw_end_set_parameter(&self, param: ParamPtr) {
        let id = self.id(param);
        let mut open = self.open.lock().unwrap();
        match open.iter().position(|o| *o == id) {
            Some(i) => {
                open.remove(i);
            }
            None => self
                .violations
                .lock()
                .unwrap()
                .push(format!("end without begin {id}")),
        }
        self.events.lock().unwrap().push(HostEvent::End(id));
    }

    fn get_state(&self) -> PluginState {
        PluginState {
            version: String::new(),
            params: Default::default(),
            fields: Default::default(),
        }
    }

    fn set_state(&self, _state: PluginState) {}

    fn request_restart(&self) {}
}

/// Drives an `egui::Context` frame by frame with synthetic input.
pub struct Harness {
    /// The context under test (styled with the Lacquer theme).
    pub ctx: egui::Context,
    /// Screen size in points.
    pub size: Vec2,
    /// Simulated time, seconds.
    pub time: f64,
    /// Input queued for the next frame.
    pending: Vec<Event>,
    /// Modifiers held.
    pub modifiers: Modifiers,
    /// Last pointer position.
    pub pointer: Pos2,
    /// Whether the last frame asked for another frame (any repaint request).
    pub last_wants_repaint: bool,
    /// Shapes of the last frame (for benches/screens).
    pub last_primitives: usize,
}

/// Simulated frame interval.
pub const FRAME_DT: f64 = 1.0 / 60.0;

impl Harness {
    /// A themed context with a `size` screen.
    pub fn new(size: Vec2) -> Self {
        let ctx = egui::Context::default();
        crate::theme::apply(&ctx);
        Self {
            ctx,
            size,
            time: 0.0,
            pending: Vec::new(),
            modifiers: Modifiers::NONE,
            pointer: Pos2::ZERO,
            last_wants_repaint: false,
            last_primitives: 0,
        }
    }

    /// Run one frame of `draw` with the queued input. Tessellates when `tessellate` is set.
    pub fn frame_with(&mut self, tessellate: bool, mut draw: impl FnMut(&mut Ui)) {
        self.time += FRAME_DT;
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, self.size)),
            time: Some(self.time),
            predicted_dt: FRAME_DT as f32,
            events: std::mem::take(&mut self.pending),
            focused: true,
            ..Default::default()
        };
        let output = self.ctx.run_ui(input, |ui| draw(ui));
        self.last_wants_repaint = output
            .viewport_output
            .values()
            .any(|v| v.repaint_delay < std::time::Duration::from_secs(3600));
        if tessellate {
            let pixels_per_point = output.pixels_per_point;
            let shapes = output.shapes.clone();
            self.last_primitives = self.ctx.tessellate(shapes, pixels_per_point).len();
        }
        // Textures are never uploaded headless; clear the deltas (egui panics otherwise in
        // debug builds).
        output.drop_without_applying_deltas();
    }

    /// One frame without tessellation.
    pub fn frame(&mut self, draw: impl FnMut(&mut Ui)) {
        self.frame_with(false, draw);
    }

    /// Several idle frames.
    pub fn frames(&mut self, n: usize, mut draw: impl FnMut(&mut Ui)) {
        for _ in 0..n {
            self.frame(&mut draw);
        }
    }

    /// Where a kit widget was drawn last frame: `part` is "control", "value" or a segment label.
    pub fn rect(&self, param_name: &str, part: &str) -> Rect {
        self.ctx
            .data(|d| d.get_temp::<Rect>(rect_id(param_name, part)))
            .unwrap_or_else(|| panic!("no widget for parameter '{param_name}' part '{part}'"))
    }

    /// Queue a pointer move.
    pub fn move_to(&mut self, pos: Pos2) {
        self.pointer = pos;
        self.pending.push(Event::PointerMoved(pos));
    }

    /// Queue a primary button press or release at the pointer.
    pub fn button(&mut self, pressed: bool) {
        self.pending.push(Event::PointerButton {
            pos: self.pointer,
            button: PointerButton::Primary,
            pressed,
            modifiers: self.modifiers,
        });
    }

    /// Set the held modifiers (queues a `ModifiersChanged`).
    pub fn set_modifiers(&mut self, modifiers: Modifiers) {
        self.modifiers = modifiers;
        self.pending.push(Event::ModifiersChanged(modifiers));
    }

    /// Queue typed text.
    pub fn text(&mut self, text: &str) {
        self.pending.push(Event::Text(text.to_owned()));
    }

    /// Queue a key press and release.
    pub fn key(&mut self, key: Key) {
        for pressed in [true, false] {
            self.pending.push(Event::Key {
                key,
                physical_key: None,
                pressed,
                repeat: false,
                modifiers: self.modifiers,
            });
        }
    }

    /// Queue wheel notches (positive = up/away from the user) at the pointer.
    pub fn wheel_lines(&mut self, lines: f32) {
        self.pending.push(Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, lines),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: self.modifiers,
        });
    }

    /// Drag from the centre of a widget by `delta` in `steps` moves with `modifiers` held,
    /// running frames of `draw` throughout. One press, several moves, one release.
    pub fn drag(
        &mut self,
        param_name: &str,
        delta: Vec2,
        modifiers: Modifiers,
        mut draw: impl FnMut(&mut Ui),
    ) {
        let start = self.rect(param_name, "control").center();
        self.drag_from(start, delta, modifiers, &mut draw);
    }

    /// [`Self::drag`] from an explicit position.
    pub fn drag_from(
        &mut self,
        start: Pos2,
        delta: Vec2,
        modifiers: Modifiers,
        mut draw: impl FnMut(&mut Ui),
    ) {
        self.set_modifiers(modifiers);
        self.move_to(start);
        self.frame(&mut draw);
        self.button(true);
        self.frame(&mut draw);
        let steps = 10;
        for i in 1..=steps {
            self.move_to(start + delta * (i as f32 / steps as f32));
            self.frame(&mut draw);
        }
        self.button(false);
        self.frame(&mut draw);
        self.set_modifiers(Modifiers::NONE);
        self.frame(&mut draw);
    }

    /// Click at `pos` (press and release in separate frames, no movement).
    pub fn click_at(&mut self, pos: Pos2, mut draw: impl FnMut(&mut Ui)) {
        self.move_to(pos);
        self.frame(&mut draw);
        self.button(true);
        self.frame(&mut draw);
        self.button(false);
        self.frame(&mut draw);
    }

    /// Double-click at `pos` within egui's double-click window.
    pub fn double_click_at(&mut self, pos: Pos2, mut draw: impl FnMut(&mut Ui)) {
        self.move_to(pos);
        self.frame(&mut draw);
        for _ in 0..2 {
            self.button(true);
            self.frame(&mut draw);
            self.button(false);
            self.frame(&mut draw);
        }
        self.frame(&mut draw);
    }

    /// Wheel `lines` notches over a widget, one frame.
    pub fn wheel_over(&mut self, param_name: &str, lines: f32, mut draw: impl FnMut(&mut Ui)) {
        let pos = self.rect(param_name, "control").center();
        self.move_to(pos);
        self.frame(&mut draw);
        self.wheel_lines(lines);
        self.frame(&mut draw);
    }

    /// Click a widget's value readout, type `text`, press Enter. Waits out the double-click
    /// window so fields that share click-to-type with double-click-reset open too.
    pub fn type_value(&mut self, param_name: &str, text: &str, mut draw: impl FnMut(&mut Ui)) {
        let pos = self.rect(param_name, "value").center();
        self.click_at(pos, &mut draw);
        for _ in 0..30 {
            self.frame(&mut draw);
        }
        self.text(text);
        self.frame(&mut draw);
        self.key(Key::Enter);
        self.frame(&mut draw);
        self.frame(&mut draw);
    }
}

/// One editor under test, the way every plugin's editor tests need it: its parameters behind a
/// [`FakeHost`], its meters, its GUI state and a [`Harness`]. [`EditorRig::draw_fn`] draws the
/// editor through its [`EditorSpec`](crate::app::EditorSpec), exactly as the real window does.
pub struct EditorRig<E: crate::app::EditorSpec> {
    /// The parameters the editor edits.
    pub params: Arc<E::Params>,
    /// Meter values as the audio thread would publish them.
    pub meters: Arc<E::Meters>,
    /// The host recording every gesture.
    pub host: Arc<FakeHost>,
    /// GUI-only state, shared with the draw closure.
    pub state: Arc<Mutex<E::State>>,
    /// The egui harness.
    pub h: Harness,
}

impl<E: crate::app::EditorSpec> EditorRig<E>
where
    E::Params: Params,
{
    /// A rig for `params`, `meters` and `state` in a `size` window.
    pub fn new(params: E::Params, meters: E::Meters, state: E::State, size: Vec2) -> Self {
        let params = Arc::new(params);
        Self {
            host: Arc::new(FakeHost::new(params.clone())),
            params,
            meters: Arc::new(meters),
            state: Arc::new(Mutex::new(state)),
            h: Harness::new(size),
        }
    }

    /// A closure drawing one frame of the editor (clone it for every harness call).
    pub fn draw_fn(&self) -> impl FnMut(&mut Ui) + Clone + use<E> {
        let (params, meters, host, state) = (
            self.params.clone(),
            self.meters.clone(),
            self.host.clone(),
            self.state.clone(),
        );
        move |ui: &mut Ui| {
            let setter = nice_plug::prelude::ParamSetter::new(&*host);
            E::draw(ui, &params, &setter, &meters, &mut state.lock().unwrap());
        }
    }
}
