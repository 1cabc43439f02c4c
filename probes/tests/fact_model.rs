//! The typed fact model, its generated schema and the baseline snapshots agree with each other.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use syncdoctor_probes::facts::Nullable;
use syncdoctor_probes::{SnapshotDocument, snapshot_schema};

/// Follows a local `$ref` (`#/$defs/Name`).
fn deref<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            let target = root.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {reference}"));
            deref(root, target)
        }
        None => schema,
    }
}

/// Looks through `$ref`s, nullable `anyOf`s and array `items` to the schema of one value.
fn element<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = deref(root, schema);
    if let Some(Value::Array(branches)) = current.get("anyOf") {
        current = deref(root, branches.iter().find(|b| b["type"] != "null").unwrap());
    }
    if current["type"] == "array" {
        current = deref(root, &current["items"]);
    }
    current
}

/// The schema of a dotted path below the root (`facts.services.adsync.state`); for arrays, the
/// schema of their items.
fn schema_at<'a>(root: &'a Value, path: &str) -> &'a Value {
    let mut current = root;
    for segment in path.split('.') {
        current = element(root, current)
            .get("properties")
            .and_then(|p| p.get(segment))
            .unwrap_or_else(|| panic!("no property `{segment}` on the way to `{path}`"));
    }
    // Keep a nullable's `type: [.., "null"]` visible, but look through `$ref`/`anyOf`/`items`.
    if current.get("type").is_some_and(Value::is_array) { current } else { element(root, current) }
}

/// Path of the first difference between two JSON values.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.keys().chain(y.keys()).find_map(|k| match (x.get(k), y.get(k)) {
            (Some(v), Some(w)) => first_difference(v, w, &format!("{path}/{k}")),
            _ => Some(format!("{path}/{k}")),
        }),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (v, w))| first_difference(v, w, &format!("{path}/{i}")))
        }
        _ if a == b => None,
        _ => Some(path.to_owned()),
    }
}

#[test]
fn schema_is_a_valid_draft_2020_12_schema() {
    let schema = snapshot_schema();
    let text = serde_json::to_string_pretty(&schema).unwrap();
    let reparsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(reparsed, schema);
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["$id"], "https://syncdoctor.invalid/schema/snapshot.schema.json");
    assert!(schema["title"].is_string());
    jsonschema::meta::validate(&schema).unwrap();
    jsonschema::validator_for(&schema).unwrap();
    assert!(!text.contains("x-syncdoctor"), "private marker leaked into the schema");
}

#[test]
fn facts_and_every_fact_object_reject_unknown_keys() {
    let schema = snapshot_schema();
    assert_eq!(schema["additionalProperties"], false);
    let facts = schema_at(&schema, "facts");
    assert_eq!(facts["additionalProperties"], false);
    for namespace in [
        "products",
        "host",
        "services",
        "user_rights",
        "local_accounts",
        "eventlog",
        "connect",
        "localdb",
        "sql",
        "cloudsync_agent",
        "ad",
        "dataquality",
        "entra",
        "network",
        "fleet",
    ] {
        assert!(facts["properties"].get(namespace).is_some(), "facts.{namespace} missing");
    }
    assert!(facts.get("required").is_none(), "every namespace is optional");
    for (name, def) in schema["$defs"].as_object().unwrap() {
        if def["type"] == "object" && def.get("properties").is_some() {
            assert_eq!(def["additionalProperties"], false, "{name} accepts unknown keys");
        }
    }
}

#[test]
fn enums_keep_microsoft_spellings() {
    let schema = snapshot_schema();
    let enum_at = |path: &str| schema_at(&schema, path)["enum"].clone();
    assert_eq!(
        enum_at("facts.services.adsync.state"),
        json!(["Running", "Stopped", "StartPending", "StopPending", "Paused", "Unknown"])
    );
    assert_eq!(enum_at("facts.products"), json!(["connect-sync", "cloud-sync", "dirsync", "aadsync"]));
    assert_eq!(enum_at("facts.services.dirsync_scheduler.logon_account_kind")[4], "gMSA");
    assert_eq!(enum_at("facts.connect.database.kind"), json!(["LocalDB", "SQL"]));
    assert_eq!(enum_at("facts.entra.cloud_sync.configs.jobs.status_code")[4], "Quarantine");
    assert_eq!(enum_at("facts.entra.cloud_sync.agents.status"), json!(["active", "inactive"]));
    assert_eq!(enum_at("facts.dataquality.source"), json!(["ldap-scan", "idfix-csv"]));
    assert_eq!(
        enum_at("facts.network.probes.purpose"),
        json!([
            "entra-core",
            "entra-auth",
            "entra-registration",
            "crl-ocsp",
            "servicebus",
            "msappproxy",
            "ad-dc",
            "sql",
            "health"
        ])
    );
    assert_eq!(
        enum_at("facts.entra.onprem_sync.deletion_prevention_type"),
        json!(["disabled", "enabledForCount", "enabledForPercentage"])
    );
    assert_eq!(schema_at(&schema, "facts.network.dns.chain.type")["type"], json!(["string", "null"]));
}

#[test]
fn leaf_types_formats_and_nullable_containers() {
    let schema = snapshot_schema();
    let types = |path: &str| schema_at(&schema, path)["type"].clone();
    assert_eq!(types("facts.host.name"), json!(["string", "null"]));
    assert_eq!(types("facts.host.memory_bytes"), json!(["integer", "null"]));
    assert_eq!(schema_at(&schema, "facts.host.memory_bytes")["minimum"], 0);
    assert_eq!(types("facts.host.tls.tls12_client_enabled"), json!(["boolean", "null"]));
    assert_eq!(types("facts.entra.tenant.directory_quota_used"), json!(["integer", "null"]));
    let last_sync = schema_at(&schema, "facts.entra.tenant.on_premises_last_sync");
    assert_eq!(last_sync["type"], json!(["string", "null"]));
    assert_eq!(last_sync["format"], "date-time");
    assert_eq!(schema_at(&schema, "facts.connect.scheduler.effective_interval")["format"], "duration");
    // Object-valued nullables: `anyOf: [{$ref}, {type: null}]`.
    let jobs = schema_at(&schema, "facts.entra.cloud_sync.configs.jobs");
    assert_eq!(jobs["properties"]["quarantine"]["anyOf"][1], json!({"type": "null"}));
    // Sections (objects) are read or not: absent, never `null`.
    assert_eq!(types("facts.host"), "object");
    // `present` is the only required key of a service.
    let service = schema_at(&schema, "facts.services.adsync");
    assert_eq!(service["required"], json!(["present"]));
}

/// Every leaf below `schema` (a scalar, an enum or a list of scalars) as (dotted path, accepts `null`).
fn leaves(root: &Value, schema: &Value, path: &str, out: &mut Vec<(String, bool)>) {
    let mut current = deref(root, schema);
    let mut nullable = current.get("type").and_then(Value::as_array).is_some_and(|t| t.contains(&json!("null")));
    if let Some(Value::Array(branches)) = current.get("anyOf") {
        nullable |= branches.iter().any(|b| b["type"] == "null");
        if let Some(inner) = branches.iter().find(|b| b["type"] != "null") {
            current = deref(root, inner);
        }
    }
    let is_type = |t: &str| current["type"] == t || current["type"].as_array().is_some_and(|a| a.contains(&json!(t)));
    if is_type("object") {
        if let Some(Value::Object(properties)) = current.get("properties") {
            for (name, property) in properties {
                leaves(root, property, &format!("{path}.{name}"), out);
            }
        }
        if let Some(additional @ Value::Object(_)) = current.get("additionalProperties") {
            leaves(root, additional, &format!("{path}.*"), out);
        }
        return;
    }
    if is_type("array") {
        let items = deref(root, &current["items"]);
        if items["type"] == "object" || items.get("properties").is_some() {
            leaves(root, items, &format!("{path}[]"), out);
            return;
        }
    }
    out.push((path.to_owned(), nullable));
}

#[test]
fn every_leaf_fact_accepts_null() {
    let schema = snapshot_schema();
    let facts = schema_at(&schema, "facts");
    let mut found = Vec::new();
    leaves(&schema, facts, "facts", &mut found);
    assert!(found.len() > 400, "only {} leaves", found.len());
    // `facts.products` is a list the registry derives; it is `[]` when nothing is installed.
    let refused: Vec<&String> =
        found.iter().filter(|(path, nullable)| !nullable && path != "facts.products").map(|(path, _)| path).collect();
    assert!(refused.is_empty(), "{} of {} leaves refuse null: {refused:#?}", refused.len(), found.len());
}

const RHAI_WORDS: &[&str] = &[
    // keywords
    "true",
    "false",
    "let",
    "const",
    "if",
    "else",
    "switch",
    "do",
    "while",
    "until",
    "loop",
    "for",
    "in",
    "continue",
    "break",
    "return",
    "throw",
    "try",
    "catch",
    "fn",
    "private",
    "import",
    "export",
    "as",
    "global",
    "Fn",
    "call",
    "curry",
    "this",
    "is_def_var",
    "is_def_fn",
    "is_shared",
    "type_of",
    "print",
    "debug",
    "eval",
    // reserved
    "var",
    "static",
    "shared",
    "goto",
    "exit",
    "match",
    "case",
    "public",
    "protected",
    "new",
    "use",
    "with",
    "module",
    "package",
    "super",
    "thread",
    "spawn",
    "go",
    "await",
    "async",
    "sync",
    "yield",
    "default",
    "void",
    "null",
    "nil",
    "is",
];

fn collect_property_names(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                names.extend(properties.keys().cloned());
            }
            map.values().for_each(|v| collect_property_names(v, names));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_property_names(v, names)),
        _ => {}
    }
}

#[test]
fn fact_keys_are_snake_case_and_not_rhai_keywords() {
    let mut names = Vec::new();
    collect_property_names(&snapshot_schema(), &mut names);
    assert!(names.len() > 300, "only {} property names", names.len());
    for name in names {
        assert!(!RHAI_WORDS.contains(&name.as_str()), "`{name}` is a Rhai keyword");
        assert!(
            name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "`{name}` is not lower snake_case"
        );
    }
}

/// An instance of `schema` with every property filled in; `nulls` picks `null` wherever it is
/// allowed.
fn sample(root: &Value, schema: &Value, nulls: bool) -> Value {
    let schema = deref(root, schema);
    if let Some(Value::Array(branches)) = schema.get("anyOf") {
        let value = branches.iter().find(|b| b["type"] != "null").unwrap();
        return if nulls { Value::Null } else { sample(root, value, nulls) };
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return values.last().unwrap().clone();
    }
    let ty = match &schema["type"] {
        Value::Array(types) if nulls => return Value::Null,
        Value::Array(types) => types.iter().find(|t| *t != "null").unwrap().clone(),
        other => other.clone(),
    };
    match ty.as_str().unwrap() {
        "object" => {
            let mut object = serde_json::Map::new();
            if let Some(Value::Object(properties)) = schema.get("properties") {
                for (name, property) in properties {
                    object.insert(name.clone(), sample(root, property, nulls));
                }
            }
            if let Some(additional @ Value::Object(_)) = schema.get("additionalProperties") {
                object.insert("SomeKey".into(), sample(root, additional, nulls));
            }
            Value::Object(object)
        }
        "array" => json!([sample(root, &schema["items"], nulls)]),
        "string" => match (schema.get("format").and_then(Value::as_str), schema.get("pattern")) {
            (Some("date-time"), _) => json!("2026-11-20T09:30:00Z"),
            (Some("duration"), _) => json!("PT30M"),
            // The patterns of the model: versions, and lower-case GUIDs (an agent id).
            (_, Some(p)) if p.as_str().is_some_and(|p| p.starts_with("^[0-9a-f]{8}")) => {
                json!("c2a7e4d1-8b36-4f5a-9e0c-1d3b5f7a9c24")
            }
            (_, Some(_)) => json!("2.4.27.0"),
            _ => json!("text"),
        },
        "integer" => json!(7),
        "boolean" => json!(true),
        other => panic!("no sample for type {other}"),
    }
}

#[test]
fn every_fact_round_trips_and_validates() {
    let schema = snapshot_schema();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    for nulls in [false, true] {
        let mut instance = sample(&schema, &schema, nulls);
        // The envelope's own optional keys are not facts; keep them out of the null variant.
        instance["probes"] = json!([{ "id": "p", "kind": "command", "status": "ok", "error": null }]);
        let errors: Vec<String> =
            validator.iter_errors(&instance).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "sample (nulls={nulls}) invalid: {errors:#?}");
        let document: SnapshotDocument = serde_json::from_value(instance.clone())
            .unwrap_or_else(|e| panic!("sample (nulls={nulls}) rejected by serde: {e}"));
        let again = serde_json::to_value(&document).unwrap();
        assert_eq!(first_difference(&again, &instance, ""), None);
        let tls = document.facts.host.unwrap().tls.unwrap();
        let expected = if nulls { Nullable::null() } else { Nullable::value(true) };
        assert_eq!(tls.tls12_client_enabled, Some(expected));
    }
}

fn minimal(facts: Value) -> Value {
    json!({
        "schema_version": 1,
        "collected_at": "2026-11-20T09:30:00Z",
        "collector": { "name": "syncdoctor", "version": "0.1.0" },
        "probes": [ { "id": "windows.services", "kind": "command", "status": "ok", "duration_ms": 41, "error": null } ],
        "facts": facts
    })
}

#[test]
fn absent_null_and_value_stay_distinct() {
    let schema = snapshot_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();

    let absent = minimal(json!({ "host": { "tls": {} } }));
    let null = minimal(json!({ "host": { "tls": { "tls12_client_enabled": null } } }));
    let value = minimal(json!({ "host": { "tls": { "tls12_client_enabled": false } } }));
    for (doc, expected) in [(&absent, None), (&null, Some(Nullable::null())), (&value, Some(Nullable::value(false)))] {
        assert!(validator.is_valid(doc));
        let parsed: SnapshotDocument = serde_json::from_value(doc.clone()).unwrap();
        let tls = parsed.facts.host.as_ref().unwrap().tls.as_ref().unwrap();
        assert_eq!(tls.tls12_client_enabled, expected);
        assert_eq!(&serde_json::to_value(&parsed).unwrap(), doc);
    }

    // `null` is accepted on every leaf and survives the typed model (it is not turned into "absent").
    for null in [
        minimal(json!({ "host": { "name": null } })),
        minimal(json!({ "services": { "adsync": { "present": true, "state": null } } })),
        minimal(json!({ "connect": { "connectors": [ { "name": null, "kind": null } ] } })),
        minimal(json!({ "connect": { "scheduler": { "customized_interval": null } } })),
    ] {
        assert!(validator.is_valid(&null), "schema refused {null}");
        let parsed: SnapshotDocument = serde_json::from_value(null.clone()).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), null);
    }

    // Unknown keys, unknown namespaces, misspelled enum values and a missing `present` are
    // rejected by both.
    for bad in [
        minimal(json!({ "services": { "adsync": { "state": "Running" } } })),
        minimal(json!({ "services": { "adsync": { "present": true, "state": "running" } } })),
        minimal(json!({ "services": { "ADSync": { "present": true } } })),
        minimal(json!({ "host": { "nmae": "SYNC01" } })),
        minimal(json!({ "meta": {} })),
        minimal(json!({ "catalog": { "connect_versions": [] } })),
    ] {
        assert!(!validator.is_valid(&bad), "schema accepted {bad}");
        assert!(serde_json::from_value::<SnapshotDocument>(bad.clone()).is_err(), "serde accepted {bad}");
    }
}

fn baseline_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/baselines");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn baselines_match_the_typed_model() {
    let schema = snapshot_schema();
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    let mut problems = Vec::new();
    for path in baseline_files() {
        let file = path.display();
        let text = std::fs::read_to_string(&path).unwrap();
        let original: Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(e) => {
                problems.push(format!("{file}:{}:{}: not JSON: {e}", e.line(), e.column()));
                continue;
            }
        };
        match serde_json::from_str::<SnapshotDocument>(&text) {
            Ok(document) => {
                let again = serde_json::to_value(&document).unwrap();
                if let Some(at) = first_difference(&original, &again, "") {
                    problems.push(format!(
                        "{file}: does not round-trip unchanged (first difference at `{at}`; \
                         a `null` where facts.md allows none reads as absent)"
                    ));
                }
            }
            Err(e) => problems.push(format!("{file}:{}:{}: {e}", e.line(), e.column())),
        }
        for error in validator.iter_errors(&original) {
            problems.push(format!("{file}: schema: at `{}`: {error}", error.instance_path()));
        }
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    assert!(problems.is_empty(), "{} baseline problem(s):\n{}", problems.len(), problems.join("\n"));
}
