//! The snapshot JSON Schema, generated from the typed fact model.

use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use schemars::{JsonSchema, Schema};
use serde_json::Value;
use syncdoctor_engine::envelope::{Collector, ProbeRun, ProbeStatus};

use crate::SnapshotDocument;
use crate::nullable::AbsentIsNotNull;

/// `$id` of the snapshot schema.
pub const SNAPSHOT_SCHEMA_ID: &str = "https://syncdoctor.invalid/schema/snapshot.schema.json";

/// Title of the snapshot schema.
pub const SNAPSHOT_SCHEMA_TITLE: &str = "syncdoctor fact snapshot";

/// The JSON Schema (draft 2020-12) of a fact snapshot ([`SnapshotDocument`]).
///
/// Inside the facts, an absent key means "not collected" and `null` is accepted only for facts
/// modelled as [`Nullable`](crate::Nullable) (`…|null` in `facts.md`); every object has `additionalProperties: false`; enumerations are
/// plain `{"type": "string", "enum": [...]}`. The envelope types come from
/// `syncdoctor_engine::envelope` and keep their own `null` conventions.
#[must_use]
pub fn snapshot_schema() -> Value {
    let generator = SchemaSettings::draft2020_12().with_transform(StringEnums).into_generator();
    let mut root = generator.into_root_schema_for::<SnapshotDocument>();

    // The engine's envelope types decide their own `null`s (`probes[].error: null` is valid).
    let foreign = [Collector::schema_name(), ProbeRun::schema_name(), ProbeStatus::schema_name()];
    let mut defs = root.remove("$defs");
    AbsentIsNotNull.transform(&mut root);
    if let Some(Value::Object(defs)) = &mut defs {
        for (name, def) in defs.iter_mut() {
            if foreign.iter().any(|f| f == name) {
                continue;
            }
            if let Ok(def) = <&mut Schema>::try_from(def) {
                AbsentIsNotNull.transform(def);
            }
        }
    }

    let mut schema = root.to_value();
    if let Value::Object(obj) = &mut schema {
        let mut ordered = serde_json::Map::new();
        if let Some(meta) = obj.remove("$schema") {
            ordered.insert("$schema".into(), meta);
        }
        ordered.insert("$id".into(), SNAPSHOT_SCHEMA_ID.into());
        ordered.insert("title".into(), SNAPSHOT_SCHEMA_TITLE.into());
        obj.remove("title");
        ordered.extend(std::mem::take(obj));
        if let Some(defs) = defs {
            ordered.insert("$defs".into(), defs);
        }
        *obj = ordered;
    }
    schema
}

/// Turns schemars' `oneOf` of documented string constants (what a unit-only enum with doc
/// comments becomes) into a plain `{"type": "string", "enum": [...]}`, which validators report
/// more clearly and rule linters can read directly. Variant docs stay in rustdoc and `facts.md`.
#[derive(Debug, Clone, Copy)]
struct StringEnums;

impl Transform for StringEnums {
    fn transform(&mut self, schema: &mut Schema) {
        let values = match schema.get("oneOf") {
            Some(Value::Array(variants)) if !variants.is_empty() => variants
                .iter()
                .map(|v| match (v.get("type"), v.get("const")) {
                    (Some(Value::String(t)), Some(c @ Value::String(_))) if t == "string" => Some(c.clone()),
                    _ => None,
                })
                .collect::<Option<Vec<Value>>>(),
            _ => None,
        };
        if let Some(values) = values {
            schema.remove("oneOf");
            schema.insert("type".into(), "string".into());
            schema.insert("enum".into(), Value::Array(values));
        }
        transform_subschemas(self, schema);
    }
}
