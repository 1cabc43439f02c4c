//! LDIF exports (`ldifde`, `ldapsearch`) through the import reader: entries or errors, no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use syncdoctor_probes::import::ldif::LdifReader;

fuzz_target!(|data: &[u8]| {
    for entry in LdifReader::new(std::io::BufReader::new(data)).take(10_000) {
        let _ = entry;
    }
});
