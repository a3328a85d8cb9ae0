//! Live push: one WebSocket per laptop for all its teams. The relay sends
//! text messages, `ready` once and then `append TEAM SEQ` whenever a team's
//! log grew (queued appends coalesce into one message with the newest seq),
//! and a ping every 20 s so both ends notice a dead link. When a team's
//! roster changes and this device is no longer on it, the connection is
//! closed at once: a removed laptop stops hearing about the team, and its
//! next pass learns why.
//!
//! Why a WebSocket and not a streamed server-sent-events response (which it
//! was first): hyper keeps 16 KB of HTTP/1 buffers on every connection that
//! is streaming a response, and most connections are idle laptops. After the
//! WebSocket upgrade those buffers are gone; what stays is the TLS session,
//! a small frame buffer and this task (BENCHMARKS.md, memory per idle
//! connection).

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::StreamExt;
use tokio::sync::watch;

use crate::log_store::{Head, Membership, Store};

/// How often an idle connection is pinged (the laptop gives up after 60 s of
/// silence).
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// Sends events for `teams` to the device with verifying key `device` until
/// it hangs up, a send fails, or it is taken off one of the teams.
pub async fn serve(
    mut socket: WebSocket,
    store: Store,
    device: [u8; 32],
    teams: Vec<([u8; 16], watch::Receiver<Head>)>,
) {
    let mut roster_ops: Vec<([u8; 16], u64)> = teams.iter().map(|(t, rx)| (*t, rx.borrow().roster_ops)).collect();
    // One stream per team, merged: an append wakes only its own team's
    // subscribers, and a subscriber woken late sees only the newest head.
    let mut appends = futures_util::stream::select_all(teams.into_iter().map(|(team, rx)| {
        futures_util::stream::unfold(rx, move |mut rx| async move {
            rx.changed().await.ok()?;
            let newest = *rx.borrow_and_update();
            Some(((team, newest), rx))
        })
        .boxed()
    }));
    let mut keep_alive = tokio::time::interval_at(tokio::time::Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    if socket.send(Message::Text("ready".into())).await.is_err() {
        return;
    }
    loop {
        let message = tokio::select! {
            Some((team, head)) = appends.next() => {
                let known = roster_ops.iter_mut().find(|(t, _)| *t == team).map(|(_, n)| n);
                if known.is_some_and(|n| std::mem::replace(n, head.roster_ops) != head.roster_ops)
                    && !still_member(&store, team, device).await
                {
                    tracing::info!("a device taken off a team: its live push is closed");
                    break;
                }
                Message::Text(format!("append {} {}", hex::encode(team), head.seq).into())
            }
            _ = keep_alive.tick() => Message::Ping(Default::default()),
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => continue, // pongs
            },
        };
        if socket.send(message).await.is_err() {
            break;
        }
    }
    tracing::debug!("live push connection ended");
}

async fn still_member(store: &Store, team: [u8; 16], device: [u8; 32]) -> bool {
    let membership = store.membership(team, device).await;
    // Unsure (a storage error): keep the connection; the laptop's next read
    // is refused anyway if it was removed.
    !matches!(membership, Ok(Membership::Removed | Membership::Stranger))
}
