//! What changed between two snapshots (`syncdoctor diff OLD NEW`): facts by path, and findings.
//!
//! Lists of objects are matched item by item through a *natural key*, so that a user added in
//! the middle of `ad.users` shows as one added user, not as every later user changed. The keys
//! come from the fact model (facts.md): the first of [`NATURAL_KEYS`] that every item of both
//! lists has (a non-null scalar) and that is unique in each list. A list without one is compared
//! by index. Lists of scalars (`products`, `proxy_addresses`) are compared as sets.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;
use syncdoctor_engine::{Finding, Outcome, Report};

/// The natural keys of fact lists, most specific first (`connect.runs[]` by connector and run
/// number, `network.tls[]` by host and port, directory objects by id, GUID, DN or UPN, the rest by
/// name, host or domain).
pub const NATURAL_KEYS: &[&[&str]] = &[
    &["id"],
    &["object_guid"],
    &["dn"],
    &["upn"],
    &["sid"],
    &["connector", "run_number"],
    &["host", "port"],
    &["name"],
    &["host"],
    &["domain"],
    &["source_connector"],
    &["service_principal_id"],
    &["version"],
];

/// One fact that changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactChange {
    /// Where, relative to `facts` (`ad.users[dn=CN=Ann,DC=contoso,DC=com].mail`, `products[3]`).
    pub path: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// The old value (absent for `added`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The new value (absent for `removed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// One finding that changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingChange {
    /// The rule.
    pub rule_id: String,
    /// The rule's title (from the new report when it has the rule).
    pub title: String,
    /// `appeared` (now a match), `disappeared` (was a match) or `changed` (another outcome or
    /// severity change).
    pub change: &'static str,
    /// Old outcome (`null`: not reported).
    pub before: Option<&'static str>,
    /// New outcome (`null`: not reported).
    pub after: Option<&'static str>,
    /// The severity (the new one when it changed).
    pub severity: &'static str,
    /// The old severity, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_before: Option<&'static str>,
    /// The new report's message for a match (the old one for a finding that disappeared).
    pub message: String,
}

/// Fact changes between two `facts` values.
pub fn facts(old: &Value, new: &Value) -> Vec<FactChange> {
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

fn walk(path: &str, old: &Value, new: &Value, out: &mut Vec<FactChange>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => walk(&join(path, k), v, w, out),
                    None => out.push(removed(join(path, k), v)),
                }
            }
            for (k, w) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                out.push(added(join(path, k), w));
            }
        }
        (Value::Array(a), Value::Array(b)) => lists(path, a, b, out),
        _ if old == new => {}
        _ => out.push(FactChange {
            path: path.to_owned(),
            change: "changed",
            before: Some(old.clone()),
            after: Some(new.clone()),
        }),
    }
}

fn added(path: String, v: &Value) -> FactChange {
    FactChange { path, change: "added", before: None, after: Some(v.clone()) }
}

fn removed(path: String, v: &Value) -> FactChange {
    FactChange { path, change: "removed", before: Some(v.clone()), after: None }
}

fn lists(path: &str, a: &[Value], b: &[Value], out: &mut Vec<FactChange>) {
    let scalar = |v: &Value| !matches!(v, Value::Object(_) | Value::Array(_));
    if a.iter().chain(b).all(scalar) {
        // A list of scalars is a set: report what left and what came, not moved positions.
        let text = |v: &Value| v.to_string();
        let (sa, sb): (BTreeSet<String>, BTreeSet<String>) =
            (a.iter().map(text).collect(), b.iter().map(text).collect());
        for v in a.iter().filter(|v| !sb.contains(&text(v))) {
            out.push(removed(format!("{path}[{}]", plain(v)), v));
        }
        for v in b.iter().filter(|v| !sa.contains(&text(v))) {
            out.push(added(format!("{path}[{}]", plain(v)), v));
        }
        return;
    }
    match natural_key(a, b) {
        Some(key) => {
            let index = |items: &[Value]| -> BTreeMap<String, usize> {
                items.iter().enumerate().filter_map(|(i, v)| key_value(v, key).map(|k| (k, i))).collect()
            };
            let (ia, ib) = (index(a), index(b));
            let label = |k: &str| format!("{path}[{}={k}]", key.join("+"));
            for (k, i) in &ia {
                let Some(old) = a.get(*i) else { continue };
                match ib.get(k).and_then(|j| b.get(*j)) {
                    Some(new) => walk(&label(k), old, new, out),
                    None => out.push(removed(label(k), old)),
                }
            }
            for (k, j) in ib.iter().filter(|(k, _)| !ia.contains_key(*k)) {
                if let Some(new) = b.get(*j) {
                    out.push(added(label(k), new));
                }
            }
        }
        None => {
            for i in 0..a.len().max(b.len()) {
                let p = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(v), Some(w)) => walk(&p, v, w, out),
                    (Some(v), None) => out.push(removed(p, v)),
                    (None, Some(w)) => out.push(added(p, w)),
                    (None, None) => {}
                }
            }
        }
    }
}

/// A string shown without quotes, anything else as JSON.
fn plain(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

fn key_value(item: &Value, key: &[&str]) -> Option<String> {
    let parts: Option<Vec<String>> = key
        .iter()
        .map(|k| match item.get(k) {
            Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => Some(plain(v)),
            _ => None,
        })
        .collect();
    parts.map(|p| p.join("+"))
}

/// The first natural key every item of both lists has, unique in each.
fn natural_key(a: &[Value], b: &[Value]) -> Option<&'static [&'static str]> {
    NATURAL_KEYS.iter().copied().find(|key| {
        [a, b].iter().all(|items| {
            let values: Option<Vec<String>> = items.iter().map(|v| key_value(v, key)).collect();
            values.is_some_and(|v| v.iter().collect::<BTreeSet<_>>().len() == v.len())
        })
    })
}

/// Finding changes between the reports of the old and the new snapshot (both evaluated with every
/// outcome kept).
pub fn findings(old: &Report, new: &Report) -> Vec<FindingChange> {
    let index = |r: &Report| -> BTreeMap<String, Finding> {
        r.all_findings().into_iter().map(|f| (f.rule_id.clone(), f.clone())).collect()
    };
    let (a, b) = (index(old), index(new));
    let ids: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out = Vec::new();
    for id in ids {
        let (o, n) = (a.get(id), b.get(id));
        let (before, after) = (o.map(|f| f.outcome.as_str()), n.map(|f| f.outcome.as_str()));
        let severity_before = match (o, n) {
            (Some(o), Some(n)) if o.severity != n.severity => Some(o.severity.as_str()),
            _ => None,
        };
        if before == after && severity_before.is_none() {
            continue;
        }
        let was = o.is_some_and(|f| f.outcome == Outcome::Match);
        let is = n.is_some_and(|f| f.outcome == Outcome::Match);
        let change = match (was, is) {
            (false, true) => "appeared",
            (true, false) => "disappeared",
            _ => "changed",
        };
        let Some(shown) = n.or(o) else { continue };
        let message = if change == "disappeared" { o.map(|f| f.message.clone()) } else { Some(shown.message.clone()) };
        out.push(FindingChange {
            rule_id: id.clone(),
            title: shown.title.clone(),
            change,
            before,
            after,
            severity: shown.severity.as_str(),
            severity_before,
            message: message.unwrap_or_default(),
        });
    }
    // Appeared first (the likely answer to "what broke"), then disappeared, then the rest.
    let rank = |c: &FindingChange| match c.change {
        "appeared" => 0,
        "disappeared" => 1,
        _ => 2,
    };
    out.sort_by(|x, y| {
        rank(x).cmp(&rank(y)).then(x.severity_rank().cmp(&y.severity_rank())).then(x.rule_id.cmp(&y.rule_id))
    });
    out
}

impl FindingChange {
    fn severity_rank(&self) -> usize {
        ["critical", "error", "warning", "info"].iter().position(|s| *s == self.severity).unwrap_or(4)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn list_items_are_matched_by_their_natural_key() {
        let old = json!({"ad": {"users": [{"dn": "CN=A", "mail": "a@x"}, {"dn": "CN=B", "mail": "b@x"}]}});
        let new = json!({"ad": {"users": [{"dn": "CN=Z", "mail": "z@x"}, {"dn": "CN=A", "mail": "a@y"}, {"dn": "CN=B", "mail": "b@x"}]}});
        let changes = facts(&old, &new);
        let shown: Vec<(String, &str)> = changes.iter().map(|c| (c.path.clone(), c.change)).collect();
        assert_eq!(
            shown,
            [("ad.users[dn=CN=A].mail".to_string(), "changed"), ("ad.users[dn=CN=Z]".to_string(), "added")]
        );
    }

    #[test]
    fn scalar_lists_are_sets_and_keyless_lists_go_by_index() {
        let old = json!({"products": ["connect-sync"], "x": [{"a": 1}, {"a": 2}]});
        let new = json!({"products": ["cloud-sync", "connect-sync"], "x": [{"a": 1}]});
        let shown: Vec<(String, &str)> = facts(&old, &new).iter().map(|c| (c.path.clone(), c.change)).collect();
        assert_eq!(shown, [("products[cloud-sync]".to_string(), "added"), ("x[1]".to_string(), "removed")]);
    }
}
