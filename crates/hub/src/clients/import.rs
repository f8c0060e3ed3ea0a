//! Import: the servers a user configured by hand in a client's file become Switchboard
//! servers, their secret-looking values move into the keychain, and each entry is replaced
//! by Switchboard's bridge entry.
//!
//! Owns: the rule that turns one hand-made entry into a server or says why it stays (pure,
//! tested here), and the import's steps with their undoing (keychain, registry, file).
//! Must not: keep a secret value anywhere but the keychain, or print one.

use std::collections::BTreeMap;

use switchboard_clients::{self as clients, ClientSpec, ImportedLaunch, ImportedServer, Operation};
use switchboard_secrets::{Keychain, SecretName, Sensitive};
use switchboard_store::{Launch, Source};

use super::{ClientTarget, ImportReport, ImportedEntry, SkippedEntry, blocking, clients_error};
use crate::{
    control::{ControlError, ErrorCode},
    hub::Hub,
};

impl Hub {
    /// Imports every hand-made entry of a client's file: each becomes a server (the same
    /// command, arguments and plain environment; values that look like secrets go into
    /// the keychain and their names into the server's secrets), and its entry in the file
    /// is replaced by Switchboard's bridge entry. Nothing changes when the keychain is
    /// needed and unavailable, or when the file cannot be written.
    #[tracing::instrument(skip(self), err)]
    pub async fn import_client(&self, target: &ClientTarget) -> Result<ImportReport, ControlError> {
        let (config, file) = self.resolve(target)?;
        let spec = config.client();
        let _edits = self.client_files().edits.lock().await;
        let managed = self.store().managed_client_entries(&file).await?;
        let found = {
            let config = config.clone();
            let managed = managed.clone();
            blocking(move || config.import(&managed))
                .await?
                .map_err(|e| clients_error(&e))?
        };
        let mut report = ImportReport {
            client: spec.id.to_owned(),
            client_name: spec.display_name.to_owned(),
            path: config.path().to_owned(),
            imported: Vec::new(),
            skipped: Vec::new(),
            file: None,
            warnings: Vec::new(),
        };
        let mut installed: BTreeMap<String, Launch> = self
            .store()
            .servers()
            .await?
            .into_iter()
            .map(|record| (record.id.to_string(), record.launch))
            .collect();
        let mut plans = Vec::new();
        for server in found {
            match plan_import(&server, &installed) {
                Ok(plan) => {
                    if !plan.existing {
                        // Later entries must not take the same new id.
                        installed.insert(plan.id.clone(), plan.launch.clone());
                    }
                    report.warnings.extend(plan.notes.iter().cloned());
                    plans.push(plan);
                }
                Err(reason) => report.skipped.push(SkippedEntry {
                    name: server.name,
                    reason,
                }),
            }
        }
        if plans.is_empty() {
            return Ok(report);
        }

        let needs_keychain = plans.iter().any(|plan| !plan.secret_values.is_empty());
        let keychain = if needs_keychain {
            Some(self.usable_keychain().await?)
        } else {
            None
        };

        // Secrets first, then the registry, then the file; each step undone if a later
        // one fails, so a failed import leaves nothing behind.
        let mut stored_secrets: Vec<(String, String)> = Vec::new();
        let mut registered: Vec<String> = Vec::new();
        let outcome = self
            .import_plans(
                &mut plans,
                keychain.as_ref(),
                &mut stored_secrets,
                &mut registered,
                spec,
            )
            .await;
        let adopted = match outcome {
            Ok(()) => {
                let mut operations = Vec::with_capacity(plans.len());
                for plan in &plans {
                    operations.push(Operation::Adopt {
                        name: plan.name.clone(),
                        server: plan.id.clone(),
                        entry: self.client_entry(spec, &plan.id).await?,
                    });
                }
                self.apply(config.clone(), &file, managed, operations).await
            }
            Err(error) => Err(error),
        };
        let file_report = match adopted {
            Ok(Ok(file_report)) => file_report,
            Ok(Err(error)) => {
                self.undo_import(keychain.as_ref(), &stored_secrets, &registered)
                    .await;
                return Err(clients_error(&error));
            }
            Err(error) => {
                self.undo_import(keychain.as_ref(), &stored_secrets, &registered)
                    .await;
                return Err(error);
            }
        };
        if needs_keychain {
            let backups = {
                let config = config.clone();
                blocking(move || config.backups())
                    .await?
                    .unwrap_or_default()
            };
            if !backups.is_empty() {
                report.warnings.push(format!(
                    "Switchboard's backups of {} still hold the secret values that were in \
                     it: {}. Delete them once you have checked that the import works.",
                    report.path.display(),
                    backups
                        .iter()
                        .map(|b| b.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        report.imported = plans
            .iter()
            .map(|plan| ImportedEntry {
                name: plan.name.clone(),
                server: plan.id.clone(),
                existing: plan.existing,
                secrets: plan.secret_names.clone(),
            })
            .collect();
        report.file = Some(file_report);
        for plan in plans
            .iter()
            .filter(|plan| !plan.existing && !plan.secret_names.is_empty())
        {
            // The redactor learns the values, so that they are scrubbed from logs.
            self.learn_secrets(&plan.id).await;
        }
        self.rewatch().await;
        tracing::info!(
            client = spec.id,
            imported = report.imported.len(),
            skipped = report.skipped.len(),
            "imported a client's servers"
        );
        Ok(report)
    }

    async fn import_plans(
        &self,
        plans: &mut [ImportPlan],
        keychain: Option<&Keychain>,
        stored_secrets: &mut Vec<(String, String)>,
        registered: &mut Vec<String>,
        spec: &ClientSpec,
    ) -> Result<(), ControlError> {
        for plan in plans.iter_mut() {
            if plan.existing {
                continue;
            }
            let values = std::mem::take(&mut plan.secret_values);
            for (name, value) in values {
                let keychain = keychain
                    .ok_or_else(|| {
                        ControlError::new(ErrorCode::Unavailable, "the keychain was not opened")
                    })?
                    .clone();
                let (server, key) = (plan.id.clone(), name.clone());
                blocking(move || keychain.set(&server, &key, &value))
                    .await?
                    .map_err(|error| {
                        ControlError::new(
                            ErrorCode::Unavailable,
                            format!(
                                "nothing was imported: {name} for {} could not be stored in \
                                 the keychain ({error})",
                                plan.id
                            ),
                        )
                    })?;
                stored_secrets.push((plan.id.clone(), name));
            }
            self.add_server(
                &plan.id,
                Some(format!("{} (from {})", plan.name, spec.display_name)),
                plan.launch.clone(),
            )
            .await?;
            registered.push(plan.id.clone());
        }
        Ok(())
    }

    async fn undo_import(
        &self,
        keychain: Option<&Keychain>,
        stored_secrets: &[(String, String)],
        registered: &[String],
    ) {
        // A registered server's secrets leave the keychain with it.
        for id in registered {
            if let Err(error) = self.forget_server(id).await {
                tracing::warn!(server = %id, %error, "could not undo a server's import");
            }
        }
        if let Some(keychain) = keychain {
            let keychain = keychain.clone();
            let stored: Vec<(String, String)> = stored_secrets
                .iter()
                .filter(|(server, _)| !registered.contains(server))
                .cloned()
                .collect();
            let undone = blocking(move || {
                for (server, name) in &stored {
                    match keychain.delete(server, name) {
                        Ok(()) | Err(switchboard_secrets::SecretsError::NotFound { .. }) => {}
                        Err(error) => {
                            tracing::warn!(%server, %name, %error, "could not undo a secret's import");
                        }
                    }
                }
            })
            .await;
            if let Err(error) = undone {
                tracing::warn!(%error, "could not undo the import's secrets");
            }
        }
    }

    /// The keychain, checked reachable and unlocked; else why import cannot go on.
    async fn usable_keychain(&self) -> Result<Keychain, ControlError> {
        let unavailable = |why: String| {
            ControlError::new(
                ErrorCode::Unavailable,
                format!(
                    "nothing was imported: some entries hold secrets, which Switchboard keeps \
                     only in the keychain, and the keychain is not usable: {why}"
                ),
            )
        };
        let keychain = self
            .keychain()
            .map_err(|error| unavailable(error.to_string()))?;
        let checked = keychain.clone();
        blocking(move || checked.check())
            .await?
            .map_err(|error| unavailable(error.to_string()))?;
        Ok(keychain)
    }
}

/// What importing one hand-made entry does.
#[derive(Debug)]
struct ImportPlan {
    /// The entry's name in the file.
    name: String,
    /// The server it becomes.
    id: String,
    /// The server is installed already with this very launch.
    existing: bool,
    launch: Launch,
    /// The names of the values that go into the keychain.
    secret_names: Vec<String>,
    /// Those values, taken out when they are stored (none for an existing server).
    secret_values: Vec<(String, Sensitive<String>)>,
    notes: Vec<String>,
}

/// How many numbered ids are tried for an imported server whose id is taken.
const IMPORT_ID_TRIES: usize = 20;

/// The rule for one hand-made entry: the server it becomes, or why it stays as it is.
/// Pure: `installed` is every installed server's launch by id.
fn plan_import(
    server: &ImportedServer,
    installed: &BTreeMap<String, Launch>,
) -> Result<ImportPlan, String> {
    if server.managed {
        return Err("it is Switchboard's own entry already".to_owned());
    }
    let (command, args, env, secret_env, cwd) = match &server.launch {
        ImportedLaunch::Stdio {
            command,
            args,
            env,
            secret_env,
            cwd,
        } => (command, args, env, secret_env, cwd),
        ImportedLaunch::Http { .. } => {
            return Err(
                "it is a URL (remote) server, which this version of Switchboard cannot run \
                 yet; it was left in the file as it is"
                    .to_owned(),
            );
        }
        ImportedLaunch::Unrecognized => {
            return Err("it has neither a command nor a URL".to_owned());
        }
    };
    if let Some(secret) = server.secret_args.first() {
        return Err(format!(
            "its argument {} looks like a secret ({}); Switchboard keeps secrets only in the \
             keychain, never in its database, so the entry was left as it is: pass the value \
             in an environment variable of the entry instead and import again",
            secret.index + 1,
            reason_words(secret.reason)
        ));
    }
    for name in secret_env.keys() {
        if name.parse::<SecretName>().is_err() {
            return Err(format!(
                "its variable {name} looks like a secret, but only names of capital letters, \
                 digits and '_' can be kept in the keychain; rename it and import again"
            ));
        }
    }
    let launch = Launch {
        source: Source::Command {
            command: command.clone(),
            args: args.clone(),
        },
        env: env.clone(),
        secrets: secret_env.keys().cloned().collect(),
    };
    let mut notes = Vec::new();
    if cwd.is_some() {
        notes.push(format!(
            "{}: its working folder (cwd) is not kept; Switchboard starts the server in its \
             own folder, so use absolute paths in its arguments",
            server.name
        ));
    }
    if !server.other_keys.is_empty() {
        notes.push(format!(
            "{}: the client's own settings for it ({}) stay in the entry",
            server.name,
            server.other_keys.join(", ")
        ));
    }
    let (id, existing) = choose_id(&server.suggested_id, &launch, installed)?;
    Ok(ImportPlan {
        name: server.name.clone(),
        id,
        existing,
        secret_names: secret_env.keys().cloned().collect(),
        secret_values: if existing {
            Vec::new()
        } else {
            secret_env
                .iter()
                .map(|(name, (value, _))| (name.clone(), Sensitive::new(value.expose().to_owned())))
                .collect()
        },
        launch,
        notes,
    })
}

/// The id an imported server gets: its suggested id when free, the installed server of
/// that id when it runs the very same thing without secrets (so importing the same entry
/// from two clients makes one server), else the first free `<id>-2`, `<id>-3`, …
fn choose_id(
    suggested: &str,
    launch: &Launch,
    installed: &BTreeMap<String, Launch>,
) -> Result<(String, bool), String> {
    match installed.get(suggested) {
        None => return Ok((suggested.to_owned(), false)),
        Some(existing) if existing == launch && launch.secrets.is_empty() => {
            return Ok((suggested.to_owned(), true));
        }
        Some(_) => {}
    }
    for n in 2..=IMPORT_ID_TRIES {
        let suffix = format!("-{n}");
        let keep = (64 - suffix.len()).min(suggested.len());
        let id = format!("{}{suffix}", &suggested[..keep]);
        if !installed.contains_key(&id) {
            return Ok((id, false));
        }
    }
    Err(format!(
        "Switchboard has servers called {suggested} and {suggested}-2 to -{IMPORT_ID_TRIES} \
         already; remove some and import again"
    ))
}

/// Why a value was taken for a secret, in words.
fn reason_words(reason: clients::SecretReason) -> &'static str {
    match reason {
        clients::SecretReason::Name => "its name says so",
        clients::SecretReason::KnownShape => "it has the shape of a known kind of credential",
        clients::SecretReason::HighEntropy => "it is a long random-looking string",
    }
}

#[cfg(test)]
mod tests {
    use switchboard_clients::{Secret, SecretArgument, SecretReason};

    use super::*;

    fn stdio(name: &str, env: &[(&str, &str)], secret_env: &[(&str, &str)]) -> ImportedServer {
        ImportedServer {
            name: name.to_owned(),
            suggested_id: clients::sanitize_name(name),
            managed: false,
            launch: ImportedLaunch::Stdio {
                command: "npx".to_owned(),
                args: vec!["-y".to_owned(), "@example/server".to_owned()],
                env: env
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                secret_env: secret_env
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (Secret::new(*v), SecretReason::Name)))
                    .collect(),
                cwd: None,
            },
            secret_args: Vec::new(),
            other_keys: Vec::new(),
        }
    }

    #[test]
    fn an_imported_entry_keeps_plain_values_and_names_its_secrets() {
        let server = stdio(
            "github",
            &[("GITHUB_HOST", "github.com")],
            &[("GITHUB_TOKEN", "ghp_x")],
        );
        let plan = plan_import(&server, &BTreeMap::new()).unwrap();
        assert_eq!(plan.id, "github");
        assert!(!plan.existing);
        assert_eq!(
            plan.launch.source,
            Source::Command {
                command: "npx".into(),
                args: vec!["-y".into(), "@example/server".into()]
            }
        );
        assert_eq!(plan.launch.env.len(), 1, "plain values stay in the launch");
        assert_eq!(
            plan.launch.secrets,
            ["GITHUB_TOKEN"],
            "secrets by name only"
        );
        assert_eq!(
            plan.secret_values.len(),
            1,
            "the value goes to the keychain"
        );
        assert!(
            !serde_json::to_string(&plan.launch)
                .unwrap()
                .contains("ghp_x"),
            "no value in what the store keeps"
        );
    }

    #[test]
    fn imports_leave_what_they_cannot_keep_safely_with_the_reason() {
        let mut url = stdio("remote", &[], &[]);
        url.launch = ImportedLaunch::Http {
            url: "https://example.invalid/mcp".into(),
            headers: BTreeMap::new(),
            secret_headers: BTreeMap::new(),
            secret_in_url: false,
        };
        let reason = plan_import(&url, &BTreeMap::new()).unwrap_err();
        assert!(reason.contains("cannot run"), "{reason}");

        let mut argument = stdio("db", &[], &[]);
        argument.secret_args = vec![SecretArgument {
            index: 1,
            reason: SecretReason::KnownShape,
        }];
        let reason = plan_import(&argument, &BTreeMap::new()).unwrap_err();
        assert!(
            reason.contains("argument 2") && reason.contains("environment variable"),
            "{reason}"
        );

        let lower = stdio("api", &[], &[("api-key", "v")]);
        let reason = plan_import(&lower, &BTreeMap::new()).unwrap_err();
        assert!(reason.contains("api-key"), "{reason}");

        let mut own = stdio("clock", &[], &[]);
        own.managed = true;
        assert!(plan_import(&own, &BTreeMap::new()).is_err());
        let mut nothing = stdio("odd", &[], &[]);
        nothing.launch = ImportedLaunch::Unrecognized;
        assert!(plan_import(&nothing, &BTreeMap::new()).is_err());
    }

    #[test]
    fn an_imported_id_reuses_the_same_server_and_otherwise_gets_a_number() {
        let plain = Launch::new(Source::Command {
            command: "uvx".into(),
            args: vec!["mcp-server-time".into()],
        });
        let other = Launch::new(Source::Builtin {
            name: "clock".into(),
        });
        let none = BTreeMap::new();
        assert_eq!(choose_id("time", &plain, &none), Ok(("time".into(), false)));
        let same = BTreeMap::from([("time".to_owned(), plain.clone())]);
        assert_eq!(
            choose_id("time", &plain, &same),
            Ok(("time".into(), true)),
            "the same entry in two clients makes one server"
        );
        let taken = BTreeMap::from([
            ("time".to_owned(), other.clone()),
            ("time-2".to_owned(), other.clone()),
        ]);
        assert_eq!(
            choose_id("time", &plain, &taken),
            Ok(("time-3".into(), false))
        );
        let with_secret = Launch {
            secrets: vec!["TOKEN".into()],
            ..plain.clone()
        };
        let same_with_secret = BTreeMap::from([("time".to_owned(), with_secret.clone())]);
        assert_eq!(
            choose_id("time", &with_secret, &same_with_secret),
            Ok(("time-2".into(), false)),
            "an existing server's secrets are never replaced by an import"
        );
        let long = "x".repeat(64);
        let taken = BTreeMap::from([(long.clone(), other)]);
        let (id, _) = choose_id(&long, &plain, &taken).unwrap();
        assert_eq!(id.len(), 64, "numbered ids stay within 64 characters");
        assert!(id.ends_with("-2"));
    }

    proptest::proptest! {
        #[test]
        fn imported_ids_are_valid_and_never_take_another_servers_id(
            suggested in "[a-zA-Z0-9_-]{1,64}",
            taken in proptest::collection::btree_set(0usize..25, 0..25),
        ) {
            let plain = Launch::new(Source::Command { command: "x".into(), args: Vec::new() });
            let other = Launch::new(Source::Builtin { name: "clock".into() });
            let installed: BTreeMap<String, Launch> = taken
                .iter()
                .map(|n| {
                    let id = if *n < 2 { suggested.clone() } else {
                        let suffix = format!("-{n}");
                        let keep = (64 - suffix.len()).min(suggested.len());
                        format!("{}{suffix}", &suggested[..keep])
                    };
                    (id, other.clone())
                })
                .collect();
            if let Ok((id, existing)) = choose_id(&suggested, &plain, &installed) {
                proptest::prop_assert!(clients::is_valid_name(&id), "{id}");
                proptest::prop_assert!(!existing, "a different launch is never reused");
                proptest::prop_assert!(!installed.contains_key(&id), "{id} is taken");
            }
        }

    }
}
