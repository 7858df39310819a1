//! Headless tests of the Multiband editor through the kit's fake host and egui harness.

use super::*;
use crate::params::{BandsParam, PhaseParam, SourceParam};
use egui::Modifiers;
use lacquer_kit::meters_bridge::{AnalyzerSender, CHUNK_FRAMES};
use lacquer_kit::presets::Preset;
use lacquer_kit::sidechain::KeyStatus;
use lacquer_kit::testing::{gesture_shape, EditorRig};
use lacquer_kit::views::freq_to_x;

type Rig = EditorRig<MultibandEditorSpec>;

/// The editor with default parameters and meters, factory presets only (no user folder).
fn new_rig() -> Rig {
    EditorRig::new(
        MultibandParams::default(),
        MultibandMeters::default(),
        MultibandUiState::with_presets(
            PresetLibrary::new("multiband", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
        ),
        vec2(WIDTH as f32, HEIGHT as f32),
    )
}

#[test]
fn dragging_a_threshold_and_a_crossover_and_selecting_a_band() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let rect = rig.state.lock().unwrap().band_rect;
    assert!(rect.width() > 400.0, "{rect:?}");
    // Band 3's threshold line (0 dB, at the top) down to -30 dB.
    let (l, r) = band_span(&rig.params, rect, 2);
    let (y0, y1) = {
        let s = rig.state.lock().unwrap();
        (
            threshold_to_y(&s, rect, 0.0),
            threshold_to_y(&s, rect, -30.0),
        )
    };
    let start = pos2(0.5 * (l + r), y0 + 2.0);
    rig.h
        .drag_from(start, vec2(0.0, y1 - y0), Modifiers::NONE, f.clone());
    let thr = rig.params.band[2].threshold_db.value();
    assert!((thr + 30.0).abs() < 1.5, "{thr}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin thr_3", "set thr_3", "end thr_3"]
    );
    assert_eq!(rig.state.lock().unwrap().selected, 2, "dragging selects");
    // Crossover 2 (1 kHz) to 2 kHz.
    let x = freq_to_x(rect, 1000.0);
    let to = freq_to_x(rect, 2000.0);
    rig.h.drag_from(
        pos2(x, rect.bottom() - 30.0),
        vec2(to - x, 0.0),
        Modifiers::NONE,
        f.clone(),
    );
    let hz = rig.params.crossovers[1].hz.value();
    assert!((hz / 2000.0 - 1.0).abs() < 0.03, "{hz}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin x_2", "set x_2", "end x_2"]
    );
    // A click in band 1 selects it; its controls then edit band 1.
    rig.h
        .click_at(pos2(rect.left() + 10.0, rect.center().y), f.clone());
    assert_eq!(rig.state.lock().unwrap().selected, 0);
    rig.h.frame(f.clone());
    rig.h.type_value("Band 1 Ratio", "4:1", f.clone());
    assert!((rig.params.band[0].ratio.value() - 4.0).abs() < 1e-3);
    // Double-click on band 3's threshold resets it to 0 dB.
    let y = {
        let s = rig.state.lock().unwrap();
        threshold_to_y(&s, rect, rig.params.band[2].threshold_db.value())
    };
    let (l, r) = band_span(&rig.params, rect, 2);
    rig.h.double_click_at(pos2(0.5 * (l + r), y), f.clone());
    assert_eq!(rig.params.band[2].threshold_db.value(), 0.0);
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn band_cells_and_global_controls() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    for (name, check) in [
        ("Band 2 Solo", 0usize),
        ("Band 4 Mute", 1),
        ("Band 1 Bypass", 2),
    ] {
        let pos = rig.h.rect(name, "control").center();
        rig.h.click_at(pos, f.clone());
        let p = &rig.params;
        let on = match check {
            0 => p.band[1].solo.value(),
            1 => p.band[3].mute.value(),
            _ => p.band[0].bypass.value(),
        };
        assert!(on, "{name} did not switch on");
    }
    rig.h.type_value("Output", "-3 dB", f.clone());
    assert!((rig.params.output_gain_db.value() + 3.0).abs() < 1e-3);
    rig.h.type_value("Detector Tilt", "3", f.clone());
    assert!((rig.params.tilt.value() - 3.0).abs() < 1e-3);
    let seg = rig.h.rect("Bands", "control");
    rig.h
        .click_at(seg.right_center() - vec2(8.0, 0.0), f.clone());
    assert_eq!(rig.params.bands.value(), BandsParam::Five);
    rig.h.frame(f.clone());
    // The fifth band now has a cell.
    let _ = rig.h.rect("Band 5 Solo", "control");
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn selection_follows_a_smaller_band_count() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.state.lock().unwrap().selected = 3;
    rig.host.set(&rig.params.bands, BandsParam::Two);
    rig.h.frame(f.clone());
    assert_eq!(rig.state.lock().unwrap().selected, 1);
    // Band 2's controls are shown.
    let _ = rig.h.rect("Band 2 Threshold", "control");
}

#[test]
fn key_status_text_follows_the_meter() {
    let m = MultibandMeters::default();
    assert_eq!(m.key_status().text(), "internal: input");
    m.key_status
        .store(KeyStatus::NoKey as u8, Ordering::Relaxed);
    assert_eq!(m.key_status().text(), "no key: using input");
}

#[test]
fn factory_presets_parse_and_leave_the_locked_parameters() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    for json in FACTORY_PRESETS {
        let preset = Preset::from_json(json).unwrap();
        let (values, report) = preset.resolve(&*rig.params, &[]);
        assert!(
            report.unknown.is_empty(),
            "{}: {:?}",
            preset.name,
            report.unknown
        );
        for id in LOCKED_PARAMS {
            assert!(!preset.params.contains_key(*id), "{}: {id}", preset.name);
        }
        // Every other parameter but the host bypass is set.
        assert_eq!(
            values.len(),
            rig.params.param_map().len() - LOCKED_PARAMS.len() - 1,
            "{}",
            preset.name
        );
    }
    rig.host.set(&rig.params.phase, PhaseParam::Linear);
    rig.host.set(&rig.params.source, SourceParam::External);
    rig.h.frame(f.clone());
    {
        let setter = ParamSetter::new(&*rig.host);
        let mut state = rig.state.lock().unwrap();
        let lib = &mut state.header.presets;
        let k = lib
            .presets
            .iter()
            .position(|(_, p)| p.name == "Loud Master")
            .unwrap();
        lib.load(k, &*rig.params, &setter, &rig.params.ab).unwrap();
    }
    assert_eq!(rig.params.phase.value(), PhaseParam::Linear);
    assert_eq!(rig.params.source.value(), SourceParam::External);
    assert_eq!(rig.params.bands.value(), BandsParam::Five);
    assert!((rig.params.band[4].threshold_db.value() + 30.0).abs() < 1e-6);
    assert!(rig.host.violations().is_empty());
}

#[test]
fn idle_editor_does_not_repaint_and_audio_wakes_it() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frames(5, f.clone());
    assert!(!rig.h.last_wants_repaint, "idle editor asked for frames");
    let mut sender = AnalyzerSender::default();
    let l: Vec<f32> = (0..CHUNK_FRAMES).map(|i| (i as f32 * 0.1).sin()).collect();
    sender.push_block(&rig.meters.post, &l, &l);
    rig.h.frame(f.clone());
    assert!(rig.h.last_wants_repaint, "new audio must ask for frames");
}
