//! The readings: M, S and I in big numbers, the M/S bars on the EBU scale, and the
//! programme statistics with the platform verdict.

use super::history::{MOMENTARY_COLOR, SHORT_TERM_COLOR};
use super::View;
use crate::bridge::Readings;
use dsp_core::loudness::targets::Target;
use egui::{pos2, vec2, Color32, Rect, RichText, Sense, Stroke, Ui};
use lacquer_kit::theme::{self, section};

/// One big readout: caption, value, unit.
fn big_readout(ui: &mut Ui, caption: &str, value: &str, unit: &str, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(vec2(200.0, 62.0), Sense::hover());
    let painter = ui.painter();
    theme::readout_well(painter, rect, caption, 10.0, vec2(8.0, 5.0));
    painter.text(
        rect.right_bottom() - vec2(52.0, 6.0),
        egui::Align2::RIGHT_BOTTOM,
        value,
        egui::FontId::monospace(30.0),
        color,
    );
    painter.text(
        rect.right_bottom() - vec2(8.0, 9.0),
        egui::Align2::RIGHT_BOTTOM,
        unit,
        egui::FontId::proportional(11.0),
        theme::TEXT_DIM,
    );
}

/// Colour of a loudness against the target: green within ±1 LU, amber above.
fn loudness_color(lufs: f32, target: &Target) -> Color32 {
    let d = lufs - target.target_lufs as f32;
    if lufs < -99.0 {
        theme::TEXT_DIM
    } else if d.abs() <= 1.0 {
        theme::METER_OK
    } else if d > 1.0 {
        theme::METER_HOT
    } else {
        theme::TEXT
    }
}

/// M, S and I in big numbers.
pub(super) fn readouts_section(ui: &mut Ui, r: &Readings, view: &View) {
    section(ui, "Loudness", |ui| {
        ui.spacing_mut().item_spacing.y = 6.0;
        for (caption, v) in [
            ("MOMENTARY  M", r.momentary),
            ("SHORT-TERM  S", r.short_term),
            ("INTEGRATED  I", r.integrated),
        ] {
            let color = loudness_color(v, &view.target);
            big_readout(ui, caption, &view.loudness(v), view.unit(), color);
        }
        let state = if r.running { "running" } else { "paused" };
        ui.label(
            RichText::new(format!(
                "{state}, {} of programme",
                duration(r.running_seconds)
            ))
            .size(10.5)
            .color(if r.running {
                theme::TEXT_DIM
            } else {
                theme::METER_HOT
            }),
        );
    });
}

/// "1:05" / "1:02:03".
fn duration(seconds: f32) -> String {
    let s = seconds.max(0.0) as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// M and S bars on the chosen scale, with the target marked.
pub(super) fn bars_section(ui: &mut Ui, r: &Readings, view: &View) {
    section(ui, "Scale", |ui| {
        let (rect, _) = ui.allocate_exact_size(vec2(84.0, 214.0), Sense::hover());
        let painter = ui.painter_at(rect.expand(1.0));
        let bars = Rect::from_min_max(rect.min + vec2(34.0, 6.0), rect.max - vec2(0.0, 14.0));
        let (lo, hi) = (view.scale.bottom_lufs, view.scale.top_lufs);
        let step = if hi - lo > 30.0 { 6.0 } else { 3.0 };
        let mut lufs = hi;
        while lufs >= lo - 1e-3 {
            let y = view.scale.y(bars, lufs);
            painter.line_segment(
                [pos2(bars.left() - 4.0, y), pos2(bars.right(), y)],
                Stroke::new(1.0, theme::LINE),
            );
            painter.text(
                pos2(bars.left() - 6.0, y),
                egui::Align2::RIGHT_CENTER,
                view.scale_label(lufs),
                egui::FontId::proportional(9.0),
                theme::TEXT_DIM,
            );
            lufs -= step;
        }
        let width = (bars.width() - 6.0) / 2.0;
        for (i, (name, v, color)) in [
            ("M", r.momentary, MOMENTARY_COLOR),
            ("S", r.short_term, SHORT_TERM_COLOR),
        ]
        .into_iter()
        .enumerate()
        {
            let x0 = bars.left() + i as f32 * (width + 6.0);
            let well = Rect::from_min_max(pos2(x0, bars.top()), pos2(x0 + width, bars.bottom()));
            painter.rect_filled(well, 2.0, theme::WELL.gamma_multiply(0.8));
            if v > lo {
                let fill = Rect::from_min_max(pos2(x0, view.scale.y(bars, v)), well.max);
                painter.rect_filled(fill, 2.0, color);
            }
            painter.text(
                pos2(x0 + width / 2.0, rect.bottom()),
                egui::Align2::CENTER_BOTTOM,
                name,
                egui::FontId::proportional(10.0),
                color,
            );
        }
        let y = view.scale.y(bars, view.target.target_lufs as f32);
        painter.line_segment(
            [pos2(bars.left() - 2.0, y), pos2(bars.right() + 1.0, y)],
            Stroke::new(2.0, theme::METER_OK),
        );
    });
}

/// Readings at or below this are "nothing measured" (the meter's silence floor).
const SILENCE_DB: f32 = dsp_core::loudness::histogram::SILENCE_LUFS as f32;

/// PLR and PSR as shown: the meter reads 0 LU before it has both a loudness and a peak, so
/// each shows a dash until both of its sides have been measured.
pub(crate) fn ratio_texts(r: &Readings) -> (String, String) {
    let measured = |v: f32| v.is_finite() && v > SILENCE_DB;
    let text = |lu: f32, valid: bool| {
        if valid {
            format!("{lu:.1} LU")
        } else {
            "— LU".to_owned()
        }
    };
    let peak_seen = measured(r.true_peak_max);
    (
        text(r.plr, peak_seen && measured(r.integrated)),
        text(r.psr, peak_seen && measured(r.short_term)),
    )
}

/// One small statistic cell.
pub(super) fn stat(ui: &mut Ui, caption: &str, value: String, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(vec2(100.0, 38.0), Sense::hover());
    let painter = ui.painter();
    theme::readout_well(painter, rect, caption, 9.5, vec2(6.0, 3.0));
    painter.text(
        rect.right_bottom() - vec2(6.0, 4.0),
        egui::Align2::RIGHT_BOTTOM,
        value,
        egui::FontId::monospace(13.0),
        color,
    );
}

/// LRA, peaks, PLR/PSR, maxima, and the platform verdict.
pub(super) fn statistics_section(ui: &mut Ui, r: &Readings, view: &View) {
    section(ui, "Programme", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 6.0;
            let lra = format!(
                "{:.1}{} LU",
                r.lra,
                if r.lra_is_provisional() { "*" } else { "" }
            );
            stat(
                ui,
                if r.lra_is_provisional() {
                    "LRA (provisional)"
                } else {
                    "LRA"
                },
                lra,
                if r.lra_is_provisional() {
                    theme::TEXT_DIM
                } else {
                    theme::TEXT
                },
            );
            let tp_over = f64::from(r.true_peak_max) > view.target.ceiling_dbtp;
            stat(
                ui,
                "TRUE PEAK MAX",
                format!("{} dBTP", db_text(r.true_peak_max)),
                if tp_over {
                    theme::METER_CLIP
                } else {
                    theme::TEXT
                },
            );
            stat(
                ui,
                "SAMPLE PEAK",
                format!("{} dB", db_text(r.sample_peak_max)),
                theme::TEXT,
            );
            let (plr, psr) = ratio_texts(r);
            stat(ui, "PLR", plr, theme::TEXT);
            stat(ui, "PSR", psr, theme::TEXT);
            stat(
                ui,
                "MAX M",
                format!("{} {}", view.loudness(r.max_momentary), view.unit()),
                theme::TEXT,
            );
            stat(
                ui,
                "MAX S",
                format!("{} {}", view.loudness(r.max_short_term), view.unit()),
                theme::TEXT,
            );
        });
        let gain = view
            .target
            .normalisation_gain_db(f64::from(r.integrated), f64::from(r.true_peak_max));
        let headroom = if r.true_peak_max > -99.0 {
            let h = view.target.headroom_db(f64::from(r.true_peak_max));
            if h >= 0.0 {
                format!(
                    "{h:.1} dB of headroom below the {:.1} dBTP ceiling",
                    view.target.ceiling_dbtp
                )
            } else {
                format!(
                    "{:.1} dB over the {:.1} dBTP ceiling",
                    -h, view.target.ceiling_dbtp
                )
            }
        } else {
            "no peaks yet".to_owned()
        };
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(view.target.verdict(gain))
                    .size(14.0)
                    .color(theme::ACCENT)
                    .strong(),
            );
            ui.label(RichText::new(format!("·  {headroom}")).size(12.0).color(
                if headroom.contains("over") {
                    theme::METER_CLIP
                } else {
                    theme::TEXT_DIM
                },
            ));
        });
    });
}

/// A dB value, "-inf" for silence.
pub(super) fn db_text(db: f32) -> String {
    if db.is_finite() && db > -99.0 {
        format!("{db:.1}")
    } else {
        "-inf".to_owned()
    }
}

#[cfg(test)]
mod ratio_tests {
    use super::*;
    use crate::bridge::LoudnessMeters;
    use dsp_core::loudness::LoudnessMeter;

    #[test]
    fn ratios_show_a_dash_until_measured_then_the_meters_values() {
        let meters = LoudnessMeters::default();
        assert_eq!(
            ratio_texts(&meters.load()),
            ("— LU".to_owned(), "— LU".to_owned())
        );
        // 4 s of a 1 kHz stereo sine peaking at -20 dBFS: about -20 LUFS (Tech 3341's
        // calibration: such a sine reads its peak level), so PLR and PSR are near 0 LU.
        let mut meter = LoudnessMeter::new();
        meter.prepare(48_000.0, 4800, 2);
        let tone: Vec<f32> = (0..4 * 48_000)
            .map(|i| 0.1 * (std::f32::consts::TAU * 1000.0 * i as f32 / 48_000.0).sin())
            .collect();
        meter.process_stereo(&tone, &tone);
        meters.publish_loudness(&meter, 4.0);
        let (plr, psr) = ratio_texts(&meters.load());
        assert_eq!(plr, format!("{:.1} LU", meter.plr_lu()));
        assert_eq!(psr, format!("{:.1} LU", meter.psr_lu()));
        assert!(meter.plr_lu().abs() < 0.2 && meter.psr_lu().abs() < 0.2);
    }
}
