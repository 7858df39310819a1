//! `lacquer reference MIX REF...`: the mix against one or more reference tracks at matched
//! loudness: integrated loudness, loudness range, PLR and true peak (the Loudness plugin's
//! meter, as `lacquer measure`), the long-term 1/3-octave spectrum
//! ([`dsp_core::band_spectrum`], IEC 61260 bands, Welch-averaged Hann frames) after each
//! reference is moved to the mix's integrated loudness, and the stereo width per band
//! (side/mid energy ratio and correlation).
//!
//! Band difference `d_b = L_mix,b − (L_ref,b + I_mix − I_ref)`: positive means the mix has more
//! in that band than the loudness-matched reference. With several references the spectra are
//! compared with their average (mean of the matched levels in dB) and the spread is the
//! standard deviation across references (and min/max).
//!
//! The summary names the largest differences: runs of neighbouring bands whose difference
//! against the reference average is at least [`SUMMARY_MIN_DB`] with the same sign, ranked by
//! their mean difference; the loudness figures when they differ by more than
//! [`SUMMARY_MIN_LU`]; side/mid when a band run differs by [`SUMMARY_MIN_WIDTH_DB`] or more.
//! Bands where either programme is more than [`QUIET_BAND_DB`] below its loudest band are left
//! out of the summary (they hold nothing to compare).

use crate::error::CliError;
use crate::measure::{self, value, Reading};
use crate::render;
use dsp_core::band_spectrum::{
    band_label, BandReading, BandSpectrum, NOMINAL_CENTRES_HZ, NUM_BANDS,
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Smallest band-run difference the summary mentions, dB.
pub const SUMMARY_MIN_DB: f64 = 1.0;
/// Smallest loudness-figure difference the summary mentions, LU/dB.
pub const SUMMARY_MIN_LU: f64 = 1.0;
/// Smallest side/mid difference the summary mentions, dB.
pub const SUMMARY_MIN_WIDTH_DB: f64 = 3.0;
/// Bands this far below a programme's loudest band are not compared in the summary, dB.
pub const QUIET_BAND_DB: f64 = 50.0;
/// Side/mid ratios are compared within ±this (dB): below −40 dB a band is mono.
pub const MONO_FLOOR_DB: f64 = 40.0;
/// Most lines of band and width differences in the summary.
const SUMMARY_MAX_RUNS: usize = 3;

/// A decoded, measured programme: loudness reading and long-term band spectrum.
pub struct Analysis {
    /// Loudness, true peak, LRA, PLR.
    pub reading: Reading,
    /// Per band readout (level, mid, side, side/mid, correlation).
    pub bands: [BandReading; NUM_BANDS],
}

/// The band spectrum of planar `channels` at `rate`: the first two channels as L/R, a mono
/// file as L = R (more than two channels: the first two, the front pair of the usual orders).
pub fn spectrum(channels: &[Vec<f32>], rate: u32) -> BandSpectrum {
    let mut spectrum = BandSpectrum::new();
    spectrum.prepare(rate as f32);
    if let Some(left) = channels.first() {
        let right = channels.get(1).unwrap_or(left);
        spectrum.process(left, right);
    }
    spectrum.finish();
    spectrum
}

/// Decodes and analyses `path`.
pub fn analyse_file(path: &Path) -> Result<Analysis, CliError> {
    let audio = render::read(path)?;
    let rate = audio.rate;
    let planes = audio.into_f32();
    analyse_planes(path, rate, &planes)
}

/// Analyses planar samples named `name`.
pub fn analyse_planes(name: &Path, rate: u32, planes: &[Vec<f32>]) -> Result<Analysis, CliError> {
    let reading = measure::measure_planes(name, rate, planes)?.reading;
    let bands = spectrum(planes, rate).bands();
    Ok(Analysis { reading, bands })
}

/// One reference against the mix.
struct Comparison {
    path: PathBuf,
    analysis: Analysis,
    /// `I_mix − I_ref`, the gain that matches the reference to the mix (LU).
    match_gain_db: Option<f64>,
    /// The reference's band levels after matching, dB (`None`: band inactive or silent).
    matched_db: [Option<f64>; NUM_BANDS],
}

/// A band level worth comparing: active and above the floor.
fn level(b: &BandReading) -> Option<f64> {
    (b.active && b.level_db > -150.0).then_some(b.level_db)
}

/// The level of the loudest active band (dB; −∞ when none).
pub fn loudest_band_db(bands: &[BandReading; NUM_BANDS]) -> f64 {
    bands
        .iter()
        .filter_map(level)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Whether band `b` is within [`QUIET_BAND_DB`] of the loudest band of `bands`.
fn significant(bands: &[BandReading; NUM_BANDS], b: usize) -> bool {
    let loudest = loudest_band_db(bands);
    level(&bands[b]).is_some_and(|l| l > loudest - QUIET_BAND_DB)
}

/// Mean and (population) standard deviation.
fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// The whole report, for text and JSON.
pub struct Report {
    mix: Analysis,
    mix_path: PathBuf,
    refs: Vec<Comparison>,
    /// Per band: mean and spread of the matched reference levels (dB), min, max.
    ref_stats: [Option<(f64, f64, f64, f64)>; NUM_BANDS],
    /// Per band: mix − reference average (dB).
    pub band_diff_db: [Option<f64>; NUM_BANDS],
    /// Per band: mix side/mid − reference average side/mid (dB).
    width_diff_db: [Option<f64>; NUM_BANDS],
    /// Readable lines naming the largest differences.
    pub summary: Vec<String>,
}

/// Builds the comparison of `mix` with `refs`.
pub fn compare(mix_path: &Path, refs: &[PathBuf]) -> Result<Report, CliError> {
    let mix = analyse_file(mix_path)?;
    let mix_i = value(mix.reading.integrated_lufs);
    let mut comparisons = Vec::new();
    for path in refs {
        let analysis = analyse_file(path)?;
        let match_gain_db = mix_i
            .zip(value(analysis.reading.integrated_lufs))
            .map(|(m, r)| m - r);
        let matched_db = std::array::from_fn(|b| {
            Some(level(&analysis.bands[b])? + match_gain_db.unwrap_or(0.0))
        });
        comparisons.push(Comparison {
            path: path.clone(),
            analysis,
            match_gain_db,
            matched_db,
        });
    }
    let ref_stats = std::array::from_fn(|b| {
        let values: Vec<f64> = comparisons.iter().filter_map(|c| c.matched_db[b]).collect();
        if values.len() != comparisons.len() || values.is_empty() {
            return None;
        }
        let (mean, sd) = mean_sd(&values);
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((mean, sd, min, max))
    });
    let band_diff_db = std::array::from_fn(|b| {
        let (mean, ..) = ref_stats[b]?;
        Some(level(&mix.bands[b])? - mean)
    });
    let width_diff_db = std::array::from_fn(|b| {
        // Side/mid under MONO_FLOOR_DB reads as the floor: two near-mono bands compare equal
        // (their side may be rounding noise); pure anti-phase (+200) reads as +MONO_FLOOR.
        let side_mid =
            |r: &BandReading| level(r).map(|_| r.side_mid_db.clamp(-MONO_FLOOR_DB, MONO_FLOOR_DB));
        let refs: Vec<f64> = comparisons
            .iter()
            .filter_map(|c| side_mid(&c.analysis.bands[b]))
            .collect();
        if refs.len() != comparisons.len() || refs.is_empty() {
            return None;
        }
        Some(side_mid(&mix.bands[b])? - mean_sd(&refs).0)
    });
    let mut report = Report {
        mix,
        mix_path: mix_path.to_owned(),
        refs: comparisons,
        ref_stats,
        band_diff_db,
        width_diff_db,
        summary: Vec::new(),
    };
    report.summary = summary(&report);
    Ok(report)
}

/// Runs of neighbouring bands whose `diff` has the same sign and at least `min` magnitude,
/// among bands where `keep` holds: `(first, last, mean)`, largest |mean| first.
fn runs(
    diff: &[Option<f64>; NUM_BANDS],
    keep: impl Fn(usize) -> bool,
    min: f64,
) -> Vec<(usize, usize, f64)> {
    let mut found = Vec::new();
    let mut b = 0;
    while b < NUM_BANDS {
        let sign = match diff[b] {
            Some(d) if keep(b) && d.abs() >= min => d.signum(),
            _ => {
                b += 1;
                continue;
            }
        };
        let first = b;
        let mut sum = 0.0;
        while b < NUM_BANDS {
            match diff[b] {
                Some(d) if keep(b) && d.abs() >= min && d.signum() == sign => sum += d,
                _ => break,
            }
            b += 1;
        }
        found.push((first, b - 1, sum / (b - first) as f64));
    }
    found.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()));
    found
}

/// A loudness figure of the summary: name, reading, unit, words for more and less.
type Figure = (
    &'static str,
    fn(&Reading) -> Option<f64>,
    &'static str,
    &'static str,
    &'static str,
);

/// The readable lines of the largest differences.
fn summary(report: &Report) -> Vec<String> {
    let against = if report.refs.len() > 1 {
        "the references"
    } else {
        "the reference"
    };
    let mut lines = Vec::new();
    let keep = |b: usize| {
        significant(&report.mix.bands, b)
            && report
                .refs
                .iter()
                .all(|c| significant(&c.analysis.bands, b))
    };
    for (first, last, mean) in runs(&report.band_diff_db, keep, SUMMARY_MIN_DB)
        .into_iter()
        .take(SUMMARY_MAX_RUNS)
    {
        let more = if mean > 0.0 { "more" } else { "less" };
        lines.push(format!(
            "{:.1} dB {more} {} than {against} (at matched loudness)",
            mean.abs(),
            band_label(first, last)
        ));
    }
    let mean_of = |f: fn(&Reading) -> Option<f64>| -> Option<f64> {
        let values: Vec<f64> = report
            .refs
            .iter()
            .filter_map(|c| f(&c.analysis.reading))
            .collect();
        (values.len() == report.refs.len() && !values.is_empty()).then(|| mean_sd(&values).0)
    };
    let mix = &report.mix.reading;
    let figures: [Figure; 4] = [
        (
            "loudness",
            |r| value(r.integrated_lufs),
            "LU",
            "louder",
            "quieter",
        ),
        (
            "LRA",
            |r| value(r.integrated_lufs).map(|_| r.loudness_range_lu),
            "LU",
            "wider",
            "narrower",
        ),
        (
            "PLR",
            Reading::plr_lu,
            "LU",
            "higher (less limited)",
            "lower (more limited)",
        ),
        (
            "true peak",
            |r| value(r.true_peak_dbtp),
            "dB",
            "higher",
            "lower",
        ),
    ];
    for (name, f, unit, up, down) in figures {
        if let (Some(m), Some(r)) = (f(mix), mean_of(f)) {
            let d = m - r;
            if d.abs() >= SUMMARY_MIN_LU {
                let word = if d > 0.0 { up } else { down };
                lines.push(format!(
                    "{name} {:.1} {unit} {word} than {against}",
                    d.abs()
                ));
            }
        }
    }
    for (first, last, mean) in runs(&report.width_diff_db, keep, SUMMARY_MIN_WIDTH_DB)
        .into_iter()
        .take(SUMMARY_MAX_RUNS)
    {
        let word = if mean > 0.0 { "wider" } else { "narrower" };
        lines.push(format!(
            "{word} {}: side/mid {:+.1} dB against {against}",
            band_label(first, last),
            mean
        ));
    }
    if lines.is_empty() {
        lines.push(format!(
            "no band differs by {SUMMARY_MIN_DB} dB or more from {against} at matched loudness"
        ));
    }
    lines
}

/// `Some(x)` rounded for JSON, `null` otherwise.
fn num(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |v| json!((v * 1000.0).round() / 1000.0))
}

/// The loudness figures of a reading as JSON.
fn figures_json(r: &Reading) -> Value {
    json!({
        "integrated_lufs": num(value(r.integrated_lufs)),
        "loudness_range_lu": num(value(r.integrated_lufs).map(|_| r.loudness_range_lu)),
        "plr_lu": num(r.plr_lu()),
        "true_peak_dbtp": num(value(r.true_peak_dbtp)),
        "sample_peak_dbfs": num(value(r.sample_peak_dbfs)),
        "duration_s": num(Some(r.duration_s)),
    })
}

/// Bands as JSON, with `level_db` shifted by `gain_db`.
fn bands_json(bands: &[BandReading; NUM_BANDS], gain_db: f64) -> Value {
    Value::Array(
        bands
            .iter()
            .enumerate()
            .filter(|(_, b)| b.active)
            .map(|(i, b)| {
                json!({
                    "centre_hz": NOMINAL_CENTRES_HZ[i],
                    "level_db": num(level(b).map(|l| l + gain_db)),
                    "side_mid_db": num((b.side_mid_db.abs() < 150.0).then_some(b.side_mid_db)),
                    "correlation": num(Some(b.correlation)),
                })
            })
            .collect(),
    )
}

impl Report {
    /// The JSON document.
    pub fn json(&self) -> String {
        let mix_i = value(self.mix.reading.integrated_lufs);
        let refs: Vec<Value> = self
            .refs
            .iter()
            .map(|c| {
                let r = &c.analysis.reading;
                let diff = |f: fn(&Reading) -> Option<f64>| {
                    num(f(&self.mix.reading).zip(f(r)).map(|(m, x)| m - x))
                };
                json!({
                    "file": c.path.display().to_string(),
                    "figures": figures_json(r),
                    "match_gain_db": num(c.match_gain_db),
                    "mix_minus_reference": {
                        "integrated_lu": diff(|r| value(r.integrated_lufs)),
                        "loudness_range_lu": diff(|r| value(r.integrated_lufs).map(|_| r.loudness_range_lu)),
                        "plr_lu": diff(Reading::plr_lu),
                        "true_peak_db": diff(|r| value(r.true_peak_dbtp)),
                    },
                    "bands_matched": bands_json(&c.analysis.bands, c.match_gain_db.unwrap_or(0.0)),
                    "band_diff_db": self.band_diffs_against(c),
                })
            })
            .collect();
        let average: Vec<Value> = (0..NUM_BANDS)
            .filter(|&b| self.mix.bands[b].active)
            .map(|b| {
                let stats = self.ref_stats[b];
                json!({
                    "centre_hz": NOMINAL_CENTRES_HZ[b],
                    "reference_mean_db": num(stats.map(|s| s.0)),
                    "reference_spread_db": num(stats.map(|s| s.1)),
                    "reference_min_db": num(stats.map(|s| s.2)),
                    "reference_max_db": num(stats.map(|s| s.3)),
                    "mix_minus_references_db": num(self.band_diff_db[b]),
                    "side_mid_diff_db": num(self.width_diff_db[b]),
                })
            })
            .collect();
        let doc = json!({
            "mix": {
                "file": self.mix_path.display().to_string(),
                "figures": figures_json(&self.mix.reading),
                "integrated_lufs": num(mix_i),
                "bands": bands_json(&self.mix.bands, 0.0),
            },
            "references": refs,
            "average": average,
            "summary": self.summary,
        });
        serde_json::to_string_pretty(&doc).expect("a JSON value always serialises") + "\n"
    }

    /// Per band `mix − matched reference` for one reference.
    fn band_diffs_against(&self, c: &Comparison) -> Value {
        Value::Array(
            (0..NUM_BANDS)
                .filter(|&b| self.mix.bands[b].active)
                .map(|b| {
                    num(level(&self.mix.bands[b])
                        .zip(c.matched_db[b])
                        .map(|(m, r)| m - r))
                })
                .collect(),
        )
    }

    /// The text report.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut rows = vec![self.mix.reading.clone()];
        rows[0].name = format!("{} (mix)", self.mix_path.display());
        for c in &self.refs {
            let mut r = c.analysis.reading.clone();
            r.name = match c.match_gain_db {
                Some(g) => format!("{} (matched {g:+.1} dB)", c.path.display()),
                None => c.path.display().to_string(),
            };
            rows.push(r);
        }
        out.push_str(&crate::report::table(&rows, &[]));
        out.push('\n');
        let several = self.refs.len() > 1;
        out.push_str(&format!(
            "{:>8}  {:>8}  {:>9}  {:>8}  {:>9}  {:>9}\n",
            "band Hz",
            "mix dB",
            if several { "refs dB" } else { "ref dB" },
            "mix−ref",
            if several { "spread" } else { "" },
            "S/M diff"
        ));
        let cell = |x: Option<f64>, signed: bool| match (x, signed) {
            (Some(v), true) => format!("{v:+.1}"),
            (Some(v), false) => format!("{v:.1}"),
            (None, _) => "-".to_owned(),
        };
        for b in (0..NUM_BANDS).filter(|&b| self.mix.bands[b].active) {
            let stats = self.ref_stats[b];
            out.push_str(&format!(
                "{:>8}  {:>8}  {:>9}  {:>8}  {:>9}  {:>9}\n",
                NOMINAL_CENTRES_HZ[b],
                cell(level(&self.mix.bands[b]), false),
                cell(stats.map(|s| s.0), false),
                cell(self.band_diff_db[b], true),
                if several {
                    cell(stats.map(|s| s.1), false)
                } else {
                    String::new()
                },
                cell(self.width_diff_db[b], true),
            ));
        }
        out.push('\n');
        for line in &self.summary {
            out.push_str(&format!("- {line}\n"));
        }
        out
    }
}

/// `lacquer reference`.
pub fn reference(mix: &Path, refs: &[PathBuf], json: bool) -> Result<(), CliError> {
    let report = compare(mix, refs)?;
    if json {
        print!("{}", report.json());
    } else {
        print!("{}", report.text());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_group_neighbouring_bands_of_one_sign_largest_first() {
        let mut diff = [Some(0.0); NUM_BANDS];
        diff[3] = Some(-2.0);
        diff[4] = Some(-3.0);
        diff[5] = Some(1.5); // sign change: its own run
        diff[10] = Some(4.0);
        diff[11] = None; // a gap ends a run
        diff[12] = Some(4.0);
        diff[20] = Some(5.0); // left out by `keep`
        let found = runs(&diff, |b| b != 20, SUMMARY_MIN_DB);
        assert_eq!(
            found,
            vec![(10, 10, 4.0), (12, 12, 4.0), (3, 4, -2.5), (5, 5, 1.5)]
        );
        assert!(runs(&diff, |_| true, 10.0).is_empty());
    }
}
