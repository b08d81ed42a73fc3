//! Keeps this node's search index in step with the store by following the catalog
//! change feed: after every write here, at start, and on an interval (for changes
//! made by other nodes or the command line).

use crate::AppState;
use crate::error::ApiResult;
use govshare_search::IndexDoc;
use std::collections::HashMap;

const PAGE: i64 = 5000;

async fn theme_names(state: &AppState) -> ApiResult<HashMap<String, String>> {
    Ok(state
        .store
        .catalog
        .list_themes()
        .await?
        .into_iter()
        .map(|t| (t.spec.code, t.spec.name))
        .collect())
}

/// Applies every change the index has not seen; rebuilds it when it is empty or
/// ahead of the store (a restored or different database).
pub async fn sync(state: &AppState) -> ApiResult<()> {
    let _one_at_a_time = state.indexing.lock().await;
    let last = state.store.catalog.last_change().await?;
    let seen = state.search.indexed_seq();
    if seen == last && (last == 0 || state.search.num_docs() > 0) {
        return Ok(());
    }
    let themes = theme_names(state).await?;
    if seen > last || seen == 0 {
        let all = state.store.catalog.all_resources().await?;
        let docs: Vec<IndexDoc> = all
            .iter()
            .map(|r| IndexDoc::from_resource(r, &themes))
            .collect();
        let search = state.search.clone();
        tokio::task::spawn_blocking(move || search.upsert(&docs, last, true))
            .await
            .map_err(|e| crate::error::ApiError::Internal(e.to_string()))??;
        tracing::info!(documents = all.len(), seq = last, "search index rebuilt");
        return Ok(());
    }
    let mut since = seen;
    while since < last {
        let changes = state.store.catalog.changes_since(since, PAGE).await?;
        let Some(newest) = changes.last().map(|c| c.seq) else {
            break;
        };
        let mut codes: Vec<String> = changes.into_iter().map(|c| c.code).collect();
        codes.sort();
        codes.dedup();
        let docs: Vec<IndexDoc> = state
            .store
            .catalog
            .resources_by_codes(codes)
            .await?
            .iter()
            .map(|r| IndexDoc::from_resource(r, &themes))
            .collect();
        let search = state.search.clone();
        tokio::task::spawn_blocking(move || search.upsert(&docs, newest, false))
            .await
            .map_err(|e| crate::error::ApiError::Internal(e.to_string()))??;
        since = newest;
    }
    Ok(())
}

/// Follows the change feed until the process ends.
pub async fn follow(state: AppState, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = sync(&state).await {
            tracing::warn!(error = %e, "search index sync failed");
        }
    }
}
