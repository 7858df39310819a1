//! The editor shell every Lacquer plugin shares: a [`KitApp`] holds the parameters, the meters
//! and the GUI-only state, applies the theme when the window opens, keeps the persisted size,
//! scale and open flag in the plugin's [`EditorState`], and calls the plugin's plain `draw`
//! function each frame with a `ParamSetter`. A plugin only says what is different about it
//! ([`EditorSpec`]); [`create_editor`] builds the nice-plug-egui editor.

use crate::editor_state::EditorState;
use crate::theme;
use egui::Ui;
use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::{ParamSetter, ResizeHint};
use nice_plug_egui::{
    create_egui_editor, EguiEditor, EguiNiceSettings, NiceEguiApp, RepaintNotifier,
};
use std::sync::Arc;

/// What one plugin's editor adds to the shared shell.
pub trait EditorSpec: Send + 'static {
    /// The plugin's parameters (holding its [`EditorState`]).
    type Params: Send + Sync + 'static;
    /// Meter values the audio thread publishes.
    type Meters: Send + Sync + 'static;
    /// GUI-only state kept between frames (header, views, text fields).
    type State: Send + 'static;

    /// The persisted editor size, scale and open flag inside the parameters.
    fn editor_state(params: &Self::Params) -> &EditorState;

    /// Draw one frame: the plugin's plain `draw` function, which headless tests and the frame
    /// bench call without a window.
    fn draw(
        ui: &mut Ui,
        params: &Self::Params,
        setter: &ParamSetter,
        meters: &Self::Meters,
        state: &mut Self::State,
    );

    /// Called when the window opens, before the first frame (e.g. to drop stale queued points).
    fn on_open(_meters: &Self::Meters, _state: &mut Self::State) {}
}

/// The nice-plug-egui app of every Lacquer editor.
pub struct KitApp<E: EditorSpec> {
    /// Shared with the plugin and the host.
    params: Arc<E::Params>,
    /// Meter values from the audio thread.
    meters: Arc<E::Meters>,
    /// Set in `build()`; edits go through it.
    gui_context: Option<GuiContext>,
    /// GUI-only state.
    state: E::State,
}

impl<E: EditorSpec> NiceEguiApp for KitApp<E> {
    fn build(
        &mut self,
        egui_ctx: egui::Context,
        nice_gui_ctx: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        theme::apply(&egui_ctx);
        self.gui_context = Some(nice_gui_ctx);
        E::on_open(&self.meters, &mut self.state);
        E::editor_state(&self.params).set_open(true);
        Ok(())
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut nice_plug_egui::Frame) {
        if let Some(gui_context) = &self.gui_context {
            let setter = gui_context.param_setter();
            E::draw(ui, &self.params, &setter, &self.meters, &mut self.state);
        }
    }

    fn resized(&mut self, new_size: nice_plug_egui::baseview::WindowSize) {
        E::editor_state(&self.params).set_size(
            new_size.logical.width.round() as u32,
            new_size.logical.height.round() as u32,
        );
    }

    fn zoom_factor_changed(&mut self, zoom_factor: f32) {
        E::editor_state(&self.params).set_scale(zoom_factor);
    }

    fn editor_closed(&mut self) {
        E::editor_state(&self.params).set_open(false);
        self.gui_context = None;
    }
}

/// Build a plugin's editor (called from `Plugin::editor`): a resizable window titled `title`,
/// no smaller than the editor state's default size, woken by `notifier` when meters move.
pub fn create_editor<E: EditorSpec>(
    title: &str,
    params: Arc<E::Params>,
    meters: Arc<E::Meters>,
    state: E::State,
    notifier: RepaintNotifier,
) -> Option<EguiEditor<KitApp<E>>> {
    let editor_state = E::editor_state(&params);
    let (min_w, min_h) = editor_state.default_size();
    let settings = EguiNiceSettings::new().with_tile(title).with_resize_hint(
        ResizeHint::resizable().with_min_logical_size(nice_plug::editor::dpi::LogicalSize::new(
            min_w as f32,
            min_h as f32,
        )),
    );
    let egui_state = editor_state.egui_state();
    create_egui_editor(
        egui_state,
        notifier,
        settings,
        KitApp::<E> {
            params,
            meters,
            gui_context: None,
            state,
        },
    )
}
