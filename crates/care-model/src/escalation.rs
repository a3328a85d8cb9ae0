//! Urgent items close their loop without a server. An urgent note or a
//! reading past the urgent band that nobody has acknowledged escalates on a
//! clock every laptop shares: after the team's interval (15 minutes unless
//! set) the member on call is told, after twice the interval the team's
//! admins. The stage is worked out from the record (when the item was
//! written, who acknowledged it when) and the time now, so every laptop
//! agrees, the author's laptop may be offline, and a laptop that comes
//! online late sees the acknowledgement in the same sync that brings the
//! item and tells nobody.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{MemberId, Record, Timestamp, Urgency};

/// Where an urgent item stands: 未確認 → 当番へ通知 → 管理者へ通知, or 確認済み.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Waiting,
    OnCall,
    Admins,
    Acknowledged,
}

impl Stage {
    /// The stable code, as the app and the store name the stage.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Waiting => "waiting",
            Stage::OnCall => "on-call",
            Stage::Admins => "admins",
            Stage::Acknowledged => "acknowledged",
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            Stage::Waiting => "未確認",
            Stage::OnCall => "当番へ通知",
            Stage::Admins => "管理者へ通知",
            Stage::Acknowledged => "確認済み",
        }
    }
}

/// An item's escalation, worked out at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    pub stage: Stage,
    /// When the on-call member was (or is due to be) told.
    pub on_call_at: Timestamp,
    /// When the admins were (or are due to be) told.
    pub admins_at: Timestamp,
    /// The first acknowledgement by someone other than the author.
    pub acknowledged: Option<(MemberId, Timestamp)>,
    /// Whether each step was reached (before the acknowledgement, if any).
    pub reached_on_call: bool,
    pub reached_admins: bool,
}

/// The escalation of an item written at `written` by `author` with these
/// acknowledgements (member id -> when), at `now`.
pub fn escalate(
    written: Timestamp,
    author: &MemberId,
    acks: &BTreeMap<String, Timestamp>,
    interval_ms: i64,
    now: Timestamp,
) -> Escalation {
    let on_call_at = Timestamp(written.0 + interval_ms);
    let admins_at = Timestamp(written.0 + 2 * interval_ms);
    let author = author.to_string();
    let acknowledged = acks
        .iter()
        .filter(|(m, at)| **m != author && **at <= now)
        .filter_map(|(m, at)| m.parse::<MemberId>().ok().map(|m| (m, *at)))
        .min_by_key(|(m, at)| (*at, m.to_string()));
    // The clock stops at the acknowledgement.
    let until = acknowledged.map_or(now, |(_, at)| at);
    let reached_on_call = until >= on_call_at;
    let reached_admins = until >= admins_at;
    let stage = match (acknowledged, reached_admins, reached_on_call) {
        (Some(_), _, _) => Stage::Acknowledged,
        (None, true, _) => Stage::Admins,
        (None, false, true) => Stage::OnCall,
        (None, false, false) => Stage::Waiting,
    };
    Escalation {
        stage,
        on_call_at,
        admins_at,
        acknowledged,
        reached_on_call,
        reached_admins,
    }
}

/// Which kind of entry an urgent item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Note,
    Vitals,
}

/// One urgent item of a record and its escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrgentItem {
    pub kind: ItemKind,
    pub id: String,
    pub author: MemberId,
    pub written: Timestamp,
    pub escalation: Escalation,
}

/// Every urgent item of the record (notes whose latest version is urgent,
/// readings past the patient's urgent band), with its escalation at `now`.
/// `minute_ms` is 60 000 but in tests that shorten the team's interval.
pub fn urgent_items(record: &Record, minute_ms: i64, now: Timestamp) -> Vec<UrgentItem> {
    let interval = i64::from(record.settings.escalation_minutes) * minute_ms;
    let notes = record
        .notes
        .iter()
        .filter(|(_, n)| n.current().urgency == Urgency::Urgent)
        .map(|(id, n)| UrgentItem {
            kind: ItemKind::Note,
            id: id.clone(),
            author: n.author,
            written: n.written_at,
            escalation: escalate(n.written_at, &n.author, &n.acks, interval, now),
        });
    let readings = record
        .vitals
        .iter()
        .filter(|(_, e)| record.thresholds.level(&e.reading) == Urgency::Urgent)
        .map(|(id, e)| UrgentItem {
            kind: ItemKind::Vitals,
            id: id.clone(),
            author: e.author,
            written: e.recorded_at,
            escalation: escalate(e.recorded_at, &e.author, &e.acks, interval, now),
        });
    notes.chain(readings).collect()
}

/// Whether this laptop's member should be told of `item` now, and at which
/// stage: the member on call when the on-call stage is reached, the team's
/// admins when theirs is. Never the author, never after someone
/// acknowledged, never for a stage older than `fresh_ms` (a laptop back
/// after a week tells of last night's items on Today, not as a burst of
/// notifications). The caller remembers what it told, so each (item,
/// stage) is told once per laptop.
pub fn to_tell(
    item: &UrgentItem,
    me: &MemberId,
    on_call: bool,
    admin: bool,
    now: Timestamp,
    fresh_ms: i64,
) -> Option<Stage> {
    if &item.author == me {
        return None;
    }
    let e = &item.escalation;
    let fresh = |at: Timestamp| now.0 - at.0 <= fresh_ms;
    match e.stage {
        Stage::Admins if admin && fresh(e.admins_at) => Some(Stage::Admins),
        Stage::Admins | Stage::OnCall if on_call && fresh(e.on_call_at) => Some(Stage::OnCall),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn an_item_escalates_on_the_clock_and_stops_at_the_first_acknowledgement() {
        let author = MemberId::random();
        let other = MemberId::random();
        let t0 = Timestamp(1_000_000_000);
        let none = BTreeMap::new();
        let at = |m: i64| Timestamp(t0.0 + m * MIN);
        let stage = |acks: &BTreeMap<String, Timestamp>, m: i64| escalate(t0, &author, acks, 15 * MIN, at(m)).stage;
        assert_eq!(stage(&none, 0), Stage::Waiting);
        assert_eq!(stage(&none, 14), Stage::Waiting);
        assert_eq!(stage(&none, 15), Stage::OnCall);
        assert_eq!(stage(&none, 29), Stage::OnCall);
        assert_eq!(stage(&none, 30), Stage::Admins);
        // The author's own acknowledgement does not close the loop.
        let own = BTreeMap::from([(author.to_string(), at(1))]);
        assert_eq!(stage(&own, 20), Stage::OnCall);
        // Acknowledged at 20 minutes: the on-call step was reached, the
        // admins' never is.
        let acked = BTreeMap::from([(other.to_string(), at(20))]);
        let e = escalate(t0, &author, &acked, 15 * MIN, at(60));
        assert_eq!(e.stage, Stage::Acknowledged);
        assert!(e.reached_on_call && !e.reached_admins);
        assert_eq!(e.acknowledged, Some((other, at(20))));
        // Before the acknowledgement's time (a laptop whose clock is behind),
        // it is still escalating.
        assert_eq!(stage(&acked, 16), Stage::OnCall);
    }

    #[test]
    fn who_is_told_depends_on_the_stage_and_role_and_is_never_the_author() {
        let author = MemberId::random();
        let me = MemberId::random();
        let t0 = Timestamp(1_000_000_000);
        let item = |m: i64, acks: BTreeMap<String, Timestamp>| UrgentItem {
            kind: ItemKind::Note,
            id: "n".into(),
            author,
            written: t0,
            escalation: escalate(t0, &author, &acks, 15 * MIN, Timestamp(t0.0 + m * MIN)),
        };
        let now = |m: i64| Timestamp(t0.0 + m * MIN);
        let day = 24 * 60 * MIN;
        assert_eq!(to_tell(&item(10, BTreeMap::new()), &me, true, true, now(10), day), None);
        assert_eq!(
            to_tell(&item(16, BTreeMap::new()), &me, true, false, now(16), day),
            Some(Stage::OnCall)
        );
        assert_eq!(
            to_tell(&item(16, BTreeMap::new()), &me, false, true, now(16), day),
            None
        );
        assert_eq!(
            to_tell(&item(31, BTreeMap::new()), &me, false, true, now(31), day),
            Some(Stage::Admins)
        );
        assert_eq!(
            to_tell(&item(31, BTreeMap::new()), &author, true, true, now(31), day),
            None
        );
        // Somebody acknowledged before this laptop looked: nobody is told.
        let acked = BTreeMap::from([(me.to_string(), Timestamp(t0.0 + 5 * MIN))]);
        let other = MemberId::random();
        assert_eq!(to_tell(&item(40, acked), &other, true, true, now(40), day), None);
        // A laptop back after two days tells nobody of an old item.
        assert_eq!(
            to_tell(&item(3000, BTreeMap::new()), &me, true, true, now(3000), day),
            None
        );
    }
}
