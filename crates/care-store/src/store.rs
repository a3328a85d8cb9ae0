//! [`Store`]: a laptop's device profile and its teams' records.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use care_model::{
    CareRecord, ChangeBytes, DeviceId, Member, MemberId, ModelError, Patient, RecordKind, RecordTx, TeamId, Timestamp,
    Writer,
};
use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sync_proto::{MembershipOp, TeamKey};

use crate::schema;
use crate::{StoreError, StoreKey};

/// After this many changes since the last snapshot, a team's record is
/// compacted into a new snapshot (one `save()`, about 1 ms per year of visits).
pub const COMPACT_AFTER: i64 = 256;

/// This laptop's identity: who writes from it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceProfile {
    pub device: DeviceId,
    pub member: MemberId,
    pub profile: Member,
    pub created_at: Timestamp,
}

impl DeviceProfile {
    pub fn writer(&self) -> Writer {
        Writer {
            member: self.member,
            device: self.device,
            profile: self.profile.clone(),
        }
    }
}

/// One line of the team list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TeamSummary {
    pub team: TeamId,
    pub patient_name: String,
    pub patient_kana: Option<String>,
    pub created_at: Timestamp,
    /// Local changes not yet acknowledged by a relay (送信待ち).
    pub pending: u64,
    /// A patient's team, or a station's (its rota).
    pub kind: RecordKind,
}

/// A record held in memory, and how much of the file it reflects.
pub(crate) struct Cached {
    pub(crate) record: CareRecord,
    pub(crate) generation: i64,
    pub(crate) upto_seq: i64,
}

/// The local store: one SQLite file per device profile.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    pub(crate) device: DeviceProfile,
    pub(crate) signing: SigningKey,
    pub(crate) cache: HashMap<TeamId, Cached>,
    /// Teams whose every thumbnail this laptop has, as far as this process
    /// knows: sync skips looking again until changes arrive.
    pub(crate) thumbnails_complete: HashSet<TeamId>,
}

impl Store {
    /// Makes a new device profile in `home` (created if missing).
    /// The database is encrypted with `key` from its first page.
    pub fn init(home: &Path, member: Member, now: Timestamp, key: &StoreKey) -> Result<Store, StoreError> {
        std::fs::create_dir_all(home).map_err(|e| StoreError::Io(format!("{}: {e}", home.display())))?;
        crate::private::restrict_dir(home)?;
        let path = home.join(schema::FILE_NAME);
        if path.exists() {
            return Err(StoreError::AlreadyInitialised {
                home: home.to_path_buf(),
            });
        }
        let mut conn = schema::create_new(&path, key)?;
        let device = DeviceProfile {
            device: DeviceId::random(),
            member: MemberId::random(),
            profile: member,
            created_at: now,
        };
        let m = &device.profile;
        // Tables and identity in one transaction: an interrupted init leaves
        // no half-made profile.
        let signing = SigningKey::generate(&mut rand_core::OsRng);
        let tx = conn.transaction()?;
        schema::create_tables(&tx)?;
        tx.execute(
            "INSERT INTO device (id, device_id, member_id, name, kana, profession, organisation, phone, email, fax, created_at, signing_key)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                device.device.to_string(),
                device.member.to_string(),
                m.name,
                m.kana,
                m.profession.code(),
                m.organisation,
                m.phone,
                m.email,
                m.fax,
                now.0,
                signing.to_bytes().as_slice()
            ],
        )?;
        tx.commit()?;
        tracing::info!(device = %device.device, "device profile created");
        Ok(Store {
            conn,
            path,
            device,
            signing,
            cache: HashMap::new(),
            thumbnails_complete: HashSet::new(),
        })
    }

    /// Opens the device profile in `home`.
    pub fn open(home: &Path, key: &StoreKey) -> Result<Store, StoreError> {
        crate::migrate::finish_interrupted(home)?;
        let path = home.join(schema::FILE_NAME);
        if !path.exists() {
            return Err(StoreError::NoProfile {
                home: home.to_path_buf(),
            });
        }
        let mut conn = schema::open_existing(&path, key)?;
        crate::sync_state::migrate(&mut conn).map_err(|e| e.at(&path))?;
        let device = read_device(&conn).map_err(|e| e.at(&path))?;
        let seed: Vec<u8> = conn.query_row("SELECT signing_key FROM device WHERE id = 1", [], |r| r.get(0))?;
        let seed: [u8; 32] = seed.try_into().map_err(|_| StoreError::Corrupt {
            path: path.clone(),
            detail: "bad device key".into(),
        })?;
        Ok(Store {
            conn,
            path,
            device,
            signing: SigningKey::from_bytes(&seed),
            cache: HashMap::new(),
            thumbnails_complete: HashSet::new(),
        })
    }

    pub fn device(&self) -> &DeviceProfile {
        &self.device
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes this laptop another of `member`'s (her details as her first
    /// laptop gave them), before it joins any team: everything it writes
    /// then carries her member id, and her entries from either laptop show
    /// one author. A profile that already holds teams cannot change hands.
    pub fn become_member(&mut self, member: MemberId, profile: &Member) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let teams: i64 = tx.query_row("SELECT count(*) FROM teams", [], |r| r.get(0))?;
        if teams > 0 {
            return Err(StoreError::NotEmpty);
        }
        tx.execute(
            "UPDATE device SET member_id = ?1, name = ?2, kana = ?3, profession = ?4, organisation = ?5,
                    phone = ?6, email = ?7, fax = ?8 WHERE id = 1",
            params![
                member.to_string(),
                profile.name,
                profile.kana,
                profile.profession.code(),
                profile.organisation,
                profile.phone,
                profile.email,
                profile.fax
            ],
        )?;
        tx.commit()?;
        self.device.member = member;
        self.device.profile = profile.clone();
        tracing::info!(device = %self.device.device, "this laptop now writes as another laptop's member");
        Ok(())
    }

    /// Starts a new care team around `patient`, with this device's member in it.
    pub fn create_team(&mut self, patient: Patient, now: Timestamp) -> Result<TeamId, StoreError> {
        let team = TeamId::random();
        let (record, genesis) = CareRecord::create(team, &self.device.writer(), patient, now)?;
        self.store_new(record, genesis, now)
    }

    /// Starts a station's record (the on-call rota its teams share), with
    /// this device's member as its first admin.
    pub fn create_station(&mut self, name: &str, now: Timestamp) -> Result<TeamId, StoreError> {
        let team = TeamId::random();
        let (record, genesis) = CareRecord::create_station(team, &self.device.writer(), name, now)?;
        self.store_new(record, genesis, now)
    }

    /// Starts a region's directory, with this device's member as its
    /// first admin.
    pub fn create_directory(&mut self, name: &str, now: Timestamp) -> Result<TeamId, StoreError> {
        let team = TeamId::random();
        let (record, genesis) = CareRecord::create_directory(team, &self.device.writer(), name, now)?;
        self.store_new(record, genesis, now)
    }

    fn store_new(&mut self, record: CareRecord, genesis: ChangeBytes, now: Timestamp) -> Result<TeamId, StoreError> {
        let team = record.team();
        let patient = record.patient()?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO teams (team_id, created_at, patient_name, patient_kana, kind) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                team.to_string(),
                now.0,
                patient.name,
                patient.kana,
                record.kind()?.code()
            ],
        )?;
        tx.execute(
            "INSERT INTO team_keys (team_id, epoch, key) VALUES (?1, 0, ?2)",
            params![team.to_string(), TeamKey::random().0.as_slice()],
        )?;
        let op = MembershipOp::genesis(
            team.as_bytes(),
            self.device.device.as_bytes(),
            &self.device.member.to_string(),
            &self.signing,
        );
        tx.execute(
            "INSERT INTO roster_ops (team_id, idx, op, received_ms, sent) VALUES (?1, 0, ?2, ?3, 0)",
            params![
                team.to_string(),
                serde_json::to_string(&op).expect("ops serialise"),
                now.0
            ],
        )?;
        let seq = insert_local_change(&tx, team, &genesis, now, &self.signing, self.device.device)?;
        tx.commit()?;
        self.cache.insert(
            team,
            Cached {
                record,
                generation: 0,
                upto_seq: seq,
            },
        );
        tracing::info!(%team, "team created");
        Ok(team)
    }

    /// Every team on this laptop (patients' and stations'), in 五十音 order
    /// of the patient's reading: what sync goes through.
    pub fn teams(&self) -> Result<Vec<TeamSummary>, StoreError> {
        self.teams_where(None)
    }

    /// The patients' teams: what Today, the lists and the reviews show.
    pub fn patient_teams(&self) -> Result<Vec<TeamSummary>, StoreError> {
        self.teams_where(Some(RecordKind::Patient))
    }

    /// The stations' records (their on-call rotas) on this laptop.
    pub fn stations(&self) -> Result<Vec<TeamSummary>, StoreError> {
        self.teams_where(Some(RecordKind::Station))
    }

    /// The regional directories on this laptop.
    pub fn directories(&self) -> Result<Vec<TeamSummary>, StoreError> {
        self.teams_where(Some(RecordKind::Directory))
    }

    fn teams_where(&self, kind: Option<RecordKind>) -> Result<Vec<TeamSummary>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT t.team_id, t.patient_name, t.patient_kana, t.created_at,
                    (SELECT count(*) FROM outbox o WHERE o.team_id = t.team_id AND o.acked_seq IS NULL AND o.kind = 'change'),
                    t.kind
             FROM teams t WHERE ?1 IS NULL OR t.kind = ?1",
        )?;
        let rows = stmt.query_map([kind.map(|k| k.code())], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut teams = Vec::new();
        for row in rows {
            let (id, patient_name, patient_kana, created_at, pending, kind) = row?;
            teams.push(TeamSummary {
                team: id.parse().map_err(|_| self.corrupt("bad team id"))?,
                patient_name,
                patient_kana,
                created_at: Timestamp(created_at),
                pending: pending as u64,
                kind: kind.parse().map_err(|_| self.corrupt("bad record kind"))?,
            });
        }
        // Katakana code points are in 五十音 order; names without a reading go last.
        teams.sort_by(|a, b| {
            (a.patient_kana.is_none(), &a.patient_kana, &a.patient_name).cmp(&(
                b.patient_kana.is_none(),
                &b.patient_kana,
                &b.patient_name,
            ))
        });
        Ok(teams)
    }

    /// The team whose id starts with `prefix` (as typed on the command line).
    pub fn resolve_team(&self, prefix: &str) -> Result<TeamId, StoreError> {
        let p = prefix.trim().to_ascii_lowercase();
        if p.is_empty() {
            return Err(StoreError::UnknownTeam(prefix.to_string()));
        }
        let mut stmt = self
            .conn
            .prepare("SELECT team_id FROM teams WHERE substr(team_id, 1, ?2) = ?1 LIMIT 2")?;
        let ids: Vec<String> = stmt
            .query_map(params![p, p.len() as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        match ids.as_slice() {
            [one] => one.parse().map_err(|_| self.corrupt("bad team id")),
            [] => Err(StoreError::UnknownTeam(prefix.to_string())),
            _ => Err(StoreError::Ambiguous(prefix.to_string())),
        }
    }

    /// The team's record as it is on disk now, including changes other
    /// processes have written since it was last read.
    pub fn record(&mut self, team: TeamId) -> Result<&CareRecord, StoreError> {
        let cached = self.refreshed(team)?;
        self.cache.insert(team, cached);
        Ok(&self.cache[&team].record)
    }

    /// Makes one user action as one change and returns only once it is
    /// durably committed to disk, with its outbox row. If anything fails,
    /// nothing is saved and the caller is told.
    pub fn change<T>(
        &mut self,
        team: TeamId,
        action: &str,
        now: Timestamp,
        f: impl FnOnce(&mut RecordTx<'_, '_>) -> Result<T, ModelError>,
    ) -> Result<T, StoreError> {
        let writer = self.device.writer();
        let path = self.path.clone();
        // Take the cached record out: if the commit fails it must not come
        // back holding a change the file does not have.
        let mut cached = self.cache.remove(&team);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::from(e).at(&path))?;
        let mut current = refresh(&tx, team, cached.take()).map_err(|e| e.at(&path))?;
        let committed = current.record.change(&writer, now, action, f)?;
        if let Some(change) = &committed.change {
            current.upto_seq = insert_local_change(&tx, team, change, now, &self.signing, self.device.device)?;
            // Every change is in the access log, in the same transaction.
            crate::audit::append(
                &tx,
                &self.device,
                &self.signing,
                "change",
                Some(team),
                Some(action),
                now,
            )?;
            if action.starts_with("patient") {
                let p = current.record.patient()?;
                tx.execute(
                    "UPDATE teams SET patient_name = ?2, patient_kana = ?3 WHERE team_id = ?1",
                    params![team.to_string(), p.name, p.kana],
                )?;
            }
        }
        tx.commit().map_err(|e| StoreError::from(e).at(&path))?;
        tracing::debug!(%team, action, "change committed");
        self.cache.insert(team, current);
        // The change is saved. Tidying up after it must never be reported as
        // a failed save: the nurse would save the visit twice.
        let compacted = self.changes_since_snapshot(team).and_then(|n| match n > COMPACT_AFTER {
            true => self.compact(team),
            false => Ok(()),
        });
        if let Err(e) = compacted {
            tracing::warn!(%team, error = %e, "compaction failed; will retry after the next change");
        }
        Ok(committed.value)
    }

    fn changes_since_snapshot(&self, team: TeamId) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM changes WHERE team_id = ?1",
            [team.to_string()],
            |r| r.get(0),
        )?)
    }

    /// Replaces a team's snapshot with the whole record and drops the changes
    /// it now covers. The outbox is untouched.
    pub fn compact(&mut self, team: TeamId) -> Result<(), StoreError> {
        let path = self.path.clone();
        let cached = self.cache.remove(&team);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut current = refresh(&tx, team, cached).map_err(|e| e.at(&path))?;
        let snapshot = current.record.save();
        tx.execute(
            "UPDATE teams SET snapshot = ?2, generation = generation + 1 WHERE team_id = ?1",
            params![team.to_string(), snapshot],
        )?;
        tx.execute(
            "DELETE FROM changes WHERE team_id = ?1 AND seq <= ?2",
            params![team.to_string(), current.upto_seq],
        )?;
        current.generation += 1;
        tx.commit()?;
        // Frees one page per step: run it to the end.
        let mut vacuum = self.conn.prepare("PRAGMA incremental_vacuum")?;
        let mut rows = vacuum.query([])?;
        while rows.next()?.is_some() {}
        tracing::debug!(%team, bytes = snapshot.len(), "record compacted");
        self.cache.insert(team, current);
        Ok(())
    }

    /// Local changes of `team` waiting for a relay's acknowledgement.
    pub fn pending(&self, team: TeamId) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM outbox WHERE team_id = ?1 AND acked_seq IS NULL AND kind = 'change'",
            [team.to_string()],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// When the oldest change of this laptop that no relay has acknowledged
    /// was made: what this laptop wrote since is still only here.
    pub fn oldest_unsent_at(&self, team: TeamId) -> Result<Option<Timestamp>, StoreError> {
        let at: Option<i64> = self.conn.query_row(
            "SELECT min(created_at) FROM outbox WHERE team_id = ?1 AND acked_seq IS NULL AND kind = 'change'",
            [team.to_string()],
            |r| r.get(0),
        )?;
        Ok(at.map(Timestamp))
    }

    /// Runs SQLite's full integrity check and loads every record.
    pub fn check(&mut self) -> Result<(), StoreError> {
        let result: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| StoreError::from(e).at(&self.path))?;
        if result != "ok" {
            return Err(self.corrupt(&result));
        }
        for t in self.teams()? {
            self.record(t.team)?;
        }
        Ok(())
    }

    /// Size of the database file and its log, in bytes.
    pub fn size_on_disk(&self) -> u64 {
        let wal = self.path.with_extension("db-wal");
        [&self.path, &wal]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }

    fn refreshed(&mut self, team: TeamId) -> Result<Cached, StoreError> {
        let cached = self.cache.remove(&team);
        // One read transaction: a compaction by another process cannot slip
        // between reading the snapshot and reading the changes after it.
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| StoreError::from(e).at(&self.path))?;
        let fresh = refresh(&tx, team, cached).map_err(|e| e.at(&self.path))?;
        tx.commit()?;
        Ok(fresh)
    }

    fn corrupt(&self, detail: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            detail: detail.to_string(),
        }
    }
}

fn read_device(conn: &Connection) -> Result<DeviceProfile, StoreError> {
    let row = conn
        .query_row(
            "SELECT device_id, member_id, name, kana, profession, organisation, phone, email, fax, created_at FROM device WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    Member {
                        name: r.get(2)?,
                        kana: r.get(3)?,
                        profession: care_model::Profession::Other,
                        organisation: r.get(5)?,
                        phone: r.get(6)?,
                        email: r.get(7)?,
                        fax: r.get(8)?,
                        on_call: false,
                    },
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(9)?,
                ))
            },
        )
        .optional()?;
    let bad = |d: &str| StoreError::Corrupt {
        path: PathBuf::new(),
        detail: d.to_string(),
    };
    let (device, member, mut profile, profession, created_at) = row.ok_or_else(|| bad("no device profile row"))?;
    profile.profession = profession.parse().map_err(|_| bad("bad profession"))?;
    Ok(DeviceProfile {
        device: device.parse().map_err(|_| bad("bad device id"))?,
        member: member.parse().map_err(|_| bad("bad member id"))?,
        profile,
        created_at: Timestamp(created_at),
    })
}

/// Stores a change made here: in the record's changes, and sealed for the
/// team in the outbox, in the caller's transaction. Returns its sequence
/// number in the changes table.
fn insert_local_change(
    conn: &Connection,
    team: TeamId,
    change: &ChangeBytes,
    now: Timestamp,
    signing: &SigningKey,
    device: DeviceId,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO changes (team_id, hash, bytes) VALUES (?1, ?2, ?3)",
        params![team.to_string(), change.hash.as_slice(), change.bytes],
    )?;
    let seq = conn.last_insert_rowid();
    // The roster head this laptop is on goes inside, for readers to compare.
    let roster: (Option<i64>, Option<Vec<u8>>) = conn.query_row(
        "SELECT roster_ops, roster_head FROM teams WHERE team_id = ?1",
        [team.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let payload = match roster {
        (Some(ops), Some(head)) => match <[u8; 32]>::try_from(head.as_slice()) {
            Ok(head) => sync_proto::with_roster_head(ops as u64, &head, &change.bytes),
            Err(_) => change.bytes.clone(),
        },
        _ => change.bytes.clone(),
    };
    let sealed = Sealed {
        kind: sync_proto::PayloadKind::Changes,
        hash: &change.hash,
        bytes: &change.bytes,
        payload: &payload,
    };
    into_outbox(conn, team, sealed, now, signing, device)?;
    Ok(seq)
}

/// What goes into the outbox: its kind, the hash that makes it unique, the
/// bytes kept, and the payload sealed.
pub(crate) struct Sealed<'a> {
    pub(crate) kind: sync_proto::PayloadKind,
    pub(crate) hash: &'a [u8],
    pub(crate) bytes: &'a [u8],
    pub(crate) payload: &'a [u8],
}

/// Seals a payload for `team` with its latest key and the device's next
/// sequence number, into the outbox, in the caller's transaction.
pub(crate) fn into_outbox(
    conn: &Connection,
    team: TeamId,
    item: Sealed<'_>,
    now: Timestamp,
    signing: &SigningKey,
    device: DeviceId,
) -> Result<(), StoreError> {
    let (epoch, key) = crate::sync_state::latest_key(conn, team)?;
    let sender_seq: i64 = conn.query_row(
        "UPDATE teams SET next_sender_seq = next_sender_seq + 1 WHERE team_id = ?1 RETURNING next_sender_seq - 1",
        [team.to_string()],
        |r| r.get(0),
    )?;
    let header = sync_proto::Header {
        kind: item.kind,
        team: *team.as_bytes(),
        epoch,
        sender: *device.as_bytes(),
        sender_seq: sender_seq as u64,
    };
    let envelope = sync_proto::seal(&key, signing, header, item.payload)
        .map_err(|e| StoreError::Io(format!("sealing for the relay: {e}")))?;
    let kind = match item.kind {
        sync_proto::PayloadKind::Audit => "audit",
        _ => "change",
    };
    conn.execute(
        "INSERT INTO outbox (team_id, hash, bytes, created_at, sender_seq, envelope, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![team.to_string(), item.hash, item.bytes, now.0, sender_seq, envelope.bytes(), kind],
    )?;
    Ok(())
}

/// Brings a cached record up to date with the file, or loads it afresh.
pub(crate) fn refresh(conn: &Connection, team: TeamId, cached: Option<Cached>) -> Result<Cached, StoreError> {
    let generation: Option<i64> = conn
        .query_row(
            "SELECT generation FROM teams WHERE team_id = ?1",
            [team.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    let generation = generation.ok_or_else(|| StoreError::UnknownTeam(team.to_string()))?;
    match cached {
        Some(mut c) if c.generation == generation => {
            let mut stmt =
                conn.prepare_cached("SELECT seq, bytes FROM changes WHERE team_id = ?1 AND seq > ?2 ORDER BY seq")?;
            let mut rows = stmt.query(params![team.to_string(), c.upto_seq])?;
            while let Some(row) = rows.next()? {
                c.record.apply(blob(row)?)?;
                c.upto_seq = row.get(0)?;
            }
            Ok(c)
        }
        _ => load(conn, team, generation),
    }
}

/// Loads a record: snapshot, then every change after it, in one `load`.
pub(crate) fn load(conn: &Connection, team: TeamId, generation: i64) -> Result<Cached, StoreError> {
    let snapshot: Option<Vec<u8>> = conn.query_row(
        "SELECT snapshot FROM teams WHERE team_id = ?1",
        [team.to_string()],
        |r| r.get(0),
    )?;
    let mut bytes = snapshot.unwrap_or_default();
    let mut upto_seq = 0;
    let mut stmt = conn.prepare_cached("SELECT seq, bytes FROM changes WHERE team_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([team.to_string()])?;
    while let Some(row) = rows.next()? {
        bytes.extend_from_slice(blob(row)?);
        upto_seq = row.get(0)?;
    }
    if bytes.is_empty() {
        return Err(StoreError::NotYetReceived(team.to_string()));
    }
    let record = CareRecord::load(&bytes).map_err(|e| match e {
        ModelError::Corrupt(detail) => StoreError::Corrupt {
            path: PathBuf::new(),
            detail: format!("team {team}: {detail}"),
        },
        other => other.into(),
    })?;
    Ok(Cached {
        record,
        generation,
        upto_seq,
    })
}

/// Column 1 of a changes row: the change bytes.
fn blob<'a>(row: &'a rusqlite::Row<'_>) -> Result<&'a [u8], StoreError> {
    match row.get_ref(1)? {
        rusqlite::types::ValueRef::Blob(b) => Ok(b),
        _ => Err(StoreError::Corrupt {
            path: PathBuf::new(),
            detail: "a change is not a blob".into(),
        }),
    }
}
