//! A series cascade of trapezoidal-SVF sections ([`crate::svf`]), stereo, run as a
//! software pipeline so that its cost is the sections' arithmetic, not their latency.
//!
//! Each section's recursion takes three dependent operations per sample, and a plain
//! cascade (one pass per section, or one sample through every section) is bound by that
//! latency: ≈ 4.5 ns per section per stereo sample here. The pipeline skews section `i`
//! by `i` samples: in loop iteration `n`, section `i` filters sample `n − i`, whose input
//! section `i − 1` produced in iteration `n − 1`. Every section of one iteration is then
//! independent of the others, so they overlap. Two sections share one four-lane vector
//! (`[L, R]` of section `2j` in lanes 0–1, of section `2j+1` in lanes 2–3), which fills
//! the vector unit. The first and last `depth` iterations of a block fill and drain the
//! pipe with a per-lane mask that keeps an idle section's memories untouched, so the
//! output of every section is exactly what a sample-by-sample cascade computes, for any
//! block size, and no sample is delayed (the EQ has zero latency).
//!
//! Lane coefficients: a section may act on one channel only (left/right, or mid/side in
//! the M/S cascade): the other lane then holds a pass-through (`m0 = 1`, everything else
//! 0, memories stay zero), which returns its input bit for bit.

use crate::biquad::design::Digital;
use crate::lanes::F32x4;
use crate::svf::{flush, step_with, SvfCoefs};

/// Most sections one cascade holds (10 bands of 8 sections).
pub const MAX_SLOTS: usize = 80;
/// Vectors (pairs of sections).
const MAX_PAIRS: usize = MAX_SLOTS / 2;

/// One section's coefficients for one lane: the SVF recursion `(b, c, d)` and the
/// output mix `y = m0·x + m1·w1 + m2·w2` (`m1`, `m2` already halved, see
/// [`SvfCoefs::step`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LaneCoefs {
    /// Recursion input/cross gain.
    b: f32,
    /// Recursion low-pass gain.
    c: f32,
    /// Band-pass memory decay.
    d: f32,
    /// Input weight.
    m0: f32,
    /// Band-pass weight (halved).
    m1: f32,
    /// Low-pass weight (halved).
    m2: f32,
}

impl LaneCoefs {
    /// Pass-through: output = input exactly; memories stay zero.
    pub const IDENTITY: Self = Self {
        b: 0.0,
        c: 0.0,
        d: 0.0,
        m0: 1.0,
        m1: 0.0,
        m2: 0.0,
    };

    /// Silence: output 0; memories stay zero.
    pub const MUTE: Self = Self {
        b: 0.0,
        c: 0.0,
        d: 0.0,
        m0: 0.0,
        m1: 0.0,
        m2: 0.0,
    };

    /// The SVF form of a normalised biquad (the mapping of [`Digital::to_svf`]).
    pub fn from_digital(digital: &Digital) -> Self {
        let (g, k, m) = digital.to_svf();
        let (b, c, d) = SvfCoefs::from_gk(g, k).recursion();
        Self {
            b,
            c,
            d,
            m0: m[0] as f32,
            m1: (0.5 * m[1]) as f32,
            m2: (0.5 * m[2]) as f32,
        }
    }
}

/// Coefficients of one vector: two sections × two channels.
#[derive(Clone, Copy, Debug, Default)]
struct PairCoefs {
    /// Per-lane `b`.
    b: F32x4,
    /// Per-lane `c`.
    c: F32x4,
    /// Per-lane `d`.
    d: F32x4,
    /// Per-lane `m0`.
    m0: F32x4,
    /// Per-lane `m1/2`.
    m1: F32x4,
    /// Per-lane `m2/2`.
    m2: F32x4,
}

impl PairCoefs {
    fn set_lane(&mut self, lane: usize, c: &LaneCoefs) {
        self.b.0[lane] = c.b;
        self.c.0[lane] = c.c;
        self.d.0[lane] = c.d;
        self.m0.0[lane] = c.m0;
        self.m1.0[lane] = c.m1;
        self.m2.0[lane] = c.m2;
    }

    /// One sample of both sections: updates the memories, returns the outputs.
    #[inline(always)]
    fn step(&self, ic: &mut (F32x4, F32x4), x: F32x4) -> F32x4 {
        let (w1, w2) = step_with(self.b, self.c, self.d, ic, x);
        self.m0 * x + self.m1 * w1 + self.m2 * w2
    }
}

/// Per-lane choice: `a` where `mask` is set, else `b`.
#[inline(always)]
fn select(mask: [bool; 4], a: F32x4, b: F32x4) -> F32x4 {
    F32x4(std::array::from_fn(
        |i| if mask[i] { a.0[i] } else { b.0[i] },
    ))
}

/// A stereo cascade of up to [`MAX_SLOTS`] sections.
#[derive(Clone, Debug)]
pub struct Cascade {
    /// Section coefficients, two per vector.
    coefs: [PairCoefs; MAX_PAIRS],
    /// Integrator memories `(ic1, ic2)`, two sections per vector.
    state: [(F32x4, F32x4); MAX_PAIRS],
    /// Sections in use.
    slots: usize,
}

impl Default for Cascade {
    fn default() -> Self {
        Self {
            coefs: [PairCoefs::default(); MAX_PAIRS],
            state: [(F32x4::default(), F32x4::default()); MAX_PAIRS],
            slots: 0,
        }
    }
}

impl Cascade {
    /// Empties the cascade (no sections; memories cleared).
    pub fn clear(&mut self) {
        self.slots = 0;
        self.state = [(F32x4::default(), F32x4::default()); MAX_PAIRS];
    }

    /// Sections in use.
    pub fn len(&self) -> usize {
        self.slots
    }

    /// True when the cascade has no section.
    pub fn is_empty(&self) -> bool {
        self.slots == 0
    }

    /// Appends a section (`left`, `right` lane coefficients); returns its slot, or
    /// `None` when full.
    pub fn push(&mut self, left: &LaneCoefs, right: &LaneCoefs) -> Option<usize> {
        if self.slots >= MAX_SLOTS {
            return None;
        }
        let slot = self.slots;
        self.slots += 1;
        self.set(slot, left, right);
        // A padding pass-through in the odd lane pair, so the vector is complete.
        if slot.is_multiple_of(2) {
            let p = &mut self.coefs[slot / 2];
            p.set_lane(2, &LaneCoefs::IDENTITY);
            p.set_lane(3, &LaneCoefs::IDENTITY);
            self.state[slot / 2].0 .0[2..].fill(0.0);
            self.state[slot / 2].1 .0[2..].fill(0.0);
        }
        Some(slot)
    }

    /// Replaces a section's coefficients (memories kept: the SVF structure tolerates
    /// coefficient changes).
    pub fn set(&mut self, slot: usize, left: &LaneCoefs, right: &LaneCoefs) {
        if slot >= MAX_SLOTS {
            return;
        }
        let base = 2 * (slot % 2);
        let p = &mut self.coefs[slot / 2];
        p.set_lane(base, left);
        p.set_lane(base + 1, right);
    }

    /// A section's memories `[ic1 L, ic1 R, ic2 L, ic2 R]`.
    pub fn slot_state(&self, slot: usize) -> [f32; 4] {
        let base = 2 * (slot % 2);
        let (a, b) = &self.state[slot / 2];
        [a.0[base], a.0[base + 1], b.0[base], b.0[base + 1]]
    }

    /// Restores a section's memories (from [`Cascade::slot_state`]).
    pub fn set_slot_state(&mut self, slot: usize, s: [f32; 4]) {
        let base = 2 * (slot % 2);
        let (a, b) = &mut self.state[slot / 2];
        (a.0[base], a.0[base + 1], b.0[base], b.0[base + 1]) = (s[0], s[1], s[2], s[3]);
    }

    /// Every vector's coefficients (test probe).
    #[cfg(test)]
    pub fn coefs_debug(&self) -> Vec<[[f32; 4]; 6]> {
        self.coefs[..self.slots.div_ceil(2)]
            .iter()
            .map(|p| [p.b.0, p.c.0, p.d.0, p.m0.0, p.m1.0, p.m2.0])
            .collect()
    }

    /// One lane's coefficients of a section (test probe; `lane` 0 = left/mid).
    #[cfg(test)]
    pub fn lane(&self, slot: usize, lane: usize) -> LaneCoefs {
        let p = &self.coefs[slot / 2];
        let i = 2 * (slot % 2) + lane;
        LaneCoefs {
            b: p.b.0[i],
            c: p.c.0[i],
            d: p.d.0[i],
            m0: p.m0.0[i],
            m1: p.m1.0[i],
            m2: p.m2.0[i],
        }
    }

    /// True when every memory is exactly zero.
    pub fn is_zero(&self) -> bool {
        self.state
            .iter()
            .all(|(a, b)| a.0.iter().chain(&b.0).all(|&v| v == 0.0))
    }

    /// Flushes denormal and non-finite memories (block end).
    pub fn flush(&mut self) {
        let pairs = self.slots.div_ceil(2);
        for (a, b) in &mut self.state[..pairs] {
            a.0.iter_mut().chain(b.0.iter_mut()).for_each(flush);
        }
    }

    /// Filters `left`/`right` in place (the first `min(len)` samples).
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let pairs = self.slots.div_ceil(2);
        let len = left.len().min(right.len());
        if pairs == 0 || len == 0 {
            return;
        }
        let (left, right) = (&mut left[..len], &mut right[..len]);
        let coefs = &self.coefs[..pairs];
        let state = &mut self.state[..pairs];
        // Last section's skew: its output in iteration n is sample n − depth.
        let depth = 2 * pairs - 1;
        let mut pipe = [F32x4::default(); MAX_PAIRS];
        let pipe = &mut pipe[..pairs];
        let total = len + depth;
        let full = depth..len.max(depth);
        for n in 0..total {
            let x = if n < len {
                F32x4::pair(left[n], right[n])
            } else {
                F32x4::default()
            };
            if full.contains(&n) {
                iterate::<false>(coefs, state, pipe, x, n, len);
            } else {
                iterate::<true>(coefs, state, pipe, x, n, len);
            }
            if n >= depth {
                let y = pipe[pairs - 1];
                (left[n - depth], right[n - depth]) = (y.0[2], y.0[3]);
            }
        }
    }
}

/// One pipeline iteration `n` (see the module header). `MASKED`: fill or drain, where
/// only sections `i` with `0 ≤ n − i < len` may advance.
#[inline(always)]
fn iterate<const MASKED: bool>(
    coefs: &[PairCoefs],
    state: &mut [(F32x4, F32x4)],
    pipe: &mut [F32x4],
    x: F32x4,
    n: usize,
    len: usize,
) {
    // Descending, so `pipe[j − 1]` still holds the previous iteration's outputs.
    for j in (0..pipe.len()).rev() {
        let below = if j == 0 { x } else { pipe[j - 1] };
        let own = pipe[j];
        let below = if j == 0 {
            F32x4([below.0[0], below.0[1], own.0[0], own.0[1]])
        } else {
            F32x4([below.0[2], below.0[3], own.0[0], own.0[1]])
        };
        if MASKED {
            let active = |i: usize| n >= i && n - i < len;
            let (a, b) = (active(2 * j), active(2 * j + 1));
            if a && b {
                pipe[j] = coefs[j].step(&mut state[j], below);
            } else if a || b {
                let mask = [a, a, b, b];
                let old = state[j];
                let y = coefs[j].step(&mut state[j], below);
                state[j] = (
                    select(mask, state[j].0, old.0),
                    select(mask, state[j].1, old.1),
                );
                pipe[j] = y;
            }
            // Both idle: nothing to compute; no active section reads this output.
        } else {
            pipe[j] = coefs[j].step(&mut state[j], below);
        }
    }
}
