//! Helpers for the workspace integration tests: start the real relay binary
//! on 127.0.0.1:0, read the address and fingerprint it prints, kill it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A built workspace binary (`scripts/test.sh` builds them before the tests),
/// beside this executable or one directory up (tests live in `deps/`).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let here = exe.parent().expect("target/<profile>");
    let path = [here.join(name), here.parent().expect("target").join(name)]
        .into_iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| here.join(name));
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins` first",
        path.display()
    );
    path
}

/// A running relay process.
pub struct Relay {
    child: Child,
    pub url: String,
    pub fingerprint: String,
    pub data: PathBuf,
}

impl Relay {
    pub fn start(data: &Path) -> Relay {
        Self::start_on(data, "127.0.0.1:0")
    }

    /// Starts on a given address, e.g. the one a killed relay had.
    pub fn start_on(data: &Path, listen: &str) -> Relay {
        // Tests start teams from fresh profiles, and the bench holds 10,000
        // connections from one address.
        Self::start_with(
            data,
            listen,
            &[
                "--open-registration",
                "--max-connections-per-ip",
                "20000",
                "--min-free-mb",
                "0",
            ],
        )
    }

    /// Starts with the given flags (beyond --listen and --data).
    pub fn start_with(data: &Path, listen: &str, flags: &[&str]) -> Relay {
        Self::start_binary(&binary("sync-server"), data, listen, flags)
    }

    /// Starts the relay binary at `program` (another build, for a bench).
    pub fn start_binary(program: &Path, data: &Path, listen: &str, flags: &[&str]) -> Relay {
        let mut child = Command::new(program)
            .args(["--listen", listen, "--data"])
            .arg(data)
            .args(flags)
            .env("TSUNAGI_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the relay starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut next = || lines.next().expect("the relay prints two lines").expect("readable");
        let url = next()
            .strip_prefix("listening on ")
            .expect("listening on https://ADDR")
            .to_string();
        let fingerprint = next()
            .strip_prefix("fingerprint ")
            .expect("fingerprint HEX")
            .to_string();
        assert_eq!(fingerprint.len(), 64, "fingerprint is 64 hex digits");
        Relay {
            child,
            url,
            fingerprint,
            data: data.to_path_buf(),
        }
    }

    /// `127.0.0.1:PORT`
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("https://")
    }

    /// A client without a device certificate (enough for `/health`).
    pub fn client(&self) -> sync_client::RelayClient {
        sync_client::RelayClient::new(&self.url, Some(&self.fingerprint), None).expect("client")
    }

    /// A client presenting the certificate of the device with this key.
    pub fn client_as(&self, key: &ed25519_dalek::SigningKey, device: &[u8; 16]) -> sync_client::RelayClient {
        let id = sync_client::Identity::for_device(key, device).expect("device certificate");
        sync_client::RelayClient::new(&self.url, Some(&self.fingerprint), Some(&id)).expect("client")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to flush or say goodbye.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }

    /// Stops it cleanly (SIGTERM), lets `between` work on its data
    /// directory (copy it, put a backup back), and starts it again on the
    /// same address with the same flags a test relay gets.
    pub fn restart(&mut self, between: impl FnOnce(&Path)) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
        assert!(self.child.wait().expect("reap").success(), "the relay stops cleanly");
        between(&self.data);
        let addr = self.addr().to_string();
        *self = Relay::start_on(&self.data, &addr);
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
        self.child.wait().expect("reap")
    }
}

/// `n` relays on one PostgreSQL store (`store`: its connection settings)
/// with one certificate (the first makes it, the others are given its
/// files), as an operator runs them; `extra` flags go to every relay.
pub fn relays_on_store(dir: &Path, store: &str, n: usize, extra: &[&str]) -> Vec<Relay> {
    let mut common = vec!["--open-registration", "--min-free-mb", "0", "--store", store];
    common.extend_from_slice(extra);
    let mut relays: Vec<Relay> = Vec::new();
    for i in 0..n {
        let mut flags: Vec<String> = common.iter().map(|f| f.to_string()).collect();
        if let Some(first) = relays.first() {
            for (flag, file) in [("--tls-cert", "relay-cert.pem"), ("--tls-key", "relay-key.pem")] {
                flags.push(flag.into());
                flags.push(first.data.join(file).to_str().expect("a UTF-8 path").into());
            }
        }
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        relays.push(Relay::start_with(
            &dir.join(format!("relay-{i}")),
            "127.0.0.1:0",
            &flags,
        ));
    }
    assert!(relays.iter().all(|r| r.fingerprint == relays[0].fingerprint));
    relays
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies a directory's files (a profile, a relay's data) as they are.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// The passphrase every test profile is locked with, in a file for
/// `TSUNAGI_PASSPHRASE_FILE`, as a script would give it.
pub const PASSPHRASE: &str = "test passphrase 合言葉";

/// The passphrase of profiles made by `seed-profile`.
pub const SAMPLE_PASSPHRASE: &str = "sample station 1";

/// The data key of a profile the CLI made (passphrase + keychain).
pub fn data_key(home: &Path) -> [u8; 32] {
    let keychain = profile_lock::SecretService::connect().ok();
    let unlocked = profile_lock::Lock::load(home)
        .unwrap()
        .unlock(
            PASSPHRASE,
            keychain.as_ref().map(|k| k as &dyn profile_lock::Keychain),
            0,
        )
        .expect("the test profile unlocks");
    *unlocked.key.bytes()
}

/// A raw connection to a CLI-made profile's database, as someone who knows
/// the passphrase could open it (to tamper with it, in tests).
pub fn raw_db(home: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(home.join("tsunagi.db")).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(data_key(home))))
        .unwrap();
    conn
}

/// Opens a profile the CLI made, as the CLI does (passphrase + keychain).
pub fn unlock(home: &Path) -> care_store::Store {
    let keychain = profile_lock::SecretService::connect().ok();
    care_store::profile::unlock(
        home,
        PASSPHRASE,
        keychain.as_ref().map(|k| k as &dyn profile_lock::Keychain),
        care_model::Timestamp(0),
    )
    .expect("the test profile unlocks")
    .store
}

pub fn passphrase_file() -> PathBuf {
    // Written once per test process, whichever test thread asks first.
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("tsunagi-test-passphrase-{}", std::process::id()));
        std::fs::write(&path, PASSPHRASE).expect("write the passphrase file");
        path
    })
    .clone()
}

/// A fixed key for tests that use the store directly: the database is still
/// encrypted with it for real.
pub fn test_key() -> care_store::StoreKey {
    care_store::StoreKey::from_bytes(&[7; 32])
}

/// The real `tsunagi` CLI with a profile directory and the test passphrase.
pub fn tsunagi_command(home: &Path) -> Command {
    let mut c = Command::new(binary("tsunagi"));
    c.arg("--home")
        .arg(home)
        .env("TSUNAGI_PASSPHRASE_FILE", passphrase_file())
        .env_remove("TSUNAGI_LOG");
    c
}

/// Runs the real `tsunagi` CLI with a profile directory.
pub fn tsunagi(home: &Path, args: &[&str]) -> std::process::Output {
    tsunagi_command(home).args(args).output().expect("tsunagi runs")
}

/// Runs `tsunagi`, which must succeed; returns stdout.
pub fn ok(home: &Path, args: &[&str]) -> String {
    let out = tsunagi(home, args);
    assert!(
        out.status.success(),
        "tsunagi {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// A team member for tests and benchmarks (a nurse of a realistic station).
pub fn member(name: &str) -> care_model::Member {
    care_model::Member {
        name: name.into(),
        kana: None,
        profession: care_model::Profession::Nurse,
        organisation: "つばさ訪問看護ステーション".into(),
        phone: None,
        email: None,
        fax: None,
        on_call: false,
    }
}

/// A laptop with its own profile, driven through the real `tsunagi` CLI.
pub struct Laptop {
    pub home: PathBuf,
}

impl Laptop {
    pub fn new(root: &Path, name: &str, profession: &str, org: &str) -> Laptop {
        let home = root.join(name);
        ok(
            &home,
            &["init", "--name", name, "--profession", profession, "--org", org],
        );
        Laptop { home }
    }
    pub fn run(&self, args: &[&str]) -> String {
        ok(&self.home, args).trim().to_string()
    }
    /// A command's `--json` answer.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.run(&all)).unwrap()
    }
    pub fn record(&self, team: &str) -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(&self.run(&["--json", "show", team])).unwrap();
        v.as_object_mut().unwrap().remove("pending");
        v
    }
    pub fn pending(&self, team: &str) -> u64 {
        let v: serde_json::Value = serde_json::from_str(&self.run(&["--json", "show", team])).unwrap();
        v["pending"].as_u64().unwrap()
    }
    /// Starts `tsunagi sync --watch` on this laptop, stderr piped.
    pub fn watch(&self) -> std::process::Child {
        tsunagi_command(&self.home)
            .args(["sync", "--watch"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }
    /// Whether `note` shows up in this laptop's record of `team` within 10 s,
    /// without this laptop asking.
    pub fn sees_note_soon(&self, team: &str, note: &str) -> bool {
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(10) {
            if self.record(team)["notes"].get(note).is_some() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    }
}

/// A team on `a`, joined by each of `others` with their own invite code.
pub fn team_of(relay: &Relay, a: &Laptop, others: &[&Laptop]) -> String {
    a.run(&["relay", "set", &relay.url, "--fingerprint", &relay.fingerprint]);
    let team = a.run(&[
        "team",
        "create",
        "--patient",
        "山田 太郎",
        "--kana",
        "ヤマダ タロウ",
        "--born",
        "昭和13年4月2日",
    ]);
    for o in others {
        let code = a.run(&["invite", &team]);
        let code = code.lines().last().unwrap();
        o.run(&["join", code]);
    }
    team
}

/// Adds a routine note to `team` as `store`'s member, now.
pub fn add_note(store: &mut care_store::Store, team: care_model::TeamId, text: &str) {
    let now = care_model::Timestamp::from_datetime(&chrono::Utc::now());
    store
        .change(team, "note.add", now, |tx| {
            tx.add_note(care_model::NewNote {
                text: text.into(),
                category: care_model::NoteCategory::Observation,
                urgency: care_model::Urgency::Routine,
            })
        })
        .expect("the note is saved");
}

/// TLS settings that accept any server certificate: for a stranger's
/// sockets in the flood tests, which need no relay identity.
pub fn any_certificate_tls() -> rustls::ClientConfig {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS 1.3 and 1.2")
        .dangerous()
        .with_custom_certificate_verifier(std::sync::Arc::new(AnyCert))
        .with_no_client_auth()
}

#[derive(Debug)]
struct AnyCert;

impl rustls::client::danger::ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _: &rustls_pki_types::CertificateDer<'_>,
        _: &[rustls_pki_types::CertificateDer<'_>],
        _: &rustls_pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls_pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &rustls_pki_types::CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &rustls_pki_types::CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}
