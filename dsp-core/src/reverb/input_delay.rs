//! The Reverb's input delay: one stereo ring buffer (interleaved frames) read by the
//! pre-delay and the eight early-reflection taps per side through two-point linear
//! interpolation (Laakso et al., "Splitting the Unit Delay", IEEE SPM 13(1), 1996, §3.2,
//! first order). The read positions are split into whole samples and a fraction when
//! they move ([`InputDelay::set_positions`]), not on every read.
//!
//! Same arithmetic as [`crate::delay::DelayLine`] in linear mode (write, then read `d`
//! samples behind the newest write: `x₀ + t·(x₁ − x₀)`, `d` clamped to the buffer).

use crate::svf::MAX_STATE;

/// Early-reflection taps per side.
pub const TAPS: usize = 8;

/// A read position split for the ring: `back` whole samples behind the newest write,
/// fraction `t` toward the next older sample.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Tap {
    /// Whole samples behind the newest write.
    back: usize,
    /// Fraction in `[0, 1)`.
    t: f32,
}

impl Tap {
    /// `delay_samples` clamped to `[0, max]` (NaN → 0), split.
    #[inline]
    fn new(delay_samples: f32, max: f32) -> Self {
        let d = if delay_samples.is_nan() {
            0.0
        } else {
            delay_samples.clamp(0.0, max)
        };
        // d ≥ 0: truncation is the floor.
        let whole = d as u32;
        Self {
            back: whole as usize,
            t: d - whole as f32,
        }
    }
}

/// Stereo input delay with a pre-delay tap and [`TAPS`] reflection taps per side.
#[derive(Clone, Debug)]
pub struct InputDelay {
    /// Longest delay (ms) that must fit once prepared.
    max_delay_ms: f32,
    /// Longest delay in samples after `prepare`.
    max_delay_samples: usize,
    /// `(left, right)` frames, power-of-two length.
    frames: Vec<[f32; 2]>,
    /// `len − 1` of `frames`.
    mask: usize,
    /// Position of the next write.
    pos: usize,
    /// Reflection taps per side.
    taps: [[Tap; TAPS]; 2],
    /// Pre-delay tap (both sides).
    pre: Tap,
}

impl InputDelay {
    /// A delay that will hold `max_delay_ms` once prepared (no allocation).
    pub fn new(max_delay_ms: f32) -> Self {
        Self {
            max_delay_ms: if max_delay_ms.is_finite() {
                max_delay_ms.max(0.0)
            } else {
                0.0
            },
            max_delay_samples: 0,
            frames: Vec::new(),
            mask: 0,
            pos: 0,
            taps: [[Tap::default(); TAPS]; 2],
            pre: Tap::default(),
        }
    }

    /// Allocates the ring for `sample_rate`.
    pub fn prepare(&mut self, sample_rate: f32) {
        self.max_delay_samples = (self.max_delay_ms * 1e-3 * sample_rate).ceil() as usize + 1;
        let len = (self.max_delay_samples + 4).next_power_of_two();
        self.frames = vec![[0.0; 2]; len];
        self.mask = len - 1;
        self.pos = 0;
    }

    /// Clears the ring.
    pub fn reset(&mut self) {
        self.frames.fill([0.0; 2]);
        self.pos = 0;
    }

    /// Longest delay available, in samples.
    pub fn max_delay_samples(&self) -> usize {
        self.max_delay_samples
    }

    /// Sets the pre-delay and the reflection tap positions (samples behind the newest
    /// write, `taps[side][k]`).
    pub fn set_positions(&mut self, predelay_samples: f32, taps: &[[f32; TAPS]; 2]) {
        let max = self.max_delay_samples as f32;
        self.pre = Tap::new(predelay_samples, max);
        for (dst, src) in self.taps.iter_mut().zip(taps) {
            for (t, &d) in dst.iter_mut().zip(src) {
                *t = Tap::new(d, max);
            }
        }
    }

    /// Linear read of side `ch` at `tap`.
    #[inline(always)]
    fn read(&self, tap: Tap, ch: usize) -> f32 {
        let i0 = self.pos.wrapping_sub(tap.back);
        let x0 = self.frames[i0 & self.mask][ch];
        let x1 = self.frames[i0.wrapping_sub(1) & self.mask][ch];
        x0 + tap.t * (x1 - x0)
    }

    /// Writes one stereo sample (beyond ±[`MAX_STATE`] or NaN stored as 0), then returns
    /// the reflections `Σ gains[k]·tap_k` per side and the pre-delayed pair.
    #[inline]
    pub fn tick(&mut self, l: f32, r: f32, gains: &[f32; TAPS]) -> ([f32; 2], [f32; 2]) {
        let keep = |x: f32| if x.abs() <= MAX_STATE { x } else { 0.0 };
        self.frames[self.pos & self.mask] = [keep(l), keep(r)];
        let (mut el, mut er) = (0.0, 0.0);
        for (k, &g) in gains.iter().enumerate() {
            el += g * self.read(self.taps[0][k], 0);
            er += g * self.read(self.taps[1][k], 1);
        }
        let pre = [self.read(self.pre, 0), self.read(self.pre, 1)];
        self.pos = self.pos.wrapping_add(1);
        ([el, er], pre)
    }
}
