//! The layout keeps its shape (issue 10): no import cycle between the top-level modules of any
//! crate. An edge is a `crate::module` path in a module's code (comments and `#[cfg(test)]`
//! modules left out: a test may reach across), and the modules of a cycle are reported together.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The source without comment lines and without `#[cfg(test)] mod … { … }` blocks.
fn code_only(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed == "#[cfg(test)]" {
            let Some(next) = lines.next() else { break };
            let next = next.trim();
            if next.starts_with("mod ") && next.ends_with('{') {
                let mut depth = 1i32;
                for inner in lines.by_ref() {
                    depth += inner.matches('{').count() as i32 - inner.matches('}').count() as i32;
                    if depth <= 0 {
                        break;
                    }
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The top-level modules `crate::…` paths in `text` name.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let name: String =
            rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit()).collect();
        let boundary = text[..at].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if boundary && !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// Each top-level module of the crate at `src` and the modules it uses.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    fn walk(dir: &Path, src: &Path, graph: &mut BTreeMap<String, BTreeSet<String>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read_dir").flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, src, graph);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let relative = path.strip_prefix(src).expect("inside src");
            let first = relative.components().next().expect("a component").as_os_str().to_string_lossy();
            let top = first.trim_end_matches(".rs").to_owned();
            let top = if top == "lib" || top == "main" { "(root)".to_owned() } else { top };
            let text = std::fs::read_to_string(&path).expect("read");
            let uses = crate_paths(&code_only(&text));
            let entry = graph.entry(top.clone()).or_default();
            entry.extend(uses.into_iter().filter(|m| *m != top));
        }
    }
    let mut graph = BTreeMap::new();
    walk(src, src, &mut graph);
    graph
}

/// The strongly connected components of more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(v: &'a str, s: &mut State<'a>) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flatten().filter(|w| graph.contains_key(*w)) {
            if !s.index.contains_key(w.as_str()) {
                visit(w, s);
                let low = s.low[w.as_str()].min(s.low[v]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w.as_str()) {
                let low = s.index[w.as_str()].min(s.low[v]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(v, &mut state);
        }
    }
    state.found
}

#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    let root = common::root();
    let mut found = Vec::new();
    for krate in [".", "engine", "facts", "probes", "bundled", "capi", "python"] {
        let src = root.join(krate).join("src");
        let graph = module_graph(&src);
        assert!(graph.len() > 1 || krate != "engine", "{krate}: no modules found in {}", src.display());
        for cycle in cycles(&graph) {
            found.push(format!("{krate}: {}", cycle.join(" <-> ")));
        }
    }
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_ignores_test_modules() {
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
            .collect();
    assert_eq!(cycles(&graph), [vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]);
    let text =
        "use crate::kb::X;\n// crate::eval in a comment\n#[cfg(test)]\nmod tests {\n    use crate::sandbox;\n}\n";
    assert_eq!(crate_paths(&code_only(text)), BTreeSet::from(["kb".to_owned()]));
}
