//! Real SQLite files for the tests, a journal that keeps what it is given, and grants that can
//! change while a server runs. Included by the test files with `#[path]`.

#![allow(dead_code)] // each test file uses a different part

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use server_sql::{
    Access, DatabaseFiles, GrantedFolders, Limits, LocateError, SqlConfig, SqlServer, WriteJournal,
    WriteRecord,
};

/// A shop database: customers, orders (with a foreign key and an index), a view, a BLOB.
pub(crate) fn make_shop(path: &Path) {
    let connection = rusqlite::Connection::open(path).expect("create the test database");
    connection
        .execute_batch(
            r"
            CREATE TABLE customers (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                email TEXT UNIQUE,
                photo BLOB
            );
            CREATE TABLE orders (
                id INTEGER PRIMARY KEY,
                customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                total REAL NOT NULL DEFAULT 0,
                note TEXT
            );
            CREATE INDEX orders_by_customer ON orders(customer_id);
            CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
            INSERT INTO customers (id, name, email, photo) VALUES
                (1, 'Ada', 'ada@example.com', x'00010203'),
                (2, 'Grace', 'grace@example.com', NULL),
                (3, 'Linus', NULL, NULL);
            INSERT INTO orders (customer_id, total, note) VALUES
                (1, 250.5, 'first'), (1, 20, NULL), (2, 99.99, 'gift'), (3, 1000, 'bulk');
            ",
        )
        .expect("fill the test database");
}

/// A folder holding `shop.db`, granted with `access`.
pub(crate) struct Shop {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) path: PathBuf,
}

impl Shop {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("shop.db");
        make_shop(&path);
        let path = std::fs::canonicalize(&path).expect("canonical path");
        Self { dir, path }
    }

    pub(crate) fn database(&self) -> String {
        self.path.display().to_string()
    }

    pub(crate) fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).expect("read the database file")
    }
}

/// Keeps every record.
#[derive(Debug, Default)]
pub(crate) struct MemoryJournal {
    pub(crate) records: Mutex<Vec<WriteRecord>>,
}

impl WriteJournal for MemoryJournal {
    fn record(&self, entry: &WriteRecord) {
        self.records.lock().unwrap().push(entry.clone());
    }
}

/// Grants that a test changes while the server runs.
#[derive(Debug, Default)]
pub(crate) struct LiveGrants {
    pub(crate) folders: Mutex<Vec<(PathBuf, Access)>>,
}

impl LiveGrants {
    pub(crate) fn set(&self, folders: Vec<(PathBuf, Access)>) {
        *self.folders.lock().unwrap() = folders;
    }

    fn current(&self) -> GrantedFolders {
        GrantedFolders::new(self.folders.lock().unwrap().clone())
    }
}

impl DatabaseFiles for LiveGrants {
    fn folders(&self) -> Vec<(PathBuf, Access)> {
        self.current().folders()
    }

    fn locate(&self, requested: &str, write: bool) -> Result<PathBuf, LocateError> {
        self.current().locate(requested, write)
    }
}

/// A server over `folder` with `access`, these limits, and a memory journal.
pub(crate) fn server(
    folder: &Path,
    access: Access,
    limits: Limits,
) -> (SqlServer, Arc<MemoryJournal>) {
    let journal = Arc::new(MemoryJournal::default());
    let files = Arc::new(GrantedFolders::new([(folder.to_path_buf(), access)]));
    let config = SqlConfig::new(files)
        .with_limits(limits)
        .with_journal(journal.clone());
    (SqlServer::new(config), journal)
}
