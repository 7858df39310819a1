//! The one Lacquer look: a dark palette, spacing, text sizes and the section frame every
//! editor groups its controls in. Editors call [`apply`] once per frame (it is cheap and
//! idempotent) and never pick colours of their own.

use egui::{Color32, CornerRadius, FontFamily, FontId, Margin, Stroke, TextStyle, Ui, Vec2};

/// Window background.
pub const BG: Color32 = Color32::from_rgb(0x17, 0x19, 0x1d);
/// Section (panel) background, one step lighter than the window.
pub const PANEL: Color32 = Color32::from_rgb(0x1f, 0x22, 0x28);
/// Header bar background.
pub const HEADER: Color32 = Color32::from_rgb(0x11, 0x13, 0x16);
/// Recessed wells: knob bodies, meter troughs, text fields.
pub const WELL: Color32 = Color32::from_rgb(0x0e, 0x10, 0x13);
/// Hairlines between areas.
pub const LINE: Color32 = Color32::from_rgb(0x33, 0x38, 0x40);
/// Primary text.
pub const TEXT: Color32 = Color32::from_rgb(0xe6, 0xe8, 0xeb);
/// Labels and secondary text.
pub const TEXT_DIM: Color32 = Color32::from_rgb(0x8d, 0x94, 0x9e);
/// The accent: value arcs, selected segments, active toggles.
pub const ACCENT: Color32 = Color32::from_rgb(0xf0, 0xa0, 0x3c);
/// A dimmer accent for hovered/secondary accented shapes.
pub const ACCENT_DIM: Color32 = Color32::from_rgb(0x8a, 0x5f, 0x2a);
/// Meter colour for normal levels.
pub const METER_OK: Color32 = Color32::from_rgb(0x4c, 0xc3, 0x8a);
/// Meter colour from -6 dBFS.
pub const METER_HOT: Color32 = Color32::from_rgb(0xe8, 0xc5, 0x47);
/// Meter colour above 0 dBFS and the clip lamp.
pub const METER_CLIP: Color32 = Color32::from_rgb(0xe5, 0x48, 0x4d);
/// Gain reduction.
pub const GR: Color32 = Color32::from_rgb(0x5a, 0xa9, 0xe6);
/// Spectrum / curve lines.
pub const TRACE: Color32 = Color32::from_rgb(0x7f, 0xb8, 0xe8);

/// Outer margin of the editor and gap between sections, in points.
pub const GAP: f32 = 8.0;
/// Height of the header bar.
pub const HEADER_HEIGHT: f32 = 34.0;
/// Default knob diameter.
pub const KNOB_DIAMETER: f32 = 52.0;
/// Smallest supported user scale (75 %).
pub const MIN_SCALE: f32 = 0.75;
/// Largest supported user scale (200 %).
pub const MAX_SCALE: f32 = 2.0;
/// The scale steps offered in the header menu.
pub const SCALE_STEPS: [f32; 6] = [0.75, 1.0, 1.25, 1.5, 1.75, 2.0];

/// Small caps-like label size.
pub fn label_font() -> FontId {
    FontId::new(11.0, FontFamily::Proportional)
}

/// The font family name of Inter SemiBold (section titles, the plugin name).
pub const SEMIBOLD_FAMILY: &str = "lacquer-semibold";

/// Inter (UI text), Inter SemiBold (titles) and JetBrains Mono (numeric readouts) from
/// `assets/fonts/`, embedded at build time, each followed by egui's built-in fonts so a glyph
/// they lack still renders.
pub fn font_definitions() -> egui::FontDefinitions {
    use egui::{FontData, FontDefinitions};
    use std::sync::Arc;
    let mut fonts = FontDefinitions::default();
    for (name, data) in [
        (
            "inter",
            &include_bytes!("../../../assets/fonts/Inter-Regular.otf")[..],
        ),
        (
            "inter-semibold",
            &include_bytes!("../../../assets/fonts/Inter-SemiBold.otf")[..],
        ),
        (
            "jetbrains-mono",
            &include_bytes!("../../../assets/fonts/JetBrainsMono-Regular.ttf")[..],
        ),
    ] {
        fonts
            .font_data
            .insert(name.to_owned(), Arc::new(FontData::from_static(data)));
    }
    let defaults_proportional = fonts
        .families
        .get(&FontFamily::Proportional)
        .cloned()
        .unwrap_or_default();
    let mut semibold = vec!["inter-semibold".to_owned()];
    semibold.extend(defaults_proportional.iter().cloned());
    fonts
        .families
        .insert(FontFamily::Name(SEMIBOLD_FAMILY.into()), semibold);
    fonts
        .families
        .entry(FontFamily::Proportional)
        .or_default()
        .insert(0, "inter".to_owned());
    fonts
        .families
        .entry(FontFamily::Monospace)
        .or_default()
        .insert(0, "jetbrains-mono".to_owned());
    fonts
}

/// Value readout font (monospace so numbers do not jitter).
pub fn value_font() -> FontId {
    FontId::new(12.0, FontFamily::Monospace)
}

/// Section title font (Inter SemiBold).
pub fn title_font() -> FontId {
    FontId::new(11.5, FontFamily::Name(SEMIBOLD_FAMILY.into()))
}

/// Install the Lacquer style on a context. Cheap when nothing changes, so editors may call
/// it every frame; egui's default fonts are the fallback for every glyph.
pub fn apply(ctx: &egui::Context) {
    // Only write when needed: `set_style` would otherwise request a repaint every frame.
    if ctx.theme() == egui::Theme::Dark && ctx.style_of(egui::Theme::Dark).visuals.panel_fill == BG
    {
        return;
    }
    ctx.set_fonts(font_definitions());
    let mut style = (*ctx.style_of(egui::Theme::Dark)).clone();
    let v = &mut style.visuals;
    *v = egui::Visuals::dark();
    v.panel_fill = BG;
    v.window_fill = PANEL;
    v.extreme_bg_color = WELL;
    v.faint_bg_color = PANEL;
    v.override_text_color = Some(TEXT);
    v.selection.bg_fill = ACCENT_DIM;
    v.selection.stroke = Stroke::new(1.0, ACCENT);
    v.hyperlink_color = ACCENT;
    v.window_stroke = Stroke::new(1.0, LINE);
    let radius = CornerRadius::same(3);
    for w in [
        &mut v.widgets.noninteractive,
        &mut v.widgets.inactive,
        &mut v.widgets.hovered,
        &mut v.widgets.active,
        &mut v.widgets.open,
    ] {
        w.corner_radius = radius;
    }
    v.widgets.noninteractive.bg_fill = PANEL;
    v.widgets.noninteractive.bg_stroke = Stroke::new(1.0, LINE);
    v.widgets.noninteractive.fg_stroke = Stroke::new(1.0, TEXT_DIM);
    v.widgets.inactive.bg_fill = Color32::from_rgb(0x2a, 0x2e, 0x35);
    v.widgets.inactive.weak_bg_fill = Color32::from_rgb(0x2a, 0x2e, 0x35);
    v.widgets.inactive.fg_stroke = Stroke::new(1.0, TEXT);
    v.widgets.hovered.bg_fill = Color32::from_rgb(0x35, 0x3a, 0x43);
    v.widgets.hovered.weak_bg_fill = Color32::from_rgb(0x35, 0x3a, 0x43);
    v.widgets.hovered.bg_stroke = Stroke::new(1.0, ACCENT_DIM);
    v.widgets.active.bg_fill = Color32::from_rgb(0x40, 0x46, 0x50);
    v.widgets.active.weak_bg_fill = Color32::from_rgb(0x40, 0x46, 0x50);
    v.widgets.active.bg_stroke = Stroke::new(1.0, ACCENT);

    style.spacing.item_spacing = Vec2::new(6.0, 6.0);
    style.spacing.button_padding = Vec2::new(8.0, 3.0);
    style.spacing.interact_size = Vec2::new(40.0, 20.0);
    style.text_styles = [
        (
            TextStyle::Small,
            FontId::new(10.0, FontFamily::Proportional),
        ),
        (TextStyle::Body, FontId::new(12.5, FontFamily::Proportional)),
        (
            TextStyle::Button,
            FontId::new(12.0, FontFamily::Proportional),
        ),
        (
            TextStyle::Heading,
            FontId::new(15.0, FontFamily::Proportional),
        ),
        (
            TextStyle::Monospace,
            FontId::new(12.0, FontFamily::Monospace),
        ),
    ]
    .into();
    // Ctrl/Cmd+wheel is a fine step on our controls, never a UI zoom; the scale setting
    // lives in the header.
    ctx.options_mut(|o| o.zoom_with_keyboard = false);
    ctx.set_theme(egui::Theme::Dark);
    ctx.set_style_of(egui::Theme::Dark, style);
}

/// A titled group of controls on a slightly lighter panel: every editor section uses it.
pub fn section<R>(ui: &mut Ui, title: &str, add_contents: impl FnOnce(&mut Ui) -> R) -> R {
    egui::Frame::new()
        .fill(PANEL)
        .stroke(Stroke::new(1.0, LINE))
        .corner_radius(CornerRadius::same(4))
        .inner_margin(Margin::same(8))
        .show(ui, |ui| {
            ui.vertical(|ui| {
                ui.label(
                    egui::RichText::new(title.to_uppercase())
                        .font(title_font())
                        .color(TEXT_DIM),
                );
                ui.add_space(2.0);
                add_contents(ui)
            })
            .inner
        })
        .inner
}

/// A readout cell: the recessed well every numeric readout sits in, with its caption in the
/// top-left corner (`inset` from the edge, `caption_size` points). The caller draws the value.
pub fn readout_well(
    painter: &egui::Painter,
    rect: egui::Rect,
    caption: &str,
    caption_size: f32,
    inset: Vec2,
) {
    painter.rect(
        rect,
        CornerRadius::same(3),
        WELL,
        Stroke::new(1.0, LINE),
        egui::StrokeKind::Inside,
    );
    painter.text(
        rect.left_top() + inset,
        egui::Align2::LEFT_TOP,
        caption,
        FontId::proportional(caption_size),
        TEXT_DIM,
    );
}

/// Level colour for a dBFS value: green, yellow from -6 dBFS, red above 0 dBFS.
pub fn level_color(db: f32) -> Color32 {
    if db > 0.0 {
        METER_CLIP
    } else if db > -6.0 {
        METER_HOT
    } else {
        METER_OK
    }
}
