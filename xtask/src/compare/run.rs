//! Running the tools: commands for `lacquer render` and ffmpeg, each child's CPU time from
//! `wait4`'s `rusage` (user + system, the child alone), its exit status and stderr.

use super::peers::{Impl, Run, Second};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the inputs of a run are.
pub struct Inputs<'a> {
    /// The `lacquer` binary (release).
    pub lacquer: &'a Path,
    /// The programme (32-bit float WAV).
    pub programme: &'a Path,
    /// The kick key, as long as the programme.
    pub key: &'a Path,
    /// The reverb impulse response.
    pub ir: &'a Path,
}

/// What a finished child left.
pub struct Finished {
    /// User + system CPU time, ns.
    pub cpu_ns: u64,
    /// Its stderr.
    pub stderr: String,
    /// Its stdout.
    pub stdout: String,
}

/// Runs `command` to the end and measures its CPU time. A non-zero exit is an error
/// naming the command and quoting its stderr.
#[cfg(unix)]
pub fn timed(command: &mut Command, scratch: &Path) -> Result<Finished, String> {
    use super::parse;
    use std::process::Stdio;
    let err_path = scratch.join("stderr.txt");
    let out_path = scratch.join("stdout.txt");
    let file = |p: &Path| std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    let child = command
        .stdin(Stdio::null())
        .stdout(file(&out_path)?)
        .stderr(file(&err_path)?)
        .spawn()
        .map_err(|e| format!("{command:?}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed `rusage` is a valid value of the plain C struct wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped (`child` is never waited on); the
    // pointers are to live locals.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    drop(child);
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    if reaped != pid {
        return Err(format!("{command:?}: wait4 failed"));
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "{command:?} failed (status {status}):\n{}",
            tail.join("\n")
        ));
    }
    // `suseconds_t` is `i64` on Linux and `i32` on macOS.
    #[allow(clippy::useless_conversion)]
    let tv = |t: libc::timeval| (i64::from(t.tv_sec), i64::from(t.tv_usec));
    Ok(Finished {
        cpu_ns: parse::rusage_cpu_ns(tv(usage.ru_utime), tv(usage.ru_stime)),
        stderr,
        stdout,
    })
}

/// [`timed`] needs `wait4` (a child's own CPU time): Unix only.
#[cfg(not(unix))]
pub fn timed(command: &mut Command, _scratch: &Path) -> Result<Finished, String> {
    Err(format!(
        "{command:?}: `cargo xtask compare` measures CPU time with wait4, which needs a Unix host"
    ))
}

/// The ffmpeg command for `graph` (a graph over `[main]` and `[key]`, see
/// [`super::peers`]) reading `inputs.programme` (and the key or IR) and writing 32-bit float
/// WAV to `output`; with `block`, every input is cut into frames of that many samples
/// (`asetnsamples`) before the graph. Single-threaded.
pub fn ffmpeg(
    graph: &str,
    second: Second,
    inputs: &Inputs,
    output: &Path,
    block: Option<usize>,
) -> Command {
    let cut = block.map_or(String::new(), |n| format!("asetnsamples=n={n}:p=0,"));
    let mut full = format!("[0:a]{cut}anull[main];");
    let mut command = Command::new("ffmpeg");
    command.args([
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "info",
        "-threads",
        "1",
    ]);
    command.args(["-filter_threads", "1", "-filter_complex_threads", "1"]);
    command.arg("-i").arg(inputs.programme);
    match second {
        Second::None => {}
        Second::Key | Second::Ir => {
            let path = if second == Second::Key {
                inputs.key
            } else {
                inputs.ir
            };
            command.arg("-i").arg(path);
            // The IR is read whole by afir, not cut into blocks.
            let cut = if second == Second::Key {
                cut.as_str()
            } else {
                ""
            };
            full.push_str(&format!("[1:a]{cut}anull[key];"));
        }
    }
    full.push_str(graph);
    full.push_str("[out]");
    command.args(["-filter_complex", &full, "-map", "[out]"]);
    command.args(["-threads", "1", "-c:a", "pcm_f32le", "-f", "wav", "-y"]);
    command.arg(output);
    command
}

/// The `lacquer render` command for `chain` (with the key as `--sidechain` when `keyed`),
/// writing 32-bit float WAV without dither to `output`, at host block `block` if given.
pub fn lacquer(
    chain: &str,
    keyed: bool,
    inputs: &Inputs,
    output: &Path,
    block: Option<usize>,
) -> Command {
    let mut command = Command::new(inputs.lacquer);
    command
        .arg("render")
        .arg(inputs.programme)
        .arg("-o")
        .arg(output);
    command.args([
        "--chain", chain, "--bits", "32f", "--dither", "off", "--quiet",
    ]);
    if keyed {
        command.arg("--sidechain").arg(inputs.key);
    }
    if let Some(n) = block {
        command.args(["--block-size", &n.to_string()]);
    }
    command
}

/// The command that runs `row` on `inputs`, writing `output`; `None` for an unavailable peer.
pub fn command(
    row: &Impl,
    inputs: &Inputs,
    output: &Path,
    block: Option<usize>,
) -> Option<Command> {
    match &row.run {
        Run::Lacquer { chain, keyed } => Some(lacquer(chain, *keyed, inputs, output, block)),
        Run::Ffmpeg { graph, second, .. } => Some(ffmpeg(graph, *second, inputs, output, block)),
        Run::Unavailable(_) => None,
    }
}

/// The pass-through that `row`'s CPU time is measured against: the same tool reading the
/// same inputs and writing the same format, doing nothing. Lacquer: a default Panner
/// (bit-transparent; it skips its processing), so decoding, the f32 conversion, the host
/// loop and the WAV writer are subtracted (a keyed row's key is not: reading it is counted
/// against Lacquer). ffmpeg: `anull` (a keyed or IR graph also reads its second input and
/// discards it with `anullsink`).
pub fn baseline(row: &Impl) -> Impl {
    let run = match &row.run {
        Run::Lacquer { .. } => Run::Lacquer {
            chain: "panner()".to_owned(),
            keyed: false,
        },
        Run::Ffmpeg { second, .. } => Run::Ffmpeg {
            graph: if *second == Second::None {
                "[main]anull".to_owned()
            } else {
                "[key]anullsink;[main]anull".to_owned()
            },
            second: *second,
            lv2: None,
        },
        Run::Unavailable(r) => Run::Unavailable(r.clone()),
    };
    Impl {
        processor: "baseline",
        name: "baseline",
        run,
        settings: String::new(),
    }
}

/// A key for a baseline: which tool and which second input.
pub fn baseline_key(row: &Impl) -> String {
    match &row.run {
        Run::Lacquer { .. } => "lacquer".to_owned(),
        Run::Ffmpeg { second, .. } => format!("ffmpeg {second:?}"),
        Run::Unavailable(_) => String::new(),
    }
}

/// A file name for a row's output.
pub fn slug(row: &Impl) -> PathBuf {
    let text: String = format!("{}-{}", row.processor, row.name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    PathBuf::from(format!("{text}.wav"))
}
