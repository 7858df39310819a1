//! Helpers of the CLI's integration tests: files written here, the binary run on them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, empty directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lacquer-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `lacquer` with `args`.
pub fn lacquer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lacquer"))
        .args(args)
        .output()
        .expect("the lacquer binary runs")
}

/// Runs `lacquer COMMAND --quiet INPUT -o OUTPUT EXTRA…` (render, master).
pub fn run(command: &str, input: &Path, output: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        command,
        "--quiet",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    lacquer(&args)
}

/// Runs `lacquer measure --json --quiet` on `files` and returns the parsed document.
pub fn measure_json(files: &[&Path]) -> serde_json::Value {
    let mut args = vec!["measure", "--json", "--quiet"];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let out = lacquer(&args);
    assert!(
        out.status.success(),
        "lacquer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("measure --json prints JSON")
}

/// A number field of a JSON reading.
pub fn field(reading: &serde_json::Value, key: &str) -> f64 {
    reading[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {reading}"))
}

/// `channels` of a `freq` sine at `dbfs` peak, `secs` long, phase `phase` (rad).
pub fn sine(
    rate: u32,
    channels: usize,
    freq: f64,
    dbfs: f64,
    secs: f64,
    phase: f64,
) -> Vec<Vec<f64>> {
    let amp = 10f64.powf(dbfs / 20.0);
    let n = (rate as f64 * secs).round() as usize;
    let one: Vec<f64> = (0..n)
        .map(|i| amp * (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64 + phase).sin())
        .collect();
    vec![one; channels]
}

/// Seeded noise with a slowly moving level (a programme with some loudness range).
pub fn programme(rate: u32, channels: usize, secs: f64, seed: u64) -> Vec<Vec<f64>> {
    let n = (rate as f64 * secs) as usize;
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    (0..channels)
        .map(|_| {
            (0..n)
                .map(|i| {
                    let t = i as f64 / rate as f64;
                    let level =
                        0.05 + 0.2 * (0.5 + 0.5 * (2.0 * std::f64::consts::PI * t / 7.0).sin());
                    level * next()
                })
                .collect()
        })
        .collect()
}

/// How a WAV stores its samples.
#[derive(Clone, Copy, Debug)]
pub enum WavFormat {
    Int(u16),
    Float32,
    Float64,
}

/// Writes `signal` as a WAV file; returns the samples as the file holds them (quantised).
pub fn write_wav(path: &Path, rate: u32, format: WavFormat, signal: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let channels = signal.len();
    let frames = signal[0].len();
    let stored: Vec<Vec<f64>> = match format {
        WavFormat::Int(bits) => {
            let full = (1_i64 << (bits - 1)) as f64;
            signal
                .iter()
                .map(|c| {
                    c.iter()
                        .map(|x| (x * full).round().clamp(-full, full - 1.0) / full)
                        .collect()
                })
                .collect()
        }
        WavFormat::Float32 => signal
            .iter()
            .map(|c| c.iter().map(|&x| x as f32 as f64).collect())
            .collect(),
        WavFormat::Float64 => signal.to_vec(),
    };
    match format {
        WavFormat::Int(bits) => {
            let spec = hound::WavSpec {
                channels: channels as u16,
                sample_rate: rate,
                bits_per_sample: bits,
                sample_format: hound::SampleFormat::Int,
            };
            let mut w = hound::WavWriter::create(path, spec).unwrap();
            let full = (1_i64 << (bits - 1)) as f64;
            for i in 0..frames {
                for c in &stored {
                    w.write_sample((c[i] * full) as i32).unwrap();
                }
            }
            w.finalize().unwrap();
        }
        WavFormat::Float32 => {
            let spec = hound::WavSpec {
                channels: channels as u16,
                sample_rate: rate,
                bits_per_sample: 32,
                sample_format: hound::SampleFormat::Float,
            };
            let mut w = hound::WavWriter::create(path, spec).unwrap();
            for i in 0..frames {
                for c in &stored {
                    w.write_sample(c[i] as f32).unwrap();
                }
            }
            w.finalize().unwrap();
        }
        WavFormat::Float64 => {
            // hound writes no 64-bit float: the RIFF/WAVE header by hand (format tag 3).
            let data_len = (frames * channels * 8) as u32;
            let mut bytes = Vec::new();
            bytes.extend(b"RIFF");
            bytes.extend((36 + data_len).to_le_bytes());
            bytes.extend(b"WAVEfmt ");
            bytes.extend(16_u32.to_le_bytes());
            bytes.extend(3_u16.to_le_bytes());
            bytes.extend((channels as u16).to_le_bytes());
            bytes.extend(rate.to_le_bytes());
            bytes.extend((rate * channels as u32 * 8).to_le_bytes());
            bytes.extend((channels as u16 * 8).to_le_bytes());
            bytes.extend(64_u16.to_le_bytes());
            bytes.extend(b"data");
            bytes.extend(data_len.to_le_bytes());
            for i in 0..frames {
                for c in &stored {
                    bytes.extend(c[i].to_le_bytes());
                }
            }
            std::fs::write(path, bytes).unwrap();
        }
    }
    stored
}
