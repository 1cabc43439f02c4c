//! Finds where a JSON pointer (`/facts/services/adsync/state`) points in a JSON text, so schema
//! errors name a line and column. A small scanner over the text: no second parse tree is built.

/// 1-based line and column of the value a JSON pointer designates, if the text is JSON and it exists.
/// For a missing member, the position of the enclosing value.
pub fn locate_pointer(text: &str, pointer: &str) -> Option<(u64, u64)> {
    let tokens: Vec<String> = pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    for token in &tokens {
        pos = match bytes.get(pos)? {
            b'{' => find_member(bytes, pos, token).unwrap_or(pos),
            b'[' => match token.parse::<usize>().ok().and_then(|i| find_element(bytes, pos, i)) {
                Some(p) => p,
                None => break,
            },
            _ => break,
        };
    }
    Some(line_col(text, pos))
}

fn line_col(text: &str, pos: usize) -> (u64, u64) {
    let before = text.get(..pos).unwrap_or(text);
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    (line, column)
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// End (exclusive) of the string starting at `pos` (which holds `"`), and its raw contents.
fn scan_string(b: &[u8], pos: usize) -> Option<(usize, &[u8])> {
    let mut i = pos + 1;
    while let Some(c) = b.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return Some((i + 1, b.get(pos + 1..i)?)),
            _ => i += 1,
        }
    }
    None
}

/// End (exclusive) of the value starting at `pos`.
fn skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => scan_string(b, pos).map(|(end, _)| end),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while let Some(c) = b.get(i) {
                match c {
                    b'"' => {
                        i = scan_string(b, i)?.0;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = pos;
            while !matches!(b.get(i), None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')) {
                i += 1;
            }
            Some(i)
        }
    }
}

fn find_member(b: &[u8], pos: usize, key: &str) -> Option<usize> {
    let mut i = skip_ws(b, pos + 1);
    loop {
        if b.get(i)? != &b'"' {
            return None;
        }
        let (end, raw) = scan_string(b, i)?;
        let key_pos = i;
        i = skip_ws(b, end);
        if b.get(i)? != &b':' {
            return None;
        }
        i = skip_ws(b, i + 1);
        if raw == key.as_bytes() {
            let _ = key_pos;
            return Some(i);
        }
        i = skip_ws(b, skip_value(b, i)?);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            _ => return None,
        }
    }
}

fn find_element(b: &[u8], pos: usize, index: usize) -> Option<usize> {
    let mut i = skip_ws(b, pos + 1);
    for _ in 0..index {
        i = skip_ws(b, skip_value(b, i)?);
        if b.get(i)? != &b',' {
            return None;
        }
        i = skip_ws(b, i + 1);
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_members_and_elements() {
        let text = "{\n  \"a\": {\"b\": [1, {\"c\": true}]},\n  \"d\": \"x\"\n}";
        assert_eq!(locate_pointer(text, "/d"), Some((3, 8)));
        assert_eq!(locate_pointer(text, "/a/b/1/c"), Some((2, 24)));
        assert_eq!(locate_pointer(text, "/a/zz"), Some((2, 8)));
    }
}

/// A YAML document with the location of every node, built only to place schema violations (the
/// snapshot itself is read without it). Keys keep document order.
pub struct YamlLocations {
    root: Option<serde_saphyr::Spanned<YamlNode>>,
}

/// One YAML node: a mapping, a sequence, or a scalar (whose value is not needed).
enum YamlNode {
    Map(Vec<(String, serde_saphyr::Spanned<YamlNode>)>),
    Seq(Vec<serde_saphyr::Spanned<YamlNode>>),
    Scalar,
}

impl<'de> serde::Deserialize<'de> for YamlNode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YamlNodeVisitor)
    }
}

struct YamlNodeVisitor;

impl<'de> serde::de::Visitor<'de> for YamlNodeVisitor {
    type Value = YamlNode;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<YamlNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(YamlKey(key)) = map.next_key()? {
            entries.push((key, map.next_value()?));
        }
        Ok(YamlNode::Map(entries))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<YamlNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(YamlNode::Seq(items))
    }

    fn visit_bool<E>(self, _: bool) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar)
    }
    fn visit_i64<E>(self, _: i64) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar)
    }
    fn visit_u64<E>(self, _: u64) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar)
    }
    fn visit_f64<E>(self, _: f64) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar)
    }
    fn visit_str<E>(self, _: &str) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar)
    }
    fn visit_unit<E>(self) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar)
    }
    fn visit_none<E>(self) -> Result<YamlNode, E> {
        Ok(YamlNode::Scalar)
    }
}

/// A mapping key as text (YAML allows numbers and booleans as keys; the snapshot's JSON view
/// spells them as strings).
struct YamlKey(String);

impl<'de> serde::Deserialize<'de> for YamlKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = YamlKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_owned()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<YamlKey, E> {
                Ok(YamlKey(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<YamlKey, E> {
                Ok(YamlKey("null".to_owned()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl YamlLocations {
    /// The locations of `text`'s nodes; a text that cannot be read again locates nothing.
    pub fn new(text: &str) -> Self {
        YamlLocations { root: serde_saphyr::from_str(text).ok() }
    }

    /// 1-based line and column of the node a JSON pointer designates; for a missing member or
    /// element, the position of the deepest enclosing node that exists.
    pub fn locate(&self, pointer: &str) -> Option<(u64, u64)> {
        let mut node = self.root.as_ref()?;
        for token in pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")) {
            let next = match &node.value {
                YamlNode::Map(entries) => entries.iter().find(|(k, _)| *k == token).map(|(_, v)| v),
                YamlNode::Seq(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                YamlNode::Scalar => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        let at = node.referenced;
        Some((at.line(), at.column()))
    }
}

#[cfg(test)]
mod yaml_tests {
    use super::YamlLocations;

    #[test]
    fn yaml_pointers_find_their_node() {
        let text =
            "schema_version: 1\nfacts:\n  services:\n    adsync:\n      state: 7\n  list:\n    - a\n    - b: 2\n";
        let at = YamlLocations::new(text);
        assert_eq!(at.locate("/facts/services/adsync/state"), Some((5, 14)));
        assert_eq!(at.locate("/facts/list/1/b"), Some((8, 10)));
        // A missing member: the deepest node that exists.
        assert_eq!(at.locate("/facts/services/adsync/start_mode").map(|p| p.0), Some(5));
        assert_eq!(YamlLocations::new("a: [1").locate("/a"), None);
    }
}
