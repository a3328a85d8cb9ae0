//! `POST|GET /v1/teams/{team}/envelopes`: append (idempotent; refused
//! below the free-space floor, past quotas, from removed senders) and read
//! after a cursor, a page capped in count and bytes.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use sync_proto::page::{
    encode_page, CHAIN_AFTER_HEADER, CHAIN_END_HEADER, DAMAGED_HEADER, HIGH_WATER_HEADER, INCARNATION_HEADER, MAX_PAGE,
    ROSTER_HEADER, SNAPSHOT_HEADER,
};
use sync_proto::{Envelope, EnvelopeError};

use crate::log_store::AppendError;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::*;

/// The envelope in a request body, for `team`.
pub(super) fn envelope_for(team: [u8; 16], body: Result<Bytes, BytesRejection>) -> Result<Envelope, AppError> {
    let body = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(_) => AppError::too_large(),
        other => AppError::bad_request("bad_body", "送信データを読めません", other.body_text()),
    })?;
    let env = Envelope::parse(body.to_vec()).map_err(|e| match e {
        EnvelopeError::TooLarge => AppError::too_large(),
        other => AppError::bad_request(
            "malformed_envelope",
            "送信データの形式が正しくありません",
            other.to_string(),
        ),
    })?;
    if env.header().team != team {
        return Err(AppError::bad_request(
            "team_mismatch",
            "送信先のチームが違います",
            "envelope is for another team",
        ));
    }
    Ok(env)
}

pub(super) async fn append(
    State(relay): State<Relay>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let team = team_id(&team)?;
    let key = device(peer)?;
    // Reads go on when the disk is nearly full; only writes wait.
    if !relay.free_space.enough() {
        tracing::warn!("free disk space is below the floor; refusing appends");
        let mut resp = AppError::insufficient_storage(
            "disk_full",
            "中継サーバーの空き容量が足りません。記録は端末に残っています。しばらくして再送します",
            "the relay's disk is nearly full; entries stay on the laptop and are sent later",
        )
        .into_response();
        resp.headers_mut().insert(RETRY_AFTER, 300u32.into());
        return Ok(resp);
    }
    if let Err(wait) = relay.appends.take_device(key) {
        return Ok(crate::limits::too_many(wait));
    }
    let env = envelope_for(team, body)?;
    let store = relay.store;
    match store.append(env, key, now_ms()).await {
        Ok(a) => {
            tracing::debug!(seq = a.seq, new = a.new, "envelope appended");
            Ok(Json(json!({ "seq": a.seq, "duplicate": !a.new, "incarnation": store.incarnation() })).into_response())
        }
        Err(AppendError::SenderSeqReused) => Err(AppError::conflict(
            "sender_seq_reused",
            "同じ番号の別データが既にあります",
            "another envelope from this device already has this sequence number",
        )),
        Err(AppendError::SenderRemoved) => Err(AppError::forbidden(
            "sender_removed",
            "チームから外された端末の記録は、外された後には受け付けません",
            "envelopes of a device removed from the team are not taken after its removal",
        )),
        Err(AppendError::EpochAhead) => Err(AppError::bad_request(
            "epoch_ahead",
            "チームの鍵の世代が合いません",
            "sealed under a key epoch the team's roster has not reached",
        )),
        Err(AppendError::TeamQuota) => Err(AppError::insufficient_storage(
            "team_quota",
            "このチームの記録が中継サーバーの上限に達しました。管理者に連絡してください",
            "this team's log is at the relay's storage quota; ask the relay's operator",
        )),
        Err(AppendError::SnapshotAhead | AppendError::UnknownTeam | AppendError::NotMember) => {
            Err(AppError::not_found())
        }
        Err(AppendError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

#[derive(Deserialize)]
pub(super) struct ReadQuery {
    #[serde(default)]
    after: u64,
    limit: Option<u32>,
}

pub(super) async fn read(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    Query(q): Query<ReadQuery>,
) -> Result<Response, AppError> {
    let team = team_id(&team)?;
    member(&store, team, peer).await?;
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let incarnation = store.incarnation().to_string();
    let page = store.read(team, q.after, limit).await.map_err(unavailable)?;
    let body = encode_page(page.envelopes.iter().map(|(s, b)| (*s, b.as_slice())));
    let damaged: Vec<String> = page.damaged.iter().map(u64::to_string).collect();
    Ok((
        [
            (DAMAGED_HEADER.parse().expect("valid header name"), damaged.join(",")),
            (CONTENT_TYPE, "application/octet-stream".to_string()),
            (INCARNATION_HEADER.parse().expect("valid header name"), incarnation),
            (
                HIGH_WATER_HEADER.parse().expect("valid header name"),
                page.high_water.to_string(),
            ),
            (
                ROSTER_HEADER.parse().expect("valid header name"),
                page.roster_ops.to_string(),
            ),
            (
                SNAPSHOT_HEADER.parse().expect("valid header name"),
                page.snapshot.to_string(),
            ),
            (
                CHAIN_AFTER_HEADER.parse().expect("valid header name"),
                hex::encode(page.chain_after),
            ),
            (
                CHAIN_END_HEADER.parse().expect("valid header name"),
                hex::encode(page.chain_end),
            ),
        ],
        body,
    )
        .into_response())
}
