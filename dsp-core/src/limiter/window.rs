//! The limiter's attack shaper: a sliding-window minimum of the required gain followed by
//! two moving averages (box filters), the construction of the "hold + cascaded box"
//! brickwall limiters (e.g. G. Wichern's and the x42 dpl design; D. Giannoulis et al. call
//! the minimum a "peak hold" with zero release): with a hold of `K + 1` samples and boxes
//! of `K₁ + K₂ − 1 = K`, every output `g[n]` is a weighted mean (non-negative weights
//! summing to 1) of hold outputs that all contain the inputs `r[n − K]` and `r[n − K + 1]`,
//! so `g[n] ≤ min(r[n − K], r[n − K + 1])`: the gain has fully arrived `K` samples after the
//! requirement entered, whatever the signal. The two boxes convolve into a trapezoid
//! (triangle when `K₁ = K₂`), so a step in `r` becomes a piecewise-quadratic S-curve over
//! `K` samples: no corner in the gain (continuous slope).
//!
//! The minimum is van Herk / Gil–Werman's block algorithm:
//! three `min`s per sample and no data-dependent branch (it replaced Lemire's monotonic
//! wedge, whose pops mispredicted on every noisy input; the result is the same set
//! minimum, bit for bit). Box sums are `f64`, re-summed exactly once per wrap of their
//! ring so rounding never accumulates. The hold and both boxes (and the limiter's release
//! recursion before them) run in one per-sample loop ([`WindowEnvelope::process_mapped`]),
//! so their dependency chains overlap; two stages (unlinked channels) can share that loop
//! ([`WindowEnvelope::process_mapped_pair`]), and [`WindowEnvelope::process`] skips it
//! where exact-unity gains meet a stage at rest. Rings are sized for the largest window in
//! `prepare`; changing the window never allocates and restarts the stage at the smallest
//! gain it held (conservative: the gain can only be lower than required, never higher).

/// A moving average of `len` samples over a ring (allocated for `max_len`).
#[derive(Clone, Debug, Default)]
struct BoxFilter {
    /// Last `len` inputs.
    ring: Vec<f32>,
    /// Window length (≥ 1).
    len: usize,
    /// Next write index.
    pos: usize,
    /// Sum of the ring's first `len` entries.
    sum: f64,
    /// `1/len`.
    inv_len: f64,
}

impl BoxFilter {
    fn prepare(&mut self, max_len: usize) {
        self.ring = vec![1.0; max_len.max(1)];
        self.configure(1, 1.0);
    }

    /// Sets the length and fills the window with `value`.
    fn configure(&mut self, len: usize, value: f32) {
        self.len = len.clamp(1, self.ring.len().max(1));
        self.ring[..self.len].fill(value);
        self.pos = 0;
        self.sum = f64::from(value) * self.len as f64;
        self.inv_len = 1.0 / self.len as f64;
    }

    /// Smallest value in the window.
    fn min(&self) -> f32 {
        self.ring[..self.len].iter().fold(1.0, |m, &v| m.min(v))
    }
}

/// `min` for values that are never NaN: one `minss`, so the running minimum is a short
/// recursion.
#[inline(always)]
fn lesser(a: f32, b: f32) -> f32 {
    if b < a {
        b
    } else {
        a
    }
}

/// Pieces in which [`WindowEnvelope::process`] looks for runs of exact unity.
const UNITY_PIECE: usize = 32;

/// Hold (sliding minimum) + two boxes over a total window `K` (see the module header).
#[derive(Clone, Debug, Default)]
pub(crate) struct WindowEnvelope {
    /// Inputs of the current hold block (offsets `0 … pos − 1` are filled).
    block: Vec<f32>,
    /// Suffix minima of the previous hold block: `suffix[j] = min(prev[j …])`,
    /// `suffix[hold] = +∞`.
    suffix: Vec<f32>,
    /// Offset of the next input in the current hold block.
    pos: usize,
    /// Minimum of the current hold block so far (`+∞` at its start).
    prefix: f32,
    /// Hold length `K + 1`.
    hold: usize,
    /// First box.
    box_a: BoxFilter,
    /// Second box.
    box_b: BoxFilter,
    /// Total window `K`.
    window: usize,
    /// The whole state is known to rest at exactly 1 (see
    /// [`WindowEnvelope::rests_at_unity`]); cleared whenever the per-sample loop runs.
    unity: bool,
}

impl WindowEnvelope {
    /// Allocates for windows up to `max_window` samples (and selects that window; call
    /// [`WindowEnvelope::set_window`] for another).
    pub fn prepare(&mut self, max_window: usize) {
        // The largest window the boxes allow is `max_window + 2` (odd `max_window`).
        self.block = vec![1.0; max_window + 4];
        self.suffix = vec![1.0; max_window + 5];
        self.box_a.prepare(max_window.div_ceil(2) + 1);
        self.box_b.prepare(max_window.div_ceil(2) + 1);
        self.window = 0;
        self.set_window(max_window.max(1));
        self.reset();
    }

    /// Back to unity gain.
    pub fn reset(&mut self) {
        self.restart(1.0);
    }

    /// Sets `K` (clamped to the prepared maximum). A change restarts the stage at the
    /// smallest gain it currently holds.
    pub fn set_window(&mut self, window: usize) {
        let max = (self.box_a.ring.len() + self.box_b.ring.len()).saturating_sub(1);
        let window = window.clamp(1, max.max(1));
        if window == self.window {
            return;
        }
        let held = self.smallest_held();
        self.window = window;
        self.hold = window + 1;
        self.restart(held);
    }

    /// Smallest gain anywhere in the stage (the hold's last window and the boxes).
    fn smallest_held(&self) -> f32 {
        let m = self.box_a.min().min(self.box_b.min());
        match self.suffix.get(self.pos) {
            Some(&s) => m.min(s).min(self.prefix),
            None => m,
        }
    }

    /// Fills every part with `value` (the hold sees `value` as every earlier input).
    fn restart(&mut self, value: f32) {
        let k = self.window.max(1);
        let len_a = (k + 1).div_ceil(2);
        self.box_a.configure(len_a, value);
        self.box_b.configure(k + 1 - len_a, value);
        let hold = self.hold;
        if self.suffix.len() > hold {
            self.suffix[..hold].fill(value);
            self.suffix[hold] = f32::INFINITY;
        }
        self.pos = 0;
        self.prefix = f32::INFINITY;
        self.unity = false;
    }

    /// Copies the whole state of `other` (same preparation) without allocating.
    pub fn copy_state_from(&mut self, other: &Self) {
        self.block.copy_from_slice(&other.block);
        self.suffix.copy_from_slice(&other.suffix);
        self.pos = other.pos;
        self.prefix = other.prefix;
        self.hold = other.hold;
        self.window = other.window;
        self.unity = other.unity;
        for (dst, src) in [
            (&mut self.box_a, &other.box_a),
            (&mut self.box_b, &other.box_b),
        ] {
            dst.ring.copy_from_slice(&src.ring);
            dst.len = src.len;
            dst.pos = src.pos;
            dst.sum = src.sum;
            dst.inv_len = src.inv_len;
        }
    }

    /// Replaces each required gain in `buf` by the shaped gain (see
    /// [`WindowEnvelope::process_mapped`]), bit for bit, with a shortcut for the idle case
    /// (the limiter's stage 2 on ordinary programme): a piece of exact unity gains that
    /// meets a stage resting at exactly unity leaves every output at 1 and only moves the
    /// stage's positions ([`WindowEnvelope::advance_at_unity`]), with no per-sample loop.
    pub fn process(&mut self, buf: &mut [f32]) {
        for piece in buf.chunks_mut(UNITY_PIECE) {
            if piece.iter().all(|&x| x == 1.0) && (self.unity || self.rests_at_unity()) {
                self.unity = true;
                self.advance_at_unity(piece.len());
            } else {
                self.process_mapped(piece, |x| x);
            }
        }
    }

    /// Whether unity input would leave every output and every stored value at exactly 1:
    /// the current hold block so far and the suffix minima it still reads are 1 (so the
    /// prefix is 1 or, at a block start, +∞), both rings hold only 1, both box sums are
    /// exactly their lengths (no rounding residue waiting for the next re-sum) and each
    /// box's mean `sum·(1/len)` rounds to exactly 1 in `f32`. Then each sample of
    /// [`WindowEnvelope::process_mapped`] stores 1, adds `1 − 1 = 0` to each sum, re-sums
    /// to the same exact length at a wrap, and outputs `1`.
    fn rests_at_unity(&self) -> bool {
        let (pos, hold) = (self.pos, self.hold);
        if self.suffix.len() <= hold || pos >= hold {
            return false;
        }
        let ones = |v: &[f32]| v.iter().all(|&x| x == 1.0);
        let settled = |b: &BoxFilter| {
            ones(&b.ring[..b.len]) && b.sum == b.len as f64 && (b.sum * b.inv_len) as f32 == 1.0
        };
        ones(&self.block[..pos])
            && ones(&self.suffix[pos + 1..hold])
            && settled(&self.box_a)
            && settled(&self.box_b)
    }

    /// What [`WindowEnvelope::process_mapped`] does to a stage resting at unity over `n`
    /// unity inputs: the hold block fills with 1 (its suffix minima, recomputed at each
    /// block end, are 1), the prefix is 1 (+∞ at a block start), the box positions move
    /// on and the sums stay at their exact lengths. The outputs are 1, which is what the
    /// buffer already holds.
    fn advance_at_unity(&mut self, n: usize) {
        let hold = self.hold;
        let mut left = n;
        while left > 0 {
            let run = (hold - self.pos).min(left);
            self.block[self.pos..self.pos + run].fill(1.0);
            self.pos += run;
            self.prefix = 1.0;
            left -= run;
            if self.pos == hold {
                self.suffix[..hold].fill(1.0);
                self.suffix[hold] = f32::INFINITY;
                self.pos = 0;
                self.prefix = f32::INFINITY;
            }
        }
        for b in [&mut self.box_a, &mut self.box_b] {
            b.pos = (b.pos + n) % b.len;
        }
    }

    /// Replaces each `x` in `buf` by the shaped gain of `map(x)`, sample by sample: `map`
    /// (the limiter's release recursion), the hold and both boxes run in one loop, so
    /// their dependency chains overlap instead of running one pass after another.
    ///
    /// The hold is the sliding minimum over the last `hold` inputs by blocks of `hold`
    /// samples (M. van Herk, "A fast algorithm for local minimum and maximum filters on
    /// rectangular and octagonal kernels", Pattern Recognition Letters 13(7), 1992; J. Gil,
    /// M. Werman, IEEE PAMI 15(5), 1993): the window of the input at offset `j` of a block
    /// is the tail `j + 1 …` of the previous block (its suffix minimum) and the head
    /// `0 … j` of this one (the running prefix minimum), so each output costs two `min`s
    /// and the suffix minima one more per input, with no data-dependent branch. Each box
    /// adds its new input and drops its oldest in `f64`; where its ring wraps the sum is
    /// re-summed from the ring and that sample's output uses the fresh sum. The arithmetic
    /// is per sample, so the result does not depend on the block length.
    #[inline(always)]
    pub fn process_mapped(&mut self, buf: &mut [f32], mut map: impl FnMut(f32) -> f32) {
        if self.suffix.len() <= self.hold {
            return;
        }
        self.unity = false;
        let hold = self.hold;
        let (mut pos, mut prefix) = (self.pos, self.prefix);
        let Self {
            block,
            suffix,
            box_a,
            box_b,
            ..
        } = self;
        let mut boxes = Boxes::new(box_a, box_b);
        let mut rest = buf;
        while !rest.is_empty() {
            let run = (hold - pos).min(rest.len());
            let (now, later) = rest.split_at_mut(run);
            let blk = &mut block[pos..pos + run];
            let suf = &suffix[pos + 1..pos + 1 + run];
            for ((x, b), &s) in now.iter_mut().zip(blk.iter_mut()).zip(suf) {
                let r = map(*x);
                *b = r;
                prefix = lesser(prefix, r);
                *x = boxes.push(lesser(s, prefix));
            }
            pos += run;
            if pos == hold {
                end_hold_block(suffix, block, hold);
                pos = 0;
                prefix = f32::INFINITY;
            }
            rest = later;
        }
        [(box_a.pos, box_a.sum), (box_b.pos, box_b.sum)] = boxes.finish();
        (self.pos, self.prefix) = (pos, prefix);
    }

    /// [`WindowEnvelope::process_mapped`] of two stages (the limiter's unlinked channels)
    /// in one loop, bit for bit: their per-sample recursions are independent, so they
    /// overlap instead of running one after the other. Stages at different hold
    /// positions, or buffers of different lengths, are processed one after the other.
    #[inline(always)]
    pub fn process_mapped_pair(
        (one, two): (&mut Self, &mut Self),
        (buf_one, buf_two): (&mut [f32], &mut [f32]),
        mut map_one: impl FnMut(f32) -> f32,
        mut map_two: impl FnMut(f32) -> f32,
    ) {
        let hold = one.hold;
        if two.hold != hold
            || two.pos != one.pos
            || buf_one.len() != buf_two.len()
            || one.suffix.len() <= hold
            || two.suffix.len() <= hold
        {
            one.process_mapped(buf_one, map_one);
            two.process_mapped(buf_two, map_two);
            return;
        }
        one.unity = false;
        two.unity = false;
        let mut pos = one.pos;
        let (mut prefix_one, mut prefix_two) = (one.prefix, two.prefix);
        let Self {
            block: block_one,
            suffix: suffix_one,
            box_a: a_one,
            box_b: b_one,
            ..
        } = one;
        let Self {
            block: block_two,
            suffix: suffix_two,
            box_a: a_two,
            box_b: b_two,
            ..
        } = two;
        let mut boxes_one = Boxes::new(a_one, b_one);
        let mut boxes_two = Boxes::new(a_two, b_two);
        let (mut rest_one, mut rest_two) = (buf_one, buf_two);
        while !rest_one.is_empty() {
            let run = (hold - pos).min(rest_one.len());
            let (now_one, later_one) = rest_one.split_at_mut(run);
            let (now_two, later_two) = rest_two.split_at_mut(run);
            let lanes_one = now_one
                .iter_mut()
                .zip(block_one[pos..pos + run].iter_mut())
                .zip(&suffix_one[pos + 1..pos + 1 + run]);
            let lanes_two = now_two
                .iter_mut()
                .zip(block_two[pos..pos + run].iter_mut())
                .zip(&suffix_two[pos + 1..pos + 1 + run]);
            for (((x1, b1), &s1), ((x2, b2), &s2)) in lanes_one.zip(lanes_two) {
                let (r1, r2) = (map_one(*x1), map_two(*x2));
                (*b1, *b2) = (r1, r2);
                prefix_one = lesser(prefix_one, r1);
                prefix_two = lesser(prefix_two, r2);
                *x1 = boxes_one.push(lesser(s1, prefix_one));
                *x2 = boxes_two.push(lesser(s2, prefix_two));
            }
            pos += run;
            if pos == hold {
                end_hold_block(suffix_one, block_one, hold);
                end_hold_block(suffix_two, block_two, hold);
                pos = 0;
                prefix_one = f32::INFINITY;
                prefix_two = f32::INFINITY;
            }
            (rest_one, rest_two) = (later_one, later_two);
        }
        [(a_one.pos, a_one.sum), (b_one.pos, b_one.sum)] = boxes_one.finish();
        [(a_two.pos, a_two.sum), (b_two.pos, b_two.sum)] = boxes_two.finish();
        (one.pos, one.prefix) = (pos, prefix_one);
        (two.pos, two.prefix) = (pos, prefix_two);
    }
}

/// At the end of a hold block: the suffix minima of the block just completed (the
/// windows of the next block read them), `suffix[hold] = +∞`.
#[inline(always)]
fn end_hold_block(suffix: &mut [f32], block: &[f32], hold: usize) {
    let mut m = f32::INFINITY;
    for (s, &b) in suffix[..hold].iter_mut().zip(&block[..hold]).rev() {
        m = lesser(m, b);
        *s = m;
    }
    suffix[hold] = f32::INFINITY;
}

/// The two boxes of one stage with their positions and sums in locals for one call.
struct Boxes<'a> {
    /// Ring of the first box (its `len` entries).
    ring_a: &'a mut [f32],
    /// Its next write index.
    pos_a: usize,
    /// Its running sum.
    sum_a: f64,
    /// Its `1/len`.
    inv_a: f64,
    /// Ring of the second box.
    ring_b: &'a mut [f32],
    /// See `pos_a`.
    pos_b: usize,
    /// See `sum_a`.
    sum_b: f64,
    /// See `inv_a`.
    inv_b: f64,
}

impl<'a> Boxes<'a> {
    #[inline(always)]
    fn new(a: &'a mut BoxFilter, b: &'a mut BoxFilter) -> Self {
        Self {
            pos_a: a.pos,
            sum_a: a.sum,
            inv_a: a.inv_len,
            ring_a: &mut a.ring[..a.len],
            pos_b: b.pos,
            sum_b: b.sum,
            inv_b: b.inv_len,
            ring_b: &mut b.ring[..b.len],
        }
    }

    /// One hold output `h` through both boxes: each adds its new input and drops its
    /// oldest in `f64`, and re-sums its ring where it wraps (that sample's output uses
    /// the fresh sum).
    #[inline(always)]
    fn push(&mut self, h: f32) -> f32 {
        let old = std::mem::replace(&mut self.ring_a[self.pos_a], h);
        self.sum_a += f64::from(h) - f64::from(old);
        self.pos_a += 1;
        if self.pos_a == self.ring_a.len() {
            self.pos_a = 0;
            self.sum_a = self.ring_a.iter().map(|&v| f64::from(v)).sum();
        }
        let a = (self.sum_a * self.inv_a) as f32;
        let old = std::mem::replace(&mut self.ring_b[self.pos_b], a);
        self.sum_b += f64::from(a) - f64::from(old);
        self.pos_b += 1;
        if self.pos_b == self.ring_b.len() {
            self.pos_b = 0;
            self.sum_b = self.ring_b.iter().map(|&v| f64::from(v)).sum();
        }
        (self.sum_b * self.inv_b) as f32
    }

    /// The positions and sums to write back: `[(pos, sum) of the first box, … second]`.
    #[inline(always)]
    fn finish(self) -> [(usize, f64); 2] {
        [(self.pos_a, self.sum_a), (self.pos_b, self.sum_b)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct reference: hold = min over the last K+1 inputs (unity before the start),
    /// then the two boxes as plain means over their last samples.
    fn reference(r: &[f32], k: usize) -> Vec<f64> {
        let len_a = (k + 1).div_ceil(2);
        let len_b = k + 1 - len_a;
        let at = |v: &[f64], i: isize| if i < 0 { 1.0 } else { v[i as usize] };
        let r64: Vec<f64> = r.iter().map(|&v| f64::from(v)).collect();
        let hold: Vec<f64> = (0..r.len() as isize)
            .map(|n| {
                (0..=k as isize)
                    .map(|j| at(&r64, n - j))
                    .fold(1.0, f64::min)
            })
            .collect();
        let a: Vec<f64> = (0..r.len() as isize)
            .map(|n| (0..len_a as isize).map(|j| at(&hold, n - j)).sum::<f64>() / len_a as f64)
            .collect();
        (0..r.len() as isize)
            .map(|n| (0..len_b as isize).map(|j| at(&a, n - j)).sum::<f64>() / len_b as f64)
            .collect()
    }

    #[test]
    fn matches_the_direct_formula_and_meets_every_requirement_in_time() {
        let mut rng = fastrand::Rng::with_seed(5);
        for k in [1, 2, 3, 10, 47, 240] {
            let r: Vec<f32> = (0..3000)
                .map(|_| {
                    if rng.f32() < 0.05 {
                        rng.f32()
                    } else {
                        1.0 - 0.1 * rng.f32()
                    }
                })
                .collect();
            let mut env = WindowEnvelope::default();
            env.prepare(300);
            env.set_window(k);
            let mut g = r.clone();
            for b in g.chunks_mut(37) {
                env.process(b);
            }
            let want = reference(&r, k);
            for n in 0..r.len() {
                assert!((f64::from(g[n]) - want[n]).abs() < 1e-6, "k {k} n {n}");
                if n >= k {
                    let need = r[n - k].min(r[n - k + 1]);
                    assert!(
                        g[n] <= need * (1.0 + 1e-6),
                        "k {k} n {n}: {} > {need}",
                        g[n]
                    );
                }
            }
        }
    }

    /// The unity shortcut of `process` gives the per-sample loop's outputs bit for bit
    /// (and so its state: any difference would show in later outputs), and is taken.
    #[test]
    fn unity_shortcut_is_bit_identical_to_the_per_sample_loop() {
        let mut rng = fastrand::Rng::with_seed(11);
        for k in [1, 2, 16, 47, 240] {
            // Long exact-unity stretches (idle stage 2) between short dips, some of them
            // only a rounding step below 1 (a residue the box sums must carry).
            let mut r = vec![1.0_f32; 40_000];
            let mut i = 0;
            while i < r.len() {
                i += rng.usize(1..3 * k + 200);
                let len = rng.usize(1..2 * k + 3);
                let depth = match rng.u8(0..3) {
                    0 => 1.0 - f32::EPSILON / 2.0,
                    1 => 1.0 - 1e-3 * rng.f32(),
                    _ => 0.2 + 0.8 * rng.f32(),
                };
                for v in r.iter_mut().skip(i).take(len) {
                    *v = depth;
                }
                i += len;
            }
            let mut fast = WindowEnvelope::default();
            fast.prepare(300);
            fast.set_window(k);
            let mut slow = fast.clone();
            let (mut a, mut b) = (r.clone(), r.clone());
            let (mut start, mut shortcuts) = (0, 0);
            while start < r.len() {
                let end = (start + rng.usize(1..300)).min(r.len());
                fast.process(&mut a[start..end]);
                slow.process_mapped(&mut b[start..end], |x| x);
                shortcuts += usize::from(fast.unity);
                start = end;
            }
            let first = a
                .iter()
                .zip(&b)
                .position(|(x, y)| x.to_bits() != y.to_bits());
            assert_eq!(first, None, "k {k}: outputs differ from sample {first:?}");
            assert!(
                shortcuts > 20,
                "k {k}: shortcut taken after {shortcuts} blocks"
            );
        }
    }

    /// Two stages in one loop give each stage's own `process_mapped` bit for bit, with
    /// stateful maps (as the release is), also when the stages sit at different hold
    /// positions (processed one after the other then).
    #[test]
    fn pair_loop_is_bit_identical_to_two_single_loops() {
        let mut rng = fastrand::Rng::with_seed(17);
        for (k, offset) in [(1, 0), (16, 0), (47, 0), (240, 0), (47, 5)] {
            let gen = |rng: &mut fastrand::Rng| -> Vec<f32> {
                (0..6000)
                    .map(|_| {
                        if rng.f32() < 0.05 {
                            rng.f32()
                        } else {
                            1.0 - 0.1 * rng.f32()
                        }
                    })
                    .collect()
            };
            let (r1, r2) = (gen(&mut rng), gen(&mut rng));
            let mut pair = [WindowEnvelope::default(), WindowEnvelope::default()];
            for w in &mut pair {
                w.prepare(300);
                w.set_window(k);
            }
            // Different hold positions: the pair falls back to one loop after the other.
            let mut skew = vec![0.7_f32; offset];
            pair[1].process(&mut skew);
            let mut single = pair.clone();
            let (mut a1, mut a2, mut b1, mut b2) = (r1.clone(), r2.clone(), r1, r2);
            // Stateful maps: a one-pole each, so any cross-talk or reordering shows.
            let (mut m1, mut m2, mut n1, mut n2) = (1.0_f32, 1.0_f32, 1.0_f32, 1.0_f32);
            let mut start = 0;
            while start < a1.len() {
                let end = (start + rng.usize(1..500)).min(a1.len());
                let [p1, p2] = &mut pair;
                WindowEnvelope::process_mapped_pair(
                    (p1, p2),
                    (&mut a1[start..end], &mut a2[start..end]),
                    |x| {
                        m1 = lesser(x, 0.9 * m1 + 0.1);
                        m1
                    },
                    |x| {
                        m2 = lesser(x, 0.8 * m2 + 0.2);
                        m2
                    },
                );
                single[0].process_mapped(&mut b1[start..end], |x| {
                    n1 = lesser(x, 0.9 * n1 + 0.1);
                    n1
                });
                single[1].process_mapped(&mut b2[start..end], |x| {
                    n2 = lesser(x, 0.8 * n2 + 0.2);
                    n2
                });
                start = end;
            }
            let same =
                |x: &[f32], y: &[f32]| x.iter().zip(y).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same(&a1, &b1) && same(&a2, &b2), "k {k} offset {offset}");
        }
    }

    #[test]
    fn a_step_is_a_smooth_s_curve_over_the_window() {
        let k = 100;
        let mut env = WindowEnvelope::default();
        env.prepare(k);
        env.set_window(k);
        let mut g = vec![1.0_f32; 400];
        g[200..].fill(0.5);
        env.process(&mut g);
        // Starts after the step enters, lands exactly K samples later.
        assert_eq!(g[199], 1.0);
        assert!(g[200] < 1.0);
        assert!((g[200 + k] - 0.5).abs() < 1e-6);
        // No corner: the slope changes by at most (depth / K²)·4 per sample.
        let bound = 0.5 * 4.0 / (k * k) as f32 + 1e-6;
        for n in 199..320 {
            let curv = (g[n + 1] - 2.0 * g[n] + g[n - 1]).abs();
            assert!(curv <= bound, "n {n}: second difference {curv} > {bound}");
        }
    }

    #[test]
    fn changing_the_window_never_raises_the_gain() {
        let mut env = WindowEnvelope::default();
        env.prepare(500);
        env.set_window(200);
        let mut g = vec![0.3_f32; 50];
        env.process(&mut g);
        let before = g[49];
        env.set_window(20);
        let mut g = vec![1.0_f32; 5];
        env.process(&mut g);
        assert!(g.iter().all(|&v| v <= before.max(0.3) + 1e-6), "{g:?}");
        let mut other = WindowEnvelope::default();
        other.prepare(500);
        other.copy_state_from(&env);
        let (mut a, mut b) = (vec![0.9_f32; 300], vec![0.9_f32; 300]);
        env.process(&mut a);
        other.process(&mut b);
        assert_eq!(a, b);
    }
}
