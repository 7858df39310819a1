//! Loudness targets of streaming platforms and broadcast delivery specs, in one table that
//! the Loudness plugin and the `lacquer` CLI share: name, target (integrated) loudness, true-peak
//! ceiling, and what the platform's normalisation does to a track that is quieter than its
//! target.
//!
//! The figures are the ones the platforms publish, approximately: they change their players
//! without notice, some apply album rather than track gain, and several users switch
//! normalisation off. The gain computed here is what a player that follows the published rule
//! would apply to this track, not a promise.

/// What a platform's normalisation does with a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalisation {
    /// Loud tracks are turned down to the target; quiet ones are left as they are.
    DownOnly,
    /// Loud tracks are turned down; quiet ones are turned up, but only as far as the true-peak
    /// ceiling allows (Spotify's published rule: positive gain stops at −1 dBTP peaks).
    UpToCeiling,
    /// A delivery spec (broadcast): the programme must be delivered at the target, so the gain
    /// shown is the correction needed, in either direction.
    Delivery,
}

/// One target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Display name ("Spotify").
    pub name: &'static str,
    /// Short lower-case key for command lines ("spotify").
    pub key: &'static str,
    /// Integrated loudness the platform normalises to, LUFS.
    pub target_lufs: f64,
    /// Highest true peak the platform asks for, dBTP.
    pub ceiling_dbtp: f64,
    /// What happens to tracks above and below the target.
    pub normalisation: Normalisation,
}

/// Every preset target, in the order of the plugin's Target parameter (append only: the order
/// is part of the saved state). `Custom` is not in the table: see [`Target::custom`].
pub const TARGETS: &[Target] = &[
    Target {
        name: "Spotify",
        key: "spotify",
        target_lufs: -14.0,
        ceiling_dbtp: -1.0,
        normalisation: Normalisation::UpToCeiling,
    },
    Target {
        name: "Apple Music",
        key: "apple",
        target_lufs: -16.0,
        ceiling_dbtp: -1.0,
        normalisation: Normalisation::DownOnly,
    },
    Target {
        name: "YouTube",
        key: "youtube",
        target_lufs: -14.0,
        ceiling_dbtp: -1.0,
        normalisation: Normalisation::DownOnly,
    },
    Target {
        name: "Tidal",
        key: "tidal",
        target_lufs: -14.0,
        ceiling_dbtp: -1.0,
        normalisation: Normalisation::DownOnly,
    },
    Target {
        name: "Deezer",
        key: "deezer",
        target_lufs: -15.0,
        ceiling_dbtp: -1.0,
        normalisation: Normalisation::DownOnly,
    },
    Target {
        name: "Amazon Music",
        key: "amazon",
        target_lufs: -14.0,
        ceiling_dbtp: -2.0,
        normalisation: Normalisation::DownOnly,
    },
    Target {
        name: "EBU R128",
        key: "ebu",
        target_lufs: -23.0,
        ceiling_dbtp: -1.0,
        normalisation: Normalisation::Delivery,
    },
    Target {
        name: "ATSC A/85",
        key: "atsc",
        target_lufs: -24.0,
        ceiling_dbtp: -2.0,
        normalisation: Normalisation::Delivery,
    },
];

/// Integrated loudness below this reads as "nothing measured yet" (the −70 LUFS absolute
/// gate of BS.1770: a programme that quiet has no gated blocks).
pub const NO_PROGRAMME_LUFS: f64 = -70.0;

impl Target {
    /// A user-defined target (a delivery spec: the gain shown is the correction needed).
    pub fn custom(target_lufs: f64, ceiling_dbtp: f64) -> Self {
        Self {
            name: "Custom",
            key: "custom",
            target_lufs,
            ceiling_dbtp,
            normalisation: Normalisation::Delivery,
        }
    }

    /// Look a preset target up by name (case-insensitive).
    pub fn by_name(name: &str) -> Option<&'static Target> {
        TARGETS.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// Look a preset target up by its key ("spotify", case-insensitive) or its name.
    pub fn by_key(key: &str) -> Option<&'static Target> {
        TARGETS
            .iter()
            .find(|t| t.key.eq_ignore_ascii_case(key))
            .or_else(|| Self::by_name(key))
    }

    /// Whether the platform turns quiet tracks up (at all).
    pub fn raises_quiet_tracks(&self) -> bool {
        self.normalisation != Normalisation::DownOnly
    }

    /// The gain (dB) the platform's normalisation applies to a track measured at
    /// `integrated_lufs` with true-peak max `true_peak_dbtp`; `None` until something was
    /// measured (integrated at or below [`NO_PROGRAMME_LUFS`]).
    pub fn normalisation_gain_db(&self, integrated_lufs: f64, true_peak_dbtp: f64) -> Option<f64> {
        if !integrated_lufs.is_finite() || integrated_lufs <= NO_PROGRAMME_LUFS {
            return None;
        }
        let to_target = self.target_lufs - integrated_lufs;
        Some(match self.normalisation {
            Normalisation::Delivery => to_target,
            Normalisation::DownOnly => to_target.min(0.0),
            Normalisation::UpToCeiling if to_target <= 0.0 => to_target,
            Normalisation::UpToCeiling => {
                let peak_room = if true_peak_dbtp.is_finite() {
                    self.ceiling_dbtp - true_peak_dbtp
                } else {
                    to_target
                };
                to_target.min(peak_room).max(0.0)
            }
        })
    }

    /// Headroom left between the measured true-peak max and the ceiling, dB (negative: over).
    pub fn headroom_db(&self, true_peak_dbtp: f64) -> f64 {
        self.ceiling_dbtp - true_peak_dbtp
    }

    /// One sentence about the gain: "Spotify will turn this down 4.2 dB".
    pub fn verdict(&self, gain_db: Option<f64>) -> String {
        let Some(gain) = gain_db else {
            return format!("{}: no programme measured yet", self.name);
        };
        let magnitude = gain.abs();
        if self.normalisation == Normalisation::Delivery {
            return if magnitude < 0.05 {
                format!("On target for {}", self.name)
            } else if gain < 0.0 {
                format!("{magnitude:.1} dB too loud for {}", self.name)
            } else {
                format!("{magnitude:.1} dB too quiet for {}", self.name)
            };
        }
        if magnitude < 0.05 {
            format!("{} will leave this as it is", self.name)
        } else if gain < 0.0 {
            format!("{} will turn this down {magnitude:.1} dB", self.name)
        } else {
            format!("{} will turn this up {magnitude:.1} dB", self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spotify() -> &'static Target {
        Target::by_name("spotify").unwrap()
    }

    #[test]
    fn table_holds_the_published_figures() {
        let want = [
            ("Spotify", -14.0, -1.0, true),
            ("Apple Music", -16.0, -1.0, false),
            ("YouTube", -14.0, -1.0, false),
            ("Tidal", -14.0, -1.0, false),
            ("Deezer", -15.0, -1.0, false),
            ("Amazon Music", -14.0, -2.0, false),
            ("EBU R128", -23.0, -1.0, true),
            ("ATSC A/85", -24.0, -2.0, true),
        ];
        assert_eq!(TARGETS.len(), want.len());
        for (t, (name, lufs, tp, up)) in TARGETS.iter().zip(want) {
            assert_eq!((t.name, t.target_lufs, t.ceiling_dbtp), (name, lufs, tp));
            assert_eq!(t.raises_quiet_tracks(), up, "{name}");
        }
    }

    #[test]
    fn loud_tracks_are_turned_down_everywhere() {
        for t in TARGETS {
            let gain = t.normalisation_gain_db(t.target_lufs + 4.2, -0.1).unwrap();
            assert!((gain + 4.2).abs() < 1e-12, "{}: {gain}", t.name);
        }
        assert_eq!(
            spotify().verdict(spotify().normalisation_gain_db(-9.8, -0.2)),
            "Spotify will turn this down 4.2 dB"
        );
    }

    #[test]
    fn quiet_tracks_stay_quiet_on_down_only_platforms() {
        let youtube = Target::by_name("YouTube").unwrap();
        assert_eq!(youtube.normalisation_gain_db(-20.0, -6.0), Some(0.0));
        assert_eq!(
            youtube.verdict(Some(0.0)),
            "YouTube will leave this as it is"
        );
    }

    #[test]
    fn spotify_raises_quiet_tracks_only_up_to_the_peak_ceiling() {
        // 6 dB below target but peaks at -4 dBTP: only 3 dB of room below -1 dBTP.
        let gain = spotify().normalisation_gain_db(-20.0, -4.0).unwrap();
        assert!((gain - 3.0).abs() < 1e-12, "{gain}");
        // Plenty of room: the full 6 dB.
        let gain = spotify().normalisation_gain_db(-20.0, -10.0).unwrap();
        assert!((gain - 6.0).abs() < 1e-12, "{gain}");
        // Peaks already over the ceiling: quiet, but not turned down either.
        assert_eq!(spotify().normalisation_gain_db(-20.0, 0.5), Some(0.0));
    }

    #[test]
    fn delivery_specs_report_the_correction_both_ways() {
        let ebu = Target::by_name("EBU R128").unwrap();
        assert_eq!(ebu.normalisation_gain_db(-26.0, -3.0), Some(3.0));
        assert_eq!(ebu.verdict(Some(3.0)), "3.0 dB too quiet for EBU R128");
        let custom = Target::custom(-18.0, -1.5);
        assert_eq!(custom.normalisation_gain_db(-16.0, -1.0), Some(-2.0));
        assert_eq!(custom.headroom_db(-1.0), -0.5);
    }

    #[test]
    fn nothing_measured_gives_no_gain() {
        for t in TARGETS {
            assert_eq!(t.normalisation_gain_db(-200.0, -200.0), None);
            assert_eq!(t.normalisation_gain_db(f64::NAN, 0.0), None);
        }
    }
}
