//! Release builds on Linux: the linker places the functions that serving a client runs next
//! to each other (the list in `hot-symbols.txt`, made by `scripts/hot-symbols`), and
//! strips the symbol table.
//!
//! Why the order matters: the binary holds every built-in server, the daemon and the CLI,
//! and the kernel maps a program's code in blocks of 64 KiB or more. Scattered, the few
//! thousand functions that `serve clock` or the idle daemon run drag in half the binary;
//! together, a few blocks. A name missing from the list (after the code changed) only loses
//! that function its place.
//!
//! Why strip here and not in the Cargo profile: `strip` in the profile changes every crate's
//! symbol names, so the list could not be made from the binary that ships.
//! `SWITCHBOARD_KEEP_SYMBOLS=1` keeps them, for `scripts/hot-symbols`.

#![allow(clippy::print_stdout)] // a build script speaks to Cargo on stdout

use std::{env, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=hot-symbols.txt");
    println!("cargo:rerun-if-env-changed=SWITCHBOARD_KEEP_SYMBOLS");
    let release = env::var("PROFILE").is_ok_and(|profile| profile == "release");
    // The pinned toolchain links with LLD on this target, which reads the list.
    let lld_target = env::var("TARGET").is_ok_and(|target| target == "x86_64-unknown-linux-gnu");
    if !(release && lld_target) {
        return;
    }
    let list =
        Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("hot-symbols.txt");
    if list.is_file() {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            list.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
    if env::var_os("SWITCHBOARD_KEEP_SYMBOLS").is_none() {
        println!("cargo:rustc-link-arg-bins=-Wl,--strip-all");
    }
}
