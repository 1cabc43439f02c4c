//! Compiles `tests/c/smoke.c` with the C compiler (`CC`, else `gcc`) against the checked-in header
//! and the cdylib cargo built, runs it on bundled scenarios, and checks that the report it prints
//! is byte-identical to the one the Rust API (and so `syncdoctor diagnose --format json`) gives,
//! and that a bad snapshot gives the CLI's located message. Without a C compiler the test says so
//! and passes, except under `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The cdylib next to this test binary (`target/<profile>/deps/` or `target/<profile>/`).
fn library() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    let name = format!("{}syncdoctor_capi{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
    [deps.join(&name), deps.parent()?.join(&name)].into_iter().find(|p| p.is_file())
}

fn compiler() -> Option<String> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "gcc".into());
    Command::new(&cc).arg("--version").output().ok().filter(|o| o.status.success()).map(|_| cc)
}

#[test]
fn a_c_program_loads_evaluates_and_frees() {
    let Some(cc) = compiler() else {
        let message = "no C compiler (gcc, or $CC): the C ABI test did not run";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        eprintln!("SKIPPED: {message}");
        return;
    };
    let library = library().expect("cargo built the cdylib next to the test binary");
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("syncdoctor-capi-smoke-{}", std::process::id()));
    let lib_dir = library.parent().expect("the library is in a folder");
    let status = Command::new(&cc)
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&out)
        .arg(crate_dir.join("tests/c/smoke.c"))
        .arg("-I")
        .arg(crate_dir.join("include"))
        .arg(format!("-L{}", lib_dir.display()))
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-lsyncdoctor_capi")
        .status()
        .expect("run the C compiler");
    assert!(status.success(), "{cc} failed to compile tests/c/smoke.c");

    let kb = syncdoctor_bundled::load(None).expect("bundled knowledge base");
    let scenarios = crate_dir.join("../tests/scenarios");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&scenarios)
        .expect("tests/scenarios")
        .filter_map(|e| e.ok().map(|e| e.path().join("snapshot.json")))
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    assert!(names.len() >= 3, "scenarios found: {names:?}");
    for snapshot in &names {
        // The library just built, not an older copy cargo's LD_LIBRARY_PATH may list first
        // (`target/debug/` keeps the one of the last `cargo build`).
        let run = Command::new(&out).arg(snapshot).env("LD_LIBRARY_PATH", lib_dir).output().expect("run the C program");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "smoke failed on {}: {stderr}", snapshot.display());
        let stdout = String::from_utf8(run.stdout).expect("UTF-8 output");
        let (report, error) = stdout.split_once("---\n").expect("report, ---, error");
        let expected = kb
            .evaluate(&kb.read_snapshot(snapshot).expect("scenario reads"), &syncdoctor_engine::EvalOptions::default())
            .to_json_text();
        assert!(report == expected, "the C report of {} differs from the Rust one", snapshot.display());
        let cli_error = syncdoctor_engine::Snapshot::from_unnamed_text(
            "{\n  \"schema_version\": 1,\n  \"facts\": [}",
            "snapshot",
            kb.snapshot_schema(),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert_eq!(error.trim_end(), cli_error.trim_end());
        assert!(error.starts_with("invalid snapshot:\n<snapshot>:3:"), "{error}");
    }
    let _ = std::fs::remove_file(&out);
}
