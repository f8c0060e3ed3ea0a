//! How one value of a result becomes JSON within the limits: text cut at a character boundary
//! with a note of its full size, BLOBs as base64 or, when too large, only their size, numbers
//! as numbers (non-finite reals as text), and a running budget for the whole result.
//!
//! Pure functions shared by SQLite and PostgreSQL; must not know either engine.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::results::ColumnHead;

/// Rows and columns of a query, before the tool adds the database name.
#[derive(Debug)]
pub(crate) struct Rows {
    pub(crate) columns: Vec<ColumnHead>,
    pub(crate) budget: RowBudget,
}

/// A text cell, cut to at most `max_bytes` bytes (on a character boundary) with a marker that
/// gives the full size.
pub(crate) fn text_cell(text: &str, max_bytes: usize) -> (Value, bool) {
    if text.len() <= max_bytes {
        return (Value::String(text.to_owned()), false);
    }
    let mut end = max_bytes;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    (
        Value::String(format!(
            "{}… [cut: {} bytes in all; select substr() or length() to see more]",
            &text[..end],
            text.len()
        )),
        true,
    )
}

/// A text cell from bytes that should be UTF-8 (invalid sequences become U+FFFD); only the
/// part that is shown is converted, so a huge value is never copied whole.
pub(crate) fn text_bytes_cell(bytes: &[u8], max_bytes: usize) -> (Value, bool) {
    if bytes.len() <= max_bytes {
        return text_cell(&String::from_utf8_lossy(bytes), max_bytes);
    }
    let shown = String::from_utf8_lossy(&bytes[..max_bytes]);
    // A character cut in two at the edge is dropped rather than shown as U+FFFD.
    let shown = match std::str::from_utf8(&bytes[..max_bytes]) {
        Err(error) if error.error_len().is_none() => {
            String::from_utf8_lossy(&bytes[..error.valid_up_to()])
        }
        _ => shown,
    };
    (
        Value::String(format!(
            "{shown}… [cut: {} bytes in all; select substr() or length() to see more]",
            bytes.len()
        )),
        true,
    )
}

/// A BLOB cell: `{"base64": …, "bytes": n}`, or when the encoding would exceed `max_bytes`,
/// `{"bytes": n, "note": …}` without the content.
pub(crate) fn blob_cell(bytes: &[u8], max_bytes: usize) -> (Value, bool) {
    let encoded_len = bytes.len().div_ceil(3) * 4;
    if encoded_len <= max_bytes {
        (
            json!({
                "base64": base64::engine::general_purpose::STANDARD.encode(bytes),
                "bytes": bytes.len(),
            }),
            false,
        )
    } else {
        (
            json!({
                "bytes": bytes.len(),
                "note": format!(
                    "a BLOB of {} bytes, too large to show; select length() or substr() of it",
                    bytes.len()
                ),
            }),
            true,
        )
    }
}

/// A real number: a JSON number when finite, otherwise "NaN", "Infinity" or "-Infinity".
pub(crate) fn real_cell(value: f64) -> Value {
    match serde_json::Number::from_f64(value) {
        Some(number) => Value::Number(number),
        None if value.is_nan() => Value::String("NaN".to_owned()),
        None if value > 0.0 => Value::String("Infinity".to_owned()),
        None => Value::String("-Infinity".to_owned()),
    }
}

/// About how many bytes `value` takes in the JSON result (an upper bound is not needed: this
/// only keeps results near the configured size).
pub(crate) fn approximate_size(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Bool(_) => 5,
        Value::Number(_) => 20,
        Value::String(text) => text.len() + 2,
        Value::Array(items) => 2 + items.iter().map(approximate_size).sum::<usize>(),
        Value::Object(map) => {
            2 + map
                .iter()
                .map(|(key, value)| key.len() + 3 + approximate_size(value))
                .sum::<usize>()
        }
    }
}

/// Collects rows up to a row count and a size budget.
#[derive(Debug)]
pub(crate) struct RowBudget {
    max_rows: usize,
    remaining_bytes: usize,
    pub(crate) rows: Vec<Vec<Value>>,
    pub(crate) cut_cells: usize,
    pub(crate) stopped: Option<Stop>,
}

/// Why a result holds fewer rows than the statement produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    Rows,
    Bytes,
}

impl RowBudget {
    pub(crate) fn new(max_rows: usize, max_bytes: usize) -> Self {
        Self {
            max_rows,
            remaining_bytes: max_bytes,
            rows: Vec::new(),
            cut_cells: 0,
            stopped: None,
        }
    }

    /// Whether the budget would take another row (call before building it).
    pub(crate) fn wants_more(&mut self) -> bool {
        if self.stopped.is_some() {
            return false;
        }
        if self.rows.len() >= self.max_rows {
            self.stopped = Some(Stop::Rows);
            return false;
        }
        true
    }

    /// Adds a row unless it would go over the size budget (the first row always fits, so a
    /// result is never empty only because one row is large).
    pub(crate) fn push(&mut self, row: Vec<Value>, cut_cells: usize) {
        let size = 2 + row.iter().map(approximate_size).sum::<usize>();
        if size > self.remaining_bytes && !self.rows.is_empty() {
            self.stopped = Some(Stop::Bytes);
            return;
        }
        self.remaining_bytes = self.remaining_bytes.saturating_sub(size);
        self.cut_cells += cut_cells;
        self.rows.push(row);
    }

    /// A note for the model when rows were left out or cells were cut.
    pub(crate) fn note(&self) -> Option<String> {
        let mut notes = Vec::new();
        match self.stopped {
            Some(Stop::Rows) => notes.push(format!(
                "only the first {} rows are shown; add a LIMIT/OFFSET or a narrower WHERE, or \
                 ask for more with max_rows",
                self.rows.len()
            )),
            Some(Stop::Bytes) => notes.push(format!(
                "only the first {} rows are shown because the result reached its size limit; \
                 select fewer or shorter columns",
                self.rows.len()
            )),
            None => {}
        }
        if self.cut_cells > 0 {
            notes.push(format!(
                "{} long values were cut or left out (see each cell's note)",
                self.cut_cells
            ));
        }
        (!notes.is_empty()).then(|| notes.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn large_blobs_are_described_not_returned() {
        let (small, cut) = blob_cell(&[1, 2, 3], 100);
        assert!(!cut);
        assert_eq!(small, json!({"base64": "AQID", "bytes": 3}));
        let (large, cut) = blob_cell(&vec![0u8; 10_000], 100);
        assert!(cut);
        assert_eq!(large["bytes"], 10_000);
        assert!(large.get("base64").is_none(), "no content beyond the cap");
    }

    #[test]
    fn non_finite_reals_are_text() {
        assert_eq!(real_cell(1.5), json!(1.5));
        assert_eq!(real_cell(f64::INFINITY), json!("Infinity"));
        assert_eq!(real_cell(f64::NEG_INFINITY), json!("-Infinity"));
        assert_eq!(real_cell(f64::NAN), json!("NaN"));
    }

    #[test]
    fn the_budget_stops_at_rows_or_bytes() {
        let mut budget = RowBudget::new(2, 1_000_000);
        for _ in 0..5 {
            if !budget.wants_more() {
                break;
            }
            budget.push(vec![json!(1)], 0);
        }
        assert_eq!(budget.rows.len(), 2);
        assert_eq!(budget.stopped, Some(Stop::Rows));

        let mut budget = RowBudget::new(100, 50);
        for _ in 0..5 {
            if !budget.wants_more() {
                break;
            }
            budget.push(vec![json!("x".repeat(30))], 0);
        }
        assert_eq!(budget.rows.len(), 1, "the first row always fits");
        assert_eq!(budget.stopped, Some(Stop::Bytes));
        assert!(budget.note().unwrap().contains("size limit"));
    }

    #[test]
    fn text_from_bytes_is_cut_on_a_character_boundary() {
        let text = "ab€".repeat(10);
        let (cell, cut) = text_bytes_cell(text.as_bytes(), 4);
        assert!(cut);
        assert!(
            cell.as_str().unwrap().starts_with("ab… [cut: 50 bytes"),
            "the half € is dropped: {cell}"
        );
        let (cell, cut) = text_bytes_cell(b"ok\xff", 100);
        assert!(!cut);
        assert_eq!(cell, json!("ok\u{fffd}"));
    }

    proptest! {
        #[test]
        fn text_from_bytes_matches_text_when_valid(text in ".{0,100}", max in 0usize..64) {
            let (from_bytes, _) = text_bytes_cell(text.as_bytes(), max);
            let (from_text, _) = text_cell(&text, max);
            prop_assert_eq!(from_bytes, from_text);
        }

        #[test]
        fn cut_text_is_valid_and_bounded(text in ".{0,200}", max in 0usize..64) {
            let (cell, cut) = text_cell(&text, max);
            let shown = cell.as_str().unwrap().to_owned();
            if cut {
                let kept = shown.split("… [cut:").next().unwrap();
                prop_assert!(kept.len() <= max);
                prop_assert!(text.starts_with(kept));
                prop_assert!(shown.contains(&format!("{} bytes in all", text.len())), "the marker gives the full size");
            } else {
                prop_assert_eq!(shown, text);
            }
        }
    }
}
