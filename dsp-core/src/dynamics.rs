//! The shared dynamics core of the Compressor, Ducker, Multiband and Limiter: a
//! feed-forward, log-domain design after D. Giannoulis, M. Massberg, J. D. Reiss,
//! "Digital Dynamic Range Compressor Design — A Tutorial and Analysis", JAES 60(6),
//! 2012 (their Fig. 7(b) topology: level detection → gain computer in dB → ballistics on
//! the gain change in dB → linear gain).
//!
//! * [`detector`]: key selection (external key or fallback to the main input), key
//!   high/low-pass filters, L/R or M/S, peak or windowed RMS level in dB, stereo link.
//! * [`gain_computer`]: the static curve with quadratic soft knee (eq. 4 of the paper),
//!   ratio ∞ and < 1, above- or below-threshold action, range clamp.
//! * [`ballistics`]: attack/hold/release smoothing of the gain change in dB, with a
//!   program-dependent (dual time constant) auto release.
//! * [`lookahead`]: the integer delay of the audio path that makes lookahead and
//!   latency-aligned dry signals.
//! * `fast_math` (crate-private): vectorisable `log2`/`exp2` used for the per-sample dB
//!   conversions (≤ 2e-4 dB error, tested against `std`).

pub mod ballistics;
pub mod detector;
pub(crate) mod fast_math;
pub mod gain_computer;
pub mod lookahead;

pub use ballistics::{Ballistics, BallisticsSettings};
pub use detector::{DetectionMode, Detector, DetectorSettings, StereoMode};
pub use gain_computer::{CurveSide, GainCurve};
pub use lookahead::LookaheadDelay;

/// Channels every dynamics building block holds state for (stereo; M/S counts as two).
pub const MAX_DYNAMICS_CHANNELS: usize = 2;
