//! A compact numeric field: the value in a well. Horizontal drag changes it (Shift/Ctrl fine),
//! the wheel steps, double-click resets, a single click types a new value.

use crate::param_control::{register_rect, DragAxis, ParamControl, ValueClick};
use crate::theme;
use egui::{vec2, CornerRadius, Response, Sense, Stroke, Ui, Widget};
use nice_plug::prelude::{Param, ParamSetter};

/// A value field bound to one parameter.
#[must_use = "add it with `ui.add(field)`"]
pub struct NumericField<'a, P: Param> {
    /// Parameter + gesture plumbing.
    control: ParamControl<'a, P>,
    /// Field width in points.
    width: f32,
    /// Optional label drawn left of the field.
    label: Option<String>,
}

impl<'a, P: Param> NumericField<'a, P> {
    /// A field for `param`.
    pub fn for_param(param: &'a P, setter: &'a ParamSetter<'a>) -> Self {
        Self {
            control: ParamControl::new(param, setter),
            width: 72.0,
            label: None,
        }
    }

    /// Field width in points.
    pub fn width(mut self, width: f32) -> Self {
        self.width = width;
        self
    }

    /// Show a label to the left.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

impl<P: Param> Widget for NumericField<'_, P> {
    fn ui(self, ui: &mut Ui) -> Response {
        let name = self.control.param.name();
        ui.horizontal(|ui| {
            if let Some(label) = &self.label {
                ui.label(
                    egui::RichText::new(label)
                        .font(theme::label_font())
                        .color(theme::TEXT_DIM),
                );
            }
            let id = ui.make_persistent_id(("field", name));
            let (rect, _) = ui.allocate_exact_size(vec2(self.width, 20.0), Sense::hover());
            // The whole well drags; the text inside is the click-to-type target. A click is
            // not a drag in egui, so both can share the rectangle.
            let mut response = ui.interact(rect, id.with("drag"), Sense::click_and_drag());
            register_rect(ui, name, "control", rect);
            self.control
                .handle_continuous(ui, &mut response, DragAxis::Horizontal, 300.0);
            let stroke = if response.hovered() || response.dragged() {
                theme::ACCENT_DIM
            } else {
                theme::LINE
            };
            ui.painter().rect(
                rect,
                CornerRadius::same(3),
                theme::WELL,
                Stroke::new(1.0, stroke),
                egui::StrokeKind::Inside,
            );
            let text = self.control.display();
            if self.control.value_text_with(
                ui,
                rect.shrink(1.0),
                id,
                &text,
                theme::value_font(),
                theme::TEXT,
                ValueClick::TypeOrReset,
            ) {
                response.mark_changed();
            }
            response
        })
        .inner
    }
}
