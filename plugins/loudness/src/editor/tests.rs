//! Headless tests of the Loudness editor through the kit's fake host and egui harness.

use super::*;
use crate::bridge::HistoryPoint;
use crate::params::ScaleParam;
use egui::Modifiers;
use lacquer_kit::presets::Preset;
use lacquer_kit::testing::{gesture_shape, EditorRig};

/// The shared editor rig plus the folder this editor's exports go to.
struct Rig {
    rig: EditorRig<LoudnessEditorSpec>,
    export_dir: PathBuf,
}

impl std::ops::Deref for Rig {
    type Target = EditorRig<LoudnessEditorSpec>;
    fn deref(&self) -> &Self::Target {
        &self.rig
    }
}

impl std::ops::DerefMut for Rig {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.rig
    }
}

impl Rig {
    fn new() -> Self {
        let export_dir = std::env::temp_dir().join(format!(
            "lacquer-loudness-editor-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let state = LoudnessUiState::with(
            PresetLibrary::new("loudness", FACTORY_PRESETS, LOCKED_PARAMS).with_user_dir(None),
            Some(export_dir.clone()),
        );
        Self {
            rig: EditorRig::new(
                LoudnessParams::default(),
                LoudnessMeters::default(),
                state,
                vec2(WIDTH as f32, HEIGHT as f32),
            ),
            export_dir,
        }
    }

    fn click(&mut self, name: &str, part: &str) {
        let f = self.draw_fn();
        let pos = self.h.rect(name, part).center();
        self.h.click_at(pos, f);
    }
}

#[test]
fn target_selector_picks_every_platform() {
    let mut rig = Rig::new();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    assert_eq!(rig.params.target().name, "EBU R128");
    for (i, label) in TARGET_LABELS.iter().enumerate() {
        rig.click("Target", label);
        assert_eq!(
            rig.params.target.value(),
            TargetParam::from_index(i),
            "{label}"
        );
    }
    assert_eq!(rig.params.target().name, "Custom");
    assert!(rig.host.violations().is_empty());
    assert!(rig.host.open_gestures().is_empty());
}

#[test]
fn custom_target_knobs_drag_and_type() {
    let mut rig = Rig::new();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.h.drag(
        "Custom Target",
        vec2(0.0, -40.0),
        Modifiers::NONE,
        f.clone(),
    );
    // 40 px of a 200 px sweep across -36..-5 LUFS = +6.2 LU.
    let v = rig.params.custom_lufs.value();
    assert!((v - (-23.0 + 6.2)).abs() < 0.25, "{v}");
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin tlufs", "set tlufs", "end tlufs"]
    );
    rig.h.type_value("Custom Ceiling", "-2.5", f.clone());
    let c = rig.params.custom_ceiling_dbtp.value();
    assert!(
        (c + 2.5).abs() < 1e-4,
        "{c} {:?} {:?}",
        rig.h.rect("Custom Ceiling", "value"),
        rig.host.take_events()
    );
    rig.click("Target", "Custom");
    let t = rig.params.target();
    assert!((t.ceiling_dbtp + 2.5).abs() < 1e-4);
    assert!((t.target_lufs - f64::from(v)).abs() < 1e-4);
}

#[test]
fn display_and_measurement_switches() {
    let mut rig = Rig::new();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.click("Scale", "+18");
    assert_eq!(rig.params.scale.value(), ScaleParam::Plus18);
    rig.click("Unit", "LU");
    assert_eq!(rig.params.unit.value(), UnitParam::Lu);
    rig.click("True Peak", "8x");
    assert_eq!(
        rig.params.true_peak_oversampling.value(),
        OversamplingParam::X8
    );
    for name in ["Pause", "Reset On Play", "Bypass"] {
        rig.click(name, "control");
    }
    assert!(rig.params.pause.value());
    assert!(rig.params.reset_on_play.value());
    assert!(rig.params.bypass.value());
    assert!(rig.host.violations().is_empty());
}

#[test]
fn reset_button_raises_the_flag_and_touches_no_parameter() {
    let mut rig = Rig::new();
    let f = rig.draw_fn();
    rig.h.frame(f);
    rig.host.take_events();
    rig.click("Reset", "control");
    assert!(rig.meters.take_reset_request(), "reset not requested");
    assert!(!rig.meters.take_reset_request(), "requested twice");
    assert!(
        rig.host.take_events().is_empty(),
        "reset is not a parameter"
    );
}

#[test]
fn history_drains_the_queue_clears_on_reset_and_zooms() {
    let mut rig = Rig::new();
    let f = rig.draw_fn();
    for i in 0..25 {
        rig.meters.push_history(HistoryPoint {
            momentary_lufs: -20.0 - i as f32 * 0.1,
            short_term_lufs: -21.0,
        });
    }
    rig.h.frame(f.clone());
    assert_eq!(rig.state.lock().unwrap().history.len(), 25);
    assert!(rig.meters.pop_history().is_none(), "queue not drained");
    // The audio thread performed a reset: the history starts again.
    rig.meters.resets.fetch_add(1, Ordering::Relaxed);
    rig.h.frame(f.clone());
    assert!(rig.state.lock().unwrap().history.is_empty());
    rig.click("History Zoom", "10 min");
    assert_eq!(rig.state.lock().unwrap().history.zoom_s, 600.0);
    // Wheel up over the view zooms in one step.
    let centre = rig.h.rect("History", "control").center();
    rig.h.move_to(centre);
    rig.h.frame(f.clone());
    rig.h.wheel_lines(1.0);
    rig.h.frame(f.clone());
    assert_eq!(rig.state.lock().unwrap().history.zoom_s, 180.0);
}

#[test]
fn export_writes_json_and_csv_and_shows_the_path() {
    let mut rig = Rig::new();
    let f = rig.draw_fn();
    rig.meters.integrated.store(-9.8, Ordering::Relaxed);
    rig.meters.true_peak_max.store(-0.4, Ordering::Relaxed);
    rig.meters.push_history(HistoryPoint {
        momentary_lufs: -10.0,
        short_term_lufs: -11.0,
    });
    rig.h.frame(f.clone());
    rig.click("Target", "Spotify");
    rig.click("Export", "control");
    let status = rig.state.lock().unwrap().export_status.clone().unwrap();
    assert!(status.starts_with("Saved "), "{status}");
    let files: Vec<PathBuf> = std::fs::read_dir(&rig.export_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let json = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("json written");
    assert!(status.contains(&json.display().to_string()), "{status}");
    assert!(json.with_extension("csv").exists());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(doc["target"], "Spotify");
    assert_eq!(doc["verdict"], "Spotify will turn this down 4.2 dB");
    assert_eq!(doc["history"]["momentary_lufs"][0], -10.0);
    std::fs::remove_dir_all(&rig.export_dir).unwrap();
}

#[test]
fn factory_presets_parse_and_apply_without_touching_pause() {
    let rig = Rig::new();
    let setter = ParamSetter::new(&*rig.host);
    rig.host.set(&rig.params.pause, true);
    let mut state = rig.state.lock().unwrap();
    let lib = &mut state.header.presets;
    assert!(lib.last_error.is_none(), "{:?}", lib.last_error);
    assert_eq!(lib.presets.len(), FACTORY_PRESETS.len());
    let mut names = Vec::new();
    for json in FACTORY_PRESETS {
        let preset = Preset::from_json(json).unwrap();
        let (_, report) = preset.resolve(&*rig.params, &lib.locked);
        assert!(
            report.unknown.is_empty(),
            "{}: {:?}",
            preset.name,
            report.unknown
        );
        names.push(preset.params["target"].as_str().unwrap().to_owned());
    }
    // One preset per platform/delivery target.
    for t in dsp_core::loudness::targets::TARGETS {
        assert!(
            names.iter().any(|n| n == t.name),
            "no preset for {}",
            t.name
        );
    }
    let spotify = lib
        .presets
        .iter()
        .position(|(_, p)| p.name == "Spotify")
        .unwrap();
    lib.load(spotify, &*rig.params, &setter, &rig.params.ab)
        .unwrap();
    assert_eq!(rig.params.target.value(), TargetParam::Spotify);
    assert_eq!(rig.params.custom_lufs.value(), -14.0);
    assert!(rig.params.pause.value(), "a preset changed pause");
    rig.params.ab.switch(&*rig.params, &setter, &lib.locked);
    assert_eq!(rig.params.target.value(), TargetParam::EbuR128);
}

#[test]
fn idle_editor_does_not_repaint_and_moving_loudness_wakes_it() {
    let mut rig = Rig::new();
    let f = rig.draw_fn();
    rig.h.frames(5, f.clone());
    assert!(!rig.h.last_wants_repaint, "idle editor asked for frames");
    rig.meters.momentary.store(-18.0, Ordering::Relaxed);
    rig.h.frame(f.clone());
    assert!(
        rig.h.last_wants_repaint,
        "a moving reading must ask for the next frame"
    );
}

#[test]
fn every_control_fits_the_default_window() {
    let mut rig = Rig::new();
    // All eight reference slots in use (missing files: the longest rows).
    rig.params.references.prepare(48_000.0, 2);
    for i in 0..crate::reference::MAX_REFERENCES {
        rig.params.references.add(&format!(
            "/nonexistent/lacquer/a-rather-long-reference-name-{i}.flac"
        ));
    }
    assert!(rig
        .params
        .references
        .wait_loaded(std::time::Duration::from_secs(30)));
    rig.state.lock().unwrap().reference_note = Some("added to slot 8".into());
    let f = rig.draw_fn();
    rig.h.frames(2, f);
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, vec2(WIDTH as f32, HEIGHT as f32));
    for (name, part) in [
        ("Target", "Spotify"),
        ("Target", "Custom"),
        ("Custom Target", "value"),
        ("Custom Target", "control"),
        ("Custom Ceiling", "value"),
        ("Scale", "+18"),
        ("Unit", "LU"),
        ("True Peak", "8x"),
        ("Pause", "control"),
        ("Reset On Play", "control"),
        ("Reset", "control"),
        ("Export", "control"),
        ("History", "control"),
        ("History Zoom", "10 min"),
        ("Bypass", "control"),
        ("Reference", "control"),
        ("Ref Track", "8"),
        ("Ref Start", "value"),
        ("Reference Path", "control"),
        ("Add Reference", "control"),
        ("Headroom Target", "value"),
        ("Remove Reference", "1"),
        ("Remove Reference", "8"),
    ] {
        let rect = rig.h.rect(name, part);
        assert!(
            window.contains_rect(rect),
            "{name}/{part}: {rect:?} outside {window:?}"
        );
    }
}

/// Every text the editor painted in one frame of `draw`.
fn painted_texts(rig: &mut Rig) -> Vec<String> {
    let mut f = rig.draw_fn();
    rig.h.time += lacquer_kit::testing::FRAME_DT;
    let input = egui::RawInput {
        time: Some(rig.h.time),
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            vec2(WIDTH as f32, HEIGHT as f32),
        )),
        ..Default::default()
    };
    let output = rig.h.ctx.run_ui(input, |ui| f(ui));
    fn collect(shape: &egui::Shape, out: &mut Vec<String>) {
        match shape {
            egui::Shape::Text(t) => out.push(t.galley.text().to_owned()),
            egui::Shape::Vec(v) => v.iter().for_each(|s| collect(s, out)),
            _ => {}
        }
    }
    let mut texts = Vec::new();
    for clipped in &output.shapes {
        collect(&clipped.shape, &mut texts);
    }
    output.drop_without_applying_deltas();
    texts
}

#[test]
fn references_are_added_by_path_reported_when_missing_and_removed() {
    let mut rig = Rig::new();
    rig.params.references.prepare(48_000.0, 2);
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    let missing = std::env::temp_dir().join(format!(
        "lacquer-editor-missing-{}.flac",
        std::process::id()
    ));
    let field = rig.h.rect("Reference Path", "control").center();
    rig.h.click_at(field, f.clone());
    rig.h.text(&format!("  \"{}\"  ", missing.display()));
    rig.h.frame(f.clone());
    rig.click("Add Reference", "control");
    // Quotes and spaces from a file manager's "copy path" are dropped.
    assert_eq!(
        rig.params.references.paths()[0],
        Some(missing.display().to_string())
    );
    assert!(rig
        .params
        .references
        .wait_loaded(std::time::Duration::from_secs(30)));
    rig.h.frame(f.clone());
    let texts = painted_texts(&mut rig);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("cannot read") && t.contains("lacquer-editor-missing")),
        "{texts:?}"
    );
    // No parameter moved; the path is not a parameter.
    assert!(rig.host.take_events().is_empty());
    rig.click("Remove Reference", "1");
    assert!(rig.params.references.paths().iter().all(Option::is_none));
    // Add with an empty field says so and adds nothing.
    rig.click("Add Reference", "control");
    assert!(rig.params.references.paths().iter().all(Option::is_none));
    assert!(painted_texts(&mut rig)
        .iter()
        .any(|t| t.contains("type a file's path first")));
}

#[test]
fn reference_switch_slot_start_and_peak_target_are_parameters() {
    let mut rig = Rig::new();
    let f = rig.draw_fn();
    rig.h.frame(f.clone());
    rig.click("Reference", "control");
    assert!(rig.params.reference.value());
    assert_eq!(
        gesture_shape(&rig.host.take_events()),
        ["begin ref", "set ref", "end ref"]
    );
    rig.click("Ref Track", "3");
    assert_eq!(
        rig.params.reference_slot.value(),
        crate::params::RefSlotParam::R3
    );
    rig.h.type_value("Ref Start", "42.5", f.clone());
    assert!((rig.params.reference_start_s.value() - 42.5).abs() < 1e-4);
    rig.h.type_value("Headroom Target", "-6", f.clone());
    assert!((rig.params.headroom_target_dbfs.value() + 6.0).abs() < 1e-4);
    assert!(rig.host.violations().is_empty());
    assert!(rig.host.open_gestures().is_empty());
}

#[test]
fn handover_shows_clips_peaks_and_headroom() {
    let mut rig = Rig::new();
    rig.meters.true_peak_max.store(-1.2, Ordering::Relaxed);
    rig.meters.sample_peak_max.store(-1.5, Ordering::Relaxed);
    let texts = painted_texts(&mut rig);
    // Default target −3 dBFS: 1.8 dB over it.
    assert!(texts.iter().any(|t| t == "-1.8 dB"), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("1.8 dB over the target")));
    rig.meters.clipped_samples.store(12, Ordering::Relaxed);
    rig.meters.clipped_runs.store(2, Ordering::Relaxed);
    let texts = painted_texts(&mut rig);
    assert!(texts.iter().any(|t| t == "12"), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("clipping: 2 run(s)")));
    rig.meters.clipped_samples.store(0, Ordering::Relaxed);
    rig.meters.true_peak_max.store(-4.0, Ordering::Relaxed);
    let texts = painted_texts(&mut rig);
    assert!(texts.iter().any(|t| t == "+1.0 dB"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "ready to hand over"));
}

#[test]
fn the_spectra_compare_the_mix_with_the_chosen_reference() {
    let mut rig = Rig::new();
    let texts = painted_texts(&mut rig);
    assert!(texts.iter().any(|t| t == "no spectrum yet"), "{texts:?}");
    // A 1 kHz reference tone (−9 dB in its band) against a flat −30 dB mix.
    let path = crate::reference::tests::temp_path("editor-tone.wav");
    let tone: Vec<f32> = (0..96_000)
        .map(|i| 0.5 * (std::f32::consts::TAU * 1000.0 * i as f32 / 48_000.0).sin())
        .collect();
    crate::reference::tests::write_wav(&path, 48_000, &[tone.clone(), tone]);
    rig.params.references.prepare(48_000.0, 2);
    rig.params.references.add(path.to_str().unwrap());
    assert!(rig
        .params
        .references
        .wait_loaded(std::time::Duration::from_secs(30)));
    std::fs::remove_file(&path).unwrap();
    for band in &rig.meters.live_spectrum_db {
        band.store(-30.0, Ordering::Relaxed);
    }
    let texts = painted_texts(&mut rig);
    assert!(
        texts.iter().any(|t| t.starts_with("ref +21.0 dB at 1k Hz")),
        "{texts:?}"
    );
    // Once the mix has an integrated loudness, the reference curve is shifted by the
    // matching gain (mix I − reference I), as the A/B plays it.
    rig.meters.integrated.store(-20.0, Ordering::Relaxed);
    let track = match &rig.params.references.slots()[0] {
        Some(crate::reference::Slot {
            status: crate::reference::SlotStatus::Ready(t),
            ..
        }) => t.clone(),
        other => panic!("{other:?}"),
    };
    let gain = -20.0 - track.summary.integrated_lufs as f32;
    assert!(gain < -10.0, "{gain}");
    let expect = format!(
        "ref {:+.1} dB at 1k Hz",
        track.summary.spectrum_db[16] + gain + 30.0
    );
    let texts = painted_texts(&mut rig);
    assert!(texts.contains(&expect), "{expect}: {texts:?}");
}
