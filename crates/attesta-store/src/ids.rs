//! Random identifiers (hex of 16 random bytes): no sequence to guess, no
//! autoincrement to port between engines.

/// 32 lowercase hex characters from the operating system's CSPRNG.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    hex::encode(bytes)
}

/// 32 lowercase hex characters that sort by time: the milliseconds of
/// `at` (48 bits) then 80 random bits. For the verification log's ids: a
/// random primary key sent every insert to a random leaf of its index, a
/// page more to write in each batch of the log writer; these land on the
/// index's last leaf. 80 random bits still make an id that no one guesses
/// (ids are never a credential), and `at` is in the entry already.
pub fn time_ordered_id(at: i64) -> String {
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&at.clamp(0, (1 << 48) - 1).to_be_bytes()[2..]);
    getrandom::fill(&mut bytes[6..]).expect("the operating system's random source works");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ordered_ids_sort_by_time_and_differ() {
        let (a, b) = (
            time_ordered_id(1_795_000_000_000),
            time_ordered_id(1_795_000_000_001),
        );
        assert_eq!(a.len(), 32);
        assert!(a < b, "{a} {b}");
        assert_eq!(&a[..12], "01a1ee565e00");
        assert_ne!(time_ordered_id(5), time_ordered_id(5));
    }
}
