//! A streaming LDIF reader (RFC 2849) for `ldifde -f` and `ldapsearch` exports: one entry at a
//! time, so a 200,000-object export is never held in memory at once.
//!
//! Handles folded lines, comments, `attr:: base64` values (binary attributes such as
//! `objectGUID`), `dn::`, CRLF line ends and `changetype: add` records; `attr:< url` values are
//! skipped. Plain `ldapsearch` output (without `-LLL`) is read too: search references (`ref:`
//! records, which Active Directory returns for `ForestDnsZones`, `DomainDnsZones` and
//! `Configuration`) are skipped, and the `search:`/`result:` trailer is checked: a result other
//! than `0 Success` (a size or time limit) means the export is incomplete, which
//! [`LdifReader::incomplete`] reports once the entries are read.

use std::io::BufRead;

use crate::ad_objects::Entry;
use crate::network::tls::base64_decode;

/// Reads entries from LDIF text.
#[derive(Debug)]
pub struct LdifReader<R> {
    input: R,
    pending: Option<String>,
    line_number: usize,
    incomplete: Option<String>,
}

impl<R: BufRead> LdifReader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Self {
        Self { input, pending: None, line_number: 0, incomplete: None }
    }

    /// After the last entry: why the export is incomplete, if its `result:` trailer says so
    /// (e.g. `result: 4 Size limit exceeded`).
    #[must_use]
    pub fn incomplete(&self) -> Option<&str> {
        self.incomplete.as_deref()
    }

    /// The next physical line without its line end; `None` at the end.
    fn physical(&mut self) -> Result<Option<String>, String> {
        if let Some(line) = self.pending.take() {
            return Ok(Some(line));
        }
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) => Ok(None),
            Ok(_) => {
                self.line_number += 1;
                while line.ends_with(['\n', '\r']) {
                    line.pop();
                }
                Ok(Some(line))
            }
            Err(e) => Err(format!("line {}: {e}", self.line_number + 1)),
        }
    }

    /// The next logical line (continuations joined); `Some("")` for a record separator.
    fn logical(&mut self) -> Result<Option<String>, String> {
        let Some(mut line) = self.physical()? else { return Ok(None) };
        loop {
            match self.physical()? {
                Some(next) if next.starts_with(' ') => line.push_str(&next[1..]),
                other => {
                    self.pending = other;
                    return Ok(Some(line));
                }
            }
        }
    }
}

impl<R: BufRead> Iterator for LdifReader<R> {
    type Item = Result<Entry, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut entry: Option<Entry> = None;
        // Inside a record that is not an entry (a `ref:` search reference, the trailer).
        let mut skipping = false;
        loop {
            let line = match self.logical() {
                Ok(Some(line)) => line,
                Ok(None) => return entry.map(Ok),
                Err(e) => return Some(Err(e)),
            };
            if line.is_empty() {
                skipping = false;
                if entry.is_some() {
                    return entry.map(Ok);
                }
                continue;
            }
            if line.starts_with('#') || skipping {
                continue;
            }
            let Some((name, value)) = parse_line(&line) else {
                return Some(Err(format!("line {}: expected `attribute: value`, got `{line}`", self.line_number)));
            };
            let Some(value) = value else { continue }; // `:<` URL reference
            match (&mut entry, name.to_ascii_lowercase().as_str()) {
                (None, "version") => {}
                // `ldapsearch` without `-LLL`: a search reference, or the trailer.
                (None, "ref") => skipping = true,
                (None, "search") => {}
                (None, "result") => {
                    let result = String::from_utf8_lossy(&value).trim().to_owned();
                    if !result.starts_with("0 ") && result != "0" {
                        self.incomplete = Some(format!("the export ends with `result: {result}`, so it is incomplete"));
                    }
                }
                (None, "dn") => {
                    entry = Some(Entry { dn: String::from_utf8_lossy(&value).into_owned(), ..Entry::default() });
                }
                (None, _) => {
                    return Some(Err(format!("line {}: attribute `{name}` before any `dn:`", self.line_number)));
                }
                (Some(_), "changetype") => {}
                (Some(current), _) => current.add(&name, value),
            }
        }
    }
}

/// Splits `name: value`, `name:: base64` or `name:< url` (→ `None` value).
fn parse_line(line: &str) -> Option<(String, Option<Vec<u8>>)> {
    let (name, rest) = line.split_once(':')?;
    if name.is_empty() || name.contains(' ') {
        return None;
    }
    let value = if let Some(encoded) = rest.strip_prefix(':') {
        Some(base64_decode(encoded.trim())?)
    } else if rest.starts_with('<') {
        None
    } else {
        Some(rest.trim_start_matches(' ').as_bytes().to_vec())
    };
    Some((name.to_owned(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Entry> {
        LdifReader::new(text.as_bytes()).collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn folded_base64_and_crlf_lines_are_read() {
        let text = "version: 1\r\n\r\n# a comment\r\ndn: CN=Ann Lee,OU=Users,\r\n DC=contoso,DC=com\r\nchangetype: add\r\nobjectClass: user\r\ndisplayName:: w4VzYQ==\r\nmember;range=0-1: a\r\n\r\ndn: CN=B,DC=x\r\ncn: B\r\n";
        let entries = read(text);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].dn, "CN=Ann Lee,OU=Users,DC=contoso,DC=com");
        assert_eq!(entries[0].text("displayname").as_deref(), Some("Åsa"));
        assert_eq!(entries[0].texts("member"), ["a"]);
        assert!(entries[0].values("changetype").is_empty());
        assert_eq!(entries[1].text("cn").as_deref(), Some("B"));
    }

    #[test]
    fn references_and_the_trailer_of_plain_ldapsearch_are_skipped() {
        let text = "# extended LDIF\n#\n# LDAPv3\n\n# a, Users, x\ndn: CN=a,DC=x\ncn: a\n\n# search reference\nref: ldap://ForestDnsZones.x/DC=ForestDnsZones,DC=x\n\n# search reference\nref: ldap://DomainDnsZones.x/DC=DomainDnsZones,DC=\n x\n\n# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 4\n";
        let mut reader = LdifReader::new(text.as_bytes());
        let entries: Vec<Entry> = reader.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].dn, "CN=a,DC=x");
        assert_eq!(reader.incomplete(), None);
    }

    #[test]
    fn a_failed_result_marks_the_export_incomplete() {
        let text = "dn: CN=a,DC=x\ncn: a\n\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n";
        let mut reader = LdifReader::new(text.as_bytes());
        assert_eq!(reader.by_ref().count(), 1);
        assert!(reader.incomplete().is_some_and(|r| r.contains("4 Size limit exceeded")), "{:?}", reader.incomplete());
    }

    #[test]
    fn garbage_is_an_error_with_a_line_number() {
        let result: Result<Vec<Entry>, String> = LdifReader::new("dn: x\nthis is not ldif\n".as_bytes()).collect();
        assert!(result.unwrap_err().starts_with("line 2"));
    }
}
