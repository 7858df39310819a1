//! Headless tests of the Channel EQ editor through the kit's fake host and egui harness.

use super::*;
use crate::params::RoutingParam;
use egui::Modifiers;
use lacquer_kit::meters_bridge::AnalyzerSender;
use lacquer_kit::testing::{gesture_shape, EditorRig};

type Rig = EditorRig<EqEditorSpec>;

/// The editor with default parameters and meters, factory presets only (no user folder).
fn new_rig() -> Rig {
    EditorRig::new(
        EqParams::default(),
        EqMeters::default(),
        EqUiState::with_presets(
            PresetLibrary::new("channel-eq", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
        ),
        vec2(WIDTH as f32, HEIGHT as f32),
    )
}

fn graph_rect(rig: &Rig) -> Rect {
    rig.state.lock().unwrap().graph_rect
}

#[test]
fn double_click_adds_a_band_shaped_by_where_and_removes_it_again() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let rect = graph_rect(&rig);
    // Middle of the graph, +6 dB: a bell at that frequency.
    let p = pos2(
        freq_to_x(rect, 1000.0),
        db_to_y(rect, 6.0, -RANGE_DB, RANGE_DB),
    );
    rig.h.double_click_at(p, f.clone());
    let b = &rig.params.bands[0];
    assert!(b.on.value());
    assert_eq!(b.band_type.value(), TypeParam::Bell);
    assert!(
        (b.freq_hz.value() / 1000.0 - 1.0).abs() < 0.03,
        "{}",
        b.freq_hz.value()
    );
    assert!(
        (b.gain_db.value() - 6.0).abs() < 0.3,
        "{}",
        b.gain_db.value()
    );
    // Every change is a complete gesture.
    assert!(rig.host.open_gestures().is_empty());
    rig.host.take_events();
    // Out of egui's double-click window before the next one.
    rig.h.frames(40, f.clone());
    // Near the left edge: a low shelf in the next free band; near the right: a high shelf.
    let left = pos2(rect.left() + 0.05 * rect.width(), rect.center().y);
    rig.h.double_click_at(left, f.clone());
    rig.h.frames(40, f.clone());
    assert_eq!(rig.params.bands[1].band_type.value(), TypeParam::LowShelf);
    let right = pos2(rect.left() + 0.95 * rect.width(), rect.center().y);
    rig.h.double_click_at(right, f.clone());
    rig.h.frames(40, f.clone());
    assert_eq!(rig.params.bands[2].band_type.value(), TypeParam::HighShelf);
    // Double-click the first node: it goes.
    let node = node_pos(&rig.params, 0, graph_rect(&rig));
    rig.h.double_click_at(node, f.clone());
    assert!(!rig.params.bands[0].on.value());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn dragging_a_node_is_one_gesture_per_parameter() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    {
        let setter = ParamSetter::new(&*rig.host);
        set_once(&setter, &rig.params.bands[3].on, true);
    }
    rig.h.frame(f.clone());
    rig.host.take_events();
    let rect = graph_rect(&rig);
    let start = node_pos(&rig.params, 3, rect);
    // One octave up (in x) and +6 dB.
    let octave = freq_to_x(rect, 2000.0) - freq_to_x(rect, 1000.0);
    let up = db_to_y(rect, 6.0, -RANGE_DB, RANGE_DB) - db_to_y(rect, 0.0, -RANGE_DB, RANGE_DB);
    rig.h
        .drag_from(start, vec2(octave, up), Modifiers::NONE, f.clone());
    let b = &rig.params.bands[3];
    assert!(
        (b.freq_hz.value() / 2000.0 - 1.0).abs() < 0.03,
        "{}",
        b.freq_hz.value()
    );
    assert!(
        (b.gain_db.value() - 6.0).abs() < 0.3,
        "{}",
        b.gain_db.value()
    );
    let events = rig.host.take_events();
    let shape = gesture_shape(&events);
    let begins: Vec<_> = shape.iter().filter(|s| s.starts_with("begin")).collect();
    let ends: Vec<_> = shape.iter().filter(|s| s.starts_with("end")).collect();
    assert_eq!(begins, ["begin freq_4", "begin gain_4"], "{shape:?}");
    assert_eq!(ends.len(), 2, "{shape:?}");
    assert!(rig.host.open_gestures().is_empty());
    assert_eq!(rig.state.lock().unwrap().selected, 3);
    assert!(
        rig.host.violations().is_empty(),
        "{:?}",
        rig.host.violations()
    );
}

#[test]
fn wheel_over_a_node_changes_q() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    {
        let setter = ParamSetter::new(&*rig.host);
        set_once(&setter, &rig.params.bands[2].on, true);
    }
    rig.h.frame(f.clone());
    let q0 = rig.params.bands[2].q.value();
    let p = node_pos(&rig.params, 2, graph_rect(&rig));
    rig.h.move_to(p);
    rig.h.frame(f.clone());
    rig.h.wheel_lines(2.0);
    rig.h.frame(f.clone());
    let q1 = rig.params.bands[2].q.value();
    assert!(q1 > q0 * 1.05, "{q0} -> {q1}");
    assert!(rig.host.open_gestures().is_empty());
}

#[test]
fn band_controls_edit_the_selected_band_and_typing_works() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let on = rig.h.rect("Band 1 On", "control").center();
    rig.h.click_at(on, f.clone());
    assert!(rig.params.bands[0].on.value());
    rig.h.type_value("Band 1 Freq", "2.5k", f.clone());
    assert!((rig.params.bands[0].freq_hz.value() - 2500.0).abs() < 1.0);
    rig.h.type_value("Band 1 Gain", "-4.5 dB", f.clone());
    assert!((rig.params.bands[0].gain_db.value() + 4.5).abs() < 1e-3);
    let bell = rig.h.rect("Band 1 Type", "Bell").center();
    rig.h.click_at(bell, f.clone());
    assert_eq!(rig.params.bands[0].band_type.value(), TypeParam::Bell);
    let side = rig.h.rect("Band 1 Routing", "S").center();
    rig.h.click_at(side, f.clone());
    assert_eq!(rig.params.bands[0].routing.value(), RoutingParam::Side);
    rig.h.type_value("Output", "-3", f.clone());
    assert!((rig.params.output_gain_db.value() + 3.0).abs() < 1e-3);
    let agc = rig.h.rect("Auto Gain", "control").center();
    rig.h.click_at(agc, f.clone());
    assert!(rig.params.auto_gain.value());
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn the_curve_follows_the_parameters_and_the_analyzer_drains_the_queue() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    {
        let setter = ParamSetter::new(&*rig.host);
        set_once(&setter, &rig.params.bands[3].on, true);
        set_once(&setter, &rig.params.bands[3].gain_db, 9.0);
    }
    let mut sender = lacquer_kit::meters_bridge::AnalyzerSender::default();
    let block = vec![0.25f32; 2048];
    sender.push_block(&rig.meters.analyzer, &block, &block);
    rig.h.frame(f.clone());
    assert!(
        rig.meters.analyzer.pop().is_none(),
        "the editor drained the queue"
    );
    let state = rig.state.lock().unwrap();
    let (s, sr, curve) = state.curve.as_ref().unwrap();
    assert_eq!(*s, rig.params.target_settings());
    assert_eq!(*sr, 48_000.0);
    assert!((curve.magnitude_db(1000.0) - 9.0).abs() < 0.05);
}

/// Where the output Gain knob sits at 100 % scale (the `smoke_drag` point in bundler.toml).
#[test]
fn output_knob_is_where_gui_smoke_drags() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let c = rig.h.rect("Output", "control").center();
    println!("output knob centre: {},{}", c.x.round(), c.y.round());
    let want = pos2(SMOKE_DRAG.0, SMOKE_DRAG.1);
    assert!(c.distance(want) < 12.0, "{c:?}");
}

/// bundler.toml's `smoke_drag` for this plugin.
const SMOKE_DRAG: (f32, f32) = (717.0, 522.0);

#[test]
fn shift_drag_moves_a_node_a_tenth_as_far() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    {
        let setter = ParamSetter::new(&*rig.host);
        set_once(&setter, &rig.params.bands[3].on, true);
    }
    rig.h.frame(f.clone());
    let rect = graph_rect(&rig);
    let start = node_pos(&rig.params, 3, rect);
    let f0 = rig.params.bands[3].freq_hz.value();
    // Ten octaves' worth of pointer travel would leave the graph; one octave of pointer
    // with Shift held is a tenth of an octave, +6 dB of pointer is +0.6 dB.
    let octave = freq_to_x(rect, 2000.0) - freq_to_x(rect, 1000.0);
    let up = db_to_y(rect, 6.0, -RANGE_DB, RANGE_DB) - db_to_y(rect, 0.0, -RANGE_DB, RANGE_DB);
    rig.h
        .drag_from(start, vec2(octave, up), Modifiers::SHIFT, f.clone());
    let b = &rig.params.bands[3];
    let octaves = (b.freq_hz.value() / f0).log2();
    assert!((octaves - FINE_DRAG).abs() < 0.02, "{octaves}");
    assert!(
        (b.gain_db.value() - 6.0 * FINE_DRAG).abs() < 0.15,
        "{}",
        b.gain_db.value()
    );
    assert!(rig.host.open_gestures().is_empty());
}

#[test]
fn spectrum_buttons_switch_pre_post_and_freeze() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    assert_eq!(rig.state.lock().unwrap().view, SpectrumView::default());
    let button = |rig: &Rig, k: usize| rig.state.lock().unwrap().view_buttons[k].center();
    // PRE on: pre audio arrives and is analysed while shown.
    let pre = button(&rig, 0);
    rig.h.click_at(pre, f.clone());
    assert!(rig.state.lock().unwrap().view.pre);
    let mut sender = AnalyzerSender::default();
    let tone = |hz: f32| -> Vec<f32> {
        (0..8192)
            .map(|i| (2.0 * std::f32::consts::PI * hz * i as f32 / 48_000.0).sin())
            .collect()
    };
    let a = tone(1000.0);
    sender.push_block(&rig.meters.pre, &a, &a);
    rig.h.frame(f.clone());
    let level = rig.state.lock().unwrap().pre.level_at(1000.0);
    assert!(level > -20.0, "{level}");
    assert!(rig.meters.pre.pop().is_none(), "pre queue drained");
    // POST off hides the post trace; FREEZE holds both displays.
    let post = button(&rig, 1);
    rig.h.click_at(post, f.clone());
    let freeze = button(&rig, 4);
    rig.h.click_at(freeze, f.clone());
    rig.h.frame(f.clone());
    {
        let s = rig.state.lock().unwrap();
        assert!(!s.view.post && s.view.freeze);
        assert!(!s.analyzer.trace_visible && s.analyzer.frozen && s.pre.frozen);
    }
    let b = tone(5000.0);
    sender.push_block(&rig.meters.pre, &b, &b);
    rig.h.frames(3, f.clone());
    let s = rig.state.lock().unwrap();
    assert!(s.pre.level_at(1000.0) > -20.0, "frozen display held");
    assert!(
        s.pre.level_at(5000.0) < -40.0,
        "frozen display did not take new audio"
    );
    drop(s);
    assert!(rig.host.violations().is_empty());
}
