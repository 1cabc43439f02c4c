//! The scans, end to end through a sandboxed engine.

use std::sync::Arc;

use rhai::{Dynamic, Scope};
use serde_json::json;

use crate::extension::Helpers;
use crate::facts::handle::{Fact, dynamic_to_json};
use crate::facts::tree::FactTree;
use crate::sandbox::{Limits, build_engine};

fn reversed(s: &str) -> Option<String> {
    Some(s.chars().rev().collect())
}

fn register_reversed(engine: &mut rhai::Engine) {
    engine.register_fn("reversed", |s: &str| s.chars().rev().collect::<String>());
}

/// An extension, as a vocabulary would add one: a helper and a conversion.
const TEST_HELPERS: Helpers =
    Helpers { name: "test", register: register_reversed, catalogue: &[], conversions: &[("reversed", reversed)] };

fn eval(script: &str) -> serde_json::Value {
    let facts = json!({
        "users": [
            {"dn": "CN=Ann,OU=Staff,DC=x,DC=com", "upn": "ann@contoso.com", "mail": "ann@contoso.com",
             "proxy_addresses": ["SMTP:ann@contoso.com", "smtp:a@contoso.com"], "display_name": "Ann Jiménez", "critical": false, "certs": 2},
            {"dn": "CN=Bob,OU=Staff,DC=x,DC=com", "upn": "bob smith@contoso.local", "mail": null,
             "proxy_addresses": ["smtp:A@contoso.com"], "display_name": "", "critical": false, "certs": 17},
            {"dn": "CN=krbtgt,CN=Users,DC=x,DC=com", "upn": null, "mail": null, "proxy_addresses": [],
             "display_name": null, "critical": true, "certs": 0}
        ],
        "cloud": [ {"upn": "ANN@contoso.com", "id": "CLCXG2Sy80eZSRb0B36Jtw=="} ],
        "empty": []
    });
    let tree = Arc::new(FactTree::from_value(&facts, "facts"));
    let engine = build_engine(&Limits::default(), &[TEST_HELPERS]);
    let mut scope = Scope::new();
    scope.push("facts", Fact::root(tree));
    match engine.eval_with_scope::<Dynamic>(&mut scope, script) {
        Ok(v) => dynamic_to_json(&v),
        Err(e) => json!({"error": e.to_string()}),
    }
}

/// `none_of` over a fact list is cached per thread; a new tree (even at a reused address) must
/// never see the old list's set.
#[test]
fn a_cached_list_set_never_outlives_its_tree() {
    let engine = build_engine(&Limits::default(), &[TEST_HELPERS]);
    let run = |tlds: serde_json::Value| {
        let facts = json!({"users": [{"upn": "ann@contoso.com"}, {"upn": "bob@corp.local"}], "tlds": tlds});
        let mut scope = Scope::new();
        scope.push("facts", Fact::root(Arc::new(FactTree::from_value(&facts, "facts"))));
        let script = r#"find_values(facts.users, "upn", #{after_last: ".@", none_of: facts.tlds}).len()"#;
        engine.eval_with_scope::<rhai::INT>(&mut scope, script).unwrap()
    };
    for _ in 0..3 {
        assert_eq!(run(json!(["COM"])), 1, "only .local is outside the list");
        assert_eq!(run(json!(["local"])), 1, "only .com is outside the list");
        assert_eq!(run(json!(["com", "local"])), 0);
    }
}

#[test]
fn character_helpers() {
    assert_eq!(eval(r#"chars_in("ann smith&co & more", "\\s&")"#), json!(" &"));
    assert_eq!(eval(r#"chars_outside("jörg@x.com", "a-z0-9@.")"#), json!("ö"));
    assert_eq!(eval(r#"chars_outside("olivia.oneil@contoso.com", "A-Za-z0-9'.\\-_!#^~@")"#), json!(""));
    assert_eq!(eval(r#"has_diacritics("Laura Jiménez")"#), json!(true));
    assert_eq!(eval(r#"has_diacritics("Olivia O'Neil") || has_diacritics("Straße")"#), json!(false));
    assert_eq!(eval(r#"has_diacritics("Zoe\u0301")"#), json!(true));
}

#[test]
fn distinct_and_matching() {
    assert_eq!(eval(r#"distinct_values(facts.users, "upn", "@(.+)$")"#), json!(["contoso.com", "contoso.local"]));
    assert_eq!(
        eval(r#"matched(facts.users, "upn", facts.cloud, "upn").map(|u| u.dn)"#),
        json!(["CN=Ann,OU=Staff,DC=x,DC=com"])
    );
    assert_eq!(eval(r#"unmatched(facts.users, "upn", facts.cloud, ["upn", "id"]).len()"#), json!(2));
    // Conversions come from the engine's extensions (here the test's own, `reversed`).
    let mapped = r#"let c = facts.cloud.map(|u| #{r: reversed(u.id)}); matched([#{g: "==wtj63b0brsze08ys2gxclc"}], "g", c, "r").len()"#;
    assert_eq!(eval(mapped), json!(1));
    let converted =
        r#"matched([#{g: "==WTJ63B0BRSZE08YS2GXCLC"}], "g", facts.cloud, "id", #{others: "reversed"}).len()"#;
    assert_eq!(eval(converted), json!(1));
    let reverse =
        r#"unmatched(facts.cloud, "id", [#{g: "==wtJ63B0bRSZe08yS2GXCLC"}], "g", #{field: "reversed"}).len()"#;
    assert_eq!(eval(reverse), json!(0));
    let unknown = eval(r#"matched(facts.users, "upn", facts.cloud, "upn", #{field: "rot13"})"#);
    assert!(
        unknown["error"].as_str().is_some_and(|e| e.contains("unknown conversion \"rot13\" (known: reversed)")),
        "{unknown}"
    );
}
