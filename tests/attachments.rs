//! Photos through the real CLI and a real relay: a photo attached offline
//! to a wound assessment on one laptop reaches another — the thumbnail with
//! the next sync, the full file when opened — without its location; the
//! relay stores a file once however often it is sent, refuses one past
//! 10 MB and one that does not match its address, and never holds a
//! photo's bytes in clear.

use std::path::Path;

use tsunagi_tests::{team_of, tsunagi, unlock, Laptop, Relay};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file under `dir`, recursively.
fn all_bytes(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_bytes(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[test]
fn a_wound_photo_attached_offline_reaches_the_other_laptop_thumbnail_first_without_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let a = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let b = Laptop::new(dir.path(), "鈴木 一郎", "nurse", "つばさ訪問看護ステーション");
    let team = team_of(&relay, &a, &[&b]);
    a.run(&["sync"]);
    b.run(&["sync"]);

    // Offline on A (no sync): a wound, an assessment, two photos of it.
    let wound = a.json(&["wound", "add", &team, "--site", "仙骨部"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let assessment = a.json(&[
        "wound",
        "assess",
        &team,
        &wound[..8],
        "--depth",
        "D3",
        "--exudate",
        "e3",
        "--size",
        "s9",
        "--inflammation",
        "i1",
        "--granulation",
        "g3",
        "--necrotic",
        "N3",
        "--pocket",
        "p0",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let photo = care_files::sample_photo(1600, 1200, 1, "MARKER-GPS-自宅");
    let prepared = care_files::prepare(&photo).unwrap();
    let photo_path = dir.path().join("仙骨部_全体.jpg");
    std::fs::write(&photo_path, &photo).unwrap();
    let attached = a.json(&[
        "attach",
        &team,
        photo_path.to_str().unwrap(),
        "--wound",
        &wound[..8],
        "--caption",
        "全体",
    ])["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The same photo again: a second attachment, one stored file.
    a.run(&["attach", &team, photo_path.to_str().unwrap(), "--wound", &wound[..8]]);

    let on_a = a.json(&["attachment", "list", &team])["attachments"].clone();
    let first = on_a
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == attached.as_str())
        .unwrap();
    assert_eq!(
        first["assessment"],
        assessment.as_str(),
        "attached to the latest assessment"
    );
    assert_eq!(first["to"], "wound");
    assert_eq!(first["caption"], "全体");
    assert_eq!(
        (first["width"].as_u64(), first["height"].as_u64()),
        (Some(1600), Some(1200))
    );
    assert_eq!(on_a[0]["hash"], on_a[1]["hash"], "deduplicated by content");

    // A syncs: both blobs (file and thumbnail) go before the changes.
    let report: serde_json::Value = a.json(&["sync"]);
    let t = &report["teams"][0];
    assert_eq!(t["files_sent"], 2, "{report}");
    assert!(t["files_error"].is_null());

    // B syncs: the thumbnail comes at once, the full photo not yet.
    b.run(&["sync"]);
    let on_b = b.json(&["attachment", "list", &team])["attachments"].clone();
    let x = on_b
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == attached.as_str())
        .unwrap();
    assert_eq!(x["here"]["thumb"], true);
    assert_eq!(x["here"]["file"], false, "full files come on demand");
    // Opened: fetched from the relay, the photo without its EXIF location.
    let out = dir.path().join("got.jpg");
    b.run(&["attachment", "get", &team, &attached[..8], "-o", out.to_str().unwrap()]);
    let got = std::fs::read(&out).unwrap();
    assert_eq!(got, prepared.file);
    assert!(!contains(&got, "MARKER-GPS-自宅".as_bytes()) && !contains(&got, b"Exif\0\0"));
    let on_b = b.json(&["attachment", "list", &team])["attachments"].clone();
    assert!(on_b.as_array().unwrap().iter().all(|x| x["here"]["file"] == true));

    // Past 10 MB: refused on the laptop with a clear error, nothing saved.
    let big = dir.path().join("big.pdf");
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.resize(11 * 1024 * 1024, b' ');
    std::fs::write(&big, &bytes).unwrap();
    let out = tsunagi(&a.home, &["attach", &team, big.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("10 MB"), "{err}");
    assert_eq!(
        a.json(&["attachment", "list", &team])["attachments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // The relay's files: no stretch of the photo's pixels, no marker.
    relay.stop();
    let stretch = &prepared.file[prepared.file.len() / 2..prepared.file.len() / 2 + 48];
    for (path, bytes) in all_bytes(&dir.path().join("relay")) {
        assert!(!contains(&bytes, stretch), "photo bytes in clear in {}", path.display());
        assert!(!contains(&bytes, "MARKER-GPS-自宅".as_bytes()));
    }
}

#[tokio::test]
async fn the_relay_stores_a_blob_once_and_refuses_oversized_misaddressed_and_strangers_blobs() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("relay"));
    let a = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ");
    let team = team_of(&relay, &a, &[]);
    a.run(&["sync"]);
    let store = unlock(&a.home);
    let team_id: care_model::TeamId = team.parse().unwrap();
    let (_, key) = store.latest_team_key(team_id).unwrap();
    let client = relay.client_as(store.signing_key(), store.device_id().as_bytes());
    let id = *team_id.as_bytes();

    let sealed = sync_proto::seal_blob(&key, b"%PDF-1.7 a scanned instruction").unwrap();
    assert!(!client.put_blob(&id, &sealed.address, &sealed.bytes).await.unwrap());
    assert!(
        client.put_blob(&id, &sealed.address, &sealed.bytes).await.unwrap(),
        "the second put is a duplicate"
    );
    assert_eq!(client.blob(&id, &sealed.address).await.unwrap().unwrap(), sealed.bytes);
    assert_eq!(client.blob(&id, &[7; 32]).await.unwrap(), None);

    let refused = |e: sync_client::SyncError| match e {
        sync_client::SyncError::Refused { status, code, .. } => (status, code),
        other => panic!("{other}"),
    };
    // Bytes that are not what the address says.
    let e = client.put_blob(&id, &[9; 32], &sealed.bytes).await.unwrap_err();
    assert_eq!(refused(e), (400, "wrong_address".to_string()));
    // Past the limit: refused from its announced length (413, or the
    // connection closed before the rest of the body is read).
    let huge = vec![0u8; sync_proto::MAX_SEALED_BLOB_BYTES + 1];
    let address = sync_proto::blob::address_of(&huge);
    match client.put_blob(&id, &address, &huge).await.unwrap_err() {
        sync_client::SyncError::Refused { status, code, .. } => assert_eq!((status, code.as_str()), (413, "too_large")),
        sync_client::SyncError::Unreachable(_) => {}
        other => panic!("{other}"),
    }
    assert_eq!(client.blob(&id, &address).await.unwrap(), None, "nothing stored");
    // A device not on the team sees no such team.
    let stranger = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
    let other = relay.client_as(&stranger, &[3; 16]);
    let e = other.put_blob(&id, &sealed.address, &sealed.bytes).await.unwrap_err();
    assert_eq!(refused(e).0, 404);
    let e = other.blob(&id, &sealed.address).await;
    assert!(matches!(e, Ok(None)), "a stranger gets nothing");
}

#[test]
fn a_team_at_its_quota_keeps_the_photo_on_the_laptop_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start_with(
        &dir.path().join("relay"),
        "127.0.0.1:0",
        &["--open-registration", "--team-quota-mb", "1"],
    );
    let a = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ");
    let team = team_of(&relay, &a, &[]);
    a.run(&["sync"]);
    // A 2 MB scan (as PDF: kept byte for byte).
    let scan = dir.path().join("指示書.pdf");
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..2_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    std::fs::write(&scan, &bytes).unwrap();
    a.run(&["attach", &team, scan.to_str().unwrap()]);
    let report = a.json(&["sync"]);
    let t = &report["teams"][0];
    assert_eq!(t["files_sent"], 0);
    assert!(
        t["files_error"].as_str().is_some_and(|e| e.contains("quota")),
        "{report}"
    );
    // The entry itself went; the file waits on the laptop, whole.
    assert_eq!(a.pending(&team), 0);
    let out = dir.path().join("back.pdf");
    let listed = a.json(&["attachment", "list", &team]);
    let hash = listed["attachments"][0]["hash"].as_str().unwrap().to_string();
    a.run(&["attachment", "get", &team, &hash, "-o", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
}

/// A camera-like JPEG of about `mb` megabytes: fine noise over a gradient
/// (what makes a real photo large), different for each `seed`.
fn photo_of_about(mb: f64, seed: u32) -> Vec<u8> {
    let (w, h) = (3000, 2250);
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    let pixels = image::RgbImage::from_fn(w, h, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = state & 0x3f;
        image::Rgb([((x * 200 / w) + n) as u8, ((y * 200 / h) + n) as u8, (120 + n) as u8])
    });
    // Quality picked so the file lands near the size asked for.
    for quality in [70u8, 80, 88, 94, 98] {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .encode_image(&pixels)
            .unwrap();
        if out.len() as f64 >= mb * 1_000_000.0 * 0.9 {
            return out;
        }
    }
    panic!("could not make a {mb} MB photo");
}

fn dir_bytes(dir: &Path) -> u64 {
    all_bytes(dir).iter().map(|(_, b)| b.len() as u64).sum()
}

/// Not a check: from attaching a 3 MB photo on one laptop to its thumbnail
/// on another, and what the relay keeps per photo
/// (`cargo test --release -p tsunagi-tests --test attachments -- --ignored --nocapture`).
#[test]
#[ignore]
fn figure_a_3mb_photo_from_one_laptop_to_a_thumbnail_on_another() {
    let dir = tempfile::tempdir().unwrap();
    let relay_dir = dir.path().join("relay");
    let relay = Relay::start(&relay_dir);
    let a = Laptop::new(dir.path(), "佐藤 花子", "nurse", "つばさ訪問看護ステーション");
    let b = Laptop::new(dir.path(), "鈴木 一郎", "nurse", "つばさ訪問看護ステーション");
    let team = team_of(&relay, &a, &[&b]);
    a.run(&["sync"]);
    b.run(&["sync"]);
    let wound = a.json(&["wound", "add", &team, "--site", "仙骨部"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.run(&["sync"]);
    b.run(&["sync"]);
    let runs = 7;
    let photos: Vec<Vec<u8>> = (0..runs).map(|i| photo_of_about(3.0, i + 1)).collect();
    let before = dir_bytes(&relay_dir);
    let (mut total, mut attach, mut relay_leg) = (Vec::new(), Vec::new(), Vec::new());
    for (i, photo) in photos.iter().enumerate() {
        let path = dir.path().join(format!("photo-{i}.jpg"));
        std::fs::write(&path, photo).unwrap();
        let started = std::time::Instant::now();
        let id = a.json(&["attach", &team, path.to_str().unwrap(), "--wound", &wound[..8]])["id"]
            .as_str()
            .unwrap()
            .to_string();
        attach.push(started.elapsed());
        let synced = std::time::Instant::now();
        a.run(&["sync"]);
        b.run(&["sync"]);
        relay_leg.push(synced.elapsed());
        total.push(started.elapsed());
        let on_b = b.json(&["attachment", "list", &team])["attachments"].clone();
        let x = on_b
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id.as_str())
            .unwrap();
        assert_eq!(x["here"]["thumb"], true, "the thumbnail is on B");
    }
    relay.stop();
    let after = dir_bytes(&relay_dir);
    let median = |v: &mut Vec<std::time::Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mean_photo = photos.iter().map(|p| p.len()).sum::<usize>() as f64 / photos.len() as f64;
    println!(
        "{runs} photos of {:.2} MB (mean): attach→thumbnail on B p50 {:?} (max {:?}); attach alone p50 {:?}; \
         A sync + B sync p50 {:?}; relay storage per photo {:.2} MB (data directory grew {:.2} MB)",
        mean_photo / 1e6,
        median(&mut total),
        total.iter().max().unwrap(),
        median(&mut attach),
        median(&mut relay_leg),
        (after - before) as f64 / runs as f64 / 1e6,
        (after - before) as f64 / 1e6,
    );
}
