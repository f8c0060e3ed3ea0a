//! Zed: `settings.json` in Zed's config folder (`~/.config/zed` on macOS and Linux,
//! `$XDG_CONFIG_HOME/zed` when set on Linux, `%APPDATA%\Zed` on Windows), JSON with
//! comments, `context_servers` of `{command, args, env}` (Zed requires `args`) or
//! `{url, headers}` entries. Older files may carry `"source": "custom"`, which Zed now
//! ignores and Switchboard keeps.

use crate::{
    environment::{Base, Os},
    spec::{
        ClientSpec, DocCheck, EntryShape, Format, KeySegment, Location, PathTemplate, Program,
        ScopeKind, UrlShape,
    },
};

const SERVERS: &[KeySegment] = &[KeySegment::Key("context_servers")];

pub(crate) const SPEC: ClientSpec = ClientSpec {
    id: "zed",
    display_name: "Zed",
    format: Format::Jsonc,
    entry: EntryShape {
        stdio_type: None,
        url: Some(UrlShape {
            url_key: "url",
            type_value: None,
            env_reference: None,
        }),
    },
    locations: &[
        Location {
            scope: ScopeKind::User,
            os: &[Os::MacOs],
            file: PathTemplate::new(Base::Home, &[".config", "zed", "settings.json"]),
            installed_markers: &[PathTemplate::new(Base::Home, &[".config", "zed"])],
            servers_path: SERVERS,
        },
        Location {
            scope: ScopeKind::User,
            os: &[Os::Linux],
            file: PathTemplate::new(Base::XdgConfig, &["zed", "settings.json"]),
            installed_markers: &[PathTemplate::new(Base::XdgConfig, &["zed"])],
            servers_path: SERVERS,
        },
        Location {
            scope: ScopeKind::User,
            os: &[Os::Windows],
            file: PathTemplate::new(Base::AppData, &["Zed", "settings.json"]),
            installed_markers: &[PathTemplate::new(Base::AppData, &["Zed"])],
            servers_path: SERVERS,
        },
    ],
    programs: &[
        Program {
            os: &[Os::Linux],
            name: "zed-editor",
        },
        Program {
            os: &[Os::Linux],
            name: "zed",
        },
        Program {
            os: &[Os::MacOs],
            name: "zed",
        },
        Program {
            os: &[Os::Windows],
            name: "Zed.exe",
        },
    ],
    docs: &[
        DocCheck {
            source: "zed.dev/docs/ai/mcp (context_servers custom servers: command, args, env)",
            version: "docs of 2026 (no client version stated)",
        },
        DocCheck {
            source: "zed-industries/zed crates/settings settings_content ContextServerSettingsContent (untagged Stdio{command,args,env} / Http{url,headers})",
            version: "zed main, 2026",
        },
    ],
};
