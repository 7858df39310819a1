//! Integer-sample delay of the audio path for lookahead (the detector sees the input
//! `delay` samples before the gain is applied to it; J. D. Reiss, A. McPherson, "Audio
//! Effects: Theory, Implementation and Application", CRC 2015, §6.4 "Lookahead") and for
//! latency-aligned dry paths. Write-then-read, so a delay of 0 is the identity; delays are
//! whole samples, so the delayed signal is bit-exact. Non-finite input is stored as 0 so
//! a NaN never comes back out of the line.

use super::MAX_DYNAMICS_CHANNELS;

/// A multichannel integer delay with a maximum fixed in `prepare`.
#[derive(Clone, Debug, Default)]
pub struct LookaheadDelay {
    /// One power-of-two ring per channel, allocated in `prepare`.
    rings: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// `len − 1` for wrapping.
    mask: usize,
    /// Next write index (shared by the channels).
    write_pos: usize,
    /// Current delay in samples.
    delay_samples: usize,
    /// Largest delay accepted.
    max_delay_samples: usize,
    /// Largest piece copied at once (the ring holds `max_delay + max_block`).
    max_block: usize,
}

impl LookaheadDelay {
    /// An empty delay (identity until prepared).
    pub fn new() -> Self {
        Self::default()
    }

    /// Allocates rings for `max_delay_samples` and blocks of up to `max_block`.
    pub fn prepare(&mut self, max_delay_samples: usize, max_block: usize) {
        let len = (max_delay_samples + max_block.max(1)).next_power_of_two();
        self.rings = [vec![0.0; len], vec![0.0; len]];
        self.mask = len - 1;
        self.max_delay_samples = max_delay_samples;
        self.max_block = max_block.max(1);
        self.delay_samples = self.delay_samples.min(max_delay_samples);
        self.write_pos = 0;
    }

    /// Clears the rings.
    pub fn reset(&mut self) {
        self.rings.iter_mut().for_each(|r| r.fill(0.0));
        self.write_pos = 0;
    }

    /// Sets the delay (clamped to the prepared maximum).
    pub fn set_delay_samples(&mut self, delay_samples: usize) {
        self.delay_samples = delay_samples.min(self.max_delay_samples);
    }

    /// Current delay in samples (the latency it adds).
    pub fn latency(&self) -> usize {
        self.delay_samples
    }

    /// Delays `bufs` (one slice per channel, up to two) in place; blocks longer than
    /// `max_block` are processed in pieces.
    pub fn process(&mut self, bufs: &mut [&mut [f32]]) {
        let n = bufs.iter().map(|b| b.len()).min().unwrap_or(0);
        if self.rings[0].is_empty() {
            return;
        }
        let mut start = 0;
        while start < n {
            let end = (start + self.max_block).min(n);
            self.process_piece(bufs, start, end);
            start = end;
        }
    }

    /// One piece of at most `max_block` samples: copy in (sanitised), copy out, each
    /// as at most two contiguous runs of the ring.
    fn process_piece(&mut self, bufs: &mut [&mut [f32]], start: usize, end: usize) {
        let (len, n) = (self.mask + 1, end - start);
        let w = self.write_pos & self.mask;
        let r = self.write_pos.wrapping_sub(self.delay_samples) & self.mask;
        for (buf, ring) in bufs.iter_mut().zip(self.rings.iter_mut()) {
            let buf = &mut buf[start..end];
            let first = n.min(len - w);
            for (dst, &x) in ring[w..w + first].iter_mut().zip(buf[..first].iter()) {
                *dst = if x.is_finite() { x } else { 0.0 };
            }
            for (dst, &x) in ring[..n - first].iter_mut().zip(buf[first..].iter()) {
                *dst = if x.is_finite() { x } else { 0.0 };
            }
            let first = n.min(len - r);
            buf[..first].copy_from_slice(&ring[r..r + first]);
            buf[first..].copy_from_slice(&ring[..n - first]);
        }
        self.write_pos = self.write_pos.wrapping_add(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_bit_exactly_across_blocks() {
        let x = crate::test_util::noise(3000, 4);
        for d in [0, 1, 17, 960] {
            let mut l = LookaheadDelay::new();
            l.prepare(960, 61);
            l.set_delay_samples(d);
            let mut a = x.clone();
            let mut b = x.clone();
            for (ca, cb) in a.chunks_mut(61).zip(b.chunks_mut(61)) {
                l.process(&mut [ca, cb]);
            }
            for n in 0..x.len() {
                let want = if n >= d { x[n - d] } else { 0.0 };
                assert_eq!((a[n], b[n]), (want, want), "d {d} n {n}");
            }
        }
        let mut l = LookaheadDelay::new();
        l.prepare(4, 2);
        l.set_delay_samples(100);
        assert_eq!(l.latency(), 4);
        let mut v = [f32::NAN, 1.0, 2.0, 3.0, 4.0, 5.0];
        l.process(&mut [&mut v]);
        assert_eq!(v, [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    }
}
