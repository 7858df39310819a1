//! Headless tests of the Compressor editor through the kit's fake host and egui harness.

use super::*;
use crate::params::{ListenParam, SourceParam, StereoParam};
use crate::HistoryPoint;
use egui::Modifiers;
use lacquer_kit::presets::Preset;
use lacquer_kit::testing::{gesture_shape, EditorRig};

type Rig = EditorRig<CompressorEditorSpec>;

/// The editor with default parameters and meters, factory presets only (no user folder).
fn new_rig() -> Rig {
    EditorRig::new(
        CompressorParams::default(),
        CompressorMeters::default(),
        CompressorUiState::with_presets(
            PresetLibrary::new("compressor", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
        ),
        vec2(WIDTH as f32, HEIGHT as f32),
    )
}

#[test]
fn dragging_threshold_lowers_it_and_double_click_resets() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h
        .drag("Threshold", vec2(0.0, 50.0), Modifiers::NONE, f.clone());
    // 50 px down of a 200 px sweep across -60..0 dB = -15 dB.
    let thr = rig.params.threshold_db.value();
    assert!((thr + 15.0).abs() < 0.5, "{thr}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin thr", "set thr", "end thr"]
    );
    let knob = rig.h.rect("Threshold", "control").center();
    rig.h.double_click_at(knob, f.clone());
    assert_eq!(rig.params.threshold_db.value(), 0.0);
    assert!(rig.host.violations().is_empty());
}

#[test]
fn typing_values_into_the_knobs() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h.type_value("Ratio", "8:1", f.clone());
    assert!((rig.params.ratio.value() - 8.0).abs() < 1e-3);
    rig.h.type_value("Attack", "0.5", f.clone());
    assert!((rig.params.attack_ms.value() - 0.5).abs() < 1e-3);
    rig.h.type_value("Release", "1.2 s", f.clone());
    assert!(
        (rig.params.release_ms.value() - 1200.0).abs() < 0.5,
        "{}",
        rig.params.release_ms.value()
    );
    rig.h.type_value("Mix", "40%", f.clone());
    assert!((rig.params.mix.value() - 0.4).abs() < 1e-4);
    rig.h.type_value("Lookahead", "5", f.clone());
    assert!((rig.params.lookahead_ms.value() - 5.0).abs() < 1e-4);
    rig.h.type_value("Makeup", "+3.5 dB", f.clone());
    assert!((rig.params.makeup_db.value() - 3.5).abs() < 1e-4);
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn toggles_and_selectors() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    for name in [
        "Infinite Ratio",
        "Auto Release",
        "Auto Makeup",
        "Level Match",
        "Key HP",
        "Key LP",
    ] {
        let pos = rig.h.rect(name, "control").center();
        rig.h.click_at(pos, f.clone());
    }
    let p = &rig.params;
    assert!(p.ratio_inf.value() && p.auto_release.value() && p.auto_makeup.value());
    assert!(p.level_match.value() && p.key_hp.value() && p.key_lp.value());
    for (name, part) in [
        ("Detection", "RMS"),
        ("Stereo Mode", "M/S"),
        ("Sidechain", "External"),
        ("Listen", "Delta"),
    ] {
        let pos = rig.h.rect(name, part).center();
        rig.h.click_at(pos, f.clone());
    }
    assert_eq!(p.detection.value(), DetectionParam::Rms);
    assert_eq!(p.stereo_mode.value(), StereoParam::MidSide);
    assert_eq!(p.source.value(), SourceParam::External);
    assert_eq!(p.listen.value(), ListenParam::Delta);
    // The enabled key filters and RMS window take drags now.
    rig.h.frame(f.clone());
    rig.h
        .drag("Key HP Freq", vec2(0.0, -40.0), Modifiers::NONE, f.clone());
    assert!(p.key_hp_hz.value() > 80.0, "{}", p.key_hp_hz.value());
    rig.h
        .drag("RMS Window", vec2(0.0, -40.0), Modifiers::NONE, f.clone());
    assert!(p.rms_window_ms.value() > 10.0);
    let bypass = rig.h.rect("Bypass", "control").center();
    rig.h.click_at(bypass, f.clone());
    assert!(p.bypass.value());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn sidechain_status_text_follows_the_audio_thread() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    assert_eq!(rig.state.lock().unwrap().key_text, "internal: input");
    for (status, text) in [
        (KeyStatus::NoKey, "no key: using input"),
        (KeyStatus::External, "external key"),
    ] {
        rig.meters.key_status.store(status as u8, Ordering::Relaxed);
        rig.h.frame(f.clone());
        assert_eq!(rig.state.lock().unwrap().key_text, text);
    }
}

#[test]
fn history_drains_the_queue_and_transfer_curve_follows_the_params() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    for i in 0..300 {
        let _ = rig.meters.history.push(HistoryPoint {
            input_db: -10.0,
            output_db: -14.0,
            gain_reduction_db: i as f32 * 0.01,
        });
    }
    // The queue is bounded: the audio side dropped what did not fit.
    assert_eq!(rig.meters.history.len(), crate::HISTORY_QUEUE_LEN);
    rig.h.frame(f.clone());
    assert!(rig.meters.history.is_empty());
    assert_eq!(
        rig.state.lock().unwrap().history.len(),
        crate::HISTORY_QUEUE_LEN
    );
    assert!(rig.h.last_wants_repaint, "a live history asks for frames");
    // Default: 0 dB threshold, 4:1, hard knee.
    assert_eq!(transfer_db(&rig.params, -20.0), -20.0);
    rig.h.type_value("Threshold", "-20", f.clone());
    assert!((transfer_db(&rig.params, 0.0) + 15.0).abs() < 1e-3);
    let inf = rig.h.rect("Infinite Ratio", "control").center();
    rig.h.click_at(inf, f.clone());
    assert!((transfer_db(&rig.params, 0.0) + 20.0).abs() < 1e-3);
}

#[test]
fn factory_presets_parse_and_leave_gain_staging_alone() {
    let rig = new_rig();
    let setter = ParamSetter::new(&*rig.host);
    rig.host.set(&rig.params.makeup_db, 4.0);
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
    let smash = lib
        .presets
        .iter()
        .position(|(_, p)| p.name.starts_with("Parallel"))
        .unwrap();
    lib.load(smash, &*rig.params, &setter, &rig.params.ab)
        .unwrap();
    assert!((rig.params.mix.value() - 0.35).abs() < 1e-4);
    assert_eq!(rig.params.threshold_db.value(), -35.0);
    assert_eq!(rig.params.makeup_db.value(), 4.0);
    rig.params.ab.switch(&*rig.params, &setter, &lib.locked);
    assert_eq!(rig.params.mix.value(), 1.0);
}

#[test]
fn idle_editor_does_not_repaint_and_meters_wake_it() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frames(5, f.clone());
    assert!(!rig.h.last_wants_repaint, "idle editor asked for frames");
    rig.meters.output.left.store(-6.0, -12.0);
    rig.meters.gain_reduction_db.store(3.0, Ordering::Relaxed);
    rig.h.frame(f.clone());
    rig.h.frame(f.clone());
    rig.meters.output.left.store(-7.0, -13.0);
    rig.meters.gain_reduction_db.store(4.0, Ordering::Relaxed);
    rig.h.frame(f.clone());
    assert!(
        rig.h.last_wants_repaint,
        "moving meters must ask for the next frame"
    );
}

/// `cargo xtask gui-smoke` drags the point `smoke_drag` in `bundler.toml` names: it must be
/// the Ratio knob of this layout (mid-range at its default, so dragging up moves it; a moved
/// knob would make the smoke test drag nothing).
#[test]
fn smoke_drag_point_is_the_ratio_knob() {
    let toml = include_str!("../../../../bundler.toml");
    let section = toml
        .split("[lacquer-compressor]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .expect("bundler.toml: [lacquer-compressor]");
    let point = section
        .lines()
        .find_map(|l| l.trim().strip_prefix("smoke_drag"))
        .map(|v| v.trim_start_matches([' ', '=']).trim().trim_matches('"'))
        .and_then(|v| v.split_once(','))
        .map(|(x, y)| egui::pos2(x.trim().parse().unwrap(), y.trim().parse().unwrap()));
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let knob = rig.h.rect("Ratio", "control");
    let point = point.unwrap_or_else(|| panic!("no smoke_drag; the knob is at {knob:?}"));
    assert!(knob.shrink(6.0).contains(point), "{point:?} vs {knob:?}");
}
