//! The audio-thread side of the reference A/B: plays the chosen reference (looped from a start
//! point) in place of the live programme while "Reference" is on, at the gain that matches its
//! integrated loudness to the live programme's, and cross-fades every switch.
//!
//! - Gain: `live integrated − reference integrated` (both BS.1770-5 gated, LUFS). Before the
//!   live programme has an integrated loudness (less than 400 ms above the −70 LUFS gate since
//!   reset), its short-term loudness stands in; before that too, the reference plays at its own
//!   level (0 dB). The gain is clamped to −60…+24 dB and glides (50 ms, geometric) as the
//!   live measurement moves.
//! - Switching (on/off, another slot, a slot emptied or reloaded, bypass) is an equal-power
//!   cross-fade of [`FADE_MS`] between the two sources; a reference starts at its start point
//!   when it fades in. The loop's end joins its start with a cross-fade of the same length.
//! - Tracks arrive through [`Shared::inbox`]; a replaced one leaves through
//!   [`Shared::outbox`]. The inbox is read only while the outbox has room, and an install
//!   that would take away the track being heard waits until the fade away from it is done, so
//!   the audio thread neither frees memory nor cuts a track mid-sample. No allocation, no
//!   lock after [`ReferencePlayer::prepare`].

use super::{is_measured, Install, ReferenceTrack, Shared, MAX_REFERENCES};
use dsp_core::smoother::{Smoother, SmoothingStyle};
use std::f32::consts::FRAC_PI_2;
use std::sync::Arc;

/// Length of every switch's cross-fade and of the loop join, ms.
pub const FADE_MS: f32 = 10.0;

/// Glide of the matching gain when the live measurement moves, ms.
const GAIN_GLIDE_MS: f32 = 50.0;

/// Loudest boost the matching applies, dB (a near-silent reference is not raised further).
pub const MAX_MATCH_GAIN_DB: f64 = 24.0;

/// Strongest cut the matching applies, dB.
pub const MIN_MATCH_GAIN_DB: f64 = -60.0;

/// What the output carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The plugin's input, untouched.
    Live,
    /// Reference slot `n`.
    Reference(usize),
}

/// What the plugin asks for this block (parameters and the live measurement).
#[derive(Debug, Clone, Copy)]
pub struct PlayerSettings {
    /// The "Reference" switch (and not bypassed).
    pub reference_on: bool,
    /// The chosen slot.
    pub slot: usize,
    /// Where the loop starts, seconds into the reference (past its end: from the start).
    pub start_seconds: f32,
    /// The live programme's integrated loudness since reset, LUFS.
    pub live_integrated_lufs: f64,
    /// The live programme's short-term loudness, LUFS.
    pub live_short_term_lufs: f64,
}

/// A running cross-fade.
#[derive(Debug, Clone, Copy)]
struct Fade {
    /// Fading out.
    from: Source,
    /// Fading in.
    to: Source,
    /// Samples done.
    done: usize,
}

/// The matching gain for a reference, dB (see the module header).
pub fn match_gain_db(track: &ReferenceTrack, live_integrated: f64, live_short_term: f64) -> f64 {
    let reference = track.summary.integrated_lufs;
    if !is_measured(reference) {
        return 0.0;
    }
    let live = if is_measured(live_integrated) {
        live_integrated
    } else if is_measured(live_short_term) {
        live_short_term
    } else {
        return 0.0;
    };
    (live - reference).clamp(MIN_MATCH_GAIN_DB, MAX_MATCH_GAIN_DB)
}

fn db_to_gain(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

/// The audio-thread player (one per plugin instance).
#[derive(Debug)]
pub struct ReferencePlayer {
    /// The queues shared with the library.
    shared: Arc<Shared>,
    /// The tracks the audio thread holds, per slot.
    tracks: [Option<Arc<ReferenceTrack>>; MAX_REFERENCES],
    /// Playback position per slot, samples.
    positions: [usize; MAX_REFERENCES],
    /// Loop start per slot (latched when it fades in), samples.
    loop_starts: [usize; MAX_REFERENCES],
    /// An install taken from the inbox that waits for the fade away from its slot.
    held: Option<Install>,
    /// Host rate, Hz.
    sample_rate: f32,
    /// Host channels.
    channels: usize,
    /// What the output carries when no fade runs.
    heard: Source,
    /// The running cross-fade.
    fade: Option<Fade>,
    /// Cross-fade length, samples.
    fade_len: usize,
    /// The heard (or fading-in) reference's matching gain, linear, gliding.
    gain: Smoother,
    /// The fading-out source's gain, linear (constant for its fade; 1 for the live input).
    from_gain: f32,
}

impl ReferencePlayer {
    /// A player on `shared` (cheap; call [`ReferencePlayer::prepare`] before use).
    pub fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            tracks: Default::default(),
            positions: [0; MAX_REFERENCES],
            loop_starts: [0; MAX_REFERENCES],
            held: None,
            sample_rate: 48_000.0,
            channels: 2,
            heard: Source::Live,
            fade: None,
            fade_len: 480,
            gain: Smoother::new(SmoothingStyle::Logarithmic),
            from_gain: 1.0,
        }
    }

    /// For a host format (main thread, may free): drops the tracks of another format,
    /// returns to the live programme.
    pub fn prepare(&mut self, sample_rate: f32, channels: usize) {
        self.sample_rate = sample_rate;
        self.channels = channels;
        self.fade_len = ((FADE_MS * 1e-3 * sample_rate).round() as usize).max(1);
        self.gain.set_ramp_ms(sample_rate, GAIN_GLIDE_MS);
        self.gain.reset(1.0);
        for slot in 0..MAX_REFERENCES {
            if self.tracks[slot].as_ref().is_some_and(|t| !self.fits(t)) {
                self.tracks[slot] = None;
            }
            self.positions[slot] = 0;
        }
        self.held = None;
        self.heard = Source::Live;
        self.fade = None;
    }

    /// Whether `track` was made for this host format.
    fn fits(&self, track: &ReferenceTrack) -> bool {
        track.sample_rate == self.sample_rate.round().clamp(8_000.0, 768_000.0)
            && track.channels.len() == self.channels
            && !track.is_empty()
    }

    /// What the output carries now (the fade's target while one runs).
    pub fn source(&self) -> Source {
        self.fade.map_or(self.heard, |f| f.to)
    }

    /// The matching gain now applied to the heard reference, dB.
    pub fn gain_db(&self) -> f32 {
        20.0 * self.gain.peek(0).max(1e-9).log10()
    }

    /// Whether a cross-fade runs.
    pub fn is_fading(&self) -> bool {
        self.fade.is_some()
    }

    /// Whether slot `slot` holds a track on the audio side.
    pub fn has_track(&self, slot: usize) -> bool {
        self.tracks.get(slot).is_some_and(Option::is_some)
    }

    /// Whether `slot` is heard or part of the running fade.
    fn in_use(&self, slot: usize) -> bool {
        let s = Source::Reference(slot);
        self.heard == s || self.fade.is_some_and(|f| f.from == s || f.to == s)
    }

    /// Takes the library's installs (lock-free; frees nothing).
    fn take_installs(&mut self) {
        loop {
            // Room for the track this install may replace, and for a misfit new one.
            if self.shared.outbox.capacity() - self.shared.outbox.len() < 2 {
                return;
            }
            let install = match self.held.take() {
                Some(install) => install,
                None => match self.shared.inbox.pop() {
                    Some(install) => install,
                    None => return,
                },
            };
            if install.slot >= MAX_REFERENCES {
                if let Some(track) = install.track {
                    let _ = self.shared.outbox.push(track);
                }
                continue;
            }
            if self.in_use(install.slot) {
                // Fade away from it first (see `wanted`).
                self.held = Some(install);
                return;
            }
            let track = match install.track {
                Some(track) if self.fits(&track) => Some(track),
                Some(misfit) => {
                    let _ = self.shared.outbox.push(misfit);
                    None
                }
                None => None,
            };
            if let Some(old) = std::mem::replace(&mut self.tracks[install.slot], track) {
                // Cannot fail: room was checked above and only this thread pushes.
                let _ = self.shared.outbox.push(old);
            }
        }
    }

    /// The source the settings ask for.
    fn wanted(&self, settings: &PlayerSettings) -> Source {
        let slot = settings.slot;
        let held = self.held.as_ref().is_some_and(|h| h.slot == slot);
        if settings.reference_on && slot < MAX_REFERENCES && self.tracks[slot].is_some() && !held {
            Source::Reference(slot)
        } else {
            Source::Live
        }
    }

    /// The loop start for `slot` at `start_seconds` (from the top when past the end or when
    /// the loop would be shorter than two fades).
    fn loop_start(&self, slot: usize, start_seconds: f32) -> usize {
        let len = self.tracks[slot].as_ref().map_or(0, |t| t.len());
        let start = (start_seconds.max(0.0) * self.sample_rate) as usize;
        if start + 2 * self.fade_len >= len {
            0
        } else {
            start
        }
    }

    /// Replaces `channels` (the live programme, in place) with what [`Source`] asks for.
    pub fn process(&mut self, channels: &mut [&mut [f32]], settings: &PlayerSettings) {
        self.take_installs();
        let wanted = self.wanted(settings);
        if self.fade.is_none() && wanted != self.heard {
            self.from_gain = match self.heard {
                Source::Reference(slot) => self.gain_for(slot, settings),
                Source::Live => 1.0,
            };
            if let Source::Reference(slot) = wanted {
                self.loop_starts[slot] = self.loop_start(slot, settings.start_seconds);
                self.positions[slot] = self.loop_starts[slot];
                self.gain.reset(self.gain_for(slot, settings));
            }
            self.fade = Some(Fade {
                from: self.heard,
                to: wanted,
                done: 0,
            });
        }
        let target = self.source();
        if let Source::Reference(slot) = target {
            self.gain.set_target(self.gain_for(slot, settings));
        }
        if self.heard == Source::Live && self.fade.is_none() {
            return;
        }
        let n = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        for i in 0..n {
            let gain = self.gain.next();
            match self.fade {
                None => {
                    let Source::Reference(slot) = self.heard else {
                        return;
                    };
                    self.write_reference(channels, i, slot, gain);
                }
                Some(mut fade) => {
                    let t = (fade.done as f32 + 0.5) / self.fade_len as f32;
                    let (a_from, a_to) = ((FRAC_PI_2 * t).cos(), (FRAC_PI_2 * t).sin());
                    let to_gain = match fade.to {
                        Source::Reference(_) => gain,
                        Source::Live => 1.0,
                    };
                    let from_gain = self.from_gain;
                    self.mix(
                        channels,
                        i,
                        fade.from,
                        a_from * from_gain,
                        a_to * to_gain,
                        fade.to,
                    );
                    fade.done += 1;
                    if fade.done >= self.fade_len {
                        self.heard = fade.to;
                        self.fade = None;
                    } else {
                        self.fade = Some(fade);
                    }
                }
            }
        }
    }

    fn gain_for(&self, slot: usize, settings: &PlayerSettings) -> f32 {
        self.tracks[slot].as_ref().map_or(1.0, |t| {
            db_to_gain(match_gain_db(
                t,
                settings.live_integrated_lufs,
                settings.live_short_term_lufs,
            ))
        })
    }

    /// Sample `i` of every channel = the reference at `gain`.
    fn write_reference(&mut self, channels: &mut [&mut [f32]], i: usize, slot: usize, gain: f32) {
        let Some(track) = self.tracks[slot].as_ref() else {
            return;
        };
        let pos = self.positions[slot];
        for (ch, out) in channels.iter_mut().enumerate() {
            out[i] = gain * loop_sample(track, ch, pos, self.loop_starts[slot], self.fade_len);
        }
        self.positions[slot] = advance(track, pos, self.loop_starts[slot], self.fade_len);
    }

    /// Sample `i` of every channel = `a_from · from + a_to · to` (gains included).
    fn mix(
        &mut self,
        channels: &mut [&mut [f32]],
        i: usize,
        from: Source,
        a_from: f32,
        a_to: f32,
        to: Source,
    ) {
        for (ch, out) in channels.iter_mut().enumerate() {
            let live = out[i];
            let value = |source: Source| match source {
                Source::Live => live,
                Source::Reference(slot) => self.tracks[slot].as_ref().map_or(0.0, |t| {
                    loop_sample(
                        t,
                        ch,
                        self.positions[slot],
                        self.loop_starts[slot],
                        self.fade_len,
                    )
                }),
            };
            out[i] = a_from * value(from) + a_to * value(to);
        }
        for source in [from, to] {
            if let Source::Reference(slot) = source {
                if let Some(t) = self.tracks[slot].as_ref() {
                    self.positions[slot] = advance(
                        t,
                        self.positions[slot],
                        self.loop_starts[slot],
                        self.fade_len,
                    );
                }
            }
        }
    }
}

/// Length of the loop join at `start` in `track` (no join when the loop is too short).
fn join_len(track: &ReferenceTrack, start: usize, fade_len: usize) -> usize {
    if track.len() > start + 2 * fade_len {
        fade_len
    } else {
        0
    }
}

/// Sample `pos` of channel `ch` of the loop `[start, len)`: in the last `join` samples the
/// tail fades out (equal power) while the first `join` samples after `start` fade in.
fn loop_sample(
    track: &ReferenceTrack,
    ch: usize,
    pos: usize,
    start: usize,
    fade_len: usize,
) -> f32 {
    let Some(plane) = track.channels.get(ch) else {
        return 0.0;
    };
    let len = plane.len();
    let join = join_len(track, start, fade_len);
    let Some(&x) = plane.get(pos) else {
        return 0.0;
    };
    if join == 0 || pos < len - join {
        return x;
    }
    let k = pos - (len - join);
    let t = (k as f32 + 0.5) / join as f32;
    let head = plane.get(start + k).copied().unwrap_or(0.0);
    x * (FRAC_PI_2 * t).cos() + head * (FRAC_PI_2 * t).sin()
}

/// The position after `pos`: past the tail's join it continues after the head's.
fn advance(track: &ReferenceTrack, pos: usize, start: usize, fade_len: usize) -> usize {
    let next = pos + 1;
    if next >= track.len() {
        let join = join_len(track, start, fade_len);
        (start + join).min(track.len().saturating_sub(1))
    } else {
        next
    }
}
