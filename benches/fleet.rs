//! Fleet-scale benchmarks (issue 13): the real `syncdoctor` binary with the bundled knowledge base,
//! whole process, each beside what it is compared with in the same run:
//!
//! * **replay** of a corpus of varied Connect / cloud sync / DirSync snapshots (the bundled
//!   baselines and scenarios, each copy with its own host, time and a seeded fault), with 1 and 2
//!   worker threads, beside (a) the same binary doing only read + parse + validate + report
//!   (`--skip '*'`: no rule runs — the floor the rules add to) and (b) Python reading and
//!   `json.load`-ing the same files, nothing else;
//! * **scan**: `diagnose` of a directory snapshot of N users and N/10 groups (50k, 200k, 500k and
//!   1M users by default), beside the same floor and Python's `json.load` of the file, with peak
//!   RSS.
//!
//! ```sh
//! cargo bench --bench fleet                  # both (the first run writes ~1.4 GB of inputs under target/bench-data)
//! cargo bench --bench fleet -- replay        # or: scan
//! SYNCDOCTOR_BENCH_USERS=200000 cargo bench --bench fleet -- scan    # other sizes (comma-separated)
//! ```
//!
//! Every input is generated here from a fixed seed and never committed. Every figure is the median
//! of [`RUNS`] runs of a fresh process, timed by one small Python wrapper around the child (so
//! every row pays the same start-up), peak RSS from `getrusage(RUSAGE_CHILDREN)`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

mod common;
use common::{Rng, data_dir, root};

/// Runs per figure (the median is shown).
const RUNS: usize = 3;
/// Snapshots in the replay corpus.
const SNAPSHOTS: usize = 2_000;
/// Default directory sizes (users; groups are a tenth).
const USERS: &[usize] = &[50_000, 200_000, 500_000, 1_000_000];

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_syncdoctor")
}

/// One measured run: wall seconds and peak RSS in MB.
#[derive(Clone, Copy)]
struct Run {
    wall: f64,
    rss_mb: f64,
}

/// Times `program args…` in a fresh process (stdout discarded) through a Python wrapper that
/// reports wall time around the child alone and the child's peak RSS.
fn run(program: &str, args: &[&str]) -> Run {
    const WRAP: &str = "import resource, subprocess, sys, time\n\
        t = time.perf_counter()\n\
        p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n\
        wall = time.perf_counter() - t\n\
        if p.returncode not in (0, 1, 3):\n    sys.stderr.buffer.write(p.stderr); sys.exit(9)\n\
        print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = Command::new("python3")
        .args(["-c", WRAP, program])
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .expect("python3 runs the timing wrapper");
    assert!(out.status.success(), "{program} {args:?} failed");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut fields = text.split_whitespace();
    let wall: f64 = fields.next().unwrap().parse().unwrap();
    let rss_kb: f64 = fields.next().unwrap().parse().unwrap();
    Run { wall, rss_mb: rss_kb / 1024.0 }
}

/// The median wall time and the largest peak RSS of [`RUNS`] runs.
fn measure(program: &str, args: &[&str]) -> Run {
    let mut runs: Vec<Run> = (0..RUNS).map(|_| run(program, args)).collect();
    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    let rss = runs.iter().map(|r| r.rss_mb).fold(0.0, f64::max);
    Run { wall: runs[RUNS / 2].wall, rss_mb: rss }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// ---------------------------------------------------------------- replay

/// The replay corpus: the bundled baselines and scenarios (all but the data-quality one, which is
/// a directory, not a server), copied round-robin, each copy with its own host name, collection
/// time, database size and, one in twenty, a stopped sync service.
fn replay_corpus() -> PathBuf {
    let dir = data_dir().join(format!("fleet-{SNAPSHOTS}-v2"));
    if dir.join("done").exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut sources: Vec<PathBuf> = std::fs::read_dir(root().join("rules/baselines"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    for entry in std::fs::read_dir(root().join("tests/scenarios")).unwrap() {
        let path = entry.unwrap().path().join("snapshot.json");
        if path.exists() && std::fs::metadata(&path).unwrap().len() < 200_000 {
            sources.push(path);
        }
    }
    sources.sort();
    let docs: Vec<Value> = sources.iter().map(|p| read_json(p)).collect();
    let mut rng = Rng(0x00f1_ee75_eed5_2026);
    for i in 0..SNAPSHOTS {
        let mut s = docs[i % docs.len()].clone();
        s["collected_at"] = Value::String(format!("2026-11-{:02}T{:02}:30:00Z", 1 + rng.below(28), rng.below(24)));
        let facts = &mut s["facts"];
        if let Some(host) = facts.get_mut("host").and_then(Value::as_object_mut) {
            host.insert("fqdn".into(), json!(format!("sync{i:05}.contoso.com")));
            host.insert("name".into(), json!(format!("SYNC{i:05}")));
        }
        if let Some(db) = facts.get_mut("localdb").and_then(Value::as_object_mut)
            && db.contains_key("mdf_size_bytes")
        {
            db.insert("mdf_size_bytes".into(), json!(rng.below(11 << 30)));
        }
        if rng.below(20) == 0
            && let Some(svc) =
                facts.get_mut("services").and_then(|v| v.get_mut("adsync")).and_then(Value::as_object_mut)
        {
            svc.insert("state".into(), json!("Stopped"));
        }
        std::fs::write(dir.join(format!("{i:05}.json")), serde_json::to_vec(&s).unwrap()).unwrap();
    }
    std::fs::write(dir.join("done"), b"").unwrap();
    dir
}

fn bench_replay() {
    let dir = replay_corpus();
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    let bytes: u64 = files.iter().map(|p| std::fs::metadata(p).unwrap().len()).sum();
    let d = dir.to_str().unwrap();
    println!(
        "\n### replay: {} snapshots, {:.1} MB ({:.0} KB each on average), bundled KB\n",
        files.len(),
        bytes as f64 / 1e6,
        bytes as f64 / files.len() as f64 / 1e3
    );
    let python = measure(
        "python3",
        &[
            "-c",
            "import json, os, sys\nd = sys.argv[1]\nfor n in os.listdir(d):\n    if n.endswith('.json'):\n        with open(os.path.join(d, n), 'rb') as f: json.load(f)",
            d,
        ],
    );
    let j1 = measure(binary(), &["replay", "-j", "1", d]);
    let j2 = measure(binary(), &["replay", "-j", "2", d]);
    let floor1 = measure(binary(), &["replay", "-j", "1", "--skip", "*", d]);
    let floor2 = measure(binary(), &["replay", "-j", "2", "--skip", "*", d]);
    println!("| workload | wall | per snapshot | peak RSS | vs Python json.load |");
    println!("|---|---:|---:|---:|---:|");
    let n = files.len() as f64;
    let line = |name: &str, r: Run| {
        println!(
            "| {name} | {:.2} s | {:.0} µs | {:.0} MB | {:.2}× |",
            r.wall,
            r.wall / n * 1e6,
            r.rss_mb,
            r.wall / python.wall
        );
    };
    line("`syncdoctor replay -j 2` (bundled KB)", j2);
    line("`syncdoctor replay -j 1`", j1);
    line("floor: `replay -j 2 --skip '*'` (read, parse, validate, report; no rule)", floor2);
    line("floor: `replay -j 1 --skip '*'`", floor1);
    line("Python: read + `json.load` of every file, nothing else", python);
    println!(
        "\nthread scaling, 1 → 2 workers: {:.2}× with the bundled KB, {:.2}× for the floor",
        j1.wall / j2.wall,
        floor1.wall / floor2.wall
    );
}

// ---------------------------------------------------------------- directory scan

/// A directory snapshot: the connect-sync baseline with `users` users and `users / 10` groups,
/// streamed to disk (the 1M-user file is about 0.7 GB). About 0.3 % duplicate UPNs, 0.2 % `.local`
/// suffixes, 0.2 % invalid characters and 0.5 % over-long `sAMAccountName`s for the data-quality
/// rules to find.
fn directory(users: usize) -> PathBuf {
    let path = data_dir().join(format!("directory-{users}-fleet-v2.json"));
    if path.exists() {
        return path;
    }
    let groups = users / 10;
    let mut snapshot = read_json(&root().join("rules/baselines/connect-sync.json"));
    snapshot["facts"]["ad"]["users"] = json!("@USERS@");
    snapshot["facts"]["ad"]["groups"] = json!("@GROUPS@");
    let text = serde_json::to_string(&snapshot).unwrap();
    let (head, rest) = text.split_once("\"@USERS@\"").unwrap();
    let (middle, tail) = rest.split_once("\"@GROUPS@\"").unwrap();
    let partial = path.with_extension("partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&partial).unwrap());
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    // One JSON array of `n` generated objects, streamed.
    let mut array = |out: &mut std::io::BufWriter<std::fs::File>, n: usize, make: fn(usize, &mut Rng) -> Value| {
        out.write_all(b"[").unwrap();
        for i in 0..n {
            if i > 0 {
                out.write_all(b",").unwrap();
            }
            serde_json::to_writer(&mut *out, &make(i, &mut rng)).unwrap();
        }
        out.write_all(b"]").unwrap();
    };
    out.write_all(head.as_bytes()).unwrap();
    array(&mut out, users, common::user);
    out.write_all(middle.as_bytes()).unwrap();
    array(&mut out, groups, common::group);
    out.write_all(tail.as_bytes()).unwrap();
    out.flush().unwrap();
    drop(out);
    std::fs::rename(&partial, &path).unwrap();
    path
}

fn sizes() -> Vec<usize> {
    match std::env::var("SYNCDOCTOR_BENCH_USERS") {
        Ok(list) => list.split(',').map(|n| n.trim().replace('_', "").parse().expect("a number of users")).collect(),
        Err(_) => USERS.to_vec(),
    }
}

fn bench_scan() {
    println!("\n### directory scan: `syncdoctor diagnose --format json` of N users + N/10 groups, bundled KB\n");
    println!(
        "| users | file | diagnose | peak RSS | floor (`--skip '*'`) | floor RSS | Python json.load | its RSS | diagnose / Python | RSS / Python | diagnose per 100k users |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for users in sizes() {
        let path = directory(users);
        let p = path.to_str().unwrap();
        let size = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
        let python =
            measure("python3", &["-c", "import json, sys\nwith open(sys.argv[1], 'rb') as f: json.load(f)", p]);
        let full = measure(binary(), &["diagnose", "--format", "json", p]);
        let floor = measure(binary(), &["diagnose", "--format", "json", "--skip", "*", p]);
        println!(
            "| {users} | {size:.0} MB | {:.2} s | {:.0} MB | {:.2} s | {:.0} MB | {:.2} s | {:.0} MB | {:.2}× | {:.2}× | {:.2} s |",
            full.wall,
            full.rss_mb,
            floor.wall,
            floor.rss_mb,
            python.wall,
            python.rss_mb,
            full.wall / python.wall,
            full.rss_mb / python.rss_mb,
            full.wall / users as f64 * 1e5
        );
    }
}

fn main() {
    let words: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let want = |name: &str| words.is_empty() || words.iter().any(|w| w == name);
    println!("syncdoctor fleet benchmarks: {} ({} runs per figure, median wall, max peak RSS)", binary(), RUNS);
    if want("replay") {
        bench_replay();
    }
    if want("scan") {
        bench_scan();
    }
}
