//! PowerShell `ConvertTo-Json` output through the Windows parsers (a `collect.ps1` bundle, and a
//! single command's JSON into the scheduler, connector and service parsers).
#![no_main]

use libfuzzer_sys::fuzz_target;
use syncdoctor_probes::windows::{Bundle, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Bundle::parse(text);
    if let Ok(value) = parse::json(text) {
        let _ = parse::scheduler(&value);
        let _ = parse::connectors(&value);
        let _ = parse::global_settings(&value);
        let _ = parse::auto_upgrade(&value);
        let _ = parse::services_from_cim(&value, Some("HOST"));
    }
    let _ = parse::service_from_sc_qc(text, Some("HOST"));
});
