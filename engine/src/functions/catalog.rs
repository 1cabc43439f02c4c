//! The helper catalogue: every function the engine adds to Rhai for conditions, in one table with
//! its call, what it returns and an example that is itself a test. `docs/helpers.md` is generated
//! from it ([`markdown`], checked by the docs drift test); a test evaluates every example in the
//! sandbox (against [`EXAMPLE_FACTS`], at [`EXAMPLE_NOW`]) and fails unless it gives `true`; another
//! fails when a function is registered without an entry here (or an entry names nothing registered).
//! `native` marks the helpers the fast path runs without Rhai; `fast_path/lower.rs` keeps its
//! own table of those (each needs its semantics mirrored), and calls every other helper listed here
//! through Rhai (they are pure: none changes its arguments).

pub use crate::extension::Helper;
use crate::extension::Helpers;

/// The facts the examples run against.
pub const EXAMPLE_FACTS: &str = r#"{
  "entra": {"tenant": {"on_premises_last_sync": "2026-11-19T09:30:00Z"}},
  "connect": {"version": "2.4.18.0", "scheduler": {"effective_interval": "PT30M"},
              "runs": [{"result": "success"}, {"result": "stopped-server-down"}]},
  "localdb": {"mdf_size_bytes": 9663676416},
  "services": {"adsync": {"state": "Running"}},
  "ad": {"users": [
           {"upn": "ann@contoso.com", "dn": "CN=Ann,OU=Staff,DC=contoso,DC=com", "mail": "ann@contoso.com",
            "proxy_addresses": ["SMTP:ann@contoso.com"], "object_guid": "1b97b008-b264-47f3-9949-16f4077e89b7"},
           {"upn": "bob smith@contoso.local", "dn": "CN=Bob,OU=Lab,DC=contoso,DC=com", "mail": "ANN@contoso.com",
            "proxy_addresses": [], "object_guid": "00112233-4455-6677-8899-aabbccddeeff"}],
         "groups": [{"name": "All", "member_count": 60000}, {"name": "Few", "member_count": 3}]},
  "entra_users": [{"upn": "ANN@contoso.com", "on_premises_immutable_id": "CLCXG2Sy80eZSRb0B36Jtw=="}],
  "unknown": null
}"#;

/// The snapshot time (`now()`) of the examples.
pub const EXAMPLE_NOW: &str = "2026-11-20T09:30:00Z";

const fn h(
    group: &'static str,
    name: &'static str,
    call: &'static str,
    returns: &'static str,
    example: &'static str,
    native: bool,
) -> Helper {
    Helper { name, call, returns, example, group, native }
}

/// Every helper, by group.
pub const HELPERS: &[Helper] = &[
    h(
        "Time",
        "now",
        "now()",
        "the snapshot's `collected_at` (the examples' is 2026-11-20T09:30:00Z)",
        r#"now() == "2026-11-20T09:30:00Z""#,
        false,
    ),
    h(
        "Time",
        "hours_since",
        "hours_since(ts)",
        "float hours from `ts` to now",
        "hours_since(facts.entra.tenant.on_premises_last_sync) >= 24.0",
        true,
    ),
    h(
        "Time",
        "minutes_since",
        "minutes_since(ts)",
        "float minutes from `ts` to now",
        r#"minutes_since("2026-11-20T09:00:00Z") == 30.0"#,
        true,
    ),
    h(
        "Time",
        "days_since",
        "days_since(ts)",
        "float days from `ts` to now",
        r#"days_since("2026-11-10T09:30:00Z") == 10.0"#,
        true,
    ),
    h(
        "Time",
        "hours_until",
        "hours_until(ts)",
        "float hours from now to `ts` (negative when past)",
        r#"hours_until("2026-11-20T12:30:00Z") == 3.0"#,
        true,
    ),
    h(
        "Time",
        "days_until",
        "days_until(ts)",
        "float days from now to `ts` (negative when past)",
        r#"days_until("2026-11-27T09:30:00Z") == 7.0"#,
        true,
    ),
    h(
        "Time",
        "parse_time",
        "parse_time(ts)",
        "int seconds since 1970",
        r#"parse_time("1970-01-02T00:00:00Z") == 86400"#,
        true,
    ),
    h(
        "Time",
        "duration_secs",
        "duration_secs(d)",
        "int seconds of an ISO 8601 duration (a day is 24 h)",
        "duration_secs(facts.connect.scheduler.effective_interval) == 1800",
        true,
    ),
    h(
        "Time",
        "duration_hours",
        "duration_hours(d)",
        "float hours of an ISO 8601 duration",
        r#"duration_hours("P7D") == 168.0"#,
        true,
    ),
    h(
        "Versions",
        "version_cmp",
        "version_cmp(a, b)",
        "-1, 0 or 1, comparing dotted versions numerically",
        r#"version_cmp("2.4.18.0", "2.4.21.0") == -1"#,
        false,
    ),
    h("Versions", "version_lt", "version_lt(a, b)", "bool", r#"version_lt(facts.connect.version, "2.5.79.0")"#, false),
    h("Versions", "version_le", "version_le(a, b)", "bool", r#"version_le("2.4.18.0", "2.4.18.0")"#, false),
    h("Versions", "version_gt", "version_gt(a, b)", "bool", r#"version_gt("2.10.0.0", "2.9.0.0")"#, false),
    h("Versions", "version_ge", "version_ge(a, b)", "bool", r#"version_ge(facts.connect.version, "2.0.0.0")"#, false),
    h(
        "Versions",
        "version_major",
        "version_major(a)",
        "int, the first number",
        r#"version_major("1.6.16.0") == 1"#,
        false,
    ),
    h("Sizes", "gib", "gib(n)", "n × 2³⁰ bytes (int or float n)", "facts.localdb.mdf_size_bytes >= gib(8)", true),
    h("Sizes", "mib", "mib(n)", "n × 2²⁰ bytes", "mib(1) == 1048576", true),
    h("Sizes", "kib", "kib(n)", "n × 2¹⁰ bytes", "kib(2) == 2048", true),
    h(
        "Text",
        "matches",
        "matches(s, re)",
        "whether the regex matches anywhere in `s` (compiled once, cached)",
        r#"matches(facts.ad.users[1].upn, "\\s")"#,
        false,
    ),
    h(
        "Text",
        "eq_ignore_case",
        "eq_ignore_case(a, b)",
        "case-insensitive equality",
        r#"eq_ignore_case(facts.ad.users[0].upn, facts.entra_users[0].upn)"#,
        true,
    ),
    h(
        "Text",
        "domain_of",
        "domain_of(s)",
        "lower-cased text after the last `@` (`\"\"` if none)",
        r#"domain_of("Ann@Contoso.COM") == "contoso.com""#,
        false,
    ),
    h(
        "Text",
        "local_part",
        "local_part(s)",
        "text before the last `@`",
        r#"local_part("ann@contoso.com") == "ann""#,
        false,
    ),
    h(
        "Characters",
        "chars_in",
        "chars_in(s, class)",
        "the distinct characters of `s` inside the regex class body `class`, in order (`\"\"` if none)",
        r#"chars_in("ann smith&co", "\\s&") == " &""#,
        false,
    ),
    h(
        "Characters",
        "chars_outside",
        "chars_outside(s, class)",
        "the distinct characters of `s` outside `class`",
        r#"chars_outside("jörg@x.com", "a-z0-9@.") == "ö""#,
        false,
    ),
    h(
        "Characters",
        "has_diacritics",
        "has_diacritics(s)",
        "whether `s` has a Latin letter with a diacritic or a combining mark",
        r#"has_diacritics("Jiménez") && !has_diacritics("Straße")"#,
        false,
    ),
    h(
        "Presence",
        "has",
        "has(path)",
        "whether the fact at a dotted path (relative to `facts`, `[n]` for elements) was gathered; `true` also when it is `null`",
        r#"has("services.adsync") && has("unknown") && !has("sql")"#,
        true,
    ),
    h(
        "Presence",
        "is_null",
        "is_null(x)",
        "whether a value is a gathered-but-unknown fact (or `()`)",
        "is_null(facts.unknown)",
        true,
    ),
    h(
        "Lists",
        "duplicates",
        "duplicates(list, field)",
        "the items whose `field` equals, ignoring case, another item's (blanks ignored)",
        r#"duplicates(facts.ad.users, "mail").len() == 2"#,
        false,
    ),
    h(
        "Lists",
        "count_where",
        "count_where(list, |x| …)",
        "how many items satisfy the predicate",
        r#"count_where(facts.connect.runs, |r| r.result != "success") == 1"#,
        true,
    ),
    h(
        "Lists",
        "sum",
        "sum(list, field)",
        "the sum of a numeric field (absent or null count as 0)",
        r#"sum(facts.ad.groups, "member_count") == 60003"#,
        false,
    ),
    h(
        "Scans",
        "select_where",
        "select_where(list, conds)",
        "the items that meet every condition (`#{field: value, regex, (), #{more_than: n}, #{one_of: [..]}, #{under: [dn..]}}`)",
        "select_where(facts.ad.groups, #{member_count: #{more_than: 50000}}).len() == 1",
        false,
    ),
    h(
        "Scans",
        "reject_where",
        "reject_where(list, conds)",
        "the items that meet none of the conditions",
        r#"reject_where(facts.ad.users, #{dn: #{under: ["OU=Lab,DC=contoso,DC=com"]}}).len() == 1"#,
        false,
    ),
    h(
        "Scans",
        "find_values",
        "find_values(list, field, checks[, filter])",
        "one result `#{attribute, value, detail, …}` per value of `field` and check it fails",
        r#"find_values(facts.ad.users, "upn", #{chars_in: "\\s", keep: ["dn"]})[0].detail == " ""#,
        false,
    ),
    h(
        "Scans",
        "duplicate_values",
        "duplicate_values(list, fields, options[, filter])",
        "one result per item and value another item has too, compared by key ignoring case",
        r#"duplicate_values(facts.ad.users, ["mail", "proxy_addresses"], #{strip: "(?i)^smtp:"}).len() == 2"#,
        false,
    ),
    h(
        "Scans",
        "distinct_values",
        "distinct_values(list, field, capture[, filter])",
        "the distinct lower-cased values of `field`, or the first capture group of `capture` in them",
        r#"distinct_values(facts.ad.users, "upn", "@(.+)$").len() == 2"#,
        false,
    ),
    h(
        "Scans",
        "matched",
        "matched(list, fields, others, other_fields[, options])",
        "the items whose `fields` hold a value, ignoring case, of `other_fields` on some item of `others` (options filter them, and convert values by a conversion an extension adds: `#{others: \"base64_to_guid\"}` with syncdoctor-facts)",
        r#"matched(facts.ad.users, "mail", facts.entra_users, "upn", #{where: #{dn: "OU=Staff"}}).len() == 1"#,
        false,
    ),
    h(
        "Scans",
        "unmatched",
        "unmatched(list, fields, others, other_fields[, options])",
        "the other items (including those whose `fields` are null or absent)",
        r#"unmatched(facts.ad.users, "upn", facts.entra_users, "upn").len() == 1"#,
        false,
    ),
    h(
        "Fact lists and objects",
        "len",
        "list.len()",
        "the number of items (of keys, for an object)",
        "facts.ad.users.len() == 2",
        true,
    ),
    h(
        "Fact lists and objects",
        "is_empty",
        "list.is_empty()",
        "whether it has no item",
        "!facts.ad.groups.is_empty()",
        true,
    ),
    h(
        "Fact lists and objects",
        "contains",
        "x.contains(v)",
        "a list: whether it holds `v`; an object: whether it has the key `v`",
        r#"facts.services.contains("adsync")"#,
        true,
    ),
    h(
        "Fact lists and objects",
        "keys",
        "object.keys()",
        "the keys of an object fact",
        r#"facts.services.keys() == ["adsync"]"#,
        false,
    ),
    h(
        "Fact lists and objects",
        "to_array",
        "list.to_array()",
        "the items as a Rhai array",
        "facts.ad.users.to_array().len() == 2",
        false,
    ),
    h(
        "Fact lists and objects",
        "to_string",
        "x.to_string()",
        "the fact as JSON text (`null` for a null fact)",
        r#"facts.services.adsync.to_string() == "{\"state\":\"Running\"}""#,
        false,
    ),
    h(
        "Fact lists and objects",
        "to_debug",
        "x.to_debug()",
        "the same, for `debug` output",
        r#"facts.unknown.to_debug() == "null""#,
        false,
    ),
    h(
        "Fact lists and objects",
        "filter",
        "list.filter(|x| …)",
        "the items that satisfy the predicate",
        r#"facts.ad.users.filter(|u| u.upn.ends_with(".local")).len() == 1"#,
        false,
    ),
    h(
        "Fact lists and objects",
        "map",
        "list.map(|x| …)",
        "each item mapped",
        r#"facts.ad.groups.map(|g| g.name) == ["All", "Few"]"#,
        false,
    ),
    h(
        "Fact lists and objects",
        "any",
        "list.any(|x| …)",
        "whether some item satisfies the predicate",
        "facts.ad.groups.any(|g| g.member_count > 50000)",
        true,
    ),
    h(
        "Fact lists and objects",
        "all",
        "list.all(|x| …)",
        "whether every item does",
        r#"facts.ad.users.all(|u| u.dn.starts_with("CN="))"#,
        true,
    ),
    h(
        "Fact lists and objects",
        "count",
        "list.count(|x| …)",
        "how many items do",
        "facts.ad.groups.count(|g| g.member_count < 10) == 1",
        true,
    ),
    h(
        "Fact lists and objects",
        "find",
        "list.find(|x| …)",
        "the first item that does (`()` if none)",
        r#"facts.ad.users.find(|u| u.mail == "ANN@contoso.com").upn == "bob smith@contoso.local""#,
        false,
    ),
];

/// `docs/helpers.md`: the catalogue as Markdown, one table per group, then those of `extensions`
/// (each group named with the extension that adds it).
#[must_use]
pub fn markdown(extensions: &[Helpers]) -> String {
    let mut out = String::from(
        "# Condition helpers\n\nGenerated from `engine/src/functions/catalog.rs` and the catalogues of the extensions the \
         bundled knowledge base loads with (`facts/src/guid.rs`; `SYNCDOCTOR_UPDATE_DOCS=1 cargo test --test docs` \
         rewrites it). Every example is a test: it is evaluated in the sandbox against the example facts of the \
         catalogue and must be `true`. *Native* helpers also run on the fast path, without Rhai.\n",
    );
    let mut sections: Vec<(&[Helper], &str)> = vec![(HELPERS, "")];
    sections.extend(extensions.iter().map(|e| (e.catalogue, e.name)));
    for (catalogue, added_by) in sections {
        let mut groups: Vec<&str> = Vec::new();
        for helper in catalogue {
            if !groups.contains(&helper.group) {
                groups.push(helper.group);
            }
        }
        for group in groups {
            let heading = if added_by.is_empty() { group.to_owned() } else { format!("{group} (added by {added_by})") };
            out.push_str(&format!("\n## {heading}\n\n| helper | returns | example | native |\n|---|---|---|---|\n"));
            for helper in catalogue.iter().filter(|x| x.group == group) {
                out.push_str(&format!(
                    "| `{}` | {} | `{}` | {} |\n",
                    helper.call.replace('|', "\\|"),
                    helper.returns.replace('|', "\\|"),
                    helper.example.replace('|', "\\|"),
                    if helper.native { "yes" } else { "" }
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_true_on_the_example_facts() {
        let failures = crate::helper_examples::failing_examples(HELPERS, &[]);
        assert!(failures.is_empty(), "{} examples are not true:\n{}", failures.len(), failures.join("\n"));
    }

    /// The names the engine's sources register: `register_fn("name", …)`, and the names of the
    /// `("name", …)` tuples a file registers in a loop (`register_fn(name, …)`).
    fn registered_names() -> std::collections::BTreeSet<String> {
        fn literal(rest: &str) -> Option<String> {
            let rest = rest.trim_start().strip_prefix('"')?;
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit()).collect();
            (rest[name.len()..].starts_with('"') && !name.is_empty()).then_some(name)
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![root.join("facts/api.rs")];
        let mut dirs = vec![root.join("functions")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read_dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("catalog.rs")
                    && !path.ends_with("tests.rs")
                {
                    files.push(path);
                }
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read");
            let code = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or("");
            let mut in_loop = false;
            for (at, _) in code.match_indices("register_fn(") {
                let rest = &code[at + "register_fn(".len()..];
                names.extend(literal(rest));
                in_loop |= rest.trim_start().starts_with("name");
            }
            if in_loop {
                for (at, _) in code.match_indices("(\"") {
                    if let Some(name) = literal(&code[at + 1..])
                        && code[at + 1..].trim_start_matches(|c| c != ',').starts_with(',')
                    {
                        names.insert(name);
                    }
                }
            }
        }
        names
    }

    #[test]
    fn every_registered_function_has_an_entry_and_every_entry_is_registered() {
        let registered = registered_names();
        let listed: std::collections::BTreeSet<String> = HELPERS.iter().map(|h| h.name.to_owned()).collect();
        let missing: Vec<&String> = registered.difference(&listed).collect();
        let unknown: Vec<&String> = listed.difference(&registered).collect();
        assert!(missing.is_empty(), "registered without a catalogue entry: {missing:?}");
        assert!(unknown.is_empty(), "in the catalogue but not registered: {unknown:?}");
        assert!(registered.len() >= 50, "the scan found only {registered:?}");
    }

    #[test]
    fn every_helper_is_listed_once() {
        let mut names: Vec<&str> = HELPERS.iter().map(|h| h.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a helper is listed twice");
    }
}
