//! Loading, reporting and saving reference tracks; the player's switching and looping.

use super::player::{PlayerSettings, ReferencePlayer, Source, FADE_MS};
use super::*;
use crate::LoudnessParams;
use nice_plug::prelude::Params;

/// A unique temporary path for this test.
pub(crate) fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "lacquer-loudness-ref-{}-{:?}-{name}",
        std::process::id(),
        std::thread::current().id()
    ))
}

/// Writes planar `channels` as a 32-bit float WAV.
pub(crate) fn write_wav(path: &Path, rate: u32, channels: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..channels[0].len() {
        for c in channels {
            w.write_sample(c[i]).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// Deterministic white noise, `amp` peak.
pub(crate) fn noise(len: usize, seed: u64, amp: f32) -> Vec<f32> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            amp * ((s >> 40) as f32 / (1u64 << 23) as f32 - 1.0)
        })
        .collect()
}

/// Integrated loudness by the `ebur128` crate (a port of libebur128), independent of dsp-core.
pub(crate) fn ebur128_integrated(rate: u32, channels: &[&[f32]]) -> f64 {
    let mut m = ebur128::EbuR128::new(channels.len() as u32, rate, ebur128::Mode::I).unwrap();
    m.add_frames_planar_f32(channels).unwrap();
    m.loudness_global().unwrap()
}

fn ready(library: &ReferenceLibrary, slot: usize) -> Arc<ReferenceTrack> {
    assert!(
        library.wait_loaded(Duration::from_secs(60)),
        "still loading"
    );
    match &library.slots()[slot] {
        Some(Slot {
            status: SlotStatus::Ready(track),
            ..
        }) => track.clone(),
        other => panic!("slot {slot}: {other:?}"),
    }
}

fn failed(library: &ReferenceLibrary, slot: usize) -> String {
    assert!(
        library.wait_loaded(Duration::from_secs(60)),
        "still loading"
    );
    match &library.slots()[slot] {
        Some(Slot {
            status: SlotStatus::Failed(reason),
            ..
        }) => reason.clone(),
        other => panic!("slot {slot}: {other:?}"),
    }
}

#[test]
fn a_reference_is_resampled_to_the_host_rate_and_measured() {
    let path = temp_path("resampled.wav");
    let frames = 44_100 * 4;
    // Tones from 60 Hz to 15 kHz (all inside the resampler's passband; white noise would
    // lose its 20–22 kHz band, 0.3 LU after K-weighting).
    let tones = |amps: [f32; 5], phase: f32| -> Vec<f32> {
        (0..frames)
            .map(|i| {
                let t = i as f32 / 44_100.0;
                [60.0f32, 440.0, 2_500.0, 9_000.0, 15_000.0]
                    .iter()
                    .zip(amps)
                    .enumerate()
                    .map(|(k, (f, a))| a * (std::f32::consts::TAU * f * t + phase * k as f32).sin())
                    .sum()
            })
            .collect()
    };
    let left = tones([0.2, 0.1, 0.05, 0.03, 0.02], 0.7);
    let right = tones([0.1, 0.15, 0.03, 0.05, 0.01], 1.9);
    write_wav(&path, 44_100, &[left.clone(), right.clone()]);
    let library = ReferenceLibrary::new();
    library.prepare(48_000.0, 2);
    assert_eq!(library.add(path.to_str().unwrap()), Some(0));
    let track = ready(&library, 0);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(track.sample_rate, 48_000.0);
    assert_eq!(track.channels.len(), 2);
    assert_eq!(
        track.len(),
        (frames as f64 * 48_000.0 / 44_100.0).ceil() as usize
    );
    let s = &track.summary;
    assert_eq!((s.source_rate_hz, s.source_channels), (44_100, 2));
    assert!((s.seconds - 4.0).abs() < 1e-3, "{}", s.seconds);
    // The figures of the played (resampled) audio match an independent measurement of the
    // file at its own rate.
    let expect = ebur128_integrated(44_100, &[&left, &right]);
    assert!(
        (s.integrated_lufs - expect).abs() < 0.05,
        "{} vs {expect}",
        s.integrated_lufs
    );
    assert!(s.true_peak_dbtp >= s.sample_peak_dbfs - 1e-6);
    // Its long-term spectrum: the 440 Hz tones (0.1 left, 0.15 right) fill the 400 Hz band
    // with the mean square (0.1²/2 + 0.15²/2) / 2 per channel.
    let expect_db = 10.0 * ((0.01f32 / 2.0 + 0.0225 / 2.0) / 2.0).log10();
    assert!(
        (s.spectrum_db[12] - expect_db).abs() < 0.2,
        "{} vs {expect_db}",
        s.spectrum_db[12]
    );
    // Between the tones (1 kHz band): nothing.
    assert!(
        s.spectrum_db[16] < expect_db - 40.0,
        "{}",
        s.spectrum_db[16]
    );
    assert!(
        s.sample_peak_dbfs < 20.0 * 0.4f64.log10() + 0.1,
        "{}",
        s.sample_peak_dbfs
    );
}

#[test]
fn channels_are_conformed_to_the_host_layout() {
    let path = temp_path("mono.wav");
    let x = noise(48_000, 3, 0.5);
    write_wav(&path, 48_000, std::slice::from_ref(&x));
    let library = ReferenceLibrary::new();
    library.prepare(48_000.0, 2);
    library.add(path.to_str().unwrap());
    let stereo = ready(&library, 0);
    // A mono file plays on both sides, sample for sample.
    assert_eq!(stereo.channels, vec![x.clone(), x.clone()]);
    // Another layout reloads it: 5.1 gets it on L and R, silence elsewhere.
    library.prepare(48_000.0, 6);
    let surround = ready(&library, 0);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(surround.channels.len(), 6);
    assert_eq!(surround.channels[1], x);
    assert!(surround.channels[2..]
        .iter()
        .all(|c| c.iter().all(|&s| s == 0.0)));
    // Stereo to mono folds down as (L + R) / 2.
    let folded = conform(vec![vec![1.0, 0.5], vec![0.0, 0.5]], 1);
    assert_eq!(folded, vec![vec![0.5, 0.5]]);
}

#[test]
fn missing_and_unreadable_files_are_reported_never_fatal() {
    let library = ReferenceLibrary::new();
    // Added before the host format is known: loads once the plugin is activated.
    let missing = temp_path("does-not-exist.wav");
    assert_eq!(library.add(missing.to_str().unwrap()), Some(0));
    assert!(matches!(
        library.slots()[0].as_ref().unwrap().status,
        SlotStatus::Loading
    ));
    let text = temp_path("not-audio.wav");
    std::fs::write(&text, "these are words").unwrap();
    library.add(text.to_str().unwrap());
    library.prepare(44_100.0, 2);
    let reason = failed(&library, 0);
    assert!(
        reason.contains("cannot read") && reason.contains("does-not-exist"),
        "{reason}"
    );
    let reason = failed(&library, 1);
    std::fs::remove_file(&text).unwrap();
    assert!(reason.contains("not audio"), "{reason}");
    // A blank path is refused; a full library says so.
    assert_eq!(library.add("   "), None);
    for _ in 2..MAX_REFERENCES {
        assert!(library.add(missing.to_str().unwrap()).is_some());
    }
    assert_eq!(library.add(missing.to_str().unwrap()), None);
    // The audio thread got nothing to play.
    assert!(library.shared.inbox.is_empty());
}

#[test]
fn references_are_saved_by_path_and_reloaded_with_the_state() {
    let path = temp_path("saved.wav");
    write_wav(
        &path,
        48_000,
        &[noise(24_000, 4, 0.4), noise(24_000, 5, 0.4)],
    );
    let missing = temp_path("gone.flac");
    let params = LoudnessParams::default();
    params.references.prepare(48_000.0, 2);
    params.references.add(path.to_str().unwrap());
    params.references.add(missing.to_str().unwrap());
    params.references.remove(0);
    params.references.add(path.to_str().unwrap());
    let saved = params.serialize_fields();
    let json = &saved["refs"];
    assert!(
        json.contains("saved.wav") && json.contains("gone.flac"),
        "{json}"
    );

    let restored = LoudnessParams::default();
    restored.deserialize_fields(&saved);
    assert_eq!(restored.references.paths(), params.references.paths());
    assert_eq!(
        restored.references.paths()[..3],
        [
            Some(path.display().to_string()),
            Some(missing.display().to_string()),
            None
        ]
    );
    // Loaded once the host format is known; the missing file is reported, the rest plays.
    restored.references.prepare(48_000.0, 2);
    let track = ready(&restored.references, 0);
    assert_eq!(track.len(), 24_000);
    assert!(failed(&restored.references, 1).contains("gone.flac"));
    std::fs::remove_file(&path).unwrap();
    // A state without the field (older projects) or with garbage keeps an empty library.
    let older = LoudnessParams::default();
    let mut without = saved.clone();
    without.remove("refs");
    older.deserialize_fields(&without);
    assert!(older.references.paths().iter().all(Option::is_none));
}

/// A player with slot 0 holding `track`, installed through the library's queue.
fn player_with(channels: Vec<Vec<f32>>, rate: f32) -> (Arc<ReferenceLibrary>, ReferencePlayer) {
    let library = ReferenceLibrary::new();
    let n = channels.len();
    let shared = library.shared();
    let track = ReferenceTrack {
        summary: ReferenceSummary {
            name: "test".into(),
            seconds: channels[0].len() as f64 / f64::from(rate),
            source_rate_hz: rate as u32,
            source_channels: n,
            integrated_lufs: -20.0,
            lra_lu: 0.0,
            true_peak_dbtp: 0.0,
            sample_peak_dbfs: 0.0,
            spectrum_db: [-200.0; dsp_core::band_spectrum::NUM_BANDS],
        },
        channels,
        sample_rate: rate,
    };
    shared
        .inbox
        .push(Install {
            slot: 0,
            track: Some(Arc::new(track)),
        })
        .unwrap();
    let mut player = ReferencePlayer::new(shared);
    player.prepare(rate, n);
    (library, player)
}

fn settings(on: bool, live_lufs: f64) -> PlayerSettings {
    PlayerSettings {
        reference_on: on,
        slot: 0,
        start_seconds: 0.0,
        live_integrated_lufs: live_lufs,
        live_short_term_lufs: live_lufs,
    }
}

/// Largest |y[n] − y[n−1]| in `y`.
fn max_step(y: &[f32]) -> f32 {
    y.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn switching_cross_fades_without_a_click() {
    // Live: a 100 Hz sine; reference: a 150 Hz sine of opposite sign at the switch. An
    // instant switch would step by up to ~0.8; the fade keeps every step near the signals' own.
    let rate = 48_000.0;
    let sine = |f: f32, amp: f32, phase: f32, n: usize| -> Vec<f32> {
        (0..n)
            .map(|i| amp * (std::f32::consts::TAU * f * i as f32 / rate + phase).sin())
            .collect()
    };
    let reference = sine(150.0, 0.4, std::f32::consts::PI, 48_000);
    let (_library, mut player) = player_with(vec![reference.clone(), reference], rate);
    let live = sine(100.0, 0.4, 0.0, 3 * 48_000);
    let mut out = live.clone();
    let mut right = live.clone();
    // Gain 0 dB: the live programme reads as loud as the reference.
    let mut on = false;
    let (mut at, mut k) = (0, 0usize);
    while at < out.len() {
        let n = [64, 1, 511, 480, 3][k % 5].min(out.len() - at);
        // Toggle every ~0.3 s, mid-block.
        if at / 14_000 != (at + n) / 14_000 {
            on = !on;
        }
        player.process(
            &mut [&mut out[at..at + n], &mut right[at..at + n]],
            &settings(on, -20.0),
        );
        at += n;
        k += 1;
    }
    let own_step = 0.4 * std::f32::consts::TAU * 150.0 / rate;
    let step = max_step(&out);
    assert!(
        step < 1.5 * own_step,
        "step {step} vs the signals' own {own_step}"
    );
    assert!(out.iter().all(|x| x.is_finite() && x.abs() < 0.4 * 1.5));
    assert_eq!(out, right);
}

#[test]
fn a_fade_lasts_fade_ms_and_lands_on_the_reference() {
    let rate = 44_100.0;
    let reference: Vec<f32> = (0..44_100).map(|i| (i % 100) as f32 / 1000.0).collect();
    let (_library, mut player) = player_with(vec![reference.clone()], rate);
    let fade = (FADE_MS * 1e-3 * rate).round() as usize;
    let mut block = vec![0.0f32; fade + 100];
    player.process(&mut [&mut block], &settings(true, -20.0));
    assert_eq!(player.source(), Source::Reference(0));
    assert!(!player.is_fading());
    // Live was silence: during the fade the output is sin(π/2 · t) · reference.
    for i in 0..fade {
        let t = (i as f32 + 0.5) / fade as f32;
        let expect = (std::f32::consts::FRAC_PI_2 * t).sin() * reference[i];
        assert!((block[i] - expect).abs() < 1e-6, "{i}");
    }
    assert_eq!(&block[fade..], &reference[fade..fade + 100]);
    // Switching off returns to the untouched input after one fade.
    let mut live = vec![0.25f32; 2 * fade];
    player.process(&mut [&mut live], &settings(false, -20.0));
    assert_eq!(player.source(), Source::Live);
    assert!(live[fade..].iter().all(|&x| x == 0.25));
}

#[test]
fn the_loop_restarts_at_the_start_point_with_a_joined_seam() {
    let rate = 8_000.0;
    let len = 8_000;
    // A ramp: the seam is where the loop would otherwise jump from the end back to the start.
    let reference: Vec<f32> = (0..len).map(|i| i as f32 / len as f32).collect();
    let (_library, mut player) = player_with(vec![reference.clone()], rate);
    let fade = (FADE_MS * 1e-3 * rate).round() as usize;
    let start_s = 0.5;
    let start = (start_s * rate) as usize;
    let mut out = vec![0.0f32; 3 * len];
    let s = PlayerSettings {
        start_seconds: start_s,
        ..settings(true, -20.0)
    };
    for chunk in out.chunks_mut(100) {
        player.process(&mut [chunk], &s);
    }
    // Starts at the start point, plays to the join, then continues after the start's join.
    assert!((out[fade] - reference[start + fade]).abs() < 1e-6);
    let period = len - start - fade;
    for i in [fade + 1, 2000, 3000] {
        assert!((out[i] - out[i + period]).abs() < 1e-6, "{i}");
    }
    // The seam steps no more than the equal-power join's own slope (tail ≈ 1 fading out, head
    // ≈ 0.5 fading in: at most √(1 + 0.25) · π/2 per join length), not 0.5 at once.
    let step = max_step(&out[fade..]);
    let join_slope = 1.25f32.sqrt() * std::f32::consts::FRAC_PI_2 / fade as f32;
    assert!(step < 1.1 * join_slope, "{step} vs {join_slope}");
}

#[test]
fn a_removed_reference_is_faded_out_before_it_leaves_the_audio_thread() {
    let rate = 48_000.0;
    let (library, mut player) = player_with(vec![vec![0.5; 48_000]], rate);
    let fade = (FADE_MS * 1e-3 * rate).round() as usize;
    let mut block = vec![0.0f32; 2 * fade];
    player.process(&mut [&mut block], &settings(true, -20.0));
    assert_eq!(player.source(), Source::Reference(0));
    library.remove(0);
    let mut block = vec![0.0f32; 2 * fade];
    player.process(&mut [&mut block], &settings(true, -20.0));
    // Faded to the (silent) live input, not cut.
    assert_eq!(player.source(), Source::Live);
    assert!((block[0] - 0.5).abs() < 0.01, "{}", block[0]);
    assert!(max_step(&block) < 0.5 / fade as f32 * 2.0);
    // The next block applies the removal and hands the track back for the loader to drop.
    let mut block = vec![0.0f32; 16];
    player.process(&mut [&mut block], &settings(true, -20.0));
    assert!(!player.has_track(0));
    assert_eq!(library.shared.outbox.len(), 1);
    library.slots();
    assert_eq!(library.shared.outbox.len(), 0);
}

#[test]
fn the_matching_gain_follows_the_live_measurement() {
    use super::player::match_gain_db;
    let track = ReferenceTrack {
        channels: vec![vec![0.1; 10]],
        sample_rate: 48_000.0,
        summary: ReferenceSummary {
            name: String::new(),
            seconds: 0.0,
            source_rate_hz: 48_000,
            source_channels: 1,
            integrated_lufs: -9.0,
            lra_lu: 0.0,
            true_peak_dbtp: 0.0,
            sample_peak_dbfs: 0.0,
            spectrum_db: [-200.0; dsp_core::band_spectrum::NUM_BANDS],
        },
    };
    let silence = SILENCE_LUFS;
    assert_eq!(match_gain_db(&track, -23.0, -30.0), -14.0);
    // No integrated loudness yet: the short-term stands in; neither: the reference's own level.
    assert_eq!(match_gain_db(&track, silence, -21.0), -12.0);
    assert_eq!(match_gain_db(&track, silence, silence), 0.0);
    // Clamped.
    assert_eq!(match_gain_db(&track, -95.0 + 30.0, silence), -56.0);
    let quiet = ReferenceTrack {
        summary: ReferenceSummary {
            integrated_lufs: -60.0,
            ..track.summary.clone()
        },
        channels: track.channels.clone(),
        sample_rate: 48_000.0,
    };
    assert_eq!(match_gain_db(&quiet, -8.0, -8.0), 24.0);
}

#[test]
fn dropping_the_library_ends_its_loader_thread() {
    let path = temp_path("drop.wav");
    write_wav(&path, 48_000, &[noise(4_800, 6, 0.2)]);
    let library = ReferenceLibrary::new();
    library.prepare(48_000.0, 1);
    library.add(path.to_str().unwrap());
    ready(&library, 0);
    // Queued loads are skipped once the library goes.
    for _ in 1..MAX_REFERENCES {
        library.add(path.to_str().unwrap());
    }
    let shared = library.shared();
    drop(library);
    std::fs::remove_file(&path).unwrap();
    // The loader thread held the other reference to the shared state: it has ended.
    assert_eq!(Arc::strong_count(&shared), 1);
}
