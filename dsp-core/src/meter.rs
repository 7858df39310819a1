//! Level and correlation meters, read once per block by the plugin side.
//!
//! * [`LevelMeter`]: sample peak of the last block; a decaying peak hold with instant
//!   attack and a fall of 20 dB in [`PEAK_FALL_SECONDS`] = 1.7 s (the return time of the
//!   IEC 60268-18 digital peak programme meter: a linear fall in dB of 11.8 dB/s),
//!   stepped per sample so a GUI polling at 30 fps sees every transient at the level
//!   it has fallen to, whatever the block size; and RMS with exponential
//!   integration of `x²` (time constant [`DEFAULT_INTEGRATION_MS`] = 300 ms: the mean
//!   square of a step reaches `1 − 1/e` after 300 ms). 300 ms is borrowed from VU
//!   ballistics (IEC 60268-17), where it is the time to reach 99 % of the reading, so
//!   this is a VU-like figure, not a standard meter: it settles more slowly than a VU
//!   meter.
//! * [`CorrelationMeter`]: `Σlr / √(Σl²·Σr²)` with the same exponential integration of
//!   the three products (the Pearson coefficient without mean removal, as phase meters
//!   do); +1 for mono, −1 for anti-phase, 0 on silence.
//! * [`MidSideMeter`]: the same correlation and the mid and side RMS, fed with mid and
//!   side (`l = m + s`, `r = m − s`, so `Σlr = Σm² − Σs²` and
//!   `Σl²·Σr² = (Σm² + Σs²)² − 4(Σms)²`), integrated by the same one-pole in closed
//!   form per block: `y_n = aⁿ·y_0 + Σ_j (1−a)·a^(n−1−j)·x_j`, weights from a table, so
//!   the per-sample work is three products and three weighted sums with no recursion (it
//!   vectorises); the square root and division happen when read. Equal to the
//!   per-sample integration within 1e-5 relative (test below).

use crate::db::gain_to_db;
use crate::lanes::F32x4;
use crate::one_pole::{coef_for_time_ms, smooth};
use crate::svf::flush;

/// Default RMS and correlation integration time.
pub const DEFAULT_INTEGRATION_MS: f32 = 300.0;
/// Channels a [`LevelMeter`] measures.
pub const MAX_METER_CHANNELS: usize = 2;
/// Time for the peak hold to fall 20 dB (IEC 60268-18 return time).
pub const PEAK_FALL_SECONDS: f64 = 1.7;
/// Peak-hold level (linear) below which it reads exactly zero.
const PEAK_HOLD_FLOOR: f64 = 1e-10;
/// Power below which the correlation reads 0 (≈ −200 dBFS²).
const SILENCE_POWER: f32 = 1e-20;

/// Peak and RMS per channel.
#[derive(Clone, Debug)]
pub struct LevelMeter {
    /// Integration pole for the mean square.
    coef: f32,
    /// Integration time (last requested).
    integration_ms: f32,
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Peak |x| of the last processed block per channel.
    peak: [f32; MAX_METER_CHANNELS],
    /// Smoothed mean square per channel.
    mean_square: [f32; MAX_METER_CHANNELS],
    /// Decaying peak hold per channel (linear, `f64` so the tiny per-sample fall is
    /// exact at any sample rate).
    peak_hold: [f64; MAX_METER_CHANNELS],
    /// Per-sample peak-hold factor, `10^(−20 dB / 20 / (PEAK_FALL_SECONDS·fs))`.
    peak_fall: f64,
}

impl Default for LevelMeter {
    fn default() -> Self {
        Self::new()
    }
}

impl LevelMeter {
    /// 300 ms at 48 kHz.
    pub fn new() -> Self {
        Self {
            coef: coef_for_time_ms(48_000.0, DEFAULT_INTEGRATION_MS),
            integration_ms: DEFAULT_INTEGRATION_MS,
            sample_rate: 48_000.0,
            peak: [0.0; MAX_METER_CHANNELS],
            mean_square: [0.0; MAX_METER_CHANNELS],
            peak_hold: [0.0; MAX_METER_CHANNELS],
            peak_fall: peak_fall_per_sample(48_000.0),
        }
    }

    /// Sets the sample rate (nothing to allocate).
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, _channels: usize) {
        self.sample_rate = sample_rate;
        self.coef = coef_for_time_ms(sample_rate, self.integration_ms);
        self.peak_fall = peak_fall_per_sample(sample_rate);
        self.reset();
    }

    /// Clears readings.
    pub fn reset(&mut self) {
        self.peak = [0.0; MAX_METER_CHANNELS];
        self.mean_square = [0.0; MAX_METER_CHANNELS];
        self.peak_hold = [0.0; MAX_METER_CHANNELS];
    }

    /// Sets the RMS integration time constant.
    pub fn set_integration_ms(&mut self, integration_ms: f32) {
        if integration_ms != self.integration_ms {
            self.integration_ms = integration_ms;
            self.coef = coef_for_time_ms(self.sample_rate, integration_ms);
        }
    }

    /// Measures one block of `channel`. Non-finite samples are ignored.
    pub fn process(&mut self, channel: usize, block: &[f32]) {
        if channel >= MAX_METER_CHANNELS {
            return;
        }
        let (mut peak, mut ms) = (0.0_f32, self.mean_square[channel]);
        let (mut hold, fall) = (self.peak_hold[channel], self.peak_fall);
        for &x in block {
            let x = if x.is_finite() { x } else { 0.0 };
            peak = peak.max(x.abs());
            hold = (hold * fall).max(f64::from(x.abs()));
            smooth(&mut ms, x * x, self.coef);
        }
        flush(&mut ms);
        if hold < PEAK_HOLD_FLOOR {
            hold = 0.0;
        }
        self.peak[channel] = peak;
        self.peak_hold[channel] = hold;
        self.mean_square[channel] = ms;
    }

    /// Sample peak of the last block (linear).
    pub fn peak(&self, channel: usize) -> f32 {
        self.peak.get(channel).copied().unwrap_or(0.0)
    }

    /// Decaying peak hold (linear): the largest `|x|` so far, falling 20 dB per
    /// [`PEAK_FALL_SECONDS`] from the sample it occurred at.
    pub fn peak_hold(&self, channel: usize) -> f32 {
        self.peak_hold.get(channel).copied().unwrap_or(0.0) as f32
    }

    /// Decaying peak hold in dBFS.
    pub fn peak_hold_db(&self, channel: usize) -> f32 {
        gain_to_db(self.peak_hold(channel))
    }

    /// Integrated RMS (linear).
    pub fn rms(&self, channel: usize) -> f32 {
        self.mean_square.get(channel).copied().unwrap_or(0.0).sqrt()
    }

    /// Peak in dBFS.
    pub fn peak_db(&self, channel: usize) -> f32 {
        gain_to_db(self.peak(channel))
    }

    /// RMS in dBFS.
    pub fn rms_db(&self, channel: usize) -> f32 {
        gain_to_db(self.rms(channel))
    }
}

/// `10^(−20/20 / (PEAK_FALL_SECONDS·fs))`: the per-sample peak-hold factor.
fn peak_fall_per_sample(sample_rate: f32) -> f64 {
    let fs = if sample_rate.is_finite() && sample_rate > 0.0 {
        f64::from(sample_rate)
    } else {
        48_000.0
    };
    10f64.powf(-1.0 / (PEAK_FALL_SECONDS * fs))
}

/// Stereo correlation meter.
#[derive(Clone, Debug)]
pub struct CorrelationMeter {
    /// Integration pole.
    coef: f32,
    /// Integration time (last requested).
    integration_ms: f32,
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Smoothed `l·r`.
    lr: f32,
    /// Smoothed `l²`.
    ll: f32,
    /// Smoothed `r²`.
    rr: f32,
}

impl Default for CorrelationMeter {
    fn default() -> Self {
        Self::new()
    }
}

impl CorrelationMeter {
    /// 300 ms at 48 kHz.
    pub fn new() -> Self {
        Self {
            coef: coef_for_time_ms(48_000.0, DEFAULT_INTEGRATION_MS),
            integration_ms: DEFAULT_INTEGRATION_MS,
            sample_rate: 48_000.0,
            lr: 0.0,
            ll: 0.0,
            rr: 0.0,
        }
    }

    /// Sets the sample rate (nothing to allocate).
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, _channels: usize) {
        self.sample_rate = sample_rate;
        self.coef = coef_for_time_ms(sample_rate, self.integration_ms);
        self.reset();
    }

    /// Clears the integrators.
    pub fn reset(&mut self) {
        (self.lr, self.ll, self.rr) = (0.0, 0.0, 0.0);
    }

    /// Sets the integration time constant.
    pub fn set_integration_ms(&mut self, integration_ms: f32) {
        if integration_ms != self.integration_ms {
            self.integration_ms = integration_ms;
            self.coef = coef_for_time_ms(self.sample_rate, integration_ms);
        }
    }

    /// Integrates one stereo block (`min` length; non-finite samples count as 0).
    pub fn process(&mut self, left: &[f32], right: &[f32]) {
        let a = self.coef;
        let (mut lr, mut ll, mut rr) = (self.lr, self.ll, self.rr);
        for (&l, &r) in left.iter().zip(right) {
            let l = if l.is_finite() { l } else { 0.0 };
            let r = if r.is_finite() { r } else { 0.0 };
            smooth(&mut lr, l * r, a);
            smooth(&mut ll, l * l, a);
            smooth(&mut rr, r * r, a);
        }
        for v in [&mut lr, &mut ll, &mut rr] {
            flush(v);
        }
        (self.lr, self.ll, self.rr) = (lr, ll, rr);
    }

    /// Correlation in `[−1, 1]`; 0 when either side is silent.
    pub fn correlation(&self) -> f32 {
        let p = self.ll * self.rr;
        if p <= SILENCE_POWER * SILENCE_POWER
            || self.ll <= SILENCE_POWER
            || self.rr <= SILENCE_POWER
        {
            return 0.0;
        }
        (self.lr / p.sqrt()).clamp(-1.0, 1.0)
    }
}

/// Sub-block length of [`MidSideMeter`]'s closed-form integration.
const MS_BLOCK: usize = 64;

/// Weights of the one-pole `y ← x + a·(y − x)` over up to [`MS_BLOCK`] samples.
#[derive(Clone, Debug)]
struct BlockWeights {
    /// `tail[i] = (1−a)·a^(MS_BLOCK−1−i)`: a block of `n` samples weighs sample `j` by
    /// `tail[MS_BLOCK − n + j]`.
    tail: [f32; MS_BLOCK],
    /// `release[n] = 1 − aⁿ`, stored as the small quantity so the update
    /// `y − release·y` keeps the pole's precision (`aⁿ` itself would round to a
    /// different time constant).
    release: [f32; MS_BLOCK + 1],
}

impl BlockWeights {
    fn new(a: f32) -> Self {
        let a = f64::from(a);
        Self {
            tail: std::array::from_fn(|i| ((1.0 - a) * a.powi((MS_BLOCK - 1 - i) as i32)) as f32),
            release: std::array::from_fn(|n| (1.0 - a.powi(n as i32)) as f32),
        }
    }
}

/// `(Σ w·m², Σ w·s², Σ w·m·s)` over equal-length slices, four lanes at a time (no
/// serial dependency). Non-finite samples make the sums non-finite; the caller flushes.
fn weighted_ms_sums(w: &[f32], m: &[f32], s: &[f32]) -> [f32; 3] {
    let quad = |v: &[f32]| F32x4([v[0], v[1], v[2], v[3]]);
    let mut acc = [F32x4::default(); 3];
    let (wc, mc, sc) = (w.chunks_exact(4), m.chunks_exact(4), s.chunks_exact(4));
    let (wr, mr, sr) = (wc.remainder(), mc.remainder(), sc.remainder());
    for ((w, m), s) in wc.zip(mc).zip(sc) {
        let (w, x, y) = (quad(w), quad(m), quad(s));
        let wx = w * x;
        acc[0] = acc[0] + wx * x;
        acc[1] = acc[1] + w * y * y;
        acc[2] = acc[2] + wx * y;
    }
    let mut sums = acc.map(|a| (a.0[0] + a.0[1]) + (a.0[2] + a.0[3]));
    for ((w, &x), &y) in wr.iter().zip(mr).zip(sr) {
        let wx = w * x;
        sums[0] += wx * x;
        sums[1] += w * y * y;
        sums[2] += wx * y;
    }
    sums
}

/// Correlation and mid/side RMS of a stereo signal given as mid and side; see the module
/// documentation. Allocation-free.
#[derive(Clone, Debug)]
pub struct MidSideMeter {
    /// Integration time (last requested).
    integration_ms: f32,
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Closed-form integration weights.
    weights: BlockWeights,
    /// Integrated `m²`, `s²`, `m·s`.
    sums: [f32; 3],
}

impl Default for MidSideMeter {
    fn default() -> Self {
        Self::new()
    }
}

impl MidSideMeter {
    /// 300 ms at 48 kHz.
    pub fn new() -> Self {
        Self {
            integration_ms: DEFAULT_INTEGRATION_MS,
            sample_rate: 48_000.0,
            weights: BlockWeights::new(coef_for_time_ms(48_000.0, DEFAULT_INTEGRATION_MS)),
            sums: [0.0; 3],
        }
    }

    /// Sets the sample rate (nothing to allocate) and clears.
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, _channels: usize) {
        self.sample_rate = sample_rate;
        self.weights = BlockWeights::new(coef_for_time_ms(sample_rate, self.integration_ms));
        self.reset();
    }

    /// Clears the integrators.
    pub fn reset(&mut self) {
        self.sums = [0.0; 3];
    }

    /// Sets the integration time constant.
    pub fn set_integration_ms(&mut self, integration_ms: f32) {
        if integration_ms != self.integration_ms {
            self.integration_ms = integration_ms;
            self.weights = BlockWeights::new(coef_for_time_ms(self.sample_rate, integration_ms));
        }
    }

    /// Integrates one block of mid and side (`min` length). A block with a non-finite
    /// sample clears the meter (it restarts from silence).
    pub fn process(&mut self, mid: &[f32], side: &[f32]) {
        let len = mid.len().min(side.len());
        let mut sums = self.sums;
        for (m, s) in mid[..len]
            .chunks(MS_BLOCK)
            .zip(side[..len].chunks(MS_BLOCK))
        {
            let n = m.len();
            let add = weighted_ms_sums(&self.weights.tail[MS_BLOCK - n..], m, s);
            let release = self.weights.release[n];
            for (y, x) in sums.iter_mut().zip(add) {
                *y = (*y - release * *y) + x;
            }
        }
        sums.iter_mut().for_each(flush);
        self.sums = sums;
    }

    /// Correlation of `l = m + s`, `r = m − s` in `[−1, 1]`; 0 when either is silent.
    pub fn correlation(&self) -> f32 {
        let [mm, ss, ms] = self.sums;
        let (ll, rr) = (mm + ss + 2.0 * ms, mm + ss - 2.0 * ms);
        let p = ll * rr;
        if p <= SILENCE_POWER * SILENCE_POWER || ll <= SILENCE_POWER || rr <= SILENCE_POWER {
            return 0.0;
        }
        ((mm - ss) / p.sqrt()).clamp(-1.0, 1.0)
    }

    /// Integrated mid RMS (linear).
    pub fn mid_rms(&self) -> f32 {
        self.sums[0].max(0.0).sqrt()
    }

    /// Integrated side RMS (linear).
    pub fn side_rms(&self) -> f32 {
        self.sums[1].max(0.0).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mid_side_meter_matches_per_sample_integration_for_any_block_size() {
        // Reference: the per-sample one-pole in f64 on m², s², m·s, and the correlation of
        // l = m + s, r = m − s from its definition. Blocks 1, 7, 64, 100, 1000 and random.
        let fs = 48_000.0;
        let a = f64::from(coef_for_time_ms(fs, DEFAULT_INTEGRATION_MS));
        let mut rng = fastrand::Rng::with_seed(17);
        let len = 30_000;
        // Correlated pair with a level change half way.
        let m: Vec<f32> = (0..len)
            .map(|i| (rng.f32() - 0.5) * if i < len / 2 { 1.0 } else { 0.2 })
            .collect();
        let s: Vec<f32> = m
            .iter()
            .map(|&x| 0.3 * x + 0.2 * (rng.f32() - 0.5))
            .collect();
        for block in [1, 7, 64, 100, 1000, 0] {
            let mut meter = MidSideMeter::new();
            meter.prepare(fs, 512, 2);
            let (mut mm, mut ss, mut ms) = (0.0_f64, 0.0_f64, 0.0_f64);
            let mut i = 0;
            let mut checks = 0;
            while i < len {
                let n = if block == 0 { rng.usize(1..300) } else { block }.min(len - i);
                meter.process(&m[i..i + n], &s[i..i + n]);
                for j in i..i + n {
                    let (x, y) = (f64::from(m[j]), f64::from(s[j]));
                    mm = x * x + a * (mm - x * x);
                    ss = y * y + a * (ss - y * y);
                    ms = x * y + a * (ms - x * y);
                }
                i += n;
                if i > 2000 {
                    let rel = |got: f32, want: f64| (f64::from(got) - want).abs() / want.abs();
                    let (gm, gs) = (meter.mid_rms(), meter.side_rms());
                    assert!(rel(gm, mm.sqrt()) < 1e-5, "{block} {i}: {gm} {}", mm.sqrt());
                    assert!(rel(gs, ss.sqrt()) < 1e-5, "{block} {i}: {gs} {}", ss.sqrt());
                    let (ll, rr) = (mm + ss + 2.0 * ms, mm + ss - 2.0 * ms);
                    let want = (mm - ss) / (ll * rr).sqrt();
                    let got = f64::from(meter.correlation());
                    assert!((got - want).abs() < 1e-5, "{block} {i}: {got} vs {want}");
                    checks += 1;
                }
            }
            assert!(checks > 0);
        }
    }

    #[test]
    fn mid_side_meter_reads_known_signals() {
        let l = sine(48_000, 440.0, 0.0);
        let zero = vec![0.0; l.len()];
        let mut rng = fastrand::Rng::with_seed(3);
        let nl: Vec<f32> = (0..48_000).map(|_| rng.f32() - 0.5).collect();
        let nr: Vec<f32> = (0..48_000).map(|_| rng.f32() - 0.5).collect();
        let half = |a: &[f32], b: &[f32], sign: f32| -> Vec<f32> {
            a.iter().zip(b).map(|(x, y)| 0.5 * (x + sign * y)).collect()
        };
        let mut c = MidSideMeter::new();
        c.prepare(48_000.0, 512, 2);
        assert_eq!(c.correlation(), 0.0);
        // Identical channels: side 0, +1. Inverted: mid 0, −1.
        c.process(&l, &zero);
        c.process(&l, &zero);
        assert!((c.correlation() - 1.0).abs() < 1e-4 && c.side_rms() == 0.0);
        assert!((20.0 * c.mid_rms().log10() + 3.0103).abs() < 0.05);
        c.reset();
        c.process(&zero, &l);
        assert!((c.correlation() + 1.0).abs() < 1e-4 && c.mid_rms() == 0.0);
        // Independent noise ≈ 0; one silent channel (m = s) reads exactly 0.
        c.reset();
        c.process(&half(&nl, &nr, 1.0), &half(&nl, &nr, -1.0));
        assert!(c.correlation().abs() < 0.1, "{}", c.correlation());
        c.reset();
        c.process(&l, &l);
        assert_eq!(c.correlation(), 0.0);
        // Hostile input.
        c.process(&[f32::NAN, f32::INFINITY, 1e-39], &[1.0, f32::NAN, 1e-39]);
        assert!(c.correlation().is_finite() && c.mid_rms().is_finite());
    }

    fn sine(len: usize, f: f32, phase: f32) -> Vec<f32> {
        (0..len)
            .map(|i| (2.0 * std::f32::consts::PI * f * i as f32 / 48_000.0 + phase).sin())
            .collect()
    }

    #[test]
    fn rms_integration_time_and_sine_level() {
        let mut m = LevelMeter::new();
        m.prepare(48_000.0, 480, 2);
        // DC step: mean square reaches 1 − 1/e at 300 ms (14 400 samples) within 1 %.
        let mut n = 0;
        while m.rms(0).powi(2) < 1.0 - (-1.0_f32).exp() {
            m.process(0, &[1.0; 48]);
            n += 48;
        }
        assert!((n as f32 / 14_400.0 - 1.0).abs() < 0.01, "{n}");
        let mut m = LevelMeter::new();
        m.prepare(48_000.0, 480, 2);
        let x = sine(96_000, 997.0, 0.0);
        for c in x.chunks(480) {
            m.process(1, c);
        }
        assert!((m.rms_db(1) + 3.0103).abs() < 0.05, "{}", m.rms_db(1));
        assert!((m.peak(1) - 1.0).abs() < 1e-3);
        assert_eq!(m.peak_db(0), crate::db::MINUS_INFINITY_DB);
    }

    #[test]
    fn peak_hold_shows_a_spike_to_a_reader_33_ms_later_whatever_the_block_size() {
        let fs = 48_000.0;
        let spike_at = 1000;
        let read_at = spike_at + 1584; // 33 ms later, ~one 30 fps GUI frame
        let expected = 20.0 * 0.9_f64.log10()
            - 20.0 / PEAK_FALL_SECONDS * (read_at - spike_at) as f64 / 48_000.0;
        let mut x = vec![0.01_f32; 4 * 48_000];
        x[spike_at] = 0.9;
        let mut reference: Option<Vec<f32>> = None;
        for block in [1, 64, 512, 0] {
            let mut m = LevelMeter::new();
            m.prepare(fs, 4096, 2);
            let mut rng = fastrand::Rng::with_seed(5);
            let mut readings = Vec::new();
            let mut pos = 0;
            let mut checked = 0;
            while pos < x.len() {
                let n = if block == 0 { rng.usize(1..700) } else { block };
                // Readers poll at fixed sample positions (every 1600 samples, and
                // right after the sample 33 ms past the spike).
                let mut next_read = (pos / 1600 + 1) * 1600;
                if pos <= read_at {
                    next_read = next_read.min(read_at + 1);
                }
                let end = (pos + n).min(next_read).min(x.len());
                m.process(0, &x[pos..end]);
                if end == read_at + 1 {
                    let got = m.peak_hold_db(0) as f64;
                    assert!((got - expected).abs() < 0.1, "{block}: {got} vs {expected}");
                    checked += 1;
                }
                if end % 1600 == 0 {
                    readings.push(m.peak_hold(0));
                }
                pos = end;
            }
            assert_eq!(checked, 1);
            // Block size never changes what a reader sees.
            match &reference {
                None => reference = Some(readings),
                Some(r) => assert_eq!(r, &readings, "{block}"),
            }
        }
    }

    #[test]
    fn peak_hold_falls_20_db_in_1_7_s() {
        for fs in [44_100.0_f32, 48_000.0, 96_000.0, 384_000.0] {
            let mut m = LevelMeter::new();
            m.prepare(fs, 512, 2);
            m.process(1, &[1.0]);
            let mut n = 0_usize;
            let silence = [0.0_f32; 100];
            while m.peak_hold_db(1) > -20.0 {
                m.process(1, &silence);
                n += 100;
            }
            let seconds = n as f64 / fs as f64;
            assert!(
                (seconds / PEAK_FALL_SECONDS - 1.0).abs() < 0.01,
                "{fs}: {seconds}"
            );
            // Linear in dB: half the time, half the fall.
            let mut m = LevelMeter::new();
            m.prepare(fs, 512, 2);
            m.process(0, &[1.0]);
            let half = (0.85 * fs as f64) as usize;
            for _ in 0..half / 100 {
                m.process(0, &silence);
            }
            assert!(
                (m.peak_hold_db(0) + 10.0).abs() < 0.1,
                "{}",
                m.peak_hold_db(0)
            );
            // Decays to exact zero, never into denormals; NaN is ignored.
            m.process(0, &[f32::NAN, f32::INFINITY]);
            for _ in 0..(25.0 * fs as f64 / 512.0) as usize {
                m.process(0, &[0.0; 512]);
            }
            assert_eq!(m.peak_hold(0), 0.0);
            assert_eq!(m.peak_hold_db(0), crate::db::MINUS_INFINITY_DB);
        }
    }

    #[test]
    fn correlation_values() {
        let l = sine(48_000, 440.0, 0.0);
        let neg: Vec<f32> = l.iter().map(|v| -v).collect();
        let quad = sine(48_000, 440.0, std::f32::consts::FRAC_PI_2);
        let mut rng = fastrand::Rng::with_seed(3);
        let noise_l: Vec<f32> = (0..48_000).map(|_| rng.f32() - 0.5).collect();
        let noise_r: Vec<f32> = (0..48_000).map(|_| rng.f32() - 0.5).collect();
        let mut c = CorrelationMeter::new();
        c.prepare(48_000.0, 512, 2);
        assert_eq!(c.correlation(), 0.0);
        c.process(&[0.0; 512], &[0.0; 512]);
        assert_eq!(c.correlation(), 0.0);
        for (r, expected, tol) in [(&l, 1.0, 1e-4), (&neg, -1.0, 1e-4), (&quad, 0.0, 0.02)] {
            c.reset();
            c.process(&l, r);
            assert!(
                (c.correlation() - expected).abs() < tol,
                "{expected}: {}",
                c.correlation()
            );
        }
        c.reset();
        c.process(&noise_l, &noise_r);
        assert!(c.correlation().abs() < 0.1);
        // Silence on one side only: 0.
        c.reset();
        c.process(&l, &[0.0; 48_000]);
        assert_eq!(c.correlation(), 0.0);
        // Hostile input.
        c.process(&[f32::NAN, f32::INFINITY, 1e-39], &[1.0, 1.0, 1e-39]);
        assert!(c.correlation().is_finite());
    }
}
