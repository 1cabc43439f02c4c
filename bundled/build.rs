//! Embeds the bundled knowledge base (the workspace's `rules/`) into the crate, so the CLI, the
//! Python package and the C library work from any folder,
//! and records what `--version` prints: the bundled knowledge base's version and
//! the git commit (`unknown` when not built from a git checkout).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    println!("cargo:rerun-if-changed=../rules");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The bundled knowledge base: (path relative to `rules/`, contents).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for (relative, absolute) in &files {
        let _ = writeln!(code, "    ({relative:?}, include_str!({absolute:?})),");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("embedded_rules.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
    println!("cargo:rustc-env=SYNCDOCTOR_KB_VERSION={}", kb_version(&root.join("kb.yaml")));
    println!("cargo:rustc-env=SYNCDOCTOR_GIT_COMMIT={}", git_commit());
}

/// The `kb_version:` line of the manifest (a plain `key: value` line, so no YAML parser needed).
fn kb_version(manifest: &Path) -> String {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("kb_version:"))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The commit checked out (12 hex digits), `SYNCDOCTOR_GIT_COMMIT` when set, else `unknown`.
fn git_commit() -> String {
    println!("cargo:rerun-if-env-changed=SYNCDOCTOR_GIT_COMMIT");
    if let Ok(given) = std::env::var("SYNCDOCTOR_GIT_COMMIT")
        && !given.trim().is_empty()
    {
        return given.trim().to_owned();
    }
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git").args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned()).filter(|s| !s.is_empty())
    };
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown".into();
    };
    // Rebuild when HEAD moves: HEAD itself, the branch it points to, packed refs.
    let rerun = |path: String| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    };
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        rerun(format!("{dir}/HEAD"));
    }
    if let (Some(common), Some(branch)) =
        (git(&["rev-parse", "--git-common-dir"]), git(&["rev-parse", "--symbolic-full-name", "HEAD"]))
    {
        rerun(format!("{common}/{branch}"));
        rerun(format!("{common}/packed-refs"));
    }
    commit
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push((relative, path.to_string_lossy().into_owned()));
        }
    }
}
