//! What can go wrong, each with its own exit code (the README lists them; bad arguments exit
//! with clap's code 2).

use std::fmt;
use std::path::{Path, PathBuf};

/// An error the command line reports and exits with.
#[derive(Debug)]
pub enum CliError {
    /// A file is missing or cannot be read (exit 3).
    Unreadable { path: PathBuf, reason: String },
    /// A file is not audio in a format we read, or its audio cannot be decoded (exit 4).
    Unsupported { path: PathBuf, reason: String },
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Unreadable { .. } => 3,
            Self::Unsupported { .. } => 4,
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
        }
    }
}
