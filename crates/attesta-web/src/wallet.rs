//! The card in the citizen's wallet over OpenID4VCI 1.0 (issue #19): the
//! issuer and authorization-server metadata, the token, nonce and
//! credential endpoints (errors in the OAuth shape, SPEC §6), and the
//! citizen's "add to my wallet" form on `/me/card`.

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::wallet::WalletOffer;
use attesta_app::{AppError, ErrorCode};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::PageError;
use crate::extract::MaybeSession;
use crate::i18n::{Lang, key};
use crate::no_store;
use crate::pages::{Layout, csrf_ok};

/// The largest token or credential request read (a proof JWT is ~1 KiB).
const MAX_REQUEST: usize = 16 * 1024;

/// An error of the OpenID4VCI endpoints, in the OAuth shape
/// `{"error", "error_description"}` (RFC 6749 §5.2, OpenID4VCI 1.0 §8.3.1),
/// which SPEC §6 allows for them; never cached.
#[derive(Debug)]
pub struct OAuthError(pub AppError);

impl From<AppError> for OAuthError {
    fn from(e: AppError) -> Self {
        OAuthError(e)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (
            status,
            Json(json!({"error": e.code.as_str(), "error_description": e.message})),
        )
            .into_response();
        if e.code == ErrorCode::InvalidToken {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        no_store(r)
    }
}

type OAuthResult = Result<Response, OAuthError>;

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn too_large() -> AppError {
    AppError::invalid_request(format!("The request is larger than {MAX_REQUEST} bytes."))
}

/// `GET /.well-known/openid-credential-issuer`.
pub async fn issuer_metadata(State(s): State<AppState>) -> Response {
    Json(s.app.credential_issuer_metadata()).into_response()
}

/// `GET /.well-known/oauth-authorization-server`.
pub async fn authorization_server_metadata(State(s): State<AppState>) -> Response {
    Json(s.app.authorization_server_metadata()).into_response()
}

/// `POST /oid4vci/token` (`application/x-www-form-urlencoded`).
pub async fn token(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> OAuthResult {
    if body.len() > MAX_REQUEST {
        return Err(too_large().into());
    }
    if content_type(&headers) != "application/x-www-form-urlencoded" {
        return Err(AppError::invalid_request(
            "Send the token request as application/x-www-form-urlencoded.",
        )
        .into());
    }
    let mut grant_type = None;
    let mut code = None;
    let mut tx_code = None;
    for (name, value) in form_urlencoded::parse(&body) {
        let slot = match name.as_ref() {
            "grant_type" => &mut grant_type,
            "pre-authorized_code" => &mut code,
            "tx_code" => &mut tx_code,
            // Other parameters (client_id, authorization_details…) are not
            // used by this grant and are ignored, as RFC 6749 §3.2 asks.
            _ => continue,
        };
        if slot.is_some() {
            return Err(AppError::invalid_request(format!(
                "`{name}` is given twice: send it once."
            ))
            .into());
        }
        *slot = Some(value.into_owned());
    }
    let t = s
        .app
        .wallet_token(grant_type.as_deref(), code.as_deref(), tx_code.as_deref())
        .await?;
    Ok(no_store(
        Json(
            json!({"access_token": t.access_token, "token_type": "Bearer",
            "expires_in": t.expires_in}),
        )
        .into_response(),
    ))
}

/// `POST /oid4vci/nonce`.
pub async fn nonce(State(s): State<AppState>) -> OAuthResult {
    let nonce = s.app.wallet_nonce().await?;
    Ok(no_store(Json(json!({"c_nonce": nonce})).into_response()))
}

/// `POST /oid4vci/credential` (`Authorization: Bearer …`, JSON).
pub async fn credential(State(s): State<AppState>, headers: HeaderMap, body: Bytes) -> OAuthResult {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(token)
        })
        .map(str::to_owned);
    // The token first: without a valid one nothing else is looked at.
    let Some(bearer) = bearer else {
        return Err(AppError::new(
            ErrorCode::InvalidToken,
            "No access token: send `Authorization: Bearer <access_token>` from the token endpoint.",
        )
        .into());
    };
    if body.len() > MAX_REQUEST {
        return Err(too_large().into());
    }
    let request = |m: &str| AppError::new(ErrorCode::InvalidCredentialRequest, m);
    let ct = content_type(&headers);
    if ct != "application/json" {
        return Err(request("Send the credential request as application/json.").into());
    }
    let body: Value = serde_json::from_slice(&body)
        .map_err(|e| request(&format!("The credential request is not JSON: {e}.")))?;
    let sd_jwt = s.app.wallet_credential(Some(&bearer), &body).await?;
    Ok(no_store(
        Json(json!({"credentials": [{"credential": sd_jwt}]})).into_response(),
    ))
}

// ---- the citizen's page -------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct WalletForm {
    csrf: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "wallet_offer.html")]
struct WalletOfferPage {
    layout: Layout,
    /// The offer as a QR (SVG), when one was made.
    qr_svg: Option<String>,
    offer_uri: String,
    /// The step that says where the SMS went.
    step_code: String,
    expires: String,
    /// Why no offer was made (no mobile on record), when none was.
    problem: Option<String>,
}

fn page_layout(session: &attesta_app::Session) -> Layout {
    Layout::keyed("wallet-h1")
        .crumbs(&[(key("me-h1"), "/me"), (key("me-eu-card"), "/me/card")])
        .with_session(&Some(session.clone()))
}

/// `POST /me/card/wallet`: an offer for the active card, shown as a QR and
/// a link; the transaction code goes by SMS.
pub async fn page_offer(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    axum::Form(f): axum::Form<WalletForm>,
) -> Result<Response, PageError> {
    let (sess, actor) = crate::pages::citizen(&s, session).await?;
    csrf_ok(&sess, &f.csrf)?;
    let lang = Lang::current();
    let page = match s.app.create_wallet_offer(&actor).await {
        Ok(WalletOffer {
            offer_uri,
            sent_to,
            expires_at,
            ..
        }) => {
            let label = lang.t("wallet-qr-label");
            let qr = attesta_credential::try_qr_svg_labelled(&offer_uri, &label)
                .map_err(|e| PageError(AppError::internal(&e)))?;
            WalletOfferPage {
                layout: page_layout(&sess),
                qr_svg: Some(qr),
                offer_uri,
                step_code: lang.t_args("wallet-step-code", &[("sent_to", sent_to)]),
                expires: crate::format_italian_datetime(expires_at),
                problem: None,
            }
        }
        Err(e) if e.code == ErrorCode::NoMobileOnRecord => {
            let page = WalletOfferPage {
                layout: page_layout(&sess),
                qr_svg: None,
                offer_uri: String::new(),
                step_code: String::new(),
                expires: String::new(),
                problem: Some(lang.t("wallet-no-mobile")),
            };
            return Ok(crate::error::form_again(&e, page));
        }
        Err(e) => return Err(PageError(e)),
    };
    Ok(no_store(page.into_response()))
}

/// `GET /me/card/wallet` (the language switch of the offer page, a
/// reload): an offer is made only by the form, so back to the card.
pub async fn page_back() -> Response {
    axum::response::Redirect::to("/me/card").into_response()
}

// ---- OpenAPI ------------------------------------------------------------

/// The wallet's paths, added to the OpenAPI document (`openapi.rs`).
pub(crate) fn document(doc: &mut Value) {
    let oauth_error = |codes: &[&str]| {
        json!({"description": "refused (OAuth error shape)", "headers": {"Cache-Control": {"schema": {"const": "no-store"}}},
            "content": {"application/json": {"schema": {"type": "object", "required": ["error", "error_description"],
            "properties": {"error": {"enum": codes}, "error_description": {"type": "string"}}}}}})
    };
    let no_store_header = json!({"Cache-Control": {"schema": {"const": "no-store"}}});
    let paths = &mut doc["paths"];
    paths["/.well-known/openid-credential-issuer"] = json!({"get": {
        "summary": "OpenID4VCI 1.0 credential issuer metadata (§12.2): the card as an SD-JWT VC (dc+sd-jwt)",
        "responses": {"200": {"description": "metadata", "content": {"application/json": {"schema": {"type": "object",
            "required": ["credential_issuer", "credential_endpoint", "nonce_endpoint", "credential_configurations_supported"],
            "properties": {"credential_issuer": {"type": "string"}, "credential_endpoint": {"type": "string"},
                "nonce_endpoint": {"type": "string"}, "display": {"type": "array"},
                "credential_configurations_supported": {"type": "object"}}}}}}}}});
    paths["/.well-known/oauth-authorization-server"] = json!({"get": {
        "summary": "RFC 8414 authorization server metadata: the pre-authorized code grant only",
        "responses": {"200": {"description": "metadata", "content": {"application/json": {"schema": {"type": "object",
            "required": ["issuer", "token_endpoint", "grant_types_supported"],
            "properties": {"issuer": {"type": "string"}, "token_endpoint": {"type": "string"},
                "grant_types_supported": {"type": "array", "items": {"type": "string"}},
                "pre-authorized_grant_anonymous_access_supported": {"type": "boolean"},
                "response_types_supported": {"type": "array"}}}}}}}}});
    paths["/oid4vci/token"] = json!({"post": {
        "summary": "OpenID4VCI token endpoint: the pre-authorized code and the SMS transaction code for a 5-minute access token; three wrong transaction codes burn the offer",
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object",
            "required": ["grant_type", "pre-authorized_code", "tx_code"], "properties": {
                "grant_type": {"const": attesta_app::wallet::PRE_AUTHORIZED_GRANT},
                "pre-authorized_code": {"type": "string"},
                "tx_code": {"type": "string", "pattern": "^[0-9]{6}$"}}}}}},
        "responses": {"200": {"description": "access token", "headers": no_store_header,
                "content": {"application/json": {"schema": {"type": "object",
                "required": ["access_token", "token_type", "expires_in"], "properties": {
                    "access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
                    "expires_in": {"type": "integer"}}}}}},
            "400": oauth_error(&["invalid_request", "invalid_grant", "unsupported_grant_type"]),
            "500": oauth_error(&["internal"]), "503": oauth_error(&["service_unavailable"])}}});
    paths["/oid4vci/nonce"] = json!({"post": {
        "summary": "OpenID4VCI nonce endpoint: a single-use c_nonce, valid 5 minutes",
        "responses": {"200": {"description": "nonce", "headers": no_store_header,
                "content": {"application/json": {"schema": {"type": "object",
                "required": ["c_nonce"], "properties": {"c_nonce": {"type": "string"}}}}}},
            "503": oauth_error(&["service_unavailable"])}}});
    paths["/oid4vci/credential"] = json!({"post": {
        "summary": "OpenID4VCI credential endpoint: the card as an SD-JWT VC bound to the proof's key; a refused proof leaves the token usable",
        "security": [{"walletAccessToken": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
            "required": ["credential_configuration_id", "proofs"], "properties": {
                "credential_configuration_id": {"const": attesta_app::wallet::CREDENTIAL_CONFIGURATION_ID},
                "proofs": {"type": "object", "required": ["jwt"], "properties": {
                    "jwt": {"type": "array", "minItems": 1, "maxItems": 1, "items": {"type": "string",
                        "description": "openid4vci-proof+jwt: ES256, header jwk, aud = the credential issuer, nonce from the nonce endpoint"}}}}}}}}},
        "responses": {"200": {"description": "the credential", "headers": no_store_header,
                "content": {"application/json": {"schema": {"type": "object",
                "required": ["credentials"], "properties": {"credentials": {"type": "array", "items": {"type": "object",
                    "required": ["credential"], "properties": {"credential": {"type": "string", "description": "SD-JWT VC: <issuer JWT>~<disclosures>~"}}}}}}}}},
            "400": oauth_error(&["invalid_request", "invalid_credential_request", "unknown_credential_configuration", "invalid_proof", "invalid_nonce", "credential_request_denied"]),
            "401": {"description": "no valid access token",
                "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}, "Cache-Control": {"schema": {"const": "no-store"}}},
                "content": {"application/json": {"schema": {"type": "object", "required": ["error", "error_description"],
                    "properties": {"error": {"const": "invalid_token"}, "error_description": {"type": "string"}}}}}},
            "500": oauth_error(&["internal"]), "503": oauth_error(&["service_unavailable", "signing_key_unavailable"])}}});
    doc["components"]["securitySchemes"]["walletAccessToken"] = json!({"type": "http", "scheme": "bearer", "description": "the access token of /oid4vci/token"});
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oauth_error_has_its_shape_and_the_bearer_challenge() {
        let r = OAuthError(AppError::new(ErrorCode::InvalidToken, "spent")).into_response();
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.headers()[header::WWW_AUTHENTICATE],
            "Bearer error=\"invalid_token\""
        );
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        let r = OAuthError(AppError::new(ErrorCode::InvalidGrant, "no")).into_response();
        assert_eq!(r.status(), 400);
        assert!(r.headers().get(header::WWW_AUTHENTICATE).is_none());
    }
}
