//! Tests of the reads analysis: what each shape of condition is found to read.

mod reads {
    use super::super::*;

    fn read_paths(script: &str) -> Vec<String> {
        let engine = crate::sandbox::build_engine(&crate::sandbox::Limits::default(), &[]);
        let ast = engine.compile_with_scope(&crate::kb::scope_template(), script).unwrap_or_else(|e| panic!("{e}"));
        let mut out: Vec<String> = reads(&ast)
            .into_iter()
            .map(|r| format!("{}.{}@{}:{}", r.root.as_str(), r.path, r.line, r.column))
            .collect();
        out.dedup();
        out
    }

    #[test]
    fn follows_let_bindings_and_reassignments() {
        let found = read_paths(
            "let s = facts.services.adsync;\nif !s.present { s = facts.services.fim_sync; }\nlet a = facts.ad.accounts.sync_service;\ns.logon_account_kind == \"DomainUser\" && a.pasword_expired",
        );
        for expected in [
            "facts.services.adsync@1:24",
            "facts.services.adsync.present@2:7",
            "facts.services.adsync.logon_account_kind@4:3",
            "facts.services.fim_sync.logon_account_kind@4:3",
            "facts.ad.accounts.sync_service.pasword_expired@4:43",
        ] {
            assert!(found.iter().any(|f| f == expected), "{expected} not in {found:?}");
        }
    }

    #[test]
    fn follows_closure_parameters_loops_and_script_functions() {
        let found = read_paths(
            "fn gap(facts) { facts.host.proxy.winhttp }\n\
             let ads = facts.connect.connectors.filter(|c| c.kind == \"ad\");\n\
             let a = facts.ad.accounts.ad_connector;\n\
             let hit = ads.any(|c| c.account_user == a.upn);\n\
             for r in facts.connect.runs { if r.steps[0].result == \"x\" { } }\n\
             let l = facts.local_accounts.find(|x| x.name == \"y\");\n\
             for key in [\"adsync\", \"fim_sync\"] { let s = facts.services[key]; s.state; }\n\
             gap(facts) && has(\"entra.tenant\") && l.enabled && data.idfix.upn.allowed != \"\"",
        );
        for expected in [
            "facts.connect.connectors[].kind",
            "facts.connect.connectors[].account_user",
            "facts.ad.accounts.ad_connector.upn",
            "facts.connect.runs[].steps[].result",
            "facts.local_accounts[].name",
            "facts.local_accounts[].enabled",
            "facts.services.adsync.state",
            "facts.services.fim_sync.state",
            "facts.host.proxy.winhttp",
            "facts.entra.tenant",
            "data.idfix.upn.allowed",
        ] {
            assert!(found.iter().any(|f| f.split('@').next() == Some(expected)), "{expected} not in {found:?}");
        }
    }

    #[test]
    fn has_points_inside_its_string_and_comments_are_not_reads() {
        let found = read_paths("// facts.no.comment\nhas(\"host.name\")");
        assert_eq!(found, ["facts.host.name@2:6"]);
    }
}

mod determinism {
    use super::super::*;

    /// The reads of `script`, analysed `times` times (each analysis builds its own maps).
    fn distinct_analyses(script: &str, times: usize) -> BTreeSet<Vec<Read>> {
        let engine = crate::sandbox::build_engine(&crate::sandbox::Limits::default(), &[]);
        let ast = engine.compile_with_scope(&crate::kb::scope_template(), script).unwrap_or_else(|e| panic!("{e}"));
        (0..times).map(|_| reads(&ast)).collect()
    }

    #[test]
    fn a_script_functions_result_keeps_the_paths_it_returns() {
        let script = "fn recent(events, ids) { if ids.is_empty() { return []; } events.filter(|e| e.id in ids) }\n\
                      fn first(list) { return list[0]; }\n\
                      recent(facts.eventlog.events, [6900]).any(|e| e.time > \"x\") && first(facts.connect.runs).result == \"y\"";
        let paths: Vec<String> = reads_once(script).into_iter().map(|r| r.path.to_string()).collect();
        for expected in ["eventlog.events[].id", "eventlog.events[].time", "connect.runs[].result"] {
            assert!(paths.iter().any(|p| p == expected), "{expected} not in {paths:?}");
        }
    }

    fn reads_once(script: &str) -> Vec<Read> {
        distinct_analyses(script, 1).into_iter().next().unwrap_or_default()
    }

    #[test]
    fn a_function_pointer_to_an_overloaded_function_takes_the_arity_that_fits() {
        let script = "fn pick(x) { x.one }\nfn pick(x, y) { y.two }\nfn pick(x, y, z) { z.three }\n\
                      facts.host.items.any(Fn(\"pick\"))";
        let analyses = distinct_analyses(script, 20);
        assert_eq!(analyses.len(), 1, "{analyses:#?}");
        let paths: Vec<String> = analyses.into_iter().flatten().map(|r| r.path.to_string()).collect();
        assert!(paths.contains(&"host.items[].one".to_owned()), "{paths:?}");
        // Each overload is analysed on its own body only.
        assert!(!paths.iter().any(|p| p.contains("two") || p.contains("three")), "{paths:?}");
    }

    #[test]
    fn a_captured_local_named_like_another_closures_parameter_reads_the_same_every_time() {
        let script = "let c = facts.ad.accounts.ad_connector;\n\
                      let ads = facts.connect.connectors.filter(|c| c.kind == \"ad\");\n\
                      ads.any(|x| x.account_user == c.upn) && facts.connect.runs.any(|r| ads.any(|c| c.name == r.connector))";
        let analyses = distinct_analyses(script, 20);
        assert_eq!(analyses.len(), 1, "{analyses:#?}");
        let paths: Vec<String> = analyses.into_iter().flatten().map(|r| r.path.to_string()).collect();
        for expected in
            ["ad.accounts.ad_connector.upn", "connect.connectors[].account_user", "connect.runs[].connector"]
        {
            assert!(paths.iter().any(|p| p == expected), "{expected} not in {paths:?}");
        }
        // `c.kind` and `c.name` belong to closures whose `c` is a connector, not the captured account.
        for wrong in ["ad.accounts.ad_connector.kind", "ad.accounts.ad_connector.name"] {
            assert!(!paths.iter().any(|p| p == wrong), "{wrong} in {paths:?}");
        }
    }
}
