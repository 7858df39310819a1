//! Throughput of the hot paths at 48 kHz, blocks of 64 and 512 (criterion reports
//! per-sample rates through `Throughput::Elements`; one element = one stereo sample,
//! or one mono sample for the envelope follower).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dsp_core::biquad::{Biquad, BiquadCoefs, FilterParams, FilterType};
use dsp_core::crossover::Crossover;
use dsp_core::envelope::{EnvelopeFollower, EnvelopeMode};
use dsp_core::panner::{Panner, PannerSettings};
use std::hint::black_box;

// The shared test helpers (noise) of the unit tests.
#[allow(dead_code)]
#[path = "../src/test_util.rs"]
mod test_util;
use test_util::noise;

const FS: f32 = 48_000.0;
const BLOCKS: [usize; 2] = [64, 512];

fn bench_panner(c: &mut Criterion) {
    let mut group = c.benchmark_group("panner");
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l0, r0) = (noise(n, 1), noise(n, 2));
        let steady = PannerSettings {
            pan: 0.3,
            width: 1.4,
            ..Default::default()
        };
        for (name, settings) in [
            ("steady", steady),
            (
                "bass_mono",
                PannerSettings {
                    bass_mono: true,
                    ..steady
                },
            ),
        ] {
            let mut p = Panner::new();
            p.prepare(FS, n, 2);
            p.set_settings(&settings);
            let (mut l, mut r) = (l0.clone(), r0.clone());
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    // Processing is in place: the input is restored each iteration (the
                    // copy is included in the figure).
                    l.copy_from_slice(&l0);
                    r.copy_from_slice(&r0);
                    p.set_settings(black_box(&settings));
                    p.process_stereo(black_box(&mut l), black_box(&mut r));
                })
            });
        }
        // Pan sweep: the target moves every block, so the pan ramp never settles.
        let mut p = Panner::new();
        p.prepare(FS, n, 2);
        let (mut l, mut r) = (l0.clone(), r0.clone());
        let mut pan = -1.0_f32;
        let mut dir = 1.0_f32;
        group.bench_function(BenchmarkId::new("pan_sweep", n), |b| {
            b.iter(|| {
                pan += dir * 0.01;
                if pan.abs() >= 1.0 {
                    dir = -dir;
                }
                l.copy_from_slice(&l0);
                r.copy_from_slice(&r0);
                p.set_settings(&PannerSettings {
                    pan,
                    ..Default::default()
                });
                p.process_stereo(black_box(&mut l), black_box(&mut r));
            })
        });
    }
    group.finish();
}

fn bench_filters(c: &mut Criterion) {
    let mut group = c.benchmark_group("filters");
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l0, r0) = (noise(n, 3), noise(n, 4));
        let mut bq = Biquad::new();
        bq.prepare(FS, n, 2);
        bq.set_params(&FilterParams {
            filter_type: FilterType::Bell,
            freq_hz: 1000.0,
            q: 1.0,
            gain_db: 6.0,
        });
        let (mut l, mut r) = (l0.clone(), r0.clone());
        group.bench_function(BenchmarkId::new("biquad_bell_stereo", n), |b| {
            b.iter(|| {
                l.copy_from_slice(&l0);
                r.copy_from_slice(&r0);
                bq.process_stereo(black_box(&mut l), black_box(&mut r));
            })
        });
        let mut x = Crossover::new();
        x.prepare(FS, n, 2);
        x.set_bands(&[1000.0]);
        let mut bands = vec![vec![0.0; n]; 4];
        group.bench_function(BenchmarkId::new("lr4_2band_stereo", n), |b| {
            b.iter(|| {
                let [a, b1, c1, d] = &mut bands[..] else {
                    unreachable!()
                };
                x.process_block(0, black_box(&l0), &mut [&mut a[..], &mut b1[..]]);
                x.process_block(1, black_box(&r0), &mut [&mut c1[..], &mut d[..]]);
                black_box(&bands);
            })
        });
        let mut bands_r = vec![vec![0.0; n]; 2];
        group.bench_function(BenchmarkId::new("lr4_2band_stereo_lanes", n), |b| {
            b.iter(|| {
                let [a, b1, ..] = &mut bands[..] else {
                    unreachable!()
                };
                let [c1, d] = &mut bands_r[..] else {
                    unreachable!()
                };
                x.process_stereo(
                    black_box(&l0),
                    black_box(&r0),
                    &mut [&mut a[..], &mut b1[..]],
                    &mut [&mut c1[..], &mut d[..]],
                );
                black_box(&bands);
                black_box(&bands_r);
            })
        });
        let mut env = EnvelopeFollower::new();
        env.prepare(FS, n, 1);
        env.set_params(EnvelopeMode::Peak, 5.0, 100.0);
        let mut out = vec![0.0; n];
        group.bench_function(BenchmarkId::new("envelope_peak_mono", n), |b| {
            b.iter(|| {
                env.process(0, black_box(&l0), &mut out);
                black_box(&out);
            })
        });
    }
    group.finish();
}

/// One `BiquadCoefs::design` call (what a sweeping caller pays every 16 samples), per
/// filter type, cycling through 64 frequencies from 20 Hz to 20 kHz at 44.1 kHz.
fn bench_design(c: &mut Criterion) {
    let mut group = c.benchmark_group("biquad_design");
    group.throughput(Throughput::Elements(1));
    let freqs: Vec<f32> = (0..64)
        .map(|i| 20.0 * 1000.0_f32.powf(i as f32 / 63.0))
        .collect();
    for (name, filter_type, q, gain_db) in [
        ("bell", FilterType::Bell, 2.0, 9.0),
        ("bell_cut", FilterType::Bell, 0.7, -12.0),
        ("low_shelf", FilterType::LowShelf, 0.7, 6.0),
        ("high_shelf_q4", FilterType::HighShelf, 4.0, -9.0),
        ("low_pass", FilterType::LowPass, 0.707, 0.0),
    ] {
        let mut k = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                k = (k + 1) % freqs.len();
                BiquadCoefs::design(
                    44_100.0,
                    black_box(&FilterParams {
                        filter_type,
                        freq_hz: freqs[k],
                        q,
                        gain_db,
                    }),
                )
            })
        });
    }
    // The Channel EQ's band designs while a band moves (the plain design, recomputed every
    // 16 samples), swept over the same frequencies: one design per iteration.
    use dsp_core::eq::design::{design_band, design_band_plain};
    use dsp_core::eq::{BandSettings, BandType, CutSlope};
    for (name, sr, band_type, q, gain_db, slope) in [
        (
            "eq_bell_48k",
            48_000.0,
            BandType::Bell,
            2.0,
            9.0,
            CutSlope::Db24,
        ),
        (
            "eq_bell_96k",
            96_000.0,
            BandType::Bell,
            2.0,
            9.0,
            CutSlope::Db24,
        ),
        (
            "eq_high_shelf_q3_48k",
            48_000.0,
            BandType::HighShelf,
            3.0,
            -9.0,
            CutSlope::Db24,
        ),
        (
            "eq_low_cut_24db_48k",
            48_000.0,
            BandType::LowCut,
            0.707,
            0.0,
            CutSlope::Db24,
        ),
        (
            "eq_low_cut_96db_48k",
            48_000.0,
            BandType::LowCut,
            0.707,
            0.0,
            CutSlope::Db96,
        ),
        (
            "eq_high_cut_18db_48k",
            48_000.0,
            BandType::HighCut,
            0.707,
            0.0,
            CutSlope::Db18,
        ),
        (
            "eq_notch_48k",
            48_000.0,
            BandType::Notch,
            2.0,
            0.0,
            CutSlope::Db24,
        ),
        (
            "eq_low_cut_12db_q5_48k",
            48_000.0,
            BandType::LowCut,
            5.0,
            0.0,
            CutSlope::Db12,
        ),
        (
            "eq_high_shelf_q3_30db_48k",
            48_000.0,
            BandType::HighShelf,
            3.0,
            30.0,
            CutSlope::Db24,
        ),
    ] {
        let mut k = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                k = (k + 1) % freqs.len();
                let band = BandSettings {
                    enabled: true,
                    band_type,
                    freq_hz: freqs[k],
                    gain_db,
                    q,
                    slope,
                    ..Default::default()
                };
                design_band_plain(black_box(&band), sr)
            })
        });
    }
    // Single designs among the hardest, corrected (see `eq::design`): made once when the
    // band's values arrive; and the same bands' plain design (what they cost while they
    // move).
    for (name, sr, band_type, freq_hz, q, gain_db, slope) in [
        (
            "eq_one_high_shelf_q3_30db_6k8_48k",
            48_000.0,
            BandType::HighShelf,
            6769.0,
            3.0,
            30.0,
            CutSlope::Db24,
        ),
        (
            "eq_one_low_cut_12db_q5_14k_44k",
            44_100.0,
            BandType::LowCut,
            14_000.0,
            5.0,
            0.0,
            CutSlope::Db12,
        ),
        (
            "eq_one_low_cut_96db_14k_48k",
            48_000.0,
            BandType::LowCut,
            14_000.0,
            0.707,
            0.0,
            CutSlope::Db96,
        ),
    ] {
        let band = BandSettings {
            enabled: true,
            band_type,
            freq_hz,
            gain_db,
            q,
            slope,
            ..Default::default()
        };
        group.bench_function(name, |b| b.iter(|| design_band(black_box(&band), sr)));
        let plain = format!("{name}_moving");
        group.bench_function(&plain, |b| {
            b.iter(|| design_band_plain(black_box(&band), sr))
        });
    }
    group.finish();
}

/// The whole loudness meter (K-weighting, 100 ms slots, histograms, 4x true peak), stereo.
fn bench_loudness(c: &mut Criterion) {
    let mut group = c.benchmark_group("loudness");
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l, r) = (noise(n, 5), noise(n, 6));
        let mut m = dsp_core::loudness::LoudnessMeter::new();
        m.prepare(FS, n, 2);
        group.bench_function(BenchmarkId::new("meter_tp4x_stereo", n), |b| {
            b.iter(|| m.process_stereo(black_box(&l), black_box(&r)))
        });
        // The two costly parts alone: K-weighting with the sums of squares, and 4x true peak.
        let mut k = dsp_core::k_weighting::KWeighting::new();
        k.prepare(FS, n, 2);
        let mut sums = [0.0; 2];
        group.bench_function(BenchmarkId::new("k_weighting_stereo", n), |b| {
            b.iter(|| {
                k.sum_squares_pair(0, Some(1), black_box(&l), black_box(&r), &mut sums);
                black_box(&sums);
            })
        });
        let mut tp = dsp_core::oversampler::TruePeak::new();
        tp.prepare(FS, n, 2);
        group.bench_function(BenchmarkId::new("true_peak_4x_stereo", n), |b| {
            b.iter(|| {
                black_box(tp.process(0, black_box(&l)));
                black_box(tp.process(1, black_box(&r)));
            })
        });
    }
    group.finish();
}

/// The Compressor at 48 kHz stereo: RMS detection, fully linked, with and without 5 ms
/// lookahead, and an unlinked M/S peak case (every per-channel path doubled).
fn bench_compressor(c: &mut Criterion) {
    use dsp_core::compressor::{Compressor, CompressorSettings};
    use dsp_core::dynamics::{DetectionMode, StereoMode};
    let mut group = c.benchmark_group("compressor");
    let rms = CompressorSettings {
        threshold_db: -24.0,
        ratio: 4.0,
        knee_db: 6.0,
        attack_ms: 5.0,
        release_ms: 80.0,
        detection: DetectionMode::Rms,
        rms_window_ms: 10.0,
        link: 1.0,
        ..Default::default()
    };
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l0, r0) = (noise(n, 1), noise(n, 2));
        for (name, settings) in [
            ("rms_link", rms),
            (
                "rms_link_lookahead_5ms",
                CompressorSettings {
                    lookahead_ms: 5.0,
                    ..rms
                },
            ),
            (
                "peak_ms_unlinked",
                CompressorSettings {
                    detection: DetectionMode::Peak,
                    stereo_mode: StereoMode::MidSide,
                    link: 0.0,
                    ..rms
                },
            ),
        ] {
            let mut comp = Compressor::new();
            comp.prepare(FS, n, 2);
            comp.set(&settings);
            let (mut l, mut r) = (l0.clone(), r0.clone());
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    // In place: the input is restored each iteration (copy included).
                    l.copy_from_slice(&l0);
                    r.copy_from_slice(&r0);
                    comp.set(black_box(&settings));
                    comp.process_stereo(&mut [black_box(&mut l[..]), black_box(&mut r[..])], None);
                })
            });
        }
    }
    group.finish();
}

/// The Ducker at 48 kHz stereo with a stereo key (kick-like bursts): key HP and LP on,
/// whole band and band-limited (LR4 at 150 Hz). Issue #10 targets: < 15 and < 25 ns per
/// stereo sample.
fn bench_ducker(c: &mut Criterion) {
    use dsp_core::ducker::{Ducker, DuckerSettings};
    let mut group = c.benchmark_group("ducker");
    let filters = DuckerSettings {
        threshold_db: -24.0,
        depth_db: -18.0,
        attack_ms: 2.0,
        release_ms: 120.0,
        key_hp: true,
        key_hp_hz: 40.0,
        key_lp: true,
        key_lp_hz: 200.0,
        ..Default::default()
    };
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l0, r0) = (noise(n, 1), noise(n, 2));
        // A key that crosses the threshold within every block: noise with a slow envelope.
        let key: Vec<f32> = noise(n, 3)
            .iter()
            .enumerate()
            .map(|(i, v)| v * (i as f32 * 0.05).sin().abs())
            .collect();
        for (name, settings) in [
            ("key_filters", filters),
            (
                "key_filters_band_limited",
                DuckerSettings {
                    band_limited: true,
                    band_hz: 150.0,
                    ..filters
                },
            ),
        ] {
            let mut d = Ducker::new();
            d.prepare(FS, n, 2);
            d.set(&settings);
            let (mut l, mut r) = (l0.clone(), r0.clone());
            let keys: [&[f32]; 2] = [&key, &key];
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    // In place: the input is restored each iteration (copy included).
                    l.copy_from_slice(&l0);
                    r.copy_from_slice(&r0);
                    d.set(black_box(&settings));
                    d.process_stereo(
                        &mut [black_box(&mut l[..]), black_box(&mut r[..])],
                        Some(&keys),
                    );
                })
            });
        }
    }
    group.finish();
}

/// The Limiter at 48 kHz stereo, driven 12 dB into a −1 dBTP ceiling (limiting all the
/// time), 5 ms lookahead, auto release, linked: 4x and 8x detection, and 4x with
/// noise-shaped dither and an unlinked pair of envelopes. Loudness metering included.
fn bench_limiter(c: &mut Criterion) {
    use dsp_core::dither::DitherMode;
    use dsp_core::limiter::{Limiter, LimiterSettings};
    use dsp_core::oversampler::OversamplingFactor;
    let mut group = c.benchmark_group("limiter");
    let base = LimiterSettings {
        input_gain_db: 12.0,
        ..LimiterSettings::default()
    };
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l0, r0) = (noise(n, 1), noise(n, 2));
        for (name, settings) in [
            ("tp4x", base),
            (
                "tp8x",
                LimiterSettings {
                    oversampling: OversamplingFactor::X8,
                    ..base
                },
            ),
            (
                "tp4x_unlinked_shaped_dither",
                LimiterSettings {
                    link: 0.5,
                    dither: DitherMode::NoiseShaped,
                    ..base
                },
            ),
        ] {
            let mut lim = Limiter::new();
            lim.prepare(FS, n, 2);
            lim.set(&settings);
            let (mut l, mut r) = (l0.clone(), r0.clone());
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    l.copy_from_slice(&l0);
                    r.copy_from_slice(&r0);
                    lim.set(black_box(&settings));
                    lim.process(&mut [black_box(&mut l[..]), black_box(&mut r[..])]);
                })
            });
        }
    }
    group.finish();
}

/// The Channel EQ at 48 kHz stereo: every band off, 1 bell, 4 bells, and the case of
/// 10 active bands (8 bells + low and high cut at 24 dB/oct = 12 sections). The plugin is
/// `plugins/channel-eq`; run with `cargo bench -p dsp-core --bench dsp -- channel_eq`.
fn bench_eq(c: &mut Criterion) {
    use dsp_core::eq::{BandSettings, BandType, CutSlope, Eq, EqSettings};
    let mut group = c.benchmark_group("channel_eq");
    let bell = |k: usize| BandSettings {
        enabled: true,
        band_type: BandType::Bell,
        freq_hz: 60.0 * 2f32.powi(k as i32),
        gain_db: if k.is_multiple_of(2) { 4.0 } else { -3.0 },
        q: 1.0,
        ..Default::default()
    };
    let with = |bells: usize, cuts: bool| {
        let mut s = EqSettings::default();
        for k in 0..bells {
            s.bands[k] = bell(k);
        }
        if cuts {
            for (k, t, f) in [
                (8, BandType::LowCut, 30.0),
                (9, BandType::HighCut, 18_000.0),
            ] {
                s.bands[k] = BandSettings {
                    enabled: true,
                    band_type: t,
                    freq_hz: f,
                    slope: CutSlope::Db24,
                    ..Default::default()
                };
            }
        }
        s
    };
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l0, r0) = (noise(n, 1), noise(n, 2));
        for (name, settings) in [
            ("all_off", with(0, false)),
            ("1_band", with(1, false)),
            ("4_bands", with(4, false)),
            ("10_bands_8_bells_2_cuts_24db", with(8, true)),
        ] {
            let mut eq = Eq::new();
            eq.prepare(FS, n, 2);
            eq.set_settings(&settings);
            let (mut l, mut r) = (l0.clone(), r0.clone());
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    // In place: the input is restored each iteration (copy included).
                    l.copy_from_slice(&l0);
                    r.copy_from_slice(&r0);
                    eq.set_settings(black_box(&settings));
                    eq.process_stereo(black_box(&mut l), black_box(&mut r));
                })
            });
        }
    }
    group.finish();
}

/// The Imager at 48 kHz stereo, meters on (they always run): 4 bands minimum phase
/// (target 40 ns per stereo sample), 1 band, and 4 bands linear phase; plus the
/// linear-phase splitter alone and one kernel redesign (the cost a crossover change
/// puts on the audio thread).
fn bench_imager(c: &mut Criterion) {
    use dsp_core::imager::{Imager, ImagerSettings, PhaseMode};
    use dsp_core::linear_phase::LinearPhaseSplitter;
    let mut group = c.benchmark_group("imager");
    let four = ImagerSettings {
        num_bands: 4,
        crossover_hz: [120.0, 1000.0, 6000.0],
        width: [0.0, 1.2, 1.5, 1.8],
        ..Default::default()
    };
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l0, r0) = (noise(n, 1), noise(n, 2));
        for (name, settings) in [
            ("4band_min_phase", four),
            (
                "1band",
                ImagerSettings {
                    num_bands: 1,
                    ..four
                },
            ),
            (
                "4band_bass_mono_side_hp",
                ImagerSettings {
                    bass_mono: true,
                    side_hp: true,
                    ..four
                },
            ),
            (
                "4band_linear_phase",
                ImagerSettings {
                    phase: PhaseMode::Linear,
                    ..four
                },
            ),
        ] {
            let mut im = Imager::new();
            im.prepare(FS, n, 2);
            im.set_settings(&settings);
            let (mut l, mut r) = (l0.clone(), r0.clone());
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    l.copy_from_slice(&l0);
                    r.copy_from_slice(&r0);
                    im.set_settings(black_box(&settings));
                    im.process_stereo(black_box(&mut l[..]), black_box(&mut r[..]));
                })
            });
        }
        let mut split = LinearPhaseSplitter::new();
        split.set_bands(&[120.0, 1000.0, 6000.0]);
        split.prepare(FS, n, 2);
        let mut bands = vec![vec![0.0; n]; 8];
        group.bench_function(BenchmarkId::new("linear_phase_split_4band", n), |b| {
            b.iter(|| {
                let (bl, br) = bands.split_at_mut(4);
                let mut bl: Vec<&mut [f32]> = bl.iter_mut().map(|v| &mut v[..]).collect();
                let mut br: Vec<&mut [f32]> = br.iter_mut().map(|v| &mut v[..]).collect();
                split.process_stereo(black_box(&l0), black_box(&r0), &mut bl, &mut br);
            })
        });
    }
    group.finish();
}

/// Lacquer Reverb Send (plugin crate `plugins/reverb-send`): default settings on music-like
/// noise, and on silence once the tail has decayed (the reverb sleeps). Throughput is in
/// stereo samples; run with `nice -n -15 cargo bench -p dsp-core --bench dsp -- reverb`.
fn bench_reverb(c: &mut Criterion) {
    use dsp_core::reverb::{Reverb, ReverbSettings};
    let mut group = c.benchmark_group("reverb-send");
    let s = ReverbSettings::default();
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l0, r0) = (noise(n, 1), noise(n, 2));
        let mut rv = Reverb::new();
        rv.prepare(FS, n, 2);
        rv.set(&s);
        let (mut l, mut r) = (l0.clone(), r0.clone());
        group.bench_function(BenchmarkId::new("default_music", n), |b| {
            b.iter(|| {
                l.copy_from_slice(&l0);
                r.copy_from_slice(&r0);
                rv.set(black_box(&s));
                rv.process_stereo(black_box(&mut l), black_box(&mut r));
            })
        });
        // Silence after the tail: run zeros until the reverb sleeps.
        let mut rv = Reverb::new();
        rv.prepare(FS, n, 2);
        rv.set(&s);
        let (mut l, mut r) = (l0.clone(), r0.clone());
        rv.process_stereo(&mut l, &mut r);
        let mut guard = 0;
        while !rv.is_asleep() && guard < 100_000 {
            l.iter_mut().chain(r.iter_mut()).for_each(|v| *v = 0.0);
            rv.process_stereo(&mut l, &mut r);
            guard += 1;
        }
        assert!(rv.is_asleep());
        let zeros = vec![0.0_f32; n];
        group.bench_function(BenchmarkId::new("default_silence_after_tail", n), |b| {
            b.iter(|| {
                l.copy_from_slice(&zeros);
                r.copy_from_slice(&zeros);
                rv.set(black_box(&s));
                rv.process_stereo(black_box(&mut l), black_box(&mut r));
            })
        });
    }
    group.finish();
}

/// Lacquer Multiband (issue #12) at 48 kHz stereo on white noise, every band compressing
/// (threshold −50 dBFS, 4:1, RMS, linked): 4 bands LR4 (target < 100 ns per stereo
/// sample), 3 and 5 bands, 4 bands LR8, 4 bands with 5 ms lookahead, 4 bands linear phase.
fn bench_multiband(c: &mut Criterion) {
    use dsp_core::crossover::LrOrder;
    use dsp_core::dynamics::DetectionMode;
    use dsp_core::multiband::{Multiband, MultibandSettings};
    let mut group = c.benchmark_group("multiband");
    let mut four = MultibandSettings {
        num_bands: 4,
        crossover_hz: [120.0, 1000.0, 6000.0, 12_000.0],
        ..Default::default()
    };
    for b in &mut four.bands {
        b.threshold_db = -50.0;
        b.ratio = 4.0;
        b.detection = DetectionMode::Rms;
    }
    for &n in &BLOCKS {
        group.throughput(Throughput::Elements(n as u64));
        let (l0, r0) = (noise(n, 1), noise(n, 2));
        for (name, settings) in [
            ("4band_lr4", four),
            (
                "3band_lr4",
                MultibandSettings {
                    num_bands: 3,
                    ..four
                },
            ),
            (
                "5band_lr4",
                MultibandSettings {
                    num_bands: 5,
                    ..four
                },
            ),
            (
                "4band_lr8",
                MultibandSettings {
                    slope: LrOrder::Lr8,
                    ..four
                },
            ),
            (
                "4band_lr4_lookahead_5ms",
                MultibandSettings {
                    lookahead_ms: 5.0,
                    ..four
                },
            ),
            (
                "4band_linear_phase",
                MultibandSettings {
                    linear_phase: true,
                    ..four
                },
            ),
        ] {
            let mut mb = Multiband::new();
            mb.prepare(FS, n, 2);
            mb.set(&settings);
            let (mut l, mut r) = (l0.clone(), r0.clone());
            group.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter(|| {
                    l.copy_from_slice(&l0);
                    r.copy_from_slice(&r0);
                    mb.set(black_box(&settings));
                    mb.process_stereo(&mut [black_box(&mut l[..]), black_box(&mut r[..])], None);
                })
            });
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_panner,
    bench_filters,
    bench_design,
    bench_loudness,
    bench_compressor,
    bench_ducker,
    bench_limiter,
    bench_eq,
    bench_imager,
    bench_reverb,
    bench_multiband
);
criterion_main!(benches);
