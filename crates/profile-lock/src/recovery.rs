//! The recovery key: 160 random bits written as 32 letters and digits in
//! groups of four, shown once at set-up for the station manager's safe.

use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use crate::LockError;

pub struct RecoveryKey(Zeroizing<[u8; 20]>);

impl RecoveryKey {
    pub(crate) fn random() -> RecoveryKey {
        let mut k = Zeroizing::new([0u8; 20]);
        OsRng.fill_bytes(k.as_mut());
        RecoveryKey(k)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// Accepts the key as written: any case, with or without dashes or
    /// spaces, and the digits a hand-copied O, I or B turns into.
    pub fn parse(text: &str) -> Result<RecoveryKey, LockError> {
        let clean: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
            .map(|c| match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                '8' => 'B',
                c => c,
            })
            .collect();
        let bytes = data_encoding::BASE32_NOPAD
            .decode(clean.as_bytes())
            .map_err(|_| LockError::BadRecoveryKey)?;
        let bytes: [u8; 20] = bytes.try_into().map_err(|_| LockError::BadRecoveryKey)?;
        Ok(RecoveryKey(Zeroizing::new(bytes)))
    }

    /// `ABCD-EFGH-…`: eight groups of four.
    pub fn display(&self) -> Zeroizing<String> {
        let plain = data_encoding::BASE32_NOPAD.encode(self.bytes());
        let groups: Vec<&str> = plain
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("base32 is ASCII"))
            .collect();
        Zeroizing::new(groups.join("-"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_key_reads_back_however_it_is_typed() {
        let k = RecoveryKey::random();
        let shown = k.display();
        assert_eq!(shown.len(), 39);
        let typed = shown.to_lowercase().replace('-', " ");
        assert_eq!(RecoveryKey::parse(&typed).unwrap().bytes(), k.bytes());
        let misread = shown.replace('O', "0").replace('I', "1").replace('B', "8");
        assert_eq!(RecoveryKey::parse(&misread).unwrap().bytes(), k.bytes());
        assert!(RecoveryKey::parse("ABCD-EFGH").is_err());
    }
}
