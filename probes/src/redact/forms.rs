//! How each kind of identifier is pseudonymised: addresses, host names, DNs, GUIDs and source
//! anchors, SIDs, IP addresses, accounts, and the identifiers found in free text.

use std::net::{Ipv4Addr, Ipv6Addr};

use syncdoctor_facts::guid::{base64_16, guid_bytes, guid_string};

use super::redactor::{Redactor, apply_case, base64_encode, is_guid, public_first_octet, split_unescaped};
use super::vocabulary::{KEEP_GUIDS, KEEP_SUFFIXES, PUBLIC_CA_ORGS, TEXT_TLDS, TEXT_TOKEN};

impl Redactor {
    pub(super) fn address(&mut self, s: &str) -> String {
        if s.contains("://") {
            return self.text(s);
        }
        if let Some((prefix, rest)) = s.split_once(':')
            && !prefix.is_empty()
            && prefix.len() <= 8
            && prefix.chars().all(|c| c.is_ascii_alphanumeric())
        {
            let rest = if rest.starts_with('/') { self.words(rest, false) } else { self.email(rest) };
            return format!("{prefix}:{rest}");
        }
        self.email(s)
    }

    pub(super) fn email(&mut self, s: &str) -> String {
        match s.rsplit_once('@') {
            Some((local, domain)) => {
                let local = self.words(local, true);
                format!("{local}@{}", self.host(domain))
            }
            None => self.words(s, true),
        }
    }

    pub(super) fn host(&mut self, s: &str) -> String {
        let lower = s.to_ascii_lowercase();
        let trimmed = lower.trim_end_matches('.');
        if KEEP_SUFFIXES.iter().any(|k| trimmed == *k || trimmed.ends_with(&format!(".{k}"))) {
            // Only a GUID label (a tenant id) is personal in Microsoft's host names.
            return s
                .split('.')
                .map(|l| if is_guid(l) { self.guid(l) } else { l.to_owned() })
                .collect::<Vec<_>>()
                .join(".");
        }
        let labels: Vec<&str> = s.split('.').collect();
        let keep_from = if trimmed.ends_with(".onmicrosoft.com") {
            labels.len().saturating_sub(if trimmed.ends_with(".mail.onmicrosoft.com") { 3 } else { 2 })
        } else if labels.len() >= 2 {
            labels.len() - 1
        } else {
            labels.len()
        };
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if i >= keep_from {
                    (*l).to_owned()
                } else if is_guid(l) {
                    self.guid(l)
                } else {
                    self.words(l, true)
                }
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    pub(super) fn dn(&mut self, s: &str) -> String {
        let lower = s.to_ascii_lowercase();
        if PUBLIC_CA_ORGS.iter().any(|o| lower.contains(o)) {
            return s.to_owned();
        }
        let mut out = String::with_capacity(s.len());
        let rdns = split_unescaped(s, ',');
        // The last `DC=` is the TLD, kept as in a domain name.
        let last_dc = rdns.iter().rposition(|r| r.trim_start().to_ascii_uppercase().starts_with("DC="));
        for (i, rdn) in rdns.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match rdn.split_once('=') {
                Some((t, v)) => {
                    let ty = t.trim().to_ascii_uppercase();
                    let v = match ty.as_str() {
                        "DC" if Some(i) == last_dc && i > 0 => v.to_owned(),
                        "DC" => self.host(v),
                        "C" => v.to_owned(),
                        // A replication-conflict name keeps its marker (IdFix excludes these).
                        _ => match v.find("\\0ACNF:") {
                            Some(i) => format!("{}\\0ACNF:{}", self.name(&v[..i]), self.text(&v[i + 7..])),
                            None => self.name(v),
                        },
                    };
                    out.push_str(t);
                    out.push('=');
                    out.push_str(&v);
                }
                None => out.push_str(&self.name(&rdn)),
            }
        }
        out
    }

    pub(super) fn guid(&mut self, s: &str) -> String {
        let lower = s.to_ascii_lowercase();
        if KEEP_GUIDS.contains(&lower.as_str()) {
            return s.to_owned();
        }
        let template = self.unique("guid", &lower, |b| {
            lower
                .chars()
                .zip(b.iter())
                .map(
                    |(c, &r)| {
                        if c.is_ascii_hexdigit() { char::from(b"0123456789abcdef"[usize::from(r % 16)]) } else { c }
                    },
                )
                .collect()
        });
        apply_case(s, &template)
    }

    pub(super) fn anchor(&mut self, s: &str) -> String {
        match base64_16(s) {
            Some(bytes) => {
                let guid = self.guid(&guid_string(&bytes));
                match guid_bytes(&guid) {
                    Some(b) => base64_encode(&b, s.ends_with('=')),
                    None => self.text(s),
                }
            }
            None => self.words(s, false),
        }
    }

    pub(super) fn sid(&mut self, s: &str) -> String {
        let parts: Vec<&str> = s.split('-').collect();
        // S-1-5-21-a-b-c[-rid]: a domain or machine SID; everything else is well known.
        if parts.len() >= 7 && parts[..4] == ["S", "1", "5", "21"] {
            let domain = parts[4..7].join("-");
            let mapped = self.unique("sid", &domain, |b| {
                domain
                    .chars()
                    .zip(b.iter())
                    .enumerate()
                    .map(|(i, (c, &r))| {
                        let first = i == 0 || domain.as_bytes().get(i - 1) == Some(&b'-');
                        match c {
                            '0'..='9' if first && c != '0' => char::from(b'1' + r % 9),
                            '0'..='9' => char::from(b'0' + r % 10),
                            _ => c,
                        }
                    })
                    .collect()
            });
            let mut out = format!("S-1-5-21-{mapped}");
            for p in &parts[7..] {
                out.push('-');
                out.push_str(p);
            }
            return out;
        }
        s.to_owned()
    }

    pub(super) fn ip(&mut self, s: &str) -> Option<String> {
        if let Ok(v4) = s.parse::<Ipv4Addr>() {
            let o = v4.octets();
            if v4.is_loopback() || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() {
                return Some(s.to_owned());
            }
            // How many leading octets fix the class: 10/8, 172.16/12, 192.168/16, 169.254/16,
            // 100.64/10; public addresses keep none.
            let fixed = match o {
                [10, ..] => 1,
                [172, b, ..] if (16..32).contains(&b) => 1,
                [192, 168, ..] | [169, 254, ..] => 2,
                [100, b, ..] if (64..128).contains(&b) => 1,
                _ => 0,
            };
            let lower = s.to_owned();
            let mapped = self.unique("ipv4", &lower, |b| {
                let mut out = o;
                for (i, slot) in out.iter_mut().enumerate().skip(fixed) {
                    let r = b.get(i).copied().unwrap_or(1);
                    *slot = match (fixed, i, o) {
                        (1, 1, [172, ..]) => 16 + r % 16,
                        (1, 1, [100, ..]) => 64 + r % 64,
                        (0, 0, _) => public_first_octet(r),
                        (_, 3, _) => 1 + r % 254,
                        _ => r,
                    };
                }
                Ipv4Addr::from(out).to_string()
            });
            return Some(mapped);
        }
        if let Ok(v6) = s.parse::<Ipv6Addr>() {
            if v6.is_loopback() || v6.is_unspecified() {
                return Some(s.to_owned());
            }
            let seg = v6.segments();
            let lower = v6.to_string();
            let mapped = self.unique("ipv6", &lower, |b| {
                let mut out = seg;
                for (i, slot) in out.iter_mut().enumerate().skip(1) {
                    *slot = u16::from_le_bytes([
                        b.get(2 * i).copied().unwrap_or(0),
                        b.get(2 * i + 1).copied().unwrap_or(0),
                    ]);
                }
                Ipv6Addr::from(out).to_string()
            });
            return Some(mapped);
        }
        None
    }

    pub(super) fn account(&mut self, s: &str) -> String {
        if let Some((domain, user)) = s.split_once('\\') {
            let upper = domain.to_ascii_uppercase();
            let domain =
                if matches!(upper.as_str(), "NT SERVICE" | "NT AUTHORITY" | "BUILTIN" | "." | "NT VIRTUAL MACHINE") {
                    domain.to_owned()
                } else {
                    self.words(domain, true)
                };
            return format!("{domain}\\{}", self.email_or_words(user));
        }
        self.email_or_words(s)
    }

    pub(super) fn email_or_words(&mut self, s: &str) -> String {
        if s.contains('@') { self.email(s) } else { self.words(s, true) }
    }

    /// Free text: identifiers in it are replaced, other words kept.
    pub(super) fn text(&mut self, s: &str) -> String {
        let Ok(re) = TEXT_TOKEN.as_ref() else { return s.to_owned() };
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for caps in re.captures_iter(s) {
            let Some(m) = caps.get(0) else { continue };
            out.push_str(&s[last..m.start()]);
            last = m.end();
            let t = m.as_str();
            let replaced = if caps.name("dn").is_some() {
                self.dn(t)
            } else if caps.name("email").is_some() {
                self.email(t)
            } else if caps.name("sid").is_some() {
                self.sid(t)
            } else if caps.name("guid").is_some() {
                self.guid(t)
            } else if caps.name("anchor").is_some() {
                self.anchor(t)
            } else if caps.name("ip").is_some() {
                self.ip(t).unwrap_or_else(|| t.to_owned())
            } else if caps.name("account").is_some() {
                self.text_account(t)
            } else if caps.name("host").is_some() {
                let tld = t.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
                if TEXT_TLDS.contains(&tld.as_str()) {
                    self.host(t)
                } else {
                    t.split('.').map(|l| self.text_word(l)).collect::<Vec<_>>().join(".")
                }
            } else {
                self.text_word(t)
            };
            out.push_str(&replaced);
        }
        out.push_str(&s[last..]);
        out
    }

    /// `DOMAIN\account` in free text. When the domain part is a domain label or NetBIOS name found
    /// elsewhere in the snapshot, the account part is an account name even if nothing else names it
    /// (an event that quotes the logon account of a service), so it is pseudonymised as in an
    /// account field. Otherwise (a path such as `Program Files\Microsoft`, `NT SERVICE\ADSync`) each
    /// part is free text.
    pub(super) fn text_account(&mut self, t: &str) -> String {
        let Some((domain, user)) = t.split_once('\\') else { return t.to_owned() };
        if self.text_words.contains(&domain.to_ascii_lowercase()) {
            let user = self.email_or_words(user);
            format!("{}\\{user}", self.word(domain))
        } else {
            let (domain, user) = (self.text(domain), self.text(user));
            format!("{domain}\\{user}")
        }
    }

    /// A word of free text: replaced when it is an identifier elsewhere in the snapshot, or a
    /// long hex run (an installation or object id).
    pub(super) fn text_word(&mut self, w: &str) -> String {
        let lower = w.to_ascii_lowercase();
        let hex_id = lower.len() >= 12
            && lower.chars().all(|c| c.is_ascii_hexdigit())
            && lower.chars().any(|c| c.is_ascii_digit());
        if hex_id {
            return self.guid(w);
        }
        if self.text_words.contains(&lower) { self.word(w) } else { w.to_owned() }
    }
}
