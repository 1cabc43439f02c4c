//! The knowledge base: manifest, catalog, reference data and rules, loaded, checked and compiled once.

mod checks;
mod compile;
pub mod paths;
mod source;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rhai::Engine;
use serde_json::Value;

pub(crate) use compile::{position_in_file, scope_template};
pub use source::{KbSource, SourceFile};

use crate::condition::CompiledCondition;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::facts::tree::FactTree;
use crate::manifest::{Catalog, Manifest};
use crate::rule::{Located, Rule, Severity};
use crate::sandbox::build_engine;
use crate::snapshot::SnapshotSchema;

/// This engine's version, compared with a knowledge base's `min_engine_version`.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How to load a knowledge base.
#[derive(Debug, Default)]
pub struct LoadOptions {
    /// JSON Schema of snapshots: fact paths in conditions are checked against it, and snapshots
    /// read through [`KnowledgeBase::read_snapshot`] are validated with it.
    pub snapshot_schema: Option<Value>,
    /// The lenient tier: a rule file with problems is left out (see
    /// [`KnowledgeBase::broken_rules`]) and every other rule loads; each report shows the rule left
    /// out as an `error` finding. Problems outside rule files (`kb.yaml`, `catalog.yaml`, `data/`)
    /// still fail the load. Off (the strict tier, as `rules lint` uses) by default.
    pub lenient: bool,
    /// Helpers a vocabulary adds to conditions (see [`extension`](crate::extension)): the
    /// bundled knowledge base needs those of `syncdoctor-facts`.
    pub helpers: Vec<crate::extension::Helpers>,
}

/// A rule file the lenient loader left out, with what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BrokenRule {
    /// The rule's id: its file name without `.yaml` (a rule's id is its file name).
    pub id: String,
    /// Its file, relative to the knowledge base root.
    pub path: PathBuf,
    /// What the loader found wrong, each located in the file.
    pub problems: Vec<Diagnostic>,
    /// `version`, `title` and `severity` as far as the file could be read (for the report).
    pub(crate) head: RuleHead,
}

/// The fields of a rule file a report shows, read leniently from a file that did not load.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub(crate) struct RuleHead {
    #[serde(default)]
    pub(crate) version: Option<String>,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) severity: Option<Severity>,
}

/// A rule with its conditions compiled.
#[derive(Debug)]
pub struct CompiledRule {
    /// The rule as written.
    pub rule: Rule,
    /// The folder it lives in.
    pub area: String,
    /// Its file, relative to the knowledge base root.
    pub path: PathBuf,
    pub(crate) applies_when: Option<CompiledCondition>,
    pub(crate) when: CompiledCondition,
    pub(crate) message: Option<CompiledCondition>,
}

impl CompiledRule {
    /// Whether `when` (and `applies_when`, if any) run on the native fast path when they can.
    pub fn has_fast_path(&self) -> bool {
        self.when.has_fast_path() && self.applies_when.as_ref().is_none_or(CompiledCondition::has_fast_path)
    }

    /// The compiled `when`.
    pub fn when(&self) -> &CompiledCondition {
        &self.when
    }

    /// The compiled `applies_when`, if the rule has one.
    pub fn applies_when(&self) -> Option<&CompiledCondition> {
        self.applies_when.as_ref()
    }

    /// The compiled `message` template, if the rule has one.
    pub fn message(&self) -> Option<&CompiledCondition> {
        self.message.as_ref()
    }

    /// The compiled conditions by field name (`applies_when`, `when`, `message`), with their text.
    pub(crate) fn conditions(&self) -> Vec<(&'static str, &CompiledCondition, &Located<String>)> {
        let mut out = Vec::new();
        if let (Some(c), Some(t)) = (&self.applies_when, &self.rule.applies_when) {
            out.push(("applies_when", c, t));
        }
        out.push(("when", &self.when, &self.rule.when));
        if let (Some(c), Some(t)) = (&self.message, &self.rule.message) {
            out.push(("message", c, t));
        }
        out
    }
}

impl CompiledRule {
    /// The rule's id.
    pub fn id(&self) -> &str {
        &self.rule.id.value
    }
}

/// A loaded, compiled knowledge base. Load it once and evaluate any number of snapshots, from any
/// number of threads: it is `Send + Sync` and evaluation never mutates it.
pub struct KnowledgeBase {
    pub(crate) engine: Engine,
    /// Process-unique id (keys the per-thread Rhai caches).
    pub(crate) id: u64,
    /// The manifest (`kb.yaml`).
    pub manifest: Manifest,
    /// The catalog of documented causes (`catalog.yaml`).
    pub catalog: Catalog,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) index: HashMap<String, usize>,
    pub(crate) data: Arc<FactTree>,
    pub(crate) schema: Option<SnapshotSchema>,
    pub(crate) schema_json: Option<Value>,
    /// Rule files the lenient loader left out.
    pub(crate) broken: Vec<BrokenRule>,
    /// The files it was loaded from (rule tests read `baselines/` from here).
    pub source: KbSource,
}

impl std::fmt::Debug for KnowledgeBase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnowledgeBase")
            .field("name", &self.manifest.name)
            .field("kb_version", &self.manifest.kb_version.value)
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

impl KnowledgeBase {
    /// Loads the knowledge base in a folder (`kb.yaml`, `catalog.yaml`, `<area>/<id>.yaml`, `data/`).
    pub fn load_dir(dir: &Path, options: LoadOptions) -> Result<Self> {
        Self::load(KbSource::from_dir(dir)?, options)
    }

    /// Loads, checks and compiles a knowledge base. Every problem is reported at once, each with
    /// its file, line and column.
    pub fn load(source: KbSource, options: LoadOptions) -> Result<Self> {
        let mut problems = Vec::new();
        let manifest_file = Path::new("kb.yaml");
        let Some(manifest) = parse_yaml::<Manifest>(&source, "kb.yaml", &mut problems) else {
            if source.get("kb.yaml").is_none() {
                problems.push(Diagnostic::file(&source.origin.join(manifest_file), "kb.yaml is missing"));
            }
            return Err(Error::KnowledgeBase(problems));
        };
        checks::check_engine_version(&manifest)?;
        let catalog =
            parse_yaml::<Catalog>(&source, "catalog.yaml", &mut problems).unwrap_or(Catalog { entries: Vec::new() });
        if source.get("catalog.yaml").is_none() {
            problems.push(Diagnostic::file(&source.origin.join("catalog.yaml"), "catalog.yaml is missing"));
        }
        checks::check_limits(&source, &manifest, &mut problems);
        let engine = build_engine(&manifest.limits, &options.helpers);
        let data = Arc::new(FactTree::from_value(&load_data(&source, &mut problems), "data"));
        let schema = match &options.snapshot_schema {
            Some(s) => Some(SnapshotSchema::new(s)?),
            None => None,
        };
        let mut rules = Vec::new();
        let rule_files: HashMap<PathBuf, PathBuf> = source
            .files
            .iter()
            .filter(|f| is_rule_file(&f.path))
            .map(|f| (source.display_path(f), f.path.clone()))
            .collect();
        for file in source.files.iter().filter(|f| is_rule_file(&f.path)) {
            if let Some(rule) = load_rule(&engine, &options.helpers, &source, file, &manifest, &mut problems) {
                rules.push(rule);
            }
        }
        rules.sort_by(|a, b| a.rule.id.value.cmp(&b.rule.id.value));
        let mut engine = engine;
        let mut properties = BTreeSet::new();
        for r in &rules {
            for (_, condition, _) in r.conditions() {
                properties.extend(condition.properties().iter().cloned());
            }
        }
        crate::facts::api::register_properties(&mut engine, properties.iter().map(String::as_str));
        let mut kb = KnowledgeBase {
            engine,
            id: crate::runtime::next_kb_id(),
            manifest,
            catalog,
            index: HashMap::new(),
            rules,
            data,
            schema,
            schema_json: options.snapshot_schema,
            broken: Vec::new(),
            source,
        };
        // A rule that `explains` (or is `replaced_by`) a rule file that failed to load is not
        // broken itself in the lenient tier: only the reference is dropped.
        let failed: BTreeSet<String> = if options.lenient {
            problems.iter().filter_map(|d| rule_files.get(&d.file)).map(|path| rule_id_of(path)).collect()
        } else {
            BTreeSet::new()
        };
        kb.check_references(&mut problems, &failed);
        if !problems.is_empty() {
            problems.sort();
            problems.dedup();
            if !options.lenient || problems.iter().any(|d| !rule_files.contains_key(&d.file)) {
                return Err(Error::KnowledgeBase(problems));
            }
            let mut by_file: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
            for d in problems {
                if let Some(path) = rule_files.get(&d.file) {
                    by_file.entry(path.clone()).or_default().push(d);
                }
            }
            for (path, problems) in by_file {
                kb.rules.retain(|r| r.path != path);
                let head = kb
                    .source
                    .get(&path.to_string_lossy())
                    .and_then(|f| serde_saphyr::from_str::<RuleHead>(&f.text).ok())
                    .unwrap_or_default();
                kb.broken.push(BrokenRule { id: rule_id_of(&path), path, problems, head });
            }
        }
        kb.index = kb.rules.iter().enumerate().map(|(i, r)| (r.id().to_owned(), i)).collect();
        Ok(kb)
    }

    /// Every rule, sorted by id.
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// The rule files the lenient loader left out (always empty after a strict load), sorted by
    /// file.
    pub fn broken_rules(&self) -> &[BrokenRule] {
        &self.broken
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&CompiledRule> {
        self.index.get(id).and_then(|i| self.rules.get(*i))
    }

    /// The knowledge base's version.
    pub fn version(&self) -> &str {
        &self.manifest.kb_version.value
    }

    /// The compiled snapshot schema, if the knowledge base was loaded with one.
    pub fn snapshot_schema(&self) -> Option<&SnapshotSchema> {
        self.schema.as_ref()
    }

    /// Reads a snapshot file, validating it with the knowledge base's snapshot schema.
    pub fn read_snapshot(&self, path: &Path) -> Result<crate::Snapshot> {
        crate::Snapshot::from_path(path, self.schema.as_ref())
    }
}

fn parse_yaml<T: serde::de::DeserializeOwned>(
    source: &KbSource,
    path: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<T> {
    let file = source.get(path)?;
    match serde_saphyr::from_str::<T>(&file.text) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(Diagnostic::yaml(&source.display_path(file), &e));
            None
        }
    }
}

/// A rule file is a YAML file one folder deep, outside `data/`, `baselines/` and `incidents/`
/// (healthy variants live in `baselines/variants/`).
/// The folder of incident variants (`rules/incidents/`): not rule files.
pub const INCIDENTS_DIR: &str = "incidents";

/// A rule file's id: its file name without the extension.
fn rule_id_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn is_rule_file(path: &Path) -> bool {
    let parts: Vec<_> = path.components().collect();
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let top = parts.first().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
    yaml && parts.len() == 2 && top != "data" && top != "baselines" && top != INCIDENTS_DIR
}

/// Reference data: each `data/<name>.yaml` becomes `data.<name>`.
fn load_data(source: &KbSource, problems: &mut Vec<Diagnostic>) -> Value {
    let mut data = serde_json::Map::new();
    for file in source.files.iter().filter(|f| f.path.starts_with("data")) {
        let name = file.path.file_stem().map(|s| s.to_string_lossy().replace('-', "_")).unwrap_or_default();
        match serde_saphyr::from_str::<Value>(&file.text) {
            Ok(v) => {
                data.insert(name, v);
            }
            Err(e) => problems.push(Diagnostic::yaml(&source.display_path(file), &e)),
        }
    }
    Value::Object(data)
}

fn load_rule(
    engine: &Engine,
    extensions: &[crate::extension::Helpers],
    source: &KbSource,
    file: &SourceFile,
    manifest: &Manifest,
    problems: &mut Vec<Diagnostic>,
) -> Option<CompiledRule> {
    let shown = source.display_path(file);
    let rule: Rule = match serde_saphyr::from_str(&file.text) {
        Ok(r) => r,
        Err(e) => {
            problems.push(Diagnostic::yaml(&shown, &e));
            return None;
        }
    };
    let area = file.path.parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = file.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let id = &rule.id;
    if !is_kebab(&id.value) {
        problems.push(Diagnostic::spanned(&shown, id, format!("`id`: `{}` is not kebab-case", id.value)));
    }
    for tag in &rule.tags {
        if !is_kebab(&tag.value) {
            problems.push(Diagnostic::spanned(&shown, tag, format!("`tags`: `{}` is not kebab-case", tag.value)));
        }
    }
    if stem != id.value {
        problems.push(Diagnostic::spanned(
            &shown,
            id,
            format!("`id`: `{}` differs from the file name `{stem}`", id.value),
        ));
    }
    if !manifest.areas.is_empty() && !manifest.areas.contains(&area) {
        problems.push(Diagnostic::file(&shown, format!("folder `{area}` is not an area listed in kb.yaml")));
    }
    if !is_semver(&rule.version.value) {
        problems.push(Diagnostic::spanned(
            &shown,
            &rule.version,
            format!("`version`: `{}` is not MAJOR.MINOR.PATCH", rule.version.value),
        ));
    }
    for product in &rule.products {
        if !manifest.products.is_empty() && !manifest.products.contains(&product.value) {
            problems.push(Diagnostic::spanned(
                &shown,
                product,
                format!("`products`: `{}` is not a product listed in kb.yaml", product.value),
            ));
        }
    }
    let mut compile_one =
        |field: &str, text: &Located<String>| match compile::compile_condition(engine, &shown, &file.text, field, text)
        {
            Ok(ast) => Some(ast),
            Err(d) => {
                problems.push(d);
                None
            }
        };
    let applies_when = rule.applies_when.as_ref().map(|a| compile_one("applies_when", a));
    let when = compile_one("when", &rule.when);
    let message = rule.message.as_ref().map(|m| match compile::compile_message(engine, &shown, &file.text, m) {
        Ok(ast) => Some(ast),
        Err(d) => {
            problems.push(d);
            None
        }
    });
    let (Some(when), Some(applies_when), Some(message)) =
        (when, applies_when.map_or(Some(None), |a| a.map(Some)), message.map_or(Some(None), |m| m.map(Some)))
    else {
        return None;
    };
    Some(CompiledRule {
        rule,
        area,
        path: file.path.clone(),
        applies_when: applies_when.map(|ast| CompiledCondition::new(ast, Some(extensions), 0)),
        when: CompiledCondition::new(when, Some(extensions), 0),
        message: message.map(|ast| CompiledCondition::new(ast, None, 1)),
    })
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

fn is_semver(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}
