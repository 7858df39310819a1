//! Lacquer Channel EQ as a standalone application (JACK, ALSA or a dummy backend).
use lacquer_channel_eq::LacquerChannelEq;
use nice_plug::prelude::*;

fn main() {
    nice_export_standalone::<LacquerChannelEq>();
}
