//! Looking up one sync-related account (`ad.accounts.<role>`).

use ldap3::Scope;
use ldap3::controls::RawControl;

use super::{SHOW_DELETED, Session};
use crate::ad_objects::{Entry, UAC_ACCOUNTDISABLE, UAC_DONT_EXPIRE_PASSWORD, UAC_LOCKOUT, UAC_PASSWORD_EXPIRED};
use crate::facts::Nullable;
use crate::facts::ad::AdAccount;
use crate::facts::{gathered, known, lift};
use crate::time::filetime_to_rfc3339;

const ATTRIBUTES: [&str; 9] = [
    "objectClass",
    "sAMAccountName",
    "userPrincipalName",
    "userAccountControl",
    "msDS-User-Account-Control-Computed",
    "pwdLastSet",
    "accountExpires",
    "msDS-UserPasswordExpiryTimeComputed",
    "isDeleted",
];

/// The LDAP filter for an account name: UPN when it has an `@`, else `sAMAccountName` (a
/// `DOMAIN\` prefix is dropped).
#[must_use]
pub fn filter_for(name: &str) -> String {
    let name = name.rsplit('\\').next().unwrap_or(name);
    let escaped = ldap3::ldap_escape(name);
    if name.contains('@') { format!("(userPrincipalName={escaped})") } else { format!("(sAMAccountName={escaped})") }
}

/// The account's facts from its entry.
#[must_use]
pub fn from_entry(entry: &Entry) -> AdAccount {
    let uac = entry.integer("useraccountcontrol");
    let computed = entry.integer("msds-user-account-control-computed");
    let flag = |value: Option<i64>, bit: u32| value.map(|v| v & i64::from(bit) != 0);
    let pwd_last_set = entry.integer("pwdlastset");
    AdAccount {
        exists: known(true),
        deleted: known(entry.boolean("isdeleted").unwrap_or(false)),
        is_gmsa: known(entry.has_class("msDS-GroupManagedServiceAccount")),
        enabled: gathered(flag(uac, UAC_ACCOUNTDISABLE).map(|disabled| !disabled)),
        locked_out: gathered(flag(computed, UAC_LOCKOUT)),
        password_expired: gathered(flag(computed, UAC_PASSWORD_EXPIRED)),
        password_never_expires: gathered(flag(uac, UAC_DONT_EXPIRE_PASSWORD)),
        must_change_password: gathered(pwd_last_set.map(|v| v == 0)),
        dn: known(entry.dn.clone()),
        sam_account_name: gathered(entry.text("samaccountname")),
        upn: gathered(entry.text("userprincipalname")),
        object_class: gathered(entry.most_specific_class()),
        pwd_last_set: pwd_last_set.map(|v| Nullable(filetime_to_rfc3339(v))),
        password_expires_at: entry
            .integer("msds-userpasswordexpirytimecomputed")
            .map(|v| Nullable(filetime_to_rfc3339(v))),
        account_expires_at: entry.integer("accountexpires").map(|v| Nullable(filetime_to_rfc3339(v))),
    }
}

/// Looks an account up; not found is `exists: false` (with `deleted: true` when its tombstone
/// is visible through the Show Deleted control, absent when that cannot be told).
pub(super) fn lookup(session: &mut Session, name: &str) -> Result<AdAccount, String> {
    let filter = filter_for(name);
    let base = session.base_dn.clone();
    let found = session.search(&base, Scope::Subtree, &filter, &ATTRIBUTES)?;
    if let Some(entry) = found.first() {
        return Ok(from_entry(entry));
    }
    let deleted_base = format!("CN=Deleted Objects,{base}");
    session.conn.with_controls(RawControl { ctype: SHOW_DELETED.into(), crit: true, val: None });
    let tombstone = session.search(&deleted_base, Scope::OneLevel, &filter, &["isDeleted"]);
    let deleted = match tombstone {
        Ok(entries) => Some(!entries.is_empty()),
        Err(_) => None, // no Show Deleted support or no access: unknown
    };
    Ok(AdAccount { exists: known(false), deleted: lift(deleted), ..AdAccount::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_escape_and_pick_the_attribute() {
        assert_eq!(filter_for(r"CONTOSO\svc-adsync"), "(sAMAccountName=svc-adsync)");
        assert_eq!(filter_for("provAgentgMSA$"), "(sAMAccountName=provAgentgMSA$)");
        assert_eq!(filter_for("sync@contoso.com"), "(userPrincipalName=sync@contoso.com)");
        assert_eq!(filter_for("a*b(c)"), r"(sAMAccountName=a\2ab\28c\29)");
    }

    #[test]
    fn account_flags_decode() {
        let mut entry = Entry { dn: "CN=svc,DC=x".into(), ..Entry::default() };
        for (name, value) in [
            ("objectClass", "user"),
            ("userAccountControl", "66050"),
            ("msDS-User-Account-Control-Computed", "8388624"),
            ("pwdLastSet", "0"),
            ("accountExpires", "9223372036854775807"),
            ("msDS-UserPasswordExpiryTimeComputed", "133444736000000000"),
        ] {
            entry.add(name, value.as_bytes().to_vec());
        }
        let account = from_entry(&entry);
        assert_eq!(account.enabled, known(false));
        assert_eq!(account.password_never_expires, known(true));
        assert_eq!(account.locked_out, known(true));
        assert_eq!(account.password_expired, known(true));
        assert_eq!(account.must_change_password, known(true));
        assert_eq!(account.pwd_last_set, Some(Nullable(None)));
        assert_eq!(account.account_expires_at, Some(Nullable(None)));
        assert_eq!(account.password_expires_at, Some(Nullable::value("2023-11-14T22:13:20Z".to_owned())));
        assert_eq!(account.is_gmsa, known(false));
    }
}
