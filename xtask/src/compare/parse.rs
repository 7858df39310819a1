//! Reading the tools' output: ffmpeg `ebur128`'s summary, `lacquer measure --json`, the
//! `lv2ls` listing, and a child's `rusage` as CPU nanoseconds.

use std::collections::BTreeSet;

/// A loudness meter's programme readings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loudness {
    /// Integrated loudness, LUFS.
    pub integrated_lufs: f64,
    /// Loudness range, LU.
    pub range_lu: f64,
    /// True peak, dBTP (`None` when the meter gave none).
    pub true_peak_dbtp: Option<f64>,
}

/// The number after `label` on a line of `text` (the first such line).
fn number_after(text: &str, label: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix(label)?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// ffmpeg's `ebur128` summary (printed on stderr at the end of the run): `I:`, `LRA:` and,
/// with `peak=true`, the `Peak:` under "True peak:". The last "Summary:" in `stderr` counts.
pub fn ebur128_summary(stderr: &str) -> Option<Loudness> {
    let summary = &stderr[stderr.rfind("Summary:")?..];
    let integrated_lufs = number_after(summary, "I:")?;
    let range_lu = number_after(summary, "LRA:")?;
    let true_peak_dbtp = summary
        .find("True peak:")
        .and_then(|at| number_after(&summary[at..], "Peak:"));
    Some(Loudness {
        integrated_lufs,
        range_lu,
        true_peak_dbtp,
    })
}

/// `lacquer measure --json FILE`: the first file's reading (`null` readings — silence —
/// are -inf).
pub fn lacquer_measure_json(text: &str) -> Option<Loudness> {
    let doc: serde_json::Value = serde_json::from_str(text).ok()?;
    let file = doc.get("files")?.get(0)?;
    let read = |key: &str| -> Option<f64> {
        match file.get(key)? {
            serde_json::Value::Null => Some(f64::NEG_INFINITY),
            v => v.as_f64(),
        }
    };
    Some(Loudness {
        integrated_lufs: read("integrated_lufs")?,
        range_lu: read("loudness_range_lu")?,
        true_peak_dbtp: read("true_peak_dbtp"),
    })
}

/// `lv2ls`: one plugin URI per line.
pub fn lv2_listing(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("://"))
        .map(str::to_owned)
        .collect()
}

/// User plus system CPU time of a `rusage`'s two `timeval`s, nanoseconds.
#[cfg_attr(not(unix), allow(dead_code))]
pub fn rusage_cpu_ns(user: (i64, i64), system: (i64, i64)) -> u64 {
    let ns =
        |(sec, usec): (i64, i64)| sec.max(0) as u64 * 1_000_000_000 + usec.max(0) as u64 * 1000;
    ns(user) + ns(system)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ffmpeg 5.1's stderr at the end of `-af ebur128=peak=true` (captured on Debian 12).
    const EBUR128: &str = "\
[Parsed_ebur128_0 @ 0x55b8ae4f5f40] t: 4.99998    TARGET:-23 LUFS    M: -31.1 S: -31.1     I: -31.1 LUFS       LRA:   0.0 LU  FTPK: -31.1 -31.1 dBFS  TPK: -31.1 -31.1 dBFS
size=N/A time=00:00:05.00 bitrate=N/A speed= 101x
video:0kB audio:938kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[Parsed_ebur128_0 @ 0x55b8ae4f5f40] Summary:

  Integrated loudness:
    I:         -20.4 LUFS
    Threshold: -30.6 LUFS

  Loudness range:
    LRA:         5.7 LU
    Threshold: -40.4 LUFS
    LRA low:   -24.0 LUFS
    LRA high:  -18.3 LUFS

  True peak:
    Peak:       -4.9 dBFS
";

    #[test]
    fn reads_the_ebur128_summary_not_the_running_lines() {
        assert_eq!(
            ebur128_summary(EBUR128),
            Some(Loudness {
                integrated_lufs: -20.4,
                range_lu: 5.7,
                true_peak_dbtp: Some(-4.9),
            })
        );
        // Without peak=true there is no true peak, and no summary means no reading.
        let cut = &EBUR128[..EBUR128.find("  True peak:").unwrap()];
        assert_eq!(ebur128_summary(cut).unwrap().true_peak_dbtp, None);
        assert_eq!(ebur128_summary("no summary here"), None);
    }

    /// `lacquer measure --json` as the CLI prints it (cli/src/report.rs).
    const MEASURE_JSON: &str = r#"{
  "files": [
    {
      "file": "target/compare/programme-60s.wav",
      "integrated_lufs": -20.41,
      "loudness_range_lu": 5.66,
      "max_momentary_lufs": -15.2,
      "max_short_term_lufs": -17.9,
      "true_peak_dbtp": -4.93,
      "sample_peak_dbfs": -5.1,
      "plr_lu": 15.48,
      "duration_s": 60.0,
      "sample_rate": 48000,
      "channels": 2
    }
  ],
  "album": null
}
"#;

    #[test]
    fn reads_lacquer_measure_json() {
        assert_eq!(
            lacquer_measure_json(MEASURE_JSON),
            Some(Loudness {
                integrated_lufs: -20.41,
                range_lu: 5.66,
                true_peak_dbtp: Some(-4.93),
            })
        );
        let silent = MEASURE_JSON.replace("-20.41", "null");
        assert_eq!(
            lacquer_measure_json(&silent).unwrap().integrated_lufs,
            f64::NEG_INFINITY
        );
        assert_eq!(lacquer_measure_json("{}"), None);
    }

    #[test]
    fn reads_the_lv2_listing() {
        let listing = "http://gareus.org/oss/lv2/dpl#stereo\n\
                       http://lsp-plug.in/plugins/lv2/limiter_stereo\n\
                       \n  http://gareus.org/oss/lv2/fil4#stereo  \n";
        let uris = lv2_listing(listing);
        assert_eq!(uris.len(), 3);
        assert!(uris.contains("http://gareus.org/oss/lv2/fil4#stereo"));
        assert!(uris.contains("http://lsp-plug.in/plugins/lv2/limiter_stereo"));
    }

    #[test]
    fn rusage_adds_user_and_system_time() {
        // 1.25 s user + 0.000 750 s system.
        assert_eq!(rusage_cpu_ns((1, 250_000), (0, 750)), 1_250_750_000);
        assert_eq!(rusage_cpu_ns((0, 0), (0, 0)), 0);
    }
}
