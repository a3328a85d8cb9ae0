//! The demo station (サンプル): one 訪問看護ステーション in 中野区 with its
//! nurses, clinics, care managers and pharmacies, and 30 invented patients
//! with eight weeks of twice-weekly visits (GLOSSARY.md). Names are common
//! surnames with common given names; phone numbers are 03-0000-xxxx.
//!
//! Other members' entries are written as those members and imported into the
//! local record; they stay on this laptop (it only sends what it wrote).

use care_model::{
    AcpDetails, Assignee, BedKind, CalendarDate, CareLevel, CareRecord, Certification, ChangeBytes, ConsentScope,
    Contact, DeviceId, Diagnosis, EntryForm, Insurance, InsuranceKind, MedicationDetails, Member, MemberId, ModelError,
    NewConsent, NewNote, NewTask, NoteCategory, Patient, Person, Priority, Profession, Resuscitation, Sex, TeamId,
    Timestamp, Urgency, VitalsForm, Writer,
};
use care_store::Store;

use crate::error::AppResult;

/// A small deterministic generator: the same station every time.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Roughly normal noise in [-spread, spread].
    fn noise(&mut self, spread: f64) -> f64 {
        let u = (0..3).map(|_| (self.below(1000) as f64) / 999.0).sum::<f64>() / 3.0;
        (u - 0.5) * 2.0 * spread
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn member(name: &str, kana: &str, profession: Profession, organisation: &str, phone: &str) -> Writer {
    Writer {
        member: MemberId::random(),
        device: DeviceId::random(),
        profile: Member {
            name: name.into(),
            kana: Some(kana.into()),
            profession,
            organisation: organisation.into(),
            phone: Some(phone.into()),
            email: None,
            fax: None,
            on_call: false,
        },
    }
}

const STATION: &str = "つばさ訪問看護ステーション中野";

fn staff() -> Vec<Writer> {
    use Profession::*;
    vec![
        member("伊藤 美咲", "イトウ ミサキ", Nurse, STATION, "03-0000-1102"),
        member("渡辺 由美", "ワタナベ ユミ", Nurse, STATION, "03-0000-1103"),
        member("山本 直子", "ヤマモト ナオコ", Nurse, STATION, "03-0000-1104"),
        member("中村 恵", "ナカムラ メグミ", Nurse, STATION, "03-0000-1105"),
        member("小林 早苗", "コバヤシ サナエ", Nurse, STATION, "03-0000-1106"),
        member("加藤 洋子", "カトウ ヨウコ", Nurse, STATION, "03-0000-1100"),
        member(
            "高橋 誠",
            "タカハシ マコト",
            Doctor,
            "高橋内科クリニック",
            "03-0000-2201",
        ),
        member(
            "田中 健一",
            "タナカ ケンイチ",
            Doctor,
            "なかの在宅クリニック",
            "03-0000-2301",
        ),
        member(
            "鈴木 和子",
            "スズキ カズコ",
            CareManager,
            "ケアプランさくら",
            "03-0000-3101",
        ),
        member(
            "佐藤 浩",
            "サトウ ヒロシ",
            CareManager,
            "中野居宅介護支援センター",
            "03-0000-3201",
        ),
        member("山本 剛", "ヤマモト ツヨシ", Pharmacist, "ひまわり薬局", "03-0000-4101"),
    ]
}

const SURNAMES: [(&str, &str); 10] = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
];
const WOMEN: [(&str, &str); 6] = [
    ("ハル", "ハル"),
    ("キヨ", "キヨ"),
    ("トシ子", "トシコ"),
    ("ヨシ子", "ヨシコ"),
    ("和子", "カズコ"),
    ("幸子", "サチコ"),
];
const MEN: [(&str, &str); 6] = [
    ("正雄", "マサオ"),
    ("清", "キヨシ"),
    ("茂", "シゲル"),
    ("勇", "イサム"),
    ("博", "ヒロシ"),
    ("武", "タケシ"),
];

/// The condition that shapes a patient's readings, notes and tasks.
#[derive(Clone, Copy, PartialEq)]
enum Condition {
    HeartFailure,
    Copd,
    Dementia,
    Stroke,
    Parkinson,
    Diabetes,
    Terminal,
    PressureUlcer,
    Als,
}

impl Condition {
    const ALL: [Condition; 9] = [
        Condition::HeartFailure,
        Condition::Copd,
        Condition::Dementia,
        Condition::Stroke,
        Condition::Parkinson,
        Condition::Diabetes,
        Condition::Terminal,
        Condition::PressureUlcer,
        Condition::Als,
    ];
    fn diagnosis(self) -> &'static str {
        match self {
            Condition::HeartFailure => "慢性心不全",
            Condition::Copd => "COPD（在宅酸素療法）",
            Condition::Dementia => "アルツハイマー型認知症",
            Condition::Stroke => "脳梗塞後遺症（左片麻痺）",
            Condition::Parkinson => "パーキンソン病",
            Condition::Diabetes => "2型糖尿病（インスリン）",
            Condition::Terminal => "膵臓がん末期（看取り期）",
            Condition::PressureUlcer => "仙骨部褥瘡",
            Condition::Als => "筋萎縮性側索硬化症（ALS）",
        }
    }
    /// ICD-10 (research/clinical.md §1).
    fn icd10(self) -> &'static str {
        match self {
            Condition::HeartFailure => "I50.0",
            Condition::Copd => "J44.9",
            Condition::Dementia => "G30.9",
            Condition::Stroke => "I69.3",
            Condition::Parkinson => "G20",
            Condition::Diabetes => "E11.9",
            Condition::Terminal => "C25.9",
            Condition::PressureUlcer => "L89.1",
            Condition::Als => "G12.2",
        }
    }
    fn notes(self) -> &'static [&'static str] {
        match self {
            Condition::HeartFailure => &[
                "下腿浮腫軽度。塩分制限について家族に再度説明。",
                "体重増加あり。息切れの訴えなし。利尿剤の内服を確認。",
            ],
            Condition::Copd => &[
                "在宅酸素 2L/分で経過。労作時の息切れ変わらず。",
                "口すぼめ呼吸を一緒に練習。痰の性状に変化なし。",
            ],
            Condition::Dementia => &[
                "日中は穏やかに過ごしている。服薬カレンダーで内服確認。",
                "夜間の徘徊あり、家族の疲労が強い。ケアマネへ報告。",
            ],
            Condition::Stroke => &[
                "リハビリ継続。歩行器で室内移動可能。",
                "嚥下状態良好。食事はとろみ付きで全量摂取。",
            ],
            Condition::Parkinson => &[
                "すくみ足あり。転倒なし。服薬時間を守れている。",
                "オフ時間が長くなってきたと本人より。主治医へ報告予定。",
            ],
            Condition::Diabetes => &[
                "インスリン自己注射の手技確認。問題なし。",
                "低血糖症状なし。足の観察で異常なし。",
            ],
            Condition::Terminal => &[
                "疼痛コントロール良好。家族と過ごす時間を大切にしている。",
                "経口摂取量低下。ご家族の思いを傾聴。",
            ],
            Condition::PressureUlcer => &[
                "本日入浴介助。背部に発赤あり、体位変換の頻度を増やすよう家族に説明。",
                "仙骨部褥瘡 DESIGN-R にて改善傾向。処置継続。",
            ],
            Condition::Als => &[
                "NPPV 夜間使用。呼吸状態安定。",
                "意思伝達装置の使用練習。ご本人の意欲あり。",
            ],
        }
    }
    fn task(self) -> &'static str {
        match self {
            Condition::HeartFailure => "体重測定の記録確認",
            Condition::Copd => "酸素ボンベの残量確認",
            Condition::Dementia => "服薬確認",
            Condition::Stroke => "担当者会議の日程調整",
            Condition::Parkinson => "主治医へ報告",
            Condition::Diabetes => "インスリン物品補充",
            Condition::Terminal => "点滴 / 輸液",
            Condition::PressureUlcer => "褥瘡処置",
            Condition::Als => "訪問看護指示書の更新依頼",
        }
    }
    fn medication(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Condition::HeartFailure => ("フロセミド錠20mg", "1錠", "朝食後"),
            Condition::Copd => ("チオトロピウム吸入", "1吸入", "1日1回"),
            Condition::Dementia => ("ドネペジル塩酸塩錠5mg", "1錠", "朝食後"),
            Condition::Stroke => ("クロピドグレル錠75mg", "1錠", "朝食後"),
            Condition::Parkinson => ("レボドパ・カルビドパ配合錠", "1錠", "毎食後"),
            Condition::Diabetes => ("インスリン グラルギン", "10単位", "就寝前"),
            Condition::Terminal => ("オキシコドン徐放錠5mg", "1錠", "12時間ごと"),
            Condition::PressureUlcer => ("ブロメライン軟膏", "適量", "1日1回"),
            Condition::Als => ("リルゾール錠50mg", "1錠", "朝夕食前"),
        }
    }
}

const DAY: i64 = 86_400_000;

/// Makes the station's teams in `store`; returns their ids.
pub fn load(store: &mut Store, now: Timestamp) -> AppResult<Vec<TeamId>> {
    let staff = staff();
    let mut dice = Dice(0x7375_6e61_6769_2121);
    let mut teams = Vec::new();
    let today = now.date_jst();
    for i in 0..30u64 {
        let condition = Condition::ALL[(i as usize) % Condition::ALL.len()];
        let female = dice.below(3) < 2;
        let (surname, s_kana) = SURNAMES[(i as usize * 7 + 3) % SURNAMES.len()];
        let (given, g_kana) = if female { *dice.pick(&WOMEN) } else { *dice.pick(&MEN) };
        let age = 70 + dice.below(30) as i32;
        let born = CalendarDate::new(
            chrono::Datelike::year(&today.0) - age,
            1 + dice.below(12) as u32,
            1 + dice.below(28) as u32,
        );
        let key = *dice.pick(&SURNAMES);
        let patient = Patient {
            name: format!("{surname} {given}"),
            kana: Some(format!("{s_kana} {g_kana}")),
            born,
            sex: Some(if female { Sex::Female } else { Sex::Male }),
            address: Some(format!(
                "東京都中野区中野{}丁目{}-{}",
                1 + i % 6,
                1 + dice.below(20),
                1 + dice.below(15)
            )),
            phone: Some(format!("03-0000-{:04}", 5000 + i)),
            diagnoses: vec![Diagnosis {
                name: condition.diagnosis().into(),
                code: Some(condition.icd10().into()),
            }],
            care_level: Some(*dice.pick(&[CareLevel::Care2, CareLevel::Care3, CareLevel::Care4, CareLevel::Care5])),
            // Certified for a year; some renew within the month.
            certification: Some({
                let until = today.add_days(20 + 30 * dice.below(12) as i64);
                Certification {
                    from: until.add_months(-12).add_days(1),
                    until,
                }
            }),
            insurance: Some(Insurance {
                kind: if matches!(condition, Condition::Terminal | Condition::Als | Condition::Parkinson) {
                    InsuranceKind::Medical
                } else {
                    InsuranceKind::Ltc
                },
                number: None,
            }),
            doctor: Some(Person {
                member: None,
                name: "中野 誠".into(),
                organisation: Some("なかの在宅クリニック".into()),
                phone: Some("03-0000-2300".into()),
                fax: Some("03-0000-2301".into()),
            }),
            care_manager: Some(Person {
                member: None,
                name: "高橋 由美".into(),
                organisation: Some("中野ケアプランセンター".into()),
                phone: Some("03-0000-3300".into()),
                fax: Some("03-0000-3301".into()),
            }),
            acp_details: Some(AcpDetails {
                resuscitation: Some(match condition {
                    Condition::Terminal => Resuscitation::Dnar,
                    _ => Resuscitation::Undecided,
                }),
                hospital: Some("中野総合病院".into()),
                discussed_on: Some(today.add_months(-3)),
                discussed_with: Some("本人・家族・主治医".into()),
            }),
            services: vec!["訪問看護 週2回".into(), "訪問介護".into()],
            allergies: if dice.below(4) == 0 {
                vec!["ペニシリン系".into()]
            } else {
                vec![]
            },
            problems: vec![condition.diagnosis().into()],
            acp: Some(
                match condition {
                    Condition::Terminal => "自宅での看取りを希望。救急搬送は希望しない（本人・長女と確認済み）。",
                    _ => "できる限り自宅で過ごしたい。急変時は主治医に連絡し相談。",
                }
                .into(),
            ),
            contacts: vec![
                Contact {
                    name: format!("{} {}", key.0, if female { "一郎" } else { "恵子" }),
                    kana: Some(format!("{} {}", key.1, if female { "イチロウ" } else { "ケイコ" })),
                    relation: if female { "長男" } else { "長女" }.into(),
                    phone: format!("090-0000-{:04}", 1000 + i),
                    key_person: true,
                },
                Contact {
                    name: "なかの在宅クリニック（夜間）".into(),
                    kana: None,
                    relation: "主治医".into(),
                    phone: "03-0000-2300".into(),
                    key_person: false,
                },
            ],
        };
        let team = store.create_team(patient, Timestamp(now.0 - 60 * DAY))?;
        let mut record = CareRecord::load(&store.record(team)?.save())?;
        let mut changes = history(&mut record, &staff, condition, i, &mut dice, now)?;
        // Consent to share, obtained by the care manager at the start; three
        // patients have none on record yet, as in a real station.
        if i % 10 != 9 {
            let consent = NewConsent {
                given_on: Timestamp(now.0 - 59 * DAY).date_jst(),
                given_by: "本人".into(),
                obtained_by: "高橋 由美（ケアマネジャー）".into(),
                scope: vec![ConsentScope::Team, ConsentScope::Family, ConsentScope::Hospital],
            };
            let nurse = &staff[(i % 5) as usize];
            let c = record.change(nurse, Timestamp(now.0 - 59 * DAY), "consent.record", |tx| {
                tx.record_consent(consent)
            })?;
            changes.extend(c.change);
        }
        store.import(team, &changes)?;
        teams.push(team);
    }
    Ok(teams)
}

/// Eight weeks of visits, tasks and medications for one patient.
fn history(
    record: &mut CareRecord,
    staff: &[Writer],
    condition: Condition,
    index: u64,
    dice: &mut Dice,
    now: Timestamp,
) -> Result<Vec<ChangeBytes>, ModelError> {
    let mut out = Vec::new();
    let mut keep = |c: Option<ChangeBytes>| out.extend(c);
    let nurse = &staff[(index % 5) as usize];
    let doctor = &staff[6 + (index % 2) as usize];
    let care_manager = &staff[8 + (index % 2) as usize];
    let pharmacist = &staff[10];
    let start = now.0 - 56 * DAY;
    let (med, dose, schedule) = condition.medication();
    let c = record.change(doctor, Timestamp(start), "med.add", |tx| {
        if condition == Condition::Copd {
            // A COPD patient on home oxygen lives at SpO2 88-92.
            tx.set_thresholds(&care_model::Thresholds {
                spo2: care_model::Band::new((Some(88.0), None), (Some(85.0), None)),
                ..Default::default()
            })?;
        }
        tx.add_medication(MedicationDetails {
            name: med.into(),
            dose: dose.into(),
            schedule: schedule.into(),
            prescriber: Some(doctor.profile.name.clone()),
            start: Some(Timestamp(start).date_jst()),
            stop: None,
        })
    })?;
    keep(c.change);
    let mut weight = 45.0 + dice.noise(8.0);
    let visits = 16;
    for v in 0..visits {
        let day = start + (v * 7 * DAY) / 2 + (9 + dice.below(7) as i64) * 3_600_000 - 9 * 3_600_000;
        let at = Timestamp(day.min(now.0 - 3_600_000));
        let writer = if v % 3 == 2 {
            &staff[(index as usize + 1) % 5]
        } else {
            nurse
        };
        let last_week = v >= visits - 2;
        if condition == Condition::HeartFailure && last_week {
            weight += 1.1; // the signal a nurse looks for: +2 kg in a week
        } else {
            weight += dice.noise(0.3);
        }
        let spo2 = match condition {
            Condition::Copd => 90.0 + dice.noise(2.0),
            _ => 96.0 + dice.noise(2.0),
        };
        let form = VitalsForm {
            bp: Some(format!(
                "{}/{}",
                128 + dice.noise(14.0) as i32,
                76 + dice.noise(8.0) as i32
            )),
            pulse: Some(format!("{}", 74 + dice.noise(10.0) as i32)),
            temperature: Some(format!("{:.1}", 36.6 + dice.noise(0.4))),
            spo2: Some(format!("{}", spo2.round())),
            weight: matches!(condition, Condition::HeartFailure | Condition::Terminal).then(|| format!("{weight:.1}")),
            glucose: (condition == Condition::Diabetes).then(|| format!("{}", 140 + dice.noise(40.0) as i32)),
            pain: (condition == Condition::Terminal).then(|| format!("{}", 2 + dice.below(3))),
            ..Default::default()
        };
        let text = *dice.pick(condition.notes());
        let c = record.change(writer, at, "visit", |tx| {
            tx.add_vitals(form.parse(Timestamp(at.0 - 600_000))?)?;
            tx.add_note(NewNote {
                text: text.into(),
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })?;
            Ok(())
        })?;
        keep(c.change);
    }
    // Tasks: one due today, one overdue for some, a standing one.
    let today = now.date_jst();
    let c = record.change(nurse, Timestamp(now.0 - 3 * DAY), "task.add", |tx| {
        tx.add_task(NewTask {
            title: condition.task().into(),
            assignee: Some(Assignee::Profession(Profession::Nurse)),
            due: Some(if index.is_multiple_of(4) {
                CalendarDate(today.0 - chrono::Days::new(2))
            } else {
                today
            }),
            priority: if index.is_multiple_of(3) {
                Priority::High
            } else {
                Priority::Normal
            },
        })?;
        tx.add_task(NewTask {
            title: "次回訪問日の調整".into(),
            assignee: Some(Assignee::Member(care_manager.member)),
            due: Some(CalendarDate(today.0 + chrono::Days::new(3))),
            priority: Priority::Normal,
        })
    })?;
    keep(c.change);
    let c = record.change(care_manager, Timestamp(now.0 - 5 * DAY), "note.add", |tx| {
        tx.add_note(NewNote {
            text: "サービス担当者会議を来週開催予定。ご家族の参加を確認済み。".into(),
            category: NoteCategory::Report,
            urgency: Urgency::Routine,
        })
    })?;
    keep(c.change);
    if index % 3 == 1 {
        let c = record.change(pharmacist, Timestamp(now.0 - 4 * DAY), "note.add", |tx| {
            tx.add_note(NewNote {
                text: "残薬調整済み。飲み忘れは週1回程度。一包化を提案。".into(),
                category: NoteCategory::Report,
                urgency: Urgency::Attention,
            })
        })?;
        keep(c.change);
    }
    // Two patients have an urgent note from last night nobody has acknowledged.
    if index == 1 || index == 10 {
        let c = record.change(
            &staff[(index as usize + 2) % 5],
            Timestamp(now.0 - 8 * 3_600_000),
            "note.add",
            |tx| {
                tx.add_note(NewNote {
                    text: "夜間に呼吸苦の訴えあり。SpO2 89%。主治医へ電話連絡済み。".into(),
                    category: NoteCategory::Report,
                    urgency: Urgency::Urgent,
                })
            },
        )?;
        keep(c.change);
    }
    Ok(out)
}

/// One sample organisation: (name, kind, specialties, visits homes, hours,
/// accepts, its person who keeps the entry, phone suffix).
type SampleOrg = (
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    &'static str,
    &'static [&'static str],
    (&'static str, &'static str, Profession),
    u32,
);

const REGION: &str = "中野区 在宅医療・介護資源（サンプル）";

const ORGS: [SampleOrg; 10] = [
    (
        "なかの在宅クリニック",
        "clinic",
        &["内科", "緩和ケア"],
        true,
        "平日 9:00-18:00（夜間・休日は24時間連絡先）",
        &["home_oxygen", "tpn", "end_of_life", "dementia", "gastrostomy"],
        ("中野 誠", "ナカノ マコト", Profession::Doctor),
        2300,
    ),
    (
        "ひふ在宅クリニック中野",
        "clinic",
        &["皮膚科"],
        true,
        "火・木 14:00-17:00 往診",
        &["pressure_ulcer"],
        ("皮膚 一郎", "ヒフ イチロウ", Profession::Doctor),
        2400,
    ),
    (
        "中野耳鼻咽喉科",
        "clinic",
        &["耳鼻咽喉科"],
        true,
        "水 午後 往診",
        &["tracheostomy"],
        ("耳鼻 春香", "ジビ ハルカ", Profession::Doctor),
        2500,
    ),
    (
        "こころの訪問診療所",
        "clinic",
        &["精神科"],
        true,
        "平日 10:00-17:00",
        &["psychiatric", "dementia"],
        ("心田 修", "ココロダ オサム", Profession::Doctor),
        2600,
    ),
    (
        "中野総合病院",
        "hospital",
        &["内科", "外科", "整形外科", "脳神経外科"],
        false,
        "地域連携室 平日 8:30-17:00",
        &[
            "home_oxygen",
            "ventilator",
            "tpn",
            "tracheostomy",
            "dialysis",
            "gastrostomy",
            "urinary_catheter",
        ],
        ("連携 真理", "レンケイ マリ", Profession::Nurse),
        2000,
    ),
    (
        "中野南病院",
        "hospital",
        &["内科", "リハビリテーション科"],
        false,
        "平日 9:00-17:00",
        &["gastrostomy", "urinary_catheter", "dementia", "end_of_life"],
        ("南 和子", "ミナミ カズコ", Profession::Nurse),
        2100,
    ),
    (
        "介護老人保健施設 なかの苑",
        "roken",
        &[],
        false,
        "相談 平日 9:00-17:30",
        &["gastrostomy", "dementia", "urinary_catheter"],
        ("苑田 良子", "ソノダ ヨシコ", Profession::CareManager),
        2700,
    ),
    (
        "なかの中央薬局",
        "pharmacy",
        &[],
        true,
        "平日 9:00-19:00・土 9:00-13:00",
        &["tpn"],
        ("薬師 拓也", "ヤクシ タクヤ", Profession::Pharmacist),
        2800,
    ),
    (
        "中野ケアプランセンター",
        "care_office",
        &[],
        false,
        "平日 8:30-17:30",
        &[],
        ("高橋 由美", "タカハシ ユミ", Profession::CareManager),
        3300,
    ),
    (
        "なかの訪問歯科",
        "dental",
        &["歯科", "口腔外科"],
        true,
        "月・金 往診",
        &[],
        ("歯科 翼", "シカ ツバサ", Profession::Dentist),
        2900,
    ),
];

/// The sample region's directory: ten organisations each keeping its own
/// entry (written as its own member), this laptop's station as the
/// eleventh (the user keeps it), and free beds posted 1 hour to 2 days ago
/// (one figure stale). All marked サンプル.
pub fn load_directory(store: &mut Store, now: Timestamp) -> AppResult<TeamId> {
    const HOUR: i64 = 3_600_000;
    let team = store.create_directory(REGION, Timestamp(now.0 - 30 * DAY))?;
    let mut record = CareRecord::load(&store.record(team)?.save())?;
    let mut changes = Vec::new();
    let mut ids = Vec::new();
    for (i, (name, kind, specialties, home_visits, hours, accepts, (person, kana, profession), phone)) in
        ORGS.iter().enumerate()
    {
        let writer = member(person, kana, *profession, name, &format!("03-0000-{phone}"));
        let form = EntryForm {
            name: (*name).into(),
            kind: (*kind).into(),
            specialties: specialties.iter().map(|s| s.to_string()).collect(),
            home_visits: *home_visits,
            area: if i % 3 == 0 {
                "中野区全域・杉並区東部"
            } else {
                "中野区全域"
            }
            .into(),
            hours: (*hours).into(),
            phone_24h: matches!(*kind, "clinic" | "hospital").then(|| format!("03-0000-{}", phone + 9)),
            phone: Some(format!("03-0000-{phone}")),
            fax: Some(format!("03-0000-{}", phone + 1)),
            address: Some(format!("東京都中野区中野{}丁目{}-{}", 1 + i % 6, 2 + i, 3 + i % 4)),
            accepts: accepts.iter().map(|s| s.to_string()).collect(),
            notes: "サンプルデータ（実在の機関ではありません）".into(),
        };
        let at = Timestamp(now.0 - (20 - i as i64) * DAY);
        let c = record.change(&writer, at, "directory.add", |tx| tx.add_directory_entry(&form))?;
        changes.extend(c.change);
        ids.push((writer, c.value));
    }
    // Today's beds: fresh at the hospitals, one of the 老健's a day and a half old.
    let beds: [(usize, BedKind, u32, i64); 5] = [
        (4, BedKind::Community, 2, 3 * HOUR),
        (4, BedKind::General, 0, 3 * HOUR),
        (5, BedKind::LongTerm, 1, 5 * HOUR),
        (6, BedKind::Roken, 1, HOUR),
        (6, BedKind::ShortStay, 2, 36 * HOUR),
    ];
    for (org, kind, free, ago) in beds {
        let (writer, id) = &ids[org];
        let at = Timestamp(now.0 - ago);
        let c = record.change(writer, at, "directory.beds", |tx| tx.post_beds(*id, kind, free, None))?;
        changes.extend(c.change);
    }
    store.import(team, &changes)?;
    // This laptop's own station: the user keeps it.
    let mine = EntryForm {
        name: STATION.into(),
        kind: "station".into(),
        specialties: vec![],
        home_visits: true,
        area: "中野区全域".into(),
        hours: "24時間対応".into(),
        phone_24h: Some("03-0000-1100".into()),
        phone: Some("03-0000-1101".into()),
        fax: Some("03-0000-1109".into()),
        address: None,
        accepts: [
            "gastrostomy",
            "home_oxygen",
            "tpn",
            "end_of_life",
            "dementia",
            "pressure_ulcer",
            "urinary_catheter",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        notes: "サンプルデータ（実在の機関ではありません）".into(),
    };
    store.change(team, "directory.add", Timestamp(now.0 - 25 * DAY), |tx| {
        tx.add_directory_entry(&mine)
    })?;
    Ok(team)
}
