//! Secrets kept in the database (Google's tokens) are sealed with AES-256-GCM under
//! `AIDA_ENCRYPTION_KEY`. A sealed value names the key that sealed it (the first bytes of the
//! key's SHA-256), so after a rotation values sealed under `AIDA_ENCRYPTION_KEY_PREVIOUS`
//! still open until `aida reencrypt` has sealed them anew. Each value is bound to what it is
//! (`context`, e.g. `google:7:refresh`): a value copied into another row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

const PREFIX: &str = "v1.";
const ID_LEN: usize = 4;
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("is not base64")]
    NotBase64,
    #[error("must be 32 bytes (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)")]
    WrongLength,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("sealed under a key this server does not have")]
    UnknownKey,
    #[error("not a sealed value, or altered")]
    Damaged,
}

struct Key {
    id: [u8; ID_LEN],
    cipher: Aes256Gcm,
}

impl Key {
    fn read(base64: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(base64.trim())
            .map_err(|_| KeyError::NotBase64)?;
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| KeyError::WrongLength)?;
        let digest = Sha256::digest(&bytes);
        let mut id = [0; ID_LEN];
        id.copy_from_slice(&digest[..ID_LEN]);
        Ok(Self { id, cipher })
    }
}

/// The current key, and the one before it during a rotation.
pub struct Keys {
    current: Key,
    previous: Option<Key>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys([redacted])")
    }
}

/// What [`Keys::open`] found: the value, and whether it was sealed under the previous key
/// (and should be sealed anew).
#[derive(Debug, PartialEq, Eq)]
pub struct Opened {
    pub text: String,
    pub stale: bool,
}

impl Keys {
    pub fn new(current: &str, previous: Option<&str>) -> Result<Self, KeyError> {
        Ok(Self {
            current: Key::read(current)?,
            previous: previous.map(Key::read).transpose()?,
        })
    }

    /// `text` sealed under the current key, bound to `context`.
    pub fn seal(&self, text: &str, context: &str) -> String {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let sealed = self
            .current
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: text.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encrypts any input under 64 GiB");
        let mut out = Vec::with_capacity(ID_LEN + NONCE_LEN + sealed.len());
        out.extend_from_slice(&self.current.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Opened, OpenError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|b| b.len() > ID_LEN + NONCE_LEN)
            .ok_or(OpenError::Damaged)?;
        let (id, rest) = bytes.split_at(ID_LEN);
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let (key, stale) = if id == self.current.id {
            (&self.current, false)
        } else {
            match &self.previous {
                Some(previous) if id == previous.id => (previous, true),
                _ => return Err(OpenError::UnknownKey),
            }
        };
        let text = key
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| OpenError::Damaged)?;
        Ok(Opened {
            text: String::from_utf8(text).map_err(|_| OpenError::Damaged)?,
            stale,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> String {
        STANDARD.encode([byte; 32])
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let keys = Keys::new(&key(1), None).expect("keys");
        let sealed = keys.seal("1//refresh-token", "google:7:refresh");
        assert!(!sealed.contains("refresh-token"));
        assert_ne!(
            sealed,
            keys.seal("1//refresh-token", "google:7:refresh"),
            "fresh nonces"
        );
        assert_eq!(
            keys.open(&sealed, "google:7:refresh"),
            Ok(Opened {
                text: "1//refresh-token".into(),
                stale: false
            })
        );
        assert_eq!(
            keys.open(&sealed, "google:8:refresh"),
            Err(OpenError::Damaged)
        );
        let mut altered = sealed.clone();
        altered.pop();
        altered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(
            keys.open(&altered, "google:7:refresh"),
            Err(OpenError::Damaged)
        );
        assert_eq!(
            keys.open("plain text", "google:7:refresh"),
            Err(OpenError::Damaged)
        );
        let other = Keys::new(&key(2), None).expect("keys");
        assert_eq!(
            other.open(&sealed, "google:7:refresh"),
            Err(OpenError::UnknownKey)
        );
    }

    #[test]
    fn after_a_rotation_old_values_open_as_stale() {
        let old = Keys::new(&key(1), None).expect("keys");
        let sealed = old.seal("token", "c");
        let rotated = Keys::new(&key(2), Some(&key(1))).expect("keys");
        assert_eq!(
            rotated.open(&sealed, "c"),
            Ok(Opened {
                text: "token".into(),
                stale: true
            })
        );
        let resealed = rotated.seal("token", "c");
        let only_new = Keys::new(&key(2), None).expect("keys");
        assert_eq!(only_new.open(&resealed, "c").map(|o| o.stale), Ok(false));
        assert_eq!(only_new.open(&sealed, "c"), Err(OpenError::UnknownKey));
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert_eq!(
            Keys::new("not base64!", None).err(),
            Some(KeyError::NotBase64)
        );
        assert_eq!(
            Keys::new(&STANDARD.encode([0; 16]), None).err(),
            Some(KeyError::WrongLength)
        );
        assert_eq!(
            format!("{:?}", Keys::new(&key(1), None).expect("keys")),
            "Keys([redacted])"
        );
    }
}
