//! The system packages a Linux build needs (X11/XCB and OpenGL for the editors, ALSA and JACK
//! for the standalone builds). On Debian and Ubuntu missing ones are installed with apt-get
//! (through sudo when not root); elsewhere the exact list is printed and the command stops.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Debian package names, in the order they are reported.
pub const DEBIAN_PACKAGES: &[&str] = &[
    "pkg-config",
    "libx11-dev",
    "libx11-xcb-dev",
    "libxcursor-dev",
    "libxcb1-dev",
    "libxcb-icccm4-dev",
    "libxcb-dri2-0-dev",
    "libgl1-mesa-dev",
    "libasound2-dev",
    "libjack-jackd2-dev",
];

/// How long apt-get waits for the dpkg lock held by another package manager, in seconds.
pub const APT_LOCK_TIMEOUT_S: u32 = 600;

/// What building Windows bundles on Linux adds: the MinGW-w64 linker.
pub const WINDOWS_BUILD_PACKAGES: &[&str] = &["gcc-mingw-w64-x86-64"];

/// What validating Windows bundles on Linux adds: Wine (64-bit) and a virtual X display.
pub const WINDOWS_VALIDATE_PACKAGES: &[&str] = &["wine64", "xvfb", "xauth"];

/// Check the system packages; install the missing ones where we know how.
pub fn ensure() -> nice_plug_xtask::Result<()> {
    if !cfg!(target_os = "linux") {
        // macOS and Windows need nothing beyond the Rust toolchain and the platform SDK.
        return Ok(());
    }
    if !Path::new("/etc/debian_version").exists() {
        return check_with_pkg_config();
    }
    install_missing(DEBIAN_PACKAGES)
}

/// Windows builds on Linux: the MinGW-w64 linker (and, to validate, Wine and Xvfb) from
/// Debian, and the Rust target from rustup. Elsewhere the needs are printed when missing.
pub fn ensure_windows(triple: &str, validate: bool) -> nice_plug_xtask::Result<()> {
    if cfg!(target_os = "linux") {
        let mut packages = WINDOWS_BUILD_PACKAGES.to_vec();
        if validate {
            packages.extend(WINDOWS_VALIDATE_PACKAGES);
        }
        if Path::new("/etc/debian_version").exists() {
            install_missing(&packages)?;
        } else if !Path::new("/usr/bin/x86_64-w64-mingw32-gcc").exists() {
            return crate::fail(format!(
                "building for {triple} needs the MinGW-w64 linker x86_64-w64-mingw32-gcc (Debian: \
                 {}; validating also needs {})",
                WINDOWS_BUILD_PACKAGES.join(" "),
                WINDOWS_VALIDATE_PACKAGES.join(" ")
            ));
        }
    }
    rustup_target(triple)
}

/// `rustup target add triple` unless it is installed (no rustup: cargo will say so).
pub fn rustup_target(triple: &str) -> nice_plug_xtask::Result<()> {
    let Ok(installed) = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    else {
        return Ok(());
    };
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == triple)
    {
        return Ok(());
    }
    eprintln!("xtask: rustup target add {triple}");
    let status = Command::new("rustup")
        .args(["target", "add", triple])
        .status()?;
    if status.success() {
        Ok(())
    } else {
        crate::fail(format!("`rustup target add {triple}` failed ({status})"))
    }
}

/// `cargo xtask compare`'s peers (ffmpeg, LV2 plugins): installed when missing on Debian and
/// Ubuntu; elsewhere the command stops when `ffmpeg` is not on `PATH`, naming the packages.
pub fn ensure_packages(wanted: &[&str]) -> nice_plug_xtask::Result<()> {
    if Path::new("/etc/debian_version").exists() {
        return install_missing(wanted);
    }
    if Command::new("ffmpeg").arg("-version").output().is_ok() {
        return Ok(());
    }
    crate::fail(format!(
        "this command needs ffmpeg (and LV2 plugins: Debian names {})",
        wanted.join(" ")
    ))
}

/// Install the Debian packages of `wanted` that are missing (apt-get, through sudo when not
/// root).
fn install_missing(wanted: &[&str]) -> nice_plug_xtask::Result<()> {
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|package| !dpkg_installed(package))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!(
        "xtask: installing missing system packages with apt-get: {} (if another apt or dpkg \
         process holds the package lock, this waits for it, up to {} minutes)",
        missing.join(" "),
        APT_LOCK_TIMEOUT_S / 60
    );
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0");
    let apt = |args: &[&str]| -> bool {
        // apt-get waits for the dpkg lock itself (`DPkg::Lock::Timeout`, printing "Waiting for
        // cache lock … held by process N"), but `apt-get update` does not wait for the lists
        // lock (apt 2.6 fails at once): retry that one until the timeout.
        let deadline = std::time::Instant::now() + Duration::from_secs(APT_LOCK_TIMEOUT_S.into());
        loop {
            let mut command = if as_root {
                Command::new("apt-get")
            } else {
                let mut sudo = Command::new("sudo");
                sudo.arg("apt-get");
                sudo
            };
            let output = command
                .args(["-o", &format!("DPkg::Lock::Timeout={APT_LOCK_TIMEOUT_S}")])
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdin(Stdio::null())
                .stdout(Stdio::inherit())
                .stderr(Stdio::piped())
                .output();
            let Ok(output) = output else { return false };
            let stderr = String::from_utf8_lossy(&output.stderr);
            eprint!("{stderr}");
            if output.status.success() {
                return true;
            }
            if !stderr.contains("Could not get lock") || std::time::Instant::now() > deadline {
                return false;
            }
            eprintln!("xtask: another apt process holds the package lock; waiting for it");
            std::thread::sleep(Duration::from_secs(5));
        }
    };
    let mut install_args = vec!["install", "-y", "--no-install-recommends"];
    install_args.extend(&missing);
    if !(apt(&install_args) || (apt(&["update"]) && apt(&install_args))) {
        return crate::fail(format!(
            "could not install the system packages; install them yourself:\n  \
             sudo apt-get install {}",
            missing.join(" ")
        ));
    }
    Ok(())
}

fn dpkg_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
}

/// Non-Debian Linux: ask pkg-config for the libraries and print what is missing.
fn check_with_pkg_config() -> nice_plug_xtask::Result<()> {
    const PKG_CONFIG_NAMES: &[&str] = &[
        "x11",
        "x11-xcb",
        "xcursor",
        "xcb",
        "xcb-icccm",
        "gl",
        "alsa",
        "jack",
    ];
    let missing: Vec<&str> = PKG_CONFIG_NAMES
        .iter()
        .copied()
        .filter(|name| {
            !Command::new("pkg-config")
                .args(["--exists", name])
                .status()
                .is_ok_and(|status| status.success())
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        crate::fail(format!(
            "missing development libraries (pkg-config names): {}\n\
             Install your distribution's -dev/-devel packages for them (on Debian/Ubuntu: {}).",
            missing.join(" "),
            DEBIAN_PACKAGES.join(" ")
        ))
    }
}
