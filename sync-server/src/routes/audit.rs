//! `POST|GET /v1/teams/{team}/audit-checkpoints`: the relay countersigns a
//! member device's access-log chain head; members read the team's latest.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::*;
use crate::log_store::{ChainClaim, CheckpointError};

#[derive(Deserialize)]
pub(super) struct Claim {
    device: String,
    scope: Option<String>,
    seq: u64,
    head: String,
}

pub(super) async fn checkpoint(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    body: Result<Json<Claim>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    let key = member(&store, team, peer).await?;
    let claim = json_body(body)?;
    let device = hex_array::<16>("device", &claim.device)?;
    let scope = claim
        .scope
        .as_deref()
        .map(|s| hex_array::<16>("scope", s))
        .transpose()?;
    let head = hex_array::<32>("head", &claim.head)?;
    let chain = ChainClaim {
        device,
        scope,
        seq: claim.seq,
        head,
    };
    match store.audit_checkpoint(team, key, chain, now_ms()).await {
        Ok(c) => Ok(Json(json!({ "checkpoint": c }))),
        Err(CheckpointError::NotYours) => Err(AppError::bad_request(
            "not_your_chain",
            "自分の端末の記録だけを確認できます",
            "a device may only checkpoint its own chain",
        )),
        Err(CheckpointError::Shorter { signed }) => Err(AppError::bad_request(
            "chain_shorter",
            "以前に確認した監査ログより短くなっています（削除されています）",
            format!("the chain is shorter than the {signed} entries countersigned before: entries were deleted"),
        )),
        Err(CheckpointError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

pub(super) async fn checkpoints(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    member(&store, team, peer).await?;
    let list = store.audit_checkpoints(team).await.map_err(unavailable)?;
    let key = store.audit_key().await.map_err(unavailable)?;
    Ok(Json(json!({ "checkpoints": list, "relay_key": hex::encode(key) })))
}
