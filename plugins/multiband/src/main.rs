//! Lacquer Multiband as a standalone application (JACK, ALSA or a dummy backend).
use lacquer_multiband::LacquerMultiband;
use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<LacquerMultiband>();
}
