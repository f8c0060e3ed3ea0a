//! Log lines with secrets redacted before they are written: a `tracing_subscriber`
//! [`MakeWriter`] wrapper that the daemon installs around its log file or stderr.
//!
//! Owns: buffering one formatted event and redacting it as a whole before the inner
//! writer sees any of it. Must not: write an unredacted byte, or format events itself
//! (the `fmt` layer does).
//!
//! ```
//! use switchboard_secrets::{Redactor, RedactingMakeWriter, Sensitive};
//!
//! let redactor = Redactor::new();
//! let subscriber = tracing_subscriber::fmt()
//!     .with_writer(RedactingMakeWriter::new(std::io::stderr, redactor.clone()))
//!     .finish();
//! // Later, when a server's secrets are read:
//! redactor.set_source("github", &[Sensitive::from("ghp_example_token")]);
//! # drop(subscriber);
//! ```

use std::{
    fmt,
    io::{self, Write},
};

use tracing_subscriber::fmt::MakeWriter;
use zeroize::Zeroize;

use crate::Redactor;

/// Wraps a [`MakeWriter`] so that every event is redacted before it is written.
#[derive(Debug, Clone)]
pub struct RedactingMakeWriter<M> {
    inner: M,
    redactor: Redactor,
}

impl<M> RedactingMakeWriter<M> {
    pub fn new(inner: M, redactor: Redactor) -> Self {
        Self { inner, redactor }
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactingMakeWriter<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter::new(self.inner.make_writer(), self.redactor.clone())
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        RedactingWriter::new(self.inner.make_writer_for(meta), self.redactor.clone())
    }
}

/// Collects what the formatter writes for one event; redacts and passes it on when
/// flushed or dropped (the `fmt` layer makes one writer per event).
pub struct RedactingWriter<W: Write> {
    inner: W,
    buffer: Vec<u8>,
    redactor: Redactor,
}

/// Shows the size of the pending line, never its (unredacted) bytes.
impl<W: Write> fmt::Debug for RedactingWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedactingWriter")
            .field("pending_bytes", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<W: Write> RedactingWriter<W> {
    pub fn new(inner: W, redactor: Redactor) -> Self {
        Self {
            inner,
            buffer: Vec::new(),
            redactor,
        }
    }

    fn emit(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let mut buffer = std::mem::take(&mut self.buffer);
        let written = self.inner.write_all(&self.redactor.redact_bytes(&buffer));
        buffer.zeroize();
        written
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        // A log line that cannot be written has nowhere to report that.
        let _ = self.emit();
    }
}
