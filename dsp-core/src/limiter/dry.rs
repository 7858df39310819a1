//! The bypass path's delay: the input, delayed by the limiter's whole latency, so a
//! bypassed limiter keeps the host's delay compensation right. It is written on every
//! chunk (the line must hold the recent input when bypass engages) but read only while
//! the bypass is engaged or gliding, so the limiting path pays one store per sample for
//! it. Whole samples, write-then-read (a delay of 0 is the identity), non-finite input
//! stored as 0; a delay change jumps. The same contract as
//! [`crate::dynamics::lookahead::LookaheadDelay`] without a glide, split into a write and
//! an optional read.

use super::{MAX_LIMITER_CHANNELS, MAX_SAMPLE};

/// Per-channel power-of-two rings with a shared write position.
#[derive(Clone, Debug, Default)]
pub(super) struct DryDelay {
    /// One ring per channel (allocated in `prepare`).
    rings: [Vec<f32>; MAX_LIMITER_CHANNELS],
    /// `len − 1`.
    mask: usize,
    /// Where the next chunk is written.
    write: usize,
    /// Delay in samples.
    delay: usize,
    /// Largest delay accepted.
    max_delay: usize,
}

impl DryDelay {
    /// Allocates for delays up to `max_delay` and chunks up to `max_chunk` samples.
    pub fn prepare(&mut self, max_delay: usize, max_chunk: usize) {
        let len = (max_delay + max_chunk.max(1)).next_power_of_two();
        self.rings = [vec![0.0; len], vec![0.0; len]];
        self.mask = len - 1;
        self.max_delay = max_delay;
        self.delay = self.delay.min(max_delay);
        self.write = 0;
    }

    /// Clears the rings.
    pub fn reset(&mut self) {
        for r in &mut self.rings {
            r.fill(0.0);
        }
        self.write = 0;
    }

    /// Sets the delay (clamped to the prepared maximum); takes effect at once.
    pub fn set_delay_samples(&mut self, delay: usize) {
        self.delay = delay.min(self.max_delay);
    }

    /// Stores one chunk of `channel` (NaN → 0, clamped to ±[`MAX_SAMPLE`]) at the write
    /// position; call for each channel, then [`DryDelay::advance`].
    pub fn write(&mut self, channel: usize, input: &[f32]) {
        let Some(ring) = self.rings.get_mut(channel) else {
            return;
        };
        if ring.is_empty() {
            return;
        }
        let start = self.write;
        let first = input.len().min(ring.len() - start);
        let (head, tail) = input.split_at(first);
        for (r, &x) in ring[start..start + first].iter_mut().zip(head) {
            *r = sanitize(x);
        }
        for (r, &x) in ring.iter_mut().zip(tail) {
            *r = sanitize(x);
        }
    }

    /// The chunk just written to `channel`, delayed: `out[i]` is the input `delay`
    /// samples before the chunk's sample `i`.
    pub fn read(&self, channel: usize, out: &mut [f32]) {
        let Some(ring) = self.rings.get(channel) else {
            return;
        };
        if ring.is_empty() {
            return;
        }
        let mut pos = (self.write + ring.len() - self.delay) & self.mask;
        let mut rest = out;
        while !rest.is_empty() {
            let run = rest.len().min(ring.len() - pos);
            let (now, later) = rest.split_at_mut(run);
            now.copy_from_slice(&ring[pos..pos + run]);
            pos = (pos + run) & self.mask;
            rest = later;
        }
    }

    /// Moves the write position past a chunk of `n` samples.
    pub fn advance(&mut self, n: usize) {
        self.write = (self.write + n) & self.mask;
    }
}

/// The limiter's input sanitising: NaN → 0, clamped to ±[`MAX_SAMPLE`].
#[inline(always)]
fn sanitize(x: f32) -> f32 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(-MAX_SAMPLE, MAX_SAMPLE)
    }
}
