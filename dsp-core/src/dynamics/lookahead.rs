//! Integer-sample delay of the audio path for lookahead (the detector sees the input
//! `delay` samples before the gain is applied to it; J. D. Reiss, A. McPherson, "Audio
//! Effects: Theory, Implementation and Application", CRC 2015, §6.4 "Lookahead") and for
//! latency-aligned dry paths. Write-then-read, so a delay of 0 is the identity; delays are
//! whole samples, so the delayed signal is bit-exact. Non-finite input is stored as 0 so
//! a NaN never comes back out of the line.
//!
//! A delay change jumps the read position, a step in the output. With
//! [`LookaheadDelay::set_glide_samples`] the change instead cross-fades linearly from the
//! old read position to the new one over that many samples (a change requested during a
//! glide starts when it ends); [`LookaheadDelay::jump`] ends a glide at once (for the first
//! settings after `reset`). [`LookaheadDelay::latency`] always reports the newest delay.

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
    /// Length of a delay-change cross-fade (0: changes jump).
    glide_samples: usize,
    /// Delay being read (the cross-fade's end point while `glide_left > 0`).
    read_delay: usize,
    /// Delay the cross-fade starts from.
    glide_from: usize,
    /// Samples left in the cross-fade.
    glide_left: usize,
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
        self.jump();
    }

    /// Clears the rings.
    pub fn reset(&mut self) {
        self.rings.iter_mut().for_each(|r| r.fill(0.0));
        self.write_pos = 0;
    }

    /// Sets the delay (clamped to the prepared maximum). It takes effect at once, or by a
    /// cross-fade when a glide length is set.
    pub fn set_delay_samples(&mut self, delay_samples: usize) {
        self.delay_samples = delay_samples.min(self.max_delay_samples);
        if self.glide_samples == 0 {
            self.jump();
        }
    }

    /// Delay changes cross-fade over `samples` from now on (0: they jump).
    pub fn set_glide_samples(&mut self, samples: usize) {
        self.glide_samples = samples;
    }

    /// Reads at the newest delay from the next sample on, ending any cross-fade.
    pub fn jump(&mut self) {
        self.read_delay = self.delay_samples;
        self.glide_left = 0;
    }

    /// True when the line passes its input straight through and nothing is pending: delay
    /// 0, read at 0, no cross-fade. Skipping `process` then changes no output (a caller may
    /// do so, e.g. for a path nobody listens to).
    pub fn is_identity(&self) -> bool {
        self.delay_samples == 0 && self.read_delay == 0 && self.glide_left == 0
    }

    /// Starts the next cross-fade when none runs and the delay differs from the one read.
    fn start_glide(&mut self) {
        if self.glide_left == 0 && self.read_delay != self.delay_samples {
            self.glide_from = self.read_delay;
            self.read_delay = self.delay_samples;
            self.glide_left = self.glide_samples;
        }
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
            self.start_glide();
            let mut end = (start + self.max_block).min(n);
            if self.glide_left > 0 {
                end = end.min(start + self.glide_left);
            }
            self.process_piece(bufs, start, end);
            start = end;
        }
    }

    /// One piece of at most `max_block` samples: copy in (sanitised), copy out, each
    /// as at most two contiguous runs of the ring.
    fn process_piece(&mut self, bufs: &mut [&mut [f32]], start: usize, end: usize) {
        let (len, n) = (self.mask + 1, end - start);
        let w = self.write_pos & self.mask;
        let r = self.write_pos.wrapping_sub(self.read_delay) & self.mask;
        // Delay 0, no cross-fade: the read run is the write run, so one pass stores the
        // sanitised input and writes it back (the same values as copy in, copy out).
        let through = self.read_delay == 0 && self.glide_left == 0;
        for (buf, ring) in bufs.iter_mut().zip(self.rings.iter_mut()) {
            let buf = &mut buf[start..end];
            let first = n.min(len - w);
            if through {
                let (head, tail) = buf.split_at_mut(first);
                store_through(&mut ring[w..w + first], head);
                store_through(&mut ring[..n - first], tail);
                continue;
            }
            for (dst, &x) in ring[w..w + first].iter_mut().zip(buf[..first].iter()) {
                *dst = if x.is_finite() { x } else { 0.0 };
            }
            for (dst, &x) in ring[..n - first].iter_mut().zip(buf[first..].iter()) {
                *dst = if x.is_finite() { x } else { 0.0 };
            }
            let first = n.min(len - r);
            buf[..first].copy_from_slice(&ring[r..r + first]);
            buf[first..].copy_from_slice(&ring[..n - first]);
            if self.glide_left > 0 {
                // Blend in the old read position: weight of the new one rises linearly
                // from 1/L to 1 over the L samples of the glide.
                let old = self.write_pos.wrapping_sub(self.glide_from);
                let inv = 1.0 / self.glide_samples as f32;
                let done = self.glide_samples - self.glide_left;
                for (i, y) in buf.iter_mut().enumerate() {
                    let x_old = ring[old.wrapping_add(i) & self.mask];
                    let t = (done + i + 1) as f32 * inv;
                    *y = x_old + t * (*y - x_old);
                }
            }
        }
        self.write_pos = self.write_pos.wrapping_add(n);
        self.glide_left -= n.min(self.glide_left);
    }
}

/// `ring ← sanitised io`, `io ← the same` (the zero-delay pass of `process_piece`).
#[inline]
fn store_through(ring: &mut [f32], io: &mut [f32]) {
    for (d, x) in ring.iter_mut().zip(io.iter_mut()) {
        let v = if x.is_finite() { *x } else { 0.0 };
        (*d, *x) = (v, v);
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

    /// At delay 0 the line passes the sanitised input straight through and still
    /// records it, so a lookahead set later reads the real past (across ring wraps).
    #[test]
    fn zero_delay_passes_sanitised_input_and_keeps_the_past() {
        let mut l = LookaheadDelay::new();
        l.prepare(4, 2); // ring of 8
        let x = [
            0.5,
            f32::NAN,
            -1.0,
            f32::INFINITY,
            2.0,
            3.0,
            -4.0,
            5.0,
            f32::NEG_INFINITY,
            6.0,
            7.0,
        ];
        let want: Vec<f32> = x
            .iter()
            .map(|&v| if v.is_finite() { v } else { 0.0 })
            .collect();
        let mut v = x.to_vec();
        l.process(&mut [&mut v]);
        assert_eq!(v, want);
        l.set_delay_samples(3);
        let mut next = [10.0, 11.0, 12.0, 13.0];
        l.process(&mut [&mut next]);
        assert_eq!(next, [0.0, 6.0, 7.0, 10.0]);
    }

    /// A glided delay change against the formula: old and new read positions blended
    /// linearly over the glide, for any block size; a change during a glide waits for it.
    #[test]
    fn delay_changes_cross_fade_between_read_positions() {
        let x: Vec<f32> = (0..4000)
            .map(|n| (n as f32 * 0.013).sin() + 0.001 * n as f32)
            .collect();
        let (glide, at, at2) = (300, 1000, 1100);
        let delayed = |n: usize, d: usize| if n >= d { x[n - d] } else { 0.0 };
        // Reference: 40 → 500 from sample `at`, then 500 → 7 queued at `at2`, starting
        // when the first glide ends.
        let want: Vec<f32> = (0..x.len())
            .map(|n| {
                let fade = |n: usize, start: usize, from: usize, to: usize| {
                    let t = (n - start + 1) as f32 / glide as f32;
                    delayed(n, from) + t * (delayed(n, to) - delayed(n, from))
                };
                match n {
                    _ if n < at => delayed(n, 40),
                    _ if n < at + glide => fade(n, at, 40, 500),
                    _ if n < at + 2 * glide => fade(n, at + glide, 500, 7),
                    _ => delayed(n, 7),
                }
            })
            .collect();
        for block in [1, 7, 64, 299, 512] {
            let mut l = LookaheadDelay::new();
            l.prepare(960, 128);
            l.set_glide_samples(glide);
            l.set_delay_samples(40);
            l.jump();
            let mut y = x.clone();
            let mut pos = 0;
            while pos < y.len() {
                let mut end = (pos + block).min(y.len());
                for change in [at, at2] {
                    if pos < change && end > change {
                        end = change;
                    }
                }
                if pos == at {
                    l.set_delay_samples(500);
                }
                if pos == at2 {
                    l.set_delay_samples(7);
                    assert_eq!(l.latency(), 7);
                }
                l.process(&mut [&mut y[pos..end]]);
                pos = end;
            }
            for n in 0..x.len() {
                assert!(
                    (y[n] - want[n]).abs() <= 1e-5,
                    "block {block} n {n}: {} vs {}",
                    y[n],
                    want[n]
                );
            }
        }
    }
}
