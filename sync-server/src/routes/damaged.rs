//! `POST /v1/teams/{team}/damaged`: a member reports an envelope that
//! does not verify.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::*;

#[derive(Deserialize)]
pub(super) struct DamagedReport {
    seq: u64,
}

/// `POST /v1/teams/{team}/damaged`: a member's laptop could not verify the
/// envelope at `seq`. The relay checks the signature itself; only a copy
/// that truly fails is listed (in the read header), for a holder of a
/// genuine copy to send again.
pub(super) async fn report_damaged(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    body: Result<Json<DamagedReport>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    member(&store, team, peer).await?;
    let seq = json_body(body)?.seq;
    let damaged = store.report_damaged(team, seq).await.map_err(unavailable)?;
    Ok(Json(json!({ "damaged": damaged })))
}
