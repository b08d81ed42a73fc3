//! Signed checkpoints of a node's audit chain: the node signs, with its own ed25519
//! key, "my chain had this many entries and the last one hashed to this". A chain
//! cut short, or rewritten from some point on, no longer matches a checkpoint made
//! before — which a hash chain alone cannot show.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// What a checkpoint signs.
pub fn message(node: &str, seq: i64, hash: &str, at: &str) -> Vec<u8> {
    format!("govshare-audit-checkpoint\u{1f}{node}\u{1f}{seq}\u{1f}{hash}\u{1f}{at}").into_bytes()
}

/// A node's signing key, from its 32 secret bytes.
pub struct NodeKey(SigningKey);

impl NodeKey {
    pub fn from_secret(secret: [u8; 32]) -> NodeKey {
        NodeKey(SigningKey::from_bytes(&secret))
    }

    pub fn secret(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public key, hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    /// The signature of a message, hex.
    pub fn sign(&self, msg: &[u8]) -> String {
        hex::encode(self.0.sign(msg).to_bytes())
    }
}

/// Does `signature` (hex) sign `msg` under `public` (hex)?
pub fn verify(public: &str, msg: &[u8], signature: &str) -> bool {
    let Ok(public) = hex::decode(public) else {
        return false;
    };
    let Ok(sig) = hex::decode(signature) else {
        return false;
    };
    let (Ok(public), Ok(sig)) = (
        <[u8; 32]>::try_from(public.as_slice()),
        <[u8; 64]>::try_from(sig.as_slice()),
    ) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&public) else {
        return false;
    };
    key.verify(msg, &Signature::from_bytes(&sig)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_hold_only_for_what_was_signed() {
        let key = NodeKey::from_secret([7u8; 32]);
        let msg = message("node-1", 42, "ab", "2026-12-01T00:00:00.000Z");
        let sig = key.sign(&msg);
        assert!(verify(&key.public_hex(), &msg, &sig));
        assert!(!verify(
            &key.public_hex(),
            &message("node-1", 41, "ab", "2026-12-01T00:00:00.000Z"),
            &sig
        ));
        let other = NodeKey::from_secret([8u8; 32]);
        assert!(!verify(&other.public_hex(), &msg, &sig));
        assert!(!verify(&key.public_hex(), &msg, "00"));
        assert_eq!(
            NodeKey::from_secret(key.secret()).public_hex(),
            key.public_hex()
        );
    }
}
