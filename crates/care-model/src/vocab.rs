//! The users' words: professions, note categories, urgency, care levels,
//! task states. Each has a stable code (stored in the document and typed on
//! the command line), a Japanese label (shown first) and an English one.

/// Defines a closed vocabulary stored as its code string.
macro_rules! vocab_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal, accepted: $accepted:literal {
        $($variant:ident = ($code:literal, $ja:literal, $en:literal)),+ $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code, as stored and typed.
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn label_ja(self) -> &'static str { match self { $($name::$variant => $ja),+ } }
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.code()) }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ValidationError;
            /// Accepts the code, the Japanese label or the English label.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == t || v.label_ja() == t || v.label_en().eq_ignore_ascii_case(t))
                    .ok_or_else(|| $crate::ValidationError { field: $field, value: s.to_string(), accepted: $accepted })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.code()) }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <String as ::serde::Deserialize>::deserialize(d)?.parse().map_err(::serde::de::Error::custom)
            }
        }

        impl ::autosurgeon::Reconcile for $name {
            type Key<'a> = ::autosurgeon::reconcile::NoKey;
            fn reconcile<R: ::autosurgeon::Reconciler>(&self, r: R) -> Result<(), R::Error> {
                ::autosurgeon::Reconcile::reconcile(self.code(), r)
            }
        }

        impl ::autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &'_ str) -> Result<Self, ::autosurgeon::HydrateError> {
                s.parse().map_err(|_| ::autosurgeon::HydrateError::unexpected($accepted, s.to_string()))
            }
        }
    };
}
pub(crate) use vocab_enum;

vocab_enum!(
    /// 職種: what a team member does.
    Profession, "profession",
    accepted: "nurse | doctor | care-manager | pharmacist | helper | therapist | dentist | hospital | family | other" {
    Nurse = ("nurse", "看護師", "nurse"),
    Doctor = ("doctor", "医師", "doctor"),
    CareManager = ("care-manager", "ケアマネジャー", "care manager"),
    Pharmacist = ("pharmacist", "薬剤師", "pharmacist"),
    Helper = ("helper", "ヘルパー", "home helper"),
    Therapist = ("therapist", "リハビリ職", "therapist"),
    Dentist = ("dentist", "歯科", "dental"),
    Hospital = ("hospital", "病院", "hospital staff"),
    Family = ("family", "家族", "family"),
    Other = ("other", "その他", "other"),
});

vocab_enum!(
    /// 記録の種類.
    NoteCategory, "category",
    accepted: "observation | instruction | report | handover | other" {
    Observation = ("observation", "観察", "observation"),
    Instruction = ("instruction", "指示", "instruction"),
    Report = ("report", "報告", "report"),
    Handover = ("handover", "申し送り", "handover"),
    Other = ("other", "その他", "other"),
});

vocab_enum!(
    /// 緊急度. Urgent is red and rare; attention amber; routine has no colour.
    Urgency, "urgency",
    accepted: "routine | attention | urgent" {
    Routine = ("routine", "通常", "routine"),
    Attention = ("attention", "要注意", "attention"),
    Urgent = ("urgent", "緊急", "urgent"),
});

vocab_enum!(
    /// 要介護度, plus the two states that are not levels.
    CareLevel, "care_level",
    accepted: "要支援1-2 | 要介護1-5 | 申請中 | 非該当" {
    Support1 = ("support-1", "要支援1", "support level 1"),
    Support2 = ("support-2", "要支援2", "support level 2"),
    Care1 = ("care-1", "要介護1", "care level 1"),
    Care2 = ("care-2", "要介護2", "care level 2"),
    Care3 = ("care-3", "要介護3", "care level 3"),
    Care4 = ("care-4", "要介護4", "care level 4"),
    Care5 = ("care-5", "要介護5", "care level 5"),
    Applied = ("applied", "申請中", "applied"),
    NotEligible = ("not-eligible", "非該当", "not eligible"),
});

vocab_enum!(
    Sex, "sex", accepted: "female | male | other" {
    Female = ("female", "女性", "female"),
    Male = ("male", "男性", "male"),
    Other = ("other", "その他", "other"),
});

vocab_enum!(
    TaskStatus, "status", accepted: "open | done | cancelled" {
    Open = ("open", "未完了", "open"),
    Done = ("done", "完了", "done"),
    Cancelled = ("cancelled", "中止", "cancelled"),
});

vocab_enum!(
    Priority, "priority", accepted: "low | normal | high" {
    Low = ("low", "低", "low"),
    Normal = ("normal", "通常", "normal"),
    High = ("high", "高", "high"),
});

vocab_enum!(
    /// 保険の種類: which insurance pays for the visits.
    InsuranceKind, "insurance", accepted: "medical | ltc" {
    Medical = ("medical", "医療保険", "health insurance"),
    Ltc = ("ltc", "介護保険", "long-term care insurance"),
});

vocab_enum!(
    /// 急変時の心肺蘇生の希望 (ACP).
    Resuscitation, "resuscitation", accepted: "dnar | full | undecided" {
    Dnar = ("dnar", "DNAR（蘇生処置を希望しない）", "DNAR (no resuscitation)"),
    Full = ("full", "蘇生処置を希望する", "full resuscitation"),
    Undecided = ("undecided", "未定", "undecided"),
});

vocab_enum!(
    /// 利用終了の理由: why a case closed.
    ClosureReason, "reason", accepted: "hospital | facility | death | moved | other" {
    Hospital = ("hospital", "入院", "admitted to hospital"),
    Facility = ("facility", "施設入所", "moved into a care home"),
    Death = ("death", "死亡・看取り", "died"),
    Moved = ("moved", "転居", "moved away"),
    Other = ("other", "その他", "other"),
});

/// The Japanese name of a field, for error messages.
pub fn field_label_ja(field: &str) -> &str {
    match field {
        "temperature" => "体温",
        "systolic" => "血圧 (上)",
        "diastolic" => "血圧 (下)",
        "bp" => "血圧",
        "pulse" => "脈拍",
        "spo2" => "SpO2",
        "oxygen" => "酸素",
        "respiratory_rate" => "呼吸数",
        "weight" => "体重",
        "glucose" => "血糖値",
        "pain" => "痛み (NRS)",
        "consciousness" => "意識レベル (JCS)",
        "due" => "期限",
        "born" => "生年月日",
        "date" | "start" | "stop" => "日付",
        "kana" => "よみがな",
        "name" => "氏名",
        "title" => "タイトル",
        "text" => "本文",
        "profession" => "職種",
        "category" => "種類",
        "urgency" => "緊急度",
        "care_level" => "要介護度",
        "sex" => "性別",
        "status" => "状態",
        "priority" => "優先度",
        "phone" => "電話番号",
        "fax" => "FAX番号",
        "code" => "ICD-10コード",
        "insurance" => "保険",
        "number" => "被保険者番号",
        "resuscitation" => "蘇生の希望",
        "reason" => "理由",
        "until" => "有効期間の終わり",
        "from" => "有効期間の始まり",
        "discussed_on" => "話し合った日",
        "order" => "連絡順",
        "contact" => "連絡先",
        "assignee" => "担当",
        "case" => "利用状況",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_accepts_code_japanese_and_english() {
        assert_eq!("care-manager".parse::<Profession>().unwrap(), Profession::CareManager);
        assert_eq!("ケアマネジャー".parse::<Profession>().unwrap(), Profession::CareManager);
        assert_eq!("申し送り".parse::<NoteCategory>().unwrap(), NoteCategory::Handover);
        assert_eq!("要介護3".parse::<CareLevel>().unwrap(), CareLevel::Care3);
        let e = "emergency".parse::<Urgency>().unwrap_err();
        assert!(e.to_string().contains("routine | attention | urgent"));
    }
}
