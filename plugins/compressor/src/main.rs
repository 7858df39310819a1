//! Lacquer Compressor as a standalone application (JACK, ALSA or a dummy backend).
use lacquer_compressor::LacquerCompressor;
use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<LacquerCompressor>();
}
