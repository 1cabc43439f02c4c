//! Rule selection (`--only`, `--skip`): globs matched against a rule's id, area, severity and tags.

use globset::GlobMatcher;

use crate::kb::{CompiledRule, KnowledgeBase};

/// Which rules to run: every rule some `only` pattern names (all when there is none), less every
/// rule some `skip` pattern names. A pattern names a rule when it matches its id, its area (the
/// folder), its severity or one of its tags.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    only: Vec<(String, GlobMatcher)>,
    skip: Vec<(String, GlobMatcher)>,
}

/// A selection problem: a pattern that is not a glob, or that names no rule (a typo, most likely).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag} `{pattern}`: {problem}")]
pub struct SelectionError {
    /// `--only` or `--skip`.
    pub flag: &'static str,
    /// The pattern as given.
    pub pattern: String,
    /// What is wrong with it.
    pub problem: String,
}

impl Selection {
    /// Compiles the patterns (`*`, `?`, `[abc]`, `{a,b}`; case-sensitive, as ids are lower-case).
    pub fn new(only: &[String], skip: &[String]) -> Result<Selection, SelectionError> {
        let compile = |flag: &'static str, patterns: &[String]| {
            patterns
                .iter()
                .map(|p| {
                    crate::waiver::glob(p, false).map(|m| (p.clone(), m)).map_err(|e| SelectionError {
                        flag,
                        pattern: p.clone(),
                        problem: e.kind().to_string(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Selection { only: compile("--only", only)?, skip: compile("--skip", skip)? })
    }

    /// Whether nothing is filtered.
    pub fn is_everything(&self) -> bool {
        self.only.is_empty() && self.skip.is_empty()
    }

    /// Whether `rule` is selected.
    pub fn selects(&self, rule: &CompiledRule) -> bool {
        let names = |m: &GlobMatcher| names_rule(m, rule);
        (self.only.is_empty() || self.only.iter().any(|(_, m)| names(m))) && !self.skip.iter().any(|(_, m)| names(m))
    }

    /// The selected rules of `kb`, in its order; an error names a pattern that names no rule of it.
    pub fn rules<'a>(&self, kb: &'a KnowledgeBase) -> Result<Vec<&'a CompiledRule>, SelectionError> {
        for (flag, patterns) in [("--only", &self.only), ("--skip", &self.skip)] {
            if let Some((pattern, _)) = patterns.iter().find(|(_, m)| !kb.rules().iter().any(|r| names_rule(m, r))) {
                return Err(SelectionError {
                    flag,
                    pattern: pattern.clone(),
                    problem: "names no rule id, area, severity or tag of this knowledge base".into(),
                });
            }
        }
        Ok(kb.rules().iter().filter(|r| self.selects(r)).collect())
    }

    /// The selected rule ids, or `None` when nothing is filtered (for [`crate::EvalOptions::only`]).
    pub fn ids(&self, kb: &KnowledgeBase) -> Result<Option<Vec<String>>, SelectionError> {
        let rules = self.rules(kb)?;
        Ok((!self.is_everything()).then(|| rules.iter().map(|r| r.id().to_owned()).collect()))
    }
}

fn names_rule(m: &GlobMatcher, rule: &CompiledRule) -> bool {
    m.is_match(rule.id())
        || m.is_match(&rule.area)
        || m.is_match(rule.rule.severity.as_str())
        || rule.rule.tags.iter().any(|t| m.is_match(&t.value))
}
