//! The reference A/B (slots with each reference's figures beside the live programme's, the
//! Reference switch, the slot choice, the loop start, the path field) and the handover view
//! (peaks, clipped samples, headroom against the chosen target).

use super::readings::{db_text, stat};
use super::spectrum_view;
use super::{LoudnessUiState, View};
use crate::bridge::{LoudnessMeters, Readings};
use crate::handover::headroom_db;
use crate::params::LoudnessParams;
use crate::reference::player::match_gain_db;
use crate::reference::{clean_path, Slot, SlotStatus, MAX_REFERENCES};
use dsp_core::band_spectrum::NUM_BANDS;
use egui::{vec2, Color32, RichText, Ui};
use lacquer_kit::param_control::register_rect;
use lacquer_kit::theme::{self, section};
use lacquer_kit::{NumericField, Segmented, Toggle};
use nice_plug::prelude::*;
use std::sync::atomic::Ordering;

/// Slot labels of the "Ref Track" selector.
const SLOT_LABELS: &[&str] = &["1", "2", "3", "4", "5", "6", "7", "8"];

/// "m:ss".
fn duration_text(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A loudness, LUFS, as text ("-inf" for silence or not yet measured).
fn lufs_text(lufs: f64) -> String {
    if crate::reference::is_measured(lufs) {
        format!("{lufs:.1}")
    } else {
        "-inf".to_owned()
    }
}

/// One row of the comparison table: name, I, LRA, TP, length, and what follows.
fn figures_row(ui: &mut Ui, label: &str, cells: [String; 4], color: Color32) {
    let font = egui::FontId::monospace(11.0);
    let widths = [36.0, 50.0, 44.0, 52.0];
    ui.spacing_mut().item_spacing.x = 4.0;
    ui.add_sized(
        vec2(150.0, 15.0),
        egui::Label::new(RichText::new(label).size(11.5).color(color)).truncate(),
    );
    for (cell, width) in cells.into_iter().zip(widths) {
        ui.add_sized(
            vec2(width, 15.0),
            egui::Label::new(RichText::new(cell).font(font.clone()).color(color)),
        );
    }
}

/// The reference A/B section.
pub(super) fn reference_section(
    ui: &mut Ui,
    params: &LoudnessParams,
    setter: &ParamSetter,
    meters: &LoudnessMeters,
    readings: &Readings,
    state: &mut LoudnessUiState,
) {
    let library = &params.references;
    // Wake while a load runs (the loader thread does not wake the editor) and when a slot or
    // what is heard changes.
    if library.is_loading() {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }
    let id = ui.make_persistent_id("loudness-references");
    lacquer_kit::meters::repaint_if_changed(
        ui,
        id,
        library.shared().changes.load(Ordering::Relaxed) as f32
            + 1000.0 * meters.reference_heard.load(Ordering::Relaxed) as f32,
        0.5,
    );
    section(ui, "Reference A/B", |ui| {
        ui.set_width(610.0);
        ui.horizontal(|ui| {
            ui.add(
                Toggle::for_param(&params.reference, setter)
                    .label("Reference")
                    .width(96.0),
            );
            ui.add(
                Segmented::for_param(&params.reference_slot, setter)
                    .labels(SLOT_LABELS)
                    .segment_width(22.0),
            );
            ui.add(
                NumericField::for_param(&params.reference_start_s, setter)
                    .label("Start")
                    .width(64.0),
            );
            let heard = meters.reference_heard.load(Ordering::Relaxed);
            let text = if heard == 0 {
                "hearing: your mix".to_owned()
            } else {
                format!(
                    "hearing: ref {heard} at {:+.1} dB",
                    meters.reference_gain_db.load(Ordering::Relaxed)
                )
            };
            ui.label(RichText::new(text).size(11.0).color(if heard == 0 {
                theme::TEXT_DIM
            } else {
                theme::ACCENT
            }));
        });
        ui.horizontal(|ui| {
            let field = ui.add(
                egui::TextEdit::singleline(&mut state.reference_path)
                    .hint_text("path to a WAV, FLAC, MP3 or OGG reference")
                    .desired_width(520.0),
            );
            register_rect(ui, "Reference Path", "control", field.rect);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let add = ui.add(egui::Button::new("Add").min_size(vec2(60.0, 20.0)));
            register_rect(ui, "Add Reference", "control", add.rect);
            if add.clicked() || enter {
                let path = clean_path(&state.reference_path);
                state.reference_note = match library.add(&path) {
                    Some(slot) => {
                        state.reference_path.clear();
                        Some(format!("added to slot {}", slot + 1))
                    }
                    None if path.is_empty() => Some("type a file's path first".to_owned()),
                    None => Some(format!(
                        "all {MAX_REFERENCES} slots are taken: remove one first"
                    )),
                };
            }
        });
        let chosen = params.reference_slot.value() as usize;
        let slots = library.slots();
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(392.0);
                // Compact rows: eight references and the mix fit under the controls.
                ui.spacing_mut().interact_size.y = 14.0;
                ui.spacing_mut().item_spacing.y = 2.0;
                ui.horizontal(|ui| {
                    figures_row(
                        ui,
                        "",
                        [
                            "".into(),
                            "I LUFS".into(),
                            "LRA LU".into(),
                            "TP dBTP".into(),
                        ],
                        theme::TEXT_DIM,
                    );
                });
                ui.horizontal(|ui| {
                    figures_row(
                        ui,
                        "your mix (since reset)",
                        [
                            duration_text(f64::from(readings.running_seconds)),
                            lufs_text(f64::from(readings.integrated)),
                            format!("{:.1}", readings.lra),
                            db_text(readings.true_peak_max),
                        ],
                        theme::TEXT,
                    );
                });
                for (index, slot) in slots.iter().enumerate() {
                    let Some(Slot { path, status }) = slot.as_ref() else {
                        continue;
                    };
                    ui.horizontal(|ui| {
                        let marker = if index == chosen { "▶" } else { " " };
                        let label = format!("{marker}{} ", index + 1);
                        match status {
                            SlotStatus::Ready(track) => {
                                let s = &track.summary;
                                figures_row(
                                    ui,
                                    &format!("{label}{}", s.name),
                                    [
                                        duration_text(s.seconds),
                                        lufs_text(s.integrated_lufs),
                                        format!("{:.1}", s.lra_lu),
                                        db_text(s.true_peak_dbtp as f32),
                                    ],
                                    theme::TEXT,
                                );
                            }
                            SlotStatus::Loading => {
                                ui.label(
                                    RichText::new(format!("{label}loading {path} …"))
                                        .size(11.0)
                                        .color(theme::TEXT_DIM),
                                );
                            }
                            SlotStatus::Failed(reason) => {
                                ui.add_sized(
                                    vec2(340.0, 15.0),
                                    egui::Label::new(
                                        RichText::new(format!("{label}{reason}"))
                                            .size(11.0)
                                            .color(theme::METER_CLIP),
                                    )
                                    .truncate(),
                                );
                            }
                        }
                        let remove = ui.add(
                            egui::Button::new(RichText::new("×").size(12.0).color(theme::TEXT_DIM))
                                .frame(false)
                                .small(),
                        );
                        register_rect(
                            ui,
                            "Remove Reference",
                            &format!("{}", index + 1),
                            remove.rect,
                        );
                        if remove.on_hover_text("Remove this reference").clicked() {
                            library.remove(index);
                        }
                    });
                }
            });
            spectrum_column(ui, meters, readings, slots.get(chosen), chosen);
        });
        if let Some(note) = &state.reference_note {
            ui.label(RichText::new(note).size(10.0).color(theme::TEXT_DIM));
        }
    });
}

/// The handover view: what a mix going to mastering is checked for.
pub(super) fn handover_section(
    ui: &mut Ui,
    params: &LoudnessParams,
    setter: &ParamSetter,
    meters: &LoudnessMeters,
    readings: &Readings,
    _view: &View,
) {
    section(ui, "Handover", |ui| {
        ui.set_width(ui.available_width());
        let clipped = meters.clipped_samples.load(Ordering::Relaxed);
        let runs = meters.clipped_runs.load(Ordering::Relaxed);
        let target = params.headroom_target_dbfs.value();
        let measured = readings.true_peak_max > -99.0;
        let headroom = headroom_db(target, readings.true_peak_max);
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 6.0;
            stat(
                ui,
                "SAMPLE PEAK",
                format!("{} dB", db_text(readings.sample_peak_max)),
                theme::TEXT,
            );
            stat(
                ui,
                "TRUE PEAK",
                format!("{} dBTP", db_text(readings.true_peak_max)),
                theme::TEXT,
            );
        });
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 6.0;
            stat(
                ui,
                "CLIPPED SAMPLES",
                format!("{clipped}"),
                if clipped > 0 {
                    theme::METER_CLIP
                } else {
                    theme::TEXT
                },
            );
            stat(
                ui,
                "HEADROOM",
                if measured {
                    format!("{headroom:+.1} dB")
                } else {
                    "—".to_owned()
                },
                if measured && headroom < 0.0 {
                    theme::METER_CLIP
                } else {
                    theme::TEXT
                },
            );
        });
        ui.add(
            NumericField::for_param(&params.headroom_target_dbfs, setter)
                .label("Peak target")
                .width(72.0),
        );
        let (verdict, color) = if !measured {
            ("no peaks yet".to_owned(), theme::TEXT_DIM)
        } else if clipped > 0 {
            (
                format!("clipping: {runs} run(s) of ≥3 full-scale samples"),
                theme::METER_CLIP,
            )
        } else if headroom < 0.0 {
            (
                format!("peaks {:.1} dB over the target", -headroom),
                theme::METER_HOT,
            )
        } else {
            ("ready to hand over".to_owned(), theme::METER_OK)
        };
        ui.label(RichText::new(verdict).size(11.0).color(color));
    });
}

/// The long-term spectra: the mix's and the chosen reference's at matched loudness, with the
/// largest difference spelled out.
fn spectrum_column(
    ui: &mut Ui,
    meters: &LoudnessMeters,
    readings: &Readings,
    slot: Option<&Option<Slot>>,
    chosen: usize,
) {
    let live: [f32; NUM_BANDS] =
        std::array::from_fn(|b| meters.live_spectrum_db[b].load(Ordering::Relaxed));
    let reference = match slot {
        Some(Some(Slot {
            status: SlotStatus::Ready(track),
            ..
        })) => {
            let gain = match_gain_db(
                track,
                f64::from(readings.integrated),
                f64::from(readings.short_term),
            ) as f32;
            Some(track.summary.spectrum_db.map(|v| v + gain))
        }
        _ => None,
    };
    ui.vertical(|ui| {
        let id = ui.make_persistent_id("loudness-live-spectrum");
        lacquer_kit::meters::repaint_if_changed(
            ui,
            id,
            meters.live_spectrum_frames.load(Ordering::Relaxed) as f32,
            0.5,
        );
        spectrum_view::show(ui, vec2(190.0, 120.0), &live, reference.as_ref());
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 6.0;
            ui.label(
                RichText::new("— your mix")
                    .size(10.0)
                    .color(spectrum_view::LIVE_COLOR),
            );
            ui.label(
                RichText::new(format!("— ref {} (matched)", chosen + 1))
                    .size(10.0)
                    .color(spectrum_view::REFERENCE_COLOR),
            );
        });
        let note = reference
            .as_ref()
            .and_then(|r| spectrum_view::largest_difference(&live, r))
            .map_or_else(
                || "spectra: 1/3 octave, since reset".to_owned(),
                |(band, diff)| {
                    format!(
                        "ref {:+.1} dB at {}",
                        diff,
                        dsp_core::band_spectrum::band_label(band, band)
                    )
                },
            );
        ui.label(RichText::new(note).size(10.0).color(theme::TEXT_DIM));
    });
}
