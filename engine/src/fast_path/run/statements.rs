//! Statements and expressions: scopes, `let`, assignments, `if`, loops and the condition's own
//! `fn`s.

use std::collections::BTreeMap;

use rhai::Dynamic;

use super::values::{aliasing, boolean, position};
use super::{BAIL, Env, Out, Stop, V};
use crate::fast_path::program::{Expr, Op, Stmt, Target};

impl<'a> Env<'a> {
    /// Runs statements in a scope of their own: the value of the last one (`()` for a `let`).
    pub(super) fn block(&mut self, stmts: &'a [Stmt]) -> Out<'a> {
        let base = self.vars.len();
        let result = self.statements(stmts);
        self.vars.truncate(base);
        result
    }

    pub(super) fn statements(&mut self, stmts: &'a [Stmt]) -> Out<'a> {
        let mut last = V::Unit;
        for stmt in stmts {
            self.tick()?;
            last = match stmt {
                Stmt::Let(name, e) => {
                    let v = self.eval(e)?;
                    let v = self.stored(v, aliasing(e))?;
                    if self.vars.len() >= self.limits.max_variables {
                        return Err(BAIL);
                    }
                    self.vars.push((name, v));
                    V::Unit
                }
                Stmt::Eval(e) => self.eval(e)?,
                Stmt::If(condition, then, otherwise) => {
                    let branch = if boolean(self.eval(condition)?)? { then } else { otherwise };
                    self.block(branch)?
                }
                Stmt::Return(e) => {
                    let v = match e {
                        Some(e) => self.eval(e)?,
                        None => V::Unit,
                    };
                    return Err(Stop::Return(v));
                }
                Stmt::Block(stmts) => self.block(stmts)?,
                Stmt::For(name, list, body) => {
                    let list = self.eval(list)?;
                    let items = self.items(list)?;
                    let mut i = 0;
                    while let Some(item) = self.item(&items, i) {
                        i += 1;
                        let item = item?;
                        self.tick()?;
                        let base = self.vars.len();
                        self.vars.push((name, item));
                        let step = self.statements(body);
                        self.vars.truncate(base);
                        match step {
                            Ok(_) | Err(Stop::Continue) => {}
                            Err(Stop::Break) => break,
                            Err(stop) => return Err(stop),
                        }
                    }
                    V::Unit
                }
                Stmt::Break(true) => return Err(Stop::Break),
                Stmt::Break(false) => return Err(Stop::Continue),
                Stmt::Assign(target, op, e) => {
                    self.assign(target, *op, e)?;
                    V::Unit
                }
            };
        }
        Ok(last)
    }

    pub(super) fn var(&self, name: &str) -> Result<(usize, V<'a>), Stop<'a>> {
        self.vars.iter().enumerate().rev().find(|(_, (n, _))| *n == name).map(|(i, (_, v))| (i, *v)).ok_or(BAIL)
    }

    pub(super) fn assign(&mut self, target: &'a Target, op: Option<Op>, e: &'a Expr) -> Result<(), Stop<'a>> {
        let value = self.eval(e)?;
        let value = self.stored(value, aliasing(e))?;
        match target {
            Target::Var(name) => {
                let (slot, old) = self.var(name)?;
                let new = match op {
                    Some(op) => self.binary(op, old, value)?,
                    None => value,
                };
                if let Some(entry) = self.vars.get_mut(slot) {
                    entry.1 = new;
                }
                Ok(())
            }
            Target::Index(name, index) => {
                // The variable's container is not inside another one: its depth is known.
                if op.is_some() || self.too_deep_inside(value) {
                    return Err(BAIL);
                }
                let (_, container) = self.var(name)?;
                let index = self.eval(index)?;
                match container {
                    V::Map(m) => {
                        let key: Box<str> = self.string(index).ok_or(BAIL)?.into();
                        let max = self.limits.max_map_size;
                        let map = self.maps.get_mut(m).ok_or(BAIL)?;
                        map.insert(key, value);
                        if map.len() > max { Err(BAIL) } else { Ok(()) }
                    }
                    V::List(l) => {
                        let V::Int(i) = index else { return Err(BAIL) };
                        let list = self.lists.get_mut(l).ok_or(BAIL)?;
                        let slot = position(i, list.len()).ok_or(BAIL)?;
                        *list.get_mut(slot).ok_or(BAIL)? = value;
                        Ok(())
                    }
                    _ => Err(BAIL),
                }
            }
        }
    }

    pub(super) fn eval(&mut self, e: &'a Expr) -> Out<'a> {
        match e {
            Expr::Unit => Ok(V::Unit),
            Expr::Bool(b) => Ok(V::Bool(*b)),
            Expr::Int(i) => Ok(V::Int(*i)),
            Expr::Float(x) => Ok(V::Float(*x)),
            Expr::Str(s) => Ok(V::Str(s.as_str())),
            Expr::Var(name) => self.var(name).map(|(_, v)| v),
            Expr::Prop(receiver, key) => {
                let receiver = self.eval(receiver)?;
                self.property(receiver, key)
            }
            Expr::Index(receiver, index) => {
                let (receiver, index) = (self.eval(receiver)?, self.eval(index)?);
                self.index(receiver, index)
            }
            Expr::Method(receiver, method, args) => {
                let top_level = matches!(**receiver, Expr::Var(_));
                let receiver = self.eval(receiver)?;
                self.method(receiver, *method, args, top_level)
            }
            Expr::Call(func, args) => self.call(*func, args),
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                self.binary(*op, a, b)
            }
            Expr::Not(a) => Ok(V::Bool(!boolean(self.eval(a)?)?)),
            Expr::Neg(a) => match self.eval(a)? {
                V::Int(i) => i.checked_neg().map(V::Int).ok_or(BAIL),
                V::Float(x) => Ok(V::Float(-x)),
                _ => Err(BAIL),
            },
            Expr::And(terms) => {
                for t in terms {
                    if !boolean(self.eval(t)?)? {
                        return Ok(V::Bool(false));
                    }
                }
                Ok(V::Bool(true))
            }
            Expr::Or(terms) => {
                for t in terms {
                    if boolean(self.eval(t)?)? {
                        return Ok(V::Bool(true));
                    }
                }
                Ok(V::Bool(false))
            }
            Expr::Array(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    let v = self.eval(item)?;
                    values.push(self.stored(v, aliasing(item))?);
                }
                self.new_list(values)
            }
            Expr::Map(entries) => {
                let mut map = BTreeMap::new();
                for (key, value) in entries {
                    let v = self.eval(value)?;
                    let v = self.stored(v, aliasing(value))?;
                    map.insert(Box::from(key.as_str()), v);
                }
                self.new_map(map)
            }
            Expr::Script(key, args) => self.script(key, args),
            Expr::Helper(helper, args) => {
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    let v = self.eval(arg)?;
                    values.push(self.to_dynamic(v)?);
                }
                let result = helper.call::<Dynamic>(self.cx.engine, self.cx.ast, values).map_err(|_| BAIL)?;
                self.read_dynamic(&result)
            }
            Expr::Closure { .. } | Expr::Unsupported => Err(BAIL),
            Expr::Block(stmts) => self.block(stmts),
        }
    }

    /// Calls one of the condition's own `fn`s: the arguments by value, and nothing else of the
    /// caller's scope in sight (as in Rhai).
    pub(super) fn script(&mut self, key: &str, args: &'a [Expr]) -> Out<'a> {
        let function = self.program.closures.get(key).ok_or(BAIL)?;
        if function.params.len() != args.len() {
            return Err(BAIL);
        }
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            let v = self.eval(arg)?;
            values.push(self.stored(v, aliasing(arg))?);
        }
        self.enter()?;
        let caller = std::mem::take(&mut self.vars);
        self.vars.extend(function.params.iter().map(String::as_str).zip(values));
        let result = match self.block(&function.body) {
            Ok(v) | Err(Stop::Return(v)) => Ok(v),
            Err(_) => Err(BAIL),
        };
        self.vars = caller;
        self.depth -= 1;
        result
    }

    /// One call level deeper. Rhai counts a level for each function call, and more for the
    /// helpers that call closures; staying within half its limit keeps the fast path on the safe
    /// side.
    pub(super) fn enter(&mut self) -> Result<(), Stop<'a>> {
        self.depth += 1;
        if self.depth * 2 >= self.limits.max_call_levels {
            self.depth -= 1;
            return Err(BAIL);
        }
        Ok(())
    }
}
