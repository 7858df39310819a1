//! `cargo xtask`: nice-plug-xtask's `bundle`, plus the commands a Lacquer user and CI need.
//!
//! - `bundle …`: nice-plug-xtask's, with each package's `export` feature (the CLAP and VST3
//!   entry points) turned on; every command below that bundles goes through it. A cross build
//!   (`--target <triple>`, e.g. `x86_64-pc-windows-gnu`) writes its bundles to
//!   `target/bundled/<triple>/`, never over the native ones.
//! - `bundle-all [--release] [--target <triple>]`: every package in `bundler.toml`, one cargo
//!   invocation.
//! - `install`: release bundles copied to the per-user CLAP and VST3 folders.
//! - `test`: debug bundles (with `assert_process_allocs`) of every package, including the
//!   host tests' `test_only` fixture plugin, then `cargo test --workspace`.
//! - `validate [--release] [--target x86_64-pc-windows-gnu]`: bundles everything (natively the
//!   fixture too), then runs clap-validator and Steinberg's VST3 validator (extended) on every
//!   bundle (Windows bundles under Wine); fails on any failure or warning.
//! - `dist`: release bundles for Linux and Windows and the `lacquer` CLI, zipped into
//!   `target/dist/lacquer-<version>-<os>-x86_64.zip` with the README and licence.
//! - `deps`: check (and on Debian/Ubuntu install) the system packages the build needs.
//! - `gui-smoke`: every standalone editor under Xvfb: window up, not blank, a drag changes a
//!   parameter; screenshots to `target/screenshots/`.
//! - `screenshots`: the same, writing the README's screenshots to `assets/screenshots/`.
//! - `compare [--input FILE] [--json] [--runs N] [--minutes M] [--no-readme]`: Lacquer's
//!   processors against ffmpeg's filters and LSP/x42 LV2 plugins (speed, block-size
//!   invariance, limiter ceiling, loudness, EQ magnitude); the table goes to
//!   `target/compare/` and the README. Not part of `test`.
//!
//! Every command checks the system packages first.

mod compare;
mod cross;
mod dist;
mod install;
mod sysdeps;
mod validate;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("xtask: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> nice_plug_xtask::Result<()> {
    nice_plug_xtask::chdir_workspace_root()?;
    let (command, rest) = args
        .split_first()
        .map_or(("", &[][..]), |(c, r)| (c.as_str(), r));
    if command != "known-packages" {
        sysdeps::ensure()?;
    }
    match command {
        "deps" => Ok(()),
        "bundle-all" => bundle_all(rest, false),
        "install" => {
            bundle_all(&["--release".to_owned()], false)?;
            install::install_bundles()?;
            install::install_cli()
        }
        "test" => {
            bundle_all(&[], true)?;
            cargo(&["test", "--workspace"], rest)
        }
        "validate" => validate::validate(rest),
        "dist" => dist::dist(rest),
        "gui-smoke" => gui_smoke("target/screenshots"),
        "screenshots" => gui_smoke("assets/screenshots"),
        "compare" => compare::compare(rest),
        "bundle" => bundle(rest),
        _ => nice_plug_xtask::main_with_args("cargo xtask", args.iter().cloned()),
    }
}

/// Bundle every plugin package listed in `bundler.toml` (and the `test_only` ones when
/// `with_test_only`) with one cargo build (with `--target <triple>` in `extra`, into
/// `target/bundled/<triple>/`).
fn bundle_all(extra: &[String], with_test_only: bool) -> nice_plug_xtask::Result<()> {
    let mut args = Vec::new();
    for entry in install::bundle_entries()? {
        if with_test_only || !entry.test_only {
            args.push("-p".to_owned());
            args.push(entry.package);
        }
    }
    args.extend(extra.iter().cloned());
    bundle(&args)
}

/// nice-plug-xtask's `bundle` (`bundle PACKAGE …` or `bundle -p A -p B …`, then cargo's
/// arguments) with every named package's `export` feature on: without it a plugin library
/// has no CLAP or VST3 entry point (it is off by default so the CLI can link them all).
///
/// With `--target <triple>` the bundles go to `target/bundled/<triple>/` ([`cross::bundle`]).
fn bundle(args: &[String]) -> nice_plug_xtask::Result<()> {
    let features = export_features(args);
    if let Some(triple) = cross::target_arg(args) {
        let (packages, mut cargo_args) = cross::split_packages(args);
        cargo_args.extend(features);
        return cross::bundle(&packages, &cargo_args, &triple);
    }
    let mut full = vec!["bundle".to_owned()];
    full.extend(args.iter().cloned());
    full.extend(features);
    nice_plug_xtask::main_with_args("cargo xtask", full)
}

/// `--features A/export,B/export` for the packages a `bundle` command line names
/// (`PACKAGE …` or `-p A -p B …`), nothing when it names none.
fn export_features(args: &[String]) -> Vec<String> {
    let packages: Vec<&str> = match args.first().map(String::as_str) {
        Some("-p") => args
            .chunks(2)
            .take_while(|pair| pair[0] == "-p")
            .filter_map(|pair| pair.get(1).map(String::as_str))
            .collect(),
        Some(package) if !package.starts_with('-') => vec![package],
        _ => Vec::new(),
    };
    if packages.is_empty() {
        return Vec::new();
    }
    let features: Vec<String> = packages.iter().map(|p| format!("{p}/export")).collect();
    vec!["--features".to_owned(), features.join(",")]
}

/// Build every plugin's standalone binary and run the kit's Xvfb smoke script on each.
fn gui_smoke(out_dir: &str) -> nice_plug_xtask::Result<()> {
    let entries = install::plugin_entries()?;
    let mut build = vec!["build"];
    for entry in &entries {
        build.extend(["-p", entry.package.as_str()]);
    }
    cargo(&build, &[])?;
    std::fs::create_dir_all(out_dir)?;
    for entry in &entries {
        let package = &entry.package;
        let short = package.strip_prefix("lacquer-").unwrap_or(package);
        let binary = format!("target/debug/{package}");
        let shot = format!("{out_dir}/{short}.png");
        // One retry: twice in session 5 a standalone's window never became visible to
        // xdotool within 60 s under Xvfb (empty application log, a different plugin each
        // time, passing at once when re-run). A broken editor fails both attempts.
        let mut status = None;
        for attempt in 1..=2 {
            let mut smoke = Command::new("bash");
            smoke.args(["plugins/kit/scripts/gui-smoke.sh", &binary, &shot]);
            if let Some((x, y)) = entry.smoke_drag {
                smoke
                    .env("DRAG_X", x.to_string())
                    .env("DRAG_Y", y.to_string());
            }
            let s = smoke.status()?;
            if s.success() {
                status = None;
                break;
            }
            if attempt == 1 {
                println!("gui-smoke: {package} failed ({s}); retrying once");
            }
            status = Some(s);
        }
        if let Some(status) = status {
            return fail(format!("GUI smoke test failed for {package} ({status})"));
        }
        println!("gui-smoke: {package} ok, screenshot {shot}");
    }
    Ok(())
}

/// Run cargo with `args` followed by the user's extra arguments; fail on a non-zero exit.
fn cargo(args: &[&str], extra: &[String]) -> nice_plug_xtask::Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(args)
        .args(extra)
        .status()?;
    if status.success() {
        Ok(())
    } else {
        fail(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// An error in the `Result` type nice-plug-xtask re-exports (anyhow's).
pub fn fail<T>(message: impl Into<String>) -> nice_plug_xtask::Result<T> {
    Err(std::io::Error::other(message.into()))?
}

#[cfg(test)]
mod tests {
    use super::export_features;

    /// A command line split at spaces (shared by the xtask modules' tests).
    pub(crate) fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn every_bundled_package_gets_its_export_feature() {
        assert_eq!(
            export_features(&args("-p lacquer-panner -p lacquer-limiter --release")),
            args("--features lacquer-panner/export,lacquer-limiter/export")
        );
        assert_eq!(
            export_features(&args("lacquer-panner --release")),
            args("--features lacquer-panner/export")
        );
        assert!(export_features(&args("--release")).is_empty());
        assert!(export_features(&[]).is_empty());
    }
}
