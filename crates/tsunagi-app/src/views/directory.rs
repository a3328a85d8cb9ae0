//! A region's directory as its screen shows it: each organisation's entry,
//! its free beds with how old each figure is, and whether this laptop's
//! member may edit it.

use care_model::{BedKind, DirectoryEntry, MemberId, Record, Timestamp};
use serde::Serialize;
use specta::Type;

use super::{ms, name_of};

/// A directory on this laptop.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DirectoryRef {
    pub team: String,
    pub name: String,
}

/// Free beds of one kind, as posted.
#[derive(Debug, Clone, Serialize, Type)]
pub struct BedView {
    /// Bed kind code (`general`, `community`, …).
    pub kind: String,
    pub free: u32,
    pub posted_at: i64,
    /// Minutes since it was posted.
    pub age_minutes: i64,
    /// Older than a day: shown, marked, never offered as free.
    pub stale: bool,
    pub by: String,
}

/// One organisation's entry.
#[derive(Debug, Clone, Serialize, Type)]
pub struct EntryView {
    pub id: String,
    pub name: String,
    /// Kind code (`clinic`, `hospital`, …).
    pub kind: String,
    pub specialties: Vec<String>,
    pub home_visits: bool,
    pub area: String,
    pub hours: String,
    pub phone_24h: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub address: Option<String>,
    /// Acceptance codes.
    pub accepts: Vec<String>,
    pub notes: String,
    pub beds: Vec<BedView>,
    /// Who keeps it (the member whose laptop made it).
    pub keeper: String,
    /// This laptop's member may edit it (its keeper or an editor).
    pub editable: bool,
    /// This laptop's member keeps it (and may name editors).
    pub mine: bool,
    pub updated_at: i64,
    pub updated_by: String,
}

/// The directory screen: the entries matching the search.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DirectoryView {
    pub team: String,
    pub name: String,
    pub entries: Vec<EntryView>,
    /// How many entries it holds in all.
    pub total: u32,
    /// Shown for "who can take this patient": the patient and the needs
    /// (acceptance codes) the search was made with.
    pub for_patient: Option<String>,
    pub needs: Vec<String>,
}

pub fn entry_view(
    record: &Record,
    id: &str,
    e: &DirectoryEntry,
    keeper: Option<&MemberId>,
    me: &str,
    now: Timestamp,
) -> EntryView {
    // Beds in the vocabulary's order.
    let beds = BedKind::ALL
        .iter()
        .filter_map(|k| e.beds.get(k.code()).map(|b| (k, b)))
        .map(|(k, b)| BedView {
            kind: k.code().into(),
            free: b.free,
            posted_at: ms(b.posted_at),
            age_minutes: b.age_minutes(now),
            stale: b.is_stale(now),
            by: name_of(record, &b.by),
        })
        .collect();
    let mine = keeper.is_some_and(|k| k.to_string() == me);
    EntryView {
        id: id.into(),
        name: e.name.clone(),
        kind: e.kind.code().into(),
        specialties: e.specialties.clone(),
        home_visits: e.home_visits,
        area: e.area.clone(),
        hours: e.hours.clone(),
        phone_24h: e.phone_24h.clone(),
        phone: e.phone.clone(),
        fax: e.fax.clone(),
        address: e.address.clone(),
        accepts: e.accepts.iter().map(|a| a.code().into()).collect(),
        notes: e.notes.clone(),
        beds,
        keeper: keeper.map(|k| name_of(record, k)).unwrap_or_else(|| "?".into()),
        editable: mine || e.editors.iter().any(|m| m.to_string() == me),
        mine,
        updated_at: ms(e.updated_at),
        updated_by: name_of(record, &e.by),
    }
}
