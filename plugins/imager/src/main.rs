//! Lacquer Imager as a standalone application (JACK, ALSA or a dummy backend).
use lacquer_imager::LacquerImager;
use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<LacquerImager>();
}
