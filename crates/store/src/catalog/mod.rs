//! The catalog (资源目录): classification, entries and their items, writes with their
//! checks, lifecycle moves, history, the change feed, whole-catalog imports, themes,
//! and the files of file-type resources.

pub mod changes;
pub mod classes;
pub mod edit;
pub mod files;
pub mod history;
pub mod import;
pub mod resources;
pub mod themes;
mod write;

use crate::capability::capability;
use crate::catalog::changes::Change;
use crate::catalog::files::{FileVersion, NewFile};
use crate::catalog::history::HistoryEntry;
use crate::catalog::import::{ImportOptions, ImportOutcome};
use crate::catalog::resources::{ResourceFilter, ResourcePage, ResourceSummary};
use crate::{Caller, Result};
use govshare_domain::classification::ClassNode;
use govshare_domain::lifecycle::Action;
use govshare_domain::resource::{CatalogRecord, Resource, ResourceSpec};
use govshare_domain::theme::{Theme, ThemeSpec};

/// Hears how many records an import wrote.
pub type Progress = Box<dyn FnMut(usize) + Send + 'static>;

capability! {
    /// The catalog as the server and the command line use it.
    pub trait CatalogStore {
        /// An entry as `caller` may see it.
        async fn resource(&self, caller: &Caller, code: &str) -> Result<Resource>;
        /// A page of the entries `caller` may see, by filter.
        async fn list_resources(&self, caller: &Caller, filter: ResourceFilter) -> Result<ResourcePage>;
        /// How many entries match, and the first of them as summaries (code, name, when).
        async fn resource_summaries(
            &self,
            caller: &Caller,
            filter: ResourceFilter,
        ) -> Result<(i64, Vec<ResourceSummary>)>;
        /// Every entry (for the search index).
        async fn all_resources(&self) -> Result<Vec<Resource>>;
        async fn resources_by_codes(&self, codes: Vec<String>) -> Result<Vec<Resource>>;
        async fn count_resources(&self) -> Result<i64>;
        async fn create_resource(&self, caller: &Caller, spec: ResourceSpec) -> Result<Resource>;
        async fn update_resource(
            &self,
            caller: &Caller,
            code: &str,
            spec: ResourceSpec,
            expected_version: Option<i64>,
        ) -> Result<Resource>;
        /// Submit, review, publish, withdraw… with the reason recorded.
        async fn transition_resource(
            &self,
            caller: &Caller,
            code: &str,
            action: Action,
            reason: &str,
        ) -> Result<Resource>;
        async fn resource_history(&self, caller: &Caller, code: &str) -> Result<Vec<HistoryEntry>>;
        /// Imports catalog records; `progress` hears how many were written.
        async fn import_catalog(
            &self,
            caller: &Caller,
            records: Vec<CatalogRecord>,
            options: ImportOptions,
            progress: Progress,
        ) -> Result<ImportOutcome>;
        /// The change feed of the catalog.
        async fn changes_since(&self, since: i64, limit: i64) -> Result<Vec<Change>>;
        async fn last_change(&self) -> Result<i64>;
        async fn list_classes(&self) -> Result<Vec<ClassNode>>;
        async fn upsert_classes(&self, caller: &Caller, nodes: Vec<ClassNode>) -> Result<()>;
        /// Deletes a classification node nothing depends on.
        async fn delete_class(&self, caller: &Caller, code: &str) -> Result<()>;
        async fn list_themes(&self) -> Result<Vec<Theme>>;
        async fn theme(&self, code: &str) -> Result<Theme>;
        async fn upsert_themes(&self, caller: &Caller, specs: Vec<ThemeSpec>) -> Result<()>;
        /// Deletes a thematic catalog no entry is filed under.
        async fn delete_theme(&self, caller: &Caller, code: &str) -> Result<()>;
        /// A new version of a file-type resource's file.
        async fn add_file(&self, caller: &Caller, code: &str, file: NewFile) -> Result<FileVersion>;
        async fn files(&self, caller: &Caller, code: &str) -> Result<Vec<FileVersion>>;
        async fn file_content(
            &self,
            caller: &Caller,
            code: &str,
            version: Option<i64>,
        ) -> Result<(FileVersion, Vec<u8>)>;
    }
}
