//! Fan-out between relays: "team T is at head H" hints over LISTEN/NOTIFY.
//!
//! Never inside an append's transaction: NOTIFY takes a cluster-wide lock
//! at commit (measured for the research: 9.4 k appends/s plain, 4.3 k with
//! NOTIFY inside). Instead each relay gathers its appends for ~20 ms and
//! sends one NOTIFY from a side connection; every relay LISTENs on one
//! channel. Hints are lossy by design (a dropped one costs a laptop only
//! latency: it reads from its cursor at its next pass), so a failure here
//! is logged and never fails an append.

use std::collections::HashMap;
use std::time::Duration;

use deadpool_postgres::Pool;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{AsyncMessage, NoTls, Socket};

use super::tls::Connection;

use crate::log_store::{Head, Live, TeamId};

const CHANNEL: &str = "tsunagi_heads";
/// How long appends are gathered before one NOTIFY goes.
const BATCH: Duration = Duration::from_millis(20);
/// A NOTIFY payload must stay under 8000 bytes.
const MAX_PAYLOAD: usize = 7_000;

/// This relay's side of the hints: what it appended goes out in batches.
#[derive(Clone)]
pub(super) struct Hints(mpsc::UnboundedSender<(TeamId, Head)>);

impl Hints {
    pub(super) fn appended(&self, team: TeamId, seq: u64) {
        let _ = self.0.send((team, Head { seq, roster_ops: 0 }));
    }

    pub(super) fn roster_changed(&self, team: TeamId, ops: u64) {
        let _ = self.0.send((
            team,
            Head {
                seq: 0,
                roster_ops: ops,
            },
        ));
    }
}

/// Starts the sender (batched NOTIFY through the pool) and the listener (a
/// connection of its own, reconnecting) that tells `live` of every hint.
pub(super) fn start(connection: &Connection, pool: Pool, live: Live) -> Hints {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(send(pool, rx));
    let config = connection.config.clone();
    match connection.tls.clone() {
        Some(tls) => tokio::spawn(listen(config, tls, live)),
        None => tokio::spawn(listen(config, NoTls, live)),
    };
    Hints(tx)
}

/// `team:seq:ops` per team, newest of each, joined by commas.
fn encode(heads: &HashMap<TeamId, Head>) -> Vec<String> {
    let mut payloads = vec![String::new()];
    for (team, head) in heads {
        let item = format!("{}:{}:{}", hex::encode(team), head.seq, head.roster_ops);
        let last = payloads.last_mut().expect("one payload at least");
        if !last.is_empty() && last.len() + item.len() + 1 > MAX_PAYLOAD {
            payloads.push(String::new());
        }
        let last = payloads.last_mut().expect("one payload at least");
        if !last.is_empty() {
            last.push(',');
        }
        last.push_str(&item);
    }
    payloads
}

fn decode(payload: &str) -> impl Iterator<Item = (TeamId, Head)> + '_ {
    payload.split(',').filter_map(|item| {
        let mut parts = item.split(':');
        let mut team = [0u8; 16];
        hex::decode_to_slice(parts.next()?, &mut team).ok()?;
        let seq = parts.next()?.parse().ok()?;
        let roster_ops = parts.next()?.parse().ok()?;
        Some((team, Head { seq, roster_ops }))
    })
}

/// At most one NOTIFY per [`BATCH`]: the first append after a quiet spell
/// goes out at once (an edit crosses to other relays without waiting);
/// under load, what comes within the interval after a NOTIFY waits for the
/// next one, newest head per team.
async fn send(pool: Pool, mut rx: mpsc::UnboundedReceiver<(TeamId, Head)>) {
    let mut last_sent: Option<tokio::time::Instant> = None;
    while let Some((team, head)) = rx.recv().await {
        let mut batch: HashMap<TeamId, Head> = HashMap::new();
        let mut add = |team, head: Head| {
            let h = batch.entry(team).or_default();
            h.seq = h.seq.max(head.seq);
            h.roster_ops = h.roster_ops.max(head.roster_ops);
        };
        add(team, head);
        if let Some(at) = last_sent {
            tokio::time::sleep_until(at + BATCH).await;
        }
        while let Ok((team, head)) = rx.try_recv() {
            add(team, head);
        }
        let sent = async {
            let client = pool.get().await.map_err(|e| e.to_string())?;
            let notify = client
                .prepare_cached("SELECT pg_notify($1, $2)")
                .await
                .map_err(|e| e.to_string())?;
            for payload in encode(&batch) {
                client
                    .execute(&notify, &[&CHANNEL, &payload])
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(())
        };
        if let Err(e) = sent.await {
            tracing::debug!(error = %e, teams = batch.len(), "head hints not sent (other relays learn at their next read)");
        }
        last_sent = Some(tokio::time::Instant::now());
    }
}

async fn listen<T>(config: tokio_postgres::Config, tls: T, live: Live)
where
    T: MakeTlsConnect<Socket> + Clone + Send + 'static,
    T::Stream: Send,
    T::TlsConnect: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    loop {
        match config.connect(tls.clone()).await {
            Ok((client, mut connection)) => {
                let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                let listen = format!("LISTEN {CHANNEL}");
                let listening = client.batch_execute(&listen);
                // The LISTEN completes only while the connection is polled.
                tokio::pin!(listening);
                let mut ready = false;
                loop {
                    tokio::select! {
                        r = &mut listening, if !ready => {
                            if let Err(e) = r {
                                tracing::warn!(error = %e, "LISTEN failed");
                                break;
                            }
                            ready = true;
                            tracing::debug!("listening for other relays' head hints");
                        }
                        m = messages.next() => match m {
                            Some(Ok(AsyncMessage::Notification(n))) => {
                                for (team, head) in decode(n.payload()) {
                                    live.hint(team, head);
                                }
                            }
                            Some(Ok(_)) => {}
                            Some(Err(e)) => {
                                tracing::warn!(error = %e, "the hint connection failed; connecting again");
                                break;
                            }
                            None => break,
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot reach PostgreSQL for head hints; trying again"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_round_trip_and_split_under_the_payload_limit() {
        let heads: HashMap<TeamId, Head> = (0..500u16)
            .map(|i| {
                let mut t = [0u8; 16];
                t[..2].copy_from_slice(&i.to_be_bytes());
                (
                    t,
                    Head {
                        seq: u64::from(i) * 7,
                        roster_ops: 3,
                    },
                )
            })
            .collect();
        let payloads = encode(&heads);
        assert!(payloads.len() > 1 && payloads.iter().all(|p| p.len() <= MAX_PAYLOAD));
        let back: HashMap<TeamId, Head> = payloads.iter().flat_map(|p| decode(p).collect::<Vec<_>>()).collect();
        assert_eq!(back, heads);
        assert_eq!(decode("garbage,zz:1:2").count(), 0);
    }
}
