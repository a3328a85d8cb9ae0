//! Resource ids: the same record exports the same ids, so a receiver can
//! tell an update from a new resource. A UUID made from the record's own
//! id and what the resource is (name-based, SHA-1, RFC 4122 §4.3).

/// The id (a UUID, as `urn:uuid:` wants it) of the resource `what` made
/// from the record entry `entry`.
pub fn resource_id(entry: &str, what: &str) -> String {
    // Tsunagi's namespace: a fixed random UUID.
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f1c_2d6b_93b4_4a7e_9a52_1f0c_9e3d_7a21);
    uuid::Uuid::new_v5(&NAMESPACE, format!("{entry}/{what}").as_bytes())
        .hyphenated()
        .to_string()
}
