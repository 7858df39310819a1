//! Larger displays: spectrum analyzer, response curve, level transfer curve, scrolling
//! history, vectorscope.
//! They share a log-frequency axis and grid helpers from here.

pub mod bands;
pub mod curve;
pub mod history;
pub mod spectrum;
pub mod transfer;
pub mod vectorscope;

pub use curve::CurveView;
pub use history::HistoryView;
pub use spectrum::SpectrumAnalyzer;
pub use transfer::TransferView;
pub use vectorscope::Vectorscope;

use crate::theme;
use egui::{pos2, Painter, Rect, Stroke};

/// Lowest frequency on the axis.
pub const MIN_HZ: f64 = 20.0;
/// Highest frequency on the axis.
pub const MAX_HZ: f64 = 20_000.0;

/// x position of `hz` in `rect` on a log axis.
pub fn freq_to_x(rect: Rect, hz: f64) -> f32 {
    let t = (hz.max(MIN_HZ).ln() - MIN_HZ.ln()) / (MAX_HZ.ln() - MIN_HZ.ln());
    rect.left() + rect.width() * t as f32
}

/// Frequency at x in `rect` on a log axis.
pub fn x_to_freq(rect: Rect, x: f32) -> f64 {
    let t = ((x - rect.left()) / rect.width()) as f64;
    (MIN_HZ.ln() + t * (MAX_HZ.ln() - MIN_HZ.ln())).exp()
}

/// y position of `db` in `rect` for the range `min_db..=max_db`.
pub fn db_to_y(rect: Rect, db: f32, min_db: f32, max_db: f32) -> f32 {
    let t = ((db - min_db) / (max_db - min_db)).clamp(0.0, 1.0);
    rect.bottom() - rect.height() * t
}

/// Background, frequency grid (decades + 1-2-5) and dB lines.
pub fn draw_grid(painter: &Painter, rect: Rect, min_db: f32, max_db: f32, db_step: f32) {
    painter.rect_filled(rect, 3.0, theme::WELL);
    let grid = Stroke::new(1.0, theme::LINE.gamma_multiply(0.6));
    for hz in [50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0] {
        let x = freq_to_x(rect, hz);
        painter.line_segment([pos2(x, rect.top()), pos2(x, rect.bottom())], grid);
        let label = if hz >= 1000.0 {
            format!("{}k", hz / 1000.0)
        } else {
            format!("{hz}")
        };
        painter.text(
            pos2(x + 2.0, rect.bottom() - 2.0),
            egui::Align2::LEFT_BOTTOM,
            label,
            egui::FontId::monospace(9.0),
            theme::TEXT_DIM,
        );
    }
    let mut db = (min_db / db_step).ceil() * db_step;
    while db <= max_db {
        let y = db_to_y(rect, db, min_db, max_db);
        painter.line_segment([pos2(rect.left(), y), pos2(rect.right(), y)], grid);
        painter.text(
            pos2(rect.right() - 2.0, y),
            egui::Align2::RIGHT_BOTTOM,
            format!("{db:.0}"),
            egui::FontId::monospace(9.0),
            theme::TEXT_DIM,
        );
        db += db_step;
    }
}
