//! Tasks (やること): who should do what by when. Status, assignee and due
//! date merge per field; concurrent sets show as conflicts.

use autosurgeon::{reconcile_prop, Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::record::{check_text, key, RecordTx, MAX_SHORT_CHARS};
use crate::{CalendarDate, EntryId, MemberId, ModelError, Priority, Profession, TaskStatus, Timestamp};

/// Who a task is for: a person, or whoever of a profession comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assignee {
    Member(MemberId),
    Profession(Profession),
}

impl Reconcile for Assignee {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, r: R) -> Result<(), R::Error> {
        match self {
            Assignee::Member(m) => format!("member:{m}"),
            Assignee::Profession(p) => format!("profession:{}", p.code()),
        }
        .reconcile(r)
    }
}

impl Hydrate for Assignee {
    fn hydrate_string(s: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
        let bad = || autosurgeon::HydrateError::unexpected("member:<id> or profession:<code>", s.to_string());
        match s.split_once(':') {
            Some(("member", id)) => id.parse().map(Assignee::Member).map_err(|_| bad()),
            Some(("profession", p)) => p.parse().map(Assignee::Profession).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// A task (やること).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Task {
    pub title: String,
    pub assignee: Option<Assignee>,
    pub due: Option<CalendarDate>,
    pub priority: Priority,
    pub status: TaskStatus,
    pub created_by: MemberId,
    pub created_at: Timestamp,
    pub closed_by: Option<MemberId>,
    pub closed_at: Option<Timestamp>,
}

/// A task as created.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    pub title: String,
    pub assignee: Option<Assignee>,
    pub due: Option<CalendarDate>,
    pub priority: Priority,
}

impl RecordTx<'_, '_> {
    pub fn add_task(&mut self, task: NewTask) -> Result<EntryId, ModelError> {
        let id = EntryId::random();
        self.put_task(id, task)?;
        Ok(id)
    }

    /// Writes a new task under `id` (random, or derived where laptops must
    /// agree on it, as for an instruction's renewal request).
    pub(crate) fn put_task(&mut self, id: EntryId, task: NewTask) -> Result<(), ModelError> {
        check_text("title", &task.title, MAX_SHORT_CHARS)?;
        if let Some(due) = task.due {
            CalendarDate::parse("due", &due.iso())?;
        }
        let value = Task {
            title: task.title,
            assignee: task.assignee,
            due: task.due,
            priority: task.priority,
            status: TaskStatus::Open,
            created_by: self.writer.member,
            created_at: self.at,
            closed_by: None,
            closed_at: None,
        };
        let tasks = self.collection(key::TASKS)?;
        reconcile_prop(self.tx, &tasks, id.to_string().as_str(), &value)?;
        Ok(())
    }

    /// Marks a task done or cancelled (recording who and when), or reopens it.
    pub fn set_task_status(&mut self, id: EntryId, status: TaskStatus) -> Result<(), ModelError> {
        let obj = self.entry(key::TASKS, "task", id)?;
        reconcile_prop(self.tx, &obj, "status", status)?;
        let (by, at) = match status {
            TaskStatus::Open => (None, None),
            TaskStatus::Done | TaskStatus::Cancelled => (Some(self.writer.member), Some(self.at)),
        };
        reconcile_prop(self.tx, &obj, "closed_by", by)?;
        reconcile_prop(self.tx, &obj, "closed_at", at)?;
        Ok(())
    }

    /// Gives the task to someone else (or to nobody).
    pub fn reassign_task(&mut self, id: EntryId, assignee: Option<Assignee>) -> Result<(), ModelError> {
        let obj = self.entry(key::TASKS, "task", id)?;
        reconcile_prop(self.tx, &obj, "assignee", assignee)?;
        Ok(())
    }
}
