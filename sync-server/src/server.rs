//! The accept loop: TCP, then TLS (with a deadline, so a silent client cannot
//! hold a connection), then HTTP/1.1 into the router (the relay offers no
//! ALPN, so clients speak HTTP/1.1; serving only that keeps an idle
//! connection small), with upgrades for the live-push WebSocket (`push.rs`).
//!
//! Strangers are bounded here: connections in all and per address are
//! capped (over the cap a new one is closed at once), request headers must
//! arrive within the header timeout, which also closes idle keep-alive
//! connections, and an accept that fails (out of file descriptors) pauses
//! the loop instead of spinning.
//!
//! Shutdown, as in mini-redis: a watch channel tells every connection to
//! finish the request in flight and close; each connection task holds a
//! clone of `done`, and the loop waits until all are dropped. An append is
//! acknowledged only after its commit, so nothing acknowledged is lost.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::policy::{Connections, Policy};

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// A whole request, body included: a 1 MB envelope over a slow tethered
/// phone takes well under this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    policy: Arc<Policy>,
    shutdown: impl Future<Output = ()>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let (stop, stopping) = watch::channel(());
    let (done, mut all_done) = mpsc::channel::<()>(1);
    let connections = Arc::new(Connections::default());
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors (EMFILE) or memory: the error
                    // would repeat at once; wait for connections to close
                    // rather than spin.
                    tracing::warn!(error = %e, "accept failed; pausing");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = connections.admit(peer.ip(), &policy) else {
            tracing::debug!(%peer, "connection refused: too many open");
            drop(tcp);
            continue;
        };
        let header_timeout = policy.header_timeout;
        // Small messages (acks, push events) must not wait for Nagle.
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = app.clone();
        let (mut stopping, done) = (stopping.clone(), done.clone());
        tokio::spawn(async move {
            let (_done, _slot) = (done, slot);
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out");
                    return;
                }
            };
            // Who is on the other end: the key of its device certificate, if any.
            let device = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .and_then(|c| crate::tls::device_key(c));
            // Each request learns who is calling; the router itself is shared
            // (layering it per connection would copy every route).
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(crate::routes::Peer(device));
                req.extensions_mut().insert(crate::limits::RemoteAddr(peer.ip()));
                // Headers have their own deadline; this one covers a body
                // trickled in a byte at a time, and the handler.
                let answer = app.clone().oneshot(req);
                async move {
                    match tokio::time::timeout(REQUEST_TIMEOUT, answer).await {
                        Ok(response) => response,
                        Err(_) => Ok(axum::response::IntoResponse::into_response(
                            crate::error::AppError::timed_out(),
                        )),
                    }
                }
            });
            // Headers must arrive in time (slowloris), and the same timer
            // closes a keep-alive connection left idle.
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(tls), service)
                .with_upgrades();
            tokio::pin!(conn);
            let result = tokio::select! {
                result = conn.as_mut() => result,
                _ = stopping.changed() => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    tracing::info!("shutting down: waiting for requests in flight");
    let _ = stop.send(());
    drop(done);
    if tokio::time::timeout(DRAIN_TIMEOUT, all_done.recv()).await.is_err() {
        tracing::warn!("some connections did not finish in time");
    }
}
