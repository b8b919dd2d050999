//! The input-error kit: how an object from outside (API JSON, an import
//! row) is read field by field and refused with every reason at once.
//! [`VerbaleInput`](crate::VerbaleInput) and [`PersonInput`](crate::PersonInput)
//! are built on it.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};
use time::{Date, macros::format_description};

/// One field that is wrong, and why, in words that say what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// Why an object from outside (a verbale, a person) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Keys that are not fields of the object: a malformed request (400).
    UnknownFields(Vec<String>),
    /// Well-formed but invalid values: every one of them (422).
    Invalid(Vec<FieldError>),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::UnknownFields(keys) => write!(f, "unknown fields: {}", keys.join(", ")),
            InputError::Invalid(errors) => {
                let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
                f.write_str(&parts.join("; "))
            }
        }
    }
}

/// The date format of the API: `YYYY-MM-DD`.
/// Free text written by a person (a message, a reason, a court's name):
/// trimmed (Windows line ends made `\n`), 1 to `max` characters, and no
/// control, bidirectional or zero-width character that would show other
/// text than the one stored — except line breaks and tabs when `multiline`.
/// The error names `field` and says what to fix.
pub fn free_text(
    raw: &str,
    field: &str,
    max: usize,
    multiline: bool,
) -> Result<String, FieldError> {
    let text = raw.replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            field,
            format!("is required (at most {max} characters)"),
        ));
    }
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("is at most {max} characters"),
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|&c| crate::person::is_hidden_char(c) && !(multiline && (c == '\n' || c == '\t')))
    {
        return Err(FieldError::new(
            field,
            format!(
                "contains a control or invisible character (U+{:04X}): type the text again without it",
                u32::from(c)
            ),
        ));
    }
    Ok(text.to_owned())
}

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

pub fn format_date(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .expect("date formats")
}

/// Reads typed values out of a JSON object, collecting every error.
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    pub errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            errors: Vec::new(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn error(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(FieldError::new(field, reason));
    }

    pub fn required<T>(&mut self, key: &str, value: Option<T>) -> Option<T> {
        if value.is_none() && self.get(key).is_none() {
            self.error(key, "is required");
        }
        value
    }

    pub fn string(&mut self, key: &str) -> Option<&'a str> {
        match self.get(key)? {
            Value::String(s) => Some(s.as_str()),
            _ => {
                self.error(key, "must be a string");
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.error(key, "must be true or false");
                None
            }
        }
    }

    pub fn date(&mut self, key: &str, today: Date) -> Option<Date> {
        let s = self.string(key)?;
        match parse_date(s) {
            None => {
                self.error(key, "must be a date written YYYY-MM-DD");
                None
            }
            Some(d) if d > today => {
                self.error(key, "is in the future");
                None
            }
            Some(d) if d.year() < 1900 => {
                self.error(key, "is before 1900");
                None
            }
            Some(d) => Some(d),
        }
    }

    pub fn choice<T: Copy>(
        &mut self,
        key: &str,
        parse: fn(&str) -> Option<T>,
        choices: &str,
    ) -> Option<T> {
        let s = self.string(key)?;
        let parsed = parse(s);
        if parsed.is_none() {
            self.error(key, format!("must be one of: {choices}"));
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::free_text;

    #[test]
    fn free_text_is_trimmed_bounded_and_visible() {
        assert_eq!(free_text("  Ciao  ", "f", 10, false).unwrap(), "Ciao");
        assert_eq!(free_text("a\r\nb\tc", "f", 10, true).unwrap(), "a\nb\tc");
        let e = free_text("   ", "subject", 10, false).unwrap_err();
        assert_eq!(e.field, "subject");
        assert!(e.reason.contains("required"), "{e:?}");
        let e = free_text("abcdefghijk", "f", 10, false).unwrap_err();
        assert!(e.reason.contains("at most 10"), "{e:?}");
        // Ten characters, more than ten bytes: counted as characters.
        assert!(free_text("àèìòùàèìòù", "f", 10, false).is_ok());
        for hidden in ['\u{202e}', '\u{200b}', '\u{7}', '\u{feff}'] {
            let e = free_text(&format!("a{hidden}b"), "f", 10, true).unwrap_err();
            assert!(
                e.reason.contains(&format!("U+{:04X}", u32::from(hidden))),
                "{e:?}"
            );
        }
        // A line break only where the text may have lines.
        assert!(free_text("a\nb", "f", 10, false).is_err());
    }
}
