//! The compiled-condition pipeline seen from the CLI: lint finds typos behind `let` bindings.

mod common;

use common::{copy_rules, stderr, syncdoctor};

#[test]
fn a_typo_read_through_a_let_binding_is_a_located_lint_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = copy_rules(dir.path());
    let path = rules.join("accounts/service-account-password-expired.yaml");
    let text = std::fs::read_to_string(&path).expect("rule");
    let broken =
        text.replace("(a.password_expired || a.must_change_password)", "(a.pasword_expired || a.must_change_password)");
    assert_ne!(text, broken, "the rule no longer has the line this test changes");
    std::fs::write(&path, &broken).expect("write");
    let out = syncdoctor(&["--rules", rules.to_str().expect("utf8"), "rules", "lint"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let line = broken.lines().position(|l| l.contains("a.pasword_expired")).map_or(0, |i| i + 1);
    let column = broken.lines().nth(line - 1).and_then(|l| l.find("pasword_expired")).map_or(0, |c| c + 1);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("service-account-password-expired.yaml:{line}:{column}: `when` reads unknown fact `facts.ad.accounts.sync_service.pasword_expired`")),
        "{err}"
    );
}
