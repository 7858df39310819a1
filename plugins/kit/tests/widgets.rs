//! Headless tests of every kit widget: drag, fine drag, wheel, double-click reset, typed
//! values with units, and the exact begin/set/end sequence the host sees.

use egui::{vec2, Modifiers, Ui};
use lacquer_kit::ab::AbState;
use lacquer_kit::presets::{Preset, PresetLibrary};
use lacquer_kit::testing::{gesture_shape, FakeHost, Harness, HostEvent};
use lacquer_kit::{Fader, Knob, NumericField, Segmented, Toggle};
use nice_plug::prelude::*;
use std::sync::Arc;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Bell,
    Shelf,
    Notch,
}

#[derive(Params)]
struct TestParams {
    #[id = "gain"]
    gain: FloatParam,
    #[id = "freq"]
    freq: FloatParam,
    #[id = "time"]
    time: FloatParam,
    #[id = "on"]
    on: BoolParam,
    #[id = "shape"]
    shape: EnumParam<Shape>,
    #[id = "out"]
    out: FloatParam,
    #[id = "bypass"]
    bypass: BoolParam,
}

impl Default for TestParams {
    fn default() -> Self {
        Self {
            gain: lacquer_kit::params::gain_db_param("Gain", 0.0, -24.0, 24.0),
            freq: FloatParam::new(
                "Freq",
                1000.0,
                FloatRange::Skewed {
                    min: 20.0,
                    max: 20_000.0,
                    factor: FloatRange::skew_factor(-2.0),
                },
            )
            .with_unit(" Hz"),
            time: FloatParam::new(
                "Time",
                100.0,
                FloatRange::Linear {
                    min: 1.0,
                    max: 1000.0,
                },
            )
            .with_unit(" ms"),
            on: BoolParam::new("On", false),
            shape: EnumParam::new("Shape", Shape::Bell),
            out: FloatParam::new(
                "Out",
                0.0,
                FloatRange::Linear {
                    min: -12.0,
                    max: 12.0,
                },
            )
            .with_unit(" dB")
            .with_step_size(0.1),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
        }
    }
}

struct Rig {
    params: Arc<TestParams>,
    host: Arc<FakeHost>,
    h: Harness,
}

impl Rig {
    fn new() -> Self {
        let params = Arc::new(TestParams::default());
        let host = Arc::new(FakeHost::new(params.clone()));
        Self {
            params,
            host,
            h: Harness::new(vec2(600.0, 400.0)),
        }
    }
}

/// Every widget on one screen.
fn draw(ui: &mut Ui, p: &TestParams, host: &FakeHost) {
    let setter = ParamSetter::new(host);
    ui.horizontal(|ui| {
        ui.add(Knob::for_param(&p.gain, &setter).bipolar());
        ui.add(Fader::for_param(&p.freq, &setter).length(100.0));
        ui.add(Fader::for_param(&p.out, &setter).horizontal().length(100.0));
    });
    ui.add(NumericField::for_param(&p.time, &setter));
    ui.add(Toggle::for_param(&p.on, &setter));
    ui.add(Segmented::for_param(&p.shape, &setter));
}

macro_rules! frame_fn {
    ($rig:expr) => {{
        let p = $rig.params.clone();
        let host = $rig.host.clone();
        move |ui: &mut Ui| draw(ui, &p, &host)
    }};
}

fn assert_clean(host: &FakeHost) {
    assert!(host.violations().is_empty(), "{:?}", host.violations());
    assert!(
        host.open_gestures().is_empty(),
        "{:?}",
        host.open_gestures()
    );
}

#[test]
fn knob_drag_is_one_gesture_and_moves_up() {
    let mut rig = Rig::new();
    let f = frame_fn!(rig);
    rig.h.frame(f.clone());
    rig.h
        .drag("Gain", vec2(0.0, -50.0), Modifiers::NONE, f.clone());
    // 50 px of a 200 px sweep over 48 dB = +12 dB.
    assert!(
        (rig.params.gain.value() - 12.0).abs() < 0.3,
        "{}",
        rig.params.gain.value()
    );
    let events = rig.host.take_events();
    assert_eq!(
        gesture_shape(&events),
        ["begin gain", "set gain", "end gain"]
    );
    assert!(events.iter().filter(|e| e.kind() == "set").count() > 1);
    assert_clean(&rig.host);
}

#[test]
fn fine_drag_is_ten_times_slower_with_shift_or_ctrl() {
    for modifiers in [Modifiers::SHIFT, Modifiers::CTRL] {
        let mut rig = Rig::new();
        let f = frame_fn!(rig);
        rig.h.frame(f.clone());
        rig.h.drag("Gain", vec2(0.0, -50.0), modifiers, f.clone());
        assert!(
            (rig.params.gain.value() - 1.2).abs() < 0.15,
            "{}",
            rig.params.gain.value()
        );
        assert_eq!(
            gesture_shape(&rig.host.take_events()),
            ["begin gain", "set gain", "end gain"]
        );
        assert_clean(&rig.host);
    }
}

#[test]
fn wheel_steps_and_double_click_resets() {
    let mut rig = Rig::new();
    let f = frame_fn!(rig);
    rig.h.frame(f.clone());
    rig.h.wheel_over("Gain", 1.0, f.clone());
    // One notch is nice-plug's coarse step, 2 % of the 48 dB range snapped to the 0.1 dB
    // step: +1.0 dB; three down from there land on -2.0 dB.
    let after_one = rig.params.gain.value();
    assert!((after_one - 1.0).abs() < 1e-4, "{after_one}");
    rig.h.wheel_over("Gain", -3.0, f.clone());
    let after_three = rig.params.gain.value();
    assert!((after_three + 2.0).abs() < 1e-4, "{after_three}");
    let shape = gesture_shape(&rig.host.take_events());
    assert_eq!(
        shape,
        [
            "begin gain",
            "set gain",
            "end gain",
            "begin gain",
            "set gain",
            "end gain"
        ]
    );

    let pos = rig.h.rect("Gain", "control").center();
    rig.h.double_click_at(pos, f.clone());
    assert_eq!(rig.params.gain.value(), 0.0);
    let events = rig.host.take_events();
    assert_eq!(
        gesture_shape(&events),
        ["begin gain", "set gain", "end gain"]
    );
    assert_eq!(events[1], HostEvent::Set("gain".into(), 0.5));
    assert_clean(&rig.host);
}

#[test]
fn typed_values_accept_units() {
    let mut rig = Rig::new();
    let f = frame_fn!(rig);
    rig.h.frame(f.clone());
    rig.h.type_value("Gain", "-3.5 dB", f.clone());
    assert!(
        (rig.params.gain.value() + 3.5).abs() < 1e-4,
        "{}",
        rig.params.gain.value()
    );
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin gain", "set gain", "end gain"]
    );
    rig.h.type_value("Freq", "2k", f.clone());
    assert!(
        (rig.params.freq.value() - 2000.0).abs() < 1.0,
        "{}",
        rig.params.freq.value()
    );
    rig.h.type_value("Time", "0.25 s", f.clone());
    assert!(
        (rig.params.time.value() - 250.0).abs() < 0.01,
        "{}",
        rig.params.time.value()
    );
    rig.h.type_value("Out", "garbage", f.clone());
    assert_eq!(
        rig.params.out.value(),
        0.0,
        "unparseable text changes nothing"
    );
    assert_clean(&rig.host);
}

#[test]
fn faders_drag_along_their_axis() {
    let mut rig = Rig::new();
    let f = frame_fn!(rig);
    rig.h.frame(f.clone());
    rig.h
        .drag("Out", vec2(50.0, 0.0), Modifiers::NONE, f.clone());
    // 50 px of a 100 px horizontal fader over 24 dB.
    assert!(
        (rig.params.out.value() - 12.0).abs() < 0.3,
        "{}",
        rig.params.out.value()
    );
    let before = rig.params.freq.unmodulated_normalized_value();
    rig.h
        .drag("Freq", vec2(0.0, -20.0), Modifiers::NONE, f.clone());
    let after = rig.params.freq.unmodulated_normalized_value();
    assert!((after - before - 0.2).abs() < 0.02, "{before} -> {after}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        [
            "begin out",
            "set out",
            "end out",
            "begin freq",
            "set freq",
            "end freq"
        ]
    );
    assert_clean(&rig.host);
}

#[test]
fn numeric_field_drags_wheels_and_resets() {
    let mut rig = Rig::new();
    let f = frame_fn!(rig);
    rig.h.frame(f.clone());
    rig.h
        .drag("Time", vec2(30.0, 0.0), Modifiers::NONE, f.clone());
    // 30 px of a 300 px sweep over 1..1000 ms = +99.9 ms.
    let dragged = rig.params.time.value();
    assert!((dragged - 199.9).abs() < 3.0, "{dragged}");
    rig.h.wheel_over("Time", 1.0, f.clone());
    assert!(rig.params.time.value() > dragged, "the wheel steps up");
    let pos = rig.h.rect("Time", "control").center();
    rig.h.double_click_at(pos, f.clone());
    assert_eq!(rig.params.time.value(), 100.0);
    // No text field opened by the double-click.
    rig.h.frames(30, f.clone());
    rig.h.text("5");
    rig.h.key(egui::Key::Enter);
    rig.h.frame(f.clone());
    assert_eq!(rig.params.time.value(), 100.0);
    let shape = gesture_shape(&rig.host.take_events());
    assert_eq!(shape.len(), 9, "drag, wheel, reset: {shape:?}");
    assert_clean(&rig.host);
}

#[test]
fn toggle_and_segmented_are_discrete_gestures() {
    let mut rig = Rig::new();
    let f = frame_fn!(rig);
    rig.h.frame(f.clone());
    let pos = rig.h.rect("On", "control").center();
    rig.h.click_at(pos, f.clone());
    assert!(rig.params.on.value());
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin on", "set on", "end on"]
    );
    rig.h.wheel_over("On", -1.0, f.clone());
    assert!(!rig.params.on.value());
    rig.h.wheel_over("On", 1.0, f.clone());
    assert!(rig.params.on.value());
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin on", "set on", "end on", "begin on", "set on", "end on"]
    );
    // Wheeling further up on an "on" toggle changes nothing and tells the host nothing.
    rig.h.wheel_over("On", 1.0, f.clone());
    assert!(rig.params.on.value());
    assert!(rig.host.take_events().is_empty());

    let notch = rig.h.rect("Shape", "Notch").center();
    rig.h.click_at(notch, f.clone());
    assert_eq!(rig.params.shape.value(), Shape::Notch);
    rig.h.wheel_over("Shape", -1.0, f.clone());
    assert_eq!(rig.params.shape.value(), Shape::Shelf);
    rig.host.take_events();
    // Drag across segments: one gesture.
    let bell = rig.h.rect("Shape", "Bell").center();
    rig.h
        .drag_from(bell, notch - bell, Modifiers::NONE, f.clone());
    assert_eq!(rig.params.shape.value(), Shape::Notch);
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin shape", "set shape", "end shape"]
    );
    // Ctrl+click resets to the default.
    rig.h.set_modifiers(Modifiers::CTRL);
    rig.h.click_at(notch, f.clone());
    rig.h.set_modifiers(Modifiers::NONE);
    assert_eq!(rig.params.shape.value(), Shape::Bell);
    assert_clean(&rig.host);
}

#[test]
fn double_click_resets_toggle_and_segmented_too() {
    let mut rig = Rig::new();
    let f = frame_fn!(rig);
    rig.h.frame(f.clone());
    // Toggle: default off. Switch it on, then double-click: ends at the default.
    let on = rig.h.rect("On", "control").center();
    rig.h.click_at(on, f.clone());
    assert!(rig.params.on.value());
    rig.host.take_events();
    rig.h.frames(30, f.clone()); // half a second: the next clicks are a new double-click
    rig.h.double_click_at(on, f.clone());
    assert!(
        !rig.params.on.value(),
        "double-click must reset to the default (off)"
    );
    let shape = gesture_shape(&rig.host.take_events());
    assert_eq!(
        shape.len() % 3,
        0,
        "whole begin/set/end gestures only: {shape:?}"
    );
    assert_eq!(shape[shape.len() - 3..], ["begin on", "set on", "end on"]);

    // Segmented: default Bell. Pick Notch, then double-click on Notch: back to Bell.
    let notch = rig.h.rect("Shape", "Notch").center();
    rig.h.click_at(notch, f.clone());
    assert_eq!(rig.params.shape.value(), Shape::Notch);
    rig.h.frames(30, f.clone());
    rig.h.double_click_at(notch, f.clone());
    assert_eq!(rig.params.shape.value(), Shape::Bell);
    assert_clean(&rig.host);
}

#[test]
fn idle_editor_requests_no_frames() {
    let mut rig = Rig::new();
    let f = frame_fn!(rig);
    rig.h.frames(5, f.clone());
    assert!(
        !rig.h.last_wants_repaint,
        "an idle editor must not ask for frames"
    );
}

#[test]
fn presets_skip_locked_and_bypass_and_ab_undoes() {
    let rig = Rig::new();
    let setter = ParamSetter::new(&*rig.host);
    let ab = AbState::new();
    let json = r#"{
        "name": "Loud", "plugin": "test",
        "params": { "gain": 6.0, "freq": "2k", "shape": "Notch", "out": -6.0, "bypass": 1, "nope": 3 }
    }"#;
    let mut lib = PresetLibrary::new("test", &[json], &["out"]).with_user_dir(None);
    assert!(lib.last_error.is_none());
    let report = lib.load(0, &*rig.params, &setter, &ab).unwrap();
    assert_eq!(rig.params.gain.value(), 6.0);
    assert!((rig.params.freq.value() - 2000.0).abs() < 1.0);
    assert_eq!(rig.params.shape.value(), Shape::Notch);
    assert_eq!(rig.params.out.value(), 0.0, "locked");
    assert!(
        !rig.params.bypass.value(),
        "bypass never comes from a preset"
    );
    assert_eq!(report.unknown, ["nope"]);
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        [
            "begin gain",
            "set gain",
            "end gain",
            "begin freq",
            "set freq",
            "end freq",
            "begin shape",
            "set shape",
            "end shape"
        ]
    );
    // One A/B switch undoes the load; another brings it back.
    ab.switch(&*rig.params, &setter, &lib.locked);
    assert_eq!(rig.params.gain.value(), 0.0);
    assert_eq!(rig.params.shape.value(), Shape::Bell);
    ab.switch(&*rig.params, &setter, &lib.locked);
    assert_eq!(rig.params.gain.value(), 6.0);
    assert_clean(&rig.host);
}

#[test]
fn user_presets_save_and_reload() {
    let rig = Rig::new();
    let setter = ParamSetter::new(&*rig.host);
    let dir = std::env::temp_dir().join(format!("lacquer-kit-presets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut lib = PresetLibrary::new("test", &[], &[]).with_user_dir(Some(dir.clone()));
    setter.begin_set_parameter(&rig.params.gain);
    setter.set_parameter(&rig.params.gain, -4.5);
    setter.end_set_parameter(&rig.params.gain);
    let path = lib.save_user("My / Preset", &*rig.params).unwrap();
    assert!(path.ends_with("My _ Preset.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"gain\": -4.5"), "{text}");
    assert!(!text.contains("bypass"));
    let preset = Preset::from_json(&text).unwrap();
    assert_eq!(lib.presets.len(), 1);
    setter.begin_set_parameter(&rig.params.gain);
    setter.set_parameter(&rig.params.gain, 0.0);
    setter.end_set_parameter(&rig.params.gain);
    lib.apply(&preset, &*rig.params, &setter, &AbState::default())
        .unwrap();
    assert_eq!(rig.params.gain.value(), -4.5);
    let _ = std::fs::remove_dir_all(&dir);
}
