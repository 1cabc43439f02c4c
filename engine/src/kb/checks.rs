//! The checks of a knowledge base as a whole, run while it loads: references between rules and to
//! the catalog, fact paths against the snapshot schema, cycles of `explains`, the engine version
//! and the sandbox's limits.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

use super::{CompiledRule, ENGINE_VERSION, KbSource, KnowledgeBase, compile, paths};
use crate::condition::Root;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::fact_path::FactPath;
use crate::functions::version;
use crate::manifest::Manifest;

impl KnowledgeBase {
    /// Checks that ids are unique, `covers` exist in the catalog, `explains` targets exist and
    /// form no cycle, and fact paths exist in the snapshot schema.
    pub(super) fn check_references(&self, problems: &mut Vec<Diagnostic>, failed: &BTreeSet<String>) {
        let slugs: BTreeSet<&str> = self.catalog.entries.iter().map(|e| e.slug.as_str()).collect();
        let mut seen: HashMap<&str, &Path> = HashMap::new();
        for r in &self.rules {
            let file = self.source.origin.join(&r.path);
            if let Some(first) = seen.insert(r.id(), &r.path) {
                problems.push(Diagnostic::spanned(
                    &file,
                    &r.rule.id,
                    format!("duplicate id `{}` (also in {})", r.id(), first.display()),
                ));
            }
            for slug in &r.rule.covers {
                if !slugs.contains(slug.value.as_str()) {
                    problems.push(Diagnostic::spanned(
                        &file,
                        slug,
                        format!("`covers`: `{}` is not a catalog slug (catalog.yaml)", slug.value),
                    ));
                }
            }
            for target in &r.rule.explains {
                if !failed.contains(&target.value) && !self.rules.iter().any(|o| o.id() == target.value) {
                    problems.push(Diagnostic::spanned(
                        &file,
                        target,
                        format!("`explains`: no rule has id `{}`", target.value),
                    ));
                }
            }
            if let Some(replacement) = &r.rule.replaced_by
                && !failed.contains(replacement)
                && !self.rules.iter().any(|o| o.id() == replacement)
            {
                problems.push(Diagnostic::spanned(
                    &file,
                    &r.rule.id,
                    format!("`replaced_by`: no rule has id `{replacement}`"),
                ));
            }
            if let Some(schema) = &self.schema_json {
                self.check_fact_paths(schema, r, &file, problems);
            }
        }
        self.check_cycles(problems);
    }

    pub(super) fn check_fact_paths(
        &self,
        schema: &Value,
        r: &CompiledRule,
        file: &Path,
        problems: &mut Vec<Diagnostic>,
    ) {
        let text = self.source.get(&r.path.to_string_lossy()).map_or("", |f| f.text.as_str());
        for (field, condition, located) in r.conditions() {
            // Only the first unknown step of a path is reported, once.
            let mut failed: Vec<(Root, FactPath)> = Vec::new();
            for read in condition.reads() {
                if read.path.is_root()
                    || failed.iter().any(|(root, p)| *root == read.root && p.is_prefix_of(&read.path))
                {
                    continue;
                }
                let checked = match read.root {
                    Root::Facts => paths::check_path(schema, &read.path),
                    Root::Data => paths::check_data_path(&self.data, &read.path),
                };
                if let Err(why) = checked {
                    failed.push((read.root, read.path.clone()));
                    let pos = rhai::Position::new(read.line as u16, read.column as u16);
                    let (line, column) = compile::position_in_file(text, located, pos);
                    problems.push(Diagnostic::at(
                        file,
                        line,
                        column,
                        format!(
                            "`{field}` reads unknown {} `{}.{}`: {why}",
                            if read.root == Root::Facts { "fact" } else { "data" },
                            read.root.as_str(),
                            read.path
                        ),
                    ));
                }
            }
        }
        for path in &r.rule.evidence {
            let checked = FactPath::parse(&path.value).and_then(|p| paths::check_path(schema, &p));
            if let Err(why) = checked {
                problems.push(Diagnostic::spanned(
                    file,
                    path,
                    format!("`evidence`: unknown fact `{}`: {why}", path.value),
                ));
            }
        }
    }

    /// Reports each cycle of the `explains` graph once, at the `explains` of the rule where the
    /// depth-first walk closes it. One walk over every rule and edge (linear), however the graph
    /// is shaped.
    pub(super) fn check_cycles(&self, problems: &mut Vec<Diagnostic>) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath,
            Done,
        }
        let index: HashMap<&str, usize> = self.rules.iter().enumerate().map(|(i, r)| (r.id(), i)).collect();
        let edges: Vec<Vec<usize>> = self
            .rules
            .iter()
            .map(|r| r.rule.explains.iter().filter_map(|e| index.get(e.value.as_str()).copied()).collect())
            .collect();
        let mut mark = vec![Mark::New; self.rules.len()];
        let set = |mark: &mut Vec<Mark>, node: usize, to: Mark| {
            if let Some(slot) = mark.get_mut(node) {
                *slot = to;
            }
        };
        for start in 0..self.rules.len() {
            if mark.get(start) != Some(&Mark::New) {
                continue;
            }
            // (node, next edge to follow); `path` holds the nodes on the stack, in order.
            let mut stack = vec![(start, 0usize)];
            let mut path = vec![start];
            set(&mut mark, start, Mark::OnPath);
            while let Some(top) = stack.last_mut() {
                let node = top.0;
                let Some(&to) = edges.get(node).and_then(|e| e.get(top.1)) else {
                    set(&mut mark, node, Mark::Done);
                    stack.pop();
                    path.pop();
                    continue;
                };
                top.1 += 1;
                match mark.get(to) {
                    Some(Mark::New) => {
                        set(&mut mark, to, Mark::OnPath);
                        stack.push((to, 0));
                        path.push(to);
                    }
                    Some(Mark::OnPath) => {
                        let from = path.iter().position(|n| *n == to).unwrap_or(0);
                        let ids: Vec<&str> = path
                            .iter()
                            .skip(from)
                            .chain(std::iter::once(&to))
                            .filter_map(|n| self.rules.get(*n))
                            .map(CompiledRule::id)
                            .collect();
                        let Some(r) = self.rules.get(node) else { continue };
                        let file = self.source.origin.join(&r.path);
                        let at = r.rule.explains.first().map_or(&r.rule.id, |e| e);
                        let cycle = ids.join(" -> ");
                        problems.push(Diagnostic::spanned(&file, at, format!("`explains` forms a cycle: {cycle}")));
                    }
                    Some(Mark::Done) | None => {}
                }
            }
        }
    }
}

pub(super) fn check_engine_version(manifest: &Manifest) -> Result<()> {
    let required = &manifest.min_engine_version.value;
    let too_old = version::compare(ENGINE_VERSION, required).map_or(true, std::cmp::Ordering::is_lt);
    if too_old {
        return Err(Error::EngineTooOld {
            kb_version: manifest.kb_version.value.clone(),
            required: required.clone(),
            engine: ENGINE_VERSION.to_owned(),
        });
    }
    Ok(())
}

/// Every `limits` value outside its bounds, located at its line in `kb.yaml` (where it is written;
/// a default is always within bounds).
pub(super) fn check_limits(source: &KbSource, manifest: &Manifest, problems: &mut Vec<Diagnostic>) {
    let Some(file) = source.get("kb.yaml") else { return };
    let path = source.display_path(file);
    for (field, message) in manifest.limits.problems() {
        let at = file.text.lines().enumerate().find_map(|(i, line)| {
            let column = line.find(&format!("{field}:"))?;
            line.get(..column)?.trim().is_empty().then_some((i as u64 + 1, column as u64 + 1))
        });
        let (line, column) = at.unwrap_or((0, 0));
        problems.push(Diagnostic::at(&path, line, column, message));
    }
}
