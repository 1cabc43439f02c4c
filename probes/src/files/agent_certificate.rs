//! This host's provisioning agent id, from a copy of the agent's client certificate.
//!
//! The agents of the Application Proxy family (the pass-through authentication agent and the
//! provisioning agent cloud sync uses) authenticate with a client certificate that the service
//! issues at registration. Its extension [`AGENT_ID_OID`] holds the agent's id as 16 bytes in
//! .NET `Guid` byte order; AADInternals reads it that way (`PTAAgent.ps1`, `Set-PTACertificate`:
//! `[guid]$extension.RawData` for OID `1.3.6.1.4.1.311.82.1`), and that id is the `id` Microsoft
//! Graph lists for the agent (`onPremisesAgent`). Export the certificate from the agent host's
//! `Cert:\LocalMachine\My` (public part only: `Export-Certificate -FilePath agent.cer`) and name
//! the copy in `files.agent_certificate`.

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::ad_objects::guid_text;

/// The certificate extension that holds the agent id.
pub const AGENT_ID_OID: &str = "1.3.6.1.4.1.311.82.1";

/// The agent id in a DER or PEM certificate: `Ok(None)` when the certificate has no agent-id
/// extension (or one that is not 16 bytes), an error when the bytes are not a certificate.
pub fn agent_id(bytes: &[u8]) -> Result<Option<String>, String> {
    let der;
    let der_bytes = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        let (_, pem) = x509_parser::pem::parse_x509_pem(bytes.trim_ascii_start())
            .map_err(|e| format!("not a PEM certificate: {e}"))?;
        der = pem.contents;
        der.as_slice()
    } else {
        bytes
    };
    let (_, cert) = X509Certificate::from_der(der_bytes).map_err(|e| format!("not an X.509 certificate: {e}"))?;
    Ok(cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == AGENT_ID_OID)
        .filter(|e| e.value.len() == 16)
        .and_then(|e| guid_text(e.value)))
}

#[cfg(test)]
#[path = "../../tests/support/agent_cert.rs"]
mod agent_cert;

#[cfg(test)]
mod tests {
    use super::*;

    use super::agent_cert::{self, agent_certificate as certificate};

    #[test]
    fn the_test_certificate_carries_the_oid_the_probe_reads() {
        let oid: Vec<String> = agent_cert::AGENT_ID_EXTENSION.iter().map(u64::to_string).collect();
        assert_eq!(oid.join("."), AGENT_ID_OID);
    }

    #[test]
    fn reads_the_agent_id_in_dotnet_byte_order_from_der_and_pem() {
        // AADInternals' example agent id 005b136f-db3e-4b54-9d8b-8994f7717de6, as .NET's
        // Guid.ToByteArray() lays it out (first three groups little-endian).
        let raw = [0x6f, 0x13, 0x5b, 0x00, 0x3e, 0xdb, 0x54, 0x4b, 0x9d, 0x8b, 0x89, 0x94, 0xf7, 0x71, 0x7d, 0xe6];
        let cert = certificate(Some(raw));
        let want = Some("005b136f-db3e-4b54-9d8b-8994f7717de6".to_owned());
        assert_eq!(agent_id(cert.der()), Ok(want.clone()));
        assert_eq!(agent_id(cert.pem().as_bytes()), Ok(want));
    }

    #[test]
    fn a_certificate_without_the_extension_says_unknown_and_garbage_is_an_error() {
        assert_eq!(agent_id(certificate(None).der()), Ok(None));
        assert!(agent_id(b"not a certificate").unwrap_err().contains("not an X.509 certificate"));
        assert!(agent_id(b"-----BEGIN CERTIFICATE-----\n@@@\n").unwrap_err().contains("PEM"));
    }
}
