//! The Ducker's claims, each measured against its definition.

use super::*;
use crate::test_util::{dtft_db, noise};

const FS: f32 = 48_000.0;

fn ducker(fs: f32, channels: usize, s: &DuckerSettings) -> Ducker {
    let mut d = Ducker::new();
    d.prepare(fs, 512, channels);
    d.set(s);
    d
}

/// Runs stereo `main` (same signal both sides) with `key` (both sides) through `d` in
/// blocks of `block`; returns the left output.
fn run(d: &mut Ducker, main: &[f32], key: Option<&[f32]>, block: usize) -> Vec<f32> {
    let mut l = main.to_vec();
    let mut r = main.to_vec();
    let mut start = 0;
    while start < main.len() {
        let end = (start + block).min(main.len());
        let k = key.map(|k| [&k[start..end], &k[start..end]]);
        d.process_stereo(
            &mut [&mut l[start..end], &mut r[start..end]],
            k.as_ref().map(|k| &k[..]),
        );
        start = end;
    }
    assert_eq!(l, r, "identical channels in, identical out");
    l
}

fn sine(len: usize, fs: f32, freq_hz: f64, amp: f32) -> Vec<f32> {
    (0..len)
        .map(|n| {
            amp * (2.0 * std::f64::consts::PI * freq_hz * n as f64 / f64::from(fs)).sin() as f32
        })
        .collect()
}

/// The gain trace in dB of a run on a constant 1.0 main input (output = gain).
fn gain_trace_db(d: &mut Ducker, key: &[f32]) -> Vec<f64> {
    let ones = vec![1.0; key.len()];
    run(d, &ones, Some(key), 256)
        .iter()
        .map(|&g| 20.0 * f64::from(g).max(1e-30).log10())
        .collect()
}

/// Fractional index where `y` first crosses `level` at or after `from`.
fn crossing(y: &[f64], from: usize, level: f64) -> f64 {
    let above = y[from] > level;
    for n in from + 1..y.len() {
        if (y[n] > level) != above {
            let (a, b) = (y[n - 1], y[n]);
            return (n - 1) as f64 + (level - a) / (b - a);
        }
    }
    f64::INFINITY
}

/// Key on (0 dBFS DC, a gated tone would do the same through the peak detector) from
/// `on` to `off`, silence around it.
fn gate_key(len: usize, on: usize, off: usize) -> Vec<f32> {
    (0..len)
        .map(|n| if (on..off).contains(&n) { 0.5 } else { 0.0 })
        .collect()
}

/// End to end: the gain change reaches 63.2 % of the depth in the attack time after the
/// key crosses the threshold; the key stays present for bridge + hold after it falls; the
/// release then takes the release time (63.2 % exponential, all of the way linear, half
/// way at half of it). All within 5 %, at two sample rates.
#[test]
fn ballistics_end_to_end_within_5_percent() {
    let k = 1.0 - (-1.0_f64).exp();
    for fs in [44_100.0_f32, 96_000.0] {
        for (attack_ms, hold_ms, release_ms, curve, depth) in [
            (1.0, 0.0, 50.0, ReleaseCurve::Exponential, -20.0),
            (10.0, 100.0, 300.0, ReleaseCurve::Exponential, -40.0),
            (5.0, 30.0, 200.0, ReleaseCurve::LinearDb, -24.0),
            (0.1, 0.0, 1000.0, ReleaseCurve::LinearDb, -60.0),
        ] {
            let s = DuckerSettings {
                threshold_db: -20.0,
                depth_db: depth,
                attack_ms,
                hold_ms,
                release_ms,
                release_curve: curve,
                ..Default::default()
            };
            let mut d = ducker(fs, 2, &s);
            let ms = |t: f32| (t * 1e-3 * fs) as usize;
            // As the processor counts the hold: rounded to whole samples.
            let hold = ((hold_ms + KEY_BRIDGE_MS) * 1e-3 * fs).round() as usize;
            let (on, off) = (ms(10.0), ms(10.0) + ms(10.0 * attack_ms) + ms(20.0));
            let len = off + hold + ms(3.0 * release_ms);
            let g = gain_trace_db(&mut d, &gate_key(len, on, off));
            let depth = f64::from(depth);
            // Attack: sample `on` already holds the first step.
            let t = crossing(&g, on, k * depth) - on as f64 + 1.0;
            let want = f64::from(attack_ms * 1e-3 * fs);
            assert!((t / want - 1.0).abs() < 0.05, "{fs} attack {t} vs {want}");
            // Hold: the last key sample is off − 1; the release starts after bridge + hold.
            let release_start = off + hold;
            let held = g[release_start - 1];
            assert!((held - depth).abs() < 0.01, "{fs}: not at depth {held}");
            assert!(
                g[release_start] > held + 1e-4,
                "{fs}: released late at {release_start}"
            );
            assert!(
                g[release_start - 1] <= g[release_start - 2] + 1e-6,
                "{fs}: released early"
            );
            let want = f64::from(release_ms * 1e-3 * fs);
            let from = release_start - 1;
            let (level, expect) = match curve {
                ReleaseCurve::Exponential => (held * (1.0 - k), want),
                ReleaseCurve::LinearDb => (held * 0.5, 0.5 * want),
            };
            let t = crossing(&g, from, level) - from as f64;
            assert!(
                (t / expect - 1.0).abs() < 0.05,
                "{fs} {curve:?} release {t} vs {expect}"
            );
            if curve == ReleaseCurve::LinearDb {
                // f32 steps of |depth|/N may leave a last step over: lands within 1 %.
                let done = from + (1.01 * want) as usize;
                assert_eq!(
                    g[done], 0.0,
                    "{fs}: linear release lands at the release time"
                );
                assert!(g[from + (0.95 * want) as usize] < -0.01);
            }
        }
    }
}

/// Latency = the measured impulse delay = the lookahead; the duck lands `L` samples before
/// the hit: a key step at `n` starts the gain moving at output sample `n`, which carries
/// input sample `n − L`.
#[test]
fn lookahead_is_the_reported_latency_and_the_measured_delay() {
    for fs in [8_000.0_f32, 48_000.0, 384_000.0] {
        for lookahead_ms in [0.0, 1.0, 7.3, 20.0] {
            let s = DuckerSettings {
                lookahead_ms,
                depth_db: 0.0,
                ..Default::default()
            };
            let mut d = ducker(fs, 2, &s);
            let want = (lookahead_ms * 1e-3 * fs).round() as usize;
            assert_eq!(d.latency(), want);
            let mut x = vec![0.0; want + 600];
            x[100] = 1.0;
            let y = run(&mut d, &x, None, 97);
            let at = y.iter().position(|&v| v != 0.0).unwrap();
            assert_eq!(at, 100 + want, "{fs} {lookahead_ms}");
            assert_eq!(y[at], 1.0);
        }
    }
}

/// Depth 0 in whole-band mode is bit-exact (the delayed input); depth −∞ reaches the
/// −120 dB floor, finite; the key's level decides (below threshold: nothing happens).
#[test]
fn depth_zero_is_transparent_and_minus_infinity_is_the_floor() {
    let x = noise(20_000, 3);
    let key = sine(20_000, FS, 80.0, 0.9);
    let mut d = ducker(
        FS,
        2,
        &DuckerSettings {
            depth_db: 0.0,
            ..Default::default()
        },
    );
    assert_eq!(run(&mut d, &x, Some(&key), 512), x);
    let mut d = ducker(
        FS,
        2,
        &DuckerSettings {
            depth_db: f32::NEG_INFINITY,
            attack_ms: 1.0,
            ..Default::default()
        },
    );
    let g = gain_trace_db(&mut d, &key);
    let last = g[g.len() - 1];
    assert!((last - f64::from(DEPTH_FLOOR_DB)).abs() < 0.01, "{last}");
    assert!(d.settings().depth_db == f32::NEG_INFINITY);
    let mut d = ducker(
        FS,
        2,
        &DuckerSettings {
            threshold_db: -0.5,
            ..Default::default()
        },
    );
    // 0.9 peak = −0.92 dBFS: below a −0.5 dB threshold.
    assert_eq!(run(&mut d, &x, Some(&key), 512), x);
}

/// Band-limited with depth 0: `low + high` is the LR4 all-pass, magnitude flat within
/// 0.01 dB from 10 Hz to 20 kHz (impulse response DTFT), at 20, 150 and 1000 Hz.
#[test]
fn band_split_sums_flat_within_0_01_db() {
    for band_hz in [20.0, 150.0, 1000.0] {
        let s = DuckerSettings {
            depth_db: 0.0,
            band_limited: true,
            band_hz,
            ..Default::default()
        };
        let mut d = ducker(FS, 2, &s);
        let mut x = vec![0.0; 1 << 16];
        x[0] = 1.0;
        let ir = run(&mut d, &x, None, 512);
        let mut worst = 0.0_f64;
        let mut f = 10.0;
        while f < 20_000.0 {
            worst = worst.max(dtft_db(&ir, f, f64::from(FS)).abs());
            f *= 1.05;
        }
        assert!(worst < 0.01, "{band_hz} Hz: {worst} dB");
        // Not the identity: the split is really in the path (an all-pass, not a wire).
        assert!(ir[1..].iter().any(|&v| v.abs() > 1e-4));
    }
}

/// Band-limited while ducked: a 40 Hz tone drops by the depth (LR4 low band at 40 Hz of a
/// 400 Hz split: −24 dB/oct × 3.3 oct leaves the high band ~−80 dB), a 6 kHz tone stays
/// within 0.05 dB; whole band ducks both.
#[test]
fn band_limited_ducks_only_the_lows() {
    let len = 48_000;
    let key = vec![0.5; len];
    for band in [true, false] {
        let level = |freq: f64| {
            let s = DuckerSettings {
                depth_db: -18.0,
                attack_ms: 1.0,
                band_limited: band,
                band_hz: 400.0,
                ..Default::default()
            };
            let mut d = ducker(FS, 2, &s);
            let y = run(&mut d, &sine(len, FS, freq, 0.5), Some(&key), 512);
            let tail = &y[len / 2..];
            let rms = (tail.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / tail.len() as f64)
                .sqrt();
            20.0 * (rms / (0.5 / 2.0_f64.sqrt())).log10()
        };
        let (lo, hi) = (level(40.0), level(6000.0));
        if band {
            assert!((lo + 18.0).abs() < 0.1, "low {lo}");
            assert!(hi.abs() < 0.05, "high {hi}");
        } else {
            assert!(
                (lo + 18.0).abs() < 0.01 && (hi + 18.0).abs() < 0.01,
                "{lo} {hi}"
            );
        }
    }
}

/// Kick-like key bursts: a 60 Hz tone falling from 0 dBFS with a 60 ms decay, every 500 ms.
fn kicks(len: usize, fs: f32) -> Vec<f32> {
    let period = (0.5 * fs) as usize;
    (0..len)
        .map(|n| {
            let t = (n % period) as f64 / f64::from(fs);
            ((2.0 * std::f64::consts::PI * 60.0 * t).sin() * (-t / 0.06).exp()) as f32
        })
        .collect()
}

/// Energy (dB relative to the carrier) of the Hann-windowed spectrum of `y` above `from_hz`:
/// the broadband click energy.
fn broadband_db(y: &[f32], fs: f32, from_hz: f64) -> f64 {
    use realfft::RealFftPlanner;
    let n = y.len();
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(n);
    let mut input: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos();
            f64::from(v) * w
        })
        .collect();
    let mut spec = fft.make_output_vec();
    fft.process(&mut input, &mut spec).unwrap();
    let power: Vec<f64> = spec.iter().map(|c| c.norm_sqr()).collect();
    let carrier = power.iter().cloned().fold(0.0, f64::max);
    let first = (from_hz * n as f64 / f64::from(fs)) as usize;
    let broadband: f64 = power[first..].iter().sum();
    10.0 * (broadband / carrier).log10()
}

/// The gain trajectory (dB) the definition gives for `key`, computed independently in `f64`:
/// trigger at `|key| ≥ threshold`, present for bridge + hold after its last such sample,
/// exponential attack/release one-poles in dB (`a = e^{−1/(τ·fs)}`). With `attack_ms == 0`
/// the gain jumps (the hard-switched control).
fn reference_gain_db(key: &[f32], s: &DuckerSettings, fs: f64) -> Vec<f64> {
    let thr = 10.0_f64.powf(f64::from(s.threshold_db) / 20.0);
    let hold = (f64::from(s.hold_ms + KEY_BRIDGE_MS) * 1e-3 * fs).round() as usize;
    let pole = |ms: f32| {
        if ms == 0.0 {
            0.0
        } else {
            (-1.0 / (f64::from(ms) * 1e-3 * fs)).exp()
        }
    };
    let (att, rel) = (pole(s.attack_ms), pole(s.release_ms));
    let mut since = usize::MAX;
    let mut y = 0.0_f64;
    key.iter()
        .map(|&k| {
            since = if f64::from(k).abs() >= thr {
                0
            } else {
                since.saturating_add(1)
            };
            let x = if since <= hold {
                f64::from(s.depth_db)
            } else {
                0.0
            };
            let a = if x.abs() > y.abs() { att } else { rel };
            y = x + a * (y - x);
            y
        })
        .collect()
}

/// The click test: 1 kHz sine on the main input, kick bursts on the key.
/// 1. The gain trajectory (measured on a DC main) follows the definition's (an independent
///    `f64` model) within 0.05 dB and never steps further in one sample than the attack
///    shape allows: `|depth|·(1 − e^{−1/(τ_a·fs)})` dB, the exponential attack's first and
///    largest step.
/// 2. The output spectrum above 3 kHz (beyond the modulation sidebands around 1 kHz) holds
///    no more energy than the reference trajectory applied to the same sine (+1 dB): what
///    the attack's corner implies, no more. Stated floor: −60 dB of the carrier's peak bin
///    (measured about −66 dB); the same ducking switched instantly (the control) puts over
///    20 dB more there, so the floor separates click-free from clicking.
#[test]
fn kick_bursts_duck_a_sine_without_clicks() {
    let len = 1 << 16;
    let key = kicks(len, FS);
    let main = sine(len, FS, 1000.0, 0.5);
    let (attack_ms, depth) = (5.0_f32, -24.0_f32);
    let s = DuckerSettings {
        threshold_db: -20.0,
        depth_db: depth,
        attack_ms,
        release_ms: 120.0,
        ..Default::default()
    };
    let mut d = ducker(FS, 2, &s);
    let g = gain_trace_db(&mut d, &key);
    assert!(g.iter().any(|&v| v < -23.0), "it ducks");
    let want = reference_gain_db(&key, &s, f64::from(FS));
    let off = g
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(off < 0.05, "gain trajectory off the definition by {off} dB");
    let a = (-1.0 / f64::from(attack_ms * 1e-3 * FS)).exp();
    let max_step = f64::from(-depth) * (1.0 - a);
    let worst = g
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f64::max);
    assert!(
        worst <= max_step * 1.001,
        "gain step {worst} dB > {max_step} dB"
    );
    let mut d = ducker(FS, 2, &s);
    let y = run(&mut d, &main, Some(&key), 256);
    let apply = |g: &[f64]| -> Vec<f32> {
        g.iter()
            .zip(&main)
            .map(|(&gd, &x)| (f64::from(x) * 10.0_f64.powf(gd / 20.0)) as f32)
            .collect()
    };
    let ours = broadband_db(&y, FS, 3000.0);
    let shape = broadband_db(&apply(&want), FS, 3000.0);
    let hard = reference_gain_db(
        &key,
        &DuckerSettings {
            attack_ms: 0.0,
            ..s
        },
        f64::from(FS),
    );
    let clicky = broadband_db(&apply(&hard), FS, 3000.0);
    eprintln!(
        "broadband above 3 kHz: ours {ours:.1} dB, definition {shape:.1} dB, hard switch \
         {clicky:.1} dB"
    );
    assert!(
        ours < shape + 1.0,
        "click energy {ours} dB vs the shape's {shape} dB"
    );
    assert!(
        ours < -60.0,
        "click energy {ours} dB above the -60 dB floor"
    );
    assert!(
        clicky > -60.0 + 20.0,
        "the control should click: {clicky} dB"
    );
}

fn busy_settings() -> DuckerSettings {
    DuckerSettings {
        threshold_db: -30.0,
        depth_db: -30.0,
        attack_ms: 3.0,
        hold_ms: 20.0,
        release_ms: 80.0,
        release_curve: ReleaseCurve::LinearDb,
        lookahead_ms: 5.0,
        key_hp: true,
        key_hp_hz: 40.0,
        key_lp: true,
        key_lp_hz: 2000.0,
        band_limited: true,
        band_hz: 200.0,
        ..Default::default()
    }
}

/// Any host block size gives bit-identical output, with every ramp moving (key filter and
/// crossover frequencies, band-mode cross-fade, depth and lookahead changes) at the same
/// samples; `reset` repeats the output.
#[test]
fn any_block_size_gives_identical_output_and_reset_repeats_it() {
    let len = 30_000;
    let x = noise(len, 11);
    let key = kicks(len, FS);
    let changes = [
        (0, busy_settings()),
        (
            7_001,
            DuckerSettings {
                key_hp_hz: 120.0,
                band_hz: 900.0,
                key_lp_hz: 500.0,
                ..busy_settings()
            },
        ),
        (
            15_013,
            DuckerSettings {
                band_limited: false,
                depth_db: f32::NEG_INFINITY,
                ..busy_settings()
            },
        ),
        (
            22_222,
            DuckerSettings {
                band_limited: true,
                band_hz: 20.0,
                lookahead_ms: 1.0,
                ..busy_settings()
            },
        ),
    ];
    let render = |d: &mut Ducker, sizes: &mut dyn FnMut() -> usize| -> Vec<f32> {
        let (mut l, mut r) = (x.clone(), x.iter().map(|v| -0.5 * v).collect::<Vec<_>>());
        let mut pos = 0;
        while pos < len {
            let next_change = changes
                .iter()
                .map(|c| c.0)
                .find(|&c| c > pos)
                .unwrap_or(len);
            let s = changes.iter().rev().find(|c| c.0 <= pos).unwrap().1;
            let end = (pos + sizes()).min(next_change);
            d.set(&s);
            let k = [&key[pos..end], &key[pos..end]];
            d.process_stereo(&mut [&mut l[pos..end], &mut r[pos..end]], Some(&k[..]));
            pos = end;
        }
        l.extend(r);
        l
    };
    let mut d = Ducker::new();
    d.prepare(FS, 512, 2);
    let reference = render(&mut d, &mut || 512);
    d.reset();
    assert_eq!(render(&mut d, &mut || 512), reference, "after reset");
    let mut rng = fastrand::Rng::with_seed(5);
    for sizes in [
        &mut (|| 1_usize) as &mut dyn FnMut() -> usize,
        &mut || 64_usize,
        &mut || 4096_usize,
        &mut move || rng.usize(1..700),
    ] {
        let mut d = Ducker::new();
        d.prepare(FS, 512, 2);
        assert_eq!(render(&mut d, sizes), reference);
    }
}

/// Missing key: no ducking, or self-keyed on choice; Internal ignores the key.
#[test]
fn missing_key_and_internal_source() {
    let len = 24_000;
    let loud = sine(len, FS, 100.0, 0.9);
    let quiet_key = vec![0.0; len];
    let base = DuckerSettings {
        depth_db: -20.0,
        ..Default::default()
    };
    let last_gain = |s: DuckerSettings, key: Option<&[f32]>| {
        let mut d = ducker(FS, 2, &s);
        run(&mut d, &loud, key, 512);
        d.current_gain_db()
    };
    assert_eq!(last_gain(base, None), 0.0, "no key: no ducking");
    let self_key = DuckerSettings {
        missing_key: MissingKey::SelfKey,
        ..base
    };
    assert!(
        (last_gain(self_key, None) + 20.0).abs() < 1e-3,
        "self-keyed"
    );
    assert_eq!(last_gain(self_key, Some(&quiet_key)), 0.0, "a key is a key");
    let internal = DuckerSettings {
        source: KeySource::Internal,
        ..base
    };
    assert!((last_gain(internal, Some(&quiet_key)) + 20.0).abs() < 1e-3);
}

/// Key listen: the output is the key (filters off: bit for bit), delayed by the lookahead;
/// the key high-pass keeps a 30 Hz key from ducking while a 1 kHz key ducks.
#[test]
fn key_listen_and_key_filters() {
    let len = 9_600;
    let key = noise(len, 8);
    let main = noise(len, 9);
    let s = DuckerSettings {
        key_listen: true,
        lookahead_ms: 2.0,
        ..Default::default()
    };
    let mut d = ducker(FS, 2, &s);
    let y = run(&mut d, &main, Some(&key), 100);
    assert_eq!(&y[96..], &key[..len - 96]);
    let hp = DuckerSettings {
        key_hp: true,
        key_hp_hz: 500.0,
        threshold_db: -12.0,
        ..Default::default()
    };
    for (freq, ducks) in [(30.0, false), (1000.0, true)] {
        let mut d = ducker(FS, 2, &hp);
        run(&mut d, &main, Some(&sine(len, FS, freq, 0.5)), 512);
        assert_eq!(d.current_gain_db() < -1.0, ducks, "{freq} Hz");
    }
}

/// NaN, ±Inf, f32::MAX and denormals in the main input and in the key, then clean blocks:
/// the output and the meters stay finite (mono and stereo); absurd settings are clamped.
#[test]
fn hostile_input_and_settings_stay_finite() {
    for channels in [1, 2] {
        let mut d = Ducker::new();
        d.prepare(FS, 64, channels);
        d.set(&busy_settings());
        let finite = |l: &[f32], r: &[f32]| {
            l.iter().all(|v| v.is_finite()) && (channels == 1 || r.iter().all(|v| v.is_finite()))
        };
        for bad in [f32::NAN, f32::INFINITY, f32::MAX, f32::MIN, 1e-39] {
            let mut l = vec![bad; 300];
            let mut r = vec![-bad; 300];
            let k = vec![bad; 300];
            d.process_stereo(&mut [&mut l, &mut r], Some(&[&k[..]][..]));
            assert!(finite(&l, &r), "{bad}");
            let mut l = noise(2000, 1);
            let mut r = noise(2000, 2);
            let k = noise(2000, 3);
            d.process_stereo(&mut [&mut l, &mut r], Some(&[&k[..], &k[..]][..]));
            assert!(finite(&l, &r), "{bad}: clean block after");
            assert!(d.key_level_db().is_finite() && d.gain_db().is_finite());
        }
        d.set(&DuckerSettings {
            threshold_db: f32::NAN,
            depth_db: f32::NAN,
            attack_ms: f32::INFINITY,
            hold_ms: -1.0,
            release_ms: f32::NAN,
            lookahead_ms: 1e9,
            band_hz: f32::NAN,
            key_hp_hz: -5.0,
            ..busy_settings()
        });
        let mut l = noise(1000, 4);
        let mut r = noise(1000, 5);
        d.process_stereo(&mut [&mut l, &mut r], None);
        assert!(finite(&l, &r));
        assert_eq!(d.latency(), (MAX_LOOKAHEAD_MS * 1e-3 * FS).round() as usize);
    }
}

/// Switching band-limited mode while ducked cross-fades: no output step larger than the
/// signal's own largest step (+2 %), where an instant switch would jump by the depth's
/// share of the low band.
#[test]
fn band_mode_switch_cross_fades() {
    let len = 48_000;
    let main: Vec<f32> = sine(len, FS, 50.0, 0.5)
        .iter()
        .zip(sine(len, FS, 3000.0, 0.05))
        .map(|(a, b)| a + b)
        .collect();
    let own = crate::test_util::max_step(&main);
    let key = vec![0.5; len];
    let mut s = DuckerSettings {
        depth_db: -40.0,
        attack_ms: 1.0,
        band_hz: 500.0,
        ..Default::default()
    };
    let mut d = ducker(FS, 1, &s);
    let mut y = main.clone();
    for (i, c) in y.chunks_mut(4801).enumerate() {
        s.band_limited = i % 2 == 1;
        d.set(&s);
        let k = [&key[..c.len()]];
        d.process_stereo(&mut [c], Some(&k[..]));
    }
    let got = crate::test_util::max_step(&y[4800..]);
    assert!(got <= own * 1.02, "step {got} vs the signal's {own}");
}

/// Runs `first` for `at` samples and `then` afterwards (blocks of `block`), stereo main and
/// key (same signal on both sides); returns the left output.
fn switched(
    first: &DuckerSettings,
    then: &DuckerSettings,
    at: usize,
    main: &[f32],
    key: &[f32],
    block: usize,
) -> Vec<f32> {
    let mut d = ducker(FS, 2, first);
    let (mut l, mut r) = (main.to_vec(), main.to_vec());
    let mut start = 0;
    while start < l.len() {
        let end = (start + block).min(if start < at { at } else { l.len() });
        if start == at {
            d.set(then);
        }
        let k = [&key[start..end], &key[start..end]];
        d.process_stereo(&mut [&mut l[start..end], &mut r[start..end]], Some(&k));
        start = end;
    }
    l
}

/// Key listen on and off: the output is the ducked signal and the delayed key blended with
/// weights (k + 1)/L over the L samples of [`RAMP_MS`] (the detector does not depend on
/// what is heard, so both fixed runs are exact references), for any block size.
#[test]
fn key_listen_cross_fades_linearly() {
    let len = 9_600;
    let (main, key) = (noise(len, 31), noise(len, 32));
    let at = 3_000;
    let fade = (RAMP_MS * 1e-3 * FS).round() as usize;
    let base = DuckerSettings {
        lookahead_ms: 2.0,
        band_limited: true,
        ..busy_settings()
    };
    let listen = |on| DuckerSettings {
        key_listen: on,
        ..base
    };
    for (from, to) in [(false, true), (true, false)] {
        let (a, b) = (listen(from), listen(to));
        let old = switched(&a, &a, at, &main, &key, 64);
        let new = switched(&b, &b, at, &main, &key, 64);
        for block in [1, 64, 333] {
            let got = switched(&a, &b, at, &main, &key, block);
            for i in 0..len {
                let w = if i < at {
                    0.0
                } else {
                    ((i - at + 1) as f32 / fade as f32).min(1.0)
                };
                let want = old[i] + w * (new[i] - old[i]);
                assert!(
                    (got[i] - want).abs() <= 1e-5,
                    "{from} -> {to} block {block} i {i}: {} vs {want}",
                    got[i]
                );
            }
        }
    }
}

/// A lookahead change cross-fades the read position: with no ducking (key silent) the
/// output steps at most a 130 Hz sine's own largest step plus the largest difference of
/// the two taps spread over the fade (2A/L); a jump would step by up to 2A.
#[test]
fn lookahead_changes_cross_fade_the_delay() {
    let len = 9_600;
    let amp = 0.5_f32;
    let main = sine(len, FS, 130.0, amp);
    let key = vec![0.0; len];
    let fade = (RAMP_MS * 1e-3 * FS).round() as usize;
    for (from, to) in [(0.0, 20.0), (20.0, 0.0), (3.0, 11.0)] {
        let s = |lookahead_ms| DuckerSettings {
            lookahead_ms,
            ..Default::default()
        };
        let got = switched(&s(from), &s(to), 3_000, &main, &key, 64);
        let bound = 2.0 * std::f32::consts::PI * 130.0 / FS * amp + 2.0 * amp / fade as f32 + 1e-5;
        let step = got[2_000..]
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0_f32, f32::max);
        assert!(step <= bound, "{from} -> {to}: step {step} > {bound}");
        let d = (to * 1e-3 * FS).round() as usize;
        for i in 3_000 + fade..len {
            assert_eq!(got[i], main[i - d], "{from} -> {to} i {i}");
        }
    }
}

#[test]
fn threshold_is_exact_at_the_boundary() {
    // The trigger compares the key's peak power with the threshold's: a key 0.01 dB above
    // the threshold ducks, 0.01 dB below it does not (thresholds across the range).
    let fs = 48_000.0;
    for thr in [-60.0_f32, -31.7, -12.0, -0.3] {
        let s = DuckerSettings {
            threshold_db: thr,
            depth_db: -20.0,
            ..Default::default()
        };
        let amp = 10.0_f32.powf(thr / 20.0);
        for (offset_db, ducks) in [(0.01_f32, true), (-0.01, false)] {
            let key = vec![amp * 10.0_f32.powf(offset_db / 20.0); 4800];
            let mut d = ducker(fs, 2, &s);
            let y = run(&mut d, &vec![0.5; 4800], Some(&key), 512);
            let ducked = y[4799] < 0.45;
            assert_eq!(
                ducked, ducks,
                "threshold {thr} dB, key {offset_db:+} dB: out {}",
                y[4799]
            );
        }
    }
}
