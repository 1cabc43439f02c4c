//! A certificate like the cloud provisioning agent's, for the agent-certificate tests (the unit
//! tests in `src/files/agent_certificate.rs` include this file too).

/// The extension that carries the agent id (the agent's certificate, as AADInternals documents it).
pub const AGENT_ID_EXTENSION: [u64; 9] = [1, 3, 6, 1, 4, 1, 311, 82, 1];

/// A self-signed certificate whose subject CN is a tenant id and, with `agent`, whose extension
/// 1.3.6.1.4.1.311.82.1 holds those 16 bytes (an agent id in .NET `Guid.ToByteArray()` order).
pub fn agent_certificate(agent: Option<[u8; 16]>) -> rcgen::Certificate {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("certificate parameters");
    params.distinguished_name.push(rcgen::DnType::CommonName, "513d8d3d-7498-4d8c-85ed-b485ed5c39a9");
    if let Some(raw) = agent {
        params.custom_extensions.push(rcgen::CustomExtension::from_oid_content(&AGENT_ID_EXTENSION, raw.to_vec()));
    }
    params.self_signed(&rcgen::KeyPair::generate().expect("key pair")).expect("self-signed certificate")
}
