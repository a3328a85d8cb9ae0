//! Who is told what on the desktop (USERS.md need 4: alerts so many they are
//! missed). An urgent entry reaches its first responders at once, muted or
//! not, until they acknowledge it: the patient's own nurses (on a visit
//! plan, or who visited or wrote in the last two weeks) and every member
//! who is not a nurse (the doctor, the care manager); the station's other
//! nurses see it on Today, and if nobody acknowledges it escalation brings
//! in the nurse on call, then the admins (`escalation.rs`). A routine note
//! only reaches the members it addresses with `@name`; a patient a member
//! muted sends them nothing routine. Pure: the app applies it to what
//! arrives, the budget benchmark to a simulated week.

use std::collections::BTreeSet;

use crate::{Assignee, MemberId, Note, Profession, Record, Timestamp, Urgency};

/// How far back a nurse's visit or entry makes her one of the patient's own.
pub const OWN_NURSE_WINDOW_MS: i64 = 14 * 24 * 3_600_000;

/// The patient's own nurses: on a visit plan, or who visited or wrote in
/// the last two weeks.
pub fn own_nurses(record: &Record, now: Timestamp) -> BTreeSet<MemberId> {
    let since = now.0 - OWN_NURSE_WINDOW_MS;
    let nurse = |m: &MemberId| {
        record
            .members
            .get(&m.to_string())
            .is_some_and(|p| p.profession == Profession::Nurse)
    };
    let mut own: BTreeSet<MemberId> = BTreeSet::new();
    for plan in record.plans.values().filter(|p| p.stopped.is_none()) {
        match plan.who {
            Some(Assignee::Member(m)) => {
                own.insert(m);
            }
            // A plan for "any nurse": every nurse is the patient's own.
            Some(Assignee::Profession(Profession::Nurse)) => {
                own.extend(record.members.keys().filter_map(|k| k.parse().ok()).filter(nurse));
            }
            _ => {}
        }
    }
    own.extend(record.visits.values().filter(|v| v.at.0 >= since).map(|v| v.by));
    own.extend(
        record
            .vitals
            .values()
            .filter(|e| e.recorded_at.0 >= since)
            .map(|e| e.author),
    );
    own.extend(
        record
            .notes
            .values()
            .filter(|n| n.written_at.0 >= since)
            .map(|n| n.author),
    );
    own.into_iter().filter(nurse).collect()
}

/// Whether an urgent item of this record reaches `me` (of `profession`:
/// her own, from her profile, since a member who has not written yet is
/// not in the record's members) at once: every member who is not a nurse,
/// and the patient's own nurses; every nurse when it has none.
pub fn first_responder(record: &Record, me: &MemberId, profession: Profession, now: Timestamp) -> bool {
    if profession != Profession::Nurse {
        return true;
    }
    let own = own_nurses(record, now);
    own.is_empty() || own.contains(me)
}

/// Why a note deserves a desktop notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Urgent,
    Addressed,
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether `text` addresses the member called `name` ("佐藤 花子"): `@` or
/// `＠` followed by the full name, the family name or the given name, with
/// or without the space.
pub fn addresses(text: &str, name: &str) -> bool {
    let parts: Vec<&str> = name.split_whitespace().collect();
    let mut names: Vec<String> = vec![squeeze(name)];
    names.extend(parts.iter().filter(|p| p.chars().count() >= 2).map(|p| p.to_string()));
    names.retain(|n| !n.is_empty());
    text.match_indices(['@', '＠']).any(|(i, at)| {
        let after = squeeze(&text[i + at.len()..]);
        names.iter().any(|n| after.starts_with(n.as_str()))
    })
}

/// Desktop notifications a member gets in a day before routine ones wait
/// on Today (USERS.md need 4). Urgent ones always get through.
pub const DAILY_BUDGET: usize = 3;

/// Whether a notification for `reason` is shown, when `told_today` have
/// been shown to this member today: urgent always, a note addressed to her
/// while the day's budget lasts (past it, the note is on Today, unbadged by
/// the desktop).
pub fn within_budget(reason: Reason, told_today: usize) -> bool {
    reason == Reason::Urgent || told_today < DAILY_BUDGET
}

/// Whether and why `reader` (called `reader_name`) is told of `note` when
/// it arrives; `first` says whether she is one of its first responders.
pub fn note_reason(note: &Note, reader: &MemberId, reader_name: &str, muted: bool, first: bool) -> Option<Reason> {
    if &note.author == reader {
        return None;
    }
    let current = note.current();
    if current.urgency == Urgency::Urgent {
        return (first && !note.acks.contains_key(&reader.to_string())).then_some(Reason::Urgent);
    }
    if muted {
        return None;
    }
    addresses(&current.text, reader_name).then_some(Reason::Addressed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_addresses_a_member_by_full_family_or_given_name() {
        assert!(addresses("@佐藤 花子 さん、明日の訪問お願いします", "佐藤 花子"));
        assert!(addresses("＠佐藤花子さん", "佐藤 花子"));
        assert!(addresses("@佐藤さん 確認お願いします", "佐藤 花子"));
        assert!(addresses("褥瘡の件、@花子 さんへ", "佐藤 花子"));
        assert!(
            !addresses("佐藤さんに伝えてください", "佐藤 花子"),
            "no @, no notification"
        );
        assert!(!addresses("@鈴木 一郎 先生", "佐藤 花子"));
        assert!(!addresses("メール a@b.jp", "佐藤 花子"));
    }
}
