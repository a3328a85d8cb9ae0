//! [`App`]: the state behind the window and what each command does. Plain
//! Rust over care-store and sync-client, so it is tested without a window;
//! `commands.rs` only adapts it to Tauri.
//!
//! The window's store and the live sync loop's store are two connections to
//! the same SQLite file: a save never waits for the network, and
//! `Store::record` picks up what the sync loop wrote.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use care_model::{
    to_katakana, CalendarDate, EntryId, Member, NewNote, Patient, TaskStatus, TeamId, Timestamp, VitalsForm,
};
use care_store::Store;
use tokio::sync::Notify;

use crate::error::{AppError, AppResult};
use crate::views::*;

pub mod audit;
mod clock;
mod consent;
mod directory;
mod edit;
pub mod exchange;
mod files;
mod instructions;
pub mod lock;
mod notices;
mod search;
pub mod sheets;
mod sync_page;
mod team;
mod visits;
mod wounds;

pub use files::Target;

/// How long an escalation "minute" is: 60 s, or `TSUNAGI_TEST_MINUTE_MS`
/// where a test shortens the team's interval (the e2e waits seconds, not
/// a quarter of an hour).
pub fn minute_ms() -> i64 {
    static MINUTE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *MINUTE.get_or_init(|| {
        std::env::var("TSUNAGI_TEST_MINUTE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|v: &i64| *v > 0)
            .unwrap_or(60_000)
    })
}

/// Where an exported file goes: the desktop's download folder
/// (`XDG_DOWNLOAD_DIR`, else ~/Downloads), else the home folder.
pub(crate) fn downloads_dir() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::env::var_os("XDG_DOWNLOAD_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| {
            if home.join("Downloads").is_dir() {
                home.join("Downloads")
            } else {
                home
            }
        })
}

pub fn now() -> Timestamp {
    Timestamp::from_datetime(&chrono::Utc::now())
}

/// The indexer thread: where to send it teams, and its handle to join.
type Indexer = (std::sync::mpsc::Sender<Vec<TeamId>>, std::thread::JoinHandle<()>);

impl Drop for App {
    /// The indexer finishes its batch and closes its connection first:
    /// SQLCipher tears its crypto down at process exit, under any thread
    /// still inside a query.
    fn drop(&mut self) {
        let indexer = self.indexer.lock().map(|mut s| s.take()).unwrap_or(None);
        if let Some((tx, handle)) = indexer {
            drop(tx);
            let _ = handle.join();
        }
    }
}

/// What the live loop last reported.
#[derive(Debug, Clone, Default)]
pub struct LiveStatus {
    pub online: bool,
    pub last_error: Option<String>,
}

pub struct App {
    pub home: PathBuf,
    store: Mutex<Option<Store>>,
    pub live: Mutex<LiveStatus>,
    /// Wakes the live loop: a visit was saved, a relay was set, a team joined.
    pub nudge: Arc<Notify>,
    /// Wakes the live loop's owner to (re)start it once a profile exists.
    pub profile_ready: Arc<Notify>,
    /// The relay to use when the profile has none yet (`--relay`, set by
    /// scripts/run.sh to the local relay it starts).
    default_relay: Mutex<Option<(String, Option<String>)>>,
    /// Why the profile could not be opened (damaged, newer, not ours): every
    /// command answers with it, so the window says what is wrong instead of
    /// failing to start. The file is left untouched.
    open_error: Option<AppError>,
    /// Rebuilds summaries and the search index of teams whose changes just
    /// arrived, off the window's and the sync loop's threads.
    indexer: Mutex<Option<Indexer>>,
    /// The database key once unlocked, for the sync loop's and the
    /// indexer's own connections.
    key: Mutex<Option<care_store::StoreKey>>,
    /// The window is locked (idle, or asked): commands are refused.
    locked: std::sync::atomic::AtomicBool,
    /// This desktop's keychain, if it answers.
    keychain: Option<profile_lock::SecretService>,
    /// Urgent items already announced (or there before this session).
    notified: Mutex<Option<std::collections::HashSet<String>>>,
}

pub(crate) fn parse_team(team: &str) -> AppResult<TeamId> {
    team.parse()
        .map_err(|_| AppError::new("not-found", format!("チームが見つかりません / no team {team}")))
}

pub(crate) fn parse_entry(id: &str) -> AppResult<EntryId> {
    id.parse()
        .map_err(|_| AppError::new("not-found", format!("項目が見つかりません / no entry {id}")))
}

pub(crate) fn parse_member(id: &str) -> AppResult<care_model::MemberId> {
    id.parse()
        .map_err(|_| AppError::new("not-found", format!("メンバーが見つかりません / no member {id}")))
}

pub(crate) fn kana(s: &Option<String>) -> AppResult<Option<String>> {
    s.as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| {
            let k = to_katakana(k);
            care_model::check_kana("kana", &k)?;
            Ok(k)
        })
        .transpose()
}

fn locked_error() -> AppError {
    AppError::new(
        "locked",
        "ロック中です。パスフレーズで解除してください / locked: unlock with your passphrase",
    )
}

/// The member a profile form describes.
pub(crate) fn member_of(input: &ProfileInput) -> AppResult<Member> {
    let member = Member {
        name: input.name.trim().to_string(),
        kana: kana(&input.kana)?,
        profession: input.profession.parse()?,
        organisation: input.organisation.trim().to_string(),
        phone: opt(&input.phone),
        email: None,
        fax: None,
        on_call: false,
    };
    if member.name.is_empty() {
        return Err(AppError {
            field: Some("name".into()),
            ..AppError::new("invalid", "名前を入力してください / enter your name")
        });
    }
    Ok(member)
}

pub(crate) fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

/// A form field left empty in the window is a reading not taken.
fn blanks_removed(f: &VitalsForm) -> VitalsForm {
    VitalsForm {
        bp: opt(&f.bp),
        pulse: opt(&f.pulse),
        temperature: opt(&f.temperature),
        spo2: opt(&f.spo2),
        oxygen: opt(&f.oxygen),
        respiratory_rate: opt(&f.respiratory_rate),
        weight: opt(&f.weight),
        glucose: opt(&f.glucose),
        pain: opt(&f.pain),
        consciousness: opt(&f.consciousness),
        note: opt(&f.note),
    }
}

const SAMPLE_KEY: &str = "sample_teams";

impl App {
    /// Prepares the window for the profile in `home`; nothing is read
    /// until it is unlocked (or made, on first run).
    pub fn open(home: &Path) -> App {
        let open_error = match care_store::profile_file(home) {
            // An encrypted-looking file without its lock is not one of ours
            // (or lost its key file): said, and left untouched.
            Ok(care_store::ProfileFile::Encrypted) if !profile_lock::Lock::exists(home) => Some(
                care_store::StoreError::NotAStore {
                    path: home.join(care_store::schema::FILE_NAME),
                }
                .into(),
            ),
            Ok(_) => None,
            Err(e) => {
                tracing::error!(error = %e, "the profile could not be opened");
                Some(e.into())
            }
        };
        let keychain = match profile_lock::SecretService::connect() {
            Ok(k) => Some(k),
            Err(e) => {
                tracing::warn!(error = %e, "no keychain on this desktop");
                None
            }
        };
        App {
            home: home.to_path_buf(),
            store: Mutex::new(None),
            live: Mutex::new(LiveStatus::default()),
            nudge: Arc::new(Notify::new()),
            profile_ready: Arc::new(Notify::new()),
            default_relay: Mutex::new(None),
            open_error,
            indexer: Mutex::new(None),
            key: Mutex::new(None),
            locked: std::sync::atomic::AtomicBool::new(false),
            keychain,
            notified: Mutex::new(None),
        }
    }

    /// A new connection to the unlocked profile (sync loop, indexer, relay calls).
    pub fn connect(&self) -> AppResult<Store> {
        let key = self.key.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let key = key.ok_or_else(locked_error)?;
        Ok(Store::open(&self.home, &key)?)
    }

    /// Whether the profile has been unlocked this session (the key is here).
    pub fn has_key(&self) -> bool {
        self.key.lock().map(|k| k.is_some()).unwrap_or(false)
    }

    /// Uses this relay for a profile that has none, now or once it is made.
    pub fn use_relay_if_unset(&self, url: &str, fingerprint: Option<&str>) -> AppResult<()> {
        *self.default_relay.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((url.to_string(), fingerprint.map(String::from)));
        self.apply_default_relay()
    }

    fn apply_default_relay(&self) -> AppResult<()> {
        let relay = self.default_relay.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some((url, fingerprint)) = relay else { return Ok(()) };
        let unset = match self.guard().as_ref() {
            Some(store) => store.relay()?.is_none(),
            None => false,
        };
        if unset {
            self.set_relay(&url, fingerprint.as_deref())?;
        }
        Ok(())
    }

    pub(crate) fn guard(&self) -> MutexGuard<'_, Option<Store>> {
        // A panic while holding the lock leaves the store as consistent as
        // SQLite left it; carry on rather than brick the window.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Store) -> AppResult<T>) -> AppResult<T> {
        if self.is_locked() {
            return Err(locked_error());
        }
        self.with_unlocked_or_not(f)
    }

    /// The store even while the window is locked: for what arrives in the
    /// background (notifications), never for what the window shows.
    pub(crate) fn with_unlocked_or_not<T>(&self, f: impl FnOnce(&mut Store) -> AppResult<T>) -> AppResult<T> {
        if let Some(e) = &self.open_error {
            return Err(e.clone());
        }
        if self.guard().is_none() && care_store::profile_file(&self.home)? != care_store::ProfileFile::None {
            return Err(locked_error());
        }
        let mut guard = self.guard();
        let store = guard.as_mut().ok_or_else(|| {
            AppError::new(
                "no-profile",
                "端末プロフィールがまだありません / there is no device profile yet",
            )
        })?;
        f(store)
    }

    pub(crate) fn viewer(store: &Store) -> Viewer {
        let now = now();
        Viewer {
            member: store.device().member.to_string(),
            profession: Some(store.device().profile.profession),
            today: now.date_jst(),
            now,
            unsent_since: None,
        }
    }

    fn samples(store: &Store) -> AppResult<Vec<String>> {
        Ok(store
            .preference(SAMPLE_KEY)?
            .map(|s| s.split(',').map(String::from).collect())
            .unwrap_or_default())
    }

    fn device_view(store: &Store) -> AppResult<DeviceView> {
        let d = store.device();
        Ok(DeviceView {
            device: d.device.to_string(),
            member: d.member.to_string(),
            name: d.profile.name.clone(),
            kana: d.profile.kana.clone(),
            profession: d.profile.profession.code().into(),
            organisation: d.profile.organisation.clone(),
            language: store.preference("language")?.unwrap_or_else(|| "ja".into()),
        })
    }

    pub fn profile(&self) -> AppResult<Option<DeviceView>> {
        if let Some(e) = &self.open_error {
            return Err(e.clone());
        }
        if self.is_locked() {
            return Err(locked_error());
        }
        match self.guard().as_ref() {
            Some(store) => Ok(Some(Self::device_view(store)?)),
            None => Ok(None),
        }
    }

    pub fn set_language(&self, language: &str) -> AppResult<()> {
        if !matches!(language, "ja" | "en") {
            return Err(AppError::new("invalid", "言語は ja か en です / language is ja or en"));
        }
        self.with(|s| Ok(s.set_preference("language", language)?))
    }

    pub fn sync_view(&self, store: &Store) -> AppResult<SyncView> {
        let as_of = now().0;
        let relay = store.relay()?;
        let teams = store.teams()?;
        let mut last: Option<i64> = None;
        let mut quarantined = 0;
        for t in &teams {
            if let Some(r) = &relay {
                if let Some(at) = store.cursor(t.team, &r.url)?.synced_at {
                    last = Some(last.map_or(at, |l| l.max(at)));
                }
            }
            quarantined += store.quarantined(t.team)?;
        }
        let live = self.live.lock().map(|l| l.clone()).unwrap_or_default();
        Ok(SyncView {
            relay_in_use: relay.as_ref().and_then(|r| r.addresses().into_iter().next()),
            relay_also: relay.as_ref().map(|r| r.also.clone()).unwrap_or_default(),
            relay: relay.map(|r| r.url),
            online: live.online,
            pending: teams.iter().map(|t| t.pending as u32).sum(),
            last_synced: last,
            last_error: live.last_error,
            quarantined: quarantined as u32,
            as_of,
        })
    }

    pub fn sync_status(&self) -> AppResult<SyncView> {
        self.with(|s| self.sync_view(s))
    }

    pub fn today(&self) -> AppResult<Today> {
        self.with(|store| self.today_in(store))
    }

    pub(crate) fn today_in(&self, store: &mut Store) -> AppResult<Today> {
        {
            let viewer = Self::viewer(store);
            let samples = Self::samples(store)?;
            let mut patients = Vec::new();
            let mut tasks = Vec::new();
            let mut urgent = Vec::new();
            let mut visits = Vec::new();
            for t in store.patient_teams()? {
                // Only what Today shows: urgent notes, the last week's
                // readings, open tasks; not years of visits per patient.
                let since = Timestamp(viewer.now.0 - URGENT_WINDOW_MS);
                // Kept in the file between starts: no automerge load per patient.
                let record = match store.summary(t.team, since) {
                    Ok(r) => r,
                    // Joined, but the record has not arrived yet.
                    Err(care_store::StoreError::NotYetReceived(_)) => continue,
                    Err(e) => return Err(e.into()),
                };
                let family = store.joined_as_family(t.team)?;
                let record = if family {
                    family_copy(&record, &viewer.member)
                } else {
                    record
                };
                let sample = samples.contains(&t.team.to_string());
                patients.push(PatientCard {
                    family,
                    ..patient_card(&record, &viewer, sample, t.pending as u32)
                });
                // A closed case is read, not worked on: it leaves the day's lists.
                if !record.case.is_closed() {
                    tasks.extend(due_tasks(&record, &viewer));
                    urgent.extend(urgent_items(&record, &viewer));
                    visits.extend(planned_visits(&record, &viewer));
                }
            }
            patients.sort_by(|a, b| (a.kana.as_deref(), &a.name).cmp(&(b.kana.as_deref(), &b.name)));
            tasks.sort_by(|a, b| (b.overdue, &a.due).cmp(&(a.overdue, &b.due)));
            urgent.sort_by(|a, b| b.unacknowledged.cmp(&a.unacknowledged).then(b.at.cmp(&a.at)));
            visits.sort_by(|a, b| {
                (a.missed, &a.date, &a.start, &a.patient).cmp(&(b.missed, &b.date, &b.start, &b.patient))
            });
            Ok(Today {
                me: Self::device_view(store)?,
                date: viewer.today.iso(),
                patients,
                tasks,
                urgent,
                visits,
                sync: self.sync_view(store)?,
                on_call: Self::on_call_in(store)?,
            })
        }
    }

    /// The record screen: the `notes` newest notes, the readings of the last
    /// `vitals_days` days (all with `None`), and the rest.
    pub fn record(&self, team: &str, notes: u32, vitals_days: Option<u32>) -> AppResult<RecordView> {
        let team = parse_team(team)?;
        self.with(|store| {
            let started = std::time::Instant::now();
            let viewer = Viewer {
                unsent_since: store.oldest_unsent_at(team)?,
                ..Self::viewer(store)
            };
            let sample = Self::samples(store)?.contains(&team.to_string());
            let pending = store.pending(team)? as u32;
            Self::mark_seen(store, team)?;
            let family = store.joined_as_family(team)?;
            let record = store.record(team)?;
            let loaded = started.elapsed();
            let since = vitals_days.map(|d| Timestamp(viewer.now.0 - i64::from(d) * 24 * 3600 * 1000));
            let recent = if family {
                // Family: the shared notes may be old ones; their records are small.
                let seen = family_copy(&record.read()?, &viewer.member);
                care_model::Recent {
                    notes_total: seen.notes.len(),
                    vitals_total: 0,
                    record: seen,
                }
            } else {
                record.read_recent(notes.max(1) as usize, since)?
            };
            let hydrated = started.elapsed();
            let mut view = record_view(&recent, &viewer, sample, pending);
            view.family = family;
            view.admin = store
                .roster(team)
                .map(|r| r.is_admin_device(store.device_id().as_bytes()))
                .unwrap_or(false);
            view.on_call = Self::on_call_in(store)?;
            tracing::debug!(?loaded, ?hydrated, total = ?started.elapsed(), "record view");
            Ok(view)
        })
    }

    /// Passive 既読: opening the record marks it seen by me, when the team
    /// turned read receipts on and a note came since I last looked (one
    /// small change, not one per opening).
    fn mark_seen(store: &mut Store, team: TeamId) -> AppResult<()> {
        let me = store.device().member.to_string();
        let record = store.record(team)?;
        if record.is_blank() || !record.settings()?.read_receipts || record.case()?.is_closed() {
            return Ok(());
        }
        // The newest note only, and the `seen` map (small).
        let read = record.read_recent(1, Some(now()))?.record;
        let last_seen = read.seen.get(&me).copied();
        let newest = read.notes.values().map(|n| n.written_at).max();
        if newest.is_some_and(|n| last_seen.is_none_or(|s| s < n)) {
            store.change(team, "seen", now(), |tx| tx.mark_seen())?;
        }
        Ok(())
    }

    /// Fields two laptops wrote differently at the same time. Separate from
    /// [`App::record`]: finding them walks the whole document (about 100 ms
    /// for five years), so the screen asks after it has shown the record.
    pub fn conflicts(&self, team: &str) -> AppResult<Vec<ConflictView>> {
        let team = parse_team(team)?;
        self.with(|store| {
            let record = store.record(team)?;
            Ok(conflict_views(&record.read()?, record.conflicts()?))
        })
    }

    /// Parses the readings and says which are outside the patient's bands,
    /// or which field cannot be read. Saves nothing.
    pub fn check_vitals(&self, team: &str, vitals: &VitalsForm) -> AppResult<VitalsCheck> {
        let team = parse_team(team)?;
        let form = blanks_removed(vitals);
        match form.parse(now()) {
            Err(e) => Ok(VitalsCheck {
                flags: vec![],
                news2: None,
                error: Some(e.into()),
            }),
            Ok(reading) => self.with(|store| {
                let thresholds = store.record(team)?.thresholds()?;
                Ok(VitalsCheck {
                    flags: flags(&thresholds, &reading),
                    news2: news2_view(&reading, &thresholds),
                    error: None,
                })
            }),
        }
    }

    /// One visit, one change: readings, a note and task ticks are saved
    /// together or not at all, durably on this laptop before this returns.
    pub fn save_visit(&self, visit: &VisitInput) -> AppResult<SaveResult> {
        let team = parse_team(&visit.team)?;
        let at = now();
        let moment = |field, s: &Option<String>| {
            opt(s)
                .map(|s| care_model::time::parse_moment(field, &s, at))
                .transpose()
        };
        let start = moment("start", &visit.start)?;
        let end = moment("end", &visit.end)?;
        let record_visit = care_model::NewVisit {
            planned: opt(&visit.planned),
            kind: visit.kind.parse()?,
            outcome: care_model::VisitOutcome::Done,
            start: start.unwrap_or(at),
            end,
            soft_signs: visit.soft_signs.iter().map(|s| s.parse()).collect::<Result<_, _>>()?,
            observations: visit.observations.parse()?,
        };
        let form = blanks_removed(&visit.vitals);
        // Readings are stamped with the arrival when it was typed.
        let reading = if form.is_empty() {
            None
        } else {
            Some(form.parse(start.unwrap_or(at))?)
        };
        let note = match &visit.note {
            Some(n) if !n.text.trim().is_empty() => Some(NewNote {
                text: n.text.trim().to_string(),
                category: n.category.parse()?,
                urgency: n.urgency.parse()?,
            }),
            _ => None,
        };
        let done: Vec<EntryId> = visit
            .done_tasks
            .iter()
            .map(|t| parse_entry(t))
            .collect::<AppResult<_>>()?;
        if reading.is_none()
            && note.is_none()
            && done.is_empty()
            && record_visit.soft_signs.is_empty()
            && record_visit.observations.is_none()
        {
            return Err(AppError::new(
                "empty",
                "保存する内容がありません / there is nothing to save",
            ));
        }
        let result = self.with(|store| {
            store.change(team, "visit", at, |tx| {
                if let Some(r) = reading {
                    tx.add_vitals(r)?;
                }
                if let Some(n) = note {
                    tx.add_note(n)?;
                }
                for t in done {
                    tx.set_task_status(t, TaskStatus::Done)?;
                }
                tx.add_visit(record_visit)?;
                Ok(())
            })?;
            Ok(SaveResult {
                saved_at: now().0,
                pending: store.pending(team)? as u32,
            })
        })?;
        self.nudge.notify_one();
        self.index_later(vec![team]);
        Ok(result)
    }

    pub fn acknowledge(&self, team: &str, note: &str) -> AppResult<()> {
        let team = parse_team(team)?;
        let note = parse_entry(note)?;
        self.with(|store| Ok(store.change(team, "note.ack", now(), |tx| tx.acknowledge_note(note))?))?;
        self.nudge.notify_one();
        self.index_later(vec![team]);
        Ok(())
    }

    /// A reading past the urgent band, acknowledged (確認) like a note.
    pub fn acknowledge_reading(&self, team: &str, reading: &str) -> AppResult<()> {
        let team = parse_team(team)?;
        let reading = parse_entry(reading)?;
        self.with(|store| Ok(store.change(team, "vitals.ack", now(), |tx| tx.acknowledge_vitals(reading))?))?;
        self.nudge.notify_one();
        self.index_later(vec![team]);
        Ok(())
    }

    pub fn create_team(&self, input: &PatientInput) -> AppResult<String> {
        let patient = Patient {
            name: input.name.trim().to_string(),
            kana: kana(&input.kana)?,
            born: opt(&input.born).map(|b| CalendarDate::parse("born", &b)).transpose()?,
            sex: opt(&input.sex).map(|s| s.parse()).transpose()?,
            care_level: opt(&input.care_level).map(|s| s.parse()).transpose()?,
            address: opt(&input.address),
            phone: opt(&input.phone),
            allergies: input
                .allergies
                .iter()
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            ..Default::default()
        };
        if patient.name.is_empty() {
            return Err(AppError {
                field: Some("name".into()),
                ..AppError::new("invalid", "利用者の氏名を入力してください / enter the patient's name")
            });
        }
        let team = self.with(|store| Ok(store.create_team(patient, now())?))?;
        self.nudge.notify_one();
        Ok(team.to_string())
    }

    /// Every team, what changed since this device's last review of it, and
    /// the values two laptops wrote at the same time.
    pub fn review(&self) -> AppResult<Vec<ReviewTeam>> {
        self.with(|store| {
            let viewer = Self::viewer(store);
            let samples = Self::samples(store)?;
            let mut out = Vec::new();
            for t in store.patient_teams()? {
                let record = match store.record(t.team) {
                    Ok(r) => r,
                    Err(care_store::StoreError::NotYetReceived(_)) => continue,
                    Err(e) => return Err(e.into()),
                };
                let last = record.reviews()?.get(&viewer.member.to_string()).copied();
                let since = last.unwrap_or(Timestamp(viewer.now.0 - FIRST_REVIEW_WINDOW_MS));
                // What changed since, and a week back for urgent notes: not
                // five years of visits.
                let from = Timestamp(since.0.min(viewer.now.0 - URGENT_WINDOW_MS));
                let conflicts = conflict_views(&record.read()?, record.conflicts()?);
                let read = record.read_since(from)?;
                let unacknowledged = urgent_items(&read, &viewer)
                    .into_iter()
                    .filter(|i| i.kind == "note" && i.unacknowledged)
                    .collect();
                out.push(ReviewTeam {
                    team: t.team.to_string(),
                    patient: t.patient_name.clone(),
                    sample: samples.contains(&t.team.to_string()),
                    last_review: last.map(|l| l.0),
                    reviewers: reviewers(&read, &viewer),
                    changes: changes_since(&read, Some(since)),
                    conflicts,
                    unacknowledged,
                });
            }
            // Teams with something to look at first.
            out.sort_by_key(|r| std::cmp::Reverse(r.changes.len() + 10 * r.conflicts.len()));
            Ok(out)
        })
    }

    pub fn mark_reviewed(&self, team: &str) -> AppResult<()> {
        let team = parse_team(team)?;
        // In the record: it syncs, so it holds on every laptop of mine and
        // the team sees who has reviewed.
        self.with(|s| {
            s.change(team, "review", now(), |tx| tx.mark_reviewed())?;
            Ok(())
        })?;
        self.nudge.notify_one();
        Ok(())
    }

    /// Loads the demo station (サンプル): realistic, invented patients.
    pub fn load_demo(&self) -> AppResult<u32> {
        let made = self.with(|store| {
            let teams = crate::demo::load(store, now())?;
            let region = crate::demo::load_directory(store, now())?;
            let mut samples = Self::samples(store)?;
            samples.extend(teams.iter().map(|t| t.to_string()));
            samples.push(region.to_string());
            store.set_preference(SAMPLE_KEY, &samples.join(","))?;
            Ok(teams.len() as u32)
        })?;
        Ok(made)
    }
}

#[cfg(test)]
pub(crate) mod tests;
