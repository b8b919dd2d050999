//! The PDF/UA kit that both printable documents are built with (the
//! attestation in `pdf.rs`, the EU Disability Card in `card_pdf.rs`): the
//! embedded DejaVu fonts and how wide a text is in them, word wrap, the
//! structure elements (headings, paragraphs) with their language, and a
//! document whose export runs krilla's PDF/UA-1 validator, whose failures
//! become a [`PdfError`] naming each rule.

use std::num::NonZeroU16;
use std::sync::OnceLock;

use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::error::KrillaError;
use krilla::tagging::{Tag, TagGroup, TagKind};
use krilla::text::Font;
use krilla::{Document, SerializeSettings};

use crate::qr::QrError;

/// Points per millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;
/// Longest holder name, in wrapped lines, that the attestation reserves
/// room for (named in [`PdfError::HolderNameTooLong`]).
pub(crate) const MAX_NAME_LINES: usize = 3;
/// The documents' language; the English parts are tagged [`EN`].
pub(crate) const DOC_LANG: &str = "it-IT";
pub(crate) const EN: &str = "en";

/// Why a PDF (the attestation or the card) could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The URL does not fit in a QR code.
    #[error("the attestation URL cannot be encoded as a QR code: {0}")]
    Qr(#[from] QrError),
    /// A built-in font could not be parsed (a build problem, not an input problem).
    #[error("the embedded font {0} could not be loaded")]
    Font(&'static str),
    /// The name contains a character the embedded font cannot show; printing a
    /// placeholder box instead would misstate the name.
    #[error("the holder name contains a character that cannot be printed: {0:?}")]
    UnsupportedCharacter(char),
    /// The name does not fit in the space reserved for it.
    #[error("the holder name is too long to print (more than {MAX_NAME_LINES} lines)")]
    HolderNameTooLong,
    /// The holder name is empty after removing control characters and spaces.
    #[error("the holder name is empty")]
    EmptyHolderName,
    /// krilla refused to write the document (including PDF/UA-1 validation failures).
    #[error("PDF export failed: {0}")]
    Export(String),
}

/// One embedded font, with a parsed face for measuring text.
pub(crate) struct FontPair {
    pub(crate) pdf: Font,
    face: rustybuzz::Face<'static>,
}

impl FontPair {
    fn load(name: &'static str, data: &'static [u8]) -> Result<Self, &'static str> {
        let pdf = Font::new(data.into(), 0).ok_or(name)?;
        let face = rustybuzz::Face::from_slice(data, 0).ok_or(name)?;
        Ok(Self { pdf, face })
    }

    /// Advance width of `text` at `size` points, shaped the same way krilla's
    /// `draw_text` shapes it (so kerning is included).
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&self.face, &[], buffer);
        let units: i64 = shaped
            .glyph_positions()
            .iter()
            .map(|p| i64::from(p.x_advance))
            .sum();
        // Glyph advances of a single line are far below f32's exact range.
        let units = units as f32;
        // rustybuzz reports units per em as i32; valid fonts use 16..=16384.
        let upem = u16::try_from(self.face.units_per_em())
            .unwrap_or(2048)
            .max(1);
        units * size / f32::from(upem)
    }

    pub(crate) fn covers(&self, c: char) -> bool {
        c == ' ' || self.face.glyph_index(c).is_some()
    }
}

pub(crate) struct Fonts {
    pub(crate) regular: FontPair,
    pub(crate) bold: FontPair,
    pub(crate) mono: FontPair,
}

impl Fonts {
    /// The three embedded fonts, parsed once per process: they never
    /// change, so reading their tables again (krilla's font info,
    /// rustybuzz's face) for every document is wasted work.
    pub(crate) fn load() -> Result<&'static Self, PdfError> {
        static FONTS: OnceLock<Result<Fonts, &'static str>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                Ok(Self {
                    regular: FontPair::load("DejaVu Sans", dejavu::sans::regular())?,
                    bold: FontPair::load("DejaVu Sans Bold", dejavu::sans::bold())?,
                    mono: FontPair::load("DejaVu Sans Mono Bold", dejavu::sans_mono::bold())?,
                })
            })
            .as_ref()
            .map_err(|name| PdfError::Font(name))
    }
}

/// Greedy word wrap by measured width. A single word wider than the line is
/// split between characters so that nothing is ever cut off the page.
pub(crate) fn wrap(text: &str, max_width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if measure(&candidate) <= max_width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if measure(word) <= max_width {
            current = word.to_owned();
            continue;
        }
        for c in word.chars() {
            let mut next = current.clone();
            next.push(c);
            if measure(&next) > max_width && !current.is_empty() {
                lines.push(std::mem::replace(&mut current, c.to_string()));
            } else {
                current = next;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Removes control characters and collapses runs of whitespace, so a name
/// with a stray newline or tab still prints as one line of text.
pub(crate) fn clean_name(name: &str) -> String {
    name.split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn heading(level: u16, text: &str, lang: Option<&str>) -> TagGroup {
    let level = NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN);
    let kind: TagKind = Tag::Hn(level, Some(text.to_owned())).into();
    TagGroup::new(kind.with_lang(lang.map(str::to_owned)))
}

pub(crate) fn paragraph_group(lang: Option<&str>) -> TagGroup {
    let kind: TagKind = Tag::P.into();
    TagGroup::new(kind.with_lang(lang.map(str::to_owned)))
}

/// A tagged document whose export runs krilla's PDF/UA-1 validator.
pub(crate) fn ua_document() -> Result<Document, PdfError> {
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| PdfError::Export(format!("{e:?}")))?;
    Ok(Document::new_with(SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    }))
}

/// Turns a krilla error into text that names each failed PDF/UA rule.
pub(crate) fn export_error(e: KrillaError) -> PdfError {
    match e {
        KrillaError::Validation(errors) => PdfError::Export(format!(
            "PDF/UA-1 validation failed: {}",
            errors
                .iter()
                .map(|(err, _)| format!("{err:?}"))
                .collect::<Vec<_>>()
                .join("; ")
        )),
        other => PdfError::Export(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_respects_width() {
        let measure = |s: &str| s.chars().count() as f32;
        assert_eq!(wrap("aa bb cc dd", 5.0, measure), vec!["aa bb", "cc dd"]);
        assert_eq!(wrap("abcdefgh", 3.0, measure), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("  ", 3.0, measure), Vec::<String>::new());
    }

    /// SPEC §2: every character the domain lets into a name is in both
    /// fonts a name is printed in, so an accepted name never fails a PDF.
    #[test]
    fn every_character_a_name_may_hold_is_printable() {
        let fonts = Fonts::load().unwrap();
        let allowed: Vec<char> = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|c| attesta_domain::person::name_char_allowed(*c))
            .collect();
        assert!(allowed.len() > 1000, "{}", allowed.len());
        let missing: Vec<String> = allowed
            .iter()
            .filter(|c| !fonts.bold.covers(**c) || !fonts.regular.covers(**c))
            .map(|c| format!("U+{:04X}", u32::from(*c)))
            .collect();
        assert!(missing.is_empty(), "not in DejaVu Sans: {missing:?}");
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name(" Anna\n\tDe\u{7}  Luca "), "Anna De Luca");
    }
}
