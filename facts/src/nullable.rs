//! Absent versus `null`: the two ways a fact can lack a value.
//!
//! `facts.md` and DESIGN §4 give the two different meanings:
//!
//! - **absent key** — the fact was not collected (a rule reading it is `inconclusive`);
//! - **`null`** — the probe ran and the value is unknown or empty (a default
//!   `Get-ADSyncScheduler` prints `CustomizedSyncCycleInterval` as null, an AD connector has no
//!   `SubType`, a gMSA has no UPN). **Every leaf fact may be `null`.**
//!
//! Every fact field is an [`Option`] (absent ⇒ `None`). A leaf fact (a string, number, bool,
//! enum or list of scalars) is an `Option<Nullable<T>>`: `None` = absent, `Some(Nullable(None))`
//! = `null`, `Some(Nullable(Some(v)))` = a value. Such fields carry
//! `#[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]`,
//! because serde maps `null` to the outer `None` unless told otherwise. Objects and lists of
//! objects stay plain `Option<T>`: a section is either read (present) or not (absent).
//!
//! Probes build leaf facts with [`known`] (a value), [`gathered`] (a value, or `null` when the
//! source had none) and [`lift`] (a value, or absent when it was not read), and read them back
//! with [`Known::known`].
//!
//! In the JSON Schema a plain `Option<T>` field is just `T` and not required (see
//! [`AbsentIsNotNull`]), while `Nullable<T>` adds `null` to the accepted types.

use std::borrow::Cow;

use schemars::transform::{Transform, transform_subschemas};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A value that is either known or explicitly `null` ("collected, value unknown or empty").
///
/// Serialized transparently: `Nullable(Some(v))` is `v`, `Nullable(None)` is `null`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Nullable<T>(pub Option<T>);

impl<T> Nullable<T> {
    /// The explicit `null`.
    #[must_use]
    pub const fn null() -> Self {
        Self(None)
    }

    /// A known value.
    #[must_use]
    pub const fn value(value: T) -> Self {
        Self(Some(value))
    }

    /// `true` when this is `null`.
    #[must_use]
    pub const fn is_null(&self) -> bool {
        self.0.is_none()
    }

    /// The value, if it is not `null`.
    #[must_use]
    pub const fn as_ref(&self) -> Option<&T> {
        self.0.as_ref()
    }

    /// The value, if it is not `null`.
    #[must_use]
    pub fn into_option(self) -> Option<T> {
        self.0
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        Self(value)
    }
}

/// A leaf fact with a known value.
#[must_use]
pub const fn known<T>(value: T) -> Option<Nullable<T>> {
    Some(Nullable(Some(value)))
}

/// A leaf fact that was gathered: its value, or `null` when the source gave none.
#[must_use]
pub const fn gathered<T>(value: Option<T>) -> Option<Nullable<T>> {
    Some(Nullable(value))
}

/// A leaf fact that may not have been read: its value, or absent (`None`) when there is none.
#[must_use]
pub fn lift<T>(value: Option<T>) -> Option<Nullable<T>> {
    value.map(Nullable::value)
}

/// Reading a leaf fact (`Option<Nullable<T>>`) back: absent and `null` both have no value.
pub trait Known<T> {
    /// The value, if the fact is present and not `null`.
    fn known(&self) -> Option<&T>;

    /// The value, if the fact is present and not `null`.
    fn into_known(self) -> Option<T>;

    /// `true` when the fact is present and `null`.
    fn is_null_fact(&self) -> bool;
}

impl<T> Known<T> for Option<Nullable<T>> {
    fn known(&self) -> Option<&T> {
        self.as_ref().and_then(Nullable::as_ref)
    }

    fn into_known(self) -> Option<T> {
        self.and_then(Nullable::into_option)
    }

    fn is_null_fact(&self) -> bool {
        self.as_ref().is_some_and(Nullable::is_null)
    }
}

/// `deserialize_with` helper for `Option<Nullable<T>>` fields: a key that is present (even with
/// `null`) becomes `Some(..)`; together with `#[serde(default)]` a missing key stays `None`.
///
/// # Errors
///
/// Whatever `T`'s deserializer reports.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Nullable<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Nullable::<T>::deserialize(deserializer).map(Some)
}

/// Private schema keyword marking a `Nullable<T>` schema until [`AbsentIsNotNull`] has run; it
/// never appears in a finished schema.
const NULLABLE_MARK: &str = "x-syncdoctor-nullable";

impl<T: JsonSchema> JsonSchema for Nullable<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("{}_or_null", T::schema_name()).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("syncdoctor_probes::Nullable<{}>", T::schema_id()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let inner = generator.subschema_for::<T>();
        let simple_type = inner.as_object().and_then(|obj| {
            let composite =
                ["$ref", "anyOf", "oneOf", "allOf", "if", "enum", "const"].iter().any(|k| obj.contains_key(*k));
            match obj.get("type") {
                Some(Value::String(ty)) if !composite => Some(ty.clone()),
                _ => None,
            }
        });
        let mut schema = match simple_type {
            Some(ty) => {
                let mut schema = inner;
                schema.insert("type".into(), Value::from(vec![ty, "null".to_owned()]));
                schema
            }
            None => json_schema!({ "anyOf": [inner, { "type": "null" }] }),
        };
        schema.insert(NULLABLE_MARK.into(), Value::Bool(true));
        schema
    }
}

/// Schema transform that makes "absent" and "`null`" mean what `facts.md` says.
///
/// schemars 1.x always lets an `Option<T>` field be `null` (it has no setting to turn that off), so
/// this transform, applied to the finished schema, undoes it: for every property that is not
/// `required`, the `null` added by `Option` is removed, unless the field is a [`Nullable`] (which
/// keeps its `null`). It also removes the private marker keyword `Nullable` uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct AbsentIsNotNull;

impl Transform for AbsentIsNotNull {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(obj) = schema.as_object_mut() {
            let required: Vec<String> = obj
                .get("required")
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            if let Some(Value::Object(properties)) = obj.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    if !required.contains(name)
                        && let Value::Object(property) = property
                    {
                        strip_option_null(property);
                    }
                }
            }
            obj.remove(NULLABLE_MARK);
        }
        transform_subschemas(self, schema);
    }
}

fn is_null_schema(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str) == Some("null")
}

/// Undo what schemars' `Option<T>` did to one property schema.
fn strip_option_null(property: &mut Map<String, Value>) {
    // `Option<{"$ref"/"anyOf"…}>` becomes `{"anyOf": [T, {"type": "null"}], …}`: unwrap it.
    let wrapped = match property.get("anyOf") {
        Some(Value::Array(items)) if items.len() == 2 && items.iter().any(is_null_schema) => {
            items.iter().find(|item| !is_null_schema(item)).cloned()
        }
        _ => None,
    };
    if let Some(Value::Object(inner)) = wrapped {
        property.remove("anyOf");
        if inner.keys().all(|k| !property.contains_key(k)) {
            property.extend(inner);
        } else {
            property.insert("allOf".into(), Value::Array(vec![Value::Object(inner)]));
        }
    }
    if property.remove(NULLABLE_MARK).is_some() {
        return; // `Nullable<T>`: `null` is a legitimate value.
    }
    // `Option<{"type": "x"}>` becomes `{"type": ["x", "null"]}`.
    if let Some(Value::Array(types)) = property.get_mut("type") {
        types.retain(|t| t.as_str() != Some("null"));
        if let [single] = types.as_slice() {
            let single = single.clone();
            property.insert("type".into(), single);
        }
    }
    // `Option<{"enum": [...]}>` gets a `null` member.
    if let Some(Value::Array(values)) = property.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
}
