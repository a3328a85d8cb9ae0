//! Who is told what on the desktop (USERS.md need 4: alerts so many they are
//! missed). An urgent entry always reaches everyone but its author until
//! they acknowledge it, muted or not; a routine note only reaches the
//! members it addresses with `@name`; a patient a member muted sends them
//! nothing routine. Pure: the app applies it to what arrives, the budget
//! benchmark to a simulated week.

use crate::{MemberId, Note, Urgency};

/// Why a note deserves a desktop notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Urgent,
    Addressed,
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether `text` addresses the member called `name` ("佐藤 花子"): `@` or
/// `＠` followed by the full name, the family name or the given name, with
/// or without the space.
pub fn addresses(text: &str, name: &str) -> bool {
    let parts: Vec<&str> = name.split_whitespace().collect();
    let mut names: Vec<String> = vec![squeeze(name)];
    names.extend(parts.iter().filter(|p| p.chars().count() >= 2).map(|p| p.to_string()));
    names.retain(|n| !n.is_empty());
    text.match_indices(['@', '＠']).any(|(i, at)| {
        let after = squeeze(&text[i + at.len()..]);
        names.iter().any(|n| after.starts_with(n.as_str()))
    })
}

/// Whether and why `reader` (called `reader_name`) is told of `note`.
pub fn note_reason(note: &Note, reader: &MemberId, reader_name: &str, muted: bool) -> Option<Reason> {
    if &note.author == reader {
        return None;
    }
    let current = note.current();
    if current.urgency == Urgency::Urgent {
        return (!note.acks.contains_key(&reader.to_string())).then_some(Reason::Urgent);
    }
    if muted {
        return None;
    }
    addresses(&current.text, reader_name).then_some(Reason::Addressed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_addresses_a_member_by_full_family_or_given_name() {
        assert!(addresses("@佐藤 花子 さん、明日の訪問お願いします", "佐藤 花子"));
        assert!(addresses("＠佐藤花子さん", "佐藤 花子"));
        assert!(addresses("@佐藤さん 確認お願いします", "佐藤 花子"));
        assert!(addresses("褥瘡の件、@花子 さんへ", "佐藤 花子"));
        assert!(
            !addresses("佐藤さんに伝えてください", "佐藤 花子"),
            "no @, no notification"
        );
        assert!(!addresses("@鈴木 一郎 先生", "佐藤 花子"));
        assert!(!addresses("メール a@b.jp", "佐藤 花子"));
    }
}
