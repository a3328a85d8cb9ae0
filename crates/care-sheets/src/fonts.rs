//! The Japanese font sheets are set in: IPAex Gothic (Debian's
//! fonts-ipaexfont-gothic, IPA Font License), read once and embedded in each
//! PDF as a subset. `TSUNAGI_FONT` names another TrueType/OpenType file.

use crate::SheetError;

/// Where Debian (and derivatives) install IPAex Gothic.
const PLACES: &[&str] = &[
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
];

/// The font file's bytes.
pub fn system() -> Result<Vec<u8>, SheetError> {
    let from_env = std::env::var_os("TSUNAGI_FONT").map(std::path::PathBuf::from);
    let candidates = from_env
        .iter()
        .cloned()
        .chain(PLACES.iter().map(std::path::PathBuf::from));
    for path in candidates {
        if let Ok(bytes) = std::fs::read(&path) {
            return Ok(bytes);
        }
    }
    let looked: Vec<String> = from_env
        .iter()
        .map(|p| p.display().to_string())
        .chain(PLACES.iter().map(|p| p.to_string()))
        .collect();
    Err(SheetError::NoFont(format!("looked in {}", looked.join(", "))))
}
