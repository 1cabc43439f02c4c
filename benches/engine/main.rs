//! Benchmarks of the three workloads of issue 5, each against a native-Rust baseline measured in the
//! same run: KB evaluation, a 200,000-user directory scan, and `replay` of 10,000 snapshots.
//!
//! `cargo bench --bench engine` (all data is generated, deterministically, under `target/bench-data`).
//! `cargo bench --bench engine -- eval|scan|replay` runs one workload. Prints medians and ratios.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use syncdoctor_engine::{KbSource, KnowledgeBase, LoadOptions};

#[path = "../common/mod.rs"]
mod common;
mod eval;
mod replay;
mod scan;

use common::root;
use eval::bench_eval;
use replay::bench_replay;
use scan::{bench_scan, peak_rss_kib, scan_bundled, scan_engine, scan_native};

pub(crate) fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs `f` until `budget` is spent (at least `min` times) and returns the median of one call.
pub(crate) fn measure(min: usize, budget: Duration, mut f: impl FnMut()) -> Duration {
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

pub(crate) fn fmt(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.2} µs", s * 1e6)
    }
}

pub(crate) fn row(name: &str, engine: Duration, native: Duration, target: &str) {
    let ratio = engine.as_secs_f64() / native.as_secs_f64();
    println!("| {name} | {} | {} | {ratio:.2}× | {target} |", fmt(engine), fmt(native));
}

pub(crate) fn baseline_text(name: &str) -> String {
    std::fs::read_to_string(root().join(format!("rules/baselines/{name}.json"))).unwrap()
}

pub(crate) fn load_bundled() -> KnowledgeBase {
    let options = LoadOptions {
        snapshot_schema: Some(syncdoctor_probes::schema::snapshot_schema()),
        ..syncdoctor_bundled::load_options()
    };
    KnowledgeBase::load(KbSource::from_dir(&root().join("rules")).unwrap(), options).unwrap()
}

pub(crate) fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// The "same conditions" for the bundled KB, natively: every fact path each rule's conditions read,
/// looked up in the `Value` and compared with a constant (absent ⇒ inconclusive).
pub(crate) struct NativeBundled {
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
