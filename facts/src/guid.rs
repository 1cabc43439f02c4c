//! GUIDs and the base64 source anchors that encode them (`ms-DS-ConsistencyGuid`,
//! `onPremisesImmutableId`), for the probes (which read objectGUIDs off the wire) and for
//! conditions: [`helpers`] adds `base64_to_guid` and the conversion of the same name to the
//! engine (its [extension point](syncdoctor_engine::extension)).

use syncdoctor_engine::extension::rhai::{Engine, ImmutableString};
use syncdoctor_engine::extension::{Conversion, Helper, Helpers};

/// The helpers this vocabulary adds to conditions: `base64_to_guid(s)`, and the conversion
/// `"base64_to_guid"` for `matched`/`unmatched` (`#{others: "base64_to_guid"}` compares objectGUIDs
/// with the `onPremisesImmutableId` values that encode them). The bundled knowledge base needs them.
pub fn helpers() -> Helpers {
    Helpers { name: "syncdoctor-facts", register, catalogue: CATALOGUE, conversions: CONVERSIONS }
}

fn register(engine: &mut Engine) {
    engine.register_fn("base64_to_guid", |s: ImmutableString| base64_to_guid(&s).unwrap_or_default());
}

const CATALOGUE: &[Helper] = &[
    Helper::new(
        "GUIDs",
        "base64_to_guid",
        "base64_to_guid(s)",
        "the GUID (lower case, Microsoft's byte order) 16 bytes of base64 encode; `\"\"` otherwise",
        "base64_to_guid(facts.entra_users[0].on_premises_immutable_id) == facts.ad.users[0].object_guid",
    ),
    Helper::new(
        "GUIDs",
        "matched",
        "matched(list, fields, others, other_fields, #{others: \"base64_to_guid\"})",
        "the items whose `fields` hold the GUID a base64 value of `other_fields` encodes (`field: \"base64_to_guid\"` converts the items' values instead)",
        r#"matched(facts.ad.users, "object_guid", facts.entra_users, "on_premises_immutable_id", #{others: "base64_to_guid"}).len() == 1"#,
    ),
];

const CONVERSIONS: &[(&str, Conversion)] = &[("base64_to_guid", base64_to_guid)];

/// The 6-bit value of one standard base64 character (`A–Z a–z 0–9 + /`).
pub fn base64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes 16 bytes of standard base64 (padding optional), without allocating: an
/// `ms-DS-ConsistencyGuid`/source anchor as the bytes of its objectGUID.
pub fn base64_16(s: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    let (mut bits, mut count, mut n) = (0u32, 0u32, 0usize);
    for c in s.trim().trim_end_matches('=').bytes() {
        let v = base64_value(c)?;
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            *out.get_mut(n)? = ((bits >> count) & 0xFF) as u8;
            n += 1;
        }
    }
    (n == 16).then_some(out)
}

/// The lower-case text (`8-4-4-4-12`) of a GUID's 16 bytes in Microsoft's layout: the first three
/// groups are little-endian.
pub fn guid_text(b: &[u8; 16]) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    const ORDER: [usize; 16] = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let mut out = [b'-'; 36];
    let mut pos = 0;
    for (i, src) in ORDER.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            pos += 1;
        }
        let byte = b.get(*src).copied().unwrap_or(0);
        if let Some(slot) = out.get_mut(pos..pos + 2) {
            let digit = |nibble: u8| HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
            slot.copy_from_slice(&[digit(byte >> 4), digit(byte & 15)]);
        }
        pos += 2;
    }
    out
}

/// [`guid_text`] as a `String`: the GUID of 16 bytes in Microsoft's layout, lower case.
pub fn guid_string(b: &[u8; 16]) -> String {
    guid_text(b).iter().map(|&c| char::from(c)).collect()
}

/// The 16 bytes, in Microsoft's layout, of a GUID written `8-4-4-4-12` (either case); the inverse
/// of [`guid_string`].
pub fn guid_bytes(s: &str) -> Option<[u8; 16]> {
    const ORDER: [usize; 16] = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let hex: Vec<u8> = s.bytes().filter(|c| *c != b'-').collect();
    if hex.len() != 32 || s.len() != 36 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        *out.get_mut(*ORDER.get(i)?)? = byte;
    }
    Some(out)
}

/// The GUID a base64 value encodes.
pub fn base64_to_guid(s: &str) -> Option<String> {
    String::from_utf8(guid_text(&base64_16(s)?).to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_of_the_helpers_is_true() {
        let failures = helpers().failing_examples();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Published pairs of a GUID and its base64 form as .NET's `[GUID]…ToByteArray()` and
    /// `[Convert]::ToBase64String` give it (the ImmutableId Entra ID holds for an objectGUID):
    /// scripting.up-in-the.cloud, "Convert a GUID into Base64 and vice versa"
    /// (https://scripting.up-in-the.cloud/aadc/convert-a-guid-into-a-base64-encoded-string.html), and
    /// ILM Best Practices, "Revisiting GUIDs, Octets and Base64"
    /// (http://blog.ilmbestpractices.com/2012/12/revisiting-guids-octets-and-base64.html).
    #[test]
    fn published_guid_and_immutable_id_pairs_convert_both_ways() {
        for (guid, base64) in [
            ("3ab39606-c642-489b-84b6-58c038d3ef39", "BpazOkLGm0iEtljAONPvOQ=="),
            ("8c4ac332-975f-4717-ad7b-ba4a4e968fff", "MsNKjF+XF0ete7pKTpaP/w=="),
        ] {
            assert_eq!(base64_to_guid(base64).as_deref(), Some(guid), "{base64}");
            assert_eq!(guid_bytes(guid), base64_16(base64), "{guid}");
        }
    }

    #[test]
    fn base64_to_guid_is_empty_for_what_is_not_16_bytes_of_base64() {
        assert_eq!(base64_to_guid("CLCXG2Sy80eZSRb0B36Jtw==").as_deref(), Some("1b97b008-b264-47f3-9949-16f4077e89b7"));
        assert_eq!(base64_to_guid("not base64!"), None);
        assert_eq!(base64_to_guid("AAAA"), None);
    }

    #[test]
    fn guids_round_trip_between_text_and_bytes() {
        let text = "1b97b008-b264-47f3-9949-16f4077e89b7";
        let bytes = guid_bytes(text).expect("a guid");
        assert_eq!(bytes, base64_16("CLCXG2Sy80eZSRb0B36Jtw==").expect("16 bytes"));
        assert_eq!(guid_string(&bytes), text);
        assert_eq!(guid_bytes(&text.to_uppercase()), Some(bytes));
        for bad in ["1b97b008b26447f3994916f4077e89b7", "1b97b008-b264-47f3-9949-16f4077e89bz", ""] {
            assert_eq!(guid_bytes(bad), None, "{bad}");
        }
    }
}
