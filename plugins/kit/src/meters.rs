//! Meters read the audio thread's atomics (see [`crate::meters_bridge`]). They keep their
//! GUI-side state (peak hold, clip latch, last drawn value) in egui's memory and ask for the
//! next frame (at 30 fps) only while what they show is changing, so an idle editor draws
//! nothing.

pub mod correlation_meter;
pub mod gr_meter;
pub mod level_meter;
pub mod lufs_readout;

pub use correlation_meter::CorrelationMeter;
pub use gr_meter::GainReductionMeter;
pub use level_meter::{LevelMeter, StereoLevelMeter};
pub use lufs_readout::LufsReadout;

use std::time::Duration;

/// Meter frame interval while values move.
pub const METER_FRAME: Duration = Duration::from_millis(33);

/// Ask for the next meter frame when `now_shown` differs from what was drawn last time under
/// `id`; remembers `now_shown`. Returns whether it changed.
pub fn repaint_if_changed(ui: &egui::Ui, id: egui::Id, now_shown: f32, tolerance: f32) -> bool {
    let last: Option<f32> = ui.data(|d| d.get_temp(id));
    let changed = last.is_none_or(|l| (l - now_shown).abs() > tolerance);
    if changed {
        ui.data_mut(|d| d.insert_temp(id, now_shown));
        if last.is_some() {
            ui.ctx().request_repaint_after(METER_FRAME);
        }
    }
    changed
}
