//! Audio files in: the decoder lives in `lacquer-media` (shared with the Loudness plugin's
//! reference tracks); its errors become [`CliError`](crate::error::CliError)s through `From`,
//! so `?` keeps the exit codes (unreadable 3, unsupported 4).

pub use lacquer_media::decode::*;
