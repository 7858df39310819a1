//! Linkwitz–Riley crossovers (S. Linkwitz, "Active Crossover Networks for Noncoincident
//! Drivers", JAES 24(1), 1976; LR2/LR4/LR8 = squared Butterworth of order 1/2/4) in
//! trapezoidal SVF form (Simper 2013), with all-pass phase compensation for N bands
//! (the "tree with all-pass corrections" topology: D. Bohn, "Linkwitz-Riley Crossovers: A
//! Primer", Rane Note 160; S. Lipshitz & J. Vanderkooy, "In-Phase Crossover Network
//! Design", JAES 34(11), 1986).
//!
//! Each split computes the low band `LP = B(s)⁻²` and the all-pass `A = B(−s)/B(s)`
//! from shared integrator state and returns `high = A − LP`. Because
//! `B(s)·B(−s) = 1 + (−s²)ⁿ`, this equals the Butterworth-squared high-pass exactly for
//! LR4 and LR8 and its negative for LR2 (the classic LR2 polarity inversion); either way
//! `low + high` is the all-pass `A` to rounding error, with no extra filter.
//!
//! N bands (2..=[`MAX_BANDS`]) use ascending crossover frequencies `f0 < f1 < …`: split
//! at `f0`; the low band is then passed through the all-passes of every higher
//! crossover, the high part is split again at `f1`, and so on. The band sum is the
//! product of all crossover all-passes, i.e. flat magnitude (measured below: ≤ 0.01 dB).
//! The bilinear transform is used on purpose here: it preserves the complementary
//! identities exactly, and each band is −6.02 dB at its crossover (prewarped).

use crate::svf::{prewarp, SvfCoefs, SvfState, TptOnePole};

mod block;
pub(crate) use block::SplitRegs;

/// Most bands a [`Crossover`] can produce.
pub const MAX_BANDS: usize = 5;
/// Lowest crossover frequency accepted.
pub const MIN_CROSSOVER_HZ: f32 = 10.0;
/// Highest crossover frequency accepted, as a fraction of the sample rate.
pub const MAX_CROSSOVER_FRACTION: f32 = 0.45;

const MAX_SPLITS: usize = MAX_BANDS - 1;
const MAX_ALLPASSES: usize = (MAX_BANDS - 1) * (MAX_BANDS - 2) / 2;

/// Butterworth 4th-order damping values `2·cos(π/8)`, `2·cos(3π/8)`.
const K_B4: [f64; 2] = [1.847_759_065_022_573_5, 0.765_366_864_730_179_6];

/// Linkwitz–Riley order (slope 12, 24 or 48 dB/octave).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LrOrder {
    /// 12 dB/oct; high band is polarity-inverted so the sum is all-pass.
    Lr2,
    /// 24 dB/oct.
    #[default]
    Lr4,
    /// 48 dB/oct.
    Lr8,
}

/// Coefficients of one Linkwitz–Riley crossover point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrCoefs {
    /// Order; selects which of the fields below are used.
    pub order: LrOrder,
    /// One-pole `G = g/(1+g)` (LR2).
    one_pole: f32,
    /// First SVF section (LR4: Butterworth Q = 1/√2; LR8: k = 2cos(π/8)).
    a: SvfCoefs,
    /// Second SVF section (LR8: k = 2cos(3π/8)).
    b: SvfCoefs,
}

impl Default for LrCoefs {
    fn default() -> Self {
        Self::new(LrOrder::Lr4, 48_000.0, 1000.0)
    }
}

impl LrCoefs {
    /// Designs a crossover at `crossover_hz` (clamped to
    /// `[MIN_CROSSOVER_HZ, MAX_CROSSOVER_FRACTION·fs]`).
    pub fn new(order: LrOrder, sample_rate: f32, crossover_hz: f32) -> Self {
        let fs = f64::from(sample_rate.max(1.0));
        let f = f64::from(clamp_crossover_hz(sample_rate, crossover_hz));
        let g = prewarp(fs, f);
        let (ka, kb) = match order {
            LrOrder::Lr8 => (K_B4[0], K_B4[1]),
            _ => (std::f64::consts::SQRT_2, std::f64::consts::SQRT_2),
        };
        Self {
            order,
            one_pole: TptOnePole::coef(g),
            a: SvfCoefs::from_gk(g, ka),
            b: SvfCoefs::from_gk(g, kb),
        }
    }
}

/// Clamps a crossover frequency into the supported range (NaN → 1 kHz).
pub fn clamp_crossover_hz(sample_rate: f32, crossover_hz: f32) -> f32 {
    let hi = (MAX_CROSSOVER_FRACTION * sample_rate).max(MIN_CROSSOVER_HZ);
    if crossover_hz.is_nan() {
        1000.0_f32.clamp(MIN_CROSSOVER_HZ, hi)
    } else {
        crossover_hz.clamp(MIN_CROSSOVER_HZ, hi)
    }
}

/// Per-channel state of one two-way split.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LrSplitState {
    /// One-pole memories (LR2).
    poles: [TptOnePole; 2],
    /// SVF memories: LR4 uses 0..2, LR8 uses 0..5.
    svf: [SvfState; 5],
}

impl LrSplitState {
    /// Splits one sample into `(low, high)`; `low + high` is the crossover all-pass.
    #[inline(always)]
    pub fn split(&mut self, c: &LrCoefs, x: f32) -> (f32, f32) {
        match c.order {
            LrOrder::Lr2 => {
                let lp1 = self.poles[0].tick(c.one_pole, x);
                let ap = 2.0 * lp1 - x;
                let low = self.poles[1].tick(c.one_pole, lp1);
                (low, ap - low)
            }
            LrOrder::Lr4 => {
                let (bp1, lp1) = self.svf[0].tick(&c.a, x);
                let (_, low) = self.svf[1].tick(&c.a, lp1);
                let ap = x - 2.0 * c.a.k * bp1;
                (low, ap - low)
            }
            LrOrder::Lr8 => {
                let (bp_a, lp_a) = self.svf[0].tick(&c.a, x);
                let (_, lp4) = self.svf[1].tick(&c.b, lp_a);
                let (_, lp_c) = self.svf[2].tick(&c.a, lp4);
                let (_, low) = self.svf[3].tick(&c.b, lp_c);
                let ap_a = x - 2.0 * c.a.k * bp_a;
                let (bp_e, _) = self.svf[4].tick(&c.b, ap_a);
                let ap = ap_a - 2.0 * c.b.k * bp_e;
                (low, ap - low)
            }
        }
    }

    /// Flushes denormal or non-finite memories.
    pub fn flush(&mut self) {
        self.poles.iter_mut().for_each(TptOnePole::flush);
        self.svf.iter_mut().for_each(SvfState::flush);
    }

    /// True when every memory is exactly zero.
    pub fn is_zero(&self) -> bool {
        self.poles.iter().all(|p| p.s == 0.0) && self.svf.iter().all(SvfState::is_zero)
    }
}

/// Per-channel state of the all-pass that matches one crossover's phase.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LrAllpassState {
    /// One-pole memory (LR2).
    pole: TptOnePole,
    /// SVF memories (LR4 uses 0, LR8 uses both).
    svf: [SvfState; 2],
}

impl LrAllpassState {
    /// One sample through the all-pass `B(−s)/B(s)` of crossover `c`.
    #[inline(always)]
    pub fn process(&mut self, c: &LrCoefs, x: f32) -> f32 {
        match c.order {
            LrOrder::Lr2 => 2.0 * self.pole.tick(c.one_pole, x) - x,
            LrOrder::Lr4 => {
                let (bp, _) = self.svf[0].tick(&c.a, x);
                x - 2.0 * c.a.k * bp
            }
            LrOrder::Lr8 => {
                let (bp, _) = self.svf[0].tick(&c.a, x);
                let y = x - 2.0 * c.a.k * bp;
                let (bp2, _) = self.svf[1].tick(&c.b, y);
                y - 2.0 * c.b.k * bp2
            }
        }
    }

    /// Flushes denormal or non-finite memories.
    pub fn flush(&mut self) {
        self.pole.flush();
        self.svf.iter_mut().for_each(SvfState::flush);
    }

    /// True when every memory is exactly zero.
    pub fn is_zero(&self) -> bool {
        self.pole.s == 0.0 && self.svf.iter().all(SvfState::is_zero)
    }
}

/// Per-channel state of an N-band crossover.
#[derive(Clone, Copy, Debug, Default)]
struct ChannelState {
    /// One split per crossover point.
    splits: [LrSplitState; MAX_SPLITS],
    /// Phase-compensation all-passes, band by band.
    allpasses: [LrAllpassState; MAX_ALLPASSES],
}

impl ChannelState {
    /// Flushes the memories an `nb`-band crossover uses (the others are not touched).
    fn flush_used(&mut self, nb: usize) {
        let splits = nb - 1;
        self.splits[..splits]
            .iter_mut()
            .for_each(LrSplitState::flush);
        self.allpasses[..splits * (splits - 1) / 2]
            .iter_mut()
            .for_each(LrAllpassState::flush);
    }
}

/// An N-band (2..=5) Linkwitz–Riley crossover whose band sum is an all-pass.
#[derive(Clone, Debug)]
pub struct Crossover {
    /// Sample rate from `prepare`, for coefficient design.
    sample_rate: f32,
    /// Slope family.
    order: LrOrder,
    /// Number of output bands.
    num_bands: usize,
    /// Crossover frequencies (ascending, clamped); only `num_bands − 1` are used.
    crossover_hz: [f32; MAX_SPLITS],
    /// Coefficients per crossover point, recomputed only when an input changes.
    coefs: [LrCoefs; MAX_SPLITS],
    /// One state per channel, allocated in `prepare`.
    channels: Vec<ChannelState>,
}

impl Default for Crossover {
    fn default() -> Self {
        Self::new()
    }
}

impl Crossover {
    /// Two-band LR4 at 1 kHz; no channels until `prepare`.
    pub fn new() -> Self {
        let mut s = Self {
            sample_rate: 48_000.0,
            order: LrOrder::Lr4,
            num_bands: 2,
            crossover_hz: [120.0, 1000.0, 4000.0, 10000.0],
            coefs: [LrCoefs::default(); MAX_SPLITS],
            channels: Vec::new(),
        };
        s.update_coefs();
        s
    }

    /// Allocates state for `channels` channels at `sample_rate` (the only allocation).
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, channels: usize) {
        self.sample_rate = sample_rate.clamp(1000.0, 1_000_000.0);
        self.channels = vec![ChannelState::default(); channels.max(1)];
        self.update_coefs();
    }

    /// Clears all filter memories.
    pub fn reset(&mut self) {
        self.channels
            .iter_mut()
            .for_each(|c| *c = ChannelState::default());
    }

    /// Latency in samples (none: minimum-phase IIR).
    pub fn latency(&self) -> usize {
        0
    }

    /// Number of bands currently produced.
    pub fn num_bands(&self) -> usize {
        self.num_bands
    }

    /// Sets the slope family (recomputes coefficients only on change).
    pub fn set_order(&mut self, order: LrOrder) {
        if order != self.order {
            self.order = order;
            self.update_coefs();
        }
    }

    /// Sets the band count (clamped to 2..=MAX_BANDS) and the `num_bands − 1` crossover
    /// frequencies (ascending; clamped and sorted). Compare-then-update.
    pub fn set_bands(&mut self, crossover_hz: &[f32]) {
        let num_bands = (crossover_hz.len() + 1).clamp(2, MAX_BANDS);
        let mut hz = self.crossover_hz;
        for (i, slot) in hz.iter_mut().enumerate().take(num_bands - 1) {
            let f = crossover_hz.get(i).copied().unwrap_or(1000.0);
            *slot = clamp_crossover_hz(self.sample_rate, f);
        }
        hz[..num_bands - 1].sort_by(|a, b| a.total_cmp(b));
        if num_bands != self.num_bands || hz != self.crossover_hz {
            self.num_bands = num_bands;
            self.crossover_hz = hz;
            self.update_coefs();
        }
    }

    /// The crossover frequencies in use.
    pub fn crossover_hz(&self) -> &[f32] {
        &self.crossover_hz[..self.num_bands - 1]
    }

    fn update_coefs(&mut self) {
        for i in 0..MAX_SPLITS {
            self.coefs[i] = LrCoefs::new(self.order, self.sample_rate, self.crossover_hz[i]);
        }
    }

    /// Splits one sample of channel `channel` into `bands[..num_bands]`. Out-of-range
    /// channels produce silence.
    // `b` indexes splits, coefficients and bands in step.
    #[allow(clippy::needless_range_loop)]
    #[inline]
    pub fn process_sample(&mut self, channel: usize, x: f32, bands: &mut [f32; MAX_BANDS]) {
        let nb = self.num_bands;
        let Some(state) = self.channels.get_mut(channel) else {
            *bands = [0.0; MAX_BANDS];
            return;
        };
        let mut rest = x;
        let mut ap_index = 0;
        for b in 0..nb - 1 {
            let (low, high) = state.splits[b].split(&self.coefs[b], rest);
            let mut y = low;
            for j in b + 1..nb - 1 {
                y = state.allpasses[ap_index].process(&self.coefs[j], y);
                ap_index += 1;
            }
            bands[b] = y;
            rest = high;
        }
        bands[nb - 1] = rest;
    }

    /// Splits a block of one channel: `bands[b][i]` receives band `b` of `input[i]`.
    /// Processes `min` of all lengths; extra band slices are left untouched. Runs the
    /// cascade stage by stage over the block with the memories in locals (see
    /// [`block`]); with fewer band slices than bands, or an out-of-range channel, it
    /// falls back to [`Crossover::process_sample`].
    pub fn process_block(&mut self, channel: usize, input: &[f32], bands: &mut [&mut [f32]]) {
        let nb = self.num_bands.min(bands.len());
        let len = bands[..nb]
            .iter()
            .map(|b| b.len())
            .fold(input.len(), usize::min);
        if nb < self.num_bands || channel >= self.channels.len() {
            let mut out = [0.0; MAX_BANDS];
            for (i, &x) in input[..len].iter().enumerate() {
                self.process_sample(channel, x, &mut out);
                for b in 0..nb {
                    bands[b][i] = out[b];
                }
            }
        } else {
            let state = &mut self.channels[channel];
            let (lows, last) = bands[..nb].split_at_mut(nb - 1);
            let rest = &mut last[0][..len];
            rest.copy_from_slice(&input[..len]);
            let mut ap_index = 0;
            for (b, low) in lows.iter_mut().enumerate() {
                let low = &mut low[..len];
                block::split_block(&self.coefs[b], &mut state.splits[b], low, rest);
                for c in &self.coefs[b + 1..nb - 1] {
                    block::allpass_block(c, &mut state.allpasses[ap_index], low);
                    ap_index += 1;
                }
            }
            // Only this channel's memories in use: a full `end_block` per call costs
            // as much as the filtering itself at 64 samples.
            state.flush_used(nb);
            return;
        }
        self.end_block();
    }

    /// Splits a stereo block: channels 0 and 1 run in lanes 0 and 1 of one loop per
    /// stage (one dependency chain serves both; LR4 with 2..=5 bands runs every stage in
    /// one loop, two sections per vector, see `block::tree_lr4_stereo`), so this costs about as much as one
    /// [`Crossover::process_block`] call. The output is bit-identical to
    /// `process_block(0, left, left_bands)` then `process_block(1, right, right_bands)`,
    /// which it falls back to when fewer than two channels are prepared or either side
    /// has fewer band slices than bands. Processes `min` of all lengths.
    pub fn process_stereo(
        &mut self,
        left: &[f32],
        right: &[f32],
        left_bands: &mut [&mut [f32]],
        right_bands: &mut [&mut [f32]],
    ) {
        let nb = self.num_bands;
        if self.channels.len() < 2 || left_bands.len() < nb || right_bands.len() < nb {
            self.process_block(0, left, left_bands);
            self.process_block(1, right, right_bands);
            return;
        }
        let len = left_bands[..nb]
            .iter()
            .chain(right_bands[..nb].iter())
            .map(|b| b.len())
            .fold(left.len().min(right.len()), usize::min);
        let (sl, sr) = self.channels.split_at_mut(1);
        let (sl, sr) = (&mut sl[0], &mut sr[0]);
        if self.order == LrOrder::Lr4 {
            // The whole tree in one loop (see `block::tree_lr4_stereo`).
            let (c, st, x) = (&self.coefs, [&mut *sl, &mut *sr], [left, right]);
            let (bl, br) = (left_bands, right_bands);
            match nb {
                2 => block::tree_lr4_stereo::<2>(c, st, x, bl, br, len),
                3 => block::tree_lr4_stereo::<3>(c, st, x, bl, br, len),
                4 => block::tree_lr4_stereo::<4>(c, st, x, bl, br, len),
                _ => block::tree_lr4_stereo::<5>(c, st, x, bl, br, len),
            }
            sl.flush_used(nb);
            sr.flush_used(nb);
            return;
        }
        let (lows_l, last_l) = left_bands[..nb].split_at_mut(nb - 1);
        let (lows_r, last_r) = right_bands[..nb].split_at_mut(nb - 1);
        let rest_l = &mut last_l[0][..len];
        let rest_r = &mut last_r[0][..len];
        rest_l.copy_from_slice(&left[..len]);
        rest_r.copy_from_slice(&right[..len]);
        let mut ap_index = 0;
        for (b, (low_l, low_r)) in lows_l.iter_mut().zip(lows_r.iter_mut()).enumerate() {
            let (low_l, low_r) = (&mut low_l[..len], &mut low_r[..len]);
            block::split_block_stereo(
                &self.coefs[b],
                [&mut sl.splits[b], &mut sr.splits[b]],
                [low_l, low_r],
                [rest_l, rest_r],
            );
            for c in &self.coefs[b + 1..nb - 1] {
                block::allpass_block_stereo(
                    c,
                    [&mut sl.allpasses[ap_index], &mut sr.allpasses[ap_index]],
                    [low_l, low_r],
                );
                ap_index += 1;
            }
        }
        sl.flush_used(nb);
        sr.flush_used(nb);
    }

    /// Flushes denormal/non-finite state; call once per block after `process_sample`.
    pub fn end_block(&mut self) {
        for c in &mut self.channels {
            c.splits.iter_mut().for_each(LrSplitState::flush);
            c.allpasses.iter_mut().for_each(LrAllpassState::flush);
        }
    }

    /// True when all state is exactly zero (test probe for denormal flushing).
    pub fn state_is_zero(&self) -> bool {
        self.channels.iter().all(|c| {
            c.splits.iter().all(LrSplitState::is_zero)
                && c.allpasses.iter().all(LrAllpassState::is_zero)
        })
    }
}

/// Analytic magnitude (linear) of a Linkwitz–Riley band-edge response at `freq_hz`, as
/// realised by the bilinear transform: `|LP| = 1/(1+Ωⁿ)`, `|HP| = Ωⁿ/(1+Ωⁿ)` with
/// `Ω = tan(πf/fs)/tan(πfc/fs)` and `n` = 2, 4, 8. For GUI curves and tests.
pub fn lr_magnitude(
    order: LrOrder,
    sample_rate: f32,
    crossover_hz: f32,
    freq_hz: f32,
    high: bool,
) -> f64 {
    let fs = f64::from(sample_rate);
    let g = prewarp(fs, f64::from(clamp_crossover_hz(sample_rate, crossover_hz)));
    let omega = (std::f64::consts::PI * f64::from(freq_hz) / fs).tan() / g;
    let n = match order {
        LrOrder::Lr2 => 2,
        LrOrder::Lr4 => 4,
        LrOrder::Lr8 => 8,
    };
    let p = omega.powi(n);
    if high {
        p / (1.0 + p)
    } else {
        1.0 / (1.0 + p)
    }
}

#[cfg(test)]
#[path = "crossover/tests.rs"]
mod tests;
