//! An on/off button for a two-state parameter (`BoolParam`). Click toggles, the wheel steps
//! on (up) or off (down) like every control's wheel, double-click or Ctrl/Cmd+click resets to
//! the default (both through [`ParamControl`]). Each of these is one complete begin/set/end gesture (a double-click is the first click's
//! toggle followed by the reset, so it always ends at the default).

use crate::param_control::{register_rect, ParamControl};
use crate::theme;
use egui::{vec2, CornerRadius, Response, Sense, Stroke, Ui, Widget};
use nice_plug::prelude::{Param, ParamSetter};

/// A latching button bound to one parameter.
#[must_use = "add it with `ui.add(toggle)`"]
pub struct Toggle<'a, P: Param> {
    /// Parameter + gesture plumbing.
    control: ParamControl<'a, P>,
    /// Button text; defaults to the parameter name.
    label: Option<String>,
    /// Button width in points (height is fixed).
    width: Option<f32>,
}

impl<'a, P: Param> Toggle<'a, P> {
    /// A toggle for `param`.
    pub fn for_param(param: &'a P, setter: &'a ParamSetter<'a>) -> Self {
        Self {
            control: ParamControl::new(param, setter),
            label: None,
            width: None,
        }
    }

    /// Replace the text.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Fixed width in points.
    pub fn width(mut self, width: f32) -> Self {
        self.width = Some(width);
        self
    }
}

impl<P: Param> Widget for Toggle<'_, P> {
    fn ui(self, ui: &mut Ui) -> Response {
        let name = self.control.param.name();
        let label = self.label.clone().unwrap_or_else(|| name.to_owned());
        let galley =
            ui.painter()
                .layout_no_wrap(label, egui::FontId::proportional(11.5), theme::TEXT);
        let width = self.width.unwrap_or(galley.size().x + 28.0);
        let (rect, _) = ui.allocate_exact_size(vec2(width, 22.0), Sense::hover());
        let id = ui.make_persistent_id(("toggle", name));
        let mut response = ui.interact(rect, id, Sense::click());
        register_rect(ui, name, "control", rect);
        let on = self.control.normalized() >= 0.5;
        let changed = self
            .control
            .handle_discrete_click(ui, &response, || Some(if on { 0.0 } else { 1.0 }))
            | self.control.handle_wheel(ui, &response);
        if changed {
            response.mark_changed();
        }
        let response = response.on_hover_text(self.control.hover_text());
        let on = self.control.normalized() >= 0.5;
        let (fill, stroke, text) = match (on, response.hovered()) {
            (true, _) => (theme::ACCENT_DIM, theme::ACCENT, theme::TEXT),
            (false, true) => (
                egui::Color32::from_rgb(0x30, 0x34, 0x3c),
                theme::ACCENT_DIM,
                theme::TEXT,
            ),
            (false, false) => (
                egui::Color32::from_rgb(0x26, 0x2a, 0x30),
                theme::LINE,
                theme::TEXT_DIM,
            ),
        };
        let painter = ui.painter();
        painter.rect(
            rect,
            CornerRadius::same(3),
            fill,
            Stroke::new(1.0, stroke),
            egui::StrokeKind::Inside,
        );
        // A small lamp left of the text.
        let lamp = egui::pos2(rect.left() + 9.0, rect.center().y);
        painter.circle_filled(lamp, 3.0, if on { theme::ACCENT } else { theme::WELL });
        painter.galley(
            egui::pos2(
                rect.left() + 16.0 + (rect.width() - 16.0 - galley.size().x) / 2.0,
                rect.center().y - galley.size().y / 2.0,
            ),
            galley,
            text,
        );
        response
    }
}
