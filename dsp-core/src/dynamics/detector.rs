//! Level detection for the dynamics processors (the "level detection" stage of
//! D. Giannoulis, M. Massberg, J. D. Reiss, "Digital Dynamic Range Compressor Design —
//! A Tutorial and Analysis", JAES 60(6), 2012, §2–3): from the key signal to one level
//! in dB per detection channel and sample.
//!
//! Order: key selection → key filters → L/R or M/S → peak or RMS → dB → stereo link.
//!
//! * Key: the external key when one is given (a mono key feeds both channels, a stereo
//!   key on a mono processor is averaged), otherwise the main input (fallback). Samples
//!   are sanitised (non-finite → 0, magnitude ≤ 1e15) so hostile input cannot poison
//!   the state.
//! * Key filters: optional Butterworth high- and low-pass ([`crate::biquad`]), 12 dB/oct.
//!   The filtered key is kept for "sidechain listen" ([`Detector::key`]).
//! * M/S: `M = (L + R)/2`, `S = (L − R)/2` (a centred mono source reads the same in M as
//!   in L/R).
//! * Peak: the instantaneous level `20·log10|x|` (the ballistics that follow turn it into
//!   a peak detector, Giannoulis et al. Fig. 7(b)). RMS: `10·log10` of the mean of `x²`
//!   over a sliding rectangular window of `rms_window_ms` (exact moving sum, re-summed
//!   from scratch every window so rounding never accumulates). Levels are floored at
//!   −200 dB.
//! * Link `λ ∈ [0, 1]`: each channel's level becomes `max − (1 − λ)(max − own)` (dB), so
//!   λ = 1 gives both channels exactly the louder level (identical gains) and λ = 0 leaves
//!   them independent.

use crate::biquad::{Biquad, FilterParams};

use super::fast_math::power_to_db;
use super::MAX_DYNAMICS_CHANNELS;

/// Longest RMS window.
pub const MAX_RMS_WINDOW_MS: f32 = 100.0;
/// Shortest RMS window.
pub const MIN_RMS_WINDOW_MS: f32 = 1.0;
/// Key filter frequency range.
pub const MIN_KEY_FILTER_HZ: f32 = 10.0;
/// Upper key filter frequency.
pub const MAX_KEY_FILTER_HZ: f32 = 20_000.0;
/// Largest key magnitude accepted (+300 dBFS); larger values are clamped.
pub const MAX_KEY_MAGNITUDE: f32 = 1e15;

/// Level measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetectionMode {
    /// Instantaneous rectified level.
    Peak,
    /// Sliding-window RMS.
    Rms,
}

/// Which pair of signals is detected (and, in the processors, gain-controlled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StereoMode {
    /// Left and right.
    LeftRight,
    /// Mid and side.
    MidSide,
}

/// Detector settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectorSettings {
    /// Peak or RMS.
    pub mode: DetectionMode,
    /// RMS window length.
    pub rms_window_ms: f32,
    /// L/R or M/S detection.
    pub stereo_mode: StereoMode,
    /// Stereo link, 0 (independent) to 1 (fully linked).
    pub link: f32,
    /// Key high-pass on/off.
    pub key_hp: bool,
    /// Key high-pass cutoff.
    pub key_hp_hz: f32,
    /// Key low-pass on/off.
    pub key_lp: bool,
    /// Key low-pass cutoff.
    pub key_lp_hz: f32,
}

impl Default for DetectorSettings {
    fn default() -> Self {
        Self {
            mode: DetectionMode::Peak,
            rms_window_ms: 10.0,
            stereo_mode: StereoMode::LeftRight,
            link: 1.0,
            key_hp: false,
            key_hp_hz: 80.0,
            key_lp: false,
            key_lp_hz: 12_000.0,
        }
    }
}

/// Key to level-in-dB detector for one or two channels.
#[derive(Clone, Debug, Default)]
pub struct Detector {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Channels from `prepare` (1 or 2).
    channels: usize,
    /// Clamped settings in use.
    settings: DetectorSettings,
    /// RMS window in samples.
    window: usize,
    /// Key high-pass.
    hp: Biquad,
    /// Key low-pass.
    lp: Biquad,
    /// Filtered key per channel (`max_block` long), kept for sidechain listen.
    key: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// Samples of the last block in `key`.
    key_len: usize,
    /// History of `x²` per detection channel (power-of-two ring, ≥ the longest window).
    rings: [Vec<f32>; MAX_DYNAMICS_CHANNELS],
    /// Ring mask.
    mask: usize,
    /// Next ring write index.
    pos: usize,
    /// Moving sum of the last `window` squares per channel.
    sums: [f64; MAX_DYNAMICS_CHANNELS],
    /// Sum of the squares since the last restart (becomes `sums` after `window` samples).
    fresh: [f64; MAX_DYNAMICS_CHANNELS],
    /// Samples since the last restart.
    since_restart: usize,
}

impl Detector {
    /// An unprepared detector (call `prepare`).
    pub fn new() -> Self {
        Self {
            sample_rate: 48_000.0,
            channels: 2,
            ..Default::default()
        }
    }

    /// Allocates the key buffers (`max_block`) and RMS history for `sample_rate`.
    pub fn prepare(&mut self, sample_rate: f32, max_block: usize, channels: usize) {
        self.sample_rate = sample_rate;
        self.channels = channels.clamp(1, MAX_DYNAMICS_CHANNELS);
        self.key = [vec![0.0; max_block], vec![0.0; max_block]];
        let ring =
            ((MAX_RMS_WINDOW_MS * 1e-3 * sample_rate).ceil() as usize + 1).next_power_of_two();
        self.rings = [vec![0.0; ring], vec![0.0; ring]];
        self.mask = ring - 1;
        self.hp.prepare(sample_rate, max_block, 2);
        self.lp.prepare(sample_rate, max_block, 2);
        let s = self.settings;
        self.settings.rms_window_ms = f32::NAN; // force the window update
        self.set(&s);
        self.reset();
    }

    /// Clears filters, RMS history and sums.
    pub fn reset(&mut self) {
        self.hp.reset();
        self.lp.reset();
        self.rings.iter_mut().for_each(|r| r.fill(0.0));
        self.pos = 0;
        self.sums = [0.0; MAX_DYNAMICS_CHANNELS];
        self.fresh = [0.0; MAX_DYNAMICS_CHANNELS];
        self.since_restart = 0;
        self.key_len = 0;
    }

    /// Applies settings (clamped; filters redesigned only on change).
    pub fn set(&mut self, s: &DetectorSettings) {
        let pick =
            |v: f32, lo: f32, hi: f32, def: f32| if v.is_nan() { def } else { v.clamp(lo, hi) };
        let d = DetectorSettings::default();
        let s = DetectorSettings {
            rms_window_ms: pick(
                s.rms_window_ms,
                MIN_RMS_WINDOW_MS,
                MAX_RMS_WINDOW_MS,
                d.rms_window_ms,
            ),
            link: pick(s.link, 0.0, 1.0, d.link),
            key_hp_hz: pick(
                s.key_hp_hz,
                MIN_KEY_FILTER_HZ,
                MAX_KEY_FILTER_HZ,
                d.key_hp_hz,
            ),
            key_lp_hz: pick(
                s.key_lp_hz,
                MIN_KEY_FILTER_HZ,
                MAX_KEY_FILTER_HZ,
                d.key_lp_hz,
            ),
            ..*s
        };
        if s.key_hp && !self.settings.key_hp {
            self.hp.reset();
        }
        if s.key_lp && !self.settings.key_lp {
            self.lp.reset();
        }
        self.hp
            .set_params(&FilterParams::butterworth(true, s.key_hp_hz));
        self.lp
            .set_params(&FilterParams::butterworth(false, s.key_lp_hz));
        if s.rms_window_ms != self.settings.rms_window_ms && !self.rings[0].is_empty() {
            let w = (s.rms_window_ms * 1e-3 * self.sample_rate).round() as usize;
            self.window = w.clamp(1, self.mask);
            // Re-sum the new window from the history (the ring always holds the last
            // `mask + 1` squares), so a window change is exact at once.
            for (sum, ring) in self.sums.iter_mut().zip(&self.rings) {
                *sum = (1..=self.window)
                    .map(|k| f64::from(ring[self.pos.wrapping_sub(k) & self.mask]))
                    .sum();
            }
            self.fresh = [0.0; MAX_DYNAMICS_CHANNELS];
            self.since_restart = 0;
        }
        self.settings = s;
    }

    /// Settings in use (clamped).
    pub fn settings(&self) -> &DetectorSettings {
        &self.settings
    }

    /// RMS window in samples.
    pub fn rms_window_samples(&self) -> usize {
        self.window
    }

    /// The filtered key of the last block for `channel` (sidechain listen).
    pub fn key(&self, channel: usize) -> &[f32] {
        let c = channel.min(self.channels - 1);
        &self.key[c][..self.key_len]
    }

    /// Detects one block: `main` is the fallback key, `key` the external key (`None`
    /// or empty: fall back). Writes levels in dB to `levels[c][..n]` for the prepared
    /// channels, `n = min(levels[0].len(), max_block)`.
    pub fn process(&mut self, main: &[&[f32]], key: Option<&[&[f32]]>, levels: &mut [&mut [f32]]) {
        let Some((chans, n)) = self.powers(main, key, levels) else {
            return;
        };
        if chans == 2 && self.settings.link == 1.0 {
            // Fully linked: both levels are the louder one; take the max of the powers
            // and one logarithm (`max` commutes with the monotonic dB conversion).
            let [l0, l1, ..] = levels else { return };
            for (a, b) in l0[..n].iter_mut().zip(l1[..n].iter_mut()) {
                *a = power_to_db(a.max(*b));
            }
            l1[..n].copy_from_slice(&l0[..n]);
            return;
        }
        for lv in levels[..chans].iter_mut() {
            for y in lv[..n].iter_mut() {
                *y = power_to_db(*y);
            }
        }
        if chans == 2 {
            let keep = 1.0 - self.settings.link;
            let [l0, l1, ..] = levels else { return };
            for (a, b) in l0[..n].iter_mut().zip(l1[..n].iter_mut()) {
                let m = a.max(*b);
                (*a, *b) = (m - keep * (m - *a), m - keep * (m - *b));
            }
        }
    }

    /// [`Detector::process`] fully linked and without the dB conversion: writes the
    /// louder detection channel's power (squared key, or its moving mean in RMS mode) to
    /// `levels[0][..n]` and returns `n`; `levels[1]`, if given, is scratch. For a trigger
    /// that compares against a threshold power: no logarithm per sample.
    pub fn process_power(
        &mut self,
        main: &[&[f32]],
        key: Option<&[&[f32]]>,
        levels: &mut [&mut [f32]],
    ) -> usize {
        let Some((chans, n)) = self.powers(main, key, levels) else {
            return 0;
        };
        if chans == 2 {
            let [l0, l1, ..] = levels else { return 0 };
            for (a, &b) in l0[..n].iter_mut().zip(l1[..n].iter()) {
                *a = a.max(b);
            }
        }
        n
    }

    /// The shared first half of [`Detector::process`]: loads and filters the key and
    /// writes the squares (RMS: their moving mean) of the detection channels to
    /// `levels`; returns `(channels, n)`, or `None` when there is nothing to do.
    fn powers(
        &mut self,
        main: &[&[f32]],
        key: Option<&[&[f32]]>,
        levels: &mut [&mut [f32]],
    ) -> Option<(usize, usize)> {
        let chans = self.channels.min(levels.len());
        if chans == 0 || self.key[0].is_empty() {
            return None;
        }
        let n = levels[..chans]
            .iter()
            .map(|l| l.len())
            .min()
            .unwrap_or(0)
            .min(self.key[0].len());
        let source = match key {
            Some(k) if !k.is_empty() => k,
            _ => main,
        };
        self.load_key(source, n);
        let [k0, k1] = &mut self.key;
        let (k0, k1) = (&mut k0[..n], &mut k1[..n]);
        if chans == 2 {
            match (self.settings.key_hp, self.settings.key_lp) {
                (true, true) => Biquad::process_stereo_series(&mut self.hp, &mut self.lp, k0, k1),
                (true, false) => self.hp.process_stereo(k0, k1),
                (false, true) => self.lp.process_stereo(k0, k1),
                (false, false) => {}
            }
        } else {
            if self.settings.key_hp {
                self.hp.process_channel(0, k0);
            }
            if self.settings.key_lp {
                self.lp.process_channel(0, k0);
            }
        }
        // Squares of the detection channels into the level buffers.
        let ms = chans == 2 && self.settings.stereo_mode == StereoMode::MidSide;
        if ms {
            let [l0, l1, ..] = levels else { return None };
            for (((a, b), &l), &r) in l0[..n]
                .iter_mut()
                .zip(l1[..n].iter_mut())
                .zip(k0.iter())
                .zip(k1.iter())
            {
                let (m, s) = (0.5 * (l + r), 0.5 * (l - r));
                (*a, *b) = (m * m, s * s);
            }
        } else {
            for (lv, k) in levels[..chans].iter_mut().zip([&*k0, &*k1]) {
                for (y, &x) in lv[..n].iter_mut().zip(k.iter()) {
                    *y = x * x;
                }
            }
        }
        if self.settings.mode == DetectionMode::Rms {
            self.moving_mean(&mut levels[..chans], n);
        }
        Some((chans, n))
    }

    /// Copies (and sanitises) the chosen key into `self.key`.
    fn load_key(&mut self, source: &[&[f32]], n: usize) {
        let clean = |x: f32| {
            if x.is_finite() {
                x.clamp(-MAX_KEY_MAGNITUDE, MAX_KEY_MAGNITUDE)
            } else {
                0.0
            }
        };
        let get = |c: usize, i: usize| source.get(c).and_then(|s| s.get(i)).copied().unwrap_or(0.0);
        let src_chans = source.len();
        for c in 0..self.channels {
            let dst = &mut self.key[c][..n];
            if self.channels == 1 && src_chans >= 2 {
                for (i, y) in dst.iter_mut().enumerate() {
                    *y = 0.5 * (clean(get(0, i)) + clean(get(1, i)));
                }
            } else {
                let s = c.min(src_chans.saturating_sub(1));
                match source.get(s) {
                    Some(src) if src.len() >= n => {
                        for (y, &x) in dst.iter_mut().zip(src.iter()) {
                            *y = clean(x);
                        }
                    }
                    _ => {
                        for (i, y) in dst.iter_mut().enumerate() {
                            *y = clean(get(s, i));
                        }
                    }
                }
            }
        }
        self.key_len = n;
    }

    /// Replaces squares by their moving mean over `window` samples (both channels in
    /// one loop, so their two recursions overlap). The block is cut into runs that
    /// neither wrap the ring (at the read or the write position), nor read what they
    /// write, nor cross a restart, so the inner loops carry no masks and no branch. The
    /// arithmetic per sample is that of a per-sample loop (moving sum `+= p − old`, fresh
    /// sum `+= p`; at the restart the fresh sum replaces the moving one), so the output
    /// does not depend on where runs or blocks end.
    fn moving_mean(&mut self, levels: &mut [&mut [f32]], n: usize) {
        let (mask, w) = (self.mask, self.window);
        let len = mask + 1;
        let inv = 1.0 / w as f64;
        let (mut pos, mut since) = (self.pos, self.since_restart);
        let [r0, r1] = &mut self.rings;
        let (mut sum, mut fresh) = (self.sums, self.fresh);
        let mean = |s: f64| (s.max(0.0) * inv) as f32;
        let mut i = 0;
        while i < n {
            let (new, old) = (pos & mask, pos.wrapping_sub(w) & mask);
            // `new − old ≡ w (mod len)`: when the read range lies after the write range
            // it starts `len − w` further on.
            let apart = if old > new { old - new } else { len };
            let run = (n - i)
                .min(w - since)
                .min(len - new)
                .min(len - old)
                .min(apart);
            match &mut *levels {
                [l0, l1] => {
                    let (y0, y1) = (&mut l0[i..i + run], &mut l1[i..i + run]);
                    let (o0, n0) = ring_runs(r0, old, new, run);
                    let (o1, n1) = ring_runs(r1, old, new, run);
                    let (mut s, mut f) = (sum, fresh);
                    let rings = o0.iter().zip(o1).zip(n0.iter_mut().zip(n1.iter_mut()));
                    for ((a, b), ((&p0, &p1), (w0, w1))) in y0.iter_mut().zip(y1).zip(rings) {
                        let (x0, x1) = (f64::from(*a), f64::from(*b));
                        s[0] += x0 - f64::from(p0);
                        s[1] += x1 - f64::from(p1);
                        (*w0, *w1) = (*a, *b);
                        f[0] += x0;
                        f[1] += x1;
                        (*a, *b) = (mean(s[0]), mean(s[1]));
                    }
                    (sum, fresh) = (s, f);
                }
                [l0, ..] => {
                    let y0 = &mut l0[i..i + run];
                    let (o0, n0) = ring_runs(r0, old, new, run);
                    let (mut s, mut f) = (sum[0], fresh[0]);
                    for ((a, &p0), w0) in y0.iter_mut().zip(o0).zip(n0.iter_mut()) {
                        let x0 = f64::from(*a);
                        s += x0 - f64::from(p0);
                        *w0 = *a;
                        f += x0;
                        *a = mean(s);
                    }
                    (sum[0], fresh[0]) = (s, f);
                }
                [] => return,
            }
            since += run;
            if since == w {
                // The fresh sums now cover exactly the window: restart from them; the
                // run's last output is their mean.
                sum = fresh;
                fresh = [0.0; MAX_DYNAMICS_CHANNELS];
                since = 0;
                for (c, l) in levels.iter_mut().enumerate() {
                    l[i + run - 1] = mean(sum[c]);
                }
            }
            pos = pos.wrapping_add(run);
            i += run;
        }
        (self.sums, self.fresh) = (sum, fresh);
        self.pos = pos;
        self.since_restart = since;
    }
}

/// The ring's read run `old..old + run` and write run `new..new + run` (disjoint).
fn ring_runs(ring: &mut [f32], old: usize, new: usize, run: usize) -> (&[f32], &mut [f32]) {
    if old < new {
        let (a, b) = ring.split_at_mut(new);
        (&a[old..old + run], &mut b[..run])
    } else {
        let (a, b) = ring.split_at_mut(old);
        (&b[..run], &mut a[new..new + run])
    }
}

#[cfg(test)]
mod tests;
