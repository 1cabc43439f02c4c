//! Character-level text helpers, and native scans over lists of objects for per-object rules: they
//! run in Rust over 200,000 items in milliseconds, where a Rhai closure per item would take seconds.
//!
//! A *class* is the body of a regex character class, as written between `[` and `]`
//! (`"A-Za-z0-9.\\-"`, `"\\s<>"`, `"\\p{L}"`). A *list* is a fact list, an array, or an array of lists
//! (read as their concatenation: `[facts.ad.users, facts.ad.groups]`); its items are objects (facts or
//! maps). The scans borrow their list, so a 200,000-item list is never copied. A field that is absent
//! or null on an item has no value and is skipped, unless a check says otherwise. A field that is
//! absent on *every* item of a non-empty fact list was not gathered: the scan raises "missing fact"
//! and the rule ends `inconclusive`.
//!
//! | function | returns | example |
//! |---|---|---|
//! | `select_where(list, conds)` | the items that meet every condition | `select_where(facts.ad.groups, #{mail_enabled: true, member_count: #{more_than: 50000}})` |
//! | `reject_where(list, conds)` | the items that meet none of the conditions | `reject_where(facts.ad.users, #{dn: "(?i)^CN=krbtgt,", is_critical_system_object: true})` |
//! | `find_values(list, field, checks[, filter])` | one result per value of `field` (a string field, or each string of a list field) and per check it fails; `checks` is one check map or an array of them | `find_values(facts.ad.users, "upn", #{chars_outside: "A-Za-z0-9@.\\-", keep: ["dn"]}, #{unless: data.idfix.exclusions})` |
//! | `duplicate_values(list, fields, options[, filter])` | one result per item and value (compared by key, ignoring case) that another item has too, in any of `fields` (a name or an array of names) | `duplicate_values([facts.ad.users, facts.ad.groups], ["mail", "proxy_addresses"], #{strip: "(?i)^smtp:", keep: ["dn"]})` |
//! | `distinct_values(list, field, capture[, filter])` | the distinct lower-cased values of `field` (a read-only list), or the first capture group of the regex `capture` in them (`""`: whole values; values it does not match are left out) | `distinct_values(users, "upn", "@(.+)$")` |
//! | `matched(list, fields, others, other_fields)` | the items whose `fields` (a name or an array of names) hold a value equal, ignoring case, to a value of `other_fields` (idem) on some item of `others` | `matched(admins, "upn", facts.ad.users, "upn")` |
//! | `unmatched(list, fields, others, other_fields)` | the other items (including those whose `fields` are null or absent) | `unmatched(facts.ad.users, "upn", facts.entra.users, "upn")` |
//! | `matched(…, options)`, `unmatched(…, options)` | the same, with options: `field` / `others` convert the items' / the others' values before comparing (`"base64_to_guid"`); `where` / `unless` filter the items and `others_where` / `others_unless` the others (conditions as below; filtered-out items are not returned) | `unmatched(facts.ad.users, "object_guid", facts.entra.users, "on_premises_immutable_id", #{others: "base64_to_guid"})` |
//!
//! `filter` is `#{where: conds, unless: conds}`: the scan looks only at items that meet every `where`
//! condition and none of the `unless` ones (duplicates are counted among those items only).
//!
//! `conds` is a map (or an object fact) from field name to what the field must be:
//!
//! | condition | holds when the item's field … | example |
//! |---|---|---|
//! | `true`, `false`, a number | equals it (same type) | `#{mail_enabled: true}` |
//! | a string | is a string, or a list holding a string, that the regex matches | `#{dn: "(?i),OU=Staff,"}` |
//! | `()` | is null or absent | `#{upn: ()}` |
//! | `#{more_than: n}`, `#{less_than: n}` | is a number above / below `n`; for a list, its length; for a string, its number of characters | `#{proxy_addresses: #{more_than: 300}}` |
//! | `#{one_of: [..]}` | equals one of the elements (strings ignoring case) | `#{kind: #{one_of: ["ad", "entra"]}}` |
//! | `#{under: [..]}` | is a distinguished name equal to, or under, one of the given DNs (ignoring case: it ends with `,` and the DN) | `#{dn: #{under: ["OU=Staff,DC=contoso,DC=com"]}}` |
//!
//! A check is a map of tests; a value fails it when any test fires, and `detail` says why:
//!
//! | test | fires when the value … | `detail` |
//! |---|---|---|
//! | `diacritics: true` | has letters with diacritics (`has_diacritics`) | those letters |
//! | `max_len: n` | is longer than `n` characters | `length 120 > 113` |
//! | `matches: re` | matches the regex | the matched text |
//! | `not_matches: re` | does not match the regex | `does not match` |
//! | `blank: true` | is empty or white space; also fires for a null field | `blank` |
//! | `one_of: list`, `none_of: list` | is / is not in the list, ignoring case — or, with the key options below, its key is | the compared text |
//!
//! Key options (of a check, and of `duplicate_values`, which compares keys): `strip: re` removes a
//! leading match of the regex (`"(?i)^smtp:"`), `after_last: chars` keeps the text after the last of
//! these characters (`".@"`: a domain's last label), `capture: re` keeps the regex's first group (or
//! whole match) and leaves out values it does not match. Other options: `only: re` / `skip: re`
//! test only the values the regex matches / does not match; `keep: [fields]` copies those fields of the
//! item into each result; `label: #{…}` adds fixed entries. Each result map holds the kept fields,
//! `attribute` (the field's name), `value` (the value at fault, `()` for a null one), `detail`, and the
//! `label` entries (which win over the others). Results come back as read-only objects (facts): reading

mod checks;
mod conds;
mod duplicates;
mod join;
mod list;
#[cfg(test)]
mod tests;

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString};

use checks::find_values;
use conds::filter_items;
use duplicates::{distinct_values, duplicate_values};
use join::match_items;
use list::List;

type R<T> = Result<T, Box<EvalAltResult>>;

/// Registers the list scans for one type of list argument (taken by reference: a 200,000-item
/// array is not copied for the call).
macro_rules! register_lists {
    ($engine:ident, $t:ty, $conversions:ident) => {
        $engine.register_fn("select_where", |list: &mut $t, conds: Dynamic| -> R<Array> {
            filter_items(List::from(&*list), &conds, true)
        });
        $engine.register_fn("reject_where", |list: &mut $t, conds: Dynamic| -> R<Array> {
            filter_items(List::from(&*list), &conds, false)
        });
        $engine.register_fn("find_values", |list: &mut $t, field: ImmutableString, checks: Dynamic| -> R<Array> {
            find_values(List::from(&*list), &field, &checks, &Dynamic::UNIT)
        });
        $engine.register_fn(
            "find_values",
            |list: &mut $t, field: ImmutableString, checks: Dynamic, filter: Dynamic| -> R<Array> {
                find_values(List::from(&*list), &field, &checks, &filter)
            },
        );
        $engine.register_fn("duplicate_values", |list: &mut $t, fields: Dynamic, options: Dynamic| -> R<Array> {
            duplicate_values(List::from(&*list), &fields, &options, &Dynamic::UNIT)
        });
        $engine.register_fn(
            "duplicate_values",
            |list: &mut $t, fields: Dynamic, options: Dynamic, filter: Dynamic| -> R<Array> {
                duplicate_values(List::from(&*list), &fields, &options, &filter)
            },
        );
        $engine.register_fn(
            "distinct_values",
            |list: &mut $t, field: ImmutableString, capture: ImmutableString| -> R<Dynamic> {
                distinct_values(List::from(&*list), &field, &capture, &Dynamic::UNIT)
            },
        );
        $engine.register_fn(
            "distinct_values",
            |list: &mut $t, field: ImmutableString, capture: ImmutableString, filter: Dynamic| -> R<Dynamic> {
                distinct_values(List::from(&*list), &field, &capture, &filter)
            },
        );
        for (name, keep) in [("matched", true), ("unmatched", false)] {
            let known = std::sync::Arc::clone($conversions);
            $engine.register_fn(
                name,
                move |list: &mut $t, fields: Dynamic, others: Dynamic, other_fields: Dynamic| -> R<Array> {
                    match_items(List::from(&*list), &fields, &others, &other_fields, &Dynamic::UNIT, keep, &known)
                },
            );
            let known = std::sync::Arc::clone($conversions);
            $engine.register_fn(
                name,
                move |list: &mut $t,
                      fields: Dynamic,
                      others: Dynamic,
                      other_fields: Dynamic,
                      options: Dynamic|
                      -> R<Array> {
                    match_items(List::from(&*list), &fields, &others, &other_fields, &options, keep, &known)
                },
            );
        }
    };
}

pub(crate) fn register(engine: &mut Engine, conversions: &crate::functions::Conversions) {
    register_lists!(engine, crate::facts::handle::Fact, conversions);
    register_lists!(engine, Array, conversions);
}
