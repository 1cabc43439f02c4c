//! Rhai's built-in operators on the plain types they are defined for.

use std::cmp::Ordering;

use super::values::{Leaf, float};
use super::{BAIL, Env, Out, V};
use crate::fast_path::program::Op;

impl<'a> Env<'a> {
    /// Rhai's built-in operators on the types they are defined for; anything else is Rhai's to decide.
    pub(super) fn binary(&mut self, op: Op, a: V<'a>, b: V<'a>) -> Out<'a> {
        let (x, y) = (self.leaf(a), self.leaf(b));
        match op {
            Op::Eq | Op::Ne => {
                let equal = match (x, y) {
                    (Leaf::Bool(x), Leaf::Bool(y)) => x == y,
                    (Leaf::Unit, Leaf::Unit) => true,
                    _ => compare(x, y).ok_or(BAIL)? == Ordering::Equal,
                };
                Ok(V::Bool(equal == matches!(op, Op::Eq)))
            }
            Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                let o = compare(x, y).ok_or(BAIL)?;
                Ok(V::Bool(match op {
                    Op::Lt => o == Ordering::Less,
                    Op::Le => o != Ordering::Greater,
                    Op::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                }))
            }
            Op::Add | Op::Sub | Op::Mul | Op::Div => match (x, y) {
                (Leaf::Int(x), Leaf::Int(y)) => match op {
                    Op::Add => x.checked_add(y),
                    Op::Sub => x.checked_sub(y),
                    Op::Mul => x.checked_mul(y),
                    _ => x.checked_div(y),
                }
                .map(V::Int)
                .ok_or(BAIL),
                (Leaf::Float(_) | Leaf::Int(_), Leaf::Float(_) | Leaf::Int(_)) => {
                    let (x, y) = (float(x), float(y));
                    if matches!(op, Op::Div) && y == 0.0 {
                        return Err(BAIL);
                    }
                    Ok(V::Float(match op {
                        Op::Add => x + y,
                        Op::Sub => x - y,
                        Op::Mul => x * y,
                        _ => x / y,
                    }))
                }
                (Leaf::Other, Leaf::Other) if matches!(op, Op::Add) => match (a, b) {
                    // Rhai's `+` on two arrays: a new one with the items of both.
                    (V::List(x), V::List(y)) => {
                        let mut items = self.lists.get(x).ok_or(BAIL)?.clone();
                        items.extend(self.lists.get(y).ok_or(BAIL)?.iter().copied());
                        let items = items.into_iter().map(|i| self.copy(i)).collect::<Result<Vec<_>, _>>()?;
                        self.new_list(items)
                    }
                    _ => Err(BAIL),
                },
                (Leaf::Str(x), Leaf::Str(y)) if matches!(op, Op::Add) => {
                    let joined = [x, y].concat();
                    self.new_text(joined)
                }
                _ => Err(BAIL),
            },
        }
    }
}

/// Rhai's `a == b` for the values where it is plain (numbers, strings, booleans, `()`); `None`
/// for anything Rhai would decide through other functions (facts, nulls, containers).
pub(super) fn plain_equal(a: Leaf<'_>, b: Leaf<'_>) -> Option<bool> {
    Some(match (a, b) {
        (Leaf::Unit, Leaf::Unit) => true,
        (Leaf::Bool(x), Leaf::Bool(y)) => x == y,
        (Leaf::Str(x), Leaf::Str(y)) => x == y,
        (Leaf::Int(_) | Leaf::Float(_), Leaf::Int(_) | Leaf::Float(_)) => compare(a, b)? == Ordering::Equal,
        (Leaf::Other, _) | (_, Leaf::Other) => return None,
        // Different plain types are never equal in Rhai.
        _ => false,
    })
}

/// Rhai's ordering of two numbers or two strings.
pub(super) fn compare(a: Leaf<'_>, b: Leaf<'_>) -> Option<Ordering> {
    match (a, b) {
        (Leaf::Int(x), Leaf::Int(y)) => Some(x.cmp(&y)),
        (Leaf::Float(x), Leaf::Float(y)) => x.partial_cmp(&y),
        (Leaf::Int(x), Leaf::Float(y)) => (x as f64).partial_cmp(&y),
        (Leaf::Float(x), Leaf::Int(y)) => x.partial_cmp(&(y as f64)),
        (Leaf::Str(x), Leaf::Str(y)) => Some(x.cmp(y)),
        _ => None,
    }
}
