//! The helper library registered into every condition: native Rust, deterministic, side-effect free.
//!
//! Each module documents its functions with an example; `syncdoctor rules docs` and the README list
//! them. Nothing here touches files, the network or the wall clock: "now" is the snapshot's
//! `collected_at`.

pub mod catalog;
pub mod chars;
pub mod collections;
pub mod presence;
pub mod scan;
pub mod size;
pub mod text;
pub mod time;
pub mod version;

use rhai::{Engine, EvalAltResult, Position};

/// The conversions `matched`/`unmatched` may apply by name (those of the engine's extensions).
pub(crate) type Conversions = std::sync::Arc<Vec<(&'static str, crate::extension::Conversion)>>;

/// Registers every helper module.
pub(crate) fn register(engine: &mut Engine, conversions: Conversions) {
    time::register(engine);
    version::register(engine);
    size::register(engine);
    text::register(engine);
    collections::register(engine);
    chars::register(engine);
    scan::register(engine, &conversions);
    presence::register(engine);
}

/// A helper's error, reported as the rule's `error` outcome.
pub(crate) fn helper_error(message: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into().into(), Position::NONE))
}
