//! Per-evaluation state that native functions need: the snapshot's facts, "now", and what the
//! condition read. It lives in a thread-local because the compiled knowledge base (and its Rhai
//! engine) is shared by every thread, while each thread evaluates one rule at a time.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use jiff::Timestamp;
use serde_json::Value;

use super::tree::{FactTree, NodeId};

/// One fact read by a condition, recorded when tracing (`syncdoctor explain`).
#[derive(Debug, Clone, PartialEq)]
pub struct FactRead {
    /// The fact's path, e.g. `facts.services.adsync.state`.
    pub path: String,
    /// Its value, `None` when the fact is absent.
    pub value: Option<Value>,
}

#[derive(Default)]
struct State {
    facts: Option<Arc<FactTree>>,
    now: Option<Timestamp>,
    missing: Vec<String>,
    nulls: Vec<(Arc<FactTree>, NodeId)>,
    trace: Vec<FactRead>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    static TRACING: Cell<bool> = const { Cell::new(false) };
    /// Boolean leaves conditions read inverted (see [`flip`]), and those a condition read.
    static FLIPPED: RefCell<Vec<NodeId>> = const { RefCell::new(Vec::new()) };
    static FLIPPING: Cell<bool> = const { Cell::new(false) };
    static FLIP_SEEN: RefCell<Vec<NodeId>> = const { RefCell::new(Vec::new()) };
}

/// Makes conditions on this thread read the boolean leaves `ids` inverted, until [`unflip`]: the
/// counterfactual "would the rule still match if these facts were the other way?" that decides
/// which evidence made a rule match.
pub(crate) fn flip(ids: &[NodeId]) {
    FLIPPED.with_borrow_mut(|f| {
        f.clear();
        f.extend_from_slice(ids);
    });
    FLIPPING.set(true);
}

/// Ends [`flip`]; returns the flipped leaves a condition read meanwhile.
pub(crate) fn unflip() -> Vec<NodeId> {
    FLIPPING.set(false);
    FLIPPED.with_borrow_mut(Vec::clear);
    FLIP_SEEN.with_borrow_mut(std::mem::take)
}

/// The value a condition sees for boolean leaf `id` holding `value`.
pub(crate) fn read_bool(id: NodeId, value: bool) -> bool {
    if !FLIPPING.get() || !FLIPPED.with_borrow(|f| f.contains(&id)) {
        return value;
    }
    FLIP_SEEN.with_borrow_mut(|s| {
        if !s.contains(&id) {
            s.push(id);
        }
    });
    !value
}

/// Installs the facts and "now" of one snapshot on this thread until dropped.
pub(crate) struct SnapshotScope;

impl SnapshotScope {
    pub(crate) fn enter(facts: Arc<FactTree>, now: Timestamp, trace: bool) -> Self {
        STATE.with_borrow_mut(|s| {
            *s = State { facts: Some(facts), now: Some(now), ..State::default() };
        });
        TRACING.set(trace);
        SnapshotScope
    }
}

impl Drop for SnapshotScope {
    fn drop(&mut self) {
        STATE.with_borrow_mut(|s| *s = State::default());
        TRACING.set(false);
    }
}

/// What one condition read that makes it inconclusive, collected after it ran.
#[derive(Debug, Default)]
pub(crate) struct Reads {
    pub missing: Vec<String>,
    pub nulls: Vec<String>,
}

/// Clears the per-condition records (call before evaluating each condition).
pub(crate) fn reset_reads() {
    STATE.with_borrow_mut(|s| {
        s.missing.clear();
        s.nulls.clear();
    });
}

/// Takes the per-condition records.
pub(crate) fn take_reads() -> Reads {
    STATE.with_borrow_mut(|s| Reads {
        missing: std::mem::take(&mut s.missing),
        nulls: s.nulls.drain(..).map(|(t, id)| t.path_of(id)).collect(),
    })
}

/// Takes the trace of fact reads.
pub(crate) fn take_trace() -> Vec<FactRead> {
    STATE.with_borrow_mut(|s| std::mem::take(&mut s.trace))
}

pub(crate) fn record_missing(path: String) {
    if TRACING.get() {
        STATE.with_borrow_mut(|s| s.trace.push(FactRead { path: path.clone(), value: None }));
    }
    STATE.with_borrow_mut(|s| s.missing.push(path));
}

pub(crate) fn record_null(tree: &Arc<FactTree>, id: NodeId) {
    STATE.with_borrow_mut(|s| s.nulls.push((Arc::clone(tree), id)));
}

pub(crate) fn record_read(tree: &FactTree, id: NodeId) {
    if TRACING.get() {
        let read = FactRead { path: tree.path_of(id), value: Some(tree.to_value(id)) };
        STATE.with_borrow_mut(|s| s.trace.push(read));
    }
}

/// The evaluation's "now" (the snapshot's `collected_at`).
pub(crate) fn now() -> Option<Timestamp> {
    STATE.with_borrow(|s| s.now)
}

/// The facts of the snapshot being evaluated.
pub(crate) fn facts() -> Option<Arc<FactTree>> {
    STATE.with_borrow(|s| s.facts.clone())
}
