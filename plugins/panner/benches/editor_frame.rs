//! One full editor frame of the Panner (the busiest editor so far): egui layout plus
//! tessellation, no GPU. Target: under 2 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use lacquer_kit::header::HeaderState;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::testing::{FakeHost, Harness};
use lacquer_panner::editor::{self, PannerUiState, FACTORY_PRESETS, LOCKED_PARAMS};
use lacquer_panner::{PannerMeters, PannerParams};
use nice_plug::prelude::ParamSetter;
use std::sync::Arc;

fn panner_frame(c: &mut Criterion) {
    let params = Arc::new(PannerParams::default());
    let meters = Arc::new(PannerMeters::default());
    let host = FakeHost::new(params.clone());
    let mut state = PannerUiState {
        header: HeaderState::new(
            PresetLibrary::new("panner", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
        ),
    };
    let mut h = Harness::new(egui::vec2(editor::WIDTH as f32, editor::HEIGHT as f32));
    let mut level = -20.0f32;
    // Warm up fonts and layout caches.
    for _ in 0..3 {
        let setter = ParamSetter::new(&host);
        h.frame_with(true, |ui| {
            editor::draw(ui, &params, &setter, &meters, &mut state)
        });
    }
    c.bench_function("panner editor frame (layout + tessellation)", |b| {
        b.iter(|| {
            // Moving meters, as while audio plays.
            level = if level > -3.0 { -30.0 } else { level + 0.7 };
            meters
                .input
                .store((level, level - 6.0), (level - 1.0, level - 7.0));
            meters
                .output
                .store((level, level - 6.0), (level - 1.0, level - 7.0));
            let setter = ParamSetter::new(&host);
            h.frame_with(true, |ui| {
                editor::draw(ui, &params, &setter, &meters, &mut state)
            });
        })
    });
}

criterion_group!(benches, panner_frame);
criterion_main!(benches);
