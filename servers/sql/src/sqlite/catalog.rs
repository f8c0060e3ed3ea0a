//! The SQLite catalog: tables and views (with row counts where cheap) and one table's columns,
//! keys and indexes, read through SQLite's own pragma table functions.
//!
//! Runs only on read-only connections, under the same authorizer as any query; must not
//! change anything.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use rusqlite::{OptionalExtension, Row, types::ValueRef};

use super::Session;
use crate::{
    config::Limits,
    error::SqlError,
    results::{ColumnInfo, ForeignKey, IndexInfo, TableDescription, TableEntry},
};

/// At most this many tables are listed.
const LISTED_TABLES: usize = 1000;

fn text(row: &Row<'_>, index: usize) -> rusqlite::Result<String> {
    Ok(match row.get_ref(index)? {
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
            String::from_utf8_lossy(bytes).into_owned()
        }
        ValueRef::Integer(integer) => integer.to_string(),
        ValueRef::Real(real) => real.to_string(),
        ValueRef::Null => String::new(),
    })
}

fn optional_text(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<String>> {
    Ok(match row.get_ref(index)? {
        ValueRef::Null => None,
        _ => Some(text(row, index)?),
    })
}

fn kind_label(kind: &str) -> String {
    match kind {
        "virtual" => "virtual table".to_owned(),
        other => other.to_owned(),
    }
}

/// `"name"` quoted as an SQL identifier (for names SQLite itself reported).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Row counts from `sqlite_stat1` (written by ANALYZE), when the file has it.
fn analyzed_rows(session: &Session) -> rusqlite::Result<HashMap<String, i64>> {
    let connection = &session.connection;
    let has_stats = connection
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    let mut counts = HashMap::new();
    if !has_stats {
        return Ok(counts);
    }
    let mut statement = connection.prepare("SELECT tbl, stat FROM sqlite_stat1")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let table = text(row, 0)?;
        let stat = text(row, 1)?;
        if let Some(count) = stat
            .split_whitespace()
            .next()
            .and_then(|first| first.parse::<i64>().ok())
        {
            let entry = counts.entry(table).or_insert(count);
            *entry = (*entry).max(count);
        }
    }
    Ok(counts)
}

pub(super) fn list_tables(
    session: &Session,
    limits: &Limits,
) -> Result<(Vec<TableEntry>, bool), SqlError> {
    let error = |error: rusqlite::Error| session.error(&error, limits);
    let mut entries = Vec::new();
    {
        let mut statement = session
            .connection
            .prepare(
                r"SELECT name, type FROM pragma_table_list
                  WHERE schema = 'main' AND type IN ('table', 'view', 'virtual')
                    AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
                  ORDER BY name LIMIT ?1",
            )
            .map_err(error)?;
        let limit = i64::try_from(LISTED_TABLES + 1).unwrap_or(i64::MAX);
        let mut rows = statement.query([limit]).map_err(error)?;
        while let Some(row) = rows.next().map_err(error)? {
            entries.push(TableEntry {
                schema: None,
                name: text(row, 0).map_err(error)?,
                kind: kind_label(&text(row, 1).map_err(error)?),
                row_estimate: None,
            });
        }
    }
    let truncated = entries.len() > LISTED_TABLES;
    entries.truncate(LISTED_TABLES);

    let analyzed = analyzed_rows(session).unwrap_or_default();
    // Counting is cheap for small tables; a short budget keeps a large file from using the
    // whole call's time.
    let call_deadline = session.guard.deadline();
    let counting_deadline = call_deadline
        .min(Instant::now() + (limits.statement_timeout / 4).min(Duration::from_secs(2)));
    session.guard.set_deadline(counting_deadline);
    for entry in entries.iter_mut().filter(|entry| entry.kind == "table") {
        if let Some(count) = analyzed.get(&entry.name) {
            entry.row_estimate = Some(*count);
        } else if Instant::now() < counting_deadline {
            let sql = format!("SELECT count(*) FROM {}", quoted(&entry.name));
            entry.row_estimate = session
                .connection
                .query_row(&sql, [], |row| row.get::<_, i64>(0))
                .ok();
        }
    }
    session.guard.set_deadline(call_deadline);
    Ok((entries, truncated))
}

fn table_names(session: &Session) -> rusqlite::Result<Vec<String>> {
    let mut statement = session.connection.prepare(
        r"SELECT name FROM pragma_table_list
          WHERE schema = 'main' AND type IN ('table', 'view', 'virtual')
            AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
          ORDER BY name LIMIT 50",
    )?;
    let mut rows = statement.query([])?;
    let mut names = Vec::new();
    while let Some(row) = rows.next()? {
        names.push(text(row, 0)?);
    }
    Ok(names)
}

pub(super) fn describe_table(
    session: &Session,
    table: &str,
    limits: &Limits,
) -> Result<TableDescription, SqlError> {
    let error = |error: rusqlite::Error| session.error(&error, limits);
    let connection = &session.connection;
    let found = connection
        .query_row(
            r"SELECT name, type FROM pragma_table_list
              WHERE schema = 'main' AND type IN ('table', 'view', 'virtual')
                AND name = ?1 COLLATE NOCASE
              ORDER BY name = ?1 DESC LIMIT 1",
            [table],
            |row| Ok((text(row, 0)?, text(row, 1)?)),
        )
        .optional()
        .map_err(error)?;
    let Some((name, kind)) = found else {
        let names = table_names(session).map_err(error)?;
        return Err(SqlError::NoSuchTable {
            table: table.to_owned(),
            known: if names.is_empty() {
                "none (the database is empty)".to_owned()
            } else {
                names.join(", ")
            },
        });
    };
    let definition = connection
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = ?1 AND type IN ('table', 'view')",
            [&name],
            |row| optional_text(row, 0),
        )
        .optional()
        .map_err(error)?
        .flatten();

    let mut columns = Vec::new();
    let mut key = Vec::new();
    {
        let mut statement = connection
            .prepare(
                r#"SELECT name, type, "notnull", dflt_value, pk, hidden
                   FROM pragma_table_xinfo(?1) ORDER BY cid"#,
            )
            .map_err(error)?;
        let mut rows = statement.query([&name]).map_err(error)?;
        while let Some(row) = rows.next().map_err(error)? {
            let column = text(row, 0).map_err(error)?;
            let position: i64 = row.get(4).map_err(error)?;
            let hidden: i64 = row.get(5).map_err(error)?;
            if position > 0 {
                key.push((position, column.clone()));
            }
            columns.push(ColumnInfo {
                name: column,
                type_name: text(row, 1).map_err(error)?,
                nullable: row.get::<_, i64>(2).map_err(error)? == 0,
                default: optional_text(row, 3).map_err(error)?,
                note: match hidden {
                    1 => Some("hidden".to_owned()),
                    2 | 3 => Some("generated".to_owned()),
                    _ => None,
                },
            });
        }
    }
    key.sort();
    let primary_key = key.into_iter().map(|(_, column)| column).collect();

    let mut foreign_keys: Vec<(i64, ForeignKey)> = Vec::new();
    {
        let mut statement = connection
            .prepare(
                r#"SELECT id, "table", "from", "to", on_update, on_delete
                   FROM pragma_foreign_key_list(?1) ORDER BY id, seq"#,
            )
            .map_err(error)?;
        let mut rows = statement.query([&name]).map_err(error)?;
        while let Some(row) = rows.next().map_err(error)? {
            let id: i64 = row.get(0).map_err(error)?;
            let from = text(row, 2).map_err(error)?;
            let to = optional_text(row, 3).map_err(error)?;
            let action = |index| -> rusqlite::Result<Option<String>> {
                Ok(optional_text(row, index)?.filter(|action| action != "NO ACTION"))
            };
            match foreign_keys.last_mut() {
                Some((last, key)) if *last == id => {
                    key.columns.push(from);
                    key.references_columns.extend(to);
                }
                _ => foreign_keys.push((
                    id,
                    ForeignKey {
                        columns: vec![from],
                        references_table: text(row, 1).map_err(error)?,
                        references_columns: to.into_iter().collect(),
                        on_update: action(4).map_err(error)?,
                        on_delete: action(5).map_err(error)?,
                    },
                )),
            }
        }
    }

    let mut indexes = Vec::new();
    {
        let mut statement = connection
            .prepare(r#"SELECT name, "unique", partial FROM pragma_index_list(?1)"#)
            .map_err(error)?;
        let mut rows = statement.query([&name]).map_err(error)?;
        let mut listed = Vec::new();
        while let Some(row) = rows.next().map_err(error)? {
            listed.push((
                text(row, 0).map_err(error)?,
                row.get::<_, i64>(1).map_err(error)? != 0,
                row.get::<_, i64>(2).map_err(error)? != 0,
            ));
        }
        drop(rows);
        let mut columns_of = connection
            .prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
            .map_err(error)?;
        for (index_name, unique, partial) in listed {
            let mut rows = columns_of.query([&index_name]).map_err(error)?;
            let mut indexed = Vec::new();
            while let Some(row) = rows.next().map_err(error)? {
                indexed.push(
                    optional_text(row, 0)
                        .map_err(error)?
                        .unwrap_or_else(|| "(expression)".to_owned()),
                );
            }
            indexes.push(IndexInfo {
                name: index_name,
                columns: indexed,
                unique,
                partial,
            });
        }
    }
    indexes.sort_by(|a, b| a.name.cmp(&b.name));

    Ok(TableDescription {
        database: String::new(),
        schema: None,
        table: name,
        kind: kind_label(&kind),
        columns,
        primary_key,
        foreign_keys: foreign_keys.into_iter().map(|(_, key)| key).collect(),
        indexes,
        definition,
    })
}
