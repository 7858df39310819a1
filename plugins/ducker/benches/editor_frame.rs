//! One full editor frame of the Ducker with the output meter, depth meter, key dot and the
//! history moving: egui layout plus tessellation, no GPU. Target: under 2 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use lacquer_ducker::editor::{self, DuckerUiState, FACTORY_PRESETS, LOCKED_PARAMS};
use lacquer_ducker::{DuckerMeters, DuckerParams, HistoryPoint, KeyStatus};
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::testing::{FakeHost, Harness};
use nice_plug::prelude::ParamSetter;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn ducker_frame(c: &mut Criterion) {
    let params = Arc::new(DuckerParams::default());
    let meters = Arc::new(DuckerMeters::default());
    let host = FakeHost::new(params.clone());
    let mut state = DuckerUiState::with_presets(
        PresetLibrary::new("ducker", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
    );
    let mut h = Harness::new(egui::vec2(editor::WIDTH as f32, editor::HEIGHT as f32));
    // A full history, as after a few seconds of playback.
    for i in 0..250 {
        let key = -40.0 + (i % 25) as f32 * 1.6;
        state
            .history
            .push(&[key, if key > -30.0 { -12.0 } else { 0.0 }]);
    }
    meters
        .key_status
        .store(KeyStatus::External as u8, Ordering::Relaxed);
    let mut level = -20.0f32;
    for _ in 0..3 {
        let setter = ParamSetter::new(&host);
        h.frame_with(true, |ui| {
            editor::draw(ui, &params, &setter, &meters, &mut state)
        });
    }
    c.bench_function("ducker editor frame (layout + tessellation)", |b| {
        b.iter(|| {
            // Moving meters, as while audio plays: ~1.7 history points per 30 fps frame.
            level = if level > -3.0 { -40.0 } else { level + 0.7 };
            meters
                .output
                .store((level, level - 6.0), (level - 1.0, level - 7.0));
            meters
                .reduction_db
                .store((level + 40.0) * 0.3, Ordering::Relaxed);
            meters.key_db.store(level, Ordering::Relaxed);
            for _ in 0..2 {
                let _ = meters.history.push(HistoryPoint {
                    key_db: level,
                    gain_db: -(level + 40.0) * 0.3,
                });
            }
            let setter = ParamSetter::new(&host);
            h.frame_with(true, |ui| {
                editor::draw(ui, &params, &setter, &meters, &mut state)
            });
        })
    });
}

criterion_group!(benches, ducker_frame);
criterion_main!(benches);
