//! The permission matrix: every operation of the API document, asked by every kind of
//! caller, must be answered as the table below says — served, refused (403), told it
//! does not exist (404) or asked to sign in (401). An operation of the document that
//! the table does not list fails the test, so no endpoint ships without its row.

mod common;

use common::share::{app_call, id, new_app, parties, published, published_file};
use common::{TestServer, class_of, org_code, resource_body};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Signed-in callers: the provider's (police) admin, operator and sharing approver, a
/// consumer (a district's admin), another department's operator, the bureau and its
/// auditor; and nobody signed in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Bureau,
    Auditor,
    Admin,
    Operator,
    Approver,
    Consumer,
    Other,
}
use Who::*;

const EVERYONE: &[Who] = &[
    Anonymous, Bureau, Auditor, Admin, Operator, Approver, Consumer, Other,
];
const SIGNED_IN: &[Who] = &[Bureau, Auditor, Admin, Operator, Approver, Consumer, Other];
/// Who keeps the provider's catalog entries and pools.
const KEEPERS: &[Who] = &[Bureau, Admin, Operator];
/// Who decides on others' use of the provider's data.
const DECIDERS: &[Who] = &[Bureau, Admin, Approver];
/// Who is told another organisation's app does not exist (the auditor sees them all).
const STRANGERS_TO_APP: &[Who] = &[Admin, Operator, Approver, Other];

#[derive(Clone)]
enum Payload {
    None,
    Json(Value),
    Bytes(Vec<u8>),
}

/// One operation, made concrete, with who is served and who is told "not found".
struct Op {
    method: Method,
    template: &'static str,
    path: String,
    payload: Payload,
    allow: &'static [Who],
    hidden: &'static [Who],
    /// Callers whose file is refused entry by entry (422, each entry naming why).
    rows_refused: &'static [Who],
    /// Served callers that act on an object of their own (one in the state the call
    /// needs), so that every served call is answered with its success status.
    fresh: Vec<(Who, String, Payload)>,
}

fn op(method: Method, template: &'static str, path: String, payload: Payload) -> Op {
    Op {
        method,
        template,
        path,
        payload,
        allow: &[],
        hidden: &[],
        rows_refused: &[],
        fresh: vec![],
    }
}

impl Op {
    fn allow(mut self, who: &'static [Who]) -> Op {
        self.allow = who;
        self
    }
    fn hidden(mut self, who: &'static [Who]) -> Op {
        self.hidden = who;
        self
    }
    fn rows_refused(mut self, who: &'static [Who]) -> Op {
        self.rows_refused = who;
        self
    }
    fn fresh(mut self, targets: Vec<(Who, String, Payload)>) -> Op {
        self.fresh = targets;
        self
    }
    /// The path and payload a caller sends.
    fn target(&self, who: Who) -> (&str, &Payload) {
        self.fresh
            .iter()
            .find(|(w, _, _)| *w == who)
            .map(|(_, p, b)| (p.as_str(), b))
            .unwrap_or((&self.path, &self.payload))
    }
    fn expected(&self, who: Who) -> Expect {
        if self.allow.contains(&who) {
            Expect::Served
        } else if self.hidden.contains(&who) {
            Expect::NotFound
        } else if self.rows_refused.contains(&who) {
            Expect::RowsRefused
        } else if who == Anonymous {
            Expect::SignIn
        } else {
            Expect::Refused
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Expect {
    /// One of the success statuses the API document gives the operation.
    Served,
    /// Past every permission check, and then this answer (a call built to be bad).
    Answered(u16),
    Refused,
    NotFound,
    SignIn,
    RowsRefused,
}

/// The success statuses the API document gives an operation (its 2xx responses).
fn documented_success(method: &Method, template: &str) -> Vec<u16> {
    let doc: Value = serde_json::from_str(include_str!("../../../docs/openapi.json")).unwrap();
    let responses = &doc["paths"][template][method.as_str().to_lowercase()]["responses"];
    responses
        .as_object()
        .map(|r| {
            r.keys()
                .filter_map(|k| k.parse::<u16>().ok())
                .filter(|k| (200..300).contains(k))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether an answer is the one expected; "served" means one of the success statuses
/// the API document gives the operation.
fn holds(expect: &Expect, success: &[u16], status: u16, body: &str) -> bool {
    match expect {
        Expect::RowsRefused => status == 422 && body.contains("forbidden"),
        Expect::Served => success.contains(&status),
        Expect::Answered(want) => status == *want,
        Expect::Refused => status == 403,
        Expect::NotFound => status == 404,
        Expect::SignIn => status == 401,
    }
}

async fn send(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    payload: &Payload,
) -> (u16, String) {
    let mut req = s.client.request(method, s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req = match payload {
        Payload::None => req,
        Payload::Json(v) => req.json(v),
        Payload::Bytes(b) => req.body(b.clone()),
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

/// The operations of the API document: (METHOD, path template) and its security.
fn documented() -> Vec<(String, String, bool)> {
    let doc: Value = serde_json::from_str(include_str!("../../../docs/openapi.json")).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, o) in item.as_object().unwrap() {
            let app_key = o["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("app_key").is_some()));
            ops.push((method.to_uppercase(), path.clone(), app_key));
        }
    }
    ops
}

/// The API document's template of a concrete path (`/api/v1/share/101001/000004/lookup`
/// → `/api/v1/share/{class}/{seq}/lookup`).
fn template_of(method: &Method, path: &str) -> &'static str {
    let ops: &'static Vec<(String, String, bool)> = Box::leak(Box::new(documented()));
    let parts: Vec<&str> = path.split('?').next().unwrap_or(path).split('/').collect();
    ops.iter()
        .filter(|(m, _, _)| m == method.as_str())
        .map(|(_, t, _)| t.as_str())
        .find(|t| {
            let tp: Vec<&str> = t.split('/').collect();
            tp.len() == parts.len()
                && tp
                    .iter()
                    .zip(&parts)
                    .all(|(a, b)| a.starts_with('{') || a == b)
        })
        .unwrap_or_else(|| panic!("{method} {path} is not in the API document"))
}

fn key_of(made: &Value) -> String {
    made["key"].as_str().unwrap().to_string()
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

#[tokio::test]
async fn every_operation_answers_every_caller_as_the_table_says() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let (police, bureau, district) = (&p.police, &p.bureau, &p.district);
        let approver = s.login("gaj_approver", "Demo@2026").await;
        let auditor = s.login("city_auditor", "Demo@2026").await;
        let (status, matrix_op) = s
            .send_json(
                Method::POST,
                "/api/v1/users",
                Some(police),
                json!({"username": "gaj_matrix_op", "display_name": "矩阵测试", "password": "Strong-maple-T4q-2026",
                       "role": "org_operator", "org_code": org_code("公安局")}),
            )
            .await;
        assert_eq!(status, 201);
        let operator = s.login("gaj_matrix_op", "Strong-maple-T4q-2026").await;

        // The provider's entries: shared unconditionally, on condition, not at all; one
        // for manual review of registrations; one whose pool and entry the keepers
        // change; a file-type entry; and a draft.
        let a = id("50010319800101002");
        let rows = json!([{"公民身份号码": a, "姓名": "张三", "联系电话": "13812345678"},
                          {"公民身份号码": id("50010319900202003"), "姓名": "李四"}]);
        let unconditional = json!({"sharing_type": "unconditional", "sharing_method": "api"});
        let open = published(s, police, bureau, unconditional.clone(), &rows).await;
        let cond = published(s, police, bureau,
            json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"}), &rows).await;
        let closed = published(
            s,
            police,
            bureau,
            json!({"sharing_type": "not_shared", "not_shared_basis": "法律规定"}),
            &rows,
        )
        .await;
        let reviewed = published(s, police, bureau, unconditional.clone(), &rows).await;
        let spare = published(s, police, bureau, unconditional, &rows).await;
        let filed = published_file(
            s,
            police,
            bureau,
            "户籍管理政策文件汇编",
            json!([{"name": "文件标题", "data_type": "C", "length": 200}]),
            "%PDF-1.4 户籍管理政策文件汇编".as_bytes(),
        )
        .await;
        let mut drafts = Vec::new();
        for name in ["矩阵测试草稿", "矩阵测试草稿二", "矩阵测试草稿三"] {
            let (status, draft) = s
                .send_json(
                    Method::POST,
                    "/api/v1/resources",
                    Some(police),
                    resource_body(&org_code("公安局"), &class_of("公安局"), name),
                )
                .await;
            assert_eq!(status, 201, "{draft}");
            drafts.push(draft["code"].as_str().unwrap().to_string());
        }
        let draft = drafts[0].clone();
        let (status, batch) = s
            .send_json(
                Method::POST,
                &format!("/api/v1/pools/{spare}/rows"),
                Some(police),
                json!({"rows": [{"公民身份号码": id("50010319700303004"), "姓名": "王五"}]}),
            )
            .await;
        assert_eq!(status, 201, "{batch}");
        let batch_id = batch["batch_id"].clone();

        // Apps: the provider's own, the consumer's (registered, granted), another
        // department's with no basis, a revoked and an expired one of the consumer, a
        // second consumer app with requests waiting, and one to be revoked.
        let (_, owner_app) = new_app(s, police, "公安局", "户籍管理系统").await;
        let (_, consumer_app) = new_app(s, district, "渝中区", "政务服务系统").await;
        let (_, stranger_app) = new_app(s, bureau, "市场监督管理局", "企业登记系统").await;
        let (_, revoked_app) = new_app(s, district, "渝中区", "已吊销的系统").await;
        let (_, expired_app) = new_app(s, district, "渝中区", "已过期的系统").await;
        let (_, waiting_app) = new_app(s, district, "渝中区", "基层治理平台").await;
        let (_, doomed_app) = new_app(s, district, "渝中区", "待吊销的系统").await;
        let consumer_id = id_of(&consumer_app["app"]);
        let waiting_id = id_of(&waiting_app["app"]);
        let (status, _) = s
            .send_json(
                Method::POST,
                &format!("/api/v1/apps/{}/revoke", id_of(&revoked_app["app"])),
                Some(district),
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        let expired_id = id_of(&expired_app["app"]);
        s.store
            .write(move |c| {
                c.execute(
                    &format!("UPDATE apps SET expires_at = '2020-01-01T00:00:00.000Z' WHERE id = {expired_id}"),
                    &[],
                )
            })
            .await
            .unwrap();
        let register = |app: i64, code: &str| {
            s.send_json(
                Method::POST,
                "/api/v1/share/registrations",
                Some(district),
                json!({"app_id": app, "resource": code, "purpose": "办理户籍业务", "scenario": "窗口受理"}),
            )
        };
        for code in [&open, &filed] {
            assert_eq!(register(consumer_id, code).await.0, 201);
        }
        let today = govshare_store::clock::today();
        let apply = |app: i64| {
            s.send_json(Method::POST, "/api/v1/share/requests", Some(district), json!({
                "app_id": app, "resource": cond, "purpose": "办理户籍业务核验", "legal_basis": "《户口登记条例》",
                "scope": {"items": ["公民身份号码", "姓名"], "valid_from": today, "valid_to": today + chrono::Duration::days(1), "daily_quota": 1000, "total_quota": 1000}
            }))
        };
        let (status, granted) = apply(consumer_id).await;
        assert_eq!(status, 201, "{granted}");
        let (status, grant) = s
            .send_json(
                Method::POST,
                &format!("/api/v1/share/requests/{}/answer", id_of(&granted)),
                Some(police),
                json!({"answer": "approve"}),
            )
            .await;
        assert_eq!(status, 200, "{grant}");
        let grant_id = grant["grant_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no grant in {grant}"));
        let (status, waiting) = apply(waiting_id).await;
        assert_eq!(status, 201, "{waiting}");
        let waiting_request = id_of(&waiting);
        let (status, _) = s
            .send_json(
                Method::PUT,
                &format!("/api/v1/share/{reviewed}/review"),
                Some(bureau),
                json!({"manual": true}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, pending) = register(waiting_id, &reviewed).await;
        assert_eq!(
            (status, pending["status"].as_str()),
            (201, Some("pending")),
            "{pending}"
        );
        let pending_registration = id_of(&pending);
        let (status, report) = app_call(
            s,
            Some(&key_of(&consumer_app)),
            Method::POST,
            &format!("/api/v1/share/{open}/corrections"),
            Some(json!({"key": [a], "item": "姓名", "proposed": "张叁", "evidence": "户口簿记载为张叁"})),
        )
        .await;
        assert_eq!(status, 201, "{report}");
        let correction = id_of(&report);

        // Objects of their own for the second and third served callers of the
        // operations that move an object on (a pending registration answered once, a
        // waiting request, an open error report), each in the state the call needs.
        let mut pending_registrations = Vec::new();
        for name in ["基层治理平台二", "基层治理平台三"] {
            let (_, app) = new_app(s, district, "渝中区", name).await;
            let (status, pending) = register(id_of(&app["app"]), &reviewed).await;
            assert_eq!(status, 201, "{pending}");
            pending_registrations.push(id_of(&pending));
        }
        let mut waiting_requests = Vec::new();
        for _ in 0..3 {
            let (status, waiting) = apply(waiting_id).await;
            assert_eq!(status, 201, "{waiting}");
            waiting_requests.push(id_of(&waiting));
        }
        let asked_request = waiting_requests.pop().unwrap();
        let (status, asked) = s
            .send_json(
                Method::POST,
                &format!("/api/v1/share/requests/{asked_request}/answer"),
                Some(&approver),
                json!({"answer": "ask_more", "note": "请补充户口迁移业务受理单"}),
            )
            .await;
        assert_eq!(status, 200, "{asked}");
        let mut corrections = Vec::new();
        for (key, item, proposed) in [
            (a.clone(), "联系电话", "13812345679"),
            (id("50010319900202003"), "姓名", "李肆"),
        ] {
            let (status, report) = app_call(
                s,
                Some(&key_of(&consumer_app)),
                Method::POST,
                &format!("/api/v1/share/{open}/corrections"),
                Some(json!({"key": [key], "item": item, "proposed": proposed, "evidence": "户口簿记载"})),
            )
            .await;
            assert_eq!(status, 201, "{report}");
            corrections.push(id_of(&report));
        }

        // Apps first: the users' part revokes things the apps use.
        app_matrix(
            s,
            backend,
            &AppKeys {
                owner: key_of(&owner_app),
                consumer: key_of(&consumer_app),
                stranger: key_of(&stranger_app),
                revoked: key_of(&revoked_app),
                expired: key_of(&expired_app),
            },
            [&open, &cond, &closed],
            &filed,
            &a,
        )
        .await;

        use Payload::{Bytes, Json, None as Empty};
        let theme = s.get_json("/api/v1/themes", None).await.1[0]["code"]
            .as_str()
            .unwrap()
            .to_string();
        let police_org = org_code("公安局");
        let district_org = org_code("渝中区");
        let entry = resource_body(&police_org, &class_of("公安局"), "矩阵测试新目录");
        let mut edited = s
            .get_json(&format!("/api/v1/resources/{spare}"), Some(police))
            .await
            .1;
        for field in [
            "id",
            "state",
            "version",
            "owner_org_id",
            "created_at",
            "updated_at",
        ] {
            edited.as_object_mut().unwrap().remove(field);
        }
        edited["summary"] = json!("常住人口的身份号码、姓名和联系电话（矩阵测试修改）");
        let csv = format!("公民身份号码,姓名\n{},赵六\n", id("50010319600404005")).into_bytes();
        let ops = vec![
            op(Method::POST, "/api/v1/auth/login", "/api/v1/auth/login".into(),
                Json(json!({"username": "admin", "password": "Admin@2026"}))).allow(EVERYONE),
            op(Method::GET, "/api/v1/me", "/api/v1/me".into(), Empty).allow(SIGNED_IN),
            op(Method::POST, "/api/v1/users", "/api/v1/users".into(),
                Json(json!({"username": "gaj_matrix_op2", "display_name": "矩阵测试", "password": "Strong-maple-T4q-2026",
                            "role": "org_operator", "org_code": police_org}))).allow(&[Bureau, Admin])
                .fresh(vec![(Admin, "/api/v1/users".into(), Json(json!({"username": "gaj_matrix_op3", "display_name": "矩阵测试",
                    "password": "Strong-maple-T4q-2026", "role": "org_operator", "org_code": police_org})))]),
            op(Method::GET, "/api/v1/users", "/api/v1/users".into(), Empty).allow(&[Bureau, Admin, Consumer]),
            // Another organisation's account, or any account to one who manages none, is not there.
            op(Method::PATCH, "/api/v1/users/{id}", format!("/api/v1/users/{}", matrix_op["id"]), Json(json!({"active": true})))
                .allow(&[Bureau, Admin]).hidden(&[Auditor, Operator, Approver, Consumer, Other]),
            op(Method::GET, "/healthz", "/healthz".into(), Empty).allow(EVERYONE),
            op(Method::GET, "/metrics", "/metrics".into(), Empty).allow(EVERYONE),
            // Reference data: everyone reads, the bureau keeps.
            op(Method::GET, "/api/v1/orgs", "/api/v1/orgs".into(), Empty).allow(EVERYONE),
            op(Method::GET, "/api/v1/orgs/{code}", format!("/api/v1/orgs/{police_org}"), Empty).allow(EVERYONE),
            op(Method::POST, "/api/v1/orgs", "/api/v1/orgs".into(),
                Json(json!({"credit_code": police_org, "name": "重庆市公安局", "kind": "department", "level": "provincial", "region_code": "500000"})))
                .allow(&[Bureau]),
            op(Method::GET, "/api/v1/classification", "/api/v1/classification".into(), Empty).allow(EVERYONE),
            op(Method::POST, "/api/v1/classification", "/api/v1/classification".into(),
                Json(json!([{"code": "101099", "name": "测试分类"}]))).allow(&[Bureau]),
            op(Method::GET, "/api/v1/themes", "/api/v1/themes".into(), Empty).allow(EVERYONE),
            op(Method::GET, "/api/v1/themes/{code}", format!("/api/v1/themes/{theme}"), Empty).allow(EVERYONE),
            op(Method::POST, "/api/v1/themes", "/api/v1/themes".into(),
                Json(json!([{"code": "T99", "name": "测试主题"}]))).allow(&[Bureau]),
            // Made just above, nothing under them: the bureau's to delete.
            op(Method::DELETE, "/api/v1/themes/{code}", "/api/v1/themes/T99".into(), Empty).allow(&[Bureau]),
            op(Method::DELETE, "/api/v1/classification/{code}", "/api/v1/classification/101099".into(), Empty).allow(&[Bureau]),
            op(Method::GET, "/api/v1/orgs/{code}/quota", format!("/api/v1/orgs/{police_org}/quota"), Empty)
                .allow(&[Bureau, Admin, Operator, Approver]),
            op(Method::PUT, "/api/v1/orgs/{code}/quota", format!("/api/v1/orgs/{police_org}/quota"),
                Json(json!({"max_rows": 1_000_000, "max_bytes": null}))).allow(&[Bureau]),
            // The catalog: the public sees open entries; government users the published
            // catalog and their own; the keepers write their own organisation's.
            op(Method::GET, "/api/v1/resources", "/api/v1/resources".into(), Empty).allow(EVERYONE),
            op(Method::GET, "/api/v1/search", "/api/v1/search?q=人口".into(), Empty).allow(EVERYONE),
            op(Method::GET, "/api/v1/catalog/export", "/api/v1/catalog/export?format=json".into(), Empty).allow(EVERYONE),
            op(Method::GET, "/api/v1/resources/{class}/{seq}", format!("/api/v1/resources/{spare}"), Empty)
                .allow(SIGNED_IN).hidden(&[Anonymous]),
            op(Method::GET, "/api/v1/resources/{class}/{seq}/history", format!("/api/v1/resources/{spare}/history"), Empty)
                .allow(SIGNED_IN).hidden(&[Anonymous]),
            op(Method::POST, "/api/v1/resources", "/api/v1/resources".into(), Json(entry.clone())).allow(KEEPERS),
            op(Method::POST, "/api/v1/catalog/import", "/api/v1/catalog/import?format=json".into(),
                Bytes(serde_json::to_vec(&json!({"resources": [entry]})).unwrap())).allow(KEEPERS)
                .rows_refused(&[Consumer, Other]),
            // A published entry is changed by its organisation's admin or the bureau only.
            op(Method::PUT, "/api/v1/resources/{class}/{seq}", format!("/api/v1/resources/{spare}"), Json(edited))
                .allow(&[Bureau, Admin]),
            // A draft is seen by its own organisation only.
            op(Method::POST, "/api/v1/resources/{class}/{seq}/transitions", format!("/api/v1/resources/{draft}/transitions"),
                Json(json!({"action": "submit"}))).allow(KEEPERS).hidden(&[Auditor, Consumer, Other])
                .fresh([Admin, Operator].into_iter().zip(&drafts[1..]).map(|(who, d)|
                    (who, format!("/api/v1/resources/{d}/transitions"), Json(json!({"action": "submit"})))).collect()),
            op(Method::GET, "/api/v1/changes", "/api/v1/changes".into(), Empty).allow(&[Bureau]),
            // Pools and files: the keepers of the provider.
            // A pool's shape and size need a sign-in, even for a published entry.
            op(Method::GET, "/api/v1/pools/{class}/{seq}", format!("/api/v1/pools/{spare}"), Empty)
                .allow(SIGNED_IN),
            op(Method::POST, "/api/v1/pools/{class}/{seq}/rows", format!("/api/v1/pools/{spare}/rows"),
                Json(json!({"rows": [{"公民身份号码": id("50010319600404005"), "姓名": "赵六"}]}))).allow(KEEPERS),
            op(Method::POST, "/api/v1/pools/{class}/{seq}/batches", format!("/api/v1/pools/{spare}/batches?format=csv"),
                Bytes(csv)).allow(KEEPERS),
            op(Method::GET, "/api/v1/pools/batches/{id}/quarantine", format!("/api/v1/pools/batches/{batch_id}/quarantine"), Empty)
                .allow(KEEPERS).hidden(&[Auditor, Approver, Consumer, Other]),
            op(Method::GET, "/api/v1/pools/{class}/{seq}/changes", format!("/api/v1/pools/{spare}/changes"), Empty).allow(KEEPERS),
            op(Method::PUT, "/api/v1/pools/{class}/{seq}/checks", format!("/api/v1/pools/{spare}/checks"),
                Json(json!({"checks": {"公民身份号码": [], "联系电话": ["phone"]}}))).allow(KEEPERS),
            op(Method::PUT, "/api/v1/pools/{class}/{seq}/selection", format!("/api/v1/pools/{spare}/selection"),
                Json(json!({"rows": []}))).allow(KEEPERS),
            op(Method::GET, "/api/v1/files/{class}/{seq}", format!("/api/v1/files/{filed}"), Empty)
                .allow(SIGNED_IN).hidden(&[Anonymous]),
            op(Method::POST, "/api/v1/files/{class}/{seq}", format!("/api/v1/files/{filed}?name=第二版.pdf"),
                Bytes(b"%PDF-1.4 v2".to_vec())).allow(KEEPERS),
            // Other consumers read files through the sharing API, under its rules.
            op(Method::GET, "/api/v1/files/{class}/{seq}/{version}", format!("/api/v1/files/{filed}/1"), Empty)
                .allow(KEEPERS).hidden(&[Auditor, Approver, Consumer, Other]),
            // Apps: the organisation's admin and the bureau manage its keys; its members see them.
            op(Method::GET, "/api/v1/orgs/{code}/apps", format!("/api/v1/orgs/{district_org}/apps"), Empty)
                .allow(&[Bureau, Consumer]),
            op(Method::POST, "/api/v1/orgs/{code}/apps", format!("/api/v1/orgs/{district_org}/apps"),
                Json(json!({"name": "矩阵测试应用", "expires_days": 30}))).allow(&[Bureau, Consumer]),
            op(Method::POST, "/api/v1/apps/{id}/revoke", format!("/api/v1/apps/{}/revoke", id_of(&doomed_app["app"])), Json(json!({})))
                .allow(&[Bureau, Consumer]).hidden(STRANGERS_TO_APP),
            // Sharing: consumers register and apply for their apps; the provider's
            // deciders answer; parties see their own, the bureau and auditors all.
            op(Method::GET, "/api/v1/share/registrations", "/api/v1/share/registrations".into(), Empty).allow(SIGNED_IN),
            op(Method::POST, "/api/v1/share/registrations", "/api/v1/share/registrations".into(),
                Json(json!({"app_id": consumer_id, "resource": spare, "purpose": "办理户籍业务", "scenario": "窗口受理"})))
                .allow(&[Bureau, Consumer]).hidden(STRANGERS_TO_APP),
            op(Method::POST, "/api/v1/share/registrations/{id}/answer", format!("/api/v1/share/registrations/{pending_registration}/answer"),
                Json(json!({"approve": true}))).allow(DECIDERS).hidden(&[Other])
                .fresh([Admin, Approver].into_iter().zip(&pending_registrations).map(|(who, r)|
                    (who, format!("/api/v1/share/registrations/{r}/answer"), Json(json!({"approve": true})))).collect()),
            op(Method::PUT, "/api/v1/share/{class}/{seq}/review", format!("/api/v1/share/{reviewed}/review"),
                Json(json!({"manual": true}))).allow(&[Bureau]),
            op(Method::GET, "/api/v1/share/requests", "/api/v1/share/requests".into(), Empty).allow(SIGNED_IN),
            op(Method::POST, "/api/v1/share/requests", "/api/v1/share/requests".into(), Json(json!({
                "app_id": waiting_id, "resource": cond, "purpose": "办理户籍业务核验", "legal_basis": "《户口登记条例》",
                "scope": {"items": ["姓名"], "valid_from": today, "valid_to": today + chrono::Duration::days(1), "daily_quota": 10, "total_quota": 10}
            }))).allow(&[Bureau, Consumer]).hidden(STRANGERS_TO_APP),
            op(Method::POST, "/api/v1/share/requests/{id}/material", format!("/api/v1/share/requests/{asked_request}/material"),
                Json(json!({"material": "补充：户口迁移业务受理单"}))).allow(&[Consumer]).hidden(&[Other]),
            op(Method::POST, "/api/v1/share/requests/{id}/answer", format!("/api/v1/share/requests/{waiting_request}/answer"),
                Json(json!({"answer": "reject", "note": "用途与申请事项不符"}))).allow(DECIDERS).hidden(&[Other])
                .fresh([Admin, Approver].into_iter().zip(&waiting_requests).map(|(who, r)|
                    (who, format!("/api/v1/share/requests/{r}/answer"), Json(json!({"answer": "reject", "note": "用途与申请事项不符"})))).collect()),
            // Approvers decide requests; only the provider's admin or the bureau takes a grant back.
            op(Method::POST, "/api/v1/share/grants/{id}/revoke", format!("/api/v1/share/grants/{grant_id}/revoke"), Json(json!({})))
                .allow(&[Bureau, Admin]).hidden(&[Other]),
            op(Method::PUT, "/api/v1/share/calendar", "/api/v1/share/calendar".into(),
                Json(json!([{"day": "2026-10-01", "working": false}]))).allow(&[Bureau]),
            op(Method::DELETE, "/api/v1/share/calendar/{day}", "/api/v1/share/calendar/2026-10-01".into(), Empty).allow(&[Bureau]),
            op(Method::GET, "/api/v1/share/corrections", "/api/v1/share/corrections".into(), Empty).allow(SIGNED_IN),
            // Fixing a reported value is keeping the provider's data.
            op(Method::POST, "/api/v1/share/corrections/{id}/answer", format!("/api/v1/share/corrections/{correction}/answer"),
                Json(json!({"accept": false, "note": "户籍档案记载无误"}))).allow(KEEPERS).hidden(&[Other])
                .fresh([Admin, Operator].into_iter().zip(&corrections).map(|(who, c)|
                    (who, format!("/api/v1/share/corrections/{c}/answer"), Json(json!({"accept": false, "note": "户籍档案记载无误"})))).collect()),
            op(Method::GET, "/api/v1/audit", "/api/v1/audit".into(), Empty).allow(SIGNED_IN),
            op(Method::GET, "/api/v1/share/stats", "/api/v1/share/stats".into(), Empty).allow(SIGNED_IN),
            // Last: signing out ends each caller's session.
            op(Method::POST, "/api/v1/auth/logout", "/api/v1/auth/logout".into(), Json(json!({}))).allow(SIGNED_IN),
        ];

        let app_ops: BTreeSet<(String, String)> = APP_OPS
            .iter()
            .map(|(m, t)| (m.to_string(), t.to_string()))
            .collect();
        let listed: BTreeSet<(String, String)> = ops
            .iter()
            .map(|o| (o.method.to_string(), o.template.to_string()))
            .chain(app_ops.iter().cloned())
            .collect();
        for (method, path, app_key) in documented() {
            assert!(
                listed.contains(&(method.clone(), path.clone())),
                "{method} {path} is in the API document but not in the permission table"
            );
            assert_eq!(
                app_key,
                app_ops.contains(&(method.clone(), path.clone())),
                "{method} {path}: called with an app key exactly when the table's app part lists it"
            );
        }
        assert_eq!(
            listed.len(),
            documented().len(),
            "the table lists only documented operations"
        );

        let token = |who: Who| -> Option<&str> {
            match who {
                Anonymous => None,
                Bureau => Some(bureau),
                Auditor => Some(&auditor),
                Admin => Some(police),
                Operator => Some(&operator),
                Approver => Some(&approver),
                Consumer => Some(district),
                Other => Some(&p.market),
            }
        };
        let mut wrong = Vec::new();
        for o in &ops {
            // Refusals first: a refused call must change nothing the served ones need.
            let (served, refused): (Vec<Who>, Vec<Who>) =
                EVERYONE.iter().partition(|w| o.allow.contains(w));
            for who in refused.into_iter().chain(served) {
                let want = o.expected(who);
                let success = documented_success(&o.method, o.template);
                assert!(
                    !success.is_empty(),
                    "{} {} documents no success status",
                    o.method,
                    o.template
                );
                let (path, payload) = o.target(who);
                let (status, body) = send(s, o.method.clone(), path, token(who), payload).await;
                if !holds(&want, &success, status, &body) {
                    wrong.push(format!(
                        "{} {} as {who:?}: want {want:?}, got {status} {}",
                        o.method,
                        path,
                        body.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{backend}:\n{}", wrong.join("\n"));

        // Signed out means signed out; and each draft went through one submit only,
        // by the keeper it was made for (no refused call changed it).
        assert_eq!(s.get_json("/api/v1/me", Some(bureau)).await.0, 401);
        let bureau = s.login("admin", "Admin@2026").await;
        for draft in &drafts {
            let (_, history) = s
                .get_json(&format!("/api/v1/resources/{draft}/history"), Some(&bureau))
                .await;
            let submits = history
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["action"] == "submit")
                .count();
            assert_eq!(submits, 1, "{backend}: {history}");
        }
    }
}

/// The operations called with an app key.
const APP_OPS: &[(&str, &str)] = &[
    ("GET", "/api/v1/share/{class}/{seq}/rows/{key}"),
    ("GET", "/api/v1/share/{class}/{seq}/refs/{reference}"),
    ("POST", "/api/v1/share/{class}/{seq}/lookup"),
    ("POST", "/api/v1/share/{class}/{seq}/query"),
    ("POST", "/api/v1/share/{class}/{seq}/verify"),
    ("GET", "/api/v1/share/{class}/{seq}/changes"),
    ("POST", "/api/v1/share/{class}/{seq}/corrections"),
    ("GET", "/api/v1/share/{class}/{seq}/files"),
    ("GET", "/api/v1/share/{class}/{seq}/files/{version}"),
];

/// A call of the sharing API: method, path and JSON body.
type Call = (Method, String, Option<Value>);

struct AppKeys {
    owner: String,
    consumer: String,
    stranger: String,
    revoked: String,
    expired: String,
}

/// Apps against the sharing API: no key, a revoked or expired key, the owner's app,
/// the consumer's (registered for the unconditional entry, granted the conditional
/// one) and another department's with no basis, over each sharing type.
async fn app_matrix(
    s: &TestServer,
    backend: &str,
    keys: &AppKeys,
    [open, cond, closed]: [&String; 3],
    filed: &str,
    a: &str,
) {
    let data = |code: &str| -> Vec<Call> {
        vec![
            (Method::GET, format!("/api/v1/share/{code}/rows/{a}"), None),
            // A reference the app never got: past the rules, refused as a bad reference.
            (Method::GET, format!("/api/v1/share/{code}/refs/AAAA"), None),
            (
                Method::POST,
                format!("/api/v1/share/{code}/lookup"),
                Some(json!({"keys": [a]})),
            ),
            (
                Method::POST,
                format!("/api/v1/share/{code}/query"),
                Some(json!({"limit": 5})),
            ),
            (
                Method::POST,
                format!("/api/v1/share/{code}/verify"),
                Some(json!({"key": [a], "claims": {"姓名": "张三"}})),
            ),
            (Method::GET, format!("/api/v1/share/{code}/changes"), None),
            (
                Method::POST,
                format!("/api/v1/share/{code}/corrections"),
                Some(
                    json!({"key": [a], "item": "姓名", "proposed": "张叁", "evidence": "户口簿记载为张叁"}),
                ),
            ),
        ]
    };
    let files = vec![
        (Method::GET, format!("/api/v1/share/{filed}/files"), None),
        (
            Method::GET,
            format!("/api/v1/share/{filed}/files/latest"),
            None,
        ),
    ];
    let targets: Vec<(&str, bool, Vec<Call>)> = vec![
        ("unconditional", true, data(open)),
        ("conditional", true, data(cond)),
        ("not_shared", false, data(closed)),
        ("file, unconditional", true, files),
    ];
    let callers: [(&str, Option<&str>); 6] = [
        ("no key", None),
        ("revoked key", Some(&keys.revoked)),
        ("expired key", Some(&keys.expired)),
        ("stranger", Some(&keys.stranger)),
        ("consumer", Some(&keys.consumer)),
        ("owner", Some(&keys.owner)),
    ];
    let mut wrong = Vec::new();
    for (sharing, consumer_may, calls) in &targets {
        for (who, key) in callers {
            let want = match who {
                "no key" | "revoked key" | "expired key" => Expect::SignIn,
                "owner" => Expect::Served,
                "consumer" if *consumer_may => Expect::Served,
                _ => Expect::Refused,
            };
            for (method, path, body) in calls {
                // The reference no app was given passes the rules and is then refused
                // as a bad reference.
                let want = match &want {
                    Expect::Served if path.contains("/refs/AAAA") => Expect::Answered(400),
                    other => other.clone(),
                };
                let success = documented_success(method, template_of(method, path));
                let (status, resp) = app_call(s, key, method.clone(), path, body.clone()).await;
                if !holds(&want, &success, status, &resp.to_string()) {
                    wrong.push(format!("{method} {path} by {who} app on {sharing}: want {want:?}, got {status} {resp}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{backend}:\n{}", wrong.join("\n"));
}
