//! The compiled-condition pipeline seen from the CLI: lint finds typos behind `let` bindings.

mod common;

use common::{rules_with_edit, stderr, syncdoctor};

#[test]
fn a_typo_read_through_a_let_binding_is_a_located_lint_error() {
    let (_dir, rules, broken) = rules_with_edit("accounts/service-account-password-expired.yaml", |text| {
        text.replace("(a.password_expired || a.must_change_password)", "(a.pasword_expired || a.must_change_password)")
    });
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
