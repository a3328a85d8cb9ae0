//! The typed commands the front end calls. Each is a thin adapter over
//! [`App`]; `app-ui/src/bindings.ts` is generated from these signatures
//! (see `lib.rs`), so the front end cannot call one with the wrong shape.
//! Commands that touch the store are `async`: Tauri runs those off the main
//! thread, so a slow read never freezes the window.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::app::App;
use crate::error::AppResult;
use crate::views::*;

type AppState<'a> = State<'a, Arc<App>>;

#[tauri::command]
#[specta::specta]
pub async fn profile(app: AppState<'_>) -> AppResult<Option<DeviceView>> {
    app.profile()
}

#[tauri::command]
#[specta::specta]
pub async fn init_profile(app: AppState<'_>, input: ProfileInput) -> AppResult<DeviceView> {
    app.init_profile(input)
}

#[tauri::command]
#[specta::specta]
pub fn vocabulary() -> Vocabulary {
    crate::views::vocabulary()
}

#[tauri::command]
#[specta::specta]
pub async fn set_language(app: AppState<'_>, language: String) -> AppResult<()> {
    app.set_language(&language)
}

#[tauri::command]
#[specta::specta]
pub async fn today(app: AppState<'_>) -> AppResult<Today> {
    app.today()
}

#[tauri::command]
#[specta::specta]
pub async fn record(app: AppState<'_>, team: String, notes: u32, vitals_days: Option<u32>) -> AppResult<RecordView> {
    app.record(&team, notes, vitals_days)
}

#[tauri::command]
#[specta::specta]
pub async fn conflicts(app: AppState<'_>, team: String) -> AppResult<Vec<ConflictView>> {
    app.conflicts(&team)
}

#[tauri::command]
#[specta::specta]
pub async fn check_vitals(app: AppState<'_>, team: String, vitals: care_model::VitalsForm) -> AppResult<VitalsCheck> {
    app.check_vitals(&team, &vitals)
}

#[tauri::command]
#[specta::specta]
pub async fn save_visit(app: AppState<'_>, visit: VisitInput) -> AppResult<SaveResult> {
    app.save_visit(&visit)
}

#[tauri::command]
#[specta::specta]
pub async fn acknowledge(app: AppState<'_>, team: String, note: String) -> AppResult<()> {
    app.acknowledge(&team, &note)
}

#[tauri::command]
#[specta::specta]
pub fn add_task(
    app: AppState<'_>,
    team: String,
    title: String,
    due: Option<String>,
    priority: String,
) -> AppResult<String> {
    app.add_task(&team, &title, due.as_deref(), &priority)
}

#[tauri::command]
#[specta::specta]
pub async fn create_team(app: AppState<'_>, patient: PatientInput) -> AppResult<String> {
    app.create_team(&patient)
}

#[tauri::command]
#[specta::specta]
pub async fn review(app: AppState<'_>) -> AppResult<Vec<ReviewTeam>> {
    app.review()
}

#[tauri::command]
#[specta::specta]
pub async fn mark_reviewed(app: AppState<'_>, team: String) -> AppResult<()> {
    app.mark_reviewed(&team)
}

#[tauri::command]
#[specta::specta]
pub async fn sync_status(app: AppState<'_>) -> AppResult<SyncView> {
    app.sync_status()
}

#[tauri::command]
#[specta::specta]
pub fn sync_now(app: AppState<'_>) {
    app.nudge.notify_one();
}

#[tauri::command]
#[specta::specta]
pub async fn set_relay(app: AppState<'_>, url: String, fingerprint: Option<String>) -> AppResult<()> {
    app.set_relay(&url, fingerprint.as_deref())
}

#[tauri::command]
#[specta::specta]
pub async fn invite(app: AppState<'_>, team: String, hours: u32) -> AppResult<InviteView> {
    app.invite(&team, hours).await
}

#[tauri::command]
#[specta::specta]
pub async fn join(app: AppState<'_>, code: String) -> AppResult<JoinView> {
    app.join(&code).await
}

#[tauri::command]
#[specta::specta]
pub async fn enrol(app: AppState<'_>, code: String) -> AppResult<()> {
    app.enrol(&code).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_invite_policy(app: AppState<'_>, team: String, members_may_invite: bool) -> AppResult<()> {
    app.set_invite_policy(&team, members_may_invite).await
}

#[tauri::command]
#[specta::specta]
pub async fn refused(app: AppState<'_>, team: String) -> AppResult<Vec<RefusedView>> {
    app.refused(&team)
}

#[tauri::command]
#[specta::specta]
pub async fn roster(app: AppState<'_>, team: String) -> AppResult<RosterView> {
    app.roster(&team)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_member(app: AppState<'_>, team: String, member: String) -> AppResult<u32> {
    app.remove_member(&team, &member).await
}

#[tauri::command]
#[specta::specta]
pub async fn make_admin(app: AppState<'_>, team: String, member: String) -> AppResult<()> {
    app.make_admin(&team, &member).await
}

#[tauri::command]
#[specta::specta]
pub async fn leave_team(app: AppState<'_>, team: String) -> AppResult<()> {
    app.leave_team(&team).await
}

#[tauri::command]
#[specta::specta]
pub async fn load_demo(app: AppState<'_>) -> AppResult<u32> {
    app.load_demo()
}

/// Milliseconds from process start to the first interactive screen; the
/// front end calls it once, for the cold-start benchmark.
#[tauri::command]
#[specta::specta]
pub fn ui_ready() -> u32 {
    crate::started().elapsed().as_millis() as u32
}

/// Emitted when other devices' changes arrived for these teams.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct RecordsChanged {
    pub teams: Vec<String>,
}

/// Emitted when the connection state or the send queue changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct SyncChanged {
    pub sync: SyncView,
}
