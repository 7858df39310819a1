//! Tests of the 1/3-octave band analyser against the math: a sine's power is `A²/2`,
//! white noise's band power is proportional to the band width, pink noise's is the same in
//! every band, mono/anti-phase correlation is ±1.

use super::*;
use crate::test_util::noise;
use std::f64::consts::PI;

/// `len` samples of a sine of amplitude `amp` at `freq_hz`.
fn sine(freq_hz: f64, amp: f64, sample_rate: f64, len: usize) -> Vec<f32> {
    (0..len)
        .map(|i| (amp * (2.0 * PI * freq_hz * i as f64 / sample_rate).sin()) as f32)
        .collect()
}

/// An analyser at `sample_rate` fed `left`/`right` in one block.
fn analyse(sample_rate: f32, left: &[f32], right: &[f32]) -> BandSpectrum {
    let mut spectrum = BandSpectrum::new();
    spectrum.prepare(sample_rate);
    spectrum.process(left, right);
    spectrum.finish();
    spectrum
}

/// Paul Kellet's "refined" pink-noise filter (±0.05 dB of 1/f above 9.2 Hz at 44.1 kHz),
/// an independent pink source: its band powers must be equal.
fn pink(len: usize, seed: u64) -> Vec<f32> {
    let white = noise(len, seed);
    let mut b = [0.0_f64; 7];
    white
        .iter()
        .map(|&w| {
            let w = f64::from(w);
            b[0] = 0.99886 * b[0] + w * 0.055_517_9;
            b[1] = 0.99332 * b[1] + w * 0.075_075_9;
            b[2] = 0.96900 * b[2] + w * 0.153_852;
            b[3] = 0.86650 * b[3] + w * 0.310_485_6;
            b[4] = 0.55000 * b[4] + w * 0.532_952_2;
            b[5] = -0.7616 * b[5] - w * 0.016_898;
            let out = b.iter().sum::<f64>() + w * 0.5362;
            b[6] = w * 0.115_926;
            (out * 0.1) as f32
        })
        .collect()
}

/// Least-squares slope of `y` against band index, in dB per band.
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

#[test]
fn centres_and_edges_follow_iec_61260() {
    // Base-10 exact mid-band frequencies round to the nominal ones (Annex E) within 2 %.
    for (band, &nominal) in NOMINAL_CENTRES_HZ.iter().enumerate() {
        let exact = band_centre_hz(band);
        assert!(
            (exact / f64::from(nominal) - 1.0).abs() < 0.02,
            "{band}: {exact}"
        );
        let (lo, hi) = band_edges_hz(band);
        assert!((hi / lo - 10f64.powf(0.1)).abs() < 1e-12);
        assert!(((lo * hi).sqrt() / exact - 1.0).abs() < 1e-12);
    }
    assert!((band_centre_hz(16) - 1000.0).abs() < 1e-9);
    // Neighbouring bands share an edge.
    for band in 1..NUM_BANDS {
        assert!((band_edges_hz(band - 1).1 - band_edges_hz(band).0).abs() < 1e-9);
    }
    // Nyquist clamping: at 44.1 kHz the 20 kHz band stops at 22 050 Hz; at 32 kHz it is
    // inactive and the 16 kHz band is clamped to 16 kHz.
    assert_eq!(band_edges_at(29, 44_100.0).unwrap().1, 22_050.0);
    assert!(band_edges_at(29, 32_000.0).is_none());
    assert_eq!(band_edges_at(28, 32_000.0).unwrap().1, 16_000.0);
    let mut spectrum = BandSpectrum::new();
    spectrum.prepare(32_000.0);
    assert!(spectrum.is_active(28) && !spectrum.is_active(29));
    assert_eq!(band_label(5, 7), "80–125 Hz");
    assert_eq!(band_label(20, 22), "2.5k–4k Hz");
}

#[test]
fn sine_at_each_band_centre_lands_in_its_band_at_its_power() {
    for sample_rate in [44_100.0_f32, 48_000.0] {
        let fs = f64::from(sample_rate);
        let len = 2 * frame_len_for(sample_rate);
        let amp = 0.5;
        let expected_db = 10.0 * (amp * amp / 2.0_f64).log10();
        for band in 0..NUM_BANDS {
            let centre = band_centre_hz(band);
            let x = sine(centre, amp, fs, len);
            let spectrum = analyse(sample_rate, &x, &x);
            assert_eq!(spectrum.frames(), 3);
            let reading = spectrum.band(band);
            assert!(
                (reading.level_db - expected_db).abs() < 0.2,
                "{sample_rate} Hz, band {band} ({centre:.1} Hz): {:.3} dB, expected {expected_db:.3}",
                reading.level_db
            );
            // Everything else together holds less than 1 % of it.
            let total: f64 = (0..NUM_BANDS).map(|b| spectrum.band_energy(b).left).sum();
            let own = spectrum.band_energy(band).left;
            assert!(
                total - own < 0.01 * own,
                "band {band}: leak {}",
                (total - own) / own
            );
            assert!((reading.correlation - 1.0).abs() < 1e-9);
            assert!(reading.side_db <= SILENT_BAND_DB + 1e-9);
        }
    }
}

#[test]
fn white_noise_band_power_grows_with_band_width() {
    // Uniform white noise in [−1, 1): mean square 1/3, spread evenly over 0 … fs/2, so a
    // band holds (1/3)·(hi − lo)/(fs/2): +1 dB per third octave.
    let sample_rate = 48_000.0_f32;
    let fs = f64::from(sample_rate);
    let len = 20 * 48_000;
    let left = noise(len, 7);
    let right = noise(len, 0x5DEE_CE66_D1CE_4E5B);
    let spectrum = analyse(sample_rate, &left, &right);
    let frames = spectrum.frames() as f64;
    let mut points = Vec::new();
    for band in 0..NUM_BANDS {
        let (lo, hi) = band_edges_at(band, fs).unwrap();
        let expected = 10.0 * ((1.0 / 3.0) * (hi - lo) / (fs / 2.0)).log10();
        let got = spectrum.band(band).level_db;
        // Statistical tolerance: ~4 standard deviations of a Welch estimate over
        // (bins × frames × 2 channels) averages, as dB.
        let bins = (hi - lo) / (fs / spectrum.frame_len() as f64);
        let tol_db = 10.0 * (1.0 + 4.0 / (bins * frames).sqrt()).log10();
        assert!(
            (got - expected).abs() < tol_db.max(0.05),
            "band {band}: {got:.3} dB, expected {expected:.3} ± {tol_db:.3}"
        );
        if (3..29).contains(&band) {
            points.push((band as f64, got));
        }
        // Independent channels: correlation near 0, side ≈ mid.
        if band >= 12 {
            let r = spectrum.band(band);
            assert!(r.correlation.abs() < 0.1, "band {band}: {}", r.correlation);
            assert!(r.side_mid_db.abs() < 0.5, "band {band}: {}", r.side_mid_db);
        }
    }
    let s = slope(&points);
    assert!((s - 1.0).abs() < 0.02, "white slope {s:.4} dB/band");
}

#[test]
fn pink_noise_has_equal_power_per_band() {
    // 1/f noise: ∫ c/f df over a band is c·ln(hi/lo), the same for every third octave.
    let sample_rate = 44_100.0_f32;
    let len = 20 * 44_100;
    let x = pink(len, 11);
    let spectrum = analyse(sample_rate, &x, &x);
    let mut points = Vec::new();
    for band in 3..28 {
        points.push((band as f64, spectrum.band(band).level_db));
    }
    let s = slope(&points);
    assert!(s.abs() < 0.02, "pink slope {s:.4} dB/band");
    let mean = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    for &(band, level) in points.iter().filter(|p| p.0 >= 10.0) {
        assert!(
            (level - mean).abs() < 0.3,
            "band {band}: {level:.3} vs mean {mean:.3}"
        );
    }
}

#[test]
fn mono_reads_plus_one_and_anti_phase_minus_one() {
    let sample_rate = 48_000.0;
    let x = noise(3 * 32_768, 3);
    let inverted: Vec<f32> = x.iter().map(|v| -v).collect();
    let mono = analyse(sample_rate, &x, &x);
    let anti = analyse(sample_rate, &x, &inverted);
    for band in 0..NUM_BANDS {
        let m = mono.band(band);
        let a = anti.band(band);
        assert!(
            (m.correlation - 1.0).abs() < 1e-6,
            "mono band {band}: {}",
            m.correlation
        );
        assert!(
            (a.correlation + 1.0).abs() < 1e-6,
            "anti band {band}: {}",
            a.correlation
        );
        assert_eq!(m.side_db, SILENT_BAND_DB);
        assert_eq!(a.mid_db, SILENT_BAND_DB);
        assert_eq!(a.side_mid_db, -SILENT_BAND_DB);
        // Side of anti-phase = mid of mono = the channel's own power.
        assert!((a.side_db - m.mid_db).abs() < 1e-6);
        assert!((m.mid_db - m.left_db).abs() < 1e-6);
    }
}

#[test]
fn block_size_does_not_change_the_result_and_reset_restarts() {
    let sample_rate = 48_000.0;
    let left = noise(80_000, 21);
    let right = noise(80_000, 22);
    let whole = analyse(sample_rate, &left, &right);
    let mut blocks = BandSpectrum::new();
    blocks.prepare(sample_rate);
    // Fill with something else first, then reset.
    blocks.process(&right, &left);
    blocks.reset();
    let mut rng = fastrand::Rng::with_seed(5);
    let mut pos = 0;
    while pos < left.len() {
        let len = match rng.usize(0..3) {
            0 => 1,
            1 => 64,
            _ => rng.usize(1..5000),
        }
        .min(left.len() - pos);
        blocks.process(&left[pos..pos + len], &right[pos..pos + len]);
        pos += len;
    }
    blocks.finish();
    assert_eq!(whole.frames(), blocks.frames());
    assert_eq!(whole.samples(), blocks.samples());
    for band in 0..NUM_BANDS {
        assert_eq!(
            whole.band_energy(band),
            blocks.band_energy(band),
            "band {band}"
        );
    }
}

#[test]
fn short_programme_is_analysed_by_finish() {
    // 0.3 s, under one frame: `finish` windows what there is.
    let sample_rate = 48_000.0;
    let amp = 0.25;
    let x = sine(1000.0, amp, 48_000.0, 14_400);
    let mut spectrum = BandSpectrum::new();
    spectrum.prepare(sample_rate);
    spectrum.process(&x, &x);
    assert_eq!(spectrum.frames(), 0);
    assert_eq!(spectrum.band(16).level_db, SILENT_BAND_DB);
    spectrum.finish();
    assert_eq!(spectrum.frames(), 1);
    let expected = 10.0 * (amp * amp / 2.0_f64).log10();
    assert!((spectrum.band(16).level_db - expected).abs() < 0.2);
    // A second `finish` adds nothing.
    spectrum.finish();
    assert_eq!(spectrum.frames(), 1);
}

#[test]
fn bad_input_is_read_as_silence_and_unprepared_is_harmless() {
    let mut unprepared = BandSpectrum::new();
    unprepared.process(&[1.0; 10], &[1.0; 10]);
    unprepared.finish();
    assert_eq!(unprepared.band(3).level_db, SILENT_BAND_DB);
    assert_eq!(unprepared.band(99).correlation, 0.0);
    let mut x = sine(1000.0, 0.5, 48_000.0, 70_000);
    x[1000] = f32::NAN;
    x[2000] = f32::INFINITY;
    let spectrum = analyse(48_000.0, &x, &x);
    for reading in spectrum.bands() {
        assert!(reading.level_db.is_finite() && reading.correlation.is_finite());
    }
    assert!((spectrum.band(16).level_db - 10.0 * 0.125_f64.log10()).abs() < 0.2);
}
