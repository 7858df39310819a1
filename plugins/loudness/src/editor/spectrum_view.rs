//! The long-term 1/3-octave spectra of the live programme and of the chosen reference, side by
//! side: the reference shifted by its matching gain, so the curves compare tone at matched
//! loudness (as the A/B plays it).

use dsp_core::band_spectrum::NUM_BANDS;
use egui::{pos2, vec2, Color32, Rect, Sense, Stroke, Ui};
use lacquer_kit::theme;

/// The mix's curve.
pub const LIVE_COLOR: Color32 = theme::TRACE;
/// The reference's curve.
pub const REFERENCE_COLOR: Color32 = theme::ACCENT;

/// Decibels shown below the top of the view.
const RANGE_DB: f32 = 48.0;

/// Bands with a level worth drawing (above this, dB).
const FLOOR_DB: f32 = -140.0;

/// The largest level over both curves, rounded up to 6 dB (the view's top), or `None` when
/// neither holds anything.
pub fn top_db(live: &[f32; NUM_BANDS], reference: Option<&[f32; NUM_BANDS]>) -> Option<f32> {
    live.iter()
        .chain(reference.into_iter().flatten())
        .copied()
        .filter(|v| v.is_finite() && *v > FLOOR_DB)
        .reduce(f32::max)
        .map(|m| (m / 6.0).ceil() * 6.0 + 6.0)
}

/// The band where the reference is furthest from the mix (at matched loudness), and by how
/// much (reference − mix, dB), over bands where both hold something within the view.
pub fn largest_difference(
    live: &[f32; NUM_BANDS],
    reference: &[f32; NUM_BANDS],
) -> Option<(usize, f32)> {
    let top = top_db(live, Some(reference))?;
    (0..NUM_BANDS)
        .filter(|&b| live[b] > top - RANGE_DB && reference[b] > top - RANGE_DB)
        .map(|b| (b, reference[b] - live[b]))
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
}

/// Draws the view in `size`: band levels as two polylines on a log-frequency axis.
pub fn show(
    ui: &mut Ui,
    size: egui::Vec2,
    live: &[f32; NUM_BANDS],
    reference: Option<&[f32; NUM_BANDS]>,
) {
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, theme::WELL);
    let plot = Rect::from_min_max(rect.min + vec2(4.0, 4.0), rect.max - vec2(4.0, 14.0));
    let x_of = |band: usize| plot.left() + plot.width() * (band as f32 + 0.5) / NUM_BANDS as f32;
    for (band, label) in [(4, "50"), (10, "200"), (16, "1k"), (22, "4k"), (28, "16k")] {
        let x = x_of(band);
        painter.line_segment(
            [pos2(x, plot.top()), pos2(x, plot.bottom())],
            Stroke::new(1.0, theme::LINE),
        );
        painter.text(
            pos2(x, rect.bottom() - 2.0),
            egui::Align2::CENTER_BOTTOM,
            label,
            egui::FontId::proportional(9.0),
            theme::TEXT_DIM,
        );
    }
    let Some(top) = top_db(live, reference) else {
        painter.text(
            plot.center(),
            egui::Align2::CENTER_CENTER,
            "no spectrum yet",
            egui::FontId::proportional(10.0),
            theme::TEXT_DIM,
        );
        return;
    };
    let y_of = |db: f32| plot.top() + plot.height() * ((top - db) / RANGE_DB).clamp(0.0, 1.0);
    for k in 1..4 {
        let y = y_of(top - RANGE_DB * k as f32 / 4.0);
        painter.line_segment(
            [pos2(plot.left(), y), pos2(plot.right(), y)],
            Stroke::new(1.0, theme::LINE),
        );
    }
    for (levels, color) in [(Some(live), LIVE_COLOR), (reference, REFERENCE_COLOR)] {
        let Some(levels) = levels else { continue };
        let points: Vec<egui::Pos2> = (0..NUM_BANDS)
            .filter(|&b| levels[b].is_finite() && levels[b] > FLOOR_DB)
            .map(|b| pos2(x_of(b), y_of(levels[b])))
            .collect();
        if points.len() >= 2 {
            painter.add(egui::Shape::line(points, Stroke::new(1.5, color)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_difference_is_found_within_the_view() {
        let mut live = [-30.0f32; NUM_BANDS];
        let mut reference = [-30.0f32; NUM_BANDS];
        reference[6] = -27.2; // +2.8 dB at 100 Hz
        live[12] = -33.0; // reference +3 dB at 400 Hz
        reference[29] = -200.0; // silent band: ignored
        assert_eq!(top_db(&live, Some(&reference)), Some(-18.0));
        let (band, diff) = largest_difference(&live, &reference).unwrap();
        assert_eq!(band, 12);
        assert!((diff - 3.0).abs() < 1e-5);
        assert_eq!(top_db(&[-200.0; NUM_BANDS], None), None);
    }
}
