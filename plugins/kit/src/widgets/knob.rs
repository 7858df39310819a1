//! A rotary knob: vertical drag, fine drag, wheel, double-click reset, click the value to
//! type it. The arc starts at the bottom-left (or at the centre for bipolar parameters such
//! as pan).

use crate::param_control::{register_rect, DragAxis, ParamControl, KNOB_DRAG_PIXELS};
use crate::theme;
use egui::{pos2, vec2, Color32, Pos2, Response, Sense, Shape, Stroke, Ui, Widget};
use nice_plug::prelude::{Param, ParamSetter};
use std::f32::consts::PI;

/// Where the arc begins, in radians from 12 o'clock (clockwise positive).
const START_ANGLE: f32 = -0.75 * PI;
/// Total sweep of the knob.
const SWEEP: f32 = 1.5 * PI;

/// A rotary control bound to one parameter.
#[must_use = "add it with `ui.add(knob)`"]
pub struct Knob<'a, P: Param> {
    /// Parameter + gesture plumbing.
    control: ParamControl<'a, P>,
    /// Knob body diameter in points.
    diameter: f32,
    /// Label above the knob; defaults to the parameter name.
    label: Option<String>,
    /// Draw the value arc from the centre (pan, balance, gain around 0 dB).
    bipolar: bool,
    /// Optional override for the value readout (e.g. "C" for centred pan).
    formatter: Option<&'a dyn Fn(&P) -> String>,
}

impl<'a, P: Param> Knob<'a, P> {
    /// A knob for `param`, editing through `setter`.
    pub fn for_param(param: &'a P, setter: &'a ParamSetter<'a>) -> Self {
        Self {
            control: ParamControl::new(param, setter),
            diameter: theme::KNOB_DIAMETER,
            label: None,
            bipolar: false,
            formatter: None,
        }
    }

    /// Body diameter in points.
    pub fn diameter(mut self, diameter: f32) -> Self {
        self.diameter = diameter;
        self
    }

    /// Replace the label (the parameter name by default).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Draw the arc from the centre of the range.
    pub fn bipolar(mut self) -> Self {
        self.bipolar = true;
        self
    }

    /// Show a custom readout instead of the parameter's own string.
    pub fn formatter(mut self, formatter: &'a dyn Fn(&P) -> String) -> Self {
        self.formatter = Some(formatter);
        self
    }
}

/// A point on the knob circle for a normalized value.
fn angle_point(center: Pos2, radius: f32, normalized: f32) -> Pos2 {
    let angle = START_ANGLE + SWEEP * normalized;
    pos2(
        center.x + radius * angle.sin(),
        center.y - radius * angle.cos(),
    )
}

/// An arc polyline between two normalized positions.
fn arc(center: Pos2, radius: f32, from: f32, to: f32, stroke: Stroke) -> Shape {
    let (a, b) = if from <= to { (from, to) } else { (to, from) };
    let segments = ((b - a) * 48.0).ceil().max(1.0) as usize;
    let points = (0..=segments)
        .map(|i| angle_point(center, radius, a + (b - a) * i as f32 / segments as f32))
        .collect();
    Shape::line(points, stroke)
}

impl<P: Param> Widget for Knob<'_, P> {
    fn ui(self, ui: &mut Ui) -> Response {
        let name = self.control.param.name();
        let label = self.label.clone().unwrap_or_else(|| name.to_owned());
        let width = (self.diameter + 16.0).max(64.0);
        let label_h = 14.0;
        let value_h = 16.0;
        let (outer, _) = ui.allocate_exact_size(
            vec2(width, label_h + self.diameter + 4.0 + value_h),
            Sense::hover(),
        );
        let id = ui.make_persistent_id(("knob", name));
        let knob_rect = egui::Rect::from_center_size(
            pos2(
                outer.center().x,
                outer.top() + label_h + self.diameter / 2.0,
            ),
            vec2(self.diameter, self.diameter),
        );
        let mut response = ui.interact(knob_rect, id, Sense::click_and_drag());
        register_rect(ui, name, "control", knob_rect);
        self.control
            .handle_continuous(ui, &mut response, DragAxis::Vertical, KNOB_DRAG_PIXELS);
        let response = response.on_hover_text(self.control.hover_text());

        let painter = ui.painter();
        painter.text(
            pos2(outer.center().x, outer.top()),
            egui::Align2::CENTER_TOP,
            label,
            theme::label_font(),
            theme::TEXT_DIM,
        );
        let center = knob_rect.center();
        let radius = self.diameter / 2.0;
        let normalized = self.control.normalized();
        let modulated = self.control.param.modulated_normalized_value();
        let track = Stroke::new(3.0, theme::LINE);
        let accent = if response.hovered() || response.dragged() {
            theme::ACCENT
        } else {
            Color32::from_rgb(0xe0, 0x95, 0x38)
        };
        painter.add(arc(center, radius - 2.0, 0.0, 1.0, track));
        let origin = if self.bipolar { 0.5 } else { 0.0 };
        if (normalized - origin).abs() > 1e-4 {
            painter.add(arc(
                center,
                radius - 2.0,
                origin,
                normalized,
                Stroke::new(3.0, accent),
            ));
        }
        if (modulated - normalized).abs() > 1e-4 {
            painter.add(arc(
                center,
                radius + 2.0,
                normalized,
                modulated,
                Stroke::new(1.5, theme::TRACE),
            ));
        }
        let body = radius - 7.0;
        painter.circle_filled(center, body, theme::WELL);
        painter.circle_stroke(center, body, Stroke::new(1.0, theme::LINE));
        painter.line_segment(
            [
                angle_point(center, body * 0.35, normalized),
                angle_point(center, body - 2.0, normalized),
            ],
            Stroke::new(2.0, theme::TEXT),
        );

        let value_rect = egui::Rect::from_center_size(
            pos2(outer.center().x, knob_rect.bottom() + 4.0 + value_h / 2.0),
            vec2(width, value_h),
        );
        let text = match self.formatter {
            Some(f) => f(self.control.param),
            None => self.control.display(),
        };
        if self
            .control
            .value_text(ui, value_rect, id, &text, theme::value_font(), theme::TEXT)
        {
            let mut response = response;
            response.mark_changed();
            return response;
        }
        response
    }
}
