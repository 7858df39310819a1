//! `cargo xtask install`: copy the release bundles into the per-user plugin folders.
//! Linux: `~/.clap`, `~/.vst3`. macOS: `~/Library/Audio/Plug-Ins/{CLAP,VST3}`.
//! Windows: `%LOCALAPPDATA%\Programs\Common\{CLAP,VST3}` (the per-user locations of both specs).

use std::fs;
use std::path::{Path, PathBuf};

/// One `[package]` table of `bundler.toml`.
#[derive(Debug, Clone)]
pub struct BundleEntry {
    /// The cargo package name (the table header).
    pub package: String,
    /// The bundles' display name (`name = "…"`).
    pub name: String,
    /// `test_only = true`: bundled for the host tests, never installed or smoke-tested.
    pub test_only: bool,
    /// `smoke_drag = "x,y"`: the knob the GUI smoke test drags, in window coordinates
    /// (default: the smoke script's own, the Panner's pan knob).
    pub smoke_drag: Option<(u32, u32)>,
}

/// Every package in `bundler.toml`, in file order.
pub fn bundle_entries() -> nice_plug_xtask::Result<Vec<BundleEntry>> {
    let text = fs::read_to_string("bundler.toml")?;
    let mut entries: Vec<BundleEntry> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let package = header.trim().trim_matches('"').to_owned();
            entries.push(BundleEntry {
                name: package.clone(),
                package,
                test_only: false,
                smoke_drag: None,
            });
        } else if let (Some((key, value)), Some(entry)) = (line.split_once('='), entries.last_mut())
        {
            let value = value.trim().trim_matches('"');
            match key.trim() {
                "name" => entry.name = value.to_owned(),
                "test_only" => entry.test_only = value == "true",
                "smoke_drag" => {
                    entry.smoke_drag = value
                        .split_once(',')
                        .and_then(|(x, y)| Some((x.trim().parse().ok()?, y.trim().parse().ok()?)));
                }
                _ => {}
            }
        }
    }
    if entries.is_empty() {
        return crate::fail("bundler.toml lists no packages");
    }
    Ok(entries)
}

/// The user-facing plugin packages (not `test_only`).
pub fn plugin_entries() -> nice_plug_xtask::Result<Vec<BundleEntry>> {
    Ok(bundle_entries()?
        .into_iter()
        .filter(|entry| !entry.test_only)
        .collect())
}

fn home() -> nice_plug_xtask::Result<PathBuf> {
    let var = if cfg!(windows) {
        "LOCALAPPDATA"
    } else {
        "HOME"
    };
    match std::env::var_os(var) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => crate::fail(format!("${var} is not set; cannot find the plugin folders")),
    }
}

/// (CLAP folder, VST3 folder) for the current user.
fn plugin_dirs() -> nice_plug_xtask::Result<(PathBuf, PathBuf)> {
    let base = home()?;
    Ok(if cfg!(target_os = "macos") {
        let plugins = base.join("Library/Audio/Plug-Ins");
        (plugins.join("CLAP"), plugins.join("VST3"))
    } else if cfg!(windows) {
        let common = base.join("Programs").join("Common");
        (common.join("CLAP"), common.join("VST3"))
    } else {
        (base.join(".clap"), base.join(".vst3"))
    })
}

/// Copy every bundle of every package into the user's plugin folders, replacing old ones.
pub fn install_bundles() -> nice_plug_xtask::Result<()> {
    let (clap_dir, vst3_dir) = plugin_dirs()?;
    let bundled = Path::new("target").join("bundled");
    for name in plugin_entries()?.into_iter().map(|entry| entry.name) {
        for (ext, dest_dir) in [("clap", &clap_dir), ("vst3", &vst3_dir)] {
            let source = bundled.join(format!("{name}.{ext}"));
            if !source.exists() {
                return crate::fail(format!("{} was not built", source.display()));
            }
            fs::create_dir_all(dest_dir)?;
            let dest = dest_dir.join(format!("{name}.{ext}"));
            if dest.is_dir() {
                fs::remove_dir_all(&dest)?;
            } else if dest.exists() {
                fs::remove_file(&dest)?;
            }
            copy_recursive(&source, &dest)?;
            println!("installed {} -> {}", source.display(), dest.display());
        }
    }
    Ok(())
}

fn copy_recursive(source: &Path, dest: &Path) -> std::io::Result<()> {
    if source.is_dir() {
        fs::create_dir_all(dest)?;
        for entry in fs::read_dir(source)? {
            let entry = entry?;
            copy_recursive(&entry.path(), &dest.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        fs::copy(source, dest).map(|_| ())
    }
}

/// Build the `lacquer` command line in release and copy it to `~/.cargo/bin` when that
/// exists (rustup's folder, usually on `PATH`), else `~/.local/bin`; the path is printed.
pub fn install_cli() -> nice_plug_xtask::Result<()> {
    let status = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
        .args(["build", "--release", "-p", "lacquer-cli"])
        .status()?;
    if !status.success() {
        return crate::fail(format!("building the lacquer CLI failed ({status})"));
    }
    let exe = format!("lacquer{}", std::env::consts::EXE_SUFFIX);
    let source = Path::new("target").join("release").join(&exe);
    let base = home()?;
    let cargo_bin = base.join(".cargo").join("bin");
    let dest_dir = if cargo_bin.is_dir() {
        cargo_bin
    } else {
        base.join(".local").join("bin")
    };
    fs::create_dir_all(&dest_dir)?;
    let dest = dest_dir.join(&exe);
    fs::copy(&source, &dest)?;
    println!("installed {} -> {}", source.display(), dest.display());
    Ok(())
}
