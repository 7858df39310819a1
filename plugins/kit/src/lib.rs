//! Lacquer's shared plugin-side kit: the meters bridge between the audio thread and the
//! editors, and (growing) the theme and widgets every Lacquer editor is built from.

pub mod meters_bridge;
