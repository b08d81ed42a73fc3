//! The server over a fake of one capability, where the real database cannot be made
//! to misbehave on cue: sharing reads that find the database gone, or that panic. The
//! other capabilities are the real store's, so apps, keys and the audit log are real.

mod common;

use async_trait::async_trait;
use common::TestServer;
use common::share::{app_call, new_app};
use govshare_store::catalog::files::{SharedFile, SharedFiles};
use govshare_store::org::apps::AppPrincipal;
use govshare_store::prelude::*;
use govshare_store::sharing::query::{QuerySpec, SharedRows};
use govshare_store::sharing::reads::{SharedChanges, SharedRow, Verification};
use govshare_store::{Result, StoreError};
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the fake's lookups do; everything else is the real store's.
#[derive(Clone, Copy)]
enum Fault {
    /// The database cannot be reached (with a cause no client may see).
    Unavailable,
    /// The code under the handler panics.
    Panic,
}

/// A cause that names the inside of the installation.
const SECRET_CAUSE: &str = "connection to 10.20.30.40:5432 refused (user=govshare_rw)";

struct FaultyReads {
    fault: Fault,
    real: Arc<dyn SharingReads>,
}

#[async_trait]
impl SharingReads for FaultyReads {
    async fn share_lookup(
        &self,
        _app: &AppPrincipal,
        code: &str,
        _key: Vec<String>,
        _items: Option<Vec<String>>,
    ) -> Result<SharedRow> {
        match self.fault {
            Fault::Unavailable => Err(StoreError::Unavailable(SECRET_CAUSE.into())),
            Fault::Panic => panic!("lookup of {code} broke an invariant"),
        }
    }
    async fn share_lookup_ref(
        &self,
        app: &AppPrincipal,
        code: &str,
        reference: &str,
        items: Option<Vec<String>>,
    ) -> Result<SharedRow> {
        self.real
            .share_lookup_ref(app, code, reference, items)
            .await
    }
    async fn share_verify(
        &self,
        app: &AppPrincipal,
        code: &str,
        key: Vec<String>,
        claims: BTreeMap<String, String>,
    ) -> Result<Verification> {
        self.real.share_verify(app, code, key, claims).await
    }
    async fn share_batch(
        &self,
        app: &AppPrincipal,
        code: &str,
        keys: Vec<Vec<String>>,
        items: Option<Vec<String>>,
    ) -> Result<SharedRows> {
        self.real.share_batch(app, code, keys, items).await
    }
    async fn share_query(
        &self,
        app: &AppPrincipal,
        code: &str,
        spec: QuerySpec,
    ) -> Result<SharedRows> {
        self.real.share_query(app, code, spec).await
    }
    async fn share_changes(
        &self,
        app: &AppPrincipal,
        code: &str,
        since: i64,
        limit: i64,
    ) -> Result<SharedChanges> {
        self.real.share_changes(app, code, since, limit).await
    }
    async fn share_files(&self, app: &AppPrincipal, code: &str) -> Result<SharedFiles> {
        self.real.share_files(app, code).await
    }
    async fn share_file(
        &self,
        app: &AppPrincipal,
        code: &str,
        version: Option<i64>,
    ) -> Result<SharedFile> {
        self.real.share_file(app, code, version).await
    }
}

/// A server whose sharing reads are `fault`y, a district app (its key and id), and
/// the auditor's token.
struct Faulty {
    s: TestServer,
    key: String,
    app_id: Value,
    auditor: String,
}

async fn faulty_server(backend: &'static str, fault: Fault) -> Faulty {
    let store = govshare_store::Store::open(&govshare_store::testing::fresh_database(backend))
        .await
        .unwrap();
    govshare_demo::seed::seed_reference(&store, &govshare_demo::catalog())
        .await
        .unwrap();
    let mut backends = govshare_server::Backends::of(&store);
    backends.sharing = Arc::new(FaultyReads {
        fault,
        real: backends.sharing.clone(),
    });
    let s = TestServer::serve_backends(store, backends, backend).await;
    let district = s.login("yuzhong_admin", "Demo@2026").await;
    let (status, made) = new_app(&s, &district, "渝中区", "故障演练应用").await;
    assert_eq!(status, 201, "{made}");
    let auditor = s.login("city_auditor", "Demo@2026").await;
    Faulty {
        key: made["key"].as_str().unwrap().to_string(),
        app_id: made["app"]["id"].clone(),
        s,
        auditor,
    }
}

/// The audit entries of `action`, newest first, as the auditor reads the log.
async fn entries(f: &Faulty, action: &str) -> Vec<Value> {
    let (status, log) =
        f.s.get_json("/api/v1/audit?limit=50", Some(&f.auditor))
            .await;
    assert_eq!(status, 200, "{log}");
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

const LOOKUP: &str = "/api/v1/share/101001/000001/rows/500103199001011234";

/// The database gone in the middle of a lookup: the app hears 503 with a retry hint
/// and nothing of the cause, and the call is in the audit log, once, as failed.
#[tokio::test]
async fn a_database_that_is_gone_answers_503_without_its_cause_and_is_audited() {
    for backend in common::backends() {
        let f = faulty_server(backend, Fault::Unavailable).await;
        let resp =
            f.s.client
                .get(f.s.url(LOOKUP))
                .header("x-api-key", &f.key)
                .send()
                .await
                .unwrap();
        assert_eq!(resp.status(), 503, "{backend}");
        assert_eq!(
            resp.headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap()),
            Some("5"),
            "{backend}: a client is told when to try again"
        );
        let body = resp.text().await.unwrap();
        assert!(body.contains("服务暂不可用"), "{backend}: {body}");
        assert!(
            !body.contains("10.20.30.40") && !body.contains("govshare_rw"),
            "{backend}: the cause reached the client: {body}"
        );
        let logged = entries(&f, "share.lookup").await;
        assert_eq!(logged.len(), 1, "{backend}: one entry per call: {logged:?}");
        let entry = &logged[0];
        assert_eq!(entry["outcome"], "failed", "{backend}: {entry}");
        assert_eq!(entry["resource_code"], "101001/000001", "{backend}");
        assert_eq!(entry["app_id"], f.app_id, "{backend}: {entry}");
        assert!(
            !entry.to_string().contains("10.20.30.40"),
            "{backend}: the cause is kept out of what auditors read: {entry}"
        );
    }
}

/// A panic under a lookup: the app hears 500 in the usual error shape, each call is
/// accounted for in the audit log, and the server goes on answering.
#[tokio::test]
async fn a_panicking_read_answers_500_is_audited_and_the_server_goes_on() {
    for backend in common::backends() {
        let f = faulty_server(backend, Fault::Panic).await;
        for round in 0..3 {
            let (status, body) = app_call(&f.s, Some(&f.key), Method::GET, LOOKUP, None).await;
            assert_eq!(status, 500, "{backend} round {round}: {body}");
            assert_eq!(body["error"]["code"], "internal", "{backend}: {body}");
            assert!(
                !body.to_string().contains("invariant"),
                "{backend}: the panic's message reached the client: {body}"
            );
        }
        // No handler got to write an entry: the audit net wrote one for each call.
        let logged = entries(&f, "http GET /api/v1/share/{class}/{seq}/rows/{key}").await;
        assert_eq!(logged.len(), 3, "{backend}: one entry per call: {logged:?}");
        for entry in &logged {
            assert_eq!(entry["outcome"], "failed", "{backend}: {entry}");
            assert_eq!(entry["app_id"], f.app_id, "{backend}: {entry}");
            assert_eq!(entry["resource_code"], "101001/000001", "{backend}");
        }
        // The rest of the server is untouched: health, and the real store's reads.
        let (status, _) = f.s.get_json("/healthz", None).await;
        assert_eq!(status, 200, "{backend}");
        let changes = "/api/v1/share/101001/000001/changes";
        let (status, body) = app_call(&f.s, Some(&f.key), Method::GET, changes, None).await;
        assert_eq!(status, 404, "{backend}: the real store answers: {body}");
    }
}
