//! The `import` probe: offline exports taken elsewhere, turned into facts.
//!
//! | input | facts |
//! |---|---|
//! | LDIF exports (`ldifde -f users.ldf -r "(objectClass=user)"`, also `ldifde -u` UTF-16LE with BOM; `ldapsearch` with or without `-LLL`) | `ad.users[]`, `ad.groups[]` (with `member_count` from the `member` values) |
//! | bundles written by `probes/windows/collect.ps1` | what the `windows.*` probes gather, read by the same parsers ([`crate::windows`]) |
//! | IdFix CSV exports (Export → CSV in IdFix; see [`idfix`]) | `dataquality.*` (`source: idfix-csv`): findings, counts per category, duplicates per attribute |
//!
//! Paths come from the `import` section of the configuration; without one the probe is
//! `skipped`. An unreadable or malformed file makes it `partial` (other files still count) or
//! `failed` (none could be read).

pub mod idfix;
pub mod ldif;

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ad_objects::{self, ObjectKind};
use crate::error::ProbeError;
use crate::facts::Facts;
use crate::facts::ad::Ad;
use crate::probe::{FactTree, Probe, ProbeContext, fact_tree};
use crate::registry::merge_into;
use crate::secret::resolve;
use crate::windows::{self, Area, Bundle};

/// The `import` section of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    /// LDIF exports of users and groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ldif: Vec<PathBuf>,
    /// Bundles written by `probes/windows/collect.ps1` on the sync or agent host.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows_bundle: Vec<PathBuf>,
    /// IdFix CSV exports (IdFix → Export → CSV).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub idfix: Vec<PathBuf>,
}

impl ImportConfig {
    /// Makes relative paths relative to `base` (the configuration file's folder).
    pub fn resolve_relative_to(&mut self, base: &Path) {
        for path in self.ldif.iter_mut().chain(self.windows_bundle.iter_mut()).chain(self.idfix.iter_mut()) {
            *path = resolve(base, path);
        }
    }

    fn is_empty(&self) -> bool {
        self.ldif.is_empty() && self.windows_bundle.is_empty() && self.idfix.is_empty()
    }
}

/// The `import` probe.
#[derive(Debug, Clone)]
pub struct ImportProbe {
    config: Option<ImportConfig>,
}

impl ImportProbe {
    /// A probe importing what the configuration names.
    #[must_use]
    pub fn new(config: Option<ImportConfig>) -> Self {
        Self { config }
    }
}

impl Probe for ImportProbe {
    fn id(&self) -> &str {
        "import"
    }

    fn kind(&self) -> &str {
        "import"
    }

    fn provides(&self) -> &[&str] {
        &["ad.users", "ad.groups", "services", "connect", "host", "user_rights", "eventlog", "dataquality"]
    }

    fn collect(&self, _cx: &ProbeContext) -> Result<FactTree, ProbeError> {
        let Some(config) = self.config.as_ref().filter(|c| !c.is_empty()) else {
            return Err(ProbeError::NotConfigured("no `import` section naming exports".into()));
        };
        let mut problems = Vec::new();
        let mut ad = Ad::default();
        let mut read_any = false;
        for path in &config.ldif {
            match import_ldif(path, &mut ad) {
                // The entries read before a problem are kept, and count as read.
                Ok(problem) => {
                    read_any = true;
                    problems.extend(problem.map(|p| format!("{}: {p}", path.display())));
                }
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
        let facts = if ad == Ad::default() { Facts::default() } else { Facts { ad: Some(ad), ..Facts::default() } };
        let mut tree = fact_tree(&facts)?;
        for path in &config.windows_bundle {
            match import_bundle(path) {
                Ok((bundle_tree, bundle_problems)) => {
                    read_any = true;
                    merge_into(&mut tree, bundle_tree);
                    problems.extend(bundle_problems.into_iter().map(|p| format!("{}: {p}", path.display())));
                }
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
        let mut findings = Vec::new();
        let mut idfix_read = false;
        for path in &config.idfix {
            match idfix::import_idfix(path) {
                Ok(read) => {
                    read_any = true;
                    idfix_read = true;
                    findings.extend(read.findings);
                    problems.extend(read.problems.into_iter().map(|p| format!("{}: {p}", path.display())));
                }
                Err(e) => problems.push(format!("{}: {e}", path.display())),
            }
        }
        if idfix_read {
            let facts = Facts { dataquality: Some(idfix::data_quality(findings)), ..Facts::default() };
            merge_into(&mut tree, fact_tree(&facts)?);
        }
        match (problems.is_empty(), read_any) {
            (true, _) => Ok(tree),
            (false, true) => Err(ProbeError::Partial { facts: Box::new(tree), reason: problems.join("; ") }),
            (false, false) => Err(ProbeError::Other(problems.join("; "))),
        }
    }
}

/// The facts of a `collect.ps1` bundle: every area whose commands it holds, through the same
/// parsers as the live `windows.*` probes; and the problems met.
///
/// # Errors
///
/// The file cannot be read or is not a bundle.
pub fn import_bundle(path: &Path) -> Result<(FactTree, Vec<String>), String> {
    let text = syncdoctor_engine::text_file::read_located(path, syncdoctor_engine::text_file::max_bytes())
        .map_err(|d| d.to_string())?;
    let bundle = Bundle::parse(&text)?;
    let mut tree = FactTree::new();
    let mut problems = Vec::new();
    for area in Area::ALL {
        if !area.commands().iter().any(|c| bundle.outputs.contains_key(c.key)) {
            continue;
        }
        let (facts, area_problems) = windows::assemble(area, &bundle.outputs, bundle.host.as_deref());
        problems.extend(area_problems);
        merge_into(&mut tree, fact_tree(&facts).map_err(|e| e.to_string())?);
    }
    Ok((tree, problems))
}

/// An LDIF file as a reader of UTF-8 text: UTF-8 (with or without BOM) is streamed;
/// UTF-16 with a BOM (what `ldifde -u` writes: UTF-16LE, `FF FE`) is decoded first.
///
/// # Errors
///
/// The file cannot be opened or is not a regular file, or its UTF-16 is malformed.
pub fn open_ldif(path: &Path) -> Result<Box<dyn BufRead>, String> {
    // `/dev/zero` or a FIFO would never end: only regular files are read.
    if !std::fs::metadata(path).map_err(|e| e.to_string())?.is_file() {
        return Err("not a regular file (a pipe, socket or device): give the path of an LDIF export".into());
    }
    let mut file = BufReader::new(File::open(path).map_err(|e| e.to_string())?);
    let head = file.fill_buf().map_err(|e| e.to_string())?;
    let utf16 = match head {
        [0xFF, 0xFE, ..] => Some(u16::from_le_bytes as fn([u8; 2]) -> u16),
        [0xFE, 0xFF, ..] => Some(u16::from_be_bytes as fn([u8; 2]) -> u16),
        _ => None,
    };
    if let Some(decode) = utf16 {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        let units: Vec<u16> =
            bytes.get(2..).unwrap_or_default().chunks(2).map(|c| decode([c[0], *c.get(1).unwrap_or(&0)])).collect();
        let text = String::from_utf16(&units).map_err(|e| format!("not UTF-16 text: {e}"))?;
        return Ok(Box::new(Cursor::new(text.into_bytes())));
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        file.consume(3);
    }
    Ok(Box::new(file))
}

/// Adds the users and groups of one LDIF file to `ad` (both lists exist afterwards, maybe empty);
/// returns what made the file incomplete: a malformed entry (the entries before it are kept) or
/// a trailer saying so (`result:` other than `0 Success`).
///
/// # Errors
///
/// The file cannot be opened or decoded: nothing was read.
pub fn import_ldif(path: &Path, ad: &mut Ad) -> Result<Option<String>, String> {
    let input = open_ldif(path)?;
    let users = ad.users.get_or_insert_with(Vec::new);
    let mut groups = ad.groups.take().unwrap_or_default();
    let mut failure = None;
    let mut reader = ldif::LdifReader::new(input);
    for entry in reader.by_ref() {
        match entry {
            Ok(entry) => match entry.kind() {
                ObjectKind::User => users.push(ad_objects::user(&entry)),
                ObjectKind::Group => groups.push(ad_objects::group(&entry)),
                ObjectKind::Other => {}
            },
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    ad.groups = Some(groups);
    Ok(failure.or_else(|| reader.incomplete().map(str::to_owned)))
}
