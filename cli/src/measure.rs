//! `lacquer measure`: the loudness of files and of the album they make (EBU R128, ITU-R
//! BS.1770-5, EBU Tech 3341/3342), with the Loudness plugin's own meter
//! ([`dsp_core::loudness::LoudnessMeter`]): integrated loudness, loudness range, maximum
//! momentary and short-term loudness, true peak (4x), sample peak, PLR and duration.
//!
//! Album loudness is gated over all files together, as BS.1770 defines a programme's: the
//! files' gating histograms are merged ([`GatingHistogram::merge`]) and read like one, which
//! is not the mean of the files' readings.

use crate::decode::AudioFile;
use crate::error::CliError;
use dsp_core::loudness::targets::Target;
use dsp_core::loudness::{GatingHistogram, LoudnessMeter, MAX_LOUDNESS_CHANNELS};
use indicatif::ProgressBar;
use std::path::Path;

/// Readings at or below this are "nothing measured" (the meter's silence floors are −200).
const FLOOR: f64 = -150.0;
/// Largest block handed to the meter.
const MAX_BLOCK: usize = 8192;

/// One row of the report: a file or the album.
#[derive(Debug, Clone)]
pub struct Reading {
    pub name: String,
    pub integrated_lufs: f64,
    pub loudness_range_lu: f64,
    pub max_momentary_lufs: f64,
    pub max_short_term_lufs: f64,
    pub true_peak_dbtp: f64,
    pub sample_peak_dbfs: f64,
    pub duration_s: f64,
    /// Sample rate and channels (a file's; `None` for the album).
    pub format: Option<(u32, usize)>,
}

impl Reading {
    /// Peak-to-loudness ratio (true peak − integrated), LU; `None` without both.
    pub fn plr_lu(&self) -> Option<f64> {
        Some(value(self.true_peak_dbtp)? - value(self.integrated_lufs)?)
    }
}

/// A measured file: its reading and the histograms the album is gated from.
pub struct Measured {
    pub reading: Reading,
    integrated: GatingHistogram,
    short_term: GatingHistogram,
}

/// A reading, or `None` when nothing was measured (silence, too short for a block).
pub fn value(x: f64) -> Option<f64> {
    (x.is_finite() && x > FLOOR).then_some(x)
}

/// Decodes and measures one file, advancing `progress` by frames.
pub fn measure_file(path: &Path, progress: &ProgressBar) -> Result<Measured, CliError> {
    let mut file = AudioFile::open(path)?;
    progress.set_length(file.frames.unwrap_or(0));
    let mut meter = Meter::default();
    while let Some(block) = file.next_block()? {
        let layout = (block.sample_rate, block.channels.len());
        meter.feed(path, layout, block.channels)?;
        progress.inc(block.channels[0].len() as u64);
    }
    if file.skipped_packets > 0 {
        progress.suspend(|| {
            eprintln!(
                "lacquer: warning: '{}': {} damaged packet(s) skipped",
                path.display(),
                file.skipped_packets
            )
        });
    }
    Ok(meter.finish(path.display().to_string()))
}

/// Measures planar samples in memory (a render), named `name` in the report.
pub fn measure_planes(name: &Path, rate: u32, channels: &[Vec<f32>]) -> Result<Measured, CliError> {
    let mut meter = Meter::default();
    let frames = channels.first().map_or(0, Vec::len);
    let mut start = 0;
    while start < frames {
        let end = (start + MAX_BLOCK).min(frames);
        let block: Vec<&[f32]> = channels.iter().map(|c| &c[start..end]).collect();
        meter.feed(name, (rate, channels.len()), &block)?;
        start = end;
    }
    Ok(meter.finish(name.display().to_string()))
}

/// The Loudness meter fed block by block, with the format checks of a file.
#[derive(Default)]
struct Meter {
    meter: LoudnessMeter,
    format: Option<(u32, usize)>,
    frames: u64,
}

impl Meter {
    /// Measures one block of `layout` (rate, channels).
    fn feed<C: AsRef<[f32]>>(
        &mut self,
        path: &Path,
        layout: (u32, usize),
        channels: &[C],
    ) -> Result<(), CliError> {
        match self.format {
            None => {
                if layout.0 == 0 {
                    return Err(CliError::unsupported(path, "the sample rate is 0 Hz"));
                }
                if layout.1 > MAX_LOUDNESS_CHANNELS {
                    return Err(CliError::unsupported(
                        path,
                        format!(
                            "{} channels (BS.1770 weights are defined here for up to {MAX_LOUDNESS_CHANNELS})",
                            layout.1
                        ),
                    ));
                }
                self.meter.prepare(layout.0 as f32, MAX_BLOCK, layout.1);
                self.format = Some(layout);
            }
            Some(known) if known != layout => {
                return Err(CliError::unsupported(
                    path,
                    "the sample rate or channel count changes within the file",
                ));
            }
            Some(_) => {}
        }
        let mut slices: [&[f32]; MAX_LOUDNESS_CHANNELS] = [&[]; MAX_LOUDNESS_CHANNELS];
        for (slot, channel) in slices.iter_mut().zip(channels) {
            *slot = channel.as_ref();
        }
        self.meter.process(&slices[..layout.1]);
        self.frames += channels.first().map_or(0, |c| c.as_ref().len()) as u64;
        Ok(())
    }

    /// The reading, named `name`.
    fn finish(mut self, name: String) -> Measured {
        let meter = &mut self.meter;
        meter.flush_true_peak();
        let rate = self.format.map_or(1, |f| f.0) as f64;
        Measured {
            reading: Reading {
                name,
                integrated_lufs: meter.integrated_lufs(),
                loudness_range_lu: meter.loudness_range_lu(),
                max_momentary_lufs: meter.max_momentary_lufs(),
                max_short_term_lufs: meter.max_short_term_lufs(),
                true_peak_dbtp: meter.true_peak_max_dbtp(),
                sample_peak_dbfs: meter.sample_peak_max_dbfs(),
                duration_s: self.frames as f64 / rate,
                format: self.format,
            },
            integrated: meter.integrated_histogram().clone(),
            short_term: meter.short_term_histogram().clone(),
        }
    }
}

/// The album: every file's gating blocks together, the largest peaks and maxima.
pub fn album(files: &[Measured]) -> Reading {
    let mut integrated = GatingHistogram::new();
    let mut short_term = GatingHistogram::new();
    let max = |f: fn(&Reading) -> f64| {
        files
            .iter()
            .map(|m| f(&m.reading))
            .fold(f64::NEG_INFINITY, f64::max)
    };
    for m in files {
        integrated.merge(&m.integrated);
        short_term.merge(&m.short_term);
    }
    Reading {
        name: "album".to_owned(),
        integrated_lufs: integrated.integrated_lufs(),
        loudness_range_lu: short_term.loudness_range_lu(),
        max_momentary_lufs: max(|r| r.max_momentary_lufs),
        max_short_term_lufs: max(|r| r.max_short_term_lufs),
        true_peak_dbtp: max(|r| r.true_peak_dbtp),
        sample_peak_dbfs: max(|r| r.sample_peak_dbfs),
        duration_s: files.iter().map(|m| m.reading.duration_s).sum(),
        format: None,
    }
}

/// What a target makes of a reading.
pub struct TargetVerdict {
    /// The gain the platform's normalisation applies (or the correction a delivery spec
    /// needs), dB; `None` when nothing was measured.
    pub gain_db: Option<f64>,
    /// Whether the true peak is at or under the target's ceiling.
    pub ceiling_ok: Option<bool>,
}

/// Applies `target` to `reading`.
pub fn verdict(target: &Target, reading: &Reading) -> TargetVerdict {
    let tp = value(reading.true_peak_dbtp);
    TargetVerdict {
        gain_db: value(reading.integrated_lufs)
            .and_then(|i| target.normalisation_gain_db(i, tp.unwrap_or(f64::NEG_INFINITY))),
        ceiling_ok: tp.map(|tp| tp <= target.ceiling_dbtp + 1e-9).or(Some(true)),
    }
}
