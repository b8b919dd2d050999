//! Random identifiers (hex of 16 random bytes): no sequence to guess, no
//! autoincrement to port between engines.

/// 32 lowercase hex characters from the operating system's CSPRNG.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    hex::encode(bytes)
}
