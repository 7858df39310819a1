//! `cargo xtask compare [--input FILE] [--json] [--runs N] [--minutes M] [--no-readme]`:
//! Lacquer's nine processors against the peers that do the same job (ffmpeg's own filters,
//! LSP and x42 LV2 plugins hosted by ffmpeg), on one programme, on this machine, in one run.
//!
//! - Speed: CPU time (user + system of the child, `wait4`) of `lacquer render` and of
//!   single-threaded ffmpeg, minus the same tool's pass-through, median of `--runs` runs
//!   over the programme looped to `--minutes`; ns per stereo sample and realtime factor.
//! - Block-size invariance: each implementation on a 3 s excerpt at host blocks 1, 64 and
//!   4096 (`lacquer render --block-size`, ffmpeg's `asetnsamples`).
//! - Limiter: the output's true peak at 4× and 16× (computed here by ideal band-limited
//!   interpolation, [`signal::true_peak`]) against the −1 dB ceiling, programme driven +6
//!   and +12 dB.
//! - Loudness: `lacquer measure` against ffmpeg's `ebur128` (I, LRA, true peak).
//! - Channel EQ: the magnitude of each EQ's impulse response against the analog bells.
//!
//! Writes `target/compare/compare.md` (and `compare.json` with `--json`) and rewrites the
//! README's "How Lacquer compares" table between its marker comments. The peers are Debian
//! packages (`ffmpeg`, `lsp-plugins-lv2`, `x42-plugins`, and `lilv-utils` for `lv2ls`),
//! installed when missing. Not part of `cargo xtask test` or CI.

mod parse;
mod peers;
mod report;
mod run;
mod signal;

use peers::{Impl, Run};
use run::Inputs;
use signal::RATE;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Debian packages the peers come from (and `lv2ls`).
pub const PEER_PACKAGES: &[&str] = &["ffmpeg", "lsp-plugins-lv2", "x42-plugins", "lilv-utils"];

/// The README's markers around the generated part of "How Lacquer compares".
pub const README_BEGIN: &str = "<!-- cargo xtask compare: begin (generated, do not edit) -->";
/// See [`README_BEGIN`].
pub const README_END: &str = "<!-- cargo xtask compare: end -->";

/// Seconds of the programme.
const PROGRAMME_S: usize = 60;
/// Seconds of the block-size excerpt.
const EXCERPT_S: usize = 3;
/// Frames of the EQ's impulse response.
const IMPULSE_FRAMES: usize = 65_536;
/// Where the EQ's impulse is: after a second of silence, so that the peers that glide from
/// their defaults to the settings after they start (fil4, LSP) have arrived.
const IMPULSE_AT: usize = 48_000;
/// The host blocks compared.
const BLOCKS: [usize; 3] = [1, 64, 4096];

/// The command line.
struct Options {
    input: Option<PathBuf>,
    json: bool,
    runs: usize,
    minutes: f64,
    readme: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut o = Options {
            input: None,
            json: false,
            runs: 5,
            minutes: 3.0,
            readme: true,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .cloned()
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match a.as_str() {
                "--input" => o.input = Some(PathBuf::from(value("--input")?)),
                "--json" => o.json = true,
                "--no-readme" => o.readme = false,
                "--runs" => {
                    o.runs = value("--runs")?
                        .parse()
                        .ok()
                        .filter(|&n| (1..=50).contains(&n))
                        .ok_or("--runs: 1 to 50")?
                }
                "--minutes" => {
                    o.minutes = value("--minutes")?
                        .parse()
                        .ok()
                        .filter(|m: &f64| (0.1..=60.0).contains(m))
                        .ok_or("--minutes: 0.1 to 60")?
                }
                other => {
                    return Err(format!(
                        "unknown argument '{other}'; usage: cargo xtask compare [--input FILE] \
                         [--json] [--runs N] [--minutes M] [--no-readme]"
                    ))
                }
            }
        }
        Ok(o)
    }
}

/// The entry point.
pub fn compare(args: &[String]) -> nice_plug_xtask::Result<()> {
    let options = Options::parse(args).or_else(crate::fail)?;
    crate::sysdeps::ensure_packages(PEER_PACKAGES)?;
    let target =
        PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()));
    println!("compare: building the lacquer CLI (release)");
    crate::cargo(
        &[
            "build",
            "--release",
            "-p",
            "lacquer-cli",
            "--bin",
            "lacquer",
            "--example",
            "make_demo",
        ],
        &[],
    )?;
    let dir = target.join("compare");
    let work = dir.join("work");
    std::fs::create_dir_all(&work)?;
    let lacquer = target.join("release").join("lacquer");
    let result = Comparison::run(&options, &dir, &work, &lacquer).or_else(crate::fail)?;
    let markdown = result.markdown();
    println!("\n{markdown}");
    std::fs::write(dir.join("compare.md"), &markdown)?;
    println!("compare: wrote {}", dir.join("compare.md").display());
    if options.json {
        let path = dir.join("compare.json");
        std::fs::write(&path, serde_json::to_string_pretty(&result.json())? + "\n")?;
        println!("compare: wrote {}", path.display());
    }
    if options.readme {
        let readme = std::fs::read_to_string("README.md")?;
        std::fs::write("README.md", report::rewrite_readme(&readme, &markdown))?;
        println!("compare: README.md section \"How Lacquer compares\" rewritten");
    }
    Ok(())
}

/// One row's speed.
#[derive(Debug, Clone, Default)]
struct Speed {
    /// CPU ns of each run.
    runs_ns: Vec<u64>,
    /// The baseline's CPU ns of each run.
    baseline_ns: Vec<u64>,
    /// Why it failed, if it did.
    error: Option<String>,
}

fn median(v: &[u64]) -> Option<f64> {
    let mut s = v.to_vec();
    s.sort_unstable();
    match s.len() {
        0 => None,
        n if n % 2 == 1 => Some(s[n / 2] as f64),
        n => Some((s[n / 2 - 1] + s[n / 2]) as f64 / 2.0),
    }
}

impl Speed {
    /// Net CPU ns (median minus the baseline's median).
    fn net_ns(&self) -> Option<f64> {
        Some(median(&self.runs_ns)? - median(&self.baseline_ns)?)
    }

    /// The baseline's spread (max − min), ns: differences below it are noise.
    fn noise_ns(&self) -> f64 {
        let max = self.baseline_ns.iter().max().copied().unwrap_or(0);
        let min = self.baseline_ns.iter().min().copied().unwrap_or(0);
        (max - min) as f64
    }
}

/// One limiter reading.
#[derive(Debug, Clone)]
struct LimiterReading {
    drive_db: f64,
    name: &'static str,
    /// (4×, 16×, sample peak), dB; or the error.
    peaks: Result<(f64, f64, f64), String>,
}

/// One loudness reading.
#[derive(Debug, Clone)]
struct LoudnessReading {
    signal: String,
    meter: &'static str,
    reading: Result<parse::Loudness, String>,
}

/// One EQ's magnitude error against the analog bells, dB: (≤ 10 kHz, 10–20 kHz).
#[derive(Debug, Clone)]
struct EqReading {
    name: &'static str,
    error: Result<(f64, f64), String>,
}

/// Everything measured.
struct Comparison {
    date: String,
    machine: String,
    /// The 1-minute load average at the start and at the end of the speed runs.
    load: (String, String),
    programme: String,
    frames: usize,
    runs: usize,
    rows: Vec<Impl>,
    speed: Vec<Speed>,
    /// Per row: the worst difference of blocks 1 and 64 against 4096, over the whole
    /// excerpt and after its first second (`None`: identical).
    blocks: Vec<Result<BlockDiff, String>>,
    limiter: Vec<LimiterReading>,
    loudness: Vec<LoudnessReading>,
    eq: Vec<EqReading>,
}

/// Marks rows whose LV2 plugin `lv2ls` does not list as unavailable.
fn mark_missing(rows: &mut [Impl], installed: &std::collections::BTreeSet<String>) {
    for row in rows {
        if let Run::Ffmpeg { lv2: Some(uri), .. } = &row.run {
            if !installed.contains(*uri) {
                row.run =
                    Run::Unavailable(format!("{uri} is not installed (lv2ls does not list it)"));
            }
        }
    }
}

fn shell_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The 1-minute load average (`/proc/loadavg`).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// The CPU model (`/proc/cpuinfo`) and the number of CPUs.
fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    format!("{model}, {cpus} CPUs")
}

impl Comparison {
    fn run(options: &Options, dir: &Path, work: &Path, lacquer: &Path) -> Result<Self, String> {
        // The programme: the demo loop or the user's file, as 48 kHz stereo.
        let (source_path, programme) = match &options.input {
            Some(input) => {
                let path = dir.join("source.wav");
                let mut c = Command::new("ffmpeg");
                c.args(["-nostdin", "-hide_banner", "-loglevel", "error", "-i"])
                    .arg(input)
                    .args(["-ar", "48000", "-ac", "2", "-c:a", "pcm_f32le", "-y"])
                    .arg(&path);
                run::timed(&mut c, work)?;
                (path, format!("`{}`", input.display()))
            }
            None => {
                let path = dir.join("demo.wav");
                let demo = lacquer.with_file_name("examples").join("make_demo");
                let mut c = Command::new(demo);
                c.arg(&path);
                run::timed(&mut c, work)?;
                (
                    path,
                    "the demo loop (`cargo run -p lacquer-cli --example make_demo`)".to_owned(),
                )
            }
        };
        let source = signal::read_wav(&source_path)?;
        if source.first().is_none_or(Vec::is_empty) {
            return Err(format!("{}: no audio", source_path.display()));
        }
        let write = |name: &str, planes: &[Vec<f32>]| -> Result<PathBuf, String> {
            let p = dir.join(name);
            signal::write_wav(&p, planes)?;
            Ok(p)
        };
        let rate = RATE as usize;
        let prog = signal::looped(&source, PROGRAMME_S * rate);
        let frames = (options.minutes * 60.0 * RATE as f64) as usize;
        let speed_prog = write("programme-speed.wav", &signal::looped(&prog, frames))?;
        let speed_key = write("key-speed.wav", &signal::kick_key(frames))?;
        let prog_path = write("programme-60s.wav", &prog)?;
        let key_path = write("key-60s.wav", &signal::kick_key(prog[0].len()))?;
        let excerpt = write("excerpt.wav", &signal::looped(&prog, EXCERPT_S * rate))?;
        let excerpt_key = write("key-excerpt.wav", &signal::kick_key(EXCERPT_S * rate))?;
        let ir = write("reverb-ir.wav", &signal::reverb_ir(2.0, 2.5))?;
        let impulse_len = IMPULSE_AT + IMPULSE_FRAMES;
        let impulse = write(
            "impulse.wav",
            &signal::impulse(impulse_len, IMPULSE_AT, 1.0),
        )?;
        let impulse_key = write("key-impulse.wav", &signal::kick_key(impulse_len))?;

        let installed = parse::lv2_listing(&shell_output("lv2ls", &[]));
        let mut rows = peers::all();
        mark_missing(&mut rows, &installed);

        let speed_inputs = Inputs {
            lacquer,
            programme: &speed_prog,
            key: &speed_key,
            ir: &ir,
        };
        let load_before = load_average();
        let speed = measure_speed(&rows, &speed_inputs, options.runs, work);
        let load = (load_before, load_average());

        let excerpt_inputs = Inputs {
            lacquer,
            programme: &excerpt,
            key: &excerpt_key,
            ir: &ir,
        };
        let blocks = rows
            .iter()
            .map(|row| block_invariance(row, &excerpt_inputs, work))
            .collect();

        let prog_inputs = Inputs {
            lacquer,
            programme: &prog_path,
            key: &key_path,
            ir: &ir,
        };
        let (limiter, limited) = measure_limiters(&installed, &prog_inputs, work);
        let mut loudness = measure_loudness("programme", &prog_path, lacquer, work);
        if let Some(limited) = limited {
            loudness.extend(measure_loudness(
                "programme +12 dB through the Lacquer Limiter",
                &limited,
                lacquer,
                work,
            ));
        }
        let impulse_inputs = Inputs {
            lacquer,
            programme: &impulse,
            key: &impulse_key,
            ir: &ir,
        };
        let mut eq_rows = peers::channel_eq();
        mark_missing(&mut eq_rows, &installed);
        let eq = eq_rows
            .iter()
            .filter(|r| !matches!(r.run, Run::Unavailable(_)))
            .map(|r| EqReading {
                name: r.name,
                error: eq_error(r, &impulse_inputs, work),
            })
            .collect();

        Ok(Comparison {
            date: shell_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            machine: machine(),
            load,
            programme: format!(
                "{}, looped to {PROGRAMME_S} s and to {:.1} min for the speed runs",
                programme,
                frames as f64 / RATE as f64 / 60.0
            ),
            frames,
            runs: options.runs,
            rows,
            speed,
            blocks,
            limiter,
            loudness,
            eq,
        })
    }
}

/// Every available row and its tool's baseline, `runs` times, interleaved (run 1 of every
/// row, then run 2, …) so that a slow spell of the machine hits all rows alike.
fn measure_speed(rows: &[Impl], inputs: &Inputs, runs: usize, work: &Path) -> Vec<Speed> {
    let out = work.join("speed-out.wav");
    let mut baselines: BTreeMap<String, (Impl, Vec<u64>, Option<String>)> = BTreeMap::new();
    for row in rows {
        if !matches!(row.run, Run::Unavailable(_)) {
            baselines
                .entry(run::baseline_key(row))
                .or_insert_with(|| (run::baseline(row), Vec::new(), None));
        }
    }
    let mut speed = vec![Speed::default(); rows.len()];
    for r in 0..runs {
        println!("compare: speed run {}/{runs}", r + 1);
        for (baseline, times, error) in baselines.values_mut() {
            if let Some(mut c) = run::command(baseline, inputs, &out, None) {
                match run::timed(&mut c, work) {
                    Ok(f) => times.push(f.cpu_ns),
                    Err(e) => *error = Some(e),
                }
            }
        }
        for (row, s) in rows.iter().zip(&mut speed) {
            if s.error.is_some() {
                continue;
            }
            if let Some(mut c) = run::command(row, inputs, &out, None) {
                match run::timed(&mut c, work) {
                    Ok(f) => s.runs_ns.push(f.cpu_ns),
                    Err(e) => s.error = Some(e),
                }
            }
        }
    }
    let _ = std::fs::remove_file(&out);
    for (row, s) in rows.iter().zip(&mut speed) {
        if let Some((_, times, error)) = baselines.get(&run::baseline_key(row)) {
            s.baseline_ns = times.clone();
            if s.error.is_none() {
                s.error = error.clone().map(|e| format!("baseline failed: {e}"));
            }
        }
    }
    speed
}

/// The worst difference (dBFS) between outputs at blocks 1 and 64 and at 4096: over the whole
/// excerpt, and after its first second (a peer that glides from its defaults to its
/// settings after it starts glides in host blocks).
#[derive(Debug, Clone, Copy)]
struct BlockDiff {
    whole: Option<f64>,
    after_1s: Option<f64>,
}

/// [`BlockDiff`] of the row.
fn block_invariance(row: &Impl, inputs: &Inputs, work: &Path) -> Result<BlockDiff, String> {
    let mut outputs = Vec::new();
    for block in BLOCKS {
        let out = work.join(format!("block-{block}.wav"));
        let Some(mut c) = run::command(row, inputs, &out, Some(block)) else {
            return Err("not run".to_owned());
        };
        run::timed(&mut c, work)?;
        outputs.push(signal::read_wav(&out)?);
    }
    println!(
        "compare: blocks 1/64/4096: {} — {}",
        row.processor, row.name
    );
    let reference = &outputs[BLOCKS.len() - 1];
    let worst = |from: usize| {
        outputs[..BLOCKS.len() - 1]
            .iter()
            .filter_map(|o| signal::max_difference_db(o, reference, from))
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))))
    };
    Ok(BlockDiff {
        whole: worst(0),
        after_1s: worst(RATE as usize),
    })
}

/// Every limiter at +6 and +12 dB drive on the programme; returns the readings and the Lacquer
/// Limiter's +12 dB output (for the loudness comparison).
fn measure_limiters(
    installed: &std::collections::BTreeSet<String>,
    inputs: &Inputs,
    work: &Path,
) -> (Vec<LimiterReading>, Option<PathBuf>) {
    let mut readings = Vec::new();
    let mut limited = None;
    for drive_db in [6.0, 12.0] {
        let mut rows = peers::limiter(drive_db);
        mark_missing(&mut rows, installed);
        for row in &rows {
            let out = work.join(format!("limiter-{drive_db}-{}", run::slug(row).display()));
            let Some(mut c) = run::command(row, inputs, &out, None) else {
                continue;
            };
            println!("compare: limiter +{drive_db} dB: {}", row.name);
            let peaks = run::timed(&mut c, work)
                .and_then(|_| signal::read_wav(&out))
                .map(|planes| signal::true_peak(&planes));
            if row.is_lacquer() && drive_db == 12.0 && peaks.is_ok() {
                limited = Some(out);
            } else {
                let _ = std::fs::remove_file(&out);
            }
            readings.push(LimiterReading {
                drive_db,
                name: row.name,
                peaks,
            });
        }
    }
    (readings, limited)
}

/// `lacquer measure` and ffmpeg `ebur128` on `path`, and the true peak computed here.
fn measure_loudness(
    signal_name: &str,
    path: &Path,
    lacquer: &Path,
    work: &Path,
) -> Vec<LoudnessReading> {
    println!("compare: loudness of the {signal_name}");
    let mut c = Command::new(lacquer);
    c.args(["measure", "--json", "--quiet"]).arg(path);
    let ours = run::timed(&mut c, work).and_then(|f| {
        parse::lacquer_measure_json(&f.stdout).ok_or_else(|| "unreadable JSON".to_owned())
    });
    let mut c = Command::new("ffmpeg");
    c.args([
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "info",
        "-threads",
        "1",
        "-i",
    ])
    .arg(path)
    .args([
        "-af",
        "ebur128=peak=true:framelog=verbose",
        "-f",
        "null",
        "-",
    ]);
    let theirs = run::timed(&mut c, work).and_then(|f| {
        parse::ebur128_summary(&f.stderr).ok_or_else(|| "no ebur128 summary".to_owned())
    });
    let mut readings = vec![
        LoudnessReading {
            signal: signal_name.to_owned(),
            meter: "Lacquer (`lacquer measure`, BS.1770 4× true peak)",
            reading: ours,
        },
        LoudnessReading {
            signal: signal_name.to_owned(),
            meter: "ffmpeg ebur128 (peak=true)",
            reading: theirs,
        },
    ];
    if let Ok(planes) = signal::read_wav(path) {
        let (_, tp16, _) = signal::true_peak(&planes);
        readings.push(LoudnessReading {
            signal: signal_name.to_owned(),
            meter: "reference: true peak 16× by ideal interpolation (this command)",
            reading: Ok(parse::Loudness {
                integrated_lufs: f64::NAN,
                range_lu: f64::NAN,
                true_peak_dbtp: Some(tp16),
            }),
        });
    }
    readings
}

/// The EQ's magnitude error against the product of the analog bells: (≤ 10 kHz, 10–20 kHz).
fn eq_error(row: &Impl, inputs: &Inputs, work: &Path) -> Result<(f64, f64), String> {
    let out = work.join("eq-impulse.wav");
    let mut c = run::command(row, inputs, &out, None).ok_or("not run")?;
    println!("compare: EQ impulse: {}", row.name);
    run::timed(&mut c, work)?;
    let planes = signal::read_wav(&out)?;
    let freqs = signal::log_freqs(24);
    let response = planes[0].get(IMPULSE_AT..).ok_or("output too short")?;
    let measured = signal::magnitude_db(response, &freqs);
    let bells: Vec<signal::Bell> = peers::EQ_BELLS
        .iter()
        .map(|&(freq_hz, gain_db, q)| signal::Bell {
            freq_hz,
            gain_db,
            q,
        })
        .collect();
    let (mut low, mut high) = (0.0_f64, 0.0_f64);
    for (f, m) in freqs.iter().zip(&measured) {
        let expected: f64 = bells.iter().map(|b| b.analog_db(*f)).sum();
        let e = (m - expected).abs();
        if !e.is_finite() {
            return Err(format!("no response at {f:.0} Hz"));
        }
        if *f <= 10_000.0 {
            low = low.max(e);
        } else {
            high = high.max(e);
        }
    }
    Ok((low, high))
}

#[cfg(test)]
mod tests {
    use super::peers::PROCESSORS;
    use super::report::rewrite_readme;
    use super::*;

    #[test]
    fn the_readme_section_is_replaced_between_its_markers_only() {
        let readme = "# L\n\n## Tests\n\nt\n";
        let once = rewrite_readme(readme, "table 1\n");
        assert!(once.contains("## How Lacquer compares\n\n<!--"));
        assert!(once.find("table 1").unwrap() < once.find("## Tests").unwrap());
        let twice = rewrite_readme(&once, "table 2");
        assert!(!twice.contains("table 1") && twice.contains("table 2"));
        assert_eq!(twice.matches("## How Lacquer compares").count(), 1);
        assert_eq!(twice.replace("table 2", "table 1\n").len(), once.len() + 1);
    }

    #[test]
    fn options_are_read_and_checked() {
        let o = Options::parse(&crate::tests::args(
            "--json --runs 5 --minutes 1.5 --no-readme",
        ))
        .unwrap();
        assert!(o.json && !o.readme && o.runs == 5 && (o.minutes - 1.5).abs() < 1e-12);
        assert!(Options::parse(&crate::tests::args("--runs 0")).is_err());
        assert!(Options::parse(&crate::tests::args("--bogus")).is_err());
    }

    #[test]
    fn every_processor_has_a_lacquer_row_and_rows_come_in_order() {
        let rows = peers::all();
        for p in PROCESSORS {
            assert_eq!(
                rows.iter()
                    .filter(|r| r.processor == p && r.is_lacquer())
                    .count(),
                1,
                "{p}"
            );
        }
        let order: Vec<&str> = rows
            .iter()
            .map(|r| r.processor)
            .fold(Vec::new(), |mut v, p| {
                if v.last() != Some(&p) {
                    v.push(p);
                }
                v
            });
        assert_eq!(order, PROCESSORS);
    }
}
