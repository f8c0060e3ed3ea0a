//! Where a client's file is for a scope, and whether the client is installed: resolves a
//! [`ClientSpec`]'s locations against an [`Environment`] into a [`ConfigTarget`].
//!
//! Owns: candidate choice (a pure rule over "does this path exist") and detection. Must
//! not: read or write config files (that is `config_file`).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{
    ClientsError,
    document::PathKey,
    edit::Layout,
    environment::{Environment, Os},
    spec::{ClientSpec, KeySegment, Location, PathTemplate, ScopeKind},
};

/// Which of a client's files, with the project folder where the scope needs one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "project", rename_all = "kebab-case")]
pub enum Scope {
    User,
    Project(PathBuf),
    Local(PathBuf),
}

impl Scope {
    pub fn kind(&self) -> ScopeKind {
        match self {
            Self::User => ScopeKind::User,
            Self::Project(_) => ScopeKind::Project,
            Self::Local(_) => ScopeKind::Local,
        }
    }

    fn project(&self) -> Option<&Path> {
        match self {
            Self::User => None,
            Self::Project(path) | Self::Local(path) => Some(path),
        }
    }
}

/// One client config file resolved for this user: which client, which scope, the file,
/// and where its servers map is inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigTarget {
    pub(crate) spec: &'static ClientSpec,
    pub(crate) scope: Scope,
    pub(crate) path: PathBuf,
    pub(crate) servers_path: Vec<PathKey>,
}

impl ConfigTarget {
    /// The client.
    pub fn client(&self) -> &'static ClientSpec {
        self.spec
    }

    /// The scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The config file (it may not exist yet).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The key path of the servers map, e.g. `["projects", "/home/ada/app", "mcpServers"]`.
    pub fn servers_path(&self) -> Vec<&str> {
        self.servers_path.iter().map(|k| k.key.as_str()).collect()
    }

    pub(crate) fn layout(&self) -> Layout {
        Layout {
            format: self.spec.format,
            path: self.servers_path.clone(),
            shape: self.spec.entry,
            client: self.spec.display_name,
        }
    }
}

impl ClientSpec {
    /// This client's file for `scope` in `env`: the first candidate location that shows
    /// any sign of life (its file or an installed marker exists), else the first one.
    pub fn target(
        &'static self,
        scope: &Scope,
        env: &Environment,
    ) -> Result<ConfigTarget, ClientsError> {
        self.target_with(scope, env, &|path: &Path| path.exists())
    }

    /// [`ClientSpec::target`] with the existence check given, so the rule is testable
    /// without files.
    pub(crate) fn target_with(
        &'static self,
        scope: &Scope,
        env: &Environment,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Result<ConfigTarget, ClientsError> {
        let project = scope.project();
        if let Some(project) = project
            && !project.is_absolute()
        {
            return Err(ClientsError::RelativeProject(project.to_path_buf()));
        }
        let candidates: Vec<&Location> = self.locations_for(scope.kind(), env.os()).collect();
        let no_scope = || ClientsError::NoSuchScope {
            client: self.display_name,
            scope: scope.kind().display_name(),
            os: env.os().display_name(),
        };
        let resolved: Vec<(&Location, PathBuf, bool)> = candidates
            .iter()
            .filter_map(|location| {
                let file = resolve(&location.file, env, project)?;
                let alive = exists(&file)
                    || location
                        .installed_markers
                        .iter()
                        .filter_map(|marker| resolve(marker, env, project))
                        .any(|marker| exists(&marker));
                Some((*location, file, alive))
            })
            .collect();
        let (location, path, _) = resolved
            .iter()
            .find(|(_, _, alive)| *alive)
            .or_else(|| resolved.first())
            .ok_or_else(no_scope)?;
        let servers_path = location
            .servers_path
            .iter()
            .filter_map(|segment| match segment {
                KeySegment::Key(key) => Some(PathKey::exact(*key)),
                KeySegment::ProjectPath => project.map(|p| PathKey {
                    key: project_key(p, env.os()),
                    fold_case: env.os() == Os::Windows,
                }),
            })
            .collect();
        Ok(ConfigTarget {
            spec: self,
            scope: scope.clone(),
            path: path.clone(),
            servers_path,
        })
    }
}

/// A project folder as clients record it in keys: forward slashes on every OS.
fn project_key(project: &Path, os: Os) -> String {
    let text = project.to_string_lossy();
    match os {
        Os::Windows => text.replace('\\', "/"),
        _ => text.into_owned(),
    }
}

fn resolve(template: &PathTemplate, env: &Environment, project: Option<&Path>) -> Option<PathBuf> {
    let mut path = env.base(template.base, project)?;
    for part in template.rel {
        path.push(part);
    }
    Some(path)
}

/// Whether a client is installed for this user and where its user-wide file is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detection {
    /// The client id, e.g. `"cursor"`.
    pub client: &'static str,
    pub display_name: &'static str,
    /// Its config folder, a known install folder or its file exists.
    pub installed: bool,
    /// Where its user-wide config file is or would be.
    pub path: PathBuf,
    pub file_exists: bool,
}

/// Every known client's user-wide file in `env`, installed or not, in table order.
pub fn detect(env: &Environment) -> Vec<Detection> {
    detect_with(env, &|path: &Path| path.exists())
}

pub(crate) fn detect_with(env: &Environment, exists: &dyn Fn(&Path) -> bool) -> Vec<Detection> {
    crate::clients::all()
        .iter()
        .filter_map(|spec| {
            let target = spec.target_with(&Scope::User, env, exists).ok()?;
            let file_exists = exists(&target.path);
            let installed = file_exists
                || spec
                    .locations_for(ScopeKind::User, env.os())
                    .flat_map(|location| location.installed_markers.iter())
                    .filter_map(|marker| resolve(marker, env, None))
                    .any(|marker| exists(&marker));
            Some(Detection {
                client: spec.id,
                display_name: spec.display_name,
                installed,
                path: target.path,
                file_exists,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::clients;

    fn fake(paths: &[&str]) -> impl Fn(&Path) -> bool {
        let set: HashSet<PathBuf> = paths.iter().map(PathBuf::from).collect();
        move |path: &Path| set.contains(path)
    }

    fn claude_desktop() -> &'static ClientSpec {
        clients::get("claude-desktop").unwrap()
    }

    #[test]
    fn windows_store_install_wins_over_a_stale_classic_file() {
        let env = Environment::new(Os::Windows, "/u");
        let exists = fake(&[
            "/u/AppData/Roaming/Claude/claude_desktop_config.json",
            "/u/AppData/Local/Packages/Claude_pzs8sxrjxfjjc",
        ]);
        let target = claude_desktop()
            .target_with(&Scope::User, &env, &exists)
            .unwrap();
        assert_eq!(
            target.path,
            Path::new(
                "/u/AppData/Local/Packages/Claude_pzs8sxrjxfjjc/LocalCache/Roaming/Claude/claude_desktop_config.json"
            ),
            "the MSIX app reads only its virtualised copy"
        );
    }

    #[test]
    fn classic_windows_install_uses_appdata() {
        let env = Environment::new(Os::Windows, "/u").with_app_data("/roaming");
        let exists = fake(&["/roaming/Claude"]);
        let target = claude_desktop()
            .target_with(&Scope::User, &env, &exists)
            .unwrap();
        assert_eq!(
            target.path,
            Path::new("/roaming/Claude/claude_desktop_config.json")
        );
    }

    #[test]
    fn nothing_installed_gives_the_first_candidate() {
        let env = Environment::new(Os::Windows, "/u");
        let target = claude_desktop()
            .target_with(&Scope::User, &env, &fake(&[]))
            .unwrap();
        assert!(
            target.path.starts_with("/u/AppData/Local/Packages"),
            "{:?}",
            target.path
        );
    }

    #[test]
    fn linux_follows_xdg_config_home() {
        let env = Environment::new(Os::Linux, "/home/ada").with_xdg_config_home("/xdg");
        let target = claude_desktop()
            .target_with(&Scope::User, &env, &fake(&[]))
            .unwrap();
        assert_eq!(
            target.path,
            Path::new("/xdg/Claude/claude_desktop_config.json")
        );
    }

    #[test]
    fn claude_code_local_scope_keys_projects_with_forward_slashes_on_windows() {
        let env = Environment::new(Os::Windows, "C:\\Users\\ada");
        let spec = clients::get("claude-code").unwrap();
        let target = spec
            .target_with(&Scope::Local(PathBuf::from("/work/app")), &env, &fake(&[]))
            .unwrap();
        assert_eq!(
            target.servers_path(),
            ["projects", "/work/app", "mcpServers"]
        );
        assert!(
            target.servers_path[1].fold_case,
            "drive letters may differ in case"
        );
        assert_eq!(
            project_key(Path::new("C:\\work\\app"), Os::Windows),
            "C:/work/app"
        );
    }

    #[test]
    fn claude_code_honours_claude_config_dir() {
        let env = Environment::new(Os::Linux, "/home/ada").with_claude_config_dir("/cfg/claude");
        let spec = clients::get("claude-code").unwrap();
        let target = spec.target_with(&Scope::User, &env, &fake(&[])).unwrap();
        assert_eq!(target.path, Path::new("/cfg/claude/.claude.json"));
    }

    #[test]
    fn project_scopes_need_an_absolute_folder() {
        let env = Environment::new(Os::Linux, "/home/ada");
        let spec = clients::get("cursor").unwrap();
        let error = spec
            .target_with(&Scope::Project(PathBuf::from("app")), &env, &fake(&[]))
            .unwrap_err();
        assert!(matches!(error, ClientsError::RelativeProject(_)), "{error}");
        let target = spec
            .target_with(&Scope::Project(PathBuf::from("/src/app")), &env, &fake(&[]))
            .unwrap();
        assert_eq!(target.path, Path::new("/src/app/.cursor/mcp.json"));
    }

    #[test]
    fn clients_without_a_scope_say_so() {
        let env = Environment::new(Os::Linux, "/home/ada");
        let error = claude_desktop()
            .target_with(&Scope::Project(PathBuf::from("/src/app")), &env, &fake(&[]))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Claude Desktop has no project configuration file on Linux"
        );
    }

    #[test]
    fn detection_reports_installed_clients_and_their_files() {
        let env = Environment::new(Os::MacOs, "/Users/ada");
        let exists = fake(&[
            "/Users/ada/.cursor",
            "/Users/ada/.codex/config.toml",
            "/Users/ada/.codex",
        ]);
        let found = detect_with(&env, &exists);
        assert_eq!(found.len(), clients::all().len(), "every client is listed");
        let cursor = found.iter().find(|d| d.client == "cursor").unwrap();
        assert!(cursor.installed && !cursor.file_exists);
        assert_eq!(cursor.path, Path::new("/Users/ada/.cursor/mcp.json"));
        let codex = found.iter().find(|d| d.client == "codex").unwrap();
        assert!(codex.installed && codex.file_exists);
        let zed = found.iter().find(|d| d.client == "zed").unwrap();
        assert!(!zed.installed);
        assert_eq!(zed.path, Path::new("/Users/ada/.config/zed/settings.json"));
    }
}
