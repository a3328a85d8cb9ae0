//! 利用終了: closing a case (hospital, care home, death, moving away) and
//! reopening it. A closed record is read-only for everyone and nothing is
//! deleted: it stays readable for the retention period. Closing is a change
//! like any other, so it is signed, synced and in the history.
//!
//! Layout: `case` at the root (made on first use), a map with `closed`
//! (the closure in force, or null) and `reopened` (the last reopening).

use automerge::ROOT;
use autosurgeon::{hydrate_prop, reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{check_text, key, RecordTx, MAX_TEXT_CHARS};
use crate::{CalendarDate, ClosureReason, MemberId, ModelError, Timestamp, ValidationError};

/// Years a closed record is kept readable (5 years after the case ends, as
/// 訪問看護記録 are kept).
pub const RETENTION_YEARS: i32 = 5;

/// Whether the case is open, and who closed or reopened it.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct CaseState {
    pub closed: Option<Closure>,
    pub reopened: Option<Reopening>,
}

/// 利用終了.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Closure {
    pub reason: ClosureReason,
    /// The day the care ended (入院日, 死亡日, ...).
    pub date: CalendarDate,
    pub note: Option<String>,
    pub by: MemberId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Reopening {
    pub by: MemberId,
    pub at: Timestamp,
}

impl CaseState {
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// The last day the record must stay readable.
    pub fn keep_until(&self) -> Option<CalendarDate> {
        self.closed.as_ref().map(|c| c.date.add_months(12 * RETENTION_YEARS))
    }
}

/// The action name of a reopening: the one change a closed record accepts.
pub const REOPEN_ACTION: &str = "case.reopen";

impl RecordTx<'_, '_> {
    /// Closes the case on `date` for `reason`.
    pub fn close_case(
        &mut self,
        reason: ClosureReason,
        date: CalendarDate,
        note: Option<String>,
    ) -> Result<(), ModelError> {
        CalendarDate::parse("date", &date.iso())?;
        if date > self.at.date_jst().add_days(1) {
            return Err(ValidationError {
                field: "date",
                value: date.iso(),
                accepted: "today or earlier",
            }
            .into());
        }
        if let Some(n) = &note {
            check_text("text", n, MAX_TEXT_CHARS)?;
        }
        let mut case = self.case()?;
        case.closed = Some(Closure {
            reason,
            date,
            note,
            by: self.writer.member,
            at: self.at,
        });
        reconcile_prop(self.tx, ROOT, key::CASE, &case)?;
        Ok(())
    }

    /// Reopens a closed case. Only in a change made with [`REOPEN_ACTION`];
    /// who may reopen (an admin) is decided by the caller, which knows the
    /// roster.
    pub fn reopen_case(&mut self) -> Result<(), ModelError> {
        let mut case = self.case()?;
        if case.closed.is_none() {
            return Err(ValidationError {
                field: "case",
                value: "open".into(),
                accepted: "a closed case",
            }
            .into());
        }
        case.closed = None;
        case.reopened = Some(Reopening {
            by: self.writer.member,
            at: self.at,
        });
        reconcile_prop(self.tx, ROOT, key::CASE, &case)?;
        Ok(())
    }

    fn case(&self) -> Result<CaseState, ModelError> {
        read_case(&*self.tx)
    }
}

pub(crate) fn read_case(doc: &impl autosurgeon::ReadDoc) -> Result<CaseState, ModelError> {
    // Absent in records no one has closed yet.
    Ok(match doc.get(&ROOT, key::CASE)? {
        Some(_) => hydrate_prop(doc, ROOT, key::CASE)?,
        None => CaseState::default(),
    })
}
