//! `dsp-core`: Lacquer's shared real-time DSP. No plugin framework, no GUI, no runtime
//! dependencies. Every processor follows one lifecycle: `new()`/`Default` (cheap),
//! `prepare(sample_rate, max_block, channels)` (the only allocation), `reset()`,
//! setters or a settings struct applied once per (sub-)block, `process…`, `latency()`.

pub mod band_spectrum;
pub mod bass_mono;
pub mod biquad;
pub mod bypass;
pub mod compressor;
pub mod crossover;
pub mod db;
pub mod delay;
pub mod ducker;

pub mod dither;
pub mod dynamics;
pub mod envelope;
pub mod eq;
pub mod fdn;
pub mod imager;
pub mod k_weighting;
mod lanes;
pub mod limiter;
pub mod linear_phase;
pub mod loudness;
pub mod meter;
pub mod multiband;
pub mod one_pole;
pub mod oversampler;
pub mod panner;
pub mod reverb;
pub mod smoother;
pub mod svf;

#[cfg(test)]
mod test_util;

pub use biquad::{Biquad, BiquadCoefs, FilterParams, FilterType};
pub use compressor::{Compressor, CompressorSettings, Listen};
pub use crossover::{Crossover, LrOrder};
pub use db::{db_to_gain, gain_to_db, MINUS_INFINITY_DB};
pub use delay::{DelayLine, Interpolation};
pub use ducker::{Ducker, DuckerSettings, KeySource, MissingKey};

pub use dither::{Dither, DitherBits, DitherMode};
pub use envelope::{EnvelopeFollower, EnvelopeMode};
pub use limiter::{Limiter, LimiterSettings};
pub use meter::{CorrelationMeter, LevelMeter};
pub use one_pole::OnePole;
pub use panner::{PanLaw, PanMode, PanTaper, Panner, PannerSettings};
pub use smoother::{Smoother, SmoothingStyle};
