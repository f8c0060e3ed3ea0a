//! Handing a client's stdio to the daemon, so that a call crosses one relay instead of two.
//!
//! A bridge (`switchboard connect`) whose stdin and stdout are pipes or sockets, as every MCP
//! client launches it, sends both descriptors to the daemon over the local socket
//! (`SCM_RIGHTS`). The daemon's session then reads the client's requests and writes its
//! answers itself; the bridge only listens on the socket. The session tells it the client's
//! handshake and which requests are unanswered (see `session::run_as`), so that if the daemon dies
//! the bridge can take its stdio back and resume as a plain relay.
//!
//! A pipe is reopened through `/proc/self/fd`, so that the daemon's copy is non-blocking and
//! the bridge's keeps its mode; a socket cannot be reopened, so the bridge makes it blocking
//! again if it takes it back ([`take_stdio_back`]). Linux only; elsewhere the bridge relays.

use std::{
    io::{self, IoSlice, IoSliceMut},
    mem::MaybeUninit,
    os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd},
    pin::Pin,
    task::{Context, Poll},
};

use rustix::net::{
    RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, recvmsg, sendmsg,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, Interest, ReadBuf},
    net::{
        UnixStream,
        unix::pipe::{Receiver, Sender},
    },
};

/// The one byte sent with the descriptors.
const MARK: &[u8] = b"h";

/// Whether this process's stdin and stdout can be handed over: each a pipe or a socket.
pub fn stdio_can_be_handed_over() -> bool {
    kind(io::stdin().as_fd()).is_some() && kind(io::stdout().as_fd()).is_some()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pipe,
    Socket,
}

fn kind(fd: BorrowedFd<'_>) -> Option<Kind> {
    use std::os::unix::fs::FileTypeExt;
    let file = std::fs::File::from(fd.try_clone_to_owned().ok()?);
    let kind = file.metadata().ok()?.file_type();
    if kind.is_fifo() {
        Some(Kind::Pipe)
    } else if kind.is_socket() {
        Some(Kind::Socket)
    } else {
        None
    }
}

/// Sends this process's stdin and stdout to the peer of `stream`.
pub async fn send_stdio(stream: &UnixStream) -> io::Result<()> {
    let (stdin, stdout) = (io::stdin(), io::stdout());
    let fds = [stdin.as_fd(), stdout.as_fd()];
    stream
        .async_io(Interest::WRITABLE, || {
            let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(2))];
            let mut control = SendAncillaryBuffer::new(&mut space);
            control.push(SendAncillaryMessage::ScmRights(&fds));
            sendmsg(
                stream,
                &[IoSlice::new(MARK)],
                &mut control,
                SendFlags::DONTWAIT | SendFlags::NOSIGNAL,
            )
            .map_err(io::Error::from)
        })
        .await
        .map(drop)
}

/// Receives a client's stdin and stdout from a bridge, ready for the session.
pub async fn receive_stdio(stream: &UnixStream) -> io::Result<(ClientReader, ClientWriter)> {
    let (stdin, stdout) = stream
        .async_io(Interest::READABLE, || receive_two(stream))
        .await?;
    Ok((ClientReader::new(stdin)?, ClientWriter::new(stdout)?))
}

fn receive_two(socket: &UnixStream) -> io::Result<(OwnedFd, OwnedFd)> {
    let mut byte = [0u8; 1];
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(2))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let message = recvmsg(
        socket,
        &mut [IoSliceMut::new(&mut byte)],
        &mut control,
        RecvFlags::DONTWAIT | RecvFlags::CMSG_CLOEXEC,
    )
    .map_err(io::Error::from)?;
    let mut fds = Vec::new();
    for received in control.drain() {
        if let RecvAncillaryMessage::ScmRights(received) = received {
            fds.extend(received);
        }
    }
    if message.bytes == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the bridge left before handing over its stdio",
        ));
    }
    let mut fds = fds.into_iter();
    match (fds.next(), fds.next(), fds.next()) {
        (Some(stdin), Some(stdout), None) => Ok((stdin, stdout)),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the bridge sent no stdin and stdout",
        )),
    }
}

/// A received descriptor made ready for the daemon's reactor.
enum Prepared {
    /// A pipe, reopened on its own open file description, non-blocking.
    Pipe(OwnedFd),
    /// A socket (the same description as the bridge's), non-blocking.
    Socket(UnixStream),
}

fn prepare(fd: OwnedFd, write: bool) -> io::Result<Prepared> {
    match kind(fd.as_fd()) {
        Some(Kind::Pipe) => Ok(Prepared::Pipe(reopen_pipe(&fd, write)?)),
        Some(Kind::Socket) => Ok(Prepared::Socket(socket(fd)?)),
        None => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the client's stdio is not a pipe or a socket",
        )),
    }
}

/// Reopens a pipe on its own open file description, non-blocking.
fn reopen_pipe(fd: &OwnedFd, write: bool) -> io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(!write)
        .write(write)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(format!("/proc/self/fd/{}", fd.as_raw_fd()))?;
    Ok(file.into())
}

fn socket(fd: OwnedFd) -> io::Result<UnixStream> {
    let socket = std::os::unix::net::UnixStream::from(fd);
    socket.set_nonblocking(true)?;
    UnixStream::from_std(socket)
}

/// Gives the bridge its stdio back as it was, after the daemon that had it died: a socket
/// was made non-blocking for the daemon (a pipe kept its mode), and the bridge reads and
/// writes blocking.
pub fn take_stdio_back() {
    for fd in [io::stdin().as_fd(), io::stdout().as_fd()] {
        if kind(fd) == Some(Kind::Socket)
            && let Ok(flags) = rustix::fs::fcntl_getfl(fd)
        {
            let _ = rustix::fs::fcntl_setfl(fd, flags - rustix::fs::OFlags::NONBLOCK);
        }
    }
}

/// Where a bridge's client is, seen from its stdio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// Stdin and stdout are both open.
    Here,
    /// It closed stdin (nothing left to read) but may still read answers.
    DoneSending,
    /// It closed its end of stdout: nothing more can reach it.
    Gone,
}

/// Where the client is. A bridge whose daemon vanished asks before resuming, since a daemon
/// that was ending the session may be gone before it could say so.
pub fn client() -> Client {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let (stdin, stdout) = (io::stdin(), io::stdout());
    let mut fds = [
        PollFd::new(&stdin, PollFlags::IN),
        PollFd::new(&stdout, PollFlags::OUT),
    ];
    if poll(&mut fds, Some(&Timespec::default())).is_err() {
        return Client::Here;
    }
    let (input, output) = (fds[0].revents(), fds[1].revents());
    if output.intersects(PollFlags::ERR | PollFlags::HUP) {
        return Client::Gone;
    }
    let done_sending = match kind(stdin.as_fd()) {
        // A pipe whose writer closed says HUP; with data still to read, IN as well.
        Some(Kind::Pipe) => input.contains(PollFlags::HUP) && !input.contains(PollFlags::IN),
        // A socket at its end reads as empty.
        Some(Kind::Socket) => {
            input.contains(PollFlags::IN)
                && matches!(
                    rustix::net::recv(&stdin, &mut [0u8; 1], RecvFlags::PEEK | RecvFlags::DONTWAIT),
                    Ok((0, _))
                )
        }
        None => false,
    };
    if done_sending {
        Client::DoneSending
    } else {
        Client::Here
    }
}

/// The client's stdin, read by the daemon.
#[derive(Debug)]
pub enum ClientReader {
    Pipe(Receiver),
    Socket(UnixStream),
}

impl ClientReader {
    fn new(fd: OwnedFd) -> io::Result<Self> {
        Ok(match prepare(fd, false)? {
            Prepared::Pipe(fd) => Self::Pipe(Receiver::from_owned_fd_unchecked(fd)?),
            Prepared::Socket(socket) => Self::Socket(socket),
        })
    }
}

impl AsyncRead for ClientReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Pipe(pipe) => Pin::new(pipe).poll_read(cx, buf),
            Self::Socket(socket) => Pin::new(socket).poll_read(cx, buf),
        }
    }
}

/// The client's stdout, written by the daemon.
#[derive(Debug)]
pub enum ClientWriter {
    Pipe(Sender),
    Socket(UnixStream),
}

impl ClientWriter {
    fn new(fd: OwnedFd) -> io::Result<Self> {
        Ok(match prepare(fd, true)? {
            Prepared::Pipe(fd) => Self::Pipe(Sender::from_owned_fd_unchecked(fd)?),
            Prepared::Socket(socket) => Self::Socket(socket),
        })
    }
}

impl AsyncWrite for ClientWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Pipe(pipe) => Pin::new(pipe).poll_write(cx, buf),
            Self::Socket(socket) => Pin::new(socket).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Pipe(pipe) => Pin::new(pipe).poll_flush(cx),
            Self::Socket(socket) => Pin::new(socket).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Pipe(pipe) => Pin::new(pipe).poll_shutdown(cx),
            Self::Socket(socket) => Pin::new(socket).poll_shutdown(cx),
        }
    }
}
