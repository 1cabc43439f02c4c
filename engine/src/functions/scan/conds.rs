//! Conditions: `select_where` / `reject_where`, and the `where` / `unless` filters of the scans.

use std::sync::Arc;

use regex::Regex;
use rhai::{Array, Dynamic, FLOAT, ImmutableString, Map};

use super::list::{Field, Item, List, Name, R, Scalar, entries, item_value, number_arg, string_list, visit};
use crate::facts::handle::{Fact, NullFact};
use crate::functions::helper_error;
use crate::functions::text::regex;

pub(super) enum Cond {
    Equals(Scalar),
    Regex(Arc<Regex>),
    NullOrAbsent,
    MoreThan(FLOAT),
    LessThan(FLOAT),
    OneOf(Vec<Scalar>),
    /// Lower-cased distinguished names the value must equal or sit under.
    Under(Vec<String>),
}

/// Whether the distinguished name `dn` (lower-cased) is `base` (lower-cased) or under it: it ends
/// with `,` + `base`.
pub(super) fn dn_under(dn: &str, base: &str) -> bool {
    dn == base
        || (dn.len() > base.len() && dn.ends_with(base) && dn.as_bytes().get(dn.len() - base.len() - 1) == Some(&b','))
}

pub(super) fn parse_conds(conds: &Dynamic) -> R<Vec<(Name, Cond)>> {
    let mut out = Vec::new();
    for (name, expected) in entries(conds, "conditions")? {
        let cond = if expected.is_unit() || expected.is::<NullFact>() {
            Cond::NullOrAbsent
        } else if let Some(s) = expected.read_lock::<ImmutableString>() {
            Cond::Regex(regex(&s)?)
        } else if expected.is::<Map>() || expected.read_lock::<Fact>().is_some_and(|f| !f.is_list()) {
            let ops = entries(&expected, &name)?;
            let [(op, arg)] = ops.as_slice() else {
                return Err(helper_error(format!(
                    "condition on {name}: expected one of more_than, less_than, one_of, under"
                )));
            };
            match op.as_str() {
                "more_than" => Cond::MoreThan(number_arg(arg, "more_than")?),
                "less_than" => Cond::LessThan(number_arg(arg, "less_than")?),
                "one_of" => {
                    let mut options = Vec::new();
                    if let Some(a) = arg.read_lock::<Array>() {
                        options.extend(a.iter().map(Scalar::of));
                    } else if let Some(f) = arg.read_lock::<Fact>().filter(|f| f.is_list()) {
                        options.extend(f.tree.items(f.id).iter().map(|id| Field::Node(&f.tree, *id).scalar()));
                    } else {
                        return Err(helper_error(format!("condition on {name}: `one_of` expects a list")));
                    }
                    Cond::OneOf(options)
                }
                "under" => Cond::Under(
                    string_list(arg, &format!("condition on {name}: `under`"))?
                        .iter()
                        .map(|b| b.to_lowercase())
                        .collect(),
                ),
                other => return Err(helper_error(format!("condition on {name}: unknown test {other:?}"))),
            }
        } else {
            match Scalar::of(&expected) {
                s @ (Scalar::Bool(_) | Scalar::Int(_) | Scalar::Float(_)) => Cond::Equals(s),
                _ => {
                    return Err(helper_error(format!(
                        "condition on {name}: unsupported value {}",
                        expected.type_name()
                    )));
                }
            }
        };
        out.push((Name::new(&name), cond));
    }
    Ok(out)
}

pub(super) fn holds(cond: &Cond, f: &Field<'_>) -> bool {
    match cond {
        Cond::NullOrAbsent => matches!(f, Field::Null | Field::Absent),
        Cond::Equals(expected) => f.scalar() == *expected,
        Cond::Regex(re) => {
            let mut hit = false;
            f.each_str(&mut |s| hit = hit || re.is_match(s));
            hit
        }
        Cond::MoreThan(n) => f.measure().is_some_and(|v| v > *n),
        Cond::LessThan(n) => f.measure().is_some_and(|v| v < *n),
        Cond::OneOf(options) => {
            let s = f.scalar();
            s != Scalar::None && options.contains(&s)
        }
        Cond::Under(bases) => {
            let mut hit = false;
            f.each_str(&mut |s| {
                if !hit {
                    let dn = s.to_lowercase();
                    hit = bases.iter().any(|b| dn_under(&dn, b));
                }
            });
            hit
        }
    }
}

/// Conditions an item must meet (`where`: all of them) and must not meet (`unless`: any of them).
#[derive(Default)]
pub(super) struct Filter {
    pub(super) all: Vec<(Name, Cond)>,
    pub(super) none: Vec<(Name, Cond)>,
}

impl Filter {
    pub(super) fn parse(d: &Dynamic, what: &str) -> R<Filter> {
        let mut filter = Filter::default();
        if d.is_unit() {
            return Ok(filter);
        }
        for (key, v) in entries(d, what)? {
            match key.as_str() {
                "where" => filter.all = parse_conds(&v)?,
                "unless" => filter.none = parse_conds(&v)?,
                _ => return Err(helper_error(format!("{what}: unknown key {key:?} (known: where, unless)"))),
            }
        }
        Ok(filter)
    }

    pub(super) fn admits(&self, item: Item<'_>) -> bool {
        self.all.iter().all(|(name, c)| holds(c, &name.of(item)))
            && !self.none.iter().any(|(name, c)| holds(c, &name.of(item)))
    }
}

pub(super) fn filter_items(list: List<'_>, conds: &Dynamic, keep_matching: bool) -> R<Array> {
    let conds = parse_conds(conds)?;
    let filter =
        if keep_matching { Filter { all: conds, none: Vec::new() } } else { Filter { all: Vec::new(), none: conds } };
    let mut out = Array::new();
    visit(list, &mut |item| {
        if filter.admits(item) {
            out.push(item_value(item));
        }
        Ok(())
    })?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
