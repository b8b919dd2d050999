//! Per-IP request limits on the public endpoints (SPEC §4, §6): 429
//! `rate_limited` with `Retry-After`. The limits that must hold across nodes
//! (wrong codici fiscali, OTPs) live in the database; this one is per node,
//! a guard against floods.

use attesta_app::ErrorCode;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use attesta_app::AppError;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::AppState;
use crate::error::{ApiError, PageError};

/// Requests per second per client IP, and the burst allowed above it.
#[derive(Debug, Clone)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
    /// Proxies whose `X-Forwarded-For` is believed (a load balancer).
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_second: 20,
            burst: 200,
            trusted_proxies: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Limiter {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    trusted: Arc<Vec<IpAddr>>,
}

impl Limiter {
    pub(crate) fn new(config: &RateLimit) -> Self {
        let per_second = NonZeroU32::new(config.per_second.max(1)).expect("at least 1");
        let burst = NonZeroU32::new(config.burst.max(1)).expect("at least 1");
        Self {
            limiter: Arc::new(RateLimiter::keyed(
                Quota::per_second(per_second).allow_burst(burst),
            )),
            trusted: Arc::new(config.trusted_proxies.clone()),
        }
    }

    /// Forgets clients that have been quiet; called now and then so the
    /// table does not grow without end.
    pub(crate) fn forget_idle(&self) {
        self.limiter.retain_recent();
    }

    /// The client's address: the peer, or — behind a trusted proxy — the
    /// nearest untrusted address in `X-Forwarded-For`.
    fn client(&self, peer: IpAddr, headers: &axum::http::HeaderMap) -> IpAddr {
        if !self.trusted.contains(&peer) {
            return peer;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|ip| ip.trim().parse::<IpAddr>().ok())
            .rev()
            .find(|ip| !self.trusted.contains(ip))
            .unwrap_or(peer)
    }
}

/// Back-office and operations endpoints are authenticated or internal and
/// are not limited here.
pub(crate) fn exempt(path: &str) -> bool {
    path.starts_with("/api/v1/admin/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics")
        || path.starts_with("/static/")
}

pub(crate) async fn per_ip(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(limiter) = &state.limiter else {
        return next.run(request).await;
    };
    if exempt(request.uri().path()) {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let Some(peer) = peer else {
        return next.run(request).await;
    };
    let client = limiter.client(peer, request.headers());
    match limiter.limiter.check_key(&client) {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            metrics::counter!("attesta_rate_limited_total").increment(1);
            let e = AppError::new(
                ErrorCode::RateLimited,
                "Too many requests from this address. Wait a moment and try again.",
            )
            .with_retry_after(wait.as_secs().max(1));
            // JSON for clients of the API, a page (in the request's language) for people.
            if request.uri().path().starts_with("/api/") {
                ApiError(e).into_response()
            } else {
                PageError(e).into_response()
            }
        }
    }
}
