//! An invite code as pasted or read from a QR image, and the sealed team
//! keys the relay hands back for it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(code) = sync_proto::InviteCode::parse(text) {
        let _ = code.open_team_keys(text.as_bytes());
    }
});
