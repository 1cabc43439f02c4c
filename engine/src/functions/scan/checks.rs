//! `find_values`: checks on the values of a field, one result per value and failed check.

use std::sync::Arc;

use regex::Regex;
use rhai::{Array, Dynamic};
use serde_json::Value;

use super::conds::Filter;
use super::list::{
    FastSet, Field, Item, List, Name, Presence, R, as_facts, entries, field_json, lower, lower_set, string_arg,
    string_list, visit,
};
use crate::facts::handle::dynamic_to_json;
use crate::functions::chars::{class_chars, class_regex, diacritic_chars};
use crate::functions::helper_error;
use crate::functions::text::regex;

#[derive(Default)]
pub(super) struct Check {
    pub(super) chars_in: Option<Arc<Regex>>,
    pub(super) chars_outside: Option<Arc<Regex>>,
    pub(super) diacritics: bool,
    pub(super) max_len: Option<usize>,
    pub(super) matches: Option<Arc<Regex>>,
    pub(super) not_matches: Option<Arc<Regex>>,
    pub(super) blank: bool,
    pub(super) capture: Option<Arc<Regex>>,
    pub(super) strip: Option<Arc<Regex>>,
    pub(super) after_last: Option<Vec<char>>,
    pub(super) within: Option<Arc<FastSet>>,
    pub(super) outside: Option<Arc<FastSet>>,
    pub(super) only: Option<Arc<Regex>>,
    pub(super) skip: Option<Arc<Regex>>,
    pub(super) keep: Vec<String>,
    pub(super) label: Vec<(String, Value)>,
}

/// Options every scan accepts.
pub(super) const COMMON_OPTIONS: &[&str] = &["capture", "strip", "after_last", "only", "skip", "keep", "label"];
/// Tests only `find_values` accepts.
pub(super) const TESTS: &[&str] =
    &["chars_in", "chars_outside", "diacritics", "max_len", "matches", "not_matches", "blank", "one_of", "none_of"];

pub(super) fn parse_check(d: &Dynamic, allowed: &[&[&str]], what: &str) -> R<Check> {
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
                c.diacritics = v.as_bool().map_err(|_| helper_error("diacritics: expected true or false"))?;
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
            "strip" => c.strip = Some(regex(&string_arg(&v, &key)?)?),
            "after_last" => c.after_last = Some(string_arg(&v, &key)?.chars().collect()),
            "one_of" => c.within = Some(lower_set(&v, &key)?),
            "none_of" => c.outside = Some(lower_set(&v, &key)?),
            "only" => c.only = Some(regex(&string_arg(&v, &key)?)?),
            "skip" => c.skip = Some(regex(&string_arg(&v, &key)?)?),
            "keep" => c.keep = string_list(&v, &key)?,
            "label" => c.label = entries(&v, "label")?.into_iter().map(|(k, v)| (k, dynamic_to_json(&v))).collect(),
            _ => return Err(helper_error(format!("{what}: unknown key {key:?}"))),
        }
    }
    Ok(c)
}

/// One check, or an array of checks.
pub(super) fn parse_checks(d: &Dynamic) -> R<Vec<Check>> {
    if let Some(array) = d.read_lock::<Array>() {
        return array.iter().map(|c| parse_check(c, &[COMMON_OPTIONS, TESTS], "find_values")).collect();
    }
    Ok(vec![parse_check(d, &[COMMON_OPTIONS, TESTS], "find_values")?])
}

/// The `is_match` results of the regexes already run on one value: checks of one scan often share
/// a regex (the same `only`, or `only` and `not_matches`), and it runs once.
#[derive(Default)]
pub(super) struct Memo {
    value: (usize, usize),
    results: Vec<(usize, bool)>,
}

impl Memo {
    pub(super) fn is_match(&mut self, re: &Arc<Regex>, v: &str) -> bool {
        if self.value != (v.as_ptr() as usize, v.len()) {
            self.value = (v.as_ptr() as usize, v.len());
            self.results.clear();
        }
        let key = Arc::as_ptr(re) as usize;
        if let Some((_, hit)) = self.results.iter().find(|(k, _)| *k == key) {
            return *hit;
        }
        let hit = re.is_match(v);
        self.results.push((key, hit));
        hit
    }
}

impl Check {
    /// Whether the value is one this check looks at (`only` / `skip`).
    pub(super) fn selects(&self, v: &str, memo: &mut Memo) -> bool {
        self.only.as_ref().is_none_or(|re| memo.is_match(re, v))
            && self.skip.as_ref().is_none_or(|re| !memo.is_match(re, v))
    }

    /// The text compared with `one_of` / `none_of` / `duplicate_values`: the value, without the
    /// first match of `strip`, after the last of the `after_last` characters, then the first capture
    /// group (or the whole match) of `capture`; `None` when `capture` does not match.
    pub(super) fn key<'a>(&self, v: &'a str) -> Option<&'a str> {
        let mut v = v;
        if let Some(m) = self.strip.as_ref().and_then(|re| re.find(v)) {
            v = if m.start() == 0 { v.get(m.end()..).unwrap_or_default() } else { v };
        }
        if let Some(seps) = &self.after_last
            && let Some(i) = v.rfind(|c| seps.contains(&c))
        {
            let separator = v.get(i..).and_then(|rest| rest.chars().next()).map_or(1, char::len_utf8);
            v = v.get(i + separator..).unwrap_or("");
        }
        match &self.capture {
            None => Some(v),
            Some(re) => re.captures(v).and_then(|c| c.get(1).or_else(|| c.get(0))).map(|m| m.as_str()),
        }
    }

    /// Why the value fails the check (empty: it passes).
    pub(super) fn failures(&self, v: &str, memo: &mut Memo) -> Vec<String> {
        let mut why = Vec::new();
        for re in [&self.chars_in, &self.chars_outside].into_iter().flatten() {
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
        if let Some(max) = self.max_len
            && v.len() > max
        {
            let n = v.chars().count();
            if n > max {
                why.push(format!("length {n} > {max}"));
            }
        }
        if let Some(m) = self.matches.as_ref().and_then(|re| re.find(v)) {
            why.push(m.as_str().to_string());
        }
        if self.not_matches.as_ref().is_some_and(|re| !memo.is_match(re, v)) {
            why.push("does not match".to_string());
        }
        if self.blank && v.trim().is_empty() {
            why.push("blank".to_string());
        }
        if (self.within.is_some() || self.outside.is_some())
            && let Some(key) = self.key(v)
        {
            let lowered = lower(key);
            let inside = self.within.as_ref().is_some_and(|set| set.contains(lowered.as_ref()));
            let outside = self.outside.as_ref().is_some_and(|set| !set.contains(lowered.as_ref()));
            if inside || outside {
                why.push(key.to_string());
            }
        }
        why
    }

    /// The result object for one offending value.
    pub(super) fn result(&self, item: Item<'_>, attribute: &str, value: Value, detail: String) -> Value {
        let mut map = serde_json::Map::new();
        for name in &self.keep {
            map.insert(name.clone(), field_json(item, name));
        }
        map.insert("attribute".into(), Value::String(attribute.to_string()));
        map.insert("value".into(), value);
        map.insert("detail".into(), Value::String(detail));
        for (k, v) in &self.label {
            map.insert(k.clone(), v.clone());
        }
        Value::Object(map)
    }
}

pub(super) fn find_values(list: List<'_>, name: &str, checks: &Dynamic, filter: &Dynamic) -> R<Array> {
    let checks = parse_checks(checks)?;
    let filter = Filter::parse(filter, "find_values filter")?;
    let key = Name::new(name);
    let mut presence = Presence::default();
    let mut out = Vec::new();
    visit(list, &mut |item| {
        let f = key.of(item);
        presence.note(item, name, &f);
        if f.is_absent() || !filter.admits(item) {
            return Ok(());
        }
        if matches!(f, Field::Null) {
            for check in checks.iter().filter(|c| c.blank) {
                out.push(check.result(item, name, Value::Null, "blank".to_string()));
            }
            return Ok(());
        }
        let mut memo = Memo::default();
        f.each_str(&mut |s| {
            for check in &checks {
                if check.selects(s, &mut memo) {
                    let why = check.failures(s, &mut memo);
                    if !why.is_empty() {
                        out.push(check.result(item, name, Value::String(s.to_string()), why.join("; ")));
                    }
                }
            }
        });
        Ok(())
    })?;
    presence.check()?;
    Ok(as_facts(out, "find_values"))
}

// ---------------------------------------------------------------------------------------------
// duplicate_values / distinct_values
