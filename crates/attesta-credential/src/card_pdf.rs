//! The EU Disability Card as a PDF (SPEC §5, DOMAIN §6.5): ID-1 size
//! (85.60 × 53.98 mm), two pages — front and back — for printing on card
//! stock or keeping on a phone.
//!
//! Front: "Carta europea della disabilità / EU Disability Card", the
//! holder's photo, surname, given name, birth date, expiry and serial, the
//! "A" mark when an accompanying person is needed, and "EU Disability
//! Card" in Unicode Braille (U+2800 block, drawn with DejaVu Sans). Back:
//! the credential's QR (vector squares, as in the attestation PDF), the
//! serial, the issue and expiry dates, and a line for whoever checks it.
//!
//! Written as PDF/UA-1 with krilla's validator on, like the attestation
//! (the kit in `pdf_ua.rs`): document language, title, outline, a structure tree in
//! reading order, alt text on the photo, the QR, the "A" mark and the
//! Braille line, fonts embedded; the decorations are artifacts.
//!
//! The QR holds only what SPEC §5 allows (issuer, dates, serial, status
//! reference); the codice fiscale is not an input and is never printed.

use krilla::color::rgb;
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, BBox, ContentTag, SpanTag, Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::TextDirection;
use time::Date;

use crate::pdf_ua::{
    DOC_LANG, EN, FontPair, Fonts, MM, PdfError, clean_name, export_error, heading,
    paragraph_group, ua_document, wrap,
};
use crate::qr::{QR_QUIET_ZONE, dark_runs, qr_matrix};

/// ID-1 (ISO/IEC 7810): 85.60 × 53.98 mm.
const CARD_W: f32 = 85.60 * MM;
const CARD_H: f32 = 53.98 * MM;
/// Side margin.
const EDGE: f32 = 3.0 * MM;
/// Height of the coloured band at the top of each side.
const BAND_H: f32 = 9.0 * MM;

const TITLE_IT: &str = "Carta europea della disabilità";
const TITLE_EN: &str = "EU Disability Card";
/// "EU Disability Card" in Unicode Braille (English grade 1 letters with
/// capital signs: ⠠⠠ before the all-capitals "EU", ⠠ before each word).
pub const BRAILLE_TITLE: &str = "⠠⠠⠑⠥ ⠠⠙⠊⠎⠁⠃⠊⠇⠊⠞⠽ ⠠⠉⠁⠗⠙";

/// Everything printed on a card.
#[derive(Debug, Clone, Copy)]
pub struct CardPdf<'a> {
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub birth_date: Date,
    /// The card serial (e.g. `IT1234567897`).
    pub serial: &'a str,
    pub issued_on: Date,
    /// The last day the card is valid.
    pub expires_on: Date,
    /// The "A" mark: an accompanying person is needed.
    pub a_mark: bool,
    /// The holder's photo, a JPEG (already checked and re-encoded).
    pub photo_jpeg: &'a [u8],
    /// The credential's QR text (`{PUBLIC_URL}/C/EUDC1:…`).
    pub qr_text: &'a str,
}

fn italian_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// Draws text as one tagged span at `(x, y)` (baseline) into `group`.
#[expect(
    clippy::too_many_arguments,
    reason = "a drawing primitive: where, in what font and size, in which language"
)]
fn span(
    surface: &mut Surface<'_>,
    group: &mut TagGroup,
    font: &FontPair,
    size: f32,
    x: f32,
    y: f32,
    text: &str,
    lang: Option<&str>,
) {
    let id = surface.start_tagged(ContentTag::Span(SpanTag::empty().with_lang(lang)));
    surface.draw_text(
        Point::from_xy(x, y),
        font.pdf.clone(),
        size,
        text,
        false,
        TextDirection::LeftToRight,
    );
    surface.end_tagged();
    group.push(id);
}

/// A font size at most `size` at which `text` fits in `width`.
fn fitting(font: &FontPair, size: f32, text: &str, width: f32) -> f32 {
    let w = font.width(text, size);
    if w > width { size * width / w } else { size }
}

fn rect_path(rects: &[(f32, f32, f32, f32)]) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    for &(x, y, w, h) in rects {
        if let Some(r) = Rect::from_xywh(x, y, w, h) {
            pb.push_rect(r);
        }
    }
    pb.finish()
}

/// Decoration (not content): the coloured band, frames.
fn artifact(surface: &mut Surface<'_>, color: rgb::Color, rects: &[(f32, f32, f32, f32)]) {
    let Some(path) = rect_path(rects) else { return };
    surface.start_tagged(ContentTag::Artifact(Artifact::new(
        ArtifactType::Other,
        None,
    )));
    surface.set_fill(Some(Fill {
        paint: color.into(),
        ..Fill::default()
    }));
    surface.draw_path(&path);
    surface.set_fill(Some(Fill::default()));
    surface.end_tagged();
}

const BLUE: (u8, u8, u8) = (0, 51, 153);

fn blue() -> rgb::Color {
    rgb::Color::new(BLUE.0, BLUE.1, BLUE.2)
}

/// The title band of a side: the band as an artifact, the title in white.
fn band(surface: &mut Surface<'_>, fonts: &Fonts, group: &mut TagGroup, it: &str, en: &str) {
    artifact(surface, blue(), &[(0.0, 0.0, CARD_W, BAND_H)]);
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(255, 255, 255).into(),
        ..Fill::default()
    }));
    let width = CARD_W - 2.0 * EDGE;
    let size = fitting(&fonts.bold, 7.5, it, width);
    span(surface, group, &fonts.bold, size, EDGE, 3.9 * MM, it, None);
    let size = fitting(&fonts.regular, 6.5, en, width);
    span(
        surface,
        group,
        &fonts.regular,
        size,
        EDGE,
        7.3 * MM,
        en,
        Some(EN),
    );
    surface.set_fill(Some(Fill::default()));
}

/// One labelled value: "Label / Label" small, the value below it.
#[expect(
    clippy::too_many_arguments,
    reason = "a drawing primitive: where, how wide, both labels and the value"
)]
fn field(
    surface: &mut Surface<'_>,
    tree: &mut TagTree,
    fonts: &Fonts,
    x: f32,
    y: f32,
    width: f32,
    label_it: &str,
    label_en: &str,
    value: &str,
    value_font: &FontPair,
) -> Result<(), PdfError> {
    let mut p = paragraph_group(None);
    let label_size = 4.6;
    span(
        surface,
        &mut p,
        &fonts.regular,
        label_size,
        x,
        y,
        label_it,
        None,
    );
    let sep = format!("{label_it} / ");
    let en_x = x + fonts.regular.width(&sep, label_size);
    span(
        surface,
        &mut p,
        &fonts.regular,
        label_size,
        x + fonts.regular.width(label_it, label_size),
        y,
        " / ",
        None,
    );
    span(
        surface,
        &mut p,
        &fonts.regular,
        label_size,
        en_x,
        y,
        label_en,
        Some(EN),
    );
    let size = fitting(value_font, 7.5, value, width);
    if size < 4.0 {
        return Err(PdfError::HolderNameTooLong);
    }
    span(
        surface,
        &mut p,
        value_font,
        size,
        x,
        y + 3.1 * MM,
        value,
        None,
    );
    tree.push(p);
    Ok(())
}

/// Builds the card PDF (ID-1, two pages, PDF/UA-1, fonts embedded).
pub fn card_pdf(card: &CardPdf) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let given = clean_name(card.given_name);
    let family = clean_name(card.family_name);
    if given.is_empty() && family.is_empty() {
        return Err(PdfError::EmptyHolderName);
    }
    for c in given.chars().chain(family.chars()) {
        if !fonts.bold.covers(c) {
            return Err(PdfError::UnsupportedCharacter(c));
        }
    }
    if let Some(c) = BRAILLE_TITLE.chars().find(|c| !fonts.regular.covers(*c)) {
        return Err(PdfError::UnsupportedCharacter(c));
    }
    let photo = Image::from_jpeg(card.photo_jpeg.to_vec().into(), true)
        .map_err(|e| PdfError::Export(format!("the photo is not a readable JPEG: {e}")))?;
    let (qr_width, qr_dark) = qr_matrix(card.qr_text)?;

    let title = format!("{TITLE_IT} — {TITLE_EN}");
    let mut document = ua_document()?;
    let mut tree = TagTree::new().with_lang(Some(DOC_LANG.to_owned()));
    let mut outline = Outline::new();
    let page_settings = || {
        PageSettings::from_wh(CARD_W, CARD_H)
            .ok_or_else(|| PdfError::Export("invalid page size".into()))
    };

    // ---- front ---------------------------------------------------------
    {
        let mut page = document.start_page_with(page_settings()?);
        let mut surface = page.surface();
        outline.push_child(OutlineNode::new(
            "Fronte / Front".to_owned(),
            XyzDestination::new(0, Point::from_xy(0.0, 0.0)),
        ));
        let mut h1 = heading(1, &title, None);
        band(&mut surface, fonts, &mut h1, TITLE_IT, TITLE_EN);
        tree.push(h1);

        // The photo, fitted in a 25 × 32 mm frame.
        let (frame_x, frame_y, frame_w, frame_h) = (EDGE, 11.0 * MM, 25.0 * MM, 32.0 * MM);
        let (pw, ph) = photo.size();
        let (pw, ph) = (pw.max(1) as f32, ph.max(1) as f32);
        let scale = f32::min(frame_w / pw, frame_h / ph);
        let (w, h) = (pw * scale, ph * scale);
        let (x, y) = (frame_x + (frame_w - w) / 2.0, frame_y + (frame_h - h) / 2.0);
        let mut figure_tag = Tag::Figure(Some(
            "Fotografia del titolare / Photograph of the holder".to_owned(),
        ));
        if let Some(bbox) = Rect::from_xywh(x, y, w, h) {
            figure_tag.set_bbox(Some(BBox::new(0, bbox)));
        }
        let mut figure = TagGroup::new(figure_tag);
        if let Some(size) = Size::from_wh(w, h) {
            let id = surface.start_tagged(ContentTag::Other);
            surface.push_transform(&Transform::from_translate(x, y));
            surface.draw_image(photo.clone(), size);
            surface.pop();
            surface.end_tagged();
            figure.push(id);
        }
        tree.push(figure);

        // The data column, right of the photo; the "A" mark at the top right.
        let col_x = 31.0 * MM;
        let a_size = 10.0 * MM;
        let a_x = CARD_W - EDGE - a_size;
        let col_w = a_x - col_x - 1.5 * MM;
        let row = 6.7 * MM;
        let top = 13.6 * MM;
        field(
            &mut surface,
            &mut tree,
            fonts,
            col_x,
            top,
            col_w,
            "Cognome",
            "Surname",
            &family,
            &fonts.bold,
        )?;
        field(
            &mut surface,
            &mut tree,
            fonts,
            col_x,
            top + row,
            col_w,
            "Nome",
            "Given name",
            &given,
            &fonts.bold,
        )?;
        field(
            &mut surface,
            &mut tree,
            fonts,
            col_x,
            top + 2.0 * row,
            CARD_W - EDGE - col_x,
            "Data di nascita",
            "Date of birth",
            &italian_date(card.birth_date),
            &fonts.bold,
        )?;
        field(
            &mut surface,
            &mut tree,
            fonts,
            col_x,
            top + 3.0 * row,
            CARD_W - EDGE - col_x,
            "Scadenza",
            "Expiry",
            &italian_date(card.expires_on),
            &fonts.bold,
        )?;
        field(
            &mut surface,
            &mut tree,
            fonts,
            col_x,
            top + 4.0 * row,
            CARD_W - EDGE - col_x,
            "Numero",
            "Number",
            card.serial,
            &fonts.mono,
        )?;

        if card.a_mark {
            let a_y = 11.0 * MM;
            let t = 0.3 * MM;
            artifact(
                &mut surface,
                blue(),
                &[
                    (a_x, a_y, a_size, t),
                    (a_x, a_y + a_size - t, a_size, t),
                    (a_x, a_y, t, a_size),
                    (a_x + a_size - t, a_y, t, a_size),
                ],
            );
            let kind: TagKind = Tag::P.into();
            let mut p = TagGroup::new(kind.with_alt_text(Some(
                "A: serve un accompagnatore / an accompanying person is needed".to_owned(),
            )));
            let size = 20.0;
            let w = fonts.bold.width("A", size);
            span(
                &mut surface,
                &mut p,
                &fonts.bold,
                size,
                a_x + (a_size - w) / 2.0,
                a_y + a_size / 2.0 + size * 0.36,
                "A",
                None,
            );
            tree.push(p);
        }

        // "EU Disability Card" in Braille, along the bottom edge.
        let kind: TagKind = Tag::P.into();
        let mut braille = TagGroup::new(
            kind.with_alt_text(Some("EU Disability Card (in Braille)".to_owned()))
                .with_lang(Some(EN.to_owned())),
        );
        let size = fitting(&fonts.regular, 9.0, BRAILLE_TITLE, CARD_W - 2.0 * EDGE);
        span(
            &mut surface,
            &mut braille,
            &fonts.regular,
            size,
            EDGE,
            CARD_H - 2.6 * MM,
            BRAILLE_TITLE,
            None,
        );
        tree.push(braille);
        surface.finish();
        page.finish();
    }

    // ---- back ----------------------------------------------------------
    {
        let mut page = document.start_page_with(page_settings()?);
        let mut surface = page.surface();
        let back_title = "Verifica della carta — Card check";
        outline.push_child(OutlineNode::new(
            "Retro / Back".to_owned(),
            XyzDestination::new(1, Point::from_xy(0.0, 0.0)),
        ));
        let mut h2 = heading(2, back_title, None);
        band(
            &mut surface,
            fonts,
            &mut h2,
            "Verifica della carta",
            "Card check",
        );
        tree.push(h2);

        // The QR with its quiet zone, 42 mm square, on the left.
        let qr_size = 42.0 * MM;
        let qr_left = 1.5 * MM;
        let qr_top = CARD_H - qr_size - 1.0 * MM;
        let modules = qr_width + 2 * QR_QUIET_ZONE;
        // Module counts are tiny (at most 177 + 8), exact in f32.
        let module = qr_size / modules as f32;
        let at = |modules: usize| modules as f32 * module;
        let rects: Vec<_> = dark_runs(qr_width, &qr_dark)
            .into_iter()
            .map(|(row, col, len)| (qr_left + at(col), qr_top + at(row), at(len), module))
            .collect();
        let alt = format!(
            "Codice QR firmato della carta n. {} / Signed QR code of card no. {}: \
             inquadrarlo con un qualsiasi lettore per verificare la validità / scan it with any reader to check that the card is valid",
            card.serial, card.serial
        );
        let mut figure_tag = Tag::Figure(Some(alt));
        if let Some(bbox) = Rect::from_xywh(qr_left, qr_top, qr_size, qr_size) {
            figure_tag.set_bbox(Some(BBox::new(1, bbox)));
        }
        let mut figure = TagGroup::new(figure_tag);
        if let Some(path) = rect_path(&rects) {
            let id = surface.start_tagged(ContentTag::Other);
            surface.draw_path(&path);
            surface.end_tagged();
            figure.push(id);
        }
        tree.push(figure);

        let col_x = qr_left + qr_size + 1.0 * MM;
        let col_w = CARD_W - EDGE - col_x;
        let top = 13.4 * MM;
        let row = 6.7 * MM;
        field(
            &mut surface,
            &mut tree,
            fonts,
            col_x,
            top,
            col_w,
            "Numero",
            "Number",
            card.serial,
            &fonts.mono,
        )?;
        field(
            &mut surface,
            &mut tree,
            fonts,
            col_x,
            top + row,
            col_w,
            "Rilasciata il",
            "Issued on",
            &italian_date(card.issued_on),
            &fonts.bold,
        )?;
        field(
            &mut surface,
            &mut tree,
            fonts,
            col_x,
            top + 2.0 * row,
            col_w,
            "Valida fino al",
            "Valid until",
            &italian_date(card.expires_on),
            &fonts.bold,
        )?;
        let mut y = top + 3.0 * row;
        for (lang, text) in [
            (None, "Inquadrare il QR per verificare la validità."),
            (Some(EN), "Scan the QR to check that the card is valid."),
        ] {
            let mut p = paragraph_group(lang);
            let size = 4.6;
            for line in wrap(text, col_w, |s| fonts.regular.width(s, size)) {
                span(
                    &mut surface,
                    &mut p,
                    &fonts.regular,
                    size,
                    col_x,
                    y,
                    &line,
                    None,
                );
                y += size * 1.25;
            }
            tree.push(p);
            y += 0.6 * MM;
        }
        if y > CARD_H - 0.5 * MM {
            return Err(PdfError::Export("the back side overflows".into()));
        }
        surface.finish();
        page.finish();
    }

    let d = card.issued_on;
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// A portrait JPEG, as the application stores them.
    fn jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(300, 400, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 160])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&img)
            .unwrap();
        out
    }

    fn sample(a_mark: bool) -> Result<Vec<u8>, PdfError> {
        let photo = jpeg();
        card_pdf(&CardPdf {
            given_name: "Maria Grazia",
            family_name: "D'Annunzio-Sforza",
            birth_date: date!(1980 - 01 - 01),
            serial: "IT1234567897",
            issued_on: date!(2026 - 11 - 23),
            expires_on: date!(2036 - 11 - 23),
            a_mark,
            photo_jpeg: &photo,
            qr_text: "HTTP://127.0.0.1:8080/C/EUDC1:6BFOXN%2BTSMAHN-H%2FP8JU6%2BB3OOJIQ1VA6D$IC-H$GE1$8%253LTDOU",
        })
    }

    #[test]
    fn card_is_a_tagged_two_page_id1_pdf() {
        let bytes = sample(true).unwrap();
        if std::env::var_os("ATTESTA_WRITE_SAMPLE_PDF").is_some() {
            std::fs::write("/tmp/attesta-card-sample.pdf", &bytes).unwrap();
        }
        assert!(bytes.starts_with(b"%PDF-1.7"));
        let find = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(find(b"/StructTreeRoot"));
        assert!(find(b"/Lang(it-IT)"));
        assert!(find(b"/Count 2"), "two pages");
        assert!(find(b"pdfuaid:part"));
        sample(false).unwrap();
    }

    #[test]
    fn the_braille_line_spells_the_title() {
        // ⠑ e, ⠥ u, ⠙ d, ⠊ i, ⠎ s, ⠁ a, ⠃ b, ⠇ l, ⠞ t, ⠽ y, ⠉ c, ⠗ r.
        let letters: String = BRAILLE_TITLE
            .chars()
            .filter_map(|c| match c {
                '⠑' => Some('e'),
                '⠥' => Some('u'),
                '⠙' => Some('d'),
                '⠊' => Some('i'),
                '⠎' => Some('s'),
                '⠁' => Some('a'),
                '⠃' => Some('b'),
                '⠇' => Some('l'),
                '⠞' => Some('t'),
                '⠽' => Some('y'),
                '⠉' => Some('c'),
                '⠗' => Some('r'),
                ' ' => Some(' '),
                _ => None,
            })
            .collect();
        assert_eq!(letters, "eu disability card");
        assert!(
            BRAILLE_TITLE
                .chars()
                .all(|c| c == ' ' || ('\u{2800}'..='\u{28FF}').contains(&c))
        );
    }
}
