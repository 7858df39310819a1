//! Whole-buffer sample-rate conversion over `rubato`'s asynchronous sinc resampler (256-tap
//! Blackman-Harris² windowed sinc, cubic interpolation between 256 oversampled points, its
//! cutoff placed automatically below the lower Nyquist frequency): the quality `rubato`
//! documents as equal to its FFT resampler. For clips already in memory, off the audio thread
//! (it allocates). `rubato`'s `process_all_into_buffer` trims the filter delay, so the output
//! lines up with the input (up to the filter's own ringing).

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{
    Async, FixedAsync, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};
use std::fmt;

/// Input frames per internal chunk (any size works; this one keeps the work buffers small).
const CHUNK_FRAMES: usize = 1024;

/// Sinc filter length, taps.
const SINC_LEN: usize = 256;

/// A sample-rate conversion that could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResampleError(pub String);

impl fmt::Display for ResampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot resample: {}", self.0)
    }
}

impl std::error::Error for ResampleError {}

/// The number of frames `frames` input frames become at `to_hz` from `from_hz`:
/// `ceil(frames · to / from)`, in integer arithmetic (rubato's own count, from a floating
/// ratio, can be one more: 176 400 frames at 44.1 → 48 kHz gave 192 001).
pub fn resampled_len(frames: usize, from_hz: u32, to_hz: u32) -> usize {
    if from_hz == 0 {
        return 0;
    }
    let (frames, from, to) = (frames as u128, u128::from(from_hz), u128::from(to_hz));
    ((frames * to).div_ceil(from)) as usize
}

/// Converts planar `channels` (all the same length) from `from_hz` to `to_hz`. Returns the
/// input unchanged (copied) when the rates are equal. Every output channel is
/// [`resampled_len`] frames long. Channels of unequal length are cut to the shortest.
pub fn resample_planar(
    channels: &[Vec<f32>],
    from_hz: u32,
    to_hz: u32,
) -> Result<Vec<Vec<f32>>, ResampleError> {
    if from_hz == 0 || to_hz == 0 {
        return Err(ResampleError(format!(
            "sample rates must be positive ({from_hz} Hz → {to_hz} Hz)"
        )));
    }
    let frames = channels.iter().map(Vec::len).min().unwrap_or(0);
    if channels.is_empty() || frames == 0 {
        return Ok(vec![Vec::new(); channels.len()]);
    }
    if from_hz == to_hz {
        return Ok(channels.iter().map(|c| c[..frames].to_vec()).collect());
    }
    let ratio = f64::from(to_hz) / f64::from(from_hz);
    let parameters = SincInterpolationParameters {
        sinc_len: SINC_LEN,
        f_cutoff: None,
        oversampling_factor: 256,
        interpolation: SincInterpolationType::Cubic,
        window: WindowFunction::BlackmanHarris2,
    };
    let mut resampler = Async::<f32>::new_sinc(
        ratio,
        1.0,
        &parameters,
        CHUNK_FRAMES,
        channels.len(),
        FixedAsync::Input,
    )
    .map_err(|e| ResampleError(e.to_string()))?;
    let input = SequentialSliceOfVecs::new(channels, channels.len(), frames)
        .map_err(|e| ResampleError(e.to_string()))?;
    let needed = resampler.process_all_needed_output_len(frames);
    let mut output = vec![vec![0.0f32; needed]; channels.len()];
    let (_, produced) = {
        let mut adapter = SequentialSliceOfVecs::new_mut(&mut output, channels.len(), needed)
            .map_err(|e| ResampleError(e.to_string()))?;
        resampler
            .process_all_into_buffer(&input, &mut adapter, frames, None)
            .map_err(|e| ResampleError(e.to_string()))?
    };
    let len = produced.min(resampled_len(frames, from_hz, to_hz));
    for channel in &mut output {
        channel.truncate(len);
        channel.shrink_to_fit();
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::TAU;

    fn sine(freq_hz: f64, rate_hz: u32, frames: usize, amp: f64) -> Vec<f32> {
        (0..frames)
            .map(|i| (amp * (TAU * freq_hz * i as f64 / f64::from(rate_hz)).sin()) as f32)
            .collect()
    }

    /// Amplitude and frequency of a sine by least squares at a known frequency grid: the
    /// single-bin DFT (Goertzel-style correlation) over a window away from the edges, searched
    /// over a fine frequency grid around the expected frequency. Independent of rubato.
    fn fit(x: &[f32], rate_hz: u32, around_hz: f64) -> (f64, f64) {
        let skip = x.len() / 10;
        let seg = &x[skip..x.len() - skip];
        let n = seg.len() as f64;
        // Hann-windowed correlation; the window's coherent gain is 0.5.
        let w: Vec<f64> = (0..seg.len())
            .map(|i| 0.5 - 0.5 * (TAU * i as f64 / n).cos())
            .collect();
        let amp_at = |f: f64| {
            let (mut re, mut im) = (0.0, 0.0);
            for (i, (&s, &wi)) in seg.iter().zip(&w).enumerate() {
                let ph = TAU * f * i as f64 / f64::from(rate_hz);
                re += f64::from(s) * wi * ph.cos();
                im += f64::from(s) * wi * ph.sin();
            }
            2.0 * (re * re + im * im).sqrt() / (0.5 * n)
        };
        // A coarse grid (0.1 Hz over ±2 Hz), then a fine one (0.002 Hz) around its best.
        let mut best = (around_hz, 0.0);
        for (step, half_width) in [(0.1, 2.0), (0.002, 0.1)] {
            let centre = best.0;
            let count = (2.0 * half_width / step) as usize;
            best.1 = 0.0;
            for k in 0..=count {
                let f = centre - half_width + k as f64 * step;
                let a = amp_at(f);
                if a > best.1 {
                    best = (f, a);
                }
            }
        }
        best
    }

    fn rms(x: &[f32]) -> f64 {
        let skip = x.len() / 10;
        let seg = &x[skip..x.len() - skip];
        (seg.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / seg.len() as f64).sqrt()
    }

    #[test]
    fn a_sine_keeps_its_frequency_level_and_length() {
        let rates = [44_100u32, 48_000, 96_000];
        for &from in &rates {
            for &to in &rates {
                // 4 s at 44.1 kHz: rubato's floating ratio counts one frame too many there.
                let frames = if from == 44_100 {
                    176_400
                } else {
                    (from / 2) as usize + 17
                };
                let freq = 997.0;
                let amp = 0.5;
                let input = sine(freq, from, frames, amp);
                let out = resample_planar(&[input.clone(), input], from, to).unwrap();
                let what = format!("{from} → {to}");
                assert_eq!(out.len(), 2, "{what}");
                assert_eq!(out[0].len(), resampled_len(frames, from, to), "{what}");
                assert_eq!(
                    out[0].len() as u64,
                    (frames as u64 * u64::from(to)).div_ceil(u64::from(from)),
                    "{what}"
                );
                let (f, a) = fit(&out[0], to, freq);
                assert!((f - freq).abs() < 0.05, "{what}: {f} Hz");
                let level_db = 20.0 * (a / amp).log10();
                assert!(level_db.abs() < 0.05, "{what}: {level_db} dB");
                let rms_db = 20.0 * (rms(&out[1]) / (amp / 2f64.sqrt())).log10();
                assert!(rms_db.abs() < 0.05, "{what}: rms {rms_db} dB");
                // Aligned with the input: the output's phase against the analytic sine at
                // `to` gives its delay (least squares on sin/cos). `rubato` trims its filter delay in whole
                // frames: measured −0.68 (44.1 → 48k), −0.37, −0.40, −1.005 (48 → 96k) output
                // samples, 0.002 at equal rates (the estimate's own error).
                let skip = out[0].len() / 10;
                let w = TAU * freq / f64::from(to);
                let (mut s_sum, mut c_sum) = (0.0, 0.0);
                for (i, &y) in out[0]
                    .iter()
                    .enumerate()
                    .skip(skip)
                    .take(out[0].len() - 2 * skip)
                {
                    s_sum += f64::from(y) * (w * i as f64).sin();
                    c_sum += f64::from(y) * (w * i as f64).cos();
                }
                let delay_samples = -c_sum.atan2(s_sum) / w;
                let err = delay_samples.abs();
                assert!(err < 1.1, "{what}: delay {err} samples");
            }
        }
    }

    #[test]
    fn a_high_sine_keeps_its_level_when_rates_allow_it() {
        // 15 kHz sits inside every passband here (the cutoff is near 0.9 × the lower Nyquist).
        for (from, to) in [(44_100u32, 48_000u32), (48_000, 44_100), (96_000, 44_100)] {
            let input = sine(15_000.0, from, from as usize / 4, 0.25);
            let out = resample_planar(&[input], from, to).unwrap();
            let (f, a) = fit(&out[0], to, 15_000.0);
            assert!((f - 15_000.0).abs() < 0.05, "{from} → {to}: {f}");
            let level_db = 20.0 * (a / 0.25).log10();
            assert!(level_db.abs() < 0.05, "{from} → {to}: {level_db} dB");
        }
    }

    #[test]
    fn bad_and_empty_inputs_are_not_fatal() {
        assert!(resample_planar(&[vec![0.0; 10]], 0, 48_000).is_err());
        assert!(resample_planar(&[vec![0.0; 10]], 48_000, 0).is_err());
        assert_eq!(resample_planar(&[], 44_100, 48_000).unwrap().len(), 0);
        assert_eq!(
            resample_planar(&[Vec::new()], 44_100, 48_000).unwrap(),
            vec![Vec::<f32>::new()]
        );
        let same = resample_planar(&[vec![0.25; 10], vec![0.5; 12]], 48_000, 48_000).unwrap();
        assert_eq!(same, vec![vec![0.25; 10], vec![0.5; 10]]);
        // A very short clip (shorter than the filter) still comes out at the right length.
        let short = resample_planar(&[vec![0.1; 5]], 44_100, 96_000).unwrap();
        assert_eq!(short[0].len(), resampled_len(5, 44_100, 96_000));
    }
}
