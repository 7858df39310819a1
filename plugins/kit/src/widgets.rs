//! Parameter widgets, one per file. Each is built with `for_param(&param, setter)` and added
//! with `ui.add(...)`; behaviour is shared through [`crate::param_control`].

pub mod fader;
pub mod knob;
pub mod numeric_field;
pub mod segmented;
pub mod toggle;

pub use fader::Fader;
pub use knob::Knob;
pub use numeric_field::NumericField;
pub use segmented::Segmented;
pub use toggle::Toggle;
