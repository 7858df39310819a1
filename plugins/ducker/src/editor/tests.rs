//! Headless tests of the Ducker editor through the kit's fake host and egui harness.

use super::*;
use crate::params::{CurveParam, NoKeyParam, SourceParam};
use crate::HistoryPoint;
use egui::Modifiers;
use lacquer_kit::presets::Preset;
use lacquer_kit::testing::{gesture_shape, EditorRig};

type Rig = EditorRig<DuckerEditorSpec>;

/// The editor with default parameters and meters, factory presets only (no user folder).
fn new_rig() -> Rig {
    EditorRig::new(
        DuckerParams::default(),
        DuckerMeters::default(),
        DuckerUiState::with_presets(
            PresetLibrary::new("ducker", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
        ),
        vec2(WIDTH as f32, HEIGHT as f32),
    )
}

#[test]
fn dragging_depth_and_double_click_resets() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h
        .drag("Depth", vec2(0.0, 50.0), Modifiers::NONE, f.clone());
    // 50 px down of a 200 px sweep across -60..0 dB = -15 dB from -12.
    let depth = rig.params.depth_db.value();
    assert!((depth + 27.0).abs() < 0.5, "{depth}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin depth", "set depth", "end depth"]
    );
    let knob = rig.h.rect("Depth", "control").center();
    rig.h.double_click_at(knob, f.clone());
    assert_eq!(rig.params.depth_db.value(), -12.0);
    assert!(rig.host.violations().is_empty());
}

#[test]
fn typing_values_into_the_knobs() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h.type_value("Threshold", "-20", f.clone());
    assert!((rig.params.threshold_db.value() + 20.0).abs() < 1e-3);
    rig.h.type_value("Attack", "0.5", f.clone());
    assert!((rig.params.attack_ms.value() - 0.5).abs() < 1e-3);
    rig.h.type_value("Hold", "40", f.clone());
    assert!((rig.params.hold_ms.value() - 40.0).abs() < 1e-3);
    rig.h.type_value("Release", "1.2 s", f.clone());
    assert!((rig.params.release_ms.value() - 1200.0).abs() < 0.5);
    rig.h.type_value("Lookahead", "5", f.clone());
    assert!((rig.params.lookahead_ms.value() - 5.0).abs() < 1e-4);
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn toggles_and_selectors() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    for name in [
        "Depth -inf",
        "Band Limited",
        "Key HP",
        "Key LP",
        "Key Listen",
    ] {
        let pos = rig.h.rect(name, "control").center();
        rig.h.click_at(pos, f.clone());
    }
    let p = &rig.params;
    assert!(p.depth_inf.value() && p.band_limited.value() && p.key_listen.value());
    assert!(p.key_hp.value() && p.key_lp.value());
    assert_eq!(p.settings().depth_db, f32::NEG_INFINITY);
    for (name, part) in [
        ("Release Curve", "Lin dB"),
        ("Sidechain", "Internal"),
        ("No Key", "Self-key"),
    ] {
        let pos = rig.h.rect(name, part).center();
        rig.h.click_at(pos, f.clone());
    }
    assert_eq!(p.release_curve.value(), CurveParam::Linear);
    assert_eq!(p.source.value(), SourceParam::Internal);
    assert_eq!(p.no_key.value(), NoKeyParam::SelfKey);
    // The enabled band and key filter knobs take drags now.
    rig.h.frame(f.clone());
    rig.h
        .drag("Band Freq", vec2(0.0, -40.0), Modifiers::NONE, f.clone());
    assert!(p.band_hz.value() > 150.0, "{}", p.band_hz.value());
    rig.h
        .drag("Key HP Freq", vec2(0.0, -40.0), Modifiers::NONE, f.clone());
    assert!(p.key_hp_hz.value() > 30.0);
    let bypass = rig.h.rect("Bypass", "control").center();
    rig.h.click_at(bypass, f.clone());
    assert!(p.bypass.value());
    assert_eq!(p.settings().depth_db, 0.0, "bypass: depth 0");
    assert!(rig.host.violations().is_empty());
}

#[test]
fn key_indicator_says_no_key_signal() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    assert_eq!(rig.state.lock().unwrap().key_text, "no key signal");
    for (status, text) in [
        (KeyStatus::External, "key connected"),
        (KeyStatus::Internal, "self-keyed: input"),
        (KeyStatus::NoKey, "no key signal"),
    ] {
        rig.meters.key_status.store(status as u8, Ordering::Relaxed);
        rig.h.frame(f.clone());
        assert_eq!(rig.state.lock().unwrap().key_text, text);
    }
}

#[test]
fn history_drains_the_queue() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    for i in 0..300 {
        let _ = rig.meters.history.push(HistoryPoint {
            key_db: -10.0,
            gain_db: -(i as f32) * 0.01,
        });
    }
    assert_eq!(rig.meters.history.len(), crate::HISTORY_QUEUE_LEN);
    rig.h.frame(f.clone());
    assert!(rig.meters.history.is_empty());
    assert_eq!(
        rig.state.lock().unwrap().history.len(),
        crate::HISTORY_QUEUE_LEN
    );
    assert!(rig.h.last_wants_repaint, "a live history asks for frames");
}

#[test]
fn factory_presets_parse_and_leave_routing_alone() {
    let rig = new_rig();
    let setter = ParamSetter::new(&*rig.host);
    rig.host.set(&rig.params.source, SourceParam::Internal);
    let mut state = rig.state.lock().unwrap();
    let lib = &mut state.header.presets;
    assert!(lib.last_error.is_none(), "{:?}", lib.last_error);
    assert_eq!(lib.presets.len(), FACTORY_PRESETS.len());
    for json in FACTORY_PRESETS {
        let preset = Preset::from_json(json).unwrap();
        let (values, report) = preset.resolve(&*rig.params, &lib.locked);
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
    let bass = lib
        .presets
        .iter()
        .position(|(_, p)| p.name == "Kick Ducks Bass")
        .unwrap();
    lib.load(bass, &*rig.params, &setter, &rig.params.ab)
        .unwrap();
    assert!(rig.params.band_limited.value());
    assert!((rig.params.band_hz.value() - 120.0).abs() < 1e-3);
    assert_eq!(rig.params.source.value(), SourceParam::Internal);
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
    rig.meters.reduction_db.store(4.0, Ordering::Relaxed);
    rig.h.frame(f.clone());
    assert!(
        rig.h.last_wants_repaint,
        "moving meters must ask for the next frame"
    );
}

/// `cargo xtask gui-smoke` drags the point `smoke_drag` in `bundler.toml` names: it must be
/// the Depth knob of this layout.
#[test]
fn smoke_drag_point_is_the_depth_knob() {
    let toml = include_str!("../../../../bundler.toml");
    let section = toml
        .split("[lacquer-ducker]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .expect("bundler.toml: [lacquer-ducker]");
    let point = section
        .lines()
        .find_map(|l| l.trim().strip_prefix("smoke_drag"))
        .map(|v| v.trim_start_matches([' ', '=']).trim().trim_matches('"'))
        .and_then(|v| v.split_once(','))
        .map(|(x, y)| egui::pos2(x.trim().parse().unwrap(), y.trim().parse().unwrap()));
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let knob = rig.h.rect("Depth", "control");
    let point = point.unwrap_or_else(|| panic!("no smoke_drag; the knob is at {knob:?}"));
    assert!(knob.shrink(6.0).contains(point), "{point:?} vs {knob:?}");
}
