//! The Reverb's input delay: a stereo ring buffer read by the
//! pre-delay and the eight early-reflection taps per side through two-point linear
//! interpolation (Laakso et al., "Splitting the Unit Delay", IEEE SPM 13(1), 1996, §3.2,
//! first order). The read positions are split into whole samples and a fraction when
//! they move ([`InputDelay::set_positions`]), not on every read.
//!
//! Same arithmetic as [`crate::delay::DelayLine`] in linear mode (write, then read `d`
//! samples behind the newest write: `x₀ + t·(x₁ − x₀)`, `d` clamped to the buffer), per
//! sample ([`InputDelay::tick`]) or for a chunk at once ([`InputDelay::process_chunk`],
//! the same arithmetic per sample in the same order, in loops over time that vectorise).

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
    /// Left and right rings, power-of-two length each.
    rings: [Vec<f32>; 2],
    /// `len − 1` of the rings.
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
            rings: [Vec::new(), Vec::new()],
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
        self.rings = [vec![0.0; len], vec![0.0; len]];
        self.mask = len - 1;
        self.pos = 0;
    }

    /// Clears the ring.
    pub fn reset(&mut self) {
        self.rings.iter_mut().for_each(|r| r.fill(0.0));
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
        let ring = &self.rings[ch];
        let x0 = ring[i0 & self.mask];
        let x1 = ring[i0.wrapping_sub(1) & self.mask];
        x0 + tap.t * (x1 - x0)
    }

    /// Writes one stereo sample (beyond ±[`MAX_STATE`] or NaN stored as 0), then returns
    /// the reflections `Σ gains[k]·tap_k` per side and the pre-delayed pair.
    #[inline]
    pub fn tick(&mut self, l: f32, r: f32, gains: &[f32; TAPS]) -> ([f32; 2], [f32; 2]) {
        let p = self.pos & self.mask;
        self.rings[0][p] = keep(l);
        self.rings[1][p] = keep(r);
        let (mut el, mut er) = (0.0, 0.0);
        for (k, &g) in gains.iter().enumerate() {
            el += g * self.read(self.taps[0][k], 0);
            er += g * self.read(self.taps[1][k], 1);
        }
        let pre = [self.read(self.pre, 0), self.read(self.pre, 1)];
        self.pos = self.pos.wrapping_add(1);
        ([el, er], pre)
    }

    /// [`InputDelay::tick`] for `input[0].len()` (≤ [`MAX_CHUNK`]) samples at once: writes
    /// the input, fills `early` with the reflections and `pre` with the pre-delayed input.
    pub fn process_chunk(
        &mut self,
        input: [&[f32]; 2],
        gains: &[f32; TAPS],
        early: [&mut [f32]; 2],
        pre: [&mut [f32]; 2],
    ) {
        let n = input[0].len().min(MAX_CHUNK);
        let mut seg = [0.0_f32; MAX_CHUNK + 1];
        for (ch, x) in input.iter().enumerate() {
            for (s, &v) in seg.iter_mut().zip(x.iter().take(n)) {
                *s = keep(v);
            }
            ring_write(&mut self.rings[ch], self.pos, &seg[..n]);
        }
        // Sample i is written at pos + i; a tap `back` behind reads x₀ = ring[pos + i −
        // back] and x₁ one older: one segment of n + 1 samples from pos − back − 1.
        let pos = self.pos;
        // Borrowed from the ring where it does not wrap, else copied into `seg`.
        let read = |ring: &'_ [f32], tap: Tap, seg: &mut [f32; MAX_CHUNK + 1]| -> bool {
            let start = pos.wrapping_sub(tap.back + 1) & (ring.len() - 1);
            if start + n < ring.len() {
                return true;
            }
            ring_read(ring, start, &mut seg[..=n]);
            false
        };
        for ((out, taps), ring) in early.into_iter().zip(&self.taps).zip(&self.rings) {
            let out = &mut out[..n];
            out.fill(0.0);
            for (&tap, &g) in taps.iter().zip(gains) {
                let seg: &[f32] = if read(ring, tap, &mut seg) {
                    let start = pos.wrapping_sub(tap.back + 1) & (ring.len() - 1);
                    &ring[start..=start + n]
                } else {
                    &seg[..=n]
                };
                for (o, x) in out.iter_mut().zip(seg.windows(2)) {
                    let (x0, x1) = (x[1], x[0]);
                    *o += g * (x0 + tap.t * (x1 - x0));
                }
            }
        }
        for (out, ring) in pre.into_iter().zip(&self.rings) {
            let tap = self.pre;
            let seg: &[f32] = if read(ring, tap, &mut seg) {
                let start = pos.wrapping_sub(tap.back + 1) & (ring.len() - 1);
                &ring[start..=start + n]
            } else {
                &seg[..=n]
            };
            for (o, x) in out[..n].iter_mut().zip(seg.windows(2)) {
                let (x0, x1) = (x[1], x[0]);
                *o = x0 + tap.t * (x1 - x0);
            }
        }
        self.pos = pos.wrapping_add(n);
    }
}

/// Longest chunk [`InputDelay::process_chunk`] takes.
pub const MAX_CHUNK: usize = 32;

/// What the ring stores for `x`: `x`, or 0 beyond ±[`MAX_STATE`] or NaN.
#[inline(always)]
fn keep(x: f32) -> f32 {
    // Written so that NaN fails the range test too.
    if x.abs() <= MAX_STATE {
        x
    } else {
        0.0
    }
}

/// Copies `out.len()` samples of the power-of-two ring `ring` from index `start`
/// (wrapped) on.
#[inline]
fn ring_read(ring: &[f32], start: usize, out: &mut [f32]) {
    let s = start & (ring.len() - 1);
    let first = (ring.len() - s).min(out.len());
    let (a, b) = out.split_at_mut(first);
    a.copy_from_slice(&ring[s..s + first]);
    b.copy_from_slice(&ring[..b.len()]);
}

/// Writes `src` into the power-of-two ring `ring` from index `start` (wrapped) on.
#[inline]
fn ring_write(ring: &mut [f32], start: usize, src: &[f32]) {
    let s = start & (ring.len() - 1);
    let first = (ring.len() - s).min(src.len());
    let (a, b) = src.split_at(first);
    ring[s..s + first].copy_from_slice(a);
    ring[..b.len()].copy_from_slice(b);
}
