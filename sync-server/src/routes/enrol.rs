//! `POST /v1/enrol`: a device presents an operator's enrolment code.

use crate::log_store::EnrolError;
use axum::extract::State;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::*;

#[derive(Deserialize)]
pub(super) struct Enrolment {
    code: String,
}

/// `POST /v1/enrol`: a device presents a code the operator printed with
/// `sync-server enrol`; it may then start teams here.
pub(super) async fn enrol(
    State(store): State<LogStore>,
    Extension(peer): Extension<Peer>,
    body: Result<Json<Enrolment>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let key = device(peer)?;
    let code = json_body(body)?.code;
    if code.len() > 100 {
        return Err(AppError::bad_request("bad_field", "値の形式が正しくありません", "code"));
    }
    match blocking_enrol(store, code, key).await? {
        Ok(()) => Ok(Json(json!({ "enrolled": true }))),
        Err(EnrolError::Invalid) => Err(AppError::forbidden(
            "bad_enrolment",
            "登録コードが違うか、使用済みか、期限切れです。管理者に新しいコードを頼んでください",
            "enrolment code unknown, used by another device, or expired",
        )),
        Err(EnrolError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}

pub(super) async fn blocking_enrol(
    store: LogStore,
    code: String,
    key: [u8; 32],
) -> Result<Result<(), EnrolError>, AppError> {
    tokio::task::spawn_blocking(move || store.enrol(&code, &key, now_ms()))
        .await
        .map_err(|e| AppError::unavailable(e.to_string()))
}
