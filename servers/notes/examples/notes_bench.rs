//! Measures the knowledge base on generated notes: time to index N notes from scratch,
//! search latency (p50/p95/p99) over varied queries, and how long a burst of edits on disk
//! takes to become searchable.
//!
//! ```sh
//! cargo run --release -p server-notes --example notes_bench -- [--notes 10000] [--searches 1000] [--edits 100] [--seed 7]
//! ```
//!
//! Notes are generated in a temp folder (removed at the end): Markdown and a few text
//! files in nested folders, 1 to 12 sections under headings, paragraphs of words drawn
//! from a 6,000-word vocabulary with a Zipf distribution, so that some words are in most
//! notes and most words in few. Searches call the knowledge base directly (no MCP
//! transport), as a tool call does after decoding its arguments; see `queries` for the mix.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // a benchmark prints its table and fails loudly

use std::{
    fs,
    path::{Path, PathBuf},
    thread,
    time::{Duration, Instant},
};

use server_notes::{
    IndexState, KnowledgeBase, NotesFolder,
    tools::{SearchRequest, WriteNoteRequest},
};

struct Options {
    notes: usize,
    searches: usize,
    edits: usize,
    seed: u64,
}

fn options() -> Options {
    let mut options = Options {
        notes: 10_000,
        searches: 1_000,
        edits: 100,
        seed: 7,
    };
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    for pair in arguments.chunks(2) {
        let value = || -> u64 {
            pair.get(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{} needs a number", pair[0]))
        };
        match pair[0].as_str() {
            "--notes" => options.notes = value() as usize,
            "--searches" => options.searches = value() as usize,
            "--edits" => options.edits = value() as usize,
            "--seed" => options.seed = value(),
            other => {
                panic!("unknown option {other}; use --notes N --searches N --edits N --seed N")
            }
        }
    }
    options
}

/// A vocabulary of pronounceable made-up words, sampled with a Zipf distribution.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new(rng: &mut fastrand::Rng, size: usize) -> Self {
        const ONSETS: [&str; 16] = [
            "b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "st",
        ];
        const VOWELS: [&str; 6] = ["a", "e", "i", "o", "u", "ai"];
        let mut words = Vec::with_capacity(size);
        let mut seen = std::collections::HashSet::new();
        while words.len() < size {
            let syllables = rng.usize(2..=4);
            let word: String = (0..syllables)
                .map(|_| {
                    format!(
                        "{}{}",
                        ONSETS[rng.usize(..ONSETS.len())],
                        VOWELS[rng.usize(..VOWELS.len())]
                    )
                })
                .collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=size)
            .map(|rank| {
                total += 1.0 / (rank as f64).powf(1.07);
                total
            })
            .collect::<Vec<_>>();
        Self { words, cumulative }
    }

    fn rank(&self, rng: &mut fastrand::Rng) -> usize {
        let total = self.cumulative[self.cumulative.len() - 1];
        let target = rng.f64() * total;
        self.cumulative
            .partition_point(|c| *c < target)
            .min(self.words.len() - 1)
    }

    fn word(&self, rng: &mut fastrand::Rng) -> &str {
        &self.words[self.rank(rng)]
    }

    fn ranked(&self, rank: usize) -> &str {
        &self.words[rank.min(self.words.len() - 1)]
    }

    fn sentence(&self, rng: &mut fastrand::Rng, words: usize) -> String {
        let mut text = String::new();
        for position in 0..words {
            if position > 0 {
                text.push(' ');
            }
            text.push_str(self.word(rng));
            if position % 11 == 10 {
                text.push('.');
            }
        }
        text.push('.');
        text
    }
}

fn generate(root: &Path, count: usize, vocabulary: &Vocabulary, rng: &mut fastrand::Rng) -> u64 {
    let mut bytes = 0u64;
    for index in 0..count {
        let folder = root.join(format!("area-{}/topic-{}", index % 12, rng.usize(..20)));
        fs::create_dir_all(&folder).unwrap();
        let title = format!(
            "{} {} {}",
            vocabulary.word(rng),
            vocabulary.word(rng),
            index
        );
        let plain = index % 10 == 9;
        let mut text = if plain {
            String::new()
        } else if index % 4 == 0 {
            format!(
                "---\ntitle: {title}\ntags: [{}]\n---\n\n",
                vocabulary.word(rng)
            )
        } else {
            format!("# {title}\n\n")
        };
        // Mostly short notes, some long ones.
        let sections = if rng.u8(..10) == 0 {
            rng.usize(6..=12)
        } else {
            rng.usize(1..=4)
        };
        for _ in 0..sections {
            if !plain {
                let level = rng.usize(2..=3);
                text.push_str(&format!(
                    "{} {} {}\n\n",
                    "#".repeat(level),
                    vocabulary.word(rng),
                    vocabulary.word(rng)
                ));
            }
            for _ in 0..rng.usize(1..=3) {
                let words = rng.usize(15..=90);
                text.push_str(&vocabulary.sentence(rng, words));
                text.push_str("\n\n");
            }
        }
        let name = if plain {
            format!("log-{index}.txt")
        } else {
            format!("note-{index}.md")
        };
        bytes += text.len() as u64;
        fs::write(folder.join(name), text).unwrap();
    }
    bytes
}

/// Ranks below this are the vocabulary's function words (like "the", "of"): in most notes.
const FUNCTION_WORDS: usize = 20;

/// A query mix: content words as a person or model would type them, questions in natural
/// language (whose function words rarely all match one section, so the any-word fallback
/// runs), phrases, prefixes, and a few queries of function words only (the worst case).
fn queries(count: usize, vocabulary: &Vocabulary, rng: &mut fastrand::Rng) -> Vec<String> {
    let content = |rng: &mut fastrand::Rng| -> String {
        loop {
            let rank = vocabulary.rank(rng);
            if rank >= FUNCTION_WORDS {
                return vocabulary.ranked(rank).to_owned();
            }
        }
    };
    let function =
        |rng: &mut fastrand::Rng| vocabulary.ranked(rng.usize(..FUNCTION_WORDS)).to_owned();
    (0..count)
        .map(|_| match rng.u8(..100) {
            0..=29 => vocabulary
                .ranked(rng.usize(FUNCTION_WORDS..2_000))
                .to_owned(),
            30..=39 => vocabulary.ranked(rng.usize(2_000..6_000)).to_owned(),
            40..=59 => format!("{} {}", content(rng), content(rng)),
            60..=69 => format!("{} {} {}", content(rng), content(rng), content(rng)),
            70..=79 => format!(
                "{} {} {} {} {}",
                function(rng),
                function(rng),
                content(rng),
                function(rng),
                content(rng)
            ),
            80..=87 => format!("\"{} {}\"", content(rng), content(rng)),
            88..=95 => {
                let word = vocabulary.ranked(rng.usize(FUNCTION_WORDS..3_000));
                format!("{}*", &word[..word.len().min(4)])
            }
            _ => format!("{} {}", function(rng), function(rng)),
        })
        .collect()
}

fn wait_ready(kb: &KnowledgeBase, limit: Duration) {
    let started = Instant::now();
    while kb.status().state != IndexState::Ready {
        assert!(started.elapsed() < limit, "indexing took over {limit:?}");
        thread::sleep(Duration::from_millis(5));
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1_000.0)
}

fn search(kb: &KnowledgeBase, query: &str) -> usize {
    kb.search(&SearchRequest {
        query: query.to_owned(),
        ..SearchRequest::default()
    })
    .map(|found| found.results.len())
    .unwrap_or_else(|error| panic!("{query:?}: {error}"))
}

fn main() {
    let options = options();
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let vocabulary = Vocabulary::new(&mut rng, 6_000);
    let workspace = tempfile::tempdir().unwrap();
    let notes: PathBuf = workspace.path().join("notes");
    let generated = Instant::now();
    let bytes = generate(&notes, options.notes, &vocabulary, &mut rng);
    let generated = generated.elapsed();

    // Index from scratch: open, then wait until every file is indexed.
    let index_file = workspace.path().join("cache/index.sqlite");
    let started = Instant::now();
    let kb = KnowledgeBase::open(index_file.clone(), vec![NotesFolder::writable(&notes)])
        .expect("open the knowledge base");
    wait_ready(&kb, Duration::from_secs(600));
    let indexed = started.elapsed();
    let status = kb.status();
    assert_eq!(status.notes_indexed as usize, options.notes, "{status:?}");
    let index_bytes = fs::metadata(&index_file).map(|m| m.len()).unwrap_or(0)
        + fs::metadata(index_file.with_extension("sqlite-wal"))
            .map(|m| m.len())
            .unwrap_or(0);

    // Searches.
    let queries = queries(options.searches, &vocabulary, &mut rng);
    for query in queries.iter().take(20) {
        search(&kb, query); // warm the read connection and page cache
    }
    let mut timed = Vec::with_capacity(queries.len());
    let mut empty = 0;
    for query in &queries {
        let started = Instant::now();
        if search(&kb, query) == 0 {
            empty += 1;
        }
        timed.push((started.elapsed(), query.as_str()));
    }
    timed.sort();
    let latencies: Vec<Duration> = timed.iter().map(|(elapsed, _)| *elapsed).collect();
    let slowest: Vec<String> = timed
        .iter()
        .rev()
        .take(5)
        .map(|(elapsed, query)| format!("{query} ({} ms)", ms(*elapsed)))
        .collect();

    // A burst of edits made on disk by "another program"; time until all are searchable.
    let mut edited: Vec<PathBuf> = Vec::new();
    for entry in walk(&notes)
        .into_iter()
        .step_by((options.notes / options.edits.max(1)).max(1))
    {
        if edited.len() >= options.edits {
            break;
        }
        edited.push(entry);
    }
    let burst = Instant::now();
    for (number, path) in edited.iter().enumerate() {
        let mut text = fs::read_to_string(path).unwrap();
        text.push_str(&format!("\n\nEdited: burstmarker{number} added.\n"));
        fs::write(path, text).unwrap();
    }
    let written = burst.elapsed();
    let mut pending: Vec<usize> = (0..edited.len()).collect();
    while !pending.is_empty() {
        assert!(
            burst.elapsed() < Duration::from_secs(120),
            "edits not searchable after 120 s"
        );
        pending.retain(|number| search(&kb, &format!("burstmarker{number}")) == 0);
        if !pending.is_empty() {
            thread::sleep(Duration::from_millis(10));
        }
    }
    let burst_searchable = burst.elapsed();

    // write_note: written, indexed and found.
    let started = Instant::now();
    let note = kb
        .write_note(&WriteNoteRequest {
            title: "Benchmark note".into(),
            body: "A note with the word quizzicalbench.".into(),
            ..WriteNoteRequest::default()
        })
        .unwrap();
    assert!(note.indexed);
    assert_eq!(search(&kb, "quizzicalbench"), 1);
    let write_to_found = started.elapsed();
    kb.shutdown();
    drop(kb);

    // Index again from scratch into a new file while another thread searches without pause:
    // searches run on their own connections and never wait for the indexer.
    let started = Instant::now();
    let again = KnowledgeBase::open(
        workspace.path().join("cache/again.sqlite"),
        vec![NotesFolder::writable(&notes)],
    )
    .expect("open a second knowledge base");
    let mut during: Vec<Duration> = thread::scope(|scope| {
        let searcher = scope.spawn(|| {
            let mut latencies = Vec::new();
            for query in queries.iter().cycle() {
                if again.status().state == IndexState::Ready {
                    break;
                }
                let started = Instant::now();
                search(&again, query);
                latencies.push(started.elapsed());
            }
            latencies
        });
        wait_ready(&again, Duration::from_secs(600));
        searcher.join().expect("the searching thread")
    });
    let indexed_while_searching = started.elapsed();
    during.sort();
    again.shutdown();

    println!(
        "notes_bench: {} notes ({:.1} MiB of text, generated in {:.1} s), seed {}",
        options.notes,
        bytes as f64 / 1_048_576.0,
        generated.as_secs_f64(),
        options.seed
    );
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| index {} notes from scratch (s) | {:.2} |",
        options.notes,
        indexed.as_secs_f64()
    );
    println!(
        "| indexing rate (notes/s) | {:.0} |",
        options.notes as f64 / indexed.as_secs_f64()
    );
    println!(
        "| index file size (MiB) | {:.1} |",
        index_bytes as f64 / 1_048_576.0
    );
    println!(
        "| searches | {} ({} with no result) |",
        latencies.len(),
        empty
    );
    println!("| search p50 (ms) | {} |", ms(percentile(&latencies, 0.50)));
    println!("| search p95 (ms) | {} |", ms(percentile(&latencies, 0.95)));
    println!("| search p99 (ms) | {} |", ms(percentile(&latencies, 0.99)));
    println!(
        "| search max (ms) | {} |",
        ms(latencies[latencies.len() - 1])
    );
    println!(
        "| burst of {} edits on disk: written in (ms) | {} |",
        edited.len(),
        ms(written)
    );
    println!(
        "| burst of {} edits: all searchable after (ms) | {} |",
        edited.len(),
        ms(burst_searchable)
    );
    println!(
        "| write_note until found by search (ms) | {} |",
        ms(write_to_found)
    );
    if !during.is_empty() {
        println!(
            "| indexing again with searches running without pause (s) | {:.2} |",
            indexed_while_searching.as_secs_f64()
        );
        println!(
            "| searches during that indexing: count, p50 / p95 (ms) | {}, {} / {} |",
            during.len(),
            ms(percentile(&during, 0.50)),
            ms(percentile(&during, 0.95))
        );
    }
    println!();
    println!("slowest searches: {}", slowest.join("; "));
}

fn walk(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}
