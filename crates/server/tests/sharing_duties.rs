//! Who decides what in sharing, and how fast a decision reaches every node: approvers
//! answer for their provider, auditors read everything and change nothing, the bureau
//! may put registrations under manual review, and a rule changed on one node governs
//! the very next call on another.

mod common;

use common::share::{Parties, app_call, id, new_app, parties, published, published_file};
use common::{TestServer, org_code};
use reqwest::Method;
use serde_json::{Value, json};

/// The bureau (or an organisation's admin) makes a user; returns the status.
async fn add_user(s: &TestServer, token: &str, name: &str, role: &str, org: &str) -> u16 {
    s.send_json(
        Method::POST,
        "/api/v1/users",
        Some(token),
        json!({"username": name, "display_name": name, "password": "Duty-harbor-Z8w-2026", "role": role, "org_code": org_code(org)}),
    )
    .await
    .0
}

fn two_persons() -> Value {
    json!([
        {"公民身份号码": id("50010319800101002"), "姓名": "张三", "联系电话": "13812345678"},
        {"公民身份号码": id("50010319900202003"), "姓名": "李四"}
    ])
}

async fn register(s: &TestServer, token: &str, app_id: i64, code: &str) -> (u16, Value) {
    s.send_json(
        Method::POST,
        "/api/v1/share/registrations",
        Some(token),
        json!({"app_id": app_id, "resource": code, "purpose": "办理户籍业务时核对信息", "scenario": "窗口办件"}),
    )
    .await
}

#[tokio::test]
async fn approvers_decide_auditors_read_and_the_bureau_may_review_registrations_by_hand() {
    for backend in common::backends() {
        let Parties {
            s,
            police,
            bureau,
            district,
            market,
        } = parties(backend).await;
        let code = published(
            &s,
            &police,
            &bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &two_persons(),
        )
        .await;

        // Appointments: an organisation's admin may add an approver, only the bureau
        // an auditor (who reads the whole city's log).
        assert_eq!(
            add_user(&s, &police, "gaj_shenhe", "approver", "公安局").await,
            201
        );
        assert_eq!(
            add_user(&s, &police, "gaj_shenji", "auditor", "公安局").await,
            403
        );
        assert_eq!(
            add_user(&s, &bureau, "city_shenji", "auditor", "大数据").await,
            201
        );
        assert_eq!(
            add_user(&s, &bureau, "jb_approver", "approver", "江北区").await,
            201
        );
        let approver = s.login("gaj_shenhe", "Duty-harbor-Z8w-2026").await;
        let auditor = s.login("city_shenji", "Duty-harbor-Z8w-2026").await;
        let other_approver = s.login("jb_approver", "Duty-harbor-Z8w-2026").await;
        // The demo city has a police approver and a city auditor of its own.
        let demo_approver = s.login("gaj_approver", "Demo@2026").await;
        let demo_auditor = s.login("city_auditor", "Demo@2026").await;

        // Separate duties: approvers and auditors keep no catalog.
        let entry = common::resource_body(
            &org_code("公安局"),
            &common::class_of("公安局"),
            "审核员不能编目",
        );
        for who in [&approver, &auditor] {
            let (status, body) = s
                .send_json(Method::POST, "/api/v1/resources", Some(who), entry.clone())
                .await;
            assert_eq!(status, 403, "{backend}: {body}");
        }

        // Manual review: only the bureau switches it on.
        let review = format!("/api/v1/share/{code}/review");
        assert_eq!(
            s.send_json(Method::PUT, &review, Some(&police), json!({"manual": true}))
                .await
                .0,
            403
        );
        let (status, set) = s
            .send_json(Method::PUT, &review, Some(&bureau), json!({"manual": true}))
            .await;
        assert_eq!((status, &set["manual"]), (200, &json!(true)), "{set}");

        let (_, made) = new_app(&s, &district, "渝中区", "渝中区政务服务系统").await;
        let (key, app_id) = (
            made["key"].as_str().unwrap().to_string(),
            made["app"]["id"].as_i64().unwrap(),
        );
        let (status, reg) = register(&s, &district, app_id, &code).await;
        assert_eq!(
            (status, reg["status"].as_str()),
            (201, Some("pending")),
            "{reg}"
        );
        let row = format!("/api/v1/share/{code}/rows/{}", id("50010319800101002"));
        assert_eq!(
            app_call(&s, Some(&key), Method::GET, &row, None).await.0,
            403,
            "{backend}: a pending registration serves nothing"
        );

        // The provider's pending list; the consumer sees its own; strangers nothing.
        let pending = "/api/v1/share/registrations?status=pending";
        let (status, list) = s.get_json(pending, Some(&approver)).await;
        assert_eq!(status, 200);
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        assert_eq!(
            s.get_json(pending, Some(&district))
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert!(
            s.get_json(pending, Some(&market))
                .await
                .1
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.get_json("/api/v1/share/registrations?status=maybe", Some(&bureau))
                .await
                .0,
            400
        );

        // Answering: the operator of another body may not, nor another body's approver,
        // nor the auditor; a rejection needs its reason.
        let answer = format!("/api/v1/share/registrations/{}/answer", reg["id"]);
        let yes = json!({"approve": true});
        assert_eq!(
            s.send_json(Method::POST, &answer, Some(&market), yes.clone())
                .await
                .0,
            404
        );
        assert_eq!(
            s.send_json(Method::POST, &answer, Some(&other_approver), yes.clone())
                .await
                .0,
            404
        );
        assert_eq!(
            s.send_json(Method::POST, &answer, Some(&auditor), yes.clone())
                .await
                .0,
            403
        );
        assert_eq!(
            s.send_json(Method::POST, &answer, Some(&district), yes.clone())
                .await
                .0,
            403,
            "the consumer does not approve itself"
        );
        assert_eq!(
            s.send_json(
                Method::POST,
                &answer,
                Some(&approver),
                json!({"approve": false, "reason": "否"})
            )
            .await
            .0,
            422
        );
        for who in [&demo_approver, &demo_auditor] {
            let (status, seen) = s.get_json(pending, Some(who)).await;
            assert_eq!(
                (status, seen.as_array().map(Vec::len)),
                (200, Some(1)),
                "{seen}"
            );
        }
        let (status, done) = s
            .send_json(Method::POST, &answer, Some(&approver), yes.clone())
            .await;
        assert_eq!(
            (status, done["status"].as_str()),
            (200, Some("approved")),
            "{done}"
        );
        assert_eq!(
            s.send_json(Method::POST, &answer, Some(&approver), yes.clone())
                .await
                .0,
            409
        );
        let (status, got) = app_call(&s, Some(&key), Method::GET, &row, None).await;
        assert_eq!(
            (status, got["row"]["姓名"].as_str()),
            (200, Some("张三")),
            "{got}"
        );

        // A new statement under review waits again, and the old approval stops serving.
        let (_, again) = register(&s, &district, app_id, &code).await;
        assert_eq!(again["status"], "pending");
        assert_eq!(
            app_call(&s, Some(&key), Method::GET, &row, None).await.0,
            403
        );
        let (status, rejected) = s
            .send_json(
                Method::POST,
                &answer,
                Some(&approver),
                json!({"approve": false, "reason": "用途与职责不符"}),
            )
            .await;
        assert_eq!(
            (status, rejected["status"].as_str()),
            (200, Some("rejected")),
            "{rejected}"
        );
        assert_eq!(rejected["answer"], "用途与职责不符");

        // The auditor: every organisation's entries and the city's statistics, and no
        // part in using data.
        let (status, log) = s.get_json("/api/v1/audit?limit=1000", Some(&auditor)).await;
        assert_eq!(status, 200);
        let actions: Vec<&str> = log
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        for action in [
            "share.review.set",
            "share.register",
            "share.register.answer",
            "share.lookup",
        ] {
            assert!(
                actions.contains(&action),
                "{backend}: {action} missing from {actions:?}"
            );
        }
        let (_, police_view) = s.get_json("/api/v1/audit?limit=1000", Some(&police)).await;
        assert!(police_view.as_array().unwrap().len() < log.as_array().unwrap().len());
        let (status, stats) = s.get_json("/api/v1/share/stats", Some(&auditor)).await;
        assert_eq!(status, 200, "{stats}");
        assert_eq!(stats["total_calls"], 1, "one answered lookup: {stats}");
        assert_eq!(register(&s, &auditor, app_id, &code).await.0, 403);
        assert_eq!(
            s.send_json(
                Method::POST,
                &format!("/api/v1/orgs/{}/apps", org_code("大数据")),
                Some(&auditor),
                json!({"name": "审计员的应用"})
            )
            .await
            .0,
            403
        );
    }
}

#[tokio::test]
async fn a_rule_changed_on_one_node_governs_the_next_call_on_another() {
    for backend in common::backends() {
        let url = govshare_store::testing::fresh_database(backend);
        let store_a = govshare_store::Store::open(&url).await.unwrap();
        govshare_demo::seed::seed_reference(&store_a, &govshare_demo::catalog())
            .await
            .unwrap();
        let a = TestServer::serve(store_a, backend).await;
        let node_b = govshare_server::ServerConfig {
            node_id: "node-b".into(),
            follow_every: std::time::Duration::from_millis(200),
            ..Default::default()
        };
        let b = TestServer::serve_with(
            govshare_store::Store::open(&url).await.unwrap(),
            backend,
            node_b,
        )
        .await;
        let police = a.login("gaj_admin", "Demo@2026").await;
        let bureau = a.login("admin", "Admin@2026").await;
        let district = a.login("yuzhong_admin", "Demo@2026").await;
        let code = published(
            &a,
            &police,
            &bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &two_persons(),
        )
        .await;
        let (_, made) = new_app(&a, &district, "渝中区", "渝中区政务服务系统").await;
        let (key, app_id) = (
            made["key"].as_str().unwrap().to_string(),
            made["app"]["id"].as_i64().unwrap(),
        );
        assert_eq!(register(&a, &district, app_id, &code).await.0, 201);
        let row = format!("/api/v1/share/{code}/rows/{}", id("50010319800101002"));
        // Node B decides once and keeps the decision…
        for _ in 0..3 {
            assert_eq!(
                app_call(&b, Some(&key), Method::GET, &row, None).await.0,
                200
            );
        }

        // …until node A changes what it rests on: manual review and a new statement.
        let review = format!("/api/v1/share/{code}/review");
        a.send_json(Method::PUT, &review, Some(&bureau), json!({"manual": true}))
            .await;
        assert_eq!(
            register(&a, &district, app_id, &code).await.1["status"],
            "pending"
        );
        assert_eq!(
            app_call(&b, Some(&key), Method::GET, &row, None).await.0,
            403,
            "{backend}: node B served a decision node A had undone"
        );

        // The entry is withdrawn on A: B refuses at once.
        a.send_json(
            Method::PUT,
            &review,
            Some(&bureau),
            json!({"manual": false}),
        )
        .await;
        assert_eq!(
            register(&a, &district, app_id, &code).await.1["status"],
            "approved"
        );
        assert_eq!(
            app_call(&b, Some(&key), Method::GET, &row, None).await.0,
            200
        );
        let (status, r) = a
            .send_json(
                Method::POST,
                &format!("/api/v1/resources/{code}/transitions"),
                Some(&bureau),
                json!({"action": "withdraw", "reason": "资源下线整改"}),
            )
            .await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(
            app_call(&b, Some(&key), Method::GET, &row, None).await.0,
            404,
            "{backend}: a withdrawn entry is not there for consumers"
        );

        // A key revoked on A stops on B with the next call, not when B's memory of the
        // key runs out.
        let (_, owner_app) = new_app(&a, &police, "公安局", "公安内部系统").await;
        let owner_key = owner_app["key"].as_str().unwrap().to_string();
        assert_eq!(
            app_call(&b, Some(&owner_key), Method::GET, &row, None)
                .await
                .0,
            200
        );
        let (status, _) = a
            .send_json(
                Method::POST,
                &format!("/api/v1/apps/{}/revoke", owner_app["app"]["id"]),
                Some(&police),
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = app_call(&b, Some(&owner_key), Method::GET, &row, None).await;
        assert!(
            status == 401 || status == 403,
            "{backend}: revoked key answered {status}"
        );
    }
}

#[tokio::test]
async fn file_resources_are_shared_whole_or_not_at_all() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let content = "%PDF-1.4 户籍管理政策文件汇编 第一版".as_bytes().to_vec();
        let plain = published_file(
            &p.s,
            &p.police,
            &p.bureau,
            "户籍管理政策文件汇编",
            json!([{"name": "文件标题", "data_type": "C", "length": 200}]),
            &content,
        )
        .await;
        let sensitive = published_file(
            &p.s,
            &p.police,
            &p.bureau,
            "户籍人员名册扫描件",
            json!([{"name": "公民身份号码", "data_type": "C", "length": 18, "sensitive": true}]),
            b"%PDF-1.4 names",
        )
        .await;
        let s = &p.s;
        let (_, made) = new_app(s, &p.district, "渝中区", "渝中区政务服务系统").await;
        let (key, app_id) = (
            made["key"].as_str().unwrap().to_string(),
            made["app"]["id"].as_i64().unwrap(),
        );
        let (_, stranger) = new_app(s, &p.bureau, "江北区", "江北区基层治理平台").await;
        let stranger = stranger["key"].as_str().unwrap().to_string();
        let list = format!("/api/v1/share/{plain}/files");
        assert_eq!(
            app_call(s, Some(&key), Method::GET, &list, None).await.0,
            403,
            "{backend}: before registering"
        );
        for code in [&plain, &sensitive] {
            assert_eq!(register(s, &p.district, app_id, code).await.0, 201);
        }

        let (status, files) = app_call(s, Some(&key), Method::GET, &list, None).await;
        assert_eq!(status, 200, "{backend}: {files}");
        assert_eq!(files["basis"]["kind"], "registration");
        assert_eq!(files["files"][0]["version"], 1);
        let resp = s
            .client
            .get(s.url(&format!("{list}/latest")))
            .header("x-api-key", &key)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let etag = resp.headers()["etag"].to_str().unwrap().to_string();
        assert_eq!(
            &resp.bytes().await.unwrap()[..],
            &content[..],
            "{backend}: byte for byte"
        );
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(&content));
        assert_eq!(etag, format!("\"{sha}\""));

        // Denials: no basis, a file with an item that would have to be masked, no
        // such version, a malformed one, no key.
        assert_eq!(
            app_call(s, Some(&stranger), Method::GET, &format!("{list}/1"), None)
                .await
                .0,
            403
        );
        let (status, why) = app_call(
            s,
            Some(&key),
            Method::GET,
            &format!("/api/v1/share/{sensitive}/files/latest"),
            None,
        )
        .await;
        assert_eq!(status, 403, "{backend}: {why}");
        assert!(why.to_string().contains("脱敏"), "{why}");
        assert_eq!(
            app_call(s, Some(&key), Method::GET, &format!("{list}/9"), None)
                .await
                .0,
            404
        );
        assert_eq!(
            app_call(s, Some(&key), Method::GET, &format!("{list}/x"), None)
                .await
                .0,
            400
        );
        assert_eq!(
            app_call(s, None, Method::GET, &format!("{list}/1"), None)
                .await
                .0,
            401
        );

        // The download's audit entry holds the file's checksum; the provider sees it.
        let (_, log) = s.get_json("/api/v1/audit?limit=100", Some(&p.police)).await;
        let served: Vec<&Value> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "share.file" && e["outcome"] == "ok")
            .collect();
        assert_eq!(served.len(), 1, "{backend}: {log}");
        assert_eq!(served[0]["digest"], sha.as_str());
        assert_eq!(served[0]["items"], "file:v1");
        let denied = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "share.file" && e["outcome"] == "denied")
            .count();
        assert_eq!(denied, 2, "the stranger's and the masked file's refusals");
    }
}

#[tokio::test]
async fn a_batch_of_a_thousand_keys_is_answered_in_full() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let code = published(
            s,
            &p.police,
            &p.bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &two_persons(),
        )
        .await;
        let (_, made) = new_app(s, &p.district, "渝中区", "渝中区政务服务系统").await;
        let key = made["key"].as_str().unwrap().to_string();
        assert_eq!(
            register(s, &p.district, made["app"]["id"].as_i64().unwrap(), &code)
                .await
                .0,
            201
        );
        // The two stored persons among 998 well-formed numbers no row has.
        let mut keys: Vec<String> = (0..998)
            .map(|n| id(&format!("5001031970{:07}", n + 1000)))
            .collect();
        keys.insert(400, id("50010319800101002"));
        keys.push(id("50010319900202003"));
        let path = format!("/api/v1/share/{code}/lookup");
        let (status, got) = app_call(
            s,
            Some(&key),
            Method::POST,
            &path,
            Some(json!({"keys": keys})),
        )
        .await;
        assert_eq!(status, 200, "{backend}: {got}");
        assert_eq!(got["rows"].as_array().unwrap().len(), 2, "{backend}");
        assert_eq!(got["missing"].as_array().unwrap().len(), 998);
        assert_eq!(got["rows"][0]["姓名"], "张三", "rows in the order asked");
        keys.push(id("50010319900202011"));
        let (status, _) = app_call(
            s,
            Some(&key),
            Method::POST,
            &path,
            Some(json!({"keys": keys})),
        )
        .await;
        assert_eq!(status, 422, "at most 1,000 keys");
    }
}

/// Lists of sharing records come in pages, newest first: `before` takes up below the
/// last id seen, nothing repeats or goes missing, and a limit out of range is refused.
/// Auditors see every organisation's records.
#[tokio::test]
async fn sharing_records_are_listed_page_by_page() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let rows = json!([{"公民身份号码": id("50010319800101002"), "姓名": "张三"},
                          {"公民身份号码": id("50010319900202003"), "姓名": "李四"}]);
        let code = published(
            s,
            &p.police,
            &p.bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &rows,
        )
        .await;
        let mut made = Vec::new();
        for n in 0..5 {
            let (_, app) = new_app(s, &p.district, "渝中区", &format!("渝中区系统{n}")).await;
            let (status, reg) =
                register(s, &p.district, app["app"]["id"].as_i64().unwrap(), &code).await;
            assert_eq!(status, 201, "{reg}");
            made.push(reg["id"].as_i64().unwrap());
        }
        made.reverse();
        let auditor = s.login("city_auditor", "Demo@2026").await;
        for token in [&p.district, &p.police, &auditor] {
            let mut seen = Vec::new();
            let mut path = "/api/v1/share/registrations?limit=2".to_string();
            loop {
                let (status, page) = s.get_json(&path, Some(token)).await;
                assert_eq!(status, 200, "{backend}: {page}");
                let ids: Vec<i64> = page
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["id"].as_i64().unwrap())
                    .collect();
                assert!(ids.len() <= 2);
                let Some(last) = ids.last().copied() else {
                    break;
                };
                seen.extend(ids);
                path = format!("/api/v1/share/registrations?limit=2&before={last}");
            }
            assert_eq!(
                seen, made,
                "{backend}: every registration once, newest first"
            );
        }
        // Another department's user sees none of them.
        let (_, none) = s
            .get_json("/api/v1/share/registrations", Some(&p.market))
            .await;
        assert_eq!(none, json!([]), "{backend}");
        for list in ["registrations", "requests", "corrections"] {
            for bad in ["limit=0", "limit=1001", "limit=x"] {
                let (status, _) = s
                    .get_json(&format!("/api/v1/share/{list}?{bad}"), Some(&p.bureau))
                    .await;
                assert_eq!(status, 400, "{backend}: {list}?{bad}");
            }
            let (status, one) = s
                .get_json(&format!("/api/v1/share/{list}?limit=1"), Some(&auditor))
                .await;
            assert_eq!(status, 200, "{backend}: {list}: {one}");
        }
    }
}
