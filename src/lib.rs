//! `syncdoctor`: the command-line front end. Thin by design: all logic lives in the engine and
//! probes crates; this crate parses arguments, picks the knowledge base and renders reports.

pub mod cli;
pub mod commands;
pub mod diff;
pub mod docs;
pub mod knowledge;
pub mod render;
pub mod schemas;
pub mod unchecked;
pub mod version;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// Exit codes, as documented in `--help`.
pub mod exit {
    /// Nothing at or above the threshold; tests and lint clean.
    pub const OK: u8 = 0;
    /// Problems found, or tests/lint failed, or (`collect`) some probe failed.
    pub const FOUND: u8 = 1;
    /// Bad input or usage.
    pub const BAD_INPUT: u8 = 2;
    /// Nothing could be checked: no rule passed or matched (too little was gathered).
    pub const NOTHING_CHECKED: u8 = 3;
    /// `replay --expect`: some report differs from the stored one.
    pub const DIFFERS: u8 = 4;
}

/// An error that ends the command with exit code 2 and a message on standard error.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// From the engine (located diagnostics included in the message).
    #[error(transparent)]
    Engine(#[from] syncdoctor_engine::Error),
    /// Reading or writing a file.
    #[error("{0}")]
    Io(String),
    /// Anything else the user must fix.
    #[error("{0}")]
    Usage(String),
}

/// Parses the command line, runs the verb and returns the process exit code.
pub fn run() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    syncdoctor_engine::text_file::set_max_bytes(cli.max_input_size);
    let result = match cli.command {
        Command::Diagnose(ref args) => commands::diagnose::run(&cli, args),
        Command::Collect(ref args) => commands::collect::run(&cli, args),
        Command::Replay(ref args) => commands::replay::run(&cli, args),
        Command::Rules(ref sub) => commands::rules::run(&cli, sub),
        Command::Schema { which } => commands::schema::run(which),
        Command::Diff(ref args) => commands::diff::run(&cli, args),
        Command::Redact(ref args) => commands::redact::run(&cli, args),
        Command::Explain { ref rule_id, ref snapshot } => commands::explain::run(&cli, rule_id, snapshot),
        Command::Completions { shell } => commands::shell::completions(shell),
        Command::Man { ref verb, ref dir } => commands::shell::man(verb, dir.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("syncdoctor: error: {e}");
            ExitCode::from(exit::BAD_INPUT)
        }
    }
}

/// A reader that stopped early (`syncdoctor rules list | head -1`) is a quiet success, not a panic:
/// `print!` panics when standard output is a closed pipe, so the panic hook ends such a run with
/// exit 0 and no message. Every other panic keeps the default report.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = panic_message(info.payload()).unwrap_or_default();
        if text.starts_with("failed printing to std") && text.contains("Broken pipe") {
            std::process::exit(i32::from(exit::OK));
        }
        default(info);
    }));
}

pub use syncdoctor_engine::panic_message;
