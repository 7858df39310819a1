// Index loops read closer to the maths in these tests.
#![allow(clippy::needless_range_loop)]

use super::*;
use crate::smoother::{Smoother, SmoothingStyle};
use crate::test_util::{dtft_db, log_freqs};
use std::f64::consts::PI;

const FS: f32 = 48_000.0;
const LAWS: [PanLaw; 4] = [
    PanLaw::ZeroDb,
    PanLaw::Minus3Db,
    PanLaw::Minus4_5Db,
    PanLaw::Minus6Db,
];
const TAPERS: [PanTaper; 2] = [PanTaper::SinCos, PanTaper::Linear];

fn noise(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| rng.f32() * 2.0 - 1.0).collect()
}

fn sine(len: usize, freq_hz: f64, amp: f32) -> Vec<f32> {
    (0..len)
        .map(|i| amp * (2.0 * PI * freq_hz * i as f64 / FS as f64).sin() as f32)
        .collect()
}

fn panner(settings: &PannerSettings) -> Panner {
    let mut p = Panner::new();
    p.prepare(FS, 512, 2);
    p.set_settings(settings);
    p
}

/// Processes in blocks of `block` samples.
fn run(p: &mut Panner, l: &[f32], r: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (l.to_vec(), r.to_vec());
    for (cl, cr) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        p.process_stereo(cl, cr);
    }
    (l, r)
}

/// Independent evaluation of the law in the dB domain (cos θ taken literally).
fn law_db_reference(law: PanLaw, taper: PanTaper, compensated: bool, pan: f64) -> (f64, f64) {
    let theta = (pan + 1.0) * PI / 4.0;
    let (sl, sr, c0) = match taper {
        PanTaper::SinCos => (theta.cos().max(0.0), theta.sin(), 0.5_f64.sqrt()),
        PanTaper::Linear => ((1.0 - pan) / 2.0, (1.0 + pan) / 2.0, 0.5),
    };
    let db = |x: f64| 20.0 * x.max(1e-300).log10();
    let c0_db = db(c0);
    match law {
        PanLaw::ZeroDb => ((db(sl) - c0_db).min(0.0), (db(sr) - c0_db).min(0.0)),
        _ => {
            let a = match law {
                PanLaw::Minus3Db => 3.0,
                PanLaw::Minus4_5Db => 4.5,
                _ => 6.0,
            };
            let comp = if compensated { a } else { 0.0 };
            // g_dB = (A / −c0_dB)·s_dB (+A when compensated).
            (a / -c0_db * db(sl) + comp, a / -c0_db * db(sr) + comp)
        }
    }
}

#[test]
fn pan_gains_match_the_law_formulas_on_a_dense_grid() {
    for law in LAWS {
        for taper in TAPERS {
            for compensated in [false, true] {
                for i in 0..=2000 {
                    let pan = -1.0 + i as f64 / 1000.0;
                    let (gl, gr) = pan_gains(law, taper, compensated, pan as f32);
                    let (rl, rr) = law_db_reference(law, taper, compensated, pan as f32 as f64);
                    for (g, r) in [(gl, rl), (gr, rr)] {
                        let db = 20.0 * (g as f64).max(1e-300).log10();
                        if r < -120.0 {
                            assert!(g < 1e-5, "{law:?} {taper:?} {pan}: {g}");
                        } else {
                            assert!(
                                (db - r).abs() < 0.01,
                                "{law:?} {taper:?} {compensated} {pan}: {db} vs {r}"
                            );
                        }
                    }
                }
                let (cl, cr) = pan_gains(law, taper, compensated, 0.0);
                assert_eq!(cl, cr);
                let expected_centre_db = match (law, compensated) {
                    (PanLaw::ZeroDb, _) | (_, true) => 0.0,
                    (PanLaw::Minus3Db, false) => -3.0,
                    (PanLaw::Minus4_5Db, false) => -4.5,
                    (PanLaw::Minus6Db, false) => -6.0,
                };
                assert!((20.0 * (cl as f64).log10() - expected_centre_db).abs() < 1e-4);
                let (hl, hr) = pan_gains(law, taper, compensated, -1.0);
                assert_eq!(hr, 0.0);
                let side = if compensated && law != PanLaw::ZeroDb {
                    -expected_centre_db_uncomp(law)
                } else {
                    0.0
                };
                assert!(
                    (20.0 * (hl as f64).log10() - side).abs() < 1e-4,
                    "{law:?} {hl}"
                );
            }
        }
    }
}

fn expected_centre_db_uncomp(law: PanLaw) -> f64 {
    match law {
        PanLaw::ZeroDb => 0.0,
        PanLaw::Minus3Db => -3.0,
        PanLaw::Minus4_5Db => -4.5,
        PanLaw::Minus6Db => -6.0,
    }
}

#[test]
fn neutral_settings_are_bit_transparent() {
    let l = noise(10_000, 1);
    let r = noise(10_000, 2);
    for block in [1, 64, 511, 4096] {
        let mut p = panner(&PannerSettings::default());
        let (ol, or) = run(&mut p, &l, &r, block);
        assert!(ol.iter().zip(&l).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert!(or.iter().zip(&r).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

#[test]
fn balance_stereo_dual_agree_at_centre_and_switching_changes_nothing() {
    let l = noise(48_000, 3);
    let r = noise(48_000, 4);
    let mut p = panner(&PannerSettings::default());
    let (mut ol, mut or) = (l.clone(), r.clone());
    let modes = [
        PanMode::Balance,
        PanMode::Dual,
        PanMode::Stereo,
        PanMode::Balance,
    ];
    for (i, (cl, cr)) in ol.chunks_mut(4800).zip(or.chunks_mut(4800)).enumerate() {
        let s = PannerSettings {
            mode: modes[i % 4],
            ..Default::default()
        };
        p.set_settings(&s);
        p.process_stereo(cl, cr);
    }
    assert_eq!(ol, l);
    assert_eq!(or, r);
}

/// Expected output of one mode, evaluated from the formulas with `f64` trigonometry.
fn reference(s: &PannerSettings, l: f32, r: f32) -> (f64, f64) {
    let (mut l, mut r) = (l as f64, r as f64);
    if s.invert_left {
        l = -l;
    }
    if s.invert_right {
        r = -r;
    }
    if s.swap {
        std::mem::swap(&mut l, &mut r);
    }
    let lin = |x: f64| 10f64.powf(x / 20.0);
    let place = |pan: f64| {
        let (a, b) = law_db_reference(s.law, s.taper, false, pan);
        (lin(a), lin(b))
    };
    let (ol, or) = match s.mode {
        PanMode::Balance => {
            let (a, b) = law_db_reference(PanLaw::ZeroDb, s.taper, false, s.pan as f64);
            (l * lin(a), r * lin(b))
        }
        PanMode::Mono => {
            let (a, b) = law_db_reference(s.law, s.taper, s.compensated, s.pan as f64);
            let x = (l + r) / 2.0;
            (x * lin(a), x * lin(b))
        }
        PanMode::Dual => {
            let (la, ra) = place(s.left_pan as f64);
            let (lb, rb) = place(s.right_pan as f64);
            (la * l + lb * r, ra * l + rb * r)
        }
        PanMode::Stereo => {
            let m = (l + r) / 2.0;
            let side = (l - r) / 2.0 * s.width as f64;
            let (lp, rp) = (m + side, m - side);
            let p = s.pan as f64;
            let (la, ra) = place(-1.0 + 2.0 * p.max(0.0));
            let (lb, rb) = place(1.0 - 2.0 * (-p).max(0.0));
            (la * lp + lb * rp, ra * lp + rb * rp)
        }
    };
    let g = lin(s.output_gain_db as f64);
    (ol * g, or * g)
}

#[test]
fn every_mode_matches_the_reference_formulas() {
    let l = noise(2000, 5);
    let r = noise(2000, 6);
    let mut rng = fastrand::Rng::with_seed(9);
    for case in 0..300 {
        let s = PannerSettings {
            mode: [
                PanMode::Balance,
                PanMode::Stereo,
                PanMode::Dual,
                PanMode::Mono,
            ][case % 4],
            law: LAWS[rng.usize(..4)],
            taper: TAPERS[rng.usize(..2)],
            compensated: rng.bool(),
            pan: rng.f32() * 2.0 - 1.0,
            width: rng.f32() * 2.0,
            left_pan: rng.f32() * 2.0 - 1.0,
            right_pan: rng.f32() * 2.0 - 1.0,
            swap: rng.bool(),
            invert_left: rng.bool(),
            invert_right: rng.bool(),
            output_gain_db: rng.f32() * 48.0 - 24.0,
            ..Default::default()
        };
        let mut p = panner(&s);
        let (ol, or) = run(&mut p, &l, &r, 256);
        for i in 0..l.len() {
            let (el, er) = reference(&s, l[i], r[i]);
            assert!(
                (ol[i] as f64 - el).abs() < 2e-5 * (1.0 + el.abs()),
                "{s:?} {i}"
            );
            assert!(
                (or[i] as f64 - er).abs() < 2e-5 * (1.0 + er.abs()),
                "{s:?} {i}"
            );
        }
    }
}

#[test]
fn width_zero_gives_bit_identical_channels() {
    let l = noise(4096, 7);
    let r = noise(4096, 8);
    for (swap, invert_left) in [(false, false), (true, false), (false, true)] {
        let s = PannerSettings {
            width: 0.0,
            swap,
            invert_left,
            output_gain_db: -3.3,
            ..Default::default()
        };
        let mut p = panner(&s);
        let (ol, or) = run(&mut p, &l, &r, 100);
        assert!(ol.iter().zip(&or).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

#[test]
fn mono_centre_compensated_or_zero_db_is_transparent_for_mono_input() {
    let x = noise(4096, 10);
    for taper in TAPERS {
        for (law, compensated) in [
            (PanLaw::ZeroDb, false),
            (PanLaw::Minus3Db, true),
            (PanLaw::Minus4_5Db, true),
            (PanLaw::Minus6Db, true),
        ] {
            let s = PannerSettings {
                mode: PanMode::Mono,
                law,
                taper,
                compensated,
                ..Default::default()
            };
            let mut p = panner(&s);
            let (ol, or) = run(&mut p, &x, &x, 64);
            assert_eq!(ol, x, "{law:?} {taper:?}");
            assert_eq!(or, x);
        }
    }
}

#[test]
fn mono_input_uses_mono_semantics() {
    let x = noise(1024, 11);
    let garbage = noise(1024, 12);
    let s = PannerSettings {
        mode: PanMode::Stereo,
        pan: 0.4,
        law: PanLaw::Minus4_5Db,
        invert_left: true,
        ..Default::default()
    };
    let mut p = Panner::new();
    p.prepare(FS, 512, 1);
    p.set_settings(&s);
    let (ol, or) = run(&mut p, &x, &garbage, 128);
    let (gl, gr) = pan_gains(PanLaw::Minus4_5Db, PanTaper::SinCos, false, 0.4);
    for i in 0..x.len() {
        assert!((ol[i] + gl * x[i]).abs() < 1e-6);
        assert!((or[i] + gr * x[i]).abs() < 1e-6);
    }
}

/// Max |Δy| over a buffer.
fn max_step(y: &[f32]) -> f32 {
    y.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn mode_switches_are_crossfaded_without_clicks() {
    let amp = 0.5;
    let (fl, fr) = (440.0, 1000.0);
    let l = sine(24_000, fl, amp);
    let r = sine(24_000, fr, -amp);
    let base = PannerSettings {
        pan: 0.3,
        ..Default::default()
    };
    let switches = [
        (PanMode::Stereo, PanMode::Mono),
        (PanMode::Mono, PanMode::Balance),
        (PanMode::Balance, PanMode::Dual),
        (PanMode::Stereo, PanMode::Stereo),
    ];
    for (from, to) in switches {
        for flip in [false, true] {
            let a = PannerSettings { mode: from, ..base };
            let b = PannerSettings {
                mode: to,
                invert_left: flip,
                swap: flip,
                ..base
            };
            if a == b {
                continue;
            }
            let d = |s: &PannerSettings| Panner::discrete_of(&s.sanitized(), false);
            let ma = compose(
                1.0,
                &mode_matrix(&d(&a), 0.3, -1.0, 1.0, 1.0),
                &input_matrix(&d(&a)),
            );
            let mb = compose(
                1.0,
                &mode_matrix(&d(&b), 0.3, -1.0, 1.0, 1.0),
                &input_matrix(&d(&b)),
            );
            let mut p = panner(&a);
            let (mut ol, mut or) = (l.clone(), r.clone());
            p.process_stereo(&mut ol[..10_000], &mut or[..10_000]);
            p.set_settings(&b);
            p.process_stereo(&mut ol[10_000..], &mut or[10_000..]);
            let n = FS * CROSSFADE_MS * 1e-3;
            let dx = [
                amp * (2.0 * PI * fl / FS as f64) as f32,
                amp * (2.0 * PI * fr / FS as f64) as f32,
            ];
            for (row, y) in [(0, &ol), (2, &or)] {
                // |Δ(M(t)·x)| ≤ Σ max|M|·|Δx| + |ΔM per sample|·|x|.
                let bound: f32 = (0..2)
                    .map(|j| {
                        let (a, b) = (ma[row + j], mb[row + j]);
                        a.abs().max(b.abs()) * dx[j] + (b - a).abs() / n * amp
                    })
                    .sum();
                let step = max_step(&y[9_000..12_000]);
                assert!(
                    step <= bound * 1.02 + 1e-6,
                    "{from:?}->{to:?} {flip}: {step} > {bound}"
                );
            }
        }
    }
}

/// Runs the same settings timeline with different block sizes; block boundaries are
/// additionally cut at the event points so every run sees the same events.
fn run_timeline(
    events: &[(usize, PannerSettings)],
    l: &[f32],
    r: &[f32],
    block: Option<usize>,
) -> (Vec<f32>, Vec<f32>) {
    let mut p = panner(&events[0].1);
    let (mut ol, mut or) = (l.to_vec(), r.to_vec());
    let mut rng = fastrand::Rng::with_seed(77);
    let mut pos = 0;
    let mut ev = 0;
    while pos < l.len() {
        while ev < events.len() && events[ev].0 <= pos {
            p.set_settings(&events[ev].1);
            ev += 1;
        }
        let size = block.unwrap_or_else(|| rng.usize(1..700));
        let next_event = events.get(ev).map_or(l.len(), |e| e.0);
        let end = (pos + size).min(next_event).min(l.len());
        p.process_stereo(&mut ol[pos..end], &mut or[pos..end]);
        pos = end;
    }
    (ol, or)
}

#[test]
fn block_size_invariance_with_pan_sweep_and_switches() {
    let len = 24_000;
    let l = noise(len, 13);
    let r = noise(len, 14);
    let mut events = vec![(
        0,
        PannerSettings {
            pan: -1.0,
            ..Default::default()
        },
    )];
    // Hard left → hard right in 10 ms (480 samples), a new target every 8 samples.
    for k in 0..=60 {
        let pan = -1.0 + 2.0 * k as f32 / 60.0;
        events.push((
            1000 + 8 * k,
            PannerSettings {
                pan,
                ..Default::default()
            },
        ));
    }
    let last = events.last().unwrap().1;
    events.push((
        3000,
        PannerSettings {
            width: 1.7,
            output_gain_db: -9.0,
            ..last
        },
    ));
    events.push((
        4000,
        PannerSettings {
            mode: PanMode::Mono,
            bass_mono: true,
            ..last
        },
    ));
    events.push((
        6000,
        PannerSettings {
            mode: PanMode::Dual,
            bass_mono: true,
            bass_mono_hz: 400.0,
            left_pan: 0.2,
            ..last
        },
    ));
    events.push((
        9000,
        PannerSettings {
            mode: PanMode::Balance,
            swap: true,
            bass_mono: false,
            ..last
        },
    ));
    events.push((15000, PannerSettings::default()));
    let reference = run_timeline(&events, &l, &r, Some(1));
    for block in [Some(64), Some(512), None] {
        let out = run_timeline(&events, &l, &r, block);
        assert!(
            out.0
                .iter()
                .zip(&reference.0)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{block:?}"
        );
        assert!(
            out.1
                .iter()
                .zip(&reference.1)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{block:?}"
        );
    }
    // And it really changed something, and ends transparent.
    assert!(reference.0[1000..15000]
        .iter()
        .zip(&l[1000..15000])
        .any(|(a, b)| a != b));
    assert_eq!(&reference.0[20_000..], &l[20_000..]);
}

#[test]
fn pan_sweep_is_click_free() {
    let amp = 0.5_f32;
    let (fl, fr) = (100.0, 230.0);
    let len = 9600;
    let l = sine(len, fl, amp);
    let r = sine(len, fr, amp);
    let sweep_samples = 480.0; // hard left → hard right in 10 ms
    let rate = 2.0 / sweep_samples; // pan units per sample (smoother never exceeds it)
    for mode in [PanMode::Stereo, PanMode::Mono, PanMode::Balance] {
        for law in LAWS {
            for taper in TAPERS {
                let base = PannerSettings {
                    mode,
                    law,
                    taper,
                    pan: -1.0,
                    ..Default::default()
                };
                let mut p = panner(&base);
                let (mut ol, mut or) = (l.clone(), r.clone());
                for i in 0..len {
                    let pan = (-1.0 + rate * (i as f32 - 2000.0).max(0.0)).min(1.0);
                    p.set_settings(&PannerSettings { pan, ..base });
                    p.process_stereo(&mut ol[i..i + 1], &mut or[i..i + 1]);
                }
                // Largest gain change per sample for a pan step: Stereo mode moves the
                // image edges at twice the pan rate.
                let dp = if mode == PanMode::Stereo {
                    2.0 * rate
                } else {
                    rate
                };
                let gains = |p: f32| match mode {
                    PanMode::Balance => pan_gains(PanLaw::ZeroDb, taper, false, p),
                    _ => pan_gains(law, taper, false, p),
                };
                let mut dg: f32 = 0.0;
                for k in 0..=20_000 {
                    let p0 = -1.0 + k as f32 / 10_000.0;
                    let (a0, b0) = gains(p0);
                    let (a1, b1) = gains((p0 + dp).min(1.0));
                    dg = dg.max((a1 - a0).abs()).max((b1 - b0).abs());
                }
                let dx = [
                    amp * (2.0 * PI * fl / FS as f64) as f32,
                    amp * (2.0 * PI * fr / FS as f64) as f32,
                ];
                // Two inputs per output, each with gain ≤ 1 (Mono: 0.5 each).
                let w = if mode == PanMode::Mono { 0.5 } else { 1.0 };
                let bound = (w * (dx[0] + dx[1]) + 2.0 * w * dg * amp) * 1.02;
                for y in [&ol, &or] {
                    let step = max_step(y);
                    assert!(
                        step <= bound,
                        "{mode:?} {law:?} {taper:?}: {step} > {bound}"
                    );
                }
                // The bound is tight enough to catch a click: a 10 % FS jump fails. (The
                // linear taper with a −3 dB law is s^0.498: infinite slope at the far
                // edge, so its bound is the largest.)
                assert!(bound < 0.1, "{mode:?} {law:?} {taper:?} {bound} {dg}");
            }
        }
    }
}

// Bass mono, hostile input, reset and gain ramps.
mod robustness;

#[test]
fn swept_gains_are_exact_at_anchors_and_within_a_hundredth_of_a_db() {
    // Mono mode with l = r = 1 outputs the law gains themselves.
    let len = 3000;
    let ones = vec![1.0_f32; len];
    let start = 100;
    let mut worst_db: f64 = 0.0;
    for law in LAWS {
        for taper in TAPERS {
            for compensated in [false, true] {
                for (from, to) in [(-1.0, 1.0), (0.7, -0.4), (-1.0, 0.0)] {
                    let base = PannerSettings {
                        mode: PanMode::Mono,
                        law,
                        taper,
                        compensated,
                        pan: from,
                        ..Default::default()
                    };
                    let events = [(0, base), (start, PannerSettings { pan: to, ..base })];
                    let (ol, or) = run_timeline(&events, &ones, &ones, None);
                    // Reference: the same linear ramp, exact law per sample.
                    let mut ramp = Smoother::new(SmoothingStyle::Linear);
                    ramp.set_ramp_ms(FS, PAN_RAMP_MS);
                    ramp.reset(from);
                    ramp.set_target(to);
                    for n in start..len {
                        let pan = ramp.next();
                        let (el, er) = pan_gains(law, taper, compensated, pan);
                        let anchor = (n - start) % PAN_ANCHOR_INTERVAL as usize == 0
                            || n - start + 1 >= ramp.ramp_samples() as usize;
                        for (got, want) in [(ol[n], el), (or[n], er)] {
                            if anchor {
                                assert!(
                                    (got - want).abs() <= 1e-6 * want.abs(),
                                    "{law:?} {taper:?} {n}: {got} vs {want}"
                                );
                            }
                            if want > 1e-3 {
                                let db = 20.0 * (got as f64 / want as f64).log10();
                                worst_db = worst_db.max(db.abs());
                                assert!(db.abs() < 0.01, "{law:?} {taper:?} {compensated} {from}->{to} {n}: {db} dB {got} {want} {:?}", &ol[start..start + 20]);
                            } else {
                                assert!((got - want).abs() < 1e-5, "{law:?} {taper:?} {n}");
                            }
                        }
                    }
                    if to == 0.0 && (compensated || law == PanLaw::ZeroDb) {
                        // Landed at centre: exactly transparent again.
                        assert!(ol[len - 500..].iter().all(|&v| v == 1.0));
                    }
                }
            }
        }
    }
    eprintln!("worst swept-gain deviation from the law: {worst_db:.5} dB");
}
