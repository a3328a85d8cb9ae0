//! 急変時対応シート: what the ambulance crew, the on-call doctor and the
//! fridge kit (救急医療情報キット) need on one page: who the patient is, whom
//! to call in what order, what the patient wants (DNAR / ACP and when it was
//! discussed, the hospital of choice), diagnoses, allergies, medications,
//! the last readings against the patient's own bands, the attending doctor
//! and the station's 24-hour number.

use care_model::Record;
use serde_json::{json, Value};

use crate::common::{self, date};
use crate::Context;

/// Readings shown: enough to see a trend, few enough for one page.
const READINGS: usize = 3;
/// Medications listed before "他 n 剤" (one page).
const MEDICATIONS: usize = 12;

/// The sheet's data, for [`crate::Typesetter::pdf`].
pub fn sheet(record: &Record, ctx: &Context) -> Value {
    let p = &record.patient;
    let acp = p.acp_details.clone().unwrap_or_default();
    let mut meds = common::medications(record, ctx.today());
    let more = meds.len().saturating_sub(MEDICATIONS);
    meds.truncate(MEDICATIONS);
    let body = json!({
        "patient": common::patient(record, ctx),
        "contacts": common::contacts(record),
        "acp": {
            "wishes": p.acp,
            "resuscitation": acp.resuscitation.map(|r| match ctx.lang {
                crate::Lang::Ja => r.label_ja(),
                crate::Lang::En => r.label_en(),
            }),
            "hospital": acp.hospital,
            "discussed_on": acp.discussed_on.map(|d| date(ctx, d)),
            "discussed_with": acp.discussed_with,
        },
        "diagnoses": common::diagnoses(record),
        "allergies": p.allergies,
        "medications": meds,
        "more_medications": more,
        "readings": common::readings(record, ctx, READINGS),
        "doctor": common::person(p.doctor.as_ref()),
        "care_manager": common::person(p.care_manager.as_ref()),
        "station": ctx.station,
    });
    common::sheet("emergency", ctx, body)
}
