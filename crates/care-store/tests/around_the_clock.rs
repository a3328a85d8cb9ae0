//! A station's rota on the laptop, escalations told once, and the 傷病名
//! master loaded from the CP932 sample and looked up by kanji or kana.

mod common;

use care_model::escalation::Stage;
use care_model::*;
use care_store::disease_master::{parse_master, MasterKind};
use care_store::Store;
use common::*;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/byomei")
            .join(name),
    )
    .unwrap()
}

#[test]
fn a_station_holds_the_rota_and_stays_out_of_the_patients_list() {
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::init(home.path(), nurse(), Timestamp(0), &test_key()).unwrap();
    let patient = store
        .create_team(
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            Timestamp(1),
        )
        .unwrap();
    let station = store
        .create_station("つばさ訪問看護ステーション", Timestamp(2))
        .unwrap();
    let me = store.device().member;
    store
        .change(station, "rota.weekly", Timestamp(3), |tx| {
            for day in 1..=7 {
                tx.set_weekly_duty(
                    day,
                    Some(Duty {
                        nurse: Some(Person {
                            member: Some(me),
                            name: "佐藤 花子".into(),
                            phone: Some("090-1234-5678".into()),
                            ..Default::default()
                        }),
                        doctor: Some(Person {
                            name: "在宅医 待機グループ".into(),
                            phone: Some("03-9999-0000".into()),
                            ..Default::default()
                        }),
                    }),
                )?;
            }
            tx.set_rota_basics(Some("03-5555-0000".into()), 510)
        })
        .unwrap();
    let ids = |v: Vec<care_store::TeamSummary>| v.into_iter().map(|t| t.team).collect::<Vec<_>>();
    assert_eq!(ids(store.patient_teams().unwrap()), vec![patient]);
    assert_eq!(ids(store.stations().unwrap()), vec![station]);
    assert_eq!(store.teams().unwrap().len(), 2, "sync goes through both");
    let on_call = store.on_call(Timestamp(1_795_478_400_000)).unwrap();
    assert_eq!(on_call.len(), 1);
    assert_eq!(on_call[0].station, "つばさ訪問看護ステーション");
    assert_eq!(on_call[0].phone.as_deref(), Some("03-5555-0000"));
    assert_eq!(
        on_call[0].on_call.as_ref().unwrap().duty.nurse.as_ref().unwrap().member,
        Some(me)
    );
    // Reopened, the kind is still known.
    drop(store);
    let store = Store::open(home.path(), &test_key()).unwrap();
    assert_eq!(ids(store.stations().unwrap()), vec![station]);

    // What was told is told once.
    assert!(!store.told(patient, "n1", Stage::OnCall).unwrap());
    store.mark_told(patient, "n1", Stage::OnCall, Timestamp(5)).unwrap();
    store.mark_told(patient, "n1", Stage::OnCall, Timestamp(6)).unwrap();
    assert!(store.told(patient, "n1", Stage::OnCall).unwrap());
    assert!(!store.told(patient, "n1", Stage::Admins).unwrap());
}

#[test]
fn the_master_sample_loads_from_cp932_and_is_found_by_kanji_or_kana() {
    let (entries, loaded) = parse_master(MasterKind::Disease, &sample("b_sample.txt"), "20240601").unwrap();
    assert_eq!(loaded.abolished, 1, "an abolished name is left out");
    assert!(loaded.refused_lines.is_empty());
    let sah = entries.iter().find(|e| e.code == "4309001").unwrap();
    assert_eq!(sah.name, "くも膜下出血");
    assert_eq!(sah.icd10.as_deref(), Some("I60.9"), "the master's I609 kept as I60.9");
    let home = tempfile::tempdir().unwrap();
    let mut store = Store::init(home.path(), nurse(), Timestamp(0), &test_key()).unwrap();
    assert_eq!(store.master_version(MasterKind::Disease).unwrap(), None);
    store.load_master(&entries, &loaded).unwrap();
    let codes = |q: &str| -> Vec<String> {
        store
            .lookup_master(MasterKind::Disease, q)
            .unwrap()
            .into_iter()
            .map(|(e, _)| e.code)
            .collect()
    };
    // Kanji; hiragana and katakana readings against the half-width master.
    assert_eq!(codes("心不全"), vec!["4289014", "4280012"], "the plain name first");
    assert_eq!(codes("しんふぜん"), vec!["4289014", "4280012"]);
    assert_eq!(codes("マンセイシンフ"), vec!["4280012"]);
    assert_eq!(codes("4309"), vec!["4309001"]);
    assert!(codes("旧脳梗塞").is_empty());
    assert!(codes("%").is_empty(), "LIKE wildcards are literal");
    assert_eq!(
        store.master_version(MasterKind::Disease).unwrap().as_deref(),
        Some("20240601")
    );

    let (mods, loaded) = parse_master(MasterKind::Modifier, &sample("z_sample.txt"), "20240601").unwrap();
    assert_eq!(mods.len(), 6);
    store.load_master(&mods, &loaded).unwrap();
    let found = store.lookup_master(MasterKind::Modifier, "うたがい").unwrap();
    assert_eq!(found[0].0.code, "8002");

    // Not CP932, or not the layout: a clear error or the lines named.
    assert!(parse_master(MasterKind::Disease, &[0x82, 0xff, 0xff], "x").is_err());
    let (_, bad) = parse_master(MasterKind::Disease, "1,B,12,,1,\"x\"\r\n".as_bytes(), "x").unwrap();
    assert_eq!(bad.refused_lines, vec![1]);
}
