//! attesta's HTTP surface: the JSON API of SPEC §6 and the HTML pages.
//!
//! A request flows one way: an extractor parses and authorises, one use
//! case of `attesta-app` runs, and the handler shapes its view as JSON or
//! HTML. Errors map to HTTP in one place (`error.rs`).

// The OpenAPI document is one large `json!` literal.
#![recursion_limit = "512"]

use std::sync::Arc;
use std::time::Duration;

use attesta_app::App;
use attesta_credential::card::sd_jwt::CARD_VCT_PATH;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use secrecy::SecretString;
use tower_http::trace::TraceLayer;

mod api;
mod benefits;
mod body_guard;
mod card;
mod card_application;
mod documents;
mod error;
mod extract;
mod guide;
mod i18n;
mod journey_citizen;
mod level2_pages;
mod limits;
mod login;
mod messages;
mod metrics_endpoint;
mod openapi;
mod pages;
mod payments;
mod request_id;
mod wallet;

pub use error::{ApiError, PageError};
pub use limits::RateLimit;
pub use openapi::{DOCUMENTED as DOCUMENTED_PATHS, spec as openapi_spec};

/// Settings that belong to the HTTP layer.
#[derive(Clone)]
pub struct WebConfig {
    /// `Authorization: Bearer` key of the back office; `None` disables it.
    pub admin_api_key: Option<SecretString>,
    /// Mark the session cookie `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Per-IP limits on the public endpoints; `None` turns them off.
    pub rate_limit: Option<RateLimit>,
    /// A connection whose request headers are not complete within this
    /// time is closed (SPEC §12: 10 s).
    pub header_read_timeout: Duration,
    /// A request body that sends no byte for this long gets 408
    /// `request_timeout` (SPEC §12: 30 s).
    pub body_stall_timeout: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            admin_api_key: None,
            secure_cookies: false,
            rate_limit: None,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_stall_timeout: BODY_STALL_TIMEOUT,
        }
    }
}

/// SPEC §12's defaults for [`WebConfig`].
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
pub const BODY_STALL_TIMEOUT: Duration = Duration::from_secs(30);
/// At SIGTERM, how long the requests in flight may take to finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// The body limit of every route but the card application's (SPEC §6).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Shows everything but the back-office key.
impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field(
                "admin_api_key",
                &self.admin_api_key.as_ref().map(|_| "<redacted>"),
            )
            .field("secure_cookies", &self.secure_cookies)
            .field("rate_limit", &self.rate_limit)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_stall_timeout", &self.body_stall_timeout)
            .finish()
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
    pub(crate) limiter: Option<limits::Limiter>,
}

pub(crate) fn session_cookie_header(state: &AppState, value: &str) -> HeaderValue {
    cookie_header(state, value, state.app.config().session_ttl.as_secs())
}

/// Removes the session cookie from the browser (at logout).
pub(crate) fn expired_session_cookie_header(state: &AppState) -> HeaderValue {
    cookie_header(state, "", 0)
}

fn cookie_header(state: &AppState, value: &str, max_age: u64) -> HeaderValue {
    let secure = if state.web.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}",
        extract::session_cookie_name(state)
    ))
    .expect("hex cookie values are valid header text")
}

/// At a login, the session the browser had before (another person's, or
/// one an attacker planted) ends on the server: only the new one lives.
pub(crate) async fn end_previous_session(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<(), attesta_app::AppError> {
    if let Some(old) = extract::session_cookie(headers, state) {
        state.app.logout(&old).await?;
    }
    Ok(())
}

/// Dates as Italians read them, in Italian time.
pub(crate) fn format_italian_datetime(t: time::OffsetDateTime) -> String {
    let local = attesta_app::italian_time(t);
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        local.day(),
        local.month() as u8,
        local.year(),
        local.hour(),
        local.minute()
    )
}

/// A time of day as Italians read it, in Italian time.
pub(crate) fn format_italian_time(t: time::OffsetDateTime) -> String {
    let local = attesta_app::italian_time(t);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

const STYLE: &str = include_str!("../static/style.css");
const SHOW_QR_JS: &str = include_str!("../static/show-qr.js");
const CAMERA_JS: &str = include_str!("../static/camera.js");
/// jsQR 1.4.0 (Apache-2.0), minified: loaded by camera.js only when the
/// camera is used.
const JSQR_JS: &str = include_str!("../static/vendor/jsqr-1.4.0.min.js");
const JSQR_LICENCE: &str = include_str!("../static/vendor/jsqr-LICENSE.txt");
const FAVICON: &str = include_str!("../static/favicon.svg");

/// FNV-1a, at compile time: the stylesheet's fingerprint.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

const STYLE_HASH: u64 = fnv1a(STYLE.as_bytes());

/// The stylesheet's address in the pages: its fingerprint in the query, so
/// a new stylesheet has a new address and each can be kept for a year.
pub(crate) fn style_href() -> String {
    format!("/static/style.css?v={STYLE_HASH:016x}")
}

/// Titillium Web, self-hosted (SIL OFL 1.1, `static/fonts/OFL.txt`): the
/// weights the stylesheet uses, latin subset. A new font file gets a new name.
const FONTS: [(&str, &[u8]); 3] = [
    (
        "titillium-web-latin-400-normal.woff2",
        include_bytes!("../static/fonts/titillium-web-latin-400-normal.woff2"),
    ),
    (
        "titillium-web-latin-600-normal.woff2",
        include_bytes!("../static/fonts/titillium-web-latin-600-normal.woff2"),
    ),
    (
        "titillium-web-latin-700-normal.woff2",
        include_bytes!("../static/fonts/titillium-web-latin-700-normal.woff2"),
    ),
];
const FONT_LICENCE: &str = include_str!("../static/fonts/OFL.txt");
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[derive(serde::Deserialize)]
struct StyleQuery {
    v: Option<String>,
}

async fn style(axum::extract::Query(q): axum::extract::Query<StyleQuery>) -> Response {
    let mut r = static_file(STYLE, "text/css; charset=utf-8");
    // Only the current fingerprint is forever; an old or missing one may
    // change under the same address.
    if q.v.as_deref() == Some(format!("{STYLE_HASH:016x}").as_str()) {
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    r
}

async fn font(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    if name == "OFL.txt" {
        return static_file(FONT_LICENCE, "text/plain; charset=utf-8");
    }
    match FONTS.iter().find(|(n, _)| *n == name) {
        Some((_, bytes)) => {
            let mut r = (*bytes).into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("font/woff2"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
            r
        }
        None => pages::page_not_found().await.into_response(),
    }
}

async fn favicon() -> Response {
    static_file(FAVICON, "image/svg+xml")
}

async fn show_qr_js() -> Response {
    static_file(SHOW_QR_JS, "text/javascript; charset=utf-8")
}

async fn camera_js() -> Response {
    static_file(CAMERA_JS, "text/javascript; charset=utf-8")
}

async fn jsqr_js() -> Response {
    // The version is in the address: it never changes under it.
    let mut r = static_file(JSQR_JS, "text/javascript; charset=utf-8");
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    r
}

async fn jsqr_licence() -> Response {
    static_file(JSQR_LICENCE, "text/plain; charset=utf-8")
}

/// Marks a response as personal: no browser or proxy may keep a copy.
pub(crate) fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn static_file(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// Every route. `/V/…` is served as `/v/…`: the QR carries the URL in upper
/// case so that it is encoded in alphanumeric mode.
pub fn router(app: App, web: WebConfig) -> Router {
    let demo = app.config().demo;
    let limiter = web.rate_limit.as_ref().map(limits::Limiter::new);
    if let Some(l) = limiter.clone() {
        // Forget quiet clients now and then, so the table stays small.
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                l.forget_idle();
            }
        });
    }
    let state = AppState {
        app,
        web: Arc::new(web),
        limiter,
    };
    let mut api = Router::new()
        .route("/verify", post(api::verify))
        .route("/verify/level2/otp", post(api::level2_otp))
        .route("/verify/level2", post(api::level2))
        .route("/admin/people/{fiscal_code}", put(api::put_person))
        .route("/admin/verbali", post(api::post_verbale))
        .route("/admin/payments", post(api::post_payment))
        .route("/admin/certificates", post(api::post_certificate))
        .route("/admin/applications", post(api::post_application))
        .route(
            "/admin/applications/{application_id}/events",
            post(api::post_application_event),
        )
        .route("/me/certificates", get(journey_citizen::api_certificates))
        .route(
            "/me/applications",
            get(journey_citizen::api_applications).post(journey_citizen::api_apply),
        )
        .route(
            "/me/applications/{application_id}/reschedule",
            post(journey_citizen::api_reschedule),
        )
        .route("/me", get(api::me))
        .route("/me/privacy-notice", post(api::accept_privacy))
        .route(
            "/me/attestation",
            get(api::get_attestation)
                .post(api::create_attestation)
                .delete(api::delete_attestation),
        )
        .route("/me/attestation/pdf", get(api::attestation_pdf))
        .route("/me/attestation/email", post(api::email_attestation))
        .route("/me/activity", get(api::activity))
        .route("/me/delegates", get(api::delegates).post(api::add_delegate))
        .route(
            "/me/delegates/{delegation_id}",
            delete(api::remove_delegate),
        )
        .route("/me/represented", get(api::represented))
        .route("/me/acting-for", post(api::acting_for))
        .route("/admin/delegations", post(api::admin_delegation))
        .route("/me/verifications", get(api::verifications))
        .route("/me/benefits", get(benefits::api))
        .route(
            "/admin/people/{fiscal_code}/messages",
            post(api::admin_message),
        )
        .route("/me/messages", get(api::messages))
        .route("/me/notices", get(api::notices))
        .route("/me/documents", get(documents::api_list))
        .route(
            "/admin/applications/{application_id}/documents",
            get(documents::admin_list),
        )
        .route("/admin/documents/{document_id}", get(documents::admin_file))
        .route("/me/payments", get(api::payments))
        .route("/me/messages/{message_id}/read", post(api::read_message))
        .route("/me/consents", post(api::consents))
        .route("/openapi.json", get(openapi::document))
        .route("/status-lists/{list_id}", get(card::status_list))
        .route("/me/card/pdf", get(card_application::api_pdf))
        .route("/admin/cards", get(card_application::admin_list))
        .route(
            "/admin/cards/{id}/approve",
            post(card_application::admin_approve),
        )
        .route(
            "/admin/cards/{id}/reject",
            post(card_application::admin_reject),
        )
        .route(
            "/admin/cards/{id}/revoke",
            post(card_application::admin_revoke),
        );
    if demo {
        api = api
            .route("/demo/login", post(api::demo_login))
            .route("/demo/outbox", get(api::demo_outbox));
    }
    // Every route's body is capped while it streams (SPEC §6): 64 KiB, and
    // the card application (a photo) its own limit. `route_layer` wraps the
    // routes added so far, so the card route, added after, keeps its own.
    let api = api
        .route_layer(axum::middleware::from_fn_with_state(
            body_guard::Limit::new(BODY_LIMIT, true),
            body_guard::cap,
        ))
        .route(
            "/me/card",
            get(card_application::api_get)
                .post(card_application::api_apply)
                .layer::<_, std::convert::Infallible>(axum::middleware::from_fn_with_state(
                    body_guard::Limit::new(card_application::CARD_BODY_LIMIT, true),
                    body_guard::cap,
                ))
                .layer(DefaultBodyLimit::max(card_application::CARD_BODY_LIMIT)),
        )
        .route(
            "/me/applications/{application_id}/documents",
            post(documents::api_upload)
                .layer::<_, std::convert::Infallible>(axum::middleware::from_fn_with_state(
                    body_guard::Limit::new(documents::DOCUMENT_BODY_LIMIT, true)
                        .saying(attesta_app::documents::TOO_LARGE_MESSAGE),
                    body_guard::cap,
                ))
                .layer(DefaultBodyLimit::max(documents::DOCUMENT_BODY_LIMIT)),
        )
        .fallback(api::not_found);

    let mut pages = Router::new()
        .route("/", get(pages::index))
        .route("/v", get(pages::check_form).post(pages::check_submit))
        // The QR's address: answered with a 303 to the check's handle.
        .route("/v/guide", get(guide::page))
        .route("/v/guide.pdf", get(guide::pdf))
        .route("/v/{token}", get(pages::open_check))
        .route("/V/{token}", get(pages::open_check))
        .route(
            "/v/check/{handle}",
            get(pages::verify_form).post(pages::verify_submit),
        )
        .route("/v/check/{handle}/level2", post(level2_pages::ask))
        .route("/v/level2", post(level2_pages::confirm))
        .route("/login", get(login::start))
        .route("/auth/callback", get(login::callback))
        .route("/me", get(pages::me_page))
        .route("/me/qr", get(pages::me_show_qr))
        .route("/me/benefits", get(benefits::page))
        .route("/me/privacy-notice", post(pages::me_privacy))
        .route("/me/attestation", post(pages::me_generate))
        .route("/me/attestation/revoke", post(pages::me_revoke))
        .route("/me/attestation/email", post(pages::me_email))
        .route(
            "/me/new",
            get(pages::new_request).post(pages::new_request_confirm),
        )
        .route("/me/delegates", post(pages::me_add_delegate))
        .route(
            "/me/applications",
            get(journey_citizen::page).post(journey_citizen::page_apply),
        )
        .route(
            "/me/applications/{application_id}/reschedule",
            post(journey_citizen::page_reschedule),
        )
        .route(
            "/me/verbali/{verbale_id}",
            get(journey_citizen::verbale_page),
        )
        .route(
            "/me/verbali/{verbale_id}/qr",
            post(journey_citizen::verbale_qr),
        )
        .route("/me/messages", get(messages::page))
        .route("/me/payments", get(payments::page))
        .route("/me/messages/{message_id}/read", post(messages::page_read))
        .route("/me/consents", post(pages::me_consents))
        .route("/me/delegates/remove", post(pages::me_remove_delegate))
        .route("/me/acting-for", post(pages::me_acting_for))
        .route("/logout", post(pages::logout))
        .route("/c/{payload}", get(card::check_page))
        .route("/C/{payload}", get(card::check_page))
        .route("/.well-known/attesta/keys.json", get(card::jwks))
        .route("/.well-known/jwt-vc-issuer", get(card::jwt_vc_issuer))
        .route(CARD_VCT_PATH, get(card::vct_metadata))
        .route(
            &format!("/.well-known/vct{CARD_VCT_PATH}"),
            get(card::vct_metadata),
        )
        .route(
            "/.well-known/openid-credential-issuer",
            get(wallet::issuer_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(wallet::authorization_server_metadata),
        )
        .route("/oid4vci/token", post(wallet::token))
        .route("/oid4vci/nonce", post(wallet::nonce))
        .route("/oid4vci/credential", post(wallet::credential))
        .route(
            "/me/card/wallet",
            get(wallet::page_back).post(wallet::page_offer),
        )
        .route("/static/style.css", get(style))
        .route("/static/fonts/{name}", get(font))
        .route("/static/favicon.svg", get(favicon))
        .route("/static/show-qr.js", get(show_qr_js))
        .route("/static/camera.js", get(camera_js))
        .route("/static/vendor/jsqr-1.4.0.min.js", get(jsqr_js))
        .route("/static/vendor/jsqr-LICENSE.txt", get(jsqr_licence))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(metrics_endpoint::render));
    if demo {
        pages = pages
            .route("/demo", get(pages::demo_page))
            .route("/demo/login", post(pages::demo_login));
    }
    let pages = pages
        .route_layer(axum::middleware::from_fn_with_state(
            body_guard::Limit::new(BODY_LIMIT, false),
            body_guard::cap,
        ))
        .route(
            "/me/card",
            get(card_application::page)
                .post(card_application::page_apply)
                .layer::<_, std::convert::Infallible>(axum::middleware::from_fn_with_state(
                    body_guard::Limit::new(card_application::CARD_BODY_LIMIT, false),
                    body_guard::cap,
                ))
                .layer(DefaultBodyLimit::max(card_application::CARD_BODY_LIMIT)),
        )
        // A pasted presentation may carry the portrait: its own limit.
        .route(
            "/c",
            get(card::present_form)
                .post(card::present_submit)
                .layer::<_, std::convert::Infallible>(axum::middleware::from_fn_with_state(
                    body_guard::Limit::new(card::PRESENT_BODY_LIMIT, false),
                    body_guard::cap,
                ))
                .layer(DefaultBodyLimit::max(card::PRESENT_BODY_LIMIT)),
        )
        .route(
            "/me/applications/{application_id}/documents",
            post(journey_citizen::page_document)
                .layer::<_, std::convert::Infallible>(axum::middleware::from_fn_with_state(
                    body_guard::Limit::new(documents::DOCUMENT_BODY_LIMIT, false)
                        .saying(attesta_app::documents::TOO_LARGE_MESSAGE),
                    body_guard::cap,
                ))
                .layer(DefaultBodyLimit::max(documents::DOCUMENT_BODY_LIMIT)),
        );

    let body_stall_timeout = state.web.body_stall_timeout;
    pages
        .nest("/api/v1", api)
        .fallback(pages::page_not_found)
        // The fallbacks read no body; this is the extractors' cap for them.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // No compressed bodies (415), and a body that stalls gets 408.
        .layer(axum::middleware::from_fn_with_state(
            body_stall_timeout,
            body_guard::stall_and_encoding,
        ))
        .layer(
            // Log the route template, never the raw path: tokens and the
            // back office's codici fiscali live in paths.
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", MatchedPath::as_str)
                        .to_owned();
                    let id = req
                        .extensions()
                        .get::<request_id::RequestId>()
                        .map_or("", |id| id.0.as_str())
                        .to_owned();
                    tracing::info_span!("request", id = %id, method = %req.method(), route = %route)
                })
                // One line per answered request at info (status, latency), in
                // the span above: the request id, method and route template.
                // `ATTESTA_LOG=info,tower_http=warn` leaves them out.
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        // The limiter sits inside the language pick and the security
        // headers, so a refused page is a proper page in the right language.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::per_ip,
        ))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(axum::middleware::from_fn(i18n::negotiate))
        // Outermost: every answer, a refused one too, carries the id.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            request_id::assign,
        ))
        .route_layer(axum::middleware::from_fn(metrics_endpoint::record))
        .with_state(state)
}

/// The strict policy: no inline script or style anywhere (the templates
/// have none), no plug-ins, no `<base>`, no framing, forms only to us.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// On every response, errors, 404s and static files included.
async fn security_headers(State(s): State<AppState>, mut r: Response) -> Response {
    let h = r.headers_mut();
    // Personal by default: only the public answers made to be cached (key
    // set, status lists, OpenAPI document, static assets) say otherwise.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if s.app.config().public_url.starts_with("https://") {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    r
}

/// Serves until Ctrl-C or SIGTERM (see [`serve_until`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    web: WebConfig,
) -> std::io::Result<()> {
    serve_until(listener, app, web, shutdown()).await
}

/// Serves HTTP/1.1 (behind the TLS-terminating proxy; no HTTP/2) with
/// keep-alive, on our own accept loop so that hyper's header read timeout
/// runs (`axum::serve` installs no timer, hyperium/hyper#3756): a
/// connection whose request headers are not complete within
/// `web.header_read_timeout` is closed, an idle keep-alive connection too.
/// Handlers still get `ConnectInfo<SocketAddr>`. When `stop` completes it
/// stops accepting, lets the requests in flight finish (up to
/// [`SHUTDOWN_GRACE`]) and returns.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    app: App,
    web: WebConfig,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(web.header_read_timeout)
        .keep_alive(true);
    let router = router(app, web);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(remote));
                router.clone().oneshot(request)
            },
        );
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still in flight after {SHUTDOWN_GRACE:?}: stopping anyway");
        }
    }
    Ok(())
}

/// After a failed `accept`: a connection reset before it was accepted is
/// nothing; anything else (out of file descriptors) waits a second, as
/// `axum::serve` does, rather than spin.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        tracing::error!(error = %e, "cannot accept a connection");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
