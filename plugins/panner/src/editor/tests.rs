//! Headless tests of the Panner editor through the kit's fake host and egui harness.

use super::*;
use egui::Modifiers;
use lacquer_kit::presets::Preset;
use lacquer_kit::testing::{gesture_shape, EditorRig};

type Rig = EditorRig<PannerEditorSpec>;

/// The editor with default parameters and meters, factory presets only (no user folder).
fn new_rig() -> Rig {
    EditorRig::new(
        PannerParams::default(),
        PannerMeters::default(),
        PannerUiState {
            header: HeaderState::new(
                PresetLibrary::new("panner", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
            ),
        },
        vec2(WIDTH as f32, HEIGHT as f32),
    )
}

#[test]
fn dragging_the_pan_knob_pans_and_double_click_recentres() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h
        .drag("Pan", vec2(0.0, -40.0), Modifiers::NONE, f.clone());
    // 40 px of a 200 px sweep across -1..1 = +0.4.
    assert!(
        (rig.params.pan.value() - 0.4).abs() < 0.02,
        "{}",
        rig.params.pan.value()
    );
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin pan", "set pan", "end pan"]
    );
    let knob = rig.h.rect("Pan", "control").center();
    rig.h.double_click_at(knob, f.clone());
    assert_eq!(rig.params.pan.value(), 0.0);
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin pan", "set pan", "end pan"]
    );
    assert!(rig.host.violations().is_empty());
}

#[test]
fn typing_32l_sets_minus_0_32() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h.type_value("Pan", "32L", f.clone());
    assert!(
        (rig.params.pan.value() + 0.32).abs() < 1e-6,
        "{}",
        rig.params.pan.value()
    );
    assert_eq!(rig.params.pan.to_string(), "32L");
    rig.h.type_value("Output", "-3.5 dB", f.clone());
    assert!((rig.params.output_gain_db.value() + 3.5).abs() < 1e-4);
    rig.h.type_value("Width", "150%", f.clone());
    assert!(
        (rig.params.width.value() - 1.5).abs() < 1e-4,
        "{}",
        rig.params.width.value()
    );
    assert!(rig.host.open_gestures().is_empty());
}

#[test]
fn dual_mode_shows_left_and_right_knobs() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let dual = rig.h.rect("Mode", "Dual").center();
    rig.h.click_at(dual, f.clone());
    assert_eq!(rig.params.mode.value(), ModeParam::Dual);
    rig.h.frame(f.clone());
    rig.h
        .drag("Left Pan", vec2(0.0, -50.0), Modifiers::NONE, f.clone());
    assert!(
        (rig.params.left_pan.value() + 0.5).abs() < 0.02,
        "{}",
        rig.params.left_pan.value()
    );
    // One notch down is nice-plug's coarse step: 2 % of the -1..1 range from hard right.
    rig.h.wheel_over("Right Pan", -1.0, f.clone());
    assert!(
        (rig.params.right_pan.value() - 0.96).abs() < 1e-6,
        "{}",
        rig.params.right_pan.value()
    );
}

#[test]
fn toggles_and_law_selector() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    for name in [
        "Swap L/R",
        "Invert Left",
        "Invert Right",
        "Bass Mono",
        "Compensated",
    ] {
        let pos = rig.h.rect(name, "control").center();
        rig.h.click_at(pos, f.clone());
    }
    assert!(rig.params.swap.value() && rig.params.invert_left.value());
    assert!(rig.params.invert_right.value() && rig.params.bass_mono.value());
    assert!(rig.params.compensated.value());
    let law = rig.h.rect("Pan Law", "-6").center();
    rig.h.click_at(law, f.clone());
    assert_eq!(rig.params.law.value(), crate::params::LawParam::Minus6Db);
    let bypass = rig.h.rect("Bypass", "control").center();
    rig.h.click_at(bypass, f.clone());
    assert!(rig.params.bypass.value());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn factory_presets_parse_and_apply_without_touching_output() {
    let rig = new_rig();
    let setter = ParamSetter::new(&*rig.host);
    rig.host.set(&rig.params.output_gain_db, -6.0);
    let mut state = rig.state.lock().unwrap();
    let lib = &mut state.header.presets;
    assert!(lib.last_error.is_none(), "{:?}", lib.last_error);
    assert_eq!(lib.presets.len(), FACTORY_PRESETS.len());
    for json in FACTORY_PRESETS {
        let preset = Preset::from_json(json).unwrap();
        let (_, report) = preset.resolve(&*rig.params, &lib.locked);
        assert!(
            report.unknown.is_empty(),
            "{}: {:?}",
            preset.name,
            report.unknown
        );
    }
    let dual = lib
        .presets
        .iter()
        .position(|(_, p)| p.name.starts_with("Dual"))
        .unwrap();
    lib.load(dual, &*rig.params, &setter, &rig.params.ab)
        .unwrap();
    assert_eq!(rig.params.mode.value(), ModeParam::Dual);
    assert!((rig.params.left_pan.value() + 0.4).abs() < 1e-6);
    assert_eq!(rig.params.output_gain_db.value(), -6.0);
    // A/B undoes the load in one step.
    rig.params.ab.switch(&*rig.params, &setter, &lib.locked);
    assert_eq!(rig.params.mode.value(), ModeParam::Stereo);
}

#[test]
fn idle_editor_does_not_repaint_and_meters_wake_it() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frames(5, f.clone());
    assert!(!rig.h.last_wants_repaint, "idle editor asked for frames");
    rig.meters.output.left.store(-6.0, -12.0);
    rig.h.frame(f.clone());
    rig.h.frame(f.clone());
    rig.meters.output.left.store(-7.0, -13.0);
    rig.h.frame(f.clone());
    assert!(
        rig.h.last_wants_repaint,
        "moving meters must ask for the next frame"
    );
}
