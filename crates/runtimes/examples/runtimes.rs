//! Prints what runtime discovery finds on this machine, the way `switchboard doctor` will:
//! `cargo run -p switchboard-runtimes --example runtimes`.

#![allow(clippy::print_stdout)] // a report for a person

use switchboard_runtimes::{Environment, Resolution, Runtimes};

fn main() {
    let Some(env) = Environment::current() else {
        println!("no home folder: set HOME");
        return;
    };
    let started = std::time::Instant::now();
    let runtimes = Runtimes::discover(&env);
    for (runtime, resolution) in runtimes.iter() {
        match resolution {
            Resolution::Found(found) => {
                let version = found
                    .version
                    .as_ref()
                    .map_or_else(|| "?".to_owned(), ToString::to_string);
                println!(
                    "{runtime:7} {version:10} {} (from {})",
                    found.path.display(),
                    found.source
                );
                if let Some(problem) = &found.problem {
                    println!("        problem: {problem}");
                }
            }
            Resolution::Missing { fix } => println!("{runtime:7} missing: {fix}"),
        }
    }
    if let Some(error) = runtimes.login_shell_error() {
        println!("login shell: {error}");
    }
    println!("({} ms)", started.elapsed().as_millis());
}
