//! `cargo xtask dist`: the release archives.
//!
//! Builds the release bundles of every plugin for Linux and for Windows
//! (`x86_64-pc-windows-gnu`, linked by MinGW-w64) and the `lacquer` command line for both, and
//! writes `target/dist/lacquer-<version>-linux-x86_64.zip` and `…-windows-x86_64.zip`. Each
//! holds one folder `lacquer-<version>/` with `CLAP/` (the `.clap` bundles), `VST3/` (the
//! `.vst3` bundles), the `lacquer` executable, `README.md` and `LICENSE`.

use crate::cross;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// One archive: its platform name, the cargo target (`None`: this machine's) and the CLI's
/// file name.
const ARCHIVES: [(&str, Option<&str>, &str); 2] = [
    ("linux-x86_64", None, "lacquer"),
    ("windows-x86_64", Some(cross::WINDOWS), "lacquer.exe"),
];

/// Build everything in release and write both archives.
pub fn dist(args: &[String]) -> nice_plug_xtask::Result<()> {
    if !args.is_empty() {
        return crate::fail(format!(
            "`cargo xtask dist` takes no arguments (got {})",
            args.join(" ")
        ));
    }
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return crate::fail("`cargo xtask dist` runs on x86-64 Linux (it cross-builds Windows)");
    }
    let version = env!("CARGO_PKG_VERSION");
    let out_dir = Path::new("target").join("dist");
    fs::create_dir_all(&out_dir)?;
    for (platform, triple, cli) in ARCHIVES {
        let mut bundle_args = vec!["--release".to_owned()];
        let mut cli_args = vec!["build", "--release", "-p", "lacquer-cli"];
        if let Some(triple) = triple {
            bundle_args.extend(["--target".to_owned(), triple.to_owned()]);
            cli_args.extend(["--target", triple]);
        }
        crate::bundle_all(&bundle_args, false)?;
        crate::cargo(&cli_args, &[])?;
        let cli_path = match triple {
            Some(triple) => Path::new("target").join(triple).join("release").join(cli),
            None => Path::new("target").join("release").join(cli),
        };
        let bundled = cross::bundled_dir(triple);
        let root = format!("lacquer-{version}");
        let mut files: Vec<(String, PathBuf)> = vec![
            (format!("{root}/{cli}"), cli_path),
            (format!("{root}/README.md"), PathBuf::from("README.md")),
            (format!("{root}/LICENSE"), PathBuf::from("LICENSE")),
        ];
        for entry in crate::install::plugin_entries()? {
            for (folder, ext) in [("CLAP", "clap"), ("VST3", "vst3")] {
                let bundle = bundled.join(format!("{}.{ext}", entry.name));
                if !bundle.exists() {
                    return crate::fail(format!("{} was not built", bundle.display()));
                }
                collect(
                    &bundle,
                    &format!("{root}/{folder}/{}.{ext}", entry.name),
                    &mut files,
                )?;
            }
        }
        let archive = out_dir.join(format!("lacquer-{version}-{platform}.zip"));
        write_zip(&archive, &files)?;
        println!(
            "dist: {} ({} files, {:.1} MB)",
            archive.display(),
            files.len(),
            fs::metadata(&archive)?.len() as f64 / 1e6
        );
    }
    Ok(())
}

/// `path` (a file, or a bundle folder walked recursively) as archive entries under `name`.
fn collect(path: &Path, name: &str, files: &mut Vec<(String, PathBuf)>) -> io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<_> = fs::read_dir(path)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let child = format!("{name}/{}", entry.file_name().to_string_lossy());
            collect(&entry.path(), &child, files)?;
        }
    } else {
        files.push((name.to_owned(), path.to_owned()));
    }
    Ok(())
}

/// Write `files` (archive name, source) to `archive` through a temporary file, renamed at the
/// end; executables keep their mode bits.
fn write_zip(archive: &Path, files: &[(String, PathBuf)]) -> nice_plug_xtask::Result<()> {
    let partial = archive.with_extension("zip.partial");
    let mut zip = ZipWriter::new(File::create(&partial)?);
    for (name, source) in files {
        let mode = file_mode(source)?;
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .unix_permissions(mode);
        zip.start_file(name.as_str(), options)?;
        zip.write_all(&fs::read(source)?)?;
    }
    zip.finish()?;
    fs::rename(&partial, archive)?;
    Ok(())
}

/// The Unix mode a file gets in the archive: 0o755 for executables, else 0o644.
fn file_mode(path: &Path) -> io::Result<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)?.permissions().mode();
        Ok(if mode & 0o111 != 0 { 0o755 } else { 0o644 })
    }
    #[cfg(not(unix))]
    {
        let _ = fs::metadata(path)?;
        Ok(0o644)
    }
}
