//! Text edits and diffs, as pure functions over strings.
//!
//! Owns: applying a list of exact find/replace edits (each must match exactly once unless
//! it asks to replace all), the hints when one doesn't match, line-ending adaptation, and
//! the unified diff with its counts. Must not touch files: `writing` reads and writes.

use std::time::Duration;

use similar::{ChangeTag, TextDiff};

use crate::limits::format_size;

/// One replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replacement<'a> {
    pub(crate) old_text: &'a str,
    pub(crate) new_text: &'a str,
    pub(crate) replace_all: bool,
}

/// Why an edit could not be applied (1-based `number` is added by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EditProblem {
    Empty,
    NotFound {
        near: Option<usize>,
    },
    Ambiguous {
        lines: Vec<usize>,
        count: usize,
    },
    /// The text would grow past the write limit (`bytes` is what it would have been).
    TooLarge {
        bytes: u64,
        limit: u64,
    },
}

impl EditProblem {
    pub(crate) fn describe(&self) -> String {
        match self {
            EditProblem::Empty => {
                "old_text is empty; give the exact text to replace (to write a whole file, use \
                 write_file)."
                    .to_owned()
            }
            EditProblem::NotFound { near: Some(line) } => format!(
                "old_text was not found exactly; line {line} matches it except for whitespace \
                 or indentation. Copy the text exactly as read_file shows it."
            ),
            EditProblem::NotFound { near: None } => {
                "old_text was not found in the file (after the edits before it). Read the file \
                 again and copy the text exactly, including whitespace."
                    .to_owned()
            }
            EditProblem::Ambiguous { lines, count } => {
                let shown: Vec<String> = lines.iter().map(ToString::to_string).collect();
                format!(
                    "old_text occurs {count} times (at lines {}{}); include more surrounding \
                     lines to pick one, or set replace_all to replace every one.",
                    shown.join(", "),
                    if *count > lines.len() { ", …" } else { "" }
                )
            }
            EditProblem::TooLarge { bytes, limit } => format!(
                "it would make the text {}, more than the {} write limit; make fewer or \
                 smaller replacements.",
                format_size(*bytes),
                format_size(*limit)
            ),
        }
    }
}

/// Applies `edits` in order, each to the result of the ones before. When the text uses
/// CRLF line endings and an edit's text has bare LF ones, the edit is adapted to CRLF.
/// Returns the new text and how many replacements were made, or the 0-based index of the
/// failing edit and why.
///
/// No text along the way grows past `max_bytes`: each edit's result size is computed
/// before it is built, so edits that would multiply the text (`replace_all` of a short
/// text with a longer one, again and again) stop at the limit instead of at memory's end.
pub(crate) fn apply(
    text: &str,
    edits: &[Replacement<'_>],
    max_bytes: u64,
) -> Result<(String, usize), (usize, EditProblem)> {
    let crlf = text.contains("\r\n");
    let mut current = text.to_owned();
    let mut replaced = 0;
    for (index, edit) in edits.iter().enumerate() {
        if edit.old_text.is_empty() {
            return Err((index, EditProblem::Empty));
        }
        let adapt = crlf && !edit.old_text.contains('\r');
        let (old, new) = if adapt {
            (
                edit.old_text.replace('\n', "\r\n"),
                edit.new_text.replace('\n', "\r\n"),
            )
        } else {
            (edit.old_text.to_owned(), edit.new_text.to_owned())
        };
        let mut matches = current.match_indices(&old).map(|(i, _)| i);
        let Some(first) = matches.next() else {
            return Err((
                index,
                EditProblem::NotFound {
                    near: near_match(&current, &old),
                },
            ));
        };
        // Keep a few positions for the message; count the rest without storing them.
        let shown: Vec<usize> = matches.by_ref().take(9).collect();
        let count = 1 + shown.len() + matches.count();
        if count == 1 || edit.replace_all {
            let bytes = size_after(current.len(), count, old.len(), new.len());
            if bytes > max_bytes {
                return Err((
                    index,
                    EditProblem::TooLarge {
                        bytes,
                        limit: max_bytes,
                    },
                ));
            }
        }
        if count == 1 {
            current.replace_range(first..first + old.len(), &new);
            replaced += 1;
        } else if edit.replace_all {
            current = current.replace(&old, &new);
            replaced += count;
        } else {
            let lines = std::iter::once(first)
                .chain(shown)
                .map(|at| line_of(&current, at))
                .collect();
            return Err((index, EditProblem::Ambiguous { lines, count }));
        }
    }
    Ok((current, replaced))
}

/// The length of a text of `len` bytes after `count` non-overlapping replacements of
/// `old` bytes by `new` bytes (saturating: a result that large is over any limit).
fn size_after(len: usize, count: usize, old: usize, new: usize) -> u64 {
    let widen = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    widen(len)
        .saturating_sub(widen(count).saturating_mul(widen(old)))
        .saturating_add(widen(count).saturating_mul(widen(new)))
}

/// 1-based line number of byte `at`.
fn line_of(text: &str, at: usize) -> usize {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count() + 1
}

/// The first line where `needle` matches when each line's surrounding whitespace is
/// ignored, to point a model at what it nearly got right. Bounded work: gives up on very
/// long inputs.
fn near_match(text: &str, needle: &str) -> Option<usize> {
    let wanted: Vec<&str> = needle
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .collect();
    let wanted: Vec<&str> = {
        let mut w = wanted;
        while w.last().is_some_and(|l| l.is_empty()) {
            w.pop();
        }
        w
    };
    if wanted.is_empty() {
        return None;
    }
    if text.len() > 2 * 1024 * 1024 {
        return None;
    }
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    if lines.len().saturating_mul(wanted.len()) > 20_000_000 {
        return None;
    }
    lines
        .windows(wanted.len())
        .position(|window| window == wanted.as_slice())
        .map(|i| i + 1)
}

/// A unified diff and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diff {
    pub(crate) unified: String,
    pub(crate) lines_added: usize,
    pub(crate) lines_removed: usize,
    /// The diff text was cut to fit the cap.
    pub(crate) truncated: bool,
}

/// Diffs two texts line by line (with a time budget, so a pathological pair can't stall a
/// call) and renders a unified diff with three lines of context, cut at a line boundary to
/// at most `max_bytes`.
pub(crate) fn diff(old: &str, new: &str, label: &str, max_bytes: usize) -> Diff {
    let diff = TextDiff::configure()
        .timeout(Duration::from_millis(500))
        .diff_lines(old, new);
    let mut lines_added = 0;
    let mut lines_removed = 0;
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => lines_added += 1,
            ChangeTag::Delete => lines_removed += 1,
            ChangeTag::Equal => {}
        }
    }
    let mut unified = if lines_added + lines_removed == 0 {
        String::new()
    } else {
        diff.unified_diff()
            .context_radius(3)
            .header(label, label)
            .to_string()
    };
    let mut truncated = false;
    if unified.len() > max_bytes {
        let mut cut = max_bytes;
        while !unified.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = unified[..cut].rfind('\n').map_or(0, |i| i + 1);
        unified.truncate(cut);
        unified.push_str("… (diff cut short; read the file to see the rest)\n");
        truncated = true;
    }
    Diff {
        unified,
        lines_added,
        lines_removed,
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NO_LIMIT: u64 = u64::MAX;

    fn one<'a>(old: &'a str, new: &'a str) -> Replacement<'a> {
        Replacement {
            old_text: old,
            new_text: new,
            replace_all: false,
        }
    }

    #[test]
    fn edits_apply_in_order() {
        let (text, count) = apply("a b c", &[one("a", "x"), one("x b", "y")], NO_LIMIT).unwrap();
        assert_eq!((text.as_str(), count), ("y c", 2));
    }

    #[test]
    fn an_ambiguous_edit_names_the_lines() {
        let error = apply("x\ny\nx\n", &[one("x", "z")], NO_LIMIT).unwrap_err();
        assert_eq!(
            error,
            (
                0,
                EditProblem::Ambiguous {
                    lines: vec![1, 3],
                    count: 2
                }
            )
        );
        let (text, count) = apply(
            "x\ny\nx\n",
            &[Replacement {
                replace_all: true,
                ..one("x", "z")
            }],
            NO_LIMIT,
        )
        .unwrap();
        assert_eq!((text.as_str(), count), ("z\ny\nz\n", 2));
    }

    #[test]
    fn a_near_miss_points_at_the_line() {
        let text = "fn main() {\n    println!(\"hi\");\n}\n";
        let error =
            apply(text, &[one("fn main() {\nprintln!(\"hi\");", "")], NO_LIMIT).unwrap_err();
        assert_eq!(error, (0, EditProblem::NotFound { near: Some(1) }));
        assert!(error.1.describe().contains("line 1"));
        let error = apply(text, &[one("nothing like it", "")], NO_LIMIT).unwrap_err();
        assert_eq!(error, (0, EditProblem::NotFound { near: None }));
    }

    #[test]
    fn repeated_replace_all_stops_at_the_limit_before_building_the_text() {
        let grow = Replacement {
            old_text: "l",
            new_text: "ll",
            replace_all: true,
        };
        // Each edit doubles the "l"s: 30 of them would make gigabytes.
        let edits = vec![grow; 30];
        let (index, problem) = apply("hello\n", &edits, 1024).unwrap_err();
        // The 2 "l"s become 2^(n+1) after n edits: edit 8 makes 512 of them (516 bytes),
        // edit 9 (index 8) would make 1028 bytes.
        assert_eq!(
            index, 8,
            "the first edit over the limit is named: {problem:?}"
        );
        assert_eq!(
            problem,
            EditProblem::TooLarge {
                bytes: 1028,
                limit: 1024
            }
        );
        assert!(
            problem.describe().contains("1 KiB write limit"),
            "{}",
            problem.describe()
        );
        let (text, _) = apply("hello\n", &edits[..8], 1024).unwrap();
        assert_eq!(text.len(), 516, "up to the limit, edits apply");
    }

    #[test]
    fn a_single_replacement_is_held_to_the_limit_too() {
        let error = apply("ab", &[one("a", &"x".repeat(100))], 50).unwrap_err();
        assert_eq!(
            error,
            (
                0,
                EditProblem::TooLarge {
                    bytes: 101,
                    limit: 50
                }
            )
        );
        assert!(
            apply("ab", &[one("a", "xyz")], 4).is_ok(),
            "exactly at the limit"
        );
    }

    #[test]
    fn empty_old_text_is_refused() {
        assert_eq!(
            apply("abc", &[one("", "x")], NO_LIMIT).unwrap_err().1,
            EditProblem::Empty
        );
    }

    #[test]
    fn crlf_files_accept_lf_edits() {
        let (text, _) = apply("a\r\nb\r\nc\r\n", &[one("a\nb\n", "x\ny\n")], NO_LIMIT).unwrap();
        assert_eq!(text, "x\r\ny\r\nc\r\n");
    }

    #[test]
    fn diffs_count_lines_and_show_context() {
        let d = diff("a\nb\nc\n", "a\nB\nc\nd\n", "/g/f.txt", 10_000);
        assert_eq!((d.lines_added, d.lines_removed), (2, 1));
        assert!(
            d.unified.starts_with("--- /g/f.txt\n+++ /g/f.txt\n"),
            "{}",
            d.unified
        );
        assert!(d.unified.contains("-b\n+B\n"), "{}", d.unified);
        assert!(!d.truncated);
        assert_eq!(diff("same\n", "same\n", "x", 100).unified, "");
    }

    #[test]
    fn long_diffs_are_cut_at_a_line() {
        let old: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line", "LINE");
        let d = diff(&old, &new, "x", 1000);
        assert!(d.truncated);
        assert!(d.unified.len() < 1100);
        assert!(d.unified.ends_with("read the file to see the rest)\n"));
        assert_eq!((d.lines_added, d.lines_removed), (1000, 1000));
    }

    proptest! {
        #[test]
        fn a_unique_replacement_changes_only_its_text(
            before in "[a-c\n]{0,30}", after in "[a-c\n]{0,30}", new in "[x-z\n]{0,10}"
        ) {
            let marker = "<<MARK>>";
            let text = format!("{before}{marker}{after}");
            let (edited, count) = apply(
                &text,
                &[Replacement { old_text: marker, new_text: &new, replace_all: false }],
                NO_LIMIT,
            ).unwrap();
            prop_assert_eq!(count, 1);
            prop_assert_eq!(edited, format!("{before}{new}{after}"));
        }
    }
}
