//! The EU Disability Card's web side (SPEC §5): the online check page
//! `GET /c/{payload}` (and `/C/…`), the JWK Set at
//! `/.well-known/attesta/keys.json`, and the status lists the cards point to
//! (CWT, JWT or JSON); for SD-JWT VC verifiers, the issuer metadata at
//! `/.well-known/jwt-vc-issuer` and the credential's type metadata at its
//! `vct`.
//! The page shows the outcome, the serial and the expiry — never anything
//! about the holder's health.

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::ErrorCode;
use attesta_credential::card::{Outcome, Verdict};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::i18n::{Lang, key};
use crate::pages::Layout;
use crate::{ApiError, AppState, PageError, format_italian_datetime};

#[derive(Template, WebTemplate)]
#[template(path = "card.html")]
struct CardPage {
    layout: Layout,
    outcome: &'static str,
    title: String,
    reason: String,
    /// `Some("en")` when the (English) reason is on a page in another language.
    reason_lang: Option<&'static str>,
    serial: Option<String>,
    expires: Option<String>,
    checked_at: String,
    good: bool,
    /// For a presentation: the claims the holder disclosed, as (label,
    /// text), and the portrait as a data URL when disclosed.
    presented: Option<Presented>,
}

/// What a checked presentation showed.
struct Presented {
    claims: Vec<(String, String)>,
    portrait: Option<String>,
}

fn title_key(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Valid => key("card-valid"),
        Outcome::Expired => key("card-expired"),
        Outcome::NotYetValid => key("card-not-yet-valid"),
        Outcome::Revoked => key("card-revoked"),
        Outcome::InvalidSignature => key("card-invalid-signature"),
        Outcome::Undetermined => key("card-undetermined"),
    }
}

fn page(verdict: &Verdict, now: time::OffsetDateTime) -> CardPage {
    let layout = Layout::keyed("card-title").crumbs(&[]);
    CardPage {
        title: layout.t(title_key(verdict.outcome)),
        reason_lang: (layout.lang != Lang::En).then_some("en"),
        layout,
        outcome: verdict.outcome.as_str(),
        reason: verdict.reason.clone(),
        serial: verdict.serial.clone(),
        expires: verdict
            .expires_at
            .and_then(|e| time::OffsetDateTime::from_unix_timestamp(e).ok())
            // The card is valid through the day before its expiry instant.
            .map(|e| format_italian_datetime(e - time::Duration::seconds(1))[..10].to_owned()),
        checked_at: format_italian_datetime(now),
        good: verdict.outcome == Outcome::Valid,
        presented: None,
    }
}

/// `GET /c/{payload}`: the online check.
pub async fn check_page(
    State(s): State<AppState>,
    Path(payload): Path<String>,
) -> Result<Response, PageError> {
    let verdict = s.app.check_card_credential(&payload).await?;
    Ok(crate::no_store(page(&verdict, s.app.now()).into_response()))
}

/// The form of `/c`: a fresh verifier nonce for the holder (text and QR)
/// and the field to paste the presentation into.
#[derive(Template, WebTemplate)]
#[template(path = "card_present.html")]
struct PresentPage {
    layout: Layout,
    nonce: String,
    nonce_qr: String,
    aud: String,
    value: String,
    error: Option<String>,
}

fn present_page(s: &AppState, value: String, error: Option<String>) -> Result<Response, PageError> {
    let nonce = s.app.card_verifier_nonce();
    let mut layout = Layout::keyed("cardp-title").crumbs(&[]);
    if let Some(e) = &error {
        layout = layout.field_error("presentation", e.clone());
    }
    let label = format!("{}: {nonce}", layout.t("cardp-nonce"));
    let nonce_qr = attesta_credential::try_qr_svg_labelled(&nonce, &label)
        .map_err(|e| PageError(attesta_app::AppError::internal(&e)))?;
    let page = PresentPage {
        layout,
        nonce,
        nonce_qr,
        aud: s.app.config().public_url.clone(),
        value,
        error,
    };
    Ok(crate::no_store(page.into_response()))
}

/// `GET /c`: the operator's page for a card presented from a wallet.
pub async fn present_form(State(s): State<AppState>) -> Result<Response, PageError> {
    present_page(&s, String::new(), None)
}

#[derive(Debug, serde::Deserialize)]
pub struct PresentForm {
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    presentation: String,
}

/// The largest `POST /c` body: a presentation (the portrait makes most of
/// it) and the nonce.
pub const PRESENT_BODY_LIMIT: usize =
    attesta_credential::card::sd_jwt::MAX_PRESENTATION + 16 * 1024;

/// `POST /c`: checks the presentation for the nonce this page gave (in the
/// body only: nothing of it in a URL or a log line), and answers the same
/// result panel as the QR check, with the disclosed claims.
pub async fn present_submit(
    State(s): State<AppState>,
    axum::Form(f): axum::Form<PresentForm>,
) -> Result<Response, PageError> {
    let lang = Lang::current();
    let text = f.presentation.trim();
    let again = |value: &str, key: &str| -> Result<Response, PageError> {
        let e = attesta_app::AppError::invalid_request(lang.t(key));
        let r = present_page(&s, value.to_owned(), Some(lang.t(key)))?;
        Ok(crate::error::form_again(&e, r))
    };
    if text.is_empty() {
        return again("", key("cardp-empty"));
    }
    if !s.app.card_verifier_nonce_is_live(f.nonce.trim()) {
        // The holder's wallet answered an old page: it must answer again,
        // for the new nonce (the field is emptied).
        return again("", key("cardp-nonce-expired"));
    }
    let checked = s.app.check_card_presentation(text, f.nonce.trim()).await?;
    let mut p = page(&checked.verdict, s.app.now());
    p.serial = None;
    p.presented = Some(presented(&p.layout, checked.disclosed.as_ref()));
    Ok(crate::no_store(p.into_response()))
}

/// The disclosed claims in the page's words, in the type metadata's order.
fn presented(
    layout: &Layout,
    disclosed: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Presented {
    const LABELS: [(&str, &str); 8] = [
        ("document_number", key("cardp-claim-document-number")),
        ("given_name", key("cardp-claim-given-name")),
        ("family_name", key("cardp-claim-family-name")),
        ("birth_date", key("cardp-claim-birth-date")),
        ("expiry_date", key("cardp-claim-expiry-date")),
        ("issuing_authority", key("cardp-claim-issuing-authority")),
        ("issuing_country", key("cardp-claim-issuing-country")),
        (
            "constant_attendance_allowance",
            key("cardp-claim-attendance"),
        ),
    ];
    let Some(d) = disclosed else {
        return Presented {
            claims: Vec::new(),
            portrait: None,
        };
    };
    let mut claims: Vec<(String, String)> = LABELS
        .iter()
        .filter_map(|(name, label)| {
            let text = match d.get(*name)? {
                serde_json::Value::Bool(true) => layout.t("yes"),
                serde_json::Value::Bool(false) => layout.t("no"),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((layout.t(label), text))
        })
        .collect();
    // A claim attesta does not issue is shown by its name, not hidden.
    for (name, value) in d {
        if name != "portrait" && !LABELS.iter().any(|(n, _)| n == name) {
            claims.push((name.clone(), value.to_string()));
        }
    }
    let portrait = d
        .get("portrait")
        .and_then(serde_json::Value::as_str)
        .filter(|u| {
            ["data:image/jpeg;base64,", "data:image/png;base64,"]
                .iter()
                .any(|p| u.strip_prefix(p).is_some_and(is_base64))
        })
        .map(str::to_owned);
    Presented { claims, portrait }
}

fn is_base64(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
}

/// `GET /.well-known/attesta/keys.json`: the JWK Set.
pub async fn jwks(State(s): State<AppState>) -> Result<Response, ApiError> {
    let set = s.app.card_jwks().await?;
    let mut r = Json(set).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(r)
}

/// `GET /.well-known/jwt-vc-issuer` (SD-JWT VC, JWT VC Issuer Metadata):
/// the issuer identifier and the same card keys as
/// `/.well-known/attesta/keys.json`, by value.
pub async fn jwt_vc_issuer(State(s): State<AppState>) -> Result<Response, ApiError> {
    let keys = s.app.card_key_set().await?;
    let doc = attesta_credential::card::jwt_vc_issuer_metadata(&s.app.config().public_url, &keys);
    let mut r = Json(doc).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    Ok(r)
}

/// `GET {CARD_VCT_PATH}` and `GET /.well-known/vct{CARD_VCT_PATH}`: the
/// card credential's SD-JWT VC type metadata.
pub async fn vct_metadata(State(s): State<AppState>) -> Response {
    let doc = attesta_credential::card::card_type_metadata(&s.app.config().public_url);
    let mut r = Json(doc).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    r
}

/// What a status-list request asks for, by its `Accept` header: the two
/// signed media types by name first (so `application/statuslist+jwt` is
/// never taken for the JSON view), then anything JSON, else the CWT (the
/// default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListForm {
    Cwt,
    Jwt,
    Json,
}

fn list_form(headers: &HeaderMap) -> ListForm {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|m| {
            m.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .collect::<Vec<_>>();
    if accept.iter().any(|m| m == "application/statuslist+jwt") {
        ListForm::Jwt
    } else if accept.iter().any(|m| m == "application/statuslist+cwt") {
        ListForm::Cwt
    } else if accept.iter().any(|m| m.contains("json")) {
        ListForm::Json
    } else {
        ListForm::Cwt
    }
}

/// `GET /api/v1/status-lists/{list_id}`: the signed CWT
/// (`application/statuslist+cwt`, the default); with `Accept:
/// application/statuslist+jwt` the same list as a signed JWT (for SD-JWT VC
/// verifiers); with `Accept: application/json` the unsigned JSON form for
/// people to read.
pub async fn status_list(
    State(s): State<AppState>,
    Path(list_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let form = list_form(&headers);
    if list_id.len() > 64 || !list_id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(attesta_app::AppError::new(
            ErrorCode::UnknownStatusList,
            "No status list has this id.",
        )
        .into());
    }
    let (body, media) = match form {
        ListForm::Json => {
            let live = s.app.live_status_list(&list_id).await?;
            return Ok(Json(json!({
                "sub": live.uri,
                "iat": live.issued_at,
                "exp": live.expires_at,
                "ttl": live.ttl,
                "status_list": live.list.to_json(),
            }))
            .into_response());
        }
        ListForm::Jwt => (
            s.app.status_list_jwt(&list_id).await?.into_bytes(),
            "application/statuslist+jwt",
        ),
        ListForm::Cwt => (
            s.app.status_list_cwt(&list_id).await?,
            "application/statuslist+cwt",
        ),
    };
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept"));
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_has_a_title() {
        for o in [
            Outcome::Valid,
            Outcome::Expired,
            Outcome::NotYetValid,
            Outcome::Revoked,
            Outcome::InvalidSignature,
            Outcome::Undetermined,
        ] {
            for lang in Lang::ALL {
                assert!(!lang.t(title_key(o)).contains("Unknown"), "{o:?}");
            }
        }
    }
}
