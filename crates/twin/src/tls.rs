//! The twin's certificates.
//!
//! Azure clients refuse bearer tokens over plain http (az-cli.md §2), so ARM is served over TLS.
//! A local CA is generated once into the state directory (`ca.pem`, `ca-key.pem`) and reused on
//! every restart, so the `REQUESTS_CA_BUNDLE` a user exported stays valid. Each start issues a
//! fresh server certificate from it with SAN `IP:127.0.0.1` and `DNS:localhost`.

use crate::identity::write_private;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const CA_CERT_FILE: &str = "ca.pem";
pub const CA_KEY_FILE: &str = "ca-key.pem";

/// The local CA: its certificate on disk and the issuer that signs server certificates.
pub struct LocalCa {
    pub cert_path: PathBuf,
    cert_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

/// The CA's subject. Rebuilt identically on every start, so a server certificate's issuer name
/// and authority key id (derived from the stored key) match the stored CA certificate.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "privlink");
    name.push(DnType::CommonName, "privlink twin local CA");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params
}

impl LocalCa {
    /// Loads the CA from `state_dir`, or creates it there.
    pub fn open(state_dir: &Path) -> anyhow::Result<LocalCa> {
        let cert_path = state_dir.join(CA_CERT_FILE);
        let key_path = state_dir.join(CA_KEY_FILE);
        let (cert_pem, key) = if cert_path.exists() && key_path.exists() {
            let key_pem = std::fs::read_to_string(&key_path)?;
            let key = KeyPair::from_pem(&key_pem)
                .map_err(|e| anyhow::anyhow!("{}: not a private key: {e}", key_path.display()))?;
            (std::fs::read_to_string(&cert_path)?, key)
        } else {
            let key = KeyPair::generate()?;
            let cert = ca_params().self_signed(&key)?;
            write_private(&key_path, key.serialize_pem().as_bytes())?;
            // Public, but the state directory's files are all private to its owner.
            write_private(&cert_path, cert.pem().as_bytes())?;
            (cert.pem(), key)
        };
        let cert_der =
            pem_to_der(&cert_pem).ok_or_else(|| anyhow::anyhow!("{}: no CERTIFICATE block", cert_path.display()))?;
        Ok(LocalCa { cert_path, cert_der, issuer: Issuer::new(ca_params(), key) })
    }

    /// A certificate and key for the DNS name `name` (a backend's host name), signed by the CA, with
    /// the CA in its chain.
    pub fn certified_key(&self, name: &str) -> anyhow::Result<rustls::sign::CertifiedKey> {
        let mut params = CertificateParams::new(vec![name.to_string()])?;
        params.distinguished_name.push(DnType::CommonName, name);
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        let chain = vec![cert.der().clone(), self.cert_der.clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signing = rustls::crypto::ring::sign::any_supported_type(&key)?;
        Ok(rustls::sign::CertifiedKey::new(chain, signing))
    }

    /// A rustls server configuration presenting a new certificate for 127.0.0.1 and localhost.
    pub fn server_config(&self) -> anyhow::Result<Arc<rustls::ServerConfig>> {
        let mut params = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])?;
        params.distinguished_name.push(DnType::CommonName, "privlink twin");
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        let chain = vec![cert.der().clone(), self.cert_der.clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// The DER bytes of the first certificate in a PEM text.
fn pem_to_der(pem: &str) -> Option<CertificateDer<'static>> {
    use base64::Engine;
    let body = pem.split("-----BEGIN CERTIFICATE-----").nth(1)?.split("-----END CERTIFICATE-----").next()?;
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(compact).ok().map(CertificateDer::from)
}
