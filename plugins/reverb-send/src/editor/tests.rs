//! Headless tests of the Reverb Send editor through the kit's fake host and egui harness.

use super::*;
use crate::HistoryPoint;
use egui::Modifiers;
use lacquer_kit::presets::Preset;
use lacquer_kit::testing::{gesture_shape, EditorRig};

type Rig = EditorRig<ReverbEditorSpec>;

/// The editor with default parameters and meters, factory presets only (no user folder).
fn new_rig() -> Rig {
    EditorRig::new(
        ReverbParams::default(),
        ReverbMeters::default(),
        ReverbUiState::with_presets(
            PresetLibrary::new("reverb-send", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
        ),
        vec2(WIDTH as f32, HEIGHT as f32),
    )
}

#[test]
fn knobs_drag_and_take_typed_values() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h
        .drag("Diffusion", vec2(0.0, 40.0), Modifiers::NONE, f.clone());
    // 40 px down of a 200 px sweep over 0..100 %: -20 % from 80 %.
    let d = rig.params.diffusion.value();
    assert!((d - 0.6).abs() < 0.02, "{d}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin diff", "set diff", "end diff"]
    );
    rig.h.type_value("Decay", "3.5 s", f.clone());
    assert!((rig.params.decay_s.value() - 3.5).abs() < 1e-3);
    rig.h.type_value("Low Crossover", "400 Hz", f.clone());
    assert!((rig.params.low_xover_hz.value() - 400.0).abs() < 0.5);
    rig.h.type_value("High Decay", "0.3x", f.clone());
    assert!((rig.params.high_mult.value() - 0.3).abs() < 1e-3);
    rig.h.type_value("Width", "120%", f.clone());
    assert!((rig.params.width.value() - 1.2).abs() < 1e-3);
    let freeze = rig.h.rect("Freeze", "control").center();
    rig.h.click_at(freeze, f.clone());
    assert!(rig.params.freeze.value());
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn the_decay_curve_is_the_processors_rt60() {
    // The curve drawn is the network's designed RT60: the mid value at 1 kHz, the low and
    // high multiples far below and above the crossovers (the shelves' plateaus).
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.host.set(&rig.params.decay_s, 3.0);
    rig.host.set(&rig.params.low_mult, 2.0);
    rig.host.set(&rig.params.high_mult, 0.25);
    rig.h.frame(f.clone());
    let state = rig.state.lock().unwrap();
    let at = |hz: f64| state.curve.rt60_at(hz);
    assert!((at(1000.0) / 3.0 - 1.0).abs() < 0.05, "{}", at(1000.0));
    assert!((at(20.0) / 6.0 - 1.0).abs() < 0.05, "{}", at(20.0));
    assert!((at(18_000.0) / 0.75 - 1.0).abs() < 0.1, "{}", at(18_000.0));
}

#[test]
fn dragging_the_handles_sets_crossover_multiplier_and_decay() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let rect = rig.state.lock().unwrap().graph_rect;
    assert!(rect.width() > 100.0, "{rect:?}");
    // Mid handle up to the 4 s line: decay 4 s, nothing else moves.
    let mid = handle_pos(&rig.params, Handle::Mid, rect);
    let target_y = seconds_to_y(rect, 4.0);
    rig.h
        .drag_from(mid, vec2(0.0, target_y - mid.y), Modifiers::NONE, f.clone());
    let d = rig.params.decay_s.value();
    assert!((d - 4.0).abs() < 0.1, "{d}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin decay", "set decay", "end decay"]
    );
    // High handle to 8 kHz and 1 s (0.25 x of 4 s).
    let high = handle_pos(&rig.params, Handle::High, rect);
    let to = pos2(freq_to_x(rect, 8000.0), seconds_to_y(rect, 1.0));
    rig.h.drag_from(high, to - high, Modifiers::NONE, f.clone());
    let (hx, hm) = (
        rig.params.high_xover_hz.value(),
        rig.params.high_mult.value(),
    );
    assert!((hx / 8000.0 - 1.0).abs() < 0.03, "{hx}");
    assert!((hm - 0.25).abs() < 0.02, "{hm}");
    let shape = gesture_shape(&rig.host.take_events());
    assert_eq!(shape.first().map(String::as_str), Some("begin hx"));
    assert_eq!(shape.last().map(String::as_str), Some("end hmult"));
    // Double-click on the low handle resets its crossover and multiplier.
    rig.host.set(&rig.params.low_mult, 2.0);
    rig.h.frame(f.clone());
    let low = handle_pos(&rig.params, Handle::Low, rect);
    rig.h.double_click_at(low, f.clone());
    assert_eq!(rig.params.low_mult.value(), 1.0);
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn factory_presets_parse_and_never_touch_the_send_mode_or_its_mix() {
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
        for id in LOCKED_PARAMS.iter().chain(SEND_LOCK_PARAMS) {
            assert!(!preset.params.contains_key(*id), "{}: {id}", preset.name);
        }
        assert!(values.len() >= 15, "{}: {}", preset.name, values.len());
    }
    // Insert use: send mode off, 30 % mix. A preset keeps both.
    rig.host.set(&rig.params.send_mode, false);
    rig.host.set(&rig.params.mix, 0.3);
    rig.h.frame(f.clone());
    {
        let setter = ParamSetter::new(&*rig.host);
        let mut state = rig.state.lock().unwrap();
        let lib = &mut state.header.presets;
        let hall = lib
            .presets
            .iter()
            .position(|(_, p)| p.name == "Large Hall")
            .unwrap();
        lib.load(hall, &*rig.params, &setter, &rig.params.ab)
            .unwrap();
    }
    assert!(!rig.params.send_mode.value());
    assert!((rig.params.mix.value() - 0.3).abs() < 1e-6);
    assert!((rig.params.decay_s.value() - 3.2).abs() < 1e-3);
    assert!(rig.host.violations().is_empty());
}

#[test]
fn idle_editor_does_not_repaint_and_the_history_wakes_it() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frames(5, f.clone());
    assert!(!rig.h.last_wants_repaint, "idle editor asked for frames");
    rig.meters
        .history
        .push(HistoryPoint {
            input_db: -12.0,
            output_db: -20.0,
        })
        .unwrap();
    rig.h.frame(f.clone());
    assert!(
        rig.h.last_wants_repaint,
        "a moving tail must ask for the next frame"
    );
    assert_eq!(rig.state.lock().unwrap().history.len(), 1);
}
