//! The sharing API over HTTP: apps and keys, registered use of unconditional data,
//! lookups and verifications under the sharing rules with masking, and the audit log
//! that records every call — answered or refused — before the answer goes out.

mod common;

use common::share::{
    Parties, app_call, id, new_app, parties, parties_with, published, registered_app,
};
use common::{TestServer, org_code};
use govshare_store::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn apps_read_shared_data_under_the_rules_and_every_call_is_audited() {
    for backend in common::backends() {
        let Parties {
            s,
            police,
            bureau,
            district,
            market,
        } = parties(backend).await;
        let (a, b) = (id("50010319800101002"), id("50010319900202003"));
        let rows = json!([
            {"公民身份号码": a, "姓名": "张三", "联系电话": "13812345678"},
            {"公民身份号码": b, "姓名": "李四"}
        ]);
        let open = published(
            &s,
            &police,
            &bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &rows,
        )
        .await;
        let cond = published(&s, &police, &bureau, json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"}), &rows).await;
        let closed = published(&s, &police, &bureau, json!({"sharing_type": "not_shared", "not_shared_basis": "《中华人民共和国居民身份证法》"}), &rows).await;

        // Keys: an organisation's admin makes them for its own organisation only.
        let (status, made) = new_app(&s, &district, "渝中区", "渝中区政务服务系统").await;
        assert_eq!(status, 201, "{backend}: {made}");
        let key = made["key"].as_str().unwrap().to_string();
        let app_id = made["app"]["id"].as_i64().unwrap();
        assert!(key.starts_with("gsk_") && key.len() > 60);
        assert_eq!(
            new_app(&s, &market, "市场监督管理局", "x").await.0,
            403,
            "operators make no keys"
        );
        assert_eq!(
            new_app(&s, &district, "公安局", "x").await.0,
            403,
            "nor for others"
        );
        let (status, listed) = s
            .get_json(
                &format!("/api/v1/orgs/{}/apps", org_code("渝中区")),
                Some(&district),
            )
            .await;
        assert_eq!(status, 200);
        assert!(
            !listed.to_string().contains(&key[10..]),
            "the key is never shown again"
        );
        assert_eq!(
            s.get_json(
                &format!("/api/v1/orgs/{}/apps", org_code("渝中区")),
                Some(&market)
            )
            .await
            .0,
            403
        );

        // Before its use is registered, the app reads nothing.
        let row_path = |code: &str, k: &str| format!("/api/v1/share/{code}/rows/{k}");
        let (status, _) = app_call(&s, Some(&key), Method::GET, &row_path(&open, &a), None).await;
        assert_eq!(status, 403, "{backend}: unregistered");
        let register = |resource: &str, purpose: &str| json!({"app_id": app_id, "resource": resource, "purpose": purpose, "scenario": "户籍业务办理时核对申请人信息"});
        let reg_path = "/api/v1/share/registrations";
        let (status, err) = s
            .send_json(
                Method::POST,
                reg_path,
                Some(&district),
                register(&open, "用"),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(
            s.send_json(
                Method::POST,
                reg_path,
                Some(&district),
                register(&cond, "办理户籍业务")
            )
            .await
            .0,
            409
        );
        assert_eq!(
            s.send_json(
                Method::POST,
                reg_path,
                Some(&district),
                register(&closed, "办理户籍业务")
            )
            .await
            .0,
            403
        );
        assert_eq!(
            s.send_json(
                Method::POST,
                reg_path,
                Some(&police),
                register(&open, "办理户籍业务")
            )
            .await
            .0,
            404,
            "another organisation's app is not found"
        );
        let (status, reg) = s
            .send_json(
                Method::POST,
                reg_path,
                Some(&district),
                register(&open, "办理户籍业务"),
            )
            .await;
        assert_eq!(status, 201, "{reg}");

        // The lookup: masked sensitive items, the basis named.
        let (status, got) = app_call(&s, Some(&key), Method::GET, &row_path(&open, &a), None).await;
        assert_eq!(status, 200, "{backend}: {got}");
        assert_eq!(
            got["basis"],
            json!({"kind": "registration", "id": reg["id"]})
        );
        assert_eq!(got["row"]["姓名"], "张三");
        assert_eq!(
            got["row"]["公民身份号码"],
            format!("{}********{}", &a[..6], &a[14..])
        );
        assert_eq!(got["row"]["联系电话"], "138****5678");
        let (_, only) = app_call(
            &s,
            Some(&key),
            Method::GET,
            &format!("{}?items=姓名", row_path(&open, &b)),
            None,
        )
        .await;
        assert_eq!(only["row"], json!({"姓名": "李四"}), "{only}");
        let mut answered = 2;
        for (path, want) in [
            (format!("{}?items=籍贯", row_path(&open, &a)), 422),
            (row_path(&open, &id("50010319991231005")), 404),
            (row_path(&cond, &a), 403),
            (row_path(&closed, &a), 403),
        ] {
            assert_eq!(
                app_call(&s, Some(&key), Method::GET, &path, None).await.0,
                want,
                "{path}"
            );
        }

        // Verification answers per item and returns no data.
        let (status, v) = app_call(
            &s,
            Some(&key),
            Method::POST,
            &format!("/api/v1/share/{open}/verify"),
            Some(json!({"key": [a], "claims": {"姓名": "张三", "联系电话": "13900000000"}})),
        )
        .await;
        assert_eq!(status, 200, "{v}");
        answered += 1;
        assert_eq!(v["matches"], json!({"姓名": true, "联系电话": false}));
        assert!(!v.to_string().contains("138"), "{v}");

        // The owner reads its own not-shared data in clear.
        let (_, police_app) = new_app(&s, &police, "公安局", "户籍管理系统").await;
        let police_key = police_app["key"].as_str().unwrap().to_string();
        let (status, own) = app_call(
            &s,
            Some(&police_key),
            Method::GET,
            &row_path(&closed, &a),
            None,
        )
        .await;
        assert_eq!(
            (status, own["row"]["公民身份号码"].as_str()),
            (200, Some(a.as_str())),
            "{own}"
        );
        assert_eq!(own["basis"]["kind"], "owner");
        answered += 1;

        // Wrong, missing and revoked keys.
        let forged = format!("{}{}", &key[..key.len() - 4], "0000");
        for k in [None, Some("gsk_zz"), Some(forged.as_str())] {
            assert_eq!(
                app_call(&s, k, Method::GET, &row_path(&open, &a), None)
                    .await
                    .0,
                401
            );
        }
        let revoke = format!("/api/v1/apps/{app_id}/revoke");
        assert_eq!(
            s.send_json(Method::POST, &revoke, Some(&market), json!({}))
                .await
                .0,
            404
        );
        let (status, revoked) = s
            .send_json(Method::POST, &revoke, Some(&district), json!({}))
            .await;
        assert!(
            status == 200 && revoked["revoked_at"].is_string(),
            "{revoked}"
        );
        assert_eq!(
            app_call(&s, Some(&key), Method::GET, &row_path(&open, &a), None)
                .await
                .0,
            401
        );

        // The audit log: one entry per answered call, the refusals too; each side sees its part.
        let (_, all) = s.get_json("/api/v1/audit?limit=1000", Some(&bureau)).await;
        let all = all.as_array().unwrap().clone();
        let count = |action: &str, outcome: &str| {
            all.iter()
                .filter(|e| e["action"] == action && e["outcome"] == outcome)
                .count()
        };
        assert_eq!(
            count("share.lookup", "ok") + count("share.verify", "ok"),
            answered,
            "{backend}"
        );
        assert_eq!(count("share.lookup", "denied"), 3);
        assert_eq!(count("share.lookup", "not_found"), 1);
        assert_eq!(count("app.create", "ok"), 2);
        assert_eq!(count("app.revoke", "ok"), 1);
        assert!(count("login", "ok") >= 4);
        // Newest first: the first lookup is the last of them.
        let lookup = all
            .iter()
            .rev()
            .find(|e| {
                e["action"] == "share.lookup" && e["outcome"] == "ok" && e["app_id"] == app_id
            })
            .unwrap();
        assert_eq!(lookup["basis"], format!("registration:{}", reg["id"]));
        assert_eq!(lookup["purpose"], "办理户籍业务");
        assert!(
            lookup["items"].as_str().unwrap().contains("公民身份号码*"),
            "{lookup}"
        );
        assert_eq!(lookup["digest"].as_str().unwrap().len(), 64);
        let (_, provider) = s.get_json("/api/v1/audit?limit=1000", Some(&police)).await;
        assert!(
            provider
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["app_id"] == app_id),
            "the provider sees who read its data"
        );
        // The provider's view is its own entries and every entry about its resources,
        // newest first, and comes the same a page at a time.
        let provider = provider.as_array().unwrap().clone();
        let theirs = |e: &Value| {
            [&open, &cond, &closed]
                .iter()
                .any(|c| e["resource_code"] == **c)
        };
        let own: std::collections::BTreeSet<String> = provider
            .iter()
            .filter(|e| !theirs(e))
            .map(|e| e["org_id"].to_string())
            .collect();
        assert_eq!(
            own.len(),
            1,
            "{backend}: one organisation's own entries: {own:?}"
        );
        let about: Vec<&Value> = all.iter().filter(|e| theirs(e)).collect();
        assert!(about.len() > 5, "{backend}");
        assert!(
            about
                .iter()
                .all(|e| provider.iter().any(|p| p["seq"] == e["seq"])),
            "{backend}: every call to its resources"
        );
        let seqs: Vec<i64> = provider
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect();
        assert!(
            seqs.windows(2).all(|w| w[0] > w[1]),
            "{backend}: newest first, once each"
        );
        let mut paged = Vec::new();
        let mut before = String::new();
        loop {
            let (_, page) = s
                .get_json(&format!("/api/v1/audit?limit=3{before}"), Some(&police))
                .await;
            let page = page.as_array().unwrap().clone();
            let Some(last) = page.last() else { break };
            before = format!("&before={}", last["seq"]);
            paged.extend(page.iter().map(|e| e["seq"].as_i64().unwrap()));
        }
        assert_eq!(paged, seqs, "{backend}: page by page");
        let (_, stranger) = s.get_json("/api/v1/audit?limit=1000", Some(&market)).await;
        // A stranger sees its own sign-ins and its own refused calls, nothing about
        // the provider's resources.
        assert!(
            stranger.as_array().unwrap().iter().all(|e| {
                (e["action"] == "login"
                    || e["action"].as_str().unwrap().starts_with("http ") && e["outcome"] != "ok")
                    && !theirs(e)
            }),
            "{stranger}"
        );
        let reports = s.store.verify_audit().await.unwrap();
        assert!(reports.iter().all(|r| r.first_bad.is_none()), "{reports:?}");

        // Statistics count the answered data calls, by consumer, provider, resource and day.
        let (status, stats) = s.get_json("/api/v1/share/stats", Some(&bureau)).await;
        assert_eq!(status, 200, "{stats}");
        assert_eq!(stats["total_calls"], answered as i64, "{backend}: {stats}");
        let consumer = |st: &Value, code: &str| {
            st["by_consumer"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["key"] == code)
                .map(|c| c["calls"].as_i64().unwrap())
        };
        assert_eq!(
            consumer(&stats, &org_code("渝中区")),
            Some(answered as i64 - 1)
        );
        assert_eq!(
            consumer(&stats, &org_code("公安局")),
            Some(1),
            "the owner's own read"
        );
        assert_eq!(stats["by_provider"][0]["key"], org_code("公安局"));
        let today = govshare_store::clock::today().to_string();
        assert_eq!(stats["by_day"][0]["key"], today);
        let (_, theirs) = s.get_json("/api/v1/share/stats", Some(&district)).await;
        assert_eq!(theirs["total_calls"], answered as i64 - 1);
        let (_, none) = s.get_json("/api/v1/share/stats", Some(&market)).await;
        assert_eq!(none["total_calls"], 0);
        let (status, _) = s
            .get_json(
                "/api/v1/share/stats?from=2026-12-02&to=2026-12-01",
                Some(&bureau),
            )
            .await;
        assert_eq!(status, 400);
    }
}

/// A server serving with `config`, a not-shared police entry with two persons, and
/// the police's own app: its key and the path of 张三's row.
async fn owner_lookup(
    backend: &'static str,
    config: govshare_server::ServerConfig,
) -> (Parties, String, String) {
    let p = parties_with(backend, config).await;
    let a = id("50010319800101002");
    let rows = json!([
        {"公民身份号码": a, "姓名": "张三"},
        {"公民身份号码": id("50010319900202003"), "姓名": "李四"}
    ]);
    let code = published(
        &p.s,
        &p.police,
        &p.bureau,
        json!({"sharing_type": "not_shared", "not_shared_basis": "法律规定"}),
        &rows,
    )
    .await;
    let (_, app) = new_app(&p.s, &p.police, "公安局", "户籍管理系统").await;
    let key = app["key"].as_str().unwrap().to_string();
    (p, key, format!("/api/v1/share/{code}/rows/{a}"))
}

/// The answered lookups in an audit listing.
fn audited(log: &Value) -> usize {
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "share.lookup" && e["outcome"] == "ok")
        .count()
}

/// On PostgreSQL every answered call is journaled on the node's disk and moved into the
/// database; a full journal segment is removed once all its records are there, so the
/// journal holds only what the database may not have yet. SQLite nodes write the audit
/// file directly and journal nothing.
#[tokio::test]
async fn the_audit_journal_rolls_over_and_keeps_only_what_is_not_yet_moved() {
    for backend in common::backends() {
        let dir =
            std::env::temp_dir().join(format!("govshare_journal_{}_{backend}", std::process::id()));
        let config = govshare_server::ServerConfig {
            audit_journal_dir: Some(dir.clone()),
            audit_segment_bytes: 2000,
            ..TestServer::config()
        };
        let (Parties { s, bureau, .. }, key, path) = owner_lookup(backend, config).await;
        for _ in 0..20 {
            let (status, body) = app_call(&s, Some(&key), Method::GET, &path, None).await;
            assert_eq!(status, 200, "{backend}: {body}");
        }
        let (_, log) = s.get_json("/api/v1/audit?limit=1000", Some(&bureau)).await;
        assert_eq!(audited(&log), 20, "{backend}: {log}");
        let segments = govshare_store::db::journal::segments(&dir).unwrap();
        if backend == "sqlite" {
            assert!(segments.is_empty(), "{segments:?}");
        } else {
            // Twenty entries of about 600 bytes fill several 2,000-byte segments; all
            // but the one being written are gone.
            assert_eq!(segments.len(), 1, "{backend}: {segments:?}");
            let first: i64 = segments[0]
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .parse()
                .unwrap();
            assert!(
                first > 10,
                "{backend}: the journal rolled over: {segments:?}"
            );
        }
        let reports = s.store.verify_audit().await.unwrap();
        assert!(reports.iter().all(|r| r.first_bad.is_none()), "{reports:?}");
        drop(s);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// When the log cannot be written, data calls fail closed; once it can, every
/// answered call is in it. On PostgreSQL the node's journal keeps calls going while
/// the database refuses the log, up to the backlog it may hold; on SQLite the log's
/// own file is the journal, so the first call fails.
#[tokio::test]
async fn data_calls_fail_closed_when_the_audit_log_cannot_be_written() {
    for backend in common::backends() {
        let backlog = 3;
        let config = govshare_server::ServerConfig {
            audit_backlog: backlog,
            ..TestServer::config()
        };
        let (Parties { s, bureau, .. }, key, path) = owner_lookup(backend, config).await;
        let lookup = || app_call(&s, Some(&key), Method::GET, &path, None);
        assert_eq!(lookup().await.0, 200);
        // Reading the log waits until the database holds everything answered.
        let (_, log) = s.get_json("/api/v1/audit?limit=1000", Some(&bureau)).await;
        assert_eq!(audited(&log), 1, "{backend}: {log}");
        s.store
            .write_audit(|c| c.batch("ALTER TABLE audit_log RENAME TO audit_log_away"))
            .await
            .unwrap();
        let within = if backend == "sqlite" { 0 } else { backlog };
        for _ in 0..within {
            assert_eq!(lookup().await.0, 200, "{backend}: within the backlog");
        }
        let metrics = s.get_text("/metrics").await;
        assert!(
            metrics.contains(&format!("govshare_audit_backlog {within}")),
            "{metrics}"
        );
        // The lookups' latency is there under the route's template; the key asked
        // for is not (anyone who reaches /metrics reads it).
        let key_asked = path.rsplit('/').next().unwrap();
        assert!(
            metrics.lines().any(
                |l| l.starts_with("govshare_http_request_duration_seconds_bucket")
                    && l.contains(r#"route="/api/v1/share/{class}/{seq}/rows/{key}""#)
                    && l.contains(r#"status="2xx""#)
            ),
            "{metrics}"
        );
        assert!(!metrics.contains(key_asked), "{metrics}");
        let (status, body) = lookup().await;
        assert_eq!(status, 503, "{backend}: {body}");
        assert_eq!(body["error"]["code"], "audit_unavailable");
        assert!(!body.to_string().contains("张三"));
        s.store
            .write_audit(|c| c.batch("ALTER TABLE audit_log_away RENAME TO audit_log"))
            .await
            .unwrap();
        let mut status = 0;
        for _ in 0..100 {
            status = lookup().await.0;
            if status == 200 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(
            status, 200,
            "{backend}: answered again once the log is back"
        );
        let (_, log) = s.get_json("/api/v1/audit?limit=1000", Some(&bureau)).await;
        assert_eq!(
            audited(&log),
            1 + within as usize + 1,
            "{backend}: every answered call, none refused: {log}"
        );
        let reports = s.store.verify_audit().await.unwrap();
        assert!(reports.iter().all(|r| r.first_bad.is_none()), "{reports:?}");
    }
}

#[tokio::test]
async fn conditional_data_flows_only_under_a_live_grant_within_its_quota() {
    for backend in common::backends() {
        let Parties {
            s,
            police,
            bureau,
            district,
            market,
        } = parties(backend).await;
        let a = id("50010319800101002");
        let rows = json!([
            {"公民身份号码": a, "姓名": "张三", "联系电话": "13812345678"},
            {"公民身份号码": id("50010319900202003"), "姓名": "李四"}
        ]);
        let cond = published(&s, &police, &bureau, json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"}), &rows).await;
        let open = published(
            &s,
            &police,
            &bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &rows,
        )
        .await;
        let (_, made) = new_app(&s, &district, "渝中区", "渝中区户籍核验").await;
        let (key, app_id) = (
            made["key"].as_str().unwrap().to_string(),
            made["app"]["id"].as_i64().unwrap(),
        );
        let today = govshare_store::clock::today();
        let request = |resource: &str, unmasked: Value| {
            json!({
                "app_id": app_id, "resource": resource, "purpose": "办理户口迁移时核验身份", "legal_basis": "《户口登记条例》",
                "scope": {"items": ["姓名", "公民身份号码"], "unmasked": unmasked, "valid_from": today, "valid_to": today + chrono::Duration::days(30),
                          "daily_quota": 3, "total_quota": 4}
            })
        };
        let req_path = "/api/v1/share/requests";
        let (status, err) = s
            .send_json(
                Method::POST,
                req_path,
                Some(&district),
                request(&cond, json!(["联系电话"])),
            )
            .await;
        assert_eq!(status, 422, "{backend}: {err}");
        assert_eq!(
            s.send_json(
                Method::POST,
                req_path,
                Some(&district),
                request(&open, json!([]))
            )
            .await
            .0,
            409
        );
        let (status, req) = s
            .send_json(
                Method::POST,
                req_path,
                Some(&district),
                request(&cond, json!(["公民身份号码"])),
            )
            .await;
        assert_eq!(status, 201, "{req}");
        assert_eq!(
            (req["state"].as_str(), req["overdue"].as_bool()),
            (Some("pending"), Some(false))
        );
        let deadline: chrono::NaiveDate = serde_json::from_value(req["deadline"].clone()).unwrap();
        assert_eq!(
            deadline,
            govshare_domain::sharing::request::Calendar::default().add_working_days(today, 10),
            "10 working days after {today}, weekends skipped"
        );
        assert!(deadline >= today + chrono::Duration::days(12), "{deadline}");
        let rid = req["id"].as_i64().unwrap();
        let (_, seen) = s.get_json(req_path, Some(&police)).await;
        assert!(
            seen.as_array().unwrap().iter().any(|r| r["id"] == rid),
            "the provider sees it"
        );
        let (_, unseen) = s.get_json(req_path, Some(&market)).await;
        assert!(unseen.as_array().unwrap().is_empty(), "{unseen}");

        let row_path = format!("/api/v1/share/{cond}/rows/{a}");
        assert_eq!(
            app_call(&s, Some(&key), Method::GET, &row_path, None)
                .await
                .0,
            403,
            "no grant yet"
        );

        // Answers: only the provider's admin; more material asked once.
        let answer_path = format!("/api/v1/share/requests/{rid}/answer");
        let answer = |body: Value| s.send_json(Method::POST, &answer_path, Some(&police), body);
        assert_eq!(
            s.send_json(
                Method::POST,
                &answer_path,
                Some(&market),
                json!({"answer": "approve"})
            )
            .await
            .0,
            404
        );
        assert_eq!(
            s.send_json(
                Method::POST,
                &answer_path,
                Some(&district),
                json!({"answer": "approve"})
            )
            .await
            .0,
            403
        );
        assert_eq!(
            answer(json!({"answer": "reject", "note": "否"})).await.0,
            422,
            "a refusal needs a reason"
        );
        let (status, asked) =
            answer(json!({"answer": "ask_more", "note": "请补充户口迁移业务受理单"})).await;
        assert_eq!(
            (status, asked["state"].as_str()),
            (200, Some("more_info")),
            "{asked}"
        );
        assert_eq!(
            answer(json!({"answer": "approve"})).await.0,
            409,
            "waits for the material"
        );
        let material = format!("/api/v1/share/requests/{rid}/material");
        assert_eq!(
            s.send_json(
                Method::POST,
                &material,
                Some(&police),
                json!({"material": "x"})
            )
            .await
            .0,
            403
        );
        let (status, back) = s
            .send_json(
                Method::POST,
                &material,
                Some(&district),
                json!({"material": "受理单编号 YZ-2026-1201"}),
            )
            .await;
        assert_eq!(
            (status, back["state"].as_str()),
            (200, Some("pending")),
            "{back}"
        );
        assert_eq!(
            answer(json!({"answer": "ask_more", "note": "再补充"}))
                .await
                .0,
            409,
            "only once"
        );
        // An approval may narrow the scope, not widen it; a refused one changes nothing.
        let narrower = json!({"items": ["姓名", "公民身份号码"], "unmasked": [], "valid_from": today, "valid_to": today + chrono::Duration::days(30), "daily_quota": 2, "total_quota": 3});
        let mut wider = narrower.clone();
        wider["daily_quota"] = json!(100);
        assert_eq!(
            answer(json!({"answer": "approve", "scope": wider})).await.0,
            422
        );
        let (status, approved) = answer(json!({"answer": "approve", "scope": narrower})).await;
        assert_eq!(
            (status, approved["state"].as_str()),
            (200, Some("approved")),
            "{approved}"
        );
        let grant = approved["grant_id"].as_i64().unwrap();

        // Under the grant: granted items only, masked unless granted in clear, within quota.
        let (status, got) = app_call(&s, Some(&key), Method::GET, &row_path, None).await;
        assert_eq!(status, 200, "{backend}: {got}");
        assert_eq!(got["basis"], json!({"kind": "grant", "id": grant}));
        assert_eq!(got["row"]["姓名"], "张三");
        assert!(
            got["row"]["公民身份号码"]
                .as_str()
                .unwrap()
                .contains("****")
        );
        assert!(got["row"].get("联系电话").is_none(), "{got}");
        assert_eq!(got["purpose"], "办理户口迁移时核验身份");
        assert_eq!(
            app_call(
                &s,
                Some(&key),
                Method::GET,
                &format!("{row_path}?items=联系电话"),
                None
            )
            .await
            .0,
            403
        );
        assert_eq!(
            app_call(&s, Some(&key), Method::GET, &row_path, None)
                .await
                .0,
            200
        );
        let (status, over) = app_call(&s, Some(&key), Method::GET, &row_path, None).await;
        assert_eq!(
            (status, over["error"]["code"].as_str()),
            (429, Some("grant_quota_exhausted")),
            "{over}"
        );

        // Revoked: nothing more, at once.
        let revoke = format!("/api/v1/share/grants/{grant}/revoke");
        assert_eq!(
            s.send_json(Method::POST, &revoke, Some(&district), json!({}))
                .await
                .0,
            403
        );
        assert_eq!(
            s.send_json(Method::POST, &revoke, Some(&police), json!({}))
                .await
                .0,
            200
        );
        assert_eq!(
            app_call(&s, Some(&key), Method::GET, &row_path, None)
                .await
                .0,
            403
        );

        // Overdue requests are flagged; the bureau's calendar moves deadlines.
        let holidays: Vec<Value> = (1..=14)
            .map(|d| json!({"day": today + chrono::Duration::days(d), "working": false}))
            .collect();
        assert_eq!(
            s.send_json(
                Method::PUT,
                "/api/v1/share/calendar",
                Some(&police),
                json!(holidays)
            )
            .await
            .0,
            403
        );
        assert_eq!(
            s.send_json(
                Method::PUT,
                "/api/v1/share/calendar",
                Some(&bureau),
                json!(holidays)
            )
            .await
            .0,
            204
        );
        let (_, late) = s
            .send_json(
                Method::POST,
                req_path,
                Some(&district),
                request(&cond, json!([])),
            )
            .await;
        let late_deadline: chrono::NaiveDate =
            serde_json::from_value(late["deadline"].clone()).unwrap();
        assert!(
            late_deadline > today + chrono::Duration::days(20),
            "{late_deadline}"
        );
        let late_id = late["id"].as_i64().unwrap();
        s.store
            .write(move |c| {
                c.execute(
                    "UPDATE share_requests SET deadline = '2020-01-02' WHERE id = ?",
                    &govshare_store::params![late_id],
                )
            })
            .await
            .unwrap();
        let (_, all) = s.get_json(req_path, Some(&bureau)).await;
        let flagged: Vec<i64> = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["overdue"] == true)
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert_eq!(flagged, [late_id]);

        // Every step is in the audit log.
        let (_, log) = s.get_json("/api/v1/audit?limit=1000", Some(&bureau)).await;
        for action in [
            "request.apply",
            "request.ask_more",
            "request.material",
            "request.approve",
            "grant.revoke",
        ] {
            assert!(
                log.as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["action"] == action && e["outcome"] == "ok"),
                "{action}"
            );
        }
        assert!(
            log.as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "share.lookup" && e["outcome"] == "exhausted")
        );
    }
}

#[tokio::test]
async fn grant_quotas_hold_exactly_under_concurrent_calls() {
    for backend in common::backends() {
        let Parties {
            s,
            police,
            bureau,
            district,
            ..
        } = parties(backend).await;
        let a = id("50010319800101002");
        let rows = json!([{"公民身份号码": a, "姓名": "张三"}, {"公民身份号码": id("50010319900202003"), "姓名": "李四"}]);
        let cond = published(&s, &police, &bureau, json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"}), &rows).await;
        let (_, made) = new_app(&s, &district, "渝中区", "并发测试").await;
        let (key, app_id) = (
            made["key"].as_str().unwrap().to_string(),
            made["app"]["id"].as_i64().unwrap(),
        );
        let today = govshare_store::clock::today();
        let (_, req) = s
            .send_json(Method::POST, "/api/v1/share/requests", Some(&district), json!({
                "app_id": app_id, "resource": cond, "purpose": "并发访问次数测试", "legal_basis": "测试依据",
                "scope": {"items": ["姓名"], "valid_from": today, "valid_to": today + chrono::Duration::days(1), "daily_quota": 20, "total_quota": 20}
            }))
            .await;
        let (status, _) = s
            .send_json(
                Method::POST,
                &format!("/api/v1/share/requests/{}/answer", req["id"]),
                Some(&police),
                json!({"answer": "approve"}),
            )
            .await;
        assert_eq!(status, 200);
        let url = s.url(&format!("/api/v1/share/{cond}/rows/{a}"));
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let (client, url, key) = (s.client.clone(), url.clone(), key.clone());
            calls.spawn(async move {
                client
                    .get(url)
                    .header("x-api-key", key)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            });
        }
        let statuses = calls.join_all().await;
        let ok = statuses.iter().filter(|&&c| c == 200).count();
        let refused = statuses.iter().filter(|&&c| c == 429).count();
        assert_eq!((ok, refused), (20, 20), "{backend}: {statuses:?}");
    }
}

#[tokio::test]
async fn batch_lookups_and_paged_queries_stay_within_the_rules() {
    for backend in common::backends() {
        let Parties {
            s,
            police,
            bureau,
            district,
            ..
        } = parties(backend).await;
        let ids: Vec<String> = (0..7)
            .map(|i| id(&format!("5001031980011{i}002")))
            .collect();
        let names = ["张一", "李二", "张三", "王四", "张五", "赵六", "张七"];
        let rows: Vec<Value> = ids
            .iter()
            .zip(names)
            .map(|(i, n)| json!({"公民身份号码": i, "姓名": n, "联系电话": "13800001111"}))
            .collect();
        let mut body = json!({"sharing_type": "unconditional", "sharing_method": "api"});
        let open = {
            // `published` loads two rows; the rest follow.
            let code = published(&s, &police, &bureau, body.take(), &json!(rows[..2])).await;
            let (status, r) = s
                .send_json(
                    Method::POST,
                    &format!("/api/v1/pools/{code}/rows"),
                    Some(&police),
                    json!({"rows": rows[2..]}),
                )
                .await;
            assert_eq!((status, r["accepted"].as_i64()), (201, Some(5)), "{r}");
            code
        };
        let (_, made) = new_app(&s, &district, "渝中区", "批量核查").await;
        let (key, app_id) = (
            made["key"].as_str().unwrap().to_string(),
            made["app"]["id"].as_i64().unwrap(),
        );
        let (status, _) = s
            .send_json(Method::POST, "/api/v1/share/registrations", Some(&district),
                json!({"app_id": app_id, "resource": open, "purpose": "批量核查申请人", "scenario": "窗口受理"}))
            .await;
        assert_eq!(status, 201);
        let missing = id("50010319991231005");
        let lookup = format!("/api/v1/share/{open}/lookup");
        let (status, got) = app_call(
            &s,
            Some(&key),
            Method::POST,
            &lookup,
            Some(json!({"keys": [ids[0], ids[3], missing], "items": ["姓名", "公民身份号码"]})),
        )
        .await;
        assert_eq!(status, 200, "{backend}: {got}");
        let found: Vec<&str> = got["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["姓名"].as_str().unwrap())
            .collect();
        assert_eq!(found, ["张一", "王四"]);
        assert_eq!(got["missing"], json!([[missing]]));
        assert!(
            got["rows"][0]["公民身份号码"]
                .as_str()
                .unwrap()
                .contains("****")
        );
        let too_many: Vec<String> = (0..1001).map(|_| ids[0].clone()).collect();
        assert_eq!(
            app_call(
                &s,
                Some(&key),
                Method::POST,
                &lookup,
                Some(json!({"keys": too_many}))
            )
            .await
            .0,
            422
        );

        // Pages in key order, with a filter; every row once.
        let query = format!("/api/v1/share/{open}/query");
        let mut seen = Vec::new();
        let mut after: Option<Value> = None;
        for _ in 0..5 {
            let mut spec = json!({"filters": [{"item": "姓名", "op": "prefix", "values": ["张"]}], "items": ["姓名"], "limit": 2});
            if let Some(a) = &after {
                spec["after"] = a.clone();
            }
            let (status, page) = app_call(&s, Some(&key), Method::POST, &query, Some(spec)).await;
            assert_eq!(status, 200, "{page}");
            seen.extend(
                page["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["姓名"].as_str().unwrap().to_string()),
            );
            match page.get("next") {
                Some(n) => after = Some(n.clone()),
                None => break,
            }
        }
        seen.sort();
        let mut want = vec!["张一", "张三", "张五", "张七"];
        want.sort();
        assert_eq!(seen, want, "{backend}");
        // A masked item may be matched exactly, never by prefix or range.
        let probe = |op: &str, v: &str| json!({"filters": [{"item": "公民身份号码", "op": op, "values": [v]}]});
        assert_eq!(
            app_call(
                &s,
                Some(&key),
                Method::POST,
                &query,
                Some(probe("prefix", "5001"))
            )
            .await
            .0,
            403
        );
        assert_eq!(
            app_call(
                &s,
                Some(&key),
                Method::POST,
                &query,
                Some(probe("gte", &ids[0]))
            )
            .await
            .0,
            403
        );
        let (status, exact) = app_call(
            &s,
            Some(&key),
            Method::POST,
            &query,
            Some(probe("eq", &ids[2])),
        )
        .await;
        assert_eq!(
            (status, exact["rows"].as_array().map(Vec::len)),
            (200, Some(1)),
            "{exact}"
        );
        assert_eq!(
            app_call(
                &s,
                Some(&key),
                Method::POST,
                &query,
                Some(json!({"filters": [{"item": "籍贯", "op": "eq", "values": ["x"]}]}))
            )
            .await
            .0,
            422
        );
        assert_eq!(
            app_call(
                &s,
                Some(&key),
                Method::POST,
                &query,
                Some(json!({"limit": 1001}))
            )
            .await
            .0,
            422
        );
        // The change feed: every key once, masked as the key item is for this basis.
        let (status, feed) = app_call(
            &s,
            Some(&key),
            Method::GET,
            &format!("/api/v1/share/{open}/changes?since=0"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{feed}");
        let changes = feed["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 7);
        assert!(
            changes
                .iter()
                .all(|c| c["key"].as_str().unwrap().contains("****")),
            "{feed}"
        );
        let last = changes.last().unwrap()["seq"].as_i64().unwrap();
        let (_, rest) = app_call(
            &s,
            Some(&key),
            Method::GET,
            &format!("/api/v1/share/{open}/changes?since={last}"),
            None,
        )
        .await;
        assert_eq!(rest["changes"], json!([]));
        let (_, log) = s.get_json("/api/v1/audit?limit=1000", Some(&bureau)).await;
        let batch = log
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "share.batch" && e["outcome"] == "ok")
            .unwrap();
        assert_eq!(batch["row_count"], 2);
    }
}

#[tokio::test]
async fn reported_errors_are_tracked_to_closure_and_fixes_reach_the_pool() {
    for backend in common::backends() {
        let Parties {
            s,
            police,
            bureau,
            district,
            market,
        } = parties(backend).await;
        let a = id("50010319800101002");
        let rows = json!([{"公民身份号码": a, "姓名": "张三"}, {"公民身份号码": id("50010319900202003"), "姓名": "李四"}]);
        let open = published(
            &s,
            &police,
            &bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &rows,
        )
        .await;
        let (_, made) = new_app(&s, &district, "渝中区", "渝中区政务服务系统").await;
        let (key, app_id) = (
            made["key"].as_str().unwrap().to_string(),
            made["app"]["id"].as_i64().unwrap(),
        );
        s.send_json(Method::POST, "/api/v1/share/registrations", Some(&district),
            json!({"app_id": app_id, "resource": open, "purpose": "办理户籍业务", "scenario": "窗口受理"}))
            .await;
        let report_path = format!("/api/v1/share/{open}/corrections");
        let report = |k: &str, item: &str, proposed: &str| json!({"key": [k], "item": item, "proposed": proposed, "evidence": "申请人户口簿记载的姓名为张叁"});
        let missing = id("50010319991231005");
        assert_eq!(
            app_call(
                &s,
                Some(&key),
                Method::POST,
                &report_path,
                Some(report(&missing, "姓名", "张叁"))
            )
            .await
            .0,
            404
        );
        assert_eq!(
            app_call(
                &s,
                Some(&key),
                Method::POST,
                &report_path,
                Some(report(&a, "籍贯", "x"))
            )
            .await
            .0,
            422
        );
        let (status, first) = app_call(
            &s,
            Some(&key),
            Method::POST,
            &report_path,
            Some(report(&a, "姓名", "张叁")),
        )
        .await;
        assert_eq!(
            (status, first["state"].as_str()),
            (201, Some("open")),
            "{backend}: {first}"
        );
        let cid = first["id"].as_i64().unwrap();
        let (_, listed) = s.get_json("/api/v1/share/corrections", Some(&police)).await;
        assert!(listed.as_array().unwrap().iter().any(|c| c["id"] == cid));
        let (_, unseen) = s.get_json("/api/v1/share/corrections", Some(&market)).await;
        assert!(unseen.as_array().unwrap().is_empty());

        let answer_path = format!("/api/v1/share/corrections/{cid}/answer");
        assert_eq!(
            s.send_json(
                Method::POST,
                &answer_path,
                Some(&market),
                json!({"accept": true})
            )
            .await
            .0,
            404
        );
        assert_eq!(
            s.send_json(
                Method::POST,
                &answer_path,
                Some(&district),
                json!({"accept": true})
            )
            .await
            .0,
            403
        );
        assert_eq!(
            s.send_json(
                Method::POST,
                &answer_path,
                Some(&police),
                json!({"accept": false, "note": "否"})
            )
            .await
            .0,
            422
        );
        let (_, before) = s
            .get_json(&format!("/api/v1/pools/{open}/changes"), Some(&police))
            .await;
        let (status, closed) = s
            .send_json(
                Method::POST,
                &answer_path,
                Some(&police),
                json!({"accept": true, "note": "已核实户口簿"}),
            )
            .await;
        assert_eq!(
            (status, closed["state"].as_str()),
            (200, Some("accepted")),
            "{closed}"
        );
        assert_eq!(
            s.send_json(
                Method::POST,
                &answer_path,
                Some(&police),
                json!({"accept": true})
            )
            .await
            .0,
            409
        );
        // The fix is in the pool and in its change feed.
        let (_, got) = app_call(
            &s,
            Some(&key),
            Method::GET,
            &format!("/api/v1/share/{open}/rows/{a}"),
            None,
        )
        .await;
        assert_eq!(got["row"]["姓名"], "张叁", "{backend}: {got}");
        let (_, after) = s
            .get_json(&format!("/api/v1/pools/{open}/changes"), Some(&police))
            .await;
        let last = |feed: &Value| {
            feed.as_array()
                .unwrap()
                .iter()
                .map(|c| c["seq"].as_i64().unwrap())
                .max()
                .unwrap()
        };
        assert!(last(&after) > last(&before));
        // A rejected report keeps its reason.
        let (_, second) = app_call(
            &s,
            Some(&key),
            Method::POST,
            &report_path,
            Some(report(&a, "姓名", "张山")),
        )
        .await;
        let (status, rejected) = s
            .send_json(
                Method::POST,
                &format!("/api/v1/share/corrections/{}/answer", second["id"]),
                Some(&police),
                json!({"accept": false, "note": "与户籍底册一致，无需更正"}),
            )
            .await;
        assert_eq!(
            (status, rejected["state"].as_str()),
            (200, Some("rejected")),
            "{rejected}"
        );
        let (_, log) = s.get_json("/api/v1/audit?limit=1000", Some(&bureau)).await;
        let n = |action: &str| {
            log.as_array()
                .unwrap()
                .iter()
                .filter(|e| e["action"] == action && e["outcome"] == "ok")
                .count()
        };
        assert_eq!((n("correction.report"), n("correction.answer")), (2, 2));
    }
}

#[tokio::test]
async fn an_app_over_its_rate_gets_429_with_retry_after() {
    let backend = "sqlite";
    let store = govshare_store::Store::open(&govshare_store::testing::fresh_database(backend))
        .await
        .unwrap();
    govshare_demo::seed::seed_reference(&store, &govshare_demo::catalog())
        .await
        .unwrap();
    let config = govshare_server::ServerConfig {
        app_calls_per_second: 3,
        ..Default::default()
    };
    let s = TestServer::serve_with(store, backend, config).await;
    let police = s.login("gaj_admin", "Demo@2026").await;
    let bureau = s.login("admin", "Admin@2026").await;
    let a = id("50010319800101002");
    let rows = json!([{"公民身份号码": a, "姓名": "张三"}, {"公民身份号码": id("50010319900202003"), "姓名": "李四"}]);
    let code = published(
        &s,
        &police,
        &bureau,
        json!({"sharing_type": "not_shared", "not_shared_basis": "法律规定"}),
        &rows,
    )
    .await;
    let (_, one) = new_app(&s, &police, "公安局", "甲系统").await;
    let (_, two) = new_app(&s, &police, "公安局", "乙系统").await;
    let url = s.url(&format!("/api/v1/share/{code}/rows/{a}"));
    let call = |key: &str| s.client.get(&url).header("x-api-key", key).send();
    let key = one["key"].as_str().unwrap();
    for _ in 0..3 {
        assert_eq!(call(key).await.unwrap().status(), 200);
    }
    let limited = call(key).await.unwrap();
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1);
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another app of the same organisation has its own allowance.
    assert_eq!(
        call(two["key"].as_str().unwrap()).await.unwrap().status(),
        200
    );
}

/// The matrix: every data endpoint, for each sharing type, called by the owner's app,
/// a consumer's app holding the right basis, and an app holding none.
#[tokio::test]
async fn data_endpoints_allow_and_deny_by_sharing_type_and_basis() {
    for backend in common::backends() {
        let Parties {
            s,
            police,
            bureau,
            district,
            ..
        } = parties(backend).await;
        let a = id("50010319800101002");
        let rows = json!([{"公民身份号码": a, "姓名": "张三"}, {"公民身份号码": id("50010319900202003"), "姓名": "李四"}]);
        let open = published(
            &s,
            &police,
            &bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &rows,
        )
        .await;
        let cond = published(&s, &police, &bureau, json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"}), &rows).await;
        let closed = published(
            &s,
            &police,
            &bureau,
            json!({"sharing_type": "not_shared", "not_shared_basis": "法律规定"}),
            &rows,
        )
        .await;
        let key_of = |v: &Value| v["key"].as_str().unwrap().to_string();
        let (_, owner) = new_app(&s, &police, "公安局", "户籍管理").await;
        let (_, consumer) = new_app(&s, &district, "渝中区", "政务服务").await;
        // The bureau may make an app for any organisation: one with no basis at all.
        let (_, stranger) = new_app(&s, &bureau, "市场监督管理局", "企业登记").await;
        let consumer_id = consumer["app"]["id"].as_i64().unwrap();
        s.send_json(Method::POST, "/api/v1/share/registrations", Some(&district),
            json!({"app_id": consumer_id, "resource": open, "purpose": "办理户籍业务", "scenario": "窗口受理"})).await;
        let today = govshare_store::clock::today();
        let (_, req) = s.send_json(Method::POST, "/api/v1/share/requests", Some(&district), json!({
            "app_id": consumer_id, "resource": cond, "purpose": "办理户籍业务核验", "legal_basis": "《户口登记条例》",
            "scope": {"items": ["公民身份号码", "姓名"], "valid_from": today, "valid_to": today + chrono::Duration::days(1), "daily_quota": 1000, "total_quota": 1000}
        })).await;
        let (status, _) = s
            .send_json(
                Method::POST,
                &format!("/api/v1/share/requests/{}/answer", req["id"]),
                Some(&police),
                json!({"answer": "approve"}),
            )
            .await;
        assert_eq!(status, 200);

        let calls = |code: &str| -> Vec<(&'static str, Method, String, Option<Value>)> {
            vec![
                (
                    "lookup",
                    Method::GET,
                    format!("/api/v1/share/{code}/rows/{a}"),
                    None,
                ),
                (
                    "batch",
                    Method::POST,
                    format!("/api/v1/share/{code}/lookup"),
                    Some(json!({"keys": [a]})),
                ),
                (
                    "query",
                    Method::POST,
                    format!("/api/v1/share/{code}/query"),
                    Some(json!({"limit": 5})),
                ),
                (
                    "verify",
                    Method::POST,
                    format!("/api/v1/share/{code}/verify"),
                    Some(json!({"key": [a], "claims": {"姓名": "张三"}})),
                ),
                (
                    "changes",
                    Method::GET,
                    format!("/api/v1/share/{code}/changes"),
                    None,
                ),
                (
                    "correction",
                    Method::POST,
                    format!("/api/v1/share/{code}/corrections"),
                    Some(
                        json!({"key": [a], "item": "姓名", "proposed": "张叁", "evidence": "户口簿记载为张叁"}),
                    ),
                ),
            ]
        };
        let apps = [
            ("owner", key_of(&owner)),
            ("consumer", key_of(&consumer)),
            ("stranger", key_of(&stranger)),
        ];
        for (sharing, code) in [
            ("unconditional", &open),
            ("conditional", &cond),
            ("not_shared", &closed),
        ] {
            for (who, key) in &apps {
                let allowed = matches!(
                    (*who, sharing),
                    ("owner", _) | ("consumer", "unconditional" | "conditional")
                );
                for (what, method, path, body) in calls(code) {
                    let (status, resp) = app_call(&s, Some(key), method, &path, body).await;
                    let ok = if what == "correction" { 201 } else { 200 };
                    let want = if allowed { ok } else { 403 };
                    assert_eq!(
                        status, want,
                        "{backend}: {who} app, {what} on {sharing}: {resp}"
                    );
                    if allowed && what != "correction" && what != "changes" {
                        assert!(
                            resp["basis"]["kind"].is_string(),
                            "{what}: every answer names its basis: {resp}"
                        );
                    }
                }
            }
        }
    }
}

/// An owner changes the type of an item while apps read it: the next lookups (by key
/// and in batches) answer with the new type at once, on every connection, instead of
/// failing on statements the database prepared for the old one.
#[tokio::test]
async fn lookups_follow_an_item_whose_type_changed() {
    for backend in common::backends() {
        let Parties {
            s,
            police,
            bureau,
            district,
            ..
        } = parties(backend).await;
        let (a, b) = (id("50010319800101002"), id("50010319900202003"));
        let items = json!([
            {"name": "公民身份号码", "data_type": "C", "length": 18, "key": true},
            {"name": "姓名", "data_type": "C", "length": 50, "required": true},
            {"name": "家庭人口数", "data_type": "C", "length": 4}
        ]);
        let rows = json!([
            {"公民身份号码": a, "姓名": "张三", "家庭人口数": "4"},
            {"公民身份号码": b, "姓名": "李四", "家庭人口数": "12"}
        ]);
        let sharing =
            json!({"sharing_type": "unconditional", "sharing_method": "api", "items": items});
        let code = published(&s, &police, &bureau, sharing, &rows).await;
        let key = registered_app(&s, &district, &code, "家庭核查").await;
        let calls = |expect: Value| {
            let (s, key, code, a, b) = (&s, &key, &code, &a, &b);
            async move {
                // Enough calls to reach every connection the server reads over.
                for _ in 0..8 {
                    let (status, got) = app_call(
                        s,
                        Some(key),
                        Method::GET,
                        &format!("/api/v1/share/{code}/rows/{a}"),
                        None,
                    )
                    .await;
                    assert_eq!(status, 200, "{backend}: {got}");
                    assert_eq!(got["row"]["家庭人口数"], expect[0], "{backend}");
                }
                let (status, got) = app_call(
                    s,
                    Some(key),
                    Method::POST,
                    &format!("/api/v1/share/{code}/lookup"),
                    Some(json!({"keys": [a, b]})),
                )
                .await;
                assert_eq!(status, 200, "{backend}: {got}");
                let counts: Vec<&Value> = got["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| &r["家庭人口数"])
                    .collect();
                assert_eq!(counts, [&expect[0], &expect[1]], "{backend}");
            }
        };
        calls(json!(["4", "12"])).await;
        let (_, mut entry) = s
            .get_json(&format!("/api/v1/resources/{code}"), Some(&police))
            .await;
        // The entry's content as it reads back, less what the server keeps itself.
        for kept in [
            "id",
            "state",
            "version",
            "created_at",
            "updated_at",
            "owner_org_id",
        ] {
            entry.as_object_mut().unwrap().remove(kept);
        }
        entry["items"][2]["data_type"] = json!("I");
        let (status, edited) = s
            .send_json(
                Method::PUT,
                &format!("/api/v1/resources/{code}"),
                Some(&police),
                entry,
            )
            .await;
        assert_eq!(status, 200, "{backend}: {edited}");
        calls(json!([4, 12])).await;
    }
}

/// Many lookups at once, of rows that exist and keys that do not, each with its own
/// items: every answer is the row of its own key with its own items (lookups arriving
/// together may be read from the database together), and every call is audited.
#[tokio::test]
async fn concurrent_lookups_each_get_their_own_row() {
    for backend in common::backends() {
        let Parties {
            s,
            police,
            bureau,
            district,
            ..
        } = parties(backend).await;
        let (a, b) = (id("50010319800101002"), id("50010319900202003"));
        let rows = json!([
            {"公民身份号码": a, "姓名": "张三", "联系电话": "13800001111"},
            {"公民身份号码": b, "姓名": "李四", "联系电话": "13900002222"}
        ]);
        let sharing = json!({"sharing_type": "unconditional", "sharing_method": "api"});
        let code = published(&s, &police, &bureau, sharing, &rows).await;
        let key = registered_app(&s, &district, &code, "并发查询").await;
        let missing = id("50010319991231005");
        let asked: Vec<(String, &str)> = (0..60)
            .map(|i| {
                let k = [&a, &b, &missing][i % 3].clone();
                (k, ["姓名", "联系电话"][i % 2])
            })
            .collect();
        let mut calls = tokio::task::JoinSet::new();
        for (i, (k, item)) in asked.iter().enumerate() {
            let url = s.url(&format!("/api/v1/share/{code}/rows/{k}?items={item}"));
            let (client, key) = (s.client.clone(), key.clone());
            calls.spawn(async move {
                let resp = client
                    .get(url)
                    .header("x-api-key", key)
                    .send()
                    .await
                    .unwrap();
                let status = resp.status().as_u16();
                (i, status, resp.json::<Value>().await.unwrap_or(Value::Null))
            });
        }
        for (i, status, got) in calls.join_all().await {
            let (k, item) = &asked[i];
            if *k == missing {
                assert_eq!(status, 404, "{backend}: {got}");
                continue;
            }
            assert_eq!(status, 200, "{backend}: {got}");
            let row = got["row"].as_object().unwrap();
            assert_eq!(row.keys().collect::<Vec<_>>(), [item], "{backend}: {got}");
            let want = match (k == &a, *item) {
                (true, "姓名") => "张三",
                (false, "姓名") => "李四",
                (true, _) => "138****1111",
                (false, _) => "139****2222",
            };
            assert_eq!(row[*item], want, "{backend}: call {i}");
        }
        let (_, log) = s.get_json("/api/v1/audit?limit=200", Some(&bureau)).await;
        let outcomes: Vec<&Value> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "share.lookup" && e["resource_code"] == code.as_str())
            .map(|e| &e["outcome"])
            .collect();
        let count = |o: &str| outcomes.iter().filter(|v| **v == o).count();
        assert_eq!((count("ok"), count("not_found")), (40, 20), "{backend}");
    }
}
