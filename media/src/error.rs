//! What can go wrong reading a media file: the file cannot be read at all, or it is not audio
//! we can decode. The CLI keeps the two apart (exit codes 3 and 4); the plugins show the
//! message.

use std::fmt;
use std::path::{Path, PathBuf};

/// An error opening or decoding a media file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    /// The file is missing or cannot be read (a directory, no permission, an I/O error).
    Unreadable { path: PathBuf, reason: String },
    /// The file is not audio in a format we read, or its audio cannot be decoded.
    Unsupported { path: PathBuf, reason: String },
}

impl MediaError {
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

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Unreadable { path, .. } | Self::Unsupported { path, .. } => path,
        }
    }

    /// Why, without the path.
    pub fn reason(&self) -> &str {
        match self {
            Self::Unreadable { reason, .. } | Self::Unsupported { reason, .. } => reason,
        }
    }
}

impl fmt::Display for MediaError {
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

impl std::error::Error for MediaError {}
