//! The printable attestation: one A4 page with the holder's name, the QR, the
//! short code and bilingual instructions for the operator.
//!
//! # Validation mode
//!
//! The document is written as **PDF/UA-1** (PDF 1.7) with krilla's built-in
//! PDF/UA-1 validator switched on: export fails instead of producing a PDF
//! that lacks a title, a document language, an outline, alt text on the QR
//! figure, heading titles, or that uses a glyph the font cannot show. Beyond
//! what the validator can check, the code follows the PDF/UA rules by
//! construction: every piece of content sits in a structure element (H1, H2,
//! P, Figure) in reading order, nothing is left untagged, the English parts
//! carry `Lang en`, and the fonts are embedded.
//!
//! The codice fiscale is deliberately not an input: the QR and the codice
//! fiscale are the two factors of a check, so a lost printout alone must not
//! reveal both.

use std::num::NonZeroU16;

use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::tagging::{BBox, ContentTag, SpanTag, Tag, TagGroup, TagKind, TagTree};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

use crate::qr::{QR_QUIET_ZONE, QrError, qr_matrix};

/// A4 portrait in PDF points (1 pt = 1/72 in).
const PAGE_W: f32 = 595.276;
const PAGE_H: f32 = 841.89;
/// 20 mm margins.
const MARGIN: f32 = 56.69;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// Width of the QR including its quiet zone: 70 mm, comfortably above the
/// ~60 mm that phone cameras and ZBar read reliably from a worn printout.
const QR_SIZE: f32 = 198.43;
/// Longest holder name (in wrapped lines) the layout reserves room for.
const MAX_NAME_LINES: usize = 3;

const DOC_LANG: &str = "it-IT";
const EN: &str = "en";
const TITLE_IT: &str = "Attestazione di stato";
const TITLE_EN: &str = "Status attestation";
const TITLE_SEP: &str = " — ";

/// Everything printed on an attestation.
#[derive(Debug, Clone, Copy)]
pub struct AttestationPdf<'a> {
    /// The holder's full name, as it should be printed.
    pub holder_name: &'a str,
    /// The attestation URL (see [`crate::attestation_url`]); the QR encodes exactly this.
    pub url: &'a str,
    /// The short code for manual entry (see [`crate::Token::short_code`]).
    pub short_code: &'a str,
    /// The day the PDF was generated, printed on it.
    pub generated_on: time::Date,
}

/// Why the PDF could not be produced.
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
    fn load(name: &'static str, data: &'static [u8]) -> Result<Self, PdfError> {
        let pdf = Font::new(data.into(), 0).ok_or(PdfError::Font(name))?;
        let face = rustybuzz::Face::from_slice(data, 0).ok_or(PdfError::Font(name))?;
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
        #[allow(clippy::cast_precision_loss)]
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
    pub(crate) fn load() -> Result<Self, PdfError> {
        Ok(Self {
            regular: FontPair::load("DejaVu Sans", dejavu::sans::regular())?,
            bold: FontPair::load("DejaVu Sans Bold", dejavu::sans::bold())?,
            mono: FontPair::load("DejaVu Sans Mono Bold", dejavu::sans_mono::bold())?,
        })
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

/// Draws text line by line, each line a tagged span, and keeps the vertical position.
struct Writer<'s, 'p> {
    surface: &'s mut Surface<'p>,
    /// Baseline of the next line, from the top of the page.
    y: f32,
}

impl Writer<'_, '_> {
    /// Draws one span at `x` on the current baseline and registers it in `group`.
    fn span(
        &mut self,
        group: &mut TagGroup,
        font: &FontPair,
        size: f32,
        x: f32,
        text: &str,
        lang: Option<&str>,
    ) {
        let id = self
            .surface
            .start_tagged(ContentTag::Span(SpanTag::empty().with_lang(lang)));
        self.surface.draw_text(
            Point::from_xy(x, self.y),
            font.pdf.clone(),
            size,
            text,
            false,
            TextDirection::LeftToRight,
        );
        self.surface.end_tagged();
        group.push(id);
    }

    /// A wrapped, left-aligned paragraph in one language.
    fn paragraph(&mut self, group: &mut TagGroup, font: &FontPair, size: f32, text: &str) {
        let leading = size * 1.35;
        for line in wrap(text, CONTENT_W, |s| font.width(s, size)) {
            self.span(group, font, size, MARGIN, &line, None);
            self.y += leading;
        }
    }

    /// One line made of segments in different languages (e.g. "italiano — English"),
    /// centred or left-aligned. The font size shrinks if the line would not fit.
    fn mixed_line(
        &mut self,
        group: &mut TagGroup,
        font: &FontPair,
        size: f32,
        segments: &[(&str, Option<&str>)],
        centred: bool,
    ) {
        let joined: String = segments.iter().map(|(t, _)| *t).collect();
        let full = font.width(&joined, size);
        let size = if full > CONTENT_W {
            size * CONTENT_W / full
        } else {
            size
        };
        let mut x = if centred {
            (PAGE_W - font.width(&joined, size)) / 2.0
        } else {
            MARGIN
        };
        for (text, lang) in segments {
            self.span(group, font, size, x, text, *lang);
            x += font.width(text, size);
        }
        self.y += size * 1.35;
    }
}

/// "attesta.example.it/v" from "HTTPS://ATTESTA.EXAMPLE.IT/V/TOKEN": the page
/// where the operator types the short code.
///
/// The URL is upper case (for the QR's alphanumeric mode), so the host is
/// shown in lower case; a path prefix in `public_url` is lower-cased too.
fn manual_entry_address(url: &str) -> String {
    let lower = url.to_lowercase();
    let without_scheme = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let base = without_scheme
        .rfind("/v/")
        .map_or(without_scheme, |i| &without_scheme[..i]);
    format!("{base}/v")
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

/// The operator instructions, Italian then English.
fn instructions(address: &str) -> ([String; 3], [String; 3]) {
    (
        [
            format!(
                "1. Inquadrare il codice QR con un qualsiasi lettore di codici QR, oppure aprire \
                 {address} e digitare il codice per l'inserimento manuale."
            ),
            "2. Digitare il codice fiscale del titolare, riportato sulla sua tessera sanitaria."
                .to_owned(),
            "3. Il risultato indica soltanto se la persona rientra, alla data odierna, in almeno \
             uno dei casi elencati. Nulla viene mostrato prima che il codice fiscale corrisponda."
                .to_owned(),
        ],
        [
            format!(
                "1. Scan the QR code with any QR reader, or open {address} and type the code \
                 for manual entry."
            ),
            "2. Type the holder's codice fiscale (Italian tax code), shown on their health card \
             (tessera sanitaria)."
                .to_owned(),
            "3. The result says only whether the person falls in at least one of the listed \
             cases as of today. Nothing is shown before the codice fiscale matches."
                .to_owned(),
        ],
    )
}

const NOTE_IT: &str = "Questo codice QR è legato alla persona, non a un verbale: ogni verifica \
                       legge lo stato attuale. Il titolare può revocarlo in qualsiasi momento.";
const NOTE_EN: &str = "This QR code is tied to the person, not to a verbale (assessment report): \
                       every check reads the current status. The holder can revoke it at any time.";

/// Builds the attestation PDF (A4, PDF/UA-1, fonts embedded).
///
/// Generated on request and never stored, so it always shows the current
/// token; the codice fiscale is not an input and cannot appear in it.
pub fn attestation_pdf(doc: &AttestationPdf) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let name = clean_name(doc.holder_name);
    if name.is_empty() {
        return Err(PdfError::EmptyHolderName);
    }
    if let Some(c) = name.chars().find(|c| !fonts.bold.covers(*c)) {
        return Err(PdfError::UnsupportedCharacter(c));
    }
    let name_size = 16.0;
    let name_lines = wrap(&name, CONTENT_W, |s| fonts.bold.width(s, name_size));
    if name_lines.len() > MAX_NAME_LINES {
        return Err(PdfError::HolderNameTooLong);
    }
    let (qr_width, qr_dark) = qr_matrix(doc.url)?;

    let title = format!("{TITLE_IT}{TITLE_SEP}{TITLE_EN}");
    let alt = format!(
        "Codice QR dell'attestazione. Codice per l'inserimento manuale: {}",
        doc.short_code
    );
    let address = manual_entry_address(doc.url);
    let (steps_it, steps_en) = instructions(&address);
    let d = doc.generated_on;
    let date_it = format!(
        "Generato il {:02}/{:02}/{:04}",
        d.day(),
        u8::from(d.month()),
        d.year()
    );
    let date_en = format!(
        "Generated on {:04}-{:02}-{:02}",
        d.year(),
        u8::from(d.month()),
        d.day()
    );

    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| PdfError::Export(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let mut tree = TagTree::new().with_lang(Some(DOC_LANG.to_owned()));
    let mut outline = Outline::new();

    let page_settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| PdfError::Export("invalid page size".into()))?;
    let mut page = document.start_page_with(page_settings);
    let mut surface = page.surface();
    let mut w = Writer {
        surface: &mut surface,
        y: MARGIN + 20.0,
    };

    // Title.
    let mut h1 = heading(1, &title, None);
    outline.push_child(OutlineNode::new(
        title.clone(),
        XyzDestination::new(0, Point::from_xy(MARGIN, MARGIN)),
    ));
    w.mixed_line(
        &mut h1,
        &fonts.bold,
        20.0,
        &[(TITLE_IT, None), (TITLE_SEP, None), (TITLE_EN, Some(EN))],
        true,
    );
    tree.push(h1);
    w.y += 14.0;

    // Holder.
    let mut holder = paragraph_group(None);
    w.mixed_line(
        &mut holder,
        &fonts.regular,
        10.0,
        &[("Titolare", None), (" / ", None), ("Holder", Some(EN))],
        true,
    );
    w.y += 4.0;
    for line in &name_lines {
        let x = (PAGE_W - fonts.bold.width(line, name_size)) / 2.0;
        w.span(&mut holder, &fonts.bold, name_size, x, line, None);
        w.y += name_size * 1.3;
    }
    tree.push(holder);

    // QR, drawn as vector squares: one rectangle per horizontal run of dark
    // modules, so the printout is sharp at any resolution.
    let modules = qr_width + 2 * QR_QUIET_ZONE;
    // Module counts are tiny (at most 177 + 8), exact in f32.
    #[allow(clippy::cast_precision_loss)]
    let module = QR_SIZE / modules as f32;
    let qr_left = (PAGE_W - QR_SIZE) / 2.0;
    let qr_top = w.y - 6.0;
    let mut pb = PathBuilder::new();
    for (row, cells) in qr_dark.chunks(qr_width).enumerate() {
        let mut col = 0;
        while col < qr_width {
            if !cells[col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < qr_width && cells[col] {
                col += 1;
            }
            #[allow(clippy::cast_precision_loss)]
            let rect = Rect::from_xywh(
                qr_left + (start + QR_QUIET_ZONE) as f32 * module,
                qr_top + (row + QR_QUIET_ZONE) as f32 * module,
                (col - start) as f32 * module,
                module,
            );
            if let Some(rect) = rect {
                pb.push_rect(rect);
            }
        }
    }
    let mut figure_tag = Tag::Figure(Some(alt));
    if let Some(bbox) = Rect::from_xywh(qr_left, qr_top, QR_SIZE, QR_SIZE) {
        figure_tag.set_bbox(Some(BBox::new(0, bbox)));
    }
    let mut figure = TagGroup::new(figure_tag);
    if let Some(path) = pb.finish() {
        let id = w.surface.start_tagged(ContentTag::Other);
        w.surface.draw_path(&path);
        w.surface.end_tagged();
        figure.push(id);
    }
    tree.push(figure);
    w.y = qr_top + QR_SIZE + 14.0;

    // Short code.
    let mut code_label = paragraph_group(None);
    w.mixed_line(
        &mut code_label,
        &fonts.regular,
        10.0,
        &[
            ("Codice per l'inserimento manuale", None),
            (" / ", None),
            ("Code for manual entry", Some(EN)),
        ],
        true,
    );
    tree.push(code_label);
    w.y += 16.0;
    let mut code = paragraph_group(None);
    w.mixed_line(
        &mut code,
        &fonts.mono,
        22.0,
        &[(doc.short_code, None)],
        true,
    );
    tree.push(code);
    w.y += 14.0;

    // Instructions, Italian then English.
    let body = 10.5;
    for (lang, head, steps) in [
        (None, "Istruzioni per l'operatore", &steps_it),
        (Some(EN), "Instructions for the operator", &steps_en),
    ] {
        let mut h2 = heading(2, head, lang);
        w.mixed_line(&mut h2, &fonts.bold, 13.0, &[(head, None)], false);
        tree.push(h2);
        w.y += 2.0;
        for step in steps {
            let mut p = paragraph_group(lang);
            w.paragraph(&mut p, &fonts.regular, body, step);
            tree.push(p);
            w.y += 3.0;
        }
        w.y += 8.0;
    }

    // Date and note.
    let mut date = paragraph_group(None);
    w.mixed_line(
        &mut date,
        &fonts.regular,
        body,
        &[(&date_it, None), (TITLE_SEP, None), (&date_en, Some(EN))],
        false,
    );
    tree.push(date);
    w.y += 4.0;
    for (lang, note) in [(None, NOTE_IT), (Some(EN), NOTE_EN)] {
        let mut p = paragraph_group(lang);
        w.paragraph(&mut p, &fonts.regular, 9.5, note);
        tree.push(p);
        w.y += 2.0;
    }
    let bottom = w.y;
    surface.finish();
    page.finish();
    if bottom > PAGE_H - MARGIN / 2.0 {
        return Err(PdfError::HolderNameTooLong);
    }

    let mut metadata = Metadata::new()
        .title(title)
        .language(DOC_LANG.to_owned())
        .creator("attesta".to_owned());
    if let (Ok(year), month, day) = (u16::try_from(d.year()), u8::from(d.month()), d.day()) {
        metadata = metadata.creation_date(DateTime::new(year).month(month).day(day));
    }
    document.set_metadata(metadata);
    document.set_outline(outline);
    document.set_tag_tree(tree);
    document.finish().map_err(export_error)
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

    fn sample(name: &str) -> Result<Vec<u8>, PdfError> {
        attestation_pdf(&AttestationPdf {
            holder_name: name,
            url: "HTTPS://ATTESTA.EXAMPLE.IT/V/5H92BJFCK058708Z5J6XC0MK3S",
            short_code: "5H92-BJFC-K058-708Z-5J6X-C0MK-3S",
            generated_on: time::macros::date!(2025 - 03 - 07),
        })
    }

    #[test]
    fn pdf_is_tagged_pdf_ua() {
        let bytes = sample("Mario Rossi").unwrap();
        if std::env::var_os("ATTESTA_WRITE_SAMPLE_PDF").is_some() {
            std::fs::write("/tmp/attesta-sample.pdf", &bytes).unwrap();
        }
        assert!(bytes.starts_with(b"%PDF-1.7"));
        let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(find(b"/StructTreeRoot"));
        assert!(find(b"/Marked true"));
        assert!(find(b"/Lang(it-IT)"));
        assert!(find(b"pdfuaid:part"));
    }

    #[test]
    fn wrap_respects_width() {
        let measure = |s: &str| s.chars().count() as f32;
        assert_eq!(wrap("aa bb cc dd", 5.0, measure), vec!["aa bb", "cc dd"]);
        assert_eq!(wrap("abcdefgh", 3.0, measure), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("  ", 3.0, measure), Vec::<String>::new());
    }

    #[test]
    fn address_from_url() {
        assert_eq!(
            manual_entry_address("HTTPS://ATTESTA.EXAMPLE.IT/V/ABC"),
            "attesta.example.it/v"
        );
        assert_eq!(
            manual_entry_address("HTTP://LOCALHOST:8080/V/ABC"),
            "localhost:8080/v"
        );
    }

    #[test]
    fn names_are_cleaned_and_checked() {
        assert_eq!(clean_name(" Anna\n\tDe\u{7}  Luca "), "Anna De Luca");
        assert!(matches!(sample(" \n"), Err(PdfError::EmptyHolderName)));
        assert!(matches!(
            sample("名前"),
            Err(PdfError::UnsupportedCharacter('名'))
        ));
        assert!(matches!(
            sample(&"Bartolomeo ".repeat(40)),
            Err(PdfError::HolderNameTooLong)
        ));
        // Accented and apostrophised Italian names are fine; so are long-ish double surnames.
        sample("Niccolò D'Annunzio-Sforza Visconti di Modrone").unwrap();
    }
}
