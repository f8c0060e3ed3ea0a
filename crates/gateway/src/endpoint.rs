//! The daemon's local socket: where it lives, who may connect, and the first line a peer
//! sends to say what it is.
//!
//! Unix: a Unix domain socket in the user's runtime folder; the folder is owner-only (0700),
//! the socket too (0600), and a peer of another user is refused even so. Windows: a named
//! pipe per user. Everything above this module sees only `Listener`, `Stream` and `Hello`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

/// The version of the hello line and of the control API.
pub const PROTOCOL_VERSION: u32 = 1;

/// Longest hello line accepted.
const MAX_HELLO_BYTES: u64 = 4096;

/// What a peer says it is, in its first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Hello {
    /// A `switchboard connect <server>` bridge: after the reply, plain MCP JSON-RPC lines.
    Bridge {
        server: String,
        /// The bridge lost its daemon and is resuming a session it had.
        #[serde(default)]
        resume: bool,
        /// The bridge sends its stdin and stdout next, for the session to use directly
        /// (`crate::handover`); the socket then carries only notes to the bridge.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        handover: bool,
    },
    /// The CLI or the app: after the reply, control API JSON-RPC lines.
    Control,
}

#[derive(Debug, Serialize, Deserialize)]
struct HelloLine {
    switchboard: u32,
    #[serde(flatten)]
    hello: Hello,
}

/// The daemon's one-line answer to a hello.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Welcome {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The daemon's process id and version, for `switchboard status`.
    #[serde(default)]
    pub daemon_pid: u32,
    #[serde(default)]
    pub version: String,
    /// The daemon takes the bridge's stdio (the bridge asked to hand it over).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub handover: bool,
}

impl Welcome {
    pub fn ok() -> Self {
        Self {
            ok: true,
            error: None,
            daemon_pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            handover: false,
        }
    }

    pub fn refused(error: impl Into<String>) -> Self {
        Self {
            ok: false,
            error: Some(error.into()),
            ..Self::ok()
        }
    }
}

/// Sends `hello` and waits for the daemon's welcome.
pub async fn greet<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    hello: Hello,
) -> std::io::Result<Welcome> {
    let mut line = serde_json::to_vec(&HelloLine {
        switchboard: PROTOCOL_VERSION,
        hello,
    })?;
    line.push(b'\n');
    stream.write_all(&line).await?;
    stream.flush().await?;
    let text = read_line(stream).await?;
    serde_json::from_str(&text).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Reads a peer's hello. An error says what was wrong with it, for the refusal.
pub async fn read_hello<S: AsyncRead + Unpin>(stream: &mut S) -> Result<Hello, String> {
    let text = read_line(stream)
        .await
        .map_err(|e| format!("no hello line: {e}"))?;
    let line: HelloLine =
        serde_json::from_str(&text).map_err(|e| format!("not a hello line: {e}"))?;
    if line.switchboard != PROTOCOL_VERSION {
        return Err(format!(
            "this daemon speaks protocol {PROTOCOL_VERSION}, the peer {}; restart Switchboard \
             so that both are the same version",
            line.switchboard
        ));
    }
    Ok(line.hello)
}

pub async fn write_welcome<S: AsyncWrite + Unpin>(
    stream: &mut S,
    welcome: &Welcome,
) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(welcome)?;
    line.push(b'\n');
    stream.write_all(&line).await?;
    stream.flush().await
}

/// Reads one line byte by byte, so that nothing after it is consumed from the stream.
async fn read_line<S: AsyncRead + Unpin>(stream: &mut S) -> std::io::Result<String> {
    use tokio::io::AsyncReadExt;
    let mut bytes = Vec::new();
    let mut limited = stream.take(MAX_HELLO_BYTES);
    loop {
        let mut byte = [0u8; 1];
        if limited.read(&mut byte).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed before a full line",
            ));
        }
        if byte[0] == b'\n' {
            break;
        }
        bytes.push(byte[0]);
    }
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Where the daemon listens: the socket file (Unix) or pipe name (Windows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    path: PathBuf,
}

impl Endpoint {
    /// The endpoint of the daemon whose runtime folder is `runtime_dir`.
    pub fn in_dir(runtime_dir: &Path) -> Self {
        Self {
            path: runtime_dir.join("daemon.sock"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(unix)]
pub use unix::{Listener, Stream};

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::PermissionsExt;

    use super::Endpoint;

    pub type Stream = tokio::net::UnixStream;

    /// Accepts peers of this user only.
    #[derive(Debug)]
    pub struct Listener {
        inner: tokio::net::UnixListener,
        uid: u32,
    }

    impl Endpoint {
        /// Listens, replacing a stale socket file. The caller must hold the daemon lock, so
        /// that a live daemon's socket is never replaced.
        pub fn bind(&self) -> std::io::Result<Listener> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
            match std::fs::remove_file(&self.path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            let inner = tokio::net::UnixListener::bind(&self.path)?;
            std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o600))?;
            Ok(Listener {
                inner,
                uid: nix::unistd::getuid().as_raw(),
            })
        }

        pub async fn connect(&self) -> std::io::Result<Stream> {
            tokio::net::UnixStream::connect(&self.path).await
        }
    }

    impl Listener {
        /// The next peer of this user; peers of other users are dropped.
        pub async fn accept(&self) -> std::io::Result<Stream> {
            loop {
                let (stream, _) = self.inner.accept().await?;
                match stream.peer_cred() {
                    Ok(cred) if cred.uid() == self.uid => return Ok(stream),
                    Ok(cred) => tracing::warn!(uid = cred.uid(), "refused a peer of another user"),
                    Err(error) => tracing::warn!(%error, "refused a peer whose user is unknown"),
                }
            }
        }
    }
}

#[cfg(windows)]
pub use windows::{Listener, Stream};

#[cfg(windows)]
mod windows {
    //! A named pipe per user. The default security of a pipe created by a user process
    //! admits that user (and administrators) only.
    use tokio::net::windows::named_pipe::{ClientOptions, NamedPipeServer, ServerOptions};
    use tokio::sync::Mutex;

    use super::Endpoint;

    pub type Stream = Box<dyn super::Duplex>;

    #[derive(Debug)]
    pub struct Listener {
        name: String,
        next: Mutex<NamedPipeServer>,
    }

    impl Endpoint {
        fn pipe_name(&self) -> String {
            let user = std::env::var("USERNAME").unwrap_or_default();
            format!(r"\\.\pipe\switchboard-{user}")
        }

        pub fn bind(&self) -> std::io::Result<Listener> {
            let name = self.pipe_name();
            let first = ServerOptions::new()
                .first_pipe_instance(true)
                .create(&name)?;
            Ok(Listener {
                name,
                next: Mutex::new(first),
            })
        }

        pub async fn connect(&self) -> std::io::Result<Stream> {
            Ok(Box::new(ClientOptions::new().open(self.pipe_name())?))
        }
    }

    impl Listener {
        pub async fn accept(&self) -> std::io::Result<Stream> {
            let mut next = self.next.lock().await;
            next.connect().await?;
            let fresh = ServerOptions::new().create(&self.name)?;
            let connected = std::mem::replace(&mut *next, fresh);
            Ok(Box::new(connected))
        }
    }
}

/// A byte stream both ways.
pub trait Duplex: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Duplex for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hello_and_welcome_round_trip_and_leave_the_rest_unread() {
        let (mut a, mut b) = tokio::io::duplex(1024);
        let peer = tokio::spawn(async move {
            let welcome = greet(
                &mut a,
                Hello::Bridge {
                    server: "calc".into(),
                    resume: false,
                    handover: true,
                },
            )
            .await
            .unwrap();
            a.write_all(b"after\n").await.unwrap();
            welcome
        });
        let hello = read_hello(&mut b).await.unwrap();
        assert_eq!(
            hello,
            Hello::Bridge {
                server: "calc".into(),
                resume: false,
                handover: true,
            }
        );
        write_welcome(&mut b, &Welcome::ok()).await.unwrap();
        assert!(peer.await.unwrap().ok);
        assert_eq!(read_line(&mut b).await.unwrap(), "after");
    }

    #[tokio::test]
    async fn a_wrong_version_or_garbage_is_refused_with_a_reason() {
        let mut garbage: &[u8] = b"GET / HTTP/1.1\n";
        assert!(
            read_hello(&mut garbage)
                .await
                .unwrap_err()
                .contains("not a hello line")
        );
        let mut future: &[u8] = b"{\"switchboard\":99,\"role\":\"control\"}\n";
        assert!(
            read_hello(&mut future)
                .await
                .unwrap_err()
                .contains("protocol 1")
        );
        let mut endless = &[b'x'; 10_000][..];
        assert!(read_hello(&mut endless).await.is_err());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_socket_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let endpoint = Endpoint::in_dir(&dir.path().join("run"));
        let listener = endpoint.bind().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(endpoint.path()), 0o600);
        assert_eq!(mode(&dir.path().join("run")), 0o700);
        let client = tokio::spawn({
            let endpoint = endpoint.clone();
            async move { endpoint.connect().await.unwrap() }
        });
        listener.accept().await.unwrap();
        client.await.unwrap();
        // A second bind replaces a stale socket file.
        drop(listener);
        endpoint.bind().unwrap();
    }
}
