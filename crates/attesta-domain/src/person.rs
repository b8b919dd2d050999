//! A person: the holder of a status, keyed by codice fiscale.

use std::fmt;

use serde_json::{Map, Value};
use time::Date;

use crate::FiscalCode;
use crate::input::{FieldError, Fields, InputError};

/// A mobile number in E.164 form (`+393331234567`).
#[derive(Clone, PartialEq, Eq)]
pub struct Mobile(String);

impl Mobile {
    /// `+`, then 8 to 15 digits, the first not zero. Spaces are dropped.
    pub fn parse(s: &str) -> Option<Mobile> {
        let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        let digits = compact.strip_prefix('+')?;
        let ok = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        ok.then_some(Mobile(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as shown to an operator: country code and last two digits
    /// only (`+39 ••• ••• 67`).
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let cc_len = if digits.starts_with('1') || digits.starts_with('7') {
            1
        } else if digits.starts_with("39") || digits.len() < 11 {
            2
        } else {
            3
        };
        let cc_len = cc_len.min(digits.len().saturating_sub(2));
        format!(
            "+{} ••• ••• {}",
            &digits[..cc_len],
            &digits[digits.len() - 2..]
        )
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mobile(<redacted>)")
    }
}

/// A validated person record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub fiscal_code: FiscalCode,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Date,
    pub email: Option<String>,
    pub mobile: Option<Mobile>,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// The fields a person object may carry (API body; the import file adds
/// `fiscal_code`).
pub const PERSON_FIELDS: &[&str] = &["given_name", "family_name", "birth_date", "email", "mobile"];

/// Validation of a person object from outside.
#[derive(Debug)]
pub struct PersonInput;

impl PersonInput {
    /// Validates the body of `PUT /api/v1/admin/people/{fiscal_code}`
    /// together with the codice fiscale from the path (or import row), so
    /// that every error is reported at once: [`InputError::UnknownFields`]
    /// for keys that are not person fields (a malformed request),
    /// [`InputError::Invalid`] for every invalid field.
    pub fn parse(
        fiscal_code: Result<FiscalCode, FieldError>,
        map: &Map<String, Value>,
        today: Date,
    ) -> Result<Person, InputError> {
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !PERSON_FIELDS.contains(&k.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(InputError::UnknownFields(unknown));
        }
        let mut f = Fields::new(map);
        let fiscal_code = fiscal_code.map_err(|e| f.errors.push(e)).ok();
        let given_name = name(&mut f, "given_name");
        let family_name = name(&mut f, "family_name");
        let birth_date = f.date("birth_date", today);
        let birth_date = f.required("birth_date", birth_date);
        let email = f.string("email").and_then(|s| {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            // No whitespace, and none of the characters that make a mailer
            // read a display name, a comment, a quoted part or a second
            // address (`Name<other@example.com>`, `a@b.it, c@d.it`).
            let valid = s.len() <= 254
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:[]\\".contains(c))
                && matches!(s.split_once('@'), Some((local, domain))
                    if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                        && !domain.starts_with('.') && !domain.ends_with('.'));
            if !valid {
                f.error("email", "must be an e-mail address like name@example.it");
            }
            valid.then(|| s.to_owned())
        });
        let mobile = f.string("mobile").and_then(|s| {
            if s.trim().is_empty() {
                return None;
            }
            let m = Mobile::parse(s);
            if m.is_none() {
                f.error(
                    "mobile",
                    "must be in international E.164 form, e.g. +393331234567",
                );
            }
            m
        });
        match (fiscal_code, given_name, family_name, birth_date) {
            (Some(fiscal_code), Some(given_name), Some(family_name), Some(birth_date))
                if f.errors.is_empty() =>
            {
                Ok(Person {
                    fiscal_code,
                    given_name,
                    family_name,
                    birth_date,
                    email,
                    mobile,
                })
            }
            _ => Err(InputError::Invalid(f.errors)),
        }
    }
}

fn name(f: &mut Fields<'_>, key: &str) -> Option<String> {
    let value = f.string(key).and_then(|s| {
        let s = s.trim();
        let reason = name_problem(s);
        if let Some(reason) = &reason {
            f.error(key, reason.clone());
        }
        reason.is_none().then(|| s.to_owned())
    });
    f.required(key, value)
}

/// Longest given or family name, in characters.
pub const NAME_MAX_CHARS: usize = 100;

/// Whether `c` may stand in a name (SPEC §2): a letter of the Latin, Greek
/// or Cyrillic scripts, a combining diacritical mark, an apostrophe, a
/// hyphen or a space. These are the blocks the embedded DejaVu fonts print
/// (attesta-credential tests every one of them against the fonts), so an
/// accepted name never fails later in a PDF or card.
pub fn name_char_allowed(c: char) -> bool {
    is_name_letter(c) || is_combining_mark(c) || matches!(c, ' ' | '-' | '\'' | '’')
}

fn is_name_letter(c: char) -> bool {
    let latin = c.is_ascii_alphabetic()
        || matches!(c, '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFB}') && c != '×' && c != '÷';
    let greek = matches!(c, '\u{370}'..='\u{3FF}' | '\u{1F00}'..='\u{1FFF}');
    let cyrillic = matches!(c, '\u{400}'..='\u{525}');
    (latin || greek || cyrillic) && c.is_alphabetic()
}

/// Combining Diacritical Marks (U+0300–U+034F, the part DejaVu Sans holds):
/// decomposed accents.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{34F}')
}

/// Why `s` (already trimmed) is not a name, in words that say what to fix.
fn name_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("must not be empty".to_owned());
    }
    let count = s.chars().count();
    if count > NAME_MAX_CHARS {
        return Some(format!(
            "must be at most {NAME_MAX_CHARS} characters (it has {count})"
        ));
    }
    if let Some(c) = s.chars().find(|c| !name_char_allowed(*c)) {
        return Some(format!(
            "contains {}, which is not a letter of the Latin, Greek or Cyrillic alphabets, \
             an apostrophe, a hyphen or a space",
            describe(c)
        ));
    }
    let mut prev: Option<char> = None;
    for c in s.chars() {
        // A mark must sit on a letter (or on another mark over a letter).
        if is_combining_mark(c) && !prev.is_some_and(|p| is_name_letter(p) || is_combining_mark(p))
        {
            return Some(format!(
                "has an accent ({}) that is not on a letter",
                describe(c)
            ));
        }
        prev = Some(c);
    }
    if !s.chars().any(is_name_letter) {
        return Some("must contain at least one letter".to_owned());
    }
    None
}

/// A character as a reason shows it: printable ones quoted, every one with
/// its code point (so an invisible or right-to-left one can still be found).
fn describe(c: char) -> String {
    if c.is_control() || c.is_whitespace() || is_combining_mark(c) || is_format(c) {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("\"{c}\" (U+{:04X})", u32::from(c))
    }
}

/// A control character, a bidi control or another invisible format
/// character: text that could hide or reorder what a reader sees (refused in
/// names, and in an operator's name and organisation shown to the citizen).
pub fn is_hidden_char(c: char) -> bool {
    c.is_control() || is_format(c)
}

/// Bidi controls and other invisible format characters.
fn is_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    fn cf() -> FiscalCode {
        FiscalCode::parse("RSSMRA80A01H501U").unwrap()
    }

    fn parse(v: Value) -> Result<Person, InputError> {
        PersonInput::parse(Ok(cf()), v.as_object().unwrap(), date!(2026 - 11 - 23))
    }

    #[test]
    fn a_full_person_parses() {
        let p = parse(json!({"given_name": "Mario", "family_name": "Rossi",
            "birth_date": "1980-01-01", "email": "mario@example.it", "mobile": "+39 333 1234567"}))
        .unwrap();
        assert_eq!(p.mobile.as_ref().unwrap().as_str(), "+393331234567");
        assert_eq!(p.full_name(), "Mario Rossi");
    }

    #[test]
    fn every_bad_field_is_listed() {
        let Err(InputError::Invalid(errors)) =
            parse(json!({"given_name": "", "birth_date": "1 Jan 1980",
            "email": "mario", "mobile": "3331234567"}))
        else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["given_name", "family_name", "birth_date", "email", "mobile"]
        );
    }

    #[test]
    fn an_address_a_mailer_could_read_as_another_is_refused() {
        let with = |email: &str| {
            parse(json!({"given_name": "Mario", "family_name": "Rossi",
                "birth_date": "1980-01-01", "email": email}))
        };
        for ok in [
            "mario.rossi+inps@example.it",
            "o'neill@example.ie",
            "{x}@example.it",
        ] {
            assert!(with(ok).is_ok(), "{ok}");
        }
        for bad in [
            "Mario<evil@example.com>",
            "a@example.it,b@example.it",
            "\"a b\"@example.it",
            "a(comment)@example.it",
            "a@[127.0.0.1]",
            "a;b@example.it",
        ] {
            let Err(InputError::Invalid(errors)) = with(bad) else {
                panic!("{bad} accepted")
            };
            assert_eq!(errors[0].field, "email", "{bad}");
        }
    }

    #[test]
    fn unknown_keys_are_named() {
        assert_eq!(
            parse(
                json!({"given_name": "M", "family_name": "R", "birth_date": "1980-01-01", "diagnosis": "x"})
            ),
            Err(InputError::UnknownFields(vec!["diagnosis".to_owned()]))
        );
    }

    fn name_error(name: &str) -> Option<String> {
        match parse(json!({"given_name": name, "family_name": "Rossi", "birth_date": "1980-01-01"}))
        {
            Ok(_) => None,
            Err(InputError::Invalid(errors)) => {
                assert_eq!(errors.len(), 1, "{errors:?}");
                assert_eq!(errors[0].field, "given_name");
                Some(errors[0].reason.clone())
            }
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn names_in_latin_greek_and_cyrillic_are_accepted() {
        for ok in [
            "Niccolò",
            "D'Annunzio-Sforza",
            "Dell’Orto",
            "Łukasz Żółć",
            "Ærøskøbing",
            "Nguyễn",
            "Γιώργος",
            "Ἀλέξανδρος",
            "Владимир",
            "Ґалина Її",
            // "e" followed by a combining acute accent.
            "Jose\u{301}",
            &"a".repeat(NAME_MAX_CHARS),
        ] {
            assert_eq!(name_error(ok), None, "{ok}");
        }
    }

    #[test]
    fn names_in_other_scripts_or_with_invisible_characters_are_refused() {
        for (bad, shown) in [
            ("محمد", "U+0645"),
            ("名前", "U+540D"),
            ("ᚠᚢᚦ", "U+16A0"),
            ("Mario 😀", "U+1F600"),
            ("Ma\u{0}rio", "U+0000"),
            ("Ma\u{7}rio", "U+0007"),
            ("Ma\u{202E}oir", "U+202E"),
            ("Ma\u{200B}rio", "U+200B"),
            ("\u{301}Mario", "U+0301"),
            ("Mario \u{301}", "U+0301"),
            ("Mario3", "U+0033"),
            ("<script>", "U+003C"),
            ("Ma\trio", "U+0009"),
        ] {
            let reason = name_error(bad).unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert!(reason.contains(shown), "{bad:?}: {reason}");
        }
        assert!(name_error("-'").unwrap().contains("at least one letter"));
        assert!(
            name_error(&"a".repeat(NAME_MAX_CHARS + 1))
                .unwrap()
                .contains("at most 100")
        );
    }

    #[test]
    fn mobile_is_masked_to_its_last_two_digits() {
        assert_eq!(
            Mobile::parse("+393331234567").unwrap().masked(),
            "+39 ••• ••• 67"
        );
        assert!(Mobile::parse("+0393331234567").is_none());
        assert!(Mobile::parse("+39").is_none());
    }
}
