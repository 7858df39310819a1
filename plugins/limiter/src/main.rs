//! Lacquer Limiter as a standalone application (JACK, ALSA or a dummy backend).
use lacquer_limiter::LacquerLimiter;
use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<LacquerLimiter>();
}
