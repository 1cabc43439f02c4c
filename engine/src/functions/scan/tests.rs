//! The scans, end to end through a sandboxed engine.

use std::sync::Arc;

use rhai::{Dynamic, Scope};
use serde_json::json;

use crate::facts::handle::{Fact, dynamic_to_json};
use crate::facts::tree::FactTree;
use crate::sandbox::{Limits, build_engine};

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
    let engine = build_engine(&Limits::default());
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
    let engine = build_engine(&Limits::default());
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
fn guid_from_base64() {
    assert_eq!(eval(r#"base64_to_guid("CLCXG2Sy80eZSRb0B36Jtw==")"#), json!("1b97b008-b264-47f3-9949-16f4077e89b7"));
    assert_eq!(eval(r#"base64_to_guid("not base64!")"#), json!(""));
    assert_eq!(eval(r#"base64_to_guid("AAAA")"#), json!(""));
}

#[test]
fn select_and_reject() {
    let v = eval(r#"reject_where(facts.users, #{dn: "(?i)^CN=krbtgt,", critical: true}).map(|u| u.dn)"#);
    assert_eq!(v, json!(["CN=Ann,OU=Staff,DC=x,DC=com", "CN=Bob,OU=Staff,DC=x,DC=com"]));
    assert_eq!(eval(r#"select_where(facts.users, #{certs: #{more_than: 15}}).len()"#), json!(1));
    assert_eq!(eval(r#"select_where(facts.users, #{upn: ()}).len()"#), json!(1));
    assert_eq!(
        eval(r#"select_where(facts.users, #{proxy_addresses: #{more_than: 1}, critical: false}).len()"#),
        json!(1)
    );
    assert_eq!(eval(r#"select_where(facts.users, #{certs: #{one_of: [0, 2]}}).len()"#), json!(2));
    assert!(eval(r#"select_where(facts.users, #{certs: #{bigger: 1}})"#).get("error").is_some());
}

#[test]
fn under_a_distinguished_name() {
    let staff = r#"select_where(facts.users, #{dn: #{under: ["ou=staff,dc=X,dc=com"]}}).map(|u| u.dn)"#;
    assert_eq!(eval(staff), json!(["CN=Ann,OU=Staff,DC=x,DC=com", "CN=Bob,OU=Staff,DC=x,DC=com"]));
    // The whole domain, the OU itself (equal), and a name that only ends with the same letters.
    assert_eq!(eval(r#"select_where(facts.users, #{dn: #{under: "DC=x,DC=com"}}).len()"#), json!(3));
    assert_eq!(eval(r#"select_where(facts.users, #{dn: #{under: ["CN=Users,DC=x,DC=com"]}}).len()"#), json!(1));
    assert_eq!(eval(r#"select_where(facts.users, #{dn: #{under: ["taff,DC=x,DC=com"]}}).len()"#), json!(0));
    assert_eq!(
        eval(r#"reject_where(facts.users, #{dn: #{under: ["OU=Staff,DC=x,DC=com", "CN=Users,DC=x,DC=com"]}}).len()"#),
        json!(0)
    );
    assert_eq!(eval(r#"select_where(facts.users, #{dn: #{under: []}}).len()"#), json!(0));
    assert!(super::conds::dn_under("ou=a,dc=x", "ou=a,dc=x"));
    assert!(super::conds::dn_under("cn=b,ou=a,dc=x", "ou=a,dc=x"));
    assert!(!super::conds::dn_under("cn=b,xou=a,dc=x", "ou=a,dc=x"));
}

#[test]
fn find_values_reports_each_offending_value() {
    let v = eval(
        r#"find_values(facts.users, "upn", #{chars_outside: "A-Za-z0-9'.\\-_!#^~@", keep: ["dn"], label: #{category: "Character"}})"#,
    );
    assert_eq!(
        v,
        json!([{"attribute": "upn", "category": "Character", "detail": " ", "dn": "CN=Bob,OU=Staff,DC=x,DC=com", "value": "bob smith@contoso.local"}])
    );
    let tld =
        eval(r#"find_values(facts.users, "upn", #{capture: "@(?:[^@]*\\.)?([^.@]+)$", none_of: ["com", "net"]})"#);
    assert_eq!(tld.as_array().map(Vec::len), Some(1));
    assert_eq!(tld.pointer("/0/detail"), Some(&json!("local")));
    let blank = eval(r#"find_values(facts.users, "display_name", #{blank: true})"#);
    assert_eq!(blank.as_array().map(Vec::len), Some(2));
    let only = eval(r#"find_values(facts.users, "proxy_addresses", #{only: "^SMTP:", max_len: 5})"#);
    assert_eq!(only.pointer("/0/detail"), Some(&json!("length 20 > 5")));
    assert_eq!(only.as_array().map(Vec::len), Some(1));
    assert_eq!(eval(r#"find_values(facts.users, "display_name", #{diacritics: true})[0].detail"#), json!("é"));
    assert!(eval(r#"find_values(facts.users, "upn", #{typo: 1})"#).get("error").is_some());
}

#[test]
fn several_checks_filters_and_concatenated_lists() {
    let v = eval(
        r#"find_values(facts.users, "upn", [#{not_matches: "@", label: #{c: "Format"}}, #{chars_in: "\\s", label: #{c: "Character"}}, #{blank: true, label: #{c: "Blank"}}], #{unless: #{critical: true}})"#,
    );
    assert_eq!(v.pointer("/0/c"), Some(&json!("Character")));
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(eval(r#"find_values(facts.users, "upn", #{blank: true}, #{where: #{critical: true}}).len()"#), json!(1));
    assert_eq!(eval(r#"select_where([facts.users, facts.cloud, [#{x: 1}]], #{}).len()"#), json!(5));
    let dups = r#"duplicate_values([facts.users, [#{dn: "CN=G", mail: "ann@contoso.com"}]], ["mail", "proxy_addresses"], #{capture: "(?i)^(?:smtp:)?(.+@.+)$"}, #{unless: #{dn: "^CN=Bob"}})"#;
    assert_eq!(eval(dups).as_array().map(Vec::len), Some(2));
    let filtered = r#"unmatched(facts.users, "upn", facts.cloud, "upn", #{where: #{critical: false}, others_unless: #{id: "^CLC"}}).len()"#;
    assert_eq!(eval(filtered), json!(2));
}

#[test]
fn key_options() {
    let strip = r#"duplicate_values(facts.users, ["mail", "proxy_addresses"], #{strip: "(?i)^smtp:", only: "@"}).map(|r| r.value)"#;
    assert_eq!(eval(strip), json!(["smtp:a@contoso.com", "smtp:A@contoso.com"]));
    assert_eq!(eval(r#"distinct_values(facts.users, "upn", "@(.+)$").len()"#), json!(2));
    let last = r#"find_values([[#{v: "first.last@corp"}, #{v: "a@b.c.Local"}, #{v: "x@y.com"}]], "v", #{after_last: ".@", one_of: ["corp", "local"]}).map(|r| r.detail)"#;
    assert_eq!(eval(last), json!(["corp", "Local"]));
}

#[test]
fn results_are_read_only_objects() {
    assert_eq!(
        eval(r#"let r = find_values(facts.users, "upn", #{blank: true}); [r.len(), type_of(r[0]), r[0].value == ()]"#),
        json!([1, "fact", true])
    );
    assert_eq!(eval(r#"distinct_values(facts.users, "upn", "").len()"#), json!(2));
}

#[test]
fn absent_field_everywhere_is_a_missing_fact() {
    let v = eval(r#"find_values(facts.users, "given_name", #{max_len: 64})"#);
    let error = v.get("error").and_then(|e| e.as_str()).unwrap_or_default().to_string();
    assert!(error.contains("missing fact facts.users[0].given_name"), "{error}");
    assert_eq!(eval(r#"find_values(facts.empty, "given_name", #{max_len: 64})"#), json!([]));
}

#[test]
fn duplicates_across_fields_and_items() {
    let v = eval(
        r#"duplicate_values(facts.users, ["mail", "proxy_addresses"], #{capture: "(?i)^(?:smtp:)?(.+@.+)$", keep: ["dn"]})"#,
    );
    let values: Vec<&str> =
        v.as_array().into_iter().flatten().filter_map(|r| r.get("value").and_then(|x| x.as_str())).collect();
    assert_eq!(values, vec!["smtp:a@contoso.com", "smtp:A@contoso.com"]);
    assert_eq!(v.pointer("/0/detail"), Some(&json!("a@contoso.com is also on 1 other item")));
    assert_eq!(eval(r#"duplicate_values(facts.users, "upn", ())"#), json!([]));
}

#[test]
fn distinct_and_matching() {
    assert_eq!(eval(r#"distinct_values(facts.users, "upn", "@(.+)$")"#), json!(["contoso.com", "contoso.local"]));
    assert_eq!(
        eval(r#"matched(facts.users, "upn", facts.cloud, "upn").map(|u| u.dn)"#),
        json!(["CN=Ann,OU=Staff,DC=x,DC=com"])
    );
    assert_eq!(eval(r#"unmatched(facts.users, "upn", facts.cloud, ["upn", "id"]).len()"#), json!(2));
    let mapped = r#"let c = facts.cloud.map(|u| #{guid: base64_to_guid(u.id)}); matched([#{g: "1B97B008-B264-47F3-9949-16F4077E89B7"}], "g", c, "guid").len()"#;
    assert_eq!(eval(mapped), json!(1));
    let converted = r#"matched([#{g: "1B97B008-B264-47F3-9949-16F4077E89B7"}], "g", facts.cloud, "id", #{others: "base64_to_guid"}).len()"#;
    assert_eq!(eval(converted), json!(1));
    let reverse = r#"unmatched(facts.cloud, "id", [#{g: "1b97b008-b264-47f3-9949-16f4077e89b7"}], "g", #{field: "base64_to_guid"}).len()"#;
    assert_eq!(eval(reverse), json!(0));
    assert!(eval(r#"matched(facts.users, "upn", facts.cloud, "upn", #{field: "rot13"})"#).get("error").is_some());
}
