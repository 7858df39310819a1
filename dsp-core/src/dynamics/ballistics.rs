//! Attack / hold / release smoothing of the gain change in dB: the "smooth branching
//! peak detector" placed in the log domain after the gain computer, D. Giannoulis,
//! M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design — A Tutorial and
//! Analysis", JAES 60(6), 2012, eq. (17) and Fig. 7(b):
//! `y ← x + a·(y − x)` with `a = e^{−1/(τ·fs)}`, `τ` = attack while the gain change
//! grows (`|x| > |y|`), release otherwise.
//!
//! Why branching and not the decoupled detector (their eq. 19): in the log domain the
//! branching form gives attack and release times that are exactly the documented
//! constants and independent of each other, while the decoupled form lengthens the
//! attack by an amount that depends on the release (the paper's Fig. 6 and §3.2). Its
//! one drawback, release "dips" during a long attack, is inaudible for the compressor's
//! attack range; the paper recommends this combination (log domain, smooth branching).
//!
//! Time constants (tested on steps of the gain change, module tests and the Compressor's
//! end-to-end tests): after a step of the target by `G` dB, the smoothed gain change has
//! moved by `(1 − 1/e)·G` (63.2 %) after exactly the attack (resp. release) time.
//!
//! Release curve ([`ReleaseCurve`]): `Exponential` is the one-pole above. `LinearDb`
//! moves the gain change back at a constant rate in dB: when the release starts (or its
//! target changes while releasing) the rate is latched as `|y − x| / N`, `N` = release
//! time in samples, and the state steps by that rate until it lands exactly on the target
//! `N` samples later. So the release time is the time to recover the whole gain change
//! (a ducker's "back from full depth in the release time"); tested, measured within 5 %.
//! Meant for step-like targets (a ducker's or gate's); on a target that moves every
//! sample it re-latches every sample. With auto release, only the fast branch is linear.
//!
//! Hold: while the target does not ask for less gain change than the state
//! (`|x| ≥ |y|`) a counter is reloaded with `hold_ms`; when the target falls, the state
//! is frozen until the counter runs out, then releases.
//!
//! Auto release (program dependent, the dual time-constant release of broadcast
//! compressors): a second, slow branch follows the same target with attack
//! [`AUTO_SLOW_ATTACK_MS`] and release [`AUTO_RELEASE_FACTOR`] × release; the output is
//! whichever of the two has the larger gain change. A short transient barely charges the
//! slow branch, so it releases with the release time; sustained compression charges it,
//! so the release lengthens towards `AUTO_RELEASE_FACTOR` × release (both tested).

use crate::lanes::{F32x4, Lane};
use crate::one_pole::{coef_for_time_ms, smooth};
use crate::svf::flush;

use super::MAX_DYNAMICS_CHANNELS;

/// Attack range.
pub const MIN_ATTACK_MS: f32 = 0.01;
/// Longest attack.
pub const MAX_ATTACK_MS: f32 = 500.0;
/// Shortest release.
pub const MIN_RELEASE_MS: f32 = 1.0;
/// Longest release.
pub const MAX_RELEASE_MS: f32 = 5000.0;
/// Longest hold.
pub const MAX_HOLD_MS: f32 = 500.0;
/// Attack time constant of the slow auto-release branch.
pub const AUTO_SLOW_ATTACK_MS: f32 = 250.0;
/// Slow branch release = this × release.
pub const AUTO_RELEASE_FACTOR: f32 = 4.0;

/// Shape of the release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReleaseCurve {
    /// One-pole in dB: 63.2 % of the way back in the release time.
    #[default]
    Exponential,
    /// Constant rate in dB: all of the way back in the release time.
    LinearDb,
}

/// Time settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BallisticsSettings {
    /// Time to 63.2 % of a growing gain change.
    pub attack_ms: f32,
    /// Time to 63.2 % of a shrinking gain change.
    pub release_ms: f32,
    /// Freeze before the release starts.
    pub hold_ms: f32,
    /// Program-dependent dual-time-constant release.
    pub auto_release: bool,
    /// Exponential or linear-in-dB release.
    pub release_curve: ReleaseCurve,
}

impl Default for BallisticsSettings {
    fn default() -> Self {
        Self {
            attack_ms: 10.0,
            release_ms: 100.0,
            hold_ms: 0.0,
            auto_release: false,
            release_curve: ReleaseCurve::Exponential,
        }
    }
}

/// State of one channel.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct ChannelState {
    /// The branching smoother (dB).
    fast: f32,
    /// The slow auto-release branch (dB).
    slow: f32,
    /// Samples left before the release may start.
    hold_left: u32,
    /// Linear release: dB per sample latched at the start of the release.
    rate: f32,
    /// Linear release: the target the rate was latched for.
    rate_target: f32,
    /// Linear release: the last sample released (a new release re-latches the rate).
    releasing: bool,
}

/// Attack/hold/release smoother of gain changes in dB, up to two channels.
#[derive(Clone, Debug)]
pub struct Ballistics {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Settings as requested (clamped), for compare-then-update.
    settings: BallisticsSettings,
    /// Attack pole.
    attack_coef: f32,
    /// Release pole.
    release_coef: f32,
    /// Slow branch attack pole.
    slow_attack_coef: f32,
    /// Slow branch release pole.
    slow_release_coef: f32,
    /// Hold length in samples.
    hold_samples: u32,
    /// `1 / release samples` (linear release).
    inv_release_samples: f32,
    /// Per-channel state.
    state: [ChannelState; MAX_DYNAMICS_CHANNELS],
}

impl Default for Ballistics {
    fn default() -> Self {
        Self::new()
    }
}

impl Ballistics {
    /// Default settings at 48 kHz.
    pub fn new() -> Self {
        let mut b = Self {
            sample_rate: 48_000.0,
            settings: BallisticsSettings::default(),
            attack_coef: 0.0,
            release_coef: 0.0,
            slow_attack_coef: 0.0,
            slow_release_coef: 0.0,
            hold_samples: 0,
            inv_release_samples: 0.0,
            state: [ChannelState::default(); MAX_DYNAMICS_CHANNELS],
        };
        b.update();
        b
    }

    /// Sets the sample rate (state is inline; nothing to allocate) and clears.
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, _channels: usize) {
        self.sample_rate = if sample_rate.is_finite() && sample_rate > 0.0 {
            sample_rate
        } else {
            48_000.0
        };
        self.update();
        self.reset();
    }

    /// Clears the state (no gain change).
    pub fn reset(&mut self) {
        self.state = [ChannelState::default(); MAX_DYNAMICS_CHANNELS];
    }

    /// Latency in samples (0).
    pub fn latency(&self) -> usize {
        0
    }

    /// Applies settings (clamped; coefficients recomputed only on change).
    pub fn set(&mut self, s: &BallisticsSettings) {
        let pick =
            |v: f32, lo: f32, hi: f32, def: f32| if v.is_nan() { def } else { v.clamp(lo, hi) };
        let d = BallisticsSettings::default();
        let s = BallisticsSettings {
            attack_ms: pick(s.attack_ms, MIN_ATTACK_MS, MAX_ATTACK_MS, d.attack_ms),
            release_ms: pick(s.release_ms, MIN_RELEASE_MS, MAX_RELEASE_MS, d.release_ms),
            hold_ms: pick(s.hold_ms, 0.0, MAX_HOLD_MS, 0.0),
            auto_release: s.auto_release,
            release_curve: s.release_curve,
        };
        if s != self.settings {
            self.settings = s;
            self.update();
        }
    }

    /// Recomputes the poles.
    fn update(&mut self) {
        let (fs, s) = (self.sample_rate, self.settings);
        self.attack_coef = coef_for_time_ms(fs, s.attack_ms);
        self.release_coef = coef_for_time_ms(fs, s.release_ms);
        self.slow_attack_coef = coef_for_time_ms(fs, AUTO_SLOW_ATTACK_MS);
        self.slow_release_coef = coef_for_time_ms(fs, AUTO_RELEASE_FACTOR * s.release_ms);
        self.hold_samples = (s.hold_ms * 1e-3 * fs).round() as u32;
        self.inv_release_samples = 1.0 / (s.release_ms * 1e-3 * fs).max(1.0);
    }

    /// Smooths `channel`'s target gain changes (dB) in place (channels ≥ 2 untouched).
    pub fn process(&mut self, channel: usize, gains_db: &mut [f32]) {
        let Some(st) = self.state.get_mut(channel) else {
            return;
        };
        let (att, rel) = (self.attack_coef, self.release_coef);
        let hold = self.hold_samples;
        let linear = self.settings.release_curve == ReleaseCurve::LinearDb;
        let inv_n = self.inv_release_samples;
        if !self.settings.auto_release && hold == 0 && linear {
            // Attack as below; release by the latched rate (see the module header). The
            // same operations run whatever the values, so silence costs what music does.
            let (mut y, catt) = (st.fast, 1.0 - att);
            let (mut rate, mut last, mut releasing) = (st.rate, st.rate_target, st.releasing);
            for g in gains_db.iter_mut() {
                let x = *g;
                let attack = x.abs() > y.abs();
                let gap = y - x;
                let relatch = !releasing || x != last;
                rate = if relatch { gap.abs() * inv_n } else { rate };
                // Lands exactly on the target once the rest is within one step.
                let down = if gap.abs() <= rate {
                    x
                } else {
                    y - gap.signum() * rate
                };
                y = if attack { att * y + catt * x } else { down };
                releasing = !attack;
                last = x;
                *g = y;
            }
            (st.fast, st.rate, st.rate_target, st.releasing) = (y, rate, last, releasing);
        } else if !self.settings.auto_release && hold == 0 {
            // The common case: the plain branching smoother, both branches computed as
            // `a·y + (1 − a)·x` so only a multiply and an add sit on the recursion and
            // the comparison runs beside them.
            let mut y = st.fast;
            let (catt, crel) = (1.0 - att, 1.0 - rel);
            for g in gains_db.iter_mut() {
                let x = *g;
                let up = att * y + catt * x;
                let down = rel * y + crel * x;
                y = if x.abs() > y.abs() { up } else { down };
                *g = y;
            }
            st.fast = y;
        } else {
            let auto = self.settings.auto_release;
            let (s_att, s_rel) = (self.slow_attack_coef, self.slow_release_coef);
            for g in gains_db.iter_mut() {
                let x = *g;
                if x.abs() >= st.fast.abs() {
                    st.hold_left = hold;
                } else if st.hold_left > 0 {
                    st.hold_left -= 1;
                    *g = if auto && st.slow.abs() > st.fast.abs() {
                        st.slow
                    } else {
                        st.fast
                    };
                    continue;
                }
                let attack = x.abs() > st.fast.abs();
                if attack || !linear {
                    smooth(&mut st.fast, x, if attack { att } else { rel });
                } else {
                    let gap = st.fast - x;
                    if !st.releasing || x != st.rate_target {
                        st.rate = gap.abs() * inv_n;
                    }
                    st.fast = if gap.abs() <= st.rate {
                        x
                    } else {
                        st.fast - gap.signum() * st.rate
                    };
                }
                st.releasing = !attack;
                st.rate_target = x;
                if auto {
                    let a = if x.abs() > st.slow.abs() {
                        s_att
                    } else {
                        s_rel
                    };
                    smooth(&mut st.slow, x, a);
                }
                *g = if auto && st.slow.abs() > st.fast.abs() {
                    st.slow
                } else {
                    st.fast
                };
            }
        }
        flush(&mut st.fast);
        flush(&mut st.slow);
        if !st.rate.is_finite() {
            st.rate = 0.0;
        }
    }

    /// Attack and release poles when [`Ballistics::process`] runs the plain branching
    /// smoother (no hold, no auto release, exponential release), else `None`; with
    /// [`Ballistics::fast_state`] and [`Ballistics::store_fast_state`] a caller can run
    /// several such smoothers side by side in [`smooth_lanes`].
    pub(crate) fn plain_poles(&self) -> Option<(f32, f32)> {
        let s = &self.settings;
        let plain = !s.auto_release
            && self.hold_samples == 0
            && s.release_curve == ReleaseCurve::Exponential;
        plain.then_some((self.attack_coef, self.release_coef))
    }

    /// The branching smoother's state of `channel` (0 for channels ≥ 2).
    pub(crate) fn fast_state(&self, channel: usize) -> f32 {
        self.state.get(channel).map_or(0.0, |s| s.fast)
    }

    /// Stores `channel`'s state after a block run in [`smooth_lanes`], with the same
    /// end-of-block clean-up as [`Ballistics::process`].
    pub(crate) fn store_fast_state(&mut self, channel: usize, y: f32) {
        if let Some(st) = self.state.get_mut(channel) {
            st.fast = y;
            flush(&mut st.fast);
            flush(&mut st.slow);
            if !st.rate.is_finite() {
                st.rate = 0.0;
            }
        }
    }

    /// Copies channel `from`'s state to channel `to` (a fully linked caller smooths one
    /// channel and keeps the other in step, so unlinking later starts from the same state).
    pub fn copy_state(&mut self, from: usize, to: usize) {
        if from < MAX_DYNAMICS_CHANNELS && to < MAX_DYNAMICS_CHANNELS {
            self.state[to] = self.state[from];
        }
    }

    /// Current smoothed gain change of `channel` in dB.
    pub fn value(&self, channel: usize) -> f32 {
        self.state.get(channel).map_or(0.0, |s| {
            if self.settings.auto_release && s.slow.abs() > s.fast.abs() {
                s.slow
            } else {
                s.fast
            }
        })
    }
}

/// Four plain branching smoothers side by side (the plain loop of
/// [`Ballistics::process`]): lane `k` has poles `att[k]`, `rel[k]`, state `y[k]` and
/// smooths `gains[k]` in place (`min` of the lengths). The four recursions overlap in one
/// vector; each lane runs exactly the scalar loop's arithmetic, so the result is bit for
/// bit that of four [`Ballistics::process`] calls. Every lane is stored (pad unused ones
/// with a scratch slice and zero state), so none carries undefined values.
pub(crate) fn smooth_lanes(att: [f32; 4], rel: [f32; 4], y: &mut [f32; 4], gains: [&mut [f32]; 4]) {
    let n = gains.iter().map(|g| g.len()).min().unwrap_or(0);
    let [g0, g1, g2, g3] = gains;
    let (g0, g1, g2, g3) = (&mut g0[..n], &mut g1[..n], &mut g2[..n], &mut g3[..n]);
    let (a, r) = (F32x4(att), F32x4(rel));
    let one = F32x4::splat(1.0);
    let (ca, cr) = (one - a, one - r);
    let mut yv = F32x4(*y);
    for i in 0..n {
        let x = F32x4([g0[i], g1[i], g2[i], g3[i]]);
        let up = a * yv + ca * x;
        let down = r * yv + cr * x;
        let out: [f32; 4] = std::array::from_fn(|k| {
            if x.0[k].abs() > yv.0[k].abs() {
                up.0[k]
            } else {
                down.0[k]
            }
        });
        yv = F32x4(out);
        (g0[i], g1[i], g2[i], g3[i]) = (out[0], out[1], out[2], out[3]);
    }
    *y = yv.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four plain smoothers in lanes are bit-identical to four `process` calls, in the
    /// output and in the state they leave.
    #[test]
    fn lanes_match_four_process_calls_bit_for_bit() {
        let times = [(0.01, 1.0), (1.0, 50.0), (10.0, 150.0), (200.0, 5000.0)];
        let mut refs: Vec<Ballistics> = times
            .iter()
            .map(|&(a, r)| {
                let mut b = Ballistics::new();
                b.prepare(48_000.0, 512, 2);
                b.set(&BallisticsSettings {
                    attack_ms: a,
                    release_ms: r,
                    ..Default::default()
                });
                b
            })
            .collect();
        let mut lanes = refs.clone();
        let mut y = [0.0; 4];
        for block in 0..6 {
            let targets: Vec<Vec<f32>> = (0..4)
                .map(|k| {
                    crate::test_util::noise(300, block * 4 + k)
                        .iter()
                        .map(|v| -30.0 * v.abs() * (block % 3) as f32)
                        .collect()
                })
                .collect();
            let mut want = targets.clone();
            for (b, t) in refs.iter_mut().zip(want.iter_mut()) {
                b.process(0, t);
            }
            let mut got = targets;
            let (att, rel) = (
                std::array::from_fn(|k| lanes[k].plain_poles().unwrap().0),
                std::array::from_fn(|k| lanes[k].plain_poles().unwrap().1),
            );
            let [g0, g1, g2, g3] = &mut got[..] else {
                unreachable!()
            };
            smooth_lanes(
                att,
                rel,
                &mut y,
                [&mut g0[..], &mut g1[..], &mut g2[..], &mut g3[..]],
            );
            for (k, b) in lanes.iter_mut().enumerate() {
                b.store_fast_state(0, y[k]);
                y[k] = b.fast_state(0);
            }
            assert_eq!(got, want, "block {block}");
            for (a, b) in lanes.iter().zip(&refs) {
                assert_eq!(a.value(0).to_bits(), b.value(0).to_bits());
            }
        }
        // Not the plain smoother: no lanes.
        let mut b = Ballistics::new();
        b.set(&BallisticsSettings {
            hold_ms: 5.0,
            ..Default::default()
        });
        assert!(b.plain_poles().is_none());
    }

    /// Fractional sample index where `y` first crosses `level` (linear interpolation).
    fn crossing(y: &[f32], level: f32) -> f64 {
        let above = y[0] > level;
        for n in 1..y.len() {
            if (y[n] > level) != above {
                let (a, b) = (y[n - 1] as f64, y[n] as f64);
                return (n - 1) as f64 + (level as f64 - a) / (b - a);
            }
        }
        f64::INFINITY
    }

    fn run(b: &mut Ballistics, target: f32, len: usize) -> Vec<f32> {
        let mut g = vec![target; len];
        b.process(0, &mut g);
        g
    }

    #[test]
    fn attack_and_release_reach_63_percent_at_their_times() {
        let k = 1.0 - (-1.0_f32).exp();
        for fs in [44_100.0, 96_000.0] {
            for (attack_ms, release_ms) in [(1.0, 10.0), (10.0, 100.0), (100.0, 1000.0)] {
                let mut b = Ballistics::new();
                b.prepare(fs, 512, 1);
                b.set(&BallisticsSettings {
                    attack_ms,
                    release_ms,
                    ..Default::default()
                });
                let y = run(&mut b, -20.0, (fs * attack_ms * 1e-2) as usize);
                // Sample 0 already holds the first update, so the crossing index + 1 is
                // the elapsed time in samples.
                let n = crossing(&y, -20.0 * k) + 1.0;
                let want = (fs * attack_ms * 1e-3) as f64;
                assert!((n / want - 1.0).abs() < 0.05, "attack {n} vs {want}");
                let start = b.value(0);
                let y = run(&mut b, 0.0, (fs * release_ms * 1e-2) as usize);
                let n = crossing(&y, start * (1.0 - k)) + 1.0;
                let want = (fs * release_ms * 1e-3) as f64;
                assert!((n / want - 1.0).abs() < 0.05, "release {n} vs {want}");
            }
        }
    }

    /// Linear in dB: the definition is a straight line from the gain change at the start
    /// of the release to the target, `N` = release samples long. Checked sample by sample
    /// against that line (both code paths: without and with hold), and the crossing of the
    /// half-way level against `N/2` within 5 %.
    #[test]
    fn linear_release_is_a_straight_line_in_db_lasting_the_release_time() {
        for fs in [44_100.0_f32, 96_000.0] {
            for (release_ms, hold_ms, depth) in [
                (10.0, 0.0, -30.0),
                (250.0, 0.0, -6.0),
                (1000.0, 20.0, -60.0),
            ] {
                let mut b = Ballistics::new();
                b.prepare(fs, 512, 1);
                b.set(&BallisticsSettings {
                    attack_ms: 0.1,
                    release_ms,
                    hold_ms,
                    release_curve: ReleaseCurve::LinearDb,
                    ..Default::default()
                });
                run(&mut b, depth, (fs * 0.05) as usize);
                let start = b.value(0);
                assert!((start - depth).abs() < 1e-3, "{start}");
                let hold = (hold_ms * 1e-3 * fs).round() as usize;
                let n = (release_ms * 1e-3 * fs) as f64;
                let y = run(&mut b, 0.0, hold + 2 * n as usize);
                let y = &y[hold..];
                for (i, &v) in y.iter().enumerate() {
                    let want = (f64::from(start) * (1.0 - (i + 1) as f64 / n)).min(0.0);
                    assert!(
                        (f64::from(v) - want).abs() < 1e-3 * f64::from(-depth) + 1e-4,
                        "fs {fs} rel {release_ms}: sample {i}: {v} vs {want}"
                    );
                }
                let half = crossing(y, 0.5 * start) + 1.0;
                assert!((half / (0.5 * n) - 1.0).abs() < 0.05, "half {half} vs {n}");
                assert_eq!(y[n as usize + 1], 0.0, "lands on the target");
            }
        }
    }

    /// A new target while releasing (a ducker's depth turned up mid-release) re-latches the
    /// rate: the rest of the way takes the release time again; and a release from a steady
    /// state never sticks (the rate is latched from the gap, not from the past).
    #[test]
    fn linear_release_relatches_on_a_new_target() {
        let fs = 48_000.0;
        let mut b = Ballistics::new();
        b.prepare(fs, 512, 1);
        b.set(&BallisticsSettings {
            attack_ms: 0.1,
            release_ms: 100.0,
            release_curve: ReleaseCurve::LinearDb,
            ..Default::default()
        });
        run(&mut b, -40.0, 4800);
        // Steady at the target (gap 0, rate 0), then half of a release towards −20 dB.
        run(&mut b, -40.0, 100);
        let y = run(&mut b, -20.0, 2400);
        assert!((y[2399] + 30.0).abs() < 1e-2, "{}", y[2399]);
        let y = run(&mut b, -10.0, 5000);
        // −30 → −10 dB in exactly 4800 samples, linearly.
        assert!((y[2399] + 20.0).abs() < 1e-2, "{}", y[2399]);
        assert!(
            y[4790] < -10.0 && y[4800] == -10.0,
            "{} {}",
            y[4790],
            y[4800]
        );
    }

    #[test]
    fn hold_freezes_for_exactly_hold_ms() {
        let mut b = Ballistics::new();
        b.prepare(48_000.0, 512, 1);
        b.set(&BallisticsSettings {
            attack_ms: 0.01,
            release_ms: 50.0,
            hold_ms: 20.0,
            auto_release: false,
            ..Default::default()
        });
        run(&mut b, -12.0, 1000);
        let held = b.value(0);
        let y = run(&mut b, 0.0, 3000);
        // 20 ms at 48 kHz = 960 samples frozen, the 961st releases.
        assert!(y[..960].iter().all(|&v| v == held), "hold broke early");
        assert!(y[960] > held);
    }

    #[test]
    fn auto_release_is_fast_after_transients_slow_after_sustained_compression() {
        let k = (-1.0_f32).exp();
        let fs = 48_000.0;
        let release_ms = 50.0;
        for (burst_ms, expect_ms) in [
            (3.0, release_ms),
            (3000.0, AUTO_RELEASE_FACTOR * release_ms),
        ] {
            let mut b = Ballistics::new();
            b.prepare(fs, 512, 1);
            b.set(&BallisticsSettings {
                attack_ms: 0.1,
                release_ms,
                hold_ms: 0.0,
                auto_release: true,
                ..Default::default()
            });
            run(&mut b, -10.0, (burst_ms * 48.0) as usize);
            let start = b.value(0);
            let y = run(&mut b, 0.0, 200_000);
            let n = crossing(&y, start * k) + 1.0;
            let want = (fs * expect_ms * 1e-3) as f64;
            eprintln!("auto release after {burst_ms} ms: {n:.1} samples, expected {want}");
            assert!(
                (n / want - 1.0).abs() < 0.05,
                "burst {burst_ms}: {n} vs {want}"
            );
        }
    }

    #[test]
    fn block_split_and_hostile_values() {
        let x = crate::test_util::noise(4000, 9);
        let x: Vec<f32> = x.iter().map(|v| -30.0 * v.abs()).collect();
        for s in [
            BallisticsSettings {
                attack_ms: 2.0,
                release_ms: 30.0,
                ..Default::default()
            },
            BallisticsSettings {
                attack_ms: 2.0,
                release_ms: 30.0,
                hold_ms: 3.0,
                auto_release: true,
                ..Default::default()
            },
            BallisticsSettings {
                attack_ms: 2.0,
                release_ms: 30.0,
                release_curve: ReleaseCurve::LinearDb,
                ..Default::default()
            },
            BallisticsSettings {
                attack_ms: 2.0,
                release_ms: 30.0,
                hold_ms: 3.0,
                release_curve: ReleaseCurve::LinearDb,
                ..Default::default()
            },
        ] {
            let mut a = Ballistics::new();
            a.prepare(48_000.0, 512, 2);
            a.set(&s);
            let mut b = a.clone();
            let mut whole = x.clone();
            a.process(1, &mut whole);
            let mut parts = x.clone();
            for c in parts.chunks_mut(37) {
                b.process(1, c);
            }
            assert_eq!(whole, parts);
        }
        let mut h = Ballistics::new();
        h.prepare(f32::NAN, 64, 2);
        h.set(&BallisticsSettings {
            attack_ms: f32::NAN,
            release_ms: -1.0,
            hold_ms: f32::INFINITY,
            auto_release: true,
            release_curve: ReleaseCurve::LinearDb,
        });
        let mut g = [f32::NAN, f32::NEG_INFINITY, -1e-39, -3.0];
        h.process(0, &mut g);
        let mut g = [-3.0; 4];
        h.process(0, &mut g);
        assert!(g.iter().all(|v| v.is_finite()));
    }
}
