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
