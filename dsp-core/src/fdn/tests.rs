use super::measure::band_rt60;
use super::*;

/// Delays of a test network (ms), spread like the Reverb's.
const TEST_MS: [f32; FDN_LINES] = [31.7, 37.3, 41.9, 47.3, 53.1, 59.3, 67.7, 73.9];

fn network(fs: f32, decay: &DecaySettings, freeze: f32, depth: f32) -> Fdn {
    let mut f = Fdn::new(200.0);
    f.prepare(fs, 64, 2);
    f.set_delays(&TEST_MS.map(|ms| ms * 1e-3 * fs));
    f.set_modulation(0.7, depth);
    f.set_decay(decay, freeze);
    f
}

/// Impulse into every line with alternating signs; output = sum of the line outputs.
fn impulse_response(f: &mut Fdn, len: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(len);
    for n in 0..len {
        let mut inject = [0.0; FDN_LINES];
        if n == 0 {
            for (i, v) in inject.iter_mut().enumerate() {
                *v = if i % 2 == 0 { 1.0 } else { -1.0 };
            }
        }
        let y = f.tick(&inject);
        out.push(y.iter().sum());
    }
    out
}

#[test]
fn hadamard_is_orthogonal_and_involutive() {
    // Columns of H₈/√8 from unit vectors: unit norm, mutually orthogonal, H·H = I.
    let mut cols = [[0.0_f32; FDN_LINES]; FDN_LINES];
    for (j, c) in cols.iter_mut().enumerate() {
        c[j] = 1.0;
        hadamard8(c);
        for &v in c.iter() {
            assert!((v.abs() - 8f32.sqrt().recip()).abs() < 1e-7);
        }
    }
    for a in 0..FDN_LINES {
        for b in 0..FDN_LINES {
            let dot: f32 = (0..FDN_LINES).map(|i| cols[a][i] * cols[b][i]).sum();
            let want = if a == b { 1.0 } else { 0.0 };
            assert!((dot - want).abs() < 1e-6, "{a} {b} {dot}");
        }
        let mut back = cols[a];
        hadamard8(&mut back);
        for (i, &v) in back.iter().enumerate() {
            assert!((v - if i == a { 1.0 } else { 0.0 }).abs() < 1e-6);
        }
    }
}

#[test]
fn shelves_match_the_bilinear_rbj_shelf() {
    // The line filter's designed response vs the RBJ cookbook shelf (analog prototype,
    // A = 10^(G/40), Q = 1/√2) evaluated at the bilinear-warped frequency: within 0.01 dB.
    let fs = 48_000.0_f64;
    let rbj = |f: f64, fc: f64, g_db: f64, high: bool| {
        let a = 10f64.powf(g_db / 40.0);
        let q = std::f64::consts::FRAC_1_SQRT_2;
        // Warped normalised frequency Ω = tan(πf/fs)/tan(πfc/fs).
        let w = (PI * f / fs).tan() / (PI * fc / fs).tan();
        let (n0, n1, n2, d0, d1, d2) = if high {
            (a, a.sqrt() / q * a, a * a, a, a.sqrt() / q, 1.0)
        } else {
            (a * a, a * a.sqrt() / q, a, 1.0, a.sqrt() / q, a)
        };
        // H(jΩ) = (n0 + n1 jΩ + n2 (jΩ)²)/(d0 + d1 jΩ + d2 (jΩ)²).
        let (nr, ni) = (n0 - n2 * w * w, n1 * w);
        let (dr, di) = (d0 - d2 * w * w, d1 * w);
        10.0 * ((nr * nr + ni * ni) / (dr * dr + di * di)).log10()
    };
    for (g, high) in [(-6.0, false), (4.0, false), (-9.0, true), (3.0, true)] {
        let c = ShelfCoefs::design(fs, 1000.0, g, high);
        for f in [30.0, 200.0, 1000.0, 3000.0, 15_000.0] {
            let got = svf_mag_db(c.a, c.m, f / fs);
            let want = rbj(f, 1000.0, g, high);
            assert!((got - want).abs() < 0.01, "{g} {high} {f}: {got} vs {want}");
        }
    }
}

#[test]
fn band_rt60_follows_the_three_band_setting() {
    // Bare network: measured T30 per octave band within 5 % (mid) / 10 % (low, high).
    let fs = 48_000.0;
    let decay = DecaySettings {
        rt60_s: 1.5,
        low_mult: 2.0,
        high_mult: 0.4,
        low_hz: 250.0,
        high_hz: 3000.0,
    };
    let mut f = network(fs, &decay, 0.0, 0.0);
    let ir = impulse_response(&mut f, (fs * 3.5) as usize);
    for (fc, want, tol) in [
        (63.0, 3.0, 0.10),
        (1000.0, 1.5, 0.05),
        (12_000.0, 0.6, 0.10),
    ] {
        let got = band_rt60(&ir, f64::from(fs), fc).unwrap();
        eprintln!("fdn band {fc} Hz: RT60 {got:.3} s (set {want})");
        assert!((got / want - 1.0).abs() < tol, "{fc}: {got} vs {want}");
    }
}

#[test]
fn lossless_when_frozen() {
    // Freeze = 1 with modulation: the energy held in the lines stays within ±0.1 dB over
    // 10 s (orthogonal matrix, unit-magnitude interpolation).
    let fs = 48_000.0;
    let mut f = network(fs, &DecaySettings::default(), 1.0, 10.0);
    let mut rng = fastrand::Rng::with_seed(3);
    let energy = |f: &mut Fdn, n: usize| -> f64 {
        (0..n)
            .map(|_| {
                let y = f.tick(&[0.0; FDN_LINES]);
                y.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>()
            })
            .sum::<f64>()
            / n as f64
    };
    for _ in 0..4800 {
        let inject = [0; FDN_LINES].map(|_: i32| rng.f32() - 0.5);
        f.tick(&inject);
    }
    let first = energy(&mut f, 48_000);
    for s in 0..10 {
        let e = energy(&mut f, 48_000);
        let db = 10.0 * (e / first).log10();
        assert!(db.abs() < 0.1, "second {s}: {db} dB");
    }
}

#[test]
fn poisoned_state_is_cleared() {
    let mut f = network(48_000.0, &DecaySettings::default(), 0.0, 5.0);
    f.tick(&[f32::NAN; FDN_LINES]);
    f.sanitize();
    for _ in 0..10_000 {
        let y = f.tick(&[0.0; FDN_LINES]);
        assert!(y.iter().all(|v| v.is_finite()));
    }
    // Hostile settings are clamped.
    f.set_delays(&[f32::NAN; FDN_LINES]);
    f.set_modulation(f32::INFINITY, f32::NAN);
    f.set_decay(
        &DecaySettings {
            rt60_s: f32::NAN,
            low_mult: -1.0,
            high_mult: f32::INFINITY,
            low_hz: 0.0,
            high_hz: 1e9,
        },
        f32::NAN,
    );
    let y = f.tick(&[1.0; FDN_LINES]);
    assert!(y.iter().all(|v| v.is_finite()));
}
