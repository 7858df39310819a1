//! Vectorscope (goniometer): left/right pairs drawn as mid (up) / side (across) dots, fed from
//! the same [`AnalyzerQueue`] chunks as the spectrum. Only the newest frames are kept.

use crate::meters_bridge::StereoChunk;
use crate::theme;
use egui::{pos2, Response, Sense, Stroke, Ui};

/// Frames drawn per frame.
pub const SCOPE_FRAMES: usize = 2048;

/// GUI-side scope state: the newest stereo frames.
#[derive(Debug, Clone)]
pub struct Vectorscope {
    /// Ring of the newest `[l, r]` frames.
    frames: Vec<[f32; 2]>,
    /// Next write position.
    write: usize,
}

impl Default for Vectorscope {
    fn default() -> Self {
        Self {
            frames: vec![[0.0; 2]; SCOPE_FRAMES],
            write: 0,
        }
    }
}

impl Vectorscope {
    /// Add a chunk from the analyzer queue.
    pub fn push_chunk(&mut self, chunk: &StereoChunk) {
        for frame in chunk {
            self.frames[self.write] = *frame;
            self.write = (self.write + 1) % SCOPE_FRAMES;
        }
    }

    /// Scope coordinates of a frame: (side, mid), each in -1..1 for full scale.
    pub fn project([l, r]: [f32; 2]) -> (f32, f32) {
        let s = std::f32::consts::FRAC_1_SQRT_2;
        ((r - l) * s, (l + r) * s)
    }

    /// Draw a square scope of side `size`.
    pub fn show(&self, ui: &mut Ui, size: f32) -> Response {
        let (rect, response) = ui.allocate_exact_size(egui::vec2(size, size), Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 3.0, theme::WELL);
        let c = rect.center();
        let r = size * 0.45;
        let grid = Stroke::new(1.0, theme::LINE);
        painter.line_segment([pos2(c.x, rect.top()), pos2(c.x, rect.bottom())], grid);
        painter.line_segment([pos2(c.x - r, c.y - r), pos2(c.x + r, c.y + r)], grid);
        painter.line_segment([pos2(c.x + r, c.y - r), pos2(c.x - r, c.y + r)], grid);
        for (label, x) in [("L", c.x - r * 0.72), ("R", c.x + r * 0.72)] {
            painter.text(
                pos2(x, rect.top() + 4.0),
                egui::Align2::CENTER_TOP,
                label,
                egui::FontId::proportional(9.5),
                theme::TEXT_DIM,
            );
        }
        // One mesh of small quads (one shape to tessellate, not one per frame).
        let color = theme::TRACE.gamma_multiply(0.5);
        let mut mesh = egui::Mesh::default();
        mesh.reserve_triangles(2 * self.frames.len());
        mesh.reserve_vertices(4 * self.frames.len());
        for &frame in &self.frames {
            let (side, mid) = Self::project(frame);
            if side == 0.0 && mid == 0.0 {
                continue;
            }
            let p = pos2(
                c.x + side.clamp(-1.0, 1.0) * r,
                c.y - mid.clamp(-1.0, 1.0) * r,
            );
            mesh.add_colored_rect(egui::Rect::from_center_size(p, egui::vec2(1.5, 1.5)), color);
        }
        painter.add(egui::Shape::mesh(mesh));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_is_vertical_and_anti_phase_is_horizontal() {
        let (side, mid) = Vectorscope::project([0.5, 0.5]);
        assert!(side.abs() < 1e-6 && mid > 0.0);
        let (side, mid) = Vectorscope::project([0.5, -0.5]);
        assert!(mid.abs() < 1e-6 && side < 0.0);
    }
}
