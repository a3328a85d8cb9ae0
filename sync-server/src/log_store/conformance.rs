//! One suite, every engine: what [`LogStore`] promises, checked with real
//! signed envelopes and roster ops against each engine the same way. A new
//! engine passes this before it serves anyone.

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use sync_proto::{Envelope, Header, MembershipOp, PayloadKind, Roster, TeamKey};

use super::*;
use crate::policy::Policy;

/// The team quota the suite's stores run with.
pub(super) const QUOTA: u64 = 64 * 1024;

pub(super) fn policy(dir: &std::path::Path) -> Arc<Policy> {
    Arc::new(Policy {
        open_registration: true,
        team_quota_bytes: QUOTA,
        device_appends_per_hour: 1e9,
        min_free_bytes: 0,
        max_connections: 100,
        max_connections_per_ip: 100,
        header_timeout: std::time::Duration::from_secs(10),
        data_dir: dir.to_path_buf(),
    })
}

struct Device {
    id: [u8; 16],
    key: SigningKey,
}

impl Device {
    fn new() -> Device {
        Device {
            id: *uuid::Uuid::new_v4().as_bytes(),
            key: SigningKey::generate(&mut rand_core::OsRng),
        }
    }

    fn public(&self) -> DeviceKey {
        self.key.verifying_key().to_bytes()
    }
}

/// A team on `store` with `admin` its first member, and the roster kept
/// beside it (to sign removals against).
struct Team {
    id: TeamId,
    key: TeamKey,
    roster: Roster,
}

impl Team {
    async fn start(store: &Store, admin: &Device) -> Team {
        let id = *uuid::Uuid::new_v4().as_bytes();
        let mut team = Team {
            id,
            key: TeamKey::random(),
            roster: Roster::replay(&id, &[]),
        };
        team.op(store, MembershipOp::genesis(&id, &admin.id, "admin", &admin.key), admin)
            .await
            .unwrap();
        team
    }

    async fn op(&mut self, store: &Store, op: MembershipOp, peer: &Device) -> Result<u64, MemberError> {
        let seq = store.add_member_op(self.id, op.clone(), peer.public(), 1_000).await?;
        self.roster.apply(&self.id, &op, 1_000).unwrap();
        Ok(seq)
    }

    /// `who` joins on an invite from `by`.
    async fn join(&mut self, store: &Store, by: &Device, who: &Device) {
        let invite = SigningKey::generate(&mut rand_core::OsRng);
        let op = MembershipOp::invite(&self.id, &by.id, &by.key, &invite.verifying_key(), i64::MAX / 2);
        self.op(store, op, by).await.unwrap();
        let op = MembershipOp::join(&self.id, &who.id, "member", &who.key, &invite);
        self.op(store, op, who).await.unwrap();
    }

    fn envelope(&self, kind: PayloadKind, from: &Device, seq: u64, body: &[u8]) -> Envelope {
        let header = Header {
            kind,
            team: self.id,
            epoch: self.roster.epoch,
            sender: from.id,
            sender_seq: seq,
        };
        sync_proto::seal(&self.key, &from.key, header, body).unwrap()
    }

    fn change(&self, from: &Device, seq: u64, body: &[u8]) -> Envelope {
        self.envelope(PayloadKind::Changes, from, seq, body)
    }
}

/// Every case, in turn, on one store.
pub(super) async fn suite(store: Store) {
    assert!(!store.incarnation().is_empty());
    appends_are_durable_idempotent_and_numbered_per_team(&store).await;
    reads_page_the_log_with_its_running_hash(&store).await;
    the_roster_decides_who_may_write(&store).await;
    snapshots_only_grow_and_never_pass_the_log(&store).await;
    blobs_are_checked_stored_once_and_counted(&store).await;
    invites_go_to_one_claimant(&store).await;
    checkpoints_never_shrink(&store).await;
}

async fn appends_are_durable_idempotent_and_numbered_per_team(store: &Store) {
    let a = Device::new();
    let team = Team::start(store, &a).await;
    let other = Team::start(store, &a).await;
    let mut live = store.subscribe(team.id);

    let first = team.change(&a, 1, b"one");
    let got = store.append(first.clone(), a.public(), 1).await.unwrap();
    assert_eq!(got, Appended { seq: 1, new: true });
    assert!(live.has_changed().unwrap(), "subscribers hear of the append");
    assert_eq!(live.borrow_and_update().seq, 1);
    // The same envelope again (its acknowledgement was lost): its first seq.
    let again = store.append(first, a.public(), 2).await.unwrap();
    assert_eq!(again, Appended { seq: 1, new: false });
    assert_eq!(
        store
            .append(team.change(&a, 2, b"two"), a.public(), 3)
            .await
            .unwrap()
            .seq,
        2
    );
    // Another team counts from 1.
    assert_eq!(
        store
            .append(other.change(&a, 1, b"x"), a.public(), 4)
            .await
            .unwrap()
            .seq,
        1
    );
    // The same sender seq with other bytes.
    let reused = store.append(team.change(&a, 2, b"not two"), a.public(), 5).await;
    assert!(matches!(reused, Err(AppendError::SenderSeqReused)), "{reused:?}");
    // A team the store does not have.
    let nobody = Team {
        id: [9; 16],
        key: TeamKey::random(),
        roster: Roster::replay(&[9; 16], &[]),
    };
    let unknown = store.append(nobody.change(&a, 1, b"?"), a.public(), 6).await;
    assert!(matches!(unknown, Err(AppendError::UnknownTeam)), "{unknown:?}");
    // Past the quota: refused, nothing stored.
    let big = vec![7u8; QUOTA as usize];
    let over = store.append(team.change(&a, 3, &big), a.public(), 7).await;
    assert!(matches!(over, Err(AppendError::TeamQuota)), "{over:?}");
    assert_eq!(store.read(team.id, 0, 100).await.unwrap().high_water, 2);
}

async fn reads_page_the_log_with_its_running_hash(store: &Store) {
    let a = Device::new();
    let team = Team::start(store, &a).await;
    let sent: Vec<Envelope> = (1..=3)
        .map(|i| team.change(&a, i, format!("entry {i}").as_bytes()))
        .collect();
    for e in &sent {
        store.append(e.clone(), a.public(), 1).await.unwrap();
    }
    let page = store.read(team.id, 0, 100).await.unwrap();
    let got: Vec<(u64, &[u8])> = page.envelopes.iter().map(|(s, b)| (*s, b.as_slice())).collect();
    let want: Vec<(u64, &[u8])> = sent.iter().zip(1..).map(|(e, s)| (s, e.bytes())).collect();
    assert_eq!(got, want, "the log in order, byte for byte");
    assert_eq!((page.high_water, page.roster_ops, page.snapshot), (3, 1, 0));
    assert!(page.damaged.is_empty());
    let mut chain = [0u8; 32];
    let mut chains = vec![chain];
    for e in &sent {
        chain = chain_next(&chain, &e.id());
        chains.push(chain);
    }
    assert_eq!((page.chain_after, page.chain_end), (chains[0], chains[3]));
    // After a cursor, and a short page: the hash at both ends.
    let page = store.read(team.id, 1, 1).await.unwrap();
    assert_eq!(page.envelopes.len(), 1);
    assert_eq!(page.envelopes[0].0, 2);
    assert_eq!((page.chain_after, page.chain_end), (chains[1], chains[2]));
    assert_eq!(page.high_water, 3);
    // Past the end: nothing, the hash where it stands.
    let page = store.read(team.id, 3, 10).await.unwrap();
    assert!(page.envelopes.is_empty());
    assert_eq!((page.chain_after, page.chain_end), (chains[3], chains[3]));
    // A reported envelope that verifies is not damaged.
    assert!(!store.report_damaged(team.id, 2).await.unwrap());
    assert!(!store.report_damaged(team.id, 99).await.unwrap());
}

async fn the_roster_decides_who_may_write(store: &Store) {
    let (a, b, stranger) = (Device::new(), Device::new(), Device::new());
    let mut team = Team::start(store, &a).await;
    assert_eq!(store.membership(team.id, a.public()).await.unwrap(), Membership::Member);
    assert_eq!(
        store.membership(team.id, b.public()).await.unwrap(),
        Membership::Stranger
    );
    // An op speaking for someone else.
    let forged = MembershipOp::genesis(&team.id, &b.id, "b", &b.key);
    let refused = store.add_member_op(team.id, forged, a.public(), 1).await;
    assert!(matches!(refused, Err(MemberError::Refused(_))), "{refused:?}");

    team.join(store, &a, &b).await;
    assert_eq!(store.membership(team.id, b.public()).await.unwrap(), Membership::Member);
    assert!(!store.is_family(team.id, b.public()).await.unwrap());
    let ops = store.member_ops(team.id).await.unwrap();
    assert_eq!(ops.len(), 3, "genesis, invite, join");
    // The same op again is the same op.
    let genesis: MembershipOp = serde_json::from_str(&ops[0].0).unwrap();
    assert_eq!(store.add_member_op(team.id, genesis, a.public(), 9).await.unwrap(), 1);

    assert!(store.append(team.change(&b, 1, b"from b"), b.public(), 1).await.is_ok());
    let by_stranger = store
        .append(team.change(&stranger, 1, b"?"), stranger.public(), 1)
        .await;
    assert!(matches!(by_stranger, Err(AppendError::NotMember)), "{by_stranger:?}");
    // Another's envelope given back by a member is taken (a restore); one
    // signed by someone else than its named sender is not.
    let mut forged = team.change(&stranger, 1, b"as b");
    forged = {
        let mut bytes = forged.into_bytes();
        bytes[22..38].copy_from_slice(&b.id);
        Envelope::parse(bytes).unwrap()
    };
    let r = store.append(forged, a.public(), 1).await;
    assert!(matches!(r, Err(AppendError::NotMember)), "{r:?}");

    // b is taken off: its new envelopes are refused, its standing says so.
    // (One it sealed before it knew, under the old epoch.)
    let late = team.change(&b, 2, b"after");
    let mut live = store.subscribe(team.id);
    let next_key = TeamKey::random();
    let op = MembershipOp::remove(&team.id, &a.id, &a.key, &b.id, &team.roster, &next_key);
    team.op(store, op, &a).await.unwrap();
    assert_eq!(
        store.membership(team.id, b.public()).await.unwrap(),
        Membership::Removed
    );
    assert!(live.has_changed().unwrap(), "a roster change is announced");
    assert_eq!(live.borrow_and_update().roster_ops, 4);
    let r = store.append(late.clone(), b.public(), 2).await;
    assert!(matches!(r, Err(AppendError::NotMember)), "{r:?}");
    let r = store.append(late, a.public(), 2).await;
    assert!(matches!(r, Err(AppendError::SenderRemoved)), "{r:?}");
    // Sealed under an epoch no removal reached.
    team.key = next_key;
    let mut ahead = team.change(&a, 1, b"ahead");
    ahead = {
        let mut bytes = ahead.into_bytes();
        bytes[18..22].copy_from_slice(&(team.roster.epoch + 1).to_be_bytes());
        Envelope::parse(bytes).unwrap()
    };
    // The header is signed: re-sign it as a's.
    let ahead = resign(ahead, &a.key);
    let r = store.append(ahead, a.public(), 3).await;
    assert!(matches!(r, Err(AppendError::EpochAhead)), "{r:?}");
}

/// The envelope with its signature made again by `key` (for a header
/// changed on purpose).
fn resign(env: Envelope, key: &SigningKey) -> Envelope {
    use ed25519_dalek::Signer;
    let mut bytes = env.into_bytes();
    bytes.truncate(bytes.len() - 64);
    let signature = key.sign(&bytes);
    bytes.extend_from_slice(&signature.to_bytes());
    Envelope::parse(bytes).unwrap()
}

async fn snapshots_only_grow_and_never_pass_the_log(store: &Store) {
    let a = Device::new();
    let team = Team::start(store, &a).await;
    assert_eq!(store.snapshot(team.id).await.unwrap(), None);
    for i in 1..=2 {
        store.append(team.change(&a, i, b"e"), a.public(), 1).await.unwrap();
    }
    let s2 = team.envelope(PayloadKind::Snapshot, &a, 2, b"snapshot at 2");
    assert!(store.put_snapshot(s2.clone(), a.public(), 1).await.unwrap());
    let s1 = team.envelope(PayloadKind::Snapshot, &a, 1, b"snapshot at 1");
    assert!(
        !store.put_snapshot(s1, a.public(), 2).await.unwrap(),
        "an older one is not kept"
    );
    let ahead = team.envelope(PayloadKind::Snapshot, &a, 3, b"snapshot at 3");
    assert!(matches!(
        store.put_snapshot(ahead, a.public(), 3).await,
        Err(AppendError::SnapshotAhead)
    ));
    let change = team.change(&a, 9, b"not a snapshot");
    assert!(store.put_snapshot(change, a.public(), 4).await.is_err());
    assert_eq!(store.snapshot(team.id).await.unwrap().as_deref(), Some(s2.bytes()));
    assert_eq!(store.read(team.id, 0, 10).await.unwrap().snapshot, 2);
}

async fn blobs_are_checked_stored_once_and_counted(store: &Store) {
    let a = Device::new();
    let team = Team::start(store, &a).await;
    let bytes = b"TSB1 sealed photo bytes".to_vec();
    let address = sync_proto::blob::address_of(&bytes);
    let blob = |address: [u8; 32], bytes: Vec<u8>| NewBlob {
        team: team.id,
        address,
        bytes,
        sender: a.public(),
    };
    assert!(matches!(
        store.put_blob(blob([1; 32], bytes.clone()), 1).await,
        Err(BlobPutError::WrongAddress)
    ));
    assert!(store.put_blob(blob(address, bytes.clone()), 1).await.unwrap());
    assert!(
        !store.put_blob(blob(address, bytes.clone()), 2).await.unwrap(),
        "stored once"
    );
    assert_eq!(store.blob(team.id, address).await.unwrap(), Some(bytes));
    assert_eq!(store.blob(team.id, [2; 32]).await.unwrap(), None);
    // Counted with the log: past the team's quota, refused.
    let big = vec![3u8; QUOTA as usize];
    let r = store.put_blob(blob(sync_proto::blob::address_of(&big), big), 3).await;
    assert!(matches!(r, Err(BlobPutError::TeamQuota)), "{r:?}");
}

async fn invites_go_to_one_claimant(store: &Store) {
    let a = Device::new();
    let team = Team::start(store, &a).await;
    let token = [4u8; 32];
    let claim_hash: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(token).into();
    let invite = NewInvite {
        id: [5; 32],
        team: team.id,
        claim_hash,
        sealed: b"sealed team key".to_vec(),
        invite_key: None,
        expires_ms: 10_000,
    };
    assert!(store.put_invite(invite, 1_000).await.unwrap());
    let (b, c) = (Device::new(), Device::new());
    assert!(matches!(
        store.claim_invite([5; 32], [0; 32], b.public(), 2_000).await,
        Err(ClaimError::NotFound)
    ));
    let got = store.claim_invite([5; 32], token, b.public(), 2_000).await.unwrap();
    assert_eq!(got, (team.id, b"sealed team key".to_vec()));
    // Asked again by the same device (its answer was lost): the same.
    assert_eq!(
        store.claim_invite([5; 32], token, b.public(), 3_000).await.unwrap(),
        got
    );
    assert!(matches!(
        store.claim_invite([5; 32], token, c.public(), 3_000).await,
        Err(ClaimError::Gone)
    ));
    // Expired: gone from the store.
    assert!(store.claim_invite([5; 32], token, b.public(), 20_000).await.is_err());
    assert!(matches!(
        store.enrol("no-such-code".into(), b.public(), 1).await,
        Err(EnrolError::Invalid)
    ));
}

async fn checkpoints_never_shrink(store: &Store) {
    let (a, b) = (Device::new(), Device::new());
    let mut team = Team::start(store, &a).await;
    team.join(store, &a, &b).await;
    let claim = |device: &Device, seq| ChainClaim {
        device: device.id,
        scope: None,
        seq,
        head: [seq as u8; 32],
    };
    let signed = store
        .audit_checkpoint(team.id, a.public(), claim(&a, 5), 1)
        .await
        .unwrap();
    assert_eq!(signed.seq, 5);
    let relay_key = store.audit_key().await.unwrap();
    assert_eq!(store.audit_key().await.unwrap(), relay_key, "one key, kept");
    assert!(matches!(
        store.audit_checkpoint(team.id, a.public(), claim(&a, 4), 2).await,
        Err(CheckpointError::Shorter { signed: 5 })
    ));
    assert!(matches!(
        store.audit_checkpoint(team.id, a.public(), claim(&b, 9), 2).await,
        Err(CheckpointError::NotYours)
    ));
    store
        .audit_checkpoint(team.id, b.public(), claim(&b, 1), 3)
        .await
        .unwrap();
    assert_eq!(store.audit_checkpoints(team.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_sqlite_engine_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite::SqliteStore::open(dir.path(), policy(dir.path())).unwrap();
    suite(Arc::new(store)).await;
}

use pg_throwaway::Cluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_engine_keeps_the_contract() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    let store = postgres::PgStore::open(&cluster.url(), policy(dir.path()))
        .await
        .unwrap();
    let incarnation = store.incarnation().to_string();
    suite(Arc::new(store)).await;
    // A second relay on the same database: the same incarnation, the same
    // data, and it hears the first one's appends.
    let first = postgres::PgStore::open(&cluster.url(), policy(dir.path()))
        .await
        .unwrap();
    let second: Store = Arc::new(
        postgres::PgStore::open(&cluster.url(), policy(dir.path()))
            .await
            .unwrap(),
    );
    assert_eq!(second.incarnation(), incarnation);
    let first: Store = Arc::new(first);
    let a = Device::new();
    let team = Team::start(&first, &a).await;
    let mut heard = second.subscribe(team.id);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await; // its LISTEN is up
    first.append(team.change(&a, 1, b"one"), a.public(), 1).await.unwrap();
    let hears = async {
        while heard.borrow_and_update().seq < 1 {
            heard.changed().await.unwrap();
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), hears)
        .await
        .expect("the other relay hears of the append within seconds");
    assert_eq!(second.read(team.id, 0, 10).await.unwrap().high_water, 1);
}

/// A SQLite relay's data copied into PostgreSQL reads the same: incarnation,
/// log pages with their running hashes, rosters, blobs, snapshots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_relay_migrated_into_postgres_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite: Store = Arc::new(sqlite::SqliteStore::open(dir.path(), policy(dir.path())).unwrap());
    let (a, b) = (Device::new(), Device::new());
    let mut team = Team::start(&sqlite, &a).await;
    team.join(&sqlite, &a, &b).await;
    for i in 1..=5 {
        sqlite
            .append(
                team.change(&a, i, format!("entry {i}").as_bytes()),
                a.public(),
                i as i64,
            )
            .await
            .unwrap();
    }
    let snapshot = team.envelope(PayloadKind::Snapshot, &a, 5, b"snapshot");
    sqlite.put_snapshot(snapshot, a.public(), 9).await.unwrap();
    let photo = b"TSB1 sealed".to_vec();
    let address = sync_proto::blob::address_of(&photo);
    sqlite
        .put_blob(
            NewBlob {
                team: team.id,
                address,
                bytes: photo.clone(),
                sender: a.public(),
            },
            9,
        )
        .await
        .unwrap();
    let before = sqlite.read(team.id, 2, 100).await.unwrap();
    let incarnation = sqlite.incarnation().to_string();
    let audit_key = sqlite.audit_key().await.unwrap();
    sqlite.close().await.unwrap();
    drop(sqlite);

    let cluster = Cluster::start();
    let target = postgres::PgStore::open(&cluster.url(), policy(dir.path()))
        .await
        .unwrap();
    let copied = postgres::migrate::from_sqlite(dir.path(), &target).await.unwrap();
    assert!(copied.tables.contains(&("envelopes", 5)), "{copied:?}");
    // Into a store that holds teams: refused.
    assert!(postgres::migrate::from_sqlite(dir.path(), &target).await.is_err());

    let pg: Store = Arc::new(
        postgres::PgStore::open(&cluster.url(), policy(dir.path()))
            .await
            .unwrap(),
    );
    assert_eq!(pg.incarnation(), incarnation, "laptops see the same relay");
    assert_eq!(pg.audit_key().await.unwrap(), audit_key);
    let after = pg.read(team.id, 2, 100).await.unwrap();
    assert_eq!(after.envelopes, before.envelopes);
    assert_eq!(
        (
            after.chain_after,
            after.chain_end,
            after.high_water,
            after.roster_ops,
            after.snapshot
        ),
        (
            before.chain_after,
            before.chain_end,
            before.high_water,
            before.roster_ops,
            before.snapshot
        )
    );
    assert_eq!(pg.membership(team.id, b.public()).await.unwrap(), Membership::Member);
    assert_eq!(pg.blob(team.id, address).await.unwrap(), Some(photo));
    // The log goes on where it was.
    let next = pg
        .append(team.change(&a, 6, b"after the move"), a.public(), 10)
        .await
        .unwrap();
    assert_eq!(next, Appended { seq: 6, new: true });
    let page = pg.read(team.id, 5, 10).await.unwrap();
    assert_eq!(page.chain_after, before.chain_end);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_engine_speaks_tls_and_checks_the_certificate() {
    let server = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cluster = Cluster::start_tls(&server.cert.pem(), &server.key_pair.serialize_pem());
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, server.cert.pem()).unwrap();
    let url = |root: &std::path::Path| {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres sslmode=require sslrootcert={}",
            cluster.port(),
            root.display()
        )
    };
    let store = postgres::PgStore::open(&url(&ca), policy(dir.path())).await.unwrap();
    let ssl: bool = store
        .pool
        .get()
        .await
        .unwrap()
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    assert!(ssl, "the relay's connection is encrypted");
    suite(Arc::new(store)).await;
    // A server whose certificate the given authority did not sign is refused.
    let stranger = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let other = dir.path().join("other.pem");
    std::fs::write(&other, stranger.cert.pem()).unwrap();
    let refused = postgres::PgStore::open(&url(&other), policy(dir.path())).await;
    let message = refused.err().expect("refused").to_string();
    assert!(message.to_lowercase().contains("certificate"), "{message}");
}
