//! Static checks of the paths a condition reads (found by [`crate::condition::analysis`]) against
//! the snapshot schema (`facts.…`) and the knowledge base's reference data (`data.…`), so a typo is
//! caught by `rules lint` instead of making the rule forever `inconclusive`.

use serde_json::Value;

use crate::fact_path::{FactPath, Segment};
use crate::facts::tree::{FactTree, Node};

/// Checks a dotted path against a JSON Schema of the snapshot (rooted at the snapshot object; the
/// path is looked up under `properties.facts`). `Err` names the first segment that does not exist.
pub fn check_path(schema: &Value, path: &FactPath) -> Result<(), String> {
    let root = schema.get("properties").and_then(|p| p.get("facts")).ok_or("the schema has no `facts`")?;
    let mut node = resolve(schema, root);
    let mut walked = String::from("facts");
    for segment in path.segments() {
        let Some(current) = node else { return Ok(()) };
        match segment {
            Segment::Key(key) => {
                if is_array(schema, current) {
                    return Err(format!(
                        "`{walked}` is a list: use a method (`.len()`, `.any(...)`, `[0]`) before `.{key}`"
                    ));
                }
                match lookup_property(schema, current, key) {
                    Lookup::Found(n) => node = resolve(schema, n),
                    Lookup::Open => node = None,
                    Lookup::Missing => return Err(format!("`{walked}` has no fact `{key}`")),
                }
                walked.push('.');
                walked.push_str(key);
            }
            Segment::Index(_) | Segment::Each => {
                let items = branches(schema, current).into_iter().find_map(|b| b.get("items"));
                match items {
                    Some(items) => node = resolve(schema, items),
                    None if is_array(schema, current) => node = None,
                    None if is_open(schema, current) => node = None,
                    None => return Err(format!("`{walked}` is not a list")),
                }
                walked.push_str("[]");
            }
        }
    }
    Ok(())
}

/// Whether a schema node accepts anything (no type, no properties: e.g. `true` or `{}`).
fn is_open(schema: &Value, node: &Value) -> bool {
    branches(schema, node)
        .iter()
        .any(|b| b.as_bool() == Some(true) || b.as_object().is_some_and(serde_json::Map::is_empty))
}

/// Checks a path against the reference data: each field must exist (in at least one element, for
/// `[]` over a list).
pub fn check_data_path(data: &FactTree, path: &FactPath) -> Result<(), String> {
    let mut nodes = vec![data.root()];
    let mut walked = String::from("data");
    for segment in path.segments() {
        let mut next = Vec::new();
        for id in &nodes {
            match (segment, data.node(*id)) {
                (Segment::Key(key), Node::Map { .. }) => next.extend(data.get(*id, key)),
                (Segment::Index(i), Node::List { .. }) => next.extend(data.item(*id, *i)),
                (Segment::Each, Node::List { .. }) => next.extend(data.items(*id).iter().copied()),
                _ => {}
            }
        }
        if next.is_empty() {
            let lists = nodes.iter().any(|id| matches!(data.node(*id), Node::List { .. }));
            let empty_list =
                nodes.iter().all(|id| matches!(data.node(*id), Node::List { .. }) && data.items(*id).is_empty());
            return match segment {
                _ if empty_list && !nodes.is_empty() => Ok(()),
                Segment::Key(key) if lists => {
                    Err(format!("`{walked}` is a list: use a method or `[0]` before `.{key}`"))
                }
                Segment::Key(key) => Err(format!("`{walked}` has no entry `{key}`")),
                Segment::Index(_) | Segment::Each => Err(format!("`{walked}` is not a list")),
            };
        }
        nodes = next;
        match segment {
            Segment::Key(key) => {
                walked.push('.');
                walked.push_str(key);
            }
            _ => walked.push_str("[]"),
        }
    }
    Ok(())
}

enum Lookup<'a> {
    Found(&'a Value),
    Open,
    Missing,
}

fn lookup_property<'a>(schema: &'a Value, node: &'a Value, key: &str) -> Lookup<'a> {
    for branch in branches(schema, node) {
        let is_wrapper =
            ["anyOf", "oneOf", "allOf"].iter().any(|k| branch.get(k).is_some()) && branch.get("type").is_none();
        let is_leaf = match branch.get("type") {
            Some(Value::String(t)) => t != "object",
            Some(Value::Array(ts)) => !ts.iter().any(|t| t == "object"),
            _ => false,
        };
        if is_wrapper || is_leaf {
            continue;
        }
        if let Some(p) = branch.get("properties").and_then(|p| p.get(key)) {
            return Lookup::Found(p);
        }
        let names = branch.get("propertyNames").and_then(|p| p.get("enum")).and_then(Value::as_array);
        if names.is_some_and(|names| !names.iter().any(|n| n.as_str() == Some(key))) {
            continue;
        }
        match branch.get("additionalProperties") {
            Some(extra @ Value::Object(o)) if !o.is_empty() => return Lookup::Found(extra),
            Some(Value::Bool(false)) => {}
            // A closed object lists its properties; anything else accepts any key.
            None if branch.get("properties").is_some() => {}
            _ => return Lookup::Open,
        }
    }
    Lookup::Missing
}

/// The node itself plus the alternatives of `anyOf`/`oneOf`/`allOf`, with `$ref`s followed.
fn branches<'a>(schema: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let mut out = vec![node];
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(list) = node.get(key).and_then(Value::as_array) {
            out.extend(list.iter().filter_map(|n| resolve(schema, n)));
        }
    }
    out
}

fn is_array(schema: &Value, node: &Value) -> bool {
    branches(schema, node).iter().any(|b| match b.get("type") {
        Some(Value::String(t)) => t == "array",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "array") && !ts.iter().any(|t| t == "object"),
        _ => false,
    })
}

/// Follows local `$ref`s (`#/$defs/…`).
fn resolve<'a>(schema: &'a Value, node: &'a Value) -> Option<&'a Value> {
    let mut current = node;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(r) => current = schema.pointer(r.strip_prefix('#')?)?,
            None => return Some(current),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_paths_against_a_schema() {
        let schema = serde_json::json!({
            "properties": {"facts": {"type": "object", "additionalProperties": false, "properties": {
                "host": {"$ref": "#/$defs/host"},
                "list": {"type": "array", "items": {"type": "object"}},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}}
            }}},
            "$defs": {"host": {"type": "object", "additionalProperties": false, "properties": {"name": {"type": "string"}}}}
        });
        let check = |p: &str| check_path(&schema, &FactPath::parse(p).unwrap_or_default());
        assert!(check("host.name").is_ok());
        assert!(check("counts.anything").is_ok());
        assert!(check("list[]").is_ok());
        assert!(check("list[0]").is_ok());
        assert!(check("host.nmae").unwrap_err().contains("`nmae`"));
        assert!(check("list.x").unwrap_err().contains("is a list"));
        assert!(check("host[]").unwrap_err().contains("not a list"));
        assert!(check("nope").is_err());
    }

    #[test]
    fn checks_paths_against_reference_data() {
        let data = FactTree::from_value(
            &serde_json::json!({"idfix": {"upn": {"allowed": "a-z"}}, "rows": [{"code": 1}, {"name": "x"}], "none": []}),
            "data",
        );
        let check = |p: &str| check_data_path(&data, &FactPath::parse(p).unwrap_or_default());
        assert!(check("idfix.upn.allowed").is_ok());
        assert!(check("rows[].name").is_ok());
        assert!(check("none[].anything").is_ok());
        assert!(check("idfix.upn.alowed").unwrap_err().contains("`alowed`"));
        assert!(check("rows[].nope").is_err());
        assert!(check("rows.code").unwrap_err().contains("is a list"));
    }
}
