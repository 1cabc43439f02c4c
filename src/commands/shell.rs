//! `syncdoctor completions SHELL` and `syncdoctor man`: generated from the command-line
//! definition, so they never drift from `--help`.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::{CliError, exit};

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<u8, CliError> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "syncdoctor", &mut out);
    write_stdout(&out)?;
    Ok(exit::OK)
}

/// Prints the manual page of the program or of one verb, or writes every page into `dir`.
pub fn man(verb: &[String], dir: Option<&Path>) -> Result<u8, CliError> {
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| CliError::Io(format!("cannot create {}: {e}", dir.display())))?;
        clap_mangen::generate_to(Cli::command(), dir)
            .map_err(|e| CliError::Io(format!("cannot write the manual pages into {}: {e}", dir.display())))?;
        return Ok(exit::OK);
    }
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut page = cmd;
    for name in verb {
        let Some(sub) = page.find_subcommand(name).cloned() else {
            return Err(CliError::Usage(format!("no verb `{}` (see `syncdoctor --help`)", verb.join(" "))));
        };
        page = sub;
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out).map_err(|e| CliError::Io(e.to_string()))?;
    write_stdout(&out)?;
    Ok(exit::OK)
}

fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    match std::io::stdout().write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Io(format!("cannot write: {e}"))),
        Ok(()) => Ok(()),
    }
}
