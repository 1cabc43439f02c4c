//! Finding mutation sites in a compiled condition and splicing the condition's text there.
//!
//! Sites come from Rhai's AST (`AST::walk`, closure bodies included), never from a text pattern:
//! each comparison operator, `!`, `&&`/`||` operand and constant is located by the position Rhai
//! recorded for it. The text is then changed at that position only. Where the AST has no end
//! position (an operand of `&&`/`||`), the operand's extent is found by a small scanner that skips
//! strings and comments and balances brackets, and is checked against the positions of every
//! node of the operand's subtree. A splice that is still wrong does not compile and is reported
//! as an invalid mutant, never counted.

use rhai::{AST, ASTNode, Expr, Position};

/// One textual change of a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Splice {
    /// The kind of mutation (`comparison`, `negate`, `drop-operand`, `number`, `string`, `bool`).
    pub kind: &'static str,
    /// Byte range of the condition text that is replaced.
    pub start: usize,
    /// End of the range (exclusive).
    pub end: usize,
    /// The text put in its place.
    pub replacement: String,
}

impl Splice {
    /// The condition text with this change applied.
    pub fn apply(&self, src: &str) -> String {
        let mut out = String::with_capacity(src.len() + self.replacement.len());
        out.push_str(src.get(..self.start).unwrap_or(""));
        out.push_str(&self.replacement);
        out.push_str(src.get(self.end..).unwrap_or(""));
        out
    }
}

/// Every mutation of a condition, in source order, without duplicates (two sites giving the same
/// text count once) and without changes that leave the text as it was.
pub(crate) fn splices(ast: &AST, src: &str) -> Vec<Splice> {
    let lines = LineIndex::new(src);
    let mut out = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(expr)) = path.last() {
            visit(expr, src, &lines, &mut out);
        }
        true
    });
    out.sort_by(|a, b| (a.start, a.end, a.kind).cmp(&(b.start, b.end, b.kind)));
    let mut seen = std::collections::HashSet::new();
    out.retain(|s| {
        let text = s.apply(src);
        text != src && seen.insert(text)
    });
    out
}

fn visit(expr: &Expr, src: &str, lines: &LineIndex, out: &mut Vec<Splice>) {
    match expr {
        Expr::FnCall(call, pos) => {
            let Some(at) = lines.offset(*pos) else { return };
            let name = call.name.as_str();
            if call.args.len() == 2 {
                let flipped = match name {
                    ">" => ">=",
                    ">=" => ">",
                    "<" => "<=",
                    "<=" => "<",
                    "==" => "!=",
                    "!=" => "==",
                    _ => return,
                };
                if token_at(src, at, name) {
                    out.push(Splice {
                        kind: "comparison",
                        start: at,
                        end: at + name.len(),
                        replacement: flipped.into(),
                    });
                }
            } else if call.args.len() == 1 && name == "!" && src.as_bytes().get(at) == Some(&b'!') {
                out.push(Splice { kind: "negate", start: at, end: at + 1, replacement: String::new() });
            }
        }
        Expr::And(operands, _) | Expr::Or(operands, _) => {
            let is_and = matches!(expr, Expr::And(..));
            let extents: Option<Vec<(usize, usize)>> =
                operands.iter().map(|e| operand_extent(e, src, lines, is_and)).collect();
            let Some(extents) = extents else { return };
            if extents.windows(2).any(|w| matches!(w, [a, b] if a.1 > b.0)) {
                return;
            }
            let n = extents.len();
            for (i, &(s, e)) in extents.iter().enumerate() {
                let text = src.get(s..e).unwrap_or("");
                out.push(Splice { kind: "negate", start: s, end: e, replacement: format!("!({text})") });
                // Drop the operand with the operator that joins it to its neighbour.
                let (start, end) = if i + 1 < n {
                    (s, extents.get(i + 1).map_or(e, |x| x.0))
                } else if i > 0 {
                    (extents.get(i - 1).map_or(s, |x| x.1), e)
                } else {
                    continue;
                };
                out.push(Splice { kind: "drop-operand", start, end, replacement: String::new() });
            }
        }
        Expr::IntegerConstant(_, pos) | Expr::FloatConstant(_, pos) => {
            let Some(at) = lines.offset(*pos) else { return };
            numbers(src, at, out);
        }
        Expr::StringConstant(_, pos) => {
            let Some(at) = lines.offset(*pos) else { return };
            strings(src, at, out);
        }
        Expr::BoolConstant(value, pos) => {
            let Some(at) = lines.offset(*pos) else { return };
            let word = if *value { "true" } else { "false" };
            if token_at(src, at, word) {
                let replacement = if *value { "false" } else { "true" };
                out.push(Splice { kind: "bool", start: at, end: at + word.len(), replacement: replacement.into() });
            }
        }
        _ => {}
    }
}

/// Whether `token` is at `at` and is not the start of a longer operator or word.
fn token_at(src: &str, at: usize, token: &str) -> bool {
    let Some(rest) = src.get(at..) else { return false };
    if !rest.starts_with(token) {
        return false;
    }
    let next = rest.as_bytes().get(token.len()).copied();
    match token.as_bytes().last() {
        Some(b'>' | b'<' | b'=') => next != Some(b'='),
        Some(c) if c.is_ascii_alphanumeric() => !next.is_some_and(|n| n.is_ascii_alphanumeric() || n == b'_'),
        _ => true,
    }
}

/// The byte range of one operand of `&&`/`||`, its own parentheses included.
fn operand_extent(expr: &Expr, src: &str, lines: &LineIndex, is_and: bool) -> Option<(usize, usize)> {
    let (min, max) = subtree_span(expr, lines)?;
    let bytes = src.as_bytes();
    let mut s = min;
    let mut e = scan_end(src, s, is_and);
    loop {
        let before = prev_non_blank(bytes, s);
        let wrapped = before.is_some_and(|p| byte(bytes, p) == b'(') && next_non_blank(bytes, e) == Some(b')');
        if e > max && !wrapped {
            return (e > s).then_some((s, e));
        }
        let p = before.filter(|p| byte(bytes, *p) == b'(')?;
        s = p;
        e = scan_end(src, s, is_and);
    }
}

/// The first and last positions (byte offsets) of the nodes of an expression's subtree.
fn subtree_span(expr: &Expr, lines: &LineIndex) -> Option<(usize, usize)> {
    let mut span: Option<(usize, usize)> = None;
    expr.walk(&mut Vec::new(), &mut |path: &[ASTNode]| {
        if let Some(at) = path.last().and_then(|n| lines.offset(n.position())) {
            span = Some(span.map_or((at, at), |(lo, hi)| (lo.min(at), hi.max(at))));
        }
        true
    });
    span
}

fn prev_non_blank(bytes: &[u8], before: usize) -> Option<usize> {
    (0..before).rev().find(|&i| !byte(bytes, i).is_ascii_whitespace())
}

fn next_non_blank(bytes: &[u8], from: usize) -> Option<u8> {
    bytes.get(from..)?.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// The end (exclusive, trailing blanks and comments left out) of the operand that starts at
/// `start`: where, outside strings, comments and brackets, a `||` (or `&&` inside an `&&` list),
/// a `;`, a `,`, a block's `{` or a closing bracket the operand did not open comes.
pub(crate) fn scan_end(src: &str, start: usize, stop_at_and: bool) -> usize {
    let b = src.as_bytes();
    let mut i = start;
    let mut depth = 0usize;
    let mut last = start;
    while i < b.len() {
        let c = byte(b, i);
        let next = b.get(i + 1).copied();
        match c {
            b'"' | b'`' | b'\'' => {
                i = skip_quoted(b, i);
                last = i;
                continue;
            }
            b'/' if next == Some(b'/') => {
                while i < b.len() && byte(b, i) != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if next == Some(b'*') => {
                i += 2;
                while i < b.len() && !(byte(b, i - 1) == b'*' && byte(b, i) == b'/') {
                    i += 1;
                }
                i += 1;
                continue;
            }
            b'(' | b'[' => depth += 1,
            b'{' if depth == 0 && !(i > 0 && byte(b, i - 1) == b'#') => break,
            b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => break,
            b')' | b']' | b'}' => depth -= 1,
            b';' | b',' if depth == 0 => break,
            b'|' if depth == 0 && next == Some(b'|') => break,
            b'&' if depth == 0 && stop_at_and && next == Some(b'&') => break,
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            last = i + 1;
        }
        i += 1;
    }
    last
}

/// The index just after the string or character literal that opens at `open`.
fn skip_quoted(b: &[u8], open: usize) -> usize {
    let quote = byte(b, open);
    let mut i = open + 1;
    while i < b.len() {
        match byte(b, i) {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// A numeric literal at `at`: shifted by one each way, and to zero when that is another value.
fn numbers(src: &str, at: usize, out: &mut Vec<Splice>) {
    let b = src.as_bytes();
    let mut i = at;
    if b.get(i) == Some(&b'-') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
    }
    let digits = i;
    while let Some(&c) = b.get(i) {
        let decimal_point = c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        let exponent_sign = (c == b'+' || c == b'-') && matches!(b.get(i.wrapping_sub(1)), Some(b'e' | b'E'));
        if c.is_ascii_alphanumeric() || c == b'_' || decimal_point || exponent_sign {
            i += 1;
        } else {
            break;
        }
    }
    if i == digits {
        return;
    }
    let text: String = src.get(at..i).unwrap_or("").chars().filter(|c| *c != '_' && !c.is_whitespace()).collect();
    let render = |v: String| if v.starts_with('-') { format!("({v})") } else { v };
    let values: Vec<String> = if let Ok(n) = text.parse::<i64>() {
        let mut v = vec![n.checked_sub(1), n.checked_add(1)];
        if n.abs() > 1 {
            v.push(Some(0));
        }
        v.into_iter().flatten().map(|x| render(x.to_string())).collect()
    } else if let Ok(f) = text.parse::<f64>() {
        let mut v = vec![f - 1.0, f + 1.0];
        if f != 0.0 && f.abs() != 1.0 {
            v.push(0.0);
        }
        v.into_iter().map(|x| render(format!("{x:?}"))).collect()
    } else {
        return;
    };
    for replacement in values {
        out.push(Splice { kind: "number", start: at, end: i, replacement });
    }
}

/// A string literal at `at`: emptied (or filled when empty), and each run of digits in it shifted
/// by one each way (version and duration thresholds live in strings: `"1.1.443.0"`, `"PT24H"`).
fn strings(src: &str, at: usize, out: &mut Vec<Splice>) {
    let b = src.as_bytes();
    let Some(&quote) = b.get(at).filter(|q| **q == b'"' || **q == b'`') else { return };
    let end = skip_quoted(b, at);
    if end > b.len() || end < at + 2 || byte(b, end - 1) != quote {
        return;
    }
    let content = src.get(at + 1..end - 1).unwrap_or_default();
    let q = quote as char;
    let emptied = if content.is_empty() { format!("{q}mutant{q}") } else { format!("{q}{q}") };
    out.push(Splice { kind: "string", start: at, end, replacement: emptied });
    let cb = content.as_bytes();
    let mut i = 0;
    while i < cb.len() {
        if !byte(cb, i).is_ascii_digit() {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < cb.len() && byte(cb, i).is_ascii_digit() {
            i += 1;
        }
        let run = content.get(run_start..i).unwrap_or_default();
        let Ok(n) = run.parse::<u64>() else { continue };
        let width = if run.starts_with('0') { run.len() } else { 0 };
        for shifted in [n.checked_sub(1), n.checked_add(1)].into_iter().flatten() {
            let new = format!(
                "{q}{}{shifted:0width$}{}{q}",
                content.get(..run_start).unwrap_or_default(),
                content.get(i..).unwrap_or_default()
            );
            out.push(Splice { kind: "string", start: at, end, replacement: new });
        }
    }
}

/// Converts Rhai positions (1-based line, 1-based column in characters) to byte offsets.
pub(crate) struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { src, starts }
    }

    pub(crate) fn offset(&self, pos: Position) -> Option<usize> {
        let line = pos.line()?;
        let column = pos.position()?;
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let text = self.src.get(start..)?;
        let offset = text.char_indices().nth(column.checked_sub(1)?).map(|(i, _)| i)?;
        Some(start + offset)
    }

    /// The Rhai position of a byte offset.
    pub(crate) fn position(&self, offset: usize) -> Position {
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self.src.get(start..offset).map_or(0, |t| t.chars().count()) + 1;
        Position::new(u16::try_from(line).unwrap_or(u16::MAX), u16::try_from(column).unwrap_or(u16::MAX))
    }
}

/// The byte at `i`, or 0 past the end (no byte of a condition's text is 0).
fn byte(bytes: &[u8], i: usize) -> u8 {
    bytes.get(i).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mutants(src: &str) -> Vec<(String, String)> {
        let engine = crate::sandbox::build_engine(&crate::sandbox::Limits::default(), &[]);
        let ast = engine.compile(src).unwrap();
        splices(&ast, src).into_iter().map(|s| (s.kind.to_owned(), s.apply(src))).collect()
    }

    fn texts(src: &str, kind: &str) -> Vec<String> {
        mutants(src).into_iter().filter(|(k, _)| k == kind).map(|(_, t)| t).collect()
    }

    #[test]
    fn comparisons_are_flipped_at_their_operator() {
        assert_eq!(
            texts("let x = 3; x >= 2 && x != 5", "comparison"),
            ["let x = 3; x > 2 && x != 5", "let x = 3; x >= 2 && x == 5"]
        );
    }

    #[test]
    fn operands_are_dropped_and_negated_with_their_parentheses() {
        let src = "let a = true; let b = false; let c = true;\n(a || b) && (c) && !a";
        assert_eq!(
            texts(src, "drop-operand"),
            [
                "let a = true; let b = false; let c = true;\n(c) && !a",
                "let a = true; let b = false; let c = true;\n(b) && (c) && !a",
                "let a = true; let b = false; let c = true;\n(a) && (c) && !a",
                "let a = true; let b = false; let c = true;\n(a || b) && !a",
                "let a = true; let b = false; let c = true;\n(a || b) && (c)",
            ]
        );
        let negated = texts(src, "negate");
        assert!(negated.contains(&"let a = true; let b = false; let c = true;\n!((a || b)) && (c) && !a".to_owned()));
        assert!(negated.contains(&"let a = true; let b = false; let c = true;\n(a || b) && (c) && a".to_owned()));
        assert!(negated.contains(&"let a = true; let b = false; let c = true;\n(a || !(b)) && (c) && !a".to_owned()));
    }

    #[test]
    fn operands_end_at_blocks_strings_and_comments() {
        let src = "let a = \"x && y\"; if a == \"q\" && a.len() > 1 /* c */ { true } else { false }";
        let dropped = texts(src, "drop-operand");
        assert!(
            dropped.contains(&"let a = \"x && y\"; if a == \"q\" /* c */ { true } else { false }".to_owned()),
            "{dropped:?}"
        );
        assert!(
            dropped.contains(&"let a = \"x && y\"; if a.len() > 1 /* c */ { true } else { false }".to_owned()),
            "{dropped:?}"
        );
    }

    #[test]
    fn closures_are_mutated_too() {
        let src = "[1, 2].filter(|x| x > 1 && x < 5).len() == 1";
        let dropped = texts(src, "drop-operand");
        assert_eq!(dropped, ["[1, 2].filter(|x| x < 5).len() == 1", "[1, 2].filter(|x| x > 1).len() == 1"]);
    }

    #[test]
    fn constants_are_shifted_and_changed() {
        assert_eq!(texts("let x = 24; x", "number"), ["let x = 23; x", "let x = 25; x", "let x = 0; x"]);
        assert_eq!(texts("let x = 1.5; x", "number"), ["let x = 0.5; x", "let x = 2.5; x", "let x = 0.0; x"]);
        assert_eq!(texts("let x = -1; x", "number"), ["let x = (-2); x", "let x = 0; x"]);
        assert_eq!(
            texts("let v = \"PT24H\"; v", "string"),
            ["let v = \"\"; v", "let v = \"PT23H\"; v", "let v = \"PT25H\"; v"]
        );
        assert_eq!(
            texts("let v = \"v09\"; v", "string"),
            ["let v = \"\"; v", "let v = \"v08\"; v", "let v = \"v10\"; v"]
        );
        assert_eq!(texts("let b = true; b", "bool"), ["let b = false; b"]);
    }

    #[test]
    fn positions_map_both_ways() {
        let src = "a\nbé c";
        let index = LineIndex::new(src);
        assert_eq!(index.offset(Position::new(2, 3)), Some(5));
        assert_eq!(index.position(5), Position::new(2, 3));
    }
}
