//! The people of the team as the record shows them (name, profession,
//! organisation, how to reach them). Who may write is the signed roster's
//! business (sync-proto); this is the directory.

use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{check_text, key, RecordTx, MAX_SHORT_CHARS};
use crate::{MemberId, ModelError, Profession};

/// A person in the team.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub kana: Option<String>,
    pub profession: Profession,
    pub organisation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub fax: Option<String>,
    /// Reachable now for emergencies (待機).
    pub on_call: bool,
}

impl RecordTx<'_, '_> {
    /// Adds a member or changes their details.
    pub fn put_member(&mut self, id: MemberId, member: &Member) -> Result<(), ModelError> {
        check_text("name", &member.name, MAX_SHORT_CHARS)?;
        let members = self.collection(key::MEMBERS)?;
        reconcile_prop(self.tx, &members, id.to_string().as_str(), member)?;
        Ok(())
    }
}
