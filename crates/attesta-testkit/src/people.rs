//! The people the tests use: codici fiscali with a valid check character.

/// Mario Rossi, born 1980-01-01 in Rome: the usual holder.
pub const MARIO: &str = "RSSMRA80A01H501U";
/// Giulia Bianchi: a carer or delegate with a record of her own.
pub const GIULIA: &str = "BNCGLI85M52A662X";
/// Luca Verdi: another delegate.
pub const LUCA: &str = "VRDLCU90C15F205C";

/// The codice fiscale made of `first15` and its check character.
pub fn cf(first15: &str) -> String {
    attesta_domain::fiscal_code::with_check_character(first15)
        .expect("15 characters of a codice fiscale")
        .as_str()
        .to_owned()
}
