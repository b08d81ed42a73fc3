//! Secrets people and apps sign in with. Passwords are stored as argon2 hashes;
//! bearer tokens and app keys are random, shown once and stored as SHA-256 hashes.
//!
//! What a password must be: at least 10 characters, not blank, not the username (nor
//! containing it), and not easy to guess by the zxcvbn estimate (score 3 of 4 or more:
//! no common word, name, date, keyboard walk or repetition carrying it).

use crate::error::{Error, Result};

pub const MIN_CHARS: usize = 10;
pub const MAX_BYTES: usize = 256;
/// The least zxcvbn score accepted (0–4).
pub const MIN_SCORE: u8 = 3;

/// The argon2 hash a password is stored as (PHC string, salted).
pub fn hash_password(password: &str) -> std::result::Result<String, String> {
    use argon2::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Does `password` match a stored hash (a malformed hash matches nothing).
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::PasswordVerifier;
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A fresh random token (256 bits, hex).
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// How a token is stored: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// Refuses a password that is too short, blank, the username's, or easy to guess.
pub fn check_password(username: &str, password: &str) -> Result<()> {
    let refuse = |reason: &str| Err(Error::invalid("password", reason));
    if password.trim().is_empty() {
        return refuse("密码不能为空或全为空格");
    }
    if password.chars().count() < MIN_CHARS {
        return refuse("密码至少10位");
    }
    if password.len() > MAX_BYTES {
        return refuse("密码过长（至多256字节）");
    }
    let user = username.trim().to_lowercase();
    if !user.is_empty() && password.to_lowercase().contains(&user) {
        return refuse("密码不能包含用户名");
    }
    let estimate = zxcvbn::zxcvbn(password, &[username, "govshare", "admin"]);
    if u8::from(estimate.score()) < MIN_SCORE {
        return refuse(
            "密码太容易被猜中：请用更长的、不含常见单词、日期、键盘序列或重复字符的密码（例如几个不相关的词加数字和符号）",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_and_strong_ones_pass() {
        for weak in [
            "12345678",
            "          ",
            "1234567890",
            "Admin@2026",
            "password123",
            "qwertyuiop",
            "zhangsan2026",
        ] {
            assert!(check_password("zhangsan", weak).is_err(), "{weak}");
        }
        assert!(check_password("gaj_admin", "gaj_admin_2026!x").is_err());
        assert!(check_password("zhangsan", "").is_err());
        for strong in [
            "Rq7-tiger-lamp-2026",
            "山城-雾都-Kx93-桥",
            "correct horse battery staple",
        ] {
            check_password("zhangsan", strong).unwrap();
        }
    }
}
