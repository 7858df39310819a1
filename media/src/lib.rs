//! Media I/O shared by the `lacquer` CLI and the plugins that load files (the Loudness
//! plugin's reference tracks): decoding audio files to planar samples ([`decode`]) and
//! converting whole planar buffers to another sample rate ([`resample`]). Nothing here runs
//! on an audio thread: both allocate and read files.

pub mod decode;
pub mod error;
pub mod resample;

pub use decode::{AudioFile, Block, SourceFormat};
pub use error::MediaError;
pub use resample::{resample_planar, ResampleError};

/// Decodes a whole file into planar `f32` channels at its own sample rate (allocates; for a
/// background thread). Returns `(channels, sample_rate)`. A file whose blocks change rate
/// mid-stream (no container we read does this) is reported as unsupported.
pub fn decode_all(path: &std::path::Path) -> Result<(Vec<Vec<f32>>, u32), MediaError> {
    let mut file = AudioFile::<f32>::open(path)?;
    let mut planes: Vec<Vec<f32>> = Vec::new();
    let mut rate = None;
    while let Some(block) = file.next_block()? {
        match rate {
            None => rate = Some(block.sample_rate),
            Some(r) if r != block.sample_rate => {
                return Err(MediaError::unsupported(
                    path,
                    "the sample rate changes mid-file",
                ))
            }
            Some(_) => {}
        }
        if planes.is_empty() {
            planes = vec![Vec::new(); block.channels.len()];
        }
        if planes.len() != block.channels.len() {
            return Err(MediaError::unsupported(
                path,
                "the channel count changes mid-file",
            ));
        }
        for (plane, channel) in planes.iter_mut().zip(block.channels) {
            plane.extend_from_slice(channel);
        }
    }
    match rate {
        Some(rate) if rate > 0 => Ok((planes, rate)),
        _ => Err(MediaError::unsupported(path, "no audio in the file")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 16-bit PCM WAV written byte by byte (independent of any WAV library).
    fn wav16(path: &std::path::Path, rate: u32, channels: u16, interleaved: &[i16]) {
        let data_len = (interleaved.len() * 2) as u32;
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&(36 + data_len).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
        b.extend_from_slice(&(channels * 2).to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&data_len.to_le_bytes());
        for s in interleaved {
            b.extend_from_slice(&s.to_le_bytes());
        }
        std::fs::write(path, b).unwrap();
    }

    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("lacquer-media-{}-{name}", std::process::id()))
    }

    #[test]
    fn decode_all_reads_every_sample_exactly() {
        let path = temp("exact.wav");
        let frames = 10_000;
        let samples: Vec<i16> = (0..frames * 2)
            .map(|i| ((i as i32 * 7919) % 65_536 - 32_768) as i16)
            .collect();
        wav16(&path, 44_100, 2, &samples);
        let (planes, rate) = decode_all(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(rate, 44_100);
        assert_eq!(planes.len(), 2);
        assert_eq!(planes[0].len(), frames);
        for (i, s) in samples.iter().enumerate() {
            assert_eq!(planes[i % 2][i / 2], f32::from(*s) / 32_768.0, "sample {i}");
        }
    }

    #[test]
    fn missing_and_non_audio_files_are_told_apart() {
        let missing = temp("missing.wav");
        match decode_all(&missing) {
            Err(MediaError::Unreadable { path, .. }) => assert_eq!(path, missing),
            other => panic!("{other:?}"),
        }
        let text = temp("text.wav");
        std::fs::write(&text, "not audio at all, just words").unwrap();
        let got = decode_all(&text);
        std::fs::remove_file(&text).unwrap();
        match got {
            Err(e @ MediaError::Unsupported { .. }) => {
                assert_eq!(e.path(), text);
                assert!(e.to_string().contains("not audio"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decode_all(&std::env::temp_dir()),
            Err(MediaError::Unreadable { .. })
        ));
    }
}
