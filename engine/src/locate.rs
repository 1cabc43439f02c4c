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
