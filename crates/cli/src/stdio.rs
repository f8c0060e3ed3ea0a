//! Newline-delimited JSON-RPC over a byte stream (stdio), for serving MCP servers.
//!
//! Owns: framing, a bound on message size, and answering input that is not a JSON-RPC
//! message (see `rejection`). rmcp's own stdio transport drops unparsable lines silently,
//! which leaves a client that sent one waiting forever.
//!
//! Reading is cancel-safe: `receive` is polled inside a `select!`, so partial lines live in
//! the transport, and error replies are written by a spawned task that holds the writer for
//! the whole line.

use std::{future::Future, sync::Arc};

use rmcp::{
    ErrorData, RoleServer,
    model::{JsonRpcMessage, NumberOrString},
    service::{RxJsonRpcMessage, TxJsonRpcMessage},
    transport::Transport,
};

use crate::rejection;
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    sync::Mutex,
};

/// Largest message accepted, in bytes. Longer lines are discarded and answered with an
/// Invalid Request error.
pub(crate) const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A server-side MCP transport over a reader and a writer of JSON lines.
#[derive(Debug)]
pub(crate) struct LineTransport<R, W> {
    reader: BufReader<R>,
    line: Vec<u8>,
    /// Bytes of an oversized line are being skipped up to its newline.
    discarding: bool,
    writer: Arc<Mutex<W>>,
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    pub(crate) fn new(reader: R, writer: W) -> Self {
        Self {
            reader: BufReader::with_capacity(64 * 1024, reader),
            line: Vec::new(),
            discarding: false,
            writer: Arc::new(Mutex::new(writer)),
        }
    }

    /// Reads up to the next newline. `Ok(true)` when a whole line is in `self.line`,
    /// `Ok(false)` at end of input. Each step consumes only what it has copied, so a
    /// cancelled call loses nothing.
    async fn read_line(&mut self) -> std::io::Result<bool> {
        loop {
            let available = self.reader.fill_buf().await?;
            if available.is_empty() {
                return Ok(false);
            }
            let (chunk, complete) = match available.iter().position(|&b| b == b'\n') {
                Some(end) => (&available[..end], true),
                None => (available, false),
            };
            let consumed = chunk.len() + usize::from(complete);
            if !self.discarding {
                if self.line.len() + chunk.len() > MAX_MESSAGE_BYTES {
                    self.discarding = true;
                    self.line.clear();
                } else {
                    self.line.extend_from_slice(chunk);
                }
            }
            self.reader.consume(consumed);
            if complete {
                return Ok(true);
            }
        }
    }

    /// Writes one error reply from a task of its own, so that the write is never cut short.
    fn reply_error(&self, error: ErrorData, id: Option<NumberOrString>) {
        let message: TxJsonRpcMessage<RoleServer> = JsonRpcMessage::error(error, id);
        let writer = self.writer.clone();
        tokio::spawn(async move {
            if let Err(e) = write_message(&writer, &message).await {
                tracing::debug!("could not write an error reply: {e}");
            }
        });
    }

    /// Answers a line that is not a message this server understands, unless nobody waits.
    fn reject(&self, line: &[u8], error: &serde_json::Error) {
        let rejection = rejection::reject(line, error);
        if rejection.unanswered {
            tracing::debug!("dropping a message that does not parse: {error}");
        } else {
            self.reply_error(rejection.error, rejection.id);
        }
    }
}

async fn write_message<W: AsyncWrite + Unpin>(
    writer: &Mutex<W>,
    message: &TxJsonRpcMessage<RoleServer>,
) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec(message)?;
    bytes.push(b'\n');
    let mut writer = writer.lock().await;
    writer.write_all(&bytes).await?;
    writer.flush().await
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let writer = self.writer.clone();
        async move { write_message(&writer, &item).await }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            match self.read_line().await {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    tracing::debug!("stdin closed with an error: {e}");
                    return None;
                }
            }
            if std::mem::take(&mut self.discarding) {
                self.reply_error(
                    ErrorData::invalid_request(
                        format!(
                            "Invalid Request: message larger than {} MiB",
                            MAX_MESSAGE_BYTES / (1024 * 1024)
                        ),
                        None,
                    ),
                    None,
                );
                continue;
            }
            let line = std::mem::take(&mut self.line);
            let mut text = line.strip_prefix(UTF8_BOM).unwrap_or(&line);
            text = text.strip_suffix(b"\r").unwrap_or(text);
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice(text) {
                Ok(message) => return Some(message),
                Err(error) => self.reject(text, &error),
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.writer.lock().await.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, duplex};

    use super::*;

    /// Feeds `input` to a transport and returns (messages received, lines written back).
    async fn exchange(input: &[u8]) -> (usize, Vec<Value>) {
        let (mut client_write, server_read) = duplex(1 << 20);
        let (server_write, client_read) = duplex(1 << 20);
        let input = input.to_vec();
        tokio::spawn(async move {
            client_write.write_all(&input).await.unwrap();
        });
        let mut transport = LineTransport::new(server_read, server_write);
        let mut received = 0;
        while transport.receive().await.is_some() {
            received += 1;
        }
        // The writer closes when the transport and every spawned error writer are done.
        drop(transport);
        let mut replies = Vec::new();
        let mut lines = tokio::io::BufReader::new(client_read).lines();
        while let Some(line) = lines.next_line().await.unwrap() {
            replies.push(serde_json::from_str(&line).unwrap());
        }
        (received, replies)
    }

    #[tokio::test]
    async fn malformed_json_is_answered_with_a_parse_error() {
        let (received, replies) = exchange(b"{\"jsonrpc\": \"2.0\", \"id\": 1,\n").await;
        assert_eq!(received, 0);
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0]["error"]["code"], -32700);
    }

    #[tokio::test]
    async fn valid_messages_pass_through_with_crlf_bom_and_blank_lines() {
        let input = b"\xEF\xBB\xBF{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n\n   \n\
                      {\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n";
        let (received, replies) = exchange(input).await;
        assert_eq!(received, 2);
        assert!(replies.is_empty());
    }

    #[tokio::test]
    async fn an_oversized_line_is_refused_and_the_next_one_still_works() {
        let mut input = vec![b'x'; MAX_MESSAGE_BYTES + 10];
        input.extend_from_slice(b"\n{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}\n");
        let (received, replies) = exchange(&input).await;
        assert_eq!(received, 1, "the message after the oversized one is read");
        assert_eq!(replies.len(), 1);
        assert!(
            replies[0]["error"]["message"]
                .as_str()
                .unwrap()
                .contains("larger than")
        );
    }
}
