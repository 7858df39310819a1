//! Phase correlation meter: -1 (anti-phase, red) .. 0 .. +1 (mono-compatible, green).

use crate::meters::repaint_if_changed;
use crate::theme;
use atomic_float::AtomicF32;
use egui::{pos2, vec2, CornerRadius, Rect, Response, Sense, Stroke, Ui, Widget};
use std::sync::atomic::Ordering;

/// A horizontal correlation meter over an atomic in -1..=1.
pub struct CorrelationMeter<'a> {
    /// Correlation published by the audio thread.
    correlation: &'a AtomicF32,
    /// Width in points.
    width: f32,
}

impl<'a> CorrelationMeter<'a> {
    /// A 160-point wide meter.
    pub fn new(correlation: &'a AtomicF32) -> Self {
        Self {
            correlation,
            width: 160.0,
        }
    }

    /// Width in points.
    pub fn width(mut self, width: f32) -> Self {
        self.width = width;
        self
    }
}

impl Widget for CorrelationMeter<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let value = self.correlation.load(Ordering::Relaxed);
        let value = if value.is_finite() {
            value.clamp(-1.0, 1.0)
        } else {
            0.0
        };
        let (rect, response) = ui.allocate_exact_size(vec2(self.width, 30.0), Sense::hover());
        let bar = Rect::from_min_size(pos2(rect.left(), rect.top() + 2.0), vec2(self.width, 10.0));
        let painter = ui.painter();
        painter.rect_filled(bar, CornerRadius::same(2), theme::WELL);
        let x = |v: f32| bar.left() + bar.width() * (v + 1.0) / 2.0;
        let color = if value < 0.0 {
            theme::METER_CLIP
        } else if value < 0.3 {
            theme::METER_HOT
        } else {
            theme::METER_OK
        };
        let (a, b) = if value < 0.0 {
            (x(value), x(0.0))
        } else {
            (x(0.0), x(value))
        };
        painter.rect_filled(
            Rect::from_min_max(
                pos2(a, bar.top() + 2.0),
                pos2(b.max(a + 2.0), bar.bottom() - 2.0),
            ),
            0.0,
            color,
        );
        painter.line_segment(
            [pos2(x(0.0), bar.top()), pos2(x(0.0), bar.bottom())],
            Stroke::new(1.0, theme::LINE),
        );
        for (v, t) in [(-1.0, "-1"), (0.0, "0"), (1.0, "+1")] {
            let align = match t {
                "-1" => egui::Align2::LEFT_TOP,
                "+1" => egui::Align2::RIGHT_TOP,
                _ => egui::Align2::CENTER_TOP,
            };
            painter.text(
                pos2(x(v), bar.bottom() + 3.0),
                align,
                t,
                egui::FontId::monospace(9.0),
                theme::TEXT_DIM,
            );
        }
        painter.text(
            pos2(x(0.5), bar.bottom() + 3.0),
            egui::Align2::CENTER_TOP,
            format!("{value:+.2}"),
            egui::FontId::monospace(9.0),
            theme::TEXT,
        );
        repaint_if_changed(
            ui,
            ui.make_persistent_id(("corr", self.correlation as *const _ as usize)),
            value,
            0.005,
        );
        response.on_hover_text("Phase correlation: +1 mono-compatible, 0 wide, -1 out of phase")
    }
}
