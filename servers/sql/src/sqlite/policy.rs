//! What a statement may do, decided action by action as SQLite's authorizer reports them
//! while it prepares the statement: reading, and for `execute` changing rows and schema, but
//! never reaching outside the file (ATTACH, DETACH, extensions), never managing transactions
//! itself, and only the pragmas that read.
//!
//! Pure functions over SQLite's own description of each action: no string matching on SQL.
//! Must not touch a connection.

use rusqlite::hooks::AuthAction;

/// Which kind of connection a statement is prepared on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Mode {
    /// `query`, `list_tables`, `describe_table`: read-only file, `PRAGMA query_only`.
    Read,
    /// `execute`: a read-write file.
    Write,
}

/// The authorizer's answer, with the reason a model sees when it is a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    Allow,
    Deny(String),
}

/// Pragmas that only read, and may take an argument (a table or index name, or a count).
const READING_PRAGMAS_WITH_ARGUMENT: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
];

/// Pragmas that only read when they have no value (`PRAGMA user_version`, not
/// `PRAGMA user_version = 3`).
const READING_PRAGMAS_WITHOUT_VALUE: &[&str] = &[
    "application_id",
    "auto_vacuum",
    "automatic_index",
    "busy_timeout",
    "cache_size",
    "cache_spill",
    "cell_size_check",
    "collation_list",
    "compile_options",
    "data_version",
    "database_list",
    "defer_foreign_keys",
    "encoding",
    "foreign_keys",
    "freelist_count",
    "function_list",
    "ignore_check_constraints",
    "journal_size_limit",
    "legacy_alter_table",
    "locking_mode",
    "max_page_count",
    "mmap_size",
    "module_list",
    "page_count",
    "page_size",
    "pragma_list",
    "query_only",
    "read_uncommitted",
    "recursive_triggers",
    "reverse_unordered_selects",
    "schema_version",
    "secure_delete",
    "synchronous",
    "temp_store",
    "trusted_schema",
    "user_version",
    "wal_autocheckpoint",
];

/// SQL functions that reach outside the database or change the engine.
const REFUSED_FUNCTIONS: &[&str] = &["load_extension", "fts3_tokenizer", "readfile", "writefile"];

/// Whether `PRAGMA name` (with `value` as SQLite parsed it) only reads.
pub(crate) fn pragma_reads(name: &str, value: Option<&str>) -> bool {
    let name = name.to_ascii_lowercase();
    if READING_PRAGMAS_WITH_ARGUMENT.contains(&name.as_str()) {
        return true;
    }
    value.is_none() && READING_PRAGMAS_WITHOUT_VALUE.contains(&name.as_str())
}

/// The decision for one action. `internal` is true only while the server itself runs
/// BEGIN, COMMIT or ROLLBACK around an `execute` call.
pub(crate) fn decide(action: &AuthAction<'_>, mode: Mode, internal: bool) -> Decision {
    use AuthAction as A;
    let writing = mode == Mode::Write;
    match action {
        A::Select | A::Read { .. } | A::Recursive => Decision::Allow,
        A::Function { function_name } => {
            let name = function_name.to_ascii_lowercase();
            if REFUSED_FUNCTIONS.contains(&name.as_str()) {
                Decision::Deny(format!(
                    "the SQL function {function_name}() is not allowed: it reaches outside the \
                     database"
                ))
            } else {
                Decision::Allow
            }
        }
        A::Pragma {
            pragma_name,
            pragma_value,
        } => {
            if pragma_reads(pragma_name, *pragma_value) {
                Decision::Allow
            } else {
                Decision::Deny(format!(
                    "PRAGMA {pragma_name} is not allowed here: only pragmas that read (such as \
                     table_info, index_list, foreign_key_list, user_version without a value) \
                     may run; pragmas that change settings or files are refused"
                ))
            }
        }
        A::Attach { .. } | A::Detach { .. } => Decision::Deny(
            "ATTACH and DETACH are not allowed: each call works inside the one database file it \
             names"
                .to_owned(),
        ),
        A::Transaction { .. } | A::Savepoint { .. } => {
            if internal {
                Decision::Allow
            } else {
                Decision::Deny(
                    "transaction statements (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) are not \
                     allowed: every execute call is one transaction already; pass several \
                     statements through execute's more_statements to change things together"
                        .to_owned(),
                )
            }
        }
        A::Insert { .. }
        | A::Update { .. }
        | A::Delete { .. }
        | A::CreateIndex { .. }
        | A::CreateTable { .. }
        | A::CreateTempIndex { .. }
        | A::CreateTempTable { .. }
        | A::CreateTempTrigger { .. }
        | A::CreateTempView { .. }
        | A::CreateTrigger { .. }
        | A::CreateView { .. }
        | A::CreateVtable { .. }
        | A::DropIndex { .. }
        | A::DropTable { .. }
        | A::DropTempIndex { .. }
        | A::DropTempTable { .. }
        | A::DropTempTrigger { .. }
        | A::DropTempView { .. }
        | A::DropTrigger { .. }
        | A::DropView { .. }
        | A::DropVtable { .. }
        | A::AlterTable { .. }
        | A::Reindex { .. }
        | A::Analyze { .. } => {
            if writing {
                Decision::Allow
            } else {
                Decision::Deny(
                    "query only runs statements that read; this one changes the database. Use \
                     the execute tool for changes (it needs a read-write grant)"
                        .to_owned(),
                )
            }
        }
        _ => Decision::Deny(
            "this statement does something the tool does not allow (SQLite reported an action \
             it does not know)"
                .to_owned(),
        ),
    }
}

/// The table a statement writes to, if this action writes rows.
pub(crate) fn written_table<'a>(action: &AuthAction<'a>) -> Option<&'a str> {
    match action {
        AuthAction::Insert { table_name }
        | AuthAction::Update { table_name, .. }
        | AuthAction::Delete { table_name } => Some(table_name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::hooks::TransactionOperation;

    fn denied(decision: &Decision) -> bool {
        matches!(decision, Decision::Deny(_))
    }

    #[test]
    fn reads_are_allowed_everywhere_and_writes_only_on_write_connections() {
        let read = AuthAction::Read {
            table_name: "t",
            column_name: "x",
        };
        let insert = AuthAction::Insert { table_name: "t" };
        let drop = AuthAction::DropTable { table_name: "t" };
        for mode in [Mode::Read, Mode::Write] {
            assert_eq!(decide(&read, mode, false), Decision::Allow);
        }
        assert!(denied(&decide(&insert, Mode::Read, false)));
        assert!(denied(&decide(&drop, Mode::Read, false)));
        assert_eq!(decide(&insert, Mode::Write, false), Decision::Allow);
        assert_eq!(decide(&drop, Mode::Write, false), Decision::Allow);
    }

    #[test]
    fn nothing_reaches_outside_the_file_in_either_mode() {
        let actions = [
            AuthAction::Attach {
                filename: "/tmp/x.db",
            },
            AuthAction::Detach { database_name: "x" },
            AuthAction::Function {
                function_name: "load_extension",
            },
            AuthAction::Function {
                function_name: "LOAD_EXTENSION",
            },
            AuthAction::Pragma {
                pragma_name: "journal_mode",
                pragma_value: Some("off"),
            },
            AuthAction::Pragma {
                pragma_name: "wal_checkpoint",
                pragma_value: None,
            },
            AuthAction::Pragma {
                pragma_name: "temp_store_directory",
                pragma_value: Some("/tmp"),
            },
            AuthAction::Pragma {
                pragma_name: "query_only",
                pragma_value: Some("0"),
            },
            AuthAction::Unknown {
                code: 999,
                arg1: None,
                arg2: None,
            },
        ];
        for action in actions {
            for mode in [Mode::Read, Mode::Write] {
                assert!(
                    denied(&decide(&action, mode, false)),
                    "{action:?} must be refused in {mode:?} mode"
                );
            }
        }
    }

    #[test]
    fn only_the_server_itself_manages_transactions() {
        let begin = AuthAction::Transaction {
            operation: TransactionOperation::Begin,
        };
        assert!(denied(&decide(&begin, Mode::Write, false)));
        assert!(denied(&decide(&begin, Mode::Read, false)));
        assert_eq!(decide(&begin, Mode::Write, true), Decision::Allow);
    }

    #[test]
    fn reading_pragmas_pass_and_setting_pragmas_do_not() {
        assert!(pragma_reads("table_info", Some("users")));
        assert!(pragma_reads("TABLE_INFO", Some("users")));
        assert!(pragma_reads("user_version", None));
        assert!(!pragma_reads("user_version", Some("7")));
        assert!(!pragma_reads("writable_schema", None));
        assert!(!pragma_reads("optimize", None));
        assert!(!pragma_reads("incremental_vacuum", None));
    }

    #[test]
    fn written_tables_are_reported() {
        assert_eq!(
            written_table(&AuthAction::Update {
                table_name: "t",
                column_name: "x"
            }),
            Some("t")
        );
        assert_eq!(written_table(&AuthAction::Select), None);
    }
}
