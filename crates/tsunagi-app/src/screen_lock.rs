//! The desktop's own lock: when the session's screen saver reports it is
//! active (the user locked the screen, or it blanked), the window locks
//! too. Listens on the session bus to the freedesktop and GNOME screen-saver
//! `ActiveChanged` signals; where neither exists the idle timer still locks.

use std::time::Duration;

use dbus::blocking::Connection;
use dbus::message::MatchRule;

/// Calls `on_lock` each time the desktop's screen saver becomes active.
/// Returns at once; listens on a thread of its own.
pub fn watch(on_lock: impl Fn() + Send + Sync + 'static) {
    let spawned = std::thread::Builder::new().name("screen-lock".into()).spawn(move || {
        let conn = match Connection::new_session() {
            Ok(c) => c,
            Err(e) => return tracing::info!(error = %e, "no session bus: the idle timer alone locks"),
        };
        let on_lock = std::sync::Arc::new(on_lock);
        for interface in ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"] {
            let rule = MatchRule::new_signal(interface, "ActiveChanged");
            let on_lock = on_lock.clone();
            let added = conn.add_match(rule, move |(active,): (bool,), _, _| {
                if active {
                    on_lock();
                }
                true
            });
            if let Err(e) = added {
                tracing::info!(interface, error = %e, "screen-saver signal not watched");
            }
        }
        loop {
            if let Err(e) = conn.process(Duration::from_secs(60)) {
                return tracing::info!(error = %e, "screen-lock watch ended");
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "could not watch the desktop's lock");
    }
}
