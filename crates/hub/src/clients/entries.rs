//! What entry a client's file gets for a server: the bridge (`switchboard connect <id>`),
//! or, for the clients that take URL entries (Cursor, VS Code, Claude Code, Windsurf) and
//! when the user's `clients.<client>.entry` setting says so, the daemon's HTTP endpoint
//! `http://<http.bind>:<http.port>/servers/<id>/mcp` with an `Authorization` header.
//!
//! The header either names the `SWITCHBOARD_HTTP_TOKEN` environment variable in the
//! client's own syntax (`url`: the file holds no secret; the client must see the variable)
//! or holds the token itself (`url-with-token`: for clients started where no variable can
//! be set; the file then holds a secret, so these entries are rewritten when the token is
//! rotated and the token stays taught to the redactor). Changing the setting, the
//! endpoint's address or the token rewrites Switchboard's entries in the files concerned.
//!
//! Owns: choosing the entry, and refreshing written entries when what they say changes.
//! Must not: log, return in an error or print an entry's header value.

use switchboard_clients::{ClientSpec, Entry, Operation, Secret};

use super::{ClientTarget, clients_error};
use crate::{
    control::{ControlError, ErrorCode},
    hub::Hub,
    settings,
};

/// The environment variable a `url` entry's header names.
pub(crate) const TOKEN_VARIABLE: &str = "SWITCHBOARD_HTTP_TOKEN";

/// The entry forms of a `clients.<client>.entry` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryForm {
    Bridge,
    Url,
    UrlWithToken,
}

impl EntryForm {
    fn parse(value: &serde_json::Value) -> Self {
        match value.as_str() {
            Some(settings::ENTRY_URL) => Self::Url,
            Some(settings::ENTRY_URL_WITH_TOKEN) => Self::UrlWithToken,
            _ => Self::Bridge,
        }
    }
}

impl Hub {
    /// The entry `client`'s files get for server `id`, as the user's settings say.
    pub(super) async fn client_entry(
        &self,
        client: &ClientSpec,
        id: &str,
    ) -> Result<Entry, ControlError> {
        match self.entry_form(client).await? {
            EntryForm::Bridge => self.bridge(id),
            EntryForm::Url => {
                let url = self.server_url(client, id).await?;
                Entry::http_with_bearer_from_env(client, url, TOKEN_VARIABLE)
                    .map_err(|e| clients_error(&e))
            }
            EntryForm::UrlWithToken => {
                let url = self.server_url(client, id).await?;
                self.ensure_http_token().await?;
                let token = self.http_token().ok_or_else(|| {
                    ControlError::new(
                        ErrorCode::Unavailable,
                        "the HTTP endpoint's token could not be read from the keychain",
                    )
                })?;
                if !client.accepts_urls() {
                    return Err(clients_error(
                        &switchboard_clients::ClientsError::UrlNotSupported { client: client.id },
                    ));
                }
                Ok(Entry::http_with_bearer(url, &Secret::new(token.expose())))
            }
        }
    }

    async fn entry_form(&self, client: &ClientSpec) -> Result<EntryForm, ControlError> {
        let Some(key) = settings::client_entry_key(client.id) else {
            return Ok(EntryForm::Bridge);
        };
        Ok(self
            .settings()
            .await?
            .iter()
            .find(|setting| setting.key == key)
            .map_or(EntryForm::Bridge, |setting| {
                EntryForm::parse(&setting.value)
            }))
    }

    /// The endpoint's URL for server `id`, when URL entries can point at it.
    async fn server_url(&self, client: &ClientSpec, id: &str) -> Result<String, ControlError> {
        let http = self.http_settings().await?;
        let key = settings::client_entry_key(client.id).unwrap_or("clients.<client>.entry");
        if !http.enabled {
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{key} asks for URL entries, but the HTTP endpoint is off; turn it on with \
                     `switchboard http enable`, or set {key} back to bridge"
                ),
            ));
        }
        if http.port == 0 {
            return Err(ControlError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{key} asks for URL entries, but http.port is 0 (a new port at each \
                     start), so no URL would last; set a fixed one with `switchboard settings \
                     http.port 8931`"
                ),
            ));
        }
        Ok(entry_url(http.bind, http.port, id))
    }

    /// Checks that `value` for the setting `key` can be acted on now, before it is stored.
    pub(crate) async fn check_client_entry_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<(), ControlError> {
        if !settings::is_client_entry_key(key) || EntryForm::parse(value) == EntryForm::Bridge {
            return Ok(());
        }
        let client = key
            .strip_prefix("clients.")
            .and_then(|rest| rest.strip_suffix(".entry"))
            .and_then(switchboard_clients::client)
            .ok_or_else(|| ControlError::new(ErrorCode::InvalidInput, "unknown client"))?;
        self.server_url(client, "check").await.map(drop)
    }

    /// Rewrites Switchboard's entries in every managed file of the clients whose entries
    /// depend on what changed (`clients` by id; every client taking URL entries when
    /// `None`), so that they say what the settings and the token say now. A file that
    /// cannot be rewritten is logged and left as it is.
    pub(crate) async fn refresh_client_entries(&self, clients: Option<&[&str]>) {
        let _edits = self.client_files().edits.lock().await;
        let (files, installed) = match (
            self.store().managed_client_files().await,
            self.installed_ids().await,
        ) {
            (Ok(files), Ok(installed)) => (files, installed),
            (Err(error), _) => {
                tracing::warn!(%error, "could not list the client files to refresh");
                return;
            }
            (_, Err(error)) => {
                tracing::warn!(error = %error.message, "could not list the installed servers");
                return;
            }
        };
        for managed in files {
            let concerned = match clients {
                Some(ids) => ids.contains(&managed.file.client.as_str()),
                None => settings::client_entry_key(&managed.file.client).is_some(),
            };
            if !concerned {
                continue;
            }
            let Ok((config, file)) = self.resolve(&ClientTarget::of_file(&managed.file)) else {
                continue;
            };
            let spec = config.client();
            let mut operations = Vec::new();
            let mut failed = None;
            for server in managed.names().values() {
                if !installed.contains(server) {
                    continue;
                }
                match self.client_entry(spec, server).await {
                    Ok(entry) => operations.push(Operation::Put {
                        server: server.clone(),
                        entry,
                    }),
                    Err(error) => {
                        failed = Some(error);
                        break;
                    }
                }
            }
            if let Some(error) = failed {
                tracing::warn!(client = spec.id, path = %file.path.display(), error = %error.message, "Switchboard's entries in this client file were left as they are");
                continue;
            }
            let current = match self.store().managed_client_entries(&file).await {
                Ok(current) => current,
                Err(error) => {
                    tracing::warn!(error = %error, "could not read a client file's entries");
                    continue;
                }
            };
            match self.apply(config, &file, current, operations).await {
                Ok(Ok(report)) if report.written => {
                    tracing::info!(client = spec.id, path = %report.path.display(), "rewrote Switchboard's entries to follow the settings");
                }
                Ok(Ok(_)) => {}
                Ok(Err(error)) => {
                    tracing::warn!(client = spec.id, %error, "could not rewrite Switchboard's entries in a client file");
                }
                Err(error) => {
                    tracing::warn!(error = %error.message, "could not record a client file's entries");
                }
            }
        }
    }
}

/// The endpoint's URL for server `id`: an unspecified bind address (all interfaces) is
/// reached through loopback of the same family.
fn entry_url(bind: std::net::IpAddr, port: u16, id: &str) -> String {
    let host = match bind {
        std::net::IpAddr::V4(v4) if v4.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(v6) if v6.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        other => other,
    };
    format!(
        "http://{}/servers/{id}/mcp",
        std::net::SocketAddr::new(host, port)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_urls_reach_the_endpoint_through_loopback_when_it_listens_everywhere() {
        let url = |bind: &str| entry_url(bind.parse().unwrap(), 8931, "calc");
        assert_eq!(url("127.0.0.1"), "http://127.0.0.1:8931/servers/calc/mcp");
        assert_eq!(url("0.0.0.0"), "http://127.0.0.1:8931/servers/calc/mcp");
        assert_eq!(url("::"), "http://[::1]:8931/servers/calc/mcp");
        assert_eq!(
            url("192.168.1.20"),
            "http://192.168.1.20:8931/servers/calc/mcp"
        );
    }

    #[test]
    fn unknown_entry_forms_read_as_the_bridge() {
        use serde_json::Value;
        assert_eq!(EntryForm::parse(&Value::from("url")), EntryForm::Url);
        assert_eq!(
            EntryForm::parse(&Value::from("url-with-token")),
            EntryForm::UrlWithToken
        );
        assert_eq!(EntryForm::parse(&Value::from("bridge")), EntryForm::Bridge);
        assert_eq!(EntryForm::parse(&Value::Null), EntryForm::Bridge);
    }
}
