//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every bundled snapshot file: the healthy baselines, the examples and each scenario's snapshot.
pub fn snapshot_files() -> Vec<PathBuf> {
    let root = root();
    let mut files: Vec<PathBuf> = ["rules/baselines", "examples"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).into_iter().flatten().flatten().map(|e| e.path()))
        .collect();
    let scenarios = std::fs::read_dir(root.join("tests/scenarios")).into_iter().flatten().flatten();
    files.extend(scenarios.map(|e| e.path().join("snapshot.json")));
    files.retain(|p| p.extension().is_some_and(|e| e == "json") && p.exists());
    files.sort();
    files
}

/// Runs the `syncdoctor` binary with arguments, from the repository root.
pub fn syncdoctor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syncdoctor"))
        .args(args)
        .current_dir(root())
        .env_remove("SYNCDOCTOR_RULES")
        .output()
        .expect("run syncdoctor")
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Reads a baseline as JSON.
pub fn baseline(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root().join(format!("rules/baselines/{name}.json"))).expect("baseline");
    serde_json::from_str(&text).expect("baseline JSON")
}

/// Writes JSON to a file in `dir` and returns its path as a string.
pub fn write_json(dir: &Path, name: &str, value: &serde_json::Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("json")).expect("write");
    path.to_string_lossy().into_owned()
}

/// Copies the bundled knowledge base into `dir/rules` and returns that path.
pub fn copy_rules(dir: &Path) -> PathBuf {
    let target = dir.join("rules");
    copy_dir(&root().join("rules"), &target);
    target
}

/// A copy of the bundled knowledge base (in a new temporary folder) in which the rule file `rule`
/// (relative to `rules/`) is rewritten by `edit`. Fails the test when the edit changes nothing, so a
/// test cannot silently stop exercising what it means to. Returns the folder guard, the rules path
/// and the new text of the rule.
pub fn rules_with_edit(rule: &str, edit: impl FnOnce(&str) -> String) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = copy_rules(dir.path());
    let path = rules.join(rule);
    let text = std::fs::read_to_string(&path).expect("rule");
    let edited = edit(&text);
    assert_ne!(text, edited, "{rule} no longer has what this test changes");
    std::fs::write(&path, &edited).expect("write");
    (dir, rules, edited)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).expect("copy");
        }
    }
}
