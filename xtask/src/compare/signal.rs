//! The signals `cargo xtask compare` feeds and the measurements it takes on what comes back,
//! computed here, independently of the code under test: WAV I/O (`hound`), the programme
//! loop, the ducker's key, the reverb peers' impulse response, true peak by ideal
//! (FFT, `realfft`) band-limited interpolation, and the analog bell's magnitude.

use realfft::RealFftPlanner;
use std::path::Path;

/// The sample rate of every signal here.
pub const RATE: u32 = 48_000;

/// Planar stereo (or more) samples, full scale ±1.
pub type Planes = Vec<Vec<f32>>;

/// Reads a WAV file (integer or float) as planar `f32`.
pub fn read_wav(path: &Path) -> Result<Planes, String> {
    let mut reader =
        hound::WavReader::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: {e}", path.display()))?,
        hound::SampleFormat::Int => {
            let full = (1_i64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f64;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| (f64::from(v) / full) as f32))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    let mut planes = vec![Vec::with_capacity(interleaved.len() / channels); channels];
    for frame in interleaved.chunks_exact(channels) {
        for (plane, &x) in planes.iter_mut().zip(frame) {
            plane.push(x);
        }
    }
    Ok(planes)
}

/// Writes planar samples as a 32-bit float WAV at [`RATE`].
pub fn write_wav(path: &Path, planes: &[Vec<f32>]) -> Result<(), String> {
    let spec = hound::WavSpec {
        channels: planes.len() as u16,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let err = |e: hound::Error| format!("{}: {e}", path.display());
    let mut writer = hound::WavWriter::create(path, spec).map_err(err)?;
    let frames = planes.first().map_or(0, Vec::len);
    for i in 0..frames {
        for plane in planes {
            writer.write_sample(plane[i]).map_err(err)?;
        }
    }
    writer.finalize().map_err(err)
}

/// `source` repeated end to end to `frames` frames, as stereo (a mono source on both sides).
pub fn looped(source: &[Vec<f32>], frames: usize) -> Planes {
    (0..2)
        .map(|c| {
            let plane = &source[c.min(source.len() - 1)];
            plane.iter().copied().cycle().take(frames).collect()
        })
        .collect()
}

/// The Ducker's and sidechain compressors' key: a 60 Hz kick (decaying sine, 80 ms) on the
/// off-beats of 120 BPM, 0.8 peak, both channels.
pub fn kick_key(frames: usize) -> Planes {
    let period = RATE as usize / 2;
    let plane: Vec<f32> = (0..frames)
        .map(|i| {
            let t = ((i + period / 2) % period) as f64 / f64::from(RATE);
            (0.8 * (std::f64::consts::TAU * 60.0 * t).sin() * (-t / 0.08).exp()) as f32
        })
        .collect();
    vec![plane.clone(), plane]
}

/// A stereo reverb impulse response for the convolution peers: decorrelated white noise
/// (xorshift) under an exponential decay of `rt60_s` (−60 dB at that time), `length_s`
/// long, scaled to unit energy per channel.
pub fn reverb_ir(rt60_s: f64, length_s: f64) -> Planes {
    let frames = (length_s * f64::from(RATE)) as usize;
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1_u64 << 53) as f64 * 2.0 - 1.0
    };
    // −60 dB at rt60: amplitude exp(−t · ln(1000) / rt60).
    let k = 1000f64.ln() / rt60_s;
    (0..2)
        .map(|_| {
            let raw: Vec<f64> = (0..frames)
                .map(|i| noise() * (-k * i as f64 / f64::from(RATE)).exp())
                .collect();
            let energy: f64 = raw.iter().map(|x| x * x).sum::<f64>().max(1e-30);
            raw.iter().map(|x| (x / energy.sqrt()) as f32).collect()
        })
        .collect()
}

/// An impulse of height `amplitude` at frame `at`, `frames` long, stereo.
pub fn impulse(frames: usize, at: usize, amplitude: f32) -> Planes {
    let mut plane = vec![0.0; frames];
    plane[at.min(frames - 1)] = amplitude;
    vec![plane.clone(), plane]
}

/// The oversampling of [`true_peak`]: 16 points per sample (the 4× reading takes every
/// fourth of them).
pub const OVERSAMPLE: usize = 16;

/// True peak in dBTP of `planes`, read from ideal band-limited interpolation at 4× and 16×:
/// `(peak_4x_db, peak_16x_db, sample_peak_db)`.
///
/// Each channel is cut into blocks of [`TP_BLOCK`] samples that overlap by [`TP_MARGIN`] on
/// each side; a block's spectrum (`realfft`) is zero-padded to 16 times its length (the
/// Nyquist bin split between its two images) and transformed back, which is the periodic
/// sinc interpolation of the block; only the middle, at least [`TP_MARGIN`] samples from
/// the block's wrapped ends, is read, where the truncation error is below 1e-3 of the
/// signal's jumps (about 0.01 dB). This is not BS.1770's 48-tap interpolator: it is the
/// band-limited signal the samples stand for, which any true-peak reading approximates.
pub fn true_peak(planes: &[Vec<f32>]) -> (f64, f64, f64) {
    let mut planner = RealFftPlanner::<f64>::new();
    let forward = planner.plan_fft_forward(TP_BLOCK);
    let inverse = planner.plan_fft_inverse(TP_BLOCK * OVERSAMPLE);
    let mut spectrum = forward.make_output_vec();
    let mut wide = inverse.make_input_vec();
    let mut block = forward.make_input_vec();
    let mut up = inverse.make_output_vec();
    let (mut peak4, mut peak16, mut sample_peak) = (0.0_f64, 0.0_f64, 0.0_f64);
    let hop = TP_BLOCK - 2 * TP_MARGIN;
    for plane in planes {
        sample_peak = plane
            .iter()
            .fold(sample_peak, |m, &x| m.max(f64::from(x.abs())));
        let mut start = 0_isize - TP_MARGIN as isize;
        while start + (TP_MARGIN as isize) < plane.len() as isize {
            for (i, b) in block.iter_mut().enumerate() {
                let at = start + i as isize;
                *b = if at >= 0 && (at as usize) < plane.len() {
                    f64::from(plane[at as usize])
                } else {
                    0.0
                };
            }
            // The FFT's errors only concern lengths; both are fixed and match.
            if forward.process(&mut block, &mut spectrum).is_err() {
                break;
            }
            wide.iter_mut()
                .for_each(|w| *w = realfft::num_complex::Complex::new(0.0, 0.0));
            let nyquist = TP_BLOCK / 2;
            wide[..nyquist].copy_from_slice(&spectrum[..nyquist]);
            wide[nyquist] = spectrum[nyquist] * 0.5;
            if inverse.process(&mut wide, &mut up).is_err() {
                break;
            }
            let scale = 1.0 / TP_BLOCK as f64;
            let valid_end = (plane.len() as isize - start).min((TP_MARGIN + hop) as isize);
            let (from, to) = (
                TP_MARGIN * OVERSAMPLE,
                valid_end.max(0) as usize * OVERSAMPLE,
            );
            for (j, &y) in up[from..to.max(from)].iter().enumerate() {
                let y = (y * scale).abs();
                peak16 = peak16.max(y);
                if j % (OVERSAMPLE / 4) == 0 {
                    peak4 = peak4.max(y);
                }
            }
            start += hop as isize;
        }
    }
    let db = |x: f64| 20.0 * x.max(1e-30).log10();
    (db(peak4), db(peak16), db(sample_peak))
}

/// Block length of [`true_peak`]'s interpolation.
pub const TP_BLOCK: usize = 8192;
/// Samples at each end of a [`true_peak`] block that are not read.
pub const TP_MARGIN: usize = 1024;

/// The magnitude response in dB of the impulse response `h` (one channel) at `freqs_hz`:
/// FFT of `h` (zero-padded to a power of two), read at the nearest bin.
pub fn magnitude_db(h: &[f32], freqs_hz: &[f64]) -> Vec<f64> {
    let n = h.len().next_power_of_two().max(2);
    let mut planner = RealFftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(n);
    let mut input = fft.make_input_vec();
    for (i, &x) in input.iter_mut().zip(h) {
        *i = f64::from(x);
    }
    let mut spectrum = fft.make_output_vec();
    if fft.process(&mut input, &mut spectrum).is_err() {
        return vec![f64::NAN; freqs_hz.len()];
    }
    freqs_hz
        .iter()
        .map(|f| {
            let bin = (f * n as f64 / f64::from(RATE)).round() as usize;
            20.0 * spectrum[bin.min(n / 2)].norm().max(1e-30).log10()
        })
        .collect()
}

/// A bell (peaking) band: centre, gain, Q.
#[derive(Debug, Clone, Copy)]
pub struct Bell {
    /// Centre frequency, Hz.
    pub freq_hz: f64,
    /// Gain at the centre, dB.
    pub gain_db: f64,
    /// Q as the RBJ cookbook defines it for a peaking EQ (bandwidth between the points of
    /// half the gain in dB, for the analog prototype).
    pub q: f64,
}

impl Bell {
    /// The analog prototype's magnitude in dB at `f_hz`:
    /// H(s) = (s² + s·A/Q + 1) / (s² + s/(A·Q) + 1), s = j·f/f0, A = 10^(gain/40)
    /// (R. Bristow-Johnson, "Cookbook formulae for audio EQ biquad filter coefficients",
    /// the peaking EQ's analog prototype).
    pub fn analog_db(&self, f_hz: f64) -> f64 {
        let a = 10f64.powf(self.gain_db / 40.0);
        let w = f_hz / self.freq_hz;
        let re = 1.0 - w * w;
        let num = (re * re + (w * a / self.q).powi(2)).sqrt();
        let den = (re * re + (w / (a * self.q)).powi(2)).sqrt();
        20.0 * (num / den).log10()
    }
}

/// Frequencies 20 Hz … 20 kHz, `per_octave` to the octave.
pub fn log_freqs(per_octave: usize) -> Vec<f64> {
    let steps = (1000f64.log2() * per_octave as f64).round() as usize;
    (0..=steps)
        .map(|i| 20.0 * 2f64.powf(i as f64 / per_octave as f64))
        .collect()
}

/// The largest absolute difference between two renders from frame `from` on (over the
/// shorter length), dB relative to full scale; `None` when they are identical sample for
/// sample.
pub fn max_difference_db(a: &[Vec<f32>], b: &[Vec<f32>], from: usize) -> Option<f64> {
    let mut worst = 0.0_f32;
    let mut identical = a.len() == b.len();
    for (x, y) in a.iter().zip(b) {
        identical &= x.len() == y.len();
        for (p, q) in x.iter().zip(y).skip(from) {
            if p.to_bits() != q.to_bits() {
                identical = false;
                worst = worst.max((p - q).abs());
            }
        }
    }
    if identical {
        None
    } else {
        Some(20.0 * f64::from(worst).max(1e-30).log10())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sine at fs/4 with phase π/4 has samples at ±0.7071·A but peaks at A between them:
    /// the interpolation must find the +3.01 dB. (Faded in and out over 4000 samples: an
    /// abrupt start would ring above A, rightly, as its band-limited signal does.)
    #[test]
    fn true_peak_finds_the_peak_between_samples() {
        let n = 48_000;
        let fade = |i: usize| {
            let edge = i.min(n - 1 - i) as f64 / 4000.0;
            if edge >= 1.0 {
                1.0
            } else {
                0.5 - 0.5 * (std::f64::consts::PI * edge).cos()
            }
        };
        let plane: Vec<f32> = (0..n)
            .map(|i| {
                let phase = std::f64::consts::FRAC_PI_2 * i as f64 + std::f64::consts::FRAC_PI_4;
                (0.5 * fade(i) * phase.sin()) as f32
            })
            .collect();
        let (tp4, tp16, sp) = true_peak(&[plane]);
        let expected = 20.0 * 0.5f64.log10();
        assert!((sp - (expected - 3.0103)).abs() < 0.01, "sample peak {sp}");
        assert!((tp16 - expected).abs() < 0.01, "16x {tp16} vs {expected}");
        // At 4× the samples fall on the crests (phase steps of π/8 from π/4).
        assert!((tp4 - expected).abs() < 0.01, "4x {tp4}");
    }

    /// The bell formula: the gain at the centre, half the gain (in dB) at the band edges
    /// for the analog prototype, 0 dB far away.
    #[test]
    fn analog_bell_has_its_gain_at_the_centre() {
        let bell = Bell {
            freq_hz: 1000.0,
            gain_db: 6.0,
            q: 1.0,
        };
        assert!((bell.analog_db(1000.0) - 6.0).abs() < 1e-9);
        assert!(bell.analog_db(10.0).abs() < 0.01);
        assert!(bell.analog_db(100_000.0).abs() < 0.01);
        // Q is the bandwidth between the points of half the gain in dB: f1·f2 = f0² and
        // f2 − f1 = f0/Q for the analog bell.
        let half = 1.0 / (2.0 * bell.q);
        let (f1, f2) = (
            1000.0 * ((half * half + 1.0).sqrt() - half),
            1000.0 * ((half * half + 1.0).sqrt() + half),
        );
        assert!(
            (bell.analog_db(f1) - 3.0).abs() < 1e-9,
            "{}",
            bell.analog_db(f1)
        );
        assert!((bell.analog_db(f2) - 3.0).abs() < 1e-9);
    }

    #[test]
    fn differences_are_found_where_they_are_and_identity_is_exact() {
        let a = vec![vec![0.0_f32, 0.5, 0.25, 0.125]; 2];
        let mut b = a.clone();
        assert_eq!(max_difference_db(&a, &b, 0), None);
        b[1][1] = 0.5 + 0.001;
        let d = max_difference_db(&a, &b, 0).unwrap();
        assert!((d - 20.0 * 0.001f64.log10()).abs() < 0.01, "{d}");
        // From frame 2 on they agree.
        assert_eq!(max_difference_db(&a, &b, 2), None);
        // -0.0 and 0.0 differ in bits: "identical" means bit for bit.
        b[1][1] = 0.5;
        b[0][0] = -0.0;
        assert!(max_difference_db(&a, &b, 0).is_some());
    }
}
