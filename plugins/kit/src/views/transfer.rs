//! Level transfer curve of a dynamics processor: output level over input level (both dBFS),
//! with the unity diagonal, the threshold and a live operating point. The sibling of
//! [`crate::views::CurveView`] for a level axis instead of a frequency axis; the curve is any
//! `Fn(f32) -> f32` (input dB → output dB), e.g. a `dsp_core::dynamics::GainCurve` plus makeup.

use crate::theme;
use egui::{pos2, vec2, Color32, Response, Sense, Shape, Stroke, Ui, Widget};

/// A static input/output level curve with an optional operating point.
pub struct TransferView<F: Fn(f32) -> f32> {
    /// Output dB for an input dB.
    curve: F,
    /// Plot size.
    size: egui::Vec2,
    /// Lowest level on both axes (dBFS); the top is 0 dBFS.
    min_db: f32,
    /// Threshold marker (dBFS), if any.
    threshold_db: Option<f32>,
    /// Live operating point (input dB, output dB), if any.
    point: Option<(f32, f32)>,
    /// Line colour.
    color: Color32,
}

impl<F: Fn(f32) -> f32> TransferView<F> {
    /// A curve of `curve(input_db)`.
    pub fn new(curve: F) -> Self {
        Self {
            curve,
            size: vec2(200.0, 200.0),
            min_db: -60.0,
            threshold_db: None,
            point: None,
            color: theme::ACCENT,
        }
    }

    /// Plot size in points.
    pub fn size(mut self, size: egui::Vec2) -> Self {
        self.size = size;
        self
    }

    /// Lowest level on both axes (negative dBFS).
    pub fn min_db(mut self, min_db: f32) -> Self {
        self.min_db = min_db.min(-6.0);
        self
    }

    /// Mark the threshold.
    pub fn threshold_db(mut self, threshold_db: f32) -> Self {
        self.threshold_db = Some(threshold_db);
        self
    }

    /// Draw the live operating point (input dB, output dB); levels below the axis are not
    /// drawn.
    pub fn point(mut self, input_db: f32, output_db: f32) -> Self {
        self.point = Some((input_db, output_db));
        self
    }

    /// Position of (input dB, output dB) in `rect`.
    pub fn to_screen(&self, rect: egui::Rect, input_db: f32, output_db: f32) -> egui::Pos2 {
        let t = |db: f32| ((db - self.min_db) / -self.min_db).clamp(0.0, 1.0);
        pos2(
            rect.left() + rect.width() * t(input_db),
            rect.bottom() - rect.height() * t(output_db),
        )
    }

    /// The curve's points across `rect`, one per 2 points of width.
    pub fn points(&self, rect: egui::Rect) -> Vec<egui::Pos2> {
        let n = (rect.width() / 2.0).max(2.0) as usize;
        (0..=n)
            .map(|i| {
                let input = self.min_db - self.min_db * i as f32 / n as f32;
                let out = (self.curve)(input);
                let out = if out.is_finite() { out } else { self.min_db };
                self.to_screen(rect, input, out)
            })
            .collect()
    }
}

impl<F: Fn(f32) -> f32> Widget for TransferView<F> {
    fn ui(self, ui: &mut Ui) -> Response {
        let (rect, response) = ui.allocate_exact_size(self.size, Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 3.0, theme::WELL);
        let grid = Stroke::new(1.0, theme::LINE.gamma_multiply(0.6));
        let mut db = -12.0;
        while db > self.min_db {
            let p = self.to_screen(rect, db, db);
            painter.line_segment([pos2(p.x, rect.top()), pos2(p.x, rect.bottom())], grid);
            painter.line_segment([pos2(rect.left(), p.y), pos2(rect.right(), p.y)], grid);
            painter.text(
                pos2(p.x + 2.0, rect.bottom() - 2.0),
                egui::Align2::LEFT_BOTTOM,
                format!("{db:.0}"),
                egui::FontId::monospace(9.0),
                theme::TEXT_DIM,
            );
            db -= 12.0;
        }
        // Unity (no gain change) for reference.
        painter.line_segment(
            [
                self.to_screen(rect, self.min_db, self.min_db),
                self.to_screen(rect, 0.0, 0.0),
            ],
            Stroke::new(1.0, theme::TEXT_DIM.gamma_multiply(0.5)),
        );
        if let Some(t) = self.threshold_db {
            let x = self.to_screen(rect, t, t).x;
            painter.line_segment(
                [pos2(x, rect.top()), pos2(x, rect.bottom())],
                Stroke::new(1.0, self.color.gamma_multiply(0.35)),
            );
        }
        painter.add(Shape::line(self.points(rect), Stroke::new(2.0, self.color)));
        if let Some((input, output)) = self.point {
            if input > self.min_db {
                painter.circle_filled(self.to_screen(rect, input, output), 4.0, theme::TEXT);
            }
        }
        if let Some(pos) = response.hover_pos() {
            let input = self.min_db * (1.0 - (pos.x - rect.left()) / rect.width());
            let out = (self.curve)(input);
            response
                .clone()
                .on_hover_text(format!("in {input:.1} dB → out {out:.1} dB"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unity_curve_is_the_diagonal() {
        let view = TransferView::new(|x| x).min_db(-60.0);
        let rect = egui::Rect::from_min_size(pos2(0.0, 0.0), vec2(120.0, 120.0));
        for p in view.points(rect) {
            assert!((p.x + p.y - 120.0).abs() < 1e-3, "{p:?}");
        }
        let top = view.to_screen(rect, 0.0, 0.0);
        assert_eq!((top.x, top.y), (120.0, 0.0));
    }
}
