//! `lakescope`: a thin wrapper around the library's command line.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = lakescope::cli::Cli::parse();
    match lakescope::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`lakescope actors | head`) is the reader's choice, not a failure.
        Err(err)
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Every cause on one line: "cannot open the lake at X: <file>: <problem>".
            let message = err.chain().map(|e| e.to_string()).collect::<Vec<_>>().join(": ");
            eprintln!("lakescope: {}", lakescope::text::sanitize(&message));
            ExitCode::FAILURE
        }
    }
}
