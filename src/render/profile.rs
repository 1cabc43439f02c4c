//! `--profile`: the slowest rules, to standard error.

use std::time::Duration;

use syncdoctor_engine::RuleTiming;

/// Prints the ten slowest rules (time, Rhai operations, outcome) and the total; `lowered` is how
/// many rules have a native fast-path program for every condition.
pub fn print(timings: &[RuleTiming], total: Duration, lowered: usize) {
    let mut sorted: Vec<&RuleTiming> = timings.iter().collect();
    sorted.sort_by(|a, b| b.elapsed.cmp(&a.elapsed).then(a.rule_id.cmp(&b.rule_id)));
    let native = timings.iter().filter(|t| t.native && t.operations == 0).count();
    eprintln!(
        "profile: {} rules in {:.3} ms ({native} decided on the native fast path; {lowered} have a native program)",
        timings.len(),
        total.as_secs_f64() * 1e3
    );
    eprintln!("  {:>12}  {:>10}  {:<12}  rule", "time µs", "operations", "outcome");
    for t in sorted.iter().take(10) {
        // Decided on the native fast path, without a single Rhai operation.
        let operations = if t.native && t.operations == 0 { "fast path".to_owned() } else { t.operations.to_string() };
        eprintln!(
            "  {:>12.1}  {operations:>10}  {:<12}  {}",
            t.elapsed.as_secs_f64() * 1e6,
            t.outcome.as_str(),
            t.rule_id
        );
    }
}
