//! The scrolling loudness history: momentary and short-term loudness every 100 ms of audio
//! (points from the audio thread's queue, so the time axis is audio time, exact for any host
//! block size), the last ten minutes kept, any of the last 30 s – 10 min shown.
//!
//! Unlike the kit's `HistoryView` (sampled by the GUI at its frame rate), this one is fed by
//! the audio thread: a loudness history must not stretch when the GUI skips frames.

use crate::bridge::HistoryPoint;
use egui::{pos2, vec2, Color32, Rect, Response, Sense, Shape, Stroke, Ui};
use lacquer_kit::theme;
use std::collections::VecDeque;

/// Points kept: ten minutes at 10 points per second.
pub const HISTORY_CAPACITY: usize = 6000;
/// The zoom steps, seconds shown across the view.
pub const ZOOM_STEPS_S: [f32; 4] = [30.0, 60.0, 180.0, 600.0];
/// Colour of the momentary trace.
pub const MOMENTARY_COLOR: Color32 = theme::TRACE;
/// Colour of the short-term trace.
pub const SHORT_TERM_COLOR: Color32 = theme::ACCENT;

/// The recorded points and what part of them is shown.
#[derive(Debug, Clone)]
pub struct LoudnessHistory {
    /// Oldest first.
    points: VecDeque<HistoryPoint>,
    /// Seconds shown across the view (one of [`ZOOM_STEPS_S`]).
    pub zoom_s: f32,
}

impl Default for LoudnessHistory {
    fn default() -> Self {
        Self {
            points: VecDeque::with_capacity(HISTORY_CAPACITY),
            zoom_s: ZOOM_STEPS_S[1],
        }
    }
}

/// The vertical mapping shared by the bars and the history: LUFS to y in `rect`.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Bottom of the scale, LUFS.
    pub bottom_lufs: f32,
    /// Top of the scale, LUFS.
    pub top_lufs: f32,
}

impl Scale {
    /// The y of `lufs` in `rect` (clamped to the rect).
    pub fn y(&self, rect: Rect, lufs: f32) -> f32 {
        let t = ((lufs - self.bottom_lufs) / (self.top_lufs - self.bottom_lufs)).clamp(0.0, 1.0);
        rect.bottom() - rect.height() * t
    }
}

impl LoudnessHistory {
    /// Append a point (dropping the oldest past ten minutes).
    pub fn push(&mut self, point: HistoryPoint) {
        if self.points.len() == HISTORY_CAPACITY {
            self.points.pop_front();
        }
        self.points.push_back(point);
    }

    /// Forget everything (after a reset).
    pub fn clear(&mut self) {
        self.points.clear();
    }

    /// Points held.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The momentary and short-term values, oldest first (for the export).
    pub fn series(&self) -> (Vec<f32>, Vec<f32>) {
        self.points
            .iter()
            .map(|p| (p.momentary_lufs, p.short_term_lufs))
            .unzip()
    }

    /// Step the zoom: `steps` > 0 zooms in (fewer seconds), < 0 out.
    pub fn zoom_by(&mut self, steps: i32) {
        let i = ZOOM_STEPS_S
            .iter()
            .position(|&z| z == self.zoom_s)
            .unwrap_or(1) as i32;
        let j = (i - steps).clamp(0, ZOOM_STEPS_S.len() as i32 - 1);
        self.zoom_s = ZOOM_STEPS_S[j as usize];
    }

    /// Wheel over the view: one zoom step per notch (or per 50 points of smooth scrolling).
    fn wheel_zoom(&mut self, ui: &Ui, id: egui::Id) {
        let id = id.with("history-wheel");
        let mut pending: f32 = ui.data(|d| d.get_temp(id)).unwrap_or(0.0);
        let mut steps = 0i32;
        ui.input(|i| {
            for event in &i.events {
                if let egui::Event::MouseWheel { unit, delta, .. } = event {
                    match unit {
                        egui::MouseWheelUnit::Point => {
                            pending += delta.y;
                            if pending.abs() >= 50.0 {
                                steps += pending.signum() as i32;
                                pending = 0.0;
                            }
                        }
                        _ if delta.y != 0.0 => steps += delta.y.signum() as i32,
                        _ => {}
                    }
                }
            }
        });
        ui.data_mut(|d| d.insert_temp(id, pending));
        if steps != 0 {
            self.zoom_by(steps);
        }
    }

    /// Draw into `size`: grid at every 6 LU (labelled in `unit_offset`-relative units),
    /// the target line, then S and M. The wheel zooms.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        size: egui::Vec2,
        scale: Scale,
        target_lufs: f32,
        label: &dyn Fn(f32) -> String,
    ) -> Response {
        let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
        lacquer_kit::param_control::register_rect(ui, "History", "control", rect);
        if response.hovered() {
            self.wheel_zoom(ui, response.id);
        }
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 3.0, theme::WELL);
        let grid = Stroke::new(1.0, theme::LINE.gamma_multiply(0.6));
        let mut lu = 0.0f32;
        let step = if scale.top_lufs - scale.bottom_lufs > 30.0 {
            9.0
        } else {
            3.0
        };
        // Grid lines every `step` LU from the target, both ways.
        while target_lufs - lu >= scale.bottom_lufs || target_lufs + lu <= scale.top_lufs {
            for lufs in [target_lufs - lu, target_lufs + lu] {
                if lufs >= scale.bottom_lufs && lufs <= scale.top_lufs {
                    let y = scale.y(rect, lufs);
                    painter.line_segment([pos2(rect.left(), y), pos2(rect.right(), y)], grid);
                    painter.text(
                        pos2(rect.right() - 4.0, y - 1.0),
                        egui::Align2::RIGHT_BOTTOM,
                        label(lufs),
                        egui::FontId::proportional(9.0),
                        theme::TEXT_DIM,
                    );
                }
            }
            lu += step;
        }
        let y_target = scale.y(rect, target_lufs);
        painter.line_segment(
            [pos2(rect.left(), y_target), pos2(rect.right(), y_target)],
            Stroke::new(1.0, theme::METER_OK.gamma_multiply(0.8)),
        );
        let shown = ((self.zoom_s * 10.0) as usize).max(2);
        let start = self.points.len().saturating_sub(shown);
        let columns = rect.width().max(1.0) as usize;
        for (pick, color, width) in [
            (1usize, SHORT_TERM_COLOR, 2.0f32),
            (0usize, MOMENTARY_COLOR, 1.2f32),
        ] {
            // One vertex per pixel column at most: the loudest point that falls in it.
            let mut line: Vec<egui::Pos2> = Vec::with_capacity(columns.min(shown) + 1);
            let mut column = usize::MAX;
            for (k, p) in self.points.iter().skip(start).enumerate() {
                let offset = shown - (self.points.len() - start) + k;
                let x = rect.left() + rect.width() * offset as f32 / (shown - 1) as f32;
                let value = if pick == 0 {
                    p.momentary_lufs
                } else {
                    p.short_term_lufs
                };
                let y = scale.y(rect, value);
                let c = (x - rect.left()) as usize;
                if c == column {
                    if let Some(last) = line.last_mut() {
                        last.y = last.y.min(y);
                    }
                } else {
                    column = c;
                    line.push(pos2(x, y));
                }
            }
            if line.len() > 1 {
                painter.add(Shape::line(line, Stroke::new(width, color)));
            }
        }
        for (i, (name, color)) in [("M", MOMENTARY_COLOR), ("S", SHORT_TERM_COLOR)]
            .into_iter()
            .enumerate()
        {
            painter.text(
                rect.left_top() + vec2(6.0 + 18.0 * i as f32, 4.0),
                egui::Align2::LEFT_TOP,
                name,
                egui::FontId::proportional(10.0),
                color,
            );
        }
        let span = if self.zoom_s >= 60.0 {
            format!("{:.0} min", self.zoom_s / 60.0)
        } else {
            format!("{:.0} s", self.zoom_s)
        };
        painter.text(
            rect.left_bottom() + vec2(6.0, -4.0),
            egui::Align2::LEFT_BOTTOM,
            format!("last {span} (wheel to zoom)"),
            egui::FontId::proportional(9.0),
            theme::TEXT_DIM,
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_ten_minutes_and_zooms_in_steps() {
        let mut h = LoudnessHistory::default();
        for i in 0..HISTORY_CAPACITY + 10 {
            h.push(HistoryPoint {
                momentary_lufs: i as f32,
                short_term_lufs: 0.0,
            });
        }
        assert_eq!(h.len(), HISTORY_CAPACITY);
        assert_eq!(h.series().0[0], 10.0);
        assert_eq!(h.zoom_s, 60.0);
        h.zoom_by(1);
        assert_eq!(h.zoom_s, 30.0);
        h.zoom_by(1);
        assert_eq!(h.zoom_s, 30.0);
        h.zoom_by(-5);
        assert_eq!(h.zoom_s, 600.0);
    }
}
