//! Pages of a long text: which characters one call returns.
//!
//! Owns [`page`], a pure function over character (Unicode scalar) offsets, so a model can
//! pass `next_start_index` straight back. A page that would stop mid-line stops after the
//! last line break in its final fifth instead, so pages tend to end on whole lines; the
//! pages of a text always concatenate to exactly the text. Must not know where the text
//! came from.

/// One page of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page<'a> {
    /// The page's text.
    pub(crate) text: &'a str,
    /// Offset of its first character, in characters.
    pub(crate) start: usize,
    /// Offset just past its last character, in characters.
    pub(crate) end: usize,
    /// Length of the whole text, in characters.
    pub(crate) total: usize,
}

impl Page<'_> {
    /// Where the next page starts, or `None` when this page reaches the end.
    pub(crate) fn next_start(&self) -> Option<usize> {
        (self.end < self.total).then_some(self.end)
    }
}

/// The page of `text` that starts at character `start` and holds at most `max_length`
/// characters (at least one, unless the text is exhausted). `None` when `start` is past
/// the end; a `start` equal to the length gives an empty last page.
pub(crate) fn page(text: &str, start: usize, max_length: usize) -> Option<Page<'_>> {
    let max_length = max_length.max(1);
    let total = text.chars().count();
    if start > total {
        return None;
    }
    let start_byte = byte_offset(text, start);
    let rest = &text[start_byte..];
    let mut end = start.saturating_add(max_length).min(total);
    let mut end_byte = start_byte + byte_offset(rest, end - start);
    if end < total {
        // Prefer to stop after a line break in the last fifth of the page.
        let window = (max_length / 5).max(1);
        let page_text = &text[start_byte..end_byte];
        if let Some(newline) = page_text.rfind('\n') {
            let kept = &page_text[..=newline];
            let kept_chars = kept.chars().count();
            if kept_chars >= max_length.saturating_sub(window) && kept_chars > 0 {
                end = start + kept_chars;
                end_byte = start_byte + kept.len();
            }
        }
    }
    Some(Page {
        text: &text[start_byte..end_byte],
        start,
        end,
        total,
    })
}

/// The byte offset of character `chars` in `text` (its length if past the end).
fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(offset, _)| offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_short_text_is_one_page() {
        let one = page("hello", 0, 100).unwrap();
        assert_eq!(one.text, "hello");
        assert_eq!(one.next_start(), None);
        assert_eq!(one.total, 5);
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "żółw żółw żółw";
        let first = page(text, 0, 5).unwrap();
        assert_eq!(first.text, "żółw ");
        let second = page(text, first.end, 5).unwrap();
        assert_eq!(second.text, "żółw ");
        assert_eq!(second.next_start(), Some(10));
    }

    #[test]
    fn pages_prefer_to_end_after_a_line_break() {
        let text = "line one\nline two\nline three";
        let first = page(text, 0, 20).unwrap();
        assert_eq!(first.text, "line one\nline two\n", "stops at the line end");
        let far = page(text, 0, 12).unwrap();
        assert_eq!(far.text, "line one\nlin", "a break too early is not used");
    }

    #[test]
    fn a_start_past_the_end_is_refused_and_the_end_itself_is_empty() {
        assert!(page("abc", 4, 10).is_none());
        let last = page("abc", 3, 10).unwrap();
        assert_eq!(last.text, "");
        assert_eq!(last.next_start(), None);
    }

    proptest! {
        #[test]
        fn pages_concatenate_to_the_whole_text(
            text in "(\\PC|\n){0,300}",
            max_length in 1usize..60,
        ) {
            let mut joined = String::new();
            let mut start = 0;
            let mut pages = 0;
            loop {
                let one = page(&text, start, max_length).unwrap();
                prop_assert!(one.text.chars().count() <= max_length);
                prop_assert!(one.end > one.start || one.end == one.total, "every page advances");
                joined.push_str(one.text);
                pages += 1;
                prop_assert!(pages <= 400, "paging terminates");
                match one.next_start() {
                    Some(next) => start = next,
                    None => break,
                }
            }
            prop_assert_eq!(joined, text);
        }
    }
}
