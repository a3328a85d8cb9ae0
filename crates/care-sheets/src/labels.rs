//! Every word a sheet prints that is not the record's own text, in Japanese
//! and English. The templates print only these and the record's values, so
//! a sheet in English is the same sheet with the other table.

use crate::Lang;

/// (key, Japanese, English).
const LABELS: &[(&str, &str, &str)] = &[
    // Sheet titles.
    ("emergency_title", "急変時対応シート", "Emergency information sheet"),
    (
        "summary_title",
        "看護サマリー（入院時情報提供書）",
        "Nursing summary (admission referral)",
    ),
    ("report_title", "訪問看護報告書", "Home-visit nursing report"),
    ("fax_title", "FAX送信のご案内", "Fax cover sheet"),
    // FAX cover.
    ("fax_to", "宛先", "To"),
    ("fax_from", "送信元", "From"),
    ("fax_date", "送信日", "Date"),
    ("fax_pages", "枚数（本状を含む）", "Pages (including this one)"),
    ("fax_note", "連絡事項", "Message"),
    (
        "fax_confidential",
        "個人情報を含みます。誤って届いた場合は破棄し、送信元へご連絡ください。",
        "Contains personal information. If received in error, please destroy it and call the sender.",
    ),
    // The patient.
    ("name", "氏名", "Name"),
    ("kana", "フリガナ", "Reading"),
    ("born", "生年月日", "Born"),
    ("age", "年齢", "Age"),
    ("age_unit", "歳", "y"),
    ("sex", "性別", "Sex"),
    ("address", "住所", "Address"),
    ("phone", "電話", "Phone"),
    ("fax", "FAX", "Fax"),
    ("care_level", "要介護度", "Care level"),
    ("diagnoses", "病名", "Diagnoses"),
    ("allergies", "アレルギー", "Allergies"),
    ("none", "なし", "none"),
    ("unknown", "記載なし", "not recorded"),
    ("medications", "服薬中の薬", "Current medications"),
    ("contacts", "連絡順（24時間）", "Whom to call, in order (24 h)"),
    ("key_person", "キーパーソン", "key person"),
    (
        "acp",
        "人生会議（ACP）・本人の希望",
        "Advance care planning: the patient's wishes",
    ),
    ("resuscitation", "蘇生の希望", "Resuscitation"),
    ("hospital", "希望する搬送先", "Hospital of choice"),
    ("discussed", "話し合った日・相手", "Discussed on / with"),
    (
        "readings",
        "最近の測定値（この方の基準）",
        "Latest readings (this patient's bands)",
    ),
    ("bands", "この方の基準", "Bands"),
    ("taken_at", "測定日時", "Taken"),
    ("bp", "血圧", "BP"),
    ("pulse", "脈拍", "Pulse"),
    ("temperature", "体温", "Temp."),
    ("spo2", "SpO2", "SpO2"),
    ("respiratory_rate", "呼吸数", "Resp."),
    ("consciousness", "意識(JCS)", "JCS"),
    ("glucose", "血糖", "Glucose"),
    ("attention", "要注意", "attention"),
    ("urgent", "緊急", "urgent"),
    ("doctor", "主治医", "Attending doctor"),
    ("care_manager", "ケアマネジャー", "Care manager"),
    ("station", "訪問看護ステーション", "Home-visit nursing station"),
    ("on_call", "24時間連絡先（当番）", "24-hour number (on call)"),
    ("made", "作成", "Made"),
    ("made_by", "作成者", "Made by"),
    ("saved_by", "最終保存", "Last saved"),
    // The summary.
    ("basic", "基本情報", "Patient"),
    ("family", "家族・連絡先", "Family and contacts"),
    ("summary_to", "宛先", "To"),
    ("summary_course", "現病歴・経過", "History and recent course"),
    ("summary_adl", "ADL・生活の状況", "ADL and daily life"),
    ("summary_problems", "看護上の問題点", "Nursing problems"),
    ("summary_requests", "継続看護へのお願い", "For continuing care"),
    (
        "consent_line",
        "本人・家族の同意に基づき情報を提供します。",
        "Sent with the consent of the patient and family.",
    ),
    // The report.
    ("report_to", "主治医", "To the attending doctor"),
    ("month", "対象月", "Month"),
    ("visit_days", "訪問日", "Visit days"),
    ("visits_count", "訪問回数", "Visits"),
    ("visit_mark_regular", "○ 訪問", "○ visit"),
    ("visit_mark_urgent", "◎ 緊急訪問", "◎ urgent visit"),
    ("chart", "バイタルサインの推移", "Vital signs over the month"),
    ("chart_day", "日", "day"),
    ("chart_bp_pulse", "血圧・脈拍", "BP / pulse"),
    ("chart_temp", "体温 (℃)", "Temp. (°C)"),
    ("systolic", "収縮期血圧", "Systolic"),
    ("diastolic", "拡張期血圧", "Diastolic"),
    ("no_readings", "この月の測定値はありません", "No readings this month"),
    ("report_course", "病状の経過", "Course of illness"),
    (
        "report_care",
        "看護・リハビリテーションの内容",
        "Nursing and rehabilitation given",
    ),
    ("report_home", "家庭での介護の状況", "Care at home"),
    ("report_special", "特記すべき事項", "Of note"),
    ("problems", "問題点", "Problems"),
    (
        "report_line",
        "上記のとおり、指定訪問看護の実施について報告いたします。",
        "We report the home-visit nursing given, as above.",
    ),
];

/// The label table for `lang`, as the templates read it.
pub fn table(lang: Lang) -> serde_json::Map<String, serde_json::Value> {
    LABELS
        .iter()
        .map(|(k, ja, en)| {
            let v = match lang {
                Lang::Ja => ja,
                Lang::En => en,
            };
            (k.to_string(), serde_json::Value::String(v.to_string()))
        })
        .collect()
}

/// One label (for words the Rust side puts into values, such as flags).
pub fn get(lang: Lang, key: &str) -> &'static str {
    LABELS
        .iter()
        .find(|(k, ..)| *k == key)
        .map(|(_, ja, en)| match lang {
            Lang::Ja => *ja,
            Lang::En => *en,
        })
        .unwrap_or("?")
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<_> = super::LABELS.iter().map(|(k, ..)| *k).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }
}
