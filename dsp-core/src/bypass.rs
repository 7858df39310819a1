//! Host bypass for a processor that has no transparent setting of its own: a linear
//! cross-fade (over [`BYPASS_MS`]) from the processed signal to the input delayed by the
//! processor's latency, so a settled bypass is the input bit for bit and the host's delay
//! compensation stays right. The Imager needs it (an all-pass crossover or a linear-phase
//! splitter is never bit-transparent; M/S and back is not exact in floating point), and so
//! will every processor whose neutral settings still colour the phase.
//!
//! Use: [`Bypass::run_stereo`] copies the input aside, lets the processor run in place, then
//! mixes `out = p + a·(dry(n − latency) − p)` with `a` ramping per sample; at `a = 0` the
//! processed signal passes untouched, at `a = 1` the delayed input is copied. The delay
//! line is written every sample whatever `a` is, so engaging the bypass never reads stale
//! history. Everything is stepped per sample: the output is the same for any block size.

use crate::smoother::{Smoother, SmoothingStyle};

/// Cross-fade time.
pub const BYPASS_MS: f32 = 20.0;
/// Internal chunk: the input copy is made this many samples at a time.
const CHUNK: usize = 256;

/// The bypass cross-fade and its latency-matched dry path (stereo).
#[derive(Clone, Debug)]
pub struct Bypass {
    /// Bypass amount (0 processed, 1 dry), linear ramp.
    amount: Smoother,
    /// Dry history, one power-of-two ring per channel.
    ring: [Vec<f32>; 2],
    /// `len − 1` of the rings.
    mask: usize,
    /// Next write position.
    write: usize,
    /// Dry delay (the processor's latency) in samples.
    latency: usize,
    /// The input of the chunk being processed.
    input: [Vec<f32>; 2],
    /// The next `set` jumps to its value (after `prepare`/`reset`).
    snap: bool,
}

impl Default for Bypass {
    fn default() -> Self {
        Self::new()
    }
}

impl Bypass {
    /// Not bypassed; nothing allocated until `prepare`.
    pub fn new() -> Self {
        Self {
            amount: Smoother::new(SmoothingStyle::Linear),
            ring: [Vec::new(), Vec::new()],
            mask: 0,
            write: 0,
            latency: 0,
            input: [Vec::new(), Vec::new()],
            snap: true,
        }
    }

    /// Allocates for a latency of up to `max_latency` samples.
    pub fn prepare(&mut self, sample_rate: f32, max_latency: usize) {
        let len = (max_latency + 1).next_power_of_two();
        self.ring = [vec![0.0; len], vec![0.0; len]];
        self.mask = len - 1;
        self.input = [vec![0.0; CHUNK], vec![0.0; CHUNK]];
        self.amount.set_ramp_ms(sample_rate, BYPASS_MS);
        self.reset();
    }

    /// Clears the dry history; the next `set` jumps.
    pub fn reset(&mut self) {
        for r in &mut self.ring {
            r.iter_mut().for_each(|x| *x = 0.0);
        }
        self.write = 0;
        self.snap = true;
    }

    /// Bypass on or off, and the processor's latency now (clamped to what `prepare` allowed).
    pub fn set(&mut self, bypass: bool, latency: usize) {
        self.latency = latency.min(self.mask);
        let target = if bypass { 1.0 } else { 0.0 };
        if self.snap {
            self.amount.reset(target);
            self.snap = false;
        } else {
            self.amount.set_target(target);
        }
    }

    /// Whether the output is (or is becoming) the dry input.
    pub fn is_bypassed(&self) -> bool {
        self.amount.target() > 0.5
    }

    /// Runs `process` on `left`/`right` in place (in chunks) and applies the bypass.
    pub fn run_stereo(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        mut process: impl FnMut(&mut [f32], &mut [f32]),
    ) {
        let n = left.len().min(right.len());
        if self.ring[0].is_empty() {
            process(&mut left[..n], &mut right[..n]);
            return;
        }
        let mut start = 0;
        while start < n {
            let len = CHUNK.min(n - start);
            let (l, r) = (
                &mut left[start..start + len],
                &mut right[start..start + len],
            );
            self.input[0][..len].copy_from_slice(l);
            self.input[1][..len].copy_from_slice(r);
            process(l, r);
            self.mix(l, r, len);
            start += len;
        }
    }

    /// Writes the chunk's input to the rings and mixes the delayed input into the output.
    fn mix(&mut self, l: &mut [f32], r: &mut [f32], len: usize) {
        let settled = !self.amount.is_smoothing();
        let a_fixed = self.amount.current();
        for i in 0..len {
            let w = self.write;
            self.ring[0][w] = self.input[0][i];
            self.ring[1][w] = self.input[1][i];
            let rd = w.wrapping_sub(self.latency) & self.mask;
            self.write = (w + 1) & self.mask;
            let a = if settled { a_fixed } else { self.amount.next() };
            if a == 0.0 {
                continue;
            }
            let (dl, dr) = (self.ring[0][rd], self.ring[1][rd]);
            if a == 1.0 {
                l[i] = dl;
                r[i] = dr;
            } else {
                l[i] += a * (dl - l[i]);
                r[i] += a * (dr - r[i]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::noise;

    /// A stand-in processor with a latency: delays by `d` samples and scales by 0.5.
    struct Delay {
        d: usize,
        hist: Vec<[f32; 2]>,
    }

    impl Delay {
        fn new(d: usize) -> Self {
            Self {
                d,
                hist: Vec::new(),
            }
        }

        fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
            for (a, b) in l.iter_mut().zip(r.iter_mut()) {
                self.hist.push([*a, *b]);
                let k = self.hist.len() - 1;
                let [x, y] = if k >= self.d {
                    self.hist[k - self.d]
                } else {
                    [0.0, 0.0]
                };
                *a = 0.5 * x;
                *b = 0.5 * y;
            }
        }
    }

    fn run(latency: usize, block: usize, bypass_at: usize, len: usize) -> (Vec<f32>, Vec<f32>) {
        let fs = 48_000.0;
        let mut b = Bypass::new();
        b.prepare(fs, 4096);
        let mut p = Delay::new(latency);
        let (mut l, mut r) = (noise(len, 1), noise(len, 2));
        let mut i = 0;
        while i < len {
            // Split at the switch, as a host with sample-accurate automation does.
            let to_switch = if i < bypass_at { bypass_at - i } else { len };
            let n = block.min(len - i).min(to_switch);
            b.set(i >= bypass_at, latency);
            let (bl, br) = (&mut l[i..i + n], &mut r[i..i + n]);
            b.run_stereo(bl, br, |x, y| p.process(x, y));
            i += n;
        }
        (l, r)
    }

    #[test]
    fn settled_bypass_is_the_input_delayed_by_the_latency_bit_for_bit() {
        let (len, latency) = (20_000, 1234);
        let (l, r) = run(latency, 64, 4000, len);
        let (il, ir) = (noise(len, 1), noise(len, 2));
        let settle = 4000 + (BYPASS_MS * 48.0) as usize + 64;
        assert_eq!(&l[settle..], &il[settle - latency..len - latency]);
        assert_eq!(&r[settle..], &ir[settle - latency..len - latency]);
        // Before the bypass: the processor's output untouched (0.5 × delayed input).
        for k in latency..4000 {
            assert_eq!(l[k], 0.5 * il[k - latency]);
        }
    }

    #[test]
    fn the_fade_is_linear_over_20_ms_and_block_size_free() {
        // With the stand-in processor the processed and dry paths are 0.5x and 1x of the
        // same delayed signal, so out/in along the fade is 0.5 + 0.5·a: a straight line from
        // 0.5 to 1 over 960 samples at 48 kHz.
        let (len, latency, at) = (8000, 100, 2048);
        let (l, _) = run(latency, 64, at, len);
        let il = noise(len, 1);
        let ramp = (BYPASS_MS * 48.0) as usize;
        for k in (at..at + ramp).step_by(7) {
            let x = il[k - latency];
            if x.abs() < 0.05 {
                continue;
            }
            let want = 0.5 + 0.5 * (k - at + 1) as f32 / ramp as f32;
            assert!(
                (l[k] / x - want).abs() < 1e-4,
                "{k}: {} vs {want}",
                l[k] / x
            );
        }
        for block in [1, 17, 256, 1000] {
            assert_eq!(
                run(latency, block, at, len),
                run(latency, 64, at, len),
                "{block}"
            );
        }
    }

    #[test]
    fn unprepared_it_just_processes() {
        let mut b = Bypass::new();
        b.set(true, 0);
        let (mut l, mut r) = (vec![1.0; 8], vec![1.0; 8]);
        b.run_stereo(&mut l, &mut r, |x, _| x.iter_mut().for_each(|v| *v = 2.0));
        assert_eq!(l, vec![2.0; 8]);
    }
}
