//! The gain stages of the Compressor's audio path (see the formulas in the parent
//! module header). Each is one pass over the chunk; the L/R loops auto-vectorise.

use super::Listen;
use crate::dynamics::detector::StereoMode;
use crate::one_pole::smooth;

/// What one chunk's output paths are computed from.
pub(super) struct Stage<'a> {
    /// Linear gain per detection channel (L/R, or M/S).
    pub gains: &'a [&'a [f32]],
    /// Makeup gain per sample.
    pub makeup: &'a [f32],
    /// Wet share per sample.
    pub mix: &'a [f32],
    /// The delayed filtered key per channel.
    pub keys: &'a [&'a [f32]],
}

impl Stage<'_> {
    /// Turns the delayed input in `bufs` into the output of `path` (listen, stereo mode).
    pub fn run(&self, path: (Listen, StereoMode), bufs: &mut [&mut [f32]]) {
        let ms = bufs.len() == 2 && path.1 == StereoMode::MidSide;
        match path.0 {
            Listen::Off => compress(bufs, self.gains, self.makeup, self.mix, ms),
            Listen::Delta => delta(bufs, self.gains, ms),
            Listen::Sidechain => {
                for (b, k) in bufs.iter_mut().zip(self.keys) {
                    b.copy_from_slice(k);
                }
            }
        }
    }
}

/// `out = x·((1 − mix) + mix·m·g)` per channel (L/R), or with the wet part
/// `decode(G·encode(x))` (M/S, `G = (g_mid, g_side)`).
fn compress(main: &mut [&mut [f32]], gains: &[&[f32]], makeup: &[f32], mix: &[f32], ms: bool) {
    if ms {
        let [l, r] = main else { return };
        let (gm, gs) = (gains[0], gains[1]);
        for i in 0..l.len().min(r.len()).min(mix.len()) {
            let (x, y) = (l[i], r[i]);
            let (m, s) = (0.5 * (x + y), 0.5 * (x - y));
            let (wm, ws) = (m * gm[i], s * gs[i]);
            let (dry, wet) = (1.0 - mix[i], mix[i] * makeup[i]);
            l[i] = x * dry + wet * (wm + ws);
            r[i] = y * dry + wet * (wm - ws);
        }
    } else {
        for (b, g) in main.iter_mut().zip(gains) {
            for (((x, &g), &mk), &mx) in b.iter_mut().zip(g.iter()).zip(makeup).zip(mix) {
                *x *= (1.0 - mx) + g * mk * mx;
            }
        }
    }
}

/// `out = x − x·g` (L/R) or `x − decode(G·encode(x))` (M/S).
fn delta(main: &mut [&mut [f32]], gains: &[&[f32]], ms: bool) {
    if ms {
        let [l, r] = main else { return };
        let (gm, gs) = (gains[0], gains[1]);
        for i in 0..l.len().min(r.len()).min(gm.len()) {
            let (x, y) = (l[i], r[i]);
            let (wm, ws) = (0.5 * (x + y) * gm[i], 0.5 * (x - y) * gs[i]);
            l[i] = x - (wm + ws);
            r[i] = y - (wm - ws);
        }
    } else {
        for (b, g) in main.iter_mut().zip(gains) {
            for (x, &g) in b.iter_mut().zip(g.iter()) {
                *x -= *x * g;
            }
        }
    }
}

/// Level match: divides by the running mean of the total gain, faded in by `amount`.
pub(super) fn level_match(
    main: &mut [&mut [f32]],
    gains: &[&[f32]],
    makeup: &[f32],
    mix: &[f32],
    amount: &[f32],
    avg: &mut f32,
    coef: f32,
) {
    let inv_chans = 1.0 / gains.len() as f32;
    for i in 0..amount.len() {
        let wet = mix[i] * makeup[i];
        let total = gains
            .iter()
            .map(|g| (1.0 - mix[i]) + wet * g[i])
            .sum::<f32>()
            * inv_chans;
        let mean = smooth(avg, total, coef).max(1e-6);
        let comp = 1.0 + amount[i] * (1.0 / mean - 1.0);
        for b in main.iter_mut() {
            b[i] *= comp;
        }
    }
    if !avg.is_finite() {
        *avg = 1.0;
    }
}
