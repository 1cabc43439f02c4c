//! The pseudonymiser's state (the key, the pseudonyms handed out) and its core: the walk over a
//! document, keyed pseudonyms that keep length and character classes, words and names.

use std::collections::{HashMap, HashSet};

use ring::hmac;
use serde_json::Value;

use super::vocabulary::{KEEP_WORDS, TEXT_TLDS};
use super::{Kind, kind_of};

/// The pseudonymiser: the key and what it has handed out so far.
pub(super) struct Redactor {
    pub(super) key: hmac::Key,
    /// Lower-case original word → lower-case pseudonym template.
    pub(super) words: HashMap<String, String>,
    /// Pseudonyms handed out (lower case), so no two originals share one.
    pub(super) used: HashSet<String>,
    /// Lower-case originals (identifier words, GUIDs, IPs, SID parts): no pseudonym may equal one.
    pub(super) originals: HashSet<String>,
    /// Words replaced wherever they appear in free text: domain labels, host, NetBIOS and account
    /// names.
    pub(super) text_words: HashSet<String>,
    /// Pass 1: record the originals instead of relying on them.
    pub(super) collecting: bool,
}

impl Redactor {
    pub(super) fn new(key: &[u8]) -> Self {
        Redactor {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
            words: HashMap::new(),
            used: HashSet::new(),
            originals: HashSet::new(),
            text_words: HashSet::new(),
            collecting: false,
        }
    }

    pub(super) fn document(&mut self, document: &Value) -> Value {
        let Value::Object(map) = document else { return document.clone() };
        let mut out = serde_json::Map::new();
        for (k, v) in map {
            let value = match k.as_str() {
                "facts" => self.value(v, "", "", None),
                "probes" => self.probes(v),
                _ => v.clone(),
            };
            out.insert(k.clone(), value);
        }
        Value::Object(out)
    }

    pub(super) fn probes(&mut self, probes: &Value) -> Value {
        let Value::Array(items) = probes else { return probes.clone() };
        Value::Array(
            items
                .iter()
                .map(|p| match p {
                    Value::Object(m) => Value::Object(
                        m.iter()
                            .map(|(k, v)| {
                                let v = match (k.as_str(), v) {
                                    ("error", Value::String(s)) => Value::String(self.text(s)),
                                    _ => v.clone(),
                                };
                                (k.clone(), v)
                            })
                            .collect(),
                    ),
                    other => other.clone(),
                })
                .collect(),
        )
    }

    pub(super) fn value(
        &mut self,
        value: &Value,
        key: &str,
        parent: &str,
        siblings: Option<&serde_json::Map<String, Value>>,
    ) -> Value {
        match value {
            Value::String(s) => Value::String(self.string(kind_of(key, parent, siblings), s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v, key, parent, siblings)).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.value(v, k, key, Some(map)))).collect())
            }
            other => other.clone(),
        }
    }

    pub(super) fn string(&mut self, kind: Kind, s: &str) -> String {
        match kind {
            Kind::Keep => s.to_owned(),
            Kind::Address => self.address(s),
            Kind::Name => self.name(s),
            Kind::Host => self.host(s),
            Kind::Dn => self.dn(s),
            Kind::Guid if is_guid(s) => self.guid(s),
            Kind::Anchor => self.anchor(s),
            Kind::Sid => self.sid(s),
            Kind::Ip => match self.ip(s) {
                Some(ip) => ip,
                None => self.host(s),
            },
            Kind::Account => self.account(s),
            Kind::Guid | Kind::Text => self.text(s),
        }
    }

    /// `n` pseudo-random bytes for `input` in `domain`, attempt `attempt`.
    pub(super) fn bytes(&self, domain: &str, input: &str, attempt: u32, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 32);
        let mut block = 0u32;
        while out.len() < n {
            let mut ctx = hmac::Context::with_key(&self.key);
            ctx.update(domain.as_bytes());
            ctx.update(&[0]);
            ctx.update(input.as_bytes());
            ctx.update(&attempt.to_le_bytes());
            ctx.update(&block.to_le_bytes());
            out.extend_from_slice(ctx.sign().as_ref());
            block += 1;
        }
        out.truncate(n);
        out
    }

    /// A unique pseudonym template (lower case) for `lower`, made by `make` from random bytes.
    pub(super) fn unique(&mut self, domain: &str, lower: &str, make: impl Fn(&[u8]) -> String) -> String {
        let cache_key = format!("{domain}\u{0}{lower}");
        if let Some(p) = self.words.get(&cache_key) {
            return p.clone();
        }
        if self.collecting {
            self.originals.insert(lower.to_owned());
        }
        let n = lower.chars().count().max(1);
        let mut attempt = 0u32;
        let pseudonym = loop {
            let candidate = make(&self.bytes(domain, lower, attempt, n));
            attempt += 1;
            let fresh = candidate != lower
                && !self.used.contains(&candidate)
                && !self.originals.contains(&candidate)
                && !KEEP_WORDS.contains(&candidate.as_str())
                && !TEXT_TLDS.contains(&candidate.as_str());
            // A value with nothing to change (e.g. only punctuation) maps to itself.
            if fresh || attempt > 64 || !lower.chars().any(|c| c.is_ascii_alphanumeric()) {
                break candidate;
            }
        };
        self.used.insert(pseudonym.clone());
        self.words.insert(cache_key, pseudonym.clone());
        pseudonym
    }

    /// One alphanumeric run: letters to letters, digits to digits, case re-applied.
    pub(super) fn word(&mut self, w: &str) -> String {
        let lower = w.to_ascii_lowercase();
        if KEEP_WORDS.contains(&lower.as_str()) || keep_number(&lower) {
            return w.to_owned();
        }
        let template = self.unique("word", &lower, |b| {
            lower
                .chars()
                .zip(b.iter().cycle())
                .map(|(c, &r)| {
                    if c.is_ascii_lowercase() {
                        char::from(b'a' + r % 26)
                    } else if c.is_ascii_digit() {
                        char::from(b'0' + r % 10)
                    } else {
                        c
                    }
                })
                .collect()
        });
        apply_case(w, &template)
    }

    /// Maps every alphanumeric run of `s` with [`Redactor::word`], keeping everything between.
    pub(super) fn words(&mut self, s: &str, remember: bool) -> String {
        let mut out = String::with_capacity(s.len());
        let mut run = String::new();
        for c in s.chars() {
            if c.is_ascii_alphanumeric() {
                run.push(c);
                continue;
            }
            if !run.is_empty() {
                out.push_str(&self.word_remembered(&run, remember));
                run.clear();
            }
            out.push(c);
        }
        if !run.is_empty() {
            out.push_str(&self.word_remembered(&run, remember));
        }
        out
    }

    pub(super) fn word_remembered(&mut self, w: &str, remember: bool) -> String {
        let lower = w.to_ascii_lowercase();
        if remember
            && self.collecting
            && lower.len() >= 3
            && !keep_number(&lower)
            && !KEEP_WORDS.contains(&lower.as_str())
        {
            self.text_words.insert(lower);
        }
        self.word(w)
    }

    pub(super) fn name(&mut self, s: &str) -> String {
        if s.contains('@') && !s.contains(' ') {
            return self.email(s);
        }
        if looks_like_host(s)
            && s.rsplit('.').next().is_some_and(|t| TEXT_TLDS.contains(&t.to_ascii_lowercase().as_str()))
        {
            return self.host(s);
        }
        self.words(s, false)
    }
}

/// Numbers up to 4 digits (years, counters, RIDs in names) are not identifiers.
pub(super) fn keep_number(lower: &str) -> bool {
    lower.len() <= 4 && lower.chars().all(|c| c.is_ascii_digit())
}

/// A first octet outside the private, loopback, link-local, multicast and reserved ranges.
pub(super) fn public_first_octet(r: u8) -> u8 {
    const PUBLIC: [u8; 8] = [20, 40, 52, 81, 85, 91, 145, 213];
    PUBLIC[usize::from(r % 8)]
}

/// The case pattern of `original` applied to the lower-case `template`, character by character.
pub(super) fn apply_case(original: &str, template: &str) -> String {
    original
        .chars()
        .zip(template.chars())
        .map(|(o, t)| if o.is_ascii_uppercase() { t.to_ascii_uppercase() } else { t })
        .collect()
}

pub(super) fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

pub(super) fn looks_like_host(s: &str) -> bool {
    s.contains('.')
        && !s.contains(' ')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '*' | '_'))
        && s.rsplit('.').next().is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Splits at `sep` not preceded by a backslash.
pub(super) fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in s.chars() {
        if c == sep && !escaped {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    parts
}

/// Standard base64, with or without padding.
pub(super) fn base64_encode(bytes: &[u8], pad: bool) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    if pad { STANDARD.encode(bytes) } else { STANDARD_NO_PAD.encode(bytes) }
}
