//! Reading files: whole or by lines as text, or as bytes for media and resources.
//!
//! Owns: line selection (pure functions over bytes: head, tail, offset/limit), the text
//! checks (no NUL byte, valid UTF-8) and the read caps. Must not open files by path: it
//! reads from a `File` the sandbox opened.

use std::{
    fs::File,
    io::{Read, Seek, SeekFrom},
};

use crate::{
    error::FilesError,
    limits::format_size,
    mime,
    sandbox::{Located, Meta},
    uri,
};

/// Which lines of a file to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lines {
    All,
    /// The first `n` lines.
    Head(usize),
    /// The last `n` lines.
    Tail(usize),
    /// `limit` lines (or all the rest) from line `offset` (1-based).
    Range {
        offset: usize,
        limit: Option<usize>,
    },
}

impl Lines {
    /// Reads the line arguments of read_file; they can't be combined.
    pub(crate) fn from_arguments(
        head: Option<usize>,
        tail: Option<usize>,
        offset: Option<usize>,
        limit: Option<usize>,
    ) -> Result<Lines, FilesError> {
        match (head, tail, offset, limit) {
            (None, None, None, None) => Ok(Lines::All),
            (Some(n), None, None, None) => Ok(Lines::Head(n)),
            (None, Some(n), None, None) => Ok(Lines::Tail(n)),
            (None, None, offset, limit) => {
                let offset = offset.unwrap_or(1);
                if offset == 0 {
                    return Err(FilesError::Argument(
                        "offset counts lines from 1 (the first line is offset 1).".to_owned(),
                    ));
                }
                Ok(Lines::Range { offset, limit })
            }
            _ => Err(FilesError::Argument(
                "Use only one way to pick lines: head, tail, or offset with limit.".to_owned(),
            )),
        }
    }
}

/// A selected byte range, and whether the buffer held everything asked for (`false` when
/// the buffer ran out before the lines did).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Selection {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) complete: bool,
}

/// The end of the first `n` lines (after the n-th newline), or `None` when there are
/// fewer than `n` newlines.
fn after_newlines(bytes: &[u8], n: usize) -> Option<usize> {
    if n == 0 {
        return Some(0);
    }
    memchr::memchr_iter(b'\n', bytes).nth(n - 1).map(|i| i + 1)
}

/// Selects `lines` from `bytes`. `at_start` and `at_end` say whether the buffer begins at
/// the start of the file and ends at its end (a partial window of a large file otherwise).
pub(crate) fn select(bytes: &[u8], lines: Lines, at_start: bool, at_end: bool) -> Selection {
    let len = bytes.len();
    match lines {
        Lines::All => Selection {
            start: 0,
            end: len,
            complete: at_start && at_end,
        },
        Lines::Head(n) => match after_newlines(bytes, n) {
            Some(end) => Selection {
                start: 0,
                end,
                complete: at_start,
            },
            None => Selection {
                start: 0,
                end: len,
                complete: at_start && at_end,
            },
        },
        Lines::Range { offset, limit } => {
            let Some(start) = after_newlines(bytes, offset - 1) else {
                return Selection {
                    start: len,
                    end: len,
                    complete: at_start && at_end,
                };
            };
            match limit.and_then(|limit| after_newlines(&bytes[start..], limit)) {
                Some(length) => Selection {
                    start,
                    end: start + length,
                    complete: at_start,
                },
                None => Selection {
                    start,
                    end: len,
                    complete: at_start && at_end,
                },
            }
        }
        Lines::Tail(n) => {
            // A final newline ends the last line; it does not start an empty one.
            let body = if bytes.last() == Some(&b'\n') {
                &bytes[..len - 1]
            } else {
                bytes
            };
            if n == 0 {
                return Selection {
                    start: len,
                    end: len,
                    complete: at_end,
                };
            }
            match memchr::memrchr_iter(b'\n', body).nth(n - 1) {
                Some(newline) => Selection {
                    start: newline + 1,
                    end: len,
                    complete: at_end,
                },
                None => Selection {
                    start: 0,
                    end: len,
                    complete: at_start && at_end,
                },
            }
        }
    }
}

/// Reads `lines` of an opened file as text, within `cap` bytes. Whole reads need the file
/// to fit the cap; head, offset and tail reads of a larger file work on the first (or
/// last) `cap` bytes and fail if the lines asked for don't fit in them.
pub(crate) fn read_text(
    located: &Located,
    mut file: File,
    meta: &Meta,
    lines: Lines,
    cap: u64,
) -> Result<String, FilesError> {
    let path = located.display();
    let too_large = |hint| FilesError::TooLarge {
        path: path.clone(),
        size: format_size(meta.len),
        limit: format_size(cap),
        what: "one read",
        hint,
    };
    let fits = meta.len <= cap;
    if !fits && lines == Lines::All {
        return Err(too_large(
            "Read part of it with head, tail, or offset and limit, or use search_files to find \
             the lines you need.",
        ));
    }
    let from_end = matches!(lines, Lines::Tail(_)) && !fits;
    if from_end {
        file.seek(SeekFrom::Start(meta.len - cap))
            .map_err(|e| FilesError::io("read", path.clone(), e))?;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len.min(cap)).unwrap_or(0));
    (&mut file)
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FilesError::io("read", path.clone(), e))?;
    let grew = bytes.len() as u64 > cap;
    if grew {
        bytes.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
    }
    let whole = fits && !grew;
    let selection = select(&bytes, lines, !from_end, whole || from_end);
    if !selection.complete {
        return Err(too_large(
            "The lines asked for reach beyond the part of the file one read may cover; ask for \
             fewer lines, or lines nearer its start (head, offset) or end (tail).",
        ));
    }
    let name = located.rest.last().map_or("", String::as_str);
    let slice = &bytes[selection.start..selection.end];
    if memchr::memchr(0, slice).is_some() {
        let mime = mime::for_content(name, false);
        return Err(FilesError::Binary {
            uri: uri::uri_of_path(&located.path()),
            path,
            mime,
            hint: if mime.starts_with("image/") || mime.starts_with("audio/") {
                "Use read_media to see or hear it."
            } else {
                ""
            },
        });
    }
    if let Err(error) = std::str::from_utf8(slice) {
        return Err(FilesError::NotUtf8 {
            uri: uri::uri_of_path(&located.path()),
            path,
            offset: selection.start + error.valid_up_to(),
        });
    }
    if selection.start == 0 && selection.end == bytes.len() {
        // The whole buffer: no copy.
        return String::from_utf8(bytes).map_err(|e| FilesError::NotUtf8 {
            uri: uri::uri_of_path(&located.path()),
            path,
            offset: e.utf8_error().valid_up_to(),
        });
    }
    Ok(String::from_utf8_lossy(slice).into_owned())
}

/// Reads a whole opened file as bytes, within `cap`.
pub(crate) fn read_bytes(
    located: &Located,
    file: File,
    meta: &Meta,
    cap: u64,
    what: &'static str,
) -> Result<Vec<u8>, FilesError> {
    let too_large = || FilesError::TooLarge {
        path: located.display(),
        size: format_size(meta.len),
        limit: format_size(cap),
        what,
        hint: "Ask the user for a smaller file.",
    };
    if meta.len > cap {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len).unwrap_or(0));
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FilesError::io("read", located.display(), e))?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Whether bytes are text: no NUL byte and valid UTF-8.
pub(crate) fn is_text(bytes: &[u8]) -> bool {
    memchr::memchr(0, bytes).is_none() && std::str::from_utf8(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pick(text: &str, lines: Lines) -> &str {
        let s = select(text.as_bytes(), lines, true, true);
        assert!(s.complete);
        &text[s.start..s.end]
    }

    #[test]
    fn head_tail_and_ranges_pick_whole_lines() {
        let text = "one\ntwo\nthree\nfour\n";
        assert_eq!(pick(text, Lines::Head(2)), "one\ntwo\n");
        assert_eq!(pick(text, Lines::Head(10)), text);
        assert_eq!(pick(text, Lines::Tail(2)), "three\nfour\n");
        assert_eq!(pick(text, Lines::Tail(10)), text);
        assert_eq!(
            pick(
                text,
                Lines::Range {
                    offset: 2,
                    limit: Some(2)
                }
            ),
            "two\nthree\n"
        );
        assert_eq!(
            pick(
                text,
                Lines::Range {
                    offset: 3,
                    limit: None
                }
            ),
            "three\nfour\n"
        );
        assert_eq!(
            pick(
                text,
                Lines::Range {
                    offset: 9,
                    limit: None
                }
            ),
            ""
        );
        assert_eq!(pick("a\nb", Lines::Tail(1)), "b", "no final newline");
        assert_eq!(pick("a\nb\n", Lines::Tail(0)), "");
    }

    #[test]
    fn a_window_that_runs_out_of_lines_is_incomplete() {
        let window = b"one\ntwo\nthr";
        assert!(!select(window, Lines::Head(5), true, false).complete);
        assert!(select(window, Lines::Head(2), true, false).complete);
        let tail_window = b"ee\nfour\nfive\n";
        let s = select(tail_window, Lines::Tail(2), false, true);
        assert!(s.complete);
        assert_eq!(&tail_window[s.start..s.end], b"four\nfive\n");
        assert!(!select(tail_window, Lines::Tail(3), false, true).complete);
    }

    #[test]
    fn line_arguments_cannot_be_mixed() {
        assert!(Lines::from_arguments(Some(1), Some(1), None, None).is_err());
        assert!(Lines::from_arguments(Some(1), None, Some(2), None).is_err());
        assert!(Lines::from_arguments(None, None, Some(0), None).is_err());
        assert_eq!(
            Lines::from_arguments(None, None, None, Some(5)).unwrap(),
            Lines::Range {
                offset: 1,
                limit: Some(5)
            }
        );
    }

    proptest! {
        #[test]
        fn head_and_the_rest_make_the_whole(text in "[a-z\n]{0,80}", n in 0usize..12) {
            let head = pick(&text, Lines::Head(n));
            let rest = pick(&text, Lines::Range { offset: n + 1, limit: None });
            prop_assert_eq!(format!("{head}{rest}"), text);
        }

        #[test]
        fn tail_is_a_suffix_of_whole_lines(text in "[a-z\n]{0,80}", n in 1usize..12) {
            let tail = pick(&text, Lines::Tail(n));
            prop_assert!(text.ends_with(tail));
            let before = &text[..text.len() - tail.len()];
            prop_assert!(before.is_empty() || before.ends_with('\n'));
            let body = tail.strip_suffix('\n').unwrap_or(tail);
            prop_assert!(body.matches('\n').count() < n);
        }
    }
}
