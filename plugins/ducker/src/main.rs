//! Lacquer Ducker as a standalone application (JACK, ALSA or a dummy backend).
use lacquer_ducker::LacquerDucker;
use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<LacquerDucker>();
}
