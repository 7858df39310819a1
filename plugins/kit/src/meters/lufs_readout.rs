//! Numeric loudness readout ("-14.2 LUFS"), with an optional target that colours the value.

use crate::meters::repaint_if_changed;
use crate::theme;
use atomic_float::AtomicF32;
use egui::{vec2, Response, Sense, Ui, Widget};
use std::sync::atomic::Ordering;

/// A labelled LUFS (or LU, dBTP) number read from an atomic.
pub struct LufsReadout<'a> {
    /// The value published by the audio thread.
    value: &'a AtomicF32,
    /// Caption, e.g. "M", "S", "I", "LRA", "TP".
    label: &'a str,
    /// Unit after the number.
    unit: &'a str,
    /// Target and tolerance: within tolerance the value turns green, above it red.
    target: Option<(f32, f32)>,
}

impl<'a> LufsReadout<'a> {
    /// A readout in LUFS.
    pub fn new(value: &'a AtomicF32, label: &'a str) -> Self {
        Self {
            value,
            label,
            unit: "LUFS",
            target: None,
        }
    }

    /// Another unit ("LU", "dBTP").
    pub fn unit(mut self, unit: &'a str) -> Self {
        self.unit = unit;
        self
    }

    /// Colour against a target ± tolerance.
    pub fn target(mut self, target: f32, tolerance: f32) -> Self {
        self.target = Some((target, tolerance));
        self
    }
}

impl Widget for LufsReadout<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let v = self.value.load(Ordering::Relaxed);
        let (rect, response) = ui.allocate_exact_size(vec2(96.0, 38.0), Sense::hover());
        let painter = ui.painter();
        theme::readout_well(painter, rect, self.label, 9.5, vec2(6.0, 3.0));
        let text = if v.is_finite() && v > -99.0 {
            format!("{v:.1}")
        } else {
            "-inf".to_owned()
        };
        let color = match self.target {
            Some((t, tol)) if v.is_finite() && (v - t).abs() <= tol => theme::METER_OK,
            Some((t, tol)) if v.is_finite() && v > t + tol => theme::METER_CLIP,
            _ => theme::TEXT,
        };
        painter.text(
            rect.right_bottom() - vec2(6.0, 4.0),
            egui::Align2::RIGHT_BOTTOM,
            format!("{text} {}", self.unit),
            egui::FontId::monospace(13.0),
            color,
        );
        repaint_if_changed(
            ui,
            ui.make_persistent_id(("lufs", self.value as *const _ as usize)),
            if v.is_finite() { v } else { -1000.0 },
            0.05,
        );
        response
    }
}
