//! The `collect` configuration: a configuration or a located error, never a panic (huge numbers,
//! NUL bytes and special paths included).
#![no_main]

use libfuzzer_sys::fuzz_target;
use syncdoctor_probes::config::CollectConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = CollectConfig::from_yaml_str(text, "fuzz.yaml") {
        let _ = config.timeout_for("network");
        let _ = config.timeouts();
    }
});
