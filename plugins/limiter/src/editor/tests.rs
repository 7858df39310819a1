//! Headless tests of the Limiter editor through the kit's fake host and egui harness.

use super::*;
use crate::params::{DitherParam, OversamplingParam};
use crate::HistoryPoint;
use egui::Modifiers;
use lacquer_kit::presets::Preset;
use lacquer_kit::testing::{gesture_shape, EditorRig};
use std::sync::atomic::Ordering;

type Rig = EditorRig<LimiterEditorSpec>;

/// The editor with default parameters and meters, factory presets only (no user folder).
fn new_rig() -> Rig {
    EditorRig::new(
        LimiterParams::default(),
        LimiterMeters::default(),
        LimiterUiState::with_presets(
            PresetLibrary::new("limiter", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
        ),
        vec2(WIDTH as f32, HEIGHT as f32),
    )
}

#[test]
fn dragging_the_ceiling_lowers_it_and_double_click_resets() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h
        .drag("Ceiling", vec2(0.0, 50.0), Modifiers::NONE, f.clone());
    // 50 px down of a 200 px sweep across -12..0 dB = -3 dB from -1.
    let c = rig.params.ceiling_db.value();
    assert!((c + 4.0).abs() < 0.2, "{c}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin ceil", "set ceil", "end ceil"]
    );
    let knob = rig.h.rect("Ceiling", "control").center();
    rig.h.double_click_at(knob, f.clone());
    assert_eq!(rig.params.ceiling_db.value(), -1.0);
    assert!(rig.host.violations().is_empty());
}

#[test]
fn typing_values_into_the_knobs() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h.type_value("Input Gain", "6", f.clone());
    assert!((rig.params.input_gain_db.value() - 6.0).abs() < 1e-3);
    rig.h.type_value("Release", "0.5 s", f.clone());
    assert!((rig.params.release_ms.value() - 500.0).abs() < 0.5);
    rig.h.type_value("Lookahead", "2.5", f.clone());
    assert!((rig.params.lookahead_ms.value() - 2.5).abs() < 1e-3);
    rig.h.type_value("Stereo Link", "50%", f.clone());
    assert!((rig.params.link.value() - 0.5).abs() < 1e-3);
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn selectors_and_toggles() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let seg = rig.h.rect("Oversampling", "control");
    rig.h
        .click_at(seg.right_center() - vec2(10.0, 0.0), f.clone());
    assert_eq!(rig.params.oversampling.value(), OversamplingParam::X8);
    let seg = rig.h.rect("Dither", "control");
    rig.h
        .click_at(seg.right_center() - vec2(10.0, 0.0), f.clone());
    assert_eq!(rig.params.dither.value(), DitherParam::Shaped);
    let lock = rig.h.rect("Output Lock", "control").center();
    rig.h.click_at(lock, f.clone());
    assert!(rig.params.output_lock.value());
    let auto = rig.h.rect("Auto Release", "control").center();
    rig.h.click_at(auto, f.clone());
    assert!(!rig.params.auto_release.value());
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn factory_presets_parse_and_the_output_lock_survives_them() {
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
        assert!(!values.is_empty());
    }
    // Lock on, a custom ceiling; loading the 16-bit CD preset leaves the output alone but
    // changes the drive.
    let setter = ParamSetter::new(&*rig.host);
    rig.host.set(&rig.params.ceiling_db, -3.0);
    rig.host.set(&rig.params.output_lock, true);
    rig.h.frame(f.clone());
    {
        let mut state = rig.state.lock().unwrap();
        let lib = &mut state.header.presets;
        let cd = lib
            .presets
            .iter()
            .position(|(_, p)| p.name.starts_with("CD"))
            .unwrap();
        lib.load(cd, &*rig.params, &setter, &rig.params.ab).unwrap();
    }
    assert_eq!(rig.params.ceiling_db.value(), -3.0);
    assert_eq!(rig.params.dither.value(), DitherParam::Off);
    assert_eq!(rig.params.input_gain_db.value(), 4.0);
    // Unlocked, the same preset sets the output too.
    rig.host.set(&rig.params.output_lock, false);
    rig.h.frame(f.clone());
    {
        let mut state = rig.state.lock().unwrap();
        let lib = &mut state.header.presets;
        let cd = lib
            .presets
            .iter()
            .position(|(_, p)| p.name.starts_with("CD"))
            .unwrap();
        lib.load(cd, &*rig.params, &setter, &rig.params.ab).unwrap();
    }
    assert!((rig.params.ceiling_db.value() + 0.3).abs() < 1e-4);
    assert_eq!(rig.params.dither.value(), DitherParam::Shaped);
}

#[test]
fn idle_editor_does_not_repaint_and_meters_wake_it() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frames(5, f.clone());
    assert!(!rig.h.last_wants_repaint, "idle editor asked for frames");
    rig.meters.gain_reduction_db.store(3.0, Ordering::Relaxed);
    rig.meters
        .history
        .push(HistoryPoint {
            input_db: 2.0,
            output_db: -1.0,
            gain_reduction_db: 3.0,
        })
        .unwrap();
    rig.h.frame(f.clone());
    assert!(
        rig.h.last_wants_repaint,
        "moving meters must ask for the next frame"
    );
    assert_eq!(rig.state.lock().unwrap().history.len(), 1);
}
