//! K-weighting of ITU-R BS.1770-5 (Annex 1, Figs. 1–3), designed for the sample rate.
//!
//! The Recommendation publishes the two biquads for 48 kHz only. Here they are derived
//! from their analog prototypes by the bilinear transform with the frequency prewarped
//! (`K = tan(π·f0/fs)`), with the prototype parameters that reproduce the published 48 kHz
//! coefficients (as libebur128 derives them; B. De Man, "Evaluation of implementations of
//! the EBU R128 loudness measurement", AES 145th Convention, 2018):
//!
//! * stage 1, high-frequency shelf ("pre-filter", head model):
//!   `H(s) = (Vh·s² + Vb·(ω0/Q)·s + ω0²)/(s² + (ω0/Q)·s + ω0²)` with
//!   `f0 = 1681.97 Hz`, `Vh = 10^(G/20)`, `G = +3.99984 dB`, `Q = 0.7071752`,
//!   `Vb = Vh^0.4996668` (the mid-band term, almost the geometric mean);
//! * stage 2, the RLB high-pass: `H(s) = s²/(s² + (ω0/Q)·s + ω0²)`, `f0 = 38.1355 Hz`,
//!   `Q = 0.5003270`, numerator kept as the published `[1, −2, 1]` (not divided by the
//!   bilinear `a0`), so the −0.691 dB constant of the loudness formula keeps its meaning
//!   at every rate, as in libebur128 (its passband gain `1 + K/Q + K²` is 0.004 dB
//!   higher at 44.1 kHz and 0.02 dB lower at 96 kHz than at 48 kHz; the Tech 3341 tests
//!   read a −23 dBFS stereo 1 kHz tone as −22.99 / −22.99 / −23.01 LUFS at 44.1 / 48 /
//!   96 kHz).
//!
//! At 48 kHz the designed coefficients equal the published ones to 8.9e-16 (test
//! `coefficients_at_48k_equal_the_published_ones`, tolerance 1e-6).
//! Against the analog prototype up to fs/8 (test `response_follows_…`): within 0.010 dB at
//! 44.1 kHz and above, 0.039 dB at 22.05 kHz, 0.21 dB at 8 kHz (where fs/8 = 1 kHz is
//! already near the shelf). The bilinear map is exact at f0 and compresses above.
//!
//! Structure: direct form I in `f64`. The existing [`crate::biquad`] is a magnitude-matched
//! SVF design in `f32`, so it cannot take these exact bilinear coefficients, and the
//! 38 Hz high-pass has its poles within 0.01 of `z = 1`, where `f32` coefficients and
//! states lose the low-frequency response (its `a2` rounds by ≈ 3e-8, shifting the corner).
//! Direct form I keeps the recursion to one multiply and one subtraction per sample.
//! Channels are filtered two at a time in `[f64; 2]` lanes held in locals for the whole
//! block, so that both recursions overlap; input is sanitised (NaN → 0, ±1e30) in the
//! same loop. Measured ≈ 4.4 ns per stereo sample at 48 kHz (`benches/dsp.rs`).

use crate::oversampler::sanitize;

/// Shelf centre frequency (Hz).
pub const SHELF_F0_HZ: f64 = 1681.974450955533;
/// Shelf high-frequency gain (dB).
pub const SHELF_GAIN_DB: f64 = 3.999843853973347;
/// Shelf Q.
pub const SHELF_Q: f64 = 0.7071752369554196;
/// Exponent of `Vh` giving the shelf's mid-band numerator term `Vb`.
pub const SHELF_VB_EXPONENT: f64 = 0.4996667741545416;
/// RLB high-pass corner (Hz).
pub const HIGH_PASS_F0_HZ: f64 = 38.13547087602444;
/// RLB high-pass Q.
pub const HIGH_PASS_Q: f64 = 0.5003270373238773;
/// States below this magnitude are flushed to zero at block end (≈ −600 dBFS).
const STATE_FLUSH: f64 = 1e-30;
/// States above this magnitude are treated as poisoned and cleared.
const STATE_MAX: f64 = 1e60;

/// One normalised biquad `[b0, b1, b2, a1, a2]` (`a0 = 1`).
pub type BiquadF64 = [f64; 5];

/// The two K-weighting stages for one sample rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KWeightingCoefs {
    /// High-frequency shelf.
    pub shelf: BiquadF64,
    /// RLB high-pass.
    pub high_pass: BiquadF64,
}

impl KWeightingCoefs {
    /// Bilinear design with prewarp for `sample_rate` (clamped to 8 kHz … 768 kHz).
    pub fn design(sample_rate: f64) -> Self {
        let fs = if sample_rate.is_finite() {
            sample_rate.clamp(8_000.0, 768_000.0)
        } else {
            48_000.0
        };
        let k = (std::f64::consts::PI * SHELF_F0_HZ / fs).tan();
        let vh = 10.0_f64.powf(SHELF_GAIN_DB / 20.0);
        let vb = vh.powf(SHELF_VB_EXPONENT);
        let a0 = 1.0 + k / SHELF_Q + k * k;
        let shelf = [
            (vh + vb * k / SHELF_Q + k * k) / a0,
            2.0 * (k * k - vh) / a0,
            (vh - vb * k / SHELF_Q + k * k) / a0,
            2.0 * (k * k - 1.0) / a0,
            (1.0 - k / SHELF_Q + k * k) / a0,
        ];
        let k = (std::f64::consts::PI * HIGH_PASS_F0_HZ / fs).tan();
        let a0 = 1.0 + k / HIGH_PASS_Q + k * k;
        let high_pass = [
            1.0,
            -2.0,
            1.0,
            2.0 * (k * k - 1.0) / a0,
            (1.0 - k / HIGH_PASS_Q + k * k) / a0,
        ];
        Self { shelf, high_pass }
    }
}

/// Direct-form-I memories of both stages for one channel: `[x1, x2, y1, y2]` of the
/// shelf, then `[y1, y2]` of the high-pass (its inputs are the shelf's outputs).
type ChannelState = [f64; 6];

/// K-weighting filter for any number of channels.
#[derive(Clone, Debug)]
pub struct KWeighting {
    /// Coefficients for the prepared rate.
    coefs: KWeightingCoefs,
    /// Per-channel memories.
    state: Vec<ChannelState>,
}

impl Default for KWeighting {
    fn default() -> Self {
        Self::new()
    }
}

impl KWeighting {
    /// 48 kHz, no channels until `prepare`.
    pub fn new() -> Self {
        Self {
            coefs: KWeightingCoefs::design(48_000.0),
            state: Vec::new(),
        }
    }

    /// Designs for `sample_rate` and allocates `channels` states.
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, channels: usize) {
        self.coefs = KWeightingCoefs::design(f64::from(sample_rate));
        self.state = vec![[0.0; 6]; channels];
    }

    /// Clears every state.
    pub fn reset(&mut self) {
        self.state.fill([0.0; 6]);
    }

    /// The active coefficients.
    pub fn coefs(&self) -> &KWeightingCoefs {
        &self.coefs
    }

    /// Filters `input` of `channel` into `output` (as many samples as both hold). Input is
    /// sanitised as in [`crate::oversampler::sanitize`] (NaN → 0, clamped to ±1e30).
    pub fn process(&mut self, channel: usize, input: &[f32], output: &mut [f64]) {
        let c = self.coefs;
        let Some(s) = self.state.get_mut(channel) else {
            return;
        };
        let n = input.len().min(output.len());
        let mut st = [*s, [0.0; 6]];
        filter_lanes(
            &c,
            &mut st,
            n,
            |i| [f64::from(sanitize(input[i])), 0.0],
            |i, y| output[i] = y[0],
        );
        *s = flushed(st[0]);
    }

    /// Filters two channels and adds their squared outputs, sample by sample, to `sums`
    /// (so a caller accumulating across blocks gets the same rounding for any block
    /// split). `a` and `b` must be equally long (the shorter length is used); `b_channel`
    /// may be `None` for an odd channel out. Input is sanitised as in [`KWeighting::process`].
    pub fn sum_squares_pair(
        &mut self,
        a_channel: usize,
        b_channel: Option<usize>,
        a: &[f32],
        b: &[f32],
        sums: &mut [f64; 2],
    ) {
        let c = self.coefs;
        let sa = self.state.get(a_channel).copied().unwrap_or_default();
        let sb = b_channel
            .and_then(|ch| self.state.get(ch).copied())
            .unwrap_or_default();
        let mut st = [sa, sb];
        let mut sum = *sums;
        if b_channel.is_some() {
            let n = a.len().min(b.len());
            let (a, b) = (&a[..n], &b[..n]);
            filter_lanes(
                &c,
                &mut st,
                n,
                |i| [f64::from(sanitize(a[i])), f64::from(sanitize(b[i]))],
                |_, y| {
                    sum[0] += y[0] * y[0];
                    sum[1] += y[1] * y[1];
                },
            );
        } else {
            filter_lanes(
                &c,
                &mut st,
                a.len(),
                |i| [f64::from(sanitize(a[i])), 0.0],
                |_, y| sum[0] += y[0] * y[0],
            );
        }
        if let Some(s) = self.state.get_mut(a_channel) {
            *s = flushed(st[0]);
        }
        if let Some(s) = b_channel.and_then(|ch| self.state.get_mut(ch)) {
            *s = flushed(st[1]);
        }
        *sums = sum;
    }
}

/// Both stages over `n` samples of two lanes, the memories held in `[f64; 2]` locals
/// (registers; SSE2 handles both lanes in one instruction) for the whole run. Direct
/// form I; the recursive terms are added last so the loop-carried path is one multiply
/// and one subtraction per stage.
#[inline(always)]
fn filter_lanes(
    c: &KWeightingCoefs,
    st: &mut [ChannelState; 2],
    n: usize,
    mut input: impl FnMut(usize) -> [f64; 2],
    mut output: impl FnMut(usize, [f64; 2]),
) {
    let [b0, b1, b2, a1, a2] = c.shelf;
    let [_, _, _, h1, h2] = c.high_pass;
    let lane = |v: usize| [st[0][v], st[1][v]];
    let (mut x1, mut x2, mut y1, mut y2, mut z1, mut z2) =
        (lane(0), lane(1), lane(2), lane(3), lane(4), lane(5));
    for i in 0..n {
        let x = input(i);
        let (mut y, mut z) = ([0.0; 2], [0.0; 2]);
        for l in 0..2 {
            y[l] = (b0 * x[l] + b1 * x1[l] + b2 * x2[l] - a2 * y2[l]) - a1 * y1[l];
            // High-pass numerator [1, −2, 1] on the shelf output.
            z[l] = (y[l] - 2.0 * y1[l] + y2[l] - h2 * z2[l]) - h1 * z1[l];
        }
        (x2, x1, y2, y1, z2, z1) = (x1, x, y1, y, z1, z);
        output(i, z);
    }
    for (l, s) in st.iter_mut().enumerate() {
        *s = [x1[l], x2[l], y1[l], y2[l], z1[l], z2[l]];
    }
}

/// Memories with denormal-range values flushed to zero and poisoned (non-finite or
/// absurd) ones cleared, so bad input never outlives its block.
fn flushed(s: ChannelState) -> ChannelState {
    s.map(|v| {
        if v.abs() >= STATE_FLUSH && v.abs() <= STATE_MAX {
            v
        } else {
            0.0
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// `|H(e^{jω})|` in dB of a normalised biquad, evaluated directly.
    fn biquad_db(c: &BiquadF64, f_hz: f64, fs: f64) -> f64 {
        let w = 2.0 * PI * f_hz / fs;
        let (c1, s1, c2, s2) = (w.cos(), w.sin(), (2.0 * w).cos(), (2.0 * w).sin());
        let nr = c[0] + c[1] * c1 + c[2] * c2;
        let ni = -c[1] * s1 - c[2] * s2;
        let dr = 1.0 + c[3] * c1 + c[4] * c2;
        let di = -c[3] * s1 - c[4] * s2;
        10.0 * ((nr * nr + ni * ni) / (dr * dr + di * di)).log10()
    }

    #[test]
    fn coefficients_at_48k_equal_the_published_ones() {
        // ITU-R BS.1770-5, Annex 1, Tables 1 and 2.
        let shelf = [
            1.53512485958697,
            -2.69169618940638,
            1.19839281085285,
            -1.69065929318241,
            0.73248077421585,
        ];
        let hp = [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621];
        let c = KWeightingCoefs::design(48_000.0);
        let worst = c
            .shelf
            .iter()
            .zip(&shelf)
            .chain(c.high_pass.iter().zip(&hp))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        println!("worst coefficient difference {worst:.2e}");
        assert!(worst < 1e-6, "{worst}");
    }

    #[test]
    fn response_follows_the_analog_prototype_at_every_rate() {
        // The analog K-weighting, written out: |H1(jω)|²·|H2(jω)|².
        let analog_db = |f: f64| {
            let vh = 10.0_f64.powf(SHELF_GAIN_DB / 20.0);
            let vb = vh.powf(SHELF_VB_EXPONENT);
            let (u, q) = (f / SHELF_F0_HZ, SHELF_Q);
            let num = (1.0 - vh * u * u).powi(2) + (vb * u / q).powi(2);
            let den = (1.0 - u * u).powi(2) + (u / q).powi(2);
            let (v, qh) = (f / HIGH_PASS_F0_HZ, HIGH_PASS_Q);
            let hp = v.powi(4) / ((1.0 - v * v).powi(2) + (v / qh).powi(2));
            10.0 * (num / den * hp).log10()
        };
        for fs in [
            8_000.0, 22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0, 384_000.0,
        ] {
            let c = KWeightingCoefs::design(fs);
            let mut worst = 0.0_f64;
            // Up to fs/8 the bilinear warp is small; the RLB's extra `a0` gain is removed.
            let hp_gain_db = 20.0 * (c.high_pass[0] - c.high_pass[1] + c.high_pass[2]).log10()
                - 10.0 * ((1.0 - c.high_pass[3] + c.high_pass[4]).powi(2)).log10();
            for i in 0..200 {
                let f = 20.0 * (fs / 8.0 / 20.0_f64).powf(i as f64 / 199.0);
                let d = biquad_db(&c.shelf, f, fs) + biquad_db(&c.high_pass, f, fs)
                    - hp_gain_db
                    - analog_db(f);
                worst = worst.max(d.abs());
            }
            println!("{fs}: worst {worst:.4} dB up to fs/8");
            let tol = if fs < 20_000.0 { 0.25 } else { 0.05 };
            assert!(worst < tol, "{fs} {worst}");
        }
    }

    #[test]
    fn filtering_matches_the_transfer_function_and_is_block_invariant() {
        for fs in [44_100.0_f32, 48_000.0, 96_000.0] {
            let mut k = KWeighting::new();
            k.prepare(fs, 512, 2);
            let f = 3000.0;
            let x: Vec<f32> = (0..fs as usize)
                .map(|n| (2.0 * PI * f * n as f64 / fs as f64).sin() as f32)
                .collect();
            let mut y = vec![0.0; x.len()];
            k.process(0, &x, &mut y);
            let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
            let amp = crate::test_util::sine_amplitude(&y32, f, fs as f64, x.len() / 2);
            let c = k.coefs();
            let expect = biquad_db(&c.shelf, f, fs as f64) + biquad_db(&c.high_pass, f, fs as f64);
            assert!((20.0 * amp.log10() - expect).abs() < 1e-3, "{fs}");
            // Pairs in random blocks give the same sums of squares as one pass.
            let mut whole = [0.0; 2];
            k.reset();
            k.sum_squares_pair(0, Some(1), &x, &x, &mut whole);
            k.reset();
            let mut rng = fastrand::Rng::with_seed(5);
            let (mut i, mut sum) = (0, [0.0; 2]);
            while i < x.len() {
                let n = rng.usize(1..600).min(x.len() - i);
                k.sum_squares_pair(0, Some(1), &x[i..i + n], &x[i..i + n], &mut sum);
                i += n;
            }
            assert!(sum == whole && sum[0] == sum[1] && sum[0] > 0.0);
        }
    }
}
