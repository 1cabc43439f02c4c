//! The rule file model (`rules/<area>/<id>.yaml`). Unknown fields are refused; spans are kept on the
//! values later checks point at.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
/// A value with the line and column it came from in its YAML file (1-based; 0 when it was not read
/// from a file).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its line.
    pub line: u64,
    /// Its column.
    pub column: u64,
}

impl<T> Located<T> {
    /// A value not read from a file (line and column 0).
    pub fn unlocated(value: T) -> Self {
        Located { value, line: 0, column: 0 }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The YAML reader's own spanned value, turned into one of the engine's.
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let at = spanned.referenced;
        Ok(Located { value: spanned.value, line: at.line(), column: at.column() })
    }
}

impl<T: Serialize> Serialize for Located<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(serializer)
    }
}

impl<T: JsonSchema> JsonSchema for Located<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// One knowledge-base rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "syncdoctor rule", description = "One rule of the knowledge base: rules/<area>/<id>.yaml")]
pub struct Rule {
    /// Kebab-case identifier, unique and stable forever; equals the file name.
    #[schemars(with = "String", regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub id: Located<String>,
    /// Semantic version; bump it whenever `when`, `applies_when` or the rule's meaning changes.
    #[schemars(with = "String", regex(pattern = r"^\d+\.\d+\.\d+$"))]
    pub version: Located<String>,
    /// Maturity of the rule.
    pub status: Status,
    /// For a deprecated rule: the rule that replaces it.
    #[serde(default)]
    pub replaced_by: Option<String>,
    /// One-line title, stated as the problem.
    pub title: String,
    /// Products the rule applies to; it is `skipped` when the snapshot names none of them.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub products: Vec<Located<String>>,
    /// How bad the problem is when present.
    pub severity: Severity,
    /// Catalog slugs this rule detects.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub covers: Vec<Located<String>>,
    /// What the user sees.
    pub symptom: String,
    /// Why it happens.
    pub cause: String,
    /// Optional Rhai condition; when false the rule is `skipped`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub applies_when: Option<Located<String>>,
    /// Rhai condition: a bool, or an array of affected items (non-empty means the problem is present).
    #[schemars(with = "String")]
    pub when: Located<String>,
    /// Message template for a match; `${expr}` interpolates a Rhai expression (e.g. a fact).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub message: Option<Located<String>>,
    /// Fact paths (relative to `facts`) whose values the report shows as evidence.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub evidence: Vec<Located<String>>,
    /// Rules whose findings this one is the deeper cause of.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub explains: Vec<Located<String>>,
    /// How to fix it.
    pub resolution: Resolution,
    /// Where the knowledge comes from.
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Free labels for selecting rules (`--only TAG`, `--skip TAG`), kebab-case.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub tags: Vec<Located<String>>,
    /// Tests run by `syncdoctor rules test`.
    #[serde(default)]
    pub tests: Vec<RuleTest>,
}

/// Maturity of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// New; may change or produce false positives.
    Experimental,
    /// Reviewed and tested.
    Stable,
    /// Kept for compatibility; see `replaced_by`.
    Deprecated,
}

/// Severity of a finding, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Synchronization is fully stopped.
    Critical,
    /// Partial outage or data not flowing.
    Error,
    /// Degraded, object-level or about to break.
    Warning,
    /// Advisory or preventive.
    Info,
}

impl Severity {
    /// The lower-case name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Every severity, most severe first.
    pub const ALL: [Severity; 4] = [Severity::Critical, Severity::Error, Severity::Warning, Severity::Info];
}

/// How to fix the problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// One or two sentences.
    pub summary: String,
    /// Ordered steps.
    #[serde(default)]
    pub steps: Vec<String>,
    /// Commands that help, with their shell.
    #[serde(default)]
    pub commands: Vec<Command>,
}

/// A command that helps resolve a problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// Shell: `powershell`, `cmd`, `bash`…
    pub shell: String,
    /// The command line.
    pub run: String,
}

/// A source document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The document's title.
    pub title: String,
    /// Its address.
    pub url: String,
}

/// Outcome a rule test expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The problem is present.
    Match,
    /// The problem is absent.
    Pass,
    /// The rule does not apply to this snapshot.
    Skipped,
    /// A fact the rule needs was not gathered (or is null).
    Inconclusive,
    /// The condition failed or hit a sandbox limit.
    Error,
    /// The problem is present but a waiver accepts it (given only by
    /// [`KnowledgeBase::apply_waivers`](crate::KnowledgeBase::apply_waivers), never by evaluation).
    Waived,
}

impl Outcome {
    /// The lower-case name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Match => "match",
            Outcome::Pass => "pass",
            Outcome::Skipped => "skipped",
            Outcome::Inconclusive => "inconclusive",
            Outcome::Error => "error",
            Outcome::Waived => "waived",
        }
    }

    /// Every outcome evaluation gives (`Waived` comes from waivers, after evaluation).
    pub const ALL: [Outcome; 5] =
        [Outcome::Match, Outcome::Pass, Outcome::Skipped, Outcome::Inconclusive, Outcome::Error];
}

/// One rule test: a baseline, changes to its facts, and the expected outcome.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    /// What the test shows.
    pub name: String,
    /// Baseline snapshot (`rules/baselines/<name>.json`); defaults to the previous test's, else the
    /// rule's first product that has one.
    #[serde(default)]
    pub baseline: Option<String>,
    /// JSON merge patch (RFC 7396) applied to the baseline's `facts`.
    #[serde(default)]
    pub patch: Option<serde_json::Value>,
    /// Facts to set, by dotted path (relative to `facts`, `[n]` for elements), after the patch;
    /// `null` sets a fact to "gathered, value unknown".
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub set: BTreeMap<String, serde_json::Value>,
    /// Fact paths (relative to `facts`, `[n]` for elements) removed after patching.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Override of the snapshot's `collected_at`.
    #[serde(default)]
    pub collected_at: Option<String>,
    /// Expected outcome.
    pub expect: Outcome,
    /// Expected number of affected items, for rules that return a list.
    #[serde(default)]
    pub affected: Option<usize>,
}

/// Free-form string map used by the manifest.
pub type Labels = BTreeMap<String, String>;
