//! (b) Directory scan: a 200,000-user directory, `diagnose` end to end against a native scan.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use syncdoctor_engine::{EvalOptions, KnowledgeBase, LoadOptions, Outcome};

use super::common::{self, Rng, data_dir};
use super::eval::{rule_yaml, synthetic_kb};
use super::{baseline_text, fmt, load_bundled, median, row};

pub(crate) const USERS: usize = 200_000;
pub(crate) const GROUPS: usize = 20_000;

pub(crate) fn directory_file() -> PathBuf {
    let path = data_dir().join(format!("directory-{USERS}-v2.json"));
    if path.exists() {
        return path;
    }
    let mut snapshot: Value = serde_json::from_str(&baseline_text("connect-sync")).unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let users: Vec<Value> = (0..USERS).map(|i| common::user(i, &mut rng)).collect();
    let groups: Vec<Value> = (0..GROUPS).map(|i| common::group(i, &mut rng)).collect();
    snapshot["facts"]["ad"]["users"] = Value::Array(users);
    snapshot["facts"]["ad"]["groups"] = Value::Array(groups);
    std::fs::write(&path, serde_json::to_string(&snapshot).unwrap()).unwrap();
    path
}

/// The data-quality checks, as conditions (the helpers the data-quality rules use).
pub(crate) const DQ_RULES: &[(&str, &str)] = &[
    ("dq-duplicate-upn", "duplicates(facts.ad.users, \"upn\")"),
    ("dq-duplicate-proxy-address", "duplicates(facts.ad.users, \"proxy_addresses\")"),
    ("dq-duplicate-group-mail", "duplicates(facts.ad.groups, \"mail\")"),
    ("dq-upn-local-suffix", "select_where(facts.ad.users, #{upn: \"(?i)\\\\.local$\"})"),
    ("dq-upn-invalid-characters", "find_values(facts.ad.users, \"upn\", #{chars_outside: \"A-Za-z0-9@.\\\\-_'\"})"),
    ("dq-sam-too-long", "find_values(facts.ad.users, \"sam\", #{max_len: 20})"),
];

pub(crate) fn dq_kb() -> KnowledgeBase {
    let extra: Vec<(String, String)> =
        DQ_RULES.iter().map(|(id, when)| (format!("data-quality/{id}.yaml"), rule_yaml(id, when))).collect();
    let options = LoadOptions {
        snapshot_schema: Some(syncdoctor_probes::schema::snapshot_schema()),
        ..syncdoctor_bundled::load_options()
    };
    KnowledgeBase::load(synthetic_kb(0, &extra), options).unwrap()
}

/// The ids of the bundled KB's data-quality rules.
pub(crate) fn data_quality_rules(kb: &KnowledgeBase) -> Vec<String> {
    kb.rules().iter().filter(|r| r.area == "data-quality").map(|r| r.id().to_owned()).collect()
}

/// `diagnose` with the bundled KB's data-quality rules on the file, end to end.
pub(crate) fn scan_bundled(path: &Path) -> usize {
    let kb = load_bundled();
    let options = EvalOptions { only: Some(data_quality_rules(&kb)), ..EvalOptions::default() };
    let snapshot = kb.read_snapshot(path).unwrap();
    let report = kb.evaluate(&snapshot, &options);
    let text = serde_json::to_string_pretty(&report).unwrap();
    let errors: Vec<&str> =
        report.findings.iter().filter(|f| f.outcome != Outcome::Match).map(|f| f.rule_id.as_str()).collect();
    assert!(errors.is_empty(), "data-quality rules that did not run: {errors:?}");
    report.all_findings().iter().map(|f| f.affected.as_ref().map_or(0, |a| a.count)).sum::<usize>()
        + usize::from(black_box(text.is_empty()))
}

/// `diagnose` on the file: read, parse, validate, evaluate, render JSON.
pub(crate) fn scan_engine(path: &Path) -> usize {
    let kb = dq_kb();
    let snapshot = kb.read_snapshot(path).unwrap();
    let report = kb.evaluate(&snapshot, &EvalOptions::default());
    let text = serde_json::to_string_pretty(&report).unwrap();
    report.findings.iter().map(|f| f.affected.as_ref().map_or(0, |a| a.count)).sum::<usize>()
        + usize::from(black_box(text.is_empty()))
}

pub(crate) fn lower_values(v: &Value, field: &str) -> Vec<String> {
    match v.get(field) {
        Some(Value::String(s)) => vec![s.to_lowercase()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_lowercase)).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn native_duplicates<'a>(items: &'a [Value], field: &str) -> Vec<&'a Value> {
    let mut owner: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut flagged = vec![false; items.len()];
    for (i, item) in items.iter().enumerate() {
        let mut values = lower_values(item, field);
        values.sort_unstable();
        values.dedup();
        for v in values.into_iter().filter(|v| !v.trim().is_empty()) {
            match owner.get(&v) {
                Some(&o) => {
                    flagged[o] = true;
                    flagged[i] = true;
                }
                None => {
                    owner.insert(v, i);
                }
            }
        }
    }
    items.iter().zip(flagged).filter(|(_, f)| *f).map(|(v, _)| v).collect()
}

/// The same checks, natively over `serde_json::Value`.
pub(crate) fn scan_native(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    drop(text);
    let users = value["facts"]["ad"]["users"].as_array().unwrap();
    let groups = value["facts"]["ad"]["groups"].as_array().unwrap();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "@.-_'".contains(c);
    let mut results: Vec<Vec<Value>> = Vec::new();
    results.push(native_duplicates(users, "upn").into_iter().cloned().collect());
    results.push(native_duplicates(users, "proxy_addresses").into_iter().cloned().collect());
    results.push(native_duplicates(groups, "mail").into_iter().cloned().collect());
    results.push(
        users
            .iter()
            .filter(|u| u["upn"].as_str().is_some_and(|s| s.to_lowercase().ends_with(".local")))
            .cloned()
            .collect(),
    );
    results.push(
        users
            .iter()
            .filter_map(|u| {
                let s = u["upn"].as_str()?;
                let bad: String = s.chars().filter(|c| !allowed(*c)).collect();
                (!bad.is_empty()).then(|| json!({"attribute": "upn", "value": s, "detail": bad}))
            })
            .collect(),
    );
    results.push(
        users
            .iter()
            .filter_map(|u| {
                let s = u["sam"].as_str()?;
                let n = s.chars().count();
                (n > 20).then(|| json!({"attribute": "sam", "value": s, "detail": format!("length {n} > 20")}))
            })
            .collect(),
    );
    let summary: Vec<Value> =
        results.iter().map(|r| json!({"count": r.len(), "items": r.iter().take(50).collect::<Vec<_>>()})).collect();
    let text = serde_json::to_string_pretty(&summary).unwrap();
    results.iter().map(Vec::len).sum::<usize>() + usize::from(black_box(text.is_empty()))
}

pub(crate) fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Runs one scan in a child process (so peak RSS is its own): (wall time, peak RSS KiB, result).
pub(crate) fn child(kind: &str, path: &Path) -> (Duration, u64, usize) {
    let out = Command::new(std::env::current_exe().unwrap()).args(["--child", kind]).arg(path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let parts: Vec<&str> = text.split_whitespace().collect();
    assert!(parts.len() == 3, "child {kind} failed: {text} {}", String::from_utf8_lossy(&out.stderr));
    (Duration::from_secs_f64(parts[0].parse().unwrap()), parts[1].parse().unwrap(), parts[2].parse().unwrap())
}

pub(crate) fn bench_scan() {
    println!("\n### (b) directory scan: {USERS} users + {GROUPS} groups, end to end (one thread)\n");
    let path = directory_file();
    let size = std::fs::metadata(&path).unwrap().len();
    println!("file: {:.1} MB; each run in a fresh process; peak RSS = VmHWM\n", size as f64 / 1e6);
    let runs = 3;
    let engine: Vec<_> = (0..runs).map(|_| child("scan-engine", &path)).collect();
    let native: Vec<_> = (0..runs).map(|_| child("scan-native", &path)).collect();
    assert_eq!(engine[0].2, native[0].2, "engine and native find the same number of affected objects");
    let (e, n) = (median(engine.iter().map(|r| r.0).collect()), median(native.iter().map(|r| r.0).collect()));
    let (er, nr) = (engine.iter().map(|r| r.1).max().unwrap(), native.iter().map(|r| r.1).max().unwrap());
    println!("| workload | engine | native | ratio | target |\n|---|---|---|---|---|");
    row(&format!("scan ({} affected objects)", engine[0].2), e, n, "≤ 1.2×");
    println!(
        "| peak RSS | {:.0} MB | {:.0} MB | {:.2}× | ≤ 1.5× |",
        er as f64 / 1024.0,
        nr as f64 / 1024.0,
        er as f64 / nr as f64
    );
    let bundled: Vec<_> = (0..runs).map(|_| child("scan-bundled", &path)).collect();
    let (b, br) = (median(bundled.iter().map(|r| r.0).collect()), bundled.iter().map(|r| r.1).max().unwrap());
    println!(
        "| bundled data-quality rules ({} rules, {} affected objects; no native twin) | {} | — | — | peak RSS {:.0} MB |",
        data_quality_rules(&load_bundled()).len(),
        bundled[0].2,
        fmt(b),
        br as f64 / 1024.0
    );
    let python = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let status = Command::new("python3")
                .args(["-c", "import json, sys; json.load(open(sys.argv[1]))"])
                .arg(&path)
                .status();
            status.ok().filter(std::process::ExitStatus::success).map(|_| t.elapsed())
        })
        .collect::<Option<Vec<_>>>();
    match python {
        Some(p) => row("python3 json.load (parse only) vs engine scan", e, median(p), "(reference)"),
        None => println!("(python3 not found)"),
    }
}
