//! Lacquer Reverb Send as a standalone application (JACK, ALSA or a dummy backend).
use lacquer_reverb_send::LacquerReverbSend;
use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<LacquerReverbSend>();
}
