//! The limiter's integer delays (the lookahead of stage 1, the Annex 2 alignment of
//! stage 2, and the bypass path's whole latency): the same contract as
//! [`crate::dynamics::lookahead::LookaheadDelay`] without a glide (whole samples, so the
//! delayed signal is bit-exact; write-then-read, so a delay of 0 is the identity;
//! non-finite input stored as 0; a delay change jumps), split into a write and a read so
//! that the read can apply the stage's gain on the way out ([`ChunkDelay::read_scaled`],
//! no separate pass over the audio) and the bypass path, written on every chunk so it
//! holds the recent input when bypass engages, is read only while bypass is engaged or
//! gliding.

use super::{MAX_LIMITER_CHANNELS, MAX_SAMPLE};

/// Per-channel power-of-two rings with a shared write position.
#[derive(Clone, Debug, Default)]
pub(super) struct ChunkDelay {
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

impl ChunkDelay {
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

    /// The delay in samples (the latency it adds).
    pub fn latency(&self) -> usize {
        self.delay
    }

    /// Stores one chunk of `channel` (non-finite samples as 0) at the write position; call
    /// for each channel, then read, then [`ChunkDelay::advance`].
    pub fn write(&mut self, channel: usize, input: &[f32]) {
        self.write_with(channel, input, |x| if x.is_finite() { x } else { 0.0 });
    }

    /// As [`ChunkDelay::write`] with the limiter's input sanitising (NaN → 0, clamped to
    /// ±[`MAX_SAMPLE`]).
    pub fn write_sanitized(&mut self, channel: usize, input: &[f32]) {
        self.write_with(channel, input, sanitize);
    }

    #[inline(always)]
    fn write_with(&mut self, channel: usize, input: &[f32], f: impl Fn(f32) -> f32) {
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
            *r = f(x);
        }
        for (r, &x) in ring.iter_mut().zip(tail) {
            *r = f(x);
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

    /// The chunk just written to `channel`, delayed and multiplied sample by sample by
    /// `gains`: `out[i] = delayed[i]·gains[i]` (`min(out, gains)` samples).
    pub fn read_scaled(&self, channel: usize, gains: &[f32], out: &mut [f32]) {
        let Some(ring) = self.rings.get(channel) else {
            return;
        };
        if ring.is_empty() {
            return;
        }
        let n = out.len().min(gains.len());
        let pos = (self.write + ring.len() - self.delay) & self.mask;
        let first = n.min(ring.len() - pos);
        let (out_a, out_b) = out[..n].split_at_mut(first);
        let (g_a, g_b) = gains[..n].split_at(first);
        for ((o, &x), &g) in out_a.iter_mut().zip(&ring[pos..pos + first]).zip(g_a) {
            *o = x * g;
        }
        for ((o, &x), &g) in out_b.iter_mut().zip(ring.iter()).zip(g_b) {
            *o = x * g;
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
