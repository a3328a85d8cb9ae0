//! Request-rate limits: a token bucket per device (by certificate key), and
//! one per IP address for every request, certificate or not (a stranger
//! making a fresh certificate per request still meets the address's
//! bucket). Over either limit the relay answers 429 with `Retry-After` and
//! the usual JSON error body. Appends have their own bucket per device
//! (`Policy::device_appends_per_hour`).
//!
//! Sized for people, not load tests: a laptop catching up after a day sends
//! a few hundred requests, well inside the burst; a station behind one
//! address is thirty laptops.

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

/// Sustained requests per second per device. A sync pass is about five
/// requests per team, and a laptop may sync after every save.
const RATE: f64 = 200.0;
/// Requests a device may send at once.
const BURST: f64 = 1000.0;
/// Per address: a station's thirty laptops together, and a relay bench's
/// ten thousand connections from one host.
const ADDRESS_RATE: f64 = 2000.0;
const ADDRESS_BURST: f64 = 20_000.0;
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

#[derive(Clone)]
pub struct RateLimits {
    buckets: Arc<Mutex<HashMap<Caller, (f64, Instant)>>>,
    rate: f64,
    burst: f64,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::new(RATE, BURST)
    }
}

/// The request limits the middleware applies.
#[derive(Clone)]
pub struct Limits {
    devices: RateLimits,
    addresses: RateLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            devices: RateLimits::default(),
            addresses: RateLimits::new(ADDRESS_RATE, ADDRESS_BURST),
        }
    }
}

impl RateLimits {
    /// `rate` tokens a second, at most `burst` saved up.
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimits {
            buckets: Arc::default(),
            rate,
            burst,
        }
    }

    /// Takes one token for the device with this key; `Err(seconds)` until
    /// the next one is due.
    pub fn take_device(&self, key: [u8; 32]) -> Result<(), u64> {
        self.take(Caller::Device(key))
    }

    /// Takes one token; `Err(seconds)` until the next one is due.
    fn take(&self, caller: Caller) -> Result<(), u64> {
        let (rate, burst) = (self.rate, self.burst);
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("rate table");
        if buckets.len() > 100_000 {
            buckets.retain(|_, (_, seen)| now.duration_since(*seen).as_secs_f64() < FORGET_AFTER_SECS);
        }
        let (tokens, last) = buckets.entry(caller).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil() as u64)
        }
    }
}

pub async fn limit(State(limits): State<Limits>, req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<Peer>().and_then(|p| p.0);
    let addr = req.extensions().get::<RemoteAddr>().map(|a| a.0);
    let by_address = addr.map_or(Ok(()), |ip| limits.addresses.take(Caller::Address(ip)));
    let by_device = peer.map_or(Ok(()), |key| limits.devices.take(Caller::Device(key)));
    match by_address.and(by_device) {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many(wait),
    }
}

/// 429 with `Retry-After`.
pub fn too_many(wait: u64) -> Response {
    let mut resp = AppError::rate_limited().into_response();
    resp.headers_mut().insert(RETRY_AFTER, wait.max(1).into());
    resp
}
