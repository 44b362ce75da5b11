//! One-time link tokens (invitations, password resets): 256 random bits, shown once, stored
//! only as their SHA-256.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new token for a link (64 hex characters).
pub fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

/// How a token is stored and looked up.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}
