//! キーパーソン / 緊急連絡先: the people to call, in calling order. They live
//! in the patient's `contacts` list, so the order is the record's order.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::patient::{check_kana, check_phone};
use crate::record::{check_text, RecordTx, MAX_SHORT_CHARS};
use crate::{ModelError, ValidationError};

/// キーパーソン / 緊急連絡先.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub kana: Option<String>,
    /// 長女, 甥, 民生委員 ...
    pub relation: String,
    pub phone: String,
    pub key_person: bool,
}

pub(crate) fn validate_contact(c: &Contact) -> Result<(), ValidationError> {
    check_text("name", &c.name, MAX_SHORT_CHARS)?;
    if let Some(kana) = &c.kana {
        check_kana("kana", kana)?;
    }
    check_phone(&c.phone)
}

fn no_contact(index: usize) -> ModelError {
    ModelError::NotFound {
        kind: "contact",
        id: (index + 1).to_string(),
    }
}

impl RecordTx<'_, '_> {
    /// Adds a contact at the end of the calling order.
    pub fn add_contact(&mut self, contact: Contact) -> Result<(), ModelError> {
        validate_contact(&contact)?;
        self.update_patient(|p| p.contacts.push(contact))
    }

    /// Replaces the contact at `index` (0 = called first).
    pub fn edit_contact(&mut self, index: usize, contact: Contact) -> Result<(), ModelError> {
        validate_contact(&contact)?;
        if index >= self.patient()?.contacts.len() {
            return Err(no_contact(index));
        }
        self.update_patient(|p| p.contacts[index] = contact)
    }

    pub fn remove_contact(&mut self, index: usize) -> Result<(), ModelError> {
        if index >= self.patient()?.contacts.len() {
            return Err(no_contact(index));
        }
        self.update_patient(|p| {
            p.contacts.remove(index);
        })
    }

    /// Puts the contacts in a new calling order: `order[i]` is the current
    /// position of the one to call `i`-th. Every contact must appear once,
    /// so a reorder can never lose anyone.
    pub fn reorder_contacts(&mut self, order: &[usize]) -> Result<(), ModelError> {
        let current = self.patient()?.contacts;
        let mut seen = vec![false; current.len()];
        let complete = order.len() == current.len()
            && order
                .iter()
                .all(|&i| i < seen.len() && !std::mem::replace(&mut seen[i], true));
        if !complete {
            return Err(ValidationError {
                field: "order",
                value: format!("{order:?}"),
                accepted: "each contact exactly once",
            }
            .into());
        }
        let reordered: Vec<Contact> = order.iter().map(|&i| current[i].clone()).collect();
        self.update_patient(|p| p.contacts = reordered)
    }
}
