//! The EU Disability Card (issue #6, SPEC §5, §6, §9.9): the citizen's
//! application with a photo, eligibility from the status (rules in
//! `rules/card.toml`, not in code), the back office's decisions (or
//! auto-approval), the card PDF with the signed QR, the e-mails, and the
//! card's life: a later verbale that ends eligibility revokes it at once; a
//! card past its expiry shows as expired.
//!
//! The cryptography (signing the QR, the status list) is in
//! [`crate::cards_credential`]; this module calls
//! [`App::issue_card_credential`] at approval and
//! [`App::revoke_card_credential`] on revocation.

use std::io::Cursor;
use std::sync::LazyLock;

use attesta_credential::card_pdf::{CardPdf, card_pdf};
use attesta_domain::{
    Activity, Blindness, FieldError, FiscalCode, Handicap, Revision, Status, age_on, format_date,
    parse_date,
};
use attesta_store::PersonRecord;
use attesta_store::cards::{
    CARD_ACTIVE, CARD_PENDING, CARD_REJECTED, CARD_REVOKED, CardApplicationRecord,
    CardApplyRefusal, CardIssue, CardListing, NewCardApplication,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use serde_json::{Value, json};
use time::Date;

use crate::mail::Email;
use crate::{Actor, App, AppError, AppResult, from_millis};

// ---- rules ------------------------------------------------------------

/// The rules file, embedded at build time.
pub const CARD_RULES_FILE: &str = "rules/card.toml";
const CARD_RULES_TEXT: &str = include_str!("../../../rules/card.toml");

/// `rules/card.toml`: who may have a card, the "A" mark, the validity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardRules {
    pub eligibility: EligibilityRules,
    pub a_mark: AMarkRules,
    pub validity: ValidityRules,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRules {
    /// Civil invalidity at or above this percentage counts.
    pub min_invalidity_percentage: u8,
    /// Invalidity codes that count whatever the percentage (e.g. "11").
    pub invalidity_codes: Vec<String>,
    /// Code 07 under 18.
    pub invalid_minor: bool,
    pub accompaniment: bool,
    /// `partial`, `absolute`.
    pub blindness: Vec<String>,
    pub deafness: bool,
    /// `art3_c1`, `art3_c3`.
    pub handicap: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AMarkRules {
    pub accompaniment: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidityRules {
    pub years: u8,
    pub until_revision: bool,
}

/// A mistake in the rules file, with the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CardRulesError {
    pub file: &'static str,
    pub message: String,
}

impl CardRules {
    /// Parses and checks a rules text.
    pub fn parse(text: &str) -> Result<CardRules, CardRulesError> {
        let err = |message: String| CardRulesError {
            file: CARD_RULES_FILE,
            message,
        };
        let rules: CardRules = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let e = &rules.eligibility;
        if e.min_invalidity_percentage > 100 {
            return Err(err(
                "eligibility.min_invalidity_percentage must be 0 to 100".into(),
            ));
        }
        for code in &e.invalidity_codes {
            if attesta_domain::InvalidityCode::parse(code).is_none() {
                return Err(err(format!(
                    "eligibility.invalidity_codes: {code:?} is not a code 01 to 12"
                )));
            }
        }
        for b in &e.blindness {
            if !matches!(
                Blindness::parse(b),
                Some(Blindness::Partial | Blindness::Absolute)
            ) {
                return Err(err(format!(
                    "eligibility.blindness: {b:?} is not partial or absolute"
                )));
            }
        }
        for h in &e.handicap {
            if !matches!(
                Handicap::parse(h),
                Some(Handicap::Art3C1 | Handicap::Art3C3)
            ) {
                return Err(err(format!(
                    "eligibility.handicap: {h:?} is not art3_c1 or art3_c3"
                )));
            }
        }
        if !(1..=50).contains(&rules.validity.years) {
            return Err(err("validity.years must be 1 to 50".into()));
        }
        Ok(rules)
    }

    /// Whether the status places the person in a card case on `today`.
    pub fn eligible(&self, status: &Status, birth_date: Date, today: Date) -> bool {
        let e = &self.eligibility;
        let f = &status.findings;
        let invalidity = f.invalidity.is_some_and(|i| {
            i.percentage
                .is_some_and(|p| p >= e.min_invalidity_percentage)
                || e.invalidity_codes.contains(&i.code.as_string())
        });
        let minor = e.invalid_minor
            && f.invalidity.is_some_and(|i| i.code.number() == 7)
            && age_on(birth_date, today) < 18;
        let accompaniment = e.accompaniment && has_accompaniment(status);
        let blindness = f
            .blindness
            .is_some_and(|b| e.blindness.iter().any(|x| x == b.as_str()));
        let deafness = e.deafness && f.deafness == Some(true);
        let handicap = f
            .handicap
            .is_some_and(|h| e.handicap.iter().any(|x| x == h.handicap.as_str()));
        invalidity || minor || accompaniment || blindness || deafness || handicap
    }

    /// The "A" mark: an accompanying person is needed.
    pub fn a_mark(&self, status: &Status) -> bool {
        self.a_mark.accompaniment && has_accompaniment(status)
    }

    /// The last valid day of a card issued on `issued_on` (SPEC §9.9): the
    /// same calendar day `years` later, or the last day of the revision
    /// month when that is earlier and still after the issue day.
    pub fn expires_on(&self, status: &Status, issued_on: Date) -> Date {
        let years = i32::from(self.validity.years);
        let year = issued_on.year() + years;
        let full = Date::from_calendar_date(year, issued_on.month(), issued_on.day())
            .or_else(|_| Date::from_calendar_date(year, issued_on.month(), 28))
            .unwrap_or(issued_on);
        if self.validity.until_revision
            && let Some(Revision::Due(ym)) = status.findings.revision
        {
            let last = ym.last_day();
            if last > issued_on && last < full {
                return last;
            }
        }
        full
    }

    /// The cases, in words, for the refusal message.
    pub fn cases_text(&self) -> String {
        let e = &self.eligibility;
        let mut cases = vec![format!(
            "civil invalidity of at least {}%",
            e.min_invalidity_percentage
        )];
        if !e.invalidity_codes.is_empty() {
            cases.push(format!(
                "invalidity code {}",
                e.invalidity_codes.join(" or ")
            ));
        }
        if e.invalid_minor {
            cases.push("invalid minor".into());
        }
        if e.accompaniment {
            cases.push("accompaniment allowance".into());
        }
        if !e.blindness.is_empty() {
            cases.push(format!("{} blindness", e.blindness.join(" or ")));
        }
        if e.deafness {
            cases.push("deafness".into());
        }
        for h in &e.handicap {
            cases.push(match h.as_str() {
                "art3_c1" => "Law 104 art. 3 c.1".to_owned(),
                _ => "Law 104 art. 3 c.3".to_owned(),
            });
        }
        cases.join(", ")
    }
}

fn has_accompaniment(status: &Status) -> bool {
    let f = &status.findings;
    f.accompaniment == Some(true) || f.invalidity.is_some_and(|i| i.code.implies_accompaniment())
}

static RULES: LazyLock<Result<CardRules, CardRulesError>> =
    LazyLock::new(|| CardRules::parse(CARD_RULES_TEXT));

/// The card rules, parsed and checked once.
pub fn card_rules() -> Result<&'static CardRules, CardRulesError> {
    RULES.as_ref().map_err(Clone::clone)
}

/// Called at start: refuse to serve with a rules file that has a mistake.
pub fn check_card_rules() -> Result<(), CardRulesError> {
    card_rules().map(|_| ())
}

fn rules() -> AppResult<&'static CardRules> {
    card_rules().map_err(|e| AppError::internal(&e))
}

// ---- serial numbers -----------------------------------------------------

/// The Luhn check digit of a string of digits.
fn luhn_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// A new card serial: `IT`, 9 random digits and their Luhn check digit
/// (e.g. `IT1234567897`). Luhn catches every single wrong digit and most
/// swaps of two adjacent digits.
pub fn new_serial() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    let body = format!("{:09}", u64::from_le_bytes(bytes) % 1_000_000_000);
    format!("IT{body}{}", luhn_digit(&body))
}

/// Reads a serial as typed: case-insensitive, spaces and hyphens ignored;
/// `None` unless it is `IT` + 10 digits with a valid Luhn check digit.
pub fn parse_serial(text: &str) -> Option<String> {
    let s: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect::<String>()
        .to_ascii_uppercase();
    let digits = s.strip_prefix("IT")?;
    if digits.len() != 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (body, check) = digits.split_at(9);
    (check.parse::<u32>().ok()? == luhn_digit(body)).then_some(s)
}

// ---- the photo ----------------------------------------------------------

/// Largest photo accepted (SPEC §6: 5 MiB).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Smallest photo (passport style, portrait).
pub const MIN_PHOTO_WIDTH: u32 = 300;
pub const MIN_PHOTO_HEIGHT: u32 = 400;
/// Width / height, portrait (a passport photo is 35 × 45 mm: 0.78).
pub const MIN_PHOTO_ASPECT: f64 = 0.6;
pub const MAX_PHOTO_ASPECT: f64 = 0.9;
/// Stored photos are scaled down to fit this box (enough for print at the
/// card's 25 × 32 mm).
pub const STORED_PHOTO_WIDTH: u32 = 600;
pub const STORED_PHOTO_HEIGHT: u32 = 800;
/// Largest decoded image accepted (pixels per side): a decompression bomb
/// is refused before it is decoded.
const MAX_PHOTO_SIDE: u32 = 8_000;

fn photo_error(message: impl Into<String>) -> AppError {
    let message = message.into();
    AppError::new(422, "invalid_photo", message.clone())
        .with_fields(vec![FieldError::new("photo", message)])
}

pub(crate) fn photo_too_large() -> AppError {
    AppError::new(
        413,
        "payload_too_large",
        "The photo is larger than 5 MiB: send a smaller JPEG or PNG.",
    )
}

/// Checks a photo and re-encodes it: JPEG or PNG only, decoded, turned
/// upright (EXIF orientation), at least 300 × 400 pixels, portrait with a
/// width/height ratio between 0.6 and 0.9, scaled down to fit 600 × 800,
/// and written again as a baseline JPEG — so no metadata (EXIF, GPS, XMP,
/// comments, ICC) of the original survives.
pub fn normalise_photo(bytes: &[u8]) -> AppResult<Vec<u8>> {
    use image::ImageDecoder as _;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(photo_too_large());
    }
    if bytes.is_empty() {
        return Err(photo_error(
            "The photo is missing: choose a JPEG or PNG file.",
        ));
    }
    let format = image::guess_format(bytes).ok();
    if !matches!(
        format,
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png)
    ) {
        return Err(photo_error(
            "The photo must be a JPEG or PNG image (this file is neither).",
        ));
    }
    let unreadable = |e: image::ImageError| {
        photo_error(format!(
            "The photo could not be read as an image ({e}): save it again as JPEG or PNG."
        ))
    };
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| unreadable(e.into()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    img.apply_orientation(orientation);
    let (w, h) = (img.width(), img.height());
    if w < MIN_PHOTO_WIDTH || h < MIN_PHOTO_HEIGHT {
        return Err(photo_error(format!(
            "The photo is {w} × {h} pixels: it must be at least {MIN_PHOTO_WIDTH} × {MIN_PHOTO_HEIGHT} (portrait, passport style)."
        )));
    }
    let aspect = f64::from(w) / f64::from(h);
    if !(MIN_PHOTO_ASPECT..=MAX_PHOTO_ASPECT).contains(&aspect) {
        return Err(photo_error(format!(
            "The photo is {w} × {h} pixels: a passport-style photo is portrait, width between 0.6 and 0.9 times the height (e.g. 35 × 45 mm). Crop it and try again."
        )));
    }
    // Transparent PNGs are laid on white, as a printed photo would be.
    let rgb = if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        let mut out = image::RgbImage::new(w, h);
        for (x, y, p) in rgba.enumerate_pixels() {
            let a = u16::from(p[3]);
            let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
            out.put_pixel(x, y, image::Rgb([blend(p[0]), blend(p[1]), blend(p[2])]));
        }
        out
    } else {
        img.to_rgb8()
    };
    let rgb = if w > STORED_PHOTO_WIDTH || h > STORED_PHOTO_HEIGHT {
        let scale = f64::min(
            f64::from(STORED_PHOTO_WIDTH) / f64::from(w),
            f64::from(STORED_PHOTO_HEIGHT) / f64::from(h),
        );
        let nw = ((f64::from(w) * scale).round() as u32).max(1);
        let nh = ((f64::from(h) * scale).round() as u32).max(1);
        image::imageops::resize(&rgb, nw, nh, image::imageops::FilterType::Triangle)
    } else {
        rgb
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(&rgb)
        .map_err(|e| AppError::internal(&e))?;
    Ok(out)
}

// ---- the declaration ----------------------------------------------------

/// The optional declaration of the application (DOMAIN §6.4), canonical.
fn parse_declaration(text: Option<&str>, today: Date) -> AppResult<Option<Value>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(text)
        .map_err(|e| AppError::invalid_request(format!("`declaration` is not valid JSON: {e}.")))?;
    let map = value
        .as_object()
        .ok_or_else(|| AppError::invalid_request("`declaration` must be a JSON object."))?;
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !matches!(k.as_str(), "paper_pre2010" | "autonomous_region" | "court"))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(AppError::invalid_request(format!(
            "Unknown declaration field(s): {}. The declaration has paper_pre2010, autonomous_region and court.",
            unknown.join(", ")
        )));
    }
    let mut fields = Vec::new();
    let mut flag = |key: &str| match map.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            fields.push(FieldError::new(
                format!("declaration.{key}"),
                "must be true or false",
            ));
            false
        }
    };
    let paper = flag("paper_pre2010");
    let region = flag("autonomous_region");
    let court = match map.get("court") {
        None | Some(Value::Null) => None,
        Some(Value::Object(c)) => {
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or("");
            if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
                fields.push(FieldError::new(
                    "declaration.court.name",
                    "the court (Tribunale) is required, at most 200 characters",
                ));
            }
            let date = c.get("date").and_then(Value::as_str).and_then(parse_date);
            match date {
                Some(d) if d <= today => {}
                Some(_) => fields.push(FieldError::new(
                    "declaration.court.date",
                    "cannot be in the future",
                )),
                None => fields.push(FieldError::new(
                    "declaration.court.date",
                    "the date the judgment or decree was issued, as YYYY-MM-DD",
                )),
            }
            if c.keys().any(|k| k != "name" && k != "date") {
                fields.push(FieldError::new(
                    "declaration.court",
                    "has only name and date",
                ));
            }
            Some(json!({"name": name, "date": date.map(format_date)}))
        }
        Some(_) => {
            fields.push(FieldError::new(
                "declaration.court",
                "must be {\"name\", \"date\"} or null",
            ));
            None
        }
    };
    if !fields.is_empty() {
        return Err(AppError::new(
            422,
            "invalid_declaration",
            "The declaration has invalid fields: see `fields`.",
        )
        .with_fields(fields));
    }
    Ok(Some(json!({
        "paper_pre2010": paper,
        "autonomous_region": region,
        "court": court,
    })))
}

/// Whether the declaration says the status rests on verbali not (yet) in
/// the archive: paper before 2010, an autonomous region, or a court.
fn declares_outside_archive(declaration: Option<&Value>) -> bool {
    declaration.is_some_and(|d| {
        d["paper_pre2010"] == json!(true)
            || d["autonomous_region"] == json!(true)
            || !d["court"].is_null()
    })
}

// ---- views --------------------------------------------------------------

/// The citizen's card or application (`GET /api/v1/me/card`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardView {
    pub application_id: String,
    /// pending, rejected, active, revoked, expired.
    pub status: &'static str,
    pub serial: Option<String>,
    pub issued_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub qr_text: Option<String>,
    pub a_mark: bool,
    pub reject_reason: Option<String>,
    pub submitted_at: time::OffsetDateTime,
}

/// One line of the back office's list.
#[derive(Debug, Clone, PartialEq)]
pub struct CardApplicationLine {
    pub application_id: String,
    pub fiscal_code: String,
    pub status: String,
    pub submitted_at: time::OffsetDateTime,
    pub declaration: Value,
}

fn date_of(text: Option<&str>) -> Option<Date> {
    text.and_then(parse_date)
}

fn status_on(record: &CardApplicationRecord, today: Date) -> &'static str {
    match record.status.as_str() {
        CARD_PENDING => "pending",
        CARD_REJECTED => "rejected",
        CARD_REVOKED => "revoked",
        CARD_ACTIVE => match date_of(record.expires_on.as_deref()) {
            Some(last) if last < today => "expired",
            _ => "active",
        },
        _ => "pending",
    }
}

fn view_of(record: &CardApplicationRecord, today: Date) -> CardView {
    CardView {
        application_id: record.application_id.clone(),
        status: status_on(record, today),
        serial: record.serial.clone(),
        issued_on: date_of(record.issued_on.as_deref()),
        expires_on: date_of(record.expires_on.as_deref()),
        qr_text: record.qr_text.clone(),
        a_mark: record.a_mark.unwrap_or(false),
        reject_reason: record.reject_reason.clone(),
        submitted_at: from_millis(record.submitted_at),
    }
}

/// The name that back-office actions carry in the citizen's activity list.
const BACK_OFFICE: &str = "Ufficio / Back office";

fn no_card() -> AppError {
    AppError::new(
        404,
        "no_card",
        "You have not applied for the EU Disability Card yet.",
    )
}

fn unknown_application() -> AppError {
    AppError::new(
        404,
        "unknown_application",
        "No card application has this id.",
    )
}

fn not_pending(status: &str) -> AppError {
    AppError::new(
        409,
        "application_not_pending",
        format!(
            "This application was already decided (it is {status}): only a pending application can be approved or rejected."
        ),
    )
}

fn not_eligible(rules: &CardRules) -> AppError {
    AppError::new(
        422,
        "not_eligible",
        format!(
            "No definitive verbale on record places you in a case that gives the EU Disability Card ({}). Verbali issued before 2010 on paper, by Valle d'Aosta, Trento or Bolzano, or a court judgment may not be in the archive yet: say so in the application's declaration (the back office then checks it and loads the verbale), or ask INPS to add them.",
            rules.cases_text()
        ),
    )
}

impl App {
    /// `POST /api/v1/me/card`: an application with a photo and an optional
    /// declaration (JSON text). Refused when the status gives no card
    /// (unless the declaration says the verbale is outside the archive: the
    /// back office checks it) or when one is open. Auto-approved when the
    /// configuration says so.
    pub async fn apply_for_card(
        &self,
        actor: &Actor,
        photo: &[u8],
        declaration: Option<&str>,
    ) -> AppResult<CardView> {
        let rules = rules()?;
        let today = self.today();
        let person = self.person(&actor.person_id).await?;
        let declaration = parse_declaration(declaration, today)?;
        let eligible = rules.eligible(&person.status, person.person.birth_date, today);
        if !eligible && !declares_outside_archive(declaration.as_ref()) {
            return Err(not_eligible(rules));
        }
        // Decoding is CPU work: off the async workers.
        let owned = photo.to_vec();
        let photo = tokio::task::spawn_blocking(move || normalise_photo(&owned))
            .await
            .map_err(|e| AppError::internal(&e))??;
        let application_id = attesta_store::ids::random_id();
        let new = NewCardApplication {
            application_id: application_id.clone(),
            person_id: actor.person_id.clone(),
            declaration_json: declaration.as_ref().map(Value::to_string),
            photo_jpeg_base64: BASE64.encode(&photo),
            submitted_at: self.now_millis(),
            submitted_by: actor.by_name.clone(),
        };
        match self
            .store
            .insert_card_application(&new, &format_date(today))
            .await?
        {
            Ok(()) => {}
            Err(CardApplyRefusal::ApplicationOpen) => {
                return Err(AppError::new(
                    409,
                    "application_open",
                    "You already have a pending application or a valid card. You can apply again after a rejection, a revocation or once the card has expired.",
                ));
            }
        }
        self.record(actor, Activity::CardApplied).await?;
        if self.config.card_auto_approve
            && eligible
            && let Err(e) = self.approve_card(&application_id, "auto").await
        {
            tracing::warn!(error = %e, "card auto-approval failed: the application stays pending");
        }
        let record = self
            .store
            .card_application(&application_id)
            .await?
            .ok_or_else(|| AppError::internal(&"the application just stored is missing"))?;
        Ok(view_of(&record, today))
    }

    /// Whether the status on record gives a card today (the page explains
    /// the declaration path above the form when it does not).
    pub async fn card_eligible(&self, actor: &Actor) -> AppResult<bool> {
        let rules = rules()?;
        let person = self.person(&actor.person_id).await?;
        Ok(rules.eligible(&person.status, person.person.birth_date, self.today()))
    }

    /// `GET /api/v1/me/card`: the latest application or card.
    pub async fn card(&self, actor: &Actor) -> AppResult<CardView> {
        let record = self
            .store
            .latest_card_application(&actor.person_id)
            .await?
            .ok_or_else(no_card)?;
        Ok(view_of(&record, self.today()))
    }

    /// `GET /api/v1/me/card/pdf`: the card, for an active card only.
    pub async fn card_pdf(&self, actor: &Actor) -> AppResult<Vec<u8>> {
        let record = self
            .store
            .latest_card_application(&actor.person_id)
            .await?
            .ok_or_else(no_card)?;
        let status = status_on(&record, self.today());
        if status != "active" {
            return Err(AppError::new(
                409,
                "card_not_active",
                format!("There is no active card to print: your application or card is {status}."),
            ));
        }
        let person = self.person(&actor.person_id).await?;
        self.render_card(&record, &person)
    }

    fn render_card(
        &self,
        record: &CardApplicationRecord,
        person: &PersonRecord,
    ) -> AppResult<Vec<u8>> {
        let missing = || AppError::internal(&"an active card lacks its data");
        let photo = BASE64
            .decode(&record.photo_jpeg_base64)
            .map_err(|e| AppError::internal(&e))?;
        card_pdf(&CardPdf {
            given_name: &person.person.given_name,
            family_name: &person.person.family_name,
            birth_date: person.person.birth_date,
            serial: record.serial.as_deref().ok_or_else(missing)?,
            issued_on: date_of(record.issued_on.as_deref()).ok_or_else(missing)?,
            expires_on: date_of(record.expires_on.as_deref()).ok_or_else(missing)?,
            a_mark: record.a_mark.unwrap_or(false),
            photo_jpeg: &photo,
            qr_text: record.qr_text.as_deref().ok_or_else(missing)?,
        })
        .map_err(|e| AppError::internal(&e))
    }

    /// `GET /api/v1/admin/cards?status=…` (default pending), oldest first.
    pub async fn card_applications(
        &self,
        status: Option<&str>,
    ) -> AppResult<Vec<CardApplicationLine>> {
        let status = status
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(CARD_PENDING);
        let today = format_date(self.today());
        // "active" and "expired" split the stored active cards by their last
        // valid day (expiry is computed, never stored).
        let listing = match status {
            CARD_PENDING | CARD_REJECTED | CARD_REVOKED => CardListing::Stored(status),
            CARD_ACTIVE => CardListing::ActiveOn(&today),
            "expired" => CardListing::ExpiredBy(&today),
            _ => {
                return Err(AppError::new(
                    422,
                    "invalid_query",
                    "`status` is pending, rejected, active, expired or revoked.",
                )
                .with_fields(vec![FieldError::new(
                    "status",
                    "pending, rejected, active, expired or revoked",
                )]));
            }
        };
        let rows = self
            .store
            .card_applications_by_status(listing, 1000)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| CardApplicationLine {
                declaration: r
                    .declaration_json
                    .as_deref()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or(Value::Null),
                application_id: r.application_id,
                fiscal_code: r.fiscal_code,
                // Expiry is computed, never stored: the stored row says active.
                status: if matches!(listing, CardListing::ExpiredBy(_)) {
                    "expired".to_owned()
                } else {
                    r.status
                },
                submitted_at: from_millis(r.submitted_at),
            })
            .collect())
    }

    async fn pending_application(&self, application_id: &str) -> AppResult<CardApplicationRecord> {
        let record = self
            .store
            .card_application(application_id.trim())
            .await?
            .ok_or_else(unknown_application)?;
        if record.status != CARD_PENDING {
            return Err(not_pending(status_on(&record, self.today())));
        }
        Ok(record)
    }

    /// Approves a pending application (`POST
    /// /api/v1/admin/cards/{application_id}/approve`, `attesta card
    /// approve`, or auto-approval): checks eligibility again, signs the
    /// card credential, stores the card, and e-mails it (PDF attached).
    /// Returns the serial.
    pub async fn approve_card(&self, application_id: &str, by: &str) -> AppResult<String> {
        let rules = rules()?;
        let record = self.pending_application(application_id).await?;
        let person = self.person(&record.person_id).await?;
        let today = self.today();
        if !rules.eligible(&person.status, person.person.birth_date, today) {
            return Err(AppError::new(
                422,
                "not_eligible",
                format!(
                    "The holder's status on record gives no EU Disability Card ({}). If the application declares a verbale outside the archive, load it first (POST /api/v1/admin/verbali), then approve.",
                    rules.cases_text()
                ),
            ));
        }
        let mut serial = new_serial();
        while self.store.card_serial_taken(&serial).await? {
            serial = new_serial();
        }
        let expires_on = rules.expires_on(&person.status, today);
        let credential = self.issue_card_credential(&serial, expires_on).await?;
        let issue = CardIssue {
            serial: serial.clone(),
            issued_on: format_date(today),
            expires_on: format_date(expires_on),
            a_mark: rules.a_mark(&person.status),
            qr_text: credential.qr_text,
            decided_at: self.now_millis(),
            decided_by: by.to_owned(),
        };
        if !self
            .store
            .approve_card_application(&record.application_id, &issue)
            .await?
        {
            // Decided by someone else meanwhile: the credential just signed
            // belongs to no card, so it is revoked at once.
            let _ = self.revoke_card_credential(&serial).await;
            let now = self
                .store
                .card_application(&record.application_id)
                .await?
                .map(|r| status_on(&r, today))
                .unwrap_or("decided");
            return Err(not_pending(now));
        }
        self.back_office_activity(&record.person_id, Activity::CardIssued)
            .await;
        if let Some(card) = self.store.card_application(&record.application_id).await? {
            self.send_card_issued_email(&card, &person).await;
        }
        tracing::info!(serial = %serial, "EU Disability Card issued");
        Ok(serial)
    }

    /// Rejects a pending application with a reason the citizen is told.
    pub async fn reject_card(&self, application_id: &str, reason: &str, by: &str) -> AppResult<()> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(AppError::new(
                422,
                "invalid_reason",
                "`reason` is required (at most 1000 characters): the citizen reads it.",
            )
            .with_fields(vec![FieldError::new(
                "reason",
                "is required, at most 1000 characters",
            )]));
        }
        let record = self.pending_application(application_id).await?;
        if !self
            .store
            .reject_card_application(&record.application_id, reason, self.now_millis(), by)
            .await?
        {
            return Err(not_pending("decided"));
        }
        self.back_office_activity(&record.person_id, Activity::CardRejected)
            .await;
        if let Ok(person) = self.person(&record.person_id).await {
            self.send_card_email(&person, rejected_email(&person, reason))
                .await;
        }
        Ok(())
    }

    /// `POST /api/v1/admin/cards/{serial}/revoke`: the back office revokes
    /// an active card.
    pub async fn revoke_card(&self, serial: &str) -> AppResult<()> {
        let serial = parse_serial(serial).ok_or_else(|| {
            AppError::new(
                422,
                "invalid_serial",
                "A card serial is IT followed by 10 digits, the last a Luhn check digit.",
            )
            .with_fields(vec![FieldError::new("serial", "not a valid card serial")])
        })?;
        let card = self
            .store
            .card_by_serial(&serial)
            .await?
            .ok_or_else(|| AppError::new(404, "unknown_card", "No card has this serial."))?;
        if status_on(&card, self.today()) != "active" {
            return Err(AppError::new(
                409,
                "card_not_active",
                format!(
                    "This card is {}: only an active card can be revoked.",
                    status_on(&card, self.today())
                ),
            ));
        }
        self.revoke_issued_card(&card, "back_office").await
    }

    async fn revoke_issued_card(
        &self,
        card: &CardApplicationRecord,
        reason: &str,
    ) -> AppResult<()> {
        let serial = card.serial.as_deref().unwrap_or_default();
        if !self
            .store
            .revoke_card(serial, reason, self.now_millis())
            .await?
        {
            return Ok(());
        }
        self.revoke_card_credential(serial).await?;
        self.back_office_activity(&card.person_id, Activity::CardRevoked)
            .await;
        if let Ok(person) = self.person(&card.person_id).await {
            self.send_card_email(&person, revoked_email(&person, serial, reason))
                .await;
        }
        tracing::info!(serial = %serial, reason, "EU Disability Card revoked");
        Ok(())
    }

    /// After a verbale arrives: revokes the person's active cards at once
    /// when their status no longer gives one. Returns how many were revoked.
    pub async fn review_card(&self, person_id: &str) -> AppResult<usize> {
        let cards = self.store.active_cards_of(person_id).await?;
        if cards.is_empty() {
            return Ok(0);
        }
        let rules = rules()?;
        let person = self.person(person_id).await?;
        let today = self.today();
        if rules.eligible(&person.status, person.person.birth_date, today) {
            return Ok(0);
        }
        let mut revoked = 0;
        for card in cards {
            if status_on(&card, today) == "active" {
                self.revoke_issued_card(&card, "no_longer_eligible").await?;
                revoked += 1;
            }
        }
        Ok(revoked)
    }

    /// [`App::review_card`] by codice fiscale; failures are logged, never
    /// undo the verbale that caused the review.
    pub async fn review_card_of(&self, fiscal_code: &FiscalCode) {
        let person = match self.store.person_by_fiscal_code(fiscal_code).await {
            Ok(Some(p)) => p,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "card review: cannot read the person");
                return;
            }
        };
        if let Err(e) = self.review_card(&person.person_id).await {
            tracing::error!(error = %e, "card review failed");
        }
    }

    /// After an import batch is committed: reviews the cards of the people
    /// its verbali touched (one query finds who holds an active card).
    pub async fn review_cards_of(&self, fiscal_codes: &[FiscalCode]) {
        if fiscal_codes.is_empty() {
            return;
        }
        let mut codes: Vec<String> = fiscal_codes.iter().map(|c| c.as_str().to_owned()).collect();
        codes.sort();
        codes.dedup();
        let holders = match self.store.active_card_holders(&codes).await {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, "card review: cannot list card holders");
                return;
            }
        };
        for person_id in holders {
            if let Err(e) = self.review_card(&person_id).await {
                tracing::error!(error = %e, "card review failed");
            }
        }
    }

    async fn back_office_activity(&self, person_id: &str, action: Activity) {
        if let Err(e) = self
            .store
            .record_activity(person_id, self.now_millis(), action, BACK_OFFICE, false)
            .await
        {
            tracing::error!(error = %e, action = action.as_str(), "cannot record the card activity");
        }
    }

    async fn send_card_issued_email(&self, card: &CardApplicationRecord, person: &PersonRecord) {
        let pdf = match self.render_card(card, person) {
            Ok(pdf) => pdf,
            Err(e) => {
                tracing::error!(error = %e, "cannot render the card for its e-mail");
                return;
            }
        };
        self.send_card_email(person, issued_email(person, pdf))
            .await;
    }

    /// Sends a card e-mail when there is an address; a failure is logged
    /// (the card or the decision stands; the citizen sees it in their area).
    async fn send_card_email(&self, person: &PersonRecord, email: Option<Email>) {
        let Some(email) = email else { return };
        if let Err(e) = self.mailer.send(&email).await {
            tracing::warn!(error = %e, "could not e-mail the card decision");
        } else if let Err(e) = self
            .store
            .record_activity(
                &person.person_id,
                self.now_millis(),
                Activity::CardEmailed,
                BACK_OFFICE,
                false,
            )
            .await
        {
            tracing::error!(error = %e, "cannot record the card e-mail");
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn email(
    person: &PersonRecord,
    subject: &str,
    it: &str,
    en: &str,
    pdf: Option<Vec<u8>>,
) -> Option<Email> {
    let to = person.person.email.clone()?;
    let name = person.person.full_name();
    let text = format!("Gentile {name},\n\n{it}\n\nDear {name},\n\n{en}\n\nattesta");
    let html = format!(
        "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>{s}</title></head><body><p>Gentile {n},</p><p>{it}</p><div lang=\"en\"><p>Dear {n},</p><p>{en}</p></div><p>attesta</p></body></html>",
        s = esc(subject),
        n = esc(&name),
        it = esc(it),
        en = esc(en),
    );
    Some(Email {
        to,
        subject: subject.to_owned(),
        text,
        html,
        pdf: pdf.map(|p| ("carta-europea-disabilita.pdf".to_owned(), p)),
    })
}

/// The card is issued: the PDF is attached. No health data in the body.
fn issued_email(person: &PersonRecord, pdf: Vec<u8>) -> Option<Email> {
    email(
        person,
        "La tua Carta europea della disabilità / Your EU Disability Card",
        "la tua Carta europea della disabilità è stata emessa: la trovi in allegato in PDF (fronte e retro, formato tessera) e nella tua area personale. Il codice QR sul retro permette a chiunque di verificarne la validità.",
        "your EU Disability Card has been issued: the PDF (front and back, card size) is attached and in your personal area. The QR code on the back lets anyone check that it is valid.",
        Some(pdf),
    )
}

/// The application is refused, with the back office's reason.
fn rejected_email(person: &PersonRecord, reason: &str) -> Option<Email> {
    email(
        person,
        "Domanda di Carta europea della disabilità / EU Disability Card application",
        &format!(
            "la tua domanda di Carta europea della disabilità non è stata accolta. Motivo: {reason}. Puoi presentare una nuova domanda dalla tua area personale."
        ),
        &format!(
            "your EU Disability Card application was not accepted. Reason: {reason}. You can apply again from your personal area."
        ),
        None,
    )
}

/// The card is revoked. The reason is given without health data.
fn revoked_email(person: &PersonRecord, serial: &str, reason: &str) -> Option<Email> {
    let (it, en) = if reason == "no_longer_eligible" {
        (
            "a seguito di un nuovo verbale, le condizioni per la carta non sono più soddisfatte",
            "following a new verbale, the conditions for the card are no longer met",
        )
    } else {
        ("decisione dell'ufficio", "a decision of the back office")
    };
    email(
        person,
        "Carta europea della disabilità revocata / EU Disability Card revoked",
        &format!(
            "la tua Carta europea della disabilità n. {serial} è stata revocata ({it}) e non è più valida. Per chiarimenti rivolgiti all'INPS."
        ),
        &format!(
            "your EU Disability Card no. {serial} has been revoked ({en}) and is no longer valid. For questions, contact INPS."
        ),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_embedded_rules_are_valid() {
        check_card_rules().unwrap();
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        let bad = CARD_RULES_TEXT.replace("years = 10", "years = 0");
        assert!(
            CardRules::parse(&bad)
                .unwrap_err()
                .message
                .contains("validity.years")
        );
        let bad = CARD_RULES_TEXT.replace("handicap = [\"art3_c3\"]", "handicap = [\"c4\"]");
        assert!(
            CardRules::parse(&bad)
                .unwrap_err()
                .message
                .contains("handicap")
        );
        let bad = format!("{CARD_RULES_TEXT}\nextra = 1\n");
        assert!(CardRules::parse(&bad).is_err());
    }

    #[test]
    fn serials_carry_a_luhn_digit() {
        for _ in 0..100 {
            let s = new_serial();
            assert_eq!(s.len(), 12);
            assert_eq!(parse_serial(&s).as_deref(), Some(s.as_str()));
        }
        // 123456789 → Luhn check digit 7.
        assert_eq!(
            parse_serial("it 1234-56789-7").as_deref(),
            Some("IT1234567897")
        );
        assert_eq!(parse_serial("IT1234567898"), None);
        assert_eq!(parse_serial("IT2134567897"), None, "a swap is caught");
        assert_eq!(parse_serial("FR1234567897"), None);
        assert_eq!(parse_serial("IT123456789"), None);
    }

    fn status(findings: Value) -> Status {
        let mut m = json!({"verbale_id": "V1", "fiscal_code": "RSSMRA80A01H501U",
            "kind": "first_instance", "session_date": "2024-05-10", "definitive": true,
            "source": "telematic"});
        m.as_object_mut()
            .unwrap()
            .extend(findings.as_object().unwrap().clone());
        let v = attesta_domain::VerbaleInput::parse(m.as_object().unwrap(), date!(2026 - 01 - 01))
            .unwrap();
        Status::compute([&v], date!(2026 - 01 - 01))
    }

    #[test]
    fn eligibility_follows_the_rules() {
        let r = card_rules().unwrap();
        let adult = date!(1980 - 01 - 01);
        let minor = date!(2015 - 01 - 01);
        let today = date!(2026 - 01 - 01);
        let yes = |f: Value, birth| r.eligible(&status(f), birth, today);
        assert!(yes(
            json!({"invalidity_code": "02", "invalidity_percentage": 67}),
            adult
        ));
        assert!(!yes(
            json!({"invalidity_code": "02", "invalidity_percentage": 66}),
            adult
        ));
        assert!(yes(
            json!({"invalidity_code": "03", "invalidity_percentage": 74}),
            adult
        ));
        assert!(yes(json!({"invalidity_code": "11"}), adult));
        assert!(yes(json!({"invalidity_code": "07"}), minor));
        assert!(!yes(json!({"invalidity_code": "07"}), adult));
        assert!(yes(json!({"accompaniment": true}), adult));
        assert!(yes(json!({"blindness": "partial"}), adult));
        assert!(yes(json!({"deafness": true}), adult));
        assert!(yes(json!({"handicap": "art3_c3", "art21": false}), adult));
        assert!(!yes(json!({"handicap": "art3_c1", "art21": false}), adult));
        assert!(!yes(
            json!({"invalidity_code": "01", "invalidity_percentage": 20}),
            adult
        ));
        // The "A" mark follows accompaniment, also implied by the code.
        assert!(r.a_mark(&status(
            json!({"invalidity_code": "05", "invalidity_percentage": 100})
        )));
        assert!(!r.a_mark(&status(
            json!({"invalidity_code": "03", "invalidity_percentage": 80})
        )));
    }

    #[test]
    fn validity_is_ten_years_or_the_revision_month() {
        let r = card_rules().unwrap();
        let issued = date!(2026 - 01 - 15);
        let none = status(json!({"invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"exempt": true}}));
        assert_eq!(r.expires_on(&none, issued), date!(2036 - 01 - 15));
        let due = status(json!({"invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"due": "2029-02"}}));
        assert_eq!(r.expires_on(&due, issued), date!(2029 - 02 - 28));
        // An overdue revision does not shorten the card.
        let overdue = status(json!({"invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"due": "2025-12"}}));
        assert_eq!(r.expires_on(&overdue, issued), date!(2036 - 01 - 15));
        // A revision after ten years does not lengthen it.
        let late = status(json!({"invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"due": "2040-01"}}));
        assert_eq!(r.expires_on(&late, issued), date!(2036 - 01 - 15));
        assert_eq!(
            r.expires_on(&none, date!(2028 - 02 - 29)),
            date!(2038 - 02 - 28)
        );
    }

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn photos_are_checked_and_reencoded() {
        let ok = normalise_photo(&jpeg(450, 600)).unwrap();
        assert!(ok.starts_with(&[0xFF, 0xD8]));
        let big = normalise_photo(&jpeg(1200, 1600)).unwrap();
        let img = image::load_from_memory(&big).unwrap();
        assert_eq!((img.width(), img.height()), (600, 800));
        assert_eq!(
            normalise_photo(b"GIF89a....").unwrap_err().code,
            "invalid_photo"
        );
        assert_eq!(
            normalise_photo(&jpeg(200, 300)).unwrap_err().code,
            "invalid_photo"
        );
        assert_eq!(
            normalise_photo(&jpeg(600, 600)).unwrap_err().code,
            "invalid_photo"
        );
        let mut truncated = jpeg(450, 600);
        truncated.truncate(200);
        assert_eq!(
            normalise_photo(&truncated).unwrap_err().code,
            "invalid_photo"
        );
        assert_eq!(
            normalise_photo(&vec![0xFF; MAX_PHOTO_BYTES + 1])
                .unwrap_err()
                .code,
            "payload_too_large"
        );
    }

    #[test]
    fn declarations_are_checked() {
        let today = date!(2026 - 01 - 01);
        assert_eq!(parse_declaration(None, today).unwrap(), None);
        let d = parse_declaration(Some(r#"{"paper_pre2010": true}"#), today)
            .unwrap()
            .unwrap();
        assert_eq!(
            d,
            json!({"paper_pre2010": true, "autonomous_region": false, "court": null})
        );
        assert!(declares_outside_archive(Some(&d)));
        let d = parse_declaration(
            Some(r#"{"court": {"name": "Tribunale di Bari", "date": "2023-04-01"}}"#),
            today,
        )
        .unwrap();
        assert!(declares_outside_archive(d.as_ref()));
        assert_eq!(
            parse_declaration(Some("{"), today).unwrap_err().code,
            "invalid_request"
        );
        assert_eq!(
            parse_declaration(Some(r#"{"x": 1}"#), today)
                .unwrap_err()
                .code,
            "invalid_request"
        );
        let e = parse_declaration(
            Some(r#"{"court": {"name": "", "date": "2030-01-01"}}"#),
            today,
        )
        .unwrap_err();
        assert_eq!(e.code, "invalid_declaration");
        assert_eq!(e.fields.len(), 2);
    }
}
