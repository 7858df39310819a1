//! Steady-state block loops of the crossover: the same Linkwitz–Riley splits and
//! all-passes as [`LrSplitState::split`] and [`LrAllpassState::process`], with the
//! memories in locals ([`SplitRegs`]), the order matched once per block, and each SVF
//! section advanced by [`SvfCoefs::step`] (the tick regrouped for a shorter dependency
//! chain; the per-sample ticks run the same arithmetic). [`Crossover::process_block`] runs the cascade stage by stage over the whole
//! block (split 0 for every sample, then its all-passes, then split 1, …), which is the
//! per-sample order of operations for each sample: the output is bit-identical to
//! [`Crossover::process_sample`] (tests `fast_paths_match_…`).

use super::{ChannelState, LrAllpassState, LrCoefs, LrOrder, LrSplitState, MAX_SPLITS};
use crate::lanes::{F32x4, Lane};
use crate::svf::{flush, step_with, SvfCoefs, SvfState, TptOnePole};

/// The memories of one split (or all-pass) held in locals for a block loop.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct SplitRegs<T> {
    /// One-pole memories (LR2).
    poles: [T; 2],
    /// SVF memories `(ic1, ic2)` (LR4: 0..2, LR8: 0..5; all-passes: 0..2).
    svf: [(T, T); 5],
}

impl SplitRegs<f32> {
    /// The memories of one channel's split.
    fn load(s: &LrSplitState) -> Self {
        Self {
            poles: [s.poles[0].s, s.poles[1].s],
            svf: s.svf.map(|v| (v.ic1, v.ic2)),
        }
    }

    /// Writes the memories back.
    fn store(&self, s: &mut LrSplitState) {
        s.poles[0].s = self.poles[0];
        s.poles[1].s = self.poles[1];
        s.svf = self.svf.map(|(ic1, ic2)| SvfState { ic1, ic2 });
    }

    /// The memories of one channel's all-pass.
    fn load_allpass(a: &LrAllpassState) -> Self {
        let mut r = Self {
            poles: [a.pole.s, 0.0],
            svf: [(0.0, 0.0); 5],
        };
        r.svf[0] = (a.svf[0].ic1, a.svf[0].ic2);
        r.svf[1] = (a.svf[1].ic1, a.svf[1].ic2);
        r
    }

    /// Writes the all-pass memories back.
    fn store_allpass(&self, a: &mut LrAllpassState) {
        a.pole.s = self.poles[0];
        for (dst, &(ic1, ic2)) in a.svf.iter_mut().zip(&self.svf) {
            *dst = SvfState { ic1, ic2 };
        }
    }
}

impl SplitRegs<F32x4> {
    /// Two channels' memories in lanes 0 and 1.
    fn zip(l: &SplitRegs<f32>, r: &SplitRegs<f32>) -> Self {
        Self {
            poles: std::array::from_fn(|i| F32x4::pair(l.poles[i], r.poles[i])),
            svf: std::array::from_fn(|i| {
                let ((l1, l2), (r1, r2)) = (l.svf[i], r.svf[i]);
                (F32x4::pair(l1, r1), F32x4::pair(l2, r2))
            }),
        }
    }

    /// Lanes 0 and 1 kept, 2 and 3 zeroed. Stereo loops store their memories back
    /// through this: the unused lanes are then dead, so the compiler drops their
    /// arithmetic instead of carrying it (and spilling) through the loop.
    pub(crate) fn stereo_lanes(&self) -> Self {
        Self::zip(&self.lane(0), &self.lane(1))
    }

    /// The memories of lane `i`.
    fn lane(&self, i: usize) -> SplitRegs<f32> {
        SplitRegs {
            poles: self.poles.map(|v| v.0[i]),
            svf: self.svf.map(|(a, b)| (a.0[i], b.0[i])),
        }
    }

    /// Flushes tiny or non-finite memories in every lane (see [`crate::svf::flush`]).
    pub(crate) fn flush(&mut self) {
        let lanes = self
            .poles
            .iter_mut()
            .chain(self.svf.iter_mut().flat_map(|(a, b)| [a, b]));
        for v in lanes {
            v.0.iter_mut().for_each(flush);
        }
    }

    /// True when every memory is exactly zero.
    pub(crate) fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// One SVF section on memories in locals; returns `(2·bp, 2·lp)` (callers fold the
/// exact ½: `2k·bp = k·(2bp)`, `lp = ½·(2lp)`).
#[inline(always)]
fn svf2<T: Lane>(c: &SvfCoefs, m: &mut (T, T), x: T) -> (T, T) {
    c.step(m, x)
}

impl LrCoefs {
    /// LR2 split `(low, high)` (see [`LrSplitState::split`]).
    #[inline(always)]
    fn split_lr2<T: Lane>(&self, m: &mut SplitRegs<T>, x: T) -> (T, T) {
        let lp1 = TptOnePole::step(self.one_pole, &mut m.poles[0], x);
        let ap = T::splat(2.0) * lp1 - x;
        let low = TptOnePole::step(self.one_pole, &mut m.poles[1], lp1);
        (low, ap - low)
    }

    /// LR4 split `(low, high)` (see [`LrSplitState::split`]).
    #[inline(always)]
    pub(crate) fn split_lr4<T: Lane>(&self, m: &mut SplitRegs<T>, x: T) -> (T, T) {
        let half = T::splat(0.5);
        let (bp1, lp1) = svf2(&self.a, &mut m.svf[0], x);
        let (_, low) = svf2(&self.a, &mut m.svf[1], half * lp1);
        let low = half * low;
        let ap = x - T::splat(self.a.k) * bp1;
        (low, ap - low)
    }

    /// LR8 split `(low, high)` (see [`LrSplitState::split`]).
    #[inline(always)]
    fn split_lr8<T: Lane>(&self, m: &mut SplitRegs<T>, x: T) -> (T, T) {
        let half = T::splat(0.5);
        let (bp_a, lp_a) = svf2(&self.a, &mut m.svf[0], x);
        let (_, lp4) = svf2(&self.b, &mut m.svf[1], half * lp_a);
        let (_, lp_c) = svf2(&self.a, &mut m.svf[2], half * lp4);
        let (_, low) = svf2(&self.b, &mut m.svf[3], half * lp_c);
        let low = half * low;
        let ap_a = x - T::splat(self.a.k) * bp_a;
        let (bp_e, _) = svf2(&self.b, &mut m.svf[4], ap_a);
        let ap = ap_a - T::splat(self.b.k) * bp_e;
        (low, ap - low)
    }

    /// LR2 all-pass (see [`LrAllpassState::process`]).
    #[inline(always)]
    fn allpass_lr2<T: Lane>(&self, m: &mut SplitRegs<T>, x: T) -> T {
        T::splat(2.0) * TptOnePole::step(self.one_pole, &mut m.poles[0], x) - x
    }

    /// LR4 all-pass.
    #[inline(always)]
    fn allpass_lr4<T: Lane>(&self, m: &mut SplitRegs<T>, x: T) -> T {
        let (bp, _) = svf2(&self.a, &mut m.svf[0], x);
        x - T::splat(self.a.k) * bp
    }

    /// LR8 all-pass.
    #[inline(always)]
    fn allpass_lr8<T: Lane>(&self, m: &mut SplitRegs<T>, x: T) -> T {
        let (bp, _) = svf2(&self.a, &mut m.svf[0], x);
        let y = x - T::splat(self.a.k) * bp;
        let (bp2, _) = svf2(&self.b, &mut m.svf[1], y);
        y - T::splat(self.b.k) * bp2
    }
}

/// Splits `rest` in place over a block: `low[i]` receives the low band of `rest[i]`,
/// `rest[i]` becomes the high band.
pub(super) fn split_block(c: &LrCoefs, s: &mut LrSplitState, low: &mut [f32], rest: &mut [f32]) {
    let mut m = SplitRegs::load(s);
    macro_rules! run {
        ($f:ident) => {
            for (lo, x) in low.iter_mut().zip(rest.iter_mut()) {
                (*lo, *x) = c.$f(&mut m, *x);
            }
        };
    }
    match c.order {
        LrOrder::Lr2 => run!(split_lr2),
        LrOrder::Lr4 => run!(split_lr4),
        LrOrder::Lr8 => run!(split_lr8),
    }
    m.store(s);
}

/// Runs the all-pass of crossover `c` over `buf` in place.
pub(super) fn allpass_block(c: &LrCoefs, a: &mut LrAllpassState, buf: &mut [f32]) {
    let mut m = SplitRegs::load_allpass(a);
    macro_rules! run {
        ($f:ident) => {
            for x in buf.iter_mut() {
                *x = c.$f(&mut m, *x);
            }
        };
    }
    match c.order {
        LrOrder::Lr2 => run!(allpass_lr2),
        LrOrder::Lr4 => run!(allpass_lr4),
        LrOrder::Lr8 => run!(allpass_lr8),
    }
    m.store_allpass(a);
}

/// [`split_block`] for two channels in one loop (`[left, right]`; all four slices have
/// the same length): two scalar chains side by side, so their recursions overlap.
///
/// Not four-lane vectors with the right channel in lane 1: LLVM then treats lanes 2–3 as
/// dead and leaves whatever a register held in them, which the recursion carries and
/// decays into subnormals; every vector operation then took a microcode assist (without
/// flush-to-zero), which made blocks of 512 three times slower per sample than blocks of 64
/// (5 bands LR4, 4 bands LR8).
pub(super) fn split_block_stereo(
    c: &LrCoefs,
    s: [&mut LrSplitState; 2],
    low: [&mut [f32]; 2],
    rest: [&mut [f32]; 2],
) {
    let (mut ml, mut mr) = (SplitRegs::load(s[0]), SplitRegs::load(s[1]));
    let [low_l, low_r] = low;
    let [rest_l, rest_r] = rest;
    let lows = low_l.iter_mut().zip(low_r.iter_mut());
    let rests = rest_l.iter_mut().zip(rest_r.iter_mut());
    macro_rules! run {
        ($f:ident) => {
            for ((lo_l, lo_r), (x_l, x_r)) in lows.zip(rests) {
                (*lo_l, *x_l) = c.$f(&mut ml, *x_l);
                (*lo_r, *x_r) = c.$f(&mut mr, *x_r);
            }
        };
    }
    match c.order {
        LrOrder::Lr2 => run!(split_lr2),
        LrOrder::Lr4 => run!(split_lr4),
        LrOrder::Lr8 => run!(split_lr8),
    }
    let [sl, sr] = s;
    ml.store(sl);
    mr.store(sr);
}

/// [`allpass_block`] for two channels in one loop (two scalar chains, as
/// [`split_block_stereo`]).
pub(super) fn allpass_block_stereo(c: &LrCoefs, a: [&mut LrAllpassState; 2], buf: [&mut [f32]; 2]) {
    let mut ml = SplitRegs::load_allpass(a[0]);
    let mut mr = SplitRegs::load_allpass(a[1]);
    let [l, r] = buf;
    macro_rules! run {
        ($f:ident) => {
            for (x_l, x_r) in l.iter_mut().zip(r.iter_mut()) {
                *x_l = c.$f(&mut ml, *x_l);
                *x_r = c.$f(&mut mr, *x_r);
            }
        };
    }
    match c.order {
        LrOrder::Lr2 => run!(allpass_lr2),
        LrOrder::Lr4 => run!(allpass_lr4),
        LrOrder::Lr8 => run!(allpass_lr8),
    }
    let [al, ar] = a;
    ml.store_allpass(al);
    mr.store_allpass(ar);
}

/// One SVF section's memories for four lanes.
type Quad = (F32x4, F32x4);

/// `[a₀, a₁, b₂, b₃]`.
#[inline(always)]
fn blend(a: F32x4, b: F32x4) -> F32x4 {
    F32x4([a.0[0], a.0[1], b.0[2], b.0[3]])
}

/// `[a₂, a₃, b₂, b₃]`.
#[inline(always)]
fn high_low(a: F32x4, b: F32x4) -> F32x4 {
    F32x4([a.0[2], a.0[3], b.0[2], b.0[3]])
}

/// `[a₀, a₁, b₀, b₁]`.
#[inline(always)]
fn low_low(a: F32x4, b: F32x4) -> F32x4 {
    F32x4([a.0[0], a.0[1], b.0[0], b.0[1]])
}

/// Per-lane SVF recursion coefficients and all-pass `k`: `lo` in lanes 0–1, `hi` in 2–3.
#[derive(Clone, Copy)]
struct LaneCoefs {
    b: F32x4,
    c: F32x4,
    d: F32x4,
    k: F32x4,
}

impl LaneCoefs {
    fn new(lo: &LrCoefs, hi: &LrCoefs) -> Self {
        let (lb, lc, ld) = lo.a.recursion();
        let (hb, hc, hd) = hi.a.recursion();
        let q = |l: f32, h: f32| F32x4([l, l, h, h]);
        Self {
            b: q(lb, hb),
            c: q(lc, hc),
            d: q(ld, hd),
            k: q(lo.a.k, hi.a.k),
        }
    }

    /// One SVF step (the arithmetic of [`SvfCoefs::step`]), `(2·bp, 2·lp)`.
    #[inline(always)]
    fn step(&self, m: &mut Quad, x: F32x4) -> Quad {
        step_with(self.b, self.c, self.d, m, x)
    }
}

/// Memories of left (`l`) and right (`r`) SVF sections in lanes `[l, r]` of 0–1 (`lo`)
/// and 2–3 (`hi`).
fn quad(lo: [&SvfState; 2], hi: [&SvfState; 2]) -> Quad {
    (
        F32x4([lo[0].ic1, lo[1].ic1, hi[0].ic1, hi[1].ic1]),
        F32x4([lo[0].ic2, lo[1].ic2, hi[0].ic2, hi[1].ic2]),
    )
}

/// Writes lanes 0–1 (`half` 0) or 2–3 (`half` 1) back to a left and a right section.
fn unquad(q: &Quad, half: usize, dst: [&mut SvfState; 2]) {
    for (i, d) in dst.into_iter().enumerate() {
        *d = SvfState {
            ic1: q.0 .0[2 * half + i],
            ic2: q.1 .0[2 * half + i],
        };
    }
}

/// Samples per chunk of [`tree_lr4_stereo`]: the first pass hands this many samples to
/// the second through two stack buffers (2 KiB), so nothing depends on `prepare`.
const TREE_CHUNK: usize = 64;

/// The LR4 tree of a 2- to 5-band crossover (`NB`) for two channels, with two
/// sections per four-lane vector (left/right in lanes 0–1 of one section, 2–3 of the
/// other), in two passes over each chunk of [`TREE_CHUNK`] samples so that few vectors
/// are live at once (SSE2 has 16 registers; one loop over all six steps spilled its
/// recursion state). The steps, per sample:
///
/// 1. `[A | B]`, one `c₀` vector: lanes 0–1 split 0's first section on `[x_l, x_r]` of
///    sample `n`, lanes 2–3 its second section on the first section's low-pass of sample
///    `n − 1` (the previous iteration's) → `low₀`, `high₀` of sample `n − 1`;
/// 2. `[low₀ | high₀]` through one `c₁` section: lanes 0–1 band 0's all-pass of crossover
///    1, lanes 2–3 split 1's first section. Pass 1 ends here and stores the two results.
/// 3. (pass 2, 4 bands) lanes 0–1: band 0's all-pass of crossover 2 (`c₂`) → band 0;
///    lanes 2–3: split 1's second section (`c₁`) → `low₁`, `high₁`;
/// 4. `[low₁ | high₁]` through one `c₂` section: band 1's all-pass → band 1, split 2's
///    first section;
/// 5. split 2's second section (lanes 2–3) → bands 2 and 3. (3 bands: step 5 on split 1's
///    second section after step 2; 2 bands: step 1 alone.)
/// 6. (pass 3, 5 bands; steps 3–5 then store instead of output) `[low₂ | high₂]` through
///    one `c₃` section: band 2's all-pass → band 2, split 3's first section;
/// 7. split 3's second section (lanes 2–3) → bands 3 and 4;
/// 8. `[band 0 | band 1]` through their all-passes of crossover 3 → bands 0 and 1.
///
/// Step 1 of the first iteration runs only its A lanes and the last only its B lanes
/// (the other lanes' memories are put back), so nothing is delayed across calls. Each
/// lane runs the arithmetic of [`LrCoefs::split_lr4`] / [`LrCoefs::allpass_lr4`] on the
/// same values, so the output is bit-identical to the stage-by-stage loops (test
/// `stereo_lanes_match_two_mono_blocks`). Idle lanes get zero input and keep zero
/// memories. All band slices hold at least `len` samples.
pub(super) fn tree_lr4_stereo<const NB: usize>(
    coefs: &[LrCoefs; MAX_SPLITS],
    state: [&mut ChannelState; 2],
    input: [&[f32]; 2],
    bands_l: &mut [&mut [f32]],
    bands_r: &mut [&mut [f32]],
    len: usize,
) {
    debug_assert!((2..=5).contains(&NB));
    let [sl, sr] = state;
    let [in_l, in_r] = input;
    let (in_l, in_r) = (&in_l[..len], &in_r[..len]);
    let zero = SvfState::default();
    let (c0, c1, c2) = (&coefs[0], &coefs[1], &coefs[2]);
    let k0 = LaneCoefs::new(c0, c0);
    let k1 = LaneCoefs::new(c1, c1);
    let k12 = LaneCoefs::new(c2, c1);
    let k2 = LaneCoefs::new(c2, c2);
    let k3 = LaneCoefs::new(&coefs[3], &coefs[3]);
    let mut mab = quad(
        [&sl.splits[0].svf[0], &sr.splits[0].svf[0]],
        [&sl.splits[0].svf[1], &sr.splits[0].svf[1]],
    );
    let idle: Quad = (F32x4::default(), F32x4::default());
    let (mut mc, mut md, mut me, mut mf) = (idle, idle, idle, idle);
    if NB >= 3 {
        mc = quad(
            [&sl.allpasses[0].svf[0], &sr.allpasses[0].svf[0]],
            [&sl.splits[1].svf[0], &sr.splits[1].svf[0]],
        );
        let ap = if NB >= 4 {
            [&sl.allpasses[1].svf[0], &sr.allpasses[1].svf[0]]
        } else {
            [&zero, &zero]
        };
        md = quad(ap, [&sl.splits[1].svf[1], &sr.splits[1].svf[1]]);
    }
    // Band 1's all-pass of crossover 2 (all-passes are numbered band by band).
    let ap1c2 = if NB == 5 { 3 } else { 2 };
    if NB >= 4 {
        me = quad(
            [&sl.allpasses[ap1c2].svf[0], &sr.allpasses[ap1c2].svf[0]],
            [&sl.splits[2].svf[0], &sr.splits[2].svf[0]],
        );
        mf = quad([&zero, &zero], [&sl.splits[2].svf[1], &sr.splits[2].svf[1]]);
    }
    let (mut mg, mut mk, mut mj) = (idle, idle, idle);
    if NB == 5 {
        mg = quad(
            [&sl.allpasses[5].svf[0], &sr.allpasses[5].svf[0]],
            [&sl.splits[3].svf[0], &sr.splits[3].svf[0]],
        );
        mk = quad([&zero, &zero], [&sl.splits[3].svf[1], &sr.splits[3].svf[1]]);
        mj = quad(
            [&sl.allpasses[2].svf[0], &sr.allpasses[2].svf[0]],
            [&sl.allpasses[4].svf[0], &sr.allpasses[4].svf[0]],
        );
    }
    let half = F32x4::splat(0.5);
    let none = F32x4::default();
    let mut outs_l: [&mut [f32]; 5] = Default::default();
    let mut outs_r: [&mut [f32]; 5] = Default::default();
    for (b, (l, r)) in bands_l
        .iter_mut()
        .zip(bands_r.iter_mut())
        .take(NB)
        .enumerate()
    {
        outs_l[b] = &mut l[..len];
        outs_r[b] = &mut r[..len];
    }
    let [o0l, o1l, o2l, o3l, o4l] = outs_l;
    let [o0r, o1r, o2r, o3r, o4r] = outs_r;
    // Pass-1 results of the chunk: step 2's all-pass outputs and half low-passes.
    let mut ys = [none; TREE_CHUNK];
    let mut hs = [none; TREE_CHUNK];
    // 5 bands: band 0 after its all-pass of crossover 2, for pass 3.
    let mut ts = [none; TREE_CHUNK];
    // Handed from one step-1 iteration to the next: the half low-pass of the first
    // section (the second section's input) and the all-pass part of split 0, left/right.
    let (mut b_in, mut ap_prev) = ((0.0, 0.0), (0.0, 0.0));
    // One step-1 iteration: `x` is sample `n` (A lanes), B works on sample `n − 1`;
    // `$a`/`$b` say which lanes run; with B, steps 2 (or the 2-band outputs) for sample
    // `n − 1` go to index `$j` of the chunk buffers (or of the outputs from `$s`).
    macro_rules! pass1 {
        ($x:expr, $a:expr, $b:expr, $s:expr, $j:expr) => {{
            let (xl, xr): (f32, f32) = $x;
            let v = F32x4([xl, xr, b_in.0, b_in.1]);
            let old = mab;
            let (w1, w2) = k0.step(&mut mab, v);
            if !$b {
                mab = (blend(mab.0, old.0), blend(mab.1, old.1));
            }
            if !$a {
                mab = (blend(old.0, mab.0), blend(old.1, mab.1));
            }
            let ap = v - k0.k * w1;
            let hw = half * w2;
            if $b {
                // Lanes 2–3: `low₀`, `high₀` of sample n − 1.
                let high0 = F32x4([0.0, 0.0, ap_prev.0, ap_prev.1]) - hw;
                let j: usize = $j;
                if NB == 2 {
                    let i = $s + j;
                    (o0l[i], o0r[i]) = (hw.0[2], hw.0[3]);
                    (o1l[i], o1r[i]) = (high0.0[2], high0.0[3]);
                } else {
                    let v3 = high_low(hw, high0);
                    let (w1, w2) = k1.step(&mut mc, v3);
                    ys[j] = v3 - k1.k * w1;
                    hs[j] = half * w2;
                }
            }
            b_in = (hw.0[0], hw.0[1]);
            ap_prev = (ap.0[0], ap.0[1]);
        }};
    }
    if len > 0 {
        pass1!((in_l[0], in_r[0]), true, false, 0, 0);
    }
    let mut s = 0;
    while s < len {
        let e = (s + TREE_CHUNK).min(len);
        // Iterations s + 1 ..= e make samples s..e; the one at n = len has no A lanes.
        let steady = e.min(len - 1) - s;
        {
            let (xl, xr) = (&in_l[s + 1..s + 1 + steady], &in_r[s + 1..s + 1 + steady]);
            for j in 0..steady {
                pass1!((xl[j], xr[j]), true, true, s, j);
            }
        }
        if e == len {
            pass1!((0.0, 0.0), false, true, s, e - 1 - s);
        }
        let m = e - s;
        if NB == 3 {
            let (y, h) = (&ys[..m], &hs[..m]);
            let (o0l, o0r) = (&mut o0l[s..e], &mut o0r[s..e]);
            let (o1l, o1r) = (&mut o1l[s..e], &mut o1r[s..e]);
            let (o2l, o2r) = (&mut o2l[s..e], &mut o2r[s..e]);
            for j in 0..m {
                let (y3, h3) = (y[j], h[j]);
                let (_, w2) = k12.step(&mut md, blend(none, h3));
                let low1 = half * w2;
                let high1 = y3 - low1;
                (o0l[j], o0r[j]) = (y3.0[0], y3.0[1]);
                (o1l[j], o1r[j]) = (low1.0[2], low1.0[3]);
                (o2l[j], o2r[j]) = (high1.0[2], high1.0[3]);
            }
        } else if NB >= 4 {
            // Step 3 alone (one recursion per loop keeps every vector in a register),
            // leaving step 4's input in `ys`; then steps 4 and 5 (5 bands: then pass 3).
            let (y, h, t) = (&mut ys[..m], &mut hs[..m], &mut ts[..m]);
            let (o0l, o0r) = (&mut o0l[s..e], &mut o0r[s..e]);
            for j in 0..m {
                let (y3, h3) = (y[j], h[j]);
                let v4 = blend(y3, h3);
                let (w1, w2) = k12.step(&mut md, v4);
                let band0 = v4 - k12.k * w1;
                let low1 = half * w2;
                let high1 = y3 - low1;
                if NB == 5 {
                    t[j] = band0;
                } else {
                    (o0l[j], o0r[j]) = (band0.0[0], band0.0[1]);
                }
                y[j] = high_low(low1, high1);
            }
            let (o1l, o1r) = (&mut o1l[s..e], &mut o1r[s..e]);
            let (o2l, o2r) = (&mut o2l[s..e], &mut o2r[s..e]);
            let (o3l, o3r) = (&mut o3l[s..e], &mut o3r[s..e]);
            for j in 0..m {
                let v5 = y[j];
                let (w1, w2) = k2.step(&mut me, v5);
                let y5 = v5 - k2.k * w1;
                let h5 = half * w2;
                (o1l[j], o1r[j]) = (y5.0[0], y5.0[1]);
                let (_, w2b) = k2.step(&mut mf, blend(none, h5));
                let low2 = half * w2b;
                if NB == 5 {
                    (h[j], y[j]) = (y5, low2);
                    continue;
                }
                let high2 = y5 - low2;
                (o2l[j], o2r[j]) = (low2.0[2], low2.0[3]);
                (o3l[j], o3r[j]) = (high2.0[2], high2.0[3]);
            }
            if NB == 5 {
                // Pass 3, all `c₃`: `[low₂ | high₂]` (band 2's all-pass, split 3's first
                // section), split 3's second section, and `[band 0 | band 1]` through
                // their all-passes of crossover 3.
                // (`o0l` … `o3r` are already this chunk's slices.)
                let (o4l, o4r) = (&mut o4l[s..e], &mut o4r[s..e]);
                for j in 0..m {
                    let (band0, y5, low2) = (t[j], h[j], y[j]);
                    let high2 = y5 - low2;
                    let vg = high_low(low2, high2);
                    let (w1, w2) = k3.step(&mut mg, vg);
                    let g = vg - k3.k * w1; // lanes 0–1: band 2; 2–3: split 3's all-pass
                    let (_, w2k) = k3.step(&mut mk, blend(none, half * w2));
                    let low3 = half * w2k;
                    let high3 = g - low3;
                    let vj = low_low(band0, y5);
                    let (w1j, _) = k3.step(&mut mj, vj);
                    let aj = vj - k3.k * w1j;
                    (o0l[j], o0r[j]) = (aj.0[0], aj.0[1]);
                    (o1l[j], o1r[j]) = (aj.0[2], aj.0[3]);
                    (o2l[j], o2r[j]) = (g.0[0], g.0[1]);
                    (o3l[j], o3r[j]) = (low3.0[2], low3.0[3]);
                    (o4l[j], o4r[j]) = (high3.0[2], high3.0[3]);
                }
            }
        }
        s = e;
    }
    let (sl, sr) = (&mut *sl, &mut *sr);
    unquad(
        &mab,
        0,
        [&mut sl.splits[0].svf[0], &mut sr.splits[0].svf[0]],
    );
    unquad(
        &mab,
        1,
        [&mut sl.splits[0].svf[1], &mut sr.splits[0].svf[1]],
    );
    if NB >= 3 {
        unquad(
            &mc,
            0,
            [&mut sl.allpasses[0].svf[0], &mut sr.allpasses[0].svf[0]],
        );
        unquad(&mc, 1, [&mut sl.splits[1].svf[0], &mut sr.splits[1].svf[0]]);
        unquad(&md, 1, [&mut sl.splits[1].svf[1], &mut sr.splits[1].svf[1]]);
    }
    if NB >= 4 {
        unquad(
            &md,
            0,
            [&mut sl.allpasses[1].svf[0], &mut sr.allpasses[1].svf[0]],
        );
        unquad(
            &me,
            0,
            [
                &mut sl.allpasses[ap1c2].svf[0],
                &mut sr.allpasses[ap1c2].svf[0],
            ],
        );
        unquad(&me, 1, [&mut sl.splits[2].svf[0], &mut sr.splits[2].svf[0]]);
        unquad(&mf, 1, [&mut sl.splits[2].svf[1], &mut sr.splits[2].svf[1]]);
    }
    if NB == 5 {
        unquad(
            &mg,
            0,
            [&mut sl.allpasses[5].svf[0], &mut sr.allpasses[5].svf[0]],
        );
        unquad(&mg, 1, [&mut sl.splits[3].svf[0], &mut sr.splits[3].svf[0]]);
        unquad(&mk, 1, [&mut sl.splits[3].svf[1], &mut sr.splits[3].svf[1]]);
        unquad(
            &mj,
            0,
            [&mut sl.allpasses[2].svf[0], &mut sr.allpasses[2].svf[0]],
        );
        unquad(
            &mj,
            1,
            [&mut sl.allpasses[4].svf[0], &mut sr.allpasses[4].svf[0]],
        );
    }
}
