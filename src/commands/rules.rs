//! `syncdoctor rules list|show|lint|test|new|docs`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syncdoctor_engine::rule::Status;
use syncdoctor_engine::testing::TestResult;
use syncdoctor_engine::{Diagnostic, Error, KnowledgeBase, Outcome};

use crate::cli::{Cli, RulesCommand};
use crate::{CliError, docs, exit, knowledge, render};

/// Runs the sub-command.
pub fn run(cli: &Cli, command: &RulesCommand) -> Result<u8, CliError> {
    match command {
        RulesCommand::List => list(cli),
        RulesCommand::Show { id } => show(cli, id),
        RulesCommand::Lint { base } => lint(cli, base.as_deref()),
        RulesCommand::Test { ids, coverage } => test(cli, ids, *coverage),
        RulesCommand::New { name } => new(cli, name),
        RulesCommand::Docs { out } => write_docs(cli, out),
    }
}

fn list(cli: &Cli) -> Result<u8, CliError> {
    let kb = knowledge::load(cli)?;
    let width = kb.rules().iter().map(|r| r.id().len()).max().unwrap_or(2);
    println!("{:<width$}  {:<8}  {:<16}  {:<12}  TITLE", "ID", "SEVERITY", "AREA", "STATUS");
    for r in kb.rules() {
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
    println!("\n{} rules, knowledge base {}", kb.rules().len(), kb.version());
    Ok(exit::OK)
}

fn show(cli: &Cli, id: &str) -> Result<u8, CliError> {
    let kb = knowledge::load(cli)?;
    let rule =
        kb.rule(id).ok_or_else(|| CliError::Usage(format!("no rule has id `{id}` (see `syncdoctor rules list`)")))?;
    let file = kb.source.get(&rule.path.to_string_lossy()).map(|f| f.text.clone()).unwrap_or_default();
    println!("# {}", kb.source.origin.join(&rule.path).display());
    print!("{file}");
    Ok(exit::OK)
}

/// Loads the knowledge base, turning load problems into lint problems (exit 1, not 2).
fn load_for_lint(cli: &Cli) -> Result<Result<KnowledgeBase, Vec<Diagnostic>>, CliError> {
    match knowledge::load(cli) {
        Ok(kb) => Ok(Ok(kb)),
        Err(CliError::Engine(Error::KnowledgeBase(problems))) => Ok(Err(problems)),
        Err(e) => Err(e),
    }
}

fn lint(cli: &Cli, base: Option<&str>) -> Result<u8, CliError> {
    let kb = match load_for_lint(cli)? {
        Ok(kb) => kb,
        Err(problems) => return Ok(report_problems(&problems)),
    };
    let mut problems = Vec::new();
    if let Err(Error::KnowledgeBase(p)) = kb.baselines() {
        problems.extend(p);
    }
    for r in kb.rules() {
        let file = kb.source.origin.join(&r.path);
        let has = |o: Outcome| r.rule.tests.iter().any(|t| t.expect == o);
        for (outcome, name) in [(Outcome::Match, "match"), (Outcome::Pass, "pass")] {
            if !has(outcome) {
                problems.push(Diagnostic::spanned(
                    &file,
                    &r.rule.id,
                    format!("`tests`: needs at least one `expect: {name}` test"),
                ));
            }
        }
        if r.rule.status == Status::Deprecated && r.rule.replaced_by.is_none() {
            problems.push(Diagnostic::spanned(&file, &r.rule.id, "a deprecated rule needs `replaced_by`"));
        }
    }
    if let Some(rev) = base {
        problems.extend(version_bumps(&kb, rev)?);
    }
    let code = report_problems(&problems);
    if code == exit::OK {
        println!("rules lint: {} rules, no problems", kb.rules().len());
        println!("{}", coverage_line(&kb, None));
    }
    Ok(code)
}

fn report_problems(problems: &[Diagnostic]) -> u8 {
    if problems.is_empty() {
        return exit::OK;
    }
    for p in problems {
        eprintln!("{p}");
    }
    eprintln!("rules lint: {} problem(s)", problems.len());
    exit::FOUND
}

/// A rule whose `when`/`applies_when` changed since `rev` must have a higher version.
fn version_bumps(kb: &KnowledgeBase, rev: &str) -> Result<Vec<Diagnostic>, CliError> {
    let mut problems = Vec::new();
    for r in kb.rules() {
        let path = kb.source.origin.join(&r.path);
        let output = std::process::Command::new("git")
            .arg("show")
            .arg(format!("{rev}:./{}", path.display()))
            .output()
            .map_err(|e| CliError::Io(format!("cannot run git: {e}")))?;
        if !output.status.success() {
            continue; // the rule is new since REV
        }
        let Ok(old) = serde_saphyr::from_str::<serde_json::Value>(&String::from_utf8_lossy(&output.stdout)) else {
            continue;
        };
        let field = |k: &str| old.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
        let old_version = field("version").unwrap_or_default();
        let changed = field("when").as_deref() != Some(r.rule.when.value.as_str())
            || field("applies_when").as_deref() != r.rule.applies_when.as_ref().map(|a| a.value.as_str());
        let bumped = syncdoctor_engine::functions::version::compare(&r.rule.version.value, &old_version)
            .is_ok_and(|o| o.is_gt());
        if changed && !bumped {
            problems.push(Diagnostic::spanned(
                &path,
                &r.rule.version,
                format!(
                    "the condition changed since {rev} but `version` is still {} (was {old_version})",
                    r.rule.version.value
                ),
            ));
        }
    }
    Ok(problems)
}

fn test(cli: &Cli, ids: &[String], coverage: bool) -> Result<u8, CliError> {
    let kb = knowledge::load(cli)?;
    for id in ids {
        if kb.rule(id).is_none() {
            return Err(CliError::Usage(format!("no rule has id `{id}`")));
        }
    }
    let baselines = kb.baselines()?;
    let results = kb.run_tests(&baselines, ids);
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

fn new(cli: &Cli, name: &str) -> Result<u8, CliError> {
    let dir = cli.rules.clone().unwrap_or_else(|| PathBuf::from("rules"));
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
    if !dir.join("kb.yaml").is_file() {
        return Err(CliError::Usage(format!(
            "{} has no kb.yaml: run from the repository root or pass --rules DIR",
            dir.display()
        )));
    }
    let path = dir.join(area).join(format!("{id}.yaml"));
    if path.exists() {
        return Err(CliError::Usage(format!("{} already exists", path.display())));
    }
    std::fs::create_dir_all(dir.join(area))
        .map_err(|e| CliError::Io(format!("cannot create {}: {e}", dir.join(area).display())))?;
    std::fs::write(&path, template(id)).map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
    println!("created {}", path.display());
    println!("next: write `when`, fill the texts, run `syncdoctor --rules {} rules test {id}`", dir.display());
    Ok(exit::OK)
}

fn template(id: &str) -> String {
    format!(
        "# yaml-language-server: $schema=../../schema/rule.schema.json\n\
id: {id}\n\
version: 0.1.0\n\
status: experimental\n\
title: TODO state the problem in one line\n\
products: [connect-sync]\n\
severity: warning\n\
covers: []\n\
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

fn write_docs(cli: &Cli, out: &Path) -> Result<u8, CliError> {
    let kb = knowledge::load(cli)?;
    let files = docs::render_all(&kb);
    std::fs::create_dir_all(out).map_err(|e| CliError::Io(format!("cannot create {}: {e}", out.display())))?;
    for (name, text) in &files {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
    }
    println!("wrote {} files to {}", files.len(), out.display());
    Ok(exit::OK)
}
