//! Around the clock: who is on call (the stations' rotas), the team's
//! escalation settings, the doctor's instruction, and the 急変時 sheet's
//! information one click from Today.

use care_model::instructions::InstructionStatus;
use care_model::{Duty, Instruction, OnCall, Record, Rota};
use serde::{Deserialize, Serialize};
use specta::Type;

use super::*;

/// One duty as the rota screen shows and edits it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct DutyForm {
    pub nurse: Option<PersonForm>,
    /// 待機医: the doctors' group standing in for the attending doctor.
    pub doctor: Option<PersonForm>,
}

pub fn duty_form(d: &Duty) -> DutyForm {
    DutyForm {
        nurse: d.nurse.as_ref().map(person_form),
        doctor: d.doctor.as_ref().map(person_form),
    }
}

pub fn duty_from_form(f: &DutyForm) -> crate::error::AppResult<Option<Duty>> {
    let duty = Duty {
        nurse: person(&f.nurse)?,
        doctor: person(&f.doctor)?,
    };
    Ok((duty.nurse.is_some() || duty.doctor.is_some()).then_some(duty))
}

/// Who is on call now at one station, with numbers to call.
#[derive(Debug, Clone, Serialize, Type)]
pub struct OnCallView {
    pub station: String,
    pub station_team: String,
    /// The station's 24-hour phone.
    pub phone: Option<String>,
    /// The duty day (starts at the handover time).
    pub date: Option<String>,
    pub nurse: Option<PersonForm>,
    pub doctor: Option<PersonForm>,
    /// From a dated override.
    pub overridden: bool,
    /// The on-call nurse is me.
    pub me: bool,
}

pub fn on_call_view(team: &str, station: &str, phone: Option<String>, on: Option<&OnCall>, me: &str) -> OnCallView {
    OnCallView {
        station: station.to_string(),
        station_team: team.to_string(),
        phone,
        date: on.map(|o| o.date.iso()),
        nurse: on.and_then(|o| o.duty.nurse.as_ref()).map(person_form),
        doctor: on.and_then(|o| o.duty.doctor.as_ref()).map(person_form),
        overridden: on.is_some_and(|o| o.overridden),
        me: on
            .and_then(|o| o.duty.nurse.as_ref())
            .and_then(|n| n.member)
            .is_some_and(|m| m.to_string() == me),
    }
}

/// A dated override of the rota.
#[derive(Debug, Clone, Serialize, Type)]
pub struct OverrideView {
    pub date: String,
    pub duty: DutyForm,
}

/// A station's rota as its screen shows it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct RotaView {
    pub team: String,
    pub station: String,
    pub phone: Option<String>,
    /// `HH:MM`.
    pub handover: String,
    /// Monday first: seven entries.
    pub weekly: Vec<DutyForm>,
    /// From today on, by date.
    pub overrides: Vec<OverrideView>,
    pub now: OnCallView,
    /// I am one of the station's admins (may edit).
    pub admin: bool,
    /// The station's members, who may be put on call.
    pub members: Vec<MemberView>,
}

pub fn rota_view(record: &Record, viewer: &Viewer, admin: bool) -> RotaView {
    let rota: &Rota = &record.rota;
    let team = record.team.to_string();
    let on = rota.on_call(viewer.now);
    RotaView {
        team: team.clone(),
        station: record.patient.name.clone(),
        phone: rota.phone.clone(),
        handover: format!("{:02}:{:02}", rota.handover_minutes / 60, rota.handover_minutes % 60),
        weekly: (1..=7)
            .map(|d| rota.weekly.get(&d.to_string()).map(duty_form).unwrap_or_default())
            .collect(),
        overrides: rota
            .overrides
            .iter()
            .filter(|(date, _)| date.as_str() >= viewer.today.iso().as_str())
            .map(|(date, d)| OverrideView {
                date: date.clone(),
                duty: duty_form(d),
            })
            .collect(),
        now: on_call_view(
            &team,
            &record.patient.name,
            rota.phone.clone(),
            on.as_ref(),
            &viewer.member,
        ),
        admin,
        members: members(record, viewer),
    }
}

/// The team's settings as its form holds them.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct TeamSettingsView {
    pub escalation_minutes: u32,
    pub read_receipts: bool,
    /// Days the family keeps access after care ends.
    pub family_days_after_close: u32,
    /// I may change them (an admin).
    pub admin: bool,
}

/// A 傷病名コード as the instruction form holds it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct CodeForm {
    pub code: String,
    pub modifiers: Vec<String>,
    pub icd10: Option<String>,
    pub master: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct DiagnosisCodeForm {
    pub name: String,
    pub code: Option<CodeForm>,
}

/// A new instruction as the form holds it (dates as typed).
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct InstructionInput {
    /// `ordinary`, `special`, `drip`, `psychiatric`.
    pub kind: String,
    pub issued_on: String,
    pub start: String,
    pub end: String,
    pub doctor: PersonForm,
    pub diagnoses: Vec<DiagnosisCodeForm>,
    pub bedridden: Option<String>,
    pub dementia: Option<String>,
    pub devices: Vec<String>,
    pub directions: String,
    pub emergency_contact: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct CodedDiagnosisView {
    pub name: String,
    pub code: Option<String>,
    pub modifiers: Vec<String>,
    pub icd10: Option<String>,
    pub master: Option<String>,
    /// Who added the code, and when.
    pub coded_by: Option<String>,
    pub coded_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct InstructionView {
    pub id: String,
    pub kind: String,
    pub issued_on: String,
    pub start: String,
    pub end: String,
    pub doctor: PersonForm,
    pub diagnoses: Vec<CodedDiagnosisView>,
    pub bedridden: Option<String>,
    pub dementia: Option<String>,
    pub devices: Vec<String>,
    pub directions: String,
    pub emergency_contact: String,
    pub created_by: String,
    pub created_at: i64,
    /// Valid today.
    pub current: bool,
}

/// Where the instruction stands: `none`, `valid`, `ends-soon`, `ended`,
/// `not-yet`, with the date that goes with it.
#[derive(Debug, Clone, Serialize, Type)]
pub struct InstructionStateView {
    pub state: String,
    pub date: Option<String>,
}

pub fn instruction_state(record: &Record, today: care_model::CalendarDate) -> InstructionStateView {
    let (state, date) = match record.instruction_status(today) {
        InstructionStatus::None => ("none", None),
        InstructionStatus::Valid { until } => ("valid", Some(until)),
        InstructionStatus::EndsSoon { until } => ("ends-soon", Some(until)),
        InstructionStatus::Ended { on } => ("ended", Some(on)),
        InstructionStatus::NotYet { from } => ("not-yet", Some(from)),
    };
    InstructionStateView {
        state: state.into(),
        date: date.map(|d| d.iso()),
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct InstructionsView {
    pub team: String,
    pub patient: String,
    /// Newest start first.
    pub instructions: Vec<InstructionView>,
    pub state: InstructionStateView,
    /// The 傷病名 master on this laptop (its version), if loaded.
    pub master: Option<String>,
}

pub fn instruction_view(record: &Record, id: &str, i: &Instruction, viewer: &Viewer) -> InstructionView {
    InstructionView {
        id: id.to_string(),
        kind: i.kind.code().into(),
        issued_on: i.issued_on.iso(),
        start: i.start.iso(),
        end: i.end.iso(),
        doctor: person_form(&i.doctor),
        diagnoses: i
            .diagnoses
            .iter()
            .map(|d| CodedDiagnosisView {
                name: d.name.clone(),
                code: d.code.as_ref().map(|c| c.code.clone()),
                modifiers: d.code.as_ref().map(|c| c.modifiers.clone()).unwrap_or_default(),
                icd10: d.code.as_ref().and_then(|c| c.icd10.clone()),
                master: d.code.as_ref().map(|c| c.master.clone()),
                coded_by: d.code.as_ref().map(|c| name_of(record, &c.coded_by)),
                coded_at: d.code.as_ref().map(|c| ms(c.coded_at)),
            })
            .collect(),
        bedridden: i.bedridden.clone(),
        dementia: i.dementia.clone(),
        devices: i.devices.clone(),
        directions: i.directions.clone(),
        emergency_contact: i.emergency_contact.clone(),
        created_by: name_of(record, &i.created_by),
        created_at: ms(i.created_at),
        current: i.start <= viewer.today && viewer.today <= i.end,
    }
}

pub fn instructions_view(record: &Record, viewer: &Viewer, master: Option<String>) -> InstructionsView {
    let mut list: Vec<InstructionView> = record
        .instructions
        .iter()
        .map(|(id, i)| instruction_view(record, id, i, viewer))
        .collect();
    list.sort_by(|a, b| b.start.cmp(&a.start).then(b.created_at.cmp(&a.created_at)));
    InstructionsView {
        team: record.team.to_string(),
        patient: record.patient.name.clone(),
        instructions: list,
        state: instruction_state(record, viewer.today),
        master,
    }
}

/// One entry found in the 傷病名 master.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MasterHit {
    /// `disease` (B) or `modifier` (Z).
    pub kind: String,
    pub code: String,
    pub name: String,
    pub kana: Option<String>,
    pub icd10: Option<String>,
    pub version: String,
}

/// What loading a master file did.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MasterLoaded {
    pub kind: String,
    pub version: String,
    pub entries: u32,
    pub abolished: u32,
    pub refused_lines: Vec<u32>,
}

/// The 急変時 information of one patient: what the person answering the
/// phone at 3 a.m. needs on one screen (clinical.md §2).
#[derive(Debug, Clone, Serialize, Type)]
pub struct EmergencyView {
    pub team: String,
    pub patient: PatientView,
    /// `full`, `dnar`, `undecided` (蘇生の希望), if recorded.
    pub resuscitation: Option<String>,
    pub acp: Option<String>,
    pub acp_discussed_on: Option<String>,
    pub acp_discussed_with: Option<String>,
    /// 希望する搬送先.
    pub hospital: Option<String>,
    pub doctor: Option<PersonForm>,
    pub care_manager: Option<PersonForm>,
    /// Now on call at the stations on this laptop.
    pub on_call: Vec<OnCallView>,
    pub medications: Vec<String>,
    /// The latest reading, with its flags against the patient's bands.
    pub last_vitals: Option<VitalsView>,
    /// The current instruction's 緊急時の連絡先 and devices.
    pub instruction_contact: Option<String>,
    pub devices: Vec<String>,
}

pub fn emergency_view(record: &Record, viewer: &Viewer, on_call: Vec<OnCallView>) -> EmergencyView {
    let p = &record.patient;
    let acp = p.acp_details.clone().unwrap_or_default();
    let current = record
        .instructions
        .values()
        .filter(|i| i.kind.is_base() && i.start <= viewer.today && viewer.today <= i.end)
        .max_by_key(|i| i.start);
    let last = record.vitals_newest_first().into_iter().next();
    let mut patient = patient_view(p, viewer.today);
    // The instruction's diagnoses, as the doctor wrote them, where the
    // patient's details do not already name them.
    for d in current.iter().flat_map(|i| &i.diagnoses) {
        if !patient.diagnoses.contains(&d.name) {
            patient.diagnoses.push(d.name.clone());
        }
    }
    EmergencyView {
        team: record.team.to_string(),
        patient,
        resuscitation: acp.resuscitation.map(|r| r.code().into()),
        acp: p.acp.clone(),
        acp_discussed_on: acp.discussed_on.map(|d| d.iso()),
        acp_discussed_with: acp.discussed_with.clone(),
        hospital: acp.hospital.clone(),
        doctor: p.doctor.as_ref().map(person_form),
        care_manager: p.care_manager.as_ref().map(person_form),
        on_call,
        medications: record
            .medications
            .values()
            .map(|m| m.current())
            .filter(|r| r.stop.is_none_or(|s| s >= viewer.today))
            .map(|r| format!("{} {} {}", r.name, r.dose, r.schedule).trim().to_string())
            .collect(),
        last_vitals: last.map(|(id, e)| vitals_view(record, id, e, viewer)),
        instruction_contact: current.map(|i| i.emergency_contact.clone()),
        devices: current.map(|i| i.devices.clone()).unwrap_or_default(),
    }
}
