//! Attestation credentials: the server secret, attestation ids and the
//! opaque tokens derived from them, the QR code that carries the token, and
//! the printable PDF.
//!
//! The token is an HMAC of a random id under the server secret, so the
//! database only needs the id and a hash of the token; nothing personal is
//! ever encoded in the QR.

pub mod card;
pub mod card_pdf;
mod guide_pdf;
mod pdf;
mod pdf_ua;
mod qr;
mod secret;
mod token;

pub use guide_pdf::{TextDocument, TextSection, text_pdf};
pub use pdf::{AttestationPdf, PrintSize, attestation_pdf};
pub use pdf_ua::PdfError;
pub use qr::{
    QR_EC_LEVEL, QR_QUIET_ZONE, QrError, attestation_url, qr_svg, try_qr_svg, try_qr_svg_labelled,
};
pub use secret::{SECRET_LEN, SecretError, ServerSecret};
pub use token::{AttestationId, MAX_FIRST_SYMBOL, TOKEN_SYMBOLS, Token};
