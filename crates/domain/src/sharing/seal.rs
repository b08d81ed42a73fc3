//! Sealed tokens: what the server hands a consumer and takes back later (paging
//! cursors, row references) without the consumer being able to read or forge it.
//! XChaCha20-Poly1305 under a key derived from the installation's secret; each token
//! is bound to what it is for (the associated data), so a token issued for one use is
//! refused for any other.
//!
//! Two kinds: `seal` takes a random nonce (the same content gives a different token
//! each time), `seal_fixed` derives the nonce from the content with HMAC-SHA-256 (the
//! same content gives the same token, so a consumer can recognise a row it has seen
//! without learning anything of its key).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const NONCE: usize = 24;
/// Longest token accepted (a larger one is refused before any work is done). Room for
/// a cursor after the longest key a pool may have (text items of 4,000 bytes, each
/// character escaped in the worst case): a page must never end on a key whose cursor
/// would not open again.
pub const MAX_TOKEN: usize = 64 * 1024;

/// Seals and opens tokens with keys derived from one 32-byte secret.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    nonce_key: [u8; 32],
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

fn derive(secret: &[u8; 32], label: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"govshare-seal\0");
    h.update(label.as_bytes());
    h.update([0]);
    h.update(secret);
    h.finalize().into()
}

impl Sealer {
    pub fn new(secret: &[u8; 32]) -> Sealer {
        let key = derive(secret, "cipher");
        Sealer {
            cipher: XChaCha20Poly1305::new(&key.into()),
            nonce_key: derive(secret, "nonce"),
        }
    }

    fn seal_with(&self, nonce: [u8; NONCE], bound_to: &[u8], content: &[u8]) -> String {
        let nonce = XNonce::from(nonce);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: content,
                    aad: bound_to,
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// A token for `content`, bound to `bound_to`, different every time.
    pub fn seal(&self, bound_to: &[u8], content: &[u8]) -> String {
        use rand::RngCore;
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        self.seal_with(nonce, bound_to, content)
    }

    /// A token for `content`, bound to `bound_to`, the same for the same two.
    pub fn seal_fixed(&self, bound_to: &[u8], content: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.nonce_key)
            .expect("HMAC takes any key length");
        mac.update(&(bound_to.len() as u64).to_be_bytes());
        mac.update(bound_to);
        mac.update(content);
        let tag = mac.finalize().into_bytes();
        let mut nonce = [0u8; NONCE];
        nonce.copy_from_slice(&tag[..NONCE]);
        self.seal_with(nonce, bound_to, content)
    }

    /// The content of a token sealed for `bound_to`; `None` for anything else (forged,
    /// altered, truncated, or sealed for another binding or with another secret).
    pub fn open(&self, bound_to: &[u8], token: &str) -> Option<Vec<u8>> {
        if token.len() > MAX_TOKEN {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(token).ok()?;
        if raw.len() < NONCE + 16 {
            return None;
        }
        let (nonce, sealed) = raw.split_at(NONCE);
        let nonce = XNonce::try_from(nonce).ok()?;
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: sealed,
                    aad: bound_to,
                },
            )
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_open_only_for_their_binding_and_secret() {
        let s = Sealer::new(&[7; 32]);
        let t = s.seal(b"cursor:app=1", b"500101194001133453");
        assert!(!t.contains("500101"), "{t}");
        assert_eq!(s.open(b"cursor:app=1", &t).unwrap(), b"500101194001133453");
        assert_eq!(s.open(b"cursor:app=2", &t), None);
        assert_eq!(Sealer::new(&[8; 32]).open(b"cursor:app=1", &t), None);
        // Any change of a character is refused.
        let mut bytes = t.clone().into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            s.open(b"cursor:app=1", &String::from_utf8(bytes).unwrap()),
            None
        );
        assert_eq!(s.open(b"cursor:app=1", "500101194001133453"), None);
        assert_eq!(s.open(b"cursor:app=1", ""), None);
        assert_eq!(s.open(b"cursor:app=1", &"A".repeat(MAX_TOKEN + 1)), None);
        // Random nonces: the same content sealed twice differs.
        assert_ne!(t, s.seal(b"cursor:app=1", b"500101194001133453"));
    }

    #[test]
    fn fixed_tokens_repeat_per_binding_only() {
        let s = Sealer::new(&[1; 32]);
        let a = s.seal_fixed(b"grant:3", b"500101194001133453");
        assert_eq!(a, s.seal_fixed(b"grant:3", b"500101194001133453"));
        assert_ne!(a, s.seal_fixed(b"grant:4", b"500101194001133453"));
        assert_ne!(a, s.seal_fixed(b"grant:3", b"500101194001133454"));
        assert_eq!(s.open(b"grant:3", &a).unwrap(), b"500101194001133453");
        assert_eq!(s.open(b"grant:4", &a), None);
    }
}
