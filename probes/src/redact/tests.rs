//! Redaction unit tests.

use super::*;
use serde_json::json;
use syncdoctor_facts::guid::guid_string;

fn facts(f: Value) -> Value {
    redact(&json!({"schema_version": 1, "facts": f}), b"k")["facts"].clone()
}

#[test]
fn keeps_structure_case_length_and_classes() {
    let out = facts(json!({"ad": {"users": [
        {"upn": "Anna.Berg@Contoso.com", "mail": "anna.berg@contoso.com", "sam": "anna berg#1",
         "dn": "CN=Anna Berg,OU=Corp,DC=contoso,DC=com"},
        {"upn": "x@contoso.local"}], "forest": "contoso.com"}}));
    let upn = out["ad"]["users"][0]["upn"].as_str().unwrap();
    let mail = out["ad"]["users"][0]["mail"].as_str().unwrap();
    assert!(upn.eq_ignore_ascii_case(mail) && upn != mail, "{upn} {mail}");
    assert_eq!(upn.len(), "Anna.Berg@Contoso.com".len());
    assert!(upn.ends_with(".com") && !upn.to_lowercase().contains("contoso"));
    let sam = out["ad"]["users"][0]["sam"].as_str().unwrap();
    assert!(sam.contains(' ') && sam.contains('#'));
    assert!(out["ad"]["users"][1]["upn"].as_str().unwrap().ends_with(".local"));
    let forest = out["ad"]["forest"].as_str().unwrap();
    let dn = out["ad"]["users"][0]["dn"].as_str().unwrap();
    assert!(dn.ends_with(&format!("DC={},DC=com", &forest[..7])), "{dn} {forest}");
}

#[test]
fn anchors_follow_guids_and_microsoft_hosts_stay() {
    let out = facts(json!({
        "ad": {"users": [{"object_guid": "1b97b008-b264-47f3-9949-16f4077e89b7"}]},
        "entra": {"users": [{"on_premises_immutable_id": "CLCXG2Sy80eZSRb0B36Jtw=="}]},
        "network": {"dns": [{"name": "login.microsoftonline.com"}]}}));
    let guid = out["ad"]["users"][0]["object_guid"].as_str().unwrap();
    let anchor = out["entra"]["users"][0]["on_premises_immutable_id"].as_str().unwrap();
    assert_ne!(guid, "1b97b008-b264-47f3-9949-16f4077e89b7");
    assert_eq!(guid_string(&base64_16(anchor).unwrap()), guid);
    assert_eq!(out["network"]["dns"][0]["name"], "login.microsoftonline.com");
}

#[test]
fn accounts_in_free_text_follow_their_domain() {
    // Seed 001 CSS: SCM event 7038 quotes the service's logon account.
    let message = "The ADSync service was unable to log on as CONTOSO\\svc-aadsync with the currently \
                   configured password. Path: C:\\Program Files\\Microsoft Azure AD Sync\\Bin; NT SERVICE\\ADSync";
    let out = facts(json!({"ad": {"forest": "contoso.com"},
        "eventlog": {"events": [{"message": message}]}}));
    let text = out["eventlog"]["events"][0]["message"].as_str().unwrap();
    let lower = text.to_lowercase();
    assert!(!lower.contains("contoso") && !lower.contains("svc-aadsync"), "{text}");
    assert_eq!(text.len(), message.len(), "pseudonyms keep the length: {text}");
    assert!(
        text.contains("C:\\Program Files\\Microsoft Azure AD Sync\\Bin") && text.ends_with("NT SERVICE\\ADSync"),
        "{text}"
    );
    // The same account in a field and in text gets the same pseudonym.
    let out = facts(json!({"ad": {"forest": "contoso.com"},
        "services": {"adsync": {"logon_account": "CONTOSO\\svc-aadsync"}},
        "eventlog": {"events": [{"message": message}]}}));
    let account = out["services"]["adsync"]["logon_account"].as_str().unwrap();
    assert!(out["eventlog"]["events"][0]["message"].as_str().unwrap().contains(account), "{account}");
}

#[test]
fn generic_host_labels_stay_plain_words_in_free_text() {
    let out = facts(json!({"host": {"proxy": {"winhttp": "proxy.contoso.com:8080"}},
        "eventlog": {"events": [{"message": "WinHTTP proxy settings point to proxy.contoso.com:8080"}]}}));
    let text = out["eventlog"]["events"][0]["message"].as_str().unwrap();
    assert!(text.starts_with("WinHTTP proxy settings point to proxy.") && !text.contains("contoso"), "{text}");
}

#[test]
fn sids_keep_rid_and_well_known_forms() {
    let out = facts(json!({"local_accounts": [{"sid": "S-1-5-21-1004336348-1177238915-682003330-500"}],
        "user_rights": {"se_service_logon_right": ["S-1-5-32-544"]}}));
    let sid = out["local_accounts"][0]["sid"].as_str().unwrap();
    assert!(sid.starts_with("S-1-5-21-") && sid.ends_with("-500") && !sid.contains("1004336348"));
    assert_eq!(out["user_rights"]["se_service_logon_right"][0], "S-1-5-32-544");
}
