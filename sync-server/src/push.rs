//! Live push on an upgraded connection. A laptop asks `GET /v1/events` with
//! `Upgrade: tsunagi-events/1`; after `101 Switching Protocols` the
//! connection carries only text events, in the server-sent-events line
//! format: `event: ready` once, then `event: append` / `data: TEAM SEQ`
//! whenever a team's log grew (queued appends coalesce into one event with
//! the newest seq), and a `:` comment every 20 s so both ends notice a dead
//! link. When a team's roster changes and this device is no longer on it,
//! the connection is closed at once: a removed laptop stops hearing about
//! the team, and its next pass learns why.
//!
//! Why an upgrade rather than a streamed SSE response: hyper keeps 16 KB of
//! HTTP/1 buffers on every connection that is streaming a response, and most
//! connections are idle laptops waiting for news. After the upgrade those
//! buffers are gone; what stays is the TLS session and this small task
//! (BENCHMARKS.md, memory per idle connection).

use std::time::Duration;

use futures_util::StreamExt;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

use crate::log_store::{Head, LogStore, Membership};

/// How often an idle stream says it is alive (the laptop gives up after 60 s
/// of silence).
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// Writes events for `teams` to the device with verifying key `device` until
/// it hangs up, a write fails, or it is taken off one of the teams.
pub async fn serve(
    upgraded: hyper::upgrade::Upgraded,
    store: LogStore,
    device: [u8; 32],
    teams: Vec<([u8; 16], watch::Receiver<Head>)>,
) {
    let mut io = TokioIo::new(upgraded);
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
    // Laptops send nothing after the request; a read returns only when the
    // connection closes.
    let mut hang_up = [0u8; 1];
    if send(&mut io, "event: ready\ndata:\n\n").await.is_err() {
        return;
    }
    loop {
        let event = tokio::select! {
            Some((team, head)) = appends.next() => {
                let known = roster_ops.iter_mut().find(|(t, _)| *t == team).map(|(_, n)| n);
                if known.is_some_and(|n| std::mem::replace(n, head.roster_ops) != head.roster_ops)
                    && !still_member(&store, team, device).await
                {
                    tracing::info!("a device taken off a team: its live push is closed");
                    break;
                }
                format!("event: append\ndata: {} {}\n\n", hex::encode(team), head.seq)
            }
            _ = keep_alive.tick() => ":\n\n".to_string(),
            read = io.read(&mut hang_up) => match read {
                Ok(0) | Err(_) => break,
                Ok(_) => continue,
            },
        };
        if send(&mut io, &event).await.is_err() {
            break;
        }
    }
    tracing::debug!("live push stream ended");
}

async fn still_member(store: &LogStore, team: [u8; 16], device: [u8; 32]) -> bool {
    let store = store.clone();
    let membership = tokio::task::spawn_blocking(move || store.membership(&team, &device)).await;
    // Unsure (a storage error): keep the stream; the laptop's next read is
    // refused anyway if it was removed.
    !matches!(membership, Ok(Ok(Membership::Removed | Membership::Stranger)))
}

async fn send(io: &mut TokioIo<hyper::upgrade::Upgraded>, event: &str) -> std::io::Result<()> {
    io.write_all(event.as_bytes()).await?;
    io.flush().await
}
