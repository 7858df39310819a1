//! One full editor frame of the Multiband with the meters, both spectra and the gain
//! reduction moving: egui layout plus tessellation, no GPU. Target: under 2 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use lacquer_kit::meters_bridge::AnalyzerSender;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::testing::{FakeHost, Harness};
use lacquer_multiband::editor::{self, MultibandUiState, FACTORY_PRESETS, LOCKED_PARAMS};
use lacquer_multiband::{MultibandMeters, MultibandParams};
use nice_plug::prelude::ParamSetter;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn multiband_frame(c: &mut Criterion) {
    let params = Arc::new(MultibandParams::default());
    let meters = Arc::new(MultibandMeters::default());
    let host = FakeHost::new(params.clone());
    let mut state = MultibandUiState::with_presets(
        PresetLibrary::new("multiband", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
    );
    let mut h = Harness::new(egui::vec2(editor::WIDTH as f32, editor::HEIGHT as f32));
    let (mut pre, mut post) = (AnalyzerSender::default(), AnalyzerSender::default());
    // 1/30 s of stereo noise per frame, as while audio plays at 48 kHz.
    let mut rng = 1u32;
    let mut noise = move || {
        rng = rng.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (rng >> 8) as f32 / (1u32 << 24) as f32 - 0.5
    };
    let frame_audio = 1600;
    let mut t = 0.0f32;
    c.bench_function("multiband editor frame (layout + tessellation)", |b| {
        b.iter(|| {
            t += 0.05;
            let l: Vec<f32> = (0..frame_audio).map(|_| noise()).collect();
            let r: Vec<f32> = l.iter().map(|x| 0.7 * x + 0.3 * noise()).collect();
            pre.push_block(&meters.pre, &l, &r);
            let (l2, r2): (Vec<f32>, Vec<f32>) =
                l.iter().zip(&r).map(|(a, b)| (0.5 * a, 0.5 * b)).unzip();
            post.push_block(&meters.post, &l2, &r2);
            meters.input.store((-12.0, -18.0), (-13.0, -19.0));
            meters.output.store((-11.0, -17.0), (-12.0, -18.0));
            for k in 0..meters.band_gr_db.len() {
                let wobble = (t + k as f32).sin();
                meters.band_gr_db[k].store(4.0 + 3.0 * wobble, Ordering::Relaxed);
                meters.band_in_db[k].store(-20.0 + 6.0 * wobble, Ordering::Relaxed);
            }
            let setter = ParamSetter::new(&host);
            h.frame_with(true, |ui| {
                editor::draw(ui, &params, &setter, &meters, &mut state)
            });
        })
    });
}

criterion_group!(benches, multiband_frame);
criterion_main!(benches);
