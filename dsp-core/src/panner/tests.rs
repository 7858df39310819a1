// Index loops read closer to the maths in these tests.
#![allow(clippy::needless_range_loop)]

use super::*;
use crate::crossover::LrOrder;
use crate::smoother::{Smoother, SmoothingStyle};
use crate::test_util::{dtft_db, log_freqs, noise};
use std::f64::consts::PI;

const FS: f32 = 48_000.0;
const LAWS: [PanLaw; 4] = PanLaw::ALL;
const TAPERS: [PanTaper; 2] = PanTaper::ALL;

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
            mode: PanMode::ALL[case % 4],
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

// Bass mono, hostile input, reset and gain ramps.
mod robustness;
// Crossfades, block-size invariance and pan sweeps (the moving path).
mod ramps;
// Bass-mono fades and frequency ramps, law/taper/compensation crossfades, mono input.
mod transitions;
