//! Directory entries (from LDAP or an LDIF export) turned into `ad.users[]` / `ad.groups[]`.
//!
//! The mapping is shared by the `ldap` and `import` probes so both write the same facts for the
//! same object. An attribute the entry does not have is "not set": a `…|null` fact becomes
//! `null`, counts become 0. (Exports must therefore include every attribute — `ldifde` does by
//! default; an `ldapsearch` export must list them.)

use std::collections::BTreeMap;

use crate::facts::Nullable;
use crate::facts::ad::{AdGroup, AdUser};
use crate::facts::{known, lift};

/// `userAccountControl` ACCOUNTDISABLE.
pub const UAC_ACCOUNTDISABLE: u32 = 0x2;
/// `userAccountControl` DONT_EXPIRE_PASSWORD.
pub const UAC_DONT_EXPIRE_PASSWORD: u32 = 0x10000;
/// `msDS-User-Account-Control-Computed` LOCKOUT.
pub const UAC_LOCKOUT: u32 = 0x10;
/// `msDS-User-Account-Control-Computed` PASSWORD_EXPIRED.
pub const UAC_PASSWORD_EXPIRED: u32 = 0x80_0000;
/// Security descriptor control flag SE_DACL_PROTECTED (inheritance disabled).
pub const SE_DACL_PROTECTED: u16 = 0x1000;

/// One directory object: its DN and attribute values (names lower-cased, options such as
/// `;range=0-1499` or `;binary` removed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// Distinguished name.
    pub dn: String,
    /// Values by lower-case attribute name.
    pub attributes: BTreeMap<String, Vec<Vec<u8>>>,
}

/// What kind of object an entry is, for the facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A user (not a computer).
    User,
    /// A group.
    Group,
    /// Anything else (computers, contacts, containers…).
    Other,
}

impl Entry {
    /// Adds a value to an attribute (the name is normalized).
    pub fn add(&mut self, name: &str, value: Vec<u8>) {
        self.attributes.entry(normalize(name)).or_default().push(value);
    }

    /// All values of an attribute.
    #[must_use]
    pub fn values(&self, name: &str) -> &[Vec<u8>] {
        self.attributes.get(&name.to_ascii_lowercase()).map_or(&[], Vec::as_slice)
    }

    /// The first value as text.
    #[must_use]
    pub fn text(&self, name: &str) -> Option<String> {
        self.values(name).first().map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// Every value as text.
    #[must_use]
    pub fn texts(&self, name: &str) -> Vec<String> {
        self.values(name).iter().map(|v| String::from_utf8_lossy(v).into_owned()).collect()
    }

    /// The first value as an integer.
    #[must_use]
    pub fn integer(&self, name: &str) -> Option<i64> {
        self.text(name).and_then(|t| t.trim().parse().ok())
    }

    /// The first value as an LDAP boolean (`TRUE`/`FALSE`).
    #[must_use]
    pub fn boolean(&self, name: &str) -> Option<bool> {
        match self.text(name)?.trim().to_ascii_uppercase().as_str() {
            "TRUE" => Some(true),
            "FALSE" => Some(false),
            _ => None,
        }
    }

    /// Whether `objectClass` has this value.
    #[must_use]
    pub fn has_class(&self, class: &str) -> bool {
        self.texts("objectclass").iter().any(|c| c.eq_ignore_ascii_case(class))
    }

    /// The most specific `objectClass`: the deepest class of the account hierarchy the entry
    /// has (`msDS-GroupManagedServiceAccount` before `computer` before `user`…), else the last
    /// value that is not `top` (AD lists classes from `top` down; other servers in any order).
    #[must_use]
    pub fn most_specific_class(&self) -> Option<String> {
        const DEEPEST_FIRST: [&str; 10] = [
            "msDS-GroupManagedServiceAccount",
            "msDS-ManagedServiceAccount",
            "computer",
            "user",
            "inetOrgPerson",
            "contact",
            "group",
            "organizationalPerson",
            "person",
            "organizationalUnit",
        ];
        let classes = self.texts("objectclass");
        DEEPEST_FIRST
            .iter()
            .find_map(|known| classes.iter().find(|c| c.eq_ignore_ascii_case(known)).cloned())
            .or_else(|| classes.iter().rev().find(|c| !c.eq_ignore_ascii_case("top")).cloned())
    }

    /// User, group or other.
    #[must_use]
    pub fn kind(&self) -> ObjectKind {
        if self.has_class("group") {
            ObjectKind::Group
        } else if self.has_class("user") && !self.has_class("computer") {
            ObjectKind::User
        } else {
            ObjectKind::Other
        }
    }
}

/// Lower-cases an attribute name and drops its options (`member;range=0-1499` → `member`).
#[must_use]
pub fn normalize(name: &str) -> String {
    name.split(';').next().unwrap_or(name).trim().to_ascii_lowercase()
}

/// A 16-byte GUID as AD shows it (`{…}` without braces; the first three groups little-endian).
/// Text values that already look like a GUID are returned as they are.
#[must_use]
pub fn guid_text(bytes: &[u8]) -> Option<String> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let text = text.trim().trim_matches(['{', '}']);
        if text.len() == 36 && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Some(text.to_ascii_lowercase());
        }
    }
    Some(syncdoctor_facts::guid::guid_string(bytes.try_into().ok()?))
}

/// Whether a binary security descriptor has SE_DACL_PROTECTED in its control word.
#[must_use]
pub fn dacl_protected(descriptor: &[u8]) -> Option<bool> {
    let control = u16::from_le_bytes([*descriptor.get(2)?, *descriptor.get(3)?]);
    Some(control & SE_DACL_PROTECTED != 0)
}

fn nullable_text(entry: &Entry, name: &str) -> Option<Nullable<String>> {
    Some(Nullable(entry.text(name)))
}

fn count(entry: &Entry, name: &str) -> Option<u64> {
    Some(entry.values(name).len() as u64)
}

/// An `ad.users[]` item.
#[must_use]
pub fn user(entry: &Entry) -> AdUser {
    AdUser {
        dn: known(entry.dn.clone()),
        object_guid: lift(entry.values("objectguid").first().and_then(|v| guid_text(v))),
        consistency_guid: Some(Nullable(entry.values("ms-ds-consistencyguid").first().and_then(|v| guid_text(v)))),
        upn: nullable_text(entry, "userprincipalname"),
        sam: lift(entry.text("samaccountname")),
        mail: nullable_text(entry, "mail"),
        mail_nickname: nullable_text(entry, "mailnickname"),
        proxy_addresses: known(entry.texts("proxyaddresses")),
        display_name: nullable_text(entry, "displayname"),
        user_account_control: lift(entry.integer("useraccountcontrol").and_then(|v| u32::try_from(v).ok())),
        user_certificate_count: lift(count(entry, "usercertificate")),
        user_smime_certificate_count: lift(count(entry, "usersmimecertificate")),
        thumbnail_photo_bytes: known(entry.values("thumbnailphoto").first().map_or(0, |v| v.len() as u64)),
        ms_exch_recipient_type_details: Some(Nullable(entry.integer("msexchrecipienttypedetails"))),
        acl_inheritance_disabled: lift(entry.values("ntsecuritydescriptor").first().and_then(|sd| dacl_protected(sd))),
        admin_count: Some(Nullable(entry.integer("admincount"))),
        is_critical_system_object: known(entry.boolean("iscriticalsystemobject").unwrap_or(false)),
    }
}

/// An `ad.groups[]` item; `member_count` counts the `member` values the entry holds (the LDAP
/// probe fetches every range first).
#[must_use]
pub fn group(entry: &Entry) -> AdGroup {
    let mail = entry.text("mail");
    let proxy_addresses = entry.texts("proxyaddresses");
    AdGroup {
        dn: known(entry.dn.clone()),
        object_guid: lift(entry.values("objectguid").first().and_then(|v| guid_text(v))),
        display_name: nullable_text(entry, "displayname"),
        mail_enabled: known(mail.is_some() || !proxy_addresses.is_empty()),
        mail: Some(Nullable(mail)),
        proxy_addresses: known(proxy_addresses),
        member_count: lift(count(entry, "member")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_read_little_endian() {
        let bytes = [0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];
        assert_eq!(guid_text(&bytes).as_deref(), Some("00112233-4455-6677-8899-aabbccddeeff"));
        assert_eq!(
            guid_text(b"{00112233-4455-6677-8899-AABBCCDDEEFF}").as_deref(),
            Some("00112233-4455-6677-8899-aabbccddeeff")
        );
        assert_eq!(guid_text(b"short"), None);
    }

    #[test]
    fn names_normalize_and_kinds_classify() {
        assert_eq!(normalize("member;range=0-1499"), "member");
        let mut entry = Entry { dn: "CN=PC,DC=x".into(), ..Entry::default() };
        for class in ["top", "person", "organizationalPerson", "user", "computer"] {
            entry.add("objectClass", class.as_bytes().to_vec());
        }
        assert_eq!(entry.kind(), ObjectKind::Other);
        assert_eq!(entry.most_specific_class().as_deref(), Some("computer"));
        assert_eq!(dacl_protected(&[1, 0, 0x04, 0x90]), Some(true));
        assert_eq!(dacl_protected(&[1, 0, 0x04, 0x80]), Some(false));
    }
}
