//! The behaviour every parameter widget shares, so a knob, a fader and a numeric field feel
//! the same under the hand:
//!
//! - drag (vertical for knobs, along the axis for faders and fields), relative to where the
//!   drag started; Shift, Ctrl or Cmd while dragging gives fine steps (1/10 the speed);
//! - the mouse wheel steps by the parameter's own step (`next_normalized_step`), finer with
//!   Shift/Ctrl/Cmd;
//! - double-click resets to the default;
//! - click on the value text to type a value (see [`crate::units`]); Enter commits, Escape or
//!   clicking elsewhere cancels;
//! - hovering shows the exact value.
//!
//! Every edit reaches the host as a gesture: one `begin_set_parameter` when a drag starts,
//! `set_parameter` while it moves, one `end_set_parameter` at release. Resets, typed values
//! and wheel steps are each a complete begin/set/end.

use egui::{Id, Key, MouseWheelUnit, Rect, Response, Sense, Ui, Vec2};
use nice_plug::prelude::{Param, ParamSetter};

/// How much slower a drag is with a fine modifier held.
pub const FINE_FACTOR: f32 = 0.1;
/// Pixels of drag that sweep a knob across its whole range at normal speed.
pub const KNOB_DRAG_PIXELS: f32 = 200.0;
/// Points of smooth (trackpad) scrolling that count as one wheel step.
pub const POINTS_PER_WHEEL_STEP: f32 = 24.0;

/// Which pointer direction changes the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DragAxis {
    /// Up increases (knobs, vertical faders).
    Vertical,
    /// Right increases (horizontal faders, numeric fields).
    Horizontal,
}

/// Per-widget drag memory, kept in egui's temporary storage under the widget's id.
#[derive(Debug, Clone, Copy, Default)]
struct DragMemory {
    /// The unmodulated normalized value when the drag started.
    start_normalized: f32,
    /// The normalized distance dragged so far, already scaled for fine/coarse.
    travelled: f32,
    /// Whether this widget opened a host gesture that still needs its `end`.
    gesture_open: bool,
}

/// True when a modifier that asks for fine control is held.
pub fn fine_modifier(ui: &Ui) -> bool {
    ui.input(|i| i.modifiers.shift || i.modifiers.ctrl || i.modifiers.command)
}

/// Shared parameter plumbing for the kit's widgets.
pub struct ParamControl<'a, P: Param> {
    /// The parameter the widget is bound to.
    pub param: &'a P,
    /// Routes edits to the host as gestures.
    pub setter: &'a ParamSetter<'a>,
}

impl<'a, P: Param> ParamControl<'a, P> {
    /// Bind to a parameter.
    pub fn new(param: &'a P, setter: &'a ParamSetter<'a>) -> Self {
        Self { param, setter }
    }

    /// The value the widget shows: the host's value without modulation.
    pub fn normalized(&self) -> f32 {
        self.param.unmodulated_normalized_value()
    }

    /// The display string with unit, as the host shows it.
    pub fn display(&self) -> String {
        self.param
            .normalized_value_to_string(self.param.unmodulated_normalized_value(), true)
    }

    /// Set within an open gesture; snaps stepped parameters and skips no-op sets.
    pub(crate) fn set_normalized(&self, normalized: f32) -> bool {
        let plain = self.param.preview_plain(normalized.clamp(0.0, 1.0));
        if plain != self.param.unmodulated_plain_value() {
            self.setter.set_parameter(self.param, plain);
            true
        } else {
            false
        }
    }

    /// A whole gesture for one discrete edit (reset, typed value, wheel step, click). Nothing
    /// reaches the host when the value would not change.
    pub fn set_once(&self, normalized: f32) -> bool {
        let plain = self.param.preview_plain(normalized.clamp(0.0, 1.0));
        if plain == self.param.unmodulated_plain_value() {
            return false;
        }
        self.setter.begin_set_parameter(self.param);
        let changed = self.set_normalized(normalized);
        self.setter.end_set_parameter(self.param);
        changed
    }

    /// Reset to the default as one gesture.
    pub fn reset(&self) -> bool {
        self.set_once(self.param.default_normalized_value())
    }

    /// Relative drag along `axis`; `drag_pixels` sweeps the full range at normal speed.
    /// Returns true when the value changed this frame.
    pub fn handle_drag(
        &self,
        ui: &Ui,
        response: &Response,
        axis: DragAxis,
        drag_pixels: f32,
    ) -> bool {
        let id = response.id.with("lacquer-drag");
        let mut changed = false;
        let along = |v: Vec2| match axis {
            DragAxis::Vertical => -v.y,
            DragAxis::Horizontal => v.x,
        };
        let scale = if fine_modifier(ui) { FINE_FACTOR } else { 1.0 } / drag_pixels.max(1.0);
        if response.drag_started() {
            self.setter.begin_set_parameter(self.param);
            // Movement before egui decided this is a drag counts too.
            let travelled = response
                .total_drag_delta()
                .map_or(0.0, |d| along(d) * scale);
            let mem = DragMemory {
                start_normalized: self.normalized(),
                travelled,
                gesture_open: true,
            };
            ui.data_mut(|d| d.insert_temp(id, mem));
            changed |= self.set_normalized(mem.start_normalized + travelled);
        } else if response.dragged() {
            let mut mem: DragMemory = ui.data(|d| d.get_temp(id)).unwrap_or_default();
            if !mem.gesture_open {
                // A drag we did not see start (widget appeared mid-drag): open it now.
                self.setter.begin_set_parameter(self.param);
                mem = DragMemory {
                    start_normalized: self.normalized(),
                    travelled: 0.0,
                    gesture_open: true,
                };
            }
            let delta = along(response.drag_delta());
            if delta != 0.0 {
                mem.travelled += delta * scale;
                changed |= self.set_normalized(mem.start_normalized + mem.travelled);
            }
            ui.data_mut(|d| d.insert_temp(id, mem));
        }
        if response.drag_stopped() {
            let mem: DragMemory = ui.data(|d| d.get_temp(id)).unwrap_or_default();
            if mem.gesture_open {
                self.setter.end_set_parameter(self.param);
            }
            ui.data_mut(|d| d.remove::<DragMemory>(id));
        }
        changed
    }

    /// Wheel steps while hovered: each notch is one parameter step, finer with a modifier.
    pub fn handle_wheel(&self, ui: &Ui, response: &Response) -> bool {
        if !response.hovered() {
            return false;
        }
        let id = response.id.with("lacquer-wheel");
        let mut steps = 0i32;
        let mut fine = false;
        let mut pending: f32 = ui.data(|d| d.get_temp(id)).unwrap_or(0.0);
        ui.input(|i| {
            for event in &i.events {
                if let egui::Event::MouseWheel {
                    unit,
                    delta,
                    modifiers,
                    ..
                } = event
                {
                    fine |= modifiers.shift || modifiers.ctrl || modifiers.command;
                    // Shift turns vertical wheels horizontal on some systems: use both axes.
                    let amount = if delta.y != 0.0 { delta.y } else { delta.x };
                    match unit {
                        MouseWheelUnit::Point => {
                            pending += amount;
                            while pending >= POINTS_PER_WHEEL_STEP {
                                pending -= POINTS_PER_WHEEL_STEP;
                                steps += 1;
                            }
                            while pending <= -POINTS_PER_WHEEL_STEP {
                                pending += POINTS_PER_WHEEL_STEP;
                                steps -= 1;
                            }
                        }
                        MouseWheelUnit::Line | MouseWheelUnit::Page => {
                            steps += amount.signum() as i32 * amount.abs().ceil().max(1.0) as i32;
                        }
                    }
                }
            }
        });
        ui.data_mut(|d| d.insert_temp(id, pending));
        if steps == 0 {
            return false;
        }
        let mut normalized = self.normalized();
        for _ in 0..steps.unsigned_abs() {
            normalized = if steps > 0 {
                self.param.next_normalized_step(normalized, fine)
            } else {
                self.param.previous_normalized_step(normalized, fine)
            };
        }
        self.set_once(normalized)
    }

    /// Double-click resets.
    pub fn handle_double_click(&self, response: &Response) -> bool {
        response.double_clicked() && self.reset()
    }

    /// Clicks on a discrete control (toggle, segmented selector): a double-click or a
    /// Ctrl/Cmd+click resets to the default, a plain click sets `clicked()` (when it gives a
    /// value). Each is one whole gesture; a double-click is the first click's edit followed by
    /// the reset, so it always ends at the default.
    pub fn handle_discrete_click(
        &self,
        ui: &Ui,
        response: &Response,
        clicked: impl FnOnce() -> Option<f32>,
    ) -> bool {
        if response.double_clicked() {
            self.reset()
        } else if response.clicked() {
            if ui.input(|i| i.modifiers.command || i.modifiers.ctrl) {
                self.reset()
            } else {
                clicked().is_some_and(|normalized| self.set_once(normalized))
            }
        } else {
            false
        }
    }

    /// Drag + wheel + double-click, the full continuous-control behaviour.
    pub fn handle_continuous(
        &self,
        ui: &Ui,
        response: &mut Response,
        axis: DragAxis,
        drag_pixels: f32,
    ) {
        let changed = self.handle_drag(ui, response, axis, drag_pixels)
            | self.handle_wheel(ui, response)
            | self.handle_double_click(response);
        if changed {
            response.mark_changed();
        }
    }

    /// Tooltip text: name, shown value, exact plain value and default.
    pub fn hover_text(&self) -> String {
        let ptr = self.param.as_ptr();
        // SAFETY: `ptr` points at `self.param`, which outlives this call.
        let exact = unsafe { ptr.unmodulated_plain_value() };
        let default = self
            .param
            .normalized_value_to_string(self.param.default_normalized_value(), true);
        format!(
            "{}: {}\nexact: {}{}\ndefault: {}\ndrag · Shift/Ctrl fine · wheel · double-click reset · click value to type",
            self.param.name(),
            self.display(),
            exact_string(exact),
            self.param.unit(),
            default
        )
    }

    /// The clickable value readout, or the text field while typing. `rect` is where the
    /// value is shown; `id` is the owning widget's id. Returns true when a typed value (or a
    /// reset, for [`ValueClick::TypeOrReset`]) was committed.
    pub fn value_text(
        &self,
        ui: &mut Ui,
        rect: Rect,
        id: Id,
        text: &str,
        font: egui::FontId,
        color: egui::Color32,
    ) -> bool {
        self.value_text_with(ui, rect, id, text, font, color, ValueClick::Type)
    }

    /// [`Self::value_text`] with a choice of what clicks on the readout do.
    #[allow(clippy::too_many_arguments)]
    pub fn value_text_with(
        &self,
        ui: &mut Ui,
        rect: Rect,
        id: Id,
        text: &str,
        font: egui::FontId,
        color: egui::Color32,
        clicks: ValueClick,
    ) -> bool {
        let edit_id = id.with("lacquer-entry");
        let pending_id = id.with("lacquer-pending-entry");
        if let Some(clicked_at) = ui.data(|d| d.get_temp::<f64>(pending_id)) {
            let now = ui.input(|i| i.time);
            let delay = ui.ctx().options(|o| o.input_options.max_double_click_delay);
            if now - clicked_at > delay {
                ui.data_mut(|d| {
                    d.remove::<f64>(pending_id);
                    d.insert_temp(edit_id, String::new());
                });
            } else {
                ui.ctx()
                    .request_repaint_after_secs((delay - (now - clicked_at)) as f32 + 0.01);
            }
        }
        register_rect(ui, self.param.name(), "value", rect);
        let editing: Option<String> = ui.data(|d| d.get_temp(edit_id));
        if let Some(mut buffer) = editing {
            let first_frame = !ui.memory(|m| m.has_focus(edit_id.with("field")));
            let output = egui::TextEdit::singleline(&mut buffer)
                .id(edit_id.with("field"))
                .font(font)
                .hint_text(text)
                .align(egui::Align2::CENTER_CENTER)
                .margin(egui::Margin::symmetric(2, 0))
                .show(&mut ui.new_child(egui::UiBuilder::new().max_rect(rect)));
            let response = output.response;
            if first_frame && !response.lost_focus() {
                response.request_focus();
            }
            let (enter, escape) =
                ui.input(|i| (i.key_pressed(Key::Enter), i.key_pressed(Key::Escape)));
            let mut committed = false;
            if enter {
                if let Some(normalized) = crate::units::string_to_normalized(self.param, &buffer) {
                    self.set_once(normalized);
                    committed = true;
                }
                ui.data_mut(|d| d.remove::<String>(edit_id));
                ui.memory_mut(|m| m.surrender_focus(edit_id.with("field")));
            } else if escape || (response.lost_focus() && !first_frame) {
                ui.data_mut(|d| d.remove::<String>(edit_id));
            } else {
                ui.data_mut(|d| d.insert_temp(edit_id, buffer));
            }
            ui.ctx().request_repaint();
            committed
        } else {
            let response = ui
                .interact(rect, id.with("lacquer-value"), Sense::click())
                .on_hover_text(self.hover_text())
                .on_hover_cursor(egui::CursorIcon::Text);
            let color = if response.hovered() {
                crate::theme::ACCENT
            } else {
                color
            };
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                text,
                font,
                color,
            );
            match clicks {
                ValueClick::Type => {
                    if response.clicked() {
                        ui.data_mut(|d| d.insert_temp(edit_id, String::new()));
                        ui.ctx().request_repaint();
                    }
                    false
                }
                ValueClick::TypeOrReset => {
                    if response.double_clicked() {
                        ui.data_mut(|d| d.remove::<f64>(pending_id));
                        self.reset()
                    } else {
                        if response.clicked() {
                            let now = ui.input(|i| i.time);
                            ui.data_mut(|d| d.insert_temp(pending_id, now));
                            ui.ctx().request_repaint();
                        }
                        false
                    }
                }
            }
        }
    }
}

/// What a click on a value readout does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueClick {
    /// A click opens the text entry at once (the readout is separate from the control).
    Type,
    /// The readout is the control itself: a double-click resets, a single click opens the
    /// entry once the double-click window has passed.
    TypeOrReset,
}

/// Format a plain value with enough digits to be exact for a mixing engineer.
pub fn exact_string(value: f32) -> String {
    let s = format!("{value:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Remember where a widget was drawn, keyed by parameter name and part ("control", "value",
/// or a segment label), so headless tests and screenshots scripts can find it.
pub fn register_rect(ui: &Ui, param_name: &str, part: &str, rect: Rect) {
    ui.data_mut(|d| d.insert_temp(rect_id(param_name, part), rect));
}

/// Where [`register_rect`] stored a widget's rectangle.
pub fn rect_id(param_name: &str, part: &str) -> Id {
    Id::unique(("lacquer-kit-rect", param_name, part))
}
