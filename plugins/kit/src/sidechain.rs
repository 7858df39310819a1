//! The sidechain (key) input as every keyed Lacquer plugin (Compressor, Ducker) reads it.
//!
//! * [`KeyPort`]: the host's first auxiliary input when it is a full-length port of 1 or 2
//!   channels, else none.
//! * [`KeyLatch`]: "is a key connected?" nice-plug does not forward the hosts' silence flags
//!   (CLAP `constant_mask`, VST3 `silenceFlags`), and a port the host does not route arrives
//!   as zeroed storage. So the key counts as connected once the port has delivered a
//!   non-zero sample while the key is in use (since activation or reset); the block is split
//!   at that exact sample so the switch is sample-accurate and independent of the host's
//!   block size. When the host stops passing the port the latch forgets the key. A connected
//!   key that falls silent later stays the key (a gated kick must not hand detection back
//!   between hits).

use nice_plug::prelude::{new_nonzero_u32, AudioIOLayout, AuxiliaryBuffers, NonZeroU32, PortNames};

/// A main layout (`main` channels in and out) with one sidechain port of `key` channels.
pub const fn keyed_layout(
    main: u32,
    key: &'static [NonZeroU32],
    name: &'static str,
) -> AudioIOLayout {
    AudioIOLayout {
        main_input_channels: NonZeroU32::new(main),
        main_output_channels: NonZeroU32::new(main),
        aux_input_ports: key,
        aux_output_ports: &[],
        names: PortNames {
            layout: Some(name),
            main_input: Some("Input"),
            main_output: Some("Output"),
            aux_inputs: &["Sidechain"],
            aux_outputs: &[],
        },
    }
}

/// A stereo sidechain port.
const STEREO_KEY: &[NonZeroU32] = &[new_nonzero_u32(2)];
/// A mono sidechain port.
const MONO_KEY: &[NonZeroU32] = &[new_nonzero_u32(1)];

/// The layouts of every keyed Lacquer plugin (Compressor, Ducker, Multiband): stereo or mono,
/// each with a stereo or mono sidechain. The order is the hosts' preference (and saved).
pub const KEYED_LAYOUTS: [AudioIOLayout; 4] = [
    keyed_layout(2, STEREO_KEY, "Stereo"),
    keyed_layout(2, MONO_KEY, "Stereo, mono sidechain"),
    keyed_layout(1, MONO_KEY, "Mono"),
    keyed_layout(1, STEREO_KEY, "Mono, stereo sidechain"),
];

/// Where a keyed plugin's detector listens right now, for the editor's status text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum KeyStatus {
    /// Source Internal: the main input.
    Internal = 0,
    /// Source External and a key arrives.
    External = 1,
    /// Source External but the host delivers no key: the main input is used.
    NoKey = 2,
}

impl KeyStatus {
    /// From the source switch and whether a key is connected ([`KeyLatch::seen`] and a port).
    pub fn new(external: bool, key_connected: bool) -> Self {
        match (external, key_connected) {
            (false, _) => KeyStatus::Internal,
            (true, true) => KeyStatus::External,
            (true, false) => KeyStatus::NoKey,
        }
    }

    /// Decode an atomic's value.
    pub fn from_u8(v: u8) -> Self {
        match v {
            1 => KeyStatus::External,
            2 => KeyStatus::NoKey,
            _ => KeyStatus::Internal,
        }
    }

    /// The editor's status text.
    pub fn text(self) -> &'static str {
        match self {
            KeyStatus::Internal => "internal: input",
            KeyStatus::External => "external key",
            KeyStatus::NoKey => "no key: using input",
        }
    }
}

/// The key channels of one process call.
#[derive(Clone, Copy, Debug)]
pub struct KeyPort<'a> {
    /// Channel 0 and the last channel (equal for a mono key); empty without a key.
    channels: [&'a [f32]; 2],
    /// 0 (no usable port), 1 or 2.
    count: usize,
}

impl<'a> KeyPort<'a> {
    /// The first auxiliary input if it has 1 or more channels of exactly `samples` samples.
    pub fn from_aux(aux: &'a AuxiliaryBuffers, samples: usize) -> Self {
        let port = aux
            .inputs
            .first()
            .map(|b| b.as_slice_immutable())
            .filter(|ch| !ch.is_empty() && ch.iter().all(|c| c.len() == samples));
        match port {
            Some(s) => Self::from_channels(s[0], s[s.len().min(2) - 1], s.len().min(2)),
            None => Self::none(),
        }
    }

    /// A key from up to two channels (`count` 1 or 2; for tests and standalone use).
    pub fn from_channels(first: &'a [f32], last: &'a [f32], count: usize) -> Self {
        Self {
            channels: [first, last],
            count: count.min(2),
        }
    }

    /// No key port.
    pub fn none() -> Self {
        Self {
            channels: [&[], &[]],
            count: 0,
        }
    }

    /// Channels (0 without a port).
    pub fn channels(&self) -> usize {
        self.count
    }

    /// The channels' samples `start..end` (empty slices without a port).
    pub fn span(&self, start: usize, end: usize) -> [&'a [f32]; 2] {
        if self.count == 0 {
            [&[], &[]]
        } else {
            [&self.channels[0][start..end], &self.channels[1][start..end]]
        }
    }
}

/// One span of a sub-block: `start..end`, and whether the key counts as connected in it.
pub type KeySpan = (usize, usize, bool);

/// The "key connected" latch (see the module header).
#[derive(Clone, Copy, Debug, Default)]
pub struct KeyLatch {
    /// The port has delivered a non-zero sample since activation/reset.
    seen: bool,
}

impl KeyLatch {
    /// Forget the key (activation, reset).
    pub fn reset(&mut self) {
        self.seen = false;
    }

    /// Whether the key counts as connected now.
    pub fn seen(&self) -> bool {
        self.seen
    }

    /// Call once per block with the block's port: forgets the key when there is none.
    pub fn begin_block(&mut self, port: &KeyPort) {
        if port.channels() == 0 {
            self.seen = false;
        }
    }

    /// Splits `start..end` at the key's first non-zero sample while the key is not yet seen.
    /// Scans only while `in_use` (the key is the plugin's source): the scan would otherwise
    /// run on every block of a key that is never used (and DAZ reads denormal input as zeros,
    /// so it never ends). Spans with `start == end` are empty; skip them.
    pub fn spans(
        &mut self,
        port: &KeyPort,
        start: usize,
        end: usize,
        in_use: bool,
    ) -> [KeySpan; 2] {
        let mut spans = [(start, end, self.seen), (end, end, true)];
        if in_use && !self.seen && port.channels() > 0 {
            let k = &port.channels[..port.count];
            let first = |c: &[f32]| c[start..end].iter().position(|&x| x != 0.0);
            if let Some(i) = k.iter().filter_map(|c| first(c)).min().map(|i| start + i) {
                spans = [(start, i, false), (i, end, true)];
                self.seen = true;
            }
        }
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latch_splits_at_the_first_non_zero_sample_and_forgets_a_missing_port() {
        let a = [0.0, 0.0, 0.0, 0.5, 0.0, 0.0];
        let b = [0.0, 0.0, 1e-3, 0.0, 0.0, 0.0];
        let port = KeyPort::from_channels(&a, &b, 2);
        let mut latch = KeyLatch::default();
        assert_eq!(
            latch.spans(&port, 0, 2, true),
            [(0, 2, false), (2, 2, true)]
        );
        assert_eq!(
            latch.spans(&port, 0, 6, false),
            [(0, 6, false), (6, 6, true)]
        );
        assert_eq!(
            latch.spans(&port, 1, 6, true),
            [(1, 2, false), (2, 6, true)]
        );
        assert!(latch.seen());
        // Silence later does not unlatch; a missing port does.
        assert_eq!(latch.spans(&port, 4, 6, true), [(4, 6, true), (6, 6, true)]);
        latch.begin_block(&KeyPort::from_channels(&a, &a, 1));
        assert!(latch.seen());
        latch.begin_block(&KeyPort::none());
        assert!(!latch.seen());
        assert_eq!(KeyPort::none().span(0, 0), [&[] as &[f32], &[]]);
        assert_eq!(port.span(2, 4), [&a[2..4], &b[2..4]]);
    }
}
