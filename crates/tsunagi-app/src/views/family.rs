//! What a family member's app shows of a patient's record: the notes the
//! team shares with the family and their own, the visit schedule, the
//! contacts. The rest stays on the laptop unshown (the protocol keeps the
//! family from writing it; the app keeps it from showing it).

use care_model::{Patient, Record};

/// The record as a family member sees it.
pub fn family_copy(record: &Record, me: &str) -> Record {
    let p = &record.patient;
    Record {
        patient: Patient {
            name: p.name.clone(),
            kana: p.kana.clone(),
            address: p.address.clone(),
            phone: p.phone.clone(),
            contacts: p.contacts.clone(),
            ..Default::default()
        },
        notes: record
            .notes
            .iter()
            .filter(|(_, n)| n.shared_with_family || n.author.to_string() == me)
            .map(|(id, n)| (id.clone(), n.clone()))
            .collect(),
        thresholds: Default::default(),
        vitals: Default::default(),
        tasks: Default::default(),
        medications: Default::default(),
        reviews: Default::default(),
        instructions: Default::default(),
        consents: Default::default(),
        directory: Default::default(),
        wounds: Default::default(),
        seen: Default::default(),
        ..record.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use care_model::fixtures::nurse;
    use care_model::{CareRecord, NewNote, NoteCategory, TeamId, Timestamp, Urgency, VitalSigns};

    #[test]
    fn the_family_sees_shared_notes_and_their_own_and_no_clinical_detail() {
        let n = nurse();
        let at = Timestamp(1_790_000_000_000);
        let (mut r, _) = CareRecord::create(
            TeamId::random(),
            &n,
            Patient {
                name: "山田 太郎".into(),
                allergies: vec!["ペニシリン".into()],
                ..Default::default()
            },
            at,
        )
        .unwrap();
        let note = |text: &str| NewNote {
            text: text.into(),
            category: NoteCategory::Observation,
            urgency: Urgency::Routine,
        };
        let (shared, hidden) = r
            .change(&n, at, "note.add", |tx| {
                let a = tx.add_note(note("本日の様子: 穏やかに過ごされています"))?;
                let b = tx.add_note(note("褥瘡 d2 ポケットあり"))?;
                tx.share_note_with_family(a, true)?;
                tx.add_vitals(VitalSigns {
                    taken_at: at,
                    pulse: Some(80),
                    ..Default::default()
                })?;
                Ok((a, b))
            })
            .unwrap()
            .value;
        let seen = family_copy(&r.read().unwrap(), "someone-in-the-family");
        assert!(seen.notes.contains_key(&shared.to_string()));
        assert!(!seen.notes.contains_key(&hidden.to_string()));
        assert!(seen.vitals.is_empty() && seen.patient.allergies.is_empty());
        assert_eq!(seen.patient.name, "山田 太郎");
    }
}
