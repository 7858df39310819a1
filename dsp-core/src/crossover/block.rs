//! Steady-state block loops of the crossover: the same Linkwitz–Riley splits and
//! all-passes as [`LrSplitState::split`] and [`LrAllpassState::process`], with the
//! memories in locals ([`SplitRegs`]), the order matched once per block, and each SVF
//! section advanced by [`SvfCoefs::step`] (the tick regrouped for a shorter dependency
//! chain; the per-sample ticks run the same arithmetic). [`Crossover::process_block`] runs the cascade stage by stage over the whole
//! block (split 0 for every sample, then its all-passes, then split 1, …), which is the
//! per-sample order of operations for each sample: the output is bit-identical to
//! [`Crossover::process_sample`] (tests `fast_paths_match_…`).

use super::{
    ChannelState, LrAllpassState, LrCoefs, LrOrder, LrSplitState, MAX_ALLPASSES, MAX_SPLITS,
};
use crate::lanes::{F32x4, Lane};
use crate::svf::{flush, SvfCoefs, SvfState, TptOnePole};

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

/// [`split_block`] for two channels in lanes 0 and 1 of one loop (`[left, right]`;
/// all four slices have the same length).
pub(super) fn split_block_stereo(
    c: &LrCoefs,
    s: [&mut LrSplitState; 2],
    low: [&mut [f32]; 2],
    rest: [&mut [f32]; 2],
) {
    let mut m = SplitRegs::zip(&SplitRegs::load(s[0]), &SplitRegs::load(s[1]));
    let [low_l, low_r] = low;
    let [rest_l, rest_r] = rest;
    let lows = low_l.iter_mut().zip(low_r.iter_mut());
    let rests = rest_l.iter_mut().zip(rest_r.iter_mut());
    macro_rules! run {
        ($f:ident) => {
            for ((lo_l, lo_r), (x_l, x_r)) in lows.zip(rests) {
                let (lo, hi) = c.$f(&mut m, F32x4::pair(*x_l, *x_r));
                (*lo_l, *lo_r, *x_l, *x_r) = (lo.0[0], lo.0[1], hi.0[0], hi.0[1]);
            }
        };
    }
    match c.order {
        LrOrder::Lr2 => run!(split_lr2),
        LrOrder::Lr4 => run!(split_lr4),
        LrOrder::Lr8 => run!(split_lr8),
    }
    let [sl, sr] = s;
    m.lane(0).store(sl);
    m.lane(1).store(sr);
}

/// [`allpass_block`] for two channels in lanes 0 and 1 of one loop.
pub(super) fn allpass_block_stereo(c: &LrCoefs, a: [&mut LrAllpassState; 2], buf: [&mut [f32]; 2]) {
    let mut m = SplitRegs::zip(
        &SplitRegs::load_allpass(a[0]),
        &SplitRegs::load_allpass(a[1]),
    );
    let [l, r] = buf;
    macro_rules! run {
        ($f:ident) => {
            for (x_l, x_r) in l.iter_mut().zip(r.iter_mut()) {
                let y = c.$f(&mut m, F32x4::pair(*x_l, *x_r));
                (*x_l, *x_r) = (y.0[0], y.0[1]);
            }
        };
    }
    match c.order {
        LrOrder::Lr2 => run!(allpass_lr2),
        LrOrder::Lr4 => run!(allpass_lr4),
        LrOrder::Lr8 => run!(allpass_lr8),
    }
    let [al, ar] = a;
    m.lane(0).store_allpass(al);
    m.lane(1).store_allpass(ar);
}

/// The whole LR4 tree of an `NB`-band crossover for two channels (lanes 0 and 1) in one
/// loop: for each sample every split and compensation all-pass runs in the order of
/// [`Crossover::process_sample`], with the memories in locals. The stages' recursions are
/// independent of each other, so within one iteration they overlap instead of each
/// stage's loop waiting on its own recursion (the stage-by-stage loops of
/// [`split_block_stereo`] are bound by that latency). Each stage runs the same
/// [`LrCoefs::split_lr4`] / [`LrCoefs::allpass_lr4`] arithmetic on the same values, so
/// the output is bit-identical to the stage-by-stage loops (test
/// `stereo_lanes_match_two_mono_blocks`). All band slices hold at least `len` samples.
///
/// [`Crossover::process_sample`]: super::Crossover::process_sample
pub(super) fn tree_lr4_stereo<const NB: usize>(
    coefs: &[LrCoefs; MAX_SPLITS],
    state: [&mut ChannelState; 2],
    input: [&[f32]; 2],
    bands_l: &mut [&mut [f32]],
    bands_r: &mut [&mut [f32]],
    len: usize,
) {
    let [sl, sr] = state;
    let [in_l, in_r] = input;
    let (in_l, in_r) = (&in_l[..len], &in_r[..len]);
    let mut out_l: [&mut [f32]; super::MAX_BANDS] = Default::default();
    let mut out_r: [&mut [f32]; super::MAX_BANDS] = Default::default();
    for (b, (l, r)) in bands_l
        .iter_mut()
        .zip(bands_r.iter_mut())
        .take(NB)
        .enumerate()
    {
        out_l[b] = &mut l[..len];
        out_r[b] = &mut r[..len];
    }
    let mut splits: [SplitRegs<F32x4>; MAX_SPLITS] = std::array::from_fn(|b| {
        SplitRegs::zip(
            &SplitRegs::load(&sl.splits[b]),
            &SplitRegs::load(&sr.splits[b]),
        )
    });
    let mut allpasses: [SplitRegs<F32x4>; MAX_ALLPASSES] = std::array::from_fn(|a| {
        SplitRegs::zip(
            &SplitRegs::load_allpass(&sl.allpasses[a]),
            &SplitRegs::load_allpass(&sr.allpasses[a]),
        )
    });
    let c = *coefs;
    for j in 0..len {
        let mut rest = F32x4::pair(in_l[j], in_r[j]);
        let mut ap_index = 0;
        for b in 0..NB - 1 {
            let (low, high) = c[b].split_lr4(&mut splits[b], rest);
            let mut y = low;
            for cc in &c[b + 1..NB - 1] {
                y = cc.allpass_lr4(&mut allpasses[ap_index], y);
                ap_index += 1;
            }
            out_l[b][j] = y.0[0];
            out_r[b][j] = y.0[1];
            rest = high;
        }
        out_l[NB - 1][j] = rest.0[0];
        out_r[NB - 1][j] = rest.0[1];
    }
    // Only lanes 0 and 1 are stored: lanes 2 and 3 stay dead in the loop.
    let splits_used = NB - 1;
    for (b, regs) in splits.iter().enumerate().take(splits_used) {
        regs.lane(0).store(&mut sl.splits[b]);
        regs.lane(1).store(&mut sr.splits[b]);
    }
    for (a, regs) in allpasses
        .iter()
        .enumerate()
        .take(splits_used * (splits_used - 1) / 2)
    {
        regs.lane(0).store_allpass(&mut sl.allpasses[a]);
        regs.lane(1).store_allpass(&mut sr.allpasses[a]);
    }
}
