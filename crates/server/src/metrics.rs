//! Prometheus metrics through the `metrics` crate and its exporter: how long each
//! request took, as a histogram per method, route template and status class, so that
//! a slow route shows in the scrape (the route's template, never its concrete path: no
//! key or code an app asked for reaches the metrics).
//!
//! The recorder is the process's (one per process, as Prometheus expects of a target);
//! the node's own counts (answers, audit entries, backlog) belong to the server and are
//! rendered beside it at `/metrics`.

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

/// Request latency in seconds, by `method`, `route` and `status` (`2xx`, `4xx`, …).
pub const LATENCY: &str = "govshare_http_request_duration_seconds";

/// Bucket bounds from half a millisecond (a lookup served in place) to ten seconds (a
/// large import).
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed the first time it is asked for. When another
/// recorder was installed first (by a program embedding the server), that one keeps
/// the measurements and this one renders none.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY.into()), BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_ok() {
            metrics::describe_histogram!(
                LATENCY,
                metrics::Unit::Seconds,
                "Time from a request's arrival to its answer, by method, route template and status class."
            );
        }
        // Histogram samples wait in buckets until drained: drain them every few seconds
        // whether or not anyone scrapes, on the runtime that first asks (the server's).
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let h = handle.clone();
            runtime.spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(5));
                loop {
                    every.tick().await;
                    h.run_upkeep();
                }
            });
        }
        handle
    })
}

/// Middleware on the routes: times each request under its route's template.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req.extensions().get::<MatchedPath>().cloned();
    // Any other method is one label, so that made-up methods cannot grow the series.
    let method = match *req.method() {
        Method::GET
        | Method::POST
        | Method::PUT
        | Method::PATCH
        | Method::DELETE
        | Method::HEAD
        | Method::OPTIONS => req.method().clone(),
        _ => Method::from_bytes(b"OTHER").expect("a valid method name"),
    };
    let response = next.run(req).await;
    let class = match response.status().as_u16() / 100 {
        2 => 0,
        3 => 1,
        4 => 2,
        _ => 3,
    };
    let route = route.as_ref().map_or("", MatchedPath::as_str);
    record(route, &method, class, started.elapsed().as_secs_f64());
    response
}

/// Status classes, as the `status` label says them.
const CLASSES: [&str; 4] = ["2xx", "3xx", "4xx", "5xx"];

/// The histograms of one route template, by method and status class (each made when
/// a request first needs it: a class never seen is not rendered).
type ByMethod = HashMap<Method, [Option<metrics::Histogram>; 4]>;

/// Records a request's time in its histogram, made once per route, method and status
/// class and then found again without building a metrics key for each request.
fn record(route: &str, method: &Method, class: usize, secs: f64) {
    static MADE: OnceLock<RwLock<HashMap<Box<str>, ByMethod>>> = OnceLock::new();
    let made = MADE.get_or_init(Default::default);
    let held = made.read().unwrap_or_else(|e| e.into_inner());
    if let Some(h) = held
        .get(route)
        .and_then(|m| m.get(method))
        .and_then(|h| h[class].as_ref())
    {
        h.record(secs);
        return;
    }
    drop(held);
    let h = metrics::histogram!(LATENCY, "method" => method.as_str().to_owned(), "route" => route.to_owned(), "status" => CLASSES[class]);
    h.record(secs);
    made.write()
        .unwrap_or_else(|e| e.into_inner())
        .entry(route.into())
        .or_default()
        .entry(method.clone())
        .or_default()[class] = Some(h);
}
