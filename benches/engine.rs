//! Benchmarks of the three workloads of issue 5, each against a native-Rust baseline measured in the
//! same run: KB evaluation, a 200,000-user directory scan, and `replay` of 10,000 snapshots.
//!
//! `cargo bench --bench engine` (all data is generated, deterministically, under `target/bench-data`).
//! `cargo bench --bench engine -- eval|scan|replay` runs one workload. Prints medians and ratios.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{Value, json};
use syncdoctor_engine::batch::{self, BatchOptions};
use syncdoctor_engine::{EvalOptions, KbSource, KnowledgeBase, LoadOptions, Outcome, Snapshot};

mod common;
use common::{Rng, data_dir, root};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs `f` until `budget` is spent (at least `min` times) and returns the median of one call.
fn measure(min: usize, budget: Duration, mut f: impl FnMut()) -> Duration {
    f(); // warm-up
    let started = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < min || (started.elapsed() < budget && samples.len() < 10_000) {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    median(samples)
}

fn fmt(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.2} µs", s * 1e6)
    }
}

fn row(name: &str, engine: Duration, native: Duration, target: &str) {
    let ratio = engine.as_secs_f64() / native.as_secs_f64();
    println!("| {name} | {} | {} | {ratio:.2}× | {target} |", fmt(engine), fmt(native));
}

fn baseline_text(name: &str) -> String {
    std::fs::read_to_string(root().join(format!("rules/baselines/{name}.json"))).unwrap()
}

fn load_bundled() -> KnowledgeBase {
    let options =
        LoadOptions { snapshot_schema: Some(syncdoctor_probes::schema::snapshot_schema()), ..LoadOptions::default() };
    KnowledgeBase::load(KbSource::from_dir(&root().join("rules")).unwrap(), options).unwrap()
}

// ---------------------------------------------------------------- native helpers over `Value`

fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// The "same conditions" for the bundled KB, natively: every fact path each rule's conditions read,
/// looked up in the `Value` and compared with a constant (absent ⇒ inconclusive).
struct NativeBundled {
    rules: Vec<(String, Vec<String>)>,
}

impl NativeBundled {
    fn new(kb: &KnowledgeBase) -> Self {
        let rules = kb
            .rules()
            .iter()
            .map(|r| {
                let mut paths: Vec<String> = r.when().fact_paths().into_iter().filter(|p| !p.contains("[]")).collect();
                if let Some(a) = r.applies_when() {
                    paths.extend(a.fact_paths().into_iter().filter(|p| !p.contains("[]")));
                }
                (r.id().to_owned(), paths)
            })
            .collect();
        NativeBundled { rules }
    }

    /// (rule id, Some(matched) | None for inconclusive).
    fn run(&self, facts: &Value) -> Vec<(&str, Option<bool>)> {
        self.rules
            .iter()
            .map(|(id, paths)| {
                let mut matched = Some(true);
                for p in paths {
                    match at(facts, p) {
                        None => {
                            matched = None;
                            break;
                        }
                        Some(v) => {
                            let hit = match v {
                                Value::String(s) => s == "Stopped",
                                Value::Bool(b) => !*b,
                                Value::Number(n) => n.as_i64().is_some_and(|n| n > 1 << 33),
                                Value::Array(a) => a.len() > 10_000,
                                _ => false,
                            };
                            matched = matched.map(|m| m && hit);
                        }
                    }
                }
                (id.as_str(), matched)
            })
            .collect()
    }
}

// ---------------------------------------------------------------- (a) KB evaluation

const SHAPES: usize = 6;

/// Condition `i` of a synthetic KB, in the shapes of the bundled KB.
fn condition(i: usize) -> String {
    match i % SHAPES {
        0 => {
            format!("let s = facts.services.adsync;\n  s.present && s.state != \"Running\" && s.start_mode == \"M{i}\"")
        }
        1 => format!("facts.localdb.mdf_size_bytes >= gib(8) + {i}"),
        2 => format!("facts.ad.users.any(|u| u.upn.ends_with(\".local{i}\"))"),
        3 => format!("count_where(facts.ad.groups, |g| g.member_count > {}) > 0", 50_000 + i),
        4 => format!("facts.ad.domains.any(|d| !d.srv_resolves && d.fqdn == \"d{i}.example\")"),
        _ => format!("facts.ad.upn_suffixes.contains(\"s{i}.example\") || facts.host.memory_bytes < mib({i})"),
    }
}

/// The same condition, natively (`None`: a fact is absent).
fn native_condition(i: usize, f: &Value) -> Option<bool> {
    Some(match i % SHAPES {
        0 => {
            let s = at(f, "services.adsync")?;
            s.get("present")?.as_bool()?
                && s.get("state")?.as_str()? != "Running"
                && s.get("start_mode")?.as_str()? == format!("M{i}")
        }
        1 => at(f, "localdb.mdf_size_bytes")?.as_i64()? >= (8i64 << 30) + i as i64,
        2 => {
            let suffix = format!(".local{i}");
            let mut any = false;
            for u in at(f, "ad.users")?.as_array()? {
                if u.get("upn")?.as_str()?.ends_with(&suffix) {
                    any = true;
                    break;
                }
            }
            any
        }
        3 => {
            let mut n = 0;
            for g in at(f, "ad.groups")?.as_array()? {
                n += usize::from(g.get("member_count")?.as_i64()? > 50_000 + i as i64);
            }
            n > 0
        }
        4 => {
            let fqdn = format!("d{i}.example");
            let mut any = false;
            for d in at(f, "ad.domains")?.as_array()? {
                if !d.get("srv_resolves")?.as_bool()? && d.get("fqdn")?.as_str()? == fqdn {
                    any = true;
                    break;
                }
            }
            any
        }
        _ => {
            let s = format!("s{i}.example");
            at(f, "ad.upn_suffixes")?.as_array()?.iter().any(|v| v.as_str() == Some(s.as_str()))
                || at(f, "host.memory_bytes")?.as_i64()? < (i as i64) << 20
        }
    })
}

fn synthetic_kb(n: usize, extra: &[(String, String)]) -> KbSource {
    let mut files: Vec<(String, String)> = vec![
        ("kb.yaml".into(), "name: bench\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n".into()),
        ("catalog.yaml".into(), "entries: [{slug: syn}]\n".into()),
    ];
    for i in 0..n {
        let when = condition(i).replace('\n', "\n  ");
        files.push((format!("syn/syn-{i:04}.yaml"), rule_yaml(&format!("syn-{i:04}"), &when)));
    }
    files.extend(extra.iter().cloned());
    let owned: Vec<(String, String)> = files;
    KbSource::from_files("bench", owned.iter().map(|(a, b)| (a.as_str(), b.as_str())))
}

fn rule_yaml(id: &str, when: &str) -> String {
    format!(
        "id: {id}\nversion: 1.0.0\nstatus: stable\ntitle: Synthetic {id}\nseverity: warning\ncovers: [syn]\n\
         symptom: s\ncause: c\nwhen: |\n  {when}\nresolution: {{summary: fix it}}\n"
    )
}

fn bench_eval() {
    println!("\n### (a) KB evaluation (one snapshot, one thread)\n");
    let text = baseline_text("connect-sync");
    let load = measure(5, Duration::from_secs(3), || {
        black_box(load_bundled());
    });
    let kb = load_bundled();
    let fast = kb.rules().iter().filter(|r| r.has_fast_path()).count();
    println!(
        "bundled KB: {} rules ({fast} entirely on the native fast path), load+compile (with snapshot schema) {}\n",
        kb.rules().len(),
        fmt(load)
    );
    println!("| workload | engine | native | ratio | target |\n|---|---|---|---|---|");
    let snapshot = Snapshot::from_text(&text, Path::new("connect-sync.json"), None).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    let facts = &value["facts"];
    let options = EvalOptions::default();
    let engine = measure(20, Duration::from_secs(4), || {
        black_box(kb.evaluate(&snapshot, &options));
    });
    let native = NativeBundled::new(&kb);
    let nat = measure(20, Duration::from_secs(2), || {
        black_box(native.run(black_box(facts)));
    });
    row(&format!("bundled KB ({} rules), connect-sync baseline", kb.rules().len()), engine, nat, "≤ 5×");
    costliest_rules(&kb, &snapshot, &options);
    for n in [100, 1000] {
        let started = Instant::now();
        let kb = KnowledgeBase::load(synthetic_kb(n, &[]), LoadOptions::default()).unwrap();
        let compile = started.elapsed();
        let report = kb.evaluate(&snapshot, &options);
        assert_eq!(report.summary.rules, n);
        let engine = measure(10, Duration::from_secs(4), || {
            black_box(kb.evaluate(&snapshot, &options));
        });
        let nat = measure(10, Duration::from_secs(2), || {
            let results: Vec<Option<bool>> = (0..n).map(|i| native_condition(i, black_box(facts))).collect();
            black_box(results);
        });
        row(&format!("synthetic {n} conditions (load+compile {})", fmt(compile)), engine, nat, "≤ 5×");
    }
}

/// The rules that cost most on the baseline, warm (sum over 200 evaluations), printed after the table.
fn costliest_rules(kb: &KnowledgeBase, snapshot: &Snapshot, options: &EvalOptions) {
    let mut total: std::collections::BTreeMap<String, Duration> = std::collections::BTreeMap::new();
    for _ in 0..200 {
        for t in kb.evaluate_profiled(snapshot, options).1 {
            *total.entry(t.rule_id).or_default() += t.elapsed;
        }
    }
    let mut ranked: Vec<_> = total.into_iter().collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
    let listed: Vec<String> = ranked.iter().take(8).map(|(id, d)| format!("{id} {}", fmt(*d / 200))).collect();
    println!("\ncostliest rules per evaluation: {}\n", listed.join(", "));
}

// ---------------------------------------------------------------- (b) directory scan

const USERS: usize = 200_000;
const GROUPS: usize = 20_000;

fn directory_file() -> PathBuf {
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
const DQ_RULES: &[(&str, &str)] = &[
    ("dq-duplicate-upn", "duplicates(facts.ad.users, \"upn\")"),
    ("dq-duplicate-proxy-address", "duplicates(facts.ad.users, \"proxy_addresses\")"),
    ("dq-duplicate-group-mail", "duplicates(facts.ad.groups, \"mail\")"),
    ("dq-upn-local-suffix", "select_where(facts.ad.users, #{upn: \"(?i)\\\\.local$\"})"),
    ("dq-upn-invalid-characters", "find_values(facts.ad.users, \"upn\", #{chars_outside: \"A-Za-z0-9@.\\\\-_'\"})"),
    ("dq-sam-too-long", "find_values(facts.ad.users, \"sam\", #{max_len: 20})"),
];

fn dq_kb() -> KnowledgeBase {
    let extra: Vec<(String, String)> =
        DQ_RULES.iter().map(|(id, when)| (format!("data-quality/{id}.yaml"), rule_yaml(id, when))).collect();
    let options =
        LoadOptions { snapshot_schema: Some(syncdoctor_probes::schema::snapshot_schema()), ..LoadOptions::default() };
    KnowledgeBase::load(synthetic_kb(0, &extra), options).unwrap()
}

/// The ids of the bundled KB's data-quality rules.
fn data_quality_rules(kb: &KnowledgeBase) -> Vec<String> {
    kb.rules().iter().filter(|r| r.area == "data-quality").map(|r| r.id().to_owned()).collect()
}

/// `diagnose` with the bundled KB's data-quality rules on the file, end to end.
fn scan_bundled(path: &Path) -> usize {
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
fn scan_engine(path: &Path) -> usize {
    let kb = dq_kb();
    let snapshot = kb.read_snapshot(path).unwrap();
    let report = kb.evaluate(&snapshot, &EvalOptions::default());
    let text = serde_json::to_string_pretty(&report).unwrap();
    report.findings.iter().map(|f| f.affected.as_ref().map_or(0, |a| a.count)).sum::<usize>()
        + usize::from(black_box(text.is_empty()))
}

fn lower_values(v: &Value, field: &str) -> Vec<String> {
    match v.get(field) {
        Some(Value::String(s)) => vec![s.to_lowercase()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_lowercase)).collect(),
        _ => Vec::new(),
    }
}

fn native_duplicates<'a>(items: &'a [Value], field: &str) -> Vec<&'a Value> {
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
fn scan_native(path: &Path) -> usize {
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

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Runs one scan in a child process (so peak RSS is its own): (wall time, peak RSS KiB, result).
fn child(kind: &str, path: &Path) -> (Duration, u64, usize) {
    let out = Command::new(std::env::current_exe().unwrap()).args(["--child", kind]).arg(path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let parts: Vec<&str> = text.split_whitespace().collect();
    assert!(parts.len() == 3, "child {kind} failed: {text} {}", String::from_utf8_lossy(&out.stderr));
    (Duration::from_secs_f64(parts[0].parse().unwrap()), parts[1].parse().unwrap(), parts[2].parse().unwrap())
}

fn bench_scan() {
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

// ---------------------------------------------------------------- (c) replay

const SNAPSHOTS: usize = 10_000;

fn replay_file() -> PathBuf {
    let path = data_dir().join(format!("replay-{SNAPSHOTS}-v2.ndjson"));
    if path.exists() {
        return path;
    }
    let bases: Vec<Value> = ["connect-sync", "cloud-sync", "dirsync"]
        .iter()
        .map(|n| serde_json::from_str(&baseline_text(n)).unwrap())
        .collect();
    let mut rng = Rng(0x0dd_ba11_cafe_f00d);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..SNAPSHOTS {
        let mut s = bases[i % 3].clone();
        s["collected_at"] = Value::String(format!("2026-11-{:02}T{:02}:30:00Z", 1 + rng.below(28), rng.below(24)));
        if let Some(host) = s["facts"].get_mut("host").and_then(Value::as_object_mut) {
            host.insert("fqdn".into(), Value::String(format!("sync{i:05}.contoso.com")));
            host.insert("name".into(), Value::String(format!("SYNC{i:05}")));
        }
        if rng.below(20) == 0
            && let Some(svc) =
                s["facts"].get_mut("services").and_then(|v| v.get_mut("adsync")).and_then(Value::as_object_mut)
        {
            svc.insert("state".into(), Value::String("Stopped".into()));
        }
        if let Some(db) = s["facts"].get_mut("localdb").and_then(Value::as_object_mut) {
            db.insert("mdf_size_bytes".into(), Value::from(rng.below(11 << 30)));
        }
        serde_json::to_writer(&mut out, &s).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
    path
}

fn bench_replay() {
    println!("\n### (c) replay: {SNAPSHOTS} snapshots (NDJSON), 2 threads\n");
    let path = replay_file();
    let size = std::fs::metadata(&path).unwrap().len();
    println!("file: {:.0} MB\n", size as f64 / 1e6);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    println!("| workload | engine | native | throughput vs native | target |\n|---|---|---|---|---|");
    // The synthetic KB's native twin computes exactly what its conditions compute; the bundled
    // KB's native side only reads the same facts (see `NativeBundled`), so it flatters native.
    let options =
        LoadOptions { snapshot_schema: Some(syncdoctor_probes::schema::snapshot_schema()), ..LoadOptions::default() };
    let synthetic = KnowledgeBase::load(synthetic_kb(100, &[]), options).unwrap();
    let exact = |facts: &Value| -> Vec<String> {
        (0..100).filter(|i| native_condition(*i, facts) == Some(true)).map(|i| format!("syn-{i:04}")).collect()
    };
    replay_row("synthetic KB, 100 conditions (exact native twin)", &pool, &path, &synthetic, &exact);
    let kb = load_bundled();
    let native = NativeBundled::new(&kb);
    let approximate = |facts: &Value| -> Vec<String> {
        native.run(facts).iter().filter(|r| r.1 == Some(true)).map(|r| r.0.to_owned()).collect()
    };
    let name = format!("bundled KB, {} rules (native reads the same facts only)", kb.rules().len());
    replay_row(&name, &pool, &path, &kb, &approximate);
}

/// Replays the file with `kb` through the engine's batch replay (the path `syncdoctor replay`
/// takes) and with `native`, and prints a row.
fn replay_row(
    name: &str,
    pool: &rayon::ThreadPool,
    path: &Path,
    kb: &KnowledgeBase,
    native: &(dyn Fn(&Value) -> Vec<String> + Sync),
) {
    let inputs = vec![path.to_path_buf()];
    let runs = 3;
    let engine = median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                // The engine's batch replay, each report rendered to its JSON line on the worker
                // threads as `syncdoctor replay` does.
                let (mut snapshots, mut bad) = (0, 0);
                pool.install(|| {
                    let sources = batch::sources(&inputs).unwrap();
                    let chunk = (rayon::current_num_threads() * 32).max(64);
                    let render =
                        |r: batch::Replayed| r.report.map(|report| serde_json::to_string(&report).unwrap_or_default());
                    batch::replay(kb, None, &BatchOptions::default(), batch::inputs(sources), chunk, render, |line| {
                        snapshots += 1;
                        bad += usize::from(line.is_err());
                        Ok::<(), ()>(())
                    })
                })
                .unwrap();
                assert_eq!((snapshots, bad), (SNAPSHOTS, 0));
                t.elapsed()
            })
            .collect(),
    );
    let nat = median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                pool.install(|| native_replay(path, native));
                t.elapsed()
            })
            .collect(),
    );
    println!(
        "| {name} | {} ({:.0}/s) | {} ({:.0}/s) | {:.0} % | ≥ 60 % |",
        fmt(engine),
        SNAPSHOTS as f64 / engine.as_secs_f64(),
        fmt(nat),
        SNAPSHOTS as f64 / nat.as_secs_f64(),
        100.0 * nat.as_secs_f64() / engine.as_secs_f64()
    );
}

/// Native replay: same streaming shape (chunks in parallel, output in order), parse to `Value`,
/// native conditions, one NDJSON line per snapshot.
fn native_replay(path: &Path, native: &(dyn Fn(&Value) -> Vec<String> + Sync)) {
    let reader = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut lines = reader.lines();
    let mut sink = std::io::sink();
    loop {
        let chunk: Vec<String> = lines.by_ref().take(64).map(Result::unwrap).collect();
        if chunk.is_empty() {
            break;
        }
        let out: Vec<String> = chunk
            .par_iter()
            .map(|line| {
                let v: Value = serde_json::from_str(line).unwrap();
                let matched = native(&v["facts"]);
                let mut s = serde_json::to_string(&json!({"source": "x", "matched": matched})).unwrap();
                s.push('\n');
                s
            })
            .collect();
        for line in out {
            sink.write_all(line.as_bytes()).unwrap();
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let (kind, path) = (&args[i + 1], Path::new(&args[i + 2]));
        let t = Instant::now();
        let found = match kind.as_str() {
            "scan-engine" => scan_engine(path),
            "scan-bundled" => scan_bundled(path),
            _ => scan_native(path),
        };
        println!("{} {} {found}", t.elapsed().as_secs_f64(), peak_rss_kib());
        return;
    }
    let only: Vec<&str> = args.iter().skip(1).filter(|a| !a.starts_with("--")).map(String::as_str).collect::<Vec<_>>();
    let want = |name: &str| only.is_empty() || only.contains(&name);
    println!("syncdoctor benchmarks — medians; ratio = engine / native (lower is better)");
    if want("eval") {
        bench_eval();
    }
    if want("scan") {
        bench_scan();
    }
    if want("replay") {
        bench_replay();
    }
}
