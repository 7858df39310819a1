//! Bundles for another platform (`--target <triple>`), written to `target/bundled/<triple>/`
//! so that they never replace the native bundles of the same name, and the Wine set-up that
//! validates Windows bundles on Linux.
//!
//! nice-plug-xtask always writes its bundles to `<target dir>/bundled/`. For a cross target
//! the built libraries (and standalone executables) are copied into a staging target dir,
//! `target/<triple>/bundle-stage/<triple>/<profile>/`, nice-plug-xtask bundles from there into
//! `target/<triple>/bundle-stage/bundled/`, and the bundles are moved to
//! `target/bundled/<triple>/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The Windows target the project builds and validates (MinGW-w64, no MSVC needed).
pub const WINDOWS: &str = "x86_64-pc-windows-gnu";

/// The `--target` triple in `args` (`--target T` or `--target=T`).
pub fn target_arg(args: &[String]) -> Option<String> {
    args.iter().enumerate().find_map(|(i, arg)| {
        if arg == "--target" {
            args.get(i + 1).cloned()
        } else {
            arg.strip_prefix("--target=").map(str::to_owned)
        }
    })
}

/// `bundle`'s packages (`-p P`, `--package P`, or a leading `P`) and the other arguments.
pub fn split_packages(args: &[String]) -> (Vec<String>, Vec<String>) {
    let (mut packages, mut other) = (Vec::new(), Vec::new());
    let mut iter = args.iter().enumerate();
    while let Some((i, arg)) = iter.next() {
        if arg == "-p" || arg == "--package" {
            packages.extend(iter.next().map(|(_, p)| p.clone()));
        } else if i == 0 && !arg.starts_with('-') {
            packages.push(arg.clone());
        } else {
            other.push(arg.clone());
        }
    }
    (packages, other)
}

/// The cargo profile directory `args` build into (`debug`, `release` or `--profile`'s).
pub fn profile_dir(args: &[String]) -> String {
    let mut dir = "debug".to_owned();
    for (i, arg) in args.iter().enumerate() {
        if arg == "--release" {
            dir = "release".to_owned();
        } else if arg == "--profile" {
            if let Some(p) = args.get(i + 1) {
                dir = p.clone();
            }
        } else if let Some(p) = arg.strip_prefix("--profile=") {
            dir = p.to_owned();
        }
    }
    if dir == "dev" {
        "debug".to_owned()
    } else {
        dir
    }
}

/// Where the bundles of a build for `triple` are: `target/bundled/` natively,
/// `target/bundled/<triple>/` for an explicit target.
pub fn bundled_dir(triple: Option<&str>) -> PathBuf {
    let base = Path::new("target").join("bundled");
    match triple {
        Some(triple) => base.join(triple),
        None => base,
    }
}

/// The file names cargo gives `package`'s library and executable on `triple`.
fn artifact_names(package: &str, triple: &str) -> [String; 2] {
    let lib = package.replace('-', "_");
    if triple.contains("windows") {
        [format!("{lib}.dll"), format!("{package}.exe")]
    } else if triple.contains("apple") {
        [format!("lib{lib}.dylib"), package.to_owned()]
    } else {
        [format!("lib{lib}.so"), package.to_owned()]
    }
}

/// Build `packages` for `triple` with one cargo invocation and bundle them into
/// [`bundled_dir`]`(Some(triple))`, replacing bundles of the same name there.
pub fn bundle(packages: &[String], args: &[String], triple: &str) -> nice_plug_xtask::Result<()> {
    if triple.contains("windows") {
        crate::sysdeps::ensure_windows(triple, false)?;
    } else {
        crate::sysdeps::rustup_target(triple)?;
    }
    nice_plug_xtask::build(packages, args)?;
    let profile = profile_dir(args);
    let built = Path::new("target").join(triple).join(&profile);
    let stage = Path::new("target").join(triple).join("bundle-stage");
    if stage.exists() {
        fs::remove_dir_all(&stage)?;
    }
    let stage_built = stage.join(triple).join(&profile);
    fs::create_dir_all(&stage_built)?;
    for package in packages {
        for name in artifact_names(package, triple) {
            let source = built.join(&name);
            if source.is_file() {
                fs::copy(&source, stage_built.join(&name))?;
            }
        }
    }
    for package in packages {
        nice_plug_xtask::bundle(&stage, package, args, false)?;
    }
    let dest = bundled_dir(Some(triple));
    fs::create_dir_all(&dest)?;
    for entry in fs::read_dir(stage.join("bundled"))? {
        let entry = entry?;
        let target = dest.join(entry.file_name());
        if target.is_dir() {
            fs::remove_dir_all(&target)?;
        } else if target.exists() {
            fs::remove_file(&target)?;
        }
        fs::rename(entry.path(), &target)?;
    }
    fs::remove_dir_all(&stage)?;
    println!("bundles for {triple}: {}", dest.display());
    Ok(())
}

/// A throwaway Wine prefix for running the Windows validators on Linux, removed on drop
/// (with its wineserver and virtual display).
///
/// Debian 12's Wine 8 lacks `bcryptprimitives.dll`, which every Rust ≥ 1.78 Windows binary
/// imports (`ProcessPrng`); the prefix gets the test-only shim in `xtask/wine/`, built here
/// with MinGW-w64.
pub struct Wine {
    wine: PathBuf,
    prefix: PathBuf,
    display: Option<(String, Child)>,
}

impl Wine {
    /// Create the prefix (`wineboot --init`, no display) and install the shim.
    pub fn new() -> nice_plug_xtask::Result<Self> {
        let wine = ["/usr/lib/wine/wine64", "/usr/bin/wine64", "/usr/bin/wine"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .map_or_else(
                || crate::fail("Wine not found (Debian: apt-get install wine64)"),
                Ok,
            )?;
        let prefix = std::path::absolute(Path::new("target").join("wine-prefix"))?;
        if prefix.exists() {
            fs::remove_dir_all(&prefix)?;
        }
        let shim_dir = Path::new("target").join("wine-shim");
        fs::create_dir_all(&shim_dir)?;
        let shim = shim_dir.join("bcryptprimitives.dll");
        let status = Command::new("x86_64-w64-mingw32-gcc")
            .args(["-O2", "-shared", "-o"])
            .arg(&shim)
            .args([
                "xtask/wine/bcryptprimitives.c",
                "xtask/wine/bcryptprimitives.def",
                "-ladvapi32",
            ])
            .status()?;
        if !status.success() {
            return crate::fail(format!("building the Wine shim failed ({status})"));
        }
        let wine = Self {
            wine,
            prefix,
            display: None,
        };
        let status = wine
            .command(None)
            .args(["wineboot", "--init"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        if !status.success() {
            return crate::fail(format!("wineboot failed ({status})"));
        }
        wine.stop_server();
        fs::copy(
            &shim,
            wine.prefix
                .join("drive_c/windows/system32/bcryptprimitives.dll"),
        )?;
        Ok(wine)
    }

    /// Start a virtual X display (Xvfb) for the following commands; stops the wineserver
    /// first so that no Wine process of the prefix keeps an older display.
    pub fn start_display(&mut self) -> nice_plug_xtask::Result<()> {
        self.stop_server();
        for number in 90..120 {
            if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists()
                || Path::new(&format!("/tmp/.X{number}-lock")).exists()
            {
                continue;
            }
            let name = format!(":{number}");
            let child = Command::new("Xvfb")
                .args([
                    name.as_str(),
                    "-screen",
                    "0",
                    "1280x1024x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?;
            for _ in 0..100 {
                if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            self.display = Some((name, child));
            return Ok(());
        }
        crate::fail("no free X display number for Xvfb in :90..:119")
    }

    /// `wine64` with the prefix's environment: the virtual display when one was started,
    /// else no display at all.
    pub fn command(&self, exe: Option<&Path>) -> Command {
        let mut command = Command::new(&self.wine);
        command
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            // No Mono or Gecko installer prompts in the throwaway prefix.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("WAYLAND_DISPLAY");
        match &self.display {
            Some((name, _)) => command.env("DISPLAY", name),
            None => command.env_remove("DISPLAY"),
        };
        if let Some(exe) = exe {
            command.arg(exe);
        }
        command
    }

    /// `path` as a Windows program under Wine sees it (`Z:` is the Unix root).
    pub fn windows_path(path: &Path) -> std::io::Result<String> {
        let absolute = std::path::absolute(path)?;
        Ok(format!("Z:{}", absolute.display()).replace('/', "\\"))
    }

    /// Stop every process of the prefix (`wineserver -k`) and wait for the server to exit.
    fn stop_server(&self) {
        let server = self.wine.with_file_name("wineserver");
        for args in [&["-k"][..], &["-w"][..]] {
            let _ = Command::new(&server)
                .args(args)
                .env("WINEPREFIX", &self.prefix)
                .status();
        }
    }
}

impl Drop for Wine {
    fn drop(&mut self) {
        self.stop_server();
        if let Some((_, mut child)) = self.display.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_dir_all(&self.prefix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::args;

    #[test]
    fn reads_the_target_and_profile() {
        assert_eq!(
            target_arg(&args("--release --target x86_64-pc-windows-gnu")),
            Some(WINDOWS.to_owned())
        );
        assert_eq!(
            target_arg(&args("--target=aarch64-apple-darwin")),
            Some("aarch64-apple-darwin".to_owned())
        );
        assert_eq!(target_arg(&args("--release")), None);
        assert_eq!(profile_dir(&args("--target x")), "debug");
        assert_eq!(profile_dir(&args("--release --target x")), "release");
        assert_eq!(profile_dir(&args("--profile profiling")), "profiling");
        assert_eq!(profile_dir(&args("--profile=dev")), "debug");
    }

    #[test]
    fn cross_bundles_have_their_own_folder() {
        assert_eq!(bundled_dir(None), Path::new("target/bundled"));
        assert_eq!(
            bundled_dir(Some(WINDOWS)),
            Path::new("target/bundled/x86_64-pc-windows-gnu")
        );
        assert_eq!(
            artifact_names("lacquer-channel-eq", WINDOWS),
            ["lacquer_channel_eq.dll", "lacquer-channel-eq.exe"]
        );
        assert_eq!(
            artifact_names("lacquer-panner", "aarch64-apple-darwin"),
            ["liblacquer_panner.dylib", "lacquer-panner"]
        );
    }

    #[test]
    fn splits_bundle_packages_from_cargo_arguments() {
        let (packages, other) = split_packages(&args(
            "-p a --package b --release --target x86_64-pc-windows-gnu",
        ));
        assert_eq!(packages, ["a", "b"]);
        assert_eq!(other, args("--release --target x86_64-pc-windows-gnu"));
        let (packages, other) = split_packages(&args("lacquer-panner --target t"));
        assert_eq!(packages, ["lacquer-panner"]);
        assert_eq!(other, args("--target t"));
    }

    #[cfg(unix)]
    #[test]
    fn unix_paths_become_wine_drive_z_paths() {
        assert_eq!(
            Wine::windows_path(Path::new("/work/target/bundled/A B.clap")).unwrap(),
            r"Z:\work\target\bundled\A B.clap"
        );
    }
}
