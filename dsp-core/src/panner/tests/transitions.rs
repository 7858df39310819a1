//! Panner tests of the transitions the module header promises beyond pan/width and mode
//! switches: the bass-mono on/off crossfade, the bass-mono frequency log ramp with its
//! coefficient refresh, the law/taper/compensation crossfades, and mono input ignoring
//! swap, invert-right and bass mono. Each transition is checked against an output
//! trajectory or a click bound computed here, independently of the processor.

use super::*;

use crate::test_util::max_step;

/// Crossfade length in samples at [`FS`].
fn fade_samples() -> usize {
    (FS * CROSSFADE_MS * 1e-3).round() as usize
}

/// A textbook direct-form-I biquad in `f64` (RBJ "Audio EQ Cookbook" coefficients).
#[derive(Clone, Copy)]
struct Df1 {
    /// `[b0, b1, b2, a1, a2]` normalised by `a0`.
    c: [f64; 5],
    /// `[x1, x2, y1, y2]`.
    z: [f64; 4],
}

impl Df1 {
    /// Cookbook low-pass (`high = false`) or high-pass at `f0`, quality `q`.
    fn new(high: bool, f0: f64, q: f64) -> Self {
        let w0 = 2.0 * PI * f0 / f64::from(FS);
        let (cos, alpha) = (w0.cos(), w0.sin() / (2.0 * q));
        let a0 = 1.0 + alpha;
        let (b0, b1) = if high {
            ((1.0 + cos) / 2.0, -(1.0 + cos))
        } else {
            ((1.0 - cos) / 2.0, 1.0 - cos)
        };
        Self {
            c: [
                b0 / a0,
                b1 / a0,
                b0 / a0,
                -2.0 * cos / a0,
                (1.0 - alpha) / a0,
            ],
            z: [0.0; 4],
        }
    }

    fn tick(&mut self, x: f64) -> f64 {
        let [b0, b1, b2, a1, a2] = self.c;
        let [x1, x2, y1, y2] = self.z;
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        self.z = [x, x1, y, y1];
        y
    }
}

/// Linkwitz–Riley LR4 as the textbook defines it: low = Butterworth LP², high =
/// Butterworth HP² (bilinear, prewarped at the crossover, as the header says).
#[derive(Clone, Copy)]
struct Lr4 {
    /// Two low-pass and two high-pass sections.
    s: [Df1; 4],
}

impl Lr4 {
    fn new(fc: f64) -> Self {
        let q = std::f64::consts::FRAC_1_SQRT_2;
        let (lp, hp) = (Df1::new(false, fc, q), Df1::new(true, fc, q));
        Self {
            s: [lp, lp, hp, hp],
        }
    }

    /// `(low, high)`.
    fn split(&mut self, x: f64) -> (f64, f64) {
        let low = self.s[0].tick(x);
        let low = self.s[1].tick(low);
        let high = self.s[2].tick(x);
        let high = self.s[3].tick(high);
        (low, high)
    }
}

/// Bass mono by the header's definition: low bands summed to mono, highs untouched.
fn bass_mono_reference(l: &[f32], r: &[f32], fc: f64) -> (Vec<f64>, Vec<f64>) {
    let (mut sl, mut sr) = (Lr4::new(fc), Lr4::new(fc));
    l.iter()
        .zip(r)
        .map(|(&x, &y)| {
            let ((ll, lh), (rl, rh)) = (sl.split(f64::from(x)), sr.split(f64::from(y)));
            let mono = 0.5 * (ll + rl);
            (lh + mono, rh + mono)
        })
        .unzip()
}

#[test]
fn bass_mono_on_and_off_are_linear_crossfades() {
    // Switched on at sample `on` (the crossover starts from rest there) and off at
    // `off`: the output must follow `x + a·(bassmono(x) − x)` with `a` a linear ramp of
    // `CROSSFADE_MS` (k/N at the k-th sample after the switch), the bass-mono part from
    // the textbook LR4 above. Any click or a wrong fade shape leaves this trajectory.
    let len = 9000;
    let (on, off) = (1000, 5000);
    let fc = 120.0;
    let l: Vec<f32> = sine(len, 60.0, 0.5)
        .iter()
        .zip(sine(len, 1500.0, 0.2))
        .map(|(a, b)| a + b)
        .collect();
    let r = sine(len, 85.0, -0.5);
    let base = PannerSettings {
        bass_mono_hz: fc as f32,
        ..Default::default()
    };
    let events = [
        (0, base),
        (
            on,
            PannerSettings {
                bass_mono: true,
                ..base
            },
        ),
        (off, base),
    ];
    let (ol, or) = ramps::run_timeline(&events, &l, &r, None);
    let (bl, br) = bass_mono_reference(&l[on..], &r[on..], fc);
    let n = fade_samples();
    let mut worst: f64 = 0.0;
    for i in 0..len {
        let a = match i {
            i if i < on => 0.0,
            i if i < off => ((i - on + 1) as f64 / n as f64).min(1.0),
            i => (1.0 - (i - off + 1) as f64 / n as f64).max(0.0),
        };
        for (x, y, bm) in [(&l, &ol, &bl), (&r, &or, &br)] {
            let x_i = f64::from(x[i]);
            let want = if i < on {
                x_i
            } else {
                x_i + a * (bm[i - on] - x_i)
            };
            let err = (f64::from(y[i]) - want).abs();
            worst = worst.max(err);
            assert!(err < 2e-5, "sample {i} (a = {a}): {} vs {want}", y[i]);
        }
    }
    // Really switched: after the fade-in the low side is gone, the output differs.
    assert!((f64::from(ol[off - 1]) - f64::from(l[off - 1])).abs() > 0.01);
    assert!(ol[off + n..] == l[off + n..], "off again: bit-transparent");
    eprintln!("bass-mono crossfade: worst |out − reference| {worst:.1e}");
}

#[test]
fn bass_mono_frequency_ramp_is_click_free() {
    // A mid-only input (L = R) through bass mono comes out as the LR4 all-pass of it,
    // amplitude A at every crossover frequency; moving the crossover only moves the
    // phase. The LR4 all-pass `B4(−s)/B4(s)` (two second-order all-passes, Q = 1/K,
    // K = 2cos(π/8), 2cos(3π/8)) changes phase by at most `Σ 4Q = 4(0.541 + 1.307)`
    // = 7.39 rad per neper of crossover frequency, so a log ramp of ln(ratio) over N
    // samples adds at most A·7.39·ln(ratio)/N to the per-sample step of a steady sine
    // (`A·2sin(πf/fs)`). A jump without the ramp, or refreshes far apart, exceed it.
    let amp = 0.5_f32;
    let f = 70.0;
    let len = 30_000;
    let x = sine(len, f, amp);
    let n = (FS * BASS_MONO_HZ_RAMP_MS * 1e-3) as f64;
    let dx = f64::from(amp) * 2.0 * (PI * f / f64::from(FS)).sin();
    let slope = 4.0 * (1.0 / K_B4_0 + 1.0 / K_B4_1);
    for (from, to) in [(20.0_f32, 500.0_f32), (500.0, 20.0), (60.0, 90.0)] {
        let base = PannerSettings {
            bass_mono: true,
            bass_mono_hz: from,
            ..Default::default()
        };
        let events = [
            (0, base),
            (
                6000,
                PannerSettings {
                    bass_mono_hz: to,
                    ..base
                },
            ),
        ];
        let (ol, or) = ramps::run_timeline(&events, &x, &x, None);
        assert_eq!(ol, or, "mid stays mid");
        let ratio = f64::from(to / from).ln().abs();
        let bound = (dx + f64::from(amp) * slope * ratio / n) * 1.05;
        let step = f64::from(max_step(&ol[5000..]));
        eprintln!("bass-mono {from} → {to} Hz: step {step:.5}, bound {bound:.5}");
        assert!(step <= bound, "{from} → {to}: {step} > {bound}");
        // Tight: well below the ≈ 2A a jump in phase could make.
        assert!(bound < 0.05, "{bound}");
        // Landed: the steady output equals a panner set to `to` from the start.
        let mut fresh = panner(&PannerSettings {
            bass_mono_hz: to,
            ..base
        });
        let (fl, _) = run(&mut fresh, &x, &x, 512);
        let tail = len - 2000..len;
        let diff = ol[tail.clone()]
            .iter()
            .zip(&fl[tail])
            .fold(0.0_f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(diff < 1e-4, "{from} → {to}: lands {diff} away");
    }
}

/// `2cos(π/8)` and `2cos(3π/8)`: the damping of the two Butterworth-4 pole pairs.
const K_B4_0: f64 = 1.847_759_065_022_573_5;
/// See [`K_B4_0`].
const K_B4_1: f64 = 0.765_366_864_730_179_6;

#[test]
fn law_taper_and_compensation_changes_are_linear_crossfades() {
    // Each change must follow `(1 − t)·before(x) + t·after(x)`, `t = k/N` over
    // `CROSSFADE_MS`, with both ends from the header's formulas (`reference`, `f64`),
    // and its steps stay within the analytic bound of such a crossfade:
    // `|Δy| ≤ max(|M_a|,|M_b|)·|Δx| + |M_b − M_a|·|x|/N` per input.
    let amp = 0.5_f32;
    let (fl, fr) = (440.0, 1000.0);
    let len = 6000;
    let l = sine(len, fl, amp);
    let r = sine(len, fr, -amp);
    let at = 2000;
    let n = fade_samples();
    let dx = [
        f64::from(amp) * 2.0 * (PI * fl / f64::from(FS)).sin(),
        f64::from(amp) * 2.0 * (PI * fr / f64::from(FS)).sin(),
    ];
    let mut worst: f64 = 0.0;
    for mode in [PanMode::Mono, PanMode::Stereo, PanMode::Dual] {
        let base = PannerSettings {
            mode,
            pan: 0.45,
            left_pan: -0.6,
            right_pan: 0.8,
            width: 1.3,
            ..Default::default()
        };
        let changes = [
            PannerSettings {
                law: PanLaw::Minus6Db,
                ..base
            },
            PannerSettings {
                law: PanLaw::ZeroDb,
                ..base
            },
            PannerSettings {
                taper: PanTaper::Linear,
                ..base
            },
            PannerSettings {
                compensated: true,
                law: PanLaw::Minus4_5Db,
                ..base
            },
        ];
        // Compensation applies to Mono mode only.
        for after in changes
            .into_iter()
            .filter(|a| mode == PanMode::Mono || !a.compensated)
        {
            let before = PannerSettings {
                law: if after.compensated {
                    PanLaw::Minus4_5Db
                } else {
                    base.law
                },
                ..base
            };
            let events = [(0, before), (at, after)];
            let (ol, or) = ramps::run_timeline(&events, &l, &r, None);
            // The matrices, from the reference formulas on unit inputs.
            let m = |s: &PannerSettings| {
                let (a, c) = reference(s, 1.0, 0.0);
                let (b, d) = reference(s, 0.0, 1.0);
                [a, b, c, d]
            };
            let (ma, mb) = (m(&before), m(&after));
            assert!(ma != mb, "{mode:?} {after:?}: the change must matter");
            for i in 0..len {
                let t = if i < at {
                    0.0
                } else {
                    ((i - at + 1) as f64 / n as f64).min(1.0)
                };
                let (ya, yb) = (
                    reference(&before, l[i], r[i]),
                    reference(&after, l[i], r[i]),
                );
                let want = [ya.0 + t * (yb.0 - ya.0), ya.1 + t * (yb.1 - ya.1)];
                for (got, want) in [(ol[i], want[0]), (or[i], want[1])] {
                    let err = (f64::from(got) - want).abs();
                    worst = worst.max(err);
                    assert!(err < 1e-5, "{mode:?} {after:?} sample {i}: {got} vs {want}");
                }
            }
            for (row, y) in [(0, &ol), (2, &or)] {
                let bound: f64 = (0..2)
                    .map(|j| {
                        let (a, b) = (ma[row + j], mb[row + j]);
                        a.abs().max(b.abs()) * dx[j] + (b - a).abs() / n as f64 * f64::from(amp)
                    })
                    .sum();
                let step = f64::from(max_step(&y[at - 500..at + n + 500]));
                assert!(
                    step <= bound * 1.001 + 1e-6,
                    "{mode:?} {after:?}: {step} > {bound}"
                );
                assert!(bound < 0.1, "{bound}");
            }
        }
    }
    eprintln!("law/taper/compensation crossfades: worst |out − reference| {worst:.1e}");
}

#[test]
fn mono_input_ignores_swap_invert_right_and_bass_mono() {
    // With `channels == 1` the header says swap, invert-right and bass mono do not
    // apply: switching them (on from the start, or toggled mid-stream, which would
    // start a crossfade) must not change a single output bit, whatever `right` holds.
    let x = noise(8000, 31);
    let garbage = noise(8000, 32);
    let base = PannerSettings {
        mode: PanMode::Mono,
        pan: -0.35,
        law: PanLaw::Minus4_5Db,
        ..Default::default()
    };
    let run_mono = |events: &[(usize, PannerSettings)], right: &[f32]| {
        let mut p = Panner::new();
        p.prepare(FS, 512, 1);
        let (mut ol, mut or) = (x.clone(), right.to_vec());
        let mut ev = 0;
        for (k, (cl, cr)) in ol.chunks_mut(250).zip(or.chunks_mut(250)).enumerate() {
            while ev < events.len() && events[ev].0 <= k * 250 {
                p.set_settings(&events[ev].1);
                ev += 1;
            }
            p.process_stereo(cl, cr);
        }
        (ol, or)
    };
    let plain = run_mono(&[(0, base)], &vec![0.0; 8000]);
    let all_on = PannerSettings {
        swap: true,
        invert_right: true,
        bass_mono: true,
        bass_mono_hz: 300.0,
        ..base
    };
    let toggled = [
        (0, base),
        (1000, PannerSettings { swap: true, ..base }),
        (
            2000,
            PannerSettings {
                invert_right: true,
                ..base
            },
        ),
        (
            3000,
            PannerSettings {
                bass_mono: true,
                ..base
            },
        ),
        (4000, all_on),
        (6000, base),
    ];
    for (events, right) in [(&[(0, all_on)][..], &garbage), (&toggled[..], &garbage)] {
        let out = run_mono(events, right);
        assert!(out
            .0
            .iter()
            .zip(&plain.0)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        assert!(out
            .1
            .iter()
            .zip(&plain.1)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
    // And the mono semantics themselves: the source panned by the law, not silence.
    let (gl, gr) = pan_gains(PanLaw::Minus4_5Db, PanTaper::SinCos, false, -0.35);
    assert!((plain.0[100] - gl * x[100]).abs() < 1e-6 && (plain.1[100] - gr * x[100]).abs() < 1e-6);
    assert!(gl > 0.5 && gr > 0.1);
    // invert-left, by contrast, does apply.
    let flipped = run_mono(
        &[(
            0,
            PannerSettings {
                invert_left: true,
                ..base
            },
        )],
        &garbage,
    );
    assert!(flipped.0.iter().zip(&plain.0).all(|(a, b)| *a == -*b));
}
