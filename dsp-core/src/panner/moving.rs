//! The Panner's moving-parameter path: per-sample stepping of every ramp and crossfade
//! (pan/width anchor segments, output gain, discrete-change crossfades, bass-mono
//! frequency and on/off), used while anything moves (see the parent module's
//! "Smoothing" notes).

use super::matrix::{apply, compose, lerp, scale};
use super::Panner;

impl Panner {
    /// Per-sample path used while any ramp or crossfade runs. Pan/width: exact law
    /// matrix at anchors every [`PAN_ANCHOR_INTERVAL`] samples from the ramp start,
    /// linear in between (see [`Panner::start_segment`]); everything is stepped per
    /// sample, so block boundaries never change the result.
    pub(super) fn process_moving(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        let mut i = 0;
        while i < len {
            self.moving_sample(&mut left[i], &mut right[i]);
            i += 1;
            // Inside an anchor segment with no crossfade and no bass mono, the rest of
            // the segment is a straight line: same arithmetic, no per-sample checks.
            if self.fade_left == 0 && self.seg_len > 0 && !self.bass_mono_active() {
                let n = ((self.seg_len - self.seg_pos) as usize).min(len - i);
                if n == 0 {
                    continue;
                }
                let (from, to, inv, pos0) =
                    (self.seg_from, self.seg_to, self.seg_inv_len, self.seg_pos);
                let p = self.p_target;
                let mono = self.mono_input;
                let mut m = self.m_target;
                for (k, (l, r)) in left[i..i + n]
                    .iter_mut()
                    .zip(right[i..i + n].iter_mut())
                    .enumerate()
                {
                    let gain = self.gain.next();
                    m = lerp(&from, &to, (pos0 + k as u32) as f32 * inv);
                    let x_right = if mono { 0.0 } else { *r };
                    (*l, *r) = apply(&compose(gain, &m, &p), *l, x_right);
                }
                for s in [
                    &mut self.pan,
                    &mut self.left_pan,
                    &mut self.right_pan,
                    &mut self.width,
                ] {
                    s.skip(n);
                }
                self.seg_pos += n as u32;
                self.m_target = m;
                self.m_now = m;
                self.p_now = p;
                i += n;
            }
        }
    }

    /// One sample of the moving path, every case.
    #[inline(always)]
    fn moving_sample(&mut self, l: &mut f32, r: &mut f32) {
        {
            self.pan.next();
            self.left_pan.next();
            self.right_pan.next();
            self.width.next();
            let gain = self.gain.next();
            if self.anchor_due || (self.seg_len > 0 && self.seg_pos == self.seg_len) {
                self.start_segment();
            }
            if self.seg_len > 0 {
                let t = self.seg_pos as f32 * self.seg_inv_len;
                self.m_target = lerp(&self.seg_from, &self.seg_to, t);
                self.seg_pos += 1;
            }
            if self.fade_left > 0 {
                self.fade_left -= 1;
                if self.fade_left == 0 {
                    self.m_now = self.m_target;
                    self.p_now = self.p_target;
                } else {
                    let t = 1.0 - self.fade_left as f32 / self.fade_len as f32;
                    self.m_now = lerp(&self.fade_from_m, &self.m_target, t);
                    self.p_now = lerp(&self.fade_from_p, &self.p_target, t);
                }
            } else {
                self.m_now = self.m_target;
                self.p_now = self.p_target;
            }
            let x_right = if self.mono_input { 0.0 } else { *r };
            if self.bass_mono_active() {
                let (ul, ur) = apply(&self.p_now, *l, x_right);
                let (bl, br) = self.bass_mono_sample(ul, ur);
                (*l, *r) = apply(&scale(gain, &self.m_now), bl, br);
            } else {
                (*l, *r) = apply(&compose(gain, &self.m_now, &self.p_now), *l, x_right);
            }
        }
    }

    /// Bass mono on one sample (also steps the bass-mono ramps).
    #[inline(always)]
    pub(super) fn bass_mono_sample(&mut self, l: f32, r: f32) -> (f32, f32) {
        self.bass_mono.tick(l, r)
    }
}
