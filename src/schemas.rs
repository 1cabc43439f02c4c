//! The JSON Schemas syncdoctor publishes (`schema/*.json`), generated from the Rust types.

use serde_json::Value;

/// Schema of rule files.
pub fn rule() -> Value {
    generate::<syncdoctor_engine::Rule>("rule")
}

/// Schema of the knowledge base manifest (`kb.yaml`).
pub fn kb() -> Value {
    generate::<syncdoctor_engine::manifest::Manifest>("kb")
}

/// Schema of reports.
pub fn report() -> Value {
    generate::<syncdoctor_engine::Report>("report")
}

/// Schema of waivers files (`--waivers FILE`).
pub fn waivers() -> Value {
    generate::<syncdoctor_engine::waiver::WaiversFile>("waivers")
}

/// Schema of healthy-variant files (`rules/baselines/variants/<name>.yaml`).
pub fn variant() -> Value {
    generate::<syncdoctor_engine::variants::VariantFile>("variant")
}

/// Schema of incident files (`rules/incidents/<name>.yaml`).
pub fn incident() -> Value {
    generate::<syncdoctor_engine::variants::IncidentFile>("incident")
}

/// Schema of fact snapshots (every fact of facts.md, typed).
pub fn snapshot() -> Value {
    syncdoctor_probes::schema::snapshot_schema()
}

/// Schema of the `collect` configuration file.
pub fn config() -> Value {
    syncdoctor_probes::config::CollectConfig::schema()
}

fn generate<T: schemars::JsonSchema>(name: &str) -> Value {
    let mut schema =
        schemars::generate::SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>().to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert("$id".into(), Value::String(format!("https://syncdoctor.invalid/schema/{name}.schema.json")));
    }
    schema
}

/// Every published schema: (file name under `schema/`, schema).
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        ("rule.schema.json", rule()),
        ("kb.schema.json", kb()),
        ("snapshot.schema.json", snapshot()),
        ("report.schema.json", report()),
        ("config.schema.json", config()),
        ("waivers.schema.json", waivers()),
        ("variant.schema.json", variant()),
        ("incident.schema.json", incident()),
    ]
}
