//! `lacquer`: measure audio files with the plugins' own DSP (EBU R128 / BS.1770 loudness and
//! true peak, per file and per album), render them through chains of the plugins, and master
//! them to a platform's loudness (see the README).

mod chain;
mod check;
mod decode;
mod deliver;
mod engine;
mod error;
mod master;
mod measure;
mod reference;
mod render;
mod report;

use clap::{CommandFactory, Parser, Subcommand};
use dsp_core::loudness::targets::{Target, TARGETS};
use error::CliError;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "lacquer", version, about = "Lacquer's DSP on audio files", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Loudness (EBU R128 / ITU-R BS.1770-5) and true peak of each file and of the album
    Measure {
        /// Audio files: WAV, FLAC, MP3, Ogg Vorbis, AAC/ALAC (MP4, M4A)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print JSON instead of a table
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV instead of a table
        #[arg(long)]
        csv: bool,
        /// Add a platform's normalisation gain and ceiling check: spotify, apple, youtube,
        /// tidal, deezer, amazon, ebu, atsc, or LUFS[:dBTP] (e.g. -16:-1); repeatable
        #[arg(long = "target", value_name = "TARGET", value_parser = parse_target,
              allow_hyphen_values = true)]
        targets: Vec<Target>,
        /// No progress bar
        #[arg(long, short)]
        quiet: bool,
    },
    /// Render a file through a chain of the plugins (their own parameters and DSP) to WAV
    Render {
        /// The input file: WAV, FLAC, MP3, Ogg Vorbis, AAC/ALAC (MP4, M4A)
        input: PathBuf,
        /// The output WAV file (written to a temporary file beside it, then renamed)
        #[arg(short, long)]
        output: PathBuf,
        /// The chain, e.g. 'eq(on_1=on,type_1=bell,gain_1=-3) compressor(thr=-18,ratio=3)
        /// limiter(ceil=-1)'; a processor may name a preset: 'compressor(preset=vocal-leveler)'
        #[arg(long, allow_hyphen_values = true, conflicts_with = "chain_file")]
        chain: Option<String>,
        /// A TOML chain file ([[stage]] tables with processor, preset and params)
        #[arg(long, value_name = "FILE")]
        chain_file: Option<PathBuf>,
        /// The key of the Compressor, Ducker or Multiband (their source is set to External
        /// unless the chain sets scsrc)
        #[arg(long, value_name = "FILE")]
        sidechain: Option<PathBuf>,
        /// Seconds of silence rendered after the input, for a reverb's or delay's tail
        #[arg(long, default_value_t = 0.0, value_parser = parse_tail)]
        tail: f64,
        /// Host block size in frames, 1 to 8192 (the output does not depend on it; `cargo
        /// xtask compare` checks that)
        #[arg(long, default_value_t = engine::DEFAULT_BLOCK, value_parser = parse_block)]
        block_size: usize,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Master files to a platform's loudness: optional EQ tilt, Imager bass mono, Limiter at
    /// the target's ceiling with its input gain searched to the target; prints before/after
    Master {
        /// Input files; with several, OUTPUT is a folder (one WAV per input)
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output WAV file, or folder for several inputs
        #[arg(short, long)]
        output: PathBuf,
        /// spotify, apple, youtube, tidal, deezer, amazon, ebu, atsc, or LUFS[:dBTP]
        #[arg(long, value_parser = parse_target, allow_hyphen_values = true,
              required_unless_present = "deliver")]
        target: Option<Target>,
        /// One master per destination into the OUTPUT folder: any target key (spotify,
        /// apple, youtube, ...), cd (44.1 kHz 16-bit) or vinyl (24-bit, bass mono, no
        /// limiter), comma-separated; each with its measurement as JSON beside it
        #[arg(long, value_delimiter = ',', value_parser = deliver::parse_destination,
              conflicts_with_all = ["target", "album"])]
        deliver: Vec<deliver::Destination>,
        /// One limiter gain for all inputs (album loudness gated over all of them), keeping
        /// their relative loudness
        #[arg(long)]
        album: bool,
        /// A tilt EQ first (dB, + brightens), Channel EQ band 1
        #[arg(long, allow_hyphen_values = true)]
        tilt: Option<f64>,
        /// Imager bass mono below this frequency (Hz) on stereo files, or 'off'
        #[arg(long, default_value = "120", value_parser = parse_bass_mono)]
        bass_mono: BassMono,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Compare a mix with reference tracks at matched loudness: loudness, LRA, PLR, true
    /// peak, 1/3-octave spectrum and stereo width per band, and a summary
    Reference {
        /// The mix (or master) under test
        mix: PathBuf,
        /// One or more reference tracks
        #[arg(required = true)]
        references: Vec<PathBuf>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Check a mix before handover: clipping, peaks and headroom, DC offset, mono
    /// compatibility, leading/trailing silence; exits with 1 when a check fails
    Check {
        /// The mix
        mix: PathBuf,
        /// Headroom the peaks must leave: the true peak must be at or under -DB dBTP
        #[arg(long, default_value_t = 3.0, value_name = "DB")]
        headroom: f64,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// List a processor's parameters: ID, name, the values it takes, default
    Params {
        /// eq, compressor, ducker, reverb, panner, multiband, imager, limiter, loudness
        processor: String,
    },
    /// Print a shell completion script
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

/// How output files are written.
#[derive(clap::Args)]
struct OutputArgs {
    /// Output word length: 16, 24, 32 (integer), 32f or 64f (float); default: the input's,
    /// 24 for lossy inputs
    #[arg(long, value_parser = render::Bits::parse)]
    bits: Option<render::Bits>,
    /// How a 16/24-bit output is quantised when it is not on that grid already
    #[arg(long, value_enum, default_value = "tpdf")]
    dither: render::DitherChoice,
    /// Replace the input file if it is also the output
    #[arg(long)]
    force: bool,
    /// No progress bar
    #[arg(long, short)]
    quiet: bool,
}

/// `--tail`: 0 to 600 seconds.
fn parse_tail(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.0..=600.0).contains(&s) => Ok(s),
        _ => Err(format!("'{text}': seconds from 0 to 600")),
    }
}

/// `--block-size`: 1 to [`engine::MAX_BLOCK`] frames.
fn parse_block(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=engine::MAX_BLOCK).contains(&n) => Ok(n),
        _ => Err(format!("'{text}': frames from 1 to {}", engine::MAX_BLOCK)),
    }
}

/// `--bass-mono`: a corner in Hz, or off.
#[derive(Clone, Copy)]
struct BassMono(Option<f64>);

/// A bass-mono corner in Hz, or `off`.
fn parse_bass_mono(text: &str) -> Result<BassMono, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(BassMono(None));
    }
    text.parse::<f64>()
        .map(|hz| BassMono(Some(hz)))
        .map_err(|_| format!("'{text}': a frequency in Hz or 'off'"))
}

/// A preset key or `LUFS[:dBTP]` (the ceiling defaults to −1 dBTP).
fn parse_target(text: &str) -> Result<Target, String> {
    if let Some(t) = Target::by_key(text) {
        return Ok(*t);
    }
    let (lufs, ceiling) = text.split_once(':').unwrap_or((text, "-1"));
    match (lufs.trim().parse::<f64>(), ceiling.trim().parse::<f64>()) {
        (Ok(l), Ok(c)) if (-70.0..=0.0).contains(&l) && (-20.0..=0.0).contains(&c) => {
            Ok(Target::custom(l, c))
        }
        (Ok(_), Ok(_)) => Err("a custom target needs LUFS in -70..0 and dBTP in -20..0".into()),
        _ => {
            let keys: Vec<&str> = TARGETS.iter().map(|t| t.key).collect();
            let closest = keys
                .iter()
                .min_by_key(|k| edit_distance(&text.to_ascii_lowercase(), k))
                .copied()
                .unwrap_or("spotify");
            Err(format!(
                "unknown target '{text}' (did you mean '{closest}'?); use one of {} or LUFS[:dBTP]",
                keys.join(", ")
            ))
        }
    }
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Measure {
            files,
            json,
            csv,
            targets,
            quiet,
        } => measure(&files, json, csv, &targets, quiet),
        Command::Render {
            input,
            output,
            chain,
            chain_file,
            sidechain,
            tail,
            block_size,
            out,
        } => exit({
            engine::set_block_size(block_size);
            render_command(
                &input,
                &output,
                chain.as_deref(),
                chain_file.as_deref(),
                sidechain.as_deref(),
                tail,
                &out,
            )
        }),
        Command::Master {
            inputs,
            output,
            target,
            album,
            tilt,
            bass_mono,
            out,
            deliver,
        } => {
            let options = master::Options {
                tilt_db: tilt,
                bass_mono_hz: bass_mono.0,
                album,
                bits: out.bits,
                dither: out.dither,
                force: out.force,
                quiet: out.quiet,
            };
            match target {
                Some(target) if deliver.is_empty() => {
                    exit(master::master(&inputs, &output, &target, &options))
                }
                _ => exit(deliver::deliver(&inputs, &output, &deliver, &options)),
            }
        }
        Command::Reference {
            mix,
            references,
            json,
        } => exit(reference::reference(&mix, &references, json)),
        Command::Check {
            mix,
            headroom,
            json,
        } => match check::check(&mix, headroom, json) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(check::EXIT_CHECK_FAILED),
            Err(e) => exit(Err(e)),
        },
        Command::Params { processor } => exit(list_params(&processor)),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "lacquer",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
    }
}

/// `lacquer params`: an aligned table of a processor's parameters.
fn list_params(name: &str) -> Result<(), CliError> {
    let stages = chain::build(&[chain::StageSpec {
        processor: name.to_owned(),
        ..chain::StageSpec::default()
    }])?;
    let mut rows = vec![["id", "name", "takes", "default"].map(str::to_owned)];
    rows.extend(stages[0].stage.describe());
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
    Ok(())
}

/// The exit code of a command's result, printing the error.
fn exit(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lacquer: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// A progress bar with `len` steps, or a hidden one.
fn progress_bar(quiet: bool, len: u64, message: String) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_style(
        ProgressStyle::with_template("{msg} {wide_bar} {percent:>3}% {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}

/// Builds the chain and checks its sidechain needs: `--sidechain` sets every keyed stage's
/// source to External unless the chain sets `scsrc`; a stage left listening to an External
/// key with no file is an error.
fn build_chain(
    specs: &[chain::StageSpec],
    sidechain: Option<&std::path::Path>,
) -> Result<Vec<chain::BuiltStage>, CliError> {
    let mut stages = chain::build(specs)?;
    let mut keyed_any = false;
    for (spec, built) in specs.iter().zip(&mut stages) {
        if !built.stage.keyed() {
            continue;
        }
        keyed_any = true;
        let set_by_chain = spec.params.iter().any(|(id, _)| id == "scsrc");
        if sidechain.is_some() && !set_by_chain {
            built
                .stage
                .set_param("scsrc", "External")
                .map_err(|_| CliError::Chain(format!("{} has no scsrc", built.name)))?;
        }
        let external = built.stage.param_text("scsrc").as_deref() == Some("External");
        if sidechain.is_none() && external {
            return Err(CliError::Sidechain(format!(
                "the {} listens to a sidechain (scsrc=External): give --sidechain FILE, or \
                 set scsrc=internal",
                built.name
            )));
        }
    }
    if sidechain.is_some() && !keyed_any {
        return Err(CliError::Sidechain(
            "--sidechain given, but no processor of the chain takes one (compressor, ducker, \
             multiband)"
                .to_owned(),
        ));
    }
    Ok(stages)
}

fn render_command(
    input: &std::path::Path,
    output: &std::path::Path,
    chain_text: Option<&str>,
    chain_file: Option<&std::path::Path>,
    sidechain: Option<&std::path::Path>,
    tail_s: f64,
    out: &OutputArgs,
) -> Result<(), CliError> {
    render::check_output(input, output, out.force)?;
    let specs = match (chain_text, chain_file) {
        (_, Some(file)) => chain::read_file(file)?,
        (Some(text), None) => chain::parse(text)?,
        (None, None) => Vec::new(),
    };
    let mut stages = build_chain(&specs, sidechain)?;
    let mut audio = render::read(input)?;
    let tail = (tail_s * audio.rate as f64).round() as usize;
    for channel in &mut audio.channels {
        channel.resize(channel.len() + tail, 0.0);
    }
    let key = match sidechain {
        Some(path) => {
            let key = render::read(path)?;
            if key.rate != audio.rate {
                return Err(CliError::unsupported(
                    path,
                    format!(
                        "the sidechain runs at {} Hz, the input at {} Hz",
                        key.rate, audio.rate
                    ),
                ));
            }
            Some(key.into_f32())
        }
        None => None,
    };
    let bits = out.bits.unwrap_or_else(|| render::Bits::like(audio.source));
    if stages.is_empty() {
        return render::write(output, audio.rate, &audio.channels, bits);
    }
    let frames = audio.frames() as u64;
    let progress = progress_bar(
        out.quiet,
        frames * stages.len() as u64,
        input.display().to_string(),
    );
    let rate = audio.rate;
    let mut signal = render::run(
        &mut stages,
        rate,
        audio.into_f32(),
        key.as_deref(),
        input,
        &progress,
    )?;
    progress.finish_and_clear();
    render::quantise(&mut signal, bits, out.dither);
    render::write(output, rate, &signal, bits)
}

fn measure(files: &[PathBuf], json: bool, csv: bool, targets: &[Target], quiet: bool) -> ExitCode {
    let mut measured = Vec::new();
    let mut first_error: Option<CliError> = None;
    for path in files {
        let progress = if quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0).with_style(
                ProgressStyle::with_template("{msg} {wide_bar} {percent:>3}% {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            )
        };
        progress.set_message(path.display().to_string());
        let result = measure::measure_file(path, &progress);
        progress.finish_and_clear();
        match result {
            Ok(m) => measured.push(m),
            Err(e) => {
                eprintln!("lacquer: error: {e}");
                first_error.get_or_insert(e);
            }
        }
    }
    let mut rows: Vec<measure::Reading> = measured.iter().map(|m| m.reading.clone()).collect();
    // The album is gated over every file: only when there are several and all were read.
    let album = (files.len() > 1 && first_error.is_none()).then(|| measure::album(&measured));
    let text = if json {
        report::json(&rows, album.as_ref(), targets)
    } else {
        rows.extend(album);
        if csv {
            report::csv(&rows, targets)
        } else {
            report::table(&rows, targets)
        }
    };
    if !rows.is_empty() {
        print!("{text}");
    }
    match first_error {
        Some(e) => ExitCode::from(e.exit_code()),
        None => ExitCode::SUCCESS,
    }
}
