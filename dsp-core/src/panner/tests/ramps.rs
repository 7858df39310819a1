//! Panner tests of the moving path: discrete-change crossfades, block-size invariance
//! under sweeps and switches, click-free pan sweeps, anchor accuracy.

// Index loops read closer to the maths in these tests.
#![allow(clippy::needless_range_loop)]

use super::*;

use crate::test_util::max_step;

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
pub(super) fn run_timeline(
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

#[test]
fn swept_gains_are_exact_at_anchors_and_within_0_005_db() {
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
                                // The module header's figure: 0.005 dB above −60 dB.
                                assert!(db.abs() < 0.005, "{law:?} {taper:?} {compensated} {from}->{to} {n}: {db} dB {got} {want} {:?}", &ol[start..start + 20]);
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
