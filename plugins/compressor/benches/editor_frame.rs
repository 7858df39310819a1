//! One full editor frame of the Compressor with meters, history and the operating point
//! moving: egui layout plus tessellation, no GPU. Target: under 2 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use lacquer_compressor::editor::{self, CompressorUiState, FACTORY_PRESETS, LOCKED_PARAMS};
use lacquer_compressor::{CompressorMeters, CompressorParams, HistoryPoint};
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::testing::{FakeHost, Harness};
use nice_plug::prelude::ParamSetter;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn compressor_frame(c: &mut Criterion) {
    let params = Arc::new(CompressorParams::default());
    let meters = Arc::new(CompressorMeters::default());
    let host = FakeHost::new(params.clone());
    let mut state = CompressorUiState::with_presets(
        PresetLibrary::new("compressor", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
    );
    let mut h = Harness::new(egui::vec2(editor::WIDTH as f32, editor::HEIGHT as f32));
    // A full 5 s history, as after a few seconds of playback.
    for i in 0..250 {
        let level = -30.0 + (i % 40) as f32 * 0.6;
        state.history.push(&[level, level - 3.0, -3.0]);
    }
    let mut level = -20.0f32;
    for _ in 0..3 {
        let setter = ParamSetter::new(&host);
        h.frame_with(true, |ui| {
            editor::draw(ui, &params, &setter, &meters, &mut state)
        });
    }
    c.bench_function("compressor editor frame (layout + tessellation)", |b| {
        b.iter(|| {
            // Moving meters, as while audio plays: ~1.7 history points per 30 fps frame.
            level = if level > -3.0 { -30.0 } else { level + 0.7 };
            meters
                .input
                .store((level, level - 6.0), (level - 1.0, level - 7.0));
            meters
                .output
                .store((level - 3.0, level - 9.0), (level - 4.0, level - 10.0));
            meters
                .gain_reduction_db
                .store((level + 30.0) * 0.2, Ordering::Relaxed);
            meters.input_peak_db.store(level, Ordering::Relaxed);
            for _ in 0..2 {
                let _ = meters.history.push(HistoryPoint {
                    input_db: level,
                    output_db: level - 3.0,
                    gain_reduction_db: 3.0,
                });
            }
            let setter = ParamSetter::new(&host);
            h.frame_with(true, |ui| {
                editor::draw(ui, &params, &setter, &meters, &mut state)
            });
        })
    });
}

criterion_group!(benches, compressor_frame);
criterion_main!(benches);
