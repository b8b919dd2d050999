//! `GET /metrics` (Prometheus text format): request counts and latency
//! histograms by route template and status, never by raw path (tokens and
//! codici fiscali live in paths); the application's series (attesta-app's
//! `telemetry`); the database pool, read at each scrape. The series are
//! listed in docs/DEPLOYMENT.md.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

/// Request latency buckets, seconds: a level-1 check is a few
/// milliseconds, a PDF or a bulk upload up to seconds.
const REQUEST_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Pool wait buckets, seconds, up to the default acquire timeout (5 s).
const ACQUIRE_BUCKETS: &[f64] = &[
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0,
];

/// The process-wide recorder, installed on first use (tests start many
/// servers in one process).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        // Histograms (`_bucket` lines), not summaries. The only error is
        // an empty bucket list, and these are constants.
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("attesta_http_request_duration_seconds".into()),
                REQUEST_BUCKETS,
            )
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("attesta_db_pool_acquire_seconds".into()),
                    ACQUIRE_BUCKETS,
                )
            })
            .expect("the bucket lists are not empty")
            .build_recorder();
        let handle = recorder.handle();
        // Another recorder may already be installed (an embedding program):
        // then ours only renders what it records itself, which is nothing.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub(crate) async fn render(State(state): State<AppState>) -> Response {
    let store = state.app.store();
    let pool = store.pool_stats();
    metrics::gauge!("attesta_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("attesta_db_pool_connections", "state" => "in_use").set(f64::from(pool.in_use));
    metrics::gauge!("attesta_db_pool_max_connections").set(f64::from(pool.max));
    // The wait for a connection, sampled at each scrape (as a request
    // would wait now); a pool that times out counts as a failed probe.
    match store.time_acquire().await {
        Ok(waited) => {
            metrics::histogram!("attesta_db_pool_acquire_seconds").record(waited.as_secs_f64());
        }
        Err(_) => metrics::counter!("attesta_db_pool_acquire_failures_total").increment(1),
    }
    let mut r = handle().render().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

/// Counts every request by method, route template and status.
pub(crate) async fn record(request: Request, next: Next) -> Response {
    handle();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("attesta_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.clone())
        .increment(1);
    metrics::histogram!("attesta_http_request_duration_seconds", "method" => method, "route" => route, "status" => status)
        .record(started.elapsed().as_secs_f64());
    response
}
