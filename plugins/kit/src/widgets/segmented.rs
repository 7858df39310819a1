//! A segmented selector for stepped parameters (enums, small integer ranges). Click a segment
//! to pick it, drag across segments (one gesture), wheel to step, double-click or Ctrl/Cmd+click to
//! reset to the default. Labels come from the parameter's own value strings unless given.

use crate::param_control::{register_rect, ParamControl};
use crate::theme;
use egui::{pos2, vec2, CornerRadius, Rect, Response, Sense, Stroke, Ui, Widget};
use nice_plug::prelude::{Param, ParamSetter};

/// A row of mutually exclusive segments bound to one stepped parameter.
#[must_use = "add it with `ui.add(segmented)`"]
pub struct Segmented<'a, P: Param> {
    /// Parameter + gesture plumbing.
    control: ParamControl<'a, P>,
    /// Overrides for the segment labels (shorter than the host strings).
    labels: Option<&'a [&'a str]>,
    /// Width of one segment in points.
    segment_width: Option<f32>,
}

impl<'a, P: Param> Segmented<'a, P> {
    /// A selector for `param` (which must have a step count).
    pub fn for_param(param: &'a P, setter: &'a ParamSetter<'a>) -> Self {
        Self {
            control: ParamControl::new(param, setter),
            labels: None,
            segment_width: None,
        }
    }

    /// Short labels, one per step.
    pub fn labels(mut self, labels: &'a [&'a str]) -> Self {
        self.labels = Some(labels);
        self
    }

    /// Width of each segment.
    pub fn segment_width(mut self, width: f32) -> Self {
        self.segment_width = Some(width);
        self
    }
}

impl<P: Param> Widget for Segmented<'_, P> {
    fn ui(self, ui: &mut Ui) -> Response {
        let param = self.control.param;
        let name = param.name();
        let steps = param.step_count().unwrap_or(1).max(1);
        let count = steps + 1;
        let labels: Vec<String> = (0..count)
            .map(|i| match self.labels.and_then(|l| l.get(i)) {
                Some(l) => (*l).to_owned(),
                None => param.normalized_value_to_string(i as f32 / steps as f32, false),
            })
            .collect();
        let font = egui::FontId::proportional(11.5);
        let seg_w = self.segment_width.unwrap_or_else(|| {
            labels
                .iter()
                .map(|l| {
                    ui.painter()
                        .layout_no_wrap(l.clone(), font.clone(), theme::TEXT)
                        .size()
                        .x
                })
                .fold(0.0, f32::max)
                + 16.0
        });
        let (rect, _) = ui.allocate_exact_size(vec2(seg_w * count as f32, 22.0), Sense::hover());
        let id = ui.make_persistent_id(("segmented", name));
        let mut response = ui.interact(rect, id, Sense::click_and_drag());
        register_rect(ui, name, "control", rect);
        let segment_at = |x: f32| -> usize {
            (((x - rect.left()) / seg_w).floor().max(0.0) as usize).min(count - 1)
        };
        let to_normalized = |i: usize| i as f32 / steps as f32;
        let mut changed = false;
        if response.drag_started() {
            self.control.setter.begin_set_parameter(param);
        }
        if response.dragged() {
            if let Some(pos) = response.interact_pointer_pos() {
                changed |= self
                    .control
                    .set_normalized(to_normalized(segment_at(pos.x)));
            }
        }
        if response.drag_stopped() {
            self.control.setter.end_set_parameter(param);
        }
        // The first click of a double-click already picked a segment; the double-click
        // resets, like every other Lacquer control.
        changed |= self.control.handle_discrete_click(ui, &response, || {
            response
                .interact_pointer_pos()
                .map(|pos| to_normalized(segment_at(pos.x)))
        });
        changed |= self.control.handle_wheel(ui, &response);
        if changed {
            response.mark_changed();
        }
        let response = response.on_hover_text(self.control.hover_text());

        let current = (self.control.normalized() * steps as f32).round() as usize;
        let painter = ui.painter();
        painter.rect(
            rect,
            CornerRadius::same(3),
            theme::WELL,
            Stroke::new(1.0, theme::LINE),
            egui::StrokeKind::Inside,
        );
        let hovered = response.hover_pos().map(|p| segment_at(p.x));
        for (i, label) in labels.iter().enumerate() {
            let seg = Rect::from_min_size(
                pos2(rect.left() + seg_w * i as f32, rect.top()),
                vec2(seg_w, rect.height()),
            );
            register_rect(ui, name, label, seg);
            let selected = i == current;
            if selected {
                painter.rect_filled(seg.shrink(2.0), CornerRadius::same(2), theme::ACCENT_DIM);
            } else if hovered == Some(i) {
                painter.rect_filled(
                    seg.shrink(2.0),
                    CornerRadius::same(2),
                    egui::Color32::from_rgb(0x2a, 0x2e, 0x35),
                );
            }
            if i > 0 && !selected && current + 1 != i {
                painter.line_segment(
                    [
                        pos2(seg.left(), seg.top() + 5.0),
                        pos2(seg.left(), seg.bottom() - 5.0),
                    ],
                    Stroke::new(1.0, theme::LINE),
                );
            }
            painter.text(
                seg.center(),
                egui::Align2::CENTER_CENTER,
                label,
                font.clone(),
                if selected {
                    theme::TEXT
                } else {
                    theme::TEXT_DIM
                },
            );
        }
        response
    }
}
