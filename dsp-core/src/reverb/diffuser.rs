//! Input diffusion: Schroeder all-passes in series per side (Dattorro 1997, Fig. 1),
//! `v = x + g·d`, `y = d − g·v` with `d` the sample `D` behind, so `H(z) = (z^−D − g)/(1 − g·z^−D)`.

use super::input_delay::MAX_CHUNK;
use crate::svf::DENORMAL_FLUSH;

/// All-passes per side.
pub const STAGES: usize = 6;

/// Two chains of [`STAGES`] all-passes with fixed lengths.
#[derive(Clone, Debug)]
pub struct Diffuser {
    /// Lengths in ms, per side and stage.
    ms: [[f32; STAGES]; 2],
    /// Lengths in samples (≥ 1).
    delays: [[usize; STAGES]; 2],
    /// Every stage's power-of-two ring buffer, one after another (side-major).
    buffer: Vec<f32>,
    /// Start of each stage's ring in `buffer` (side-major).
    offsets: [usize; 2 * STAGES],
    /// `len − 1` of each ring.
    masks: [usize; 2 * STAGES],
    /// Shared write position.
    pos: usize,
}

impl Diffuser {
    /// Chains with the given lengths (allocated in `prepare`).
    pub fn new(ms: &[[f32; STAGES]; 2]) -> Self {
        Self {
            ms: *ms,
            delays: [[1; STAGES]; 2],
            buffer: Vec::new(),
            offsets: [0; 2 * STAGES],
            masks: [0; 2 * STAGES],
            pos: 0,
        }
    }

    /// Sizes the buffers for `sample_rate`.
    pub fn prepare(&mut self, sample_rate: f32) {
        let mut total = 0;
        for side in 0..2 {
            for k in 0..STAGES {
                let d = ((self.ms[side][k] * 1e-3 * sample_rate).round() as usize).max(1);
                self.delays[side][k] = d;
                let len = (d + 1).next_power_of_two();
                self.masks[side * STAGES + k] = len - 1;
                self.offsets[side * STAGES + k] = total;
                total += len;
            }
        }
        self.buffer = vec![0.0; total];
        self.pos = 0;
    }

    /// Clears the buffers.
    pub fn reset(&mut self) {
        self.buffer.fill(0.0);
        self.pos = 0;
    }

    /// Shortest stage (samples): the longest chunk [`Diffuser::process_chunk`] takes.
    pub fn min_delay(&self) -> usize {
        self.delays.iter().flatten().copied().min().unwrap_or(1)
    }

    /// Sum of all lengths (samples): how long an input takes to pass every stage once.
    pub fn total_samples(&self) -> usize {
        self.delays.iter().flatten().sum()
    }

    /// One stereo sample through both chains; stage `k` uses gain `amount·gains[k]`.
    #[inline]
    pub fn tick(&mut self, l: f32, r: f32, amount: f32, gains: &[f32; STAGES]) -> (f32, f32) {
        let mut io = [l, r];
        let pos = self.pos;
        // Stage by stage, both sides together (two independent chains overlap).
        for k in 0..STAGES {
            let g = amount * gains[k];
            for (side, x) in io.iter_mut().enumerate() {
                let j = side * STAGES + k;
                let m = self.masks[j];
                let b = &mut self.buffer[self.offsets[j]..=self.offsets[j] + m];
                let d = b[pos.wrapping_sub(self.delays[side][k]) & m];
                let v = *x + g * d;
                // Denormal flush, branch-free.
                let v = if v.abs() < DENORMAL_FLUSH { 0.0 } else { v };
                b[pos & m] = v;
                *x = d - g * v;
            }
        }
        self.pos = pos.wrapping_add(1);
        (io[0], io[1])
    }

    /// [`Diffuser::tick`] on a chunk in place (`left.len()` ≤ [`Diffuser::min_delay`] and
    /// [`MAX_CHUNK`]): every stage reads only samples written before the chunk, so each
    /// stage runs over the whole chunk at once (same arithmetic per sample, vectorised
    /// over time).
    pub fn process_chunk(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        amount: f32,
        gains: &[f32; STAGES],
    ) {
        let n = left.len().min(right.len()).min(MAX_CHUNK);
        debug_assert!(n <= self.min_delay());
        let pos = self.pos;
        for (k, &gain) in gains.iter().enumerate() {
            let g = amount * gain;
            for (side, x) in [&mut *left, &mut *right].into_iter().enumerate() {
                let j = side * STAGES + k;
                let b = &mut self.buffer[self.offsets[j]..=self.offsets[j] + self.masks[j]];
                let m = b.len() - 1;
                // Sample i reads pos − D + i and writes pos + i: never the same slot
                // (D ≥ n, ring longer than D), so the order within the chunk is free.
                let (rs, ws) = (pos.wrapping_sub(self.delays[side][k]) & m, pos & m);
                let step = |x: &mut f32, d: f32| {
                    let w = *x + g * d;
                    let w = if w.abs() < DENORMAL_FLUSH { 0.0 } else { w };
                    *x = d - g * w;
                    w
                };
                if rs + n <= b.len() && ws + n <= b.len() {
                    for (i, x) in x[..n].iter_mut().enumerate() {
                        b[ws + i] = step(x, b[rs + i]);
                    }
                } else {
                    for (i, x) in x[..n].iter_mut().enumerate() {
                        b[(ws + i) & m] = step(x, b[(rs + i) & m]);
                    }
                }
            }
        }
        self.pos = pos.wrapping_add(n);
    }
}
