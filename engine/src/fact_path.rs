//! [`FactPath`]: the one parser of `a.b[3].c` paths, used to look facts up, by rule tests' `set` and
//! `remove`, by `evidence`, by `has("…")`, and by the condition analysis (where `a.b[].c` means
//! "field `c` of every element of list `a.b`").

use std::fmt;

/// One step of a [`FactPath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// An object's field.
    Key(String),
    /// One element of a list (`[3]`).
    Index(usize),
    /// Any element of a list (`[]`): what a loop or a closure over the list reads.
    Each,
}

/// A path to a fact relative to a tree's root, e.g. `ad.users[3].upn` or `ad.users[].upn`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FactPath {
    segments: Vec<Segment>,
}

impl FactPath {
    /// The root itself (no segment).
    pub fn root() -> Self {
        FactPath::default()
    }

    /// Parses `a.b[3].c` (and `a.b[].c`). An empty key, an unclosed bracket or an index that is not
    /// a number is an error.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut segments = Vec::new();
        if text.is_empty() {
            return Ok(FactPath { segments });
        }
        for part in text.split('.') {
            let (key, mut rest) = part.find('[').map_or((part, ""), |i| part.split_at(i));
            if key.is_empty() && rest.is_empty() {
                return Err(format!("`{text}`: empty name between dots"));
            }
            if !key.is_empty() {
                segments.push(Segment::Key(key.to_owned()));
            }
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(|| format!("`{text}`: `[` without `]`"))?;
                let inside = rest.get(1..close).unwrap_or("").trim();
                if inside.is_empty() {
                    segments.push(Segment::Each);
                } else {
                    let index = inside.parse().map_err(|_| format!("`{text}`: `[{inside}]` is not an index"))?;
                    segments.push(Segment::Index(index));
                }
                rest = rest.get(close + 1..).unwrap_or("");
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(format!("`{text}`: unexpected `{rest}` after `]`"));
                }
            }
        }
        Ok(FactPath { segments })
    }

    /// The steps, from the root.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// This path followed by a field.
    pub fn child(&self, key: &str) -> Self {
        let mut segments = self.segments.clone();
        segments.push(Segment::Key(key.to_owned()));
        FactPath { segments }
    }

    /// This path followed by "any element" (`[]`).
    pub fn each(&self) -> Self {
        let mut segments = self.segments.clone();
        segments.push(Segment::Each);
        FactPath { segments }
    }

    /// Whether `self` is `other` or one of its ancestors.
    pub fn is_prefix_of(&self, other: &FactPath) -> bool {
        other.segments.starts_with(&self.segments)
    }
}

impl fmt::Display for FactPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
                Segment::Each => f.write_str("[]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        for text in ["a", "a.b.c", "ad.users[3].upn", "ad.users[].upn", "m[0][1]", "[2].x", ""] {
            assert_eq!(FactPath::parse(text).map(|p| p.to_string()), Ok(text.to_owned()), "{text}");
        }
        assert_eq!(
            FactPath::parse("a.b[2]").map(|p| p.segments().to_vec()),
            Ok(vec![Segment::Key("a".into()), Segment::Key("b".into()), Segment::Index(2)])
        );
    }

    #[test]
    fn refuses_malformed_paths() {
        for text in ["a..b", "a.b[x]", "a.b[1", "a.b[1]c", "a."] {
            assert!(FactPath::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn knows_its_ancestors() {
        let users = FactPath::parse("ad.users").unwrap_or_default();
        assert!(users.is_prefix_of(&users.each().child("upn")));
        assert!(!users.each().is_prefix_of(&users));
    }
}
