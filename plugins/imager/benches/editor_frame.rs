//! One full editor frame of the Imager with the meters, the spectrum, the vectorscope and
//! the correlation history moving: egui layout plus tessellation, no GPU. Target: under 2 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use lacquer_imager::editor::{self, ImagerUiState, FACTORY_PRESETS, LOCKED_PARAMS};
use lacquer_imager::{HistoryPoint, ImagerMeters, ImagerParams};
use lacquer_kit::meters_bridge::AnalyzerSender;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::testing::{FakeHost, Harness};
use nice_plug::prelude::ParamSetter;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn imager_frame(c: &mut Criterion) {
    let params = Arc::new(ImagerParams::default());
    let meters = Arc::new(ImagerMeters::default());
    let host = FakeHost::new(params.clone());
    let mut state = ImagerUiState::with_presets(
        PresetLibrary::new("imager", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
    );
    let mut h = Harness::new(egui::vec2(editor::WIDTH as f32, editor::HEIGHT as f32));
    let mut sender = AnalyzerSender::default();
    // 1/30 s of decorrelated stereo noise per frame, as while audio plays at 48 kHz.
    let mut rng = 1u32;
    let mut noise = move || {
        rng = rng.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (rng >> 8) as f32 / (1u32 << 24) as f32 - 0.5
    };
    let frame_audio = 1600;
    let mut t = 0.0f32;
    c.bench_function("imager editor frame (layout + tessellation)", |b| {
        b.iter(|| {
            t += 0.05;
            let l: Vec<f32> = (0..frame_audio).map(|_| noise()).collect();
            let r: Vec<f32> = l.iter().map(|x| 0.7 * x + 0.3 * noise()).collect();
            sender.push_block(&meters.analyzer, &l, &r);
            meters.input.store((-12.0, -18.0), (-13.0, -19.0));
            meters.output.store((-11.0, -17.0), (-12.0, -18.0));
            meters.correlation.store(t.sin() * 0.8, Ordering::Relaxed);
            for (k, a) in meters.band_correlation.iter().enumerate() {
                a.store((t + k as f32).cos(), Ordering::Relaxed);
            }
            meters.mid_db.store(-15.0, Ordering::Relaxed);
            meters
                .side_db
                .store(-20.0 + 8.0 * t.sin(), Ordering::Relaxed);
            for _ in 0..2 {
                let _ = meters.history.push(HistoryPoint {
                    correlation: t.sin() * 0.8,
                    side_minus_mid_db: -5.0,
                });
            }
            let setter = ParamSetter::new(&host);
            h.frame_with(true, |ui| {
                editor::draw(ui, &params, &setter, &meters, &mut state)
            });
        })
    });
}

criterion_group!(benches, imager_frame);
criterion_main!(benches);
