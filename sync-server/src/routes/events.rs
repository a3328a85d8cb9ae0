//! `GET /v1/events?teams=…`: live push on a WebSocket (see `push.rs`).

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

use super::*;

#[derive(Deserialize)]
pub(super) struct EventsQuery {
    /// Comma-separated team ids.
    teams: String,
}

/// Live push: one WebSocket per device for all its teams (see `push.rs`).
/// Each message names a team and the sequence number of a new envelope; the
/// laptop then reads the log from its cursor, so a missed message costs only
/// latency.
pub(super) async fn events(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Query(q): Query<EventsQuery>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    let upgrade = upgrade.map_err(|_| {
        AppError::bad_request(
            "upgrade_required",
            "この接続方法には対応していません",
            "live push is a WebSocket: GET with `Upgrade: websocket`",
        )
    })?;
    let teams: Vec<[u8; 16]> = q
        .teams
        .split(',')
        .filter(|t| !t.is_empty())
        .map(team_id)
        .collect::<Result<_, _>>()?;
    if teams.is_empty() || teams.len() > 1000 {
        return Err(AppError::bad_request(
            "bad_teams",
            "チームの指定が正しくありません",
            "give 1 to 1000 team ids",
        ));
    }
    // Only teams this device belongs to; the others are silently left out.
    let key = device(peer)?;
    let asked = teams;
    let mut teams = Vec::new();
    for t in asked {
        if store.membership(t, key).await.map_err(unavailable)? == Membership::Member {
            teams.push(t);
        }
    }
    if teams.is_empty() {
        return Err(AppError::not_found());
    }
    let subscriptions: Vec<_> = teams.into_iter().map(|t| (t, store.subscribe(t))).collect();
    // Laptops send only pongs and a close: a small read buffer, and every
    // message written out at once.
    Ok(upgrade
        .read_buffer_size(256)
        .write_buffer_size(0)
        .max_message_size(1024)
        .on_upgrade(move |socket| crate::push::serve(socket, store, key, subscriptions)))
}
