//! `lacquer check MIX`: the gain-staging and handover check of a mix going to mastering.
//!
//! Each line passes, warns or fails; any failure makes the command exit with
//! [`EXIT_CHECK_FAILED`]:
//! * clipping: runs of at least [`CLIP_RUN`] consecutive samples of one channel at or above
//!   [`CLIP_THRESHOLD`] (0.999, −0.0087 dBFS: a 16-bit file's 32767 counts; the Loudness
//!   plugin's handover view counts clips the same way) —
//!   fails on any run;
//! * headroom: the true peak (BS.1770 4x, the Loudness meter's) against `−headroom` dBTP
//!   (default 3: peaks at or below −3 dBFS, the usual −3 to −6 dB advice) — fails above;
//!   sample peak shown beside it;
//! * DC offset: each channel's mean — fails above [`DC_FAIL_DBFS`];
//! * mono compatibility: the correlation of L and R over the whole file (fails below 0),
//!   the mono fold-down loss, integrated loudness of `[(L+R)/2, (L+R)/2]` minus that of
//!   `[L, R]` (fails beyond [`MONO_LOSS_FAIL_LU`]: uncorrelated channels lose 3.01 LU, so only
//!   partly cancelling content does), and the lowest 1/3-octave band correlation among bands
//!   within 30 dB of the loudest (fails below [`BAND_CORRELATION_FAIL`], anti-phase content
//!   in one band);
//! * leading and trailing silence: time before the first and after the last sample above
//!   [`SILENCE_DBFS`] — warns beyond [`SILENCE_WARN_S`].

use crate::error::CliError;
use crate::measure::{self, value};
use crate::reference::{loudest_band_db, spectrum};
use crate::render;
use dsp_core::band_spectrum::{NOMINAL_CENTRES_HZ, NUM_BANDS};
use serde_json::{json, Value};
use std::path::Path;

/// Exit code of a check that found a failure (see the README's table).
pub const EXIT_CHECK_FAILED: u8 = 1;
/// Samples at or above this magnitude count as full scale.
pub const CLIP_THRESHOLD: f64 = 0.999;
/// Consecutive full-scale samples that make a clip.
pub const CLIP_RUN: usize = 3;
/// DC offset above this fails, dBFS (0.001 of full scale).
pub const DC_FAIL_DBFS: f64 = -60.0;
/// Mono fold-down loss beyond this fails, LU.
pub const MONO_LOSS_FAIL_LU: f64 = 3.5;
/// A significant band with a correlation below this fails.
pub const BAND_CORRELATION_FAIL: f64 = -0.2;
/// Bands this far under the loudest are not judged for correlation, dB.
const BAND_RANGE_DB: f64 = 30.0;
/// Samples under this are silence, dBFS.
pub const SILENCE_DBFS: f64 = -60.0;
/// Leading or trailing silence longer than this warns, seconds.
pub const SILENCE_WARN_S: f64 = 2.0;

/// A check's verdict.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "FAIL",
        }
    }
}

/// One line of the check.
pub struct Line {
    pub name: &'static str,
    pub status: Status,
    pub text: String,
    pub values: Value,
}

/// Clipped runs in one channel: (runs, samples in them).
fn clipped_runs(channel: &[f64], threshold: f64) -> (usize, usize) {
    let (mut runs, mut samples, mut current) = (0, 0, 0);
    for &x in channel.iter().chain(std::iter::once(&0.0)) {
        if x.abs() >= threshold {
            current += 1;
        } else {
            if current >= CLIP_RUN {
                runs += 1;
                samples += current;
            }
            current = 0;
        }
    }
    (runs, samples)
}

fn db(x: f64) -> f64 {
    if x > 1e-10 {
        20.0 * x.log10()
    } else {
        -200.0
    }
}

/// Runs every check on `path` with peaks allowed up to `−headroom_db` dBTP.
pub fn check_file(path: &Path, headroom_db: f64) -> Result<Vec<Line>, CliError> {
    let audio = render::read(path)?;
    let rate = audio.rate;
    let frames = audio.frames();
    let mut lines = Vec::new();

    // Clipping.
    let threshold = CLIP_THRESHOLD;
    let per_channel: Vec<(usize, usize)> = audio
        .channels
        .iter()
        .map(|c| clipped_runs(c, threshold))
        .collect();
    let runs: usize = per_channel.iter().map(|c| c.0).sum();
    let samples: usize = per_channel.iter().map(|c| c.1).sum();
    lines.push(Line {
        name: "clipping",
        status: if runs > 0 { Status::Fail } else { Status::Pass },
        text: format!(
            "{runs} run(s) of ≥{CLIP_RUN} samples at |x| ≥ {CLIP_THRESHOLD}, {samples} sample(s)"
        ),
        values: json!({"runs": runs, "samples": samples, "threshold": CLIP_THRESHOLD, "min_run": CLIP_RUN}),
    });

    // DC offset (before the planes are handed over as f32).
    let dc: Vec<f64> = audio
        .channels
        .iter()
        .map(|c| c.iter().sum::<f64>() / c.len().max(1) as f64)
        .collect();
    let worst_dc = dc.iter().fold(0.0_f64, |m, d| m.max(d.abs()));
    // Silence at the ends.
    let silence = 10f64.powf(SILENCE_DBFS / 20.0);
    let loud = |i: usize| audio.channels.iter().any(|c| c[i].abs() > silence);
    let first = (0..frames).find(|&i| loud(i));
    let last = (0..frames).rev().find(|&i| loud(i));
    let (lead_s, trail_s) = match (first, last) {
        (Some(f), Some(l)) => (
            f as f64 / rate as f64,
            (frames - 1 - l) as f64 / rate as f64,
        ),
        _ => (frames as f64 / rate as f64, frames as f64 / rate as f64),
    };
    let planes = audio.into_f32();
    let reading = measure::measure_planes(path, rate, &planes)?.reading;

    // Peaks and headroom.
    let tp = value(reading.true_peak_dbtp);
    let sp = value(reading.sample_peak_dbfs);
    let ceiling = -headroom_db;
    let ok = tp.is_none_or(|tp| tp <= ceiling + 1e-9);
    let show = |x: Option<f64>| x.map_or("-inf".to_owned(), |v| format!("{v:.2}"));
    lines.push(Line {
        name: "headroom",
        status: if ok { Status::Pass } else { Status::Fail },
        text: format!(
            "true peak {} dBTP, sample peak {} dBFS, target ≤ {ceiling:.1} dBTP ({} dB headroom)",
            show(tp),
            show(sp),
            tp.map_or("all".to_owned(), |tp| format!("{:.2}", -tp)),
        ),
        values: json!({"true_peak_dbtp": tp, "sample_peak_dbfs": sp, "ceiling_dbtp": ceiling,
                       "headroom_db": tp.map(|t| -t)}),
    });

    lines.push(Line {
        name: "dc offset",
        status: if db(worst_dc) > DC_FAIL_DBFS { Status::Fail } else { Status::Pass },
        text: format!(
            "{} dBFS (largest channel mean {:+.6}), limit {DC_FAIL_DBFS} dBFS",
            show(value(db(worst_dc))),
            dc.iter().copied().fold(0.0, |m: f64, d| if d.abs() > m.abs() { d } else { m })
        ),
        values: json!({"per_channel": dc, "worst_dbfs": value(db(worst_dc)), "limit_dbfs": DC_FAIL_DBFS}),
    });

    // Mono compatibility (stereo files).
    if planes.len() >= 2 {
        let (l, r) = (&planes[0], &planes[1]);
        let (mut lr, mut ll, mut rr) = (0.0_f64, 0.0_f64, 0.0_f64);
        for (&a, &b) in l.iter().zip(r) {
            let (a, b) = (f64::from(a), f64::from(b));
            lr += a * b;
            ll += a * a;
            rr += b * b;
        }
        let correlation = if ll * rr > 0.0 {
            lr / (ll * rr).sqrt()
        } else {
            0.0
        };
        let mono: Vec<f32> = l.iter().zip(r).map(|(a, b)| 0.5 * (a + b)).collect();
        let folded = measure::measure_planes(path, rate, &[mono.clone(), mono])?.reading;
        let loss = value(reading.integrated_lufs)
            .map(|i| value(folded.integrated_lufs).map_or(f64::INFINITY, |m| i - m));
        let bands = spectrum(&planes, rate).bands();
        let loudest = loudest_band_db(&bands);
        let worst_band = (0..NUM_BANDS)
            .filter(|&b| bands[b].active && bands[b].level_db > loudest - BAND_RANGE_DB)
            .min_by(|&a, &b| bands[a].correlation.total_cmp(&bands[b].correlation));
        let band_bad = worst_band.is_some_and(|b| bands[b].correlation < BAND_CORRELATION_FAIL);
        let fail = correlation < 0.0 || loss.is_some_and(|l| l > MONO_LOSS_FAIL_LU) || band_bad;
        let loss_text = match loss {
            Some(l) if l.is_finite() => format!("{l:.2} LU"),
            Some(_) => "all (cancels to silence)".to_owned(),
            None => "-".to_owned(),
        };
        lines.push(Line {
            name: "mono",
            status: if fail { Status::Fail } else { Status::Pass },
            text: format!(
                "correlation {correlation:+.2}, fold-down loss {loss_text}{}",
                worst_band.map_or(String::new(), |b| format!(
                    ", lowest band correlation {:+.2} at {} Hz",
                    bands[b].correlation, NOMINAL_CENTRES_HZ[b]
                ))
            ),
            values: json!({
                "correlation": correlation,
                "fold_down_loss_lu": loss.filter(|l| l.is_finite()),
                "cancels": loss.is_some_and(|l| !l.is_finite()),
                "lowest_band_correlation": worst_band.map(|b| bands[b].correlation),
                "lowest_band_hz": worst_band.map(|b| NOMINAL_CENTRES_HZ[b]),
            }),
        });
    }

    let long = lead_s > SILENCE_WARN_S || trail_s > SILENCE_WARN_S;
    lines.push(Line {
        name: "silence",
        status: if long { Status::Warn } else { Status::Pass },
        text: format!("{lead_s:.2} s leading, {trail_s:.2} s trailing (under {SILENCE_DBFS} dBFS)"),
        values: json!({"leading_s": lead_s, "trailing_s": trail_s, "threshold_dbfs": SILENCE_DBFS}),
    });
    Ok(lines)
}

/// `lacquer check`: prints the lines (or JSON) and returns whether everything passed.
pub fn check(path: &Path, headroom_db: f64, json: bool) -> Result<bool, CliError> {
    let lines = check_file(path, headroom_db)?;
    let passed = lines.iter().all(|l| l.status != Status::Fail);
    if json {
        let doc = json!({
            "file": path.display().to_string(),
            "passed": passed,
            "checks": lines.iter().map(|l| json!({
                "check": l.name,
                "status": l.status.word().to_ascii_lowercase(),
                "text": l.text,
                "values": l.values,
            })).collect::<Vec<_>>(),
        });
        print!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("a JSON value always serialises") + "\n"
        );
    } else {
        println!("{}", path.display());
        for l in &lines {
            println!("  {:<4}  {:<9}  {}", l.status.word(), l.name, l.text);
        }
        println!("{}", if passed { "passed" } else { "FAILED" });
    }
    Ok(passed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_runs_count_three_or_more_full_scale_samples_anywhere() {
        let t = CLIP_THRESHOLD;
        // A run at the start, one of two (not a clip), one at the very end.
        let x = [1.0, -1.0, 1.0, 0.5, 1.0, 1.0, 0.0, 0.999, 1.0, -0.9995, 1.0];
        assert_eq!(clipped_runs(&x, t), (2, 7));
        assert_eq!(clipped_runs(&[0.998; 10], t), (0, 0));
        assert_eq!(clipped_runs(&[], t), (0, 0));
    }
}
