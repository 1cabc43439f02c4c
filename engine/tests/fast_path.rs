//! The native fast path gives exactly the reports Rhai gives, on conditions of every shape it
//! lowers and on snapshots built to trip it: absent facts, nulls, wrong types, overflow, empty lists.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::{Value, json};
use syncdoctor_engine::{EvalOptions, KbSource, KnowledgeBase, LoadOptions, Snapshot};

const CONDITIONS: &[&str] = &[
    r#"let s = facts.svc; s.present && s.state != "Running""#,
    r#"facts.svc.state == "Running" || facts.svc.start_mode == "Manual""#,
    "facts.db.size >= gib(8) + 1",
    "facts.db.size * 2 > mib(3) - kib(1)",
    "facts.db.size + facts.db.ratio > 10",
    "-facts.db.size < 0",
    "facts.db.ratio == 1",
    "facts.db.ratio != 0.5",
    r#"facts.users.any(|u| u.upn.ends_with(".local"))"#,
    r#"facts.users.all(|u| u.upn.contains("@"))"#,
    r#"facts.users.count(|u| u.upn.starts_with("a")) > 1"#,
    "count_where(facts.groups, |g| g.members > 100) > 0",
    r#"let limit = 100; facts.groups.any(|g| g.members > limit && g.mail.len() > 3)"#,
    r#"facts.groups.any(|g| g.tags.any(|t| t == "x"))"#,
    r#"facts.suffixes.contains("corp.local")"#,
    "facts.suffixes.contains(5)",
    r#"facts.svc.contains("state")"#,
    "facts.users.is_empty() || facts.users.len() > 2",
    r#"has("svc.state") && !has("svc.nothing")"#,
    r#"facts.svc.state < "S""#,
    r#"facts.svc.state == "running" && facts.svc.start_mode == "auto""#,
    "facts.svc.present == true",
    "facts.db.size > 9223372036854775000 + 1000",
    r#"facts.svc.state == 1"#,
    "facts.flag",
    "facts.db.size <= 1024 && facts.db.size - 24 == 1000",
    "0 < facts.db.ratio && 1 >= facts.db.ratio",
    "facts.users.len() == 3 && facts.svc.len() == 3",
    r#"if !has("svc") { return false; } let s = facts.svc; if s.present { s.state != "Running" } else { true }"#,
    r#"let mode = if facts.svc.present { facts.svc.start_mode } else { "none" }; mode == "Auto""#,
    "is_null(facts.svc.state)",
    "facts.svc.state.is_null() && !is_null(facts.svc)",
    r#"facts.users.any(|u| { let d = u.upn; if is_null(d) { return false; } d.ends_with(".local") })"#,
    r#"eq_ignore_case(facts.svc.start_mode, "AUTO")"#,
    r#"hours_since(facts.when) > 24.0 && days_until(facts.when) < 0.0"#,
    r#"parse_time(facts.when) < parse_time("2026-11-20T09:30:00Z") && duration_hours(facts.every) > 0.4"#,
    r#"duration_secs(facts.every) == 1800 && minutes_since(facts.when) > 1.0"#,
    // Loops, built values, indexing and new strings.
    r#"let hits = []; for u in facts.users { if u.upn.to_lower().ends_with(".local") { hits.push(u.upn); } } hits"#,
    r#"facts.users.filter(|u| u.upn.contains("@x.")).map(|u| u.upn)"#,
    r#"let m = #{}; for g in facts.groups { m[g.mail] = g.members; } m.keys().len() == 2 && m.contains("g@x")"#,
    r#"let total = 0; for g in facts.groups { if g.members < 0 { continue; } total += g.members; if total > 10000 { break; } } total / 2 > 100"#,
    r#"let a = [1, 2]; let b = a; b.push(3); a.len() == 2 && b.len() == 3 && 2 in a && !(5 in b)"#,
    r#"facts.users[0].upn.to_upper() == "ANN@CONTOSO.COM" && facts.users[-1].upn != facts.groups[1]["mail"]"#,
    r#"let s = facts.svc.state + "-" + facts.svc.start_mode; s == "Running-Auto" || s.len() > 40"#,
    r#"let f = facts.users.find(|u| u.upn.starts_with("b")); is_null(f) || f.upn.len() > 3"#,
    r#"["Running", "Stopped"].contains(facts.svc.state) && facts.db.ratio in [0.5, 1]"#,
    r#"let latest = #{}; for r in facts.users { let k = r.upn.to_lower(); if !latest.contains(k) { latest[k] = r; } } latest.len() >= 2 && latest.keys()[0] < "b""#,
    r#"let x = #{a: 1, b: facts.db.size}; x.b = x.b * 2; x.a + x.b > 0 && x.c == ()"#,
    r#"facts.users[2].upn.len() > 3"#,
    r#"let out = []; for g in facts.groups { for t in g.tags { if t == "x" { out.push(`${g.mail}: ${t}`); } } } out"#,
    r#"let n = facts.db.size / 0; n > 1"#,
    r#"facts.svc.keys().contains("state") && facts.svc.state.to_lower() == "running""#,
    // The condition's own functions (by value, no outer scope, recursion within the call limit).
    r#"fn big(g, limit) { g.members > limit } fn twice(n) { n * 2 } facts.groups.any(|g| big(g, twice(100)))"#,
    r#"fn grow(a) { a.push(1); a.len() } let a = []; grow(a) == 1 && a.is_empty()"#,
    r#"fn depth(n) { if n <= 0 { 0 } else { 1 + depth(n - 1) } } depth(facts.groups.len() * 3) < 10"#,
    r#"fn local(u) { u.upn.ends_with(".local") } let hits = facts.users.filter(|u| local(u)); hits.len() > 0 && helper_not_mirrored(hits)"#,
    // Helpers the fast path hands values to (through Rhai's own functions).
    r#"local_part(facts.users[0].upn) == "ann" && domain_of(facts.users[1].upn) == "corp.local""#,
    r#"let parts = facts.svc.state.split("n"); parts.len() >= 2 && parts[0] == "Ru""#,
    r#"let big = select_where(facts.groups, #{members: #{more_than: 100}}); big.len() == 1 && big[0].mail.ends_with(".com")"#,
    r#"let d = distinct_values(facts.users, "upn", "@(.+)$"); d.len() == 2 && "corp.local" in d"#,
    r#"let d = distinct_values(facts.users, "upn", "@(.+)$"); d.len() == 2"#,
    r#"let dups = duplicates(facts.groups, "mail"); dups.filter(|g| g.members > 1).map(|g| g.mail)"#,
    r#"version_gt(facts.svc.start_mode.len().to_string() + ".1", "3.0") && facts.users.to_string().len() > 10"#,
    // Lists of maps (nesting within the sandbox's depth), `+=` on lists, pushes into nested lists.
    r#"let out = []; out += facts.groups.filter(|g| g.members > 100); out += [1]; for g in facts.groups { if g.tags.contains("x") { out.push(#{mail: g.mail, n: #{members: g.members}}); } } out.len() == 3 && out[2].n.members == 500"#,
    r#"let specs = [#{max: 3, label: #{c: "L"}}, #{max: 9, label: #{c: "M"}}]; let copy = specs; copy[0] = #{max: 1}; specs[0].max == 3 && copy[0].max == 1 && specs[1].label.c == "M""#,
    r#"let m = #{list: []}; m.list.push(1); if facts.flag { m.list.push([2]); } m.list.len() == 1"#,
    r#"let deep = [[[[[[[[[1]]]]]]]]]; deep.len() == 1"#,
];

fn kb() -> KnowledgeBase {
    let mut files: Vec<(String, String)> = vec![
        ("kb.yaml".into(), "name: t\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n".into()),
        ("catalog.yaml".into(), "entries: [{slug: c}]\n".into()),
    ];
    for (i, when) in CONDITIONS.iter().enumerate() {
        let yaml = format!(
            "id: r{i:02}\nversion: 1.0.0\nstatus: stable\ntitle: R{i}\nseverity: warning\ncovers: [c]\n\
             symptom: s\ncause: c\nwhen: '{}'\nresolution: {{summary: fix}}\n",
            when.replace('\'', "''")
        );
        files.push((format!("t/r{i:02}.yaml"), yaml));
    }
    KnowledgeBase::load(
        KbSource::from_files("t", files.iter().map(|(a, b)| (a.as_str(), b.as_str()))),
        LoadOptions::default(),
    )
    .unwrap()
}

fn healthy() -> Value {
    json!({
        "svc": {"present": true, "state": "Running", "start_mode": "Auto"},
        "db": {"size": 1024, "ratio": 0.5},
        "users": [{"upn": "ann@contoso.com"}, {"upn": "bob@corp.local"}, {"upn": "al@x.com"}],
        "groups": [{"members": 50, "mail": "g@x", "tags": ["a"]}, {"members": 500, "mail": "big@x.com", "tags": ["x"]}],
        "suffixes": ["contoso.com", "corp.local"],
        "flag": false,
        "when": "2026-11-18T09:30:00Z",
        "every": "PT30M"
    })
}

/// The healthy facts, and variants that each break one thing.
fn variants() -> Vec<(String, Value)> {
    let mut out = vec![("healthy".to_owned(), healthy())];
    let edits: &[(&str, &str, Value)] = &[
        ("absent service", "svc", Value::Null),
        ("null state", "svc.state", Value::Null),
        ("numeric state", "svc.state", json!(3)),
        ("string size", "db.size", json!("big")),
        ("huge size", "db.size", json!(i64::MAX)),
        ("float size", "db.size", json!(1.5)),
        ("null user upn", "users", json!([{"upn": null}, {"upn": "a@b.local"}])),
        ("user without upn", "users", json!([{"dn": "x"}])),
        ("empty users", "users", json!([])),
        ("users is a map", "users", json!({"upn": "x"})),
        ("null members", "groups", json!([{"members": null, "mail": "m", "tags": []}])),
        ("int ratio", "db.ratio", json!(1)),
        ("string flag", "flag", json!("yes")),
        ("null suffixes", "suffixes", Value::Null),
        ("numeric suffixes", "suffixes", json!([5, "corp.local"])),
        ("null time", "when", Value::Null),
        ("bad time", "when", json!("yesterday")),
        ("bad duration", "every", json!("30 minutes")),
        ("stopped", "svc.present", json!(false)),
        ("no local users", "users", json!([{"upn": "ann@contoso.com"}, {"upn": "AL@X.COM"}])),
        ("one user", "users", json!([{"upn": "Ann@Contoso.com"}])),
        (
            "duplicate group mail",
            "groups",
            json!([{"members": 5, "mail": "g@x", "tags": []}, {"members": 9, "mail": "g@x", "tags": ["y"]}]),
        ),
        (
            "many members",
            "groups",
            json!([{"members": 9000, "mail": "a", "tags": ["x"]}, {"members": 9000, "mail": "b", "tags": []}]),
        ),
    ];
    for (name, path, value) in edits {
        let mut facts = healthy();
        let (parent, key) = path.rsplit_once('.').map_or((None, *path), |(p, k)| (Some(p), k));
        let target = match parent {
            Some(p) => facts.pointer_mut(&format!("/{}", p.replace('.', "/"))).unwrap(),
            None => &mut facts,
        };
        let object = target.as_object_mut().unwrap();
        if *name == "absent service" {
            object.remove(key);
        } else {
            object.insert((*key).to_owned(), value.clone());
        }
        out.push(((*name).to_owned(), facts));
    }
    out
}

#[test]
fn the_fast_path_gives_rhais_report_on_every_condition_and_variant() {
    let kb = kb();
    let lowered = kb.rules().iter().filter(|r| r.has_fast_path()).count();
    assert_eq!(lowered, CONDITIONS.len(), "every condition here is of a lowered shape");
    for (name, facts) in variants() {
        let document = json!({"schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
            "collector": {"name": "t", "version": "1"}, "probes": [], "facts": facts});
        let snapshot = Snapshot::from_value(document, Path::new(&name), None).unwrap();
        let run = |interpret_only| {
            let options = EvalOptions { include_all: true, interpret_only, ..EvalOptions::default() };
            serde_json::to_string_pretty(&kb.evaluate(&snapshot, &options)).unwrap()
        };
        let (fast, rhai) = (run(false), run(true));
        assert!(fast == rhai, "{name}: the fast path changed the report\nfast: {fast}\nrhai: {rhai}");
    }
}

/// Guards the comparison above against comparing two Rhai runs: each condition is decided on the
/// fast path for at least one variant, except the two that always overflow or divide by zero.
#[test]
fn every_condition_is_decided_natively_on_some_variant() {
    let kb = kb();
    let mut decided = std::collections::BTreeSet::new();
    for (name, facts) in variants() {
        let document = json!({"schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
            "collector": {"name": "t", "version": "1"}, "probes": [], "facts": facts});
        let snapshot = Snapshot::from_value(document, Path::new(&name), None).unwrap();
        let (_, timings) =
            kb.evaluate_profiled(&snapshot, &EvalOptions { include_all: true, ..EvalOptions::default() });
        decided.extend(timings.into_iter().filter(|t| t.native && t.operations == 0).map(|t| t.rule_id));
    }
    let never: Vec<String> = (0..CONDITIONS.len())
        .map(|i| format!("r{i:02}"))
        .filter(|id| !decided.contains(id))
        .map(|id| format!("{id}: {}", CONDITIONS[id[1..].parse::<usize>().unwrap()]))
        .collect();
    // These two overflow or divide by zero on every variant: Rhai reports the error.
    assert!(
        never.len() == 2 && never.iter().all(|n| n.contains("/ 0") || n.contains("9223372036854775000 + 1000")),
        "never decided on the fast path:\n{}",
        never.join("\n")
    );
}

#[test]
fn the_healthy_variant_exercises_every_outcome_on_the_fast_path() {
    // Guards the comparison above against comparing two empty reports.
    let kb = kb();
    let document = json!({"schema_version": 1, "collected_at": "2026-11-20T09:30:00Z",
        "collector": {"name": "t", "version": "1"}, "probes": [], "facts": healthy()});
    let snapshot = Snapshot::from_value(document, Path::new("healthy"), None).unwrap();
    let report = kb.evaluate(&snapshot, &EvalOptions { include_all: true, ..EvalOptions::default() });
    let outcomes: std::collections::BTreeSet<&str> = report.findings.iter().map(|f| f.outcome.as_str()).collect();
    assert!(outcomes.contains("match") && outcomes.contains("pass"), "{outcomes:?}");
}
