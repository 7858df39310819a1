//! Headless tests of the Imager editor through the kit's fake host and egui harness.

use super::*;
use crate::params::{BandsParam, PhaseParam};
use egui::Modifiers;
use lacquer_kit::meters_bridge::{AnalyzerSender, CHUNK_FRAMES};
use lacquer_kit::presets::Preset;
use lacquer_kit::testing::{gesture_shape, EditorRig};
use lacquer_kit::views::freq_to_x;

type Rig = EditorRig<ImagerEditorSpec>;

/// The editor with default parameters and meters, factory presets only (no user folder).
fn new_rig() -> Rig {
    EditorRig::new(
        ImagerParams::default(),
        ImagerMeters::default(),
        ImagerUiState::with_presets(
            PresetLibrary::new("imager", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
        ),
        vec2(WIDTH as f32, HEIGHT as f32),
    )
}

#[test]
fn dragging_a_width_bar_and_a_crossover() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let rect = rig.state.lock().unwrap().band_rect;
    assert!(rect.width() > 200.0, "{rect:?}");
    // Band 3's bar (100 %) up to the 150 % line.
    let (l, r) = band_span(&rig.params, rect, 2);
    let start = pos2(0.5 * (l + r), width_to_y(rect, 1.0));
    let to_y = width_to_y(rect, 1.5);
    rig.h
        .drag_from(start, vec2(0.0, to_y - start.y), Modifiers::NONE, f.clone());
    let w = rig.params.band[2].width.value();
    assert!((w - 1.5).abs() < 0.02, "{w}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin w_3", "set w_3", "end w_3"]
    );
    // Crossover 1 (200 Hz) to 500 Hz.
    let x = freq_to_x(rect, 200.0);
    let start = pos2(x, rect.top() + 20.0);
    let to = freq_to_x(rect, 500.0);
    rig.h
        .drag_from(start, vec2(to - x, 0.0), Modifiers::NONE, f.clone());
    let hz = rig.params.crossovers[0].hz.value();
    assert!((hz / 500.0 - 1.0).abs() < 0.03, "{hz}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin x_1", "set x_1", "end x_1"]
    );
    // Double-click on the band 3 bar resets it to 100 %.
    rig.h.frame(f.clone());
    let (l, r) = band_span(&rig.params, rect, 2);
    let bar = pos2(0.5 * (l + r), width_to_y(rect, 1.5));
    rig.h.double_click_at(bar, f.clone());
    assert_eq!(rig.params.band[2].width.value(), 1.0);
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn controls_type_and_click() {
    let mut rig = new_rig();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h.type_value("Band 1 Width", "0%", f.clone());
    assert_eq!(rig.params.band[0].width.value(), 0.0);
    rig.h.type_value("Balance", "-25%", f.clone());
    assert!((rig.params.balance.value() + 0.25).abs() < 1e-3);
    let seg = rig.h.rect("Bands", "control");
    rig.h
        .click_at(seg.right_center() - vec2(10.0, 0.0), f.clone());
    assert_eq!(rig.params.bands.value(), BandsParam::Four);
    let mono = rig.h.rect("Bass Mono", "control").center();
    rig.h.click_at(mono, f.clone());
    assert!(rig.params.bass_mono.value());
    assert!(rig.host.open_gestures().is_empty());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn the_warning_follows_correlation_and_side_level() {
    let m = ImagerMeters::default();
    m.mid_db.store(-12.0, Ordering::Relaxed);
    m.side_db.store(-20.0, Ordering::Relaxed);
    m.correlation.store(0.4, Ordering::Relaxed);
    assert_eq!(warning(&m), None);
    m.side_db.store(-10.0, Ordering::Relaxed);
    assert!(warning(&m).unwrap().starts_with("Side louder"));
    m.correlation.store(-0.2, Ordering::Relaxed);
    assert!(warning(&m).unwrap().starts_with("Negative correlation"));
    // Silence says nothing.
    m.side_db.store(-100.0, Ordering::Relaxed);
    m.mid_db.store(-100.0, Ordering::Relaxed);
    assert_eq!(warning(&m), None);
}

#[test]
fn factory_presets_parse_and_leave_the_phase_mode() {
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
        assert!(!preset.params.contains_key("phase"), "{}", preset.name);
        assert!(values.len() >= 15, "{}: {}", preset.name, values.len());
    }
    rig.host.set(&rig.params.phase, PhaseParam::Linear);
    rig.h.frame(f.clone());
    {
        let setter = ParamSetter::new(&*rig.host);
        let mut state = rig.state.lock().unwrap();
        let lib = &mut state.header.presets;
        let k = lib
            .presets
            .iter()
            .position(|(_, p)| p.name == "Tighten Low Mids")
            .unwrap();
        lib.load(k, &*rig.params, &setter, &rig.params.ab).unwrap();
    }
    assert_eq!(rig.params.phase.value(), PhaseParam::Linear);
    assert_eq!(rig.params.bands.value(), BandsParam::Four);
    assert!((rig.params.band[1].width.value() - 0.7).abs() < 1e-6);
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
    sender.push_block(&rig.meters.analyzer, &l, &l);
    rig.h.frame(f.clone());
    assert!(rig.h.last_wants_repaint, "new audio must ask for frames");
}
