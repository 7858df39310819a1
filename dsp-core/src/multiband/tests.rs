use super::*;
use crate::crossover::lr_magnitude;
use crate::test_util::{noise, sine_amplitude, with_and_without_ftz};
use realfft::RealFftPlanner;

const FS: f32 = 48_000.0;

/// Eq. (4) of Giannoulis et al. in its three-region form (independent of the
/// branch-free form in `GainCurve`), range-clamped: gain change in dB.
fn eq4_gain_db(x: f64, t: f64, r: f64, w: f64, range: f64) -> f64 {
    let y = if 2.0 * (x - t) < -w {
        x
    } else if 2.0 * (x - t) <= w && w > 0.0 {
        x + (1.0 / r - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w)
    } else {
        t + (x - t) / r
    };
    (y - x).clamp(-range, range)
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

fn sine(len: usize, fs: f32, freq_hz: f64, amp: f32) -> Vec<f32> {
    (0..len)
        .map(|n| amp * (std::f64::consts::TAU * freq_hz * n as f64 / fs as f64).sin() as f32)
        .collect()
}

/// Settings with every band at ratio 1 (no band acting).
fn neutral(nb: usize, hz: &[f32], slope: LrOrder) -> MultibandSettings {
    let mut s = MultibandSettings {
        num_bands: nb,
        slope,
        ..Default::default()
    };
    s.crossover_hz[..hz.len()].copy_from_slice(hz);
    for b in &mut s.bands {
        b.ratio = 1.0;
    }
    s
}

fn mb(fs: f32, channels: usize, s: &MultibandSettings) -> Multiband {
    let mut m = Multiband::new();
    m.prepare(fs, 512, channels);
    m.set(s);
    m
}

/// Runs stereo `(l, r)` through `m` in blocks of `block` (settings re-sent each block).
fn run(
    m: &mut Multiband,
    l: &[f32],
    r: &[f32],
    key: Option<(&[f32], &[f32])>,
    block: usize,
) -> (Vec<f32>, Vec<f32>) {
    let (mut ol, mut or) = (l.to_vec(), r.to_vec());
    let s = *m.settings();
    let mut i = 0;
    while i < l.len() {
        let e = (i + block).min(l.len());
        m.set(&s);
        let kb: [&[f32]; 2];
        let k = match key {
            Some((a, b)) => {
                kb = [&a[i..e], &b[i..e]];
                Some(&kb[..])
            }
            None => None,
        };
        m.process_stereo(&mut [&mut ol[i..e], &mut or[i..e]], k);
        i = e;
    }
    (ol, or)
}

/// Magnitude (dB) of the FFT of `ir` at every bin between `lo` and `hi` Hz.
fn response_db(ir: &[f32], fs: f32, lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let n = ir.len();
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(n);
    let mut input: Vec<f64> = ir.iter().map(|&x| f64::from(x)).collect();
    let mut spec = fft.make_output_vec();
    fft.process(&mut input, &mut spec).unwrap();
    spec.iter()
        .enumerate()
        .map(|(k, c)| (k as f64 * f64::from(fs) / n as f64, db(c.norm())))
        .filter(|&(f, _)| f >= lo && f <= hi)
        .collect()
}

#[test]
fn flat_sum_every_band_count_slope_and_crossover_sweep() {
    let sweeps: [[f32; 4]; 5] = [
        [20.0, 60.0, 180.0, 540.0],
        [100.0, 700.0, 3000.0, 9000.0],
        [2000.0, 5000.0, 12_000.0, 20_000.0],
        [500.0, 630.0, 794.0, 1000.0],
        [40.0, 400.0, 4000.0, 16_000.0],
    ];
    let mut worst = 0.0_f64;
    let mut cases = 0;
    for nb in 2..=5 {
        for slope in [LrOrder::Lr2, LrOrder::Lr4, LrOrder::Lr8] {
            for hz in &sweeps {
                let s = neutral(nb, &hz[..nb - 1], slope);
                let mut m = mb(FS, 2, &s);
                let len = 1 << 16;
                let mut x = vec![0.0; len];
                x[0] = 1.0;
                let (y, _) = run(&mut m, &x, &x, None, 512);
                let tail = y[len - 512..].iter().fold(0.0_f32, |a, v| a.max(v.abs()));
                assert!(tail < 1e-6, "IR not decayed: {tail}");
                for (f, g) in response_db(&y, FS, 10.0, 20_000.0) {
                    assert!(
                        g.abs() < 0.01,
                        "{nb} bands {slope:?} {hz:?}: {g} dB at {f} Hz"
                    );
                    worst = worst.max(g.abs());
                }
                cases += 1;
            }
        }
    }
    eprintln!("flat sum, {cases} configurations: worst {worst:.2e} dB");
    // Other rates (crossovers clamped to 0.45·fs at 8 kHz).
    for fs in [8_000.0, 44_100.0, 384_000.0] {
        let s = neutral(4, &[100.0, 1000.0, 6000.0], LrOrder::Lr4);
        let mut m = mb(fs, 2, &s);
        let len = 1 << 17;
        let mut x = vec![0.0; len];
        x[0] = 1.0;
        let (y, _) = run(&mut m, &x, &x, None, 8192);
        for (f, g) in response_db(&y, fs, 10.0, (0.45 * fs as f64).min(20_000.0)) {
            assert!(g.abs() < 0.01, "{fs} Hz: {g} dB at {f} Hz");
        }
    }
}

#[test]
fn linear_phase_nulls_against_the_delayed_input_and_latency_is_the_impulse_delay() {
    for nb in [2, 4, 5] {
        let mut s = neutral(nb, &[80.0, 600.0, 3000.0, 11_000.0], LrOrder::Lr4);
        s.linear_phase = true;
        s.lookahead_ms = 3.0;
        let mut m = mb(FS, 2, &s);
        let lat = m.latency();
        assert_eq!(
            lat,
            m.linear.latency() + (0.003 * FS).round() as usize,
            "latency"
        );
        let len = lat + 48_000;
        let x = noise(len, 7);
        let xr = noise(len, 8);
        let (y, yr) = run(&mut m, &x, &xr, None, 777);
        let (mut err, mut sig) = (0.0_f64, 0.0_f64);
        for i in lat..len {
            err += f64::from(y[i] - x[i - lat]).powi(2) + f64::from(yr[i] - xr[i - lat]).powi(2);
            sig += f64::from(x[i - lat]).powi(2) + f64::from(xr[i - lat]).powi(2);
        }
        let null = 10.0 * (err / sig).log10();
        eprintln!("linear phase {nb} bands: null {null:.1} dB, latency {lat}");
        assert!(null < -90.0, "{nb} bands: null {null} dB");
        // Impulse: the peak sits exactly at the latency.
        let mut m = mb(FS, 2, &s);
        let mut imp = vec![0.0; lat + 4096];
        imp[100] = 1.0;
        let (y, _) = run(&mut m, &imp, &imp, None, 512);
        let peak = (0..y.len())
            .max_by(|&a, &b| y[a].abs().total_cmp(&y[b].abs()))
            .unwrap();
        assert_eq!(peak, 100 + lat);
    }
    // Minimum phase with lookahead: the response starts exactly at the lookahead.
    let mut s = neutral(3, &[200.0, 2000.0], LrOrder::Lr4);
    s.lookahead_ms = 4.0;
    let mut m = mb(FS, 2, &s);
    let lat = m.latency();
    assert_eq!(lat, 192);
    let mut imp = vec![0.0; 2048];
    imp[10] = 1.0;
    let (y, _) = run(&mut m, &imp, &imp, None, 64);
    let first = y.iter().position(|v| v.abs() > 1e-9).unwrap();
    assert_eq!(first, 10 + lat);
}

/// Magnitude of band `b` of the LR tree at `f`: its low-pass times the high-passes of
/// every crossover below it (the compensating all-passes have unit magnitude).
fn band_magnitude(order: LrOrder, hz: &[f32], b: usize, f: f64) -> f64 {
    let mut m = 1.0;
    for (k, &fc) in hz.iter().enumerate() {
        if k < b {
            m *= lr_magnitude(order, FS, fc, f as f32, true);
        } else if k == b {
            m *= lr_magnitude(order, FS, fc, f as f32, false);
        }
    }
    m
}

#[test]
fn per_band_static_curves_match_the_compressor_formula_within_0_1_db() {
    // Five bands; a steady sine centred in each, that band soloed; RMS detection over
    // 20 ms (a whole number of periods of every test frequency, multiples of 50 Hz).
    let hz = [100.0, 500.0, 2500.0, 10_000.0];
    let freqs = [50.0, 250.0, 1100.0, 5000.0, 15_000.0];
    let mut worst = 0.0_f64;
    let mut cases = 0;
    // (threshold, ratio, knee, range, tilt)
    let curves = [
        (-30.0, 4.0, 6.0, 60.0, 0.0),
        (-20.0, f64::INFINITY, 0.0, 60.0, 0.0),
        (-40.0, 2.0, 12.0, 8.0, 0.0),
        (-30.0, 0.5, 6.0, 9.0, 0.0),
        (-30.0, 3.0, 6.0, 60.0, 3.0),
    ];
    for b in 0..5 {
        for &(t, r, w, range, tilt) in &curves {
            let mut s = MultibandSettings {
                num_bands: 5,
                crossover_hz: hz,
                tilt_db_per_oct: tilt as f32,
                ..Default::default()
            };
            for bs in &mut s.bands {
                *bs = BandSettings {
                    threshold_db: t as f32,
                    ratio: r as f32,
                    knee_db: w as f32,
                    range_db: range as f32,
                    attack_ms: 1.0,
                    release_ms: 20.0,
                    detection: DetectionMode::Rms,
                    rms_window_ms: 20.0,
                    ..Default::default()
                };
            }
            s.bands[b].solo = true;
            let mut m = mb(FS, 2, &s);
            let f = freqs[b];
            let h = band_magnitude(LrOrder::Lr4, &hz, b, f);
            // Tilt: the band's geometric centre (outer edges 20 Hz and 20 kHz).
            let lo = if b == 0 { 20.0 } else { f64::from(hz[b - 1]) };
            let hi = if b == 4 { 20_000.0 } else { f64::from(hz[b]) };
            let offset = tilt * ((lo * hi).sqrt() / 1000.0).log2();
            for k in 0..6 {
                let band_level = t - 15.0 + 5.0 * k as f64 + 0.3;
                // Input sine amplitude whose band component has RMS `band_level`.
                let amp = 10.0_f64.powf(band_level / 20.0) * 2.0_f64.sqrt() / h;
                if amp > 1.0 {
                    continue;
                }
                let x = sine(9600, FS, f, amp as f32);
                let (y, _) = run(&mut m, &x, &x, None, 512);
                let measured = db(sine_amplitude(&y, f, FS as f64, 4800) / (amp * h));
                let want = eq4_gain_db(band_level + offset, t, r, w, range);
                worst = worst.max((measured - want).abs());
                assert!(
                    (measured - want).abs() < 0.1,
                    "band {b} curve {t} {r} {w} {range} tilt {tilt}, level {band_level}: {measured} vs {want}"
                );
                cases += 1;
            }
        }
    }
    assert!(cases > 100);
    eprintln!("per-band static curves, {cases} cases: worst {worst:.3} dB");
}

/// Largest `|second difference|` of `y[a..b]`.
fn max_d2(y: &[f32]) -> f32 {
    y.windows(3)
        .map(|w| (w[2] - 2.0 * w[1] + w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn moving_a_crossover_does_not_click_or_bump_the_level() {
    // A 500 Hz sine; crossover 0 sweeps 200 Hz → 2 kHz → 200 Hz through it while it plays.
    let f = 500.0;
    let amp = 0.5;
    let period = (FS / f as f32) as usize; // 96 samples
                                           // Then (2 bands) the whole range: 20 Hz → 20 kHz → 20 Hz.
    for (nb, lo, hi, slope) in [
        (3, 200.0, 2000.0, LrOrder::Lr2),
        (3, 200.0, 2000.0, LrOrder::Lr4),
        (3, 200.0, 2000.0, LrOrder::Lr8),
        (2, 20.0, 20_000.0, LrOrder::Lr4),
        (2, 20.0, 20_000.0, LrOrder::Lr8),
    ] {
        let mut s = neutral(nb, &[lo, 6000.0], slope);
        let mut m = mb(FS, 2, &s);
        let len = 96_000;
        let x = sine(len, FS, f, amp);
        let (mut y, mut yr) = (x.clone(), x.clone());
        let mut cut = |m: &mut Multiband, a: usize, b: usize| {
            m.process_stereo(&mut [&mut y[a..b], &mut yr[a..b]], None);
        };
        cut(&mut m, 0, 12_000);
        s.crossover_hz[0] = hi;
        m.set(&s);
        cut(&mut m, 12_000, 48_000);
        s.crossover_hz[0] = lo;
        m.set(&s);
        cut(&mut m, 48_000, len);
        // Level: RMS over whole periods vs the sine's.
        let want = amp as f64 / 2.0_f64.sqrt();
        let mut bump = 0.0_f64;
        for start in (6000..len - period).step_by(period / 4) {
            let rms = (y[start..start + period]
                .iter()
                .map(|&v| f64::from(v).powi(2))
                .sum::<f64>()
                / period as f64)
                .sqrt();
            bump = bump.max(db(rms / want).abs());
        }
        // Clicks: second difference against the steady sine's `A·(2 sin(ω/2))²`.
        let w = std::f64::consts::TAU * f / FS as f64;
        let steady = amp as f64 * (2.0 * (w / 2.0).sin()).powi(2);
        let d2 = f64::from(max_d2(&y[6000..]));
        eprintln!(
            "{nb} bands {lo}-{hi} {slope:?}: level bump {bump:.3} dB, d2 {:.3} × steady",
            d2 / steady
        );
        assert!(bump <= 0.5, "{slope:?}: bump {bump} dB");
        assert!(d2 < 1.2 * steady, "{slope:?}: d2 {d2} vs {steady}");
    }
}

#[test]
fn solo_mute_and_bypass_route_the_bands() {
    // Reference: the crossover's own bands, summed as the routing asks.
    let hz = [300.0, 3000.0];
    let len = 24_000;
    let x = noise(len, 3);
    let mut xo = Crossover::new();
    xo.prepare(FS, len, 1);
    xo.set_bands(&hz);
    let mut bands = vec![vec![0.0; len]; 3];
    {
        let mut refs: Vec<&mut [f32]> = bands.iter_mut().map(|b| &mut b[..]).collect();
        xo.process_block(0, &x, &mut refs);
    }
    type Case = (&'static str, fn(&mut MultibandSettings), [f32; 3]);
    let cases: [Case; 4] = [
        ("mute 1", |s| s.bands[1].mute = true, [1.0, 0.0, 1.0]),
        ("solo 2", |s| s.bands[2].solo = true, [0.0, 0.0, 1.0]),
        (
            "solo 0+1, mute 1",
            |s| {
                s.bands[0].solo = true;
                s.bands[1].solo = true;
                s.bands[1].mute = true;
            },
            [1.0, 0.0, 0.0],
        ),
        (
            // Every band compresses hard; band 1 bypassed and soloed: band 1 untouched.
            "bypass 1",
            |s| {
                for b in &mut s.bands {
                    b.ratio = f32::INFINITY;
                    b.threshold_db = -60.0;
                }
                s.bands[1].bypass = true;
                s.bands[1].solo = true;
            },
            [0.0, 1.0, 0.0],
        ),
    ];
    for (name, change, weights) in cases {
        let mut s = neutral(3, &hz, LrOrder::Lr4);
        change(&mut s);
        let mut m = mb(FS, 2, &s);
        let (y, yr) = run(&mut m, &x, &x, None, 333);
        let mut err = 0.0_f64;
        for i in 0..len {
            let want: f32 = (0..3).map(|b| weights[b] * bands[b][i]).sum();
            err = err
                .max(f64::from(y[i] - want).abs())
                .max(f64::from(yr[i] - want).abs());
        }
        assert!(err < 1e-5, "{name}: error {err}");
    }
    // Switching while playing cross-fades (no step larger than the music's).
    let mut s = neutral(3, &hz, LrOrder::Lr4);
    let mut m = mb(FS, 2, &s);
    let xs = sine(24_000, FS, 1000.0, 0.5);
    let (mut y, mut yr) = (xs.clone(), xs.clone());
    m.process_stereo(&mut [&mut y[..12_000], &mut yr[..12_000]], None);
    s.bands[1].mute = true;
    m.set(&s);
    m.process_stereo(&mut [&mut y[12_000..], &mut yr[12_000..]], None);
    let w = std::f64::consts::TAU * 1000.0 / FS as f64;
    let steady = 0.5 * (2.0 * (w / 2.0).sin()).powi(2);
    assert!(f64::from(max_d2(&y[11_000..14_000])) < 1.1 * steady);
}

#[test]
fn mix_zero_is_the_delayed_input_bit_exact_and_the_dry_path_is_aligned() {
    for linear in [false, true] {
        let mut s = MultibandSettings {
            linear_phase: linear,
            lookahead_ms: 5.0,
            mix: 0.0,
            ..Default::default()
        };
        for b in &mut s.bands {
            b.threshold_db = -40.0;
            b.ratio = 8.0;
        }
        let mut m = mb(FS, 2, &s);
        let lat = m.latency();
        let len = lat + 8000;
        let (x, xr) = (noise(len, 1), noise(len, 2));
        let (y, yr) = run(&mut m, &x, &xr, None, 500);
        for i in 0..len {
            let (a, b) = if i >= lat {
                (x[i - lat], xr[i - lat])
            } else {
                (0.0, 0.0)
            };
            assert_eq!(y[i].to_bits(), a.to_bits(), "linear {linear}: sample {i}");
            assert_eq!(yr[i].to_bits(), b.to_bits());
        }
    }
    // Mix 50 % with no band acting in linear phase: dry and wet are aligned, so the
    // output is still the delayed input (a misaligned dry would comb).
    let mut s = neutral(4, &[100.0, 1000.0, 5000.0], LrOrder::Lr4);
    s.linear_phase = true;
    s.mix = 0.5;
    s.lookahead_ms = 2.0;
    let mut m = mb(FS, 2, &s);
    let lat = m.latency();
    let len = lat + 24_000;
    let x = noise(len, 5);
    let (y, _) = run(&mut m, &x, &x, None, 512);
    let (mut err, mut sig) = (0.0_f64, 0.0_f64);
    for i in lat..len {
        err += f64::from(y[i] - x[i - lat]).powi(2);
        sig += f64::from(x[i - lat]).powi(2);
    }
    assert!(10.0 * (err / sig).log10() < -90.0);
}

/// Busy settings: all bands acting, lookahead, M/S, partial link, RMS, tilt, sidechain.
fn busy() -> MultibandSettings {
    let mut s = MultibandSettings {
        num_bands: 4,
        crossover_hz: [150.0, 900.0, 5000.0, 12_000.0],
        lookahead_ms: 2.0,
        tilt_db_per_oct: 3.0,
        mix: 0.8,
        input_gain_db: 3.0,
        output_gain_db: -2.0,
        external_key: true,
        ..Default::default()
    };
    for (k, b) in s.bands.iter_mut().enumerate() {
        b.threshold_db = -30.0 + 3.0 * k as f32;
        b.ratio = 3.0 + k as f32;
        b.attack_ms = 2.0;
        b.release_ms = 60.0;
        b.makeup_db = 1.0;
    }
    s.bands[1].stereo_mode = StereoMode::MidSide;
    s.bands[2].link = 0.4;
    s.bands[3].detection = DetectionMode::Rms;
    s
}

/// Runs with settings `a`, switching to `b` at sample `at`, in blocks from `sizes`.
fn run_switching(
    a: &MultibandSettings,
    b: &MultibandSettings,
    at: usize,
    x: (&[f32], &[f32]),
    key: Option<(&[f32], &[f32])>,
    mut sizes: impl FnMut() -> usize,
) -> (Vec<f32>, Vec<f32>) {
    let mut m = mb(FS, 2, a);
    let (mut l, mut r) = (x.0.to_vec(), x.1.to_vec());
    let mut i = 0;
    while i < l.len() {
        let e = (i + sizes())
            .min(l.len())
            .min(if i < at { at } else { usize::MAX });
        m.set(if i < at { a } else { b });
        let kb: [&[f32]; 2];
        let k = match key {
            Some((p, q)) => {
                kb = [&p[i..e], &q[i..e]];
                Some(&kb[..])
            }
            None => None,
        };
        m.process_stereo(&mut [&mut l[i..e], &mut r[i..e]], k);
        i = e;
    }
    (l, r)
}

#[test]
fn output_is_identical_for_any_block_size_through_changes() {
    let len = 20_000;
    let (x, xr) = (noise(len, 11), noise(len, 12));
    let (k, kr) = (noise(len, 13), noise(len, 14));
    let a = busy();
    let changes: [fn(&mut MultibandSettings); 3] = [
        |s| {
            s.crossover_hz = [300.0, 1500.0, 4000.0, 12_000.0];
            s.bands[0].threshold_db = -12.0;
            s.lookahead_ms = 6.0;
            s.mix = 1.0;
        },
        |s| {
            s.num_bands = 5;
            s.slope = LrOrder::Lr8;
        },
        |s| {
            s.linear_phase = true;
            s.bands[2].bypass = true;
        },
    ];
    for (c, change) in changes.iter().enumerate() {
        let mut b = a;
        change(&mut b);
        let key = if c == 0 {
            Some((&k[..], &kr[..]))
        } else {
            None
        };
        let reference = run_switching(&a, &b, 8192, (&x, &xr), key, || 512);
        let one = run_switching(&a, &b, 8192, (&x, &xr), key, || 1);
        let mut rng = fastrand::Rng::with_seed(c as u64);
        let random = run_switching(&a, &b, 8192, (&x, &xr), key, || rng.usize(1..=1500));
        assert!(reference.0.iter().all(|v| v.is_finite()));
        assert!(
            reference.0 == one.0 && reference.1 == one.1,
            "change {c}: block 1"
        );
        assert!(
            reference.0 == random.0 && reference.1 == random.1,
            "change {c}: random"
        );
        // Reset repeats the output.
        let mut m = mb(FS, 2, &a);
        let (y1, _) = run(&mut m, &x[..4096], &xr[..4096], None, 256);
        m.reset();
        m.set(&a);
        let (y2, _) = run(&mut m, &x[..4096], &xr[..4096], None, 256);
        assert!(y1 == y2);
    }
}

#[test]
fn topology_and_lookahead_changes_do_not_click() {
    let f = 300.0;
    let amp = 0.5;
    let w = std::f64::consts::TAU * f / FS as f64;
    let steady = amp as f64 * (2.0 * (w / 2.0).sin()).powi(2);
    let changes: [fn(&mut MultibandSettings); 6] = [
        |s| s.num_bands = 5,
        |s| s.slope = LrOrder::Lr8,
        |s| s.linear_phase = true,
        |s| s.lookahead_ms = 8.0,
        |s| s.bands[0].stereo_mode = StereoMode::MidSide,
        |s| s.bands[0].threshold_db = -40.0,
    ];
    for (c, change) in changes.iter().enumerate() {
        let mut s0 = MultibandSettings::default();
        for b in &mut s0.bands {
            b.threshold_db = -12.0;
            b.link = 0.0;
        }
        let mut s1 = s0;
        change(&mut s1);
        let x = sine(48_000, FS, f, amp);
        let xr = sine(48_000, FS, f * 1.01, amp);
        let (y, yr) = run_switching(&s0, &s1, 20_000, (&x, &xr), None, || 512);
        let d2 = f64::from(max_d2(&y[19_000..]).max(max_d2(&yr[19_000..])));
        eprintln!("change {c}: d2 {:.2} × steady", d2 / steady);
        // A click is orders of magnitude above the sine's own second difference (an
        // un-faded switch gives ~9×, an unfilled lookahead line ~200×); the linear
        // cross-fade of the shared `LookaheadDelay` leaves a kink of ~1.7× at its end.
        assert!(d2 < 2.0 * steady, "change {c}: {d2} vs {steady}");
    }
}

#[test]
fn external_key_drives_the_band_it_falls_in() {
    let hz = [200.0, 2000.0];
    let mut s = MultibandSettings {
        num_bands: 3,
        crossover_hz: [200.0, 2000.0, 6000.0, 12_000.0],
        external_key: true,
        ..Default::default()
    };
    for b in &mut s.bands {
        b.threshold_db = -30.0;
        b.ratio = 4.0;
    }
    let _ = hz;
    let len = 9600;
    // Main: a loud 100 Hz sine (band 0); key: a loud 5 kHz sine (band 2) only.
    let x = sine(len, FS, 100.0, 0.5);
    let k = sine(len, FS, 5000.0, 0.5);
    let mut m = mb(FS, 2, &s);
    run(&mut m, &x, &x, Some((&k, &k)), 512);
    assert!(
        m.band_gain_reduction_db(0) < 0.01,
        "{}",
        m.band_gain_reduction_db(0)
    );
    assert!(
        m.band_gain_reduction_db(2) > 5.0,
        "{}",
        m.band_gain_reduction_db(2)
    );
    // Without the key (or with it disabled), band 0 compresses on the main signal.
    s.external_key = false;
    let mut m = mb(FS, 2, &s);
    run(&mut m, &x, &x, Some((&k, &k)), 512);
    assert!(m.band_gain_reduction_db(0) > 5.0);
    assert!(m.band_gain_reduction_db(2) < 0.01);
    let want = db(0.5 * lr_magnitude(LrOrder::Lr4, FS, 200.0, 100.0, false));
    assert!((f64::from(m.band_input_level_db(0)) - want).abs() < 0.05);
    // Linear phase too.
    s.external_key = true;
    s.linear_phase = true;
    let mut m = mb(FS, 2, &s);
    let x = sine(len + m.latency(), FS, 100.0, 0.5);
    let k = sine(len + m.latency(), FS, 5000.0, 0.5);
    run(&mut m, &x, &x, Some((&k, &k)), 512);
    assert!(m.band_gain_reduction_db(0) < 0.01);
    assert!(m.band_gain_reduction_db(2) > 5.0);
}

#[test]
fn hostile_input_stays_finite_and_recovers_at_any_rate_and_block() {
    with_and_without_ftz(|_| {
        for fs in [8_000.0, 44_100.0, 96_000.0, 384_000.0] {
            for &block in &[1usize, 64, 8192] {
                let mut s = busy();
                s.external_key = false;
                let mut m = Multiband::new();
                m.prepare(fs, 8192.min(block.max(64)), 2);
                m.set(&s);
                let len = 16_384;
                let hostile: [f32; 5] = [f32::NAN, f32::INFINITY, -f32::INFINITY, f32::MAX, 1e-40];
                let mut x = noise(len, 9);
                for (j, &h) in hostile.iter().enumerate() {
                    for v in &mut x[1000 + j * 500..1100 + j * 500] {
                        *v = h;
                    }
                }
                let (y, _) = run(&mut m, &x, &x, None, block);
                assert!(y.iter().all(|v| v.is_finite()), "{fs} {block}");
                // Recovery: clean noise afterwards matches a fresh processor's output
                // level within 1 dB once the release is over.
                // 0.5 s of clean noise; the last quarter is compared.
                let clean_len = (fs / 2.0) as usize;
                let clean = noise(clean_len, 10);
                let (y, _) = run(&mut m, &clean, &clean, None, block);
                let mut fresh = Multiband::new();
                fresh.prepare(fs, 512, 2);
                fresh.set(&s);
                let (z, _) = run(&mut fresh, &clean, &clean, None, 512);
                let rms = |v: &[f32]| {
                    (v.iter().map(|&a| f64::from(a).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
                };
                let tail = clean_len * 3 / 4..clean_len;
                let diff = db(rms(&y[tail.clone()]) / rms(&z[tail]));
                assert!(diff.abs() < 1.0, "{fs} {block}: {diff} dB");
            }
        }
    });
}

#[test]
fn crossovers_are_kept_in_range_in_order_and_apart() {
    let s = sanitize_crossovers(48_000.0, &[30_000.0, 5.0, 1000.0, 1010.0]);
    assert_eq!(s[0], MIN_CROSSOVER_HZ);
    assert!(s[3] <= MAX_CROSSOVER_HZ);
    for k in 1..4 {
        assert!(s[k] >= s[k - 1] * MIN_CROSSOVER_RATIO * 0.9999, "{s:?}");
    }
    let s = sanitize_crossovers(8_000.0, &[3000.0, 3500.0, 3590.0, f32::NAN]);
    assert!(
        s[3] <= 3600.0 && s.windows(2).all(|w| w[1] >= w[0] * 1.2599),
        "{s:?}"
    );
}

/// LR4 low-pass magnitude as the bilinear transform realises it, `1/(1+Ω⁴)`,
/// `Ω = tan(πf/fs)/tan(πfc/fs)` (the linear-phase kernels' target), from the formula.
fn lr4_low(f: f64, fc: f64) -> f64 {
    let t = |x: f64| (std::f64::consts::PI * x / f64::from(FS)).tan();
    1.0 / (1.0 + (t(f) / t(fc)).powi(4))
}

/// Linear phase: a crossover move cross-fades kernels inside the splitter. With every band
/// at unity the band sum is the delayed input whatever the kernels, so that case cannot
/// click; here band 1 is 6 dB down (makeup −6 dB, ratio 1, nothing compresses) so the
/// split shows in the output. Crossover 0 jumps 200 Hz → 2 kHz → 200 Hz while (a) a 500 Hz
/// sine and (b) low-passed noise play. Level: RMS per window stays between the two static
/// levels (sine: `|T + g(1 − T)|·A` from the LR4 formula; noise: two static processors at
/// 200 Hz and 2 kHz on the same noise) within 0.5 dB, and reaches each of them. Clicks: the
/// largest second difference stays below 1.2 × the steady state's (sine: `A·(2 sin(ω/2))²`
/// at the louder level; noise: the larger of the static outputs').
#[test]
fn linear_phase_crossover_moves_do_not_click_or_bump_the_level() {
    let (lo, hi) = (200.0_f32, 2000.0_f32);
    let g = 10.0_f64.powf(-6.0 / 20.0);
    let mut s = neutral(2, &[lo], LrOrder::Lr4);
    s.linear_phase = true;
    s.bands[1].makeup_db = -6.0;
    let len = 96_000;
    let (at_hi, at_lo) = (12_000, 48_000);
    // The swept run, in 480-sample blocks.
    let sweep = |x: &[f32]| {
        let mut m = mb(FS, 2, &s);
        let (mut y, mut yr) = (x.to_vec(), x.to_vec());
        let mut s2 = s;
        for start in (0..len).step_by(480) {
            s2.crossover_hz[0] = if (at_hi..at_lo).contains(&start) {
                hi
            } else {
                lo
            };
            m.set(&s2);
            let e = start + 480;
            m.process_stereo(&mut [&mut y[start..e], &mut yr[start..e]], None);
        }
        (y, m.latency())
    };
    let fixed = |x: &[f32], hz: f32| {
        let mut s2 = s;
        s2.crossover_hz[0] = hz;
        let mut m = mb(FS, 2, &s2);
        run(&mut m, x, x, None, 480).0
    };
    // (a) Sine.
    let (f, amp) = (500.0, 0.5_f32);
    let period = 96;
    let x = sine(len, FS, f, amp);
    let (y, lat) = sweep(&x);
    let level = |fc: f32| db(lr4_low(f, f64::from(fc)) + g * (1.0 - lr4_low(f, f64::from(fc))));
    let (l_lo, l_hi) = (level(lo), level(hi));
    let (l_min, l_max) = (l_lo.min(l_hi), l_lo.max(l_hi));
    let want = f64::from(amp) / 2.0_f64.sqrt();
    let rms_db = |v: &[f32]| {
        db((v.iter().map(|&a| f64::from(a).powi(2)).sum::<f64>() / v.len() as f64).sqrt())
    };
    let settle = lat + 10_000;
    let (mut bump, mut near_lo, mut near_hi) = (0.0_f64, f64::MAX, f64::MAX);
    for start in (settle..len - period).step_by(period / 4) {
        let l = rms_db(&y[start..start + period]) - db(want);
        bump = bump.max(l - l_max).max(l_min - l);
        near_lo = near_lo.min((l - l_lo).abs());
        near_hi = near_hi.min((l - l_hi).abs());
    }
    let w = std::f64::consts::TAU * f / f64::from(FS);
    let steady = f64::from(amp) * 10.0_f64.powf(l_max / 20.0) * (2.0 * (w / 2.0).sin()).powi(2);
    let d2 = f64::from(max_d2(&y[settle..]));
    eprintln!(
        "linear phase, sine: static {l_lo:.2} / {l_hi:.2} dB, bump {bump:.3} dB, d2 {:.3} × steady",
        d2 / steady
    );
    assert!(near_lo < 0.1 && near_hi < 0.1, "levels {near_lo} {near_hi}");
    assert!(bump <= 0.5, "sine: bump {bump} dB");
    assert!(d2 < 1.2 * steady, "sine: d2 {d2} vs {steady}");
    // (b) Noise, low-passed (two one-poles at 300 Hz) so its own second difference is small.
    let a = (-std::f64::consts::TAU * 300.0 / f64::from(FS)).exp() as f32;
    let (mut p1, mut p2) = (0.0_f32, 0.0_f32);
    let x: Vec<f32> = noise(len, 7)
        .iter()
        .map(|&v| {
            p1 = v + a * (p1 - v);
            p2 = p1 + a * (p2 - p1);
            4.0 * p2
        })
        .collect();
    let (y, _) = sweep(&x);
    let (y_lo, y_hi) = (fixed(&x, lo), fixed(&x, hi));
    let win = 960;
    let mut bump = 0.0_f64;
    let mut spread = 0.0_f64;
    for start in (settle..len - win).step_by(win / 4) {
        let r = |v: &[f32]| rms_db(&v[start..start + win]);
        let (a, b) = (r(&y_lo), r(&y_hi));
        let l = r(&y);
        bump = bump.max(l - a.max(b)).max(a.min(b) - l);
        spread = spread.max((a - b).abs());
    }
    let steady = f64::from(max_d2(&y_lo[settle..]).max(max_d2(&y_hi[settle..])));
    let d2 = f64::from(max_d2(&y[settle..]));
    eprintln!(
        "linear phase, noise: static levels up to {spread:.2} dB apart, bump {bump:.3} dB, d2 {:.3} × steady",
        d2 / steady
    );
    assert!(spread > 1.0, "the move must change the level: {spread} dB");
    assert!(bump <= 0.5, "noise: bump {bump} dB");
    assert!(d2 < 1.2 * steady, "noise: d2 {d2} vs {steady}");
}
