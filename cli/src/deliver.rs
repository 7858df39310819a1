//! `lacquer master IN --deliver spotify,apple,cd,vinyl,... -o DIR`: one master per destination
//! from one chain (the `master` chain's optional EQ tilt and Imager bass mono, run once), each
//! written as `DIR/<stem>-<destination>.wav` with its measurement beside it as `.json`.
//!
//! * Streaming (any key of [`dsp_core::loudness::targets::TARGETS`]: spotify, apple,
//!   youtube, tidal, deezer, amazon, ebu, atsc): the Limiter at the platform's true-peak
//!   ceiling, its gain searched to the platform's loudness (as `master --target`), at the
//!   input's sample rate, 24-bit (or `--bits`), dithered by the Limiter.
//! * `cd`: 44.1 kHz, 16-bit, TPDF-dithered after conversion; the Limiter searched to
//!   [`CD_LUFS`] with its ceiling at [`CD_CEILING_DBFS`], and the sample peaks of the written
//!   file must stay at or under that ceiling.
//! * `vinyl`: 24-bit at the input's rate, low end mono below [`VINYL_MONO_HZ`] (the Imager's
//!   bass mono), no limiter: one linear gain puts the true peak at [`VINYL_PEAK_DBTP`]. Warns
//!   where the highs carry side energy (side/mid above [`VINYL_SIDE_WARN_DB`] or negative
//!   correlation in a band from 4 kHz, within 40 dB of the loudest band) or where 5–10 kHz
//!   (sibilance, hi-hats) is within [`VINYL_SIBILANCE_WARN_DB`] of the 250 Hz–2 kHz level per
//!   band: both cut badly (vertical groove modulation, tracing distortion).
//!
//! Sample-rate conversion (`lacquer-media`'s rubato asynchronous sinc resampler, 256-tap
//! Blackman-Harris² windowed sinc, automatic cutoff, cubic interpolation, fixed ratio; the
//! whole clip with its
//! delay trimmed) runs after the Limiter, so its overshoot is measured: the true peak before
//! and after conversion is reported. Every file is decoded again after writing and measured;
//! when its peak (true peak, or sample peak for CD) is over the ceiling, the Limiter's ceiling
//! is lowered by the overshoot plus [`RETRY_MARGIN_DB`] and the destination is redone (the
//! gain search runs again, so the loudness stays on target); when its loudness is more than
//! the search tolerance off (conversion removes what lies above the new Nyquist: 0.6 LU of
//! full-band white noise from 48 to 44.1 kHz), the search aims off the target by the miss and
//! the destination is redone; at most [`MAX_ATTEMPTS`] times.

use crate::error::CliError;
use crate::master::{self, Job, Options, Planes};
use crate::measure::{self, value, Reading};
use crate::reference::{loudest_band_db, spectrum};
use crate::render::{self, Bits};
use dsp_core::band_spectrum::{band_label, NUM_BANDS};
use dsp_core::loudness::targets::Target;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// CD master loudness, LUFS (the issue is silent; a CD is not normalised, so it is louder
/// than streaming masters, but not pushed to the loudness war's −8).
pub const CD_LUFS: f64 = -12.0;
/// CD sample-peak ceiling after conversion and dither, dBFS (the Limiter's starting ceiling).
pub const CD_CEILING_DBFS: f64 = -0.3;
/// CD rate, Hz.
pub const CD_RATE: u32 = 44_100;
/// Vinyl: the low end is mono below this, Hz.
pub const VINYL_MONO_HZ: f64 = 150.0;
/// Vinyl: the true peak the linear gain aims at, dBTP.
pub const VINYL_PEAK_DBTP: f64 = -3.0;
/// Vinyl warning: side/mid above this in a band from 4 kHz, dB.
pub const VINYL_SIDE_WARN_DB: f64 = -6.0;
/// Vinyl warning: 5–10 kHz per-band level above the 250 Hz–2 kHz level minus this, dB.
pub const VINYL_SIBILANCE_WARN_DB: f64 = 6.0;
/// How far under the overshoot a redo puts the Limiter's ceiling, dB.
pub const RETRY_MARGIN_DB: f64 = 0.05;
/// Attempts per destination.
pub const MAX_ATTEMPTS: usize = 6;
/// How close the written file's loudness must be to the target, LU.
pub const LOUDNESS_TOLERANCE_LU: f64 = 0.1;

/// One destination of `--deliver`.
#[derive(Clone, Copy, Debug)]
pub enum Destination {
    Streaming(Target),
    Cd,
    Vinyl,
}

impl Destination {
    /// The key used in file names.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Streaming(t) => t.key,
            Self::Cd => "cd",
            Self::Vinyl => "vinyl",
        }
    }
}

/// `--deliver` item: a target key, `cd` or `vinyl`.
pub fn parse_destination(text: &str) -> Result<Destination, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "cd" => Ok(Destination::Cd),
        "vinyl" => Ok(Destination::Vinyl),
        key => Target::by_key(key)
            .map(|t| Destination::Streaming(*t))
            .ok_or_else(|| {
                let keys: Vec<&str> = dsp_core::loudness::targets::TARGETS
                    .iter()
                    .map(|t| t.key)
                    .collect();
                format!(
                    "unknown destination '{text}': use {}, cd or vinyl",
                    keys.join(", ")
                )
            }),
    }
}

/// Resamples planar `planes` from `from` to `to` Hz (the shared sinc resampler of
/// `lacquer-media`: every plane comes out `ceil(frames·to/from)` frames long).
pub fn resample(planes: &[Vec<f32>], from: u32, to: u32, what: &Path) -> Result<Planes, CliError> {
    lacquer_media::resample::resample_planar(planes, from, to)
        .map_err(|e| CliError::unsupported(what, format!("resampling {from} Hz to {to} Hz: {e}")))
}

/// True peak (dBTP) of planes, through the Loudness meter.
fn true_peak(name: &Path, rate: u32, planes: &[Vec<f32>]) -> Result<Option<f64>, CliError> {
    Ok(value(
        measure::measure_planes(name, rate, planes)?
            .reading
            .true_peak_dbtp,
    ))
}

/// What one destination produced.
struct Delivered {
    destination: Destination,
    path: PathBuf,
    rate: u32,
    bits: u32,
    reading: Reading,
    /// Target loudness, if any (LUFS).
    target_lufs: Option<f64>,
    /// The peak limit and what it applies to.
    ceiling: f64,
    peak_kind: &'static str,
    /// Gain into the Limiter (or the vinyl gain), dB.
    gain_db: f64,
    /// The Limiter's ceiling on the final attempt (dBTP).
    limiter_ceiling_dbtp: Option<f64>,
    /// The loudness the gain search aimed at on the final attempt (LUFS).
    search_lufs: Option<f64>,
    attempts: usize,
    /// (from, to, true peak before, true peak after) of the conversion.
    src: Option<(u32, u32, Option<f64>, Option<f64>)>,
    /// Dithered when written (a converted output, or vinyl); a Limiter-dithered output is
    /// on the grid already and reads false.
    dithered_on_write: bool,
    warnings: Vec<String>,
    met: bool,
}

impl Delivered {
    /// The peak the ceiling applies to.
    fn peak(&self) -> Option<f64> {
        if self.peak_kind == "sample" {
            value(self.reading.sample_peak_dbfs)
        } else {
            value(self.reading.true_peak_dbtp)
        }
    }

    fn json(&self) -> Value {
        let r = &self.reading;
        json!({
            "destination": self.destination.key(),
            "file": self.path.display().to_string(),
            "sample_rate": self.rate,
            "bits": self.bits,
            "target_lufs": self.target_lufs,
            "ceiling": self.ceiling,
            "ceiling_applies_to": format!("{} peak", self.peak_kind),
            "integrated_lufs": value(r.integrated_lufs),
            "loudness_range_lu": value(r.integrated_lufs).map(|_| r.loudness_range_lu),
            "true_peak_dbtp": value(r.true_peak_dbtp),
            "sample_peak_dbfs": value(r.sample_peak_dbfs),
            "plr_lu": r.plr_lu(),
            "duration_s": r.duration_s,
            "gain_db": self.gain_db,
            "limiter_ceiling_dbtp": self.limiter_ceiling_dbtp,
            "search_target_lufs": self.search_lufs,
            "attempts": self.attempts,
            "resampled": self.src.map(|(from, to, before, after)| json!({
                "from_hz": from, "to_hz": to,
                "true_peak_before_dbtp": before, "true_peak_after_dbtp": after,
            })),
            "dithered_on_write": self.dithered_on_write,
            "warnings": self.warnings,
            "meets_target": self.met,
        })
    }
}

/// Quantises, writes, decodes the written file again and measures it; also whether the
/// quantisation dithered (false when the samples were on the grid already: the Limiter
/// dithered them, or nothing was to be done).
fn write_and_measure(
    path: &Path,
    rate: u32,
    mut planes: Planes,
    bits: Bits,
    options: &Options,
) -> Result<(Reading, bool), CliError> {
    let dithered = render::quantise(&mut planes, bits, options.dither);
    render::write(path, rate, &planes, bits)?;
    let written = render::read(path)?;
    let rate = written.rate;
    let reading = measure::measure_planes(path, rate, &written.into_f32())?.reading;
    Ok((reading, dithered))
}

/// A limited destination: streaming or CD.
#[allow(clippy::too_many_arguments)]
fn limited(
    destination: Destination,
    input: &Path,
    path: PathBuf,
    rate: u32,
    pre: &Planes,
    before: &Reading,
    (target_lufs, ceiling, sample_peak): (f64, f64, bool),
    (out_rate, bits): (u32, Bits),
    options: &Options,
) -> Result<Delivered, CliError> {
    let mut limiter_ceiling = ceiling;
    let mut search_lufs = target_lufs;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let job = Job {
            input: input.to_owned(),
            output: path.clone(),
            rate,
            // Converted outputs are dithered after conversion, not by the Limiter.
            bits: if out_rate == rate {
                bits
            } else {
                Bits::Float32
            },
            pre: pre.clone(),
            before: before.clone(),
        };
        let target = Target::custom(search_lufs, limiter_ceiling);
        let (mut outs, _, gain_db) =
            master::search(&[&job], &target, options.dither, options.quiet)?;
        let mut out = outs.swap_remove(0);
        let mut src = None;
        if out_rate != rate {
            let tp_before = true_peak(&path, rate, &out)?;
            out = resample(&out, rate, out_rate, input)?;
            let tp_after = true_peak(&path, out_rate, &out)?;
            src = Some((rate, out_rate, tp_before, tp_after));
        }
        let (reading, dithered_on_write) = write_and_measure(&path, out_rate, out, bits, options)?;
        let mut delivered = Delivered {
            destination,
            path: path.clone(),
            rate: out_rate,
            bits: bits_of(bits),
            reading,
            target_lufs: Some(target_lufs),
            ceiling,
            peak_kind: if sample_peak { "sample" } else { "true" },
            gain_db,
            limiter_ceiling_dbtp: Some(limiter_ceiling),
            search_lufs: Some(search_lufs),
            attempts: attempt,
            src,
            dithered_on_write,
            warnings: Vec::new(),
            met: false,
        };
        let over = delivered.peak().map_or(0.0, |p| p - ceiling);
        let loudness_error = value(delivered.reading.integrated_lufs).map(|i| target_lufs - i);
        let loudness_ok = loudness_error.is_some_and(|e| e.abs() <= LOUDNESS_TOLERANCE_LU);
        delivered.met = over <= 0.0 && loudness_ok;
        let redo_loudness = loudness_error.is_some_and(|e| e.abs() > master::TOLERANCE_LU);
        if (over <= 0.0 && !redo_loudness) || attempt >= MAX_ATTEMPTS {
            if over > 0.0 {
                delivered.warnings.push(format!(
                    "{} peak {over:.2} dB over the ceiling after {attempt} attempts",
                    delivered.peak_kind
                ));
            }
            if !loudness_ok {
                delivered.warnings.push(format!(
                    "integrated loudness {} LUFS misses {target_lufs} LUFS by more than {LOUDNESS_TOLERANCE_LU} LU",
                    value(delivered.reading.integrated_lufs).map_or("-inf".into(), |i| format!("{i:.2}"))
                ));
            }
            return Ok(delivered);
        }
        if over > 0.0 {
            limiter_ceiling -= over + RETRY_MARGIN_DB;
        }
        // Conversion moves the loudness too (content above the new Nyquist goes): aim the
        // search off the target by what the written file missed it by.
        search_lufs += loudness_error.unwrap_or(0.0);
    }
}

fn bits_of(bits: Bits) -> u32 {
    match bits {
        Bits::Int16 => 16,
        Bits::Int24 => 24,
        Bits::Int32 | Bits::Float32 => 32,
        Bits::Float64 => 64,
    }
}

/// The vinyl master: bass mono, one linear gain to the peak target, 24-bit, warnings.
fn vinyl(
    input: &Path,
    path: PathBuf,
    rate: u32,
    pre: &Planes,
    options: &Options,
) -> Result<Delivered, CliError> {
    let mut planes = pre.clone();
    if planes.len() == 2 {
        let specs = [crate::chain::StageSpec {
            processor: "imager".to_owned(),
            preset: None,
            params: vec![
                ("bmono".to_owned(), "on".to_owned()),
                ("bmfreq".to_owned(), VINYL_MONO_HZ.to_string()),
            ],
        }];
        let mut stages = crate::chain::build(&specs)?;
        planes = render::run(
            &mut stages,
            rate,
            planes,
            None,
            input,
            &indicatif::ProgressBar::hidden(),
        )?;
    }
    let tp = true_peak(input, rate, &planes)?.ok_or_else(|| {
        CliError::unsupported(input, "nothing to master: the programme is silent")
    })?;
    let gain_db = VINYL_PEAK_DBTP - tp;
    let gain = 10f64.powf(gain_db / 20.0) as f32;
    planes.iter_mut().flatten().for_each(|x| *x *= gain);
    let mut warnings = Vec::new();
    if planes.len() >= 2 {
        let bands = spectrum(&planes, rate).bands();
        let loudest = loudest_band_db(&bands);
        // From 4 kHz (band 22) up: side energy and anti-phase.
        let wide: Vec<usize> = (22..NUM_BANDS)
            .filter(|&b| bands[b].active && bands[b].level_db > loudest - 40.0)
            .filter(|&b| bands[b].side_mid_db > VINYL_SIDE_WARN_DB || bands[b].correlation < 0.0)
            .collect();
        if let (Some(&first), Some(&last)) = (wide.first(), wide.last()) {
            let worst = wide
                .iter()
                .map(|&b| bands[b].side_mid_db)
                .fold(f64::NEG_INFINITY, f64::max);
            warnings.push(format!(
                "side energy in the highs, {}: side/mid up to {:+.1} dB (warning above {VINYL_SIDE_WARN_DB} dB or negative correlation); wide highs cut as vertical groove modulation, narrow them",
                band_label(first, last),
                worst.min(99.0)
            ));
        }
        let mean = |range: std::ops::RangeInclusive<usize>| {
            let v: Vec<f64> = range
                .filter(|&b| bands[b].active)
                .map(|b| bands[b].level_db)
                .collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        };
        // 5–10 kHz (bands 23–26) against 250 Hz–2 kHz (bands 10–19), per band.
        if let (Some(hi), Some(mid)) = (mean(23..=26), mean(10..=19)) {
            if hi > mid - VINYL_SIBILANCE_WARN_DB {
                warnings.push(format!(
                    "5–10 kHz is {:.1} dB per band against 250 Hz–2 kHz (warning above −{VINYL_SIBILANCE_WARN_DB} dB): sibilance and hi-hats will cut hot; de-ess or soften before the cut",
                    hi - mid
                ));
            }
        }
    }
    let (reading, dithered_on_write) =
        write_and_measure(&path, rate, planes, Bits::Int24, options)?;
    let met = value(reading.true_peak_dbtp).is_none_or(|tp| tp <= VINYL_PEAK_DBTP + 0.01);
    Ok(Delivered {
        destination: Destination::Vinyl,
        path,
        rate,
        bits: 24,
        reading,
        target_lufs: None,
        ceiling: VINYL_PEAK_DBTP,
        peak_kind: "true",
        gain_db,
        limiter_ceiling_dbtp: None,
        search_lufs: None,
        attempts: 1,
        src: None,
        dithered_on_write,
        warnings,
        met,
    })
}

/// `lacquer master --deliver`: every input to every destination.
pub fn deliver(
    inputs: &[PathBuf],
    dir: &Path,
    destinations: &[Destination],
    options: &Options,
) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::output(dir, e))?;
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for input in inputs {
        let (job, _) = master::prepare(input, dir.to_owned(), options)?;
        let (rate, pre, before) = (job.rate, job.pre, job.before);
        let stem = input
            .file_stem()
            .map_or("master".to_owned(), |s| s.to_string_lossy().into_owned());
        let mut b = before.clone();
        b.name = format!("{} (before)", input.display());
        rows.push(b);
        for destination in destinations {
            let path = dir.join(format!("{stem}-{}.wav", destination.key()));
            render::check_output(input, &path, options.force)?;
            let delivered = match *destination {
                Destination::Streaming(t) => limited(
                    *destination,
                    input,
                    path,
                    rate,
                    &pre,
                    &before,
                    (t.target_lufs, t.ceiling_dbtp, false),
                    (rate, options.bits.unwrap_or(Bits::Int24)),
                    options,
                )?,
                Destination::Cd => limited(
                    *destination,
                    input,
                    path,
                    rate,
                    &pre,
                    &before,
                    (CD_LUFS, CD_CEILING_DBFS, true),
                    (CD_RATE, Bits::Int16),
                    options,
                )?,
                Destination::Vinyl => vinyl(input, path, rate, &pre, options)?,
            };
            let json_path = delivered.path.with_extension("json");
            let text = serde_json::to_string_pretty(&delivered.json())
                .expect("a JSON value always serialises")
                + "\n";
            std::fs::write(&json_path, text).map_err(|e| CliError::output(&json_path, e))?;
            let mut r = delivered.reading.clone();
            r.name = format!(
                "{}: {} ({} Hz, {}-bit)",
                destination.key(),
                delivered.path.display(),
                delivered.rate,
                delivered.bits
            );
            rows.push(r);
            if let Some((from, to, before, after)) = delivered.src {
                let show = |x: Option<f64>| x.map_or("-inf".to_owned(), |v| format!("{v:.2}"));
                notes.push(format!(
                    "{}: resampled {from} → {to} Hz, true peak {} → {} dBTP; {} attempt(s), limiter ceiling {:.2} dBTP",
                    destination.key(),
                    show(before),
                    show(after),
                    delivered.attempts,
                    delivered.limiter_ceiling_dbtp.unwrap_or(delivered.ceiling),
                ));
            }
            for w in &delivered.warnings {
                notes.push(format!("{}: warning: {w}", destination.key()));
            }
            if !delivered.met {
                notes.push(format!("{}: does NOT meet its target", destination.key()));
            }
        }
    }
    print!("{}", crate::report::table(&rows, &[]));
    for n in notes {
        println!("{n}");
    }
    Ok(())
}
