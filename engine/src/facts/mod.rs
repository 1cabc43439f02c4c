//! How conditions see facts: an immutable shared tree ([`tree::FactTree`]) and the Rhai types over
//! it ([`handle::Fact`], [`handle::NullFact`]), registered with Rhai by the private `api` module,
//! and the view through which `jsonschema` validates a tree in place ([`schema_view`]).

pub(crate) mod api;
pub mod context;
pub mod handle;
pub mod schema_view;
pub mod tree;
