//! (c) Replay: 10,000 snapshots through `replay`, against native Rust over the same NDJSON.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde_json::{Value, json};
use syncdoctor_engine::batch::{self, BatchOptions};
use syncdoctor_engine::{KnowledgeBase, LoadOptions};

use super::common::{Rng, data_dir};
use super::eval::{native_condition, synthetic_kb};
use super::{NativeBundled, baseline_text, fmt, load_bundled, median};

pub(crate) const SNAPSHOTS: usize = 10_000;

pub(crate) fn replay_file() -> PathBuf {
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

pub(crate) fn bench_replay() {
    println!("\n### (c) replay: {SNAPSHOTS} snapshots (NDJSON), 2 threads\n");
    let path = replay_file();
    let size = std::fs::metadata(&path).unwrap().len();
    println!("file: {:.0} MB\n", size as f64 / 1e6);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    println!("| workload | engine | native | throughput vs native | target |\n|---|---|---|---|---|");
    // The synthetic KB's native twin computes exactly what its conditions compute; the bundled
    // KB's native side only reads the same facts (see `NativeBundled`), so it flatters native.
    let options = LoadOptions {
        snapshot_schema: Some(syncdoctor_probes::schema::snapshot_schema()),
        ..syncdoctor_bundled::load_options()
    };
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
pub(crate) fn replay_row(
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
pub(crate) fn native_replay(path: &Path, native: &(dyn Fn(&Value) -> Vec<String> + Sync)) {
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
