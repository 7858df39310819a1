//! Lacquer Loudness as a standalone application (JACK, ALSA or a dummy backend).
use lacquer_loudness::LacquerLoudness;
use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<LacquerLoudness>();
}
