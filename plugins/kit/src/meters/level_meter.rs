//! Peak/RMS level meter with peak hold and a latching clip lamp (click to clear).

use crate::meters::{repaint_if_changed, METER_FRAME};
use crate::meters_bridge::{LevelAtomics, StereoLevelAtomics};
use crate::theme;
use egui::{pos2, vec2, CornerRadius, Rect, Response, Sense, Stroke, Ui, Widget};

/// Top of the scale in dBFS.
pub const METER_MAX_DB: f32 = 6.0;
/// Bottom of the scale in dBFS.
pub const METER_MIN_DB: f32 = -60.0;
/// How long the peak hold line stays before falling.
pub const PEAK_HOLD_SECS: f64 = 1.5;
/// How fast the hold line falls after the hold time, dB per second.
pub const PEAK_FALL_DB_PER_SEC: f32 = 20.0;
/// Scale marks drawn beside the bars.
const TICKS: [f32; 6] = [0.0, -6.0, -12.0, -24.0, -36.0, -48.0];

/// GUI-side memory of one channel.
#[derive(Debug, Clone, Copy)]
struct ChannelMemory {
    /// Held peak in dBFS.
    hold_db: f32,
    /// When the hold was set (egui time, seconds).
    hold_time: f64,
    /// Latched until clicked.
    clipped: bool,
}

impl Default for ChannelMemory {
    fn default() -> Self {
        Self {
            hold_db: METER_MIN_DB,
            hold_time: 0.0,
            clipped: false,
        }
    }
}

/// Map dBFS to 0..1 along the meter.
pub fn db_to_fraction(db: f32) -> f32 {
    ((db - METER_MIN_DB) / (METER_MAX_DB - METER_MIN_DB)).clamp(0.0, 1.0)
}

/// Update hold and clip memory for one channel and draw its bar into `bar`.
fn channel(ui: &Ui, id: egui::Id, bar: Rect, levels: &LevelAtomics) -> bool {
    let (peak_db, rms_db) = levels.load();
    let now = ui.input(|i| i.time);
    let mut mem: ChannelMemory = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let mut animating = false;
    if peak_db >= mem.hold_db {
        mem.hold_db = peak_db;
        mem.hold_time = now;
    } else if now - mem.hold_time > PEAK_HOLD_SECS {
        let fallen = mem.hold_db - PEAK_FALL_DB_PER_SEC * METER_FRAME.as_secs_f32();
        mem.hold_db = fallen.max(peak_db).max(METER_MIN_DB);
        animating = mem.hold_db > METER_MIN_DB && mem.hold_db > peak_db;
    } else {
        // Holding: a frame is needed when the hold time runs out, but only if there is a
        // hold line to drop.
        animating = mem.hold_db > METER_MIN_DB;
    }
    if peak_db > 0.0 {
        mem.clipped = true;
    }
    let painter = ui.painter();
    painter.rect_filled(bar, CornerRadius::same(1), theme::WELL);
    let y = |db: f32| bar.bottom() - bar.height() * db_to_fraction(db);
    // RMS as the body, peak as a thinner brighter core.
    let rms_rect = Rect::from_min_max(pos2(bar.left(), y(rms_db)), bar.max);
    painter.rect_filled(
        rms_rect,
        0.0,
        theme::level_color(rms_db).gamma_multiply(0.55),
    );
    let peak_rect = Rect::from_min_max(
        pos2(bar.center().x - bar.width() * 0.25, y(peak_db)),
        pos2(bar.center().x + bar.width() * 0.25, bar.bottom()),
    );
    painter.rect_filled(peak_rect, 0.0, theme::level_color(peak_db));
    if mem.hold_db > METER_MIN_DB {
        let hy = y(mem.hold_db);
        painter.line_segment(
            [pos2(bar.left(), hy), pos2(bar.right(), hy)],
            Stroke::new(1.5, theme::level_color(mem.hold_db)),
        );
    }
    // Clip lamp above the bar.
    let lamp = Rect::from_min_size(pos2(bar.left(), bar.top() - 7.0), vec2(bar.width(), 5.0));
    let lamp_response = ui.interact(lamp.expand(2.0), id.with("clip"), Sense::click());
    if lamp_response.clicked() {
        mem.clipped = false;
    }
    painter.rect_filled(
        lamp,
        CornerRadius::same(1),
        if mem.clipped {
            theme::METER_CLIP
        } else {
            egui::Color32::from_rgb(0x3a, 0x1c, 0x1e)
        },
    );
    ui.data_mut(|d| d.insert_temp(id, mem));
    let changed = repaint_if_changed(ui, id.with("peak"), peak_db, 0.05)
        | repaint_if_changed(ui, id.with("rms"), rms_db, 0.05);
    if animating {
        ui.ctx().request_repaint_after(METER_FRAME);
    }
    changed
}

/// Draw the dB scale left of `area`.
fn scale(ui: &Ui, area: Rect) {
    for db in TICKS {
        let y = area.bottom() - area.height() * db_to_fraction(db);
        ui.painter().text(
            pos2(area.right(), y),
            egui::Align2::RIGHT_CENTER,
            format!("{}", db.abs() as i32),
            egui::FontId::monospace(9.0),
            theme::TEXT_DIM,
        );
    }
}

/// A mono level meter.
pub struct LevelMeter<'a> {
    /// The channel's atomics.
    levels: &'a LevelAtomics,
    /// Caption below the bar.
    label: &'a str,
    /// Bar height in points.
    height: f32,
}

impl<'a> LevelMeter<'a> {
    /// A meter over one channel's atomics.
    pub fn new(levels: &'a LevelAtomics, label: &'a str) -> Self {
        Self {
            levels,
            label,
            height: 140.0,
        }
    }

    /// Bar height.
    pub fn height(mut self, height: f32) -> Self {
        self.height = height;
        self
    }
}

impl Widget for LevelMeter<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let (rect, response) =
            ui.allocate_exact_size(vec2(34.0, self.height + 24.0), Sense::hover());
        let bar = Rect::from_min_size(
            pos2(rect.left() + 18.0, rect.top() + 8.0),
            vec2(12.0, self.height),
        );
        scale(
            ui,
            Rect::from_min_max(
                pos2(rect.left(), bar.top()),
                pos2(bar.left() - 3.0, bar.bottom()),
            ),
        );
        channel(
            ui,
            ui.make_persistent_id(("level", self.label)),
            bar,
            self.levels,
        );
        ui.painter().text(
            pos2(bar.center().x, bar.bottom() + 4.0),
            egui::Align2::CENTER_TOP,
            self.label,
            theme::label_font(),
            theme::TEXT_DIM,
        );
        response
    }
}

/// A stereo pair of bars with a shared scale and the peak readout.
pub struct StereoLevelMeter<'a> {
    /// Both channels' atomics.
    levels: &'a StereoLevelAtomics,
    /// Caption ("IN", "OUT").
    label: &'a str,
    /// Bar height in points.
    height: f32,
}

impl<'a> StereoLevelMeter<'a> {
    /// A stereo meter.
    pub fn new(levels: &'a StereoLevelAtomics, label: &'a str) -> Self {
        Self {
            levels,
            label,
            height: 140.0,
        }
    }

    /// Bar height.
    pub fn height(mut self, height: f32) -> Self {
        self.height = height;
        self
    }
}

impl Widget for StereoLevelMeter<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let (rect, response) =
            ui.allocate_exact_size(vec2(52.0, self.height + 40.0), Sense::hover());
        let top = rect.top() + 10.0;
        let left_bar = Rect::from_min_size(pos2(rect.left() + 20.0, top), vec2(11.0, self.height));
        let right_bar =
            Rect::from_min_size(pos2(left_bar.right() + 3.0, top), vec2(11.0, self.height));
        scale(
            ui,
            Rect::from_min_max(
                pos2(rect.left(), top),
                pos2(left_bar.left() - 3.0, left_bar.bottom()),
            ),
        );
        let id = ui.make_persistent_id(("stereo-level", self.label));
        channel(ui, id.with("l"), left_bar, &self.levels.left);
        channel(ui, id.with("r"), right_bar, &self.levels.right);
        let peak = self.levels.left.load().0.max(self.levels.right.load().0);
        let text = if peak <= METER_MIN_DB {
            "-inf".to_owned()
        } else {
            format!("{peak:.1}")
        };
        let painter = ui.painter();
        painter.text(
            pos2(right_bar.left() - 1.5, left_bar.bottom() + 4.0),
            egui::Align2::CENTER_TOP,
            text,
            egui::FontId::monospace(10.0),
            if peak > 0.0 {
                theme::METER_CLIP
            } else {
                theme::TEXT
            },
        );
        painter.text(
            pos2(right_bar.left() - 1.5, left_bar.bottom() + 17.0),
            egui::Align2::CENTER_TOP,
            self.label,
            theme::label_font(),
            theme::TEXT_DIM,
        );
        response
    }
}
