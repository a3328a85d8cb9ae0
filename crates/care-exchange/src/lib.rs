//! # care-exchange
//!
//! A care record handed over in the forms other systems and people read,
//! and data taken in without re-typing: [`fhir`] (a FHIR R4 Bundle, JP Core
//! where JP Core has a profile, out and in with a preview) and [`table`]
//! (readings and notes as CSV that Excel in Japan opens) and [`devices`]
//! (readings from a measuring device's CSV, with a preview).
//!
//! Pure: a [`care_model::Record`] in, bytes or JSON out (and back). The CLI
//! writes files, the app saves to the download folder.

pub mod devices;
pub mod fhir;
pub mod table;
