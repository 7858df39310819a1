//! Lacquer Panner as a standalone application (JACK, ALSA or a dummy backend).
use lacquer_panner::LacquerPanner;
use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<LacquerPanner>();
}
