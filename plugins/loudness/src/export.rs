//! Export of a measurement from the editor: a JSON file (every reading, the target and the
//! normalisation verdict, the M/S history) and a CSV file (the readings, one per row), written
//! to `<data dir>/Lacquer/measurements/` next to the kit's user presets
//! ([`lacquer_kit::presets::user_data_dir`]; `LACQUER_MEASUREMENT_DIR` overrides it).
//! GUI thread only: this does file I/O.

use crate::bridge::Readings;
use dsp_core::loudness::targets::Target;
use dsp_core::loudness::SILENCE_LUFS;
use std::io;
use std::path::{Path, PathBuf};

/// Interval between history points, seconds.
pub const HISTORY_INTERVAL_S: f64 = 0.1;

/// Everything an export holds.
#[derive(Debug, Clone)]
pub struct Measurement<'a> {
    /// The readings at the moment of the export.
    pub readings: Readings,
    /// The chosen target.
    pub target: Target,
    /// "4x" or "8x".
    pub oversampling: &'a str,
    /// Momentary loudness every 100 ms, oldest first, LUFS.
    pub history_momentary: &'a [f32],
    /// Short-term loudness every 100 ms, oldest first, LUFS.
    pub history_short_term: &'a [f32],
    /// Seconds since the Unix epoch (UTC) when the export was made.
    pub unix_seconds: u64,
}

/// The folder exports go to, if the platform has a data folder.
pub fn measurement_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LACQUER_MEASUREMENT_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    Some(lacquer_kit::presets::user_data_dir()?.join("measurements"))
}

/// A reading as a JSON number, or `null` for silence (nothing measured).
fn lufs_value(v: f32) -> serde_json::Value {
    if v.is_finite() && f64::from(v) > SILENCE_LUFS + 1.0 {
        serde_json::Number::from_f64((f64::from(v) * 100.0).round() / 100.0)
            .map_or(serde_json::Value::Null, Into::into)
    } else {
        serde_json::Value::Null
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds (proleptic Gregorian, UTC).
pub fn utc_timestamp(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let secs = unix_seconds % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

impl Measurement<'_> {
    /// The gain the target's normalisation applies to this measurement, dB.
    pub fn normalisation_gain_db(&self) -> Option<f64> {
        let r = &self.readings;
        self.target
            .normalisation_gain_db(f64::from(r.integrated), f64::from(r.true_peak_max))
    }

    /// The summary rows: (quantity, value, unit).
    fn rows(&self) -> Vec<(&'static str, serde_json::Value, &'static str)> {
        let r = &self.readings;
        let gain = self.normalisation_gain_db();
        let headroom = (r.true_peak_max > SILENCE_LUFS as f32 + 1.0)
            .then(|| self.target.headroom_db(f64::from(r.true_peak_max)));
        let number = |v: Option<f64>| {
            v.and_then(|v| serde_json::Number::from_f64((v * 100.0).round() / 100.0))
                .map_or(serde_json::Value::Null, Into::into)
        };
        vec![
            ("integrated", lufs_value(r.integrated), "LUFS"),
            ("loudness_range", number(Some(f64::from(r.lra))), "LU"),
            (
                "loudness_range_provisional",
                r.lra_is_provisional().into(),
                "",
            ),
            ("momentary", lufs_value(r.momentary), "LUFS"),
            ("short_term", lufs_value(r.short_term), "LUFS"),
            ("max_momentary", lufs_value(r.max_momentary), "LUFS"),
            ("max_short_term", lufs_value(r.max_short_term), "LUFS"),
            ("true_peak_max", lufs_value(r.true_peak_max), "dBTP"),
            ("sample_peak_max", lufs_value(r.sample_peak_max), "dBFS"),
            ("plr", number(Some(f64::from(r.plr))), "LU"),
            ("psr", number(Some(f64::from(r.psr))), "LU"),
            (
                "programme_duration",
                number(Some(f64::from(r.running_seconds))),
                "s",
            ),
            ("target", self.target.name.into(), ""),
            (
                "target_loudness",
                number(Some(self.target.target_lufs)),
                "LUFS",
            ),
            (
                "target_ceiling",
                number(Some(self.target.ceiling_dbtp)),
                "dBTP",
            ),
            (
                "target_raises_quiet_tracks",
                self.target.raises_quiet_tracks().into(),
                "",
            ),
            ("normalisation_gain", number(gain), "dB"),
            ("true_peak_headroom", number(headroom), "dB"),
            ("verdict", self.target.verdict(gain).into(), ""),
            ("sample_rate", number(Some(f64::from(r.sample_rate))), "Hz"),
            ("channels", r.channels.into(), ""),
            ("true_peak_oversampling", self.oversampling.into(), ""),
            ("created", utc_timestamp(self.unix_seconds).into(), "UTC"),
        ]
    }

    /// The JSON document.
    pub fn to_json(&self) -> String {
        let mut doc = serde_json::Map::new();
        doc.insert("plugin".into(), "Lacquer Loudness".into());
        doc.insert("version".into(), env!("CARGO_PKG_VERSION").into());
        doc.insert(
            "standard".into(),
            "ITU-R BS.1770-5, EBU R128 (Tech 3341, Tech 3342)".into(),
        );
        for (key, value, unit) in self.rows() {
            let key = match unit {
                "" | "UTC" => key.to_owned(),
                unit => format!("{key}_{}", unit.to_lowercase()),
            };
            doc.insert(key, value);
        }
        let history = |values: &[f32]| -> serde_json::Value {
            values.iter().map(|&v| lufs_value(v)).collect()
        };
        doc.insert(
            "history".into(),
            serde_json::json!({
                "interval_s": HISTORY_INTERVAL_S,
                "momentary_lufs": history(self.history_momentary),
                "short_term_lufs": history(self.history_short_term),
            }),
        );
        serde_json::to_string_pretty(&serde_json::Value::Object(doc)).unwrap_or_default()
    }

    /// The CSV document: `quantity,value,unit`, one reading per row.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("quantity,value,unit\n");
        for (key, value, unit) in self.rows() {
            let text = match value {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => format!("\"{}\"", s.replace('"', "\"\"")),
                v => v.to_string(),
            };
            out.push_str(&format!("{key},{text},{unit}\n"));
        }
        out
    }

    /// Write `loudness-YYYYMMDD-HHMMSS.json` and `.csv` into `dir` (created if missing);
    /// returns the JSON path (the CSV sits next to it).
    pub fn write(&self, dir: &Path) -> io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let stamp: String = utc_timestamp(self.unix_seconds)
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == 'T')
            .map(|c| if c == 'T' { '-' } else { c })
            .collect();
        let mut stem = format!("loudness-{stamp}");
        let mut n = 2;
        while dir.join(format!("{stem}.json")).exists() {
            stem = format!("loudness-{stamp}-{n}");
            n += 1;
        }
        let json = dir.join(format!("{stem}.json"));
        std::fs::write(&json, self.to_json())?;
        std::fs::write(dir.join(format!("{stem}.csv")), self.to_csv())?;
        Ok(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::LoudnessMeters;

    fn sample() -> Measurement<'static> {
        let mut readings = LoudnessMeters::default().load();
        readings.integrated = -9.8;
        readings.true_peak_max = -0.3;
        readings.lra = 6.25;
        readings.running_seconds = 75.0;
        Measurement {
            readings,
            target: *Target::by_name("Spotify").unwrap(),
            oversampling: "4x",
            history_momentary: &[-12.0, -200.0],
            history_short_term: &[-13.0, -14.0],
            unix_seconds: 1_764_606_000,
        }
    }

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_timestamp(1_764_606_000), "2025-12-01T16:20:00Z");
    }

    #[test]
    fn json_holds_readings_verdict_and_history() {
        let m = sample();
        let doc: serde_json::Value = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(doc["integrated_lufs"], -9.8);
        assert_eq!(doc["loudness_range_lu"], 6.25);
        assert_eq!(doc["loudness_range_provisional"], false);
        assert_eq!(doc["momentary_lufs"], serde_json::Value::Null);
        assert_eq!(doc["normalisation_gain_db"], -4.2);
        assert_eq!(doc["true_peak_headroom_db"], -0.7);
        assert_eq!(doc["verdict"], "Spotify will turn this down 4.2 dB");
        assert_eq!(doc["target_raises_quiet_tracks"], true);
        assert_eq!(doc["history"]["momentary_lufs"][0], -12.0);
        assert_eq!(doc["history"]["momentary_lufs"][1], serde_json::Value::Null);
        assert_eq!(doc["created"], "2025-12-01T16:20:00Z");
    }

    #[test]
    fn csv_has_one_row_per_reading_and_files_are_written() {
        let m = sample();
        let csv = m.to_csv();
        assert!(csv.starts_with("quantity,value,unit\n"));
        assert!(csv.contains("\nintegrated,-9.8,LUFS\n"), "{csv}");
        assert!(csv.contains("\nverdict,\"Spotify will turn this down 4.2 dB\",\n"));
        let dir = std::env::temp_dir().join(format!("lacquer-export-{}", std::process::id()));
        let first = m.write(&dir).unwrap();
        let second = m.write(&dir).unwrap();
        assert_ne!(
            first, second,
            "a second export in the same second must not overwrite"
        );
        assert!(first.with_extension("csv").exists());
        assert_eq!(std::fs::read_to_string(&first).unwrap(), m.to_json());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
