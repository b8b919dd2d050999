//! The Italian codice fiscale of a natural person.
//!
//! Written by hand (STACK.md): the published crates reject lower case and
//! valid omocodia codes. A [`FiscalCode`] can only exist valid and upper case.

use std::fmt;

/// A valid codice fiscale, stored upper case.
///
/// `Debug` does not print the code: it is personal data and must never reach
/// a log line by accident.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiscalCode(String);

/// Why a string is not a valid codice fiscale. The message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FiscalCodeError {
    #[error("a codice fiscale has 16 characters; this one has {0}")]
    Length(usize),
    #[error("character {position} must be a letter")]
    ExpectedLetter { position: usize },
    #[error("character {position} must be a digit (or an omocodia letter L–V)")]
    ExpectedDigit { position: usize },
    #[error("character 9 is the birth month and must be one of A B C D E H L M P R S T")]
    Month,
    #[error("characters 10–11 are the birth day: 01–31, or 41–71 for women")]
    Day,
    #[error(
        "the last character is a check letter and does not match the other 15: check for a typing error"
    )]
    CheckCharacter,
}

/// Positions (0-based) that hold digits, where omocodia may put a letter.
const DIGIT_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
/// Omocodia letters standing for the digits 0–9.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// Values of characters in odd (1-based) positions, indexed by digit or letter.
const ODD_VALUES: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

impl FiscalCode {
    /// Parses user input: surrounding whitespace is ignored, lower case is
    /// accepted, omocodia substitutions are accepted.
    pub fn parse(input: &str) -> Result<Self, FiscalCodeError> {
        let code: Vec<u8> = input
            .trim()
            .bytes()
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if code.len() != 16 || !input.trim().is_ascii() {
            return Err(FiscalCodeError::Length(input.trim().chars().count()));
        }
        for (i, &c) in code.iter().enumerate() {
            let position = i + 1;
            if DIGIT_POSITIONS.contains(&i) {
                if !(c.is_ascii_digit() || OMOCODIA.contains(&c)) {
                    return Err(FiscalCodeError::ExpectedDigit { position });
                }
            } else if !c.is_ascii_uppercase() {
                return Err(FiscalCodeError::ExpectedLetter { position });
            }
        }
        if !MONTHS.contains(&code[8]) {
            return Err(FiscalCodeError::Month);
        }
        let day = digit_value(code[9]) * 10 + digit_value(code[10]);
        if !((1..=31).contains(&day) || (41..=71).contains(&day)) {
            return Err(FiscalCodeError::Day);
        }
        if check_character(&code[..15]) != code[15] {
            return Err(FiscalCodeError::CheckCharacter);
        }
        // Every byte is an ASCII letter or digit, checked above.
        Ok(Self(String::from_utf8(code).expect("ASCII")))
    }

    /// The code, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn digit_value(c: u8) -> u32 {
    match OMOCODIA.iter().position(|&o| o == c) {
        Some(d) => d as u32,
        None => u32::from(c - b'0'),
    }
}

/// The check character over the first 15 characters (upper case, validated).
fn check_character(first15: &[u8]) -> u8 {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let index = if c.is_ascii_digit() {
                u32::from(c - b'0')
            } else {
                u32::from(c - b'A')
            };
            // Position i is 0-based: even i is an odd (1-based) position.
            if i % 2 == 0 {
                ODD_VALUES[index as usize]
            } else {
                index
            }
        })
        .sum();
    b'A' + (sum % 26) as u8
}

/// Builds a valid code from its first 15 characters by appending the check
/// character. For synthetic data (`attesta seed`) and tests.
pub fn with_check_character(first15: &str) -> Result<FiscalCode, FiscalCodeError> {
    let upper = first15.to_ascii_uppercase();
    if upper.len() != 15 || !upper.is_ascii() {
        return Err(FiscalCodeError::Length(upper.chars().count() + 1));
    }
    let check = check_character(upper.as_bytes()) as char;
    FiscalCode::parse(&format!("{upper}{check}"))
}

impl fmt::Display for FiscalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for FiscalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FiscalCode(<redacted>)")
    }
}

impl std::str::FromStr for FiscalCode {
    type Err = FiscalCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_a_known_valid_code() {
        let cf = FiscalCode::parse("RSSMRA80A01H501U").unwrap();
        assert_eq!(cf.as_str(), "RSSMRA80A01H501U");
    }

    #[test]
    fn lower_case_and_whitespace_are_accepted_and_stored_upper_case() {
        let cf = FiscalCode::parse("  rssmra80a01h501u\n").unwrap();
        assert_eq!(cf.as_str(), "RSSMRA80A01H501U");
    }

    #[test]
    fn omocodia_substitution_is_accepted_with_its_own_check_character() {
        // The last digit 1 of "501" becomes M; the check character changes.
        let omocode = with_check_character("RSSMRA80A01H50M").unwrap();
        assert_eq!(omocode.as_str().len(), 16);
        assert!(FiscalCode::parse(omocode.as_str()).is_ok());
        // A fully substituted code (every digit position) is valid too.
        let full = with_check_character("RSSMRAUTALMHRLM").unwrap();
        assert!(FiscalCode::parse(&full.as_str().to_lowercase()).is_ok());
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        assert_eq!(
            FiscalCode::parse("RSSMRA80A01H501X"),
            Err(FiscalCodeError::CheckCharacter)
        );
    }

    #[test]
    fn format_errors_name_what_to_fix() {
        assert_eq!(
            FiscalCode::parse("RSSMRA80A01H501"),
            Err(FiscalCodeError::Length(15))
        );
        assert_eq!(
            FiscalCode::parse("RSSMRA80Z01H501U"),
            Err(FiscalCodeError::Month)
        );
        assert_eq!(
            FiscalCode::parse("RSSMRA80A32H501U"),
            Err(FiscalCodeError::Day)
        );
        assert_eq!(
            FiscalCode::parse("RSSMRA80A00H501U"),
            Err(FiscalCodeError::Day)
        );
        assert_eq!(
            FiscalCode::parse("RSSMR480A01H501U"),
            Err(FiscalCodeError::ExpectedLetter { position: 6 })
        );
        assert_eq!(
            FiscalCode::parse("RSSMRA8AA01H501U"),
            Err(FiscalCodeError::ExpectedDigit { position: 8 })
        );
        assert!(matches!(
            FiscalCode::parse("RSSMRA80A01H501È"),
            Err(FiscalCodeError::Length(_))
        ));
    }

    #[test]
    fn women_have_day_plus_40() {
        let cf = with_check_character("BNCLRA85M52F205").unwrap();
        assert!(FiscalCode::parse(cf.as_str()).is_ok());
    }

    #[test]
    fn debug_does_not_print_the_code() {
        let cf = FiscalCode::parse("RSSMRA80A01H501U").unwrap();
        assert!(!format!("{cf:?}").contains("RSSMRA"));
    }

    fn arb_first15() -> impl Strategy<Value = String> {
        let letter = proptest::char::range('A', 'Z');
        let digit = prop_oneof![
            proptest::char::range('0', '9'),
            proptest::sample::select(vec!['L', 'M', 'N', 'P', 'Q', 'R', 'S', 'T', 'U', 'V'])
        ];
        let month = proptest::sample::select(MONTHS.iter().map(|&b| b as char).collect::<Vec<_>>());
        let day = prop_oneof![1u32..=31, 41u32..=71];
        (
            proptest::collection::vec(letter.clone(), 6),
            proptest::collection::vec(digit.clone(), 2),
            month,
            day,
            letter,
            proptest::collection::vec(digit, 3),
        )
            .prop_map(|(name, year, month, day, town_letter, town)| {
                let mut s: String = name.into_iter().collect();
                s.extend(year);
                s.push(month);
                s.push_str(&format!("{day:02}"));
                s.push(town_letter);
                s.extend(town);
                s
            })
    }

    proptest! {
        #[test]
        fn every_generated_code_parses_in_any_case(first15 in arb_first15(), lower in any::<bool>()) {
            let cf = with_check_character(&first15).unwrap();
            let input = if lower { cf.as_str().to_lowercase() } else { cf.as_str().to_owned() };
            prop_assert_eq!(FiscalCode::parse(&input).unwrap(), cf);
        }

        #[test]
        fn any_single_character_change_of_the_check_letter_is_refused(first15 in arb_first15(), delta in 1u8..26) {
            let cf = with_check_character(&first15).unwrap();
            let mut bytes = cf.as_str().as_bytes().to_vec();
            bytes[15] = b'A' + (bytes[15] - b'A' + delta) % 26;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(FiscalCode::parse(&changed), Err(FiscalCodeError::CheckCharacter));
        }

        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = FiscalCode::parse(&s);
        }
    }
}
