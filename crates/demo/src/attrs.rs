//! The coded attributes of a record, drawn with realistic odds per subject kind:
//! format, sharing and opening, update cycle, lifecycle state, publication date and
//! the survey figures.

use crate::items::Draft;
use crate::model::{FormatHint, Kind, ShareHint};
use crate::rng::Rng;
use chrono::NaiveDate;
use govshare_domain::labels::{FormatCategory, OpenType, SharingMethod, SharingType, UpdateCycle};
use govshare_domain::lifecycle::State;
use govshare_domain::resource::Survey;

pub fn format(
    rng: &mut Rng,
    kind: Kind,
    hint: Option<FormatHint>,
    stats: bool,
    elic: bool,
) -> (FormatCategory, String) {
    use FormatCategory as F;
    let cat = match hint {
        Some(FormatHint::Image) => F::Image,
        Some(FormatHint::File) => F::ElectronicFile,
        Some(FormatHint::Service) => F::Service,
        Some(FormatHint::Sheet) => F::Spreadsheet,
        None if stats => rng.weighted(&[(F::Spreadsheet, 40), (F::Database, 55), (F::Service, 5)]),
        None if kind == Kind::Monitor => rng.weighted(&[(F::Service, 25), (F::Database, 75)]),
        None if kind == Kind::Document => rng.weighted(&[(F::Spreadsheet, 50), (F::Database, 50)]),
        None if elic => rng.weighted(&[(F::Service, 60), (F::Database, 40)]),
        None => rng.weighted(&[(F::Database, 82), (F::Service, 9), (F::Spreadsheet, 9)]),
    };
    let ty = match cat {
        F::Image => *rng.pick(&["tif", "jpg", "png"]),
        F::ElectronicFile => rng.weighted(&[("pdf", 45), ("OFD", 25), ("docx", 20), ("wps", 10)]),
        F::Service => "REST",
        F::Spreadsheet => rng.weighted(&[("xlsx", 70), ("et", 15), ("xls", 15)]),
        _ => rng.weighted(&[
            ("Oracle", 32),
            ("MySQL", 24),
            ("达梦Dm", 14),
            ("KingbaseES", 10),
            ("SQL Server", 8),
            ("PostgreSQL", 6),
            ("GaussDB", 6),
        ]),
    };
    (cat, ty.to_string())
}

pub fn sharing_method(rng: &mut Rng, cat: FormatCategory, realtime: bool) -> SharingMethod {
    match cat {
        FormatCategory::Database => {
            if rng.chance(if realtime { 0.6 } else { 0.4 }) {
                SharingMethod::Api
            } else {
                SharingMethod::Table
            }
        }
        FormatCategory::Service => SharingMethod::Api,
        _ => SharingMethod::File,
    }
}

/// Odds of (unconditional, conditional) sharing; the rest is not shared.
fn sharing_odds(kind: Kind) -> (f64, f64) {
    match kind {
        Kind::Person => (0.17, 0.64),
        Kind::Qualification => (0.40, 0.55),
        Kind::Record => (0.30, 0.60),
        Kind::Payment => (0.20, 0.66),
        Kind::Entity => (0.63, 0.33),
        Kind::Licence => (0.70, 0.28),
        Kind::Case => (0.47, 0.43),
        Kind::Facility => (0.62, 0.35),
        Kind::Monitor => (0.70, 0.28),
        Kind::Stats => (0.72, 0.28),
        Kind::Document => (0.76, 0.22),
        Kind::Application => (0.43, 0.49),
        Kind::Project => (0.61, 0.36),
        Kind::Listing => (0.80, 0.20),
    }
}

pub fn sharing_type(rng: &mut Rng, kind: Kind, hint: Option<ShareHint>) -> SharingType {
    match hint {
        Some(ShareHint::NotShared | ShareHint::Secret) => SharingType::NotShared,
        Some(ShareHint::Conditional) => SharingType::Conditional,
        Some(ShareHint::Unconditional) => SharingType::Unconditional,
        None => {
            let (u, c) = sharing_odds(kind);
            let roll = rng.unit();
            if roll < u {
                SharingType::Unconditional
            } else if roll < u + c {
                SharingType::Conditional
            } else {
                SharingType::NotShared
            }
        }
    }
}

pub fn open_type(rng: &mut Rng, kind: Kind, sharing: SharingType, secret: bool) -> OpenType {
    if secret || sharing == SharingType::NotShared {
        return OpenType::Closed;
    }
    let (mut open, cond) = match kind {
        Kind::Person | Kind::Record | Kind::Payment | Kind::Qualification => (0.03, 0.10),
        Kind::Entity => (0.42, 0.18),
        Kind::Licence => (0.49, 0.16),
        Kind::Case => (0.34, 0.18),
        Kind::Facility => (0.44, 0.20),
        Kind::Monitor => (0.51, 0.16),
        Kind::Stats => (0.59, 0.14),
        Kind::Document => (0.56, 0.10),
        Kind::Application => (0.17, 0.20),
        Kind::Project => (0.42, 0.20),
        Kind::Listing => (0.59, 0.10),
    };
    if sharing == SharingType::Conditional {
        open *= 0.3;
    }
    let roll = rng.unit();
    if roll < open {
        OpenType::Open
    } else if roll < open + cond {
        OpenType::Conditional
    } else {
        OpenType::Closed
    }
}

pub fn update_cycle(rng: &mut Rng, kind: Kind) -> UpdateCycle {
    use UpdateCycle::*;
    let odds: &[(UpdateCycle, u32)] = match kind {
        Kind::Person => &[
            (Realtime, 25),
            (Daily, 45),
            (Weekly, 10),
            (Monthly, 15),
            (Irregular, 5),
        ],
        Kind::Entity => &[
            (Realtime, 20),
            (Daily, 40),
            (Weekly, 10),
            (Monthly, 20),
            (Quarterly, 5),
            (Irregular, 5),
        ],
        Kind::Licence | Kind::Qualification => &[
            (Realtime, 30),
            (Daily, 45),
            (Weekly, 10),
            (Monthly, 10),
            (Irregular, 5),
        ],
        Kind::Record => &[
            (Realtime, 35),
            (Daily, 45),
            (Weekly, 5),
            (Monthly, 10),
            (Irregular, 5),
        ],
        Kind::Case => &[
            (Daily, 35),
            (Weekly, 20),
            (Monthly, 30),
            (Quarterly, 5),
            (Irregular, 10),
        ],
        Kind::Facility => &[
            (Monthly, 30),
            (Quarterly, 25),
            (HalfYearly, 10),
            (Yearly, 20),
            (Irregular, 15),
        ],
        Kind::Monitor => &[(Realtime, 55), (Daily, 35), (Monthly, 10)],
        Kind::Stats => &[(Monthly, 30), (Quarterly, 30), (Yearly, 40)],
        Kind::Document => &[(Irregular, 60), (Yearly, 30), (HalfYearly, 10)],
        Kind::Payment => &[(Monthly, 70), (Quarterly, 15), (Daily, 15)],
        Kind::Application => &[(Realtime, 30), (Daily, 50), (Weekly, 10), (Monthly, 10)],
        Kind::Project => &[(Monthly, 40), (Quarterly, 25), (Daily, 20), (Irregular, 15)],
        Kind::Listing => &[
            (Irregular, 50),
            (Monthly, 15),
            (Quarterly, 15),
            (Yearly, 20),
        ],
    };
    rng.weighted(odds)
}

pub fn state(rng: &mut Rng) -> State {
    rng.weighted(&[
        (State::Published, 900),
        (State::Registered, 35),
        (State::Submitted, 20),
        (State::Withdrawn, 18),
        (State::Draft, 15),
        (State::Returned, 12),
    ])
}

/// A publication date in 2019-01-01 ..= 2026-10-31 for published (and later withdrawn) entries.
pub fn published_on(rng: &mut Rng, state: State) -> Option<NaiveDate> {
    if !matches!(state, State::Published | State::Withdrawn) {
        return None;
    }
    let start = NaiveDate::from_ymd_opt(2019, 1, 1).expect("valid date");
    let end = NaiveDate::from_ymd_opt(2026, 10, 31).expect("valid date");
    let days = (end - start).num_days();
    Some(start + chrono::Duration::days(rng.range(0, days)))
}

fn round2(x: f64) -> f64 {
    ((x * 100.0).round() / 100.0).max(0.01)
}

fn log_uniform(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + rng.unit() * (hi.ln() - lo.ln())).exp()
}

pub struct SurveyInput<'a> {
    pub kind: Kind,
    pub stats: bool,
    pub structured: bool,
    pub image: bool,
    pub local: bool,
    pub items: &'a [Draft],
    pub sharing: SharingType,
    pub open: OpenType,
}

/// The six survey figures, filled for most records.
pub fn survey(rng: &mut Rng, s: &SurveyInput) -> Survey {
    if !rng.chance(0.85) {
        return Survey::default();
    }
    let share_frac = match s.sharing {
        SharingType::Unconditional => 1.0,
        SharingType::Conditional => 0.6 + 0.4 * rng.unit(),
        SharingType::NotShared => 0.0,
    };
    let open_frac = match s.open {
        OpenType::Open => 1.0,
        OpenType::Conditional => 0.4 + 0.6 * rng.unit(),
        OpenType::Closed => 0.0,
    };
    if !s.structured {
        let total = round2(if s.image {
            log_uniform(rng, 5.0, 3000.0)
        } else {
            log_uniform(rng, 0.05, 20.0)
        });
        return Survey {
            total_storage_gb: Some(total),
            shared_storage_gb: Some(if share_frac > 0.0 {
                round2(total * share_frac)
            } else {
                0.0
            }),
            opened_storage_gb: Some(if open_frac > 0.0 {
                round2(total * share_frac * open_frac)
            } else {
                0.0
            }),
            ..Survey::default()
        };
    }
    let (lo, hi) = if s.stats {
        (200.0, 50_000.0)
    } else {
        match s.kind {
            Kind::Person => (100_000.0, 35_000_000.0),
            Kind::Entity => (1_000.0, 3_000_000.0),
            Kind::Licence => (1_000.0, 500_000.0),
            Kind::Qualification => (1_000.0, 2_000_000.0),
            Kind::Record => (10_000.0, 50_000_000.0),
            Kind::Case => (1_000.0, 2_000_000.0),
            Kind::Facility => (100.0, 200_000.0),
            Kind::Monitor => (100_000.0, 500_000_000.0),
            Kind::Stats => (200.0, 50_000.0),
            Kind::Document => (100.0, 10_000.0),
            Kind::Payment => (10_000.0, 10_000_000.0),
            Kind::Application => (1_000.0, 5_000_000.0),
            Kind::Project => (100.0, 100_000.0),
            Kind::Listing => (100.0, 50_000.0),
        }
    };
    let scale = if s.local { 0.05 } else { 1.0 };
    let records = (log_uniform(rng, lo, hi) * scale).max(20.0).round() as i64;
    let bytes: f64 = s
        .items
        .iter()
        .map(|d| d.length.min(2000) as f64)
        .sum::<f64>()
        * 0.4;
    let total = round2(records as f64 * bytes / 1e9);
    let shared = (records as f64 * share_frac).round() as i64;
    let opened = (shared as f64 * open_frac).round() as i64;
    Survey {
        total_storage_gb: Some(total),
        structured_records: Some(records),
        shared_storage_gb: Some(if shared > 0 {
            round2(total * share_frac)
        } else {
            0.0
        }),
        shared_records: Some(shared),
        opened_storage_gb: Some(if opened > 0 {
            round2(total * share_frac * open_frac)
        } else {
            0.0
        }),
        opened_records: Some(opened),
    }
}
