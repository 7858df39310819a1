//! One full Loudness editor frame (egui layout plus tessellation, no GPU) with the meters
//! moving, ten minutes of history and a live spectrum on screen (the reference slots
//! empty). Target: under 2 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::testing::{FakeHost, Harness};
use lacquer_loudness::bridge::HistoryPoint;
use lacquer_loudness::editor::{self, LoudnessUiState, FACTORY_PRESETS, LOCKED_PARAMS};
use lacquer_loudness::{LoudnessMeters, LoudnessParams};
use nice_plug::prelude::ParamSetter;
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn loudness_frame(c: &mut Criterion) {
    let params = Arc::new(LoudnessParams::default());
    let meters = Arc::new(LoudnessMeters::default());
    let host = FakeHost::new(params.clone());
    let mut state = LoudnessUiState::with(
        PresetLibrary::new("loudness", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
        None,
    );
    // Ten minutes of history, the widest zoom: the most the history view ever draws.
    for i in 0..6000 {
        let x = i as f32 * 0.01;
        state.history.push(HistoryPoint {
            momentary_lufs: -23.0 + 6.0 * x.sin(),
            short_term_lufs: -23.0 + 3.0 * (x * 0.3).sin(),
        });
    }
    state.history.zoom_s = 600.0;
    // A live 1/3-octave spectrum on screen (its view draws bars once a frame is analysed).
    for (k, band) in meters.live_spectrum_db.iter().enumerate() {
        band.store(-20.0 - 0.5 * k as f32, Ordering::Relaxed);
    }
    meters.live_spectrum_frames.store(100, Ordering::Relaxed);
    let mut h = Harness::new(egui::vec2(editor::WIDTH as f32, editor::HEIGHT as f32));
    let mut level = -30.0f32;
    for _ in 0..3 {
        let setter = ParamSetter::new(&host);
        h.frame_with(true, |ui| {
            editor::draw(ui, &params, &setter, &meters, &mut state)
        });
    }
    c.bench_function("loudness editor frame (layout + tessellation)", |b| {
        b.iter(|| {
            // Moving meters and one new history point per frame, as while audio plays.
            level = if level > -8.0 { -30.0 } else { level + 0.7 };
            meters.momentary.store(level, Ordering::Relaxed);
            meters.short_term.store(level - 2.0, Ordering::Relaxed);
            meters.integrated.store(level - 3.0, Ordering::Relaxed);
            meters.true_peak_max.store(level + 18.0, Ordering::Relaxed);
            meters.push_history(HistoryPoint {
                momentary_lufs: level,
                short_term_lufs: level - 2.0,
            });
            let setter = ParamSetter::new(&host);
            h.frame_with(true, |ui| {
                editor::draw(ui, &params, &setter, &meters, &mut state)
            });
        })
    });
}

criterion_group!(benches, loudness_frame);
criterion_main!(benches);
