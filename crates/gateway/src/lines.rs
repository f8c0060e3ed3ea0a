//! Newline-delimited framing for relaying: a cancel-safe line reader that hands out every
//! complete line already buffered without waiting, so a burst of pipelined messages is
//! relayed with one write.

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Largest message relayed, in bytes; a longer line ends the session with an error.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// Reads lines from `R`, keeping partial lines between calls.
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
    buffer: BytesMut,
    /// Bytes of `buffer` already searched for a newline.
    searched: usize,
    eof: bool,
}

/// Why reading stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("a message longer than {MAX_LINE_BYTES} bytes")]
    TooLong,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            buffer: BytesMut::with_capacity(64 * 1024),
            searched: 0,
            eof: false,
        }
    }

    /// The next complete line already buffered (without its newline), if any.
    pub fn buffered_line(&mut self) -> Option<Bytes> {
        let found = memchr::memchr(b'\n', &self.buffer[self.searched..]);
        match found {
            Some(offset) => {
                let end = self.searched + offset;
                let mut line = self.buffer.split_to(end + 1).freeze();
                self.searched = 0;
                line.truncate(end);
                if line.last() == Some(&b'\r') {
                    line.truncate(line.len() - 1);
                }
                Some(line)
            }
            None => {
                self.searched = self.buffer.len();
                None
            }
        }
    }

    /// The next line, reading as needed. `Ok(None)` at end of input (a final line without a
    /// newline is returned first). Cancel-safe: bytes read are kept in the buffer.
    pub async fn next_line(&mut self) -> Result<Option<Bytes>, ReadError> {
        loop {
            if let Some(line) = self.buffered_line() {
                return Ok(Some(line));
            }
            if self.eof {
                if self.buffer.is_empty() {
                    return Ok(None);
                }
                self.searched = 0;
                return Ok(Some(self.buffer.split().freeze()));
            }
            if self.buffer.len() > MAX_LINE_BYTES {
                return Err(ReadError::TooLong);
            }
            self.buffer.reserve(64 * 1024);
            if self.inner.read_buf(&mut self.buffer).await? == 0 {
                self.eof = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_split_across_reads_come_out_whole() {
        let (mut writer, reader) = tokio::io::duplex(8);
        let mut lines = LineReader::new(reader);
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            writer.write_all(b"{\"a\":1}\r\n{\"b\":").await.unwrap();
            writer.write_all(b"2}\n\nlast").await.unwrap();
        });
        assert_eq!(lines.next_line().await.unwrap().unwrap(), &b"{\"a\":1}"[..]);
        assert_eq!(lines.next_line().await.unwrap().unwrap(), &b"{\"b\":2}"[..]);
        assert_eq!(lines.next_line().await.unwrap().unwrap(), &b""[..]);
        assert_eq!(lines.next_line().await.unwrap().unwrap(), &b"last"[..]);
        assert!(lines.next_line().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn buffered_lines_are_handed_out_without_reading() {
        let input: &[u8] = b"1\n2\n3\n";
        let mut lines = LineReader::new(input);
        assert_eq!(lines.next_line().await.unwrap().unwrap(), &b"1"[..]);
        assert_eq!(lines.buffered_line().unwrap(), &b"2"[..]);
        assert_eq!(lines.buffered_line().unwrap(), &b"3"[..]);
        assert!(lines.buffered_line().is_none());
    }
}
