//! The server's master key (32 bytes). It seals secrets stored in the database (TOTP seeds) and
//! derives the keys that sign API tokens, so a copy of the database alone can neither read the
//! seeds nor mint tokens. It comes from `PMS_MASTER_KEY` (base64); a development machine
//! without one gets a generated key file in the data folder.

use std::path::Path;

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::AuthError;

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

/// Where the key came from (logged at start-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    ExistingFile,
    NewFile,
}

impl MasterKey {
    pub fn from_base64(text: &str) -> Result<Self, AuthError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| AuthError::MasterKey(format!("not base64: {e}")))?;
        let key: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            AuthError::MasterKey(format!("{} bytes, expected 32", b.len()))
        })?;
        Ok(Self(key))
    }

    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// The key from `env_value` if given, else from `file`, creating it (mode 0600) if absent.
    pub fn load_or_create(
        env_value: Option<&str>,
        file: &Path,
    ) -> Result<(Self, KeySource), AuthError> {
        if let Some(value) = env_value.filter(|v| !v.trim().is_empty()) {
            return Ok((Self::from_base64(value)?, KeySource::Environment));
        }
        match std::fs::read_to_string(file) {
            Ok(text) => Ok((Self::from_base64(&text)?, KeySource::ExistingFile)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                write_private(file, &key.to_base64()).map_err(|e| {
                    AuthError::MasterKey(format!("cannot write {}: {e}", file.display()))
                })?;
                Ok((key, KeySource::NewFile))
            }
            Err(e) => Err(AuthError::MasterKey(format!(
                "cannot read {}: {e}",
                file.display()
            ))),
        }
    }

    /// Encrypts and authenticates `plaintext`: a random nonce followed by the ciphertext.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let cipher = ChaCha20Poly1305::new((&self.0).into());
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        // Encryption with a fresh nonce cannot fail for inputs under the AEAD's 256 GiB limit.
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext)
            .unwrap_or_default();
        [nonce.as_slice(), &ciphertext].concat()
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, AuthError> {
        if sealed.len() <= NONCE_LEN {
            return Err(AuthError::Unseal);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        ChaCha20Poly1305::new((&self.0).into())
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| AuthError::Unseal)
    }

    /// The key that seals the audit chain (see `pms_store::audit`).
    pub fn audit_key(&self) -> pms_store::audit::AuditKey {
        pms_store::audit::AuditKey::new(self.derive("audit-chain", b"v1"))
    }

    /// A 256-bit key for one `purpose`, made unique by `salt` (HMAC-SHA256 as a KDF).
    pub fn derive(&self, purpose: &str, salt: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(salt);
        mac.finalize().into_bytes().into()
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(text.as_bytes())
    }
    #[cfg(not(unix))]
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"JBSWY3DPEHPK3PXP");
        assert_eq!(
            key.open(&sealed).ok().as_deref(),
            Some(&b"JBSWY3DPEHPK3PXP"[..])
        );
        assert!(MasterKey::generate().open(&sealed).is_err());
        assert!(key.open(&sealed[..5]).is_err());
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_salt() {
        let key = MasterKey::generate();
        assert_ne!(key.derive("api-token", b"a"), key.derive("api-token", b"b"));
        assert_ne!(key.derive("api-token", b"a"), key.derive("other", b"a"));
        assert_eq!(key.derive("api-token", b"a"), key.derive("api-token", b"a"));
    }

    #[test]
    fn base64_round_trip_and_wrong_length_is_refused() {
        let key = MasterKey::generate();
        assert!(MasterKey::from_base64(&key.to_base64()).is_ok());
        assert!(MasterKey::from_base64("c2hvcnQ=").is_err());
    }
}
