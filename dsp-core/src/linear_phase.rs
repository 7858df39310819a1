//! Linear-phase N-band splitter (2..=[`MAX_BANDS`] bands) by FFT convolution.
//!
//! **Bands.** Each crossover `f_k` has one zero-phase low-pass `T_k` whose magnitude is
//! the Linkwitz–Riley LR4 low-pass magnitude as realised by the bilinear transform,
//! `T_k(f) = 1/(1+Ω⁴)`, `Ω = tan(πf/fs)/tan(πf_k/fs)` ([`crate::crossover::lr_magnitude`]),
//! delayed by `D` samples to make it causal. The bands are differences of these
//! low-passes (the "complementary linear-phase crossover" of S. P. Lipshitz and
//! J. Vanderkooy, "A Family of Linear-Phase Crossover Networks of High Slope Derived by
//! Time Delay", JAES 31(1/2), 1983, with the delay-complement `δ(n−D) − T`):
//!
//! `band_0 = T_0`, `band_k = T_k − T_{k−1}`, `band_{N−1} = δ(n−D) − T_{N−2}`.
//!
//! The sum telescopes to `δ(n−D)`: the bands add up to the input delayed by
//! [`LinearPhaseSplitter::latency`] samples to rounding error, whatever the kernels are.
//! Because `|LP_LR4| + |HP_LR4| = 1` for the LR4 magnitudes, the outer bands have exactly
//! the LR4 low-pass and high-pass magnitudes (−6.02 dB at the crossover, 24 dB/octave);
//! inner bands have `T_k − T_{k−1}`, the target the tests measure against.
//!
//! **Kernels** (frequency sampling, e.g. J. O. Smith, *Spectral Audio Signal Processing*,
//! "Frequency Sampling Method for FIR Filter Design"): the target magnitude is sampled on
//! an `M`-point grid (`M ≥ 2·(2D+1)`, a power of two), inverse transformed, centred at `D`
//! and windowed to `2D+1` taps by a Tukey window whose cosine tapers cover the outer
//! [`TAPER_FRACTION`] of each side. `D = round(`[`HALF_LENGTH_MS`]` · fs)`, 100 ms: the
//! LR4 low-pass's impulse response decays as `e^{−√2·π·f_k·t}`, so at the lowest
//! crossover (20 Hz) it has fallen ~80 dB by the taper.
//!
//! **Convolution**: uniformly partitioned overlap-save (W. G. Gardner, "Efficient
//! Convolution without Input-Output Delay", JAES 43(3), 1995, uniform-partition variant;
//! F. Wefers, *Partitioned convolution algorithms for real-time auralization*, 2015,
//! ch. 5) with partition `B` = 256 samples at 48 kHz (scaled with the rate, 64..=2048) and
//! FFT size `2B` ([`realfft`]). One forward FFT per channel and partition feeds a
//! frequency-domain delay line shared by every crossover; each crossover then costs one
//! complex multiply-accumulate per partition and one inverse FFT. The delayed input comes
//! from a plain ring buffer. Total latency `D + B`.
//!
//! **Changing crossovers while running**: a new kernel set is designed (on the calling
//! thread, into storage allocated by `prepare`; ~1 ms at 48 kHz), then the low-pass
//! outputs are cross-faded linearly from the old to the new kernels over
//! [`FADE_PARTITIONS`] partitions, only for the crossovers that moved. A cross-fade of two
//! complementary sets is complementary, so the band sum stays the delayed input during
//! the fade. A change requested during a fade waits for it to end. A change of band count
//! takes effect at once (a new crossover fades in from the identity `δ(n−D)`, whose band
//! is silent); the band sum stays the delayed input.
//!
//! **Designing kernels off the audio thread.** [`LinearPhaseSplitter::design`] designs a
//! complete [`KernelSet`] anywhere (it allocates: call it on a background thread), for a
//! band list and sample rate. [`LinearPhaseSplitter::install_kernels`] hands it to the
//! splitter without allocating, designing or blocking: the set waits in one slot and is
//! swapped in at the next partition boundary where no fade runs, and the changed
//! crossovers cross-fade exactly as above. The storage it replaces comes back in a box
//! for the caller to drop off the audio thread: from
//! [`LinearPhaseSplitter::take_retired_kernels`] (poll it once per block) or from the next
//! `install_kernels` (which also returns a set that was replaced before it was used, or
//! one whose layout does not fit; [`KernelSet::fits`]). A set is swapped in only while
//! the retired slot is empty, so nothing is ever dropped on the audio thread. With
//! [`LinearPhaseSplitter::set_inline_design`]`(false)` the splitter never designs on the
//! calling thread: [`LinearPhaseSplitter::set_bands`] then only records the request
//! and the bands follow the installed sets (the band count included). Typical use (the
//! Multiband and the Imager plugin): the GUI/background thread designs and sends the
//! box through a queue; the audio thread installs it and sends retired boxes back.
//!
//! Inputs are sanitised (non-finite → 0, clamped to ±[`INPUT_LIMIT`]) before they reach
//! the FFT, so a NaN block cannot poison the frequency-domain delay line.

use crate::crossover::{clamp_crossover_hz, lr_magnitude, LrOrder};
use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// Most bands a splitter produces.
pub const MAX_BANDS: usize = 5;
/// Most crossover points.
pub const MAX_CROSSOVERS: usize = MAX_BANDS - 1;
/// Most channels.
pub const MAX_CHANNELS: usize = 2;
/// Half length of each kernel (the group delay `D`), in milliseconds.
pub const HALF_LENGTH_MS: f64 = 100.0;
/// Fraction of each kernel half covered by the Tukey window's cosine taper.
pub const TAPER_FRACTION: f64 = 0.2;
/// Length of a kernel cross-fade, in partitions (2048 samples at 48 kHz, ~43 ms).
pub const FADE_PARTITIONS: usize = 8;
/// Inputs are clamped to ± this (about +180 dBFS) so no FFT sum can overflow.
pub const INPUT_LIMIT: f32 = 1e9;

type C32 = Complex<f32>;

/// Sizes that follow from the sample rate.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Layout {
    /// Sample rate (clamped).
    sample_rate: f32,
    /// Partition length `B`.
    block: usize,
    /// Partitions `P` per kernel.
    partitions: usize,
    /// Kernel half length `D`.
    half_len: usize,
    /// Design FFT size `M`.
    design_len: usize,
}

impl Layout {
    fn new(sample_rate: f32) -> Self {
        let sr = if sample_rate.is_finite() {
            sample_rate.clamp(1000.0, 1_000_000.0)
        } else {
            48_000.0
        };
        let block = partition_len(sr);
        let half_len = (HALF_LENGTH_MS * 1e-3 * f64::from(sr)).round() as usize;
        let taps = 2 * half_len + 1;
        Self {
            sample_rate: sr,
            block,
            partitions: taps.div_ceil(block),
            half_len,
            design_len: (2 * taps).next_power_of_two(),
        }
    }

    /// Complex values of one kernel set (`MAX_CROSSOVERS × P × (B+1)`).
    fn set_len(&self) -> usize {
        MAX_CROSSOVERS * self.partitions * (self.block + 1)
    }
}

/// FFT plans and scratch for kernel design (and, in the splitter, streaming).
struct Designer {
    /// Forward FFT of size `2B`.
    fft: Arc<dyn RealToComplex<f32>>,
    /// Inverse FFT of size `M`.
    design_ifft: Arc<dyn ComplexToReal<f32>>,
    /// Time-domain scratch, `max(2B, M)`.
    time: Vec<f32>,
    /// Spectrum scratch, `M/2 + 1` bins at least.
    spec: Vec<C32>,
    /// FFT scratch.
    fft_scratch: Vec<C32>,
    /// Designed kernel (`2D+1` taps, padded to `P·B`).
    taps: Vec<f32>,
}

impl Designer {
    fn new(layout: &Layout) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let fft = planner.plan_fft_forward(2 * layout.block);
        let design_ifft = planner.plan_fft_inverse(layout.design_len);
        let scratch = fft.get_scratch_len().max(design_ifft.get_scratch_len());
        let n = layout.design_len.max(2 * layout.block);
        Self {
            fft,
            design_ifft,
            time: vec![0.0; n],
            spec: vec![C32::default(); n / 2 + 1],
            fft_scratch: vec![C32::default(); scratch],
            taps: vec![0.0; layout.partitions * layout.block],
        }
    }

    /// Designs crossover `k`'s low-pass at `hz` into `set` (a whole kernel set's storage).
    /// Allocation-free.
    fn design(&mut self, layout: &Layout, set: &mut [C32], k: usize, hz: f32) {
        let m = layout.design_len;
        let fs = layout.sample_rate;
        let spec = &mut self.spec[..m / 2 + 1];
        for (i, s) in spec.iter_mut().enumerate() {
            let f = (i as f64 * f64::from(fs) / m as f64) as f32;
            let mag = if i == m / 2 {
                0.0
            } else {
                lr_magnitude(LrOrder::Lr4, fs, hz, f, false)
            };
            *s = C32::new(mag as f32 / m as f32, 0.0);
        }
        let time = &mut self.time[..m];
        // Imaginary parts of DC and Nyquist are zero by construction: cannot fail.
        let _ = self
            .design_ifft
            .process_with_scratch(spec, time, &mut self.fft_scratch);
        let d = layout.half_len;
        let taper = ((d as f64) * TAPER_FRACTION).max(1.0);
        self.taps.fill(0.0);
        for n in 0..=2 * d {
            let offset = n as isize - d as isize;
            let idx = offset.rem_euclid(m as isize) as usize;
            let dist = offset.unsigned_abs() as f64;
            let flat = d as f64 - taper;
            let w = if dist <= flat {
                1.0
            } else {
                0.5 * (1.0 + (std::f64::consts::PI * (dist - flat) / taper).cos())
            };
            self.taps[n] = (f64::from(time[idx]) * w) as f32;
        }
        let b = layout.block;
        let bins = b + 1;
        let scale = 1.0 / (2 * b) as f32;
        let base = k * layout.partitions * bins;
        for p in 0..layout.partitions {
            let t = &mut self.time[..2 * b];
            t[..b].copy_from_slice(&self.taps[p * b..(p + 1) * b]);
            t[b..].fill(0.0);
            let out = &mut set[base + p * bins..base + (p + 1) * bins];
            let _ = self.fft.process_with_scratch(t, out, &mut self.fft_scratch);
            out.iter_mut().for_each(|c| *c *= scale);
        }
    }
}

/// A complete set of crossover kernels for one sample rate, designed by
/// [`LinearPhaseSplitter::design`] and installed by
/// [`LinearPhaseSplitter::install_kernels`] (see the module documentation).
pub struct KernelSet {
    /// Sizes it was designed for.
    layout: Layout,
    /// Bands (2..=[`MAX_BANDS`]).
    num_bands: usize,
    /// Crossovers (ascending, clamped); the first `num_bands − 1` are designed.
    crossover_hz: [f32; MAX_CROSSOVERS],
    /// Kernel spectra `[crossover][partition][bin]`.
    spectra: Vec<C32>,
}

impl std::fmt::Debug for KernelSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelSet")
            .field("sample_rate", &self.layout.sample_rate)
            .field("crossover_hz", &self.crossover_hz())
            .finish()
    }
}

impl KernelSet {
    /// The crossover frequencies it holds (ascending, clamped).
    pub fn crossover_hz(&self) -> &[f32] {
        &self.crossover_hz[..self.num_bands - 1]
    }

    /// Bands it splits into.
    pub fn num_bands(&self) -> usize {
        self.num_bands
    }

    /// True when it was designed for `splitter`'s prepared sample rate (only then does
    /// `install_kernels` accept it).
    pub fn fits(&self, splitter: &LinearPhaseSplitter) -> bool {
        self.layout == splitter.layout() && self.spectra.len() == splitter.kernels[0].len()
    }
}

/// Band count and sorted, clamped crossovers for a request (as `set_bands` takes it).
fn normalise_bands(
    sample_rate: f32,
    crossover_hz: &[f32],
    into: &mut [f32; MAX_CROSSOVERS],
) -> usize {
    let nb = (crossover_hz.len() + 1).clamp(2, MAX_BANDS);
    for (k, slot) in into.iter_mut().enumerate().take(nb - 1) {
        *slot = clamp_crossover_hz(sample_rate, crossover_hz[k]);
    }
    into[..nb - 1].sort_by(|a, b| a.total_cmp(b));
    nb
}

/// Per-channel streaming state.
#[derive(Clone, Debug, Default)]
struct Channel {
    /// Overlap-save input frame: previous partition then the one being filled (`2B`).
    frame: Vec<f32>,
    /// Frequency-domain delay line: `P` spectra of `B+1` bins, ring indexed by `head`.
    fdl: Vec<C32>,
    /// Input history for the delayed-input (last band) path, power-of-two ring.
    history: Vec<f32>,
    /// Band outputs of the current partition, `MAX_BANDS × B`, read while the next
    /// partition fills.
    out: Vec<f32>,
}

/// Linear-phase band splitter; see the module documentation.
pub struct LinearPhaseSplitter {
    /// Sample rate from `prepare`.
    sample_rate: f32,
    /// Channels prepared (1 or 2).
    channels: usize,
    /// Partition length `B`.
    block: usize,
    /// Number of partitions `P` per kernel.
    partitions: usize,
    /// Kernel half length (group delay) `D`.
    half_len: usize,
    /// Design FFT size `M`.
    design_len: usize,
    /// Bands the kernels are set up for.
    kernel_bands: usize,
    /// Bands held in the channels' `out` buffers (the emitted band count; follows
    /// `num_bands` one partition later).
    out_bands: usize,
    /// Crossover frequencies of the active kernel set.
    crossover_hz: [f32; MAX_CROSSOVERS],
    /// Requested band count (applied at the next partition boundary).
    want_bands: usize,
    /// Requested crossovers (applied at the next partition boundary after any fade).
    want_hz: [f32; MAX_CROSSOVERS],
    /// Kernel spectra: `[set][crossover][partition][bin]`, flattened; two sets for
    /// cross-fades.
    kernels: [Vec<C32>; 2],
    /// Which set is active.
    active: usize,
    /// Per crossover: the other set holds a new kernel being faded in.
    fading: [bool; MAX_CROSSOVERS],
    /// Per crossover: the fade starts from the identity (a crossover just added).
    fade_from_identity: [bool; MAX_CROSSOVERS],
    /// Samples into the running fade (`None` = no fade).
    fade_pos: Option<usize>,
    /// Fade length in samples.
    fade_len: usize,
    /// Position in the partition being filled (0..B).
    pos: usize,
    /// FDL slot of the newest spectrum.
    head: usize,
    /// Samples written to the history rings (wrapping).
    written: usize,
    /// Per-channel state.
    chans: Vec<Channel>,
    /// Forward FFT of size `2B`.
    fft: Option<Arc<dyn RealToComplex<f32>>>,
    /// Inverse FFT of size `2B`.
    ifft: Option<Arc<dyn ComplexToReal<f32>>>,
    /// Time-domain scratch, `2B`.
    time: Vec<f32>,
    /// Spectrum scratch, `B+1` bins.
    spec: Vec<C32>,
    /// Second spectrum scratch (`B+1`), for the old kernel during fades.
    spec_old: Vec<C32>,
    /// FFT scratch.
    fft_scratch: Vec<C32>,
    /// Low-pass outputs of one partition (`MAX_CROSSOVERS × B`).
    lows: Vec<f32>,
    /// Design plans and scratch (inline designs).
    designer: Option<Designer>,
    /// Design on the calling thread when `set_bands` asks for new crossovers.
    inline_design: bool,
    /// A set handed over by `install_kernels`, applied at the next free boundary.
    pending: Option<Box<KernelSet>>,
    /// Storage replaced by an installed set, waiting to be collected.
    retired: Option<Box<KernelSet>>,
}

impl Default for LinearPhaseSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for LinearPhaseSplitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinearPhaseSplitter")
            .field("sample_rate", &self.sample_rate)
            .field("num_bands", &self.out_bands)
            .field("crossover_hz", &self.crossover_hz)
            .field("latency", &self.latency())
            .finish()
    }
}

/// Partition length for a sample rate: 256 at 48 kHz, scaled, a power of two in 64..=2048.
fn partition_len(sample_rate: f32) -> usize {
    let b = (f64::from(sample_rate) * 256.0 / 48_000.0).ceil() as usize;
    b.next_power_of_two().clamp(64, 2048)
}

impl LinearPhaseSplitter {
    /// Cheap: nothing allocated, two bands at 1 kHz; call `prepare` before processing
    /// (an unprepared splitter outputs silence).
    pub fn new() -> Self {
        Self {
            sample_rate: 48_000.0,
            channels: 0,
            block: 256,
            partitions: 0,
            half_len: 0,
            design_len: 0,
            kernel_bands: 2,
            out_bands: 2,
            crossover_hz: [1000.0, 2000.0, 4000.0, 8000.0],
            want_bands: 2,
            want_hz: [1000.0, 2000.0, 4000.0, 8000.0],
            kernels: [Vec::new(), Vec::new()],
            active: 0,
            fading: [false; MAX_CROSSOVERS],
            fade_from_identity: [false; MAX_CROSSOVERS],
            fade_pos: None,
            fade_len: 1,
            pos: 0,
            head: 0,
            written: 0,
            chans: Vec::new(),
            fft: None,
            ifft: None,
            time: Vec::new(),
            spec: Vec::new(),
            spec_old: Vec::new(),
            fft_scratch: Vec::new(),
            lows: Vec::new(),
            designer: None,
            inline_design: true,
            pending: None,
            retired: None,
        }
    }

    /// Allocates everything for `sample_rate` (clamped to 1 kHz..=1 MHz; designed for
    /// 8..=384 kHz) and 1 or 2 `channels`, designs the kernels for the current bands, and
    /// resets. `max_block` is not needed: any block length streams through.
    pub fn prepare(&mut self, sample_rate: f32, _max_block: usize, channels: usize) {
        let layout = Layout::new(sample_rate);
        let sr = layout.sample_rate;
        self.sample_rate = sr;
        self.channels = channels.clamp(1, MAX_CHANNELS);
        let b = layout.block;
        self.block = b;
        self.half_len = layout.half_len;
        self.partitions = layout.partitions;
        self.design_len = layout.design_len;
        let designer = Designer::new(&layout);
        let mut planner = RealFftPlanner::<f32>::new();
        let ifft = planner.plan_fft_inverse(2 * b);
        let scratch = designer.fft_scratch.len().max(ifft.get_scratch_len());
        self.fft_scratch = vec![C32::default(); scratch];
        self.fft = Some(designer.fft.clone());
        self.ifft = Some(ifft);
        self.designer = Some(designer);
        self.time = vec![0.0; 2 * b];
        self.spec = vec![C32::default(); b + 1];
        self.spec_old = vec![C32::default(); b + 1];
        self.lows = vec![0.0; MAX_CROSSOVERS * b];
        let kernel_len = layout.set_len();
        self.kernels = [
            vec![C32::default(); kernel_len],
            vec![C32::default(); kernel_len],
        ];
        // Sets designed for the old layout are of no use now.
        self.pending = None;
        self.retired = None;
        let ring = (self.half_len + 2 * b).next_power_of_two();
        self.chans = (0..self.channels)
            .map(|_| Channel {
                frame: vec![0.0; 2 * b],
                fdl: vec![C32::default(); self.partitions * (b + 1)],
                history: vec![0.0; ring],
                out: vec![0.0; MAX_BANDS * b],
            })
            .collect();
        self.fade_len = FADE_PARTITIONS * b;
        self.kernel_bands = self.want_bands;
        for k in 0..MAX_CROSSOVERS {
            self.want_hz[k] = clamp_crossover_hz(sr, self.want_hz[k]);
        }
        self.crossover_hz = self.want_hz;
        self.active = 0;
        for k in 0..MAX_CROSSOVERS {
            self.design_kernel(0, k, self.crossover_hz[k]);
        }
        self.reset();
    }

    /// The sizes of the prepared sample rate.
    fn layout(&self) -> Layout {
        Layout {
            sample_rate: self.sample_rate,
            block: self.block,
            partitions: self.partitions,
            half_len: self.half_len,
            design_len: self.design_len,
        }
    }

    /// Designs a complete kernel set for `crossover_hz.len() + 1` bands (clamped to
    /// 2..=[`MAX_BANDS`]; crossovers clamped and sorted as [`LinearPhaseSplitter::set_bands`]
    /// does) at `sample_rate`. Allocates and takes about a millisecond per crossover at
    /// 48 kHz: call it on a background thread, then hand the box to
    /// [`LinearPhaseSplitter::install_kernels`] of a splitter prepared at the same rate.
    pub fn design(crossover_hz: &[f32], sample_rate: f32) -> Box<KernelSet> {
        let layout = Layout::new(sample_rate);
        let mut hz = [1000.0; MAX_CROSSOVERS];
        let nb = normalise_bands(layout.sample_rate, crossover_hz, &mut hz);
        let mut spectra = vec![C32::default(); layout.set_len()];
        let mut designer = Designer::new(&layout);
        for (k, &f) in hz.iter().enumerate().take(nb - 1) {
            designer.design(&layout, &mut spectra, k, f);
        }
        Box::new(KernelSet {
            layout,
            num_bands: nb,
            crossover_hz: hz,
            spectra,
        })
    }

    /// Hands over a kernel set designed by [`LinearPhaseSplitter::design`]: no allocation,
    /// no design, no blocking. It is swapped in at the next partition boundary where no
    /// fade runs and the retired slot is empty; the crossovers it changes cross-fade, a
    /// band-count change applies as with `set_bands`. Returns a box for the caller to drop
    /// off the audio thread, if any: the set itself when it does not fit
    /// ([`KernelSet::fits`]), a set installed before that was never used (the newest
    /// wins), or else retired storage (see [`LinearPhaseSplitter::take_retired_kernels`]).
    pub fn install_kernels(&mut self, set: Box<KernelSet>) -> Option<Box<KernelSet>> {
        if !set.fits(self) {
            return Some(set);
        }
        match self.pending.replace(set) {
            Some(unused) => Some(unused),
            None => self.retired.take(),
        }
    }

    /// Storage an installed set replaced (drop it off the audio thread); `None` most of
    /// the time. Poll once per block when installing sets: a new set waits while this
    /// slot is full.
    pub fn take_retired_kernels(&mut self) -> Option<Box<KernelSet>> {
        self.retired.take()
    }

    /// `true` (the default): `set_bands` designs changed crossovers on the calling
    /// thread at the next partition boundary. `false`: it never designs; the splitter
    /// follows installed sets only (band count included).
    pub fn set_inline_design(&mut self, inline: bool) {
        self.inline_design = inline;
    }

    /// Swaps the pending set into kernel storage `set` (its old storage is retired); sets
    /// the crossovers and band count, and returns which crossovers changed (and which
    /// were added). Only call with `pending` present and `retired` empty.
    fn swap_in_pending(&mut self, set: usize) -> ([bool; MAX_CROSSOVERS], [bool; MAX_CROSSOVERS]) {
        let mut changed = [false; MAX_CROSSOVERS];
        let mut added = [false; MAX_CROSSOVERS];
        let Some(mut new) = self.pending.take() else {
            return (changed, added);
        };
        std::mem::swap(&mut self.kernels[set], &mut new.spectra);
        let old_bands = self.kernel_bands;
        for k in 0..new.num_bands - 1 {
            added[k] = k >= old_bands - 1;
            changed[k] = added[k] || new.crossover_hz[k] != self.crossover_hz[k];
        }
        self.kernel_bands = new.num_bands;
        self.want_bands = new.num_bands;
        self.crossover_hz[..new.num_bands - 1].copy_from_slice(new.crossover_hz());
        self.want_hz = self.crossover_hz;
        // `new` now holds the replaced storage.
        self.retired = Some(new);
        (changed, added)
    }

    /// Clears the streaming state and ends any fade (kernels stay; a pending change is
    /// applied at once).
    pub fn reset(&mut self) {
        for c in &mut self.chans {
            c.frame.fill(0.0);
            c.fdl.fill(C32::default());
            c.history.fill(0.0);
            c.out.fill(0.0);
        }
        self.pos = 0;
        self.head = 0;
        self.out_bands = self.want_bands;
        self.written = 0;
        if self.fade_pos.is_some() {
            self.active = 1 - self.active;
        }
        self.fade_pos = None;
        self.fading = [false; MAX_CROSSOVERS];
        if self.chans.is_empty() {
            return;
        }
        if self.pending.is_some() && self.retired.is_none() {
            self.swap_in_pending(self.active);
            self.out_bands = self.kernel_bands;
            return;
        }
        if !self.inline_design {
            return;
        }
        self.kernel_bands = self.want_bands;
        for k in 0..MAX_CROSSOVERS {
            if self.want_hz[k] != self.crossover_hz[k] {
                self.crossover_hz[k] = self.want_hz[k];
                self.design_kernel(self.active, k, self.want_hz[k]);
            }
        }
    }

    /// Latency in samples: kernel delay `D` plus one partition `B`.
    pub fn latency(&self) -> usize {
        self.half_len + self.block
    }

    /// Partition length `B` (cost/latency trade-off; for benches and notes).
    pub fn partition_len(&self) -> usize {
        self.block
    }

    /// Kernel length `2D+1` in taps.
    pub fn kernel_len(&self) -> usize {
        2 * self.half_len + 1
    }

    /// Bands produced (a band-count change shows here when its first samples leave).
    pub fn num_bands(&self) -> usize {
        self.out_bands
    }

    /// The crossover frequencies of the active kernels.
    pub fn crossover_hz(&self) -> &[f32] {
        &self.crossover_hz[..self.kernel_bands - 1]
    }

    /// True while kernels cross-fade.
    pub fn is_fading(&self) -> bool {
        self.fade_pos.is_some()
    }

    /// Requests `crossover_hz.len() + 1` bands (clamped to 2..=MAX_BANDS) at these
    /// crossovers (clamped, sorted). Takes effect at the next partition boundary (after a
    /// running fade); compare-then-update, so calling it every block is cheap.
    pub fn set_bands(&mut self, crossover_hz: &[f32]) {
        let mut hz = self.want_hz;
        let nb = normalise_bands(self.sample_rate, crossover_hz, &mut hz);
        self.want_bands = nb;
        self.want_hz = hz;
    }

    /// Designs the kernel of crossover `k` at `hz` into kernel set `set`.
    fn design_kernel(&mut self, set: usize, k: usize, hz: f32) {
        let layout = self.layout();
        if let Some(designer) = self.designer.as_mut() {
            designer.design(&layout, &mut self.kernels[set], k, hz);
        }
    }

    /// Applies a pending band/crossover change at a partition boundary.
    fn apply_pending(&mut self) {
        if self.fade_pos.is_some() {
            return;
        }
        if self.pending.is_some() && self.retired.is_none() {
            let other = 1 - self.active;
            let (changed, added) = self.swap_in_pending(other);
            self.fading = changed;
            self.fade_from_identity = added;
            if changed.iter().any(|&c| c) {
                self.fade_pos = Some(0);
            } else {
                // Same crossovers: the new storage holds the same kernels.
                self.active = other;
            }
            return;
        }
        if !self.inline_design {
            return;
        }
        let old_bands = self.kernel_bands;
        let new_bands = self.want_bands;
        let mut any = false;
        let other = 1 - self.active;
        for k in 0..new_bands - 1 {
            let added = k >= old_bands - 1;
            if added || self.want_hz[k] != self.crossover_hz[k] {
                self.crossover_hz[k] = self.want_hz[k];
                self.design_kernel(other, k, self.want_hz[k]);
                self.fading[k] = true;
                self.fade_from_identity[k] = added;
                any = true;
            }
        }
        self.kernel_bands = new_bands;
        if any {
            // Crossovers not fading: the new set must hold their kernels too.
            let stride = self.partitions * (self.block + 1);
            for k in 0..MAX_CROSSOVERS {
                if !self.fading[k] {
                    let (a, b) = self.kernels.split_at_mut(1);
                    let (from, to) = if self.active == 0 {
                        (&a[0], &mut b[0])
                    } else {
                        (&b[0], &mut a[0])
                    };
                    to[k * stride..(k + 1) * stride]
                        .copy_from_slice(&from[k * stride..(k + 1) * stride]);
                }
            }
            self.fade_pos = Some(0);
        }
    }

    /// Splits a stereo block: `left_bands[b][i]` is band `b` of `left[i]`, delayed by
    /// `latency()`. Processes `min` of all lengths. Band slices past
    /// [`LinearPhaseSplitter::num_bands`] are zero-filled; with one prepared channel the
    /// right bands are left untouched.
    pub fn process_stereo<'a>(
        &mut self,
        left: &[f32],
        right: &[f32],
        left_bands: &mut [&'a mut [f32]],
        right_bands: &mut [&'a mut [f32]],
    ) {
        let len = left_bands
            .iter()
            .chain(right_bands.iter())
            .map(|b| b.len())
            .fold(left.len().min(right.len()), usize::min);
        self.process_inner(&[left, right], &mut [left_bands, right_bands], len);
    }

    /// Splits a mono block (channel 0); see [`LinearPhaseSplitter::process_stereo`].
    pub fn process_mono(&mut self, input: &[f32], bands: &mut [&mut [f32]]) {
        let len = bands.iter().map(|b| b.len()).fold(input.len(), usize::min);
        self.process_inner(&[input], &mut [bands], len);
    }

    fn process_inner(&mut self, inputs: &[&[f32]], outputs: &mut [&mut [&mut [f32]]], len: usize) {
        if self.chans.is_empty() {
            for o in outputs.iter_mut() {
                for band in o.iter_mut() {
                    band[..len].fill(0.0);
                }
            }
            return;
        }
        let b = self.block;
        let mask = self.chans[0].history.len() - 1;
        let mut i = 0;
        while i < len {
            let n = (b - self.pos).min(len - i);
            let nb = self.out_bands;
            for (c, (input, out)) in inputs.iter().zip(outputs.iter_mut()).enumerate() {
                let Some(ch) = self.chans.get_mut(c) else {
                    continue;
                };
                let mut w = self.written;
                for (j, &x) in input[i..i + n].iter().enumerate() {
                    let x = if x.is_finite() {
                        x.clamp(-INPUT_LIMIT, INPUT_LIMIT)
                    } else {
                        0.0
                    };
                    ch.frame[b + self.pos + j] = x;
                    ch.history[w & mask] = x;
                    w = w.wrapping_add(1);
                }
                for (band, dst) in out.iter_mut().enumerate() {
                    if band < nb {
                        let src = &ch.out[band * b + self.pos..band * b + self.pos + n];
                        dst[i..i + n].copy_from_slice(src);
                    } else {
                        dst[i..i + n].fill(0.0);
                    }
                }
            }
            self.written = self.written.wrapping_add(n);
            self.pos += n;
            i += n;
            if self.pos == b {
                self.pos = 0;
                self.compute_partition();
            }
        }
    }

    /// One overlap-save step for every channel: transform the new partition, convolve,
    /// and form the band outputs for the next `B` samples.
    fn compute_partition(&mut self) {
        let (Some(fft), Some(ifft)) = (self.fft.clone(), self.ifft.clone()) else {
            return;
        };
        let b = self.block;
        let bins = b + 1;
        let p_count = self.partitions;
        let nb = self.kernel_bands;
        let stride = p_count * bins;
        self.head = (self.head + 1) % p_count;
        let head = self.head;
        let fade = self.fade_pos;
        let (kn, ko) = if fade.is_some() {
            (1 - self.active, self.active)
        } else {
            (self.active, self.active)
        };
        for c in 0..self.chans.len() {
            let ch = &mut self.chans[c];
            // Forward transform of [previous, current] into the FDL head slot.
            let t = &mut self.time[..2 * b];
            t.copy_from_slice(&ch.frame);
            let _ = fft.process_with_scratch(
                t,
                &mut ch.fdl[head * bins..(head + 1) * bins],
                &mut self.fft_scratch,
            );
            ch.frame.copy_within(b.., 0);
            for k in 0..nb - 1 {
                let fading = fade.is_some() && self.fading[k];
                convolve(
                    &self.kernels[kn][k * stride..(k + 1) * stride],
                    &ch.fdl,
                    head,
                    p_count,
                    bins,
                    &mut self.spec[..bins],
                );
                let t = &mut self.time[..2 * b];
                let _ = ifft.process_with_scratch(&mut self.spec[..bins], t, &mut self.fft_scratch);
                self.lows[k * b..(k + 1) * b].copy_from_slice(&t[b..]);
                if fading {
                    let pos0 = fade.unwrap_or(0);
                    let low = &mut self.lows[k * b..(k + 1) * b];
                    if self.fade_from_identity[k] {
                        // Fade in from δ(n−D): the old "low-pass" is the delayed input.
                        let mask = ch.history.len() - 1;
                        let start = self.written.wrapping_sub(b + self.half_len);
                        for (j, y) in low.iter_mut().enumerate() {
                            let old = ch.history[start.wrapping_add(j) & mask];
                            let w = (pos0 + j) as f32 / self.fade_len as f32;
                            *y = old + w * (*y - old);
                        }
                    } else {
                        convolve(
                            &self.kernels[ko][k * stride..(k + 1) * stride],
                            &ch.fdl,
                            head,
                            p_count,
                            bins,
                            &mut self.spec_old,
                        );
                        let _ =
                            ifft.process_with_scratch(&mut self.spec_old, t, &mut self.fft_scratch);
                        for (j, (y, &old)) in low.iter_mut().zip(&t[b..]).enumerate() {
                            let w = (pos0 + j) as f32 / self.fade_len as f32;
                            *y = old + w * (*y - old);
                        }
                    }
                }
            }
            // Bands from the low-passes: T_0, T_k − T_{k−1}, δ_D − T_{N−2}.
            let mask = ch.history.len() - 1;
            let start = self.written.wrapping_sub(b + self.half_len);
            for k in 0..nb - 1 {
                for j in 0..b {
                    let lo = self.lows[k * b + j];
                    let below = if k == 0 {
                        0.0
                    } else {
                        self.lows[(k - 1) * b + j]
                    };
                    ch.out[k * b + j] = lo - below;
                }
            }
            let last = nb - 1;
            for j in 0..b {
                let x = ch.history[start.wrapping_add(j) & mask];
                ch.out[last * b + j] = x - self.lows[(last - 1) * b + j];
            }
        }
        self.out_bands = nb;
        if let Some(p) = self.fade_pos {
            let p = p + b;
            if p >= self.fade_len {
                self.fade_pos = None;
                self.active = 1 - self.active;
                self.fading = [false; MAX_CROSSOVERS];
            } else {
                self.fade_pos = Some(p);
            }
        }
        self.apply_pending();
    }
}

/// `acc = Σ_p kernel_p · fdl[(head − p) mod P]` over `bins` bins.
#[inline]
fn convolve(kernel: &[C32], fdl: &[C32], head: usize, parts: usize, bins: usize, acc: &mut [C32]) {
    acc.fill(C32::default());
    for p in 0..parts {
        let slot = (head + parts - p) % parts;
        let h = &kernel[p * bins..(p + 1) * bins];
        let x = &fdl[slot * bins..(slot + 1) * bins];
        for ((a, h), x) in acc.iter_mut().zip(h).zip(x) {
            a.re += h.re * x.re - h.im * x.im;
            a.im += h.re * x.im + h.im * x.re;
        }
    }
}

/// Target magnitude (linear) of band `band` of an `N`-band split with ascending
/// `crossover_hz` (`N = crossover_hz.len() + 1`) at `freq_hz`: `T_b − T_{b−1}` with
/// `T_{−1} = 0`, `T_{N−1} = 1` and `T_k` the bilinear LR4 low-pass magnitude.
pub fn band_magnitude(sample_rate: f32, crossover_hz: &[f32], band: usize, freq_hz: f32) -> f64 {
    let t = |k: usize| -> f64 {
        if k >= crossover_hz.len() {
            1.0
        } else {
            lr_magnitude(LrOrder::Lr4, sample_rate, crossover_hz[k], freq_hz, false)
        }
    };
    if band == 0 {
        t(0)
    } else {
        t(band) - t(band - 1)
    }
}

#[cfg(test)]
#[path = "linear_phase/tests.rs"]
mod tests;
