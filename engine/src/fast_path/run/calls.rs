//! Property and index reads, methods, closures over items, and calls of helpers (natively or
//! through Rhai).

use super::operators::plain_equal;
use super::values::{aliasing, boolean, leaf_equals, position};
use super::{BAIL, Env, Out, Stop, V};
use crate::facts::tree::Node;
use crate::fast_path::program::{Expr, Func, Method, Stmt};
use crate::functions::{presence, size, text, time};

impl<'a> Env<'a> {
    /// `receiver.key`: a fact object's child (absent: Rhai's to report), a built map's entry
    /// (`()` when absent, as in Rhai).
    pub(super) fn property(&self, receiver: V<'a>, key: &str) -> Out<'a> {
        match receiver {
            V::Node(tree, id) if matches!(tree.node(id), Node::Map { .. }) => {
                self.read(tree, tree.get(id, key).ok_or(BAIL)?)
            }
            V::Map(m) => Ok(self.maps.get(m).ok_or(BAIL)?.get(key).copied().unwrap_or(V::Unit)),
            _ => Err(BAIL),
        }
    }

    /// `receiver[index]`: a key of an object or map, an element of a list (negative counts from
    /// the end; out of range is Rhai's to report).
    pub(super) fn index(&self, receiver: V<'a>, index: V<'a>) -> Out<'a> {
        match (receiver, index) {
            (V::Node(tree, id), V::Int(i)) if matches!(tree.node(id), Node::List { .. }) => {
                let slot = position(i, tree.items(id).len()).ok_or(BAIL)?;
                self.read(tree, tree.item(id, slot).ok_or(BAIL)?)
            }
            (V::List(l), V::Int(i)) => {
                let list = self.lists.get(l).ok_or(BAIL)?;
                list.get(position(i, list.len()).ok_or(BAIL)?).copied().ok_or(BAIL)
            }
            (V::Node(..) | V::Map(_), key) => {
                let key = self.string(key).ok_or(BAIL)?.to_owned();
                self.property(receiver, &key)
            }
            _ => Err(BAIL),
        }
    }

    /// Calls a closure expression once per item, collecting the results through `each` (which
    /// says whether to go on).
    pub(super) fn each_item(
        &mut self,
        closure: &'a Expr,
        items: V<'a>,
        mut each: impl FnMut(V<'a>, V<'a>) -> Result<bool, Stop<'a>>,
    ) -> Result<(), Stop<'a>> {
        let Expr::Closure { name, captured } = closure else { return Err(BAIL) };
        let function = self.program.closures.get(name).ok_or(BAIL)?;
        let (param, captured_names) = function.params.split_last().ok_or(BAIL)?;
        if captured_names.len() != captured.len() {
            return Err(BAIL);
        }
        let items = self.items(items)?;
        self.enter()?;
        let base = self.vars.len();
        let mut result = Ok(());
        for (name, e) in captured_names.iter().zip(captured) {
            match self.eval(e) {
                Ok(v) => self.vars.push((name, v)),
                Err(stop) => {
                    result = Err(stop);
                    break;
                }
            }
        }
        if result.is_ok() {
            let mut i = 0;
            while let Some(item) = self.item(&items, i) {
                i += 1;
                let item = match item {
                    Ok(item) => item,
                    Err(stop) => {
                        result = Err(stop);
                        break;
                    }
                };
                if let Err(stop) = self.tick() {
                    result = Err(stop);
                    break;
                }
                self.vars.push((param, item));
                // An expression closure is one expression: no scope or `return` to handle.
                let value = match function.body.as_slice() {
                    [Stmt::Eval(e)] => self.eval(e),
                    body => match self.block(body) {
                        Ok(v) | Err(Stop::Return(v)) => Ok(v),
                        Err(stop) => Err(stop),
                    },
                };
                self.vars.truncate(base + captured.len());
                match value.and_then(|v| each(item, v)) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(stop) => {
                        result = Err(stop);
                        break;
                    }
                }
            }
        }
        self.vars.truncate(base);
        self.depth -= 1;
        result.map_err(|_| BAIL)
    }

    /// How many items the closure holds true for (`count`, `count_where`).
    pub(super) fn count(&mut self, closure: &'a Expr, items: V<'a>) -> Out<'a> {
        let mut n = 0i64;
        self.each_item(closure, items, |_, v| {
            n += i64::from(boolean(v)?);
            Ok(true)
        })?;
        Ok(V::Int(n))
    }

    /// Calls `method` on `receiver`; `top_level` says the receiver is a variable's own value.
    pub(super) fn method(&mut self, receiver: V<'a>, method: Method, args: &'a [Expr], top_level: bool) -> Out<'a> {
        let first = args.first();
        match method {
            Method::Any | Method::All => {
                let want = matches!(method, Method::Any);
                let mut found = !want;
                self.each_item(first.ok_or(BAIL)?, receiver, |_, v| {
                    if boolean(v)? == want {
                        found = want;
                        return Ok(false);
                    }
                    Ok(true)
                })?;
                Ok(V::Bool(found))
            }
            Method::Count => self.count(first.ok_or(BAIL)?, receiver),
            Method::Filter | Method::Map | Method::Find => {
                // `find` on a built list is Rhai's own (with other semantics): only fact lists here.
                if matches!(method, Method::Find) && !matches!(receiver, V::Node(..)) {
                    return Err(BAIL);
                }
                let mut out = Vec::new();
                self.each_item(first.ok_or(BAIL)?, receiver, |item, v| {
                    if let Method::Map = method {
                        out.push(v);
                        return Ok(true);
                    }
                    let keep = boolean(v)?;
                    if keep {
                        out.push(item);
                    }
                    Ok(!(keep && matches!(method, Method::Find)))
                })?;
                if matches!(method, Method::Find) {
                    return Ok(out.first().copied().unwrap_or(V::Unit));
                }
                self.new_list(out)
            }
            Method::Push => {
                let arg = first.ok_or(BAIL)?;
                let value = self.eval(arg)?;
                let value = self.stored(value, aliasing(arg))?;
                let V::List(l) = receiver else { return Err(BAIL) };
                // Into a variable's own list, as deep as the sandbox allows; into a list inside
                // another container (whose depth is not tracked), plain values only.
                if if top_level { self.too_deep_inside(value) } else { Self::nested(value) } {
                    return Err(BAIL);
                }
                let max = self.limits.max_array_size;
                let list = self.lists.get_mut(l).ok_or(BAIL)?;
                list.push(value);
                if list.len() > max { Err(BAIL) } else { Ok(V::Unit) }
            }
            Method::Keys => {
                let keys: Vec<String> = match receiver {
                    V::Node(tree, id) if matches!(tree.node(id), Node::Map { .. }) => {
                        tree.entries(id).iter().map(|(k, _)| k.to_string()).collect()
                    }
                    V::Map(m) => self.maps.get(m).ok_or(BAIL)?.keys().map(ToString::to_string).collect(),
                    _ => return Err(BAIL),
                };
                let keys = keys.into_iter().map(|k| self.new_text(k)).collect::<Result<Vec<_>, _>>()?;
                self.new_list(keys)
            }
            Method::ToLower | Method::ToUpper => {
                let s = self.string(receiver).ok_or(BAIL)?;
                // Rhai returns the string itself when nothing changes; the value is the same.
                let changed = if matches!(method, Method::ToLower) { s.to_lowercase() } else { s.to_uppercase() };
                if changed == s {
                    return Ok(receiver);
                }
                self.new_text(changed)
            }
            Method::Contains => {
                let value = self.eval(first.ok_or(BAIL)?)?;
                self.contains(receiver, value)
            }
            Method::StartsWith | Method::EndsWith => {
                let value = self.eval(first.ok_or(BAIL)?)?;
                let (s, part) = (self.string(receiver).ok_or(BAIL)?, self.string(value).ok_or(BAIL)?);
                Ok(V::Bool(if matches!(method, Method::StartsWith) { s.starts_with(part) } else { s.ends_with(part) }))
            }
            Method::IsNull => Ok(V::Bool(matches!(receiver, V::Null | V::Unit))),
            Method::Len | Method::IsEmpty => {
                let len = match receiver {
                    V::Node(tree, id) => match tree.node(id) {
                        Node::List { len, .. } | Node::Map { len, .. } => i64::from(*len),
                        _ => return Err(BAIL),
                    },
                    V::List(l) => self.lists.get(l).ok_or(BAIL)?.len() as i64,
                    V::Map(m) => self.maps.get(m).ok_or(BAIL)?.len() as i64,
                    other => self.string(other).ok_or(BAIL)?.chars().count() as i64,
                };
                Ok(if matches!(method, Method::Len) { V::Int(len) } else { V::Bool(len == 0) })
            }
        }
    }

    /// `receiver.contains(value)` (and `value in receiver`).
    pub(super) fn contains(&self, receiver: V<'a>, value: V<'a>) -> Out<'a> {
        match receiver {
            V::Node(tree, id) => match tree.node(id) {
                Node::List { .. } => {
                    Ok(V::Bool(tree.items(id).iter().any(|c| leaf_equals(tree, *c, self.leaf(value)))))
                }
                Node::Map { .. } => Ok(V::Bool(tree.get(id, self.string(value).ok_or(BAIL)?).is_some())),
                _ => Err(BAIL),
            },
            V::List(l) => {
                let needle = self.leaf(value);
                for item in self.lists.get(l).ok_or(BAIL)? {
                    if plain_equal(self.leaf(*item), needle).ok_or(BAIL)? {
                        return Ok(V::Bool(true));
                    }
                }
                Ok(V::Bool(false))
            }
            V::Map(m) => Ok(V::Bool(self.maps.get(m).ok_or(BAIL)?.contains_key(self.string(value).ok_or(BAIL)?))),
            other => {
                let (s, part) = (self.string(other).ok_or(BAIL)?, self.string(value).ok_or(BAIL)?);
                Ok(V::Bool(s.contains(part)))
            }
        }
    }

    pub(super) fn call(&mut self, func: Func, args: &'a [Expr]) -> Out<'a> {
        let first = match args.first() {
            Some(a) if !matches!(func, Func::CountWhere) => self.eval(a)?,
            _ => V::Unit,
        };
        match func {
            Func::Size(shift) => match first {
                V::Int(n) => Ok(V::Int(size::scaled(n, shift))),
                V::Float(x) => Ok(V::Int(size::scaled_float(x, shift))),
                _ => Err(BAIL),
            },
            Func::IsNull => Ok(V::Bool(matches!(first, V::Null | V::Unit))),
            Func::EqIgnoreCase => {
                let second = self.eval(args.get(1).ok_or(BAIL)?)?;
                match (self.string(first), self.string(second)) {
                    (Some(a), Some(b)) => Ok(V::Bool(text::eq_ignore_case(a, b))),
                    _ => Err(BAIL),
                }
            }
            Func::Since(unit, turned) => {
                let value = time::since(self.string(first).ok_or(BAIL)?, unit).map_err(|_| BAIL)?;
                Ok(V::Float(if turned { -value } else { value }))
            }
            Func::ParseTime => Ok(V::Int(time::parse(self.string(first).ok_or(BAIL)?).map_err(|_| BAIL)?.as_second())),
            Func::DurationSecs | Func::DurationHours => {
                let duration = time::duration(self.string(first).ok_or(BAIL)?).map_err(|_| BAIL)?;
                Ok(match func {
                    Func::DurationSecs => V::Int(duration.as_secs()),
                    _ => V::Float(duration.as_secs_f64() / 3600.0),
                })
            }
            Func::Has => Ok(V::Bool(presence::has(self.facts, self.string(first).ok_or(BAIL)?))),
            Func::CountWhere => {
                let [items, closure] = args else { return Err(BAIL) };
                let items = self.eval(items)?;
                self.count(closure, items)
            }
        }
    }
}
