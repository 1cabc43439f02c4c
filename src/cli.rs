//! Command-line interface definition (clap derive). Every verb's help ends with examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// How many affected items the human and Markdown views list by default.
pub const DEFAULT_MAX_ITEMS: usize = 5;

/// Diagnose why Microsoft Entra ID directory synchronization is broken.
///
/// syncdoctor evaluates a knowledge base of rules (Entra Connect Sync, cloud sync and its
/// provisioning agent, DirSync/AADSync) against a snapshot of facts gathered from the sync
/// server, Active Directory, Microsoft Graph and the network, and reports every documented cause
/// it finds, with the fix.
#[derive(Debug, Parser)]
#[command(name = "syncdoctor", version = crate::version::short(), long_version = crate::version::long())]
#[command(propagate_version = true, max_term_width = 100)]
#[command(
    after_help = "Examples:\n  syncdoctor diagnose examples/expired-service-account-password.json\n  syncdoctor diagnose snapshot.json --format html > report.html\n  syncdoctor diagnose snapshot.json --format json --min-severity error\n  syncdoctor rules test --coverage\n  syncdoctor explain service-account-password-expired snapshot.json\n  syncdoctor completions bash > ~/.local/share/bash-completion/completions/syncdoctor\n  syncdoctor man > syncdoctor.1\n\nExit codes: 0 no problem at or above the threshold, 1 problems found (or tests/lint failed, or a collect probe failed), 2 bad input or usage, 3 nothing could be checked (no rule passed or matched: too little was gathered)."
)]
pub struct Cli {
    /// Knowledge base folder to use instead of the bundled one.
    #[arg(long, global = true, value_name = "DIR", env = "SYNCDOCTOR_RULES")]
    pub rules: Option<PathBuf>,
    /// Refuse a knowledge base in which any rule file has a problem (exit 2), as CI should. Without
    /// it, `diagnose`, `replay`, `explain` and `diff` leave a broken rule file out, warn on standard
    /// error and show the rule as an `error` in the report while every other rule runs; the
    /// authoring verbs (`rules lint|test|mutate|docs`) are always strict.
    #[arg(long, global = true)]
    pub strict: bool,
    /// Largest input file read (snapshot, rules, waivers, imports): bytes, or with a unit such as
    /// 512M or 2G (powers of 1024). A larger file is refused with exit 2 before it is read; a
    /// snapshot needs about 3 to 4 times its size in memory.
    #[arg(long, global = true, value_name = "SIZE", env = "SYNCDOCTOR_MAX_INPUT_SIZE", default_value = "1G", value_parser = syncdoctor_engine::text_file::parse_size)]
    pub max_input_size: u64,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose one snapshot: evaluate every rule and report what is wrong.
    #[command(
        after_help = "Examples:\n  syncdoctor diagnose snapshot.json\n  syncdoctor diagnose - < snapshot.json\n  syncdoctor diagnose snapshot.json --format html > report.html\n  syncdoctor diagnose snapshot.json --format csv > findings.csv\n  syncdoctor diagnose snapshot.json --format junit > report.xml\n  syncdoctor diagnose snapshot.json --all --format markdown\n  syncdoctor diagnose snapshot.json --min-severity error --all-items\n  syncdoctor diagnose snapshot.json --waivers waivers.yaml --only data-quality --skip info\n\n--min-severity filters every format the same way (nested findings included) and the summary says how many matches it hid.\n\nExit codes: 0 no match at or above --min-severity, 1 some, 2 bad input or usage, 3 nothing could be checked: no rule passed or matched (every rule skipped, inconclusive or in error); standard error then names the missing facts by area and the probes that gather them, and the snapshot's probes that failed or were skipped."
    )]
    Diagnose(DiagnoseArgs),
    /// Run probes and write a snapshot (atomically).
    #[command(
        after_help = "Examples:\n  syncdoctor collect -o snapshot.json\n  syncdoctor collect --probe network --probe ldap --config syncdoctor.yaml -o -\n\nStandard error lists every probe that failed, was partial or was skipped, with the reason. A probe that is configured but cannot run (an unset secret variable, a missing secret file, a bad certificate file) is failed, not skipped.\n\nExit codes: 0 snapshot written and no probe failed, 1 snapshot written but some probe failed, 2 bad usage or configuration, or the snapshot cannot be written."
    )]
    Collect(CollectArgs),
    /// Work with the knowledge base: list, show, lint, test, scaffold and document rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Diagnose many snapshots in parallel (folders, files, NDJSON streams).
    #[command(
        after_help = "Examples:\n  syncdoctor replay tests/scenarios --format junit\n  syncdoctor replay fleet/ --against-rules ../rules-pr/rules\n  syncdoctor replay tests/scenarios --against-rules ../rules-pr/rules --format markdown > impact.md\n  syncdoctor replay fleet/ --waivers waivers.yaml --skip info\n  syncdoctor replay fleet.ndjson --expect expected/\n  SYNCDOCTOR_UPDATE_EXPECT=1 syncdoctor replay fleet/ --expect expected/\n  cat fleet.ndjson | syncdoctor replay -\n\nOutput (--format json): one line per snapshot, {\"source\": NAME, \"report\": REPORT} or {\"source\": NAME, \"error\": MESSAGE}; with --against-rules each line also has \"changes\". A summary goes to standard error.\n\nExit codes: 0 no snapshot matched a rule and each had some rule pass, 1 some matched (or a waiver had expired), 2 bad input (every other snapshot is still replayed), 3 none matched but in some snapshot nothing could be checked (no rule passed or matched; counted in the summary); with --expect: 0 every report equals the stored one, 4 some differ."
    )]
    Replay(ReplayArgs),
    /// Print a JSON Schema: rule files, snapshots, reports, the KB manifest, the collect configuration or waivers.
    #[command(
        after_help = "Examples:\n  syncdoctor schema snapshot > snapshot.schema.json\n  syncdoctor schema rule\n  syncdoctor schema config > config.schema.json\n  syncdoctor schema waivers > waivers.schema.json"
    )]
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        which: SchemaKind,
    },
    /// What changed between two snapshots: the findings that appeared, disappeared or changed,
    /// and the facts that changed (by path; list items matched by their natural key).
    #[command(
        after_help = "Examples:\n  syncdoctor diff last-good.json today.json\n  syncdoctor diff last-good.json today.json --format markdown > ticket.md\n  syncdoctor diff old.json new.json --format json --only data-quality\n\nList items are matched by the first natural key all of them have (id, object_guid, dn, upn, sid,\nconnector+run_number, host+port, name, host, domain…), else by position; lists of plain values are\ncompared as sets.\n\nExit codes: 0 nothing changed, 1 some fact or finding changed, 2 bad input or usage."
    )]
    Diff(DiffArgs),
    /// Pseudonymise a snapshot (keyed, deterministic) so it can be shared or committed: the
    /// findings stay the same, no name, address, DN, SID, GUID, host, IP, tenant or domain does.
    #[command(
        after_help = "Examples:\n  syncdoctor redact snapshot.json -o shared.json --key \"$(openssl rand -hex 32)\"\n  SYNCDOCTOR_REDACT_KEY=our-team-secret syncdoctor redact snapshot.json -o shared.json\n  syncdoctor redact - -o - < snapshot.json > shared.json\n\nThe same key gives byte-identical output; keep it secret to keep the pseudonyms irreversible.\nWithout --key or SYNCDOCTOR_REDACT_KEY a fixed, public default key is used (a warning says so).\nEquality (also ignoring case), lengths, character classes, domain suffixes and their\nroutability (.local stays .local, onmicrosoft.com stays), Microsoft endpoints, SID RIDs,\nGUID-to-immutableId links and IP classes are preserved.\n\nExit codes: 0 written, 2 bad input or usage."
    )]
    Redact(RedactArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Examples:\n  syncdoctor completions bash > ~/.local/share/bash-completion/completions/syncdoctor\n  syncdoctor completions zsh > ~/.zfunc/_syncdoctor\n  syncdoctor completions fish > ~/.config/fish/completions/syncdoctor.fish\n  syncdoctor completions powershell >> $PROFILE"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), with every verb's options and examples.
    #[command(
        after_help = "Examples:\n  syncdoctor man > syncdoctor.1 && man ./syncdoctor.1\n  syncdoctor man diagnose | man -l -\n  syncdoctor man rules lint > syncdoctor-rules-lint.1\n  syncdoctor man --dir /usr/local/share/man/man1   # one page per verb"
    )]
    Man {
        /// The verb whose page to print (`diagnose`, `rules lint`…); the main page when omitted.
        verb: Vec<String>,
        /// Write every page (syncdoctor.1, syncdoctor-diagnose.1, …) into this folder instead.
        #[arg(long, value_name = "DIR", conflicts_with = "verb")]
        dir: Option<PathBuf>,
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
    /// Only report (and fail on) matches at or above this severity, in every format.
    #[arg(long, value_enum, default_value_t = SeverityArg::Info)]
    pub min_severity: SeverityArg,
    /// Affected items listed per finding (human, Markdown and HTML; the JSON and CSV carry all).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_ITEMS, conflicts_with = "all_items")]
    pub max_items: usize,
    /// List every affected item the report carries (up to 50 per finding).
    #[arg(long)]
    pub all_items: bool,
    /// Also report rules that passed or were skipped.
    #[arg(long)]
    pub all: bool,
    /// Print the slowest rules with their time to standard error.
    #[arg(long)]
    pub profile: bool,
    /// Accepted findings (`syncdoctor schema waivers`): a waived match is reported as `waived`
    /// and does not count; an expired waiver is a problem of its own.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Which rules to run.
    #[command(flatten)]
    pub select: SelectArgs,
}

/// Arguments of `redact`.
#[derive(Debug, Args)]
pub struct RedactArgs {
    /// The snapshot to pseudonymise; `-` for standard input.
    pub snapshot: PathBuf,
    /// Where to write the redacted snapshot (atomically); `-` for standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// The secret key of the keyed hash (HMAC-SHA256).
    #[arg(long, env = "SYNCDOCTOR_REDACT_KEY", hide_env_values = true, value_name = "KEY")]
    pub key: Option<String>,
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older snapshot (when it last worked); `-` for standard input.
    pub old: PathBuf,
    /// The newer snapshot; `-` for standard input.
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Which rules' findings to compare.
    #[command(flatten)]
    pub select: SelectArgs,
}

/// `diff` formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For a person.
    Human,
    /// `{old, new, findings: [...], facts: [...]}`, for programs.
    Json,
    /// For a ticket.
    Markdown,
}

/// `--only`/`--skip`: which rules a verb works on.
#[derive(Debug, Clone, Default, Args)]
pub struct SelectArgs {
    /// Only rules whose id, area, severity or tag matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub only: Vec<String>,
    /// Leave out rules whose id, area, severity or tag matches this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub skip: Vec<String>,
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
    /// Accepted findings, applied to every snapshot (see `diagnose --waivers`).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Which rules to run.
    #[command(flatten)]
    pub select: SelectArgs,
}

/// `rules` sub-commands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules.
    #[command(
        after_help = "Examples:\n  syncdoctor rules list\n  syncdoctor rules list --only data-quality --skip info\n  syncdoctor rules list --only 'localdb-*' --format json\n  syncdoctor --rules ./rules rules list"
    )]
    List {
        /// Which rules to list.
        #[command(flatten)]
        select: SelectArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print one rule file.
    #[command(after_help = "Examples:\n  syncdoctor rules show adsync-service-stopped")]
    Show {
        /// The rule id.
        id: String,
    },
    /// Check every rule: schema, ids, catalog slugs, explains graph, fact paths, conditions, tests.
    #[command(
        after_help = "Examples:\n  syncdoctor rules lint\n  syncdoctor --rules ./rules rules lint --base origin/main\n  syncdoctor --rules ./rules rules lint --format sarif > lint.sarif\n  syncdoctor --rules ./rules rules lint --format github   # annotations in a GitHub Actions step\n\nExit codes: 0 clean, 1 problems found, 2 the knowledge base could not be read."
    )]
    Lint {
        /// Also fail when a rule's condition changed since this git revision without a version bump.
        #[arg(long, value_name = "REV")]
        base: Option<String>,
        /// Output format of the problems.
        #[arg(long, value_enum, default_value_t = LintFormat::Human)]
        format: LintFormat,
    },
    /// Run rule tests (each rule's `tests:` and the healthy-baseline checks).
    #[command(
        after_help = "Examples:\n  syncdoctor rules test\n  syncdoctor rules test adsync-service-stopped --coverage\n\nA failing test prints the explain trace of the rule on the test's snapshot."
    )]
    Test {
        /// Only these rules.
        ids: Vec<String>,
        /// Which rules to test.
        #[command(flatten)]
        select: SelectArgs,
        /// Print catalog coverage.
        #[arg(long)]
        coverage: bool,
    },
    /// Mutation testing: change each rule condition in one place at a time and run the rule's tests
    /// against each mutant; a mutant no test notices (a survivor) is a test to write or a clause
    /// to remove.
    #[command(
        after_help = "Examples:\n  syncdoctor rules mutate\n  syncdoctor rules mutate adsync-service-stopped scheduler-disabled\n  syncdoctor rules mutate --format json --min-score 90 > mutants.json\n\nA mutant flips or weakens a comparison (> and >=, < and <=, == and !=), negates a term, drops one\noperand of && or ||, shifts a number by one each way (and to 0), empties a string or shifts a number in it,\nor flips true/false. It is killed when a test of the rule (its tests: and the healthy-baseline checks)\nfails on it, survives when all pass, and is invalid (not counted) when it does not compile.\nScore = killed / (killed + survived).\n\nExit codes: 0 score at or above --min-score, 1 below it (or a rule's tests fail as written), 2 bad usage."
    )]
    Mutate {
        /// Only these rules.
        ids: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: MutateFormat,
        /// Fail (exit 1) when the score over the selected rules is below this percentage.
        #[arg(long, value_name = "PCT")]
        min_score: Option<f64>,
    },
    /// Create a rule file from a template (in `--rules DIR`, else the checkout's `rules/`).
    #[command(
        after_help = "Examples:\n  syncdoctor rules new service/adsync-service-disabled\n  syncdoctor rules new database/localdb-log-full --catalog \"The LocalDB transaction log filled its disk\"\n\nAREA must be one of kb.yaml's `areas`; ID must not be taken. With --catalog, an entry with slug ID is\nadded to catalog.yaml and the new rule covers it.\n\nInside a checkout (a folder whose `rules/kb.yaml` exists, or a parent of it), `rules new|test|lint|docs`\nuse that knowledge base unless --rules says otherwise."
    )]
    New {
        /// `AREA/ID`.
        name: String,
        /// Also add a catalog entry (slug = ID) with this title, and make the rule cover it.
        #[arg(long, value_name = "TITLE")]
        catalog: Option<String>,
    },
    /// Write the rule catalog documentation (one page per rule and an index).
    #[command(after_help = "Examples:\n  syncdoctor rules docs\n  syncdoctor rules docs --out /tmp/rule-docs")]
    Docs {
        /// Output folder.
        #[arg(long, default_value = "docs/rules")]
        out: PathBuf,
        /// Which rules to document: only their pages are written, and the index is left as it is.
        #[command(flatten)]
        select: SelectArgs,
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
    /// One self-contained page for a browser or for printing.
    Html,
    /// One row per finding (nested ones included), for spreadsheets.
    Csv,
}

/// `rules lint` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// `file:line:col: message` lines on standard error.
    Human,
    /// A SARIF 2.1.0 log on standard output (code-scanning upload).
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`) on standard output.
    Github,
}

/// `rules list` formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Human,
    /// One JSON array of rules (id, area, severity, status, version, title, products, tags, covers).
    Json,
}

/// `rules mutate` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MutateFormat {
    /// Per-rule scores and every survivor with its file:line:col, for a person.
    Human,
    /// The whole mutation report (every mutant), for CI.
    Json,
}

/// Replay output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReplayFormat {
    /// NDJSON reports.
    Json,
    /// JUnit, one test case per snapshot.
    Junit,
    /// A summary for a person (totals, matched rules, impact of --against-rules).
    Human,
    /// The same summary as Markdown, ready for a pull-request comment.
    Markdown,
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
    /// Waivers files (`--waivers FILE`).
    Waivers,
    /// Healthy-variant files (`rules/baselines/variants/<name>.yaml`).
    Variant,
    /// Incident files (`rules/incidents/<name>.yaml`).
    Incident,
}
