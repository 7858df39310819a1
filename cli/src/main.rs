//! `lacquer`: measure audio files with the plugins' own DSP (EBU R128 / BS.1770 loudness and
//! true peak, per file and per album). Rendering through the processors and mastering come
//! with the processors they need (see the README).

mod decode;
mod error;
mod measure;
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
    /// Print a shell completion script
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
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
