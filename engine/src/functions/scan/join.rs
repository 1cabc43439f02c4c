//! `matched` / `unmatched`: the items of one list whose values another list holds (or not).

use rhai::{Array, Dynamic};

use super::conds::{Filter, parse_conds};
use super::list::{
    Field, Key, KeySet, List, Name, Presence, R, entries, item_value, string_arg, string_list, visit, with_list,
};
use crate::extension::Conversion;
use crate::functions::helper_error;

/// How values are converted before they are compared: not at all, or by a named conversion of
/// one of the engine's extensions.
#[derive(Clone, Copy)]
pub(super) enum Convert {
    None,
    By(Conversion),
}

impl Convert {
    /// The fingerprint of the converted value (`None` when it can't be converted).
    pub(super) fn key(self, s: &str) -> Option<Key> {
        match self {
            Convert::None => Some(Key::of(s)),
            Convert::By(convert) => convert(s).map(|text| Key::of(&text)),
        }
    }
}

/// The options of `matched` / `unmatched`.
#[derive(Default)]
pub(super) struct MatchOptions {
    mine: Option<Convert>,
    theirs: Option<Convert>,
    filter: Filter,
    others_filter: Filter,
}

pub(super) fn parse_match_options(options: &Dynamic, known: &[(&'static str, Conversion)]) -> R<MatchOptions> {
    let mut o = MatchOptions::default();
    if options.is_unit() {
        return Ok(o);
    }
    for (key, v) in entries(options, "matched options")? {
        let convert = |v: &Dynamic| -> R<Convert> {
            match string_arg(v, &key)?.as_str() {
                "" | "none" => Ok(Convert::None),
                name => known.iter().find(|(n, _)| *n == name).map(|(_, f)| Convert::By(*f)).ok_or_else(|| {
                    let names: Vec<&str> = known.iter().map(|(n, _)| *n).collect();
                    let names = if names.is_empty() { "none".to_owned() } else { names.join(", ") };
                    helper_error(format!("{key}: unknown conversion {name:?} (known: {names})"))
                }),
            }
        };
        match key.as_str() {
            "field" => o.mine = Some(convert(&v)?),
            "others" => o.theirs = Some(convert(&v)?),
            "where" => o.filter.all = parse_conds(&v)?,
            "unless" => o.filter.none = parse_conds(&v)?,
            "others_where" => o.others_filter.all = parse_conds(&v)?,
            "others_unless" => o.others_filter.none = parse_conds(&v)?,
            _ => {
                return Err(helper_error(format!(
                    "matched options: unknown key {key:?} (known: field, others, where, unless, others_where, others_unless)"
                )));
            }
        }
    }
    Ok(o)
}

pub(super) fn match_items(
    list: List<'_>,
    fields: &Dynamic,
    others: &Dynamic,
    other_fields: &Dynamic,
    options: &Dynamic,
    keep_matched: bool,
    conversions: &[(&'static str, Conversion)],
) -> R<Array> {
    let other_fields: Vec<Name> = string_list(other_fields, "other_fields")?.iter().map(|f| Name::new(f)).collect();
    let options = parse_match_options(options, conversions)?;
    let mine = options.mine.unwrap_or(Convert::None);
    let theirs = options.theirs.unwrap_or(Convert::None);
    let mut known = KeySet::default();
    with_list(others, "others", |others| {
        visit(others, &mut |other| {
            if options.others_filter.admits(other) {
                for f in &other_fields {
                    f.of(other).each_str(&mut |s| {
                        if let Some(k) = theirs.key(s) {
                            known.insert(k);
                        }
                    });
                }
            }
            Ok(())
        })
    })?;
    let names: Vec<Name> = string_list(fields, "fields")?.iter().map(|f| Name::new(f)).collect();
    let first = names.first().map(|n| n.as_str().to_string()).unwrap_or_default();
    let mut presence = Presence::default();
    let mut out = Array::new();
    visit(list, &mut |item| {
        let values: Vec<Field<'_>> = names.iter().map(|n| n.of(item)).collect();
        let present = values.iter().any(|f| !f.is_absent());
        presence.note(item, &first, &if present { Field::Null } else { Field::Absent });
        if !options.filter.admits(item) {
            return Ok(());
        }
        let mut hit = false;
        for f in &values {
            f.each_str(&mut |s| hit = hit || mine.key(s).is_some_and(|k| known.contains(&k)));
        }
        if hit == keep_matched {
            out.push(item_value(item));
        }
        Ok(())
    })?;
    presence.check()?;
    Ok(out)
}
