//! Real-time behaviour: transparency, routing, block-size invariance, automation,
//! solo, auto gain, hostile input.

use super::*;

/// A busy setting: every band on, every routing, cuts at 24 dB/oct.
fn busy() -> EqSettings {
    let mut s = with_bands(&[
        band(BandType::Bell, 120.0, 6.0, 1.0),
        band(BandType::LowShelf, 90.0, -4.0, 0.707),
        band(BandType::HighShelf, 9000.0, 5.0, 0.8),
        band(BandType::Bell, 2500.0, -8.0, 3.0),
        BandSettings {
            routing: Routing::Mid,
            ..band(BandType::Bell, 700.0, 4.0, 2.0)
        },
        BandSettings {
            routing: Routing::Side,
            ..band(BandType::HighShelf, 4000.0, 3.0, 0.707)
        },
        BandSettings {
            routing: Routing::Left,
            ..band(BandType::Notch, 5000.0, 0.0, 6.0)
        },
        BandSettings {
            routing: Routing::Right,
            ..band(BandType::Tilt, 1000.0, 3.0, 0.707)
        },
    ]);
    s.bands[8] = BandSettings {
        slope: CutSlope::Db24,
        ..band(BandType::LowCut, 30.0, 0.0, std::f32::consts::FRAC_1_SQRT_2)
    };
    s.bands[9] = BandSettings {
        slope: CutSlope::Db24,
        ..band(
            BandType::HighCut,
            18_000.0,
            0.0,
            std::f32::consts::FRAC_1_SQRT_2,
        )
    };
    s.output_gain_db = -2.0;
    s
}

#[test]
fn every_band_off_is_bit_transparent_and_costs_nothing() {
    let (l, r) = (noise(5000, 1), noise(5000, 2));
    let mut s = busy();
    for b in &mut s.bands {
        b.enabled = false;
    }
    s.output_gain_db = 0.0;
    let mut eq = eq_at(FS, &s);
    assert_eq!(eq.active_sections(), 0);
    assert!(eq.is_transparent());
    let (ol, or) = run(&mut eq, &l, &r, 333);
    assert_eq!(ol, l);
    assert_eq!(or, r);
    // One band on: exactly its sections run; switching it off again fades back to
    // the transparent state.
    s.bands[3].enabled = true;
    eq.set_settings(&s);
    run(&mut eq, &l, &r, 64);
    assert_eq!(eq.active_sections(), 1);
    s.bands[3].enabled = false;
    eq.set_settings(&s);
    run(&mut eq, &l, &r, 64);
    assert_eq!(eq.active_sections(), 0);
    let (ol, or) = run(&mut eq, &l, &r, 64);
    assert_eq!(ol, l);
    assert_eq!(or, r);
}

#[test]
fn mid_side_at_zero_db_is_lossless() {
    let (l, r) = (noise(8000, 3), noise(8000, 4));
    let mut s = EqSettings::default();
    for (k, b) in s.bands.iter_mut().enumerate().take(8) {
        *b = BandSettings {
            routing: if k % 2 == 0 {
                Routing::Mid
            } else {
                Routing::Side
            },
            ..band(BandType::Bell, 100.0 * (k + 1) as f32, 0.0, 1.0)
        };
    }
    let mut eq = eq_at(FS, &s);
    assert_eq!(eq.active_sections(), 8);
    let (ol, or) = run(&mut eq, &l, &r, 512);
    let err = ol
        .iter()
        .zip(&l)
        .chain(or.iter().zip(&r))
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(err <= 1e-6, "{err}");
}

/// Routing: a left-only band leaves the right channel bit for bit; a mid band leaves the
/// side (`L − R`) alone and a side band the mid (within rounding), and they filter what they
/// are routed to with the band's response.
#[test]
fn routing_filters_only_its_channels() {
    let (l, r) = (noise(20_000, 5), noise(20_000, 6));
    let boost = band(BandType::Bell, 1000.0, 12.0, 1.0);
    let mut eq = eq_at(
        FS,
        &with_bands(&[BandSettings {
            routing: Routing::Left,
            ..boost
        }]),
    );
    let (ol, or) = run(&mut eq, &l, &r, 256);
    assert_eq!(or, r);
    assert!(ol != l);
    let mut eq = eq_at(
        FS,
        &with_bands(&[BandSettings {
            routing: Routing::Right,
            ..boost
        }]),
    );
    let (ol, or) = run(&mut eq, &l, &r, 256);
    assert_eq!(ol, l);
    assert!(or != r);
    for (routing, keep) in [(Routing::Mid, -1.0f32), (Routing::Side, 1.0)] {
        let mut eq = eq_at(FS, &with_bands(&[BandSettings { routing, ..boost }]));
        let (ol, or) = run(&mut eq, &l, &r, 256);
        // The untouched component: side for a mid band, mid for a side band.
        let err = (0..l.len())
            .map(|i| ((ol[i] + keep * or[i]) - (l[i] + keep * r[i])).abs())
            .fold(0.0, f32::max);
        assert!(err < 1e-5, "{routing:?}: {err}");
    }
    // The mid band's response on a mid impulse (L = R = δ) is the band's curve.
    let mut eq = eq_at(
        FS,
        &with_bands(&[BandSettings {
            routing: Routing::Mid,
            ..boost
        }]),
    );
    let n = 1 << 14;
    let (mut il, mut ir) = (vec![0.0; n], vec![0.0; n]);
    il[0] = 1.0;
    ir[0] = 1.0;
    eq.process_stereo(&mut il, &mut ir);
    let curve = EqCurve::new(&with_bands(&[boost]), FS);
    for f in log_freqs(20.0, 20_000.0, 50) {
        let m = dtft_db(&il, f, f64::from(FS));
        assert!((m - curve.magnitude_db(f)).abs() < 0.01, "{f}: {m}");
    }
}

/// The same input, the same settings changes at the same samples (switches, ramps, a
/// fade, output gain, auto gain): identical output for block sizes 1, 64, 4096 and random.
#[test]
fn output_is_identical_for_any_block_size() {
    let len = 30_000;
    let (l, r) = (noise(len, 7), noise(len, 8));
    // Settings changes at fixed samples.
    let changes = |at: usize| -> Option<EqSettings> {
        let mut s = busy();
        s.auto_gain = true;
        match at {
            0 => Some(s),
            5000 => {
                s.bands[0].freq_hz = 3000.0;
                s.bands[3].gain_db = 9.0;
                Some(s)
            }
            12_000 => {
                s.bands[0].freq_hz = 3000.0;
                s.bands[2].band_type = BandType::Bell;
                s.bands[8].slope = CutSlope::Db48;
                s.output_gain_db = 3.0;
                Some(s)
            }
            20_000 => {
                s.bands[5].solo = true;
                Some(s)
            }
            _ => None,
        }
    };
    let render = |sizes: &mut dyn FnMut() -> usize| {
        let mut eq = Eq::new();
        eq.prepare(FS, 4096, 2);
        let (mut ol, mut or) = (l.clone(), r.clone());
        let marks = [0, 5000, 12_000, 20_000, len];
        for w in marks.windows(2) {
            eq.set_settings(&changes(w[0]).unwrap());
            let mut pos = w[0];
            while pos < w[1] {
                let n = sizes().min(w[1] - pos);
                eq.process_stereo(&mut ol[pos..pos + n], &mut or[pos..pos + n]);
                pos += n;
            }
        }
        (ol, or)
    };
    let reference = render(&mut || 1);
    for block in [64, 4096] {
        let out = render(&mut || block);
        let first = (0..len).find(|&i| out.0[i] != reference.0[i] || out.1[i] != reference.1[i]);
        assert!(
            first.is_none(),
            "block {block}: first difference at {first:?}"
        );
    }
    let mut rng = fastrand::Rng::with_seed(9);
    assert!(
        render(&mut || rng.usize(1..700)) == reference,
        "random blocks"
    );
}

/// Coefficients are redesigned only while a value moves, on the 16-sample grid.
#[test]
fn coefficients_move_only_while_a_value_moves() {
    let mut s = with_bands(&[band(BandType::Bell, 1000.0, 6.0, 1.0)]);
    let mut eq = eq_at(FS, &s);
    let (l, r) = (noise(4800, 1), noise(4800, 2));
    let coefs = |eq: &Eq| eq.chain.lr.clone();
    let before = coefs(&eq);
    run(&mut eq, &l, &r, 100);
    assert!(!eq.ramps.iter().any(|r| r.dirty));
    let same = coefs(&eq);
    assert!(format!("{:?}", before.coefs_debug()) == format!("{:?}", same.coefs_debug()));
    s.bands[0].freq_hz = 2000.0;
    eq.set_settings(&s);
    // Sample by sample: the coefficients change exactly at multiples of 16 samples.
    let ramp = (FS * SMOOTH_MS * 1e-3) as usize;
    let mut changes = Vec::new();
    let mut last = coefs(&eq).coefs_debug();
    for i in 0..ramp + 200 {
        let (mut a, mut b) = ([l[i]], [r[i]]);
        eq.process_stereo(&mut a, &mut b);
        let now = coefs(&eq).coefs_debug();
        if now != last {
            changes.push(eq.clock - 1);
            last = now;
        }
    }
    assert!(!changes.is_empty());
    assert!(
        changes.iter().all(|c| c % COEF_INTERVAL == 0),
        "{changes:?}"
    );
    let gaps_ok = changes.windows(2).all(|w| w[1] - w[0] == COEF_INTERVAL);
    assert!(gaps_ok, "{changes:?}");
    // The last redesign lands on the target exactly.
    let target = EqCurve::new(&s, FS);
    let d = target.band_sections(0)[0];
    let want = cascade::LaneCoefs::from_digital(&d);
    assert_eq!(eq.chain.lr.lane(0, 0), want);
    assert!(*changes.last().unwrap() <= 4800 + ramp as u64 + COEF_INTERVAL);
}

/// A +18 dB bell swept from 20 Hz to 20 kHz in 100 ms over a sine stays bounded and
/// click-free: no sample step beyond what the boosted sine itself can make.
#[test]
fn a_fast_bell_sweep_is_bounded_and_click_free() {
    for sr in [44_100.0f32, 96_000.0] {
        let n = (0.1 * sr) as usize;
        let amp = 0.1f32;
        let f_sig = 440.0;
        let x = sine(sr, f_sig, amp, 0, n + 4800);
        let mut s = with_bands(&[band(BandType::Bell, 20.0, 18.0, 1.0)]);
        let mut eq = eq_at(sr, &s);
        let (mut l, mut r) = (x.clone(), x.clone());
        let block = 32;
        for (i, (cl, cr)) in l.chunks_mut(block).zip(r.chunks_mut(block)).enumerate() {
            let t = ((i * block) as f32 / n as f32).min(1.0);
            s.bands[0].freq_hz = 20.0 * 1000f32.powf(t);
            eq.set_settings(&s);
            eq.process_stereo(cl, cr);
        }
        let gain = 10f32.powf(18.0 / 20.0);
        let peak = l.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(peak <= 1.3 * amp * gain, "{sr}: peak {peak}");
        // A sine of amplitude A·G moves at most ωAG per sample.
        let w = 2.0 * std::f32::consts::PI * f_sig as f32 / sr;
        let step = max_step(&l);
        assert!(
            step <= 1.3 * w * amp * gain,
            "{sr}: step {step} vs {}",
            w * amp * gain
        );
        assert_eq!(l, r);
    }
}

/// Switching a band on, changing its type and routing while a sine plays: cross-faded,
/// no step beyond the signal's own.
#[test]
fn switches_cross_fade_without_clicks() {
    let sr = FS;
    let amp = 0.5f32;
    // Not a whole number of periods per 9600-sample chunk: the switches land on
    // different phases.
    let f_sig = 217.0;
    let x = sine(sr, f_sig, amp, 0, 7 * 9600);
    let mut s = with_bands(&[band(BandType::Bell, 200.0, 12.0, 2.0)]);
    s.bands[0].enabled = false;
    let mut eq = eq_at(sr, &s);
    let (mut l, mut r) = (x.clone(), x.clone());
    let steps: [&dyn Fn(&mut EqSettings); 6] = [
        &|s| s.bands[0].enabled = true,
        &|s| s.bands[0].band_type = BandType::LowCut,
        &|s| s.bands[0].routing = Routing::Side,
        &|s| s.bands[0].solo = true,
        &|s| *s = with_bands(&[band(BandType::Bell, 200.0, 12.0, 2.0)]),
        &|s| s.bands[0].enabled = false,
    ];
    for (i, (cl, cr)) in l.chunks_mut(9600).zip(r.chunks_mut(9600)).enumerate() {
        if i > 0 {
            steps[i - 1](&mut s);
            eq.set_settings(&s);
        }
        eq.process_stereo(cl, cr);
    }
    let w = 2.0 * std::f32::consts::PI * f_sig as f32 / sr;
    let step = max_step(&l).max(max_step(&r));
    assert!(step <= 1.2 * w * amp * 4.0, "step {step}");
}

/// Solo: a soloed bell lets through the band-pass `Q·A` at its frequency (0 dB at `f0`,
/// the prototype band-pass's skirts), whatever the other bands do.
#[test]
fn solo_follows_the_band_shape() {
    let bell = BandSettings {
        solo: true,
        ..band(BandType::Bell, 1000.0, 12.0, 1.0)
    };
    let s = with_bands(&[band(BandType::HighShelf, 5000.0, 9.0, 0.7), bell]);
    let mut eq = eq_at(FS, &s);
    let n = 1 << 15;
    let (mut l, mut r) = (vec![0.0; n], vec![0.0; n]);
    l[0] = 1.0;
    eq.process_stereo(&mut l, &mut r);
    let qa = 1.0 * 10f64.powf(12.0 / 40.0);
    let bp = band(BandType::BandPass, 1000.0, 0.0, qa as f32);
    for f in log_freqs(50.0, 20_000.0, 100) {
        let (m, p) = (dtft_db(&l, f, f64::from(FS)), prototype_db(&bp, f));
        if p > -20.0 {
            assert!((m - p).abs() < 0.5, "{f}: {m} vs {p}");
        }
    }
    // A wider (lower-gain) bell solos wider.
    let curve_at = |gain: f32, f: f64| {
        let mut eq = eq_at(
            FS,
            &with_bands(&[BandSettings {
                gain_db: gain,
                ..bell
            }]),
        );
        let (mut l, mut r) = (vec![0.0; n], vec![0.0; n]);
        l[0] = 1.0;
        eq.process_stereo(&mut l, &mut r);
        dtft_db(&l, f, f64::from(FS))
    };
    assert!(curve_at(3.0, 2000.0) > curve_at(18.0, 2000.0) + 3.0);
}

/// Pink noise (Kellett's filter over white noise) through boosts and cuts with auto gain:
/// the long-term K-weighted loudness of the output stays within 0.5 dB of the input's.
#[test]
fn auto_gain_holds_loudness_on_pink_noise() {
    let sr = FS;
    let len = (sr * 24.0) as usize;
    let pink = crate::test_util::pink(len, 11, 0.11);
    let loudness = |x: &[f32], y: &[f32]| {
        let mut k = KWeighting::new();
        k.prepare(sr, x.len(), 2);
        let mut sums = [0.0; 2];
        k.sum_squares_pair(0, Some(1), x, y, &mut sums);
        10.0 * ((sums[0] + sums[1]) / x.len() as f64).log10()
    };
    let settings = [
        with_bands(&[band(BandType::Bell, 1000.0, 12.0, 1.0)]),
        with_bands(&[band(BandType::LowShelf, 600.0, -12.0, 0.707)]),
        with_bands(&[
            band(BandType::HighShelf, 3000.0, 9.0, 0.707),
            band(BandType::Bell, 300.0, -6.0, 2.0),
        ]),
        with_bands(&[band(BandType::Tilt, 1000.0, -18.0, 0.5)]),
    ];
    for s in settings {
        let s = EqSettings {
            auto_gain: true,
            ..s
        };
        let mut eq = eq_at(sr, &s);
        let (ol, or) = run(&mut eq, &pink, &pink, 512);
        let tail = len / 2;
        let (li, lo) = (
            loudness(&pink[tail..], &pink[tail..]),
            loudness(&ol[tail..], &or[tail..]),
        );
        let plain = {
            let mut eq = eq_at(
                sr,
                &EqSettings {
                    auto_gain: false,
                    ..s
                },
            );
            let (ol, or) = run(&mut eq, &pink, &pink, 512);
            loudness(&ol[tail..], &or[tail..])
        };
        println!(
            "auto gain: in {li:.2} LUFS-ish, EQ alone {plain:.2}, with auto gain {lo:.2} ({:+.2} dB correction)",
            eq.auto_gain_db()
        );
        assert!((plain - li).abs() > 1.0, "the EQ must change the loudness");
        assert!((lo - li).abs() <= 0.5, "{lo} vs {li}");
    }
}

/// NaN, infinities, +40 dBFS and f32::MAX in: finite output on the next clean block,
/// and the memories recover; denormal input leaves no denormal state, with and without
/// flush-to-zero.
#[test]
fn hostile_input_never_poisons_later_blocks() {
    with_and_without_ftz(|_| {
        let mut eq = eq_at(FS, &busy());
        let n = 256;
        for bad in [f32::NAN, f32::INFINITY, f32::MAX, 100.0, 1e-40] {
            let (mut l, mut r) = (vec![bad; n], vec![-bad; n]);
            eq.process_stereo(&mut l, &mut r);
            let (mut l, mut r) = (noise(n, 1), noise(n, 2));
            eq.process_stereo(&mut l, &mut r);
            assert!(l.iter().chain(&r).all(|v| v.is_finite()), "{bad}");
        }
        // Silence after denormals: the memories decay to exact zero.
        let (mut l, mut r) = (vec![1e-40f32; 48_000], vec![0.0; 48_000]);
        eq.process_stereo(&mut l, &mut r);
        let (mut l, mut r) = (vec![0.0f32; 48_000], vec![0.0; 48_000]);
        eq.process_stereo(&mut l, &mut r);
        for c in [&eq.chain.lr, &eq.chain.ms] {
            for slot in 0..c.len() {
                assert!(c
                    .slot_state(slot)
                    .iter()
                    .all(|v| *v == 0.0 || v.abs() >= 1e-18));
            }
        }
    });
}

/// Mono: every band but side ones filters the single channel.
#[test]
fn mono_filters_the_channel() {
    let x = noise(4096, 3);
    let s = with_bands(&[BandSettings {
        routing: Routing::Mid,
        ..band(BandType::Bell, 1000.0, 6.0, 1.0)
    }]);
    let mut mono = Eq::new();
    mono.prepare(FS, 512, 1);
    mono.set_settings(&s);
    let mut m = x.clone();
    mono.process(&mut [&mut m]);
    let mut stereo = eq_at(FS, &with_bands(&[band(BandType::Bell, 1000.0, 6.0, 1.0)]));
    let (ol, _) = run(&mut stereo, &x, &x, 512);
    assert_eq!(m, ol);
}

/// The pipelined cascade computes exactly what a plain section-by-section loop computes.
#[test]
fn pipelined_cascade_equals_the_plain_cascade() {
    let s = busy();
    let curve = EqCurve::new(&s, FS);
    let mut c = cascade::Cascade::default();
    let mut coefs = Vec::new();
    for k in [0, 1, 2, 3, 8, 9] {
        for d in curve.band_sections(k) {
            let lc = cascade::LaneCoefs::from_digital(d);
            c.push(&lc, &lc);
            coefs.push(*d);
        }
    }
    let (l, r) = (noise(3000, 4), noise(3000, 5));
    let (mut ol, mut or) = (l.clone(), r.clone());
    for (a, b) in ol.chunks_mut(100).zip(or.chunks_mut(100)) {
        c.process(a, b);
    }
    // Plain: each section over the whole signal, via the shared SVF tick.
    let mut pl = l.clone();
    for d in &coefs {
        let (g, k, m) = d.to_svf();
        let svf = crate::svf::SvfCoefs::from_gk(g, k);
        let mut st = crate::svf::SvfState::default();
        for x in pl.iter_mut() {
            let (bp, lp) = st.tick(&svf, *x);
            *x = m[0] as f32 * *x + m[1] as f32 * bp + m[2] as f32 * lp;
        }
    }
    // The same arithmetic in the same order: bit for bit.
    assert!(ol == pl);
}

/// A resonant low cut swept from 2 kHz (one section) to 20 kHz at 48 kHz, where the
/// design adds a correction section ([`design`]): the chain is rebuilt with a
/// cross-fade when the section count changes, so afterwards the audio runs exactly the
/// sections the curve shows (impulse response against [`EqCurve`] within 0.01 dB), the
/// band holds two sections, and the sweep stays bounded with no step beyond what the
/// resonant band's gain allows.
#[test]
fn a_band_that_gains_a_correction_section_is_rebuilt_with_a_fade() {
    let sr = 48_000.0f32;
    let mut s = with_bands(&[BandSettings {
        slope: CutSlope::Db12,
        ..band(BandType::LowCut, 2000.0, 0.0, 5.0)
    }]);
    let mut eq = eq_at(sr, &s);
    assert_eq!(eq.active_sections(), 1);
    let n = 9600;
    let amp = 0.1f32;
    let f_sig = 18_000.0;
    let x = sine(sr, f_sig, amp, 0, n + 4800);
    let (mut l, mut r) = (x.clone(), x.clone());
    for (i, (cl, cr)) in l.chunks_mut(64).zip(r.chunks_mut(64)).enumerate() {
        let t = ((i * 64) as f32 / n as f32).min(1.0);
        s.bands[0].freq_hz = 2000.0 * 10f32.powf(t);
        eq.set_settings(&s);
        eq.process_stereo(cl, cr);
    }
    assert_eq!(eq.active_sections(), 2);
    // Resonance Q 5: at most ≈ 14 dB of gain anywhere.
    let peak = l.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(peak <= 5.5 * amp, "peak {peak}");
    assert_eq!(l, r);
    // Now the audio is the curve.
    eq.clear_memories();
    let len = 1 << 15;
    let (mut il, mut ir) = (vec![0.0; len], vec![0.0; len]);
    il[0] = 1.0;
    eq.process_stereo(&mut il, &mut ir);
    let curve = EqCurve::new(&s, sr);
    for f in log_freqs(200.0, 0.45 * f64::from(sr), 120) {
        let (c, m) = (curve.magnitude_db(f), dtft_db(&il, f, f64::from(sr)));
        // Below −60 dB the f32 impulse response's rounding floor shows.
        if c < -60.0 {
            continue;
        }
        assert!((c - m).abs() < 0.01, "{f}: curve {c} measured {m}");
    }
}

/// Q 3, ±30 dB shelves and tilt swept into the region where the design is corrected
/// (corners 2 → 6.9 kHz in 100 ms at 44.1 and 48 kHz, then held 100 ms) over a 1 kHz sine:
/// the moving band keeps its plain single section, the correction (a second section for
/// the boosts) comes in once the corner arrives, with a cross-fade. No sample step beyond
/// what the sine at the largest gain the sweep gives it can make, and no peak beyond that
/// gain.
#[test]
fn a_hard_shelf_sweep_into_the_corrected_region_is_click_free() {
    for sr in [44_100.0f32, 48_000.0] {
        for (band_type, gain_db) in [
            (BandType::HighShelf, 30.0),
            (BandType::HighShelf, -30.0),
            (BandType::LowShelf, 30.0),
            (BandType::Tilt, 30.0),
        ] {
            let n = (0.1 * sr) as usize;
            let amp = 0.01f32;
            let f_sig = 1000.0;
            let x = sine(sr, f_sig, amp, 0, 2 * n);
            let mut s = with_bands(&[band(band_type, 2000.0, gain_db, 3.0)]);
            let mut eq = eq_at(sr, &s);
            // A second of the sine at the start corner first: the sine's own onset rings
            // through a +30 dB treble boost and is not what this test looks for.
            let settle = sr as usize;
            let warm = sine(sr, f_sig, amp, -(settle as i64), settle);
            let (mut wl, mut wr) = (warm.clone(), warm);
            eq.process_stereo(&mut wl, &mut wr);
            let (mut l, mut r) = (x.clone(), x.clone());
            let mut max_gain = 0.0f64;
            let (mut moving, mut held) = (std::collections::BTreeSet::new(), 0);
            let block = 32;
            for (i, (cl, cr)) in l.chunks_mut(block).zip(r.chunks_mut(block)).enumerate() {
                let t = ((i * block) as f32 / n as f32).min(1.0);
                s.bands[0].freq_hz = 2000.0 * 3.45f32.powf(t);
                eq.set_settings(&s);
                // The gain the sine gets anywhere along the sweep (the prototype's curve).
                let g = EqCurve::new(&s, sr).magnitude_db(f_sig);
                max_gain = max_gain.max(10f64.powf(g / 20.0));
                eq.process_stereo(cl, cr);
                if i * block < n {
                    moving.insert(eq.active_sections());
                } else {
                    held = eq.active_sections();
                }
            }
            let what = format!("{band_type:?} {gain_db} dB at {sr}");
            // While the corner moves: the plain design; once it arrives, the boosts'
            // correction section.
            assert_eq!(moving, [1].into(), "{what}");
            let settled = EqCurve::new(&s, sr).band_sections(0).len();
            assert_eq!(held, settled, "{what}");
            if gain_db > 0.0 {
                assert_eq!(settled, 2, "{what}");
            }
            let bound = amp * max_gain as f32;
            let peak = l.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            assert!(peak <= 1.3 * bound, "{what}: peak {peak} vs {bound}");
            let w = 2.0 * std::f32::consts::PI * f_sig as f32 / sr;
            let step = max_step(&l);
            assert!(
                step <= 1.3 * w * bound,
                "{what}: step {step} vs {}",
                w * bound
            );
            assert_eq!(l, r);
        }
    }
}
