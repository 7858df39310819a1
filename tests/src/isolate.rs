//! Run each host test in its own child process.
//!
//! The bundles are debug builds with nice-plug's `assert_process_allocs`: an allocation inside
//! `process()` aborts the process, and so does a panic unwinding out of a plugin callback. In a
//! plain `cargo test` that kills the whole test binary and every other test with it. Here each
//! test re-runs this test binary for itself alone (`<name> --exact`), so an abort fails exactly
//! that test, with the signal and the plugin's last output in the message.
//!
//! Set `LACQUER_HOST_TESTS_IN_PROCESS=1` to run the bodies in-process (for a debugger).

use std::io::Write;
use std::process::Command;

/// Set in the child: run the body instead of spawning.
const CHILD_ENV: &str = "LACQUER_HOST_TESTS_CHILD";
/// Set by a developer: never spawn.
const IN_PROCESS_ENV: &str = "LACQUER_HOST_TESTS_IN_PROCESS";

/// Print a progress line (shown in the failure message if the child dies).
pub fn step(plugin: &str, what: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "[host-test] {plugin}: {what}");
}

/// Run `body` for the test called `test_name` (its path inside the test binary) in a child.
pub fn run(test_name: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD_ENV).is_some() || std::env::var_os(IN_PROCESS_ENV).is_some() {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("current test executable");
    let started = std::time::SystemTime::now();
    let output = Command::new(&exe)
        // `--include-ignored`: the parent only gets here when the test was selected, so an
        // `#[ignore]`d test run with `--ignored` must run in the child too.
        .args([
            test_name,
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "--include-ignored",
        ])
        .env(CHILD_ENV, "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("spawn the test binary for an isolated host test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let ran = stdout.contains("1 passed") || stdout.contains("1 failed");
    crate::timing::record(&exe, test_name, started);
    if output.status.success() && ran {
        // Show the child's progress lines under --nocapture.
        eprint!("{stderr}");
        return;
    }
    let tail = |s: &str| -> String {
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    };
    let cause = describe_exit(&output.status);
    panic!(
        "host test `{test_name}` failed in its child process: {cause}\n\
         --- child stderr (last lines) ---\n{}\n--- child stdout (last lines) ---\n{}",
        tail(&stderr),
        tail(&stdout)
    );
}

#[cfg(unix)]
fn describe_exit(status: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(6) => "the plugin ABORTED (SIGABRT). With the debug bundles this is usually an \
                    allocation inside process() caught by assert_process_allocs, or a panic \
                    inside a plugin callback; the last `[host-test]` line names the step"
            .to_owned(),
        Some(11) => "the plugin CRASHED (SIGSEGV)".to_owned(),
        Some(sig) => format!("the child was killed by signal {sig}"),
        None => format!("exit status {:?}", status.code()),
    }
}

#[cfg(not(unix))]
fn describe_exit(status: &std::process::ExitStatus) -> String {
    format!("exit status {:?}", status.code())
}

/// Declare an isolated host test: `host_test!(name, { body })`.
#[macro_export]
macro_rules! host_test {
    ($(#[$meta:meta])* $name:ident, $body:block) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            let module = module_path!();
            let path = match module.split_once("::") {
                Some((_, rest)) => format!("{rest}::{}", stringify!($name)),
                None => stringify!($name).to_owned(),
            };
            $crate::isolate::run(&path, || $body);
        }
    };
}
