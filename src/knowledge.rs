//! Picks and loads the knowledge base: `--rules DIR`, or the one embedded in the binary
//! (`syncdoctor-bundled`, which the Python package and the C library load the same way).

use std::path::{Path, PathBuf};

use syncdoctor_engine::{KbSource, KnowledgeBase, LoadOptions};

use crate::CliError;
use crate::cli::Cli;

/// The knowledge base's files.
pub fn source(cli: &Cli) -> Result<KbSource, CliError> {
    Ok(syncdoctor_bundled::source(cli.rules.as_deref())?)
}

/// Loads and compiles the knowledge base, with the snapshot schema for validation and path checks:
/// leniently (a broken rule file is left out, with a warning on standard error, and shows as an
/// `error` finding) unless `--strict` is given.
pub fn load(cli: &Cli) -> Result<KnowledgeBase, CliError> {
    let options = LoadOptions { lenient: !cli.strict, ..syncdoctor_bundled::load_options() };
    let kb = KnowledgeBase::load(source(cli)?, options)?;
    for broken in kb.broken_rules() {
        eprintln!(
            "syncdoctor: warning: rule `{}` left out: its file has {} (it shows as an error in the report; `syncdoctor rules lint` lists every problem, `--strict` refuses such a knowledge base):",
            broken.id,
            crate::render::plural(broken.problems.len(), "problem"),
        );
        for problem in &broken.problems {
            eprintln!("  {problem}");
        }
    }
    Ok(kb)
}

/// The knowledge-base folder the authoring verbs (`rules new|test|lint|docs`) work on: `--rules DIR`
/// (or `SYNCDOCTOR_RULES`), else the `rules/` of the checkout the current folder is in (the
/// nearest folder, going up, that has `rules/kb.yaml`); `None` means the bundled one.
pub fn authoring_dir(cli: &Cli) -> Option<PathBuf> {
    if let Some(dir) = &cli.rules {
        return Some(dir.clone());
    }
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors().map(|d| d.join("rules")).find(|d| d.join("kb.yaml").is_file()).map(|dir| {
        // Shown relative to the current folder when it is below it, as the user would type it.
        dir.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(dir)
    })
}

/// Loads the knowledge base the authoring verbs work on (see [`authoring_dir`]).
pub fn load_for_authoring(cli: &Cli) -> Result<KnowledgeBase, CliError> {
    match authoring_dir(cli) {
        Some(dir) => Ok(syncdoctor_bundled::load(Some(&dir))?),
        None => load(cli),
    }
}

/// Says on standard error which knowledge base a `rules` verb used.
pub fn announce(kb: &KnowledgeBase, dir: Option<&Path>) {
    let rules = crate::render::plural(kb.rules().len(), "rule");
    match dir {
        Some(dir) => {
            eprintln!("syncdoctor: knowledge base {} ({} from files, {rules})", dir.display(), kb.version());
        }
        None => eprintln!("syncdoctor: knowledge base bundled in this binary ({}, {rules})", kb.version()),
    }
}
