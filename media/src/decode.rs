//! Audio files in, planar `f32` blocks out, through `symphonia`: WAV (8/16/24/32-bit
//! integer, 32/64-bit float), FLAC, MP3, Ogg Vorbis, and AAC or ALAC in MP4/M4A. Integer
//! samples are scaled by 2^-(bits-1), so a WAV's full scale reads 0 dBFS and every 16/24-bit
//! sample converts exactly.

use crate::error::MediaError;
use std::path::Path;
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{
    DecoderOptions, CODEC_TYPE_NULL, CODEC_TYPE_PCM_F32BE, CODEC_TYPE_PCM_F32LE,
    CODEC_TYPE_PCM_F64BE, CODEC_TYPE_PCM_F64LE,
};
use symphonia::core::conv::ConvertibleSample;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use symphonia::core::sample::Sample;

/// How the file stores its samples, as far as the container says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFormat {
    /// Bits per sample (`None` for lossy codecs).
    pub bits: Option<u32>,
    /// Floating-point samples.
    pub float: bool,
}

/// An open audio file, decoded to samples of type `S` (`f32`, or `f64` where a 32-bit
/// integer or 64-bit float file must convert exactly).
pub struct AudioFile<S: Sample = f32> {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn symphonia::core::codecs::Decoder>,
    track_id: u32,
    /// Frames in the file, when the container says.
    pub frames: Option<u64>,
    /// The stored sample format.
    pub source: SourceFormat,
    interleaved: Option<SampleBuffer<S>>,
    planar: Vec<Vec<S>>,
    /// Packets that failed to decode and were skipped (a damaged MP3 frame, say).
    pub skipped_packets: u64,
    path: std::path::PathBuf,
}

/// One decoded block.
pub struct Block<'a, S = f32> {
    pub sample_rate: u32,
    /// One slice per channel, all the same length.
    pub channels: &'a [Vec<S>],
}

impl<S: Sample + ConvertibleSample> AudioFile<S> {
    /// Opens and probes `path`.
    pub fn open(path: &Path) -> Result<Self, MediaError> {
        let file = std::fs::File::open(path).map_err(|e| MediaError::unreadable(path, e))?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(MediaError::unreadable(path, "it is a directory"));
        }
        let stream = MediaSourceStream::new(Box::new(file), Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let probed = symphonia::default::get_probe()
            .format(
                &hint,
                stream,
                // Gapless: the encoder delay and padding of MP3/AAC are trimmed, so a lossy
                // file measures the programme that was encoded, not extra silence.
                &FormatOptions {
                    enable_gapless: true,
                    ..Default::default()
                },
                &MetadataOptions::default(),
            )
            .map_err(|e| match e {
                SymphoniaError::IoError(io) => MediaError::unreadable(path, io),
                other => MediaError::unsupported(path, other),
            })?;
        let format = probed.format;
        let track = format
            .tracks()
            .iter()
            .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
            .ok_or_else(|| MediaError::unsupported(path, "no audio track"))?;
        let decoder = symphonia::default::get_codecs()
            .make(&track.codec_params, &DecoderOptions::default())
            .map_err(|e| MediaError::unsupported(path, e))?;
        let codec = track.codec_params.codec;
        let source = SourceFormat {
            // symphonia gives no bits per sample for float PCM: the codec says it.
            bits: track.codec_params.bits_per_sample.or(match codec {
                CODEC_TYPE_PCM_F64LE | CODEC_TYPE_PCM_F64BE => Some(64),
                CODEC_TYPE_PCM_F32LE | CODEC_TYPE_PCM_F32BE => Some(32),
                _ => None,
            }),
            float: [
                CODEC_TYPE_PCM_F32LE,
                CODEC_TYPE_PCM_F32BE,
                CODEC_TYPE_PCM_F64LE,
                CODEC_TYPE_PCM_F64BE,
            ]
            .contains(&codec),
        };
        Ok(Self {
            source,
            track_id: track.id,
            frames: track.codec_params.n_frames,
            format,
            decoder,
            interleaved: None,
            planar: Vec::new(),
            skipped_packets: 0,
            path: path.to_owned(),
        })
    }

    /// The next decoded block, or `None` at the end of the file.
    pub fn next_block(&mut self) -> Result<Option<Block<'_, S>>, MediaError> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(packet) => packet,
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Ok(None)
                }
                Err(SymphoniaError::ResetRequired) => return Ok(None),
                Err(SymphoniaError::IoError(e)) => {
                    return Err(MediaError::unreadable(&self.path, e))
                }
                Err(e) => return Err(MediaError::unsupported(&self.path, e)),
            };
            if packet.track_id() != self.track_id {
                continue;
            }
            let decoded = match self.decoder.decode(&packet) {
                Ok(decoded) => decoded,
                Err(SymphoniaError::DecodeError(_)) => {
                    self.skipped_packets += 1;
                    continue;
                }
                Err(SymphoniaError::IoError(e)) => {
                    return Err(MediaError::unreadable(&self.path, e))
                }
                Err(e) => return Err(MediaError::unsupported(&self.path, e)),
            };
            let spec = *decoded.spec();
            let frames = decoded.frames();
            if frames == 0 {
                continue;
            }
            let channels = spec.channels.count();
            if channels == 0 {
                return Err(MediaError::unsupported(&self.path, "no channels"));
            }
            let buffer = match &mut self.interleaved {
                Some(b) if b.capacity() >= decoded.capacity() * channels => b,
                slot => slot.insert(SampleBuffer::new(decoded.capacity() as u64, spec)),
            };
            buffer.copy_interleaved_ref(decoded);
            let samples = buffer.samples();
            self.planar.resize_with(channels, Vec::new);
            for (ch, plane) in self.planar.iter_mut().enumerate() {
                plane.clear();
                plane.extend(samples.iter().skip(ch).step_by(channels).take(frames));
            }
            return Ok(Some(Block {
                sample_rate: spec.rate,
                channels: &self.planar,
            }));
        }
    }
}
