//! Gain-reduction meter: a bar hanging from the top (0 dB) down to the reduction.

use crate::meters::repaint_if_changed;
use crate::theme;
use atomic_float::AtomicF32;
use egui::{pos2, vec2, CornerRadius, Rect, Response, Sense, Ui, Widget};
use std::sync::atomic::Ordering;

/// A vertical gain-reduction meter over an atomic holding reduction in dB (positive or
/// negative; the magnitude is shown).
pub struct GainReductionMeter<'a> {
    /// Reduction published by the audio thread.
    reduction_db: &'a AtomicF32,
    /// Deepest reduction on the scale, in dB.
    range_db: f32,
    /// Bar height.
    height: f32,
}

impl<'a> GainReductionMeter<'a> {
    /// A meter with a 24 dB scale.
    pub fn new(reduction_db: &'a AtomicF32) -> Self {
        Self {
            reduction_db,
            range_db: 24.0,
            height: 140.0,
        }
    }

    /// Deepest reduction shown.
    pub fn range_db(mut self, range_db: f32) -> Self {
        self.range_db = range_db.max(1.0);
        self
    }

    /// Bar height.
    pub fn height(mut self, height: f32) -> Self {
        self.height = height;
        self
    }
}

impl Widget for GainReductionMeter<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let gr = self.reduction_db.load(Ordering::Relaxed).abs();
        let (rect, response) =
            ui.allocate_exact_size(vec2(40.0, self.height + 30.0), Sense::hover());
        let bar = Rect::from_min_size(
            pos2(rect.center().x - 6.0, rect.top() + 4.0),
            vec2(12.0, self.height),
        );
        let painter = ui.painter();
        painter.rect_filled(bar, CornerRadius::same(1), theme::WELL);
        let depth = (gr / self.range_db).clamp(0.0, 1.0) * bar.height();
        painter.rect_filled(
            Rect::from_min_size(bar.min, vec2(bar.width(), depth)),
            0.0,
            theme::GR,
        );
        painter.text(
            pos2(bar.center().x, bar.bottom() + 4.0),
            egui::Align2::CENTER_TOP,
            format!("-{gr:.1}"),
            egui::FontId::monospace(10.0),
            theme::TEXT,
        );
        painter.text(
            pos2(bar.center().x, bar.bottom() + 16.0),
            egui::Align2::CENTER_TOP,
            "GR",
            theme::label_font(),
            theme::TEXT_DIM,
        );
        repaint_if_changed(
            ui,
            ui.make_persistent_id(("gr", self.reduction_db as *const _ as usize)),
            gr,
            0.05,
        );
        response
    }
}
