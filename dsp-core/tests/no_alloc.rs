//! Every processor's `set_*`/`process` path runs without a single allocation after
//! `prepare`, across parameter sweeps, block sizes 1..8192 and sample rates 8k..384k,
//! and survives hostile input (NaN, Inf, denormals, +40 dBFS) with finite output after
//! the offending block.

use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use dsp_core::panner::{PanLaw, PanMode, PanTaper, Panner, PannerSettings};

#[global_allocator]
static A: AllocDisabler = AllocDisabler;

const SAMPLE_RATES: [f32; 4] = [8_000.0, 44_100.0, 48_000.0, 384_000.0];
const BLOCKS: [usize; 8] = [1, 2, 3, 64, 511, 512, 4096, 8192];
const MAX_BLOCK: usize = 8192;

/// Block sizes to run: the fixed list plus a few random ones.
fn block_sizes(rng: &mut fastrand::Rng) -> Vec<usize> {
    let mut v = BLOCKS.to_vec();
    v.extend((0..4).map(|_| rng.usize(1..=MAX_BLOCK)));
    v
}

/// Test signal: noise, then hostile samples in a few blocks.
fn fill(buf: &mut [f32], rng: &mut fastrand::Rng, kind: usize) {
    for x in buf.iter_mut() {
        *x = rng.f32() * 2.0 - 1.0;
    }
    match kind % 5 {
        1 => buf[buf.len() / 2] = f32::NAN,
        2 => buf[0] = f32::INFINITY,
        3 => buf.iter_mut().for_each(|x| *x = 1e-39),
        4 => buf.iter_mut().for_each(|x| *x *= 100.0), // +40 dBFS
        _ => {}
    }
}

fn all_finite(buf: &[f32]) -> bool {
    buf.iter().all(|x| x.is_finite())
}

#[test]
fn panner_never_allocates_and_recovers_from_hostile_input() {
    let mut rng = fastrand::Rng::with_seed(1);
    let mut left = vec![0.0; MAX_BLOCK];
    let mut right = vec![0.0; MAX_BLOCK];
    for &sr in &SAMPLE_RATES {
        for channels in [1, 2] {
            let mut p = Panner::new();
            p.prepare(sr, MAX_BLOCK, channels);
            let sizes = block_sizes(&mut rng);
            for (i, &n) in sizes.iter().enumerate() {
                for kind in 0..5 {
                    let s = PannerSettings {
                        mode: [
                            PanMode::Balance,
                            PanMode::Stereo,
                            PanMode::Dual,
                            PanMode::Mono,
                        ][(i + kind) % 4],
                        law: [
                            PanLaw::ZeroDb,
                            PanLaw::Minus3Db,
                            PanLaw::Minus4_5Db,
                            PanLaw::Minus6Db,
                        ][kind % 4],
                        taper: if i % 2 == 0 {
                            PanTaper::SinCos
                        } else {
                            PanTaper::Linear
                        },
                        compensated: kind % 2 == 0,
                        pan: rng.f32() * 2.0 - 1.0,
                        width: rng.f32() * 2.0,
                        left_pan: rng.f32() * 2.0 - 1.0,
                        right_pan: rng.f32() * 2.0 - 1.0,
                        bass_mono: (i + kind) % 3 != 0,
                        bass_mono_hz: 20.0 + rng.f32() * 480.0,
                        swap: kind == 3,
                        invert_left: kind == 1,
                        invert_right: i % 3 == 0,
                        output_gain_db: rng.f32() * 48.0 - 24.0,
                    };
                    fill(&mut left[..n], &mut rng, kind);
                    fill(&mut right[..n], &mut rng, kind + 1);
                    assert_no_alloc(|| {
                        p.set_settings(&s);
                        p.process_stereo(&mut left[..n], &mut right[..n]);
                    });
                    // A clean block afterwards must be finite.
                    fill(&mut left[..n], &mut rng, 0);
                    fill(&mut right[..n], &mut rng, 0);
                    assert_no_alloc(|| p.process_stereo(&mut left[..n], &mut right[..n]));
                    assert!(
                        all_finite(&left[..n]) && all_finite(&right[..n]),
                        "{sr} {n} {kind}"
                    );
                }
            }
            assert_no_alloc(|| p.reset());
        }
    }
}
