//! Log lines through a real `tracing_subscriber::fmt` subscriber with the redacting
//! writer: a secret logged as a plain field, a Debug field, inside JSON, or learned after
//! the subscriber was installed, never reaches the output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly on purpose

use std::{
    io::{self, Write},
    sync::{Arc, Mutex},
};

use switchboard_secrets::{RedactingMakeWriter, Redactor, Sensitive};
use tracing_subscriber::fmt::MakeWriter;

/// Everything written, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn subscriber(redactor: &Redactor, out: &Captured) -> impl tracing::Subscriber + use<> {
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(RedactingMakeWriter::new(out.clone(), redactor.clone()))
        .finish()
}

#[test]
fn secrets_in_log_fields_are_redacted_before_writing() {
    let secret = "ghp_logged-by-mistake";
    let redactor = Redactor::with_values(&[Sensitive::from(secret)]);
    let out = Captured::default();
    tracing::subscriber::with_default(subscriber(&redactor, &out), || {
        tracing::info!(token = %secret, "plain field");
        tracing::warn!(body = ?format!(r#"{{"auth":"{secret}"}}"#), "debug field with JSON");
        tracing::error!("in the message itself: {secret}");
    });
    let text = out.text();
    assert!(!text.contains(secret), "a secret reached the log:\n{text}");
    assert_eq!(text.matches("<redacted>").count(), 3, "{text}");
    assert_eq!(text.lines().count(), 3, "one line per event:\n{text}");
}

#[test]
fn secrets_learned_after_install_are_redacted_too() {
    let redactor = Redactor::new();
    let out = Captured::default();
    tracing::subscriber::with_default(subscriber(&redactor, &out), || {
        tracing::info!("before: xoxb-not-yet-secret");
        redactor.set_source("slack", &[Sensitive::from("xoxb-not-yet-secret")]);
        tracing::info!("after: xoxb-not-yet-secret");
    });
    let text = out.text();
    assert!(text.contains("before: xoxb-not-yet-secret"), "{text}");
    assert!(text.contains("after: <redacted>"), "{text}");
}

#[test]
fn sensitive_values_print_redacted_even_without_a_redactor() {
    let out = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(out.clone())
        .finish();
    let token = Sensitive::from("never-printed-value");
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(?token, %token, "spawning");
    });
    let text = out.text();
    assert!(!text.contains("never-printed"), "{text}");
    assert!(text.contains("token=<redacted>"), "{text}");
}

#[test]
fn a_pending_line_is_not_shown_by_debug() {
    let redactor = Redactor::with_values(&[Sensitive::from("pending-secret-value")]);
    let mut writer = switchboard_secrets::RedactingWriter::new(Vec::new(), redactor);
    writer.write_all(b"token=pending-secret-value").unwrap();
    let shown = format!("{writer:?}");
    assert!(!shown.contains("pending-secret"), "{shown}");
}
