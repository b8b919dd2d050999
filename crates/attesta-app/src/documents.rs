//! Documents for the commission (SPEC §11, issue #14; DOMAIN §8.2, §13):
//! the holder (or a delegate acting for them) sends a PDF, JPEG or PNG for
//! one of their open applications; the back office lists and reads them.
//!
//! The type is told by the content (its first bytes), never by the file
//! name or the declared content type. A PDF must parse and is kept as
//! sent; an image is decoded (bounded against decompression bombs) and
//! written again in its own format, so no metadata (EXIF, GPS, XMP,
//! comments) of the original survives. CPU work runs off the async
//! workers. Documents hold health data: nothing of them is logged.

use std::io::Cursor;

use attesta_domain::Activity;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use time::OffsetDateTime;

use attesta_store::documents::{DocumentRecord, NewDocument};

use crate::{Actor, App, AppError, AppResult, ErrorCode, from_millis};

/// Largest document accepted: 10 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;
/// Largest decoded image (pixels per side): an A4 page at 600 dpi fits.
const MAX_IMAGE_SIDE: u32 = 10_000;
/// The longest stored file name, in characters.
const FILE_NAME_MAX: usize = 100;

/// The kinds of document accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Jpeg,
    Png,
}

impl DocumentKind {
    /// The Content-Type it is stored and served with.
    pub const fn content_type(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Jpeg => "image/jpeg",
            DocumentKind::Png => "image/png",
        }
    }

    const fn extension(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "pdf",
            DocumentKind::Jpeg => "jpg",
            DocumentKind::Png => "png",
        }
    }
}

/// The kind of a file by its first bytes (its "magic"), if accepted.
pub fn sniff(bytes: &[u8]) -> Option<DocumentKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(DocumentKind::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(DocumentKind::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(DocumentKind::Png)
    } else {
        None
    }
}

fn unsupported(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::UnsupportedDocument, message)
}

/// What the 413 of the upload says, naming its limit.
pub const TOO_LARGE_MESSAGE: &str = "The document is larger than 10 MiB: send a smaller PDF, JPEG or PNG (scan at a lower resolution, or split it).";

/// 413 for the upload, naming its limit.
pub fn document_too_large() -> AppError {
    AppError::new(ErrorCode::PayloadTooLarge, TOO_LARGE_MESSAGE)
}

/// Checks a document and cleans it: answers its kind and the bytes to
/// store (a PDF as sent, an image decoded and written again without its
/// metadata).
pub fn clean_document(bytes: &[u8]) -> AppResult<(DocumentKind, Vec<u8>)> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(document_too_large());
    }
    if bytes.is_empty() {
        return Err(unsupported(
            "The file is empty: choose a PDF, JPEG or PNG document.",
        ));
    }
    let Some(kind) = sniff(bytes) else {
        return Err(unsupported(
            "This file is not a PDF, JPEG or PNG (whatever its name says): save or scan the document as PDF, JPEG or PNG and send it again.",
        ));
    };
    match kind {
        DocumentKind::Pdf => {
            lopdf::Document::load_mem(bytes).map_err(|_| {
                unsupported(
                    "This PDF could not be read (it is damaged or not a real PDF): save it again as PDF, or send a JPEG or PNG scan.",
                )
            })?;
            Ok((kind, bytes.to_vec()))
        }
        DocumentKind::Jpeg | DocumentKind::Png => Ok((kind, reencode(bytes, kind)?)),
    }
}

fn reencode(bytes: &[u8], kind: DocumentKind) -> AppResult<Vec<u8>> {
    let unreadable = |_: image::ImageError| {
        unsupported(
            "This image could not be read (it is damaged, or larger than 10,000 pixels a side): save it again as JPEG or PNG, or send a PDF.",
        )
    };
    let format = match kind {
        DocumentKind::Png => image::ImageFormat::Png,
        _ => image::ImageFormat::Jpeg,
    };
    let reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let img = crate::card_photo::decode_upright(reader, MAX_IMAGE_SIDE, 512 * 1024 * 1024)
        .map_err(unreadable)?;
    let mut out = Vec::new();
    match kind {
        DocumentKind::Png => img
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .map_err(|e| AppError::internal(&e))?,
        _ => {
            let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
            match img {
                image::DynamicImage::ImageLuma8(gray) => encoder.encode_image(&gray),
                other => encoder.encode_image(&other.to_rgb8()),
            }
            .map_err(|e| AppError::internal(&e))?;
        }
    }
    Ok(out)
}

/// The sent file name, kept only as a hint for the back office: letters,
/// digits, `.`, `-` and `_` (others become `_`), at most 100 characters,
/// and the extension of the kind found (`referto.pdf`). No name: `document`.
pub fn sanitise_file_name(name: Option<&str>, kind: DocumentKind) -> String {
    let name = name.unwrap_or_default();
    // The last path segment only (browsers may send `C:\…\x.pdf`).
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let mut clean: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| !attesta_domain::person::is_hidden_char(*c))
        .take(FILE_NAME_MAX - 4)
        .collect();
    let trimmed = clean.trim_matches('_');
    clean = if trimmed.is_empty() {
        "document".to_owned()
    } else {
        trimmed.to_owned()
    };
    format!("{clean}.{}", kind.extension())
}

/// A document as listed (without its bytes).
#[derive(Debug, Clone)]
pub struct DocumentView {
    pub document_id: String,
    pub application_id: String,
    pub at: OffsetDateTime,
    pub content_type: String,
    pub size: i64,
    pub file_name: String,
    /// Sent by a delegate acting for the holder.
    pub by_delegate: bool,
}

impl From<DocumentRecord> for DocumentView {
    fn from(d: DocumentRecord) -> Self {
        DocumentView {
            by_delegate: d.sent_by != d.person_id,
            document_id: d.document_id,
            application_id: d.application_id,
            at: from_millis(d.created_at),
            content_type: d.content_type,
            size: d.size,
            file_name: d.file_name,
        }
    }
}

/// A stored document with its bytes, for the back office.
#[derive(Debug, Clone)]
pub struct DocumentFile {
    pub view: DocumentView,
    pub bytes: Vec<u8>,
}

fn unknown_document() -> AppError {
    AppError::new(
        ErrorCode::UnknownDocument,
        "No document with this document_id: see GET /api/v1/admin/applications/{application_id}/documents.",
    )
}

impl App {
    /// `POST /api/v1/me/applications/{id}/documents`: another person's
    /// application is unknown (404); a closed one (concluded, lapsed,
    /// withdrawn) is 409 `application_closed`. Answers the document's id.
    pub async fn send_document(
        &self,
        actor: &Actor,
        application_id: &str,
        file_name: Option<&str>,
        bytes: Vec<u8>,
    ) -> AppResult<String> {
        let state = self.my_application_state(actor, application_id).await?;
        if state.is_terminal() {
            return Err(AppError::new(
                ErrorCode::ApplicationClosed,
                format!(
                    "This application is {} and takes no more documents: documents go with an open application. For a worsening, file a new application (aggravamento) and send them with it.",
                    state.as_str()
                ),
            ));
        }
        let (kind, clean) = tokio::task::spawn_blocking(move || clean_document(&bytes))
            .await
            .map_err(|e| AppError::internal(&e))??;
        let new = NewDocument {
            application_id: application_id.to_owned(),
            person_id: actor.person_id.clone(),
            content_type: kind.content_type().to_owned(),
            size: i64::try_from(clean.len()).unwrap_or(i64::MAX),
            file_name: sanitise_file_name(file_name, kind),
            sent_by: actor.by_person_id.clone(),
            content_base64: BASE64.encode(&clean),
        };
        let id = self.store.add_document(&new, self.now_millis()).await?;
        self.record(actor, Activity::DocumentSent).await?;
        Ok(id)
    }

    /// `GET /api/v1/me/documents`: the holder's documents, newest first.
    pub async fn my_documents(&self, actor: &Actor) -> AppResult<Vec<DocumentView>> {
        Ok(self
            .store
            .documents_of_person(&actor.person_id)
            .await?
            .into_iter()
            .map(DocumentView::from)
            .collect())
    }

    /// `GET /api/v1/admin/applications/{id}/documents`.
    pub async fn application_documents(
        &self,
        application_id: &str,
    ) -> AppResult<Vec<DocumentView>> {
        if self.store.application(application_id).await?.is_none() {
            return Err(AppError::new(
                ErrorCode::UnknownApplication,
                "No application with this application_id.",
            ));
        }
        Ok(self
            .store
            .documents_of_application(application_id)
            .await?
            .into_iter()
            .map(DocumentView::from)
            .collect())
    }

    /// `GET /api/v1/admin/documents/{id}`: the stored bytes.
    pub async fn document_file(&self, document_id: &str) -> AppResult<DocumentFile> {
        let (record, b64) = self
            .store
            .document(document_id)
            .await?
            .ok_or_else(unknown_document)?;
        let bytes = BASE64
            .decode(b64.as_bytes())
            .map_err(|e| AppError::internal(&e))?;
        Ok(DocumentFile {
            view: record.into(),
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_with_exif() -> Vec<u8> {
        let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        // An eXIf chunk after IHDR (8-byte signature + 25-byte IHDR).
        let data = b"MM\0\x2a\0\0\0\x08\0\0GPS-SECRET";
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&(data.len() as u32).to_be_bytes());
        chunk.extend_from_slice(b"eXIf");
        chunk.extend_from_slice(data);
        let crc = crc32(&chunk[4..]);
        chunk.extend_from_slice(&crc.to_be_bytes());
        png.splice(33..33, chunk);
        png
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn the_kind_is_told_by_the_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(DocumentKind::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]),
            Some(DocumentKind::Jpeg)
        );
        assert_eq!(sniff(&png_with_exif()), Some(DocumentKind::Png));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"PK\x03\x04 a zip named x.pdf"), None);
        assert_eq!(sniff(b" %PDF-1.7"), None, "the magic is at the start");
        assert_eq!(sniff(&[0xFF, 0xD8]), None, "too short for a JPEG");
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_png_loses_its_exif_and_still_decodes() {
        let sent = png_with_exif();
        assert!(sent.windows(4).any(|w| w == b"eXIf"));
        let (kind, clean) = clean_document(&sent).unwrap();
        assert_eq!(kind, DocumentKind::Png);
        assert!(!clean.windows(4).any(|w| w == b"eXIf"));
        assert!(!clean.windows(10).any(|w| w == b"GPS-SECRET"));
        let img = image::load_from_memory(&clean).unwrap();
        assert_eq!((img.width(), img.height()), (40, 30));
    }

    #[test]
    fn refusals_say_what_to_send() {
        let code = |b: &[u8]| clean_document(b).unwrap_err().code;
        assert_eq!(code(b""), ErrorCode::UnsupportedDocument);
        assert_eq!(
            code(b"hello, not a document"),
            ErrorCode::UnsupportedDocument
        );
        assert_eq!(
            code(b"%PDF-1.4\nnot really"),
            ErrorCode::UnsupportedDocument
        );
        let mut png = png_with_exif();
        png.truncate(40);
        assert_eq!(code(&png), ErrorCode::UnsupportedDocument);
        assert_eq!(
            code(&vec![0u8; MAX_DOCUMENT_BYTES + 1]),
            ErrorCode::PayloadTooLarge
        );
    }

    #[test]
    fn file_names_are_sanitised() {
        let pdf = DocumentKind::Pdf;
        assert_eq!(sanitise_file_name(Some("referto.pdf"), pdf), "referto.pdf");
        assert_eq!(
            sanitise_file_name(Some("C:\\Users\\m\\esame del sangue.PDF"), pdf),
            "esame_del_sangue.pdf"
        );
        assert_eq!(
            sanitise_file_name(Some("../../<script>.exe"), DocumentKind::Png),
            "script.png"
        );
        assert_eq!(sanitise_file_name(None, DocumentKind::Jpeg), "document.jpg");
        assert_eq!(sanitise_file_name(Some("a\u{202e}b.pdf"), pdf), "a_b.pdf");
        assert!(
            sanitise_file_name(Some(&"x".repeat(500)), pdf)
                .chars()
                .count()
                <= FILE_NAME_MAX
        );
    }
}
