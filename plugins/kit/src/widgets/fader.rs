//! A linear fader, horizontal or vertical. Drags are relative along the fader (Shift/Ctrl
//! fine), the wheel steps, double-click resets, the value readout can be typed into.

use crate::param_control::{register_rect, DragAxis, ParamControl};
use crate::theme;
use egui::{pos2, vec2, CornerRadius, Rect, Response, Sense, Stroke, Ui, Widget};
use nice_plug::prelude::{Param, ParamSetter};

/// A fader bound to one parameter.
#[must_use = "add it with `ui.add(fader)`"]
pub struct Fader<'a, P: Param> {
    /// Parameter + gesture plumbing.
    control: ParamControl<'a, P>,
    /// Direction the fader travels.
    axis: DragAxis,
    /// Length of the travel in points.
    length: f32,
    /// Label; defaults to the parameter name.
    label: Option<String>,
}

impl<'a, P: Param> Fader<'a, P> {
    /// A vertical fader (the console default).
    pub fn for_param(param: &'a P, setter: &'a ParamSetter<'a>) -> Self {
        Self {
            control: ParamControl::new(param, setter),
            axis: DragAxis::Vertical,
            length: 120.0,
            label: None,
        }
    }

    /// Lay the fader out horizontally.
    pub fn horizontal(mut self) -> Self {
        self.axis = DragAxis::Horizontal;
        self
    }

    /// Lay the fader out vertically (default).
    pub fn vertical(mut self) -> Self {
        self.axis = DragAxis::Vertical;
        self
    }

    /// Travel length in points.
    pub fn length(mut self, length: f32) -> Self {
        self.length = length;
        self
    }

    /// Replace the label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

impl<P: Param> Widget for Fader<'_, P> {
    fn ui(self, ui: &mut Ui) -> Response {
        let name = self.control.param.name();
        let label = self.label.clone().unwrap_or_else(|| name.to_owned());
        let id = ui.make_persistent_id(("fader", name));
        let thickness = 22.0;
        let (outer, track_rect, label_pos, value_rect) = match self.axis {
            DragAxis::Vertical => {
                let width = 64.0;
                let (outer, _) =
                    ui.allocate_exact_size(vec2(width, 14.0 + self.length + 20.0), Sense::hover());
                let track = Rect::from_min_size(
                    pos2(outer.center().x - thickness / 2.0, outer.top() + 14.0),
                    vec2(thickness, self.length),
                );
                let value = Rect::from_min_size(
                    pos2(outer.left(), track.bottom() + 4.0),
                    vec2(width, 16.0),
                );
                (outer, track, pos2(outer.center().x, outer.top()), value)
            }
            DragAxis::Horizontal => {
                let (outer, _) =
                    ui.allocate_exact_size(vec2(self.length + 64.0, 34.0), Sense::hover());
                let track = Rect::from_min_size(
                    pos2(outer.left(), outer.top() + 14.0),
                    vec2(self.length, 18.0),
                );
                let value =
                    Rect::from_min_size(pos2(track.right() + 4.0, track.top()), vec2(60.0, 18.0));
                (outer, track, pos2(outer.left(), outer.top()), value)
            }
        };
        let _ = outer;
        let mut response = ui.interact(track_rect, id, Sense::click_and_drag());
        register_rect(ui, name, "control", track_rect);
        self.control
            .handle_continuous(ui, &mut response, self.axis, self.length);
        let response = response.on_hover_text(self.control.hover_text());

        let painter = ui.painter();
        let align = match self.axis {
            DragAxis::Vertical => egui::Align2::CENTER_TOP,
            DragAxis::Horizontal => egui::Align2::LEFT_TOP,
        };
        painter.text(
            label_pos,
            align,
            label,
            theme::label_font(),
            theme::TEXT_DIM,
        );
        let normalized = self.control.normalized();
        let slot = match self.axis {
            DragAxis::Vertical => {
                Rect::from_center_size(track_rect.center(), vec2(4.0, track_rect.height()))
            }
            DragAxis::Horizontal => {
                Rect::from_center_size(track_rect.center(), vec2(track_rect.width(), 4.0))
            }
        };
        painter.rect_filled(slot, CornerRadius::same(2), theme::WELL);
        let (fill, thumb) = match self.axis {
            DragAxis::Vertical => {
                let y = slot.bottom() - slot.height() * normalized;
                (
                    Rect::from_min_max(pos2(slot.left(), y), slot.max),
                    Rect::from_center_size(pos2(slot.center().x, y), vec2(thickness, 8.0)),
                )
            }
            DragAxis::Horizontal => {
                let x = slot.left() + slot.width() * normalized;
                (
                    Rect::from_min_max(slot.min, pos2(x, slot.bottom())),
                    Rect::from_center_size(pos2(x, slot.center().y), vec2(8.0, 16.0)),
                )
            }
        };
        painter.rect_filled(fill, CornerRadius::same(2), theme::ACCENT_DIM);
        let thumb_stroke = if response.hovered() || response.dragged() {
            theme::ACCENT
        } else {
            theme::TEXT_DIM
        };
        painter.rect(
            thumb,
            CornerRadius::same(2),
            egui::Color32::from_rgb(0x3a, 0x3f, 0x48),
            Stroke::new(1.0, thumb_stroke),
            egui::StrokeKind::Inside,
        );
        let text = self.control.display();
        let mut response = response;
        if self
            .control
            .value_text(ui, value_rect, id, &text, theme::value_font(), theme::TEXT)
        {
            response.mark_changed();
        }
        response
    }
}
