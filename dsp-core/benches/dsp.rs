//! Throughput of the hot paths at 48 kHz, blocks of 64 and 512 (criterion reports
//! per-sample rates through `Throughput::Elements`; one element = one stereo sample).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dsp_core::panner::{Panner, PannerSettings};
use std::hint::black_box;

const FS: f32 = 48_000.0;
const BLOCKS: [usize; 2] = [64, 512];

fn noise(len: usize, seed: u64) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| rng.f32() * 2.0 - 1.0).collect()
}

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

criterion_group!(benches, bench_panner);
criterion_main!(benches);
