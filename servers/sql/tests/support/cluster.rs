//! A throwaway PostgreSQL cluster for the tests: `initdb` and `pg_ctl` in a temp dir, listening
//! on 127.0.0.1 at a free port with a password, and on a Unix socket in the temp dir. When the
//! tests run as root, PostgreSQL runs as the `postgres` user (it refuses to run as root).
//!
//! One cluster is shared by the tests of a binary that run at the same time; it is stopped
//! (`pg_ctl stop -m immediate`) when the last of them drops it, also when a test panics.
//! Missing binaries fail the tests with a message saying to run scripts/setup.
//! Included by the test files with `#[path]`.

#![allow(dead_code)] // each test file uses a different part

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, Mutex, PoisonError, Weak},
};

/// The superuser's password: a canary that must never appear in anything a model sees.
pub(crate) const PASSWORD: &str = "pw-canary-3f9a1c7e";

pub(crate) struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    run_as_postgres: bool,
    pub(crate) port: u16,
}

static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());

/// The running cluster, started if no test holds one.
pub(crate) fn shared() -> Arc<Cluster> {
    let mut slot = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(cluster) = slot.upgrade() {
        return cluster;
    }
    let cluster = Arc::new(Cluster::start());
    *slot = Arc::downgrade(&cluster);
    cluster
}

fn has_tools(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
}

/// The directory holding initdb and pg_ctl: PATH first, then the newest
/// /usr/lib/postgresql/<version>/bin.
fn find_binaries() -> PathBuf {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_tools(&dir) {
                return dir;
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL is not installed: initdb and pg_ctl are neither on PATH nor in \
             /usr/lib/postgresql/*/bin. Run scripts/setup (it installs the Debian `postgresql` \
             package); the PostgreSQL tests need a real server."
        ),
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}

impl Cluster {
    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        let mut command = if self.run_as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.current_dir(self.dir.path());
        command
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = self
            .command(tool)
            .args(args)
            .output()
            .unwrap_or_else(|error| panic!("could not run {tool}: {error}"));
        assert!(
            output.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    pub(crate) fn socket_dir(&self) -> String {
        self.dir.path().join("socket").display().to_string()
    }

    fn start() -> Self {
        let bin = find_binaries();
        let run_as_postgres = running_as_root();
        let dir = tempfile::tempdir().expect("temp dir for the cluster");
        std::fs::create_dir(dir.path().join("socket")).expect("socket dir");
        std::fs::write(dir.path().join("password"), PASSWORD).expect("password file");
        if run_as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown the cluster dir");
            assert!(status.success(), "chown of the cluster dir failed");
        }
        let cluster = Self {
            dir,
            bin,
            run_as_postgres,
            port: free_port(),
        };
        let password_file = format!("--pwfile={}", cluster.dir.path().join("password").display());
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-U",
                "postgres",
                &password_file,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        );
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
             -c synchronous_commit=off -c TimeZone=UTC -c max_connections=50",
            cluster.port,
            cluster.socket_dir()
        );
        let log = cluster.dir.path().join("log").display().to_string();
        cluster.run(
            "pg_ctl",
            &[
                "-D",
                &cluster.data(),
                "-l",
                &log,
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        cluster
    }

    /// A connection string with the password, for database `name`.
    pub(crate) fn url(&self, name: &str) -> String {
        format!(
            "postgres://postgres:{PASSWORD}@127.0.0.1:{}/{name}",
            self.port
        )
    }

    /// A new empty database for one test, filled by `setup` (SQL run as the superuser).
    pub(crate) async fn database(&self, name: &str, setup: &str) -> String {
        let admin = self.connect("postgres").await;
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin
                .batch_execute(&sql)
                .await
                .expect("create the test database");
        }
        let connection = self.connect(name).await;
        connection
            .batch_execute(setup)
            .await
            .expect("fill the test database");
        self.url(name)
    }

    /// A superuser connection to `name`, driven in the background.
    pub(crate) async fn connect(&self, name: &str) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url(name), tokio_postgres::NoTls)
            .await
            .expect("connect to the test cluster");
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let stopped = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
        if !matches!(&stopped, Ok(output) if output.status.success()) {
            eprintln!("could not stop the test PostgreSQL cluster: {stopped:?}");
        }
    }
}
