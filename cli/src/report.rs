//! The report of `lacquer measure`: an aligned table, JSON or CSV.

use crate::measure::{value, verdict, Reading};
use dsp_core::loudness::targets::Target;
use serde_json::{json, Map, Value};

/// How a column reads its value off a row (`None`: nothing measured).
type Column = (&'static str, fn(&Reading) -> Option<f64>);

/// The numeric columns: header with unit, and reading.
const COLUMNS: [Column; 8] = [
    ("I LUFS", |r| value(r.integrated_lufs)),
    ("LRA LU", |r| {
        value(r.integrated_lufs).map(|_| r.loudness_range_lu)
    }),
    ("M max", |r| value(r.max_momentary_lufs)),
    ("S max", |r| value(r.max_short_term_lufs)),
    ("TP dBTP", |r| value(r.true_peak_dbtp)),
    ("SP dBFS", |r| value(r.sample_peak_dbfs)),
    ("PLR LU", Reading::plr_lu),
    ("seconds", |r| Some(r.duration_s)),
];

/// JSON field names of [`COLUMNS`], in the same order.
const KEYS: [&str; 8] = [
    "integrated_lufs",
    "loudness_range_lu",
    "max_momentary_lufs",
    "max_short_term_lufs",
    "true_peak_dbtp",
    "sample_peak_dbfs",
    "plr_lu",
    "duration_s",
];

fn number(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "-inf".to_owned(), |v| format!("{v:.decimals$}"))
}

/// The aligned table (one row per file, then the album when there are several).
pub fn table(rows: &[Reading], targets: &[Target]) -> String {
    let mut header: Vec<String> = vec!["file".to_owned()];
    header.extend(COLUMNS.iter().map(|(h, _)| (*h).to_owned()));
    for t in targets {
        header.push(format!("{} gain", t.name));
        header.push(format!("{} TP", t.name));
    }
    let mut cells: Vec<Vec<String>> = vec![header];
    for r in rows {
        let mut line = vec![r.name.clone()];
        line.extend(COLUMNS.iter().map(|(_, f)| number(f(r), 1)));
        for t in targets {
            let v = verdict(t, r);
            line.push(v.gain_db.map_or("-".to_owned(), |g| format!("{g:+.1} dB")));
            line.push(match v.ceiling_ok {
                Some(true) => "ok".to_owned(),
                _ => format!("over {:+.1}", r.true_peak_dbtp - t.ceiling_dbtp),
            });
        }
        cells.push(line);
    }
    let widths: Vec<usize> = (0..cells[0].len())
        .map(|c| {
            cells
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in &cells {
        let text: Vec<String> = line
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c == 0 {
                    format!("{cell:<w$}", w = widths[c])
                } else {
                    format!("{cell:>w$}", w = widths[c])
                }
            })
            .collect();
        out.push_str(text.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn reading_json(r: &Reading, targets: &[Target]) -> Value {
    let mut map = Map::new();
    map.insert("file".to_owned(), json!(r.name));
    for (key, (_, f)) in KEYS.iter().zip(COLUMNS.iter()) {
        map.insert((*key).to_owned(), json!(f(r)));
    }
    if let Some((rate, channels)) = r.format {
        map.insert("sample_rate".to_owned(), json!(rate));
        map.insert("channels".to_owned(), json!(channels));
    }
    let verdicts: Vec<Value> = targets
        .iter()
        .map(|t| {
            let v = verdict(t, r);
            json!({
                "target": t.name,
                "target_lufs": t.target_lufs,
                "ceiling_dbtp": t.ceiling_dbtp,
                "gain_db": v.gain_db,
                "ceiling_ok": v.ceiling_ok,
            })
        })
        .collect();
    if !targets.is_empty() {
        map.insert("targets".to_owned(), Value::Array(verdicts));
    }
    Value::Object(map)
}

/// `{"files": [...], "album": {...} | null}`; unmeasured readings are `null`.
pub fn json(files: &[Reading], album: Option<&Reading>, targets: &[Target]) -> String {
    let doc = json!({
        "files": files.iter().map(|r| reading_json(r, targets)).collect::<Vec<_>>(),
        "album": album.map(|r| reading_json(r, targets)),
    });
    serde_json::to_string_pretty(&doc).expect("a JSON value always serialises") + "\n"
}

/// One header line, one line per file, then the album; empty cells for unmeasured values.
pub fn csv(rows: &[Reading], targets: &[Target]) -> String {
    let mut header: Vec<String> = vec!["file".to_owned()];
    header.extend(KEYS.iter().map(|k| (*k).to_owned()));
    for t in targets {
        header.push(format!("{}_gain_db", t.key));
        header.push(format!("{}_ceiling_ok", t.key));
    }
    let mut out = header.join(",") + "\n";
    for r in rows {
        let mut line = vec![quote(&r.name)];
        line.extend(
            COLUMNS
                .iter()
                .map(|(_, f)| f(r).map_or(String::new(), |v| format!("{v:.3}"))),
        );
        for t in targets {
            let v = verdict(t, r);
            line.push(v.gain_db.map_or(String::new(), |g| format!("{g:.3}")));
            line.push(v.ceiling_ok.map_or(String::new(), |ok| ok.to_string()));
        }
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// RFC 4180 quoting when a field needs it.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
