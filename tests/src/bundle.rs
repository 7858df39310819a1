//! Where the built bundles are. Missing bundles fail loudly: a host test that silently
//! skips is worse than none.

use crate::plugins::PluginSpec;
use std::path::{Path, PathBuf};

/// The command that builds the bundles and then runs these tests.
pub const TEST_COMMAND: &str = "cargo xtask test";

/// `<target>/bundled`, where `<target>` is `$CARGO_TARGET_DIR` or the workspace `target/`.
/// `$LACQUER_BUNDLE_DIR` overrides the whole path (e.g. to test release bundles elsewhere).
pub fn bundled_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LACQUER_BUNDLE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                // Cargo resolves a relative target dir against the invocation directory; the
                // README's commands run from the workspace root.
                workspace_root().join(dir)
            }
        }
        _ => workspace_root().join("target"),
    };
    target.join("bundled")
}

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn missing(kind: &str, path: &Path) -> ! {
    panic!(
        "{kind} bundle not found: {}\n\
         The host tests drive the built bundles. Build them first with the README's test \
         command, `{TEST_COMMAND}` (bundles every plugin, then runs `cargo test --workspace`), \
         or `cargo xtask bundle-all` before `cargo test -p lacquer-host-tests`.",
        path.display()
    )
}

/// Path of a plugin's `.clap` file (on Linux a single shared object). Panics when missing.
pub fn clap_path(plugin: &PluginSpec) -> PathBuf {
    let path = bundled_dir().join(format!("{}.clap", plugin.bundle));
    if !path.exists() {
        missing("CLAP", &path);
    }
    path
}

/// Path of the shared object inside a plugin's `.vst3` bundle. Panics when missing.
pub fn vst3_path(plugin: &PluginSpec) -> PathBuf {
    let arch = if cfg!(target_arch = "aarch64") {
        "aarch64-linux"
    } else {
        "x86_64-linux"
    };
    let path = bundled_dir()
        .join(format!("{}.vst3", plugin.bundle))
        .join("Contents")
        .join(arch)
        .join(format!("{}.so", plugin.bundle));
    if !path.exists() {
        missing("VST3", &path);
    }
    path
}
