//! JSON values (evidence, affected objects) as aligned `key: value` fields for people, and the
//! text helpers the plain-text views share (wrapping, control-character clean-up).

use serde_json::Value;

/// A value as one line of text: strings without quotes, `null`, numbers and booleans as JSON, a
/// list of such values joined with `, ` (`[]` when empty). Control characters are shown escaped
/// (a snapshot must not be able to drive the terminal).
pub fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => clean(s),
        Value::Array(items) if items.is_empty() => "[]".into(),
        Value::Array(items) if items.iter().all(is_leaf) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        Value::Object(map) if map.is_empty() => "{}".into(),
        other => clean(&other.to_string()),
    }
}

fn is_leaf(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// Whether [`scalar`] shows the value on one line (anything but a non-empty object or a list
/// holding lists or objects).
pub fn fits_one_line(v: &Value) -> bool {
    match v {
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.iter().all(is_leaf),
        _ => true,
    }
}

/// Text with control characters (escape sequences, carriage returns…) shown escaped.
pub fn clean(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_owned();
    }
    text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// Key/value entries as aligned lines (`key: value`, keys padded to the longest of their level),
/// objects and lists of objects nested below their key, each line starting with `pad`.
pub fn lines(entries: &[(String, &Value)], pad: &str) -> Vec<String> {
    let width = entries.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    let mut out = Vec::new();
    for (key, value) in entries {
        let key = clean(key);
        if fits_one_line(value) {
            let gap = " ".repeat(width - key.chars().count());
            out.push(format!("{pad}{key}:{gap} {}", scalar(value)));
        } else {
            out.push(format!("{pad}{key}:"));
            out.extend(nested(value, &format!("{pad}  ")));
        }
    }
    out
}

/// A non-scalar value's lines: an object's fields, or a list's items numbered.
fn nested(value: &Value, pad: &str) -> Vec<String> {
    match value {
        Value::Object(map) => lines(&map.iter().map(|(k, v)| (k.clone(), v)).collect::<Vec<_>>(), pad),
        Value::Array(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                out.extend(item_lines(item, i + 1, pad));
            }
            out
        }
        other => vec![format!("{pad}{}", scalar(other))],
    }
}

/// One list item as lines: `N. ` then the item (an object's fields aligned under each other).
pub fn item_lines(item: &Value, number: usize, pad: &str) -> Vec<String> {
    let marker = format!("{number}. ");
    let inner = match item {
        Value::Object(map) if !map.is_empty() => {
            lines(&map.iter().map(|(k, v)| (k.clone(), v)).collect::<Vec<_>>(), "")
        }
        other if fits_one_line(other) => vec![scalar(other)],
        other => nested(other, ""),
    };
    let indent = " ".repeat(marker.len());
    inner
        .into_iter()
        .enumerate()
        .map(|(i, line)| if i == 0 { format!("{pad}{marker}{line}") } else { format!("{pad}{indent}{line}") })
        .collect()
}

/// Wraps `text` at `width` columns: the first line starts with `first`, the others with `rest`.
/// Words longer than a line are kept whole. Existing line breaks are kept.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> String {
    let mut out = String::new();
    let mut prefix = first;
    for paragraph in text.trim().lines() {
        let mut line = String::from(prefix);
        let mut len = prefix.chars().count();
        let mut empty = true;
        for word in paragraph.split_whitespace() {
            let w = word.chars().count();
            if !empty && len + 1 + w > width {
                out.push_str(line.trim_end());
                out.push('\n');
                line = String::from(rest);
                len = rest.chars().count();
                empty = true;
            }
            if !empty {
                line.push(' ');
                len += 1;
            }
            line.push_str(word);
            len += w;
            empty = false;
        }
        out.push_str(line.trim_end());
        out.push('\n');
        prefix = rest;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_become_aligned_fields() {
        let v = json!({"dn": "CN=A", "attribute": "mail", "n": 3, "tags": ["a", "b"], "empty": []});
        let entries: Vec<(String, &Value)> = v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v)).collect();
        assert_eq!(
            lines(&entries, "  "),
            vec!["  dn:        CN=A", "  attribute: mail", "  n:         3", "  tags:      a, b", "  empty:     []"]
        );
        let item = item_lines(&v, 12, "");
        assert_eq!(item[0], "12. dn:        CN=A");
        assert_eq!(item[1], "    attribute: mail");
    }

    #[test]
    fn nested_objects_and_control_characters() {
        let v = json!({"counts": {"A": 26, "Bee": 2}, "x": "a\u{1b}[31mred"});
        let entries: Vec<(String, &Value)> = v.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v)).collect();
        assert_eq!(lines(&entries, ""), vec!["counts:", "  A:   26", "  Bee: 2", "x:      a\\u{1b}[31mred"]);
    }

    #[test]
    fn wrapping_keeps_prefixes_and_long_words() {
        let text = wrap("one two three four five", "- ", "  ", 11);
        assert_eq!(text, "- one two\n  three\n  four five\n");
        assert_eq!(wrap("averyveryverylongword x", "", "", 5), "averyveryverylongword\nx\n");
    }
}
