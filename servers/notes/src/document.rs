//! Reading a note's text: its title, its outline of headings, the sections a search hit
//! can name, and the section a reader asks for.
//!
//! Owns the Markdown rules the server needs (front matter, ATX and setext headings, fenced
//! code blocks, where a section ends) and the chunking of long sections. Pure functions
//! over text: no files, no index, no full Markdown rendering.

/// Sections longer than this many bytes are split into several chunks (at a blank line when
/// there is one), so that a hit in a long text names a line close to it.
const CHUNK_TARGET_BYTES: usize = 2_000;
/// A chunk is cut at any line boundary once it reaches this size.
const CHUNK_HARD_BYTES: usize = 8_000;
/// At most this many chunks per file; the rest of the text goes into the last chunk.
pub(crate) const MAX_CHUNKS_PER_FILE: usize = 10_000;
/// Front matter longer than this many lines is not front matter.
const MAX_FRONT_MATTER_LINES: usize = 200;

/// What kind of text a note holds, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoteKind {
    Markdown,
    PlainText,
}

impl NoteKind {
    /// The kind of a note from its file name (`.txt` is plain text, the rest Markdown).
    pub(crate) fn of_file_name(name: &str) -> Self {
        let is_text = name
            .rsplit_once('.')
            .is_some_and(|(_, extension)| extension.eq_ignore_ascii_case("txt"));
        if is_text {
            Self::PlainText
        } else {
            Self::Markdown
        }
    }
}

/// A heading in a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The heading text without the markers.
    pub text: String,
    /// Index of the heading's first line (0-based).
    pub line: usize,
    /// Index of the line after the heading (setext headings span two lines).
    pub body_line: usize,
}

/// The structure of a note's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outline {
    /// Front matter `title:`, if any.
    pub front_matter_title: Option<String>,
    /// Line range of the front matter block including its fences, if any.
    pub front_matter: Option<(usize, usize)>,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Number of lines in the text.
    pub line_count: usize,
}

/// A piece of a note that the index stores and a search hit points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// The text of the heading the chunk falls under, if any.
    pub heading: Option<String>,
    /// The headings above it and its own, joined with " > " (indexed with extra weight).
    pub heading_trail: String,
    /// 1-based line where the chunk starts.
    pub line: u32,
    /// The chunk's text (without its heading line).
    pub body: String,
}

/// A note read into what the index needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    pub title: String,
    pub chunks: Vec<Chunk>,
}

/// Splits text into lines without their line endings (`\n` or `\r\n`).
pub(crate) fn lines(text: &str) -> Vec<&str> {
    text.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect()
}

/// Finds front matter, headings and their lines in Markdown text.
pub(crate) fn outline(lines: &[&str], kind: NoteKind) -> Outline {
    let mut outline = Outline {
        front_matter_title: None,
        front_matter: None,
        headings: Vec::new(),
        line_count: lines.len(),
    };
    if kind == NoteKind::PlainText {
        return outline;
    }
    let mut index = 0;
    if let Some((end, title)) = front_matter(lines) {
        outline.front_matter = Some((0, end + 1));
        outline.front_matter_title = title;
        index = end + 1;
    }
    let mut fence: Option<(char, usize)> = None;
    let mut previous_is_paragraph = false;
    while index < lines.len() {
        let line = lines[index];
        if let Some((marker, length)) = fence {
            if closes_fence(line, marker, length) {
                fence = None;
            }
            previous_is_paragraph = false;
            index += 1;
            continue;
        }
        if let Some(opening) = opens_fence(line) {
            fence = Some(opening);
            previous_is_paragraph = false;
            index += 1;
            continue;
        }
        if let Some((level, text)) = atx_heading(line) {
            outline.headings.push(Heading {
                level,
                text,
                line: index,
                body_line: index + 1,
            });
            previous_is_paragraph = false;
            index += 1;
            continue;
        }
        if previous_is_paragraph && let Some(level) = setext_underline(line) {
            let text = lines[index - 1].trim().to_owned();
            outline.headings.push(Heading {
                level,
                text,
                line: index - 1,
                body_line: index + 1,
            });
            previous_is_paragraph = false;
            index += 1;
            continue;
        }
        previous_is_paragraph = is_single_paragraph_line(lines, index);
        index += 1;
    }
    outline
}

/// Reads a note into its title and chunks. `file_stem` is the title of last resort.
pub(crate) fn read(text: &str, kind: NoteKind, file_stem: &str) -> Document {
    let lines = lines(text);
    let outline = outline(&lines, kind);
    let title = title(&outline, file_stem);
    let mut chunks = Vec::new();
    // The preamble: everything before the first heading (front matter included, so that
    // tags and other fields are searchable).
    let first_heading = outline
        .headings
        .first()
        .map_or(lines.len(), |heading| heading.line);
    let body_start = outline.front_matter.map_or(0, |(_, end)| end);
    let mut preamble: Vec<&str> = Vec::new();
    if let Some((start, end)) = outline.front_matter {
        preamble.extend(
            lines[start..end.min(first_heading)]
                .iter()
                .copied()
                .filter(|line| !matches!(line.trim_end(), "---" | "...")),
        );
    }
    push_chunks(
        &mut chunks,
        None,
        "",
        (0, body_start.min(first_heading)),
        &preamble,
        &lines[body_start.min(first_heading)..first_heading],
    );
    let mut trail: Vec<(u8, &str)> = Vec::new();
    for (position, heading) in outline.headings.iter().enumerate() {
        while trail
            .last()
            .is_some_and(|(level, _)| *level >= heading.level)
        {
            trail.pop();
        }
        trail.push((heading.level, heading.text.as_str()));
        let end = outline
            .headings
            .get(position + 1)
            .map_or(lines.len(), |next| next.line);
        let joined = trail
            .iter()
            .map(|(_, text)| *text)
            .collect::<Vec<_>>()
            .join(" > ");
        push_chunks(
            &mut chunks,
            Some(heading.text.as_str()),
            &joined,
            (heading.line, heading.body_line.min(end)),
            &[],
            &lines[heading.body_line.min(end)..end],
        );
    }
    if chunks.is_empty() {
        chunks.push(Chunk {
            heading: None,
            heading_trail: String::new(),
            line: 1,
            body: String::new(),
        });
    }
    cap_chunks(&mut chunks);
    Document { title, chunks }
}

/// The title of a note: front matter `title:`, else the first level-1 heading, else the
/// file name without its extension.
pub(crate) fn title(outline: &Outline, file_stem: &str) -> String {
    outline
        .front_matter_title
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| {
            outline
                .headings
                .iter()
                .find(|h| h.level == 1 && !h.text.is_empty())
                .map(|h| h.text.clone())
        })
        .unwrap_or_else(|| file_stem.to_owned())
}

/// The line range `[start, end)` of the section under the heading a reader named: from the
/// heading line to the next heading of the same or a higher level. The name matches the
/// heading text or its trail ("Setup > Linux"), ignoring case, surrounding space and
/// leading `#` marks.
pub(crate) fn section_range(outline: &Outline, wanted: &str) -> Option<(usize, usize)> {
    let wanted = normalise_heading(wanted);
    let mut trail: Vec<(u8, String)> = Vec::new();
    for (position, heading) in outline.headings.iter().enumerate() {
        while trail
            .last()
            .is_some_and(|(level, _)| *level >= heading.level)
        {
            trail.pop();
        }
        trail.push((heading.level, normalise_heading(&heading.text)));
        let joined = trail
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" > ");
        if normalise_heading(&heading.text) == wanted || joined == wanted {
            let end = outline.headings[position + 1..]
                .iter()
                .find(|next| next.level <= heading.level)
                .map_or(outline.line_count, |next| next.line);
            return Some((heading.line, end));
        }
    }
    None
}

fn normalise_heading(text: &str) -> String {
    text.trim()
        .trim_start_matches('#')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Front matter: a first line `---`, then lines up to a closing `---` or `...`. Returns the
/// index of the closing line and the `title:` value.
fn front_matter(lines: &[&str]) -> Option<(usize, Option<String>)> {
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return None;
    }
    let end = lines
        .iter()
        .enumerate()
        .skip(1)
        .take(MAX_FRONT_MATTER_LINES)
        .find(|(_, line)| matches!(line.trim_end(), "---" | "..."))
        .map(|(index, _)| index)?;
    let title = lines[1..end].iter().find_map(|line| {
        let value = line.strip_prefix("title:")?.trim();
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        Some(unquoted.trim().to_owned())
    });
    Some((end, title))
}

/// Up to three spaces of indentation, as CommonMark allows before block markers.
fn strip_indent(line: &str) -> Option<&str> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    (indent <= 3).then(|| &line[indent..])
}

fn opens_fence(line: &str) -> Option<(char, usize)> {
    let rest = strip_indent(line)?;
    let marker = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = rest.len() - rest.trim_start_matches(marker).len();
    if length < 3 {
        return None;
    }
    // A backtick fence's info string may not contain backticks.
    if marker == '`' && rest[length..].contains('`') {
        return None;
    }
    Some((marker, length))
}

fn closes_fence(line: &str, marker: char, length: usize) -> bool {
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let run = rest.len() - rest.trim_start_matches(marker).len();
    run >= length && rest[run..].trim().is_empty()
}

fn atx_heading(line: &str) -> Option<(u8, String)> {
    let rest = strip_indent(line)?;
    let level = rest.len() - rest.trim_start_matches('#').len();
    if !(1..=6).contains(&level) {
        return None;
    }
    let after = &rest[level..];
    if !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let mut text = after.trim();
    // An optional closing sequence of #s, preceded by a space.
    let without_closing = text.trim_end_matches('#');
    if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
        text = without_closing.trim_end();
    }
    if text.is_empty() {
        return None;
    }
    // Bounded: level is 1..=6.
    Some((level as u8, text.to_owned()))
}

fn setext_underline(line: &str) -> Option<u8> {
    let rest = strip_indent(line)?.trim_end();
    if !rest.is_empty() && rest.chars().all(|c| c == '=') {
        Some(1)
    } else if !rest.is_empty() && rest.chars().all(|c| c == '-') {
        Some(2)
    } else {
        None
    }
}

/// Whether line `index` is a one-line paragraph that a setext underline below it would turn
/// into a heading: not blank, not indented code, not a list item, quote or table row, and
/// preceded by a blank line (or the start). Multi-line paragraphs are left alone: people who
/// write them usually mean the `---` as a rule.
fn is_single_paragraph_line(lines: &[&str], index: usize) -> bool {
    let line = lines[index];
    let Some(rest) = strip_indent(line) else {
        return false;
    };
    let rest = rest.trim_end();
    if rest.is_empty() {
        return false;
    }
    let starts_block = rest.starts_with(['-', '*', '+', '>', '|', '<'])
        || rest.split_once(['.', ')']).is_some_and(|(number, _)| {
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
        });
    if starts_block {
        return false;
    }
    index == 0 || lines[index - 1].trim().is_empty()
}

/// Appends the chunks of one section: `prefix` lines (front matter) then `body` lines,
/// split when long. `start_line` is the 0-based line the section starts at (its heading, or
/// the start of the text for the preamble); `body_line` the 0-based line of `body[0]`.
fn push_chunks(
    chunks: &mut Vec<Chunk>,
    heading: Option<&str>,
    trail: &str,
    (start_line, body_line): (usize, usize),
    prefix: &[&str],
    body: &[&str],
) {
    let mut chunk_line = start_line;
    let mut pushed = false;
    let mut current = String::new();
    for line in prefix {
        current.push_str(line);
        current.push('\n');
    }
    for (offset, line) in body.iter().enumerate() {
        let at_boundary = (current.len() >= CHUNK_TARGET_BYTES && line.trim().is_empty())
            || current.len() >= CHUNK_HARD_BYTES;
        if at_boundary && !current.trim().is_empty() {
            chunks.push(make_chunk(heading, trail, chunk_line, &current));
            pushed = true;
            current.clear();
            chunk_line = body_line + offset;
        }
        current.push_str(line);
        current.push('\n');
    }
    // A heading with an empty body still gets a chunk (its heading is searchable); an empty
    // preamble does not.
    if !current.trim().is_empty() || (heading.is_some() && !pushed) {
        chunks.push(make_chunk(heading, trail, chunk_line, &current));
    }
}

fn make_chunk(heading: Option<&str>, trail: &str, line: usize, body: &str) -> Chunk {
    Chunk {
        heading: heading.map(str::to_owned),
        heading_trail: trail.to_owned(),
        line: u32::try_from(line + 1).unwrap_or(u32::MAX),
        body: body.trim_end().to_owned(),
    }
}

/// Keeps at most [`MAX_CHUNKS_PER_FILE`] chunks; the text of the rest joins the last kept.
fn cap_chunks(chunks: &mut Vec<Chunk>) {
    if chunks.len() <= MAX_CHUNKS_PER_FILE {
        return;
    }
    let rest: Vec<Chunk> = chunks.split_off(MAX_CHUNKS_PER_FILE);
    if let Some(last) = chunks.last_mut() {
        for chunk in rest {
            last.body.push('\n');
            if let Some(heading) = chunk.heading {
                last.body.push_str(&heading);
                last.body.push('\n');
            }
            last.body.push_str(&chunk.body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn headings(text: &str) -> Vec<(u8, String, usize)> {
        outline(&lines(text), NoteKind::Markdown)
            .headings
            .into_iter()
            .map(|h| (h.level, h.text, h.line))
            .collect()
    }

    #[test]
    fn atx_headings_are_found_with_their_lines() {
        let text = "intro\n# Title\ntext\n## Setup ##\n   ### Deep\n#NoSpace\n    # code\n";
        assert_eq!(
            headings(text),
            vec![
                (1, "Title".into(), 1),
                (2, "Setup".into(), 3),
                (3, "Deep".into(), 4)
            ]
        );
    }

    #[test]
    fn headings_inside_fenced_code_are_not_headings() {
        let text = "# Real\n```bash\n# comment\n```\n~~~~\n# also code\n~~~\n## still code\n~~~~\n## After\n";
        assert_eq!(
            headings(text),
            vec![(1, "Real".into(), 0), (2, "After".into(), 9)]
        );
    }

    #[test]
    fn setext_headings_are_found_but_rules_under_lists_are_not() {
        let text =
            "Big Title\n=========\n\nSmaller\n---\n\n- item\n---\n\nline one\nline two\n---\n";
        assert_eq!(
            headings(text),
            vec![(1, "Big Title".into(), 0), (2, "Smaller".into(), 3)]
        );
    }

    #[test]
    fn title_prefers_front_matter_then_first_h1_then_file_name() {
        let front = "---\ntitle: \"From Front\"\ntags: [a]\n---\n# Heading One\n";
        assert_eq!(read(front, NoteKind::Markdown, "file").title, "From Front");
        let h1 = "## Second level\n# First H1\n";
        assert_eq!(read(h1, NoteKind::Markdown, "file").title, "First H1");
        assert_eq!(read("just text", NoteKind::Markdown, "file").title, "file");
        assert_eq!(
            read("# Not a heading in text", NoteKind::PlainText, "plain").title,
            "plain"
        );
    }

    #[test]
    fn an_unclosed_front_matter_is_text() {
        let text = "---\ntitle: nope\n# Heading\n";
        let document = read(text, NoteKind::Markdown, "file");
        assert_eq!(document.title, "Heading");
    }

    #[test]
    fn chunks_follow_headings_with_trails_and_lines() {
        let text = "---\ntags: rust\n---\nPreamble text.\n# Guide\nIntro.\n## Install\nRun it.\n### Linux\napt install\n## Use\nCall it.\n";
        let document = read(text, NoteKind::Markdown, "f");
        let summary: Vec<(Option<&str>, &str, u32, &str)> = document
            .chunks
            .iter()
            .map(|c| {
                (
                    c.heading.as_deref(),
                    c.heading_trail.as_str(),
                    c.line,
                    c.body.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (None, "", 1, "tags: rust\nPreamble text."),
                (Some("Guide"), "Guide", 5, "Intro."),
                (Some("Install"), "Guide > Install", 7, "Run it."),
                (Some("Linux"), "Guide > Install > Linux", 9, "apt install"),
                (Some("Use"), "Guide > Use", 11, "Call it."),
            ]
        );
    }

    #[test]
    fn long_sections_are_split_at_blank_lines_with_their_own_lines() {
        let paragraph = "word ".repeat(100);
        let text = format!(
            "# Long\n{p}\n\n{p}\n\n{p}\n\n{p}\n\n{p}\n",
            p = paragraph.trim()
        );
        let document = read(&text, NoteKind::Markdown, "f");
        assert!(document.chunks.len() >= 2, "{:?}", document.chunks.len());
        assert!(
            document
                .chunks
                .iter()
                .all(|c| c.heading.as_deref() == Some("Long"))
        );
        let lines: Vec<u32> = document.chunks.iter().map(|c| c.line).collect();
        assert_eq!(lines[0], 1, "the first chunk starts at the heading");
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
        for chunk in &document.chunks[1..] {
            let first_line = text.lines().nth(chunk.line as usize - 1).unwrap();
            assert!(
                chunk.body.starts_with(first_line.trim()) || first_line.trim().is_empty(),
                "chunk line {} names where its text starts",
                chunk.line
            );
        }
    }

    #[test]
    fn plain_text_is_chunked_by_size_only() {
        let text = "# not a heading\n".repeat(1_000);
        let document = read(&text, NoteKind::PlainText, "log");
        assert!(document.chunks.len() > 1);
        assert!(document.chunks.iter().all(|c| c.heading.is_none()));
    }

    #[test]
    fn sections_end_at_the_next_heading_of_the_same_or_higher_level() {
        let text = "# A\na\n## B\nb\n### C\nc\n## D\nd\n# E\n";
        let lines = lines(text);
        let outline = outline(&lines, NoteKind::Markdown);
        assert_eq!(section_range(&outline, "B"), Some((2, 6)));
        assert_eq!(section_range(&outline, "## b "), Some((2, 6)));
        assert_eq!(section_range(&outline, "A > B > C"), Some((4, 6)));
        assert_eq!(section_range(&outline, "E"), Some((8, 10)));
        assert_eq!(section_range(&outline, "missing"), None);
    }

    #[test]
    fn kinds_come_from_extensions() {
        assert_eq!(NoteKind::of_file_name("a.TXT"), NoteKind::PlainText);
        assert_eq!(NoteKind::of_file_name("a.md"), NoteKind::Markdown);
        assert_eq!(NoteKind::of_file_name("a.markdown"), NoteKind::Markdown);
    }

    proptest! {
        /// Any text reads into at least one chunk, chunk lines lie within the text, and no
        /// text is lost except heading markers and front matter fences.
        #[test]
        fn any_text_reads_into_chunks_within_its_lines(text in "(#{0,3} ?[a-z=`~-]{0,6}\n?){0,40}") {
            let document = read(&text, NoteKind::Markdown, "f");
            prop_assert!(!document.chunks.is_empty());
            let line_count = lines(&text).len() as u32;
            for chunk in &document.chunks {
                prop_assert!(chunk.line >= 1 && chunk.line <= line_count.max(1), "{chunk:?}");
            }
        }

        /// Every heading's section starts at the heading and ends within the text.
        #[test]
        fn sections_lie_within_the_text(text in "(#{0,3} ?[a-c=`~-]{0,4}\n?){0,40}") {
            let lines = lines(&text);
            let outline = outline(&lines, NoteKind::Markdown);
            for heading in &outline.headings {
                let (start, end) = section_range(&outline, &heading.text).unwrap();
                prop_assert!(start < end && end <= lines.len(), "{heading:?}: {start}..{end}");
                prop_assert_eq!(normalise_heading(&outline.headings.iter().find(|h| h.line == start).unwrap().text), normalise_heading(&heading.text));
            }
        }
    }
}
