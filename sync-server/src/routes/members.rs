//! `POST|GET /v1/teams/{team}/members`: roster ops, checked against the
//! roster so far; read by members (and by a removed device, as its proof).

use crate::log_store::MemberError;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::json;

use super::*;

pub(super) async fn add_member(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
    body: Result<Json<sync_proto::MembershipOp>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    let key = device(peer)?;
    let op = json_body(body)?;
    match store.add_member_op(team, op, key, now_ms()).await {
        Ok(seq) => Ok(Json(json!({ "seq": seq }))),
        Err(MemberError::Refused(sync_proto::RosterError::Stale)) => Err(AppError::conflict(
            "roster_changed",
            "メンバー構成が変わりました。もう一度操作してください",
            sync_proto::RosterError::Stale.to_string(),
        )),
        Err(MemberError::RosterFull) => Err(AppError::insufficient_storage(
            "roster_full",
            "このチームのメンバー操作が上限に達しました。管理者に連絡してください",
            "this team has as many roster ops as the relay keeps",
        )),
        Err(MemberError::NotEnrolled) => Err(AppError::forbidden(
            "not_enrolled",
            "この中継サーバーでチームを作るには登録が必要です。管理者から登録コードをもらってください",
            "this relay takes new teams only from enrolled devices: ask its operator for an enrolment code (`sync-server enrol`)",
        )),
        Err(MemberError::Refused(e)) => Err(AppError::membership_refused(e.to_string())),
        Err(MemberError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

pub(super) async fn members(
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    Path(team): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let team = team_id(&team)?;
    // A removed device may still read the roster: the signed op that removed
    // it is its proof (the relay cannot forge one to make a laptop let go).
    match member(&store, team, peer).await {
        Ok(_) | Err(AppError { code: "removed", .. }) => {}
        Err(e) => return Err(e),
    }
    let ops = store.member_ops(team).await.map_err(unavailable)?;
    if ops.is_empty() {
        return Err(AppError::not_found());
    }
    let ops: Vec<serde_json::Value> = ops
        .into_iter()
        .map(|(op, at, log_len)| json!({ "op": serde_json::from_str::<serde_json::Value>(&op).unwrap_or_default(), "received_ms": at, "log_len": log_len }))
        .collect();
    Ok(Json(json!({ "ops": ops })))
}
