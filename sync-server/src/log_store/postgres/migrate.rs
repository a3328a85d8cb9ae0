//! `sync-server migrate`: a SQLite relay's data copied into PostgreSQL,
//! row for row, in one transaction. The incarnation and the audit key go
//! with it and every envelope keeps its seq and running hash, so laptops
//! notice nothing: the same cursors, no restore detected, the same
//! checkpoint key pinned.

use std::path::Path;

use rusqlite::OpenFlags;
use tokio_postgres::types::{ToSql, Type};

use super::PgStore;
use crate::log_store::StoreError;

/// What was copied, table by table.
#[derive(Debug, Default)]
pub struct Copied {
    pub tables: Vec<(&'static str, usize)>,
}

/// Each table and its columns, the same on both engines.
const TABLES: &[(&str, &[&str])] = &[
    (
        "envelopes",
        &[
            "team",
            "seq",
            "id",
            "sender",
            "sender_seq",
            "bytes",
            "received_at",
            "chain",
        ],
    ),
    ("usage", &["team", "bytes"]),
    ("damaged", &["team", "seq"]),
    ("members", &["team", "seq", "id", "op", "received_at", "log_len"]),
    (
        "invites",
        &[
            "id",
            "team",
            "claim_hash",
            "sealed",
            "expires_ms",
            "used_at",
            "claimed_by",
            "invite_key",
        ],
    ),
    ("snapshots", &["team", "covers", "bytes", "received_at"]),
    ("enrolment_codes", &["code_hash", "expires_ms", "used_by"]),
    ("enrolled", &["device_key", "enrolled_at"]),
    ("audit_checkpoints", &["team", "device", "scope", "seq", "checkpoint"]),
    ("blobs", &["team", "address", "bytes", "sender", "received_at"]),
    ("meta", &["key", "value"]),
];

/// A value read from SQLite, as PostgreSQL takes it.
#[derive(Debug)]
enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// Typed NULLs: PostgreSQL checks a parameter's type even when it is NULL.
static NULL_INT: Option<i64> = None;
static NULL_TEXT: Option<String> = None;
static NULL_BYTES: Option<Vec<u8>> = None;

impl Value {
    fn param(&self, ty: &Type) -> &(dyn ToSql + Sync) {
        match self {
            Value::Null if *ty == Type::BYTEA => &NULL_BYTES,
            Value::Null if *ty == Type::TEXT => &NULL_TEXT,
            Value::Null => &NULL_INT,
            Value::Int(i) => i,
            Value::Text(t) => t,
            Value::Bytes(b) => b,
        }
    }
}

/// Copies the relay database in `dir` (the relay stopped) into the empty
/// PostgreSQL store at `url`.
pub async fn from_sqlite(dir: &Path, store: &PgStore) -> Result<Copied, StoreError> {
    let file = dir.join("relay.db");
    if !file.exists() {
        return Err(StoreError::Postgres(format!("{} does not exist", file.display())));
    }
    let sqlite = rusqlite::Connection::open_with_flags(&file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut client = store.pool.get().await?;
    let tx = client.transaction().await?;
    let held: i64 = tx.query_one("SELECT count(*) FROM members", &[]).await?.get(0);
    if held > 0 {
        return Err(StoreError::Postgres(
            "the PostgreSQL store already holds teams: migrate into an empty database".into(),
        ));
    }
    // The new store's own incarnation and audit key give way to the old.
    tx.execute("DELETE FROM meta", &[]).await?;
    let mut copied = Copied::default();
    for (table, columns) in TABLES {
        let list = columns.join(", ");
        let mut stmt = sqlite.prepare(&format!("SELECT {list} FROM {table}"))?;
        let rows: Vec<Vec<Value>> = stmt
            .query_map([], |r| {
                (0..columns.len())
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(n) => Value::Int(n),
                            rusqlite::types::ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into()),
                            rusqlite::types::ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                            rusqlite::types::ValueRef::Real(f) => Value::Int(f as i64),
                        })
                    })
                    .collect()
            })?
            .collect::<Result<_, _>>()?;
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let insert = tx
            .prepare(&format!(
                "INSERT INTO {table} ({list}) VALUES ({})",
                placeholders.join(", ")
            ))
            .await?;
        for row in &rows {
            let params: Vec<&(dyn ToSql + Sync)> = row.iter().zip(insert.params()).map(|(v, ty)| v.param(ty)).collect();
            tx.execute(&insert, &params).await?;
        }
        copied.tables.push((table, rows.len()));
    }
    // Each team's head: its last seq and the running hash there.
    let zero = [0u8; 32];
    tx.execute(
        "INSERT INTO heads (team, seq, chain)
         SELECT DISTINCT ON (team) team, seq, coalesce(chain, $1) FROM envelopes ORDER BY team, seq DESC",
        &[&zero.as_slice()],
    )
    .await?;
    // Teams with a roster and no envelope yet.
    tx.execute(
        "INSERT INTO heads (team, seq, chain)
         SELECT DISTINCT team, 0, $1::bytea FROM members ON CONFLICT (team) DO NOTHING",
        &[&zero.as_slice()],
    )
    .await?;
    tx.commit().await?;
    Ok(copied)
}
