//! "Nothing could be checked" (exit 3): what a diagnosis lacked, and which probes gather it.
//!
//! A report in which no rule passed or matched ([`Report::nothing_checked`]) is not a clean bill
//! of health: too little was gathered. [`assess`] turns such a report and the snapshot's probe
//! records into an explanation: the facts the inconclusive rules missed most often, grouped by
//! top-level area (`services`, `connect`, `ad`…), the built-in probes that gather each area
//! (from their `provides()` lists), and the probes of the snapshot that failed or were skipped,
//! with their reasons.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use syncdoctor_engine::envelope::{ProbeRun, ProbeStatus};
use syncdoctor_engine::{Outcome, Report};
use syncdoctor_probes::builtin::{self, Defaults};
use syncdoctor_probes::config::CollectConfig;

/// Most areas listed.
pub const MAX_AREAS: usize = 6;
/// Most fact paths listed per area.
pub const MAX_PATHS: usize = 3;

/// Why nothing could be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unchecked {
    /// Rules evaluated.
    pub rules: usize,
    /// Rules per outcome (`skipped`, `inconclusive`, `error`).
    pub outcomes: BTreeMap<String, usize>,
    /// Areas of missing facts, the most needed first.
    pub areas: Vec<MissingArea>,
    /// Probes of the snapshot that gathered nothing or not everything, in snapshot order.
    pub probes: Vec<ProbeNote>,
}

/// Missing facts of one top-level area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingArea {
    /// First segment of the paths, e.g. `services`.
    pub name: String,
    /// Inconclusive rules that missed some fact of the area.
    pub rules: usize,
    /// Paths (list indexes folded to `[]`) and how many rules missed each, the most missed first.
    pub paths: Vec<(String, usize)>,
    /// Built-in probes that gather some of these paths.
    pub probes: Vec<String>,
}

/// A probe of the snapshot that did not gather everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeNote {
    /// Probe id.
    pub id: String,
    /// `failed`, `skipped`, `unsupported` or `partial`.
    pub status: String,
    /// Why, as the probe recorded it.
    pub reason: String,
}

/// The explanation, when nothing in `report` could be checked; `None` when some rule passed or
/// matched. `probes` is the snapshot's `probes` section.
#[must_use]
pub fn assess(report: &Report, probes: &[ProbeRun]) -> Option<Unchecked> {
    if !report.nothing_checked() {
        return None;
    }
    let mut per_path: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for finding in report.all_findings().into_iter().filter(|f| f.outcome == Outcome::Inconclusive) {
        for path in &finding.missing {
            let path = path.strip_prefix("facts.").unwrap_or(path);
            per_path.entry(fold_indexes(path)).or_default().insert(finding.rule_id.as_str());
        }
    }
    let providers = builtin_providers();
    // Per area: the rules that missed something in it, and each path with its rule count.
    type Area<'a> = (BTreeSet<&'a str>, Vec<(String, usize)>);
    let mut by_area: BTreeMap<String, Area<'_>> = BTreeMap::new();
    for (path, rules) in &per_path {
        let entry = by_area.entry(area_of(path).to_owned()).or_default();
        entry.0.extend(rules.iter().copied());
        entry.1.push((path.clone(), rules.len()));
    }
    let mut areas: Vec<MissingArea> = by_area
        .into_iter()
        .map(|(name, (rules, mut paths))| {
            paths.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            // `products` is derived from the services after merging (see the registry).
            let probed: Vec<String> = paths
                .iter()
                .map(|(p, _)| if area_of(p) == "products" { "services".to_owned() } else { p.clone() })
                .collect();
            let mut gatherers: Vec<String> = providers
                .iter()
                .filter(|(_, provides)| probed.iter().any(|p| provides.iter().any(|x| overlaps(p, x))))
                .map(|(id, _)| id.clone())
                .collect();
            gatherers.dedup();
            MissingArea { name, rules: rules.len(), paths, probes: gatherers }
        })
        .collect();
    areas.sort_by(|a, b| b.rules.cmp(&a.rules).then_with(|| a.name.cmp(&b.name)));
    let outcomes = report.summary.outcomes.iter().filter(|(_, n)| **n > 0).map(|(k, n)| (k.clone(), *n)).collect();
    let probes = probes
        .iter()
        .filter(|p| p.status != ProbeStatus::Ok)
        .map(|p| ProbeNote {
            id: p.id.clone(),
            status: p.status.as_str().to_owned(),
            reason: p.error.clone().unwrap_or_else(|| "no reason recorded".to_owned()),
        })
        .collect();
    Some(Unchecked { rules: report.summary.rules, outcomes, areas, probes })
}

impl Unchecked {
    /// The explanation for a person (several lines, for standard error).
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        let outcomes: Vec<String> = self.outcomes.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let _ = writeln!(
            out,
            "syncdoctor: nothing could be checked: none of the {} passed or matched ({}). Too little was gathered; this is not a clean bill of health (exit 3).",
            crate::render::plural(self.rules, "rule"),
            if outcomes.is_empty() { "none evaluated".to_owned() } else { outcomes.join(", ") }
        );
        if self.areas.is_empty() {
            let _ = writeln!(out, "No rule named a missing fact (every rule was skipped or failed: see `--all`).");
        } else {
            let _ = writeln!(out, "Facts the rules needed most, by area:");
            for area in self.areas.iter().take(MAX_AREAS) {
                // A whole namespace missing says it all; otherwise name the paths.
                let inside: Vec<&(String, usize)> = area.paths.iter().filter(|(p, _)| *p != area.name).collect();
                let paths: Vec<String> = inside.iter().take(MAX_PATHS).map(|(p, n)| format!("{p} ({n})")).collect();
                let more = inside.len().saturating_sub(MAX_PATHS);
                let more = if more > 0 { format!(", {more} more") } else { String::new() };
                let whole = area.paths.iter().any(|(p, _)| *p == area.name);
                let what = match (whole, paths.is_empty()) {
                    (true, true) => "not gathered at all".to_owned(),
                    (true, false) => format!("not gathered at all; also {}", paths.join(", ")),
                    (false, _) => paths.join(", "),
                };
                let by = if area.probes.is_empty() {
                    "no built-in probe gathers them (an `exec` extension or an import can)".to_owned()
                } else {
                    format!("gathered by {}", area.probes.join(", "))
                };
                let _ = writeln!(
                    out,
                    "  {} ({}): {what}{more}; {by}",
                    area.name,
                    crate::render::plural(area.rules, "rule")
                );
            }
            let rest: Vec<String> = self
                .areas
                .iter()
                .skip(MAX_AREAS)
                .map(|a| format!("{} ({})", a.name, crate::render::plural(a.rules, "rule")))
                .collect();
            if !rest.is_empty() {
                let _ = writeln!(out, "  and {}", rest.join(", "));
            }
        }
        if self.probes.is_empty() {
            let _ = writeln!(out, "The snapshot records no probe that failed or was skipped.");
        } else {
            let _ = writeln!(out, "Probes of this snapshot that gathered nothing or not everything:");
            for p in &self.probes {
                let _ = writeln!(out, "  {} {}: {}", p.id, p.status, p.reason);
            }
        }
        let _ = writeln!(
            out,
            "Collect on the sync server, or give `syncdoctor collect` a configuration (docs/collect.md), then diagnose again."
        );
        out
    }
}

/// Each built-in probe's id and `provides()` list (with the default configuration).
fn builtin_providers() -> Vec<(String, Vec<String>)> {
    let registry = builtin::registry(&CollectConfig::default(), &Defaults::default(), &[]);
    registry
        .probes()
        .iter()
        .map(|p| (p.id().to_owned(), p.provides().iter().map(|s| (*s).to_owned()).collect()))
        .collect()
}

/// `ad.users[12].upn` → `ad.users[].upn`.
fn fold_indexes(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// The top-level area of a path: `services` for `services.adsync.state`.
fn area_of(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
}

/// Whether a probe that provides `provided` (a path or namespace prefix) gathers `path`.
fn overlaps(path: &str, provided: &str) -> bool {
    let bare = path.replace("[]", "");
    let below = |long: &str, short: &str| {
        long == short || long.strip_prefix(short).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    };
    below(&bare, provided) || below(provided, &bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fold_and_map_to_areas() {
        assert_eq!(fold_indexes("ad.users[12].upn"), "ad.users[].upn");
        assert_eq!(area_of("ad.users[].upn"), "ad");
        assert_eq!(area_of("products"), "products");
        assert!(overlaps("services.adsync.state", "services"));
        assert!(overlaps("ad.users[].upn", "ad.users"));
        assert!(overlaps("connect", "connect.database"));
        assert!(!overlaps("connector.x", "connect"));
        assert!(!overlaps("ad.groups[].dn", "ad.users"));
    }
}
