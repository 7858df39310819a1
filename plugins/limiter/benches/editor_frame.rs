//! One full editor frame of the Limiter with the meters, loudness readouts and the history
//! moving: egui layout plus tessellation, no GPU. Target: under 2 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::testing::{FakeHost, Harness};
use lacquer_limiter::editor::{self, LimiterUiState, FACTORY_PRESETS, LOCKED_PARAMS};
use lacquer_limiter::{HistoryPoint, LimiterMeters, LimiterParams};
use nice_plug::prelude::ParamSetter;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn limiter_frame(c: &mut Criterion) {
    let params = Arc::new(LimiterParams::default());
    let meters = Arc::new(LimiterMeters::default());
    let host = FakeHost::new(params.clone());
    let mut state = LimiterUiState::with_presets(
        PresetLibrary::new("limiter", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
    );
    let mut h = Harness::new(egui::vec2(editor::WIDTH as f32, editor::HEIGHT as f32));
    // A full history, as after a few seconds of playback.
    for i in 0..250 {
        let level = -12.0 + (i % 25) as f32 * 0.6;
        state
            .history
            .push(&[level, level.min(-1.0), -(level + 1.0).max(0.0)]);
    }
    let mut level = -12.0f32;
    for _ in 0..3 {
        let setter = ParamSetter::new(&host);
        h.frame_with(true, |ui| {
            editor::draw(ui, &params, &setter, &meters, &mut state)
        });
    }
    c.bench_function("limiter editor frame (layout + tessellation)", |b| {
        b.iter(|| {
            // Moving meters, as while audio plays: ~1.7 history points per 30 fps frame.
            level = if level > 3.0 { -12.0 } else { level + 0.3 };
            meters
                .input
                .store((level, level - 6.0), (level - 1.0, level - 7.0));
            meters.output_true_peak.store(level.min(-1.0), level - 8.0);
            let gr = (level + 1.0).max(0.0);
            meters.gain_reduction_db.store(gr, Ordering::Relaxed);
            meters
                .integrated_lufs
                .store(-9.0 - gr * 0.1, Ordering::Relaxed);
            meters.short_term_lufs.store(level - 8.0, Ordering::Relaxed);
            meters.true_peak_max_db.store(-1.0, Ordering::Relaxed);
            meters.to_target_db.store(-5.0, Ordering::Relaxed);
            for _ in 0..2 {
                let _ = meters.history.push(HistoryPoint {
                    input_db: level,
                    output_db: level.min(-1.0),
                    gain_reduction_db: gr,
                });
            }
            let setter = ParamSetter::new(&host);
            h.frame_with(true, |ui| {
                editor::draw(ui, &params, &setter, &meters, &mut state)
            });
        })
    });
}

criterion_group!(benches, limiter_frame);
criterion_main!(benches);
