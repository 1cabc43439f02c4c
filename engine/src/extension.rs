//! The extension point: helpers a vocabulary adds to the conditions of the knowledge bases loaded
//! with it ([`LoadOptions::helpers`](crate::LoadOptions::helpers)).
//!
//! The engine's own helpers ([`catalog::HELPERS`](crate::catalog::HELPERS)) know nothing of any
//! domain. A vocabulary crate (`syncdoctor-facts` for Entra ID directory synchronization) adds its
//! own: functions registered into the condition engine, each listed with an example in its own
//! catalogue (documentation and a test), and named conversions that `matched` and `unmatched`
//! apply to values before comparing them (`#{others: "base64_to_guid"}`).
//!
//! Helpers must be pure: deterministic, without side effects, and leaving their arguments alone.
//! The fast path relies on it when it calls them with its own values, and so do reports, which
//! must be the same for the same snapshot forever.
//!
//! ```
//! use syncdoctor_engine::extension::{Helper, Helpers, rhai};
//! use syncdoctor_engine::{EvalOptions, KbSource, KnowledgeBase, LoadOptions, Outcome, Snapshot};
//!
//! fn register(engine: &mut rhai::Engine) {
//!     engine.register_fn("initials", |s: &str| s.split(' ').filter_map(|w| w.chars().next()).collect::<String>());
//! }
//! const CATALOGUE: &[Helper] =
//!     &[Helper::new("Names", "initials", "initials(s)", "the first letter of each word", r#"initials("Ann Lee") == "AL""#)];
//! fn upper(s: &str) -> Option<String> {
//!     Some(s.to_uppercase())
//! }
//! let helpers = Helpers { name: "names", register, catalogue: CATALOGUE, conversions: &[("upper", upper)] };
//! assert!(helpers.failing_examples().is_empty());
//!
//! let rule = "id: initials\nversion: 1.0.0\nstatus: stable\ntitle: Initials\nseverity: info\n\
//!             covers: [c]\nsymptom: s\ncause: c\nresolution: {summary: none}\n\
//!             when: 'initials(facts.name) == \"AL\"'\n";
//! let kb = KbSource::from_files("kb", [
//!     ("kb.yaml", "name: demo\nkb_version: 1.0.0\nmin_engine_version: 0.1.0\n"),
//!     ("catalog.yaml", "entries: [{slug: c}]\n"),
//!     ("demo/initials.yaml", rule),
//! ]);
//! let kb = KnowledgeBase::load(kb, LoadOptions { helpers: vec![helpers], ..LoadOptions::default() })?;
//! let snapshot = Snapshot::from_unnamed_text(
//!     r#"{"schema_version": 1, "collected_at": "2026-11-20T09:30:00Z", "collector": {"name": "demo", "version": "1"},
//!         "probes": [], "facts": {"name": "Ann Lee"}}"#,
//!     "demo",
//!     None,
//! )?;
//! let report = kb.evaluate(&snapshot, &EvalOptions::default());
//! assert_eq!(report.findings[0].outcome, Outcome::Match);
//! # Ok::<(), syncdoctor_engine::Error>(())
//! ```

/// The Rhai version the engine registers helpers into (the one type of a third-party crate in the
/// engine's API: helpers are Rhai functions).
pub use rhai;

/// A conversion of a value, by name, for `matched`/`unmatched` (`#{field: "…"}`,
/// `#{others: "…"}`): the converted text, or `None` when the value cannot be converted (then it
/// matches nothing).
pub type Conversion = fn(&str) -> Option<String>;

/// Helpers a vocabulary adds to conditions.
#[derive(Debug, Clone, Copy)]
pub struct Helpers {
    /// Who adds them (the vocabulary's name), for messages.
    pub name: &'static str,
    /// Registers the functions into the condition engine (`engine.register_fn(…)`).
    pub register: fn(&mut rhai::Engine),
    /// One entry per function, each with an example that is `true` (see
    /// [`failing_examples`](Helpers::failing_examples)); `docs/helpers.md` lists them.
    pub catalogue: &'static [Helper],
    /// Named conversions `matched` and `unmatched` may apply.
    pub conversions: &'static [(&'static str, Conversion)],
}

/// One helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Helper {
    /// The name conditions call.
    pub name: &'static str,
    /// How it is called.
    pub call: &'static str,
    /// What it returns.
    pub returns: &'static str,
    /// A condition that uses it and is `true` on [`EXAMPLE_FACTS`](crate::catalog::EXAMPLE_FACTS) at [`EXAMPLE_NOW`](crate::catalog::EXAMPLE_NOW).
    pub example: &'static str,
    /// The group it is listed under in `docs/helpers.md`.
    pub group: &'static str,
    /// The fast path runs it natively.
    pub native: bool,
}

impl Helper {
    /// A helper a vocabulary adds ([`Helpers`]): listed under `group`,
    /// called as `call`, returning what `returns` says; `example` calls it and is `true` on
    /// [`EXAMPLE_FACTS`](crate::catalog::EXAMPLE_FACTS) at [`EXAMPLE_NOW`](crate::catalog::EXAMPLE_NOW). The fast path calls it through Rhai.
    pub const fn new(
        group: &'static str,
        name: &'static str,
        call: &'static str,
        returns: &'static str,
        example: &'static str,
    ) -> Helper {
        Helper { name, call, returns, example, group, native: false }
    }
}
