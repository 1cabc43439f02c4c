//! Static checks of the fact paths a condition reads (`facts.a.b.c`, `has("a.b")`) against the
//! snapshot schema, so a typo is caught by `rules lint` instead of making the rule forever
//! `inconclusive`.

use serde_json::Value;

/// A fact path found in a condition, with its byte offset in the condition text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathUse {
    /// Dotted path relative to `facts` (e.g. `services.adsync.state`).
    pub path: String,
    /// Byte offset of the path in the condition.
    pub offset: usize,
}

/// Every `facts.…` property chain and `has("…")` argument in a condition. Method calls
/// (`.len()`) and indexing end a chain; comments are skipped.
pub fn fact_paths(script: &str) -> Vec<PathUse> {
    let code = blank_comments(script);
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes.get(i).copied().unwrap_or(b' ');
        if c == b'"' {
            let end = string_end(bytes, i);
            let after_has = code.get(..i).is_some_and(|before| before.trim_end().ends_with("has("));
            if after_has && let Some(arg) = code.get(i + 1..end.saturating_sub(1)) {
                let path = arg.strip_prefix("facts.").unwrap_or(arg).split('[').next().unwrap_or("").to_string();
                out.push(PathUse { path, offset: i + 1 });
            }
            i = end;
            continue;
        }
        let starts_word =
            i == 0 || !is_ident(bytes.get(i - 1).copied().unwrap_or(b' ')) && bytes.get(i - 1) != Some(&b'.');
        if starts_word && code.get(i..).is_some_and(|rest| rest.starts_with("facts.")) {
            let (path, end) = chain(bytes, i + "facts.".len());
            if !path.is_empty() {
                out.push(PathUse { path, offset: i });
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Reads `seg.seg.seg` from `start`; stops before a segment followed by `(` (a method call).
fn chain(bytes: &[u8], start: usize) -> (String, usize) {
    let mut segments: Vec<String> = Vec::new();
    let mut i = start;
    loop {
        let s = i;
        while bytes.get(i).copied().is_some_and(is_ident) {
            i += 1;
        }
        if s == i {
            break;
        }
        if bytes.get(i) == Some(&b'(') {
            break;
        }
        segments.push(String::from_utf8_lossy(bytes.get(s..i).unwrap_or_default()).into_owned());
        if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).copied().is_some_and(is_ident) {
            i += 1;
        } else {
            break;
        }
    }
    (segments.join("."), i)
}

fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(c) = bytes.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Replaces `//` and `/* */` comments with spaces (keeping offsets).
fn blank_comments(script: &str) -> String {
    let mut out = String::with_capacity(script.len());
    let mut chars = script.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                    out.push(' ');
                }
                out.push(' ');
            }
            ('/', Some('*')) => {
                out.push(' ');
                let mut prev = ' ';
                for n in chars.by_ref() {
                    out.push(if n == '\n' { '\n' } else { ' ' });
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Checks a dotted path against a JSON Schema of the snapshot (rooted at the snapshot object; the
/// path is looked up under `properties.facts`). `Err` names the first segment that does not exist.
pub fn check_path(schema: &Value, path: &str) -> Result<(), String> {
    let root = schema.get("properties").and_then(|p| p.get("facts")).ok_or("the schema has no `facts`")?;
    let mut node = resolve(schema, root);
    let mut walked = String::from("facts");
    for segment in path.split('.') {
        let Some(current) = node else { return Ok(()) };
        if is_array(schema, current) {
            return Err(format!(
                "`{walked}` is a list: use a method (`.len()`, `.any(...)`, `[0]`) before `.{segment}`"
            ));
        }
        let next = lookup_property(schema, current, segment);
        match next {
            Lookup::Found(n) => node = resolve(schema, n),
            Lookup::Open => node = None,
            Lookup::Missing => return Err(format!("`{walked}` has no fact `{segment}`")),
        }
        walked.push('.');
        walked.push_str(segment);
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
    fn finds_chains_and_has_arguments() {
        let found: Vec<String> = fact_paths("let a = facts.ad.accounts.sync_service; // facts.no.comment\n a.exists && facts.connect.runs.len() > 0 && has(\"host.name\")")
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(found, ["ad.accounts.sync_service", "connect.runs", "host.name"]);
    }

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
        assert!(check_path(&schema, "host.name").is_ok());
        assert!(check_path(&schema, "counts.anything").is_ok());
        assert!(check_path(&schema, "host.nmae").unwrap_err().contains("`nmae`"));
        assert!(check_path(&schema, "list.x").unwrap_err().contains("is a list"));
        assert!(check_path(&schema, "nope").is_err());
    }
}
