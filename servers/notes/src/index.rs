//! The search index: one SQLite file (WAL) holding a row per note file and an FTS5 table of
//! its chunks, ranked with BM25 (title above headings above body).
//!
//! Owns the schema, opening (a corrupt, foreign or old-schema file is replaced: the index
//! is a cache, never the user's data), the writes the indexer makes and the read queries
//! searches make. Must not walk folders, read note files or decide what is granted: callers
//! pass the granted folder roots in.

use std::{
    collections::HashMap,
    path::Path,
    time::{Duration, Instant},
};

use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, params, types::Value,
};

use crate::document::{Chunk, MAX_CHUNKS_PER_FILE};

/// Bumped whenever the schema or what is stored changes; an index with another version is
/// rebuilt from the notes.
pub(crate) const SCHEMA_VERSION: i64 = 1;

/// Chunk row ids are `file id << CHUNK_BITS | chunk number`, so a file's chunks are one
/// contiguous row id range (cheap to delete without a side table).
const CHUNK_BITS: u32 = 20;
const _: () = assert!(MAX_CHUNKS_PER_FILE < (1 << CHUNK_BITS));

/// Markers around matched words in snippets.
pub const HIGHLIGHT_OPEN: &str = "**";
pub const HIGHLIGHT_CLOSE: &str = "**";
/// Bytes of the index file each reader maps into memory.
const READER_MMAP_BYTES: i64 = 256 * 1024 * 1024;
/// Words of context in a snippet.
const SNIPPET_TOKENS: i64 = 24;

const SCHEMA: &str = "
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    folder TEXT NOT NULL,
    title TEXT NOT NULL,
    modified_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    hash INTEGER NOT NULL
);
CREATE INDEX files_by_modified ON files(modified_ns);
CREATE VIRTUAL TABLE chunks USING fts5(
    title, headings, body, heading UNINDEXED, line UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO chunks(chunks, rank) VALUES('rank', 'bm25(8.0, 4.0, 1.0, 0.0, 0.0)');
";

/// Why the index could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("could not create the index folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("the search index failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not start the indexer thread: {0}")]
    Thread(std::io::Error),
}

/// Whether an error means the file is not a usable index (damaged or not SQLite at all).
pub(crate) fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Whether an error is the query deadline interrupting a search.
pub(crate) fn is_interrupt(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(ErrorCode::OperationInterrupted)
}

/// Opens the writer's connection, creating the schema in a new file and replacing a file
/// that is damaged, not an index or of another schema version. Returns the connection and,
/// when the file was replaced, why.
pub(crate) fn open_writer(path: &Path) -> Result<(Connection, Option<String>), IndexError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| IndexError::Folder {
            path: parent.display().to_string(),
            source,
        })?;
    }
    match try_open_writer(path) {
        Ok(connection) => Ok((connection, None)),
        Err(reason) => {
            remove_index_files(path);
            let connection = try_open_writer(path).map_err(|e| match e {
                Unusable::Sqlite(error) => IndexError::Sqlite(error),
                Unusable::Version(_) => IndexError::Sqlite(rusqlite::Error::InvalidQuery),
            })?;
            Ok((connection, Some(reason.to_string())))
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum Unusable {
    #[error("it could not be read ({0})")]
    Sqlite(#[from] rusqlite::Error),
    #[error("it has schema version {0}, this version uses {SCHEMA_VERSION}")]
    Version(i64),
}

fn try_open_writer(path: &Path) -> Result<Connection, Unusable> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(Duration::from_secs(5))?;
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let tables: i64 =
        connection.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    connection.pragma_update(None, "cache_size", -32_000)?;
    if version == 0 && tables == 0 {
        connection.execute_batch(&format!(
            "BEGIN; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
        ))?;
    } else if version != SCHEMA_VERSION {
        return Err(Unusable::Version(version));
    }
    // Both tables must answer; a damaged schema fails here rather than mid-scan.
    connection.query_row("SELECT count(*) FROM files", [], |row| row.get::<_, i64>(0))?;
    connection.query_row("SELECT count(*) FROM chunks WHERE rowid = 0", [], |row| {
        row.get::<_, i64>(0)
    })?;
    Ok(connection)
}

/// Removes an index file and its WAL companions (best effort).
pub(crate) fn remove_index_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(Path::new(&name));
    }
}

/// Opens a connection for searches. Readers never write; in WAL mode they never wait for
/// the writer either.
pub(crate) fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    // Never creates the file: while the indexer replaces a damaged index, a reader fails
    // instead of leaving an empty file behind.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(Duration::from_secs(5))?;
    connection.pragma_update(None, "query_only", true)?;
    connection.pragma_update(None, "cache_size", -16_000)?;
    // Reading doclists of common words straight from the mapped file is much cheaper than
    // copying them through the page cache.
    connection.pragma_update(None, "mmap_size", READER_MMAP_BYTES)?;
    Ok(connection)
}

/// What the index knows about a file, to tell whether it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileState {
    pub(crate) folder: String,
    pub(crate) modified_ns: i64,
    pub(crate) size: i64,
    pub(crate) hash: i64,
}

/// A note file ready to store.
#[derive(Debug)]
pub(crate) struct NoteRecord<'a> {
    pub(crate) path: &'a str,
    pub(crate) folder: &'a str,
    pub(crate) title: &'a str,
    pub(crate) modified_ns: i64,
    pub(crate) size: i64,
    pub(crate) hash: i64,
    pub(crate) chunks: &'a [Chunk],
}

fn chunk_range(file_id: i64) -> (i64, i64) {
    (file_id << CHUNK_BITS, (file_id + 1) << CHUNK_BITS)
}

/// The upper bound of the paths below `dir`: paths starting with `dir` + separator sort in
/// `[dir + sep, dir + next(sep))`.
fn below(dir: &str) -> (String, String) {
    let separator = std::path::MAIN_SEPARATOR;
    let next = char::from_u32(separator as u32 + 1).unwrap_or(char::MAX);
    let dir = dir.trim_end_matches(separator);
    (format!("{dir}{separator}"), format!("{dir}{next}"))
}

pub(crate) fn file_state(
    connection: &Connection,
    path: &str,
) -> rusqlite::Result<Option<FileState>> {
    connection
        .prepare_cached("SELECT folder, modified_ns, size, hash FROM files WHERE path = ?1")?
        .query_row([path], |row| {
            Ok(FileState {
                folder: row.get(0)?,
                modified_ns: row.get(1)?,
                size: row.get(2)?,
                hash: row.get(3)?,
            })
        })
        .optional()
}

/// Every file the index holds at `dir` or below it, with its state.
pub(crate) fn states_below(
    connection: &Connection,
    dir: &str,
) -> rusqlite::Result<HashMap<String, FileState>> {
    let (low, high) = below(dir);
    let mut statement = connection.prepare_cached(
        "SELECT path, folder, modified_ns, size, hash FROM files WHERE path >= ?1 AND path < ?2",
    )?;
    let rows = statement.query_map([low, high], |row| {
        Ok((
            row.get::<_, String>(0)?,
            FileState {
                folder: row.get(1)?,
                modified_ns: row.get(2)?,
                size: row.get(3)?,
                hash: row.get(4)?,
            },
        ))
    })?;
    rows.collect()
}

/// Stores a note file, replacing what the index held for that path.
pub(crate) fn upsert(
    transaction: &Transaction<'_>,
    record: &NoteRecord<'_>,
) -> rusqlite::Result<()> {
    let existing: Option<i64> = transaction
        .prepare_cached("SELECT id FROM files WHERE path = ?1")?
        .query_row([record.path], |row| row.get(0))
        .optional()?;
    let file_id = match existing {
        Some(id) => {
            delete_chunks(transaction, id)?;
            transaction
                .prepare_cached(
                    "UPDATE files SET folder = ?2, title = ?3, modified_ns = ?4, size = ?5, hash = ?6 WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    record.folder,
                    record.title,
                    record.modified_ns,
                    record.size,
                    record.hash
                ])?;
            id
        }
        None => {
            transaction
                .prepare_cached(
                    "INSERT INTO files (path, folder, title, modified_ns, size, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    record.path,
                    record.folder,
                    record.title,
                    record.modified_ns,
                    record.size,
                    record.hash
                ])?;
            transaction.last_insert_rowid()
        }
    };
    let mut insert = transaction.prepare_cached(
        "INSERT INTO chunks (rowid, title, headings, body, heading, line) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let (first, _) = chunk_range(file_id);
    for (number, chunk) in record.chunks.iter().take(MAX_CHUNKS_PER_FILE).enumerate() {
        // Bounded by MAX_CHUNKS_PER_FILE, far below i64::MAX.
        let rowid = first + number as i64;
        insert.execute(params![
            rowid,
            record.title,
            chunk.heading_trail,
            chunk.body,
            chunk.heading,
            chunk.line
        ])?;
    }
    Ok(())
}

fn delete_chunks(connection: &Connection, file_id: i64) -> rusqlite::Result<()> {
    let (low, high) = chunk_range(file_id);
    connection
        .prepare_cached("DELETE FROM chunks WHERE rowid >= ?1 AND rowid < ?2")?
        .execute([low, high])?;
    Ok(())
}

fn delete_file_ids(connection: &Connection, ids: &[i64]) -> rusqlite::Result<usize> {
    let mut delete = connection.prepare_cached("DELETE FROM files WHERE id = ?1")?;
    for id in ids {
        delete_chunks(connection, *id)?;
        delete.execute([id])?;
    }
    Ok(ids.len())
}

/// Drops one file from the index. Returns whether it was there.
pub(crate) fn remove_file(transaction: &Transaction<'_>, path: &str) -> rusqlite::Result<bool> {
    let id: Option<i64> = transaction
        .prepare_cached("SELECT id FROM files WHERE path = ?1")?
        .query_row([path], |row| row.get(0))
        .optional()?;
    match id {
        Some(id) => Ok(delete_file_ids(transaction, &[id])? > 0),
        None => Ok(false),
    }
}

/// Drops the given files. Returns how many were there.
pub(crate) fn remove_files(
    transaction: &Transaction<'_>,
    paths: &[String],
) -> rusqlite::Result<usize> {
    let mut removed = 0;
    for path in paths {
        removed += usize::from(remove_file(transaction, path)?);
    }
    Ok(removed)
}

/// Drops every file whose folder is not one of `roots` (grants that were taken back).
pub(crate) fn remove_folders_except(
    transaction: &Transaction<'_>,
    roots: &[&str],
) -> rusqlite::Result<usize> {
    let ids: Vec<i64> = {
        let mut statement = transaction.prepare("SELECT id, folder FROM files")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut ids = Vec::new();
        for row in rows {
            let (id, folder) = row?;
            if !roots.contains(&folder.as_str()) {
                ids.push(id);
            }
        }
        ids
    };
    delete_file_ids(transaction, &ids)
}

/// How many files the index holds.
pub(crate) fn file_count(connection: &Connection) -> rusqlite::Result<u64> {
    let count: i64 = connection.query_row("SELECT count(*) FROM files", [], |row| row.get(0))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Merges the FTS5 index into as few segments as possible (faster searches after a large
/// scan).
pub(crate) fn optimize(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute("INSERT INTO chunks(chunks) VALUES('optimize')", [])?;
    Ok(())
}

/// Which files a search or listing may look at.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// Granted folder roots (the index may still hold files of folders just revoked).
    pub(crate) folders: Vec<String>,
    /// Absolute path prefixes; a file must start with one of them (empty: no filter).
    pub(crate) path_prefixes: Vec<String>,
}

impl Scope {
    /// SQL condition on `files` aliased `f`, with its values appended to `values`.
    fn condition(&self, values: &mut Vec<Value>) -> String {
        let mut condition = String::from("f.folder IN (");
        for (position, folder) in self.folders.iter().enumerate() {
            if position > 0 {
                condition.push_str(", ");
            }
            values.push(Value::Text(folder.clone()));
            condition.push_str(&format!("?{}", values.len()));
        }
        condition.push(')');
        if !self.path_prefixes.is_empty() {
            condition.push_str(" AND (");
            for (position, prefix) in self.path_prefixes.iter().enumerate() {
                if position > 0 {
                    condition.push_str(" OR ");
                }
                // Bounded: prefixes come from paths, far shorter than i64::MAX characters.
                values.push(Value::Integer(prefix.chars().count() as i64));
                let length = values.len();
                values.push(Value::Text(prefix.clone()));
                condition.push_str(&format!("substr(f.path, 1, ?{length}) = ?{}", length + 1));
            }
            condition.push(')');
        }
        condition
    }
}

/// One search hit as the index returns it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IndexHit {
    pub(crate) path: String,
    pub(crate) folder: String,
    pub(crate) title: String,
    pub(crate) heading: Option<String>,
    pub(crate) line: u32,
    pub(crate) snippet: String,
    /// BM25 relevance (higher is better).
    pub(crate) score: f64,
}

/// Runs an FTS5 query in `scope`, best first, at most `limit` hits and at most
/// `per_file` hits from one file. Interrupted when `deadline` passes.
pub(crate) fn search(
    connection: &Connection,
    fts_query: &str,
    scope: &Scope,
    limit: usize,
    per_file: usize,
    deadline: Instant,
) -> rusqlite::Result<Vec<IndexHit>> {
    if scope.folders.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut values = vec![Value::Text(fts_query.to_owned())];
    let condition = scope.condition(&mut values);
    // Fetch extra rows so that the per-file cap still leaves `limit` hits.
    let fetch = limit.saturating_mul(per_file.max(1) + 1).min(500);
    values.push(Value::Integer(i64::try_from(fetch).unwrap_or(500)));
    let sql = format!(
        "SELECT f.path, f.folder, f.title, chunks.heading, chunks.line, \
                snippet(chunks, 2, '{HIGHLIGHT_OPEN}', '{HIGHLIGHT_CLOSE}', '…', {SNIPPET_TOKENS}), \
                chunks.rank \
         FROM chunks JOIN files f ON f.id = (chunks.rowid >> {CHUNK_BITS}) \
         WHERE chunks MATCH ?1 AND {condition} \
         ORDER BY chunks.rank LIMIT ?{}",
        values.len()
    );
    with_deadline(connection, deadline, || {
        let mut statement = connection.prepare_cached(&sql)?;
        let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
        let mut hits: Vec<IndexHit> = Vec::new();
        let mut per_path: HashMap<String, usize> = HashMap::new();
        while let Some(row) = rows.next()? {
            let path: String = row.get(0)?;
            let count = per_path.entry(path.clone()).or_default();
            if *count >= per_file {
                continue;
            }
            *count += 1;
            let rank: f64 = row.get(6)?;
            hits.push(IndexHit {
                path,
                folder: row.get(1)?,
                title: row.get(2)?,
                heading: row.get(3)?,
                line: row.get::<_, Option<u32>>(4)?.unwrap_or(1),
                snippet: row.get(5)?,
                score: significant(-rank, 4),
            });
            if hits.len() >= limit {
                break;
            }
        }
        Ok(hits)
    })
}

/// The terms worth an any-word search: those matching fewer than `common_rows` chunks.
/// Words in that many chunks (such as "the") add almost nothing to BM25 but make it score
/// most of the index. When every term is that common, all are kept. Counting stops at
/// `common_rows` rows, without ranking, so it stays cheap.
pub(crate) fn informative_terms<'t>(
    connection: &Connection,
    terms: &'t [String],
    common_rows: usize,
    deadline: Instant,
) -> rusqlite::Result<Vec<&'t str>> {
    let cap = i64::try_from(common_rows).unwrap_or(i64::MAX);
    with_deadline(connection, deadline, || {
        let mut statement = connection.prepare_cached(
            "SELECT count(*) FROM (SELECT rowid FROM chunks WHERE chunks MATCH ?1 LIMIT ?2)",
        )?;
        let mut kept = Vec::new();
        for term in terms {
            let rows: i64 = statement.query_row(params![term, cap], |row| row.get(0))?;
            if rows < cap {
                kept.push(term.as_str());
            }
        }
        if kept.is_empty() {
            kept = terms.iter().map(String::as_str).collect();
        }
        Ok(kept)
    })
}

/// `value` rounded to `digits` significant digits (BM25 scores of common words are tiny,
/// so rounding to decimals would make them all zero).
fn significant(value: f64, digits: i32) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return 0.0;
    }
    // Bounded: log10 of a finite f64 is within ±330.
    let magnitude = value.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - magnitude);
    (value * scale).round() / scale
}

/// A note file as listings show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedFile {
    pub(crate) path: String,
    pub(crate) folder: String,
    pub(crate) title: String,
    pub(crate) modified_ns: i64,
    pub(crate) size: i64,
}

/// The most recently modified files in `scope` and how many files the scope holds.
pub(crate) fn recent(
    connection: &Connection,
    scope: &Scope,
    limit: usize,
    deadline: Instant,
) -> rusqlite::Result<(Vec<ListedFile>, u64)> {
    if scope.folders.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let mut values = Vec::new();
    let condition = scope.condition(&mut values);
    with_deadline(connection, deadline, || {
        let total: i64 = connection
            .prepare_cached(&format!("SELECT count(*) FROM files f WHERE {condition}"))?
            .query_row(rusqlite::params_from_iter(values.iter()), |row| row.get(0))?;
        let total = u64::try_from(total).unwrap_or(0);
        let mut with_limit = values.clone();
        with_limit.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        let mut statement = connection.prepare_cached(&format!(
            "SELECT f.path, f.folder, f.title, f.modified_ns, f.size FROM files f \
             WHERE {condition} ORDER BY f.modified_ns DESC, f.path LIMIT ?{}",
            with_limit.len()
        ))?;
        let rows = statement.query_map(rusqlite::params_from_iter(with_limit.iter()), |row| {
            Ok(ListedFile {
                path: row.get(0)?,
                folder: row.get(1)?,
                title: row.get(2)?,
                modified_ns: row.get(3)?,
                size: row.get(4)?,
            })
        })?;
        Ok((rows.collect::<rusqlite::Result<Vec<_>>>()?, total))
    })
}

/// Runs `work` with SQLite interrupting it once `deadline` passes.
fn with_deadline<T>(
    connection: &Connection,
    deadline: Instant,
    work: impl FnOnce() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    connection.progress_handler(1_000, Some(move || Instant::now() >= deadline))?;
    let result = work();
    connection.progress_handler(0, None::<fn() -> bool>)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{document, query};
    use proptest::prelude::*;

    fn store(connection: &mut Connection, path: &str, folder: &str, text: &str) {
        let document = document::read(text, document::NoteKind::Markdown, "stem");
        let transaction = connection.transaction().unwrap();
        upsert(
            &transaction,
            &NoteRecord {
                path,
                folder,
                title: &document.title,
                modified_ns: 1,
                size: text.len() as i64,
                hash: 0,
                chunks: &document.chunks,
            },
        )
        .unwrap();
        transaction.commit().unwrap();
    }

    fn scope(folders: &[&str]) -> Scope {
        Scope {
            folders: folders.iter().map(|f| f.to_string()).collect(),
            path_prefixes: Vec::new(),
        }
    }

    fn fresh() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let (connection, rebuilt) = open_writer(&dir.path().join("index.sqlite")).unwrap();
        assert!(rebuilt.is_none(), "a new file is created, not rebuilt");
        (dir, connection)
    }

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    #[test]
    fn title_and_heading_matches_rank_above_body_matches() {
        let (_dir, mut db) = fresh();
        store(
            &mut db,
            "/n/body.md",
            "/n",
            "# Groceries\nBuy milk, and mention kayak once.\n",
        );
        store(
            &mut db,
            "/n/head.md",
            "/n",
            "# Trips\n## Kayak rental\nCall them.\n",
        );
        store(&mut db, "/n/title.md", "/n", "# Kayak\nAll about boats.\n");
        let hits = search(&db, "\"kayak\"", &scope(&["/n"]), 10, 3, later()).unwrap();
        let order: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(
            order,
            vec!["/n/title.md", "/n/head.md", "/n/body.md"],
            "{hits:?}"
        );
        assert_eq!(hits[1].heading.as_deref(), Some("Kayak rental"));
        assert_eq!(hits[1].line, 2);
        assert!(hits[2].snippet.contains("**kayak**"), "{}", hits[2].snippet);
        assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn scores_keep_four_significant_digits() {
        assert_eq!(significant(0.000_001_234_56, 4), 0.000_001_235);
        assert_eq!(significant(12.345_67, 4), 12.35);
        assert_eq!(significant(0.0, 4), 0.0);
        assert_eq!(significant(f64::NAN, 4), 0.0);
    }

    #[test]
    fn replacing_a_file_replaces_its_chunks() {
        let (_dir, mut db) = fresh();
        store(&mut db, "/n/a.md", "/n", "# A\nold words\n");
        store(&mut db, "/n/a.md", "/n", "# A\nnew words\n");
        assert!(
            search(&db, "\"old\"", &scope(&["/n"]), 10, 3, later())
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            search(&db, "\"new\"", &scope(&["/n"]), 10, 3, later())
                .unwrap()
                .len(),
            1
        );
        let transaction = db.transaction().unwrap();
        assert!(remove_file(&transaction, "/n/a.md").unwrap());
        transaction.commit().unwrap();
        assert!(
            search(&db, "\"new\"", &scope(&["/n"]), 10, 3, later())
                .unwrap()
                .is_empty()
        );
        assert_eq!(file_count(&db).unwrap(), 0);
    }

    #[test]
    fn scope_limits_results_to_granted_folders_and_prefixes() {
        let (_dir, mut db) = fresh();
        store(&mut db, "/a/x/one.md", "/a", "shared word\n");
        store(&mut db, "/a/y/two.md", "/a", "shared word\n");
        store(&mut db, "/b/three.md", "/b", "shared word\n");
        let only_a = search(&db, "\"shared\"", &scope(&["/a"]), 10, 3, later()).unwrap();
        assert_eq!(only_a.len(), 2, "a revoked folder is never searched");
        let prefixed = Scope {
            folders: vec!["/a".into(), "/b".into()],
            path_prefixes: vec!["/a/x/".into()],
        };
        let hits = search(&db, "\"shared\"", &prefixed, 10, 3, later()).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].path, "/a/x/one.md");
        let (listed, total) = recent(&db, &scope(&["/a", "/b"]), 2, later()).unwrap();
        assert_eq!((listed.len(), total), (2, 3));
    }

    #[test]
    fn revoked_folders_and_moved_trees_are_removed() {
        let (_dir, mut db) = fresh();
        store(&mut db, "/a/one.md", "/a", "x\n");
        store(&mut db, "/a/sub/two.md", "/a", "x\n");
        store(&mut db, "/a/subway.md", "/a", "x\n");
        store(&mut db, "/b/three.md", "/b", "x\n");
        let below_sub: Vec<String> = states_below(&db, "/a/sub").unwrap().into_keys().collect();
        assert_eq!(
            below_sub,
            vec!["/a/sub/two.md".to_string()],
            "a sibling with the same prefix is not below"
        );
        let transaction = db.transaction().unwrap();
        assert_eq!(remove_folders_except(&transaction, &["/a"]).unwrap(), 1);
        transaction.commit().unwrap();
        assert_eq!(file_count(&db).unwrap(), 3);
    }

    #[test]
    fn many_hits_in_one_file_are_capped() {
        let (_dir, mut db) = fresh();
        let text: String = (0..10).map(|i| format!("## Part {i}\nneedle\n")).collect();
        store(&mut db, "/n/many.md", "/n", &text);
        store(&mut db, "/n/other.md", "/n", "needle\n");
        let hits = search(&db, "\"needle\"", &scope(&["/n"]), 10, 3, later()).unwrap();
        assert_eq!(hits.iter().filter(|h| h.path == "/n/many.md").count(), 3);
        assert!(hits.iter().any(|h| h.path == "/n/other.md"));
    }

    #[test]
    fn very_common_terms_are_left_out_of_an_any_word_search() {
        let (_dir, mut db) = fresh();
        for i in 0..30 {
            store(
                &mut db,
                &format!("/n/{i}.md"),
                "/n",
                &format!("the common word {i}\n"),
            );
        }
        store(&mut db, "/n/rare.md", "/n", "the rare zebra\n");
        let terms = vec!["\"the\"".to_owned(), "\"zebra\"".to_owned()];
        let kept = informative_terms(&db, &terms, 10, later()).unwrap();
        assert_eq!(kept, vec!["\"zebra\""]);
        let only_common = vec!["\"the\"".to_owned(), "\"common\"".to_owned()];
        let kept = informative_terms(&db, &only_common, 10, later()).unwrap();
        assert_eq!(kept.len(), 2, "when every term is common, all are kept");
    }

    #[test]
    fn a_passed_deadline_interrupts_the_query() {
        let (_dir, mut db) = fresh();
        for i in 0..200 {
            store(
                &mut db,
                &format!("/n/{i}.md"),
                "/n",
                &"alpha beta gamma ".repeat(50),
            );
        }
        let error = search(&db, "\"alpha\"", &scope(&["/n"]), 50, 3, Instant::now()).unwrap_err();
        assert!(is_interrupt(&error), "{error:?}");
        // The connection is usable afterwards.
        assert!(
            !search(&db, "\"alpha\"", &scope(&["/n"]), 10, 3, later())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_file_that_is_not_an_index_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.sqlite");
        std::fs::write(
            &path,
            b"this is not a database, it is a text file of some length....",
        )
        .unwrap();
        let (connection, rebuilt) = open_writer(&path).unwrap();
        assert!(rebuilt.is_some(), "the damaged file was replaced");
        assert_eq!(file_count(&connection).unwrap(), 0);
    }

    #[test]
    fn an_index_of_another_schema_version_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.sqlite");
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch("CREATE TABLE files (x); PRAGMA user_version = 99;")
                .unwrap();
        }
        let (connection, rebuilt) = open_writer(&path).unwrap();
        assert!(rebuilt.unwrap().contains("99"));
        assert_eq!(file_count(&connection).unwrap(), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Whatever a model types, the translated query never makes FTS5 fail.
        #[test]
        fn any_user_query_runs_without_an_fts5_error(text in "\\PC{0,60}|[\"*()\\-:^+ a-zA-Z0-9]{0,40}") {
            thread_local! {
                static DB: (tempfile::TempDir, Connection) = {
                    let (dir, mut db) = fresh();
                    store(&mut db, "/n/a.md", "/n", "# Alpha\nbeta gamma \"quoted\" delta-epsilon NEAR AND OR NOT\n");
                    (dir, db)
                };
            }
            if let Ok(parsed) = query::parse(&text) {
                DB.with(|(_, db)| -> Result<(), TestCaseError> {
                    for fts in std::iter::once(&parsed.all).chain(parsed.any.as_ref()) {
                        let outcome = search(db, fts, &scope(&["/n"]), 5, 3, later());
                        prop_assert!(outcome.is_ok(), "{text:?} -> {fts:?}: {outcome:?}");
                    }
                    Ok(())
                })?;
            }
        }
    }
}
