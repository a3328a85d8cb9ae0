//! Instants and calendar dates, written as Japanese users write them.
//!
//! Instants are milliseconds since the Unix epoch (UTC) in the document and
//! shown in Japan time (JST, UTC+9, no daylight saving). Calendar dates (birth,
//! due, start/stop) are plain dates with no time zone. Dates typed in 和暦
//! (昭和13年4月2日, 令和元年5月1日) are accepted wherever a date is.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// Japan Standard Time.
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// A moment as typed, in JST: `14:05` (the latest such time up to a few
/// minutes after `now`: "23:50" typed at 00:20 is last night) or
/// `2026-11-24 14:05` (also `/` and `T`).
pub fn parse_moment(field: &'static str, s: &str, now: Timestamp) -> Result<Timestamp, ValidationError> {
    use chrono::{NaiveDateTime, NaiveTime, TimeZone};
    let err = || ValidationError {
        field,
        value: s.to_string(),
        accepted: "HH:MM or YYYY-MM-DD HH:MM (JST)",
    };
    let t = normalise_digits(s.trim()).replace('：', ":");
    let now_local = now.to_jst().naive_local();
    let local = if let Ok(time) = NaiveTime::parse_from_str(&t, "%H:%M") {
        let today = now_local.date().and_time(time);
        if today > now_local + chrono::Duration::minutes(5) {
            today - chrono::Duration::days(1)
        } else {
            today
        }
    } else {
        ["%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(&t, f).ok())
            .ok_or_else(err)?
    };
    let at = jst().from_local_datetime(&local).single().ok_or_else(err)?;
    Ok(Timestamp::from_datetime(&at))
}

/// A moment, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_datetime<Tz: TimeZone>(t: &DateTime<Tz>) -> Self {
        Self(t.timestamp_millis())
    }
    pub fn to_jst(self) -> DateTime<FixedOffset> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or_default()
            .with_timezone(&jst())
    }
    /// `2026/11/24(火) 14:05`
    pub fn format_ja(self) -> String {
        let t = self.to_jst();
        format!(
            "{}/{:02}/{:02}({}) {}",
            t.year(),
            t.month(),
            t.day(),
            weekday_ja(t.weekday()),
            t.format("%H:%M")
        )
    }
    /// The calendar day this instant falls on in Japan.
    pub fn date_jst(self) -> CalendarDate {
        CalendarDate(self.to_jst().date_naive())
    }
}

impl Serialize for Timestamp {
    /// RFC 3339 in JST, e.g. `2026-11-24T14:05:00+09:00`, so exported JSON reads
    /// as local time and still parses anywhere.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.to_jst().to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| Timestamp::from_datetime(&t))
            .map_err(serde::de::Error::custom)
    }
}

impl Reconcile for Timestamp {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, r: R) -> Result<(), R::Error> {
        self.0.reconcile(r)
    }
}

impl Hydrate for Timestamp {
    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        Ok(Self(i))
    }
    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        Ok(Self(u as i64))
    }
}

/// A day on the calendar: a birth date, a due date, a prescription's start.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct CalendarDate(pub NaiveDate);

/// Dates before this are typing mistakes (the oldest living people were born
/// after 1900; 明治 starts 1868).
const EARLIEST: (i32, u32, u32) = (1868, 1, 1);
/// Dates after this are typing mistakes too.
const LATEST: (i32, u32, u32) = (2200, 12, 31);
const DATE_ACCEPTED: &str = "YYYY-MM-DD / YYYY/MM/DD / 和暦 (昭和13年4月2日), 1868–2200";

/// 和暦 eras: name, one-letter abbreviation, first day.
const ERAS: [(&str, char, (i32, u32, u32)); 5] = [
    ("令和", 'R', (2019, 5, 1)),
    ("平成", 'H', (1989, 1, 8)),
    ("昭和", 'S', (1926, 12, 25)),
    ("大正", 'T', (1912, 7, 30)),
    ("明治", 'M', (1868, 1, 25)),
];

impl CalendarDate {
    pub fn new(y: i32, m: u32, d: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(y, m, d).map(Self)
    }

    /// Parses a date as typed, refusing impossible or implausible ones.
    pub fn parse(field: &'static str, s: &str) -> Result<Self, ValidationError> {
        let err = || ValidationError {
            field,
            value: s.to_string(),
            accepted: DATE_ACCEPTED,
        };
        let t: String = normalise_digits(s.trim())
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let date = parse_western(&t).or_else(|| parse_wareki(&t)).ok_or_else(err)?;
        let lo = NaiveDate::from_ymd_opt(EARLIEST.0, EARLIEST.1, EARLIEST.2).expect("valid");
        let hi = NaiveDate::from_ymd_opt(LATEST.0, LATEST.1, LATEST.2).expect("valid");
        if date < lo || date > hi {
            return Err(err());
        }
        Ok(Self(date))
    }

    /// The moment this day begins in Japan (00:00 JST).
    pub fn start_jst(&self) -> Timestamp {
        let midnight = jst()
            .from_local_datetime(&self.0.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .single()
            .expect("JST has no gaps");
        Timestamp::from_datetime(&midnight)
    }

    /// `2026-11-24`: the form stored in the document and in JSON.
    pub fn iso(&self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// `2026年11月24日(火)`
    pub fn format_ja(&self) -> String {
        format!(
            "{}年{}月{}日({})",
            self.0.year(),
            self.0.month(),
            self.0.day(),
            weekday_ja(self.0.weekday())
        )
    }

    /// `令和8年11月24日`; 元年 for an era's first year.
    pub fn format_wareki(&self) -> String {
        for (name, _, (y, m, d)) in ERAS {
            let start = NaiveDate::from_ymd_opt(y, m, d).expect("valid era start");
            if self.0 >= start {
                let n = self.0.year() - y + 1;
                let year = if n == 1 { "元".to_string() } else { n.to_string() };
                return format!("{name}{year}年{}月{}日", self.0.month(), self.0.day());
            }
        }
        self.format_ja()
    }

    /// The same day `n` months later (earlier when negative), or the
    /// month's last day when it has no such day.
    pub fn add_months(&self, n: i32) -> CalendarDate {
        let months = chrono::Months::new(n.unsigned_abs());
        let d = if n >= 0 {
            self.0.checked_add_months(months)
        } else {
            self.0.checked_sub_months(months)
        };
        Self(d.unwrap_or(self.0))
    }

    /// The day `n` days later (earlier when negative).
    pub fn add_days(&self, n: i64) -> CalendarDate {
        Self(self.0 + chrono::Duration::days(n))
    }

    /// Age in full years on `today`, as Japanese law counts it (the day before
    /// the birthday is close enough for display: we use the birthday itself).
    pub fn age_on(&self, today: CalendarDate) -> u32 {
        let (b, t) = (self.0, today.0);
        let mut age = t.year() - b.year();
        if (t.month(), t.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        age.max(0) as u32
    }
}

fn weekday_ja(w: chrono::Weekday) -> &'static str {
    ["月", "火", "水", "木", "金", "土", "日"][w.num_days_from_monday() as usize]
}

/// Full-width digits and separators (２０２６／１１／２４) are common input.
pub(crate) fn normalise_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '／' => '/',
            '－' | 'ー' => '-',
            '．' => '.',
            'Ａ'..='Ｚ' => char::from_u32(c as u32 - 'Ａ' as u32 + 'A' as u32).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn parse_western(s: &str) -> Option<NaiveDate> {
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}

/// `昭和13年4月2日`, `令和元年5月1日`, `S13.4.2`, `H1/1/8`.
fn parse_wareki(s: &str) -> Option<NaiveDate> {
    let (i, rest) = ERAS.iter().enumerate().find_map(|(i, (name, abbr, _))| {
        s.strip_prefix(name)
            .or_else(|| s.strip_prefix(*abbr))
            .or_else(|| s.strip_prefix(abbr.to_ascii_lowercase()))
            .map(|rest| (i, rest))
    })?;
    let era_start = ERAS[i].2;
    let rest = rest.replace("元", "1");
    let parts: Vec<&str> = rest
        .split(['年', '月', '日', '.', '/', '-'])
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if y < 1 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(era_start.0.checked_add(y - 1)?, m, d)?;
    let start = NaiveDate::from_ymd_opt(era_start.0, era_start.1, era_start.2)?;
    // The era ends where the next (newer) one starts: 昭和65年 does not exist.
    let end = i
        .checked_sub(1)
        .and_then(|j| NaiveDate::from_ymd_opt(ERAS[j].2 .0, ERAS[j].2 .1, ERAS[j].2 .2));
    (date >= start && end.is_none_or(|end| date < end)).then_some(date)
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl FromStr for CalendarDate {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse("date", s)
    }
}

impl Serialize for CalendarDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Reconcile for CalendarDate {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, r: R) -> Result<(), R::Error> {
        self.iso().reconcile(r)
    }
}

impl Hydrate for CalendarDate {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Self)
            .map_err(|_| HydrateError::unexpected("a YYYY-MM-DD date", s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wareki_birth_dates_are_accepted_as_typed() {
        let d = CalendarDate::parse("born", "昭和13年4月2日").unwrap();
        assert_eq!(d.iso(), "1938-04-02");
        assert_eq!(CalendarDate::parse("born", "S13.4.2").unwrap(), d);
        assert_eq!(
            CalendarDate::parse("born", "令和元年5月1日").unwrap().iso(),
            "2019-05-01"
        );
        assert_eq!(d.format_wareki(), "昭和13年4月2日");
        assert_eq!(CalendarDate::new(2019, 5, 1).unwrap().format_wareki(), "令和元年5月1日");
    }

    #[test]
    fn western_dates_in_every_common_form() {
        for s in ["2026-11-24", "2026/11/24", "２０２６／１１／２４", "2026年11月24日"] {
            assert_eq!(CalendarDate::parse("due", s).unwrap().iso(), "2026-11-24", "{s}");
        }
        assert_eq!(
            CalendarDate::new(2026, 11, 24).unwrap().format_ja(),
            "2026年11月24日(火)"
        );
    }

    #[test]
    fn a_due_date_of_1700_is_refused_with_the_accepted_range() {
        let e = CalendarDate::parse("due", "1700-01-01").unwrap_err();
        assert_eq!(e.field, "due");
        assert!(e.to_string().contains("1868"), "{e}");
        assert!(CalendarDate::parse("due", "2026-02-30").is_err());
        assert!(CalendarDate::parse("born", "昭和64年1月7日").is_ok());
        assert!(
            CalendarDate::parse("born", "昭和2147483647年1月1日").is_err(),
            "no overflow"
        );
        assert_eq!(
            CalendarDate::parse("born", "昭和 13年4月2日").unwrap().iso(),
            "1938-04-02"
        );
        assert_eq!(
            CalendarDate::parse("born", "Ｓ１３．４．２").unwrap().iso(),
            "1938-04-02"
        );
        assert!(CalendarDate::parse("born", "昭和64年1月8日").is_err()); // 平成 by then
        assert!(CalendarDate::parse("due", "平成0年1月1日").is_err());
    }

    #[test]
    fn age_counts_full_years() {
        let born = CalendarDate::new(1938, 4, 2).unwrap();
        assert_eq!(born.age_on(CalendarDate::new(2026, 4, 1).unwrap()), 87);
        assert_eq!(born.age_on(CalendarDate::new(2026, 4, 2).unwrap()), 88);
    }

    #[test]
    fn timestamps_show_in_japan_time() {
        // 2026-11-24T05:05:00Z is 14:05 in Tokyo.
        let t = Timestamp(1_795_496_700_000);
        assert_eq!(t.format_ja(), "2026/11/24(火) 14:05");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2026-11-24T14:05:00+09:00\"");
    }
}
