fn main() {
    let dir = std::env::temp_dir().join(format!("cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (m, t) in [(65536, 3), (65536, 2), (131072, 2), (47104, 2)] {
        let cost = profile_lock::Cost { m_kib: m, t, p: 1 };
        let _ = std::fs::remove_file(profile_lock::Lock::path_in(&dir));
        profile_lock::Lock::create(&dir, "correct horse", None, cost).unwrap();
        let mut lock = profile_lock::Lock::load(&dir).unwrap();
        let t0 = std::time::Instant::now();
        lock.unlock("correct horse", None, 0).unwrap();
        println!("m={m} t={t}: {:?}", t0.elapsed());
    }
}
