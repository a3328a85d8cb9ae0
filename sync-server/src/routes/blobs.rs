//! `PUT|GET /v1/teams/{team}/blobs/{address}`: a member's sealed photo or
//! scan, addressed by the SHA-256 of its sealed bytes. A put is idempotent
//! (the same blob is stored once), checked against its address, refused
//! past 10 MB, below the free-space floor and past the team's quota.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use crate::log_store::{BlobPutError, NewBlob};

use super::*;

pub(super) async fn put_blob(
    State(relay): State<Relay>,
    Extension(peer): Extension<Peer>,
    Path((team, address)): Path<(String, String)>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    let address: [u8; 32] = hex_array("address", &address)?;
    let key = member(&relay.store, team, peer).await?;
    if !relay.free_space.enough() {
        return Err(AppError::insufficient_storage(
            "disk_full",
            "中継サーバーの空き容量が足りません。写真は端末に残っています。しばらくして再送します",
            "the relay's disk is nearly full; the file stays on the laptop and is sent later",
        ));
    }
    let body = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(_) => AppError::blob_too_large(),
        other => AppError::bad_request("bad_body", "送信データを読めません", other.body_text()),
    })?;
    if body.len() > sync_proto::MAX_SEALED_BLOB_BYTES {
        return Err(AppError::blob_too_large());
    }
    let size = body.len();
    let blob = NewBlob {
        team,
        address,
        bytes: body.to_vec(),
        sender: key,
    };
    match relay.store.put_blob(blob, now_ms()).await {
        Ok(new) => {
            tracing::debug!(size, new, "blob stored");
            Ok(Json(json!({ "duplicate": !new, "size": size })))
        }
        Err(BlobPutError::WrongAddress) => Err(AppError::bad_request(
            "wrong_address",
            "ファイルの内容が宛先と一致しません",
            "the blob's SHA-256 is not the address it was sent to",
        )),
        Err(BlobPutError::TeamQuota) => Err(AppError::insufficient_storage(
            "team_quota",
            "このチームの記録が中継サーバーの上限に達しました。管理者に連絡してください",
            "this team's log and files are at the relay's storage quota; ask the relay's operator",
        )),
        Err(BlobPutError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

pub(super) async fn get_blob(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path((team, address)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let team = team_id(&team)?;
    let address: [u8; 32] = hex_array("address", &address)?;
    member(&store, team, peer).await?;
    match store.blob(team, address).await.map_err(unavailable)? {
        // Content-addressed: a copy never goes stale.
        Some(bytes) => Ok((
            [
                (CONTENT_TYPE, "application/octet-stream"),
                (CACHE_CONTROL, "private, max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response()),
        None => Err(AppError::not_found()),
    }
}
