//! Request-rate limits: a token bucket per device (by certificate key), or
//! per IP address for requests without a certificate. Over the limit the
//! relay answers 429 with `Retry-After` and the usual JSON error body.
//!
//! Sized for people, not load tests: a laptop catching up after a day sends
//! a few hundred requests, well inside the burst.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::routes::Peer;

/// Sustained requests per second per caller. A sync pass is about five
/// requests per team, and a laptop may sync after every save.
const RATE: f64 = 200.0;
/// Requests a caller may send at once.
const BURST: f64 = 1000.0;
/// Forget callers idle this long, so the table does not grow without bound.
const FORGET_AFTER_SECS: f64 = 600.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Caller {
    Device([u8; 32]),
    Address(IpAddr),
}

/// The address the connection came from.
#[derive(Debug, Clone, Copy)]
pub struct RemoteAddr(pub IpAddr);

#[derive(Clone, Default)]
pub struct RateLimits {
    buckets: Arc<Mutex<HashMap<Caller, (f64, Instant)>>>,
}

impl RateLimits {
    /// Takes one token; `Err(seconds)` until the next one is due.
    fn take(&self, caller: Caller) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("rate table");
        if buckets.len() > 100_000 {
            buckets.retain(|_, (_, seen)| now.duration_since(*seen).as_secs_f64() < FORGET_AFTER_SECS);
        }
        let (tokens, last) = buckets.entry(caller).or_insert((BURST, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * RATE).min(BURST);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / RATE).ceil() as u64)
        }
    }
}

pub async fn limit(State(limits): State<RateLimits>, req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<Peer>().and_then(|p| p.0);
    let addr = req.extensions().get::<RemoteAddr>().map(|a| a.0);
    let caller = match (peer, addr) {
        (Some(key), _) => Caller::Device(key),
        (None, Some(ip)) => Caller::Address(ip),
        (None, None) => return next.run(req).await,
    };
    match limits.take(caller) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let mut resp = AppError::rate_limited().into_response();
            resp.headers_mut().insert(RETRY_AFTER, wait.max(1).into());
            resp
        }
    }
}
