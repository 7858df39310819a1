//! Fractional delay line with linear and cubic Lagrange interpolation (T. I. Laakso,
//! V. Välimäki, M. Karjalainen, U. K. Laine, "Splitting the Unit Delay", IEEE Signal
//! Processing Magazine 13(1), 1996, §3.2: Lagrange interpolation).
//!
//! Write-then-read: each sample is written first, so a delay of 0 returns the input.
//! Cubic Lagrange uses the four samples around the read point and needs a delay of at
//! least 1 sample (smaller delays are clamped to 1 in that mode). Integer delays are
//! exact in both modes (the interpolation weights are exactly `[0, 1, 0, 0]`).
//! The buffer is a power of two sized in `prepare` for the maximum delay.

use crate::svf::MAX_STATE;

/// Interpolation between stored samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    /// Two-point linear (cheap; low-pass droop and modulation noise at high frequencies).
    Linear,
    /// Four-point, third-order Lagrange (maximally flat at DC; −0.074 dB at fs/8, t = ½).
    Cubic,
}

/// A multichannel fractional delay line.
#[derive(Clone, Debug)]
pub struct DelayLine {
    /// Longest delay that must be representable, in milliseconds (set before `prepare`).
    max_delay_ms: f32,
    /// Longest delay in samples after `prepare`.
    max_delay_samples: usize,
    /// One ring buffer per channel (power-of-two length), allocated in `prepare`.
    buffers: Vec<Vec<f32>>,
    /// `len − 1` for index wrapping.
    mask: usize,
    /// Next write position (shared by all channels; advanced by `advance`).
    write_pos: usize,
    /// Interpolation mode.
    interpolation: Interpolation,
}

impl DelayLine {
    /// A delay line that will hold up to `max_delay_ms` once prepared (no allocation).
    pub fn new(max_delay_ms: f32) -> Self {
        Self {
            max_delay_ms: if max_delay_ms.is_finite() {
                max_delay_ms.max(0.0)
            } else {
                0.0
            },
            max_delay_samples: 0,
            buffers: Vec::new(),
            mask: 0,
            write_pos: 0,
            interpolation: Interpolation::Cubic,
        }
    }

    /// Allocates `channels` buffers for the maximum delay at `sample_rate`.
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, channels: usize) {
        self.max_delay_samples = (self.max_delay_ms * 1e-3 * sample_rate).ceil() as usize + 1;
        let len = (self.max_delay_samples + 4).next_power_of_two();
        self.buffers = vec![vec![0.0; len]; channels.max(1)];
        self.mask = len - 1;
        self.write_pos = 0;
    }

    /// Clears the buffers.
    pub fn reset(&mut self) {
        self.buffers
            .iter_mut()
            .for_each(|b| b.iter_mut().for_each(|x| *x = 0.0));
        self.write_pos = 0;
    }

    /// Latency in samples (0; the delay is the effect).
    pub fn latency(&self) -> usize {
        0
    }

    /// Longest delay available, in samples.
    pub fn max_delay_samples(&self) -> usize {
        self.max_delay_samples
    }

    /// Selects the interpolation.
    pub fn set_interpolation(&mut self, interpolation: Interpolation) {
        self.interpolation = interpolation;
    }

    /// Writes `x` to `channel` at the current position. Non-finite input, and finite
    /// input beyond ±[`MAX_STATE`] (≈ +360 dBFS, e.g. `f32::MAX`, whose interpolation
    /// overflows: the cubic weights at `t = ½` sum to 1.06 before the last term), is
    /// stored as 0 so it cannot echo out later as ∞ or NaN.
    #[inline]
    pub fn write(&mut self, channel: usize, x: f32) {
        if let Some(b) = self.buffers.get_mut(channel) {
            // Written so that NaN fails the range test too.
            b[self.write_pos & self.mask] = if x.abs() <= MAX_STATE { x } else { 0.0 };
        }
    }

    /// Reads `channel` `delay_samples` behind the last write (clamped to the range).
    #[inline]
    pub fn read(&self, channel: usize, delay_samples: f32) -> f32 {
        let Some(b) = self.buffers.get(channel) else {
            return 0.0;
        };
        let max = self.max_delay_samples as f32;
        let min = if self.interpolation == Interpolation::Cubic {
            1.0
        } else {
            0.0
        };
        let d = if delay_samples.is_nan() {
            min
        } else {
            delay_samples.clamp(min, max)
        };
        let whole = d.floor();
        let t = d - whole;
        let i0 = self.write_pos.wrapping_sub(whole as usize);
        let x0 = b[i0 & self.mask];
        let x1 = b[i0.wrapping_sub(1) & self.mask];
        match self.interpolation {
            Interpolation::Linear => x0 + t * (x1 - x0),
            Interpolation::Cubic => {
                let xm1 = b[i0.wrapping_add(1) & self.mask];
                let x2 = b[i0.wrapping_sub(2) & self.mask];
                let cm1 = -t * (t - 1.0) * (t - 2.0) / 6.0;
                let c0 = (t + 1.0) * (t - 1.0) * (t - 2.0) * 0.5;
                let c1 = -(t + 1.0) * t * (t - 2.0) * 0.5;
                let c2 = (t + 1.0) * t * (t - 1.0) / 6.0;
                cm1 * xm1 + c0 * x0 + c1 * x1 + c2 * x2
            }
        }
    }

    /// Moves the write position on by one sample (after all channels wrote and read).
    #[inline]
    pub fn advance(&mut self) {
        self.write_pos = self.write_pos.wrapping_add(1);
    }

    /// Delays a mono block in place on channel 0 by a constant `delay_samples`.
    pub fn process_mono(&mut self, buf: &mut [f32], delay_samples: f32) {
        for x in buf.iter_mut() {
            self.write(0, *x);
            *x = self.read(0, delay_samples);
            self.advance();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{dtft, dtft_db};
    use std::f64::consts::PI;

    #[test]
    fn integer_delays_are_exact() {
        let x: Vec<f32> = (0..2000)
            .map(|i| ((i * 7919) % 1000) as f32 / 500.0 - 1.0)
            .collect();
        for interpolation in [Interpolation::Linear, Interpolation::Cubic] {
            for d in [1usize, 2, 17, 480] {
                let mut line = DelayLine::new(20.0);
                line.prepare(48_000.0, 64, 1);
                line.set_interpolation(interpolation);
                let mut y = x.clone();
                line.process_mono(&mut y, d as f32);
                assert_eq!(&y[d..], &x[..x.len() - d]);
                assert!(y[..d].iter().all(|&v| v == 0.0));
            }
        }
    }

    /// Textbook Lagrange interpolator (Laakso et al. 1996, eq. 42) for a delay `d`:
    /// taps `h_k = Π_{m≠k} (D − m)/(k − m)` at `k = 0..=order` with `D = d − start`, and
    /// its response `|Σ h_k e^{−jω(start + k)}|` in dB. `start = ⌊d⌋ − 1` for the cubic
    /// (taps around the read point), `⌊d⌋` for the linear interpolator.
    fn lagrange_db(order: usize, d: f64, w: f64) -> f64 {
        let start = d.floor() - if order == 3 { 1.0 } else { 0.0 };
        let big_d = d - start;
        let (mut re, mut im) = (0.0, 0.0);
        for k in 0..=order {
            let h: f64 = (0..=order)
                .filter(|&m| m != k)
                .map(|m| (big_d - m as f64) / (k as f64 - m as f64))
                .product();
            let phase = w * (start + k as f64);
            re += h * phase.cos();
            im -= h * phase.sin();
        }
        10.0 * (re * re + im * im).log10()
    }

    #[test]
    fn fractional_delay_group_delay_and_magnitude() {
        // The measured response equals the textbook Lagrange interpolator's (computed
        // above from the product formula, not from the code's weights) within 1e-4 dB
        // up to fs/8, and the header's figure holds: cubic −0.074 dB at fs/8, t = ½
        // (`9/8·cos(π/8) − 1/8·cos(3π/8)` = 0.99153), linear −0.688 dB (`cos(π/8)`).
        let fs = 48_000.0;
        let w = |f: f64| 2.0 * std::f64::consts::PI * f / fs as f64;
        let header_cubic_db =
            20.0 * (9.0 / 8.0 * (PI / 8.0).cos() - (3.0 * PI / 8.0).cos() / 8.0).log10();
        assert!(
            (header_cubic_db + 0.074).abs() < 0.0005,
            "{header_cubic_db}"
        );
        let mut worst: f64 = 0.0;
        for (interpolation, order) in [(Interpolation::Cubic, 3), (Interpolation::Linear, 1)] {
            for d in [3.25_f32, 10.5, 100.75] {
                let mut line = DelayLine::new(10.0);
                line.prepare(fs, 64, 1);
                line.set_interpolation(interpolation);
                let mut ir = vec![0.0; 512];
                ir[0] = 1.0;
                line.process_mono(&mut ir, d);
                for f in [100.0, 1000.0, 3000.0, 6000.0] {
                    let db = dtft_db(&ir, f, fs as f64);
                    let want = lagrange_db(order, f64::from(d), w(f));
                    worst = worst.max((db - want).abs());
                    assert!(
                        (db - want).abs() < 1e-5,
                        "{interpolation:?} {d} {f}: {db} vs {want}"
                    );
                    // Never above unity, and t = ½ is the worst droop.
                    let half = lagrange_db(order, 10.5, w(f));
                    assert!(
                        db <= 1e-6 && db >= half - 1e-4,
                        "{interpolation:?} {d} {f}: {db}"
                    );
                }
                if d == 10.5 {
                    let db = dtft_db(&ir, fs as f64 / 8.0, fs as f64);
                    let header = match interpolation {
                        Interpolation::Cubic => header_cubic_db,
                        Interpolation::Linear => 20.0 * (PI / 8.0).cos().log10(),
                    };
                    assert!(
                        (db - header).abs() < 1e-4,
                        "{interpolation:?}: {db} vs {header}"
                    );
                }
                // Phase delay at low frequency equals the requested delay.
                let f = 50.0;
                let (re, im) = dtft(&ir, f, fs as f64);
                let delay = -im.atan2(re) / w(f);
                assert!(
                    (delay - d as f64).abs() < 0.01,
                    "{interpolation:?} {d}: {delay}"
                );
            }
        }
        eprintln!("delay: worst |measured − Lagrange| {worst:.1e} dB");
    }

    #[test]
    fn hostile_input_and_clamping() {
        let mut line = DelayLine::new(1.0);
        line.prepare(48_000.0, 64, 2);
        let mut b = [f32::NAN, f32::INFINITY, 1.0, 2.0];
        line.process_mono(&mut b, 1e9);
        let mut c = [0.0_f32; 128];
        line.process_mono(&mut c, 2.0);
        assert!(c.iter().all(|v| v.is_finite()));
        assert_eq!(line.read(5, 1.0), 0.0);
        assert!(line.read(0, f32::NAN).is_finite());
        // Finite but absurd input (±f32::MAX) must not overflow the interpolation of
        // later reads: it is stored as 0 like non-finite input.
        for interpolation in [Interpolation::Linear, Interpolation::Cubic] {
            line.set_interpolation(interpolation);
            let mut b = [f32::MAX, f32::MIN, f32::MAX, f32::MAX, f32::MAX, 1e17];
            line.process_mono(&mut b, 0.0);
            for d in [1.5_f32, 2.5, 3.25] {
                let v = line.read(0, d);
                assert!(
                    v.is_finite() && v.abs() <= 2e17,
                    "{interpolation:?} {d}: {v}"
                );
            }
        }
    }
}
