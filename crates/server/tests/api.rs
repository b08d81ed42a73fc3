//! The catalog API over HTTP: sign-in, creating and reviewing entries, who may see
//! and change what, search keeping up with changes, and clear errors for bad input.

mod common;

use common::{TestServer, class_of, org_code, resource_body};
use govshare_store::prelude::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn sign_in_and_denials() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let (status, body) = s
            .send_json(
                Method::POST,
                "/api/v1/auth/login",
                None,
                json!({"username": "admin", "password": "wrong-password"}),
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("unauthorized")),
            "{backend}"
        );
        let (status, _) = s
            .send_json(
                Method::POST,
                "/api/v1/auth/login",
                None,
                json!({"username": "nobody", "password": "x"}),
            )
            .await;
        assert_eq!(status, 401);
        // Guessing is cut off after five failures, even with the right password.
        for _ in 0..5 {
            let (status, _) = s
                .send_json(
                    Method::POST,
                    "/api/v1/auth/login",
                    None,
                    json!({"username": "gaj_admin", "password": "guess"}),
                )
                .await;
            assert_eq!(status, 401);
        }
        let resp = s
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "gaj_admin", "password": "Demo@2026"})),
            )
            .await;
        assert_eq!(resp.status(), 429, "{backend}");
        assert!(
            resp.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
                > 0
        );
        let token = s.login("admin", "Admin@2026").await;
        let (status, me) = s.get_json("/api/v1/me", Some(&token)).await;
        assert_eq!((status, me["role"].as_str()), (200, Some("bureau_admin")));
        // A made-up token is refused, not treated as anonymous.
        let (status, _) = s.get_json("/api/v1/resources", Some("deadbeef")).await;
        assert_eq!(status, 401);
        // Writes need a sign-in.
        let body = resource_body(&org_code("公安局"), &class_of("公安局"), "测试资源");
        let (status, _) = s
            .send_json(Method::POST, "/api/v1/resources", None, body)
            .await;
        assert_eq!(status, 401);
        // After logout the token is dead.
        let resp = s
            .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
            .await;
        assert_eq!(resp.status(), 204);
        let (status, _) = s.get_json("/api/v1/me", Some(&token)).await;
        assert_eq!(status, 401, "{backend}");
    }
}

#[tokio::test]
async fn an_entry_from_draft_to_published() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let police = s.login("gaj_admin", "Demo@2026").await;
        let market = s.login("scjg_operator", "Demo@2026").await;
        let bureau = s.login("admin", "Admin@2026").await;
        let class = class_of("公安局");
        let (status, created) = s
            .send_json(
                Method::POST,
                "/api/v1/resources",
                Some(&police),
                resource_body(&org_code("公安局"), &class, "流动人口居住登记信息"),
            )
            .await;
        assert_eq!(status, 201, "{backend}: {created}");
        let code = created["code"].as_str().unwrap().to_string();
        assert!(code.starts_with(&format!("{class}/")), "{code}");
        assert_eq!(created["state"], "draft");
        assert_eq!(created["items"][0]["column"], "gmsfhm");
        let path = format!("/api/v1/resources/{code}");
        // Another department neither sees the draft nor may create for the police.
        assert_eq!(s.get_json(&path, Some(&market)).await.0, 404);
        assert_eq!(s.get_json(&path, None).await.0, 404);
        let (status, body) = s
            .send_json(
                Method::POST,
                "/api/v1/resources",
                Some(&market),
                resource_body(&org_code("公安局"), &class, "越权"),
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden"))
        );
        // Search finds the draft for its owner only.
        let (_, found) = s.get_json("/api/v1/search?q=流动人口", Some(&police)).await;
        assert_eq!(
            found["results"][0]["code"],
            code.as_str(),
            "{backend}: {found}"
        );
        let (_, hidden) = s.get_json("/api/v1/search?q=流动人口", Some(&market)).await;
        assert_eq!(hidden["total"], 0);
        // Update with the right and a stale version.
        let mut body = resource_body(&org_code("公安局"), &class, "流动人口居住登记信息");
        body["summary"] = json!("流动人口居住登记、居住证办理信息，覆盖全市");
        let resp = s
            .client
            .put(s.url(&path))
            .bearer_auth(&police)
            .header("If-Match", "\"1\"")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["etag"], "\"2\"");
        let resp = s
            .client
            .put(s.url(&path))
            .bearer_auth(&police)
            .header("If-Match", "\"1\"")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 409);
        // Reviews belong to the bureau; a return needs a reason.
        let t = format!("{path}/transitions");
        assert_eq!(
            s.send_json(Method::POST, &t, Some(&police), json!({"action": "submit"}))
                .await
                .0,
            200
        );
        assert_eq!(
            s.send_json(
                Method::POST,
                &t,
                Some(&police),
                json!({"action": "register"})
            )
            .await
            .0,
            403
        );
        let (status, err) = s
            .send_json(Method::POST, &t, Some(&bureau), json!({"action": "return"}))
            .await;
        assert_eq!(
            (status, err["error"]["problems"][0]["field"].as_str()),
            (422, Some("reason"))
        );
        assert_eq!(
            s.send_json(
                Method::POST,
                &t,
                Some(&bureau),
                json!({"action": "register"})
            )
            .await
            .0,
            200
        );
        let (status, err) = s
            .send_json(Method::POST, &t, Some(&bureau), json!({"action": "submit"}))
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (409, Some("illegal_transition"))
        );
        let (status, published) = s
            .send_json(
                Method::POST,
                &t,
                Some(&bureau),
                json!({"action": "publish"}),
            )
            .await;
        assert_eq!(
            (status, published["state"].as_str()),
            (200, Some("published"))
        );
        assert!(published["published_on"].is_string());
        // Now other departments see it; the public does not, as it is not open.
        assert_eq!(s.get_json(&path, Some(&market)).await.0, 200);
        assert_eq!(s.get_json(&path, None).await.0, 404);
        let (_, found) = s.get_json("/api/v1/search?q=流动人口", Some(&market)).await;
        assert_eq!(found["total"], 1, "{backend}");
        // The history tells who did what.
        let (_, history) = s.get_json(&format!("{path}/history"), Some(&police)).await;
        let actions: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["create", "update", "submit", "register", "publish"]
        );
        assert_eq!(history[1]["changed"], json!(["summary"]));
        assert_eq!(history[3]["actor"], "admin");
    }
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_change_nothing() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let police = s.login("gaj_admin", "Demo@2026").await;
        let bureau = s.login("admin", "Admin@2026").await;
        let class = class_of("公安局");
        let before = s.store.count_resources().await.unwrap();
        let mut body = resource_body(&org_code("公安局"), &class, "有条件但没有条件");
        body["sharing_type"] = json!("conditional");
        let (status, err) = s
            .send_json(Method::POST, "/api/v1/resources", Some(&police), body)
            .await;
        assert_eq!(
            (status, err["error"]["problems"][0]["field"].as_str()),
            (422, Some("sharing_condition")),
            "{err}"
        );
        let mut body = resource_body(&org_code("公安局"), &class, "不予共享");
        body["sharing_type"] = json!("not_shared");
        body["sharing_method"] = json!(null);
        let (_, err) = s
            .send_json(Method::POST, "/api/v1/resources", Some(&police), body)
            .await;
        assert_eq!(err["error"]["problems"][0]["field"], "not_shared_basis");
        let mut body = resource_body(&org_code("公安局"), &class, "类型");
        body["items"][0]["data_type"] = json!("Z");
        let (status, err) = s
            .send_json(Method::POST, "/api/v1/resources", Some(&police), body)
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (400, Some("bad_request"))
        );
        assert!(
            err["error"]["message"].as_str().unwrap().contains("字符型"),
            "{err}"
        );
        let mut body = resource_body(&org_code("公安局"), &class, "代码");
        body["code"] = json!("101001-000001");
        let (_, err) = s
            .send_json(Method::POST, "/api/v1/resources", Some(&police), body)
            .await;
        assert_eq!(err["error"]["problems"][0]["field"], "code");
        // Malformed JSON, an oversized body, a hostile query string.
        let resp = s
            .client
            .post(s.url("/api/v1/resources"))
            .bearer_auth(&police)
            .header("content-type", "application/json")
            .body("{\"name\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let huge = json!({"name": "x".repeat(3 * 1024 * 1024)});
        let (status, err) = s
            .send_json(Method::POST, "/api/v1/resources", Some(&police), huge)
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (413, Some("payload_too_large"))
        );
        let long = format!("/api/v1/search?q={}", "x".repeat(10_000));
        let (status, err) = s.get_json(&long, None).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (414, Some("uri_too_long"))
        );
        let (status, _) = s
            .get_json("/api/v1/search?q=%27%20OR%201%3D1%20--&limit=5", None)
            .await;
        assert_eq!(status, 200);
        let (status, _) = s.get_json("/api/v1/resources?secret=1", None).await;
        assert_eq!(status, 400);
        let (status, _) = s.get_json("/api/v1/resources?limit=abc", None).await;
        assert_eq!(status, 400);
        // An organisation with a bad credit code check digit.
        let org = json!({"credit_code": "11500000MB1532456Y", "name": "测试局", "kind": "department", "level": "provincial", "region_code": "500000"});
        let (status, err) = s
            .send_json(Method::POST, "/api/v1/orgs", Some(&bureau), org.clone())
            .await;
        assert_eq!(
            (status, err["error"]["problems"][0]["field"].as_str()),
            (422, Some("credit_code")),
            "{err}"
        );
        assert!(
            err["error"]["problems"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("校验位")
        );
        // Only the bureau registers organisations.
        assert_eq!(
            s.send_json(Method::POST, "/api/v1/orgs", Some(&police), org)
                .await
                .0,
            403
        );
        assert_eq!(
            s.store.count_resources().await.unwrap(),
            before,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let s = TestServer::start("sqlite", false).await;
    let served = s
        .client
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        served == committed,
        "docs/openapi.json is out of date: run `cargo run -q -p govshare -- openapi > docs/openapi.json` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/search"].is_object());
}

#[tokio::test]
async fn a_new_installation_starts_with_init() {
    for backend in common::backends() {
        let store = govshare_store::Store::open(&govshare_store::testing::fresh_database(backend))
            .await
            .unwrap();
        let bureau = govshare_domain::org::OrgSpec {
            credit_code: common::org_code("大数据"),
            name: "重庆市大数据应用发展管理局".into(),
            short_name: String::new(),
            kind: govshare_domain::org::OrgKind::Bureau,
            level: govshare_domain::org::OrgLevel::Provincial,
            region_code: "500000".into(),
            parent_code: None,
        };
        let inst = |password: &str| govshare_server::install::Installation {
            bureau: bureau.clone(),
            admin_username: "chief".into(),
            admin_name: "管理员".into(),
            admin_password: password.into(),
        };
        assert!(
            govshare_server::install::init_installation(&store, inst("short"))
                .await
                .is_err()
        );
        assert!(
            govshare_server::install::init_installation(&store, inst("Lamp-harbor-Rq7-2026"))
                .await
                .unwrap()
        );
        // Again: nothing duplicated, the password is not replaced.
        assert!(
            !govshare_server::install::init_installation(&store, inst("Kite-meadow-Vx3-2026"))
                .await
                .unwrap()
        );
        let mut bad = inst("Lamp-harbor-Rq7-2026");
        bad.bureau.credit_code = "11500000MB1532456Y".into();
        assert!(
            govshare_server::install::init_installation(&store, bad)
                .await
                .is_err()
        );
        let s = TestServer::serve(store, backend).await;
        let token = s.login("chief", "Lamp-harbor-Rq7-2026").await;
        let (_, classes) = s.get_json("/api/v1/classification", None).await;
        assert!(
            classes
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["code"] == "101" && c["name"] == "人口")
        );
        // The bureau admin can now register a department and its admin.
        let org = json!({"credit_code": common::org_code("公安局"), "name": "重庆市公安局", "kind": "department", "level": "provincial", "region_code": "500000"});
        assert_eq!(
            s.send_json(Method::POST, "/api/v1/orgs", Some(&token), org)
                .await
                .0,
            200
        );
        let user = json!({"username": "police", "display_name": "公安管理员", "password": "River-stone-K9x-2026", "role": "org_admin", "org_code": common::org_code("公安局")});
        assert_eq!(
            s.send_json(Method::POST, "/api/v1/users", Some(&token), user)
                .await
                .0,
            201,
            "{backend}"
        );
        s.login("police", "River-stone-K9x-2026").await;
    }
}
