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
    State(store): State<Store>,
    Extension(peer): Extension<Peer>,
    body: Result<Json<Enrolment>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    let key = device(peer)?;
    let code = json_body(body)?.code;
    if code.len() > 100 {
        return Err(AppError::bad_request("bad_field", "値の形式が正しくありません", "code"));
    }
    match store.enrol(code, key, now_ms()).await {
        Ok(()) => Ok(Json(json!({ "enrolled": true }))),
        Err(EnrolError::Invalid) => Err(AppError::forbidden(
            "bad_enrolment",
            "登録コードが違うか、使用済みか、期限切れです。管理者に新しいコードを頼んでください",
            "enrolment code unknown, used by another device, or expired",
        )),
        Err(EnrolError::Storage(e)) => Err(AppError::unavailable(e.to_string())),
    }
}
