//! # tsunagi-app
//!
//! The desktop app's Rust side: [`app::App`] holds the window's store and
//! does what each command asks; [`views`] shapes records into what screens
//! show; [`live`] runs the sync loop beside the window; [`commands`] exposes
//! it all to the front end as typed Tauri commands.

pub mod app;
pub mod commands;
pub mod demo;
pub mod error;
pub mod live;
pub mod screen_lock;
pub mod views;

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// When the process started (set first thing in `main`).
pub fn started() -> Instant {
    *STARTED.get_or_init(Instant::now)
}

/// Every command and event, for the invoke handler and for the generated
/// TypeScript bindings.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    use commands::*;
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            profile,
            init_profile,
            lock_state,
            unlock,
            lock,
            encrypt_profile,
            recover,
            change_passphrase,
            security_settings,
            set_lock_after,
            set_notify_details,
            opened,
            set_muted,
            is_muted,
            audit,
            export_audit,
            vocabulary,
            set_language,
            today,
            record,
            conflicts,
            check_vitals,
            save_visit,
            acknowledge,
            acknowledge_reading,
            add_task,
            set_task_status,
            reassign_task,
            edit_patient,
            edit_note,
            add_contact,
            edit_contact,
            remove_contact,
            reorder_contacts,
            add_medication,
            change_medication,
            stop_medication,
            thresholds,
            set_thresholds,
            close_case,
            reopen_case,
            history,
            settle_conflict,
            search,
            absent,
            add_plan,
            stop_plan,
            create_team,
            review,
            mark_reviewed,
            sync_status,
            sync_page,
            sync_now,
            set_relay,
            invite,
            join,
            device_add,
            remove_leaver,
            add_wound,
            assess_wound,
            attach_file,
            attachments,
            open_attachment,
            close_wound,
            hand_over,
            invite_family,
            add_note,
            share_note,
            directories,
            create_directory,
            directory,
            add_directory_entry,
            edit_directory_entry,
            post_beds,
            device_join,
            my_devices,
            remove_my_device,
            enrol,
            set_invite_policy,
            refused,
            roster,
            remove_member,
            make_admin,
            leave_team,
            load_demo,
            ui_ready,
            rotas,
            create_station,
            set_duty,
            set_rota_basics,
            team_settings,
            set_team_settings,
            emergency,
            instructions,
            add_instruction,
            code_diagnosis,
            load_master,
            lookup_master,
            export_record,
            record_consent,
            withdraw_consent,
            sheet_draft,
            save_sheet_draft,
            print_sheet,
            open_sheet,
            fhir_preview,
            fhir_import,
            device_preview,
            device_import,
        ])
        .events(tauri_specta::collect_events![RecordsChanged, SyncChanged, Locked])
        // Times are i64 milliseconds: exact in a JavaScript number for
        // hundreds of thousands of years.
        .dangerously_cast_bigints_to_number()
        // One type per struct: the front end never sends what it receives.
        .disable_serde_phases()
}

/// Where the generated bindings live, relative to this crate.
pub const BINDINGS: &str = "../../app-ui/src/bindings.ts";

pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(specta_typescript::Typescript::default(), path)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    /// The front end's types are generated from the Rust ones: this fails when
    /// `app-ui/src/bindings.ts` is stale. `UPDATE_BINDINGS=1 cargo test -p
    /// tsunagi-app bindings` rewrites it.
    #[test]
    fn bindings_are_generated_from_the_rust_types_and_up_to_date() {
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(super::BINDINGS);
        let fresh = tempfile::NamedTempFile::new().unwrap();
        super::export_bindings(fresh.path()).unwrap();
        let fresh = std::fs::read_to_string(fresh.path()).unwrap();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&committed, &fresh).unwrap();
        }
        let old = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            old == fresh,
            "app-ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p tsunagi-app bindings`"
        );
    }
}
