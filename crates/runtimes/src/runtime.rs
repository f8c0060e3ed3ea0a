//! [`Runtime`]: the programs MCP servers are launched with, their executable names per OS,
//! the oldest version that works, and the exact install advice when one is missing.
//!
//! Owns: these facts, as pure functions. Must not: search, run or download anything (the
//! advice is words only).

use std::{fmt, str::FromStr};

use crate::{Os, Version};

/// A program that MCP servers are commonly launched with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Runtime {
    Node,
    Npx,
    Uv,
    Uvx,
    Python,
    Docker,
}

impl Runtime {
    /// Every runtime, in the order a report lists them.
    pub const ALL: [Self; 6] = [
        Self::Node,
        Self::Npx,
        Self::Uv,
        Self::Uvx,
        Self::Python,
        Self::Docker,
    ];

    /// The name people type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Node => "node",
            Self::Npx => "npx",
            Self::Uv => "uv",
            Self::Uvx => "uvx",
            Self::Python => "python",
            Self::Docker => "docker",
        }
    }

    /// The executable's file names to look for, best first, without extension (Windows
    /// adds `.exe`, `.cmd`, `.bat`).
    pub fn executables(self, os: Os) -> &'static [&'static str] {
        match (self, os) {
            (Self::Python, Os::Windows) => &["python"],
            (Self::Python, _) => &["python3", "python"],
            (runtime, _) => match runtime {
                Self::Node => &["node"],
                Self::Npx => &["npx"],
                Self::Uv => &["uv"],
                Self::Uvx => &["uvx"],
                Self::Python => &["python3"],
                Self::Docker => &["docker"],
            },
        }
    }

    /// The runtime whose folder this one should come from, so that a pair is one install
    /// (`npx` runs the `node` beside it; `uvx` is part of `uv`).
    pub fn companion_of(self) -> Option<Self> {
        match self {
            Self::Npx => Some(Self::Node),
            Self::Uvx => Some(Self::Uv),
            _ => None,
        }
    }

    /// The oldest version MCP servers work with, where there is one.
    pub fn minimum(self) -> Option<Version> {
        match self {
            Self::Node => Some(Version::new(&[20])),
            Self::Python => Some(Version::new(&[3, 10])),
            _ => None,
        }
    }

    /// What to do when the runtime is missing (or too old), for this OS. Words only.
    pub fn install_advice(self, os: Os) -> String {
        let node = match os {
            Os::Linux => {
                "Install Node.js 20 or newer from https://nodejs.org, or `sudo apt install nodejs npm`"
            }
            Os::MacOs => {
                "Install Node.js 20 or newer from https://nodejs.org, or `brew install node`"
            }
            Os::Windows => {
                "Install Node.js 20 or newer from https://nodejs.org (the LTS installer), or \
                 `winget install OpenJS.NodeJS.LTS`"
            }
        };
        let uv = match os {
            Os::Linux => "Install uv: `curl -LsSf https://astral.sh/uv/install.sh | sh`",
            Os::MacOs => {
                "Install uv: `curl -LsSf https://astral.sh/uv/install.sh | sh`, or `brew install uv`"
            }
            Os::Windows => {
                "Install uv: `powershell -ExecutionPolicy ByPass -c \"irm \
                 https://astral.sh/uv/install.ps1 | iex\"`, or `winget install astral-sh.uv`"
            }
        };
        match self {
            Self::Node => node.to_owned(),
            Self::Npx => format!("npx comes with npm, part of Node.js. {node}"),
            Self::Uv => uv.to_owned(),
            Self::Uvx => format!("uvx comes with uv. {uv}"),
            Self::Python => match os {
                Os::Linux => "Install Python 3.10 or newer: `sudo apt install python3`".to_owned(),
                Os::MacOs => {
                    "Install Python 3.10 or newer from https://www.python.org/downloads/, \
                              or `brew install python`"
                        .to_owned()
                }
                Os::Windows => "Install Python 3.10 or newer from \
                                https://www.python.org/downloads/, or `winget install \
                                Python.Python.3.12`"
                    .to_owned(),
            },
            Self::Docker => match os {
                Os::Linux => "Install Docker Engine (https://docs.docker.com/engine/install/), or \
                              `sudo apt install docker.io`"
                    .to_owned(),
                Os::MacOs | Os::Windows => {
                    "Install Docker Desktop from https://www.docker.com/products/docker-desktop/ \
                     and start it once"
                        .to_owned()
                }
            },
        }
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A name that is not one of [`Runtime::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a runtime Switchboard knows: use node, npx, uv, uvx, python or docker")]
pub struct UnknownRuntime(pub String);

impl FromStr for Runtime {
    type Err = UnknownRuntime;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lower = text.to_ascii_lowercase();
        let lower = lower
            .strip_suffix(".exe")
            .or_else(|| lower.strip_suffix(".cmd"))
            .unwrap_or(&lower);
        match lower {
            "python3" => Ok(Self::Python),
            name => Self::ALL
                .into_iter()
                .find(|runtime| runtime.name() == name)
                .ok_or_else(|| UnknownRuntime(text.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn names_parse_back() {
        for runtime in Runtime::ALL {
            assert_eq!(runtime.name().parse::<Runtime>().unwrap(), runtime);
        }
        assert_eq!("npx.cmd".parse::<Runtime>().unwrap(), Runtime::Npx);
        assert_eq!("python3".parse::<Runtime>().unwrap(), Runtime::Python);
        assert!("ruby".parse::<Runtime>().is_err());
    }

    #[test]
    fn advice_is_exact_per_os() {
        assert_eq!(
            Runtime::Node.install_advice(Os::Linux),
            "Install Node.js 20 or newer from https://nodejs.org, or `sudo apt install nodejs npm`"
        );
        assert_eq!(
            Runtime::Uv.install_advice(Os::Linux),
            "Install uv: `curl -LsSf https://astral.sh/uv/install.sh | sh`"
        );
        assert!(
            Runtime::Node
                .install_advice(Os::MacOs)
                .contains("brew install node")
        );
        assert!(
            Runtime::Uvx
                .install_advice(Os::Windows)
                .contains("winget install astral-sh.uv")
        );
        assert!(
            Runtime::Docker
                .install_advice(Os::MacOs)
                .contains("Docker Desktop")
        );
        for runtime in Runtime::ALL {
            for os in [Os::Linux, Os::MacOs, Os::Windows] {
                assert!(
                    !runtime.install_advice(os).is_empty(),
                    "{runtime} on {os:?}"
                );
            }
        }
    }

    #[test]
    fn pairs_come_from_one_install() {
        assert_eq!(Runtime::Npx.companion_of(), Some(Runtime::Node));
        assert_eq!(Runtime::Uvx.companion_of(), Some(Runtime::Uv));
        assert_eq!(Runtime::Node.companion_of(), None);
    }
}
