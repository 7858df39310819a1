//! Reports (never asserts) how long the whole host suite took, so the lead can quote it.
//!
//! Cargo runs test binaries one after another in name order, so this one (`zz_…`) runs last.
//! Every isolated host test of the same `cargo test` run appended its start and end to a shared
//! log (`lacquer_host_tests::timing`); this test reads it and prints the suite's wall time (first
//! host test start to now), per-binary spans and the slowest tests. Run
//! `cargo test -p lacquer-host-tests -- --nocapture` to see the report, or read
//! `$TMPDIR/lacquer-host-test-times/last-suite.txt` afterwards.

use lacquer_host_tests::timing;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The budget the suite should stay under on the 2-core build machine (reported, not enforced).
const BUDGET: Duration = Duration::from_secs(60);

#[test]
fn host_suite_wall_time() {
    let log = timing::run_log();
    let records = std::fs::read_to_string(&log)
        .map(|t| timing::parse(&t))
        .unwrap_or_default();
    let mut report = String::new();
    if records.is_empty() {
        let _ = writeln!(
            report,
            "host suite wall time: no host tests recorded in this run ({}); run the whole \
             suite (`cargo test -p lacquer-host-tests`) for a report",
            log.display()
        );
    } else {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let first = records.iter().map(|r| r.start_ms).min().unwrap_or(now_ms);
        let wall = Duration::from_millis(now_ms.saturating_sub(first) as u64);
        let total: Duration = records.iter().map(timing::Record::duration).sum();
        let _ = writeln!(
            report,
            "host suite wall time: {:.1} s for {} isolated host tests (sum of test times {:.1} s, \
             build time not included){}",
            wall.as_secs_f64(),
            records.len(),
            total.as_secs_f64(),
            if wall > BUDGET {
                format!(" -- OVER the {} s budget", BUDGET.as_secs())
            } else {
                String::new()
            }
        );
        let mut spans: BTreeMap<&str, (u128, u128, usize)> = BTreeMap::new();
        for r in &records {
            let e = spans.entry(r.binary.as_str()).or_insert((u128::MAX, 0, 0));
            e.0 = e.0.min(r.start_ms);
            e.1 = e.1.max(r.end_ms);
            e.2 += 1;
        }
        for (binary, (start, end, n)) in &spans {
            let _ = writeln!(
                report,
                "  {binary:<20} {:>6.2} s  ({n} tests)",
                end.saturating_sub(*start) as f64 / 1000.0
            );
        }
        let mut slowest = records.clone();
        slowest.sort_by_key(|r| std::cmp::Reverse(r.duration()));
        let _ = writeln!(report, "  slowest:");
        for r in slowest.iter().take(8) {
            let _ = writeln!(
                report,
                "    {:>6.2} s  {}::{}",
                r.duration().as_secs_f64(),
                r.binary,
                r.test
            );
        }
        // The log of this run is complete; keep the folder small.
        let _ = std::fs::remove_file(&log);
    }
    timing::prune_old_logs();
    eprint!("{report}");
    let _ = std::fs::create_dir_all(timing::log_dir());
    let _ = std::fs::write(timing::log_dir().join("last-suite.txt"), &report);
}
