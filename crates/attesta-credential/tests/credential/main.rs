//! Black-box tests of attesta-credential: token encoding properties, a
//! known-answer test computed independently, the QR's encoding mode, and the
//! PDF checked with independent tools (poppler, ZBar, qpdf). One test
//! binary: the card credential's tests are modules of it.

mod card_dcc_vectors;
mod card_decoders_never_panic;
mod card_round_trip;
mod sd_jwt_doc_example;
mod status_list_examples;
mod zlib_bombs;

use attesta_credential::{
    AttestationId, AttestationPdf, MAX_FIRST_SYMBOL, PrintSize, ServerSecret, Token,
    attestation_pdf, attestation_url, qr_svg,
};
use attesta_testkit::{Tool, pdffonts, pdfinfo, pdftotext, read_qr_on_pdf_page, require_tool};
use proptest::prelude::*;
use qrcode::types::Mode;
use qrcode::{EcLevel, QrCode};

const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PUBLIC_URL: &str = "https://attesta.example.it/";
const HOLDER: &str = "Maria Grazia Dell'Orto Ferraris";

fn token_strategy() -> impl Strategy<Value = Token> {
    any::<[u8; 16]>().prop_map(Token::from_bytes)
}

proptest! {
    #[test]
    fn encode_parse_round_trip(t in token_strategy()) {
        let enc = t.encode();
        prop_assert_eq!(enc.len(), 26);
        prop_assert!(enc.chars().all(|c| ALPHABET.contains(c)));
        let first = ALPHABET.find(enc.chars().next().unwrap()).unwrap();
        prop_assert!(first <= usize::from(MAX_FIRST_SYMBOL));
        prop_assert_eq!(Token::parse(&enc), Some(t));
    }

    #[test]
    fn short_code_round_trip(t in token_strategy()) {
        let code = t.short_code();
        prop_assert_eq!(code.len(), 26 + 6);
        prop_assert_eq!(code.replace('-', ""), t.encode());
        prop_assert_eq!(Token::parse(&code), Some(t));
    }

    #[test]
    fn sloppy_typing_parses(t in token_strategy(), seps in proptest::collection::vec(0u8..4, 26)) {
        // Lower case, the letters Crockford reads as digits, and random
        // spaces / hyphens / tabs between symbols.
        let mut typed = String::new();
        for (c, sep) in t.encode().chars().zip(seps) {
            let c = match c {
                '0' => if sep % 2 == 0 { 'o' } else { 'O' },
                '1' => ['i', 'I', 'l', 'L'][usize::from(sep)],
                c => c.to_ascii_lowercase(),
            };
            typed.push(c);
            typed.push_str(["", " ", "-", "\t"][usize::from(sep)]);
        }
        prop_assert_eq!(Token::parse(&format!("  {typed} ")), Some(t));
    }

    #[test]
    fn first_symbol_too_large_rejected(rest in "[0-9A-HJKMNP-TV-Z]{25}", first in 8usize..32) {
        let first = ALPHABET.as_bytes()[first] as char;
        prop_assert_eq!(Token::parse(&format!("{first}{rest}")), None);
        let zero_first = format!("0{rest}");
        prop_assert!(Token::parse(&zero_first).is_some());
    }

    #[test]
    fn wrong_length_rejected(s in "[0-7][0-9A-HJKMNP-TV-Z]{0,40}") {
        prop_assume!(s.len() != 26);
        prop_assert_eq!(Token::parse(&s), None);
    }

    #[test]
    fn u_is_invalid(t in token_strategy(), pos in 0usize..26) {
        let mut enc: Vec<char> = t.encode().chars().collect();
        enc[pos] = if pos % 2 == 0 { 'U' } else { 'u' };
        prop_assert_eq!(Token::parse(&enc.into_iter().collect::<String>()), None);
    }

    #[test]
    fn url_is_upper_case_and_alphanumeric(t in token_strategy()) {
        let url = attestation_url(PUBLIC_URL, &t);
        prop_assert_eq!(url.to_uppercase(), url.clone());
        prop_assert!(url.chars().all(|c| "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(c)));
    }
}

/// Expected values computed independently with Python:
/// ```text
/// python3 -c 'import hmac,hashlib; t=hmac.new(bytes(range(32)), bytes(range(0xa0,0xb0)), hashlib.sha256).digest()[:16]; print(t.hex(), hashlib.sha256(t).hexdigest())'
/// ```
/// and the Crockford form with a hand-written base-32 loop over `int.from_bytes(t, "big")`.
#[test]
fn derive_known_answer() {
    let secret =
        ServerSecret::from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
            .unwrap();
    let id = AttestationId::from_hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf").unwrap();
    let token = Token::derive(&secret, &id);
    assert_eq!(
        token,
        Token::from_bytes(
            hex::decode("b1489727b2602a0e047cb237580a4c79")
                .unwrap()
                .try_into()
                .unwrap()
        )
    );
    assert_eq!(token.encode(), "5H92BJFCK058708Z5J6XC0MK3S");
    assert_eq!(token.short_code(), "5H92-BJFC-K058-708Z-5J6X-C0MK-3S");
    assert_eq!(
        token.storage_hash(),
        "c8377696147bc6d5f977544ccfea64f8bc28837531dda5221d3011f4f39260a3"
    );
    assert_eq!(
        attestation_url("https://attesta.example.it/", &token),
        "HTTPS://ATTESTA.EXAMPLE.IT/V/5H92BJFCK058708Z5J6XC0MK3S"
    );
    // A different id or secret gives a different token.
    assert_ne!(
        token,
        Token::derive(&secret, &AttestationId::from_hex(&"00".repeat(16)).unwrap())
    );
    assert_ne!(token, Token::derive(&ServerSecret::generate(), &id));
}

fn auto_version(text: &str) -> qrcode::Version {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .unwrap()
        .version()
}

/// The automatically chosen encoding needs no byte mode: its segments are
/// alphanumeric (or numeric, for a run of digits in the random token, which
/// is denser still). Comparing with a symbol built by hand from one
/// alphanumeric segment was flaky: the encoder may split the text into
/// several segments, which changes the bits but not the mode.
#[test]
fn qr_uses_alphanumeric_mode() {
    let token = Token::derive(&ServerSecret::generate(), &AttestationId::generate());
    let url = attestation_url(PUBLIC_URL, &token);

    let segments: Vec<_> = qrcode::optimize::Parser::new(url.as_bytes())
        .optimize(auto_version(&url))
        .collect();
    assert!(
        segments
            .iter()
            .all(|s| matches!(s.mode, Mode::Alphanumeric | Mode::Numeric)),
        "{segments:?}"
    );

    let auto = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).unwrap();

    // And alphanumeric really is the smaller choice: the lower-case URL
    // needs byte mode and a larger symbol.
    let lower =
        QrCode::with_error_correction_level(url.to_lowercase().as_bytes(), EcLevel::M).unwrap();
    assert!(lower.width() > auto.width());

    // The SVG for the web page encodes the same matrix size.
    let svg = qr_svg(&url);
    let side = auto.width() + 8;
    assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
}

struct Fixture {
    _dir: tempfile::TempDir,
    pdf: std::path::PathBuf,
    bytes: Vec<u8>,
    url: String,
    short_code: String,
}

fn fixture(print: PrintSize) -> Fixture {
    let token = Token::derive(&ServerSecret::generate(), &AttestationId::generate());
    let url = attestation_url(PUBLIC_URL, &token);
    let short_code = token.short_code();
    let bytes = attestation_pdf(&AttestationPdf {
        holder_name: HOLDER,
        url: &url,
        short_code: &short_code,
        generated_on: time::macros::date!(2025 - 03 - 07),
        print,
    })
    .unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("attestation.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    Fixture {
        _dir: dir,
        pdf,
        bytes,
        url,
        short_code,
    }
}

#[test]
fn pdf_is_tagged_a4_with_embedded_fonts() {
    let f = fixture(PrintSize::Standard);
    let (Some(info), Some(fonts)) = (pdfinfo(&f.bytes), pdffonts(&f.bytes)) else {
        return;
    };
    assert_tagged_a4(&info);
    assert_eq!(page_count(&info), 1, "{info}");
    assert!(info.contains("Attestazione di stato"), "{info}");
    assert_fonts_embedded(&fonts);
}

#[test]
fn large_print_is_tagged_a4_with_embedded_fonts() {
    let f = fixture(PrintSize::Large);
    let (Some(info), Some(fonts)) = (pdfinfo(&f.bytes), pdffonts(&f.bytes)) else {
        return;
    };
    assert_tagged_a4(&info);
    // The instructions start on page 2 and flow on.
    assert!(page_count(&info) >= 2, "{info}");
    assert!(
        info.contains(
            "Attestazione di stato (caratteri grandi) — Status attestation (large print)"
        ),
        "{info}"
    );
    assert_fonts_embedded(&fonts);
}

/// `pdfinfo`'s report says: a tagged A4 document.
fn assert_tagged_a4(info: &str) {
    assert!(
        info.lines()
            .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
        "{info}"
    );
    assert!(info.contains("(A4)"), "{info}");
}

fn page_count(info: &str) -> u32 {
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"))
}

/// Every font `pdffonts` lists is DejaVu and embedded.
fn assert_fonts_embedded(fonts: &str) {
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        assert!(row.contains("DejaVu"), "{row}");
        // Columns: name type encoding emb sub uni object ID
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
    }
}

/// True when `w` has the shape of a codice fiscale (including omocodia letters).
fn looks_like_codice_fiscale(w: &str) -> bool {
    let b = w.as_bytes();
    let digitish = |c: u8| c.is_ascii_digit() || b"LMNPQRSTUV".contains(&c);
    b.len() == 16
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && digitish(b[6])
        && digitish(b[7])
        && b[8].is_ascii_uppercase()
        && digitish(b[9])
        && digitish(b[10])
        && b[11].is_ascii_uppercase()
        && b[12..15].iter().all(|&c| digitish(c))
        && b[15].is_ascii_uppercase()
}

#[test]
fn pdf_text_content() {
    let f = fixture(PrintSize::Standard);
    assert_text_content(&f, "Attestazione di stato — Status attestation");
}

#[test]
fn large_print_text_content() {
    // The short code wraps after a hyphen here; its ActualText keeps it whole.
    let f = fixture(PrintSize::Large);
    assert_text_content(
        &f,
        "Attestazione di stato (caratteri grandi) — Status attestation (large print)",
    );
}

/// The text `pdftotext` extracts has the title, the name, the short code and
/// the instructions, and nothing that looks like a codice fiscale.
fn assert_text_content(f: &Fixture, title: &str) {
    let Some(text) = pdftotext(&f.bytes) else {
        return;
    };
    let text = text.replace('\n', " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        HOLDER,
        f.short_code.as_str(),
        title,
        "Codice per l'inserimento manuale / Code for manual entry",
        "Istruzioni per l'operatore",
        "Inquadrare il codice QR",
        "attesta.example.it/v",
        "tessera sanitaria",
        "Instructions for the operator",
        "Scan the QR code with any QR reader",
        "Nothing is shown before the codice fiscale matches",
        "Generato il 07/03/2025 — Generated on 2025-03-07",
        "non a un verbale",
        "revocarlo in qualsiasi momento",
        "revoke it at any time",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in {text}");
    }
    assert!(looks_like_codice_fiscale("RSSMRA85T10A562S"));
    assert!(looks_like_codice_fiscale("RSSMRA85T10A5N2S"));
    let upper = text.to_uppercase();
    for word in upper.split(|c: char| !c.is_ascii_alphanumeric()) {
        assert!(
            !looks_like_codice_fiscale(word),
            "codice fiscale-like string {word:?} in the PDF"
        );
    }
}

#[test]
fn pdf_qr_decodes_to_exactly_the_url() {
    let f = fixture(PrintSize::Standard);
    if let Some(decoded) = read_qr_on_pdf_page(&f.bytes, 1, 150) {
        assert_eq!(decoded, f.url);
    }
}

#[test]
fn large_print_qr_decodes_to_exactly_the_url() {
    let f = fixture(PrintSize::Large);
    if let Some(decoded) = read_qr_on_pdf_page(&f.bytes, 1, 150) {
        assert_eq!(decoded, f.url);
    }
}

#[test]
fn pdf_structure_with_qpdf() {
    let Some(qpdf) = require_tool("qpdf") else {
        return;
    };
    assert_structure(&qpdf, &fixture(PrintSize::Standard));
}

#[test]
fn large_print_structure_with_qpdf() {
    let Some(qpdf) = require_tool("qpdf") else {
        return;
    };
    assert_structure(&qpdf, &fixture(PrintSize::Large));
}

/// qpdf finds the file sound, tagged (Lang it-IT with English parts, H1,
/// Figure with alt text), with an outline.
fn assert_structure(qpdf: &Tool, f: &Fixture) {
    let check = qpdf.command().arg("--check").arg(&f.pdf).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let json = qpdf.output(["--json".as_ref(), f.pdf.as_os_str()]);
    assert!(json.contains("\"/StructTreeRoot\""), "no StructTreeRoot");
    assert!(json.contains("\"/Lang\": \"u:it-IT\""), "no /Lang it-IT");
    assert!(json.contains("\"/Lang\": \"u:en\""), "no /Lang en");
    assert!(json.contains("\"/S\": \"/Figure\""), "no Figure element");
    assert!(
        json.contains(
            "\"/Alt\": \"u:Codice QR dell'attestazione. Codice per l'inserimento manuale: "
        ),
        "no /Alt on the figure"
    );
    assert!(
        json.contains(&f.short_code),
        "alt text lacks the short code"
    );
    assert!(json.contains("\"/S\": \"/H1\""), "no H1");
    assert!(json.contains("\"/Outlines\""), "no outline");
    assert!(json.contains("\"/Marked\": true"), "MarkInfo not set");
}

/// The smallest text in large print is 18 pt, read from the content streams
/// (`qpdf --qdf` decompresses them): every `Tf` size, with no text matrix or
/// `cm` that scales it (krilla flips the y axis, nothing more).
#[test]
fn large_print_text_is_at_least_18pt() {
    let Some(qpdf) = require_tool("qpdf") else {
        return;
    };
    let f = fixture(PrintSize::Large);
    let qdf = f.pdf.with_file_name("qdf.pdf");
    let status = qpdf
        .command()
        .args(["--qdf", "--object-streams=disable"])
        .arg(&f.pdf)
        .arg(&qdf)
        .status()
        .unwrap();
    assert!(status.success());
    let content = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    let tokens: Vec<&str> = content.split_whitespace().collect();
    let number = |t: &str| {
        t.parse::<f32>()
            .unwrap_or_else(|_| panic!("not a number: {t:?}"))
    };
    let mut sizes = Vec::new();
    for (i, op) in tokens.iter().enumerate().skip(6) {
        match *op {
            "Tf" => sizes.push(number(tokens[i - 1])),
            "Tm" | "cm" => {
                let (a, b, c, d) = (
                    number(tokens[i - 6]),
                    number(tokens[i - 5]),
                    number(tokens[i - 4]),
                    number(tokens[i - 3]),
                );
                assert_eq!((a, b, c, d.abs()), (1.0, 0.0, 0.0, 1.0), "{op} scales");
            }
            _ => {}
        }
    }
    assert!(sizes.len() > 20, "too few text runs: {sizes:?}");
    let smallest = sizes.iter().copied().fold(f32::INFINITY, f32::min);
    assert!(smallest >= 18.0, "text at {smallest} pt in large print");
    let largest = sizes.iter().copied().fold(0.0, f32::max);
    assert!(largest >= 28.0, "no heading or code at 28 pt or more");
}
