//! The Panner's editor, built from the shared kit: header (presets, A/B, scale, help, bypass),
//! the pan section (mode, pan/width or dual L/R), the law section, bass mono, channel
//! utilities, output gain, input/output meters and correlation.
//!
//! All drawing is in [`draw`], a plain function of `(ui, params, setter, meters, state)`, so
//! headless tests and the frame bench run it without a window; [`PannerApp::ui`] only calls it.

use crate::params::{ModeParam, PannerParams};
use crate::PannerMeters;
use egui::{vec2, Ui};
use lacquer_kit::app::{create_editor, EditorSpec, KitApp};
use lacquer_kit::header::{Header, HeaderState};
use lacquer_kit::meters::{CorrelationMeter, StereoLevelMeter};
use lacquer_kit::presets::PresetLibrary;
use lacquer_kit::theme::{self, section};
use lacquer_kit::EditorState;
use lacquer_kit::{Knob, Segmented, Toggle};
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, RepaintNotifier};
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// Default logical width at 100 % scale.
pub const WIDTH: u32 = 720;
/// Default logical height at 100 % scale.
pub const HEIGHT: u32 = 430;

/// The editor type the plugin returns from `Plugin::editor`.
pub type PannerEditor = EguiEditor<KitApp<PannerEditorSpec>>;

/// Factory presets, embedded at build time.
pub const FACTORY_PRESETS: &[&str] = &[
    include_str!("../../../assets/presets/panner/centre-default.json"),
    include_str!("../../../assets/presets/panner/wide-stereo.json"),
    include_str!("../../../assets/presets/panner/mono-check.json"),
    include_str!("../../../assets/presets/panner/dual-hard-split.json"),
    include_str!("../../../assets/presets/panner/bass-mono-tighten.json"),
];

/// Parameters a preset never changes: the output gain is a gain-staging decision.
pub const LOCKED_PARAMS: &[&str] = &["out"];

/// Help text behind the header's "?".
const HELP: &str = "Balance moves a stereo pair; Stereo Pan moves it and sets its width; Dual \
Pan places each input channel; Mono Pan sums to mono first. The pan law sets the centre \
attenuation of a mono source; Compensated keeps the centre at unity.";

/// GUI-only state of an open (or headless) Panner editor.
#[derive(Debug)]
pub struct PannerUiState {
    /// Header: presets, save field, status.
    pub header: HeaderState,
}

impl PannerUiState {
    /// State with the factory presets and the user's preset folder.
    pub fn new() -> Self {
        Self {
            header: HeaderState::new(PresetLibrary::new("panner", FACTORY_PRESETS, LOCKED_PARAMS)),
        }
    }
}

impl Default for PannerUiState {
    fn default() -> Self {
        Self::new()
    }
}

/// What the Panner adds to the kit's editor shell.
pub struct PannerEditorSpec;

impl EditorSpec for PannerEditorSpec {
    type Params = PannerParams;
    type Meters = PannerMeters;
    type State = PannerUiState;

    fn editor_state(params: &PannerParams) -> &EditorState {
        &params.editor_state
    }

    fn draw(
        ui: &mut Ui,
        params: &PannerParams,
        setter: &ParamSetter,
        meters: &PannerMeters,
        state: &mut PannerUiState,
    ) {
        draw(ui, params, setter, meters, state);
    }
}

/// Build the editor (called from `Plugin::editor`).
pub fn create(params: Arc<PannerParams>, meters: Arc<PannerMeters>) -> Option<PannerEditor> {
    // Meter changes on the audio thread wake an idle editor through this flag.
    let notifier = meters.input.attach_editor(RepaintNotifier::new());
    let notifier = meters.output.attach_editor(notifier);
    create_editor::<PannerEditorSpec>(
        "Lacquer Panner",
        params,
        meters,
        PannerUiState::new(),
        notifier,
    )
}

/// Draw the whole editor. The app's `ui()` calls this; so do the headless tests and the bench.
pub fn draw(
    ui: &mut Ui,
    params: &PannerParams,
    setter: &ParamSetter,
    meters: &PannerMeters,
    state: &mut PannerUiState,
) {
    theme::apply(ui.ctx());
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BG);
    ui.spacing_mut().item_spacing = vec2(theme::GAP, theme::GAP);

    Header {
        title: "Panner",
        params,
        setter,
        ab: &params.ab,
        editor: &params.editor_state,
        bypass: &params.bypass,
        help: HELP,
    }
    .show(ui, &mut state.header);

    let body = full
        .with_min_y(full.top() + theme::HEADER_HEIGHT)
        .shrink(theme::GAP);
    let mut body_ui = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(body)
            .layout(egui::Layout::left_to_right(egui::Align::Min)),
    );
    let ui = &mut body_ui;
    let meter_height = (body.height() - 52.0).max(120.0);
    ui.add(StereoLevelMeter::new(&meters.input, "IN").height(meter_height));

    let centre_width = body.width() - 2.0 * (52.0 + theme::GAP);
    ui.allocate_ui_with_layout(
        vec2(centre_width, body.height()),
        egui::Layout::top_down(egui::Align::Min),
        |ui| {
            ui.horizontal_top(|ui| {
                pan_section(ui, params, setter);
                law_section(ui, params, setter);
            });
            ui.horizontal_top(|ui| {
                bass_section(ui, params, setter);
                channel_section(ui, params, setter);
                output_section(ui, params, setter, meters);
            });
        },
    );

    ui.add(StereoLevelMeter::new(&meters.output, "OUT").height(meter_height));
}

/// Mode selector and the position controls for that mode.
fn pan_section(ui: &mut Ui, params: &PannerParams, setter: &ParamSetter) {
    section(ui, "Pan", |ui| {
        ui.set_width(300.0);
        ui.add(
            Segmented::for_param(&params.mode, setter)
                .labels(&["Balance", "Stereo", "Dual", "Mono"])
                .segment_width(73.0),
        );
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.set_height(96.0);
            let mode = params.mode.value();
            if mode == ModeParam::Dual {
                ui.add(
                    Knob::for_param(&params.left_pan, setter)
                        .label("Left")
                        .bipolar()
                        .diameter(60.0),
                );
                ui.add(
                    Knob::for_param(&params.right_pan, setter)
                        .label("Right")
                        .bipolar()
                        .diameter(60.0),
                );
            } else {
                ui.add(
                    Knob::for_param(&params.pan, setter)
                        .label(if mode == ModeParam::Balance {
                            "Balance"
                        } else {
                            "Pan"
                        })
                        .bipolar()
                        .diameter(68.0),
                );
            }
            ui.add_enabled_ui(mode == ModeParam::Stereo, |ui| {
                ui.add(
                    Knob::for_param(&params.width, setter)
                        .bipolar()
                        .diameter(60.0),
                );
            });
        });
    });
}

/// Pan law, taper and compensation.
fn law_section(ui: &mut Ui, params: &PannerParams, setter: &ParamSetter) {
    section(ui, "Pan law", |ui| {
        ui.set_width(ui.available_width());
        ui.add(
            Segmented::for_param(&params.law, setter)
                .labels(&["0 dB", "-3", "-4.5", "-6"])
                .segment_width(46.0),
        );
        ui.add(
            Segmented::for_param(&params.taper, setter)
                .labels(&["Sin/Cos", "Linear"])
                .segment_width(92.0),
        );
        ui.add(Toggle::for_param(&params.compensated, setter).width(184.0));
        ui.add_space(14.0);
    });
}

/// Bass mono switch and crossover.
fn bass_section(ui: &mut Ui, params: &PannerParams, setter: &ParamSetter) {
    section(ui, "Bass mono", |ui| {
        ui.set_width(112.0);
        ui.add(
            Toggle::for_param(&params.bass_mono, setter)
                .label("Mono lows")
                .width(104.0),
        );
        ui.add_enabled_ui(params.bass_mono.value(), |ui| {
            ui.add(
                Knob::for_param(&params.bass_mono_hz, setter)
                    .label("Below")
                    .diameter(46.0),
            );
        });
    });
}

/// Swap and polarity.
fn channel_section(ui: &mut Ui, params: &PannerParams, setter: &ParamSetter) {
    section(ui, "Channels", |ui| {
        ui.set_width(104.0);
        ui.add(
            Toggle::for_param(&params.swap, setter)
                .label("Swap L/R")
                .width(100.0),
        );
        ui.add(
            Toggle::for_param(&params.invert_left, setter)
                .label("Ø Left")
                .width(100.0),
        );
        ui.add(
            Toggle::for_param(&params.invert_right, setter)
                .label("Ø Right")
                .width(100.0),
        );
    });
}

/// Output gain and correlation.
fn output_section(ui: &mut Ui, params: &PannerParams, setter: &ParamSetter, meters: &PannerMeters) {
    section(ui, "Output", |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal_top(|ui| {
            ui.add(
                Knob::for_param(&params.output_gain_db, setter)
                    .label("Gain")
                    .bipolar()
                    .diameter(52.0),
            );
            ui.vertical(|ui| {
                ui.add_space(14.0);
                ui.label(
                    egui::RichText::new("CORRELATION")
                        .font(theme::label_font())
                        .color(theme::TEXT_DIM),
                );
                ui.add(
                    CorrelationMeter::new(&meters.correlation)
                        .width(ui.available_width().min(170.0)),
                );
            });
        });
    });
}
