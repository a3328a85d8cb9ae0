//! Live push on an upgraded connection. A laptop asks `GET /v1/events` with
//! `Upgrade: tsunagi-events/1`; after `101 Switching Protocols` the
//! connection carries only text events, in the server-sent-events line
//! format: `event: ready` once, then `event: append` / `data: TEAM SEQ`
//! whenever a team's log grew (queued appends coalesce into one event with
//! the newest seq), and a `:` comment every 20 s so both ends notice a dead
//! link.
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

/// How often an idle stream says it is alive (the laptop gives up after 60 s
/// of silence).
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// Writes events for `teams` until the laptop hangs up or a write fails.
pub async fn serve(upgraded: hyper::upgrade::Upgraded, teams: Vec<([u8; 16], watch::Receiver<u64>)>) {
    let mut io = TokioIo::new(upgraded);
    // One stream per team, merged: an append wakes only its own team's
    // subscribers, and a subscriber woken late sees only the newest seq.
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
            Some((team, seq)) = appends.next() => format!("event: append\ndata: {} {seq}\n\n", hex::encode(team)),
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

async fn send(io: &mut TokioIo<hyper::upgrade::Upgraded>, event: &str) -> std::io::Result<()> {
    io.write_all(event.as_bytes()).await?;
    io.flush().await
}
