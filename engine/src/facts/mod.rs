//! How conditions see facts: an immutable shared tree ([`tree::FactTree`]) and the Rhai types over
//! it ([`handle::Fact`], [`handle::NullFact`]), registered by [`api`].

pub(crate) mod api;
pub mod context;
pub mod handle;
pub mod schema_view;
pub mod tree;
