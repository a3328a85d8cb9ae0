//! One error type for every route, answered as the JSON body of
//! research/security.md §6.3: a stable `code`, both languages, a request id.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message_ja: &'static str,
    pub message_en: String,
}

impl AppError {
    pub fn bad_request(code: &'static str, message_ja: &'static str, message_en: impl Into<String>) -> Self {
        AppError {
            status: StatusCode::BAD_REQUEST,
            code,
            message_ja,
            message_en: message_en.into(),
        }
    }
    pub fn too_large() -> Self {
        AppError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "too_large",
            message_ja: "送信データが大きすぎます",
            message_en: format!("request larger than {} bytes", sync_proto::MAX_ENVELOPE_BYTES),
        }
    }
    pub fn blob_too_large() -> Self {
        AppError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "too_large",
            message_ja: "添付ファイルは 10 MB までです",
            message_en: format!(
                "files up to {} bytes (10 MB) can be attached",
                sync_proto::MAX_BLOB_FILE_BYTES
            ),
        }
    }
    pub fn conflict(code: &'static str, message_ja: &'static str, message_en: impl Into<String>) -> Self {
        AppError {
            status: StatusCode::CONFLICT,
            code,
            message_ja,
            message_en: message_en.into(),
        }
    }
    pub fn insufficient_storage(code: &'static str, message_ja: &'static str, message_en: impl Into<String>) -> Self {
        AppError {
            status: StatusCode::INSUFFICIENT_STORAGE,
            code,
            message_ja,
            message_en: message_en.into(),
        }
    }
    pub fn timed_out() -> Self {
        AppError {
            status: StatusCode::REQUEST_TIMEOUT,
            code: "request_timeout",
            message_ja: "送信に時間がかかりすぎました。もう一度送ります",
            message_en: "the request took too long to arrive; it will be sent again".into(),
        }
    }
    pub fn forbidden(code: &'static str, message_ja: &'static str, message_en: impl Into<String>) -> Self {
        AppError {
            status: StatusCode::FORBIDDEN,
            code,
            message_ja,
            message_en: message_en.into(),
        }
    }
    /// Unknown team, not a member, unknown invite: all look the same, so
    /// nobody learns whether a team exists.
    pub fn not_found() -> Self {
        AppError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message_ja: "見つかりません",
            message_en: "not found".into(),
        }
    }
    pub fn no_certificate() -> Self {
        AppError {
            status: StatusCode::UNAUTHORIZED,
            code: "no_client_certificate",
            message_ja: "端末の証明書がありません",
            message_en: "this route needs a device client certificate".into(),
        }
    }
    pub fn rate_limited() -> Self {
        AppError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "rate_limited",
            message_ja: "送信が多すぎます。少し待ってから再送します",
            message_en: "too many requests; retry after the Retry-After seconds".into(),
        }
    }
    pub fn gone() -> Self {
        AppError {
            status: StatusCode::GONE,
            code: "invite_used_or_expired",
            message_ja: "この招待コードは使用済みか期限切れです。招待した人に新しいコードを頼んでください",
            message_en: "this invite was already used or has expired; ask for a new one".into(),
        }
    }
    pub fn membership_refused(why: impl Into<String>) -> Self {
        AppError {
            status: StatusCode::FORBIDDEN,
            code: "membership_refused",
            message_ja: "メンバー情報の署名を確認できません",
            message_en: why.into(),
        }
    }
    /// A device that was on the team and was taken out of it: told so, so
    /// it stops trying and keeps what it has not sent for a person to review.
    pub fn removed() -> Self {
        AppError {
            status: StatusCode::FORBIDDEN,
            code: "removed",
            message_ja: "この端末はこのチームから外されました",
            message_en: "this device was removed from the team".into(),
        }
    }
    pub fn unavailable(message_en: impl Into<String>) -> Self {
        AppError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "storage_unavailable",
            message_ja: "中継サーバーで保存できませんでした。後で再送します",
            message_en: message_en.into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let request_id = uuid::Uuid::new_v4().simple().to_string();
        tracing::info!(
            status = self.status.as_u16(),
            code = self.code,
            request_id,
            "request refused"
        );
        let body = json!({ "error": {
            "code": self.code,
            "retryable": self.status.is_server_error(),
            "message_ja": self.message_ja,
            "message_en": self.message_en,
            "request_id": request_id,
        }});
        (self.status, axum::Json(body)).into_response()
    }
}
