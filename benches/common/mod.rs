//! Input generators shared by the benchmarks: a deterministic random sequence and the directory
//! objects of a large-directory snapshot, so `engine` and `fleet` scan the same kind of data.

use std::path::PathBuf;

use serde_json::{Value, json};

/// The repository.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where generated inputs live (`target/bench-data`, never committed), created on first use.
pub fn data_dir() -> PathBuf {
    let dir = root().join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("target/bench-data can be created");
    dir
}

/// A deterministic pseudo-random sequence (xorshift).
pub struct Rng(pub u64);

impl Rng {
    /// The next value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// User `i` of a generated directory: about 0.3 % duplicate UPNs, 0.2 % `.local` suffixes, 0.2 %
/// invalid characters and 0.5 % over-long `sAMAccountName`s for the data-quality rules to find.
pub fn user(i: usize, rng: &mut Rng) -> Value {
    let r = rng.below(1000);
    let base = if r < 3 { format!("user{}", i / 2) } else { format!("user{i}") };
    let domain = if (3..5).contains(&r) { "corp.local" } else { "contoso.com" };
    let local = if (5..7).contains(&r) { format!("{base} ö&") } else { base.clone() };
    let sam = if (7..12).contains(&r) { format!("{base}-with-a-very-long-name") } else { base.clone() };
    json!({
        "dn": format!("CN=User {i},OU=Staff,OU=Corp,DC=contoso,DC=com"),
        "object_guid": format!("{:08x}-0000-4000-8000-{:012x}", i, rng.next() & 0xffff_ffff_ffff),
        "consistency_guid": null,
        "upn": format!("{local}@{domain}"),
        "sam": sam,
        "mail": format!("{base}@contoso.com"),
        "mail_nickname": base,
        "proxy_addresses": [format!("SMTP:{base}@contoso.com"), format!("smtp:{base}@contoso.mail.onmicrosoft.com")],
        "display_name": format!("User {i}"),
        "user_account_control": 512,
        "user_certificate_count": 0,
        "user_smime_certificate_count": 0,
        "thumbnail_photo_bytes": 0,
        "ms_exch_recipient_type_details": null,
        "acl_inheritance_disabled": false,
        "admin_count": null,
        "is_critical_system_object": false
    })
}

/// Group `i` of a generated directory (about 0.3 % duplicate mail addresses).
pub fn group(i: usize, rng: &mut Rng) -> Value {
    let name = if rng.below(1000) < 3 { format!("group{}", i / 2) } else { format!("group{i}") };
    json!({
        "dn": format!("CN=Group {i},OU=Groups,OU=Corp,DC=contoso,DC=com"),
        "object_guid": format!("{:08x}-1111-4000-8000-{:012x}", i, rng.next() & 0xffff_ffff_ffff),
        "display_name": format!("Group {i}"),
        "mail": format!("{name}@contoso.com"),
        "proxy_addresses": [format!("SMTP:{name}@contoso.com")],
        "mail_enabled": true,
        "member_count": rng.below(500)
    })
}
