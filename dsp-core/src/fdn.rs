//! Feedback delay network (FDN) with frequency-dependent decay: the late-reverb engine of
//! the Reverb Send, its own module so other processors can reuse it.
//!
//! Design, after J.-M. Jot and A. Chaigne, "Digital Delay Networks for Designing
//! Artificial Reverberators", 90th AES Convention, preprint 3030 (1991):
//!
//! ```text
//!            ┌──────────────────────────────────────────────┐
//!  inject_i ─┴→(+)→ z^-(D_i + m_i(t)) → g_i · LS_i · HS_i ──┬─→ out_i
//!               ↑                                            │
//!               └──────────────── H (Hadamard, 1/√N) ←───────┘
//! ```
//!
//! * [`FDN_LINES`] = 8 delay lines, feedback matrix the normalised Sylvester–Hadamard
//!   matrix `H₈/√8` (orthogonal, so the lossless loop is energy preserving: Jot & Chaigne
//!   §3; Schlecht & Habets, "On Lossless Feedback Delay Networks", IEEE TSP 65(6), 2017),
//!   applied as a fast Walsh–Hadamard transform (24 additions).
//! * Decay (Jot & Chaigne's "absorbent filters"): every line attenuates by
//!   `−60·D_i/(fs·T60(f))` dB per pass, so every mode of the network decays at the same
//!   rate and the reverberation time is `T60(f)` whatever the delays (hence size does not
//!   change RT60). `T60(f)` is three-band: the mid value, times `low_mult` below
//!   `low_hz` and `high_mult` above `high_hz`, realised as a broadband gain and a
//!   second-order low and high shelf (RBJ shelf prototypes, `Q = 1/√2`, bilinear,
//!   in Simper's trapezoidal SVF form: A. Simper, "Linear Trapezoidal Integrated SVF",
//!   Cytomic 2013, shelf mixes), whose plateaus are the two band attenuations.
//! * Modulation: each read position moves by `depth·sin(2π·r_i·t + φ_i)` (rates spread
//!   ±27 % around the set rate, phases spread over the circle; the sine is computed every
//!   [`LFO_STEP`] ticks by a rotating phasor and interpolated linearly in between, which
//!   departs from the sine by at most `depth·(2π·r·LFO_STEP/fs)²/8`, under 10⁻⁴ samples
//!   at 5 Hz and 1 ms depth at 48 kHz), read through a first-order
//!   Thiran all-pass interpolator (J.-P. Thiran 1971; Laakso et al. 1996 §3.3), whose
//!   magnitude is exactly 1, so interpolation never adds damping that would shorten the
//!   high-band RT60 (the reason J. Dattorro, "Effect Design Part 1", JAES 45(9), 1997,
//!   gives for all-pass interpolation in a reverb tank).
//! * Freeze amount `f ∈ [0, 1]` scales every band attenuation by `1 − f`; at 1 the loop is
//!   lossless (filters bypassed, gains exactly 1).
//!
//! Safety: [`Fdn::sanitize`] (call once per block or grid step) clears the network if a
//! state went non-finite or beyond [`MAX_STATE`]; callers clamp the injection.

use crate::svf::MAX_STATE;
use std::f64::consts::PI;

/// Number of delay lines.
pub const FDN_LINES: usize = 8;
/// Shortest line delay (samples): the interpolators need one sample on either side.
pub const MIN_LINE_DELAY: f32 = 3.0;
/// Largest shelf gain (dB) a band may differ from the mid band per pass; beyond it the
/// band's RT60 is no longer exact (only reached with extreme multipliers and short RT60).
pub const MAX_SHELF_DB: f64 = 60.0;
/// Ticks between two exact LFO values (linear interpolation in between).
pub const LFO_STEP: u32 = 32;
/// Rate spread of the eight line LFOs (multiples of the set rate).
const RATE_SPREAD: [f32; FDN_LINES] = [1.0, 1.13, 0.87, 1.27, 0.79, 1.19, 0.93, 1.07];

/// Three-band reverberation time of the network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecaySettings {
    /// Mid-band RT60 (seconds).
    pub rt60_s: f32,
    /// RT60 below `low_hz`, as a multiple of the mid RT60.
    pub low_mult: f32,
    /// RT60 above `high_hz`, as a multiple of the mid RT60.
    pub high_mult: f32,
    /// Low crossover (the low shelf's midpoint, Hz).
    pub low_hz: f32,
    /// High crossover (the high shelf's midpoint, Hz).
    pub high_hz: f32,
}

impl Default for DecaySettings {
    fn default() -> Self {
        Self {
            rt60_s: 2.0,
            low_mult: 1.0,
            high_mult: 1.0,
            low_hz: 250.0,
            high_hz: 4000.0,
        }
    }
}

/// Attenuation in dB per pass of a line of `delay_samples` for a reverberation time
/// `rt60_s` (Jot & Chaigne 1991, eq. for `γ_i`): `−60·D/(fs·T60)`.
pub fn pass_attenuation_db(delay_samples: f64, sample_rate: f64, rt60_s: f64) -> f64 {
    -60.0 * delay_samples / (sample_rate * rt60_s.max(1e-3))
}

/// Simper's SVF form of a bilinear RBJ shelf: integrator gain `g`, damping `k` and output
/// mix `(m0, m1, m2)` on (input, band-pass, low-pass).
#[derive(Clone, Copy, Debug, PartialEq)]
struct ShelfCoefs {
    /// `g/(1 + g(g + k))` etc. in Simper's notation: `a1, a2, a3`.
    a: [f32; 3],
    /// Output mix.
    m: [f32; 3],
}

impl ShelfCoefs {
    /// Identity (0 dB).
    const FLAT: Self = Self {
        a: [1.0, 0.0, 0.0],
        m: [1.0, 0.0, 0.0],
    };

    /// Low (`high = false`) or high shelf with plateau gain `gain_db` and midpoint
    /// `freq_hz` (`Q = 1/√2`).
    fn design(sample_rate: f64, freq_hz: f64, gain_db: f64, high: bool) -> Self {
        let a = 10f64.powf(gain_db / 40.0);
        let k = std::f64::consts::SQRT_2;
        let w = (PI * (freq_hz / sample_rate).clamp(1e-6, 0.49)).tan();
        let (g, m) = if high {
            (w * a.sqrt(), [a * a, k * (1.0 - a) * a, 1.0 - a * a])
        } else {
            (w / a.sqrt(), [1.0, k * (a - 1.0), a * a - 1.0])
        };
        let a1 = 1.0 / (1.0 + g * (g + k));
        Self {
            a: [a1 as f32, (g * a1) as f32, (g * g * a1) as f32],
            m: [m[0] as f32, m[1] as f32, m[2] as f32],
        }
    }
}

/// The network. Lifecycle: `new` → `prepare` → (`set_delays`/`set_decay`/`set_modulation`
/// → `tick`)* / `reset`.
#[derive(Clone, Debug)]
pub struct Fdn {
    /// Longest line delay that must fit (ms, before `prepare`).
    max_delay_ms: f32,
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// The eight lines' ring buffers interleaved: frame `n` holds the samples the lines
    /// were fed on one tick (power-of-two length `mask + 1`, plus one frame that mirrors
    /// frame 0 so the two samples an interpolator reads are never split by the wrap).
    frames: Vec<[f32; FDN_LINES]>,
    /// `len − 1` of `frames`.
    mask: usize,
    /// Write position shared by all lines.
    write_pos: usize,
    /// Longest allowed read delay (samples, base + modulation).
    max_delay_samples: f32,
    /// Base delay of each line (samples), gliding toward `target` when set so.
    delays: [f32; FDN_LINES],
    /// Base delays at the end of the running glide.
    target: [f32; FDN_LINES],
    /// Per-sample increment of the running glide.
    glide_step: [f32; FDN_LINES],
    /// Samples left in the running glide.
    glide_left: u32,
    /// Thiran all-pass memories (previous output) per line.
    ap_y1: [f32; FDN_LINES],
    /// Broadband (mid-band) gain per line, gliding toward `gain_target`.
    gain: [f32; FDN_LINES],
    /// Gain at the end of the running glide.
    gain_target: [f32; FDN_LINES],
    /// Per-sample gain increment of the running glide.
    gain_step: [f32; FDN_LINES],
    /// Samples left in the gain glide.
    gain_left: u32,
    /// Low-shelf coefficients per line, in lanes: `a1, a2, a3, m0, m1, m2`.
    low: [[f32; FDN_LINES]; 6],
    /// High-shelf coefficients per line.
    high: [[f32; FDN_LINES]; 6],
    /// Shelf coefficients (low, high) at the end of the running glide.
    shelf_target: [[[f32; FDN_LINES]; 6]; 2],
    /// Per-sample increments of the shelf coefficients (glide with the gains).
    shelf_step: [[[f32; FDN_LINES]; 6]; 2],
    /// Low-shelf SVF memories `(ic1, ic2)` per line.
    low_ic: [[f32; FDN_LINES]; 2],
    /// High-shelf SVF memories per line.
    high_ic: [[f32; FDN_LINES]; 2],
    /// False while every line's low shelf is flat (low multiplier 1, freeze): skipped.
    low_on: bool,
    /// The same for the high shelves.
    high_on: bool,
    /// LFO phasor `(cos, sin)` per line at the end of the running LFO step.
    lfo: [[f32; FDN_LINES]; 2],
    /// Rotation over one LFO step `(cos(ω·LFO_STEP), sin(ω·LFO_STEP))` per line.
    rot: [[f32; FDN_LINES]; 2],
    /// Interpolated LFO value (sine) per line for the next tick.
    lfo_now: [f32; FDN_LINES],
    /// Its per-tick increment over the running LFO step.
    lfo_inc: [f32; FDN_LINES],
    /// Ticks left in the running LFO step.
    lfo_left: u32,
    /// Modulation depth (samples, peak), gliding toward `depth_target`.
    depth_samples: f32,
    /// Depth at the end of the running glide.
    depth_target: f32,
    /// Per-sample depth increment.
    depth_step: f32,
    /// Samples left in the depth glide.
    depth_left: u32,
    /// Last decay request, so `set_delays` can redo the gains.
    decay: DecaySettings,
    /// Last freeze amount.
    freeze: f32,
}

impl Default for Fdn {
    fn default() -> Self {
        Self::new(200.0)
    }
}

impl Fdn {
    /// A network whose lines can reach `max_delay_ms` (base + modulation) once prepared.
    pub fn new(max_delay_ms: f32) -> Self {
        let mut fdn = Self {
            max_delay_ms: if max_delay_ms.is_finite() {
                max_delay_ms.max(1.0)
            } else {
                200.0
            },
            sample_rate: 48_000.0,
            frames: Vec::new(),
            mask: 0,
            write_pos: 0,
            max_delay_samples: MIN_LINE_DELAY,
            delays: [MIN_LINE_DELAY; FDN_LINES],
            target: [MIN_LINE_DELAY; FDN_LINES],
            glide_step: [0.0; FDN_LINES],
            glide_left: 0,
            ap_y1: [0.0; FDN_LINES],
            gain: [0.0; FDN_LINES],
            gain_target: [0.0; FDN_LINES],
            gain_step: [0.0; FDN_LINES],
            gain_left: 0,
            low: [[0.0; FDN_LINES]; 6],
            high: [[0.0; FDN_LINES]; 6],
            shelf_target: [[[0.0; FDN_LINES]; 6]; 2],
            shelf_step: [[[0.0; FDN_LINES]; 6]; 2],
            low_ic: [[0.0; FDN_LINES]; 2],
            high_ic: [[0.0; FDN_LINES]; 2],
            low_on: false,
            high_on: false,
            lfo: [[1.0; FDN_LINES], [0.0; FDN_LINES]],
            rot: [[1.0; FDN_LINES], [0.0; FDN_LINES]],
            lfo_now: [0.0; FDN_LINES],
            lfo_inc: [0.0; FDN_LINES],
            lfo_left: 0,
            depth_samples: 0.0,
            depth_target: 0.0,
            depth_step: 0.0,
            depth_left: 0,
            decay: DecaySettings::default(),
            freeze: 0.0,
        };
        fdn.reset_lfo();
        fdn
    }

    /// Allocates the line buffers for `sample_rate`.
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, _channels: usize) {
        self.sample_rate = if sample_rate.is_finite() && sample_rate > 0.0 {
            sample_rate
        } else {
            48_000.0
        };
        let max = (self.max_delay_ms * 1e-3 * self.sample_rate).ceil() as usize + 2;
        let len = (max + 4).next_power_of_two();
        // One frame more: `frames[len]` mirrors `frames[0]`, so a read pair never wraps.
        self.frames = vec![[0.0; FDN_LINES]; len + 1];
        self.mask = len - 1;
        self.max_delay_samples = max as f32;
        let d = self.target;
        self.set_delays(&d);
        self.reset();
    }

    /// Clears every line, filter and LFO phase.
    pub fn reset(&mut self) {
        self.frames.fill([0.0; FDN_LINES]);
        self.write_pos = 0;
        self.clear_filters();
        self.reset_lfo();
    }

    /// Clears the interpolator and shelf memories.
    fn clear_filters(&mut self) {
        self.ap_y1 = [0.0; FDN_LINES];
        self.low_ic = [[0.0; FDN_LINES]; 2];
        self.high_ic = [[0.0; FDN_LINES]; 2];
    }

    /// LFO phases spread evenly over the circle.
    fn reset_lfo(&mut self) {
        for i in 0..FDN_LINES {
            let phi = 2.0 * PI * i as f64 / FDN_LINES as f64;
            self.lfo[0][i] = phi.cos() as f32;
            self.lfo[1][i] = phi.sin() as f32;
        }
        self.lfo_now = self.lfo[1];
        self.lfo_inc = [0.0; FDN_LINES];
        self.lfo_left = 0;
    }

    /// Latency (0: the network is the effect).
    pub fn latency(&self) -> usize {
        0
    }

    /// Sample rate in use.
    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    /// Longest base delay that leaves room for `depth` samples of modulation.
    pub fn max_base_delay(&self, depth_samples: f32) -> f32 {
        (self.max_delay_samples - depth_samples - 2.0).max(MIN_LINE_DELAY)
    }

    /// Base delay of each line (samples, clamped so base ± depth fits), at once;
    /// recomputes the decay gains for the new lengths.
    pub fn set_delays(&mut self, delays: &[f32; FDN_LINES]) {
        self.glide_delays(delays, 0);
    }

    /// Moves the base delays linearly to `delays` over `samples` ticks (0 = at once) and
    /// designs the decay for the new lengths (a glide of a few samples between a
    /// caller's grid points keeps the read positions continuous).
    pub fn glide_delays(&mut self, delays: &[f32; FDN_LINES], samples: u32) {
        let depth = self.depth_samples.max(self.depth_target);
        let hi = self.max_base_delay(depth);
        let lo = (MIN_LINE_DELAY + depth).min(hi);
        for (d, &want) in self.target.iter_mut().zip(delays) {
            *d = if want.is_finite() {
                want.clamp(lo, hi)
            } else {
                lo
            };
        }
        if samples == 0 {
            self.delays = self.target;
            self.glide_left = 0;
        } else {
            for i in 0..FDN_LINES {
                self.glide_step[i] = (self.target[i] - self.delays[i]) / samples as f32;
            }
            self.glide_left = samples;
        }
        let (decay, freeze) = (self.decay, self.freeze);
        self.set_decay_glide(&decay, freeze, samples);
    }

    /// Base delays in use (samples).
    pub fn delays(&self) -> &[f32; FDN_LINES] {
        &self.delays
    }

    /// LFO rate (Hz, per line spread by ±27 %) and peak depth (samples).
    pub fn set_modulation(&mut self, rate_hz: f32, depth_samples: f32) {
        self.set_modulation_glide(rate_hz, depth_samples, 0);
    }

    /// [`Fdn::set_modulation`] with the depth gliding linearly over `samples` ticks.
    pub fn set_modulation_glide(&mut self, rate_hz: f32, depth_samples: f32, samples: u32) {
        let fs = f64::from(self.sample_rate);
        let rate = if rate_hz.is_finite() {
            f64::from(rate_hz.clamp(0.0, 20.0))
        } else {
            0.0
        };
        for (i, &spread) in RATE_SPREAD.iter().enumerate() {
            let w = 2.0 * PI * rate * f64::from(spread) / fs * f64::from(LFO_STEP);
            self.rot[0][i] = w.cos() as f32;
            self.rot[1][i] = w.sin() as f32;
        }
        let depth = if depth_samples.is_finite() {
            depth_samples.max(0.0)
        } else {
            0.0
        };
        // Keep every read position inside [MIN_LINE_DELAY, max].
        let room = self
            .target
            .iter()
            .fold(f32::INFINITY, |m, &d| {
                m.min(d - MIN_LINE_DELAY)
                    .min(self.max_delay_samples - 2.0 - d)
            })
            .max(0.0);
        self.depth_target = depth.min(room);
        if samples == 0 {
            self.depth_samples = self.depth_target;
            self.depth_left = 0;
        } else {
            self.depth_step = (self.depth_target - self.depth_samples) / samples as f32;
            self.depth_left = samples;
        }
    }

    /// Sets the three-band RT60 and the freeze amount (0 = normal, 1 = lossless) and
    /// designs every line's gain and shelves for its current delay.
    pub fn set_decay(&mut self, decay: &DecaySettings, freeze: f32) {
        self.set_decay_glide(decay, freeze, 0);
    }

    /// [`Fdn::set_decay`], with the broadband line gains gliding linearly to their new
    /// values over `samples` ticks (no zipper noise while a caller ramps the RT60 on a
    /// coarse grid).
    pub fn set_decay_glide(&mut self, decay: &DecaySettings, freeze: f32, samples: u32) {
        let clean = |v: f32, lo: f32, hi: f32, def: f32| {
            if v.is_finite() {
                v.clamp(lo, hi)
            } else {
                def
            }
        };
        let d = DecaySettings::default();
        let fs = f64::from(self.sample_rate);
        self.decay = DecaySettings {
            rt60_s: clean(decay.rt60_s, 0.05, 1000.0, d.rt60_s),
            low_mult: clean(decay.low_mult, 0.05, 20.0, 1.0),
            high_mult: clean(decay.high_mult, 0.05, 20.0, 1.0),
            low_hz: clean(decay.low_hz, 10.0, 0.45 * self.sample_rate, d.low_hz),
            high_hz: clean(decay.high_hz, 10.0, 0.45 * self.sample_rate, d.high_hz),
        };
        self.freeze = clean(freeze, 0.0, 1.0, 0.0);
        let s = self.decay;
        let live = 1.0 - f64::from(self.freeze);
        let t = f64::from(s.rt60_s);
        let mut shelf_db = [[0.0; FDN_LINES]; 2];
        #[allow(clippy::needless_range_loop)] // i indexes parallel lane arrays
        for i in 0..FDN_LINES {
            let dl = f64::from(self.target[i]);
            let mid = pass_attenuation_db(dl, fs, t) * live;
            let low = pass_attenuation_db(dl, fs, t * f64::from(s.low_mult)) * live;
            let high = pass_attenuation_db(dl, fs, t * f64::from(s.high_mult)) * live;
            self.gain_target[i] = 10f64.powf(mid / 20.0) as f32;
            shelf_db[0][i] = (low - mid).clamp(-MAX_SHELF_DB, MAX_SHELF_DB);
            shelf_db[1][i] = (high - mid).clamp(-MAX_SHELF_DB, MAX_SHELF_DB);
        }
        // Each band: flat on every line → identity coefficients and the band is skipped
        // (a 0 dB shelf passes its input exactly), unless it glides out of use.
        let k = if samples == 0 {
            0.0
        } else {
            1.0 / samples as f32
        };
        #[allow(clippy::needless_range_loop)] // band picks fields and lanes alike
        for band in 0..2 {
            let (hz, high) = if band == 0 {
                (s.low_hz, false)
            } else {
                (s.high_hz, true)
            };
            let flat = shelf_db[band].iter().all(|&db| db == 0.0);
            for i in 0..FDN_LINES {
                let c = if flat {
                    ShelfCoefs::FLAT
                } else {
                    ShelfCoefs::design(fs, f64::from(hz), shelf_db[band][i], high)
                };
                for (j, v) in c.a.iter().chain(&c.m).enumerate() {
                    self.shelf_target[band][j][i] = *v;
                }
            }
            let (coefs, ic, on) = if band == 0 {
                (&mut self.low, &mut self.low_ic, &mut self.low_on)
            } else {
                (&mut self.high, &mut self.high_ic, &mut self.high_on)
            };
            if !flat && !*on {
                // Coming into use: start from flat coefficients and clear memories.
                for (j, row) in coefs.iter_mut().enumerate() {
                    let flat = ShelfCoefs::FLAT;
                    *row = [if j < 3 { flat.a[j] } else { flat.m[j - 3] }; FDN_LINES];
                }
                *ic = [[0.0; FDN_LINES]; 2];
            }
            let now_on = !flat || (*on && samples > 0);
            if !now_on && *on {
                *ic = [[0.0; FDN_LINES]; 2];
            }
            *on = now_on;
            if samples == 0 {
                *coefs = self.shelf_target[band];
            } else {
                for (j, row) in coefs.iter().enumerate() {
                    for i in 0..FDN_LINES {
                        self.shelf_step[band][j][i] = (self.shelf_target[band][j][i] - row[i]) * k;
                    }
                }
            }
        }
        if samples == 0 {
            self.gain = self.gain_target;
            self.gain_left = 0;
        } else {
            for i in 0..FDN_LINES {
                self.gain_step[i] = (self.gain_target[i] - self.gain[i]) * k;
            }
            self.gain_left = samples;
        }
    }

    /// True when no length, gain or depth glide runs (the network's filters stand still).
    pub fn is_steady(&self) -> bool {
        self.glide_left == 0 && self.gain_left == 0 && self.depth_left == 0
    }

    /// Starts the next LFO step: rotates the phasors one step on (renormalised to first
    /// order, so no drift over hours) and sets the per-tick increments toward their sine.
    fn next_lfo_step(&mut self) {
        for i in 0..FDN_LINES {
            let (c, s) = (self.lfo[0][i], self.lfo[1][i]);
            let (rc, rs) = (self.rot[0][i], self.rot[1][i]);
            let (nc, ns) = (c * rc - s * rs, s * rc + c * rs);
            let norm = 1.5 - 0.5 * (nc * nc + ns * ns);
            self.lfo_now[i] = s;
            self.lfo[0][i] = nc * norm;
            self.lfo[1][i] = ns * norm;
            self.lfo_inc[i] = (self.lfo[1][i] - s) * (1.0 / LFO_STEP as f32);
        }
        self.lfo_left = LFO_STEP;
    }

    /// The decay settings in use (clamped).
    pub fn decay(&self) -> &DecaySettings {
        &self.decay
    }

    /// One sample: adds `inject` to the lines' inputs and returns the lines' filtered
    /// outputs (before the matrix).
    #[inline]
    pub fn tick(&mut self, inject: &[f32; FDN_LINES]) -> [f32; FDN_LINES] {
        let gliding = self.glide_left > 0;
        if !self.is_steady() {
            self.step_glides();
        }
        if gliding {
            self.tick_gliding(inject).0
        } else {
            self.steady_ticks(1, |_| *inject, |_, y, _| y)
        }
    }

    /// [`Fdn::tick`] returning the stereo late mix instead of the line outputs:
    /// `(fb[4], fb[1], Σ yᵢ²)`, where `fb = H₈·y/√8` is the feedback vector (rows 4 and 1
    /// of the Hadamard matrix are the two orthogonal ±1 output combinations, already
    /// scaled by `1/√8`) and the sum is the lines' energy (in [`line_energy`]'s order).
    #[inline]
    pub fn tick_mixed(&mut self, inject: &[f32; FDN_LINES]) -> (f32, f32, f32) {
        let gliding = self.glide_left > 0;
        if !self.is_steady() {
            self.step_glides();
        }
        let (y, fb) = if gliding {
            self.tick_gliding(inject)
        } else {
            self.steady_ticks(1, |_| *inject, |_, y, fb| (y, fb))
        };
        (fb[4], fb[1], line_energy(&y))
    }

    /// Steady ticks for a chunk (call only while [`Fdn::is_steady`]): line `j` of tick `t`
    /// is fed `gains[j]·src[j % 2][t]`; tick `t` writes [`Fdn::tick_mixed`]'s three values
    /// to `late[0][t]`, `late[1][t]` and `energy[t]`, bit for bit.
    pub fn process_chunk(
        &mut self,
        gains: &[f32; FDN_LINES],
        src: [&[f32]; 2],
        late: [&mut [f32]; 2],
        energy: &mut [f32],
    ) {
        debug_assert!(self.is_steady());
        let [late_l, late_r] = late;
        let n = src[0]
            .len()
            .min(src[1].len())
            .min(late_l.len())
            .min(late_r.len())
            .min(energy.len());
        let (src_l, src_r) = (&src[0][..n], &src[1][..n]);
        let (late_l, late_r, energy) = (&mut late_l[..n], &mut late_r[..n], &mut energy[..n]);
        let mut t = 0;
        while t < n {
            if self.lfo_left == 0 {
                self.next_lfo_step();
            }
            // Up to the end of the running LFO step: the interpolated sine stays linear.
            let seg = (n - t).min(self.lfo_left as usize);
            let (sl, sr) = (&src_l[t..t + seg], &src_r[t..t + seg]);
            let (ol, or) = (&mut late_l[t..t + seg], &mut late_r[t..t + seg]);
            let oe = &mut energy[t..t + seg];
            self.steady_ticks(
                seg,
                |k| {
                    let x = [sl[k], sr[k]];
                    let mut inject = [0.0_f32; FDN_LINES];
                    for (j, v) in inject.iter_mut().enumerate() {
                        *v = gains[j] * x[j % 2];
                    }
                    inject
                },
                |k, y, fb| {
                    ol[k] = fb[4];
                    or[k] = fb[1];
                    oe[k] = line_energy(&y);
                },
            );
            t += seg;
        }
    }

    /// `n` steady ticks (`n` ≤ the ticks left in the running LFO step, which must have
    /// started), state held in locals: tick `k` is fed `inject(k)`, and `out(k, y, fb)`
    /// receives the line outputs and the feedback vector. Returns the last `out`.
    #[inline(always)]
    fn steady_ticks<R>(
        &mut self,
        n: usize,
        mut inject: impl FnMut(usize) -> [f32; FDN_LINES],
        mut out: impl FnMut(usize, [f32; FDN_LINES], [f32; FDN_LINES]) -> R,
    ) -> R
    where
        R: Default,
    {
        if self.lfo_left == 0 {
            self.next_lfo_step();
        }
        debug_assert!(n <= self.lfo_left as usize);
        // Everything the loop reads or carries, in locals (registers), not through `self`.
        let mut base = [0.0_f32; FDN_LINES];
        for (b, &d) in base.iter_mut().zip(&self.delays) {
            *b = d - 1.0;
        }
        let depth = self.depth_samples;
        let gain = self.gain;
        let (low, high) = (self.low, self.high);
        let (low_on, high_on) = (self.low_on, self.high_on);
        let mut lfo = self.lfo_now;
        let lfo_inc = self.lfo_inc;
        let mut ap_y1 = self.ap_y1;
        let mut low_ic = self.low_ic;
        let mut high_ic = self.high_ic;
        let mut wp = self.write_pos;
        let mask = self.mask;
        let frames = &mut self.frames[..];
        let mut last = R::default();
        for k in 0..n {
            // Read positions, lane by lane (vectorises): line i is read at
            // `d = D − 1 + depth·sin`, split into `m = ⌊d − ½⌋` and `Δ = d − m ∈ [½, 3/2)`.
            let mut frac = [0.0_f32; FDN_LINES];
            let mut whole = [0_u32; FDN_LINES];
            for i in 0..FDN_LINES {
                // u0 = line[wp − m] was written m + 1 ticks ago: read at d − 1 for a loop of d.
                let d = base[i] + depth * lfo[i];
                lfo[i] += lfo_inc[i];
                // d − ½ ≥ 1.5 − ε (the base delays keep MIN_LINE_DELAY + depth, all finite,
                // |sin| ≤ 1 + ε) and below FLOOR_RANGE (line buffers are far shorter).
                debug_assert!((0.0..=FLOOR_RANGE).contains(&(d - 0.5)), "{d}");
                let (m, mi) = floor_small(d - 0.5);
                frac[i] = d - m;
                whole[i] = mi;
            }
            // The pair (u0, u1) = (line[wp − m], line[wp − m − 1]): frames b + 1 and b with
            // b = (wp − m − 1) & mask (b + 1 = len reads the mirror of frame 0).
            let from = wp.wrapping_sub(1);
            let mut u0 = [0.0_f32; FDN_LINES];
            let mut u1 = [0.0_f32; FDN_LINES];
            #[allow(clippy::manual_memcpy)] // a gather: `b` differs per lane
            for i in 0..FDN_LINES {
                let b = from.wrapping_sub(whole[i] as usize) & mask;
                u0[i] = frames[b + 1][i];
                u1[i] = frames[b][i];
            }
            // First-order Thiran all-pass on all lanes at once.
            let mut y = [0.0_f32; FDN_LINES];
            for i in 0..FDN_LINES {
                let a = (1.0 - frac[i]) / (1.0 + frac[i]);
                y[i] = a * (u0[i] - ap_y1[i]) + u1[i];
            }
            ap_y1 = y;
            for (v, g) in y.iter_mut().zip(&gain) {
                *v *= g;
            }
            if low_on {
                shelf_lanes(&low, &mut low_ic, &mut y);
            }
            if high_on {
                shelf_lanes(&high, &mut high_ic, &mut y);
            }
            let mut fb = y;
            hadamard8(&mut fb);
            let x = inject(k);
            let mut frame = [0.0_f32; FDN_LINES];
            for i in 0..FDN_LINES {
                frame[i] = fb[i] + x[i];
            }
            wp = wp.wrapping_add(1);
            write_frame(frames, wp & mask, mask, frame);
            last = out(k, y, fb);
        }
        self.lfo_now = lfo;
        self.lfo_left -= n as u32;
        self.ap_y1 = ap_y1;
        self.low_ic = low_ic;
        self.high_ic = high_ic;
        self.write_pos = wp;
        last
    }

    /// One step of the running depth, length and gain glides.
    fn step_glides(&mut self) {
        if self.depth_left > 0 {
            self.depth_left -= 1;
            self.depth_samples = if self.depth_left == 0 {
                self.depth_target
            } else {
                self.depth_samples + self.depth_step
            };
        }
        if self.glide_left > 0 {
            self.glide_left -= 1;
            if self.glide_left == 0 {
                self.delays = self.target;
            } else {
                for i in 0..FDN_LINES {
                    self.delays[i] += self.glide_step[i];
                }
            }
        }
        if self.gain_left > 0 {
            self.gain_left -= 1;
            if self.gain_left == 0 {
                self.gain = self.gain_target;
                self.low = self.shelf_target[0];
                self.high = self.shelf_target[1];
            } else {
                for i in 0..FDN_LINES {
                    self.gain[i] += self.gain_step[i];
                    for j in 0..6 {
                        self.low[j][i] += self.shelf_step[0][j][i];
                        self.high[j][i] += self.shelf_step[1][j][i];
                    }
                }
            }
        }
    }

    /// A tick while the lengths glide (after the glides stepped): read through a cubic
    /// Lagrange interpolator, filter, mix, write; returns the line outputs and the
    /// feedback vector.
    fn tick_gliding(&mut self, inject: &[f32; FDN_LINES]) -> ([f32; FDN_LINES], [f32; FDN_LINES]) {
        let wp = self.write_pos;
        if self.lfo_left == 0 {
            self.next_lfo_step();
        }
        self.lfo_left -= 1;
        let depth = self.depth_samples;
        let mut back = [0_usize; FDN_LINES];
        let mut frac = [0.0_f32; FDN_LINES];
        for i in 0..FDN_LINES {
            let d = (self.delays[i] - 1.0) + depth * self.lfo_now[i];
            self.lfo_now[i] += self.lfo_inc[i];
            debug_assert!((0.0..=FLOOR_RANGE).contains(&(d - 0.5)), "{d}");
            let (m, mi) = floor_small(d - 0.5);
            frac[i] = d - m;
            back[i] = mi as usize;
        }
        let mask = self.mask;
        let frames = &self.frames[..];
        let at = |i: usize, k: usize| frames[wp.wrapping_sub(back[i] + k) & mask][i];
        // Lengths moving: stateless cubic Lagrange (Laakso et al. §3.2) on the four
        // samples around the read point, so the all-pass's state never sees its
        // coefficient jump when m steps (a small transient per step).
        let mut y = [0.0_f32; FDN_LINES];
        for (i, out) in y.iter_mut().enumerate() {
            // Nodes at −1, 0, 1, 2 past u0; read at Δ ∈ [0.5, 1.5).
            let um1 = frames[wp.wrapping_sub(back[i]).wrapping_add(1) & mask][i];
            let (u0, u1, u2) = (at(i, 0), at(i, 1), at(i, 2));
            let t = frac[i];
            let cm1 = -t * (t - 1.0) * (t - 2.0) / 6.0;
            let c0 = (t + 1.0) * (t - 1.0) * (t - 2.0) * 0.5;
            let c1 = -(t + 1.0) * t * (t - 2.0) * 0.5;
            let c2 = (t + 1.0) * t * (t - 1.0) / 6.0;
            *out = cm1 * um1 + c0 * u0 + c1 * u1 + c2 * u2;
        }
        self.ap_y1 = y;
        for (v, g) in y.iter_mut().zip(&self.gain) {
            *v *= g;
        }
        if self.low_on {
            shelf_lanes(&self.low, &mut self.low_ic, &mut y);
        }
        if self.high_on {
            shelf_lanes(&self.high, &mut self.high_ic, &mut y);
        }
        let mut fb = y;
        hadamard8(&mut fb);
        let mut frame = [0.0_f32; FDN_LINES];
        for i in 0..FDN_LINES {
            frame[i] = fb[i] + inject[i];
        }
        let pos = wp.wrapping_add(1);
        write_frame(&mut self.frames, pos & mask, mask, frame);
        self.write_pos = pos;
        (y, fb)
    }

    /// Clears the network if any state is non-finite or beyond [`MAX_STATE`], and flushes
    /// denormal filter memories. Cheap (reads the 8 newest samples and the memories).
    pub fn sanitize(&mut self) {
        let mask = self.mask;
        // NaN fails the range test too.
        let bad = |v: f32| v.abs().partial_cmp(&MAX_STATE) != Some(std::cmp::Ordering::Less);
        // Folds without early exit, so the checks vectorise (this runs every grid step).
        let newest_bad = self
            .frames
            .get(self.write_pos & mask)
            .is_some_and(|f| f.iter().fold(false, |a, &v| a | bad(v)));
        let lanes = [&self.ap_y1, &self.low_ic[0], &self.low_ic[1]];
        let lanes = lanes
            .into_iter()
            .chain([&self.high_ic[0], &self.high_ic[1]]);
        let mem_bad = lanes.fold(false, |a, l| l.iter().fold(a, |a, &v| a | bad(v)));
        if newest_bad || mem_bad {
            self.reset();
            return;
        }
        let flush = |l: &mut [f32; FDN_LINES]| {
            for v in l.iter_mut() {
                *v = if v.abs() < crate::svf::DENORMAL_FLUSH {
                    0.0
                } else {
                    *v
                };
            }
        };
        flush(&mut self.ap_y1);
        for ic in [&mut self.low_ic, &mut self.high_ic] {
            ic.iter_mut().for_each(flush);
        }
    }

    /// Magnitude (dB) of one pass through line `i`'s decay filter at `freq_hz`, from its
    /// designed coefficients (for the editor's curve and tests).
    pub fn pass_gain_db(&self, line: usize, freq_hz: f64) -> f64 {
        let i = line.min(FDN_LINES - 1);
        let fs = f64::from(self.sample_rate);
        let mut db = 20.0 * f64::from(self.gain_target[i]).log10();
        for c in &self.shelf_target {
            db += svf_mag_db(
                [c[0][i], c[1][i], c[2][i]],
                [c[3][i], c[4][i], c[5][i]],
                freq_hz / fs,
            );
        }
        db
    }

    /// Current RT60 (s) at `freq_hz` implied by line 0's filter and delay.
    pub fn rt60_at(&self, freq_hz: f64) -> f64 {
        let db = self.pass_gain_db(0, freq_hz);
        if db >= 0.0 {
            return f64::INFINITY;
        }
        -60.0 * f64::from(self.delays[0]) / (f64::from(self.sample_rate) * db)
    }
}

/// Stores `frame` at index `p` (≤ `mask`) of the ring, and in the mirror frame
/// `mask + 1` too when `p` is 0.
#[inline(always)]
fn write_frame(frames: &mut [[f32; FDN_LINES]], p: usize, mask: usize, frame: [f32; FDN_LINES]) {
    frames[p] = frame;
    if p == 0 {
        frames[mask + 1] = frame;
    }
}

/// `Σ yᵢ²` in a fixed pairwise order (lanes `i` and `i + 4` first, as a 4-lane vector
/// computes it).
#[inline(always)]
pub fn line_energy(y: &[f32; FDN_LINES]) -> f32 {
    let mut v = [0.0_f32; 4];
    for i in 0..4 {
        v[i] = y[i] * y[i] + y[i + 4] * y[i + 4];
    }
    (v[0] + v[2]) + (v[1] + v[3])
}

/// Largest argument of [`floor_small`] (2²², with room to spare for any line length).
const FLOOR_RANGE: f32 = 4_194_304.0;

/// `(⌊x⌋, ⌊x⌋ as u32)` for `x ∈ [0, 2²²]`, exactly, without a float-to-integer
/// conversion (so it vectorises on baseline x86-64): adding `1.5·2²³` rounds `x` to the
/// nearest integer (unit spacing there), one is taken off if that rounded up, and the
/// integer is read from the sum's mantissa.
#[inline(always)]
fn floor_small(x: f32) -> (f32, u32) {
    const MAGIC: f32 = 12_582_912.0;
    let r = (x + MAGIC) - MAGIC;
    let f = if r > x { r - 1.0 } else { r };
    (f, (f + MAGIC).to_bits() - MAGIC.to_bits())
}

/// `|m0 + m1·BP + m2·LP|` in dB of a trapezoidal SVF at normalised frequency `f/fs`,
/// recovering `g = a2/a1`, `k` from `a1 = 1/(1 + g(g + k))`.
fn svf_mag_db(a: [f32; 3], m: [f32; 3], f_norm: f64) -> f64 {
    let (a1, a2) = (f64::from(a[0]), f64::from(a[1]));
    if a2 == 0.0 {
        return 20.0 * f64::from(m[0]).abs().log10();
    }
    let g = a2 / a1;
    let k = (1.0 / a1 - 1.0) / g - g;
    // Bilinear: s = j·tan(πf/fs)/g in the normalised prototype.
    let w = (PI * f_norm).tan() / g;
    // H = m0 + m1·(s k?) — with BP = s/(s²+ks+1), LP = 1/(s²+ks+1).
    let (dr, di) = (1.0 - w * w, k * w);
    let (nr, ni) = (
        f64::from(m[0]) * (1.0 - w * w) + f64::from(m[2]),
        f64::from(m[0]) * k * w + f64::from(m[1]) * w,
    );
    10.0 * ((nr * nr + ni * ni) / (dr * dr + di * di)).log10()
}

/// One trapezoidal SVF step on eight lanes (Simper 2013: `v3 = x − ic2`,
/// `v1 = a1·ic1 + a2·v3`, `v2 = ic2 + a2·ic1 + a3·v3`, `ic ← 2v − ic`), output mixed
/// `m0·x + m1·v1 + m2·v2` in place.
#[inline(always)]
fn shelf_lanes(
    c: &[[f32; FDN_LINES]; 6],
    ic: &mut [[f32; FDN_LINES]; 2],
    x: &mut [f32; FDN_LINES],
) {
    for i in 0..FDN_LINES {
        let (ic1, ic2) = (ic[0][i], ic[1][i]);
        let v3 = x[i] - ic2;
        let v1 = c[0][i] * ic1 + c[1][i] * v3;
        let v2 = ic2 + c[1][i] * ic1 + c[2][i] * v3;
        ic[0][i] = 2.0 * v1 - ic1;
        ic[1][i] = 2.0 * v2 - ic2;
        x[i] = c[3][i] * x[i] + c[4][i] * v1 + c[5][i] * v2;
    }
}

/// In-place normalised fast Walsh–Hadamard transform of 8 values (`H₈/√8`, orthogonal
/// and symmetric).
#[inline(always)]
pub fn hadamard8(x: &mut [f32; FDN_LINES]) {
    let mut h = 1;
    while h < FDN_LINES {
        let mut i = 0;
        while i < FDN_LINES {
            for j in i..i + h {
                let (a, b) = (x[j], x[j + h]);
                x[j] = a + b;
                x[j + h] = a - b;
            }
            i += 2 * h;
        }
        h *= 2;
    }
    let s = std::f32::consts::FRAC_1_SQRT_2 * 0.5;
    x.iter_mut().for_each(|v| *v *= s);
}

#[cfg(test)]
pub(crate) mod measure;
#[cfg(test)]
mod tests;
