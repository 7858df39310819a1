//! `lacquer render`: a file through a chain of the plugins, written as WAV.
//!
//! The whole file is decoded (to `f64`, so a 32-bit integer or float sample converts
//! exactly), run through each stage in turn in blocks of [`MAX_BLOCK`], each stage's latency
//! compensated as a DAW does (the input is followed by that many zeros and the output starts
//! that much later), and written through `hound` to a temporary file beside the target that
//! is renamed over it only when complete. An empty chain copies the samples unchanged.
//!
//! Word length: the output is quantised to `--bits`. When a 16- or 24-bit output is asked
//! for and some sample is not already on that grid, the Limiter's dither
//! ([`dsp_core::dither::Dither`], TPDF by default) quantises it; a chain ending in a Limiter
//! that dithers to the same word length, or an unprocessed 16/24-bit input, is already on the
//! grid and is written as is.

use crate::chain::BuiltStage;
use crate::decode::{AudioFile, SourceFormat};
use crate::engine::{ScopedFtz, MAX_BLOCK};
use crate::error::CliError;
use dsp_core::dither::{Dither, DitherBits, DitherMode};
use indicatif::ProgressBar;
use std::path::{Path, PathBuf};

/// A decoded file.
pub struct Audio {
    /// Sample rate, Hz.
    pub rate: u32,
    /// Planar samples, full scale ±1.
    pub channels: Vec<Vec<f64>>,
    /// How the file stored them.
    pub source: SourceFormat,
}

impl Audio {
    /// Frames.
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    /// The samples as `f32`, the plugins' format, freeing each `f64` channel as it goes.
    pub fn into_f32(self) -> Vec<Vec<f32>> {
        self.channels
            .into_iter()
            .map(|c| c.into_iter().map(|x| x as f32).collect())
            .collect()
    }
}

/// Decodes the whole of `path`.
pub fn read(path: &Path) -> Result<Audio, CliError> {
    let mut file = AudioFile::<f64>::open(path)?;
    let source = file.source;
    let mut rate = 0;
    let mut channels: Vec<Vec<f64>> = Vec::new();
    while let Some(block) = file.next_block()? {
        if channels.is_empty() {
            rate = block.sample_rate;
            if rate == 0 {
                return Err(CliError::unsupported(path, "the sample rate is 0 Hz"));
            }
            channels = vec![Vec::new(); block.channels.len()];
        } else if block.sample_rate != rate || block.channels.len() != channels.len() {
            return Err(CliError::unsupported(
                path,
                "the sample rate or channel count changes within the file",
            ));
        }
        for (dst, src) in channels.iter_mut().zip(block.channels) {
            dst.extend_from_slice(src);
        }
    }
    if channels.is_empty() {
        return Err(CliError::unsupported(path, "no audio in the file"));
    }
    if file.skipped_packets > 0 {
        eprintln!(
            "lacquer: warning: '{}': {} damaged packet(s) skipped",
            path.display(),
            file.skipped_packets
        );
    }
    Ok(Audio {
        rate,
        channels,
        source,
    })
}

/// Runs `signal` through every stage of `stages`; `key` is the sidechain (silence when
/// `None`). Each stage is activated here at `rate`. `what` names the input in errors.
pub fn run(
    stages: &mut [BuiltStage],
    rate: u32,
    mut signal: Vec<Vec<f32>>,
    key: Option<&[Vec<f32>]>,
    what: &Path,
    progress: &ProgressBar,
) -> Result<Vec<Vec<f32>>, CliError> {
    let frames = signal.first().map_or(0, Vec::len);
    let _ftz = ScopedFtz::enable();
    for built in stages.iter_mut() {
        let stage = &mut built.stage;
        let key_channels = key.map_or(0, |k| k.len().min(2));
        let layout = stage
            .activate(rate as f32, signal.len(), key_channels)
            .ok_or_else(|| {
                CliError::unsupported(
                    what,
                    format!(
                        "the {} cannot take {} channel(s) at {rate} Hz",
                        built.name,
                        signal.len()
                    ),
                )
            })?;
        if layout.input == 2 && signal.len() == 1 {
            signal.push(signal[0].clone());
        }
        // Outputs beyond the inputs start silent, as the wrapper hands them to the plugin.
        while signal.len() < layout.output {
            signal.push(vec![0.0; frames]);
        }
        let latency = stage.latency();
        let total = frames + latency;
        for channel in &mut signal {
            channel.resize(total, 0.0);
        }
        let mut key_planes: Vec<Vec<f32>> = (0..layout.key)
            .map(|c| {
                let mut plane = match key {
                    Some(k) if !k.is_empty() => k[c.min(k.len() - 1)].clone(),
                    _ => Vec::new(),
                };
                plane.resize(total, 0.0);
                plane
            })
            .collect();
        let mut start = 0;
        while start < total {
            let end = (start + MAX_BLOCK).min(total);
            let mut main: Vec<&mut [f32]> = signal.iter_mut().map(|c| &mut c[start..end]).collect();
            let mut key_block: Vec<&mut [f32]> =
                key_planes.iter_mut().map(|c| &mut c[start..end]).collect();
            stage.process(&mut main, &mut key_block);
            progress.inc((end - start) as u64);
            start = end;
        }
        for channel in &mut signal {
            channel.drain(..latency);
        }
        signal.truncate(layout.output);
    }
    Ok(signal)
}

/// Output word length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bits {
    /// 16-bit integer.
    Int16,
    /// 24-bit integer.
    Int24,
    /// 32-bit integer.
    Int32,
    /// 32-bit float.
    Float32,
    /// 64-bit float.
    Float64,
}

impl Bits {
    /// `16`, `24`, `32`, `32f` or `64f`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "16" => Ok(Self::Int16),
            "24" => Ok(Self::Int24),
            "32" => Ok(Self::Int32),
            "32f" | "float" => Ok(Self::Float32),
            "64f" => Ok(Self::Float64),
            _ => Err(format!(
                "'{text}': use 16, 24, 32 (integer), 32f or 64f (float)"
            )),
        }
    }

    /// The input's own format: 16/24/32-bit integer and 32/64-bit float stay, 8-bit becomes
    /// 16; lossy or unknown sources 24-bit.
    pub fn like(source: SourceFormat) -> Self {
        match (source.float, source.bits) {
            (true, Some(64)) => Self::Float64,
            (true, _) => Self::Float32,
            (false, Some(b)) if b <= 16 => Self::Int16,
            (false, Some(32)) => Self::Int32,
            _ => Self::Int24,
        }
    }

    /// The dither's word length, for the integer formats it serves.
    fn dither_bits(self) -> Option<DitherBits> {
        match self {
            Self::Int16 => Some(DitherBits::Bits16),
            Self::Int24 => Some(DitherBits::Bits24),
            _ => None,
        }
    }

    fn spec(self, channels: usize, rate: u32) -> hound::WavSpec {
        let (bits_per_sample, sample_format) = match self {
            Self::Int16 => (16, hound::SampleFormat::Int),
            Self::Int24 => (24, hound::SampleFormat::Int),
            Self::Int32 => (32, hound::SampleFormat::Int),
            Self::Float32 => (32, hound::SampleFormat::Float),
            // Written by `write_wav_f64`; hound has no 64-bit float.
            Self::Float64 => (64, hound::SampleFormat::Float),
        };
        hound::WavSpec {
            channels: channels as u16,
            sample_rate: rate,
            bits_per_sample,
            sample_format,
        }
    }
}

/// `--dither`: what quantises a 16/24-bit output that is not on the grid already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DitherChoice {
    /// TPDF dither (the Limiter's).
    Tpdf,
    /// TPDF with the Limiter's F-weighted noise shaping.
    Shaped,
    /// Plain rounding.
    Off,
}

/// Quantises `signal` to `bits` with dither when it is not on that grid already; returns
/// whether it dithered.
pub fn quantise(signal: &mut [Vec<f32>], bits: Bits, dither: DitherChoice) -> bool {
    let Some(word) = bits.dither_bits() else {
        return false;
    };
    let lsb = word.lsb();
    let on_grid = signal
        .iter()
        .flatten()
        .all(|&x| ((x as f64) / lsb).fract() == 0.0);
    if on_grid || dither == DitherChoice::Off {
        return false;
    }
    let mode = match dither {
        DitherChoice::Shaped => DitherMode::NoiseShaped,
        _ => DitherMode::Tpdf,
    };
    // One dither per channel pair: each has its own random streams for two channels.
    for channels in signal.chunks_mut(2) {
        let mut d = Dither::new();
        d.set(mode, word);
        for (c, channel) in channels.iter_mut().enumerate() {
            d.process(c, channel);
        }
    }
    true
}

/// Refuses to write over `input` unless `force`.
pub fn check_output(input: &Path, output: &Path, force: bool) -> Result<(), CliError> {
    let same = match (input.canonicalize(), absolute(output)) {
        (Ok(a), Some(b)) => a == b,
        _ => false,
    };
    if same && !force {
        return Err(CliError::WouldOverwrite {
            path: output.to_owned(),
        });
    }
    Ok(())
}

/// `path` made absolute through its (existing) parent, without requiring `path` to exist.
fn absolute(path: &Path) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.canonicalize().ok()?,
        _ => std::env::current_dir().ok()?,
    };
    Some(parent.join(path.file_name()?))
}

/// Writes `channels` (full scale ±1) as a WAV of `bits` at `path`, through a temporary file
/// beside it renamed at the end; nothing is left behind on failure.
pub fn write<T: Copy + Into<f64>>(
    path: &Path,
    rate: u32,
    channels: &[Vec<T>],
    bits: Bits,
) -> Result<(), CliError> {
    let name = path
        .file_name()
        .ok_or_else(|| CliError::output(path, "not a file name"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".lacquer-{}.tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let result = write_wav(&temp, rate, channels, bits)
        .and_then(|()| std::fs::rename(&temp, path).map_err(|e| e.to_string()));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        CliError::output(path, e)
    })
}

fn write_wav<T: Copy + Into<f64>>(
    path: &Path,
    rate: u32,
    channels: &[Vec<T>],
    bits: Bits,
) -> Result<(), String> {
    if bits == Bits::Float64 {
        return write_wav_f64(path, rate, channels);
    }
    let spec = bits.spec(channels.len(), rate);
    let mut writer = hound::WavWriter::create(path, spec).map_err(|e| e.to_string())?;
    let frames = channels.first().map_or(0, Vec::len);
    let scale = match bits {
        Bits::Int16 => 32_768.0,
        Bits::Int24 => 8_388_608.0,
        _ => 2_147_483_648.0,
    };
    for i in 0..frames {
        for channel in channels {
            let x: f64 = channel[i].into();
            let result = if bits == Bits::Float32 {
                writer.write_sample(x as f32)
            } else {
                let q = (x * scale).round().clamp(-scale, scale - 1.0);
                writer.write_sample(q as i32)
            };
            result.map_err(|e| e.to_string())?;
        }
    }
    writer.finalize().map_err(|e| e.to_string())
}

/// A 64-bit float WAV: hound writes float samples only as 32-bit, so the three chunks are
/// written here. `fmt ` with format tag 3 (IEEE float) and the 18-byte form non-PCM formats
/// use, `fact` (the frame count, which the WAV spec asks of non-PCM data), then `data`,
/// interleaved little-endian `f64`.
fn write_wav_f64<T: Copy + Into<f64>>(
    path: &Path,
    rate: u32,
    channels: &[Vec<T>],
) -> Result<(), String> {
    use std::io::Write;
    let count = channels.len();
    let frames = channels.first().map_or(0, Vec::len);
    let too_long = || format!("{frames} frames of {count} channels are too long for a WAV file");
    let data_len = u32::try_from(frames * count * 8).map_err(|_| too_long())?;
    let frame_count = u32::try_from(frames).map_err(|_| too_long())?;
    let riff_len = data_len.checked_add(4 + 26 + 12 + 8).ok_or_else(too_long)?;
    let block_align = u16::try_from(count * 8).map_err(|_| "too many channels".to_owned())?;
    let mut header = Vec::with_capacity(58);
    header.extend(b"RIFF");
    header.extend(riff_len.to_le_bytes());
    header.extend(b"WAVEfmt ");
    header.extend(18_u32.to_le_bytes());
    header.extend(3_u16.to_le_bytes());
    header.extend((count as u16).to_le_bytes());
    header.extend(rate.to_le_bytes());
    header.extend((rate * u32::from(block_align)).to_le_bytes());
    header.extend(block_align.to_le_bytes());
    header.extend(64_u16.to_le_bytes());
    header.extend(0_u16.to_le_bytes());
    header.extend(b"fact");
    header.extend(4_u32.to_le_bytes());
    header.extend(frame_count.to_le_bytes());
    header.extend(b"data");
    header.extend(data_len.to_le_bytes());
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all(&header).map_err(|e| e.to_string())?;
    for i in 0..frames {
        for channel in channels {
            let x: f64 = channel[i].into();
            out.write_all(&x.to_le_bytes()).map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(|e| e.to_string())
}
