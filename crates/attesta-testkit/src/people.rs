//! The people the tests use: codici fiscali with a valid check character.

/// Mario Rossi, born 1980-01-01 in Rome: the usual holder.
pub const MARIO: &str = "RSSMRA80A01H501U";
/// Giulia Bianchi: a carer or delegate with a record of her own.
pub const GIULIA: &str = "BNCGLI85M52A662K";
/// Luca Verdi: another delegate.
pub const LUCA: &str = "VRDLCU90C15F205D";

/// The codice fiscale made of `first15` and its check character.
pub fn cf(first15: &str) -> String {
    attesta_domain::fiscal_code::with_check_character(first15)
        .expect("15 characters of a codice fiscale")
        .as_str()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_person_has_a_valid_codice_fiscale() {
        for code in [MARIO, GIULIA, LUCA] {
            assert!(
                attesta_domain::FiscalCode::parse(code).is_ok(),
                "{code} does not parse"
            );
            assert_eq!(cf(&code[..15]), code);
        }
    }
}
