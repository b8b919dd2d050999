//! A request id on every request and response (`X-Request-Id`), so one
//! request can be followed through the logs of the load balancer and the
//! node: taken from the header when a trusted proxy sends a well-formed one
//! (`trusted_proxies`), else drawn at random (128 bits, hex). It is in the
//! span of every log line the request writes and in the response's
//! `X-Request-Id`. It carries nothing about the request itself.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

pub(crate) const HEADER: &str = "x-request-id";

/// The request's id, in the request's extensions.
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub(crate) String);

/// A proxy's id is believed only when it is short and plain: no spaces, no
/// control characters, nothing a log reader could mistake for another field.
fn well_formed(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn random_id() -> String {
    let mut bytes = [0u8; 16];
    // No random source left is a broken machine; an all-zero id still
    // lets the request through (the id is for reading logs, not security).
    let _ = getrandom::fill(&mut bytes);
    hex::encode(bytes)
}

pub(crate) async fn assign(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let trusted = match (&state.web.rate_limit, peer) {
        (Some(limit), Some(peer)) => limit.trusted_proxies.contains(&peer),
        _ => false,
    };
    let given = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| trusted && well_formed(id))
        .map(str::to_owned);
    let id = given.unwrap_or_else(random_id);
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_believed() {
        assert!(well_formed("f3a9c2e1-lb-7"));
        assert!(well_formed(&"a".repeat(64)));
        assert!(!well_formed(&"a".repeat(65)));
        assert!(!well_formed(""));
        assert!(!well_formed("id with space"));
        assert!(!well_formed("id\"quote"));
        assert!(!well_formed("RSSMRA80A01H501U=x"));
        assert_eq!(random_id().len(), 32);
        assert_ne!(random_id(), random_id());
    }
}
