//! Switchboard's runtime discovery. GUI apps often lack the shell's PATH, so `npx`,
//! `uvx`, `node`, `python` and `docker` are "not found" when a client or the daemon
//! launches a server. This crate resolves them once, from the login shell's PATH, the
//! process's PATH, version managers (Volta, fnm, nvm, mise, asdf, pyenv), uv's and
//! cargo's install folders, Homebrew and the usual install folders, and gives absolute
//! launch commands (`cmd /c` for Windows `.cmd` shims).
//!
//! - [`Runtimes::discover`] over an [`Environment`] (HOME, PATH, OS, shell, roots): per
//!   [`Runtime`], a [`Found`] (path, version, source, problem) or `Missing { fix }` with
//!   exact install advice for the OS.
//! - [`Runtimes::launch_command`] / [`Runtimes::resolve_command`]: what to run, with the
//!   folders the child's PATH needs.
//!
//! Owns: finding and describing runtimes. Must not: install or download anything (advice
//! is words only), change the process environment, or run anything but the login shell
//! and `--version`, each with a deadline.

mod discovery;
mod environment;
mod launch;
mod locations;
mod login_shell;
mod probe;
mod runtime;
mod version;

pub use discovery::{Found, Resolution, Runtimes};
pub use environment::{
    DEFAULT_LOGIN_SHELL_TIMEOUT, DEFAULT_VERSION_TIMEOUT, Environment, KNOWN_VARIABLES, Os,
    default_homebrew_roots, default_system_dirs,
};
pub use launch::{LaunchCommand, LaunchError};
pub use locations::{Candidate, Source, candidate_dirs};
pub use login_shell::{LoginShellError, login_shell_path};
pub use runtime::{Runtime, UnknownRuntime};
pub use version::Version;
