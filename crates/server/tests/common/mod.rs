//! Starts a real govshare server on port 0 over a fresh database (SQLite, or
//! PostgreSQL when GOVSHARE_TEST_POSTGRES_URL is set) and speaks HTTP to it.
#![allow(dead_code)]

pub mod console;
pub mod share;

use govshare_store::prelude::*;
use reqwest::{Client, Method, Response};
use serde_json::Value;

pub struct TestServer {
    pub base: String,
    pub client: Client,
    pub store: govshare_store::Store,
    pub backend: &'static str,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn backends() -> Vec<&'static str> {
    govshare_store::testing::backends()
}

impl TestServer {
    /// A server whose database holds the demo city's organisations, classification,
    /// themes and users; with `catalog`, also its 3,614 catalog entries.
    pub async fn start(backend: &'static str, catalog: bool) -> TestServer {
        TestServer::start_with(backend, catalog, TestServer::config()).await
    }

    /// The configuration tests serve with unless they need another.
    pub fn config() -> govshare_server::ServerConfig {
        govshare_server::ServerConfig {
            follow_every: std::time::Duration::from_millis(200),
            ..Default::default()
        }
    }

    /// As `start`, serving with `config`.
    pub async fn start_with(
        backend: &'static str,
        catalog: bool,
        config: govshare_server::ServerConfig,
    ) -> TestServer {
        let store = govshare_store::Store::open(&govshare_store::testing::fresh_database(backend))
            .await
            .unwrap();
        if catalog {
            govshare_demo::seed::seed_demo(&store, |_| {})
                .await
                .unwrap();
        } else {
            govshare_demo::seed::seed_reference(&store, &govshare_demo::catalog())
                .await
                .unwrap();
        }
        TestServer::serve_with(store, backend, config).await
    }

    pub async fn serve(store: govshare_store::Store, backend: &'static str) -> TestServer {
        TestServer::serve_with(store, backend, TestServer::config()).await
    }

    pub async fn serve_with(
        store: govshare_store::Store,
        backend: &'static str,
        config: govshare_server::ServerConfig,
    ) -> TestServer {
        let state = govshare_server::AppState::new(store.clone(), config)
            .await
            .unwrap();
        TestServer::listen(state, store, backend).await
    }

    /// A server over `backends` (the real `store`'s capabilities with some replaced
    /// by fakes).
    pub async fn serve_backends(
        store: govshare_store::Store,
        backends: govshare_server::Backends,
        backend: &'static str,
    ) -> TestServer {
        let state = govshare_server::AppState::with_backends(backends, TestServer::config())
            .await
            .unwrap();
        TestServer::listen(state, store, backend).await
    }

    async fn listen(
        state: govshare_server::AppState,
        store: govshare_store::Store,
        backend: &'static str,
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(govshare_server::serve(listener, state, async move {
            let _ = rx.await;
        }));
        let client = Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap();
        // Poll readiness rather than sleeping.
        for _ in 0..100 {
            if client
                .get(format!("{base}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            tokio::task::yield_now().await;
        }
        TestServer {
            base,
            client,
            store,
            backend,
            shutdown: Some(tx),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let resp = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "login {username}");
        resp.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Sends a request with an optional token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    /// Posts raw bytes (a file upload) with a token; returns the status and JSON body.
    pub async fn post_bytes(&self, path: &str, token: &str, body: Vec<u8>) -> (u16, Value) {
        let resp = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// A page or text answer that must succeed.
    pub async fn get_text(&self, path: &str) -> String {
        let resp = self.call(Method::GET, path, None, None).await;
        assert_eq!(resp.status(), 200, "{path}");
        resp.text().await.unwrap()
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let resp = self.call(Method::GET, path, token, None).await;
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        let resp = self.call(method, path, token, Some(body)).await;
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

/// The credit code of a demo organisation whose name contains `word`.
pub fn org_code(word: &str) -> String {
    govshare_demo::catalog()
        .orgs
        .iter()
        .find(|o| o.name.contains(word))
        .unwrap()
        .credit_code
        .clone()
}

/// A sound resource body for a provider, under one of its classification nodes.
pub fn resource_body(provider_code: &str, classification: &str, name: &str) -> Value {
    serde_json::json!({
        "classification": classification,
        "name": name,
        "provider_code": provider_code,
        "summary": format!("{name}，覆盖全市，用于政务服务办理"),
        "format_category": "database",
        "format_type": "Oracle",
        "items": [
            {"name": "公民身份号码", "data_type": "C", "length": 18, "key": true, "sensitive": true},
            {"name": "姓名", "data_type": "C", "length": 50}
        ],
        "sharing_type": "unconditional",
        "sharing_method": "api",
        "open_type": "closed",
        "update_cycle": "daily"
    })
}

/// The first 目 or 细目 classification code of an organisation in the demo tree.
pub fn class_of(word: &str) -> String {
    let demo = govshare_demo::catalog();
    let code = org_code(word);
    demo.resources
        .iter()
        .find(|r| r.spec.provider_code == code)
        .unwrap()
        .spec
        .classification
        .clone()
}

/// How many demo entries the public may see: published and not closed.
pub fn public_count(demo: &govshare_demo::DemoCatalog) -> usize {
    demo.resources
        .iter()
        .filter(|r| {
            r.state == govshare_domain::lifecycle::State::Published
                && r.spec.open_type != govshare_domain::labels::OpenType::Closed
        })
        .count()
}

/// A registered police entry of places (key 场所编号) with an empty pool, in a fresh
/// database: its URL and the entry's code.
pub async fn prepared_pool(backend: &'static str) -> (String, String) {
    prepared_pool_as(backend, "unconditional").await
}

/// As `prepared_pool`, the entry shared as `sharing` (`unconditional`, `conditional`).
pub async fn prepared_pool_as(backend: &'static str, sharing: &str) -> (String, String) {
    let url = govshare_store::testing::fresh_database(backend);
    let store = govshare_store::Store::open(&url).await.unwrap();
    govshare_demo::seed::seed_reference(&store, &govshare_demo::catalog())
        .await
        .unwrap();
    let spec: govshare_domain::resource::ResourceSpec = serde_json::from_value(serde_json::json!({
        "classification": class_of("公安局"), "name": "重点场所登记", "provider_code": org_code("公安局"),
        "summary": "重点场所的编号、名称和容量，用于崩溃测试", "format_category": "database",
        "items": [
            {"name": "场所编号", "data_type": "C", "length": 20, "key": true},
            {"name": "场所名称", "data_type": "C", "length": 60},
            {"name": "容量", "data_type": "I", "length": 10}
        ],
        "sharing_type": sharing, "sharing_method": "table", "open_type": "closed", "update_cycle": "daily",
        "sharing_condition": if sharing == "conditional" { "仅用于场所安全检查" } else { "" }
    }))
    .unwrap();
    let sys = govshare_store::Caller::System("test".into());
    let r = store.create_resource(&sys, spec).await.unwrap();
    store
        .transition_resource(
            &sys,
            &r.code,
            govshare_domain::lifecycle::Action::Submit,
            "",
        )
        .await
        .unwrap();
    store
        .transition_resource(
            &sys,
            &r.code,
            govshare_domain::lifecycle::Action::Register,
            "",
        )
        .await
        .unwrap();
    (url, r.code)
}

/// A pool's recorded row count and the rows its table holds.
pub async fn pool_rows(url: &str, code: &str) -> (i64, i64) {
    let store = govshare_store::Store::open(url).await.unwrap();
    let info = store
        .pool(&govshare_store::Caller::System("t".into()), code)
        .await
        .unwrap();
    let table = info.table.clone();
    let actual = store
        .read(move |c| {
            c.query_one(
                &format!("SELECT COUNT(*) AS row_count FROM \"{table}\""),
                &[],
            )?
            .i64("row_count")
        })
        .await
        .unwrap();
    (info.row_count, actual)
}

/// A draft entry of the demo police (公安局), made through the API by its admin: its code.
pub async fn police_draft(s: &TestServer, name: &str) -> String {
    let police = s.login("gaj_admin", "Demo@2026").await;
    let body = resource_body(&org_code("公安局"), &class_of("公安局"), name);
    let (status, created) = s
        .send_json(
            reqwest::Method::POST,
            "/api/v1/resources",
            Some(&police),
            body,
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["code"].as_str().unwrap().to_string()
}
