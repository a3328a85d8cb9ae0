//! Readings and notes as one CSV for Excel: UTF-8 with a BOM (without it,
//! Excel in Japan reads UTF-8 as Shift_JIS and shows 文字化け), one row per
//! reading or note, oldest first, headers in Japanese.

use care_model::{Record, Timestamp};

const HEADER: [&str; 18] = [
    "種類",
    "日時",
    "記録者",
    "収縮期血圧",
    "拡張期血圧",
    "脈拍",
    "体温",
    "SpO2",
    "酸素(L/分)",
    "呼吸数",
    "体重",
    "血糖",
    "痛み(NRS)",
    "意識(JCS)",
    "メモ",
    "区分",
    "緊急度",
    "本文",
];

fn time(t: Timestamp) -> String {
    t.to_jst().format("%Y-%m-%d %H:%M").to_string()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The record's readings and notes as CSV bytes (UTF-8 with BOM, CRLF).
pub fn readings_and_notes(record: &Record) -> Vec<u8> {
    let mut rows: Vec<(Timestamp, Vec<String>)> = Vec::new();
    let name = |m: &care_model::MemberId| record.member_name(m).unwrap_or("?").to_string();
    for e in record.vitals.values() {
        let r = &e.reading;
        let glucose = match (r.glucose, r.glucose_flag) {
            (Some(g), _) => g.to_string(),
            (None, Some(f)) => f.code().to_string(),
            (None, None) => String::new(),
        };
        rows.push((
            r.taken_at,
            vec![
                "バイタル".into(),
                time(r.taken_at),
                name(&e.author),
                opt(r.systolic),
                opt(r.diastolic),
                opt(r.pulse),
                opt(r.temperature),
                opt(r.spo2),
                opt(r.oxygen),
                opt(r.respiratory_rate),
                opt(r.weight),
                glucose,
                opt(r.pain),
                r.consciousness.map(|j| j.label_ja().to_string()).unwrap_or_default(),
                r.note.clone().unwrap_or_default(),
                String::new(),
                String::new(),
                String::new(),
            ],
        ));
    }
    for n in record.notes.values() {
        let v = n.current();
        let mut row = vec!["経過記録".to_string(), time(n.written_at), name(&n.author)];
        row.extend(std::iter::repeat_n(String::new(), 12));
        row.extend([
            v.category.label_ja().to_string(),
            v.urgency.label_ja().to_string(),
            v.text.clone(),
        ]);
        rows.push((n.written_at, row));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(HEADER).expect("writing to memory");
        for (_, row) in rows {
            w.write_record(row).expect("writing to memory");
        }
        w.flush().expect("writing to memory");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use care_model::*;

    #[test]
    fn excel_gets_a_bom_japanese_headers_and_one_row_per_entry_oldest_first() {
        let w = care_model::fixtures::nurse();
        let t = |m: i64| Timestamp(1_795_478_400_000 + m * 60_000);
        let (mut r, _) = CareRecord::create(
            TeamId::random(),
            &w,
            Patient {
                name: "山田 太郎".into(),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
        r.change(&w, t(10), "visit", |tx| {
            tx.add_vitals(
                VitalsForm {
                    bp: Some("132/84".into()),
                    spo2: Some("96".into()),
                    ..Default::default()
                }
                .parse(t(9))?,
            )?;
            tx.add_note(NewNote {
                text: "入浴介助。\n皮膚, 発赤なし".into(),
                category: NoteCategory::Observation,
                urgency: Urgency::Routine,
            })
        })
        .unwrap();
        let bytes = readings_and_notes(&r.read().unwrap());
        assert_eq!(&bytes[..3], b"\xef\xbb\xbf", "UTF-8 BOM for Excel");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("種類,日時,記録者,収縮期血圧"));
        assert!(
            lines[1].starts_with("バイタル,2026-11-24 09:09,佐藤 花子,132,84,,,96"),
            "{}",
            lines[1]
        );
        // A comma and a line break inside a note are quoted, not split.
        assert!(text.contains("\"入浴介助。\n皮膚, 発赤なし\""), "{text}");
    }
}
