//! (a) KB evaluation: the bundled KB and a synthetic one, against native Rust over `Value`.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use syncdoctor_engine::{EvalOptions, KbSource, KnowledgeBase, LoadOptions, Snapshot};

use super::{NativeBundled, at, baseline_text, fmt, load_bundled, measure, row};

pub(crate) const SHAPES: usize = 6;

/// Condition `i` of a synthetic KB, in the shapes of the bundled KB.
pub(crate) fn condition(i: usize) -> String {
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
pub(crate) fn native_condition(i: usize, f: &Value) -> Option<bool> {
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

pub(crate) fn synthetic_kb(n: usize, extra: &[(String, String)]) -> KbSource {
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

pub(crate) fn rule_yaml(id: &str, when: &str) -> String {
    format!(
        "id: {id}\nversion: 1.0.0\nstatus: stable\ntitle: Synthetic {id}\nseverity: warning\ncovers: [syn]\n\
         symptom: s\ncause: c\nwhen: |\n  {when}\nresolution: {{summary: fix it}}\n"
    )
}

pub(crate) fn bench_eval() {
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
pub(crate) fn costliest_rules(kb: &KnowledgeBase, snapshot: &Snapshot, options: &EvalOptions) {
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
