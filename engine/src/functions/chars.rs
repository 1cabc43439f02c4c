//! Character-level text helpers. A *class* is the body of a regex character class, as written
//! between `[` and `]` (`"A-Za-z0-9.\\-"`, `"\\s<>"`, `"\\p{L}"`).
//!
//! | function | returns | example |
//! |---|---|---|
//! | `chars_in(s, class)` | the distinct characters of `s` inside `class`, in order of appearance (`""` if none) | `chars_in("ann smith&co", "\\s&") == " &"` |
//! | `chars_outside(s, class)` | the distinct characters of `s` outside `class` | `chars_outside("jörg@x.com", "a-z0-9@.") == "ö"` |
//! | `has_diacritics(s)` | whether `s` has a Latin letter with a diacritic (Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional letters, except ligatures and distinct letters such as `æ`, `ß`, `œ`, `þ`) or a combining mark | `has_diacritics("Jiménez")` |
//! | `chars_in: class` | has characters inside the class | those characters |
//! | `chars_outside: class` | has characters outside the class | those characters |

use std::sync::Arc;

use regex::Regex;
use rhai::{Engine, EvalAltResult, ImmutableString};

use super::text::regex;

type R<T> = Result<T, Box<EvalAltResult>>;

pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("chars_in", |s: ImmutableString, class: ImmutableString| -> R<String> {
        Ok(class_chars(&*class_regex(&class, false)?, &s))
    });
    engine.register_fn("chars_outside", |s: ImmutableString, class: ImmutableString| -> R<String> {
        Ok(class_chars(&*class_regex(&class, true)?, &s))
    });
    engine.register_fn("has_diacritics", |s: ImmutableString| s.chars().any(is_diacritic));
}

/// The compiled regex of a character class (`[class]`, or `[^class]` when `negate`).
pub(super) fn class_regex(class: &str, negate: bool) -> R<Arc<Regex>> {
    let pattern = if negate { format!("[^{class}]") } else { format!("[{class}]") };
    regex(&pattern)
}

/// The distinct characters of `s` that the class regex matches, in order of first appearance.
pub(super) fn class_chars(re: &Regex, s: &str) -> String {
    let mut out = String::new();
    for m in re.find_iter(s) {
        for c in m.as_str().chars() {
            if !out.contains(c) {
                out.push(c);
            }
        }
    }
    out
}

/// Whether `c` is a Latin letter with a diacritic, or a combining mark.
pub(super) fn is_diacritic(c: char) -> bool {
    // Ligatures and distinct letters of these blocks that carry no diacritic.
    const PLAIN: &[char] = &['Æ', 'æ', 'Ð', 'ð', 'Þ', 'þ', 'ß', 'Ĳ', 'ĳ', 'ĸ', 'Œ', 'œ', 'ſ'];
    let code = u32::from(c);
    let in_blocks =
        matches!(code, 0x00C0..=0x00D6 | 0x00D8..=0x00F6 | 0x00F8..=0x024F | 0x0300..=0x036F | 0x1E00..=0x1EFF);
    in_blocks && !PLAIN.contains(&c)
}

/// The distinct letters with diacritics of `s`.
pub(super) fn diacritic_chars(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().filter(|c| is_diacritic(*c)) {
        if !out.contains(c) {
            out.push(c);
        }
    }
    out
}
