//! TLS handshakes that record the certificate chain a server (or an inspecting proxy) presents
//! (`network.tls[]`), and the verdict on it.
//!
//! The handshake accepts any chain (the point is to see it, not to trust it) but still checks
//! the server's handshake signature. The chain is then judged on its own:
//!
//! - `issuer_is_microsoft_or_public_ca` — the chain builds to a public root: Mozilla's root
//!   program as shipped in `webpki-roots`, which includes the roots Azure's published CA list
//!   chains to (DigiCert Global Root G2/G3, Microsoft RSA/ECC Root CA 2017…). An
//!   enterprise or firewall CA that re-signs traffic (TLS inspection) is not one of them. Expiry
//!   does not change the verdict: an expired public chain is still not inspection.
//! - `hostname_match` — the leaf certificate is valid for the host name.

use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::tcp::{HttpProxy, connect, tunnel};
use crate::facts::Nullable;
use crate::facts::network::TlsCheck;
use crate::facts::{known, lift};

/// The roots a chain must build to for `issuer_is_microsoft_or_public_ca`.
#[derive(Debug, Clone)]
pub struct TlsJudge {
    anchors: Vec<TrustAnchor<'static>>,
}

impl Default for TlsJudge {
    fn default() -> Self {
        Self::public()
    }
}

impl TlsJudge {
    /// The public roots (Mozilla's root program, `webpki-roots`).
    #[must_use]
    pub fn public() -> Self {
        Self { anchors: webpki_roots::TLS_SERVER_ROOTS.to_vec() }
    }

    /// The public roots plus `extra` roots (PEM text) to treat as public too.
    ///
    /// # Errors
    ///
    /// A message when the PEM holds no certificate or one that cannot be a trust anchor.
    pub fn with_extra_roots(mut self, pem: &str) -> Result<Self, String> {
        let ders = pem_certificates(pem);
        if ders.is_empty() {
            return Err("no CERTIFICATE block in the extra roots".into());
        }
        for der in ders {
            let anchor =
                webpki::anchor_from_trusted_cert(&der).map_err(|e| format!("bad extra root certificate: {e}"))?;
            self.anchors.push(anchor.to_owned());
        }
        Ok(self)
    }

    /// Whether `chain` (leaf first) builds to one of the roots, expiry aside.
    #[must_use]
    pub fn is_public(&self, chain: &[CertificateDer<'static>]) -> bool {
        let Some((leaf, intermediates)) = chain.split_first() else { return false };
        let Ok(end_entity) = webpki::EndEntityCert::try_from(leaf) else { return false };
        let verdict = end_entity.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.anchors,
            intermediates,
            UnixTime::now(),
            webpki::KeyUsage::server_auth(),
            None,
            None,
        );
        match verdict {
            Ok(_) => true,
            Err(error) => matches!(
                error,
                webpki::Error::CertExpired { .. }
                    | webpki::Error::CertNotValidYet { .. }
                    | webpki::Error::InvalidCertValidity
            ),
        }
    }
}

/// Whether the leaf certificate is valid for `host`.
#[must_use]
pub fn hostname_matches(leaf: &CertificateDer<'static>, host: &str) -> bool {
    let Ok(end_entity) = webpki::EndEntityCert::try_from(leaf) else { return false };
    let Ok(name) = ServerName::try_from(host.to_owned()) else { return false };
    end_entity.verify_is_valid_for_subject_name(&name).is_ok()
}

/// The `CERTIFICATE` blocks of PEM text, as DER.
#[must_use]
pub fn pem_certificates(pem: &str) -> Vec<CertificateDer<'static>> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut body = String::new();
    for line in pem.lines() {
        let line = line.trim();
        if line == "-----BEGIN CERTIFICATE-----" {
            inside = true;
            body.clear();
        } else if line == "-----END CERTIFICATE-----" {
            inside = false;
            if let Some(der) = base64_decode(&body) {
                out.push(CertificateDer::from(der));
            }
        } else if inside {
            body.push_str(line);
        }
    }
    out
}

/// Standard base64, whitespace ignored, padding optional (a PEM body).
#[must_use]
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    use base64::alphabet::STANDARD;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    LENIENT.decode(bytes).ok()
}

/// Subject and issuer of a certificate in RFC 4514 order (`CN=…, O=…, C=…`).
#[must_use]
pub fn names(der: &[u8]) -> Option<(String, String)> {
    let (_, certificate) = X509Certificate::from_der(der).ok()?;
    Some((rfc4514(certificate.subject()), rfc4514(certificate.issuer())))
}

fn rfc4514(name: &x509_parser::x509::X509Name<'_>) -> String {
    let registry = x509_parser::objects::oid_registry();
    let mut parts = Vec::new();
    for rdn in name.iter_rdn().collect::<Vec<_>>().into_iter().rev() {
        for attribute in rdn.iter() {
            let key = x509_parser::objects::oid2abbrev(attribute.attr_type(), registry)
                .map_or_else(|_| attribute.attr_type().to_id_string(), str::to_owned);
            let key = match key.as_str() {
                "commonName" => "CN".to_owned(),
                "countryName" => "C".to_owned(),
                "organizationName" => "O".to_owned(),
                "organizationalUnitName" => "OU".to_owned(),
                "localityName" => "L".to_owned(),
                "stateOrProvinceName" => "ST".to_owned(),
                _ => key,
            };
            let value = attribute.as_str().map_or_else(|_| "#…".to_owned(), str::to_owned);
            parts.push(format!("{key}={value}"));
        }
    }
    parts.join(", ")
}

/// Records the chain the server presents and accepts it; handshake signatures are still checked.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            *chain = std::iter::once(end_entity).chain(intermediates).map(|c| c.clone().into_owned()).collect();
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A TLS handshake with `host:port` (SNI `host`), directly or through `proxy`, judged by `judge`.
#[must_use]
pub fn tls_check(host: &str, port: u16, proxy: Option<&HttpProxy>, timeout: Duration, judge: &TlsJudge) -> TlsCheck {
    let mut check = TlsCheck { host: known(host.to_owned()), port: known(port), ..TlsCheck::default() };
    let stream = match proxy {
        Some(proxy) => match tunnel(proxy, host, port, timeout) {
            Ok((stream, 200)) => Ok(stream),
            Ok((_, status)) => Err(format!("proxy answered {status} to CONNECT {host}:{port}")),
            Err(e) => Err(e),
        },
        None => connect(host, port, timeout),
    };
    let mut stream = match stream {
        Ok(stream) => stream,
        Err(error) => {
            check.error = Some(Nullable::value(error));
            return check;
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder =
        Arc::new(Recorder { chain: Mutex::new(Vec::new()), algorithms: provider.signature_verification_algorithms });
    let result = handshake(&mut stream, host, &provider, Arc::clone(&recorder) as Arc<dyn ServerCertVerifier>);
    let chain = recorder.chain.lock().map(|c| c.clone()).unwrap_or_default();
    if let Some(leaf) = chain.first() {
        let named: Vec<(String, String)> = chain.iter().filter_map(|c| names(c)).collect();
        if let Some((subject, issuer)) = named.first() {
            check.leaf_subject = known(subject.clone());
            check.leaf_issuer = known(issuer.clone());
        }
        check.chain = known(named.iter().map(|(subject, _)| subject.clone()).collect());
        // The root is what the last presented certificate was issued by.
        check.root_subject = lift(named.last().map(|(_, issuer)| issuer.clone()));
        check.issuer_is_microsoft_or_public_ca = known(judge.is_public(&chain));
        check.hostname_match = known(hostname_matches(leaf, host));
    }
    check.error = Some(Nullable(result.err()));
    check
}

fn handshake(
    stream: &mut TcpStream,
    host: &str,
    provider: &Arc<CryptoProvider>,
    verifier: Arc<dyn ServerCertVerifier>,
) -> Result<(), String> {
    let config = ClientConfig::builder_with_provider(Arc::clone(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).map_err(|e| format!("bad TLS server name {host}: {e}"))?;
    let mut connection = ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    while connection.is_handshaking() {
        match connection.complete_io(stream) {
            Ok((0, 0)) if connection.is_handshaking() => {
                return Err("the server closed the connection during the TLS handshake".into());
            }
            Ok(_) => {}
            Err(e) => return Err(format!("TLS handshake failed: {e}")),
        }
    }
    connection.send_close_notify();
    let _ = connection.complete_io(stream);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_what_pem_holds() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert!(base64_decode("a$==").is_none());
    }

    #[test]
    fn the_public_roots_include_the_ones_azure_chains_to() {
        let judge = TlsJudge::public();
        let subjects: Vec<String> =
            judge.anchors.iter().map(|a| String::from_utf8_lossy(a.subject.as_ref()).into_owned()).collect();
        for expected in ["DigiCert Global Root G2", "Microsoft RSA Root Certificate Authority 2017"] {
            assert!(subjects.iter().any(|s| s.contains(expected)), "{expected} is a public root");
        }
    }
}
