//! Wall-time records of the host tests, so the last test binary can report how long the whole
//! host suite took (`tests/zz_suite_wall_time.rs`).
//!
//! Every isolated test appends one line to a log shared by all test binaries of one `cargo test`
//! run. The binaries of a run are children of the same cargo process, so the log is keyed by the
//! parent process ID: `$TMPDIR/lacquer-host-test-times/run-<cargo pid>.log`. Recording never
//! fails a test; a missing or unwritable log only means no report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Folder holding the per-run logs.
pub fn log_dir() -> PathBuf {
    std::env::temp_dir().join("lacquer-host-test-times")
}

/// The log of the current `cargo test` run (keyed by the parent process, i.e. cargo).
pub fn run_log() -> PathBuf {
    log_dir().join(format!("run-{}.log", std::os::unix::process::parent_id()))
}

fn millis(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()
}

/// Append `<binary> <test> <start ms> <end ms>` for a test that started at `started` and ends now.
pub fn record(exe: &Path, test: &str, started: SystemTime) {
    let binary = exe
        .file_stem()
        .and_then(|s| s.to_str())
        .map(|s| s.rsplit_once('-').map_or(s, |(name, _hash)| name))
        .unwrap_or("?")
        .to_owned();
    let _ = std::fs::create_dir_all(log_dir());
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(run_log())
    {
        // One write per line: appends from parallel tests do not interleave.
        let line = format!(
            "{binary} {test} {} {}\n",
            millis(started),
            millis(SystemTime::now())
        );
        let _ = f.write_all(line.as_bytes());
    }
}

/// One recorded test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Test binary name without the hash (`clap_audio`).
    pub binary: String,
    /// Test name.
    pub test: String,
    /// Start, milliseconds since the epoch.
    pub start_ms: u128,
    /// End, milliseconds since the epoch.
    pub end_ms: u128,
}

impl Record {
    /// Wall time of this test, child process included.
    pub fn duration(&self) -> Duration {
        Duration::from_millis(self.end_ms.saturating_sub(self.start_ms) as u64)
    }
}

/// Parse a run log.
pub fn parse(text: &str) -> Vec<Record> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            Some(Record {
                binary: parts.next()?.to_owned(),
                test: parts.next()?.to_owned(),
                start_ms: parts.next()?.parse().ok()?,
                end_ms: parts.next()?.parse().ok()?,
            })
        })
        .collect()
}

/// Delete run logs older than a day (pids are reused, logs must not pile up).
pub fn prune_old_logs() {
    let Ok(entries) = std::fs::read_dir(log_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(24 * 3600));
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records() {
        let r = parse("clap_api descriptor_matches_table 1000 1250\nbroken line\n");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].binary, "clap_api");
        assert_eq!(r[0].duration(), Duration::from_millis(250));
    }
}
