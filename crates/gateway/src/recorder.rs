//! Recording calls without slowing them: the relay pushes a record into a queue (a short,
//! never-contended lock, no I/O) and a writer task stores batches, one transaction each.
//! When the writer falls behind, the oldest queued records lose their argument text, never
//! the record itself. What is stored is also counted into the call figures and, when the
//! daemon keeps a log file, written there as JSON lines (tool, duration_ms, status), one
//! write per batch; each call is counted for `/metrics` as it is pushed.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use bytes::Bytes;
use switchboard_secrets::Redactor;
use switchboard_store::{CallRecord, Store, StoredCall};
use tokio::sync::{Notify, watch};

use crate::{
    events::{Event, Events},
    metrics::Metrics,
    preview::preview,
    stats::CallStats,
};

/// Queued records beyond this many lose their argument text, oldest first.
const KEEP_ARGUMENTS_FOR: usize = 10_000;
/// Most records stored in one transaction, and then sent to the watchers in one go.
pub(crate) const BATCH: usize = 1_000;
/// How long the writer gathers records after the first one arrives.
const GATHER: Duration = Duration::from_millis(50);

/// Where the daemon's log lines of calls go (its JSON log file): each batch of stored calls
/// is one call of the function, a JSON line per call.
#[derive(Clone)]
pub struct CallLines(Arc<WriteLines>);

type WriteLines = dyn Fn(&[u8]) + Send + Sync;

impl CallLines {
    pub fn new(write: impl Fn(&[u8]) + Send + Sync + 'static) -> Self {
        Self(Arc::new(write))
    }
}

impl std::fmt::Debug for CallLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallLines")
    }
}

/// The recording side of the call log. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    queue: Mutex<Queue>,
    wake: Notify,
    /// How many records have been stored (or given up on); `flush` waits on it.
    written: watch::Sender<u64>,
    /// Secret values to redact from previews wherever they appear (shared with the daemon,
    /// which teaches it every secret it hands a server).
    redactor: Redactor,
    /// The figures of the calls stored so far.
    stats: CallStats,
    /// The counters behind `/metrics`.
    metrics: Metrics,
    /// Where stored calls are also logged, if anywhere.
    lines: OnceLock<CallLines>,
}

#[derive(Debug, Default)]
struct Queue {
    items: VecDeque<Queued>,
    /// Items before this index have already lost their arguments.
    stripped: usize,
    pushed: u64,
}

#[derive(Debug)]
struct Queued {
    record: CallRecord,
    arguments: Option<Bytes>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new(Redactor::new())
    }
}

impl Recorder {
    /// A recorder whose previews `redactor` scrubs.
    pub fn new(redactor: Redactor) -> Self {
        Self {
            inner: Arc::new(Inner {
                queue: Mutex::new(Queue::default()),
                wake: Notify::new(),
                written: watch::channel(0).0,
                redactor,
                stats: CallStats::default(),
                metrics: Metrics::default(),
                lines: OnceLock::new(),
            }),
        }
    }

    /// Queues a call. `arguments` is the raw JSON of its arguments, turned into a redacted
    /// preview by the writer.
    pub fn push(&self, record: CallRecord, arguments: Option<Bytes>) {
        self.inner.metrics.observe(&record);
        {
            let mut queue = lock(&self.inner.queue);
            queue.items.push_back(Queued { record, arguments });
            queue.pushed += 1;
            let keep_from = queue.items.len().saturating_sub(KEEP_ARGUMENTS_FOR);
            while queue.stripped < keep_from {
                let index = queue.stripped;
                queue.items[index].arguments = None;
                queue.stripped += 1;
            }
        }
        self.inner.wake.notify_one();
    }

    /// Also logs every stored call through `lines` (set once; later calls are ignored).
    pub fn log_lines_to(&self, lines: CallLines) {
        let _ = self.inner.lines.set(lines);
    }

    /// The figures (rate, errors, latency) of the calls stored so far.
    pub fn stats(&self) -> &CallStats {
        &self.inner.stats
    }

    /// The counters of every call pushed, for `/metrics`.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Waits until everything pushed so far is stored.
    pub async fn flush(&self) {
        let target = lock(&self.inner.queue).pushed;
        self.inner.wake.notify_one();
        let mut written = self.inner.written.subscribe();
        let _ = written.wait_for(|&n| n >= target).await;
    }

    /// Stores queued calls until `shutdown` resolves, then stores what is left.
    pub async fn run_writer(
        self,
        store: Store,
        events: Events,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            let stopping = tokio::select! {
                () = self.inner.wake.notified() => {
                    // Gather what arrives in the next moments into the same transaction:
                    // one commit per batch, not per call.
                    tokio::select! {
                        () = tokio::time::sleep(GATHER) => false,
                        () = &mut shutdown => true,
                    }
                }
                () = &mut shutdown => true,
            };
            while self.write_batch(&store, &events).await {}
            if stopping {
                return;
            }
        }
    }

    /// Stores one batch; returns whether there may be more.
    async fn write_batch(&self, store: &Store, events: &Events) -> bool {
        let batch: Vec<Queued> = {
            let mut queue = lock(&self.inner.queue);
            let n = queue.items.len().min(BATCH);
            queue.stripped = queue.stripped.saturating_sub(n);
            queue.items.drain(..n).collect()
        };
        if batch.is_empty() {
            return false;
        }
        let secrets = &self.inner.redactor;
        let records: Vec<CallRecord> = batch
            .into_iter()
            .map(|queued| CallRecord {
                args_preview: queued.arguments.and_then(|raw| preview(&raw, secrets)),
                ..queued.record
            })
            .collect();
        let count = records.len() as u64;
        // Logged first: the log file keeps the calls even if the store gives up on them.
        self.log_lines(&records);
        let mut attempt = 0u32;
        loop {
            match store.record_calls(&records).await {
                Ok(ids) => {
                    self.inner.stats.add(&records);
                    for (id, record) in ids.into_iter().zip(records) {
                        let _ = events.send(Event::Call {
                            call: Box::new(StoredCall { id, record }),
                        });
                    }
                    break;
                }
                Err(error) if attempt < 5 => {
                    attempt += 1;
                    tracing::warn!(%error, attempt, "could not write calls to the log; retrying");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
                Err(error) => {
                    tracing::error!(%error, lost = records.len(), "giving up on writing calls to the log");
                    break;
                }
            }
        }
        self.inner.written.send_modify(|n| *n += count);
        true
    }
}

impl Recorder {
    /// Writes a batch of calls to the log as JSON lines, in the shape of the daemon's other
    /// log lines (`"target": "switchboard::calls"`), with one write.
    fn log_lines(&self, records: &[CallRecord]) {
        let Some(lines) = self.inner.lines.get() else {
            return;
        };
        let mut text = Vec::with_capacity(records.len() * 256);
        for record in records {
            let line = CallLine {
                timestamp: timestamp(record),
                level: "INFO",
                message: "call",
                server: &record.server,
                client: &record.client,
                method: &record.method,
                tool: record.tool.as_deref().unwrap_or(""),
                duration_ms: record.duration_us as f64 / 1000.0,
                status: record.status.as_str(),
                error_code: record.error_code,
                target: "switchboard::calls",
            };
            if serde_json::to_writer(&mut text, &line).is_ok() {
                text.push(b'\n');
            }
        }
        (lines.0)(&text);
    }
}

#[derive(serde::Serialize)]
struct CallLine<'a> {
    timestamp: String,
    level: &'static str,
    message: &'static str,
    server: &'a str,
    client: &'a str,
    method: &'a str,
    tool: &'a str,
    duration_ms: f64,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<i64>,
    target: &'static str,
}

/// When the call ended, as RFC 3339 in UTC to the millisecond (`2026-11-26T10:00:00.123Z`):
/// its start is kept to the millisecond.
fn timestamp(record: &CallRecord) -> String {
    let ended_us = record
        .at
        .saturating_mul(1000)
        .saturating_add(record.duration_us);
    chrono::DateTime::from_timestamp_micros(ended_us)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use switchboard_store::{CallQuery, CallStatus};

    use super::*;

    fn record(i: i64) -> CallRecord {
        CallRecord {
            at: i,
            client: "test".into(),
            server: "calc".into(),
            method: "tools/call".into(),
            tool: Some("calculate".into()),
            duration_us: 10,
            status: CallStatus::Ok,
            error_code: None,
            request_bytes: 1,
            response_bytes: 1,
            args_preview: None,
        }
    }

    #[test]
    fn a_backlog_loses_argument_text_oldest_first_never_records() {
        let recorder = Recorder::default();
        for i in 0..(KEEP_ARGUMENTS_FOR as i64 + 5) {
            recorder.push(
                record(i),
                Some(Bytes::from_static(b"{\"expression\":\"1+1\"}")),
            );
        }
        let queue = lock(&recorder.inner.queue);
        assert_eq!(
            queue.items.len(),
            KEEP_ARGUMENTS_FOR + 5,
            "every record is kept"
        );
        assert!(queue.items.iter().take(5).all(|q| q.arguments.is_none()));
        assert!(queue.items.iter().skip(5).all(|q| q.arguments.is_some()));
    }

    #[tokio::test]
    async fn stored_calls_are_logged_as_json_lines_one_write_per_batch() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).await.unwrap();
        let recorder = Recorder::default();
        let written = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
        recorder.log_lines_to(CallLines::new({
            let written = written.clone();
            move |lines| lock(&written).push(lines.to_vec())
        }));
        tokio::spawn(recorder.clone().run_writer(
            store,
            crate::events::channel(),
            std::future::pending(),
        ));
        recorder.push(record(1_764_151_200_123), None);
        recorder.push(
            CallRecord {
                status: CallStatus::RpcError,
                error_code: Some(-32601),
                tool: None,
                method: "nope".into(),
                ..record(1_764_151_200_124)
            },
            None,
        );
        recorder.flush().await;
        let writes = lock(&written).clone();
        assert_eq!(writes.len(), 1, "one write for the batch");
        let lines: Vec<serde_json::Value> = writes[0]
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| serde_json::from_slice(line).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            serde_json::json!({"timestamp": "2025-11-26T10:00:00.123Z", "level": "INFO",
                "message": "call", "server": "calc", "client": "test", "method": "tools/call",
                "tool": "calculate", "duration_ms": 0.01, "status": "ok",
                "target": "switchboard::calls"})
        );
        assert_eq!(
            (
                lines[1]["status"].as_str(),
                lines[1]["error_code"].as_i64(),
                lines[1]["tool"].as_str()
            ),
            (Some("rpc_error"), Some(-32601), Some(""))
        );
    }

    #[tokio::test]
    async fn the_writer_stores_everything_and_announces_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).await.unwrap();
        let events = crate::events::channel();
        let mut watcher = events.subscribe();
        let redactor = Redactor::new();
        let recorder = Recorder::new(redactor.clone());
        redactor.set_source("test", [&switchboard_secrets::Sensitive::from("hunter22")]);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let writer = tokio::spawn(recorder.clone().run_writer(
            store.clone(),
            events.clone(),
            async {
                let _ = stopped.await;
            },
        ));
        for i in 0..2_500 {
            recorder.push(
                record(i),
                Some(Bytes::from_static(
                    b"{\"password\":\"x\",\"note\":\"hunter22!\"}",
                )),
            );
        }
        recorder.flush().await;
        let stored = store.calls(&CallQuery::default()).await.unwrap();
        assert_eq!(stored.len(), 1000, "query cap");
        let preview = stored[0].record.args_preview.clone().unwrap();
        assert_eq!(preview, r#"{"note":"<redacted>!","password":"<redacted>"}"#);
        // 2,500 calls at once are more than the channel holds: a watcher that read none of
        // them is told how many it missed, then gets the rest. Every call is accounted for.
        let (mut missed, mut announced) = (0, 0);
        while missed + announced < 2_500 {
            match watcher.recv().await {
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => missed += n,
                Ok(Event::Call { .. }) => announced += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(missed + announced, 2_500);
        assert!(
            announced >= 1_000,
            "only {announced} calls announced: less than a batch"
        );
        let _ = stop.send(());
        writer.await.unwrap();
        let all: i64 = {
            let mut total = 0;
            let mut before = None;
            loop {
                let page = store
                    .calls(&CallQuery {
                        before_id: before,
                        ..CallQuery::default()
                    })
                    .await
                    .unwrap();
                let Some(last) = page.last() else { break };
                before = Some(last.id);
                total += page.len() as i64;
            }
            total
        };
        assert_eq!(all, 2_500, "every call is in the log");
    }
}
