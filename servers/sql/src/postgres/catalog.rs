//! The PostgreSQL catalog: tables and views with the planner's row estimates, and one table's
//! columns, keys and indexes, read from `pg_catalog`.
//!
//! Runs inside the caller's READ ONLY transaction; must not change anything.

use tokio_postgres::{Client, Error};

use super::binding::TextParam;
use crate::{
    error::SqlError,
    results::{ColumnInfo, ForeignKey, IndexInfo, TableDescription, TableEntry},
};

/// At most this many tables are listed.
const LISTED_TABLES: usize = 1000;

fn text(value: &str) -> TextParam {
    TextParam(Some(value.to_owned()))
}

fn optional(value: Option<&str>) -> TextParam {
    TextParam(value.map(str::to_owned))
}

fn kind_label(relkind: &str) -> String {
    match relkind {
        "r" => "table",
        "v" => "view",
        "m" => "materialized view",
        "p" => "partitioned table",
        "f" => "foreign table",
        _ => "relation",
    }
    .to_owned()
}

fn action_label(code: &str) -> Option<String> {
    match code {
        "r" => Some("RESTRICT"),
        "c" => Some("CASCADE"),
        "n" => Some("SET NULL"),
        "d" => Some("SET DEFAULT"),
        _ => None,
    }
    .map(str::to_owned)
}

pub(super) async fn list_tables(
    client: &Client,
    schema: Option<&str>,
) -> Result<(Vec<TableEntry>, bool), Error> {
    let rows = client
        .query(
            r"SELECT n.nspname::text, c.relname::text, c.relkind::text, c.reltuples::float8
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
                AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
                AND ($1::text IS NULL OR n.nspname = $1::text)
              ORDER BY 1, 2
              LIMIT $2::int",
            &[&optional(schema), &text(&(LISTED_TABLES + 1).to_string())],
        )
        .await?;
    let mut tables = Vec::with_capacity(rows.len());
    for row in &rows {
        let kind: String = row.try_get(2)?;
        let estimate: Option<f64> = row.try_get(3)?;
        tables.push(TableEntry {
            schema: Some(row.try_get(0)?),
            name: row.try_get(1)?,
            row_estimate: estimate
                .filter(|estimate| *estimate >= 0.0 && kind != "v" && kind != "f")
                // Estimates are whole numbers well inside i64.
                .map(|estimate| estimate.round() as i64),
            kind: kind_label(&kind),
        });
    }
    let truncated = tables.len() > LISTED_TABLES;
    tables.truncate(LISTED_TABLES);
    Ok((tables, truncated))
}

pub(super) async fn describe_table(
    client: &Client,
    table: &str,
    schema: Option<&str>,
) -> Result<Result<TableDescription, SqlError>, Error> {
    let found = client
        .query_opt(
            r"SELECT c.oid::text, n.nspname::text, c.relname::text, c.relkind::text
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
                AND lower(c.relname) = lower($1::text)
                AND ($2::text IS NULL OR n.nspname = $2::text)
              ORDER BY c.relname = $1::text DESC,
                       n.nspname = ANY (current_schemas(false)) DESC,
                       n.nspname
              LIMIT 1",
            &[&text(table), &optional(schema)],
        )
        .await?;
    let Some(found) = found else {
        let (tables, _) = list_tables(client, schema).await?;
        let known: Vec<String> = tables
            .iter()
            .take(50)
            .map(|entry| match &entry.schema {
                Some(schema) => format!("{schema}.{}", entry.name),
                None => entry.name.clone(),
            })
            .collect();
        return Ok(Err(SqlError::NoSuchTable {
            table: table.to_owned(),
            known: if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            },
        }));
    };
    let oid: String = found.try_get(0)?;
    let oid = text(&oid);
    let relkind: String = found.try_get(3)?;

    let mut columns = Vec::new();
    for row in client
        .query(
            r"SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                     pg_get_expr(d.adbin, d.adrelid), a.attgenerated::text, a.attidentity::text
              FROM pg_catalog.pg_attribute a
              LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum",
            &[&oid],
        )
        .await?
    {
        let generated: String = row.try_get(4)?;
        let identity: String = row.try_get(5)?;
        columns.push(ColumnInfo {
            name: row.try_get(0)?,
            type_name: row.try_get(1)?,
            nullable: row.try_get(2)?,
            default: row.try_get(3)?,
            note: if !generated.is_empty() {
                Some("generated".to_owned())
            } else if !identity.is_empty() {
                Some("identity".to_owned())
            } else {
                None
            },
        });
    }

    let key_columns = |keys: &str, relation: &str| {
        format!(
            "array(SELECT a.attname::text FROM unnest(c.{keys}) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.{relation} AND a.attnum = k.attnum \
             ORDER BY k.ord)"
        )
    };
    let primary_key: Vec<String> = client
        .query_opt(
            &format!(
                "SELECT {} FROM pg_catalog.pg_constraint c WHERE c.conrelid = $1::oid AND \
                 c.contype = 'p'",
                key_columns("conkey", "conrelid")
            ),
            &[&oid],
        )
        .await?
        .map(|row| row.try_get(0))
        .transpose()?
        .unwrap_or_default();

    let mut foreign_keys = Vec::new();
    for row in client
        .query(
            &format!(
                "SELECT {}, c.confrelid::regclass::text, {}, c.confupdtype::text, \
                 c.confdeltype::text FROM pg_catalog.pg_constraint c WHERE c.conrelid = $1::oid \
                 AND c.contype = 'f' ORDER BY c.conname",
                key_columns("conkey", "conrelid"),
                key_columns("confkey", "confrelid")
            ),
            &[&oid],
        )
        .await?
    {
        let on_update: String = row.try_get(3)?;
        let on_delete: String = row.try_get(4)?;
        foreign_keys.push(ForeignKey {
            columns: row.try_get(0)?,
            references_table: row.try_get(1)?,
            references_columns: row.try_get(2)?,
            on_update: action_label(&on_update),
            on_delete: action_label(&on_delete),
        });
    }

    let mut indexes = Vec::new();
    for row in client
        .query(
            r"SELECT i.relname::text, x.indisunique, x.indpred IS NOT NULL,
                     array(SELECT pg_get_indexdef(x.indexrelid, k, true)
                           FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k)
              FROM pg_catalog.pg_index x
              JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
              WHERE x.indrelid = $1::oid
              ORDER BY 1",
            &[&oid],
        )
        .await?
    {
        indexes.push(IndexInfo {
            name: row.try_get(0)?,
            unique: row.try_get(1)?,
            partial: row.try_get(2)?,
            columns: row.try_get(3)?,
        });
    }

    let definition: Option<String> = if relkind == "v" || relkind == "m" {
        client
            .query_one("SELECT pg_get_viewdef($1::oid, true)", &[&oid])
            .await?
            .try_get(0)?
    } else {
        None
    };

    Ok(Ok(TableDescription {
        database: String::new(),
        schema: Some(found.try_get(1)?),
        table: found.try_get(2)?,
        kind: kind_label(&relkind),
        columns,
        primary_key,
        foreign_keys,
        indexes,
        definition,
    }))
}
