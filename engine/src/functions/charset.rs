//! Character-level text helpers, and native scans over lists of objects for per-object rules: they
//! run in Rust over 200,000 items in milliseconds, where a Rhai closure per item would take seconds.
//!
//! A *class* is the body of a regex character class, as written between `[` and `]`
//! (`"A-Za-z0-9.\\-"`, `"\\s<>"`, `"\\p{L}"`). A *list* is a fact list or an array; its items are
//! objects (facts or maps). A field that is absent or null on an item has no value and is skipped,
//! unless a check says otherwise. A field that is absent on *every* item of a non-empty fact list was
//! not gathered: the scan raises "missing fact" and the rule ends `inconclusive`.
//!
//! | function | returns | example |
//! |---|---|---|
//! | `chars_in(s, class)` | the distinct characters of `s` inside `class`, in order of appearance (`""` if none) | `chars_in("ann smith&co", "\\s&") == " &"` |
//! | `chars_outside(s, class)` | the distinct characters of `s` outside `class` | `chars_outside("jörg@x.com", "a-z0-9@.") == "ö"` |
//! | `has_diacritics(s)` | whether `s` has a Latin letter with a diacritic (Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional letters, except ligatures and distinct letters such as `æ`, `ß`, `œ`, `þ`) or a combining mark | `has_diacritics("Jiménez")` |
//! | `base64_to_guid(s)` | the GUID (lower-case `8-4-4-4-12`) whose 16 bytes, in Microsoft's mixed-endian layout, `s` encodes in base64; `""` if `s` is not 16 bytes of base64 | `base64_to_guid("CLCXG2Sy80eZSRb0B36Jtw==") == "1b97b008-b264-47f3-9949-16f4077e89b7"` |
//! | `select_where(list, conds)` | the items that meet every condition | `select_where(facts.ad.groups, #{mail_enabled: true, member_count: #{more_than: 50000}})` |
//! | `reject_where(list, conds)` | the items that meet none of the conditions | `reject_where(facts.ad.users, #{dn: "(?i)^CN=krbtgt,", is_critical_system_object: true})` |
//! | `find_values(list, field, check)` | one map per value of `field` (a string field, or each string of a list field) that fails `check` | `find_values(users, "upn", #{chars_outside: "A-Za-z0-9@.\\-", keep: ["dn"]})` |
//! | `duplicate_values(list, fields, options)` | one map per item and value (compared ignoring case) that another item has too, in any of `fields` (a name or an array of names) | `duplicate_values(users, ["mail", "proxy_addresses"], #{capture: "(?i)^(?:smtp:)?(.+@.+)$", keep: ["dn"]})` |
//! | `distinct_values(list, field, capture)` | the distinct lower-cased values of `field`, or of their first capture group of the regex `capture` (`""`: whole values; values it does not match are left out) | `distinct_values(users, "upn", "@(.+)$")` |
//! | `matched(list, field, others, other_fields)` | the items whose `field` equals, ignoring case, a value of `other_fields` (a name or an array of names) on some item of `others` | `matched(admins, "upn", facts.ad.users, "upn")` |
//! | `unmatched(list, field, others, other_fields)` | the other items (including those whose `field` is null or absent) | `unmatched(facts.ad.users, "upn", facts.entra.users, "upn")` |
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
//!
//! `check` is a map of tests; a value is reported when any test fires, and `detail` says why:
//!
//! | test | fires when the value … | `detail` |
//! |---|---|---|
//! | `chars_in: class` | has characters inside the class | those characters |
//! | `chars_outside: class` | has characters outside the class | those characters |
//! | `diacritics: true` | has letters with diacritics (`has_diacritics`) | those letters |
//! | `max_len: n` | is longer than `n` characters | `length 120 > 113` |
//! | `matches: re` | matches the regex | the matched text |
//! | `not_matches: re` | does not match the regex | `does not match` |
//! | `blank: true` | is empty or white space; also fires for a null field | `blank` |
//! | `one_of: list`, `none_of: list` (with optional `capture: re`) | is / is not in the list, ignoring case; with `capture`, the regex's first group (or whole match) is compared, and values it does not match are not tested | the compared text |
//!
//! Options of `check` (and of `duplicate_values`, which also takes `capture`): `only: re` / `skip: re`
//! test only the values the regex matches / does not match; `keep: [fields]` copies those fields of the
//! item into each result; `label: #{…}` adds fixed entries. Each result map holds the kept fields,
//! `attribute` (the field's name), `value` (the value at fault, `()` for a null one), `detail`, and the
//! `label` entries (which win over the others).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use regex::Regex;
use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT, ImmutableString, Map};

use super::helper_error;
use super::text::regex;
use crate::facts::handle::{Fact, NullFact, missing};
use crate::facts::tree::Node;

type R<T> = Result<T, Box<EvalAltResult>>;

pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("chars_in", |s: ImmutableString, class: ImmutableString| -> R<String> {
        Ok(class_chars(&*class_regex(&class, false)?, &s))
    });
    engine.register_fn("chars_outside", |s: ImmutableString, class: ImmutableString| -> R<String> {
        Ok(class_chars(&*class_regex(&class, true)?, &s))
    });
    engine.register_fn("has_diacritics", |s: ImmutableString| s.chars().any(is_diacritic));
    engine.register_fn("base64_to_guid", |s: ImmutableString| base64_to_guid(&s).unwrap_or_default());
    engine
        .register_fn("select_where", |list: Dynamic, conds: Dynamic| -> R<Array> { filter_items(&list, &conds, true) });
    engine.register_fn("reject_where", |list: Dynamic, conds: Dynamic| -> R<Array> {
        filter_items(&list, &conds, false)
    });
    engine.register_fn("find_values", |list: Dynamic, field: ImmutableString, check: Dynamic| -> R<Array> {
        find_values(&list, &field, &check)
    });
    engine.register_fn("duplicate_values", |list: Dynamic, fields: Dynamic, options: Dynamic| -> R<Array> {
        duplicate_values(&list, &fields, &options)
    });
    engine.register_fn(
        "distinct_values",
        |list: Dynamic, field: ImmutableString, capture: ImmutableString| -> R<Array> {
            distinct_values(&list, &field, &capture)
        },
    );
    engine.register_fn(
        "matched",
        |list: Dynamic, field: ImmutableString, others: Dynamic, other_fields: Dynamic| -> R<Array> {
            match_items(&list, &field, &others, &other_fields, true)
        },
    );
    engine.register_fn(
        "unmatched",
        |list: Dynamic, field: ImmutableString, others: Dynamic, other_fields: Dynamic| -> R<Array> {
            match_items(&list, &field, &others, &other_fields, false)
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Characters and encodings

/// The compiled regex of a character class (`[class]`, or `[^class]` when `negate`).
fn class_regex(class: &str, negate: bool) -> R<Arc<Regex>> {
    let pattern = if negate { format!("[^{class}]") } else { format!("[{class}]") };
    regex(&pattern)
}

/// The distinct characters of `s` that the class regex matches, in order of first appearance.
fn class_chars(re: &Regex, s: &str) -> String {
    let mut out = String::new();
    for m in re.find_iter(s) {
        for c in m.as_str().chars() {
            if !out.contains(c) {
                out.push(c);
            }
        }
    }
    out
}

/// Whether `c` is a Latin letter with a diacritic, or a combining mark.
fn is_diacritic(c: char) -> bool {
    // Ligatures and distinct letters of these blocks that carry no diacritic.
    const PLAIN: &[char] = &['Æ', 'æ', 'Ð', 'ð', 'Þ', 'þ', 'ß', 'Ĳ', 'ĳ', 'ĸ', 'Œ', 'œ', 'ſ'];
    let code = u32::from(c);
    let in_blocks = matches!(
        code,
        0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x024F | 0x0300..=0x036F | 0x1E00..=0x1EFF
    );
    in_blocks && !PLAIN.contains(&c)
}

/// The distinct letters with diacritics of `s`.
fn diacritic_chars(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().filter(|c| is_diacritic(*c)) {
        if !out.contains(c) {
            out.push(c);
        }
    }
    out
}

/// Decodes standard base64 (padding optional).
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0u32;
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(((bits >> count) & 0xFF) as u8);
        }
    }
    Some(out)
}

/// The GUID a base64 value encodes (Microsoft byte order: the first three groups little-endian).
fn base64_to_guid(s: &str) -> Option<String> {
    let b: [u8; 16] = base64_decode(s.trim())?.try_into().ok()?;
    let [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15] = b;
    Some(format!(
        "{b3:02x}{b2:02x}{b1:02x}{b0:02x}-{b5:02x}{b4:02x}-{b7:02x}{b6:02x}-{b8:02x}{b9:02x}-\
         {b10:02x}{b11:02x}{b12:02x}{b13:02x}{b14:02x}{b15:02x}"
    ))
}

// ---------------------------------------------------------------------------------------------
// Reading list items natively

/// One list item: an object fact, or any other value (a map, usually).
enum Item {
    Node(Fact),
    Value(Dynamic),
}

/// A field of an item, as the scans see it.
enum Field {
    Absent,
    Null,
    Bool(bool),
    Int(INT),
    Float(FLOAT),
    Str(ImmutableString),
    List(Vec<Field>),
    Other,
}

impl Field {
    /// The strings of the field: itself, or each string element of a list.
    fn strings(&self) -> Vec<ImmutableString> {
        match self {
            Field::Str(s) => vec![s.clone()],
            Field::List(items) => items
                .iter()
                .filter_map(|f| match f {
                    Field::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }
}

/// The items of a list argument (a fact list or an array). Cloning a fact item is one `Arc` increment.
fn items(list: &Dynamic) -> R<Vec<Item>> {
    if let Some(fact) = list.read_lock::<Fact>() {
        if !fact.is_list() {
            return Err(helper_error(format!("expected a list, got the object {}", fact.path())));
        }
        return Ok(fact
            .tree
            .items(fact.id)
            .iter()
            .map(|id| Item::Node(Fact { tree: Arc::clone(&fact.tree), id: *id }))
            .collect());
    }
    if let Some(array) = list.read_lock::<Array>() {
        return Ok(array
            .iter()
            .map(|d| match d.read_lock::<Fact>() {
                Some(f) => Item::Node(f.clone()),
                None => Item::Value(d.clone()),
            })
            .collect());
    }
    Err(helper_error(format!("expected a list, got {}", list.type_name())))
}

/// The field `name` of an item.
fn field(item: &Item, name: &str) -> Field {
    match item {
        Item::Node(fact) => match fact.tree.get(fact.id, name) {
            Some(id) => node_field(fact, id),
            None => Field::Absent,
        },
        Item::Value(d) => match d.read_lock::<Map>() {
            Some(map) => map.get(name).map_or(Field::Absent, dynamic_field),
            None => Field::Absent,
        },
    }
}

fn node_field(fact: &Fact, id: u32) -> Field {
    match fact.tree.node(id) {
        Node::Null => Field::Null,
        Node::Bool(b) => Field::Bool(*b),
        Node::Int(i) => Field::Int(*i),
        Node::Float(f) => Field::Float(*f),
        Node::Str(s) => Field::Str(s.clone()),
        Node::List { .. } => Field::List(fact.tree.items(id).iter().map(|c| node_field(fact, *c)).collect()),
        Node::Map { .. } => Field::Other,
    }
}

fn dynamic_field(d: &Dynamic) -> Field {
    if d.is_unit() || d.is::<NullFact>() {
        return Field::Null;
    }
    if let Ok(b) = d.as_bool() {
        return Field::Bool(b);
    }
    if let Ok(i) = d.as_int() {
        return Field::Int(i);
    }
    if let Ok(f) = d.as_float() {
        return Field::Float(f);
    }
    if let Some(s) = d.read_lock::<ImmutableString>() {
        return Field::Str(s.clone());
    }
    if let Some(a) = d.read_lock::<Array>() {
        return Field::List(a.iter().map(dynamic_field).collect());
    }
    if let Some(f) = d.read_lock::<Fact>()
        && f.is_list()
    {
        return Field::List(f.tree.items(f.id).iter().map(|c| node_field(&f, *c)).collect());
    }
    Field::Other
}

/// The item as a value for the result.
fn item_value(item: &Item) -> Dynamic {
    match item {
        Item::Node(fact) => Dynamic::from(fact.clone()),
        Item::Value(d) => d.clone(),
    }
}

/// The field `name` of an item as a plain value (`()` when absent or null).
fn field_value(item: &Item, name: &str) -> Dynamic {
    match item {
        Item::Node(fact) => match fact.tree.get(fact.id, name) {
            Some(id) => match fact.tree.node(id) {
                Node::Null => Dynamic::UNIT,
                Node::Bool(b) => Dynamic::from_bool(*b),
                Node::Int(i) => Dynamic::from_int(*i),
                Node::Float(f) => Dynamic::from_float(*f),
                Node::Str(s) => Dynamic::from(s.clone()),
                Node::List { .. } | Node::Map { .. } => Dynamic::from(Fact { tree: Arc::clone(&fact.tree), id }),
            },
            None => Dynamic::UNIT,
        },
        Item::Value(d) => d.read_lock::<Map>().and_then(|m| m.get(name).cloned()).unwrap_or(Dynamic::UNIT),
    }
}

/// Fails with "missing fact" when a non-empty fact list has the field on none of its items.
fn require_field(items: &[Item], name: &str) -> R<()> {
    let Some(Item::Node(first)) = items.first() else { return Ok(()) };
    if items.iter().any(|i| !field(i, name).is_absent()) {
        return Ok(());
    }
    Err(missing(first.tree.child_path(first.id, name)))
}

/// The entries of a map argument (a Rhai map or an object fact).
fn entries(d: &Dynamic, what: &str) -> R<Vec<(String, Dynamic)>> {
    if let Some(map) = d.read_lock::<Map>() {
        return Ok(map.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
    }
    if let Some(fact) = d.read_lock::<Fact>()
        && !fact.is_list()
    {
        let item = Item::Node(fact.clone());
        return Ok(fact.tree.entries(fact.id).iter().map(|(k, _)| (k.to_string(), field_value(&item, k))).collect());
    }
    Err(helper_error(format!("{what}: expected a map, got {}", d.type_name())))
}

/// The strings of an argument: one string, or the strings of an array or fact list.
fn string_list(d: &Dynamic, what: &str) -> R<Vec<String>> {
    match dynamic_field(d) {
        Field::Str(s) => Ok(vec![s.to_string()]),
        Field::List(items) => Ok(items
            .iter()
            .filter_map(|f| match f {
                Field::Str(s) => Some(s.to_string()),
                _ => None,
            })
            .collect()),
        _ => Err(helper_error(format!("{what}: expected a string or a list of strings, got {}", d.type_name()))),
    }
}

fn string_arg(d: &Dynamic, what: &str) -> R<String> {
    d.read_lock::<ImmutableString>()
        .map(|s| s.to_string())
        .ok_or_else(|| helper_error(format!("{what}: expected a string, got {}", d.type_name())))
}

fn number_arg(d: &Dynamic, what: &str) -> R<FLOAT> {
    d.as_int()
        .map(|i| i as FLOAT)
        .or_else(|_| d.as_float())
        .map_err(|_| helper_error(format!("{what}: expected a number, got {}", d.type_name())))
}

fn lower_set(d: &Dynamic, what: &str) -> R<HashSet<String>> {
    Ok(string_list(d, what)?.iter().map(|s| s.to_lowercase()).collect())
}

// ---------------------------------------------------------------------------------------------
// select_where / reject_where

enum Cond {
    Equals(Field),
    Regex(Arc<Regex>),
    NullOrAbsent,
    MoreThan(FLOAT),
    LessThan(FLOAT),
    OneOf(Vec<Field>),
}

fn parse_conds(conds: &Dynamic) -> R<Vec<(String, Cond)>> {
    let mut out = Vec::new();
    for (name, expected) in entries(conds, "conditions")? {
        let cond = if expected.is_unit() || expected.is::<NullFact>() {
            Cond::NullOrAbsent
        } else if let Some(s) = expected.read_lock::<ImmutableString>() {
            Cond::Regex(regex(&s)?)
        } else if expected.is::<Map>() || expected.read_lock::<Fact>().is_some_and(|f| !f.is_list()) {
            let ops = entries(&expected, &name)?;
            let [(op, arg)] = ops.as_slice() else {
                return Err(helper_error(format!("condition on {name}: expected one of more_than, less_than, one_of")));
            };
            match op.as_str() {
                "more_than" => Cond::MoreThan(number_arg(arg, "more_than")?),
                "less_than" => Cond::LessThan(number_arg(arg, "less_than")?),
                "one_of" => match dynamic_field(arg) {
                    Field::List(items) => Cond::OneOf(items),
                    _ => return Err(helper_error(format!("condition on {name}: `one_of` expects a list"))),
                },
                other => return Err(helper_error(format!("condition on {name}: unknown test {other:?}"))),
            }
        } else {
            match dynamic_field(&expected) {
                f @ (Field::Bool(_) | Field::Int(_) | Field::Float(_)) => Cond::Equals(f),
                _ => {
                    return Err(helper_error(format!(
                        "condition on {name}: unsupported value {}",
                        expected.type_name()
                    )));
                }
            }
        };
        out.push((name, cond));
    }
    Ok(out)
}

fn scalar_equals(a: &Field, b: &Field) -> bool {
    match (a, b) {
        (Field::Bool(x), Field::Bool(y)) => x == y,
        (Field::Int(x), Field::Int(y)) => x == y,
        (Field::Float(x), Field::Float(y)) => x == y,
        (Field::Str(x), Field::Str(y)) => x.to_lowercase() == y.to_lowercase(),
        _ => false,
    }
}

fn measure(f: &Field) -> Option<FLOAT> {
    match f {
        Field::Int(i) => Some(*i as FLOAT),
        Field::Float(x) => Some(*x),
        Field::Str(s) => Some(s.chars().count() as FLOAT),
        Field::List(items) => Some(items.len() as FLOAT),
        _ => None,
    }
}

fn holds(cond: &Cond, f: &Field) -> bool {
    match cond {
        Cond::NullOrAbsent => matches!(f, Field::Null | Field::Absent),
        Cond::Equals(expected) => scalar_equals(f, expected),
        Cond::Regex(re) => f.strings().iter().any(|s| re.is_match(s)),
        Cond::MoreThan(n) => measure(f).is_some_and(|v| v > *n),
        Cond::LessThan(n) => measure(f).is_some_and(|v| v < *n),
        Cond::OneOf(options) => options.iter().any(|o| scalar_equals(f, o)),
    }
}

fn filter_items(list: &Dynamic, conds: &Dynamic, keep_matching: bool) -> R<Array> {
    let conds = parse_conds(conds)?;
    let items = items(list)?;
    Ok(items
        .iter()
        .filter(|item| {
            if keep_matching {
                conds.iter().all(|(name, c)| holds(c, &field(item, name)))
            } else {
                !conds.iter().any(|(name, c)| holds(c, &field(item, name)))
            }
        })
        .map(item_value)
        .collect())
}

// ---------------------------------------------------------------------------------------------
// find_values

#[derive(Default)]
struct Check {
    chars_in: Option<Arc<Regex>>,
    chars_outside: Option<Arc<Regex>>,
    diacritics: bool,
    max_len: Option<usize>,
    matches: Option<Arc<Regex>>,
    not_matches: Option<Arc<Regex>>,
    blank: bool,
    capture: Option<Arc<Regex>>,
    within: Option<HashSet<String>>,
    outside: Option<HashSet<String>>,
    only: Option<Arc<Regex>>,
    skip: Option<Arc<Regex>>,
    keep: Vec<String>,
    label: Vec<(String, Dynamic)>,
}

/// Options every scan accepts.
const COMMON_OPTIONS: &[&str] = &["capture", "only", "skip", "keep", "label"];
/// Tests only `find_values` accepts.
const TESTS: &[&str] =
    &["chars_in", "chars_outside", "diacritics", "max_len", "matches", "not_matches", "blank", "one_of", "none_of"];

fn parse_check(d: &Dynamic, allowed: &[&[&str]], what: &str) -> R<Check> {
    let mut c = Check::default();
    if d.is_unit() {
        return Ok(c);
    }
    for (key, v) in entries(d, what)? {
        if !allowed.iter().any(|set| set.contains(&key.as_str())) {
            return Err(helper_error(format!("{what}: unknown key {key:?}")));
        }
        match key.as_str() {
            "chars_in" => c.chars_in = Some(class_regex(&string_arg(&v, &key)?, false)?),
            "chars_outside" => c.chars_outside = Some(class_regex(&string_arg(&v, &key)?, true)?),
            "diacritics" => {
                c.diacritics = v.as_bool().map_err(|_| helper_error("diacritics: expected true or false"))?
            }
            "blank" => c.blank = v.as_bool().map_err(|_| helper_error("blank: expected true or false"))?,
            "max_len" => {
                let n = v.as_int().map_err(|_| helper_error("max_len: expected an integer"))?;
                c.max_len = Some(usize::try_from(n).unwrap_or(0));
            }
            "matches" => c.matches = Some(regex(&string_arg(&v, &key)?)?),
            "not_matches" => c.not_matches = Some(regex(&string_arg(&v, &key)?)?),
            "capture" => {
                let pattern = string_arg(&v, &key)?;
                c.capture = if pattern.is_empty() { None } else { Some(regex(&pattern)?) };
            }
            "one_of" => c.within = Some(lower_set(&v, &key)?),
            "none_of" => c.outside = Some(lower_set(&v, &key)?),
            "only" => c.only = Some(regex(&string_arg(&v, &key)?)?),
            "skip" => c.skip = Some(regex(&string_arg(&v, &key)?)?),
            "keep" => c.keep = string_list(&v, &key)?,
            "label" => c.label = entries(&v, "label")?,
            _ => return Err(helper_error(format!("{what}: unknown key {key:?}"))),
        }
    }
    Ok(c)
}

impl Check {
    /// Whether the value is one this check looks at (`only` / `skip`).
    fn selects(&self, v: &str) -> bool {
        self.only.as_ref().is_none_or(|re| re.is_match(v)) && self.skip.as_ref().is_none_or(|re| !re.is_match(v))
    }

    /// The text compared with `one_of` / `none_of` / `duplicate_values`: the first capture group (or the
    /// whole match) of `capture`, or the value; `None` when `capture` does not match.
    fn key<'a>(&self, v: &'a str) -> Option<&'a str> {
        match &self.capture {
            None => Some(v),
            Some(re) => re.captures(v).and_then(|c| c.get(1).or_else(|| c.get(0))).map(|m| m.as_str()),
        }
    }

    /// Why the value fails the check (empty: it passes).
    fn failures(&self, v: &str) -> Vec<String> {
        let mut why = Vec::new();
        if let Some(re) = &self.chars_in {
            let found = class_chars(re, v);
            if !found.is_empty() {
                why.push(found);
            }
        }
        if let Some(re) = &self.chars_outside {
            let found = class_chars(re, v);
            if !found.is_empty() {
                why.push(found);
            }
        }
        if self.diacritics {
            let found = diacritic_chars(v);
            if !found.is_empty() {
                why.push(found);
            }
        }
        if let Some(max) = self.max_len {
            let n = v.chars().count();
            if n > max {
                why.push(format!("length {n} > {max}"));
            }
        }
        if let Some(m) = self.matches.as_ref().and_then(|re| re.find(v)) {
            why.push(m.as_str().to_string());
        }
        if self.not_matches.as_ref().is_some_and(|re| !re.is_match(v)) {
            why.push("does not match".to_string());
        }
        if self.blank && v.trim().is_empty() {
            why.push("blank".to_string());
        }
        if (self.within.is_some() || self.outside.is_some())
            && let Some(key) = self.key(v)
        {
            let lower = key.to_lowercase();
            let inside = self.within.as_ref().is_some_and(|set| set.contains(&lower));
            let outside = self.outside.as_ref().is_some_and(|set| !set.contains(&lower));
            if inside || outside {
                why.push(key.to_string());
            }
        }
        why
    }

    /// A result map for one offending value.
    fn result(&self, item: &Item, attribute: &str, value: Dynamic, detail: String) -> Dynamic {
        let mut map = Map::new();
        for name in &self.keep {
            map.insert(name.as_str().into(), field_value(item, name));
        }
        map.insert("attribute".into(), Dynamic::from(attribute.to_string()));
        map.insert("value".into(), value);
        map.insert("detail".into(), Dynamic::from(detail));
        for (k, v) in &self.label {
            map.insert(k.as_str().into(), v.clone());
        }
        Dynamic::from_map(map)
    }
}

fn find_values(list: &Dynamic, name: &str, check: &Dynamic) -> R<Array> {
    let check = parse_check(check, &[COMMON_OPTIONS, TESTS], "find_values")?;
    let items = items(list)?;
    require_field(&items, name)?;
    let mut out = Array::new();
    for item in &items {
        let f = field(item, name);
        if matches!(f, Field::Null) {
            if check.blank {
                out.push(check.result(item, name, Dynamic::UNIT, "blank".to_string()));
            }
            continue;
        }
        for s in f.strings() {
            if !check.selects(&s) {
                continue;
            }
            let why = check.failures(&s);
            if !why.is_empty() {
                out.push(check.result(item, name, Dynamic::from(s.clone()), why.join("; ")));
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// duplicate_values / distinct_values

/// The (lower-cased key, field, original value) triples of one item, each key once.
fn item_keys(item: &Item, fields: &[String], check: &Check) -> Vec<(String, usize, ImmutableString)> {
    let mut out: Vec<(String, usize, ImmutableString)> = Vec::new();
    for (index, name) in fields.iter().enumerate() {
        for s in field(item, name).strings() {
            if !check.selects(&s) {
                continue;
            }
            let Some(key) = check.key(&s) else { continue };
            let key = key.trim().to_lowercase();
            if key.is_empty() || out.iter().any(|(k, _, _)| *k == key) {
                continue;
            }
            out.push((key, index, s.clone()));
        }
    }
    out
}

fn duplicate_values(list: &Dynamic, fields: &Dynamic, options: &Dynamic) -> R<Array> {
    let fields = string_list(fields, "fields")?;
    let check = parse_check(options, &[COMMON_OPTIONS], "duplicate_values")?;
    let items = items(list)?;
    if let Some(Item::Node(first)) = items.first()
        && let Some(name) = fields.first()
        && items.iter().all(|i| fields.iter().all(|f| field(i, f).is_absent()))
    {
        return Err(missing(first.tree.child_path(first.id, name)));
    }
    let mut owners: HashMap<String, u32> = HashMap::new();
    for item in &items {
        for (key, _, _) in item_keys(item, &fields, &check) {
            *owners.entry(key).or_insert(0) += 1;
        }
    }
    let mut out = Array::new();
    for item in &items {
        for (key, index, original) in item_keys(item, &fields, &check) {
            let count = owners.get(&key).copied().unwrap_or(0);
            if count > 1 {
                let attribute = fields.get(index).map_or("", String::as_str);
                let detail = format!("{key} is also on {} other item{}", count - 1, if count == 2 { "" } else { "s" });
                out.push(check.result(item, attribute, Dynamic::from(original), detail));
            }
        }
    }
    Ok(out)
}

fn distinct_values(list: &Dynamic, name: &str, capture: &str) -> R<Array> {
    let check = Check { capture: if capture.is_empty() { None } else { Some(regex(capture)?) }, ..Check::default() };
    let items = items(list)?;
    require_field(&items, name)?;
    let mut seen = HashSet::new();
    let mut out = Array::new();
    for item in &items {
        for s in field(item, name).strings() {
            if let Some(key) = check.key(&s) {
                let key = key.to_lowercase();
                if seen.insert(key.clone()) {
                    out.push(Dynamic::from(key));
                }
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// matched / unmatched

fn match_items(list: &Dynamic, name: &str, others: &Dynamic, other_fields: &Dynamic, keep_matched: bool) -> R<Array> {
    let other_fields = string_list(other_fields, "other_fields")?;
    let items = items(list)?;
    let others = items_of_others(others)?;
    require_field(&items, name)?;
    let mut known: HashSet<String> = HashSet::new();
    for other in &others {
        for f in &other_fields {
            known.extend(field(other, f).strings().iter().map(|s| s.to_lowercase()));
        }
    }
    Ok(items
        .iter()
        .filter(|item| {
            let hit = field(item, name).strings().iter().any(|s| known.contains(&s.to_lowercase()));
            hit == keep_matched
        })
        .map(item_value)
        .collect())
}

fn items_of_others(others: &Dynamic) -> R<Vec<Item>> {
    items(others).map_err(|_| helper_error(format!("others: expected a list, got {}", others.type_name())))
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            eval(r#"base64_to_guid("CLCXG2Sy80eZSRb0B36Jtw==")"#),
            json!("1b97b008-b264-47f3-9949-16f4077e89b7")
        );
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
    }
}
