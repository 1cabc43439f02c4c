//! Command-line interface definition (clap derive). Every verb's help ends with examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Diagnose why Microsoft Entra ID directory synchronization is broken.
///
/// syncdoctor evaluates a knowledge base of rules (Entra Connect Sync, cloud sync and its
/// provisioning agent, DirSync/AADSync) against a snapshot of facts gathered from the sync
/// server, Active Directory, Microsoft Graph and the network, and reports every documented cause
/// it finds, with the fix.
#[derive(Debug, Parser)]
#[command(name = "syncdoctor", version, propagate_version = true, max_term_width = 100)]
#[command(
    after_help = "Examples:\n  syncdoctor diagnose examples/expired-service-account-password.json\n  syncdoctor diagnose snapshot.json --format json --min-severity error\n  syncdoctor rules test --coverage\n  syncdoctor explain service-account-password-expired snapshot.json\n\nExit codes: 0 no problem at or above the threshold, 1 problems found (or tests/lint failed), 2 bad input or usage."
)]
pub struct Cli {
    /// Knowledge base folder to use instead of the bundled one.
    #[arg(long, global = true, value_name = "DIR", env = "SYNCDOCTOR_RULES")]
    pub rules: Option<PathBuf>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose one snapshot: evaluate every rule and report what is wrong.
    #[command(
        after_help = "Examples:\n  syncdoctor diagnose snapshot.json\n  syncdoctor diagnose - < snapshot.json\n  syncdoctor diagnose snapshot.json --format junit > report.xml\n  syncdoctor diagnose snapshot.json --all --format markdown\n\nExit codes: 0 no match at or above --min-severity, 1 some, 2 bad input or usage."
    )]
    Diagnose(DiagnoseArgs),
    /// Run probes and write a snapshot (atomically).
    #[command(
        after_help = "Examples:\n  syncdoctor collect -o snapshot.json\n  syncdoctor collect --probe network --probe ldap --config syncdoctor.yaml -o -"
    )]
    Collect(CollectArgs),
    /// Work with the knowledge base: list, show, lint, test, scaffold and document rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Diagnose many snapshots in parallel (folders, files, NDJSON streams).
    #[command(
        after_help = "Examples:\n  syncdoctor replay tests/scenarios --format junit\n  syncdoctor replay fleet/ --against-rules ../rules-pr/rules\n  syncdoctor replay fleet.ndjson --expect expected/\n  SYNCDOCTOR_UPDATE_EXPECT=1 syncdoctor replay fleet/ --expect expected/\n  cat fleet.ndjson | syncdoctor replay -\n\nOutput (--format json): one line per snapshot, {\"source\": NAME, \"report\": REPORT} or {\"source\": NAME, \"error\": MESSAGE}; with --against-rules each line also has \"changes\". A summary goes to standard error.\n\nExit codes: 0 no snapshot matched a rule, 1 some matched (or --expect found a difference), 2 bad input (every other snapshot is still replayed)."
    )]
    Replay(ReplayArgs),
    /// Print a JSON Schema: rule files, snapshots, reports, the KB manifest or the collect configuration.
    #[command(
        after_help = "Examples:\n  syncdoctor schema snapshot > snapshot.schema.json\n  syncdoctor schema rule\n  syncdoctor schema config > config.schema.json"
    )]
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        which: SchemaKind,
    },
    /// Show how one rule reached its outcome on a snapshot: facts read, variables, sub-expressions.
    #[command(after_help = "Examples:\n  syncdoctor explain adsync-service-stopped snapshot.json")]
    Explain {
        /// The rule id.
        rule_id: String,
        /// The snapshot (`-` for standard input).
        snapshot: PathBuf,
    },
}

/// Arguments of `diagnose`.
#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// Snapshot file (JSON or YAML); `-` reads standard input.
    pub snapshot: Option<PathBuf>,
    /// Collect a snapshot on this machine first, then diagnose it.
    #[arg(long)]
    pub collect: bool,
    /// With --collect: probe to run (repeatable); all by default.
    #[arg(long = "probe", value_name = "ID", requires = "collect")]
    pub probes: Vec<String>,
    /// With --collect: the collect configuration file.
    #[arg(long, value_name = "FILE", requires = "collect")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only report (and fail on) matches at or above this severity.
    #[arg(long, value_enum, default_value_t = SeverityArg::Info)]
    pub min_severity: SeverityArg,
    /// Also report rules that passed or were skipped.
    #[arg(long)]
    pub all: bool,
    /// Print the slowest rules with their time to standard error.
    #[arg(long)]
    pub profile: bool,
}

/// Arguments of `collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// Probe to run (repeatable; `windows` selects every `windows.*` probe); all by default.
    #[arg(long = "probe", value_name = "ID")]
    pub probes: Vec<String>,
    /// Configuration file (tenant, credentials source, LDAP server, endpoints, proxy).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where to write the snapshot (atomically); `-` or nothing for standard output.
    #[arg(short, long, value_name = "SNAPSHOT")]
    pub output: Option<PathBuf>,
}

/// Arguments of `replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Snapshot files, folders or NDJSON streams (`-` for standard input).
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReplayFormat::Json)]
    pub format: ReplayFormat,
    /// Compare each report with a stored one.
    #[arg(long, value_name = "DIR")]
    pub expect: Option<PathBuf>,
    /// Also evaluate with another knowledge base and show what changes.
    #[arg(long, value_name = "DIR")]
    pub against_rules: Option<PathBuf>,
    /// Print the slowest rules over the whole corpus (time and runs) to standard error.
    #[arg(long)]
    pub profile: bool,
    /// Worker threads (all cores by default).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// `rules` sub-commands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules.
    #[command(after_help = "Examples:\n  syncdoctor rules list\n  syncdoctor --rules ./rules rules list")]
    List,
    /// Print one rule file.
    #[command(after_help = "Examples:\n  syncdoctor rules show adsync-service-stopped")]
    Show {
        /// The rule id.
        id: String,
    },
    /// Check every rule: schema, ids, catalog slugs, explains graph, fact paths, conditions, tests.
    #[command(
        after_help = "Examples:\n  syncdoctor rules lint\n  syncdoctor --rules ./rules rules lint --base origin/main\n\nExit codes: 0 clean, 1 problems found, 2 the knowledge base could not be read."
    )]
    Lint {
        /// Also fail when a rule's condition changed since this git revision without a version bump.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
    },
    /// Run rule tests (each rule's `tests:` and the healthy-baseline checks).
    #[command(
        after_help = "Examples:\n  syncdoctor rules test\n  syncdoctor rules test adsync-service-stopped --coverage\n\nA failing test prints the explain trace of the rule on the test's snapshot."
    )]
    Test {
        /// Only these rules.
        ids: Vec<String>,
        /// Print catalog coverage.
        #[arg(long)]
        coverage: bool,
    },
    /// Create a rule file from a template.
    #[command(after_help = "Examples:\n  syncdoctor rules new service/adsync-service-disabled")]
    New {
        /// `AREA/ID`.
        name: String,
    },
    /// Write the rule catalog documentation (one page per rule and an index).
    #[command(after_help = "Examples:\n  syncdoctor rules docs\n  syncdoctor rules docs --out /tmp/rule-docs")]
    Docs {
        /// Output folder.
        #[arg(long, default_value = "docs/rules")]
        out: PathBuf,
    },
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For a person (colour on a terminal).
    Human,
    /// The report contract, for programs.
    Json,
    /// For tickets and pull requests.
    Markdown,
    /// For CI test reports.
    Junit,
}

/// Replay output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// NDJSON reports.
    Json,
    /// JUnit, one test case per snapshot.
    Junit,
}

/// Severity threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    /// Critical only.
    Critical,
    /// Error and above.
    Error,
    /// Warning and above.
    Warning,
    /// Everything.
    Info,
}

impl From<SeverityArg> for syncdoctor_engine::Severity {
    fn from(s: SeverityArg) -> Self {
        match s {
            SeverityArg::Critical => Self::Critical,
            SeverityArg::Error => Self::Error,
            SeverityArg::Warning => Self::Warning,
            SeverityArg::Info => Self::Info,
        }
    }
}

/// Which schema to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// Rule files.
    Rule,
    /// Fact snapshots.
    Snapshot,
    /// Reports.
    Report,
    /// The knowledge base manifest (kb.yaml).
    Kb,
    /// The `collect` configuration file.
    Config,
}
