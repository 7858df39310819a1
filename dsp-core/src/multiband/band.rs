//! One band of the Multiband: the shared dynamics core ([`crate::dynamics`]) exactly as
//! the Compressor uses it (Detector → GainCurve → Ballistics → linear gain), plus the
//! band's lookahead delay, makeup, bypass, solo/mute weight and L/R–M/S gain path.

pub(super) use crate::dynamics::ballistics::smooth_lanes;
use crate::dynamics::ballistics::{Ballistics, BallisticsSettings};
use crate::dynamics::detector::{Detector, DetectorSettings, StereoMode};
use crate::dynamics::fast_math::db_to_amp;
use crate::dynamics::gain_computer::{CurveSide, GainCurve};
use crate::dynamics::lookahead::LookaheadDelay;
use crate::lanes::{fold_max_abs, fold_min};
use crate::smoother::{Smoother, SmoothingStyle};

use super::BandSettings;

/// Per-sample scratch the bands share (owned by the Multiband, `max_block` long).
pub(super) struct Scratch<'a> {
    /// Makeup (linear) per sample.
    pub makeup: &'a mut [f32],
    /// Bypass amount per sample.
    pub bypass: &'a mut [f32],
    /// Output weight (solo/mute) per sample.
    pub weight: &'a mut [f32],
    /// M/S amount per sample.
    pub ms: &'a mut [f32],
}

/// Dynamics and output path of one band.
#[derive(Clone, Debug)]
pub(super) struct Band {
    /// Band key to level in dB (peak/RMS, L/R–M/S, link).
    pub detector: Detector,
    /// Gain-change smoothing (attack/release).
    pub ballistics: Ballistics,
    /// Lookahead delay of the band audio.
    pub delay: LookaheadDelay,
    /// Effective threshold in dB (threshold minus the tilt offset; linear ramp).
    pub threshold: Smoother,
    /// `1/ratio` (linear ramp).
    pub inv_ratio: Smoother,
    /// Knee width in dB (linear ramp).
    pub knee: Smoother,
    /// Range in dB (linear ramp).
    pub range: Smoother,
    /// Makeup as linear gain (logarithmic ramp).
    pub makeup: Smoother,
    /// Bypass amount 0..1 (linear cross-fade).
    pub bypass: Smoother,
    /// Output weight from solo/mute, 0..1 (linear cross-fade).
    pub weight: Smoother,
    /// Gains act on M/S (1) or L/R (0) (linear cross-fade).
    pub ms: Smoother,
    /// Fully linked detection (both gains equal).
    pub linked: bool,
    /// Largest gain reduction of the last block (dB, ≥ 0).
    pub gr_db: f32,
    /// Peak of the band's input in the last block (linear).
    pub in_peak: f32,
}

impl Band {
    /// Unprepared band.
    pub fn new() -> Self {
        Self {
            detector: Detector::new(),
            ballistics: Ballistics::new(),
            delay: LookaheadDelay::new(),
            threshold: Smoother::new(SmoothingStyle::Linear),
            inv_ratio: Smoother::new(SmoothingStyle::Linear),
            knee: Smoother::new(SmoothingStyle::Linear),
            range: Smoother::new(SmoothingStyle::Linear),
            makeup: Smoother::new(SmoothingStyle::Logarithmic),
            bypass: Smoother::new(SmoothingStyle::Linear),
            weight: Smoother::new(SmoothingStyle::Linear),
            ms: Smoother::new(SmoothingStyle::Linear),
            linked: true,
            gr_db: 0.0,
            in_peak: 0.0,
        }
    }

    /// Every smoother.
    pub fn smoothers_mut(&mut self) -> [&mut Smoother; 8] {
        [
            &mut self.threshold,
            &mut self.inv_ratio,
            &mut self.knee,
            &mut self.range,
            &mut self.makeup,
            &mut self.bypass,
            &mut self.weight,
            &mut self.ms,
        ]
    }

    /// Allocates for `fs`, `max_block`, `channels` and the longest lookahead.
    pub fn prepare(
        &mut self,
        fs: f32,
        max_block: usize,
        channels: usize,
        max_la: usize,
        ramp_ms: f32,
    ) {
        self.detector.prepare(fs, max_block, channels);
        self.ballistics.prepare(fs, max_block, channels);
        self.delay.prepare(max_la, max_block);
        self.delay
            .set_glide_samples((ramp_ms * 1e-3 * fs).round() as usize);
        for s in self.smoothers_mut() {
            s.set_ramp_ms(fs, ramp_ms);
        }
    }

    /// Clears state (not the smoothers' targets).
    pub fn reset(&mut self) {
        self.detector.reset();
        self.ballistics.reset();
        self.delay.reset();
        self.gr_db = 0.0;
        self.in_peak = 0.0;
    }

    /// Sets targets; `threshold_db` already includes the tilt offset, `weight` is the
    /// solo/mute result.
    pub fn set(&mut self, s: &BandSettings, threshold_db: f32, weight: f32, la: usize) {
        self.detector.set(&DetectorSettings {
            mode: s.detection,
            rms_window_ms: s.rms_window_ms,
            stereo_mode: s.stereo_mode,
            link: s.link,
            ..DetectorSettings::default()
        });
        self.ballistics.set(&BallisticsSettings {
            attack_ms: s.attack_ms,
            release_ms: s.release_ms,
            ..BallisticsSettings::default()
        });
        self.linked = s.link == 1.0;
        self.delay.set_delay_samples(la);
        self.threshold.set_target(threshold_db);
        self.inv_ratio.set_target(1.0 / s.ratio);
        self.knee.set_target(s.knee_db);
        self.range.set_target(s.range_db);
        self.makeup.set_target(crate::db::db_to_gain(s.makeup_db));
        self.bypass.set_target(if s.bypass { 1.0 } else { 0.0 });
        self.weight.set_target(weight);
        self.ms.set_target(if s.stereo_mode == StereoMode::MidSide {
            1.0
        } else {
            0.0
        });
    }

    /// First half of a chunk: detects on `key` (or the band audio) and writes the static
    /// curve's gain changes (dB) to `gains[..active]`; returns `active` (1 when fully
    /// linked stereo, else the channel count). The caller then runs the ballistics
    /// (several bands side by side in [`smooth_lanes`] when [`Band::plain_poles`] allows,
    /// else [`Band::finish`] does) and calls [`Band::finish`].
    pub fn analyse(
        &mut self,
        audio: &[&mut [f32]],
        key: Option<&[&[f32]]>,
        gains: &mut [&mut [f32]; 2],
    ) -> usize {
        let chans = audio.len();
        let n = audio[0].len();
        for a in audio.iter() {
            self.in_peak = fold_max_abs(self.in_peak, a);
        }
        // 1. Levels (dB).
        {
            let [g0, g1] = gains;
            let mut levels: [&mut [f32]; 2] = [&mut g0[..n], &mut g1[..n]];
            let mains: [&[f32]; 2] = [&*audio[0], &*audio[chans - 1]];
            self.detector
                .process(&mains[..chans], key, &mut levels[..chans]);
        }
        // 2. Static curve (per sample while its parameters ramp).
        let linked = chans == 2 && self.linked;
        let active = if linked { 1 } else { chans };
        let moving = self.threshold.is_smoothing()
            || self.inv_ratio.is_smoothing()
            || self.knee.is_smoothing()
            || self.range.is_smoothing();
        if moving {
            for i in 0..n {
                let curve = GainCurve::from_slope(
                    self.threshold.next(),
                    self.inv_ratio.next() - 1.0,
                    self.knee.next(),
                    self.range.next(),
                    CurveSide::Above,
                );
                for g in gains[..active].iter_mut() {
                    g[i] = curve.gain_db(g[i]);
                }
            }
        } else {
            let curve = GainCurve::from_slope(
                self.threshold.target(),
                self.inv_ratio.target() - 1.0,
                self.knee.target(),
                self.range.target(),
                CurveSide::Above,
            );
            for g in gains[..active].iter_mut() {
                for v in g[..n].iter_mut() {
                    *v = curve.gain_db(*v);
                }
            }
        }
        active
    }

    /// The ballistics' attack and release poles when they run the plain branching
    /// smoother (see [`Ballistics::plain_poles`]).
    pub fn plain_poles(&self) -> Option<(f32, f32)> {
        self.ballistics.plain_poles()
    }

    /// Second half of a chunk: ballistics on `gains[..active]` unless `smoothed` (the
    /// caller ran them through [`smooth_lanes`] and stored the states back), meter,
    /// linear gain, lookahead delay, and `weight · band · gain` added to `wet`.
    pub fn finish(
        &mut self,
        audio: &mut [&mut [f32]],
        wet: &mut [&mut [f32]],
        gains: &mut [&mut [f32]; 2],
        smoothed: bool,
        sc: &mut Scratch<'_>,
    ) {
        let chans = audio.len();
        let n = audio[0].len();
        let linked = chans == 2 && self.linked;
        let active = if linked { 1 } else { chans };
        // 3. Ballistics, meter, linear gain.
        if !smoothed {
            for (c, g) in gains[..active].iter_mut().enumerate() {
                self.ballistics.process(c, &mut g[..n]);
            }
        }
        for g in gains[..active].iter() {
            // max(−v) = −min(v), exactly.
            self.gr_db = -fold_min(-self.gr_db, &g[..n]);
        }
        for g in gains[..active].iter_mut() {
            for v in g[..n].iter_mut() {
                *v = db_to_amp(*v);
            }
        }
        if linked {
            // Both channels use `gains[0]` below (no copy).
            self.ballistics.copy_state(0, 1);
        }
        // Gain buffer of each output channel.
        let gc = |c: usize| if linked { 0 } else { c };
        // 4. Lookahead on the band audio (run even at 0, so the line holds the recent
        // past when the lookahead grows).
        self.delay.process(audio);
        // 5. Output path.
        let simple = !self.makeup.is_smoothing()
            && !self.bypass.is_smoothing()
            && !self.weight.is_smoothing()
            && !self.ms.is_smoothing();
        let ms_target = self.ms.target();
        if simple && (chans == 1 || ms_target == 0.0) {
            // Settled L/R path: one multiply-add per sample and channel.
            let k = self.weight.target();
            if k == 0.0 {
                return;
            }
            let m = self.makeup.target();
            let b = self.bypass.target();
            for (c, (w, a)) in wet.iter_mut().zip(audio.iter()).enumerate() {
                let g = &gains[gc(c)][..n];
                for ((y, &x), &gv) in w[..n].iter_mut().zip(a.iter()).zip(g) {
                    let t = gv * m;
                    *y += k * x * (t + b * (1.0 - t));
                }
            }
            return;
        }
        self.makeup.next_block(&mut sc.makeup[..n]);
        self.bypass.next_block(&mut sc.bypass[..n]);
        self.weight.next_block(&mut sc.weight[..n]);
        self.ms.next_block(&mut sc.ms[..n]);
        let total = |g: f32, m: f32, b: f32| {
            let t = g * m;
            t + b * (1.0 - t)
        };
        if chans == 1 {
            for i in 0..n {
                let t = total(gains[0][i], sc.makeup[i], sc.bypass[i]);
                wet[0][i] += sc.weight[i] * audio[0][i] * t;
            }
            return;
        }
        for i in 0..n {
            let (l, r) = (audio[0][i], audio[1][i]);
            let (m, b) = (sc.makeup[i], sc.bypass[i]);
            let t0 = total(gains[0][i], m, b);
            let t1 = total(gains[gc(1)][i], m, b);
            let a = sc.ms[i];
            let (mut yl, mut yr) = (l * t0, r * t1);
            if a > 0.0 {
                let (mid, side) = (0.5 * (l + r) * t0, 0.5 * (l - r) * t1);
                let (ml, mr) = (mid + side, mid - side);
                yl += a * (ml - yl);
                yr += a * (mr - yr);
            }
            let k = sc.weight[i];
            wet[0][i] += k * yl;
            wet[1][i] += k * yr;
        }
    }
}
