//! `lacquer master`: a default mastering chain run to a platform's loudness.
//!
//! The chain is the plugins': an optional Channel EQ tilt (`--tilt DB`, band 1 as a tilt
//! shelf), the Imager's bass mono (stereo files; `--bass-mono HZ`, 120 Hz by default, `off`
//! to skip), and the Limiter with its ceiling at the target's true-peak ceiling (and its
//! dither at the output's word length when that is 16 or 24 bits). The gain into the
//! Limiter (its input gain `in` to boost, the Channel EQ's output gain `out` to cut) is
//! searched until the integrated loudness of the output lies within
//! [`TOLERANCE_LU`] of the target: Newton steps on the measured loudness-versus-gain slope
//! (at most 1 dB/dB, less as the limiter works harder), starting from the gain a linear
//! system would need. `--album` searches one gain for all files, with the loudness gated over
//! all of them together, so their relative loudness is kept.

use crate::chain::{self, BuiltStage, StageSpec};
use crate::decode::SourceFormat;
use crate::error::CliError;
use crate::measure::{self, Measured, Reading};
use crate::render::{self, Audio, Bits, DitherChoice};
use dsp_core::loudness::targets::Target;
use indicatif::ProgressBar;
use std::path::{Path, PathBuf};

/// How close to the target the integrated loudness must land (LU); the 0.1 LU with
/// margin for the final quantisation.
pub const TOLERANCE_LU: f64 = 0.05;
/// Search steps before giving up.
const MAX_STEPS: usize = 24;

/// What `master` does besides the target.
pub struct Options {
    /// Tilt of the optional EQ stage, dB (`None`: no EQ).
    pub tilt_db: Option<f64>,
    /// Bass-mono corner of the Imager, Hz (`None`: no Imager).
    pub bass_mono_hz: Option<f64>,
    /// One gain for every file.
    pub album: bool,
    /// Output word length (`None`: like each input).
    pub bits: Option<Bits>,
    /// Dither of 16/24-bit output (the Limiter's).
    pub dither: DitherChoice,
    /// Replace inputs.
    pub force: bool,
    /// No progress bar.
    pub quiet: bool,
}

/// Planar samples of one file.
pub(crate) type Planes = Vec<Vec<f32>>;

/// One file being mastered.
pub(crate) struct Job {
    pub(crate) input: PathBuf,
    pub(crate) output: PathBuf,
    pub(crate) rate: u32,
    pub(crate) bits: Bits,
    /// After the EQ and Imager, before the Limiter.
    pub(crate) pre: Planes,
    pub(crate) before: Reading,
}

/// The output path of each input: `output` itself for one file, `output/<stem>.wav` for
/// several (the folder is created).
fn outputs(inputs: &[PathBuf], output: &Path) -> Result<Vec<PathBuf>, CliError> {
    if inputs.len() == 1 && !output.is_dir() {
        return Ok(vec![output.to_owned()]);
    }
    std::fs::create_dir_all(output).map_err(|e| CliError::output(output, e))?;
    Ok(inputs
        .iter()
        .map(|i| {
            let stem = i.file_stem().unwrap_or(i.as_os_str());
            output.join(Path::new(stem).with_extension("wav"))
        })
        .collect())
}

/// The EQ and Imager stages for `channels`.
pub(crate) fn pre_chain(options: &Options, channels: usize) -> Vec<StageSpec> {
    let mut specs = Vec::new();
    if let Some(tilt) = options.tilt_db {
        specs.push(StageSpec {
            processor: "eq".to_owned(),
            preset: None,
            params: vec![
                ("on_1".to_owned(), "on".to_owned()),
                ("type_1".to_owned(), "Tilt Shelf".to_owned()),
                ("gain_1".to_owned(), tilt.to_string()),
            ],
        });
    }
    if let (Some(hz), 2) = (options.bass_mono_hz, channels) {
        specs.push(StageSpec {
            processor: "imager".to_owned(),
            preset: None,
            params: vec![
                ("bmono".to_owned(), "on".to_owned()),
                ("bmfreq".to_owned(), hz.to_string()),
            ],
        });
    }
    specs
}

/// The gain stage and Limiter for `gain_db` of gain, `target` and `bits`: the Limiter's input
/// gain drives (0 to +24 dB); a cut comes before it from the Channel EQ's output gain, with
/// every band off (the Limiter's input gain does not go below 0 dB).
fn limiter(target: &Target, gain_db: f64, bits: Bits, dither: DitherChoice) -> Vec<StageSpec> {
    let mut specs = Vec::new();
    if gain_db < 0.0 {
        specs.push(StageSpec {
            processor: "eq".to_owned(),
            preset: None,
            params: vec![("out".to_owned(), format!("{gain_db:.4}"))],
        });
    }
    let mut params = vec![
        ("in".to_owned(), format!("{:.4}", gain_db.max(0.0))),
        ("ceil".to_owned(), format!("{:.4}", target.ceiling_dbtp)),
    ];
    let word = match bits {
        Bits::Int16 => Some("16 bit"),
        Bits::Int24 => Some("24 bit"),
        _ => None,
    };
    if let Some(word) = word {
        let mode = match dither {
            DitherChoice::Tpdf => "TPDF",
            DitherChoice::Shaped => "Shaped",
            DitherChoice::Off => "Off",
        };
        params.push(("dith".to_owned(), mode.to_owned()));
        params.push(("bits".to_owned(), word.to_owned()));
    }
    specs.push(StageSpec {
        processor: "limiter".to_owned(),
        preset: None,
        params,
    });
    specs
}

/// Limits every job's `pre` at `gain_db`; the outputs and their measurements.
fn limit_all(
    jobs: &[&Job],
    target: &Target,
    gain_db: f64,
    dither: DitherChoice,
    progress: &ProgressBar,
) -> Result<(Vec<Planes>, Vec<Measured>), CliError> {
    let mut outs = Vec::new();
    let mut readings = Vec::new();
    for job in jobs {
        let mut stages: Vec<BuiltStage> =
            chain::build(&limiter(target, gain_db, job.bits, dither))?;
        let out = render::run(
            &mut stages,
            job.rate,
            job.pre.clone(),
            None,
            &job.input,
            progress,
        )?;
        readings.push(measure::measure_planes(&job.output, job.rate, &out)?);
        outs.push(out);
    }
    Ok((outs, readings))
}

/// Integrated loudness of `measured`: one file's, or the album's.
fn loudness(measured: &[Measured]) -> f64 {
    match measured {
        [one] => one.reading.integrated_lufs,
        many => measure::album(many).integrated_lufs,
    }
}

/// Searches the Limiter gain that brings `jobs` (together) to `target`; returns the
/// outputs, their readings and the gain.
pub(crate) fn search(
    jobs: &[&Job],
    target: &Target,
    dither: DitherChoice,
    quiet: bool,
) -> Result<(Vec<Planes>, Vec<Measured>, f64), CliError> {
    let pre: Vec<Measured> = jobs
        .iter()
        .map(|j| measure::measure_planes(&j.input, j.rate, &j.pre))
        .collect::<Result<_, _>>()?;
    let start = loudness(&pre);
    let what = &jobs[0].input;
    if measure::value(start).is_none() {
        return Err(CliError::unsupported(
            what,
            "nothing to master: the programme is silent or shorter than 400 ms",
        ));
    }
    let frames: u64 = jobs.iter().map(|j| j.pre[0].len() as u64).sum();
    let progress = crate::progress_bar(quiet, frames * MAX_STEPS as u64, "mastering".into());
    let mut gain = target.target_lufs - start;
    let mut previous: Option<(f64, f64)> = None;
    for _ in 0..MAX_STEPS {
        let (outs, readings) =
            limit_all(jobs, target, gain, dither, &progress).map_err(|e| match e {
                CliError::OutOfRange(m) => CliError::OutOfRange(format!(
                    "the target needs a limiter input gain of {gain:+.1} dB: {m}"
                )),
                other => other,
            })?;
        let now = loudness(&readings);
        let error = target.target_lufs - now;
        if error.abs() <= TOLERANCE_LU {
            progress.finish_and_clear();
            return Ok((outs, readings, gain));
        }
        // Loudness rises at most 1 dB per dB of drive, less the harder the limiter works.
        let slope = match previous {
            Some((g0, l0)) if (gain - g0).abs() > 1e-6 => {
                ((now - l0) / (gain - g0)).clamp(0.05, 1.0)
            }
            _ => 1.0,
        };
        previous = Some((gain, now));
        gain += error / slope;
    }
    progress.finish_and_clear();
    Err(CliError::OutOfRange(format!(
        "the limiter could not bring '{}' within {TOLERANCE_LU} LU of {} LUFS in {MAX_STEPS} steps",
        what.display(),
        target.target_lufs
    )))
}

/// Decodes `input`, measures it and runs the chain before the Limiter (EQ tilt, Imager bass
/// mono): a job writing to `output` (its `bits` the input's), and the input's format.
pub(crate) fn prepare(
    input: &Path,
    output: PathBuf,
    options: &Options,
) -> Result<(Job, SourceFormat), CliError> {
    let audio: Audio = render::read(input)?;
    let mut stages = chain::build(&pre_chain(options, audio.channels.len()))?;
    let rate = audio.rate;
    let source = audio.source;
    let signal = audio.into_f32();
    let before = measure::measure_planes(input, rate, &signal)?.reading;
    let pre = render::run(
        &mut stages,
        rate,
        signal,
        None,
        input,
        &ProgressBar::hidden(),
    )?;
    let job = Job {
        input: input.to_owned(),
        output,
        rate,
        bits: Bits::like(source),
        pre,
        before,
    };
    Ok((job, source))
}

/// `lacquer master`.
pub fn master(
    inputs: &[PathBuf],
    output: &Path,
    target: &Target,
    options: &Options,
) -> Result<(), CliError> {
    let outputs = outputs(inputs, output)?;
    for (input, out) in inputs.iter().zip(&outputs) {
        render::check_output(input, out, options.force)?;
    }
    let mut jobs = Vec::new();
    for (input, out) in inputs.iter().zip(outputs) {
        let (job, source) = prepare(input, out, options)?;
        jobs.push(Job {
            bits: options.bits.unwrap_or_else(|| Bits::like(source)),
            ..job
        });
    }
    let groups: Vec<Vec<&Job>> = if options.album {
        vec![jobs.iter().collect()]
    } else {
        jobs.iter().map(|j| vec![j]).collect()
    };
    let mut rows = Vec::new();
    for group in groups {
        let (outs, readings, gain) = search(&group, target, options.dither, options.quiet)?;
        for ((job, out), after) in group.iter().zip(outs).zip(&readings) {
            let mut out = out;
            render::quantise(&mut out, job.bits, options.dither);
            render::write(&job.output, job.rate, &out, job.bits)?;
            let mut before = job.before.clone();
            before.name = format!("{} (before)", job.input.display());
            let mut after = after.reading.clone();
            after.name = format!("{} (after, gain {gain:+.2} dB)", job.output.display());
            rows.push(before);
            rows.push(after);
        }
        if group.len() > 1 {
            let mut album = measure::album(&readings);
            album.name = "album (after)".to_owned();
            rows.push(album);
        }
    }
    print!(
        "{}",
        crate::report::table(&rows, std::slice::from_ref(target))
    );
    Ok(())
}
