//! The EU Disability Card's web side (SPEC §5): the online check page
//! `GET /c/{payload}` (and `/C/…`), the JWK Set at
//! `/.well-known/attesta/keys.json`, and the status lists the cards point to.
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

/// `GET /api/v1/status-lists/{list_id}`: the signed CWT
/// (`application/statuslist+cwt`), or with `Accept: application/json` the
/// unsigned JSON form for people to read.
pub async fn status_list(
    State(s): State<AppState>,
    Path(list_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"));
    if list_id.len() > 64 || !list_id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(attesta_app::AppError::new(
            ErrorCode::UnknownStatusList,
            "No status list has this id.",
        )
        .into());
    }
    if wants_json {
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
    let cwt = s.app.status_list_cwt(&list_id).await?;
    let mut r = cwt.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/statuslist+cwt"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
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
