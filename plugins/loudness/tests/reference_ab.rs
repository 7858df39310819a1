//! The reference A/B through the plugin's own `process()`, as a host drives it: the reference
//! is played at the live programme's integrated loudness (checked with the `ebur128` crate, an
//! independent BS.1770 implementation), and `process()` never allocates or frees while
//! references load, switch, get removed and come back.
//!
//! The allocation check is nice-plug's own: a debug build with `assert_process_allocs` (as the
//! plugin always builds) installs `nice_assert_no_alloc`'s allocator, and an allocation or a
//! free inside `assert_no_alloc` on this (the audio) thread aborts the test binary. The loader
//! thread allocates freely meanwhile. (A planted `Vec` in `process()` aborts it.)

use lacquer_kit::testing::FakeHost;
use lacquer_loudness::params::RefSlotParam;
use lacquer_loudness::reference::player::FADE_MS;
use lacquer_loudness::LacquerLoudness;
use nice_assert_no_alloc::assert_no_alloc;
use nice_plug::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The host side of the contexts: a stopped transport, no events.
struct Host {
    transport: Transport,
}

impl ActivateContext<LacquerLoudness> for Host {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    fn execute(&self, _task: ()) {}
    fn set_latency_samples(&self, _samples: u32) {}
    fn set_current_voice_capacity(&self, _capacity: u32) {}
}

impl ProcessContext<LacquerLoudness> for Host {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    fn execute_background(&self, _task: ()) {}
    fn execute_gui(&self, _task: ()) {}
    fn transport(&self) -> &Transport {
        &self.transport
    }
    fn next_event(&mut self) -> Option<PluginNoteEvent<LacquerLoudness>> {
        None
    }
    fn try_send_event(
        &mut self,
        event: PluginNoteEvent<LacquerLoudness>,
    ) -> Result<
        (),
        (
            PluginNoteEvent<LacquerLoudness>,
            nice_plug::context::process::SendEventError,
        ),
    > {
        Err((
            event,
            nice_plug::context::process::SendEventError::NoOutputBuffer,
        ))
    }
    fn set_latency_samples(&self, _samples: u32) {}
    fn request_restart(&self) {}
    fn set_current_voice_capacity(&self, _capacity: u32) {}
}

const MAX_BLOCK: usize = 1024;

/// The plugin, activated stereo at `rate`, with a fake host to set its parameters.
struct Rig {
    plugin: LacquerLoudness,
    host: Host,
    params_host: FakeHost,
    /// Pre-allocated block buffers (left, right).
    left: Vec<f32>,
    right: Vec<f32>,
}

impl Rig {
    fn new(rate: f32) -> Self {
        let mut plugin = LacquerLoudness::default();
        let mut host = Host {
            transport: Transport::new(rate),
        };
        let layout = LacquerLoudness::AUDIO_IO_LAYOUTS[0];
        let config = BufferConfig {
            sample_rate: rate,
            min_buffer_size: None,
            max_buffer_size: MAX_BLOCK as u32,
            process_mode: ProcessMode::Realtime,
        };
        assert!(plugin.activate(&layout, &config, &mut host));
        plugin.reset();
        let params_host = FakeHost::new(plugin.loudness_params().clone());
        Self {
            plugin,
            host,
            params_host,
            left: vec![0.0; MAX_BLOCK],
            right: vec![0.0; MAX_BLOCK],
        }
    }

    fn set_reference(&self, on: bool) {
        self.params_host
            .set(&self.plugin.loudness_params().reference, on);
    }

    fn set_slot(&self, slot: RefSlotParam) {
        self.params_host
            .set(&self.plugin.loudness_params().reference_slot, slot);
    }

    /// Processes `left`/`right` in one block (at most `MAX_BLOCK`) under `assert_no_alloc`,
    /// appending the output to `out`.
    fn process(&mut self, left: &[f32], right: &[f32], out: &mut Vec<[f32; 2]>) {
        let n = left.len();
        self.left[..n].copy_from_slice(left);
        self.right[..n].copy_from_slice(right);
        let (l, r) = (&mut self.left[..n], &mut self.right[..n]);
        let mut buffer = Buffer::default();
        // SAFETY: both slices are `n` long and outlive the call.
        unsafe {
            buffer.set_slices(n, |slices| {
                slices.push(&mut *l);
                slices.push(&mut *r);
            });
        }
        let mut aux = AuxiliaryBuffers {
            inputs: &mut [],
            outputs: &mut [],
        };
        let plugin = &mut self.plugin;
        let host = &mut self.host;
        assert_no_alloc(|| {
            plugin.process(&mut buffer, &mut aux, host);
        });
        drop(buffer);
        out.extend(
            self.left[..n]
                .iter()
                .zip(&self.right[..n])
                .map(|(a, b)| [*a, *b]),
        );
    }

    fn wait_loaded(&self) {
        assert!(self
            .plugin
            .loudness_params()
            .references
            .wait_loaded(Duration::from_secs(120)));
    }
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("lacquer-loudness-ab-{}-{name}", std::process::id()))
}

/// Deterministic noise, low-passed a little (one pole) so it is not white.
fn noise(len: usize, seed: u64, amp: f32) -> Vec<f32> {
    let mut s = seed | 1;
    let mut y = 0.0f32;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let x = (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
            y = 0.7 * y + 0.3 * x;
            amp * y
        })
        .collect()
}

fn write_wav(path: &Path, rate: u32, left: &[f32], right: &[f32]) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for (l, r) in left.iter().zip(right) {
        w.write_sample(*l).unwrap();
        w.write_sample(*r).unwrap();
    }
    w.finalize().unwrap();
}

/// Integrated loudness by the `ebur128` crate.
fn ebur128_integrated(rate: u32, frames: &[[f32; 2]]) -> f64 {
    let mut m = ebur128::EbuR128::new(2, rate, ebur128::Mode::I).unwrap();
    let interleaved: Vec<f32> = frames.iter().flatten().copied().collect();
    m.add_frames_f32(&interleaved).unwrap();
    m.loudness_global().unwrap()
}

#[test]
fn reference_playback_is_loudness_matched_within_0_1_lu() {
    // A loud reference (about −12 LUFS) at 44.1 kHz; a quiet live programme (about −30 LUFS)
    // at the host's rate. While Reference is on, the output must read as loud as the live
    // programme's integrated loudness, measured independently.
    let ref_rate = 44_100;
    let path = temp_path("loud.wav");
    let ref_len = ref_rate as usize * 5;
    write_wav(
        &path,
        ref_rate,
        &noise(ref_len, 11, 0.9),
        &noise(ref_len, 12, 0.8),
    );
    for host_rate in [48_000u32, 44_100] {
        let mut rig = Rig::new(host_rate as f32);
        rig.plugin
            .loudness_params()
            .references
            .add(path.to_str().unwrap());
        rig.wait_loaded();
        let seconds = 20;
        let len = host_rate as usize * seconds;
        let live_l = noise(len, 21, 0.06);
        let live_r = noise(len, 22, 0.05);
        // On at the first block boundary 6 s in.
        let mut switch_at = None;
        let mut out = Vec::with_capacity(len);
        let mut at = 0;
        while at < len {
            if switch_at.is_none() && at >= host_rate as usize * 6 {
                rig.set_reference(true);
                switch_at = Some(at);
            }
            let n = 500.min(len - at);
            rig.process(&live_l[at..at + n], &live_r[at..at + n], &mut out);
            at += n;
        }
        let live: Vec<[f32; 2]> = live_l.iter().zip(&live_r).map(|(l, r)| [*l, *r]).collect();
        let live_lufs = ebur128_integrated(host_rate, &live);
        // From 0.5 s after the switch (the fade and the gain glide are long done).
        let heard = &out[switch_at.unwrap() + host_rate as usize / 2..];
        let heard_lufs = ebur128_integrated(host_rate, heard);
        let reference_lufs = {
            let meters = rig.plugin.meters();
            let gain = meters
                .reference_gain_db
                .load(std::sync::atomic::Ordering::Relaxed);
            f64::from(gain)
        };
        assert!(
            (heard_lufs - live_lufs).abs() < 0.1,
            "{host_rate} Hz: reference heard at {heard_lufs:.3} LUFS, live programme \
             {live_lufs:.3} LUFS (gain {reference_lufs:+.2} dB)"
        );
        // It really is the reference (18 LU louder before matching), not the live input.
        assert!(reference_lufs < -15.0, "gain {reference_lufs}");
        assert!(heard.iter().flatten().all(|x| x.is_finite()));
        // The live spectrum is GUI-only work: with no editor open it never ran.
        let frames = rig
            .plugin
            .meters()
            .live_spectrum_frames
            .load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(frames, 0);
    }
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn process_never_allocates_while_references_load_switch_and_leave() {
    let rate = 48_000u32;
    let a = temp_path("a.wav");
    let b = temp_path("b.wav");
    write_wav(
        &a,
        44_100,
        &noise(44_100 * 2, 31, 0.5),
        &noise(44_100 * 2, 32, 0.5),
    );
    write_wav(&b, 96_000, &noise(96_000, 33, 0.3), &noise(96_000, 34, 0.3));
    let mut rig = Rig::new(rate as f32);
    let live = noise(rate as usize * 8, 41, 0.2);
    let mut out = Vec::with_capacity(live.len() * 2);
    let mut at = 0;
    let mut block = 0usize;
    let library = rig.plugin.loudness_params().references.clone();
    let fade = (FADE_MS * 1e-3 * rate as f32) as usize;
    // Every ~40 ms something changes: switch on/off, other slot, remove/re-add, while the
    // loader thread works; block sizes vary from 1 to MAX_BLOCK.
    let sizes = [1, 64, 511, 1024, 7, 480, 333];
    while at + MAX_BLOCK < live.len() {
        match block % 60 {
            0 if block == 0 => {
                rig.set_reference(true);
                library.add(a.to_str().unwrap());
                library.add(b.to_str().unwrap());
            }
            10 => rig.set_slot(RefSlotParam::R2),
            20 => rig.set_reference(false),
            25 => rig.set_reference(true),
            30 => rig.set_slot(RefSlotParam::R1),
            40 => library.remove(0),
            45 => {
                library.add(a.to_str().unwrap());
            }
            50 => rig.set_slot(RefSlotParam::R8),
            55 => rig.set_slot(RefSlotParam::R1),
            _ => {}
        }
        let n = sizes[block % sizes.len()];
        rig.process(&live[at..at + n], &live[at..at + n], &mut out);
        at += n;
        block += 1;
        if block % 60 == 59 {
            // Let the loader finish now and then, so installs reach the audio thread mid-run.
            rig.wait_loaded();
        }
    }
    assert!(block > 200, "{block}");
    // The reference was heard, and every switch was a fade: no step larger than a fade's.
    assert!(out.iter().flatten().all(|x| x.is_finite()));
    let max_step = out
        .windows(2)
        .map(|w| (w[1][0] - w[0][0]).abs())
        .fold(0.0f32, f32::max);
    assert!(max_step < 1.0, "{max_step} (fade {fade} samples)");
    std::fs::remove_file(&a).unwrap();
    std::fs::remove_file(&b).unwrap();
}
