//! Fractional delay line with linear and cubic Lagrange interpolation (T. I. Laakso,
//! V. Välimäki, M. Karjalainen, U. K. Laine, "Splitting the Unit Delay", IEEE Signal
//! Processing Magazine 13(1), 1996, §3.2: Lagrange interpolation).
//!
//! Write-then-read: each sample is written first, so a delay of 0 returns the input.
//! Cubic Lagrange uses the four samples around the read point and needs a delay of at
//! least 1 sample (smaller delays are clamped to 1 in that mode). Integer delays are
//! exact in both modes (the interpolation weights are exactly `[0, 1, 0, 0]`).
//! The buffer is a power of two sized in `prepare` for the maximum delay.

/// Interpolation between stored samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    /// Two-point linear (cheap; low-pass droop and modulation noise at high frequencies).
    Linear,
    /// Four-point, third-order Lagrange (maximally flat at DC; −0.07 dB at fs/8, t = ½).
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

    /// Writes `x` to `channel` at the current position (non-finite input is stored as
    /// 0 so it cannot echo out later).
    #[inline]
    pub fn write(&mut self, channel: usize, x: f32) {
        if let Some(b) = self.buffers.get_mut(channel) {
            b[self.write_pos & self.mask] = if x.is_finite() { x } else { 0.0 };
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

    #[test]
    fn fractional_delay_group_delay_and_magnitude() {
        let fs = 48_000.0;
        for (interpolation, max_droop_db) in
            [(Interpolation::Cubic, 0.1), (Interpolation::Linear, 0.7)]
        {
            for d in [3.25_f32, 10.5, 100.75] {
                let mut line = DelayLine::new(10.0);
                line.prepare(fs, 64, 1);
                line.set_interpolation(interpolation);
                let mut ir = vec![0.0; 512];
                ir[0] = 1.0;
                line.process_mono(&mut ir, d);
                // Magnitude flat within the interpolator's droop up to fs/8.
                for f in [100.0, 1000.0, 3000.0, 6000.0] {
                    let db = dtft_db(&ir, f, fs as f64);
                    assert!(
                        db <= 1e-6 && db > -max_droop_db,
                        "{interpolation:?} {d} {f}: {db}"
                    );
                }
                // Phase delay at low frequency equals the requested delay.
                let f = 50.0;
                let (re, im) = dtft(&ir, f, fs as f64);
                let delay = -im.atan2(re) / (2.0 * std::f64::consts::PI * f / fs as f64);
                assert!(
                    (delay - d as f64).abs() < 0.01,
                    "{interpolation:?} {d}: {delay}"
                );
            }
        }
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
    }
}
