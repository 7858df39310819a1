//! One full editor frame of the Reverb Send with the meters and the tail history moving:
//! egui layout plus tessellation, no GPU. Target: under 2 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::testing::{FakeHost, Harness};
use lacquer_reverb_send::editor::{self, ReverbUiState, FACTORY_PRESETS, LOCKED_PARAMS};
use lacquer_reverb_send::{HistoryPoint, ReverbMeters, ReverbParams};
use nice_plug::prelude::ParamSetter;
use std::sync::Arc;

fn reverb_frame(c: &mut Criterion) {
    let params = Arc::new(ReverbParams::default());
    let meters = Arc::new(ReverbMeters::default());
    let host = FakeHost::new(params.clone());
    let mut state = ReverbUiState::with_presets(
        PresetLibrary::new("reverb-send", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
    );
    let mut h = Harness::new(egui::vec2(editor::WIDTH as f32, editor::HEIGHT as f32));
    // A full history, as after a few seconds of playback.
    for i in 0..250 {
        let level = -12.0 - (i % 50) as f32;
        state.history.push(&[level, level - 6.0]);
    }
    let mut level = -12.0f32;
    for _ in 0..3 {
        let setter = ParamSetter::new(&host);
        h.frame_with(true, |ui| {
            editor::draw(ui, &params, &setter, &meters, &mut state)
        });
    }
    c.bench_function("reverb-send editor frame (layout + tessellation)", |b| {
        b.iter(|| {
            // Moving meters, as while audio plays: ~1.7 history points per 30 fps frame.
            level = if level > -3.0 { -40.0 } else { level + 0.3 };
            meters
                .input
                .store((level, level - 6.0), (level - 1.0, level - 7.0));
            meters
                .output
                .store((level - 4.0, level - 10.0), (level - 5.0, level - 11.0));
            for _ in 0..2 {
                let _ = meters.history.push(HistoryPoint {
                    input_db: level,
                    output_db: level - 6.0,
                });
            }
            let setter = ParamSetter::new(&host);
            h.frame_with(true, |ui| {
                editor::draw(ui, &params, &setter, &meters, &mut state)
            });
        })
    });
}

criterion_group!(benches, reverb_frame);
criterion_main!(benches);
