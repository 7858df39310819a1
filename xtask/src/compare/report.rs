//! The comparison's report: the Markdown tables (README and `target/compare/compare.md`),
//! the JSON document, and the README section they are written into.

use super::peers::{Run, PROCESSORS};
use super::signal::RATE;
use super::{BlockDiff, Comparison, README_BEGIN, README_END};
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A number or a dash.
fn num(x: Option<f64>, decimals: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "–".to_owned(),
    }
}

/// A table cell: `|` would end it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The first line of an error, shortened.
fn short(error: &str) -> String {
    let line = error.lines().last().unwrap_or(error);
    line.chars().take(120).collect()
}

impl Comparison {
    /// Net ns per stereo sample; `None` when it failed or lies within the baseline's
    /// run-to-run spread.
    pub(super) fn ns_per_sample(&self, i: usize) -> Option<f64> {
        let s = &self.speed[i];
        if s.error.is_some() {
            return None;
        }
        let net = s.net_ns()?;
        (net > s.noise_ns() && net > 0.0).then(|| net / self.frames as f64)
    }

    /// The ratio Lacquer / fastest peer for `processor` (< 1: Lacquer is faster).
    pub(super) fn ratio(&self, processor: &str) -> Option<f64> {
        let mut lacquer = None;
        let mut fastest: Option<f64> = None;
        for (i, row) in self.rows.iter().enumerate() {
            if row.processor != processor {
                continue;
            }
            let Some(ns) = self.ns_per_sample(i) else {
                continue;
            };
            if row.is_lacquer() {
                lacquer = Some(ns);
            } else {
                fastest = Some(fastest.map_or(ns, |f| f.min(ns)));
            }
        }
        Some(lacquer? / fastest?)
    }

    pub(super) fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(
            md,
            "Measured {} on {} with `cargo xtask compare`: {}; {} runs each; load average {} \
             before the speed runs and {} after them.\n",
            self.date, self.machine, self.programme, self.runs, self.load.0, self.load.1
        );
        md.push_str(
            "| processor | implementation | settings | ns / stereo sample | realtime | \
             Lacquer ÷ fastest peer | blocks 1, 64 vs 4096 |\n|---|---|---|---|---|---|---|\n",
        );
        for (i, row) in self.rows.iter().enumerate() {
            let first = i == 0 || self.rows[i - 1].processor != row.processor;
            let (ns, rt) = match (&row.run, &self.speed[i].error) {
                (Run::Unavailable(reason), _) => {
                    (format!("not available: {reason}"), String::new())
                }
                (_, Some(e)) => (format!("failed: {}", short(e)), String::new()),
                _ => {
                    let net = self.speed[i].net_ns().unwrap_or(f64::NAN);
                    let noise = self.speed[i].noise_ns();
                    let ns = net / self.frames as f64;
                    if net <= noise {
                        (
                            format!(
                                "≈ 0 (below the baseline's run-to-run spread, {:.2})",
                                noise / self.frames as f64
                            ),
                            "–".to_owned(),
                        )
                    } else {
                        let seconds = self.frames as f64 / f64::from(RATE);
                        (
                            format!("{ns:.1}"),
                            format!("{:.0}×", seconds / (net * 1e-9)),
                        )
                    }
                }
            };
            let ratio = if first && row.is_lacquer() {
                let has_peer = self.rows.iter().enumerate().any(|(j, r)| {
                    r.processor == row.processor
                        && !r.is_lacquer()
                        && self.ns_per_sample(j).is_some()
                });
                match self.ratio(row.processor) {
                    Some(r) => format!("**{r:.2}**"),
                    None if has_peer => "– (Lacquer's cost is below the noise)".to_owned(),
                    None => "no peer".to_owned(),
                }
            } else {
                String::new()
            };
            let blocks = match &self.blocks[i] {
                _ if matches!(row.run, Run::Unavailable(_)) => String::new(),
                Ok(BlockDiff { whole: None, .. }) => "identical".to_owned(),
                Ok(BlockDiff {
                    whole: Some(db),
                    after_1s,
                }) => format!(
                    "differ by up to {db:.0} dBFS ({} after the first second)",
                    after_1s.map_or("identical".to_owned(), |d| format!("{d:.0} dBFS"))
                ),
                Err(e) => format!("failed: {}", short(e)),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} |",
                if first { row.processor } else { "" },
                cell(row.name),
                cell(&row.settings),
                cell(&ns),
                rt,
                ratio,
                cell(&blocks)
            );
        }
        let with_peer: Vec<(&str, f64)> = PROCESSORS
            .iter()
            .filter_map(|p| Some((*p, self.ratio(p)?)))
            .collect();
        let faster = with_peer.iter().filter(|(_, r)| *r < 1.0).count();
        let _ = writeln!(
            md,
            "\nLacquer is faster than the fastest peer for {faster} of the {} processors with a \
             measured peer.\n",
            with_peer.len()
        );

        md.push_str(
            "**Limiter ceiling** (−1 dB), programme driven into each limiter; peaks of the \
             output computed by this command (ideal band-limited interpolation):\n\n\
             | drive | limiter | sample peak dBFS | true peak 4× dBTP | true peak 16× dBTP | \
             16× over the ceiling |\n|---|---|---|---|---|---|\n",
        );
        for r in &self.limiter {
            match &r.peaks {
                Ok((tp4, tp16, sp)) => {
                    let over = tp16 + 1.0;
                    let _ = writeln!(
                        md,
                        "| +{} dB | {} | {sp:.2} | {tp4:.2} | {tp16:.2} | {} |",
                        r.drive_db,
                        r.name,
                        if over > 0.005 {
                            format!("**+{over:.2} dB**")
                        } else {
                            "none".to_owned()
                        }
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        md,
                        "| +{} dB | {} | failed: {} | | | |",
                        r.drive_db,
                        r.name,
                        cell(&short(e))
                    );
                }
            }
        }
        md.push_str(
            "\n**Loudness meters** against each other (ffmpeg prints one decimal):\n\n\
             | signal | meter | I LUFS | LRA LU | true peak dBTP |\n|---|---|---|---|---|\n",
        );
        for r in &self.loudness {
            match &r.reading {
                Ok(l) => {
                    let _ = writeln!(
                        md,
                        "| {} | {} | {} | {} | {} |",
                        r.signal,
                        r.meter,
                        num(Some(l.integrated_lufs), 2),
                        num(Some(l.range_lu), 2),
                        num(l.true_peak_dbtp, 2)
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        md,
                        "| {} | {} | failed: {} | | |",
                        r.signal,
                        r.meter,
                        cell(&short(e))
                    );
                }
            }
        }
        md.push_str(
            "\n**EQ magnitude** against the analog prototype (the four bells above, RBJ's \
             analog peaking filter), from each EQ's impulse response, 1/24 octave, worst \
             error:\n\n| EQ | 20 Hz – 10 kHz | 10 – 20 kHz |\n|---|---|---|\n",
        );
        for r in &self.eq {
            match &r.error {
                Ok((low, high)) => {
                    let _ = writeln!(md, "| {} | {low:.2} dB | {high:.2} dB |", r.name);
                }
                Err(e) => {
                    let _ = writeln!(md, "| {} | failed: {} | |", r.name, cell(&short(e)));
                }
            }
        }
        md
    }

    pub(super) fn json(&self) -> serde_json::Value {
        let rows: Vec<_> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let s = &self.speed[i];
                json!({
                    "processor": row.processor,
                    "implementation": row.name,
                    "settings": row.settings,
                    "available": !matches!(row.run, Run::Unavailable(_)),
                    "unavailable_reason": match &row.run { Run::Unavailable(r) => Some(r.clone()), _ => None },
                    "cpu_ns_runs": s.runs_ns,
                    "baseline_ns_runs": s.baseline_ns,
                    "ns_per_stereo_sample": self.ns_per_sample(i),
                    "error": s.error,
                    "block_invariance_max_difference_dbfs": match &self.blocks[i] {
                        Ok(d) => json!({
                            "whole": d.whole.map_or("identical".to_owned(), |d| format!("{d:.1}")),
                            "after_1s": d.after_1s.map_or("identical".to_owned(), |d| format!("{d:.1}")),
                        }),
                        Err(e) => json!({ "error": e }),
                    },
                })
            })
            .collect();
        let ratios: BTreeMap<&str, Option<f64>> =
            PROCESSORS.iter().map(|p| (*p, self.ratio(p))).collect();
        json!({
            "date": self.date,
            "machine": self.machine,
            "load_average_before_after": [self.load.0, self.load.1],
            "programme": self.programme,
            "frames": self.frames,
            "runs": self.runs,
            "rows": rows,
            "lacquer_over_fastest_peer": ratios,
            "limiter": self.limiter.iter().map(|r| json!({
                "drive_db": r.drive_db,
                "limiter": r.name,
                "true_peak_4x_dbtp": r.peaks.as_ref().ok().map(|p| p.0),
                "true_peak_16x_dbtp": r.peaks.as_ref().ok().map(|p| p.1),
                "sample_peak_dbfs": r.peaks.as_ref().ok().map(|p| p.2),
                "error": r.peaks.as_ref().err(),
            })).collect::<Vec<_>>(),
            "loudness": self.loudness.iter().map(|r| json!({
                "signal": r.signal,
                "meter": r.meter,
                "integrated_lufs": r.reading.as_ref().ok().map(|l| l.integrated_lufs).filter(|x| x.is_finite()),
                "loudness_range_lu": r.reading.as_ref().ok().map(|l| l.range_lu).filter(|x| x.is_finite()),
                "true_peak_dbtp": r.reading.as_ref().ok().and_then(|l| l.true_peak_dbtp),
                "error": r.reading.as_ref().err(),
            })).collect::<Vec<_>>(),
            "eq_magnitude_error_db": self.eq.iter().map(|r| json!({
                "eq": r.name,
                "up_to_10khz": r.error.as_ref().ok().map(|e| e.0),
                "10_to_20khz": r.error.as_ref().ok().map(|e| e.1),
                "error": r.error.as_ref().err(),
            })).collect::<Vec<_>>(),
        })
    }
}

/// `readme` with the text between [`README_BEGIN`] and [`README_END`] replaced by
/// `generated`; without the markers, a "How Lacquer compares" section holding them is put
/// before "## Tests" (or at the end).
pub fn rewrite_readme(readme: &str, generated: &str) -> String {
    let block = format!("{README_BEGIN}\n{}\n{README_END}", generated.trim_end());
    if let (Some(b), Some(e)) = (readme.find(README_BEGIN), readme.find(README_END)) {
        if b < e {
            return format!("{}{block}{}", &readme[..b], &readme[e + README_END.len()..]);
        }
    }
    let section = format!("## How Lacquer compares\n\n{block}\n\n");
    match readme.find("\n## Tests\n") {
        Some(at) => format!("{}{section}{}", &readme[..at + 1], &readme[at + 1..]),
        None => format!("{}\n{section}", readme.trim_end()),
    }
}
