//! The EQ against its analog prototype, every type at 44.1, 48, 96 and 192 kHz, and the
//! curve the editor draws against the measured response.

use super::*;

/// The rates and the top of their accuracy band (Hz) and the tolerance (dB) the issue
/// sets: 0.5 dB up to 0.9 × Nyquist at 44.1 and 48 kHz, 0.1 dB up to 20 kHz at 96 and
/// 192 kHz.
const RATES: [(f32, f64, f64); 4] = [
    (44_100.0, 0.9 * 22_050.0, 0.5),
    (48_000.0, 0.9 * 24_000.0, 0.5),
    (96_000.0, 20_000.0, 0.1),
    (192_000.0, 20_000.0, 0.1),
];

/// Below this prototype level (a cut's stop band, a notch's or band-pass's skirt) the
/// comparison is in linear amplitude relative to the passband, not in dB: a 0.5 dB
/// error at −60 dB is −120 dB of signal.
const FLOOR_DB: f64 = -30.0;

/// Log-spaced test frequencies from 10 Hz to `top`.
const POINTS: usize = 240;

/// Butterworth `Q`.
const BW: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// Frequencies of the test bands: the edges of the range and every region between.
const FREQS: [f32; 9] = [
    10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 8000.0, 14_000.0, 20_000.0,
];

/// Every band the accuracy test checks for `band_type`: the whole parameter range
/// (`full`: gains up to ±30 dB, bell/notch/band-pass Q 0.1–40, shelves and tilt Q
/// 0.3–3, Butterworth cuts of 6–96 dB/oct and resonant (Q 1, 2, 5) cuts of every slope
/// from 12 dB/oct at every test frequency), or the core range: gains up to ±18 dB,
/// bell/notch/band-pass Q 0.3–8, 96 dB/oct with the corner at most fs/4 and resonant cuts
/// with the corner at most fs/6. Both are held to the targets. The whole-range
/// misses of the per-section design (shelves and tilt at Q 3, ±30 dB, 8 kHz, 48 kHz: 0.52
/// dB; resonant 12 dB/oct low cuts at 14–20 kHz: 0.71 dB; 96 dB/oct cuts above fs/4: 0.53
/// dB; an 18 dB/oct Q 5 low cut at 20 kHz, 96 kHz: 0.104 dB) are corrected by
/// [`design`]'s check (see `a_dense_sweep_of_high_corners_…` for a denser sweep).
fn cases(band_type: BandType, sr: f32, full: bool) -> Vec<BandSettings> {
    let mut out = Vec::new();
    let qs: &[f32] = match (band_type, full) {
        (BandType::LowShelf | BandType::HighShelf | BandType::Tilt, _) => &[0.3, BW, 1.5, 3.0],
        (BandType::LowCut | BandType::HighCut, _) => &[BW],
        (_, true) => &[0.1, 0.3, BW, 2.0, 8.0, 40.0],
        (_, false) => &[0.3, BW, 2.0, 8.0],
    };
    let gains: &[f32] = match (band_type.has_gain(), full) {
        (true, true) => &[-30.0, -18.0, -6.0, 6.0, 18.0, 30.0],
        (true, false) => &[-18.0, -6.0, 6.0, 18.0],
        (false, _) => &[0.0],
    };
    let slopes: &[CutSlope] = match band_type {
        BandType::LowCut | BandType::HighCut => &CutSlope::ALL,
        _ => &[CutSlope::Db24],
    };
    for &f in &FREQS {
        for &q in qs {
            for &g in gains {
                for &slope in slopes {
                    if !full && slope == CutSlope::Db96 && f > sr / 4.0 {
                        continue;
                    }
                    out.push(BandSettings {
                        slope,
                        ..band(band_type, f, g, q)
                    });
                }
            }
        }
        // Resonant cuts, every slope from 12 dB/oct.
        if matches!(band_type, BandType::LowCut | BandType::HighCut) && (full || f <= sr / 6.0) {
            for slope in CutSlope::ALL.into_iter().filter(|s| s.order() >= 2) {
                for q in [1.0, 2.0, 5.0] {
                    out.push(BandSettings {
                        slope,
                        ..band(band_type, f, 0.0, q)
                    });
                }
            }
        }
    }
    out
}

/// Worst deviation (dB) of `curve` from `proto` over `freqs`: in dB where the prototype is
/// above [`FLOOR_DB`], else the amplitude difference expressed in dB of the floor.
fn deviation(freqs: &[f64], curve: impl Fn(f64) -> f64, proto: impl Fn(f64) -> f64) -> (f64, f64) {
    let mut worst = (0.0, 0.0);
    for &f in freqs {
        let (c, p) = (curve(f), proto(f));
        let dev = if p >= FLOOR_DB {
            (c - p).abs()
        } else {
            // |10^(c/20) − 10^(p/20)| relative to the floor, as dB of (floor + error).
            let diff = (10f64.powf(c / 20.0) - 10f64.powf(p / 20.0)).abs();
            let floor = 10f64.powf(FLOOR_DB / 20.0);
            20.0 * ((floor + diff) / floor).log10()
        };
        if dev > worst.0 {
            worst = (dev, f);
        }
    }
    worst
}

/// All-pass magnitude tolerance (dB): it is 1 by construction.
const ALL_PASS_DB: f64 = 1e-6;

/// Worst deviation of every type at every rate over `cases(…, full)`, printed as a table
/// (`*` marks a value above the target); returns the table.
fn table(full: bool) -> Vec<[f64; 4]> {
    let what = if full { "whole range" } else { "core range" };
    println!("worst deviation from the analog prototype (dB), {what}, {POINTS} points 10 Hz..top");
    println!(
        "{:<10} {:>9} {:>9} {:>9} {:>9}",
        "type", "44.1k", "48k", "96k", "192k"
    );
    let mut out = Vec::new();
    for t in BandType::ALL {
        let mut row = format!("{:<10}", format!("{t:?}"));
        let mut values = [0.0; 4];
        for (i, (sr, top, tol)) in RATES.into_iter().enumerate() {
            let freqs = log_freqs(10.0, top, POINTS);
            let mut worst = (0.0, BandSettings::default(), 0.0);
            for b in cases(t, sr, full) {
                let b = b.sanitized(sr);
                let curve = EqCurve::new(&with_bands(&[b]), sr);
                let (dev, f) =
                    deviation(&freqs, |f| curve.magnitude_db(f), |f| prototype_db(&b, f));
                if dev > worst.0 {
                    worst = (dev, b, f);
                }
            }
            values[i] = worst.0;
            let mark = if worst.0 > tol { "*" } else { " " };
            row += &format!(" {:>8.3}{mark}", worst.0);
            if worst.0 > tol {
                println!(
                    "  {t:?} at {sr}: {:.3} dB at {:.0} Hz (f0 {} Hz, gain {} dB, Q {:.3}, {:?})",
                    worst.0, worst.2, worst.1.freq_hz, worst.1.gain_db, worst.1.q, worst.1.slope
                );
            }
        }
        println!("{row}");
        out.push(values);
    }
    out
}

/// Every type at every rate: the designed sections (the ones the audio runs through,
/// [`EqCurve`]) against the analog prototype written out in the test. Prints the tables of
/// worst deviations for the whole parameter range and the core range (`--nocapture`) and
/// holds both, for every type, to the targets ([`RATES`]: 0.5 dB up to 0.9 ×
/// Nyquist at 44.1/48 kHz, 0.1 dB up to 20 kHz at 96/192 kHz; the all-pass to
/// [`ALL_PASS_DB`]).
#[test]
fn every_type_follows_its_analog_prototype_at_every_rate() {
    for full in [true, false] {
        let got = table(full);
        for (t, got) in BandType::ALL.iter().zip(&got) {
            for (i, (sr, _, tol)) in RATES.into_iter().enumerate() {
                let limit = if *t == BandType::AllPass {
                    ALL_PASS_DB
                } else {
                    tol
                };
                assert!(
                    got[i] <= limit,
                    "{t:?} at {sr} (full {full}): {} dB > {limit}",
                    got[i]
                );
            }
        }
    }
}

/// Several bands together: the summed curve against the product of the prototypes.
#[test]
fn summed_curve_follows_the_prototype() {
    let bands = [
        BandSettings {
            slope: CutSlope::Db24,
            ..band(BandType::LowCut, 40.0, 0.0, BW)
        },
        band(BandType::LowShelf, 120.0, 4.0, 0.707),
        band(BandType::Bell, 400.0, -6.0, 2.0),
        band(BandType::Bell, 2500.0, 5.0, 1.0),
        band(BandType::Notch, 6000.0, 0.0, 8.0),
        band(BandType::HighShelf, 10_000.0, 3.0, 0.707),
        band(BandType::Tilt, 1000.0, -2.0, 0.5),
        BandSettings {
            slope: CutSlope::Db12,
            ..band(BandType::HighCut, 19_000.0, 0.0, BW)
        },
    ];
    for (sr, top, tol) in RATES {
        let bands = bands.map(|b| b.sanitized(sr));
        let curve = EqCurve::new(&with_bands(&bands), sr);
        let freqs = log_freqs(10.0, top, POINTS);
        let (dev, f) = deviation(
            &freqs,
            |f| curve.magnitude_db(f),
            |f| bands.iter().map(|b| prototype_db(b, f)).sum(),
        );
        println!("summed curve at {sr}: {dev:.3} dB (at {f:.0} Hz)");
        assert!(dev <= tol, "{sr}: {dev} dB at {f} Hz");
    }
}

/// The curve the editor draws is what the audio does: the DTFT of the processed impulse
/// equals [`EqCurve::magnitude_db`] within 0.01 dB at 240 frequencies, for several
/// settings including a 96 dB/oct cut, resonant cuts, M/S-free routing and output gain.
#[test]
fn curve_equals_the_measured_response() {
    let settings = [
        with_bands(&[
            band(BandType::Bell, 1000.0, 12.0, 4.0),
            band(BandType::LowShelf, 80.0, -6.0, 0.707),
            band(BandType::HighShelf, 12_000.0, 6.0, 1.0),
        ]),
        with_bands(&[
            BandSettings {
                slope: CutSlope::Db96,
                ..band(BandType::LowCut, 100.0, 0.0, BW)
            },
            BandSettings {
                slope: CutSlope::Db18,
                ..band(BandType::HighCut, 8000.0, 0.0, 2.0)
            },
            band(BandType::Tilt, 500.0, 6.0, 0.707),
        ]),
        EqSettings {
            output_gain_db: -4.5,
            ..with_bands(&[
                band(BandType::Notch, 3000.0, 0.0, 4.0),
                band(BandType::BandPass, 700.0, 0.0, 1.0),
                band(BandType::AllPass, 300.0, 0.0, 2.0),
                BandSettings {
                    slope: CutSlope::Db6,
                    ..band(BandType::LowCut, 30.0, 0.0, BW)
                },
            ])
        },
    ];
    for sr in [44_100.0, 96_000.0] {
        for s in &settings {
            let mut eq = eq_at(sr, s);
            let n = 1 << 16;
            let mut l = vec![0.0; n];
            let mut r = vec![0.0; n];
            l[0] = 1.0;
            eq.process_stereo(&mut l, &mut r);
            assert!(r.iter().all(|&v| v == 0.0));
            let curve = EqCurve::new(s, sr);
            for f in log_freqs(20.0, 0.45 * f64::from(sr), 240) {
                let (c, m) = (curve.magnitude_db(f), dtft_db(&l, f, f64::from(sr)));
                // Below −60 dB the f32 impulse response's rounding floor shows.
                if c < -60.0 {
                    continue;
                }
                assert!((c - m).abs() < 0.01, "{sr} {f}: curve {c} measured {m}");
            }
        }
    }
}

/// The 6–96 dB/oct cuts really are Butterworth of that order: −3.01 dB at the corner and
/// `6·n` dB per octave below it (the octave 500 Hz..1 kHz under a 2 kHz corner, against
/// Butterworth's exact skirt).
#[test]
fn cut_slopes_fall_at_six_db_per_order() {
    for slope in CutSlope::ALL {
        let n = slope.order() as f64;
        let b = BandSettings {
            slope,
            ..band(BandType::LowCut, 2000.0, 0.0, BW)
        };
        let curve = EqCurve::new(&with_bands(&[b]), 96_000.0);
        let at_corner = curve.magnitude_db(2000.0);
        assert!((at_corner + 3.0103).abs() < 0.05, "{slope:?}: {at_corner}");
        // Two octaves of the skirt against Butterworth's |H|² = Ω^2n/(1 + Ω^2n).
        let bw = |f: f64| {
            let p = (f / 2000.0).powf(2.0 * n);
            10.0 * (p / (1.0 + p)).log10()
        };
        let per_oct = curve.magnitude_db(1000.0) - curve.magnitude_db(500.0);
        let want = bw(1000.0) - bw(500.0);
        assert!(want > 5.0 * n, "{slope:?}: {want}");
        assert!(
            (per_oct - want).abs() < 0.1 + 0.002 * want,
            "{slope:?}: {per_oct} dB/oct vs {want}"
        );
    }
}

/// The refinement moves poles for every shape now: every section the EQ designs, over the
/// whole parameter range at every rate (corners 10 Hz–22 kHz, Q 0.1–40, ±30 dB, every
/// slope), is finite and stable (`|a2| < 1`, `|a1| < 1 + a2`: both poles inside the unit
/// circle), and a notch still nulls at its frequency (zeros kept on the unit circle).
#[test]
fn every_section_is_stable_and_notches_null_at_their_frequency() {
    let mut checked = 0;
    for (sr, _, _) in RATES {
        for i in 0..25 {
            let f = (10.0 * 2200f64.powf(f64::from(i) / 24.0)) as f32;
            for t in BandType::ALL {
                let gains: &[f32] = if t.has_gain() {
                    &[-30.0, -6.0, 6.0, 30.0]
                } else {
                    &[0.0]
                };
                let slopes: &[CutSlope] = match t {
                    BandType::LowCut | BandType::HighCut => &CutSlope::ALL,
                    _ => &[CutSlope::Db24],
                };
                for &q in &[0.1, 0.3, BW, 2.0, 8.0, 40.0] {
                    for &g in gains {
                        for &slope in slopes {
                            let b = BandSettings {
                                slope,
                                ..band(t, f, g, q)
                            }
                            .sanitized(sr);
                            let curve = EqCurve::new(&with_bands(&[b]), sr);
                            for s in curve.band_sections(0) {
                                let [_, a1, a2] = s.a;
                                let finite = s.a.iter().chain(&s.b).all(|v| v.is_finite());
                                assert!(
                                    finite && a2.abs() < 1.0 && a1.abs() < 1.0 + a2,
                                    "{t:?} {f} Hz Q {q} {g} dB {slope:?} at {sr}: {s:?}"
                                );
                                checked += 1;
                            }
                            if t == BandType::Notch {
                                let null = curve.magnitude_db(f64::from(b.freq_hz));
                                assert!(null < -80.0, "notch {f} Hz Q {q} at {sr}: {null} dB");
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}

/// A denser sweep than [`cases`] where the designs are hardest: corners from 2 to 22 kHz
/// (30 log steps) at 44.1 and 48 kHz, every shape with gains ±12/±30 dB (shelves and tilt
/// also ±6, ±18, ±24) and Q 0.1–40 (shelves 0.1–3, cuts 0.5–10 at every slope from 12
/// dB/oct, Butterworth at every slope). Holds every type to the 0.5 dB (the hardest, Q 2.5–3 shelves
/// and tilt at ±24–30 dB with the corner at 5–8 kHz, need the joint refit of their two
/// sections); prints each type's worst case and how many designs needed an extra
/// correction section.
#[test]
fn a_dense_sweep_of_high_corners_stays_within_the_target() {
    for t in BandType::ALL {
        for sr in [44_100.0f32, 48_000.0] {
            let freqs = log_freqs(10.0, 0.45 * f64::from(sr), POINTS);
            let (qs, gains, slopes): (&[f32], &[f32], &[CutSlope]) = match t {
                BandType::LowCut | BandType::HighCut => {
                    (&[0.5, BW, 1.0, 2.0, 5.0, 10.0], &[0.0], &CutSlope::ALL)
                }
                BandType::LowShelf | BandType::HighShelf | BandType::Tilt => (
                    &[0.1, 0.3, BW, 1.5, 2.0, 2.5, 3.0],
                    &[-30.0, -24.0, -18.0, -6.0, 6.0, 18.0, 24.0, 30.0],
                    &[CutSlope::Db24],
                ),
                _ => (
                    &[0.1, 0.3, 1.0, 3.0, 10.0, 40.0],
                    &[-30.0, -12.0, 12.0, 30.0],
                    &[CutSlope::Db24],
                ),
            };
            let (mut worst, mut what, mut extra, mut n) = (0.0, String::new(), 0, 0);
            for i in 0..30 {
                let f = 2000.0 * 11f32.powf(i as f32 / 29.0);
                for &q in qs {
                    for &g in gains {
                        for &slope in slopes {
                            let cut = matches!(t, BandType::LowCut | BandType::HighCut);
                            if cut && (q - BW).abs() > 1e-6 && slope.order() < 2 {
                                continue;
                            }
                            let b = BandSettings {
                                slope,
                                ..band(t, f, g, q)
                            }
                            .sanitized(sr);
                            let curve = EqCurve::new(&with_bands(&[b]), sr);
                            let plain = if cut { slope.order().div_ceil(2) } else { 1 };
                            extra += usize::from(curve.band_sections(0).len() > plain);
                            n += 1;
                            let (dev, at) = deviation(
                                &freqs,
                                |f| curve.magnitude_db(f),
                                |f| prototype_db(&b, f),
                            );
                            if dev > worst {
                                worst = dev;
                                what = format!(
                                    "f0 {f:.0} Hz, {g} dB, Q {q}, {slope:?}, at {at:.0} Hz"
                                );
                            }
                        }
                    }
                }
            }
            println!("dense {t:?} at {sr}: {worst:.3} dB ({what}); {extra}/{n} with a correction section");
            let limit = match t {
                BandType::AllPass => ALL_PASS_DB,
                _ => 0.5,
            };
            assert!(worst <= limit, "{t:?} at {sr}: {worst} dB ({what})");
        }
    }
}
