//! What can go wrong, each with its own exit code (the README lists them; bad arguments exit
//! with clap's code 2).

use std::fmt;
use std::path::{Path, PathBuf};

/// An error the command line reports and exits with.
#[derive(Debug)]
pub enum CliError {
    /// A file is missing or cannot be read (exit 3).
    Unreadable { path: PathBuf, reason: String },
    /// A file is not audio in a format we read, or its audio cannot be decoded, or a
    /// processor cannot take its channel count (exit 4).
    Unsupported { path: PathBuf, reason: String },
    /// An unknown processor or preset, or a chain that does not parse (exit 5).
    Chain(String),
    /// An unknown parameter ID or choice value of a processor (exit 6).
    UnknownParam(String),
    /// A parameter value outside its range (exit 7).
    OutOfRange(String),
    /// A processor needs a sidechain file, or one was given to a chain with no processor
    /// that takes it (exit 8).
    Sidechain(String),
    /// The output cannot be written (exit 9).
    Output { path: PathBuf, reason: String },
    /// The output is the input and `--force` was not given (exit 10).
    WouldOverwrite { path: PathBuf },
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Unreadable { .. } => 3,
            Self::Unsupported { .. } => 4,
            Self::Chain(_) => 5,
            Self::UnknownParam(_) => 6,
            Self::OutOfRange(_) => 7,
            Self::Sidechain(_) => 8,
            Self::Output { .. } => 9,
            Self::WouldOverwrite { .. } => 10,
        }
    }

    pub fn unreadable(path: &Path, reason: impl fmt::Display) -> Self {
        Self::Unreadable {
            path: path.to_owned(),
            reason: reason.to_string(),
        }
    }

    pub fn unsupported(path: &Path, reason: impl fmt::Display) -> Self {
        Self::Unsupported {
            path: path.to_owned(),
            reason: reason.to_string(),
        }
    }

    pub fn output(path: &Path, reason: impl fmt::Display) -> Self {
        Self::Output {
            path: path.to_owned(),
            reason: reason.to_string(),
        }
    }
}

/// A media file that cannot be read is [`CliError::Unreadable`] (exit 3); one that is not
/// audio we decode is [`CliError::Unsupported`] (exit 4).
impl From<lacquer_media::MediaError> for CliError {
    fn from(e: lacquer_media::MediaError) -> Self {
        match e {
            lacquer_media::MediaError::Unreadable { path, reason } => {
                Self::Unreadable { path, reason }
            }
            lacquer_media::MediaError::Unsupported { path, reason } => {
                Self::Unsupported { path, reason }
            }
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable { path, reason } => {
                write!(f, "cannot read '{}': {reason}", path.display())
            }
            Self::Unsupported { path, reason } => {
                write!(
                    f,
                    "'{}' is not audio we can decode: {reason}",
                    path.display()
                )
            }
            Self::Chain(m) | Self::UnknownParam(m) | Self::OutOfRange(m) | Self::Sidechain(m) => {
                f.write_str(m)
            }
            Self::Output { path, reason } => {
                write!(f, "cannot write '{}': {reason}", path.display())
            }
            Self::WouldOverwrite { path } => write!(
                f,
                "'{}' is the input file; give another output or --force to replace it",
                path.display()
            ),
        }
    }
}
