//! Scrolling history: levels and gain reduction over the last seconds, sampled by the GUI at
//! its frame rate while the editor is open (so it costs nothing when closed).

use crate::theme;
use egui::{pos2, vec2, Color32, Response, Sense, Shape, Stroke, Ui};
use std::collections::VecDeque;

/// One traced quantity.
#[derive(Debug, Clone)]
pub struct Trace {
    /// Legend name.
    pub name: &'static str,
    /// Colour of the line.
    pub color: Color32,
    /// Values in dB, oldest first.
    values: VecDeque<f32>,
}

/// A scrolling multi-trace history (e.g. input level, output level, gain reduction).
#[derive(Debug, Clone)]
pub struct HistoryView {
    /// The traces.
    traces: Vec<Trace>,
    /// Samples kept (seconds × rate).
    capacity: usize,
    /// Interval between samples, seconds.
    interval: f64,
    /// egui time of the last sample.
    last_sample: Option<f64>,
    /// Bottom of the scale in dB.
    pub min_db: f32,
    /// Top of the scale in dB.
    pub max_db: f32,
}

impl HistoryView {
    /// `seconds` of history at `rate_hz` samples per second.
    pub fn new(seconds: f32, rate_hz: f32) -> Self {
        Self {
            traces: Vec::new(),
            capacity: (seconds * rate_hz).max(2.0) as usize,
            interval: 1.0 / rate_hz.max(1.0) as f64,
            last_sample: None,
            min_db: -48.0,
            max_db: 6.0,
        }
    }

    /// Add a trace (call once at construction).
    pub fn with_trace(mut self, name: &'static str, color: Color32) -> Self {
        self.traces.push(Trace {
            name,
            color,
            values: VecDeque::with_capacity(self.capacity),
        });
        self
    }

    /// Record current values (one per trace) if the interval has passed. Returns whether a
    /// sample was taken. Needs the GUI to be running, which is the point.
    pub fn sample(&mut self, now: f64, values: &[f32]) -> bool {
        // Half-a-millisecond slack so a 60 fps GUI samples 10 Hz every 6th frame, not 7th.
        if self
            .last_sample
            .is_some_and(|t| now - t < self.interval - 5e-4)
        {
            return false;
        }
        self.last_sample = Some(now);
        for (trace, &v) in self.traces.iter_mut().zip(values) {
            if trace.values.len() == self.capacity {
                trace.values.pop_front();
            }
            trace.values.push_back(v);
        }
        true
    }

    /// Record one point (one value per trace) unconditionally: for points timed by the audio
    /// thread (e.g. drained from a queue), where the GUI's frame times do not matter.
    pub fn push(&mut self, values: &[f32]) {
        for (trace, &v) in self.traces.iter_mut().zip(values) {
            if trace.values.len() == self.capacity {
                trace.values.pop_front();
            }
            trace.values.push_back(v);
        }
    }

    /// Number of samples held in the first trace.
    pub fn len(&self) -> usize {
        self.traces.first().map_or(0, |t| t.values.len())
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Draw into `size`. Repaints are driven by the meters; the history only samples when a
    /// frame happens, and stops scrolling when everything is idle.
    pub fn show(&mut self, ui: &mut Ui, size: egui::Vec2, values: &[f32]) -> Response {
        let now = ui.input(|i| i.time);
        let moving = values.iter().any(|v| *v > self.min_db);
        if moving {
            self.sample(now, values);
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(self.interval));
        }
        self.paint(ui, size)
    }

    /// Draw what was recorded into `size`, without sampling.
    pub fn paint(&self, ui: &mut Ui, size: egui::Vec2) -> Response {
        let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 3.0, theme::WELL);
        let y = |db: f32| {
            let t = ((db - self.min_db) / (self.max_db - self.min_db)).clamp(0.0, 1.0);
            rect.bottom() - rect.height() * t
        };
        for db in [0.0, -12.0, -24.0, -36.0] {
            painter.line_segment(
                [pos2(rect.left(), y(db)), pos2(rect.right(), y(db))],
                Stroke::new(1.0, theme::LINE.gamma_multiply(0.6)),
            );
        }
        let dx = rect.width() / (self.capacity - 1) as f32;
        for (i, trace) in self.traces.iter().enumerate() {
            let offset = self.capacity - trace.values.len();
            let points: Vec<_> = trace
                .values
                .iter()
                .enumerate()
                .map(|(j, &v)| pos2(rect.left() + dx * (offset + j) as f32, y(v)))
                .collect();
            if points.len() > 1 {
                painter.add(Shape::line(points, Stroke::new(1.5, trace.color)));
            }
            painter.text(
                rect.left_top() + vec2(6.0 + 60.0 * i as f32, 4.0),
                egui::Align2::LEFT_TOP,
                trace.name,
                egui::FontId::proportional(9.5),
                trace.color,
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_bounded_window_at_its_rate() {
        let mut h = HistoryView::new(1.0, 10.0).with_trace("in", theme::METER_OK);
        let mut taken = 0;
        for i in 0..300 {
            taken += h.sample(i as f64 / 60.0, &[-6.0]) as usize;
        }
        assert!((49..=51).contains(&taken), "{taken}");
        assert_eq!(h.len(), 10);
    }

    #[test]
    fn pushed_points_are_kept_without_timing() {
        let mut h = HistoryView::new(1.0, 10.0)
            .with_trace("in", theme::METER_OK)
            .with_trace("gr", theme::GR);
        for i in 0..25 {
            h.push(&[i as f32, -1.0]);
        }
        assert_eq!(h.len(), 10);
        assert_eq!(h.traces[0].values.front(), Some(&15.0));
    }
}
