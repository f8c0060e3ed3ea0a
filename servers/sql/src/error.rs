//! Every way a call can fail, each with a message a model can act on; tools return them as
//! tool errors (isError), never as protocol errors.
//!
//! Must not carry connection strings or parameter values: PostgreSQL messages are scrubbed
//! before they get here.

use std::time::Duration;

use rmcp::model::{ContentBlock, IntoContents};

/// A failed call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqlError {
    /// The path is not one the host lets the server open (the host's message).
    #[error("{0}")]
    NotGranted(String),
    /// `execute` on a file whose folder is granted read-only.
    #[error("{path} is in a folder granted read-only, so execute may not change it. {hint}")]
    ReadOnlyGrant { path: String, hint: String },
    /// `execute` on a PostgreSQL database not configured writable.
    #[error(
        "the PostgreSQL database \"{0}\" is configured read-only, so execute is off for it; the \
         user can mark it writable in this server's settings. query works"
    )]
    PostgresReadOnly(String),
    /// `query` was given a statement that SQLite reports would write.
    #[error(
        "query only runs statements that read, and SQLite reports this one would change the \
         database. Use the execute tool for changes (it needs a read-write grant)"
    )]
    NotReadOnly,
    /// More than one statement in one SQL text.
    #[error(
        "give one SQL statement per call: this text holds more than one. To run several changes \
         together, pass them through execute's more_statements"
    )]
    MultipleStatements,
    /// No statement at all.
    #[error("the SQL text holds no statement (it is empty or only comments)")]
    EmptyStatement,
    /// The statement does something the server never allows (why, in the message).
    #[error("{0}")]
    NotAllowed(String),
    /// `describe_table` named a table the database does not have.
    #[error(
        "there is no table or view named \"{table}\" in this database; its tables and views \
         are: {known}"
    )]
    NoSuchTable { table: String, known: String },
    /// The call ran past the statement timeout.
    #[error(
        "the statement ran longer than the {} limit and was stopped; narrow it (a WHERE \
         clause, a LIMIT, an indexed column) and try again", seconds(*.0)
    )]
    Timeout(Duration),
    /// The client cancelled the call.
    #[error("the call was cancelled")]
    Cancelled,
    /// A value the statement built or read is larger than a row of its width may hold.
    #[error(
        "a value in this statement is larger than {}, the most one value may take when each \
         row has {columns} column(s) (a row may hold {} in all), so the statement was stopped; \
         select fewer columns, or length() of large values instead of the values themselves",
         size(*value_limit), size(*row_limit)
    )]
    ValueTooLarge {
        value_limit: usize,
        row_limit: usize,
        columns: usize,
    },
    /// The SQL text is too long.
    #[error("the SQL text is {bytes} bytes long; the limit is {limit} bytes")]
    TooLong { bytes: usize, limit: usize },
    /// The parameters do not fit the statement.
    #[error("{0}")]
    Parameters(String),
    /// SQLite refused or failed the statement (its own message).
    #[error("SQLite: {0}")]
    Sqlite(String),
    /// PostgreSQL refused or failed the statement (its own message, scrubbed of secrets).
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    /// No PostgreSQL connection could be made.
    #[error("could not connect to the PostgreSQL database \"{name}\" ({server}): {reason}")]
    Connect {
        name: String,
        server: String,
        reason: String,
    },
    /// One statement of several in an `execute` call failed; the transaction was rolled back.
    #[error("statement {index} of {total} failed, so nothing was changed: {reason}")]
    InStatement {
        index: usize,
        total: usize,
        reason: Box<SqlError>,
    },
    /// The server itself failed.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `512 B`, `64 KiB`, `42.7 MiB`.
fn size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    #[allow(clippy::cast_precision_loss)] // a display value
    let fraction = |unit: usize| bytes as f64 / unit as f64;
    if bytes >= MIB {
        if bytes.is_multiple_of(MIB) {
            format!("{} MiB", bytes / MIB)
        } else {
            format!("{:.1} MiB", fraction(MIB))
        }
    } else if bytes >= KIB {
        if bytes.is_multiple_of(KIB) {
            format!("{} KiB", bytes / KIB)
        } else {
            format!("{:.1} KiB", fraction(KIB))
        }
    } else {
        format!("{bytes} B")
    }
}

fn seconds(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis.is_multiple_of(1000) {
        format!("{} s", millis / 1000)
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

impl IntoContents for SqlError {
    fn into_contents(self) -> Vec<ContentBlock> {
        vec![ContentBlock::text(self.to_string())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_too_large_says_the_limits_and_what_to_do() {
        let message = SqlError::ValueTooLarge {
            value_limit: 128 * 1024 * 1024 / 3,
            row_limit: 128 * 1024 * 1024,
            columns: 3,
        }
        .to_string();
        assert!(
            message.contains("larger than 42.7 MiB")
                && message.contains("has 3 column(s)")
                && message.contains("hold 128 MiB in all")
                && message.contains("length() of large values"),
            "{message}"
        );
    }

    #[test]
    fn timeouts_say_how_long_the_limit_is() {
        assert!(
            SqlError::Timeout(Duration::from_secs(10))
                .to_string()
                .contains("10 s limit")
        );
        assert!(
            SqlError::Timeout(Duration::from_millis(500))
                .to_string()
                .contains("0.5 s limit")
        );
    }
}
