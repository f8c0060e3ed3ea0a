//! Sessions relayed in one process: a raw JSON-RPC client on one side, and on the other
//! either the real calc server or a scripted server the test plays by hand (to crash it,
//! delay it, or have it ask for roots). Calls are recorded into a real SQLite store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    collections::BTreeSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use switchboard_gateway::{
    Availability, Recorder, Root, Runtimes, ServerPolicy, SessionConfig, SessionContext, Upstream,
    Upstreams, events, lines::LineReader, session, session::Opening,
};
use switchboard_store::{CallQuery, CallStatus, Store, StoredCall};
use switchboard_supervisor::{RestartPolicy, ServerState};
use tokio::{
    io::{AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf},
    sync::{mpsc, watch},
};
use tokio_util::sync::CancellationToken;

/// One end of a JSON-lines conversation, with a deadline on every read.
struct Peer {
    reader: LineReader<ReadHalf<DuplexStream>>,
    writer: WriteHalf<DuplexStream>,
}

impl Peer {
    fn new(stream: DuplexStream) -> Self {
        let (reader, writer) = tokio::io::split(stream);
        Self {
            reader: LineReader::new(reader),
            writer,
        }
    }

    async fn send(&mut self, message: Value) {
        let mut line = serde_json::to_vec(&message).unwrap();
        line.push(b'\n');
        self.writer.write_all(&line).await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(5), self.reader.next_line())
            .await
            .expect("an answer within 5 s")
            .unwrap()
            .expect("the stream is still open");
        serde_json::from_slice(&line).unwrap()
    }

    /// The next message that is not a notification.
    async fn recv_reply(&mut self) -> Value {
        loop {
            let message = self.recv().await;
            if message.get("id").is_some() {
                return message;
            }
        }
    }

    async fn closed(&mut self) -> bool {
        matches!(
            tokio::time::timeout(Duration::from_secs(5), self.reader.next_line()).await,
            Ok(Ok(None) | Err(_))
        )
    }
}

/// Serves the real calc server, or hands the server side of each connection to the test.
enum Script {
    Calc,
    ByHand(mpsc::UnboundedSender<Peer>),
}

struct TestUpstreams {
    script: Script,
    opened: Mutex<usize>,
}

impl Upstreams for TestUpstreams {
    fn open<'a>(&'a self, _server: &'a str) -> Opening<'a> {
        *self.opened.lock().unwrap() += 1;
        let upstream = match &self.script {
            Script::Calc => Ok(Upstream::in_process(server_calc::CalcServer::default())),
            Script::ByHand(servers) => {
                let (ours, theirs) = tokio::io::duplex(1 << 20);
                servers.send(Peer::new(theirs)).unwrap();
                let (reader, writer) = tokio::io::split(ours);
                Ok(Upstream::from_io(Box::new(reader), Box::new(writer)))
            }
        };
        Box::pin(std::future::ready(upstream))
    }
}

struct Harness {
    client: Peer,
    policy: watch::Sender<ServerPolicy>,
    store: Store,
    recorder: Recorder,
    runtimes: Runtimes,
    servers: Option<mpsc::UnboundedReceiver<Peer>>,
    upstreams: Arc<TestUpstreams>,
    _dir: tempfile::TempDir,
    session: tokio::task::JoinHandle<()>,
}

fn on() -> ServerPolicy {
    ServerPolicy {
        availability: Availability::On,
        ..ServerPolicy::default()
    }
}

async fn start(policy: ServerPolicy, by_hand: bool, config: SessionConfig) -> Harness {
    start_with(policy, by_hand, config, None).await
}

/// A session whose bridge handed the client's stdio over: the client's streams go to the
/// session directly, and `bridge` gets the session's notes.
async fn start_handed_over(by_hand: bool) -> (Harness, Peer, CancellationToken) {
    let (bridge, notes) = tokio::io::duplex(1 << 20);
    let left = CancellationToken::new();
    let (_, notes) = tokio::io::split(notes);
    let link = session::BridgeLink {
        notes: Box::new(notes),
        left: left.clone(),
    };
    let config = SessionConfig {
        // Long enough that a quick call is never told, even on a busy machine.
        note_delay: Duration::from_millis(300),
        ..quick()
    };
    let h = start_with(on(), by_hand, config, Some(link)).await;
    (h, Peer::new(bridge), left)
}

async fn start_with(
    policy: ServerPolicy,
    by_hand: bool,
    config: SessionConfig,
    bridge: Option<session::BridgeLink>,
) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).await.unwrap();
    let events = events::channel();
    let recorder = Recorder::default();
    tokio::spawn(recorder.clone().run_writer(
        store.clone(),
        events.clone(),
        std::future::pending(),
    ));
    let runtimes = Runtimes::new(events);
    let (script, servers) = if by_hand {
        let (tx, rx) = mpsc::unbounded_channel();
        (Script::ByHand(tx), Some(rx))
    } else {
        (Script::Calc, None)
    };
    let upstreams = Arc::new(TestUpstreams {
        script,
        opened: Mutex::new(0),
    });
    let context = SessionContext {
        upstreams: upstreams.clone(),
        recorder: recorder.clone(),
        runtimes: runtimes.clone(),
        config,
        shutdown: tokio_util::sync::CancellationToken::new(),
        redactor: switchboard_secrets::Redactor::new(),
    };
    let (policy_tx, policy_rx) = watch::channel(policy);
    let (client_end, session_end) = tokio::io::duplex(1 << 20);
    let (read, write) = tokio::io::split(session_end);
    let session = match bridge {
        None => tokio::spawn(session::run(
            context,
            1,
            "calc".into(),
            policy_rx,
            read,
            write,
        )),
        Some(bridge) => tokio::spawn(session::run_as(
            context,
            1,
            ("calc".into(), "unknown".into()),
            policy_rx,
            read,
            write,
            Some(bridge),
        )),
    };
    Harness {
        client: Peer::new(client_end),
        policy: policy_tx,
        store,
        recorder,
        runtimes,
        servers,
        upstreams,
        _dir: dir,
        session,
    }
}

impl Harness {
    async fn initialize(&mut self) -> Value {
        self.client
            .send(
                json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "test-client", "version": "1"}}}),
            )
            .await;
        let reply = self.client.recv_reply().await;
        self.client
            .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        reply
    }

    async fn call(&mut self, id: u64, tool: &str, arguments: Value) -> Value {
        self.client
            .send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                         "params": {"name": tool, "arguments": arguments}}))
            .await;
        self.client.recv_reply().await
    }

    async fn list_tools(&mut self, id: u64) -> Vec<String> {
        self.client
            .send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}))
            .await;
        let reply = self.client.recv_reply().await;
        reply["result"]["tools"]
            .as_array()
            .unwrap_or_else(|| panic!("no tool list: {reply}"))
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn next_server(&mut self) -> Peer {
        let servers = self.servers.as_mut().unwrap();
        tokio::time::timeout(Duration::from_secs(5), servers.recv())
            .await
            .expect("the gateway opens a server within 5 s")
            .unwrap()
    }

    async fn calls(&self) -> Vec<StoredCall> {
        self.recorder.flush().await;
        let mut calls = self.store.calls(&CallQuery::default()).await.unwrap();
        calls.reverse();
        calls
    }
}

/// Plays the server's side of the legacy handshake.
async fn accept_handshake(server: &mut Peer) -> Value {
    let initialize = server.recv().await;
    assert_eq!(initialize["method"], "initialize", "{initialize}");
    server
        .send(json!({"jsonrpc": "2.0", "id": initialize["id"], "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": "scripted", "version": "1"}}}))
        .await;
    initialize
}

fn quick() -> SessionConfig {
    SessionConfig {
        restart: RestartPolicy {
            initial: Duration::from_millis(10),
            ..RestartPolicy::default()
        },
        ..SessionConfig::default()
    }
}

#[tokio::test]
async fn calls_are_relayed_and_recorded_with_the_client_name() {
    let mut h = start(on(), false, quick()).await;
    let init = h.initialize().await;
    assert_eq!(init["result"]["serverInfo"]["name"], "calc");
    let reply = h
        .call(
            1,
            "calculate",
            json!({"expression": "6*7", "api_key": "sk-123"}),
        )
        .await;
    assert_eq!(
        reply["result"]["structuredContent"]["result"], 42.0,
        "{reply}"
    );
    let failed = h.call(2, "calculate", json!({"expression": "1/0"})).await;
    assert_eq!(failed["result"]["isError"], true);

    let calls = h.calls().await;
    let methods: Vec<&str> = calls.iter().map(|c| c.record.method.as_str()).collect();
    assert_eq!(methods, ["initialize", "tools/call", "tools/call"]);
    let call = &calls[1].record;
    assert_eq!(call.client, "test-client");
    assert_eq!(
        (call.server.as_str(), call.tool.as_deref()),
        ("calc", Some("calculate"))
    );
    assert_eq!(call.status, CallStatus::Ok);
    assert!(call.request_bytes > 0 && call.response_bytes > 0 && call.duration_us > 0);
    let preview = call.args_preview.as_deref().unwrap();
    assert!(
        preview.contains("6*7") && !preview.contains("sk-123"),
        "{preview}"
    );
    assert_eq!(calls[2].record.status, CallStatus::ToolError);
}

#[tokio::test]
async fn a_switched_off_tool_is_hidden_and_refused() {
    let policy = ServerPolicy {
        disabled_tools: BTreeSet::from(["calculate".to_owned()]),
        ..on()
    };
    let mut h = start(policy, false, quick()).await;
    h.initialize().await;
    assert!(
        h.list_tools(1).await.is_empty(),
        "the only tool is switched off"
    );
    let reply = h.call(2, "calculate", json!({"expression": "1+1"})).await;
    assert_eq!(reply["result"]["isError"], true);
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("switched off in Switchboard"), "{text}");

    // Switching it back on tells the client to list again, and the tool is back.
    h.policy.send_modify(|p| p.disabled_tools.clear());
    let note = h.client.recv().await;
    assert_eq!(note["method"], "notifications/tools/list_changed");
    assert_eq!(h.list_tools(3).await, ["calculate"]);
}

#[tokio::test]
async fn switching_a_server_off_and_on_takes_effect_at_once() {
    let mut h = start(on(), false, quick()).await;
    h.initialize().await;
    assert_eq!(h.list_tools(1).await, ["calculate"]);

    h.policy.send_modify(|p| p.availability = Availability::Off);
    let mut notes = Vec::new();
    for _ in 0..3 {
        notes.push(h.client.recv().await["method"].as_str().unwrap().to_owned());
    }
    assert!(
        notes.contains(&"notifications/tools/list_changed".to_owned()),
        "{notes:?}"
    );
    assert!(
        h.list_tools(2).await.is_empty(),
        "a switched-off server lists nothing"
    );
    let reply = h.call(3, "calculate", json!({"expression": "1+1"})).await;
    assert_eq!(reply["result"]["isError"], true);
    assert!(
        reply["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("switchboard enable calc"),
        "{reply}"
    );

    h.policy.send_modify(|p| p.availability = Availability::On);
    for _ in 0..3 {
        h.client.recv().await;
    }
    let reply = h.call(4, "calculate", json!({"expression": "2+2"})).await;
    assert_eq!(
        reply["result"]["structuredContent"]["result"], 4.0,
        "{reply}"
    );
}

#[tokio::test]
async fn an_unknown_server_refuses_the_handshake_with_a_clear_error() {
    let policy = ServerPolicy {
        availability: Availability::Unknown,
        ..ServerPolicy::default()
    };
    let mut h = start(policy, false, quick()).await;
    let reply = h.initialize().await;
    let message = reply["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{reply}"));
    assert!(message.contains("no server called \"calc\""), "{message}");
    assert_eq!(*h.upstreams.opened.lock().unwrap(), 0, "nothing is started");
}

#[tokio::test]
async fn a_crash_mid_call_fails_that_call_restarts_and_replays_the_handshake() {
    let mut h = start(on(), true, quick()).await;
    let mut server = h.next_server().await;
    let client = tokio::spawn(async move {
        let init = h.initialize().await;
        (h, init)
    });
    accept_handshake(&mut server).await;
    let (mut h, init) = client.await.unwrap();
    assert_eq!(init["result"]["serverInfo"]["name"], "scripted");
    assert_eq!(server.recv().await["method"], "notifications/initialized");

    h.client
        .send(
            json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "slow"}}),
        )
        .await;
    assert_eq!(server.recv().await["id"], 5);
    drop(server); // the server dies mid-call

    let reply = h.client.recv_reply().await;
    assert_eq!(reply["id"], 5);
    let message = reply["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("stopped while handling this request"),
        "{message}"
    );

    // The restarted server gets the client's handshake again, under the gateway's own id.
    let mut server = h.next_server().await;
    let replayed = accept_handshake(&mut server).await;
    assert!(
        replayed["id"].as_str().unwrap().starts_with("switchboard-"),
        "{replayed}"
    );
    assert_eq!(replayed["params"]["clientInfo"]["name"], "test-client");
    assert_eq!(server.recv().await["method"], "notifications/initialized");

    // The next call works, and the client never saw the replayed handshake's answer.
    h.client
        .send(
            json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "slow"}}),
        )
        .await;
    let request = server.recv().await;
    assert_eq!(request["id"], 6);
    server
        .send(json!({"jsonrpc": "2.0", "id": 6, "result": {"content": [], "isError": false}}))
        .await;
    assert_eq!(h.client.recv_reply().await["id"], 6);

    let calls = h.calls().await;
    let statuses: Vec<CallStatus> = calls.iter().map(|c| c.record.status).collect();
    assert_eq!(
        statuses,
        [CallStatus::Ok, CallStatus::RpcError, CallStatus::Ok]
    );
    assert_eq!(h.runtimes.view("calc").restarts, 1);
}

#[tokio::test]
async fn a_server_that_keeps_crashing_is_given_up_on_with_an_explanation() {
    let config = SessionConfig {
        restart: RestartPolicy {
            initial: Duration::from_millis(1),
            crash_limit: 3,
            ..RestartPolicy::default()
        },
        ..SessionConfig::default()
    };
    let mut h = start(on(), true, config).await;
    for _ in 0..3 {
        drop(h.next_server().await); // dies at once, every time
    }
    let runtimes = h.runtimes.clone();
    let crashed = async {
        while runtimes.view("calc").state != ServerState::Crashed {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), crashed)
        .await
        .expect("a crash loop");
    let init = h.initialize().await;
    assert!(
        init["result"].is_object(),
        "the stand-in answers the handshake: {init}"
    );
    let reply = h.call(1, "anything", json!({})).await;
    let text = reply["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("keeps crashing"), "{text}");
    assert_eq!(h.runtimes.view("calc").state, ServerState::Crashed);
}

#[tokio::test]
async fn roots_list_is_answered_with_the_grants() {
    let policy = ServerPolicy {
        roots: vec![Root::for_path(std::path::Path::new("/home/ann/Documents"))],
        ..on()
    };
    let mut h = start(policy, true, quick()).await;
    let mut server = h.next_server().await;
    let client = tokio::spawn(async move {
        h.initialize().await;
        h
    });
    let initialize = accept_handshake(&mut server).await;
    assert_eq!(
        initialize["params"]["capabilities"]["roots"]["listChanged"], true,
        "a server with grants is told the client has roots"
    );
    let mut h = client.await.unwrap();
    server.recv().await; // notifications/initialized
    server
        .send(json!({"jsonrpc": "2.0", "id": "r1", "method": "roots/list"}))
        .await;
    let answer = server.recv().await;
    assert_eq!(answer["id"], "r1");
    assert_eq!(
        answer["result"]["roots"][0]["uri"],
        "file:///home/ann/Documents"
    );

    // A grant change is announced to the server.
    h.policy.send_modify(|p| p.roots.clear());
    assert_eq!(
        server.recv().await["method"],
        "notifications/roots/list_changed"
    );
    // And the client saw none of it.
    h.client
        .send(json!({"jsonrpc": "2.0", "id": 9, "method": "ping"}))
        .await;
    let ping = server.recv().await;
    server
        .send(json!({"jsonrpc": "2.0", "id": ping["id"], "result": {}}))
        .await;
    assert_eq!(
        h.client.recv().await["id"],
        9,
        "the next thing the client sees is its own answer"
    );
}

#[tokio::test]
async fn a_leaving_client_still_gets_its_answers_before_the_server_is_closed() {
    let mut h = start(on(), true, quick()).await;
    let mut server = h.next_server().await;
    let client = tokio::spawn(async move {
        h.initialize().await;
        h
    });
    accept_handshake(&mut server).await;
    let mut h = client.await.unwrap();
    server.recv().await;
    h.client
        .send(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "slow"}}),
        )
        .await;
    h.client.writer.shutdown().await.unwrap(); // the client is done sending
    let request = server.recv().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    server
        .send(json!({"jsonrpc": "2.0", "id": request["id"], "result": {"content": []}}))
        .await;
    assert_eq!(h.client.recv().await["id"], 1, "the answer is delivered");
    assert!(server.closed().await, "then the server's input is closed");
    assert!(h.client.closed().await);
    h.session.await.unwrap();
}

#[tokio::test]
async fn an_unanswered_probe_degrades_the_server_and_an_answer_heals_it() {
    let config = SessionConfig {
        probe_every: Duration::from_millis(50),
        probe_timeout: Duration::from_millis(100),
        ..quick()
    };
    let mut h = start(on(), true, config).await;
    let mut server = h.next_server().await;
    let client = tokio::spawn(async move {
        h.initialize().await;
        h
    });
    accept_handshake(&mut server).await;
    let h = client.await.unwrap();
    server.recv().await;
    assert_eq!(h.runtimes.view("calc").state, ServerState::Healthy);
    let probe = server.recv().await;
    assert_eq!(probe["method"], "ping");
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(h.runtimes.view("calc").state, ServerState::Degraded);
    server
        .send(json!({"jsonrpc": "2.0", "id": probe["id"], "result": {}}))
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(h.runtimes.view("calc").state, ServerState::Healthy);
}

#[tokio::test]
async fn both_protocol_eras_pass_through() {
    // A 2026-07-28 client: no initialize, per-request metadata.
    let mut h = start(on(), false, quick()).await;
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "modern-client", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    h.client
        .send(json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta}}))
        .await;
    let discover = h.client.recv_reply().await;
    assert!(discover["result"].is_object(), "{discover}");
    h.client
        .send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                     "params": {"name": "calculate", "arguments": {"expression": "2^5"}, "_meta": meta}}))
        .await;
    let reply = h.client.recv_reply().await;
    assert_eq!(
        reply["result"]["structuredContent"]["result"], 32.0,
        "{reply}"
    );
    let calls = h.calls().await;
    assert_eq!(calls.last().unwrap().record.client, "modern-client");
}

#[tokio::test]
async fn a_restart_replaces_the_server_and_replays_the_handshake_so_calls_keep_working() {
    let mut h = start(on(), true, quick()).await;
    let mut first = h.next_server().await;
    let client = tokio::spawn(async move {
        h.initialize().await;
        h
    });
    accept_handshake(&mut first).await;
    let _initialized = first.recv().await;
    let mut h = client.await.unwrap();

    // A call is in flight when the user restarts the server.
    h.client
        .send(json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                     "params": {"name": "slow", "arguments": {}}}))
        .await;
    let _call = first.recv().await;
    h.policy.send_modify(|policy| policy.generation += 1);

    let mut second = h.next_server().await;
    let replayed = accept_handshake(&mut second).await;
    assert_eq!(
        replayed["params"]["clientInfo"]["name"], "test-client",
        "the fresh server gets the client's own handshake"
    );
    assert!(
        first.closed().await,
        "the old server's connection is closed"
    );
    let failed = h.client.recv_reply().await;
    assert_eq!(failed["id"], 7, "{failed}");
    let message = failed["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("restarted") && message.contains("try again"),
        "the call in flight is told why it failed: {message}"
    );
    assert_eq!(*h.upstreams.opened.lock().unwrap(), 2, "one new server");
    assert_eq!(
        h.runtimes.view("calc").sessions.len(),
        1,
        "still one session, not a new one"
    );
}

#[tokio::test]
async fn a_handed_over_session_tells_its_bridge_the_handshake_and_only_slow_requests() {
    let (mut h, mut bridge, _left) = start_handed_over(true).await;
    let mut server = h.next_server().await;
    let client = tokio::spawn(async move {
        h.initialize().await;
        h
    });
    accept_handshake(&mut server).await;
    let mut h = client.await.unwrap();
    server.recv().await; // notifications/initialized
    assert_eq!(bridge.recv().await["method"], "initialize");
    assert_eq!(
        bridge.recv().await,
        json!({"switchboard": "answered", "id": 0})
    );
    assert_eq!(bridge.recv().await["method"], "notifications/initialized");

    // Answered at once: the bridge never hears of it.
    let quick = tokio::spawn(async move {
        let reply = h.call(1, "quick", json!({})).await;
        (h, reply)
    });
    let request = server.recv().await;
    server
        .send(json!({"jsonrpc": "2.0", "id": request["id"], "result": {"content": []}}))
        .await;
    let (mut h, reply) = quick.await.unwrap();
    assert_eq!(reply["id"], 1);

    // Unanswered for longer than the notes wait: the bridge is told, then told it is done.
    // A request that comes later and is answered sooner is never told, although it was
    // unanswered when the first one was told.
    h.client
        .send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                     "params": {"name": "slow", "arguments": {}}}))
        .await;
    let slow = server.recv().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    h.client
        .send(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                     "params": {"name": "later", "arguments": {}}}))
        .await;
    let later = server.recv().await;
    let told = bridge.recv().await;
    assert_eq!(
        (told["id"].clone(), told["params"]["name"].clone()),
        (json!(2), json!("slow"))
    );
    for request in [later, slow] {
        server
            .send(json!({"jsonrpc": "2.0", "id": request["id"], "result": {"content": []}}))
            .await;
    }
    assert_eq!(h.client.recv_reply().await["id"], 3);
    assert_eq!(h.client.recv_reply().await["id"], 2);
    assert_eq!(
        bridge.recv().await,
        json!({"switchboard": "answered", "id": 2})
    );

    // The client leaves: the bridge is told the session is over, and nothing else.
    h.client.writer.shutdown().await.unwrap();
    assert_eq!(
        bridge.recv().await,
        json!({"switchboard": "session_closed"})
    );
    assert!(h.client.closed().await);
    let tools: Vec<_> = h
        .calls()
        .await
        .into_iter()
        .filter_map(|c| c.record.tool)
        .collect();
    assert_eq!(tools, ["quick", "later", "slow"], "every call is recorded");
    h.session.await.unwrap();
}

#[tokio::test]
async fn a_handed_over_session_ends_when_its_bridge_is_gone() {
    let (mut h, _bridge, left) = start_handed_over(false).await;
    h.initialize().await;
    assert_eq!(
        h.call(1, "calculate", json!({"expression": "2*3"})).await["id"],
        1
    );
    left.cancel();
    assert!(
        h.client.closed().await,
        "the session closes the client's stdout"
    );
    tokio::time::timeout(Duration::from_secs(5), h.session)
        .await
        .expect("the session ends")
        .unwrap();
}
