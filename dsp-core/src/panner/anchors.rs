//! Anchor segments of the Panner's pan/width ramps: the exact law matrix at anchors,
//! a straight line in between (see the parent module's "Smoothing" notes).

use super::matrix::mode_matrix;
use super::{PanMode, Panner, EDGE_SEGMENT_FRACTION, PAN_ANCHOR_INTERVAL};
use crate::smoother::Smoother;

impl Panner {
    /// Targets of the placement smoothers (pan, left/right pan, width).
    pub(super) fn placement_targets(&self) -> [f32; 4] {
        [
            self.pan.target(),
            self.left_pan.target(),
            self.right_pan.target(),
            self.width.target(),
        ]
    }

    /// Starts the next anchor segment at the current placement values: exact matrix
    /// now (carried over from the previous segment's end when the ramp simply goes
    /// on), exact matrix at the next anchor from the smoothers' own values there.
    /// Anchors lie every [`PAN_ANCHOR_INTERVAL`] samples from the ramp start, at the
    /// ramp's end, where a position crosses centre (the 0 dB law and the Stereo-mode
    /// edges have a kink there that a straight line would cut), and closer together
    /// near the hard sides (see `segment_len`). The last segment ends exactly on the
    /// target.
    pub(super) fn start_segment(&mut self) {
        let continuing = !self.anchor_due && self.seg_len > 0;
        self.ramp_pos = if continuing {
            self.ramp_pos.wrapping_add(self.seg_len)
        } else {
            0
        };
        self.anchor_due = false;
        let steps = self
            .pan
            .steps_left()
            .max(self.left_pan.steps_left())
            .max(self.right_pan.steps_left())
            .max(self.width.steps_left());
        if steps == 0 {
            self.m_target = self.current_mode_matrix();
            self.seg_len = 0;
            return;
        }
        let now = if continuing {
            self.seg_to
        } else {
            self.current_mode_matrix()
        };
        let d = &self.discrete;
        let mut len = (PAN_ANCHOR_INTERVAL - self.ramp_pos % PAN_ANCHOR_INTERVAL).min(steps);
        let stereo = d.mode == PanMode::Stereo;
        len = segment_len(&self.pan, len, stereo);
        len = segment_len(&self.left_pan, len, false);
        len = segment_len(&self.right_pan, len, false);
        let end = mode_matrix(
            d,
            self.pan.peek(len),
            self.left_pan.peek(len),
            self.right_pan.peek(len),
            self.width.peek(len),
        );
        self.m_target = now;
        self.seg_from = now;
        self.seg_to = end;
        self.seg_len = len;
        self.seg_pos = 0;
        self.seg_inv_len = 1.0 / len as f32;
    }
}

/// Length of the next anchor segment for a position ramp `s` (at most `len`): it
/// ends on the first sample at or past centre if the ramp crosses centre, and it
/// spans at most [`EDGE_SEGMENT_FRACTION`] of the distance to the nearer hard side
/// (and, for Stereo-mode edge positions, to centre), where the laws `s^e` with `e < 1`
/// bend too sharply for a straight line (the gain there is small, but its dB error
/// would not be).
fn segment_len(s: &Smoother, len: u32, stereo: bool) -> u32 {
    if !s.is_smoothing() {
        return len;
    }
    let (a, b) = (s.current(), s.peek(len));
    let mut len = len;
    if (a < 0.0 && b > 0.0) || (a > 0.0 && b < 0.0) {
        len = ((len as f32 * a / (a - b)).ceil() as u32).clamp(1, len);
    }
    let per_step = (s.peek(1) - a).abs();
    let mut distance = 1.0 - a.abs();
    if stereo {
        distance = distance.min(a.abs());
    }
    if per_step > 0.0 {
        // Measured at the segment's end when it heads for the side.
        let edge_len =
            EDGE_SEGMENT_FRACTION * distance / ((1.0 + EDGE_SEGMENT_FRACTION) * per_step);
        if edge_len < len as f32 {
            len = (edge_len as u32).max(1);
        }
    }
    len
}
