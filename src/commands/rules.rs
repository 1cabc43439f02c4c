//! `syncdoctor rules list|show|lint|test|new|docs` (`rules mutate` is in [`super::mutate`]).

use std::collections::BTreeSet;
use std::path::Path;

use syncdoctor_engine::lint::{self, Problem};
use syncdoctor_engine::manifest::{Catalog, Manifest};
use syncdoctor_engine::rule::Status;
use syncdoctor_engine::testing::TestResult;
use syncdoctor_engine::{Error, KnowledgeBase};

use crate::cli::{Cli, LintFormat, ListFormat, RulesCommand, SelectArgs};
use crate::render::lint as lint_format;
use crate::{CliError, docs, exit, knowledge, render};

/// Runs the sub-command.
pub fn run(cli: &Cli, command: &RulesCommand) -> Result<u8, CliError> {
    match command {
        RulesCommand::List { select, format } => list(cli, select, *format),
        RulesCommand::Show { id } => show(cli, id),
        RulesCommand::Lint { base, format } => lint(cli, base.as_deref(), *format),
        RulesCommand::Test { ids, select, coverage } => test(cli, ids, select, *coverage),
        RulesCommand::Mutate { ids, format, min_score } => super::mutate::run(cli, ids, *format, *min_score),
        RulesCommand::New { name, catalog } => new(cli, name, catalog.as_deref()),
        RulesCommand::Docs { out, select } => write_docs(cli, out, select),
    }
}

/// Loads the knowledge base a reading verb (`list`, `show`) uses and says which it is.
fn load_and_announce(cli: &Cli) -> Result<KnowledgeBase, CliError> {
    let kb = knowledge::load(cli)?;
    knowledge::announce(&kb, cli.rules.as_deref());
    Ok(kb)
}

/// Loads the knowledge base an authoring verb uses (the checkout's by default) and says which.
fn load_for_authoring(cli: &Cli) -> Result<KnowledgeBase, CliError> {
    let kb = knowledge::load_for_authoring(cli)?;
    knowledge::announce(&kb, knowledge::authoring_dir(cli).as_deref());
    Ok(kb)
}

/// One rule in `rules list --format json`.
#[derive(serde::Serialize)]
struct Listed<'a> {
    id: &'a str,
    area: &'a str,
    severity: &'static str,
    status: Status,
    version: &'a str,
    title: &'a str,
    products: Vec<&'a str>,
    tags: Vec<&'a str>,
    covers: Vec<&'a str>,
    explains: Vec<&'a str>,
    path: String,
}

fn list(cli: &Cli, select: &SelectArgs, format: ListFormat) -> Result<u8, CliError> {
    let kb = load_and_announce(cli)?;
    let selection =
        syncdoctor_engine::Selection::new(&select.only, &select.skip).map_err(|e| CliError::Usage(e.to_string()))?;
    let rules = selection.rules(&kb).map_err(|e| CliError::Usage(e.to_string()))?;
    if format == ListFormat::Json {
        let listed: Vec<Listed> = rules
            .iter()
            .map(|r| Listed {
                id: r.id(),
                area: &r.area,
                severity: r.rule.severity.as_str(),
                status: r.rule.status,
                version: &r.rule.version.value,
                title: &r.rule.title,
                products: r.rule.products.iter().map(|p| p.value.as_str()).collect(),
                tags: r.rule.tags.iter().map(|t| t.value.as_str()).collect(),
                covers: r.rule.covers.iter().map(|c| c.value.as_str()).collect(),
                explains: r.rule.explains.iter().map(|e| e.value.as_str()).collect(),
                path: r.path.to_string_lossy().replace('\\', "/"),
            })
            .collect();
        let text = serde_json::to_string_pretty(&listed).map_err(|e| CliError::Io(e.to_string()))?;
        println!("{text}");
        return Ok(exit::OK);
    }
    let width = rules.iter().map(|r| r.id().len()).max().unwrap_or(2);
    println!("{:<width$}  {:<8}  {:<16}  {:<12}  TITLE", "ID", "SEVERITY", "AREA", "STATUS");
    for r in &rules {
        let status = format!("{:?} {}", r.rule.status, r.rule.version.value).to_lowercase();
        println!(
            "{:<width$}  {:<8}  {:<16}  {:<12}  {}",
            r.id(),
            r.rule.severity.as_str(),
            r.area,
            status,
            r.rule.title
        );
    }
    if rules.len() == kb.rules().len() {
        println!("\n{} rules, knowledge base {}", kb.rules().len(), kb.version());
    } else {
        println!("\n{} of {} rules, knowledge base {}", rules.len(), kb.rules().len(), kb.version());
    }
    Ok(exit::OK)
}

fn show(cli: &Cli, id: &str) -> Result<u8, CliError> {
    let kb = load_and_announce(cli)?;
    let rule =
        kb.rule(id).ok_or_else(|| CliError::Usage(format!("no rule has id `{id}` (see `syncdoctor rules list`)")))?;
    let file = kb.source.get(&rule.path.to_string_lossy()).map(|f| f.text.clone()).unwrap_or_default();
    println!("# {}", kb.source.origin.join(&rule.path).display());
    print!("{file}");
    Ok(exit::OK)
}

fn lint(cli: &Cli, base: Option<&str>, format: LintFormat) -> Result<u8, CliError> {
    // Load problems are lint problems (exit 1, not 2); the rest of the policy is the engine's.
    let (kb, mut problems) = match load_for_authoring(cli) {
        Ok(kb) => {
            let problems = lint::lint_loaded(&kb);
            (Some(kb), problems)
        }
        Err(CliError::Engine(e @ Error::KnowledgeBase(_))) => (None, lint::lint(Err(e))),
        Err(e) => return Err(e),
    };
    if let (Some(kb), Some(rev)) = (&kb, base) {
        problems.extend(version_bumps(kb, rev)?);
    }
    let code = report_problems(&problems, format);
    if let Some(kb) = &kb
        && code == exit::OK
        && format == LintFormat::Human
    {
        println!("rules lint: {} rules, no problems", kb.rules().len());
        println!("{}", coverage_line(kb, None));
    }
    Ok(code)
}

/// Prints the problems in the format asked for (SARIF and workflow commands on standard output,
/// the human list on standard error) and returns the exit code.
fn report_problems(problems: &[Problem], format: LintFormat) -> u8 {
    match format {
        LintFormat::Sarif => print!("{}", lint_format::sarif(problems, env!("CARGO_PKG_VERSION"))),
        LintFormat::Github => print!("{}", lint_format::github(problems)),
        LintFormat::Human => {
            for p in problems {
                eprintln!("{}", p.diagnostic);
            }
        }
    }
    if problems.is_empty() {
        return exit::OK;
    }
    eprintln!("rules lint: {} problem(s)", problems.len());
    exit::FOUND
}

/// Runs `git` in `dir` and returns its standard output, or why it failed (exit 2 for the caller:
/// a comparison that cannot be made must never pass as "nothing changed").
fn git(dir: &std::path::Path, args: &[&str]) -> Result<Vec<u8>, CliError> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| CliError::Usage(format!("rules lint --base: cannot run git: {e}")))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let why = String::from_utf8_lossy(&output.stderr);
        Err(CliError::Usage(format!(
            "rules lint --base: `git {}` failed in {}: {}",
            args.join(" "),
            dir.display(),
            why.trim()
        )))
    }
}

/// The engine's version-bump check against `rev`, reading each rule file's old text from git.
/// Exit 2 when the comparison cannot be made (no git checkout, unknown revision): only a rule file
/// that `rev` does not hold counts as new.
fn version_bumps(kb: &KnowledgeBase, rev: &str) -> Result<Vec<Problem>, CliError> {
    let origin = kb.source.origin.as_path();
    git(origin, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")]).map_err(|_| {
        CliError::Usage(format!(
            "rules lint --base: `{rev}` is not a commit of the checkout holding {}",
            origin.display()
        ))
    })?;
    let listed = git(origin, &["ls-tree", "-r", "--name-only", rev, "--", "."])?;
    let known: std::collections::HashSet<&str> = std::str::from_utf8(&listed).unwrap_or_default().lines().collect();
    lint::version_bumps(kb, rev, |relative| {
        if !known.contains(relative) {
            return Ok(None); // the rule is new since REV
        }
        let old = git(origin, &["show", &format!("{rev}:./{relative}")])?;
        Ok(Some(String::from_utf8_lossy(&old).into_owned()))
    })
}

fn test(cli: &Cli, ids: &[String], select: &SelectArgs, coverage: bool) -> Result<u8, CliError> {
    let kb = load_for_authoring(cli)?;
    for id in ids {
        if kb.rule(id).is_none() {
            return Err(CliError::Usage(format!("no rule has id `{id}`")));
        }
    }
    let ids: Vec<String> = match super::selected_ids(&kb, select)? {
        None => ids.to_vec(),
        Some(selected) => {
            let chosen: Vec<String> = selected.into_iter().filter(|id| ids.is_empty() || ids.contains(id)).collect();
            if chosen.is_empty() {
                return Err(CliError::Usage("--only/--skip leave no rule to test".into()));
            }
            chosen
        }
    };
    let baselines = kb.baselines()?;
    let results = kb.run_tests(&baselines, &ids);
    let failed: Vec<&TestResult> = results.iter().filter(|r| !r.passed).collect();
    for f in &failed {
        println!("FAIL {} :: {}", f.rule_id, f.name);
        println!("  {}", f.failure.as_deref().unwrap_or("failed"));
        if let Some(snapshot) = &f.snapshot
            && let Some(explanation) = kb.explain(&f.rule_id, snapshot)
        {
            for line in render::explain::render(&explanation).lines() {
                println!("  | {line}");
            }
        }
    }
    if coverage {
        println!("{}", coverage_line(&kb, Some(&results)));
    }
    let rules: BTreeSet<&str> = results.iter().map(|r| r.rule_id.as_str()).collect();
    println!("rules test: {} rules", rules.len());
    let incidents: BTreeSet<&str> =
        results.iter().filter_map(|r| r.name.strip_prefix("incident ")?.split(':').next()).collect();
    let variants: BTreeSet<&str> =
        results.iter().filter_map(|r| r.name.strip_prefix("healthy variant ")?.split(',').next()).collect();
    println!("healthy variants: {}, incidents: {}", variants.len(), incidents.len());
    println!("{} passed, {} failed", results.len() - failed.len(), failed.len());
    Ok(if failed.is_empty() { exit::OK } else { exit::FOUND })
}

/// `catalog coverage N/M`: slugs covered by a stable rule (whose tests passed, when results are given).
fn coverage_line(kb: &KnowledgeBase, results: Option<&[TestResult]>) -> String {
    let green = |id: &str| results.is_none_or(|rs| rs.iter().filter(|r| r.rule_id == id).all(|r| r.passed));
    let covered: BTreeSet<&str> = kb
        .rules()
        .iter()
        .filter(|r| r.rule.status == Status::Stable && green(r.id()))
        .flat_map(|r| r.rule.covers.iter().map(|c| c.value.as_str()))
        .collect();
    let total = kb.catalog.entries.len();
    let missing: Vec<&str> =
        kb.catalog.entries.iter().map(|e| e.slug.as_str()).filter(|s| !covered.contains(s)).collect();
    let mut line = format!("catalog coverage {}/{total}", total - missing.len());
    if !missing.is_empty() && missing.len() <= 100 {
        line.push_str(&format!(" (not yet covered: {})", missing.join(", ")));
    }
    line
}

fn new(cli: &Cli, name: &str, catalog_title: Option<&str>) -> Result<u8, CliError> {
    let Some(dir) = knowledge::authoring_dir(cli) else {
        return Err(CliError::Usage(
            "no knowledge base here: run inside a checkout that has rules/kb.yaml, or pass --rules DIR".into(),
        ));
    };
    let (area, id) = name
        .split_once('/')
        .ok_or_else(|| CliError::Usage("give AREA/ID, e.g. service/adsync-service-disabled".into()))?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.split('-').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
    };
    if !valid(area) || !valid(id) {
        return Err(CliError::Usage(format!("`{name}`: AREA and ID must be kebab-case")));
    }
    let read = |file: &str| {
        let path = dir.join(file);
        std::fs::read_to_string(&path).map_err(|e| CliError::Io(format!("cannot read {}: {e}", path.display())))
    };
    let manifest_text = read("kb.yaml")?;
    let manifest: Manifest = syncdoctor_engine::parse_yaml(&manifest_text, &dir.join("kb.yaml"))
        .map_err(|d| CliError::Usage(d.to_string()))?;
    if !manifest.areas.is_empty() && !manifest.areas.iter().any(|a| a == area) {
        return Err(CliError::Usage(format!(
            "`{area}` is not an area of {}; kb.yaml lists: {}",
            dir.display(),
            manifest.areas.join(", ")
        )));
    }
    let taken = walkdir::WalkDir::new(&dir)
        .min_depth(2)
        .max_depth(2)
        .into_iter()
        .flatten()
        .map(walkdir::DirEntry::into_path)
        .find(|p| p.file_stem().is_some_and(|s| s == id) && p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
    if let Some(existing) = taken {
        return Err(CliError::Usage(format!("the id `{id}` is taken: {}", existing.display())));
    }
    let catalog_path = dir.join("catalog.yaml");
    let mut catalog_text = None;
    if let Some(title) = catalog_title {
        if title.trim().is_empty() {
            return Err(CliError::Usage("--catalog needs a title: the documented cause in one line".into()));
        }
        let text = read("catalog.yaml")?;
        let catalog: Catalog =
            syncdoctor_engine::parse_yaml(&text, &catalog_path).map_err(|d| CliError::Usage(d.to_string()))?;
        if catalog.entries.iter().any(|e| e.slug == id) {
            return Err(CliError::Usage(format!("{} already has an entry `{id}`", catalog_path.display())));
        }
        let quoted = serde_json::to_string(title.trim()).map_err(|e| CliError::Io(e.to_string()))?;
        let mut text = text;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("  - {{ slug: {id}, title: {quoted} }}\n"));
        catalog_text = Some(text);
    }
    let path = dir.join(area).join(format!("{id}.yaml"));
    std::fs::create_dir_all(dir.join(area))
        .map_err(|e| CliError::Io(format!("cannot create {}: {e}", dir.join(area).display())))?;
    let covers = if catalog_text.is_some() { id } else { "" };
    std::fs::write(&path, template(id, covers))
        .map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
    println!("created {}", path.display());
    if let Some(text) = catalog_text {
        std::fs::write(&catalog_path, text)
            .map_err(|e| CliError::Io(format!("cannot write {}: {e}", catalog_path.display())))?;
        println!("added catalog entry `{id}` to {}", catalog_path.display());
    }
    let rules = if cli.rules.is_some() { format!("--rules {} ", dir.display()) } else { String::new() };
    println!(
        "next: write `when`, fill the texts, run `syncdoctor {rules}rules test {id}`, then `syncdoctor {rules}rules docs`"
    );
    Ok(exit::OK)
}

fn template(id: &str, covers: &str) -> String {
    format!(
        "# yaml-language-server: $schema=../../schema/rule.schema.json\n\
id: {id}\n\
version: 0.1.0\n\
status: experimental\n\
title: TODO state the problem in one line\n\
products: [connect-sync]\n\
severity: warning\n\
covers: [{covers}]\n\
symptom: TODO what the admin sees\n\
cause: TODO why it happens\n\
when: |\n  facts.services.adsync.state != \"Running\"\n\
message: \"TODO message with ${{facts.services.adsync.state}}\"\n\
evidence: [services.adsync.state]\n\
resolution:\n  summary: TODO how to fix it\n  steps:\n    - TODO\n\
references: []\n\
tests:\n  - name: the problem matches\n    baseline: connect-sync\n    set: {{ services.adsync.state: Stopped }}\n    expect: match\n  - name: a healthy server passes\n    expect: pass\n"
    )
}

fn write_docs(cli: &Cli, out: &Path, select: &SelectArgs) -> Result<u8, CliError> {
    let kb = load_for_authoring(cli)?;
    let selected = super::selected_ids(&kb, select)?;
    let mut files = docs::render_all(&kb);
    if let Some(ids) = &selected {
        // A partial index would be wrong: only the selected rules' pages are rewritten.
        files.retain(|(name, _)| ids.iter().any(|id| name.strip_suffix(".md") == Some(id.as_str())));
    }
    std::fs::create_dir_all(out).map_err(|e| CliError::Io(format!("cannot create {}: {e}", out.display())))?;
    for (name, text) in &files {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
    }
    println!("wrote {} files to {}", files.len(), out.display());
    Ok(exit::OK)
}
