//! `lakescope`: a thin wrapper around the library's command line.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = lakescope::cli::Cli::parse();
    match lakescope::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Every cause on one line: "cannot open the lake at X: <file>: <problem>".
            let message = err.chain().map(|e| e.to_string()).collect::<Vec<_>>().join(": ");
            eprintln!("lakescope: {}", lakescope::text::sanitize(&message));
            ExitCode::FAILURE
        }
    }
}
