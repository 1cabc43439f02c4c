//! `<defaultProxy>` in a .NET configuration file (`machine.config`, `<app>.exe.config`):
//! `configuration/system.net/defaultProxy` and its `<proxy>` child.
//!
//! ```xml
//! <configuration>
//!   <system.net>
//!     <defaultProxy enabled="true" useDefaultCredentials="true">
//!       <proxy usesystemdefault="true" proxyaddress="http://proxy.contoso.com:8080" bypassonlocal="true" />
//!     </defaultProxy>
//!   </system.net>
//! </configuration>
//! ```

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::facts::Nullable;
use crate::facts::host::DefaultProxy;
use crate::facts::known;

/// Decodes a configuration file's bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM.
#[must_use]
pub fn decode_text(bytes: &[u8]) -> String {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        [0xFF, 0xFE, rest @ ..] => {
            let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        [0xFE, 0xFF, rest @ ..] => {
            let units: Vec<u16> = rest.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Reads `configuration/system.net/defaultProxy` from a .NET configuration file.
///
/// `present: false` (other keys `null`) when the element is missing. Attribute values follow
/// .NET: `true`/`false` in any case; `Unspecified` (or no attribute) is `null`.
///
/// # Errors
///
/// The XML parser's message when the file is not well-formed XML.
pub fn default_proxy(text: &str) -> Result<DefaultProxy, String> {
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut found = DefaultProxy {
        present: known(false),
        enabled: Some(Nullable::null()),
        proxy_address: Some(Nullable::null()),
        use_system_default: Some(Nullable::null()),
        bypass_on_local: Some(Nullable::null()),
    };
    let mut seen = false;
    loop {
        let event = reader.read_event().map_err(|e| format!("{e} (at byte {})", reader.buffer_position()))?;
        match event {
            Event::Start(element) => {
                visit(&element, &path, &mut found, &mut seen);
                path.push(local_name(&element));
            }
            Event::Empty(element) => visit(&element, &path, &mut found, &mut seen),
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(format!("unclosed element <{}>", path.join("/")));
    }
    Ok(found)
}

fn local_name(element: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(element.local_name().as_ref()).into_owned()
}

/// Looks at one element given the names of its ancestors.
fn visit(element: &BytesStart<'_>, ancestors: &[String], found: &mut DefaultProxy, seen: &mut bool) {
    let name = local_name(element);
    let is = |expected: &[&str]| {
        ancestors.len() == expected.len() && ancestors.iter().zip(expected).all(|(a, e)| a.eq_ignore_ascii_case(e))
    };
    if name.eq_ignore_ascii_case("defaultProxy") && is(&["configuration", "system.net"]) && !*seen {
        *seen = true;
        found.present = known(true);
        found.enabled = Some(attribute(element, "enabled").map_or(Nullable::null(), |v| Nullable(parse_bool(&v))));
    } else if name.eq_ignore_ascii_case("proxy") && is(&["configuration", "system.net", "defaultProxy"]) {
        found.proxy_address =
            Some(Nullable(attribute(element, "proxyaddress").map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())));
        found.use_system_default =
            Some(attribute(element, "usesystemdefault").map_or(Nullable::null(), |v| Nullable(parse_bool(&v))));
        found.bypass_on_local =
            Some(attribute(element, "bypassonlocal").map_or(Nullable::null(), |v| Nullable(parse_bool(&v))));
    }
}

/// An attribute's unescaped value, matching the name case-insensitively.
fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element.attributes().flatten().find_map(|attribute| {
        let key = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
        if !key.eq_ignore_ascii_case(name) {
            return None;
        }
        let raw = String::from_utf8_lossy(&attribute.value).into_owned();
        Some(quick_xml::escape::unescape(&raw).map_or(raw.clone(), std::borrow::Cow::into_owned))
    })
}

/// `true`/`false` in any case; anything else (`Unspecified`) is unknown.
fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_proxy_block() {
        let text = r#"<?xml version="1.0"?><configuration><system.net>
            <defaultProxy enabled="true" useDefaultCredentials="true">
              <proxy usesystemdefault="true" proxyaddress="http://proxy.contoso.com:8080" bypassonlocal="true" />
            </defaultProxy></system.net></configuration>"#;
        let proxy = default_proxy(text).unwrap();
        assert_eq!(proxy.present, known(true));
        assert_eq!(proxy.enabled, Some(Nullable::value(true)));
        assert_eq!(proxy.proxy_address, Some(Nullable::value("http://proxy.contoso.com:8080".to_owned())));
        assert_eq!(proxy.use_system_default, Some(Nullable::value(true)));
        assert_eq!(proxy.bypass_on_local, Some(Nullable::value(true)));
    }

    #[test]
    fn a_missing_block_is_not_present_and_elsewhere_does_not_count() {
        let text = r#"<configuration><location path="x"><system.net><defaultProxy enabled="true"/></system.net></location></configuration>"#;
        let proxy = default_proxy(text).unwrap();
        assert_eq!(proxy.present, known(false));
        assert_eq!(proxy.proxy_address, Some(Nullable::null()));
    }

    #[test]
    fn unspecified_and_missing_attributes_are_null() {
        let text = r#"<configuration><system.net><defaultProxy><proxy usesystemdefault="Unspecified"/></defaultProxy></system.net></configuration>"#;
        let proxy = default_proxy(text).unwrap();
        assert_eq!(proxy.present, known(true));
        assert_eq!(proxy.enabled, Some(Nullable::null()));
        assert_eq!(proxy.use_system_default, Some(Nullable::null()));
        assert_eq!(proxy.proxy_address, Some(Nullable::null()));
    }

    #[test]
    fn broken_xml_is_an_error_and_boms_are_decoded() {
        assert!(default_proxy("<configuration><system.net>").is_err());
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("<a/>".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(decode_text(&utf16), "<a/>");
        assert_eq!(decode_text(b"\xEF\xBB\xBF<a/>"), "<a/>");
    }
}
