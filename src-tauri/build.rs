//! Tauri's build step; and release builds on Linux strip the symbol table at link time (the
//! Cargo profile keeps symbols, for the engine's hot-symbols list: see crates/cli/build.rs).

#![allow(clippy::print_stdout)] // a build script speaks to Cargo on stdout

fn main() {
    let release = std::env::var("PROFILE").is_ok_and(|profile| profile == "release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if release && linux {
        println!("cargo:rustc-link-arg-bins=-Wl,--strip-all");
    }
    tauri_build::build()
}
