//! Starts the desktop app: the profile from `TSUNAGI_HOME` (shared with the
//! CLI) or the platform's data directory, the window, and the live sync loop.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tauri::Manager;
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;
use tsunagi_app::app::App;
use tsunagi_app::commands::{Locked, RecordsChanged, SyncChanged};
use tsunagi_app::live::{self, Update};

/// つなぎ Tsunagi: the care record of your patients' teams, offline first.
#[derive(clap::Parser)]
#[command(version)]
struct Args {
    /// The device profile directory, shared with the `tsunagi` CLI.
    /// Default: the platform's data directory (~/.local/share/jp.tsunagi.app).
    #[arg(long, env = "TSUNAGI_HOME")]
    home: Option<PathBuf>,
    /// A relay to use if the profile has none yet (https://HOST:PORT).
    #[arg(long, env = "TSUNAGI_RELAY")]
    relay: Option<String>,
    /// The SHA-256 fingerprint of that relay's certificate (64 hex digits).
    #[arg(long, env = "TSUNAGI_RELAY_FINGERPRINT", requires = "relay")]
    relay_fingerprint: Option<String>,
}

fn home(args: &Args, app: &tauri::App) -> anyhow::Result<PathBuf> {
    match &args.home {
        Some(h) if !h.as_os_str().is_empty() => Ok(h.clone()),
        _ => app.path().app_data_dir().context("no data directory for this user"),
    }
}

fn main() {
    tsunagi_app::started();
    // One line, Japanese then English, as the CLI does.
    if let Err(e) = run() {
        eprintln!("{e:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let args = <Args as clap::Parser>::parse();
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        anyhow::bail!(
            "画面がありません。デスクトップから起動してください / no display: start Tsunagi from a desktop session"
        );
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tao=warn,wry=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let builder = tsunagi_app::specta_builder();
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |tauri_app| {
            builder.mount_events(tauri_app);
            let home = home(&args, tauri_app)?;
            tracing::info!(home = %home.display(), "opening profile");
            let app = Arc::new(App::open(&home));
            if let Some(url) = &args.relay {
                if let Err(e) = app.use_relay_if_unset(url, args.relay_fingerprint.as_deref()) {
                    tracing::warn!(error = %e.message_en, "--relay not used");
                }
            }
            tauri_app.manage(app.clone());
            let handle = tauri_app.handle().clone();
            // The desktop's lock locks the window too.
            let (for_lock, lock_handle) = (app.clone(), handle.clone());
            tsunagi_app::screen_lock::watch(move || {
                if for_lock.lock().is_ok() {
                    let _ = Locked {}.emit(&lock_handle);
                }
            });
            // Around the clock: escalations reach the member on call and the
            // admins on time, worked out here from the record and the clock;
            // renewal requests are made when an instruction nears its end.
            let (for_clock, clock_handle) = (app.clone(), handle.clone());
            std::thread::Builder::new()
                .name("clock".into())
                .spawn(move || {
                    for ticks in 0u64.. {
                        let tick = (tsunagi_app::app::minute_ms() / 4).clamp(500, 15_000);
                        std::thread::sleep(std::time::Duration::from_millis(tick as u64));
                        if !for_clock.has_key() {
                            continue;
                        }
                        // Renewals are a matter of days: every few minutes.
                        let (news, renewals) = for_clock.clock_tick(ticks % 20 == 0);
                        for (title, body) in news {
                            if let Err(e) = clock_handle.notification().builder().title(title).body(body).show() {
                                tracing::info!(error = %e, "desktop notification not shown");
                            }
                        }
                        match renewals {
                            Ok(n) if n > 0 => {
                                let _ = RecordsChanged { teams: Vec::new() }.emit(&clock_handle);
                            }
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e.message_en, "renewal requests not made"),
                        }
                    }
                })
                .context("start the clock thread")?;
            let for_loop = app.clone();
            live::spawn(app, move |update| match update {
                Update::Status => {
                    if let Ok(sync) = for_loop.sync_status() {
                        let _ = SyncChanged { sync }.emit(&handle);
                    }
                }
                Update::Removed(n) => {
                    // Said without naming the patients.
                    let lang = for_loop.language();
                    let body = if lang == "en" {
                        format!("This laptop was removed from {n} team(s); their records were erased from it.")
                    } else {
                        format!("この端末はチームから外されたため、{n} 件の利用者の記録をこの端末から消去しました。")
                    };
                    let _ = handle
                        .notification()
                        .builder()
                        .title("つなぎ Tsunagi")
                        .body(body)
                        .show();
                    let _ = RecordsChanged { teams: Vec::new() }.emit(&handle);
                }
                Update::Changed(teams) => {
                    notify_urgent(&handle, &for_loop, &teams);
                    let _ = RecordsChanged { teams }.emit(&handle);
                }
            });
            Ok(())
        })
        .build(tauri::generate_context!())
        .context("the window could not start")?
        .run(|_, event| {
            if let tauri::RunEvent::Exit = event {
                // Every save is already committed and synced to disk. Ending
                // without C exit handlers keeps SQLCipher from tearing down
                // its crypto under the sync thread's open connection.
                tracing::info!("quit");
                // SAFETY: _exit ends the process at once; nothing after it runs.
                unsafe { libc::_exit(0) }
            }
        });
    Ok(())
}

/// A desktop notification only for urgent notes and readings past a
/// patient's urgent band, once each; everything else is a quiet badge.
/// What it says is `App::news`: a count unless the user asked for details.
fn notify_urgent(handle: &tauri::AppHandle, app: &App, teams: &[String]) {
    for (title, body) in app.news(teams) {
        let shown = handle.notification().builder().title(title).body(body).show();
        if let Err(e) = shown {
            tracing::info!(error = %e, "desktop notification not shown");
        }
    }
}
