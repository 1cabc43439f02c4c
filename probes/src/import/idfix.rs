//! IdFix CSV exports (`facts.md` §B.2.10, source `idfix-csv`).
//!
//! IdFix (github.com/microsoft/idfix) exports its grid with **Export → CSV**
//! (`src/IdFixGridExtensions.cs`, `ToCsv`): one header line of the grid's column names in upper
//! case, then one line per error, fields joined with `,`. The columns, in the grid's order
//! (`src/FormApp.Designer.cs`), are:
//!
//! `DISTINGUISHEDNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION`
//!
//! - `ERROR` is the IdFix `ErrorType` flags of the attribute's failed rules joined with `", "`
//!   (`ComposedRuleResult.ErrorsToString`), e.g. `Character` or `"Format, TopLevelDomain"`;
//!   the names are those of `src/Settings/Enums.cs` plus `MailMatch` (dedicated rule set). They
//!   are read case-insensitively (IdFix 1.x logs print them upper case).
//! - IdFix quotes a field only when it contains a comma (and does not double quotes inside it);
//!   the reader accepts that as well as RFC 4180 quoting. CRLF or LF, a UTF-8 BOM, and UTF-16
//!   with a BOM (a file re-saved as "Unicode text") are accepted.
//! - Columns are found by name, so a re-ordered file, IdFix's own import spelling `PROPOSED`
//!   and extra columns are fine; `DISTINGUISHEDNAME`, `ATTRIBUTE` and `ERROR` are required.
//!
//! Each row becomes one [`Finding`] per error name (a row with `"Format, Character"` gives two
//! findings with the same object, attribute and value), so that `category` stays one value.
//! Empty `OBJECTCLASS`, `VALUE` and `UPDATE` fields are `null`. A row that cannot be used (wrong
//! number of fields, no distinguished name) is skipped and named with its line; an unknown error
//! name gives a finding with a `null` category and is named too: the import is then `partial`.
//! IdFix shows and exports at most 50 000 errors per block (`IdFixGrid.PageSize`): an export of
//! exactly that many rows may be one block of several, which also makes the import `partial`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::facts::dataquality::{DataQuality, DataQualitySource, Duplicates, Finding, IdFixCategory};
use crate::facts::{Known, Nullable, known};

/// Rows IdFix shows (and so exports) per block.
pub const IDFIX_BLOCK_ROWS: usize = 50_000;

/// What one IdFix export held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdfixImport {
    /// One finding per row and error name.
    pub findings: Vec<Finding>,
    /// Rows read (header excluded, skipped rows included).
    pub rows: usize,
    /// What made the file incomplete, each with its line.
    pub problems: Vec<String>,
}

/// Reads an IdFix CSV export.
///
/// # Errors
///
/// The file cannot be read or decoded, or its header is not an IdFix header.
pub fn import_idfix(path: &Path) -> Result<IdfixImport, String> {
    let text = syncdoctor_engine::text_file::read_located_utf16(path, syncdoctor_engine::text_file::max_bytes())
        .map_err(|d| d.to_string().trim_start_matches(&format!("{}:", path.display())).trim().to_owned())?;
    parse_idfix(&text)
}

/// The column index of each field IdFix writes.
struct Columns {
    dn: usize,
    object_class: Option<usize>,
    attribute: usize,
    error: usize,
    value: Option<usize>,
    update: Option<usize>,
    width: usize,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Result<Self, String> {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_ascii_uppercase()).collect();
        let find = |name: &str| names.iter().position(|n| n == name);
        let missing: Vec<&str> =
            ["DISTINGUISHEDNAME", "ATTRIBUTE", "ERROR"].into_iter().filter(|n| find(n).is_none()).collect();
        if !missing.is_empty() {
            return Err(format!(
                "line 1: not an IdFix export: the header lacks {} (found: {}); IdFix writes \
                 DISTINGUISHEDNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,PROPOSEDACTION,ACTION",
                missing.join(", "),
                if names.is_empty() { "nothing".to_owned() } else { names.join(",") }
            ));
        }
        Ok(Self {
            dn: find("DISTINGUISHEDNAME").unwrap_or_default(),
            object_class: find("OBJECTCLASS"),
            attribute: find("ATTRIBUTE").unwrap_or_default(),
            error: find("ERROR").unwrap_or_default(),
            value: find("VALUE"),
            update: find("UPDATE"),
            width: names.len(),
        })
    }
}

/// Parses the text of an IdFix CSV export.
///
/// # Errors
///
/// The text is empty or its first line is not an IdFix header.
pub fn parse_idfix(text: &str) -> Result<IdfixImport, String> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::None).from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| format!("line 1: {e}"))?.clone();
    if header.is_empty() || (header.len() == 1 && header.get(0).is_some_and(|h| h.trim().is_empty())) {
        return Err("the file is empty: an IdFix export starts with its header line".into());
    }
    let columns = Columns::from_header(&header)?;
    let mut out = IdfixImport::default();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // The CSV reader cannot go on after an I/O-level error; what was read is kept.
                out.problems.push(format!("line {line}: {e}"));
                break;
            }
        }
        let line = record.position().map_or(line, |p| line_of(text, p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        if record.len() != columns.width {
            out.problems.push(format!(
                "line {line}: {} fields where the header has {}; row skipped (a value with a line break or an unescaped quote?)",
                record.len(),
                columns.width
            ));
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or_default();
        let optional = |i: Option<usize>| i.map(field);
        let dn = field(columns.dn).trim();
        if dn.is_empty() {
            out.problems.push(format!("line {line}: no DISTINGUISHEDNAME; row skipped"));
            continue;
        }
        let text_or_null = |value: Option<&str>| -> Option<Nullable<String>> {
            match value {
                None => None,
                Some(v) if v.trim().is_empty() => Some(Nullable::null()),
                Some(v) => known(v.to_owned()),
            }
        };
        let base = Finding {
            dn: known(dn.to_owned()),
            object_class: text_or_null(optional(columns.object_class).map(str::trim)),
            attribute: text_or_null(Some(field(columns.attribute).trim())),
            category: None,
            value: text_or_null(optional(columns.value)),
            suggestion: text_or_null(optional(columns.update)),
        };
        let names: Vec<&str> = field(columns.error).split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
        if names.is_empty() {
            out.problems.push(format!("line {line}: empty ERROR; kept with an unknown category"));
            out.findings.push(Finding { category: Some(Nullable::null()), ..base });
            continue;
        }
        for name in names {
            let category = if let Some(c) = category(name) {
                known(c)
            } else {
                out.problems.push(format!("line {line}: unknown IdFix error `{name}`; kept with an unknown category"));
                Some(Nullable::null())
            };
            out.findings.push(Finding { category, ..base.clone() });
        }
    }
    if out.rows == IDFIX_BLOCK_ROWS {
        out.problems.push(format!(
            "{IDFIX_BLOCK_ROWS} rows: IdFix shows and exports at most {IDFIX_BLOCK_ROWS} errors per block, so this may be one block of several (export each block)"
        ));
    }
    Ok(out)
}

/// The 1-based line of the record starting at byte `offset` (the CSV reader's own line count
/// lags by one after a CRLF, whose `\n` it reads as the start of the next record).
fn line_of(text: &str, offset: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut at = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    while bytes.get(at).is_some_and(|b| *b == b'\r' || *b == b'\n') {
        at += 1;
    }
    1 + bytes.get(..at).unwrap_or_default().iter().filter(|b| **b == b'\n').count() as u64
}

/// An IdFix error name, in any case.
fn category(name: &str) -> Option<IdFixCategory> {
    let all = [
        ("character", IdFixCategory::Character),
        ("format", IdFixCategory::Format),
        ("topleveldomain", IdFixCategory::TopLevelDomain),
        ("domainpart", IdFixCategory::DomainPart),
        ("localpart", IdFixCategory::LocalPart),
        ("length", IdFixCategory::Length),
        ("duplicate", IdFixCategory::Duplicate),
        ("blank", IdFixCategory::Blank),
        ("mailmatch", IdFixCategory::MailMatch),
    ];
    let lower = name.to_ascii_lowercase();
    all.into_iter().find(|(n, _)| *n == lower).map(|(_, c)| c)
}

/// The `dataquality` facts of the findings of one or more exports: the findings, their count per
/// category and, per attribute IdFix checks for duplicates, how many `Duplicate` findings the
/// exports hold.
#[must_use]
pub fn data_quality(findings: Vec<Finding>) -> DataQuality {
    let mut per_category: BTreeMap<String, u64> = BTreeMap::new();
    let mut duplicates: BTreeMap<&str, u64> = BTreeMap::new();
    for finding in &findings {
        let Some(&category) = finding.category.known() else { continue };
        let name = serde_json::to_value(category).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        *per_category.entry(name).or_default() += 1;
        if category == IdFixCategory::Duplicate {
            let attribute = finding.attribute.known().map(|a| a.to_ascii_lowercase());
            if let Some(key) = attribute.as_deref().and_then(duplicate_key) {
                *duplicates.entry(key).or_default() += 1;
            }
        }
    }
    let counts: BTreeMap<String, Nullable<u64>> =
        per_category.into_iter().map(|(name, n)| (name, Nullable::value(n))).collect();
    let count = |key: &str| known(duplicates.get(key).copied().unwrap_or(0));
    DataQuality {
        source: known(DataQualitySource::IdfixCsv),
        rule_set: None,
        counts: Some(counts),
        duplicates: Some(Duplicates {
            upn: count("upn"),
            proxy_address: count("proxy_address"),
            mail: count("mail"),
            mail_nickname: count("mail_nickname"),
            sam_account_name: count("sam_account_name"),
            target_address: count("target_address"),
        }),
        findings: Some(findings),
    }
}

/// The `dataquality.duplicates` key of an attribute IdFix checks for duplicates.
fn duplicate_key(attribute: &str) -> Option<&'static str> {
    Some(match attribute {
        "userprincipalname" => "upn",
        "proxyaddresses" => "proxy_address",
        "mail" => "mail",
        "mailnickname" => "mail_nickname",
        "samaccountname" => "sam_account_name",
        "targetaddress" => "target_address",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_are_read_in_any_case() {
        assert_eq!(category("CHARACTER"), Some(IdFixCategory::Character));
        assert_eq!(category("TopLevelDomain"), Some(IdFixCategory::TopLevelDomain));
        assert_eq!(category("mailmatch"), Some(IdFixCategory::MailMatch));
        assert_eq!(category("Typo"), None);
    }

    #[test]
    fn a_header_that_is_not_idfix_is_refused_with_what_it_lacks() {
        let error = parse_idfix("Name,Mail\r\nann,ann@contoso.com\r\n").map(|_| ()).unwrap_err();
        assert!(error.starts_with("line 1: not an IdFix export: the header lacks DISTINGUISHEDNAME, ATTRIBUTE, ERROR"));
        assert!(parse_idfix("").map(|_| ()).unwrap_err().contains("empty"));
    }

    #[test]
    fn rows_with_the_wrong_width_are_skipped_and_located() {
        let text = "DISTINGUISHEDNAME,ATTRIBUTE,ERROR\nCN=a,mail,Duplicate\nCN=b,mail\nCN=c,mail,Blank\n";
        let read = parse_idfix(text).unwrap();
        assert_eq!(read.rows, 3);
        assert_eq!(read.findings.len(), 2);
        assert_eq!(read.problems.len(), 1);
        assert!(read.problems[0].starts_with("line 3: 2 fields where the header has 3"), "{:?}", read.problems);
        let crlf = parse_idfix(&text.replace('\n', "\r\n")).unwrap();
        assert_eq!(crlf.problems, read.problems, "CRLF lines are counted the same");
    }
}
