//! One full editor frame of the Channel EQ (curve, spectrum, nodes, band controls): egui
//! layout plus tessellation, no GPU. Target: under 2 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use lacquer_channel_eq::editor::{self, EqUiState, FACTORY_PRESETS, LOCKED_PARAMS};
use lacquer_channel_eq::{EqMeters, EqParams};
use lacquer_kit::meters_bridge::AnalyzerSender;
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::testing::{FakeHost, Harness};
use nice_plug::prelude::ParamSetter;
use std::sync::Arc;

fn eq_frame(c: &mut Criterion) {
    let params = Arc::new(EqParams::default());
    let meters = Arc::new(EqMeters::default());
    let host = FakeHost::new(params.clone());
    {
        // Four bands on, so the curve and the nodes have work to do.
        let setter = ParamSetter::new(&host);
        for k in [0, 2, 4, 7] {
            setter.set_parameter(&params.bands[k].on, true);
            setter.set_parameter(&params.bands[k].gain_db, 4.0 - k as f32);
        }
        setter.set_parameter(&params.low_cut.on, true);
    }
    let mut state = EqUiState::with_presets(
        PresetLibrary::new("channel-eq", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
    );
    let mut h = Harness::new(egui::vec2(editor::WIDTH as f32, editor::HEIGHT as f32));
    let mut sender = AnalyzerSender::default();
    let noise: Vec<f32> = (0..4096)
        .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5)
        .collect();
    let mut level = -20.0f32;
    for _ in 0..3 {
        let setter = ParamSetter::new(&host);
        h.frame_with(true, |ui| {
            editor::draw(ui, &params, &setter, &meters, &mut state)
        });
    }
    c.bench_function("channel eq editor frame (layout + tessellation)", |b| {
        b.iter(|| {
            // Moving meters and fresh analyzer audio, as while audio plays.
            level = if level > -3.0 { -30.0 } else { level + 0.7 };
            meters
                .output
                .store((level, level - 6.0), (level - 1.0, level - 7.0));
            sender.push_block(&meters.analyzer, &noise[..1600], &noise[..1600]);
            let setter = ParamSetter::new(&host);
            h.frame_with(true, |ui| {
                editor::draw(ui, &params, &setter, &meters, &mut state)
            });
        })
    });
}

criterion_group!(benches, eq_frame);
criterion_main!(benches);
