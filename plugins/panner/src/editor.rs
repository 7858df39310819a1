//! Placeholder; replaced by the kit-based editor.
pub const WIDTH: u32 = 560;
pub const HEIGHT: u32 = 360;
