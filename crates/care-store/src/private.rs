//! Files only their owner may read: the profile directory 0700, the
//! database and its side files 0600.

use std::path::Path;

use crate::StoreError;

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| StoreError::Io(format!("{}: {e}", path.display())))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<(), StoreError> {
    Ok(())
}

pub(crate) fn restrict_dir(path: &Path) -> Result<(), StoreError> {
    set_mode(path, 0o700)
}

pub(crate) fn restrict_file(path: &Path) -> Result<(), StoreError> {
    set_mode(path, 0o600)
}
