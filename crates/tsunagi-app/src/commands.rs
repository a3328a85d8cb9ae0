//! The typed commands the front end calls. Each is a thin adapter over
//! [`App`]; `app-ui/src/bindings.ts` is generated from these signatures
//! (see `lib.rs`), so the front end cannot call one with the wrong shape.
//! Commands that touch the store are `async`: Tauri runs those off the main
//! thread, so a slow read never freezes the window.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::app::audit::{AuditFilterInput, AuditView};
use crate::app::lock::{LockView, SecuritySettings, UnlockedView};
use crate::app::App;
use crate::error::AppResult;
use crate::views::*;

type AppState<'a> = State<'a, Arc<App>>;

#[tauri::command]
#[specta::specta]
pub async fn profile(app: AppState<'_>) -> AppResult<Option<DeviceView>> {
    app.profile()
}

/// Makes the profile, locked with `passphrase` (and the keychain unless
/// `passphrase_only`); the answer carries the recovery key, shown once.
#[tauri::command]
#[specta::specta]
pub async fn init_profile(
    app: AppState<'_>,
    input: ProfileInput,
    passphrase: String,
    passphrase_only: bool,
) -> AppResult<UnlockedView> {
    app.init_profile(input, &passphrase, passphrase_only)
}

#[tauri::command]
#[specta::specta]
pub async fn lock_state(app: AppState<'_>) -> AppResult<LockView> {
    app.lock_state()
}

#[tauri::command]
#[specta::specta]
pub async fn unlock(app: AppState<'_>, passphrase: String) -> AppResult<UnlockedView> {
    app.unlock(&passphrase)
}

#[tauri::command]
#[specta::specta]
pub async fn lock(app: AppState<'_>) -> AppResult<()> {
    app.lock()
}

/// A profile from before encryption: encrypted now under a new passphrase.
#[tauri::command]
#[specta::specta]
pub async fn encrypt_profile(app: AppState<'_>, passphrase: String, passphrase_only: bool) -> AppResult<UnlockedView> {
    app.encrypt_profile(&passphrase, passphrase_only)
}

#[tauri::command]
#[specta::specta]
pub async fn recover(app: AppState<'_>, recovery_key: String, new_passphrase: String) -> AppResult<UnlockedView> {
    app.recover(&recovery_key, &new_passphrase)
}

#[tauri::command]
#[specta::specta]
pub async fn change_passphrase(app: AppState<'_>, old: String, new_passphrase: String) -> AppResult<()> {
    app.change_passphrase(&old, &new_passphrase)
}

#[tauri::command]
#[specta::specta]
pub async fn security_settings(app: AppState<'_>) -> AppResult<SecuritySettings> {
    app.security_settings()
}

#[tauri::command]
#[specta::specta]
pub async fn set_lock_after(app: AppState<'_>, minutes: u32) -> AppResult<()> {
    app.set_lock_after(minutes)
}

#[tauri::command]
#[specta::specta]
pub async fn set_notify_details(app: AppState<'_>, on: bool) -> AppResult<()> {
    app.set_notify_details(on)
}

/// A reading past the urgent band, acknowledged (確認).
#[tauri::command]
#[specta::specta]
pub async fn acknowledge_reading(app: AppState<'_>, team: String, reading: String) -> AppResult<()> {
    app.acknowledge_reading(&team, &reading)
}

/// Mutes a patient for me (routine notes addressed to me stop notifying;
/// urgent ones never do).
#[tauri::command]
#[specta::specta]
pub async fn set_muted(app: AppState<'_>, team: String, on: bool) -> AppResult<()> {
    app.set_muted(&team, on)
}

#[tauri::command]
#[specta::specta]
pub async fn is_muted(app: AppState<'_>, team: String) -> AppResult<bool> {
    app.is_muted(&team)
}

/// The window opened a patient's record (`via`: "record" or "search"): an
/// access-log entry.
#[tauri::command]
#[specta::specta]
pub async fn opened(app: AppState<'_>, team: String, via: String, entry: Option<String>) -> AppResult<()> {
    app.opened(&team, &via, entry.as_deref())
}

#[tauri::command]
#[specta::specta]
pub async fn audit(app: AppState<'_>, filter: AuditFilterInput) -> AppResult<AuditView> {
    app.audit_view(&filter)
}

/// Saves the filtered access log as CSV in Downloads; returns the path.
#[tauri::command]
#[specta::specta]
pub async fn export_audit(app: AppState<'_>, filter: AuditFilterInput) -> AppResult<String> {
    app.export_audit(&filter)
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
pub async fn add_task(app: AppState<'_>, team: String, task: TaskInput) -> AppResult<String> {
    app.new_task(&team, &task)
}

#[tauri::command]
#[specta::specta]
pub async fn set_task_status(app: AppState<'_>, team: String, task: String, status: String) -> AppResult<()> {
    app.set_task_status(&team, &task, &status)
}

#[tauri::command]
#[specta::specta]
pub async fn reassign_task(app: AppState<'_>, team: String, task: String, assignee: Option<String>) -> AppResult<()> {
    app.reassign_task(&team, &task, assignee)
}

#[tauri::command]
#[specta::specta]
pub async fn edit_patient(app: AppState<'_>, team: String, form: PatientForm, base: PatientForm) -> AppResult<()> {
    app.edit_patient(&team, &form, &base)
}

#[tauri::command]
#[specta::specta]
pub async fn edit_note(app: AppState<'_>, team: String, note: String, text: String) -> AppResult<()> {
    app.edit_note(&team, &note, &text)
}

#[tauri::command]
#[specta::specta]
pub async fn add_contact(app: AppState<'_>, team: String, contact: ContactInput) -> AppResult<()> {
    app.add_contact(&team, &contact)
}

#[tauri::command]
#[specta::specta]
pub async fn edit_contact(app: AppState<'_>, team: String, index: u32, contact: ContactInput) -> AppResult<()> {
    app.edit_contact(&team, index, &contact)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_contact(app: AppState<'_>, team: String, index: u32) -> AppResult<()> {
    app.remove_contact(&team, index)
}

#[tauri::command]
#[specta::specta]
pub async fn reorder_contacts(app: AppState<'_>, team: String, order: Vec<u32>) -> AppResult<()> {
    app.reorder_contacts(&team, &order)
}

#[tauri::command]
#[specta::specta]
pub async fn add_medication(app: AppState<'_>, team: String, medication: MedicationInput) -> AppResult<String> {
    app.add_medication(&team, &medication)
}

#[tauri::command]
#[specta::specta]
pub async fn change_medication(
    app: AppState<'_>,
    team: String,
    id: String,
    medication: MedicationInput,
) -> AppResult<()> {
    app.change_medication(&team, &id, &medication)
}

#[tauri::command]
#[specta::specta]
pub async fn stop_medication(
    app: AppState<'_>,
    team: String,
    id: String,
    date: String,
    reason: String,
) -> AppResult<()> {
    app.stop_medication(&team, &id, &date, &reason)
}

#[tauri::command]
#[specta::specta]
pub async fn thresholds(app: AppState<'_>, team: String) -> AppResult<ThresholdsForm> {
    app.thresholds(&team)
}

#[tauri::command]
#[specta::specta]
pub async fn set_thresholds(app: AppState<'_>, team: String, form: ThresholdsForm) -> AppResult<()> {
    app.set_thresholds(&team, &form)
}

#[tauri::command]
#[specta::specta]
pub async fn close_case(
    app: AppState<'_>,
    team: String,
    reason: String,
    date: String,
    note: Option<String>,
) -> AppResult<()> {
    app.close_case(&team, &reason, &date, note)
}

#[tauri::command]
#[specta::specta]
pub async fn reopen_case(app: AppState<'_>, team: String) -> AppResult<()> {
    app.reopen_case(&team)
}

#[tauri::command]
#[specta::specta]
pub async fn history(app: AppState<'_>, team: String, kind: String, id: Option<String>) -> AppResult<Vec<HistoryItem>> {
    app.history(&team, &kind, id)
}

#[tauri::command]
#[specta::specta]
pub async fn absent(app: AppState<'_>, team: String, planned: Option<String>) -> AppResult<()> {
    app.absent(&team, planned)
}

#[tauri::command]
#[specta::specta]
pub async fn add_plan(app: AppState<'_>, team: String, plan: PlanInput) -> AppResult<String> {
    app.add_plan(&team, &plan)
}

#[tauri::command]
#[specta::specta]
pub async fn stop_plan(app: AppState<'_>, team: String, plan: String) -> AppResult<()> {
    app.stop_plan(&team, &plan)
}

#[tauri::command]
#[specta::specta]
pub async fn search(app: AppState<'_>, query: String) -> AppResult<Vec<SearchHit>> {
    app.search(&query)
}

#[tauri::command]
#[specta::specta]
pub async fn settle_conflict(app: AppState<'_>, team: String, path: Vec<String>, chosen: u32) -> AppResult<()> {
    app.settle_conflict(&team, &path, chosen)
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
pub async fn sync_page(app: AppState<'_>) -> AppResult<SyncPage> {
    app.sync_page()
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
pub async fn invite_family(app: AppState<'_>, team: String, hours: u32) -> AppResult<InviteView> {
    app.invite_family(&team, hours).await
}

#[tauri::command]
#[specta::specta]
pub fn add_note(app: AppState<'_>, team: String, text: String) -> AppResult<String> {
    app.add_note(&team, &text)
}

#[tauri::command]
#[specta::specta]
pub fn share_note(app: AppState<'_>, team: String, note: String, shared: bool) -> AppResult<()> {
    app.share_note(&team, &note, shared)
}

#[tauri::command]
#[specta::specta]
pub async fn hand_over(app: AppState<'_>, team: String, member: String) -> AppResult<u32> {
    app.hand_over(&team, &member).await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_leaver(app: AppState<'_>, member: String, reason: String) -> AppResult<LeaverView> {
    app.remove_leaver(&member, &reason).await
}

#[tauri::command]
#[specta::specta]
pub async fn device_add(app: AppState<'_>) -> AppResult<DeviceCodeView> {
    app.device_add().await
}

#[tauri::command]
#[specta::specta]
pub async fn device_join(app: AppState<'_>, code: String) -> AppResult<DeviceJoinView> {
    app.device_join(&code).await
}

#[tauri::command]
#[specta::specta]
pub fn my_devices(app: AppState<'_>) -> AppResult<Vec<MyDeviceView>> {
    app.my_devices()
}

#[tauri::command]
#[specta::specta]
pub async fn remove_my_device(app: AppState<'_>, device: String) -> AppResult<u32> {
    app.remove_my_device(&device).await
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

/// Emitted when the window was locked from outside it (the desktop locked
/// its screen): the front end shows the Unlock screen.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct Locked {}

/// Emitted when the connection state or the send queue changed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
pub struct SyncChanged {
    pub sync: SyncView,
}

/// Every station's on-call rota on this laptop.
#[tauri::command]
#[specta::specta]
pub async fn rotas(app: AppState<'_>) -> AppResult<Vec<RotaView>> {
    app.rotas()
}

#[tauri::command]
#[specta::specta]
pub async fn create_station(app: AppState<'_>, name: String) -> AppResult<String> {
    app.create_station(&name)
}

/// A weekday's duty (1 = Monday) or a date's override; empty clears it.
#[tauri::command]
#[specta::specta]
pub async fn set_duty(
    app: AppState<'_>,
    station: String,
    weekday: Option<u8>,
    date: Option<String>,
    duty: DutyForm,
) -> AppResult<()> {
    app.set_duty(&station, weekday, date, &duty)
}

#[tauri::command]
#[specta::specta]
pub async fn set_rota_basics(
    app: AppState<'_>,
    station: String,
    phone: Option<String>,
    handover: String,
) -> AppResult<()> {
    app.set_rota_basics(&station, phone, &handover)
}

#[tauri::command]
#[specta::specta]
pub async fn team_settings(app: AppState<'_>, team: String) -> AppResult<TeamSettingsView> {
    app.team_settings(&team)
}

#[tauri::command]
#[specta::specta]
pub async fn set_team_settings(
    app: AppState<'_>,
    team: String,
    escalation_minutes: u32,
    read_receipts: bool,
    family_days_after_close: u32,
) -> AppResult<()> {
    app.set_team_settings(&team, escalation_minutes, read_receipts, family_days_after_close)
}

/// The 急変時 information of one patient.
#[tauri::command]
#[specta::specta]
pub async fn emergency(app: AppState<'_>, team: String) -> AppResult<EmergencyView> {
    app.emergency(&team)
}

#[tauri::command]
#[specta::specta]
pub async fn instructions(app: AppState<'_>, team: String) -> AppResult<InstructionsView> {
    app.instructions(&team)
}

#[tauri::command]
#[specta::specta]
pub async fn add_instruction(app: AppState<'_>, team: String, input: InstructionInput) -> AppResult<String> {
    app.add_instruction(&team, &input)
}

#[tauri::command]
#[specta::specta]
pub async fn code_diagnosis(
    app: AppState<'_>,
    team: String,
    instruction: String,
    index: u32,
    code: CodeForm,
) -> AppResult<()> {
    app.code_diagnosis(&team, &instruction, index, &code)
}

/// Loads the 傷病名 master (B) or the modifiers (Z) from a CP932 file.
#[tauri::command]
#[specta::specta]
pub async fn load_master(
    app: AppState<'_>,
    path: String,
    kind: Option<String>,
    version: Option<String>,
) -> AppResult<MasterLoaded> {
    app.load_master(&path, kind, version)
}

/// `kind`: `disease` or `modifier`.
#[tauri::command]
#[specta::specta]
pub async fn lookup_master(app: AppState<'_>, kind: String, query: String) -> AppResult<Vec<MasterHit>> {
    app.lookup_master(&kind, &query)
}

/// Saves the record in the download folder (`fhir`, `csv` or `automerge`); the path.
#[tauri::command]
#[specta::specta]
pub async fn export_record(app: AppState<'_>, team: String, format: String) -> AppResult<String> {
    app.export_record(&team, &format)
}

/// Records the patient's consent to share; its id.
#[tauri::command]
#[specta::specta]
pub async fn record_consent(app: AppState<'_>, team: String, form: crate::views::ConsentForm) -> AppResult<String> {
    app.record_consent(&team, form)
}

/// Records that a consent was withdrawn on `on`.
#[tauri::command]
#[specta::specta]
pub async fn withdraw_consent(app: AppState<'_>, team: String, id: String, on: String) -> AppResult<()> {
    app.withdraw_consent(&team, &id, &on)
}

/// A sheet's editable text (`summary`, or `report` for `month` YYYY-MM).
#[tauri::command]
#[specta::specta]
pub async fn sheet_draft(
    app: AppState<'_>,
    team: String,
    sheet: String,
    month: Option<String>,
) -> AppResult<crate::app::sheets::SheetDraftView> {
    app.sheet_draft(&team, &sheet, month)
}

/// Keeps a sheet's edited text in the record.
#[tauri::command]
#[specta::specta]
pub async fn save_sheet_draft(
    app: AppState<'_>,
    team: String,
    sheet: String,
    month: Option<String>,
    fields: Vec<crate::app::sheets::DraftField>,
) -> AppResult<()> {
    app.save_sheet_draft(&team, &sheet, month, fields)
}

/// Saves a sheet (`emergency`, `summary`, `report`) as a PDF in the download
/// folder, optionally behind a FAX cover; the path.
#[tauri::command]
#[specta::specta]
pub async fn print_sheet(
    app: AppState<'_>,
    team: String,
    sheet: String,
    month: Option<String>,
    fax: Option<crate::app::sheets::FaxTo>,
    english: bool,
) -> AppResult<String> {
    app.print_sheet(&team, &sheet, month, fax, english)
}

/// Opens a PDF the app saved in the system's viewer (to print it).
#[tauri::command]
#[specta::specta]
pub async fn open_sheet(app: AppState<'_>, path: String) -> AppResult<()> {
    app.open_sheet(&path)
}

/// What importing a FHIR Bundle (a file) would add to `team` (a new team when none).
#[tauri::command]
#[specta::specta]
pub async fn fhir_preview(
    app: AppState<'_>,
    path: String,
    team: Option<String>,
) -> AppResult<crate::app::exchange::ImportPreview> {
    app.fhir_preview(&path, team)
}

/// Imports the Bundle as previewed; the team's id.
#[tauri::command]
#[specta::specta]
pub async fn fhir_import(app: AppState<'_>, path: String, team: Option<String>) -> AppResult<String> {
    app.fhir_import(&path, team)
}

/// What importing a device's CSV would do, line by line (`preset`: bp,
/// spo2, glucose; or `columns` by hand).
#[tauri::command]
#[specta::specta]
pub async fn device_preview(
    app: AppState<'_>,
    team: String,
    path: String,
    preset: Option<String>,
    columns: Option<String>,
) -> AppResult<Vec<crate::app::exchange::DeviceRowView>> {
    app.device_preview(&team, &path, preset, columns)
}

/// Imports the new readings of a device's CSV; how many.
#[tauri::command]
#[specta::specta]
pub async fn device_import(
    app: AppState<'_>,
    team: String,
    path: String,
    preset: Option<String>,
    columns: Option<String>,
) -> AppResult<u32> {
    app.device_import(&team, &path, preset, columns)
}

#[tauri::command]
#[specta::specta]
pub fn directories(app: AppState<'_>) -> AppResult<Vec<DirectoryRef>> {
    app.directories()
}

#[tauri::command]
#[specta::specta]
pub fn create_directory(app: AppState<'_>, name: String) -> AppResult<String> {
    app.create_directory(&name)
}

#[tauri::command]
#[specta::specta]
pub fn directory(
    app: AppState<'_>,
    team: String,
    query: care_model::DirectoryQuery,
    for_patient: Option<String>,
) -> AppResult<DirectoryView> {
    app.directory(&team, query, for_patient)
}

#[tauri::command]
#[specta::specta]
pub fn add_directory_entry(app: AppState<'_>, team: String, form: care_model::EntryForm) -> AppResult<String> {
    app.add_directory_entry(&team, form)
}

#[tauri::command]
#[specta::specta]
pub fn edit_directory_entry(app: AppState<'_>, team: String, id: String, form: care_model::EntryForm) -> AppResult<()> {
    app.edit_directory_entry(&team, &id, form)
}

#[tauri::command]
#[specta::specta]
pub fn post_beds(
    app: AppState<'_>,
    team: String,
    id: String,
    kind: String,
    free: u32,
    as_of: Option<String>,
) -> AppResult<()> {
    app.post_beds(&team, &id, &kind, free, as_of)
}

#[tauri::command]
#[specta::specta]
pub fn add_wound(
    app: AppState<'_>,
    team: String,
    site: String,
    kind: String,
    since: Option<String>,
) -> AppResult<String> {
    app.add_wound(&team, &site, &kind, since)
}

#[tauri::command]
#[specta::specta]
pub fn assess_wound(
    app: AppState<'_>,
    team: String,
    wound: String,
    scores: care_model::DesignR,
    note: Option<String>,
) -> AppResult<String> {
    app.assess_wound(&team, &wound, scores, note)
}

#[tauri::command]
#[specta::specta]
pub fn close_wound(app: AppState<'_>, team: String, wound: String) -> AppResult<()> {
    app.close_wound(&team, &wound)
}

/// Attaches a photo or PDF the window read (base64) to a note, a wound
/// (and assessment) or the profile; its id.
#[tauri::command]
#[specta::specta]
#[allow(clippy::too_many_arguments)]
pub fn attach_file(
    app: AppState<'_>,
    team: String,
    to: String,
    entry: Option<String>,
    assessment: Option<String>,
    caption: Option<String>,
    name: String,
    data: String,
) -> AppResult<String> {
    let target = crate::app::Target { to, entry, assessment };
    app.attach_file(&team, target, caption, &name, &data)
}

#[tauri::command]
#[specta::specta]
pub fn attachments(app: AppState<'_>, team: String) -> AppResult<Vec<crate::views::AttachmentView>> {
    app.attachments(&team)
}

/// A whole attached file, fetched from the relay if this laptop lacks it.
#[tauri::command]
#[specta::specta]
pub async fn open_attachment(app: AppState<'_>, team: String, id: String) -> AppResult<crate::views::OpenedFile> {
    app.open_attachment(&team, &id).await
}
