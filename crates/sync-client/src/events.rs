//! Live push: one WebSocket per laptop for all its teams (`GET /v1/events`).
//! The relay sends text messages, `ready` once and then `append TEAM SEQ`
//! whenever a team's log grew, and pings every 20 s; the laptop sends
//! nothing but pongs. The WebSocket runs over the same pinned TLS, with the
//! device's client certificate, as every other request.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::WebSocketStream;

use crate::{ErrorBody, RelayClient, SyncError};

/// Something the relay pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushEvent {
    /// The subscription is live.
    Ready,
    /// A new envelope for a team, with its sequence number.
    Append { team: [u8; 16], seq: u64 },
    /// Something came that this laptop cannot place: re-read every team.
    Lagged,
    /// Nothing new; the connection is alive.
    KeepAlive,
}

/// A live-push subscription.
pub struct Events {
    ws: WebSocketStream<TlsStream<TcpStream>>,
}

impl Events {
    /// The next event, or `None` when the relay closed the stream.
    /// Cancel-safe: the WebSocket keeps any partly read message.
    pub async fn next(&mut self) -> Result<Option<PushEvent>, SyncError> {
        loop {
            return match self.ws.next().await {
                None | Some(Ok(Message::Close(_))) => Ok(None),
                Some(Err(e)) => Err(SyncError::Unreachable(format!("live push: {e}"))),
                Some(Ok(Message::Text(text))) => Ok(Some(parse_event(&text))),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(Some(PushEvent::KeepAlive)),
                Some(Ok(_)) => continue,
            };
        }
    }
}

fn parse_event(text: &str) -> PushEvent {
    let mut parts = text.split(' ');
    match parts.next() {
        Some("ready") => PushEvent::Ready,
        Some("append") => {
            let team = parts.next().and_then(|t| {
                let mut b = [0u8; 16];
                hex::decode_to_slice(t, &mut b).ok().map(|_| b)
            });
            match (team, parts.next().and_then(|s| s.parse().ok())) {
                (Some(team), Some(seq)) => PushEvent::Append { team, seq },
                _ => PushEvent::Lagged,
            }
        }
        _ => PushEvent::Lagged,
    }
}

impl RelayClient {
    /// Subscribes to live push for `teams`: one connection for all of them.
    pub async fn subscribe(&self, teams: &[[u8; 16]]) -> Result<Events, SyncError> {
        let ids: Vec<String> = teams.iter().map(hex::encode).collect();
        let url = format!("{}/v1/events?teams={}", self.address(), ids.join(","));
        let parsed = reqwest::Url::parse(&url).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
        let host = parsed.host_str().unwrap_or_default().to_string();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let connect = async {
            let tcp = TcpStream::connect((host.as_str(), port)).await?;
            // Small messages must not wait for Nagle.
            tcp.set_nodelay(true)?;
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
            tokio_rustls::TlsConnector::from(self.tls.clone())
                .connect(name, tcp)
                .await
        };
        let tls = tokio::time::timeout(Duration::from_secs(10), connect)
            .await
            .map_err(|_| SyncError::Unreachable("live push: timed out connecting".into()))?
            .map_err(|e| SyncError::Unreachable(format!("live push: {e}")))?;
        let ws_url = url.replacen("https://", "wss://", 1);
        let (ws, _) = tokio_tungstenite::client_async(ws_url, tls)
            .await
            .map_err(|e| match e {
                tungstenite::Error::Http(resp) => refused(*resp),
                other => SyncError::Unreachable(format!("live push: {other}")),
            })?;
        Ok(Events { ws })
    }
}

/// The relay answered the WebSocket request with an error (404 for a team
/// this device is not on, 429, ...): its JSON body says why.
fn refused(resp: tungstenite::http::Response<Option<Vec<u8>>>) -> SyncError {
    let status = resp.status().as_u16();
    match resp
        .body()
        .as_deref()
        .and_then(|b| serde_json::from_slice::<ErrorBody>(b).ok())
    {
        Some(b) => SyncError::Refused {
            status,
            code: b.error.code,
            message: b.error.message_en,
        },
        None => SyncError::Refused {
            status,
            code: String::new(),
            message: format!("HTTP {status}"),
        },
    }
}
