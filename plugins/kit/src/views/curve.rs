//! Response-curve view: draws any `Fn(f64) -> f64` magnitude (dB at a frequency in Hz) on a
//! log-frequency axis, e.g. an EQ's summed response computed from the same `dsp-core` filters.

use crate::theme;
use crate::views::{db_to_y, draw_grid, x_to_freq};
use egui::{pos2, vec2, Color32, Response, Sense, Shape, Stroke, Ui, Widget};

/// A frequency-response plot of a magnitude function.
pub struct CurveView<F: Fn(f64) -> f64> {
    /// dB at a frequency in Hz.
    magnitude_db: F,
    /// Plot size.
    size: egui::Vec2,
    /// Vertical range in dB (symmetric around 0).
    range_db: f32,
    /// Line colour.
    color: Color32,
    /// Fill between the curve and 0 dB.
    fill: bool,
}

impl<F: Fn(f64) -> f64> CurveView<F> {
    /// A curve of `magnitude_db(freq_hz)`.
    pub fn new(magnitude_db: F) -> Self {
        Self {
            magnitude_db,
            size: vec2(400.0, 160.0),
            range_db: 24.0,
            color: theme::ACCENT,
            fill: true,
        }
    }

    /// Plot size in points.
    pub fn size(mut self, size: egui::Vec2) -> Self {
        self.size = size;
        self
    }

    /// ± range in dB.
    pub fn range_db(mut self, range_db: f32) -> Self {
        self.range_db = range_db.max(1.0);
        self
    }

    /// Line colour.
    pub fn color(mut self, color: Color32) -> Self {
        self.color = color;
        self
    }

    /// Fill the area between curve and 0 dB.
    pub fn fill(mut self, fill: bool) -> Self {
        self.fill = fill;
        self
    }

    /// The curve's points across `rect`, one per 2 points of width.
    pub fn points(&self, rect: egui::Rect) -> Vec<egui::Pos2> {
        let n = (rect.width() / 2.0).max(2.0) as usize;
        (0..=n)
            .map(|i| {
                let x = rect.left() + rect.width() * i as f32 / n as f32;
                let db = (self.magnitude_db)(x_to_freq(rect, x)) as f32;
                let db = if db.is_finite() { db } else { -self.range_db };
                pos2(x, db_to_y(rect, db, -self.range_db, self.range_db))
            })
            .collect()
    }
}

impl<F: Fn(f64) -> f64> Widget for CurveView<F> {
    fn ui(self, ui: &mut Ui) -> Response {
        let (rect, response) = ui.allocate_exact_size(self.size, Sense::hover());
        let painter = ui.painter_at(rect);
        let step = if self.range_db > 12.0 { 6.0 } else { 3.0 };
        draw_grid(&painter, rect, -self.range_db, self.range_db, step);
        let points = self.points(rect);
        if self.fill {
            let zero = db_to_y(rect, 0.0, -self.range_db, self.range_db);
            let fill = self.color.gamma_multiply(0.15);
            for pair in points.windows(2) {
                let mesh_rect = [
                    pair[0],
                    pair[1],
                    pos2(pair[1].x, zero),
                    pos2(pair[0].x, zero),
                ];
                painter.add(Shape::convex_polygon(
                    mesh_rect.to_vec(),
                    fill,
                    Stroke::NONE,
                ));
            }
        }
        painter.add(Shape::line(points, Stroke::new(2.0, self.color)));
        if let Some(pos) = response.hover_pos() {
            let hz = x_to_freq(rect, pos.x);
            let db = (self.magnitude_db)(hz);
            response
                .clone()
                .on_hover_text(format!("{hz:.0} Hz: {db:+.1} dB"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_curve_sits_on_zero() {
        let view = CurveView::new(|_| 0.0).range_db(12.0);
        let rect = egui::Rect::from_min_size(pos2(0.0, 0.0), vec2(200.0, 100.0));
        assert!(view.points(rect).iter().all(|p| (p.y - 50.0).abs() < 1e-3));
    }
}
