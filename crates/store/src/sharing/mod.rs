//! Sharing (共享): registered uses, conditional requests and grants, the decided reads
//! kept in memory, lookups, verifications, queries and change feeds as served, and
//! error reports. Who is party to each record.

pub mod cache;
pub mod corrections;
pub mod decide;
pub mod decided;
pub mod filters;
pub(crate) mod grant_visits;
pub mod grants;
pub(crate) mod meter;
pub(crate) mod parties;
pub mod query;
pub mod reads;
pub mod registrations;
pub mod requests;
pub mod served;

use crate::capability::capability;
use crate::catalog::files::{SharedFile, SharedFiles};
use crate::org::apps::AppPrincipal;
use crate::page::Page;
use crate::sharing::corrections::{Correction, NewCorrection, Reported};
use crate::sharing::grants::GrantUse;
use crate::sharing::query::{QuerySpec, SharedRows};
use crate::sharing::reads::{SharedChanges, SharedRow, Verification};
use crate::sharing::registrations::Registration;
use crate::sharing::requests::{GrantInfo, NewRequest, RequestInfo};
use crate::{Caller, Result};
use chrono::NaiveDate;
use govshare_domain::sharing::request::{Answer, Calendar, Scope};
use std::collections::BTreeMap;

capability! {
    /// What apps read (the data path): lookups, verifications, batches, queries,
    /// change feeds and files, each as the app's basis allows.
    pub trait SharingReads {
        /// One row by its key, as the app may read it.
        async fn share_lookup(
            &self,
            app: &AppPrincipal,
            code: &str,
            key: Vec<String>,
            items: Option<Vec<String>>,
        ) -> Result<SharedRow>;
        /// One row by a reference an earlier answer handed out.
        async fn share_lookup_ref(
            &self,
            app: &AppPrincipal,
            code: &str,
            reference: &str,
            items: Option<Vec<String>>,
        ) -> Result<SharedRow>;
        /// Do the claims agree with the row (核验), without handing out the row.
        async fn share_verify(
            &self,
            app: &AppPrincipal,
            code: &str,
            key: Vec<String>,
            claims: BTreeMap<String, String>,
        ) -> Result<Verification>;
        async fn share_batch(
            &self,
            app: &AppPrincipal,
            code: &str,
            keys: Vec<Vec<String>>,
            items: Option<Vec<String>>,
        ) -> Result<SharedRows>;
        async fn share_query(&self, app: &AppPrincipal, code: &str, spec: QuerySpec) -> Result<SharedRows>;
        async fn share_changes(&self, app: &AppPrincipal, code: &str, since: i64, limit: i64) -> Result<SharedChanges>;
        async fn share_files(&self, app: &AppPrincipal, code: &str) -> Result<SharedFiles>;
        async fn share_file(&self, app: &AppPrincipal, code: &str, version: Option<i64>) -> Result<SharedFile>;
    }
}

capability! {
    /// The duties around sharing, as people do them: registrations, requests and
    /// grants, the working-day calendar, error reports.
    pub trait SharingDuties {
        /// Registers an app's use of unconditional data.
        async fn register_use(
            &self,
            caller: &Caller,
            app_id: i64,
            code: &str,
            purpose: &str,
            scenario: &str,
        ) -> Result<Registration>;
        async fn set_registration_review(&self, caller: &Caller, code: &str, manual: bool) -> Result<bool>;
        /// Whether registrations of `code` wait for the provider's review.
        async fn registration_review(&self, caller: &Caller, code: &str) -> Result<bool>;
        async fn answer_registration(
            &self,
            caller: &Caller,
            id: i64,
            approve: bool,
            reason: String,
        ) -> Result<Registration>;
        async fn registrations(&self, caller: &Caller, status: Option<String>, page: Page) -> Result<Vec<Registration>>;
        /// Applies for conditional data.
        async fn apply(&self, caller: &Caller, req: NewRequest) -> Result<RequestInfo>;
        async fn requests(&self, caller: &Caller, page: Page) -> Result<Vec<RequestInfo>>;
        async fn answer_request(
            &self,
            caller: &Caller,
            id: i64,
            decision: Answer,
            note: String,
            granted: Option<Scope>,
        ) -> Result<RequestInfo>;
        async fn supply_material(&self, caller: &Caller, id: i64, material: String) -> Result<RequestInfo>;
        async fn revoke_grant(&self, caller: &Caller, id: i64) -> Result<GrantInfo>;
        /// The grants the caller is party to (or only the one given), with their use
        /// against their quotas.
        async fn grants(&self, caller: &Caller, only: Option<i64>, limit: i64) -> Result<Vec<GrantUse>>;
        /// Working days and holidays, for answer deadlines.
        async fn set_calendar(&self, caller: &Caller, days: Vec<(NaiveDate, bool)>) -> Result<()>;
        /// Puts days back to the weekday rule; how many had been set.
        async fn clear_calendar(&self, caller: &Caller, days: Vec<NaiveDate>) -> Result<u64>;
        /// The calendar as set: holidays and working weekend days.
        async fn working_calendar(&self) -> Result<Calendar>;
        /// An app reports a value it believes wrong.
        async fn report_error(&self, app: &AppPrincipal, code: &str, report: NewCorrection) -> Result<Reported>;
        async fn corrections(&self, caller: &Caller, page: Page) -> Result<Vec<Correction>>;
        async fn answer_correction(&self, caller: &Caller, id: i64, accept: bool, note: String) -> Result<Correction>;
    }
}
