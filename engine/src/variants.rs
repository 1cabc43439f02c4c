//! Healthy variants and incidents: the knowledge base's own corpus of legitimate, unusual
//! deployments (`baselines/variants/<name>.yaml`) and of incidents phrased as real data shows
//! them (`incidents/<name>.yaml`). Each one is a healthy baseline changed with the patch
//! machinery of rule tests (`patch`, `set`, `remove`, `collected_at`). `rules test` fails when a
//! rule matches (or errors on) a healthy variant, and when an incident does not give its
//! documented diagnosis.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::kb::KnowledgeBase;
use crate::rule::Located;
use crate::testing::Baselines;

/// The folder of healthy variants, relative to the knowledge base root.
pub const VARIANTS_DIR: &str = "baselines/variants";
/// The folder of incidents, relative to the knowledge base root.
pub const INCIDENTS_DIR: &str = "incidents";

/// A legitimate, unusual deployment: a healthy baseline changed so that it still works as
/// Microsoft documents it. No rule may match it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "syncdoctor healthy variant",
    description = "A legitimate, unusual deployment: rules/baselines/variants/<name>.yaml"
)]
pub struct VariantFile {
    /// The healthy baseline it changes (`baselines/<base>.json`: `connect-sync`, `cloud-sync`, `dirsync`).
    #[schemars(with = "String")]
    pub base: Located<String>,
    /// One line: what makes this deployment legitimate, and the document that says so (a
    /// learn.microsoft.com URL or a seed file name).
    #[schemars(with = "String")]
    pub note: Located<String>,
    /// JSON merge patch (RFC 7396) applied to the baseline's `facts`.
    #[serde(default)]
    pub patch: Option<Value>,
    /// Facts to set, by dotted path (relative to `facts`, `[n]` for elements), after the patch.
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
    /// Fact paths (relative to `facts`, `[n]` for elements) removed after patching.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Override of the snapshot's `collected_at`.
    #[serde(default)]
    pub collected_at: Option<String>,
}

/// An incident phrased as real data shows it, with the diagnosis it must give.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "syncdoctor incident",
    description = "An incident phrased as real data shows it, and its documented diagnosis: rules/incidents/<name>.yaml"
)]
pub struct IncidentFile {
    /// The healthy baseline it changes (`baselines/<base>.json`).
    #[schemars(with = "String")]
    pub base: Located<String>,
    /// One line: what happened, and the document that describes the symptom (a
    /// learn.microsoft.com URL or a seed file name).
    #[schemars(with = "String")]
    pub note: Located<String>,
    /// JSON merge patch (RFC 7396) applied to the baseline's `facts`.
    #[serde(default)]
    pub patch: Option<Value>,
    /// Facts to set, by dotted path, after the patch.
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
    /// Fact paths removed after patching.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Override of the snapshot's `collected_at`.
    #[serde(default)]
    pub collected_at: Option<String>,
    /// Rules that must match, each optionally nested under the rule that explains it.
    pub expect: Vec<IncidentExpectation>,
    /// Rules that must not match (a wrong diagnosis this incident is easily mistaken for).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub must_not_match: Vec<Located<String>>,
}

/// One rule an incident must match.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentExpectation {
    /// The rule id that must match.
    #[schemars(with = "String")]
    pub rule: Located<String>,
    /// The matched rule whose finding this one must be nested under in the report (a rule that
    /// `explains` it); absent when the finding may stand anywhere.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub under: Option<Located<String>>,
}

/// A loaded healthy variant or incident.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The file's name without extension.
    pub name: String,
    /// The file, relative to the knowledge base root.
    pub path: PathBuf,
    /// The parsed file.
    pub file: T,
}

/// The knowledge base's healthy variants and incidents.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// `baselines/variants/*.yaml`.
    pub variants: Vec<Loaded<VariantFile>>,
    /// `incidents/*.yaml`.
    pub incidents: Vec<Loaded<IncidentFile>>,
}

/// Whether a note names its source: a URL or a seed file (`NNN_<16 hex>.txt`).
fn cites_a_source(note: &str) -> bool {
    note.contains("https://")
        || note.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).any(|w| {
            let Some((n, rest)) = w.split_once('_') else { return false };
            let Some(hex) = rest.strip_suffix(".txt") else { return false };
            n.len() == 3 && n.chars().all(|c| c.is_ascii_digit()) && hex.len() == 16 && hex.chars().all(|c| c.is_ascii_hexdigit())
        })
}

fn in_folder(path: &std::path::Path, folder: &str) -> bool {
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    yaml && path.parent().is_some_and(|p| p == std::path::Path::new(folder))
}

impl KnowledgeBase {
    /// Reads and checks the healthy variants and incidents. Every problem is reported at once,
    /// located at its file, line and column: malformed YAML, an unknown field, an unknown base or
    /// rule, a note that is not one line naming its source, an `under` rule that does not
    /// explain the expected one.
    pub fn corpus(&self, baselines: &Baselines) -> Result<Corpus, Vec<Diagnostic>> {
        let mut corpus = Corpus::default();
        let mut problems = Vec::new();
        for file in &self.source.files {
            let shown = self.source.display_path(file);
            let name = file.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if in_folder(&file.path, VARIANTS_DIR) {
                match serde_saphyr::from_str::<VariantFile>(&file.text) {
                    Ok(v) => {
                        check_common(&shown, &v.base, &v.note, baselines, &mut problems);
                        corpus.variants.push(Loaded { name, path: file.path.clone(), file: v });
                    }
                    Err(e) => problems.push(Diagnostic::yaml(&shown, &e)),
                }
            } else if in_folder(&file.path, INCIDENTS_DIR) {
                match serde_saphyr::from_str::<IncidentFile>(&file.text) {
                    Ok(i) => {
                        check_common(&shown, &i.base, &i.note, baselines, &mut problems);
                        self.check_incident(&shown, &i, &mut problems);
                        corpus.incidents.push(Loaded { name, path: file.path.clone(), file: i });
                    }
                    Err(e) => problems.push(Diagnostic::yaml(&shown, &e)),
                }
            }
        }
        if problems.is_empty() { Ok(corpus) } else { Err(problems) }
    }

    fn check_incident(&self, shown: &std::path::Path, incident: &IncidentFile, problems: &mut Vec<Diagnostic>) {
        if incident.expect.is_empty() {
            problems.push(Diagnostic::spanned(shown, &incident.base, "`expect`: name at least one rule that must match"));
        }
        for e in &incident.expect {
            if self.rule(&e.rule.value).is_none() {
                problems.push(Diagnostic::spanned(shown, &e.rule, format!("`expect`: no rule has id `{}`", e.rule.value)));
            }
            if let Some(parent) = &e.under {
                match self.rule(&parent.value) {
                    None => problems.push(Diagnostic::spanned(
                        shown,
                        parent,
                        format!("`under`: no rule has id `{}`", parent.value),
                    )),
                    Some(p) if !p.rule.explains.iter().any(|x| x.value == e.rule.value) => {
                        problems.push(Diagnostic::spanned(
                            shown,
                            parent,
                            format!("`under`: rule `{}` does not explain `{}`", parent.value, e.rule.value),
                        ))
                    }
                    Some(_) => {}
                }
                if !incident.expect.iter().any(|o| o.rule.value == parent.value) {
                    problems.push(Diagnostic::spanned(
                        shown,
                        parent,
                        format!("`under`: `{}` must itself be expected to match", parent.value),
                    ));
                }
            }
        }
        for id in &incident.must_not_match {
            if self.rule(&id.value).is_none() {
                problems.push(Diagnostic::spanned(shown, id, format!("`must_not_match`: no rule has id `{}`", id.value)));
            }
            if incident.expect.iter().any(|e| e.rule.value == id.value) {
                problems.push(Diagnostic::spanned(shown, id, format!("`{}` is both expected and refused", id.value)));
            }
        }
    }
}

fn check_common(
    shown: &std::path::Path,
    base: &Located<String>,
    note: &Located<String>,
    baselines: &Baselines,
    problems: &mut Vec<Diagnostic>,
) {
    if !baselines.contains_key(&base.value) {
        let known: Vec<&str> = baselines.keys().map(String::as_str).collect();
        problems.push(Diagnostic::spanned(
            shown,
            base,
            format!("`base`: no baseline `{}` (known: {})", base.value, known.join(", ")),
        ));
    }
    let text = note.value.trim();
    if text.is_empty() || text.contains('\n') {
        problems.push(Diagnostic::spanned(shown, note, "`note`: write one line"));
    } else if !cites_a_source(text) {
        problems.push(Diagnostic::spanned(
            shown,
            note,
            "`note`: name the document that says so (a https:// URL or a seed file NNN_<hex>.txt)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::cites_a_source;

    #[test]
    fn a_note_names_a_url_or_a_seed_file() {
        assert!(cites_a_source("see https://learn.microsoft.com/x"));
        assert!(cites_a_source("seed 012_0123456789abcdef.txt says so"));
        assert!(!cites_a_source("trust me"));
        assert!(!cites_a_source("12_0123456789abcdef.txt"));
    }
}
