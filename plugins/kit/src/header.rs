//! The header bar every editor starts with: product mark and plugin name, the preset menu
//! (factory + user, save), A/B compare with copy, the scale menu, help, and bypass.

use crate::ab::AbState;
use crate::editor_state::EditorState;
use crate::presets::{PresetLibrary, PresetSource};
use crate::theme;
use crate::widgets::Toggle;
use egui::{vec2, Color32, RichText, Stroke, Ui};
use nice_plug::prelude::{BoolParam, ParamSetter, Params};

/// GUI-side header state kept by the editor app between frames.
#[derive(Debug)]
pub struct HeaderState {
    /// The plugin's presets.
    pub presets: PresetLibrary,
    /// Text of the "save as" field.
    pub save_name: String,
    /// Status line (last save/load result), shown in the preset menu.
    pub status: Option<String>,
}

impl HeaderState {
    /// Header state around a preset library.
    pub fn new(presets: PresetLibrary) -> Self {
        Self {
            presets,
            save_name: String::new(),
            status: None,
        }
    }
}

/// The header bar. Build it each frame and call [`Header::show`].
pub struct Header<'a> {
    /// Plugin name without the "Lacquer" prefix ("Panner").
    pub title: &'a str,
    /// All parameters, for presets and A/B.
    pub params: &'a dyn Params,
    /// Host gestures.
    pub setter: &'a ParamSetter<'a>,
    /// A/B slots (persisted in the plugin state).
    pub ab: &'a AbState,
    /// Size/scale (persisted in the plugin state).
    pub editor: &'a EditorState,
    /// The host bypass parameter.
    pub bypass: &'a BoolParam,
    /// Short help text for the "?" button.
    pub help: &'a str,
}

impl Header<'_> {
    /// Draw the bar across the full width of `ui`.
    pub fn show(self, ui: &mut Ui, state: &mut HeaderState) {
        let width = ui.available_width();
        let (rect, _) =
            ui.allocate_exact_size(vec2(width, theme::HEADER_HEIGHT), egui::Sense::hover());
        ui.painter().rect_filled(rect, 0.0, theme::HEADER);
        ui.painter().line_segment(
            [rect.left_bottom(), rect.right_bottom()],
            Stroke::new(1.0, theme::LINE),
        );
        let mut bar = ui.new_child(
            egui::UiBuilder::new()
                .max_rect(rect.shrink2(vec2(theme::GAP + 2.0, 6.0)))
                .layout(egui::Layout::left_to_right(egui::Align::Center)),
        );
        let ui = &mut bar;
        ui.label(
            RichText::new("LACQUER")
                .size(11.0)
                .color(theme::ACCENT)
                .strong(),
        );
        ui.label(
            RichText::new(self.title)
                .size(15.0)
                .color(theme::TEXT)
                .strong(),
        );
        ui.add_space(12.0);

        // Presets.
        let current = state
            .presets
            .current
            .clone()
            .unwrap_or_else(|| "Default".to_owned());
        ui.menu_button(
            RichText::new(format!("Preset: {current}")).size(12.0),
            |ui| {
                ui.set_min_width(220.0);
                let mut load = None;
                let mut last_source_factory = true;
                for (i, (source, preset)) in state.presets.presets.iter().enumerate() {
                    let factory = *source == PresetSource::Factory;
                    if i == 0 {
                        ui.label(RichText::new("FACTORY").size(10.0).color(theme::TEXT_DIM));
                    } else if last_source_factory && !factory {
                        ui.separator();
                        ui.label(RichText::new("USER").size(10.0).color(theme::TEXT_DIM));
                    }
                    last_source_factory = factory;
                    let mut button = ui.button(&preset.name);
                    if !preset.description.is_empty() {
                        button = button.on_hover_text(&preset.description);
                    }
                    if button.clicked() {
                        load = Some(i);
                        ui.close();
                    }
                }
                if let Some(i) = load {
                    match state.presets.load(i, self.params, self.setter, self.ab) {
                        Ok(report) => {
                            state.status = Some(if report.locked.is_empty() {
                                "Loaded (A/B to undo)".to_owned()
                            } else {
                                format!("Loaded, kept locked: {}", report.locked.join(", "))
                            });
                        }
                        Err(e) => state.status = Some(e.to_string()),
                    }
                }
                ui.separator();
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut state.save_name)
                            .hint_text("preset name")
                            .desired_width(130.0),
                    );
                    if ui
                        .add_enabled(
                            !state.save_name.trim().is_empty(),
                            egui::Button::new("Save"),
                        )
                        .clicked()
                    {
                        match state.presets.save_user(&state.save_name, self.params) {
                            Ok(path) => state.status = Some(format!("Saved {}", path.display())),
                            Err(e) => state.status = Some(e.to_string()),
                        }
                        state.save_name.clear();
                    }
                });
                if ui.button("Rescan user folder").clicked() {
                    state.presets.rescan_user();
                }
                if let Some(dir) = &state.presets.user_dir {
                    ui.label(
                        RichText::new(dir.display().to_string())
                            .size(10.0)
                            .color(theme::TEXT_DIM),
                    );
                }
                if let Some(status) = &state.status {
                    ui.label(RichText::new(status).size(10.0).color(theme::ACCENT));
                }
            },
        );
        ui.add_space(8.0);

        // A/B.
        let active = self.ab.active();
        for slot in [crate::ab::AbSlot::A, crate::ab::AbSlot::B] {
            let selected = slot == active;
            let button =
                egui::Button::new(RichText::new(slot.name()).size(12.0).color(if selected {
                    theme::TEXT
                } else {
                    theme::TEXT_DIM
                }))
                .fill(if selected {
                    theme::ACCENT_DIM
                } else {
                    Color32::from_rgb(0x26, 0x2a, 0x30)
                })
                .min_size(vec2(24.0, 20.0));
            let response = ui
                .add(button)
                .on_hover_text("A/B compare: the other slot keeps its own settings");
            if response.clicked() && !selected {
                self.ab
                    .switch(self.params, self.setter, &state.presets.locked);
            }
        }
        let copy_label = format!("Copy to {}", active.other().name());
        if ui
            .button(RichText::new(copy_label).size(11.0))
            .on_hover_text("Copy the live settings into the other slot")
            .clicked()
        {
            self.ab.copy_to_other(self.params);
        }

        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.add(Toggle::for_param(self.bypass, self.setter).label("Bypass"));
            ui.menu_button(RichText::new("?").size(12.0), |ui| {
                ui.set_max_width(280.0);
                ui.label(self.help);
                ui.separator();
                ui.label(
                    RichText::new(
                        "Drag a control (Shift/Ctrl: fine), wheel to step, double-click to \
                         reset, click a value to type it (\"-3.5 dB\", \"2k\", \"32L\").",
                    )
                    .size(11.0)
                    .color(theme::TEXT_DIM),
                );
            });
            let scale = self.editor.scale();
            ui.menu_button(
                RichText::new(format!("{:.0}%", scale * 100.0)).size(11.0),
                |ui| {
                    for step in theme::SCALE_STEPS {
                        if ui
                            .selectable_label(
                                (step - scale).abs() < 1e-3,
                                format!("{:.0}%", step * 100.0),
                            )
                            .clicked()
                        {
                            self.editor.set_scale(step);
                            ui.ctx().set_zoom_factor(step);
                            ui.close();
                        }
                    }
                },
            )
            .response
            .on_hover_text("Editor scale");
        });
    }
}
