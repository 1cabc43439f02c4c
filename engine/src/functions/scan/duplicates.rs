//! `duplicate_values` and `distinct_values`: values compared by case-insensitive key.

use std::sync::Arc;

use rhai::{Array, Dynamic};
use serde_json::Value;

use super::checks::{COMMON_OPTIONS, Check, Memo, parse_check};
use super::conds::Filter;
use super::list::{Field, Item, Key, KeyMap, KeySet, List, Name, Presence, R, as_facts, lower, string_list, visit};
use crate::facts::handle::Fact;
use crate::facts::tree::FactTree;
use crate::functions::text::regex;

/// an item; returns whether the item has any of the fields. `seen` is a scratch buffer.
pub(super) fn item_keys(
    item: Item<'_>,
    fields: &[Name],
    check: &Check,
    seen: &mut Vec<Key>,
    f: &mut dyn FnMut(&str, Key, usize, &str),
) -> bool {
    seen.clear();
    let mut memo = Memo::default();
    let mut present = false;
    for (index, name) in fields.iter().enumerate() {
        let value = name.of(item);
        present |= !value.is_absent();
        value.each_str(&mut |s| {
            if !check.selects(s, &mut memo) {
                return;
            }
            let Some(text) = check.key(s).map(str::trim) else { return };
            if text.is_empty() {
                return;
            }
            let key = Key::of(text);
            if !seen.contains(&key) {
                seen.push(key);
                f(text, key, index, s);
            }
        });
    }
    present
}

pub(super) fn duplicate_values(list: List<'_>, fields: &Dynamic, options: &Dynamic, filter: &Dynamic) -> R<Array> {
    let fields: Vec<Name> = string_list(fields, "fields")?.iter().map(|f| Name::new(f)).collect();
    let check = parse_check(options, &[COMMON_OPTIONS], "duplicate_values")?;
    let filter = Filter::parse(filter, "duplicate_values filter")?;
    let name = fields.first().map(|f| f.as_str().to_string()).unwrap_or_default();
    // Pass 1: how many items hold each key, and which item (by position) holds which key.
    let mut owners: KeyMap<u32> = KeyMap::default();
    let mut held: Vec<(u32, Key)> = Vec::new();
    let mut presence = Presence::default();
    let mut seen = Vec::new();
    let mut position = 0u32;
    visit(list, &mut |item| {
        let present = if filter.admits(item) {
            item_keys(item, &fields, &check, &mut seen, &mut |_, key, _, _| {
                *owners.entry(key).or_insert(0) += 1;
                held.push((position, key));
            })
        } else {
            fields.iter().any(|f| !f.of(item).is_absent())
        };
        presence.note(item, &name, &if present { Field::Null } else { Field::Absent });
        position += 1;
        Ok(())
    })?;
    presence.check()?;
    // The positions of the items that share a key with another item.
    let mut shared: Vec<u32> =
        held.iter().filter(|(_, k)| owners.get(k).is_some_and(|n| *n > 1)).map(|(p, _)| *p).collect();
    if shared.is_empty() {
        return Ok(Array::new());
    }
    shared.dedup();
    // Pass 2: report the shared values of those items only.
    let mut out = Vec::new();
    let mut position = 0u32;
    let mut next = shared.iter().peekable();
    visit(list, &mut |item| {
        let here = position;
        position += 1;
        if next.peek().is_none_or(|p| **p != here) {
            return Ok(());
        }
        next.next();
        item_keys(item, &fields, &check, &mut seen, &mut |text, key, index, original| {
            if let Some(count) = owners.get(&key).filter(|n| **n > 1) {
                let attribute = fields.get(index).map_or("", Name::as_str);
                let others = count - 1;
                let detail =
                    format!("{} is also on {others} other item{}", lower(text), if others == 1 { "" } else { "s" });
                out.push(check.result(item, attribute, Value::String(original.to_string()), detail));
            }
        });
        Ok(())
    })?;
    Ok(as_facts(out, "duplicate_values"))
}

pub(super) fn distinct_values(list: List<'_>, name: &str, capture: &str, filter: &Dynamic) -> R<Dynamic> {
    let check = Check { capture: if capture.is_empty() { None } else { Some(regex(capture)?) }, ..Check::default() };
    let filter = Filter::parse(filter, "distinct_values filter")?;
    let mut presence = Presence::default();
    let key = Name::new(name);
    let mut seen = KeySet::default();
    let mut out = Vec::new();
    visit(list, &mut |item| {
        let f = key.of(item);
        presence.note(item, name, &f);
        if !filter.admits(item) {
            return Ok(());
        }
        f.each_str(&mut |s| {
            if let Some(text) = check.key(s)
                && seen.insert(Key::of(text))
            {
                out.push(Value::String(lower(text).into_owned()));
            }
        });
        Ok(())
    })?;
    presence.check()?;
    Ok(Dynamic::from(Fact::root(Arc::new(FactTree::from_value(&Value::Array(out), "distinct_values")))))
}

// ---------------------------------------------------------------------------------------------
// matched / unmatched
