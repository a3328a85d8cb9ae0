//! What the operator allows, set by flags: who may start teams, how much a
//! team and a device may store, the free-space floor, and how many
//! connections anyone may hold. Anyone who reaches the port with a
//! self-made certificate is a stranger until a team's roster names them;
//! these bounds keep strangers (and a member gone wrong) from wearing the
//! relay down.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Policy {
    /// Any device may start a team (else only devices enrolled with a code
    /// from `sync-server enrol`).
    pub open_registration: bool,
    /// The most envelope bytes one team's log may hold.
    pub team_quota_bytes: u64,
    /// Appends one device may make per hour (a nurse makes tens a day; a
    /// laptop re-sending after a restore, a few thousand).
    pub device_appends_per_hour: f64,
    /// Below this much free disk, appends are refused (507) and reads go on.
    pub min_free_bytes: u64,
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    /// A request's headers must arrive within this, and an idle keep-alive
    /// connection is closed after it.
    pub header_timeout: Duration,
    /// Where the data lives, for the free-space check.
    pub data_dir: PathBuf,
}

impl Policy {
    /// Bounds for a store opened only to copy data into (no requests).
    pub fn for_migration(data_dir: PathBuf) -> Policy {
        Policy {
            open_registration: false,
            team_quota_bytes: u64::MAX,
            device_appends_per_hour: 0.0,
            min_free_bytes: 0,
            max_connections: 0,
            max_connections_per_ip: 0,
            header_timeout: Duration::from_secs(1),
            data_dir,
        }
    }
}

/// Free disk space under the data directory, read at most once a second.
#[derive(Debug)]
pub struct FreeSpace {
    dir: PathBuf,
    floor: u64,
    last: Mutex<Option<(Instant, u64)>>,
}

impl FreeSpace {
    pub fn new(dir: PathBuf, floor: u64) -> Self {
        FreeSpace {
            dir,
            floor,
            last: Mutex::new(None),
        }
    }

    /// Whether there is room for more appends.
    pub fn enough(&self) -> bool {
        if self.floor == 0 {
            return true;
        }
        let mut last = self.last.lock().expect("free space lock");
        let now = Instant::now();
        let free = match *last {
            Some((at, free)) if now.duration_since(at) < Duration::from_secs(1) => free,
            _ => {
                let free = rustix::fs::statvfs(&self.dir)
                    .map(|s| s.f_bavail.saturating_mul(s.f_frsize))
                    // Unknown: do not stop the relay over a failed check.
                    .unwrap_or(u64::MAX);
                *last = Some((now, free));
                free
            }
        };
        free >= self.floor
    }
}

/// Open connections, in all and per address: a new one over either cap is
/// closed at once.
#[derive(Debug, Default)]
pub struct Connections {
    total: AtomicUsize,
    per_ip: Mutex<std::collections::HashMap<IpAddr, usize>>,
    pub refused: AtomicU64,
}

/// One open connection; dropping it frees its place.
pub struct Slot {
    conns: Arc<Connections>,
    ip: IpAddr,
}

impl Connections {
    pub fn admit(self: &Arc<Self>, ip: IpAddr, policy: &Policy) -> Option<Slot> {
        let mut per_ip = self.per_ip.lock().expect("connection table");
        let here = per_ip.entry(ip).or_insert(0);
        if *here >= policy.max_connections_per_ip || self.total.load(Ordering::Relaxed) >= policy.max_connections {
            if *here == 0 {
                per_ip.remove(&ip);
            }
            self.refused.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        *here += 1;
        self.total.fetch_add(1, Ordering::Relaxed);
        Some(Slot {
            conns: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut per_ip = self.conns.per_ip.lock().expect("connection table");
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
        self.conns.total.fetch_sub(1, Ordering::Relaxed);
    }
}
