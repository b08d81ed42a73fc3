//! The sharing API attacked as an outsider would: a consumer with a narrow grant
//! tries to recover the values it is shown masked (through change feeds, cursors,
//! filters, corrections and error texts), and every call it makes, answered or
//! refused, must leave one audit entry. Each class runs on SQLite and, when
//! GOVSHARE_TEST_POSTGRES_URL is set, on PostgreSQL.

mod common;

use common::share::{Parties, app_call, id, new_app, parties};
use common::{TestServer, class_of, org_code};
use govshare_store::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

/// The persons of the attacked pool: (ID, name, phone).
fn persons(n: usize) -> Vec<(String, String, String)> {
    (0..n)
        .map(|i| {
            (
                id(&format!("50010319{:02}0101{:03}", 60 + i % 30, i)),
                format!("测试{}", ["甲", "乙", "丙", "丁", "戊"][i % 5]),
                format!("1380000{:04}", 1000 + i),
            )
        })
        .collect()
}

/// A published conditional police entry (ID key and phone sensitive) with `rows`.
async fn conditional_pool(p: &Parties, rows: &[(String, String, String)]) -> String {
    let body = json!({
        "classification": class_of("公安局"), "name": "人口信息（攻击测试）", "provider_code": org_code("公安局"),
        "summary": "常住人口的身份号码、姓名和联系电话，用于攻击测试", "format_category": "database", "format_type": "Oracle",
        "items": [
            {"name": "公民身份号码", "data_type": "C", "length": 18, "key": true, "sensitive": true},
            {"name": "姓名", "data_type": "C", "length": 50, "required": true},
            {"name": "联系电话", "data_type": "C", "length": 20, "sensitive": true}
        ],
        "open_type": "closed", "update_cycle": "daily",
        "sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"
    });
    let rows = rows
        .iter()
        .map(|(k, n, t)| json!({"公民身份号码": k, "姓名": n, "联系电话": t}))
        .collect();
    common::share::published_with_rows(p, body, rows).await
}

/// A district app with a grant of `items` (`unmasked` in clear) on `code`; its key.
async fn granted(p: &Parties, code: &str, items: &[&str], unmasked: &[&str], quota: i64) -> String {
    let (_, made) = new_app(
        &p.s,
        &p.district,
        "渝中区",
        &format!("攻击测试{}", items.len()),
    )
    .await;
    common::share::grant_items(p, &made["app"]["id"], code, items, unmasked, quota).await;
    made["key"].as_str().unwrap().to_string()
}

fn query_path(code: &str) -> String {
    format!("/api/v1/share/{code}/query")
}

/// No clear ID or phone of `rows` anywhere in `body`.
fn assert_no_clear(rows: &[(String, String, String)], body: &Value, what: &str) {
    let text = body.to_string();
    for (k, _, t) in rows {
        assert!(!text.contains(k.as_str()), "{what}: clear ID {k} in {text}");
        assert!(
            !text.contains(t.as_str()),
            "{what}: clear phone {t} in {text}"
        );
    }
}

#[tokio::test]
async fn change_feeds_and_cursors_do_not_give_masked_keys_away() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let rows = persons(12);
        let code = conditional_pool(&p, &rows).await;
        let names_only = granted(&p, &code, &["姓名"], &[], 1000).await;
        let masked_key = granted(&p, &code, &["公民身份号码", "姓名"], &[], 1000).await;
        let feed = format!("/api/v1/share/{code}/changes?since=0&limit=10000");

        // A grant without the key item: no key at all, an opaque row reference instead.
        let (status, ch) = app_call(&p.s, Some(&names_only), Method::GET, &feed, None).await;
        assert_eq!(status, 200, "{backend}: {ch}");
        let changes = ch["changes"].as_array().unwrap();
        assert_eq!(changes.len(), rows.len(), "{backend}");
        assert!(
            changes
                .iter()
                .all(|c| c.get("key").is_none() && c["row"].is_string())
        );
        assert_no_clear(&rows, &ch, "feed without the key item");
        // The reference fetches the row (as a lookup would), for this app only.
        let reference = changes[0]["row"].as_str().unwrap();
        let by_ref = format!("/api/v1/share/{code}/refs/{reference}");
        let (status, row) = app_call(&p.s, Some(&names_only), Method::GET, &by_ref, None).await;
        assert_eq!(status, 200, "{backend}: {row}");
        assert!(
            row["row"]["姓名"].as_str().unwrap().starts_with("测试"),
            "{row}"
        );
        assert_no_clear(&rows, &row, "lookup by reference");
        let (status, _) = app_call(&p.s, Some(&masked_key), Method::GET, &by_ref, None).await;
        assert_eq!(status, 400, "{backend}: another app's reference");
        // The reference is stable for the app: the same row, the same reference.
        let (_, again) = app_call(&p.s, Some(&names_only), Method::GET, &feed, None).await;
        assert_eq!(again["changes"], ch["changes"], "{backend}");
        // A grant with the key masked: the key as a lookup would show it.
        let (_, ch) = app_call(&p.s, Some(&masked_key), Method::GET, &feed, None).await;
        assert!(
            ch["changes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["key"].as_str().unwrap().contains("********")),
            "{backend}: {ch}"
        );
        assert_no_clear(&rows, &ch, "feed with the key masked");
        // References are per app: another app's differ.
        assert_ne!(ch["changes"][0]["row"], again["changes"][0]["row"]);

        // Cursors: opaque, and pages in change order when the key is masked.
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut first_cursor = None;
        loop {
            let mut spec = json!({"limit": 5});
            if let Some(a) = &after {
                spec["after"] = json!(a);
            }
            let (status, page) = app_call(
                &p.s,
                Some(&masked_key),
                Method::POST,
                &query_path(&code),
                Some(spec),
            )
            .await;
            assert_eq!(status, 200, "{backend}: {page}");
            assert_no_clear(&rows, &page, "query page");
            seen.extend(page["rows"].as_array().unwrap().iter().cloned());
            match page.get("next").and_then(Value::as_str) {
                Some(next) => {
                    first_cursor.get_or_insert(next.to_string());
                    after = Some(next.to_string());
                }
                None => break,
            }
        }
        assert_eq!(seen.len(), rows.len(), "{backend}: every row once");
        let cursor = first_cursor.unwrap();
        // A cursor altered, made up, given by another app, or used with other filters: 400.
        let mut altered = cursor.clone().into_bytes();
        let at = altered.len() / 2;
        altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        let other_filters = json!({"limit": 5, "after": cursor, "filters": [{"item": "姓名", "op": "eq", "values": ["测试甲"]}]});
        for (key, spec, what) in [
            (
                &masked_key,
                json!({"limit": 5, "after": altered}),
                "altered",
            ),
            (
                &masked_key,
                json!({"limit": 5, "after": rows[3].0}),
                "a key as cursor",
            ),
            (&masked_key, json!({"limit": 5, "after": ""}), "empty"),
            (
                &names_only,
                json!({"limit": 5, "after": cursor}),
                "another app's",
            ),
            (&masked_key, other_filters, "other filters"),
        ] {
            let (status, err) = app_call(
                &p.s,
                Some(key),
                Method::POST,
                &query_path(&code),
                Some(spec),
            )
            .await;
            assert_eq!(
                (status, err["error"]["code"].as_str()),
                (400, Some("bad_cursor")),
                "{backend}: {what}: {err}"
            );
        }
    }
}

#[tokio::test]
async fn masked_items_answer_one_guess_at_a_time_and_probes_are_counted() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let rows = persons(6);
        let code = conditional_pool(&p, &rows).await;
        let key = granted(&p, &code, &["公民身份号码", "姓名"], &[], 1000).await;
        let candidates: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let id_filter = |op: &str, values: Vec<String>| {
            json!({"filters": [{"item": "公民身份号码", "op": op, "values": values},
                               {"item": "姓名", "op": "eq", "values": [rows[2].1]}]})
        };
        // Lists, ranges and prefixes on a masked item are refused.
        for (op, values) in [
            ("in", candidates.clone()),
            ("gt", vec![candidates[0].clone()]),
            ("lte", vec![candidates[0].clone()]),
            ("prefix", vec!["500103".to_string()]),
            ("eq", candidates[..2].to_vec()),
        ] {
            let (status, err) = app_call(
                &p.s,
                Some(&key),
                Method::POST,
                &query_path(&code),
                Some(id_filter(op, values)),
            )
            .await;
            assert_eq!(status, 403, "{backend}: {op}: {err}");
            assert_no_clear(&rows, &json!(err["error"]["message"]), "refusal text");
        }
        // One value at a time is a probe, counted against the app's daily probe limit.
        p.s.store.set_probe_limit(3);
        let probe = |key: String, guess: String| {
            let (s, path, spec) = (&p.s, query_path(&code), id_filter("eq", vec![guess]));
            async move { app_call(s, Some(&key), Method::POST, &path, Some(spec)).await }
        };
        for guess in &candidates[..3] {
            let (status, page) = probe(key.clone(), guess.clone()).await;
            assert_eq!(status, 200, "{backend}: {page}");
        }
        let (status, err) = probe(key.clone(), candidates[3].clone()).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (429, Some("probe_limit_reached")),
            "{backend}: past the probe limit: {err}"
        );
        // And each probe is a visit under the grant: a grant of 4 visits takes 3 probes
        // and one lookup, then nothing more.
        p.s.store.set_probe_limit(100);
        let small = granted(&p, &code, &["公民身份号码", "姓名"], &[], 4).await;
        for guess in &candidates[..3] {
            assert_eq!(
                probe(small.clone(), guess.clone()).await.0,
                200,
                "{backend}"
            );
        }
        let lookup = format!("/api/v1/share/{code}/rows/{}", candidates[0]);
        assert_eq!(
            app_call(&p.s, Some(&small), Method::GET, &lookup, None)
                .await
                .0,
            200
        );
        let (status, err) = app_call(&p.s, Some(&small), Method::GET, &lookup, None).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (429, Some("grant_quota_exhausted")),
            "{backend}"
        );
        // Filters on items read in clear are not probes.
        let (status, _) = app_call(
            &p.s,
            Some(&key),
            Method::POST,
            &query_path(&code),
            Some(
                json!({"filters": [{"item": "姓名", "op": "in", "values": ["测试甲", "测试乙"]}]}),
            ),
        )
        .await;
        assert_eq!(status, 200, "{backend}");
    }
}

#[tokio::test]
async fn error_reports_need_quota_and_count_as_visits() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let rows = persons(3);
        let code = conditional_pool(&p, &rows).await;
        let key = granted(&p, &code, &["姓名"], &[], 2).await;
        let report = |k: &str| json!({"key": [k], "item": "姓名", "proposed": "测试庚", "evidence": "户口簿记载为测试庚"});
        let path = format!("/api/v1/share/{code}/corrections");
        let missing = id("50010319991231999");
        // A missing key with quota left: 404, and the visit is counted.
        let (status, _) = app_call(
            &p.s,
            Some(&key),
            Method::POST,
            &path,
            Some(report(&missing)),
        )
        .await;
        assert_eq!(status, 404, "{backend}");
        let (status, _) = app_call(
            &p.s,
            Some(&key),
            Method::POST,
            &path,
            Some(report(&rows[0].0)),
        )
        .await;
        assert_eq!(status, 201, "{backend}");
        // The quota is used up: existing and missing keys are answered alike.
        for k in [&rows[1].0, &missing] {
            let (status, err) =
                app_call(&p.s, Some(&key), Method::POST, &path, Some(report(k))).await;
            assert_eq!(
                (status, err["error"]["code"].as_str()),
                (429, Some("grant_quota_exhausted")),
                "{backend}: {err}"
            );
        }
    }
}

/// The newest audit entry's sequence number, as the bureau sees the log.
async fn audit_head(s: &TestServer, bureau: &str) -> (i64, Value) {
    let (status, list) = s.get_json("/api/v1/audit?limit=1", Some(bureau)).await;
    assert_eq!(status, 200, "{list}");
    (list[0]["seq"].as_i64().unwrap_or(0), list[0].clone())
}

#[tokio::test]
async fn every_call_answered_or_refused_leaves_exactly_one_audit_entry() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let rows = persons(3);
        let code = conditional_pool(&p, &rows).await;
        let key = granted(&p, &code, &["姓名"], &[], 100).await;
        let (_, revoked) = new_app(&p.s, &p.district, "渝中区", "将被吊销").await;
        let revoked_key = revoked["key"].as_str().unwrap().to_string();
        let (status, _) =
            p.s.send_json(
                Method::POST,
                &format!("/api/v1/apps/{}/revoke", revoked["app"]["id"]),
                Some(&p.district),
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        let lookup = format!("/api/v1/share/{code}/rows/{}", rows[0].0);
        let unknown_key =
            "gsk_0badc0de_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        enum Call<'a> {
            App(Option<&'a str>, Method, String, Option<Value>),
            Raw(&'a str, Method, String, &'static str),
            User(Option<&'a str>, Method, String, Value),
        }
        let calls: Vec<(Call, u16, &str)> = vec![
            (
                Call::App(Some(&key), Method::GET, lookup.clone(), None),
                200,
                "ok",
            ),
            (
                Call::App(Some(unknown_key), Method::GET, lookup.clone(), None),
                401,
                "unauthorized",
            ),
            (
                Call::App(Some("not-a-key"), Method::GET, lookup.clone(), None),
                401,
                "unauthorized",
            ),
            (
                Call::App(Some(&revoked_key), Method::GET, lookup.clone(), None),
                401,
                "unauthorized",
            ),
            (
                Call::App(None, Method::GET, lookup.clone(), None),
                401,
                "unauthorized",
            ),
            (
                Call::Raw(&key, Method::POST, query_path(&code), "{not json"),
                400,
                "invalid",
            ),
            (
                Call::App(
                    Some(&key),
                    Method::POST,
                    query_path(&code),
                    Some(
                        json!({"filters": [{"item": "公民身份号码", "op": "eq", "values": [rows[0].0]}]}),
                    ),
                ),
                403,
                "denied",
            ),
            (
                Call::User(
                    Some(&p.market),
                    Method::PUT,
                    format!("/api/v1/pools/{code}/checks"),
                    json!({"checks": {"联系电话": ["phone"]}}),
                ),
                403,
                "denied",
            ),
            (
                Call::User(
                    Some(&p.market),
                    Method::PUT,
                    format!("/api/v1/orgs/{}/quota", org_code("公安局")),
                    json!({"max_rows": 1, "max_bytes": null}),
                ),
                403,
                "denied",
            ),
            (
                Call::User(
                    Some(&p.bureau),
                    Method::POST,
                    "/api/v1/users".into(),
                    json!({"username": "audited_user", "display_name": "审计测试", "password": "Audit-pebble-W7k-2026", "role": "org_operator", "org_code": org_code("公安局")}),
                ),
                201,
                "ok",
            ),
            (
                Call::User(
                    None,
                    Method::POST,
                    "/api/v1/auth/login".into(),
                    json!({"username": "admin", "password": "wrong-password"}),
                ),
                401,
                "denied",
            ),
        ];
        for (call, want, outcome) in calls {
            let (before, _) = audit_head(&p.s, &p.bureau).await;
            let (status, what) = match call {
                Call::App(k, m, path, body) => (app_call(&p.s, k, m, &path, body).await.0, path),
                Call::Raw(k, m, path, body) => {
                    let resp =
                        p.s.client
                            .request(m, p.s.url(&path))
                            .header("x-api-key", k)
                            .header("content-type", "application/json")
                            .body(body)
                            .send()
                            .await
                            .unwrap();
                    (resp.status().as_u16(), path)
                }
                Call::User(t, m, path, body) => (p.s.send_json(m, &path, t, body).await.0, path),
            };
            assert_eq!(status, want, "{backend}: {what}");
            let (after, entry) = audit_head(&p.s, &p.bureau).await;
            assert_eq!(after - before, 1, "{backend}: {what}: one entry: {entry}");
            assert_eq!(entry["outcome"], outcome, "{backend}: {what}: {entry}");
            let text = entry.to_string();
            assert!(
                !text.contains("0123456789abcdef0123"),
                "a key's secret is never recorded: {text}"
            );
        }
        // The unknown key is named by its public prefix.
        let (_, all) =
            p.s.get_json("/api/v1/audit?limit=100", Some(&p.bureau))
                .await;
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .any(|e| e["actor"] == "key:gsk_0badc0de"),
            "{backend}"
        );
        // The refused query left what it asked on record.
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "share.query"
                    && e["outcome"] == "denied"
                    && e["detail"].as_str().unwrap().contains("公民身份号码")),
            "{backend}"
        );
        let reports = p.s.store.verify_audit().await.unwrap();
        assert!(reports.iter().all(|r| r.first_bad.is_none()), "{reports:?}");
    }
}

#[tokio::test]
async fn sign_in_slows_guessing_without_locking_anyone_out() {
    let backend = common::backends()[0];
    let p = parties(backend).await;
    let login = |user: &str, pw: &str| {
        p.s.send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"username": user, "password": pw}),
        )
    };
    for _ in 0..govshare_server::throttle::FREE_FAILURES {
        assert_eq!(login("gaj_admin", "wrong-password").await.0, 401);
    }
    let resp =
        p.s.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "gaj_admin", "password": "Demo@2026"})),
        )
        .await;
    assert_eq!(resp.status(), 429);
    let wait: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait <= 1, "a short delay, not a lock: {wait}");
    // Once the delay has passed, the user gets in.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(login("gaj_admin", "Demo@2026").await.0, 200);
    // Weak passwords are refused at creation.
    for weak in ["12345678", "          ", "weakuser2026", "Password1234"] {
        let (status, err) = p.s.send_json(Method::POST, "/api/v1/users", Some(&p.bureau),
            json!({"username": "weakuser", "display_name": "弱口令", "password": weak, "role": "org_operator", "org_code": org_code("公安局")})).await;
        assert_eq!(
            (status, err["error"]["problems"][0]["field"].as_str()),
            (422, Some("password")),
            "{weak}"
        );
    }
}

#[tokio::test]
async fn pages_files_and_exports_defend_the_browser() {
    let backend = common::backends()[0];
    let p = parties(backend).await;
    // Headers on pages and API answers alike.
    let page = p.s.call(Method::GET, "/", None, None).await;
    let h = page.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.contains_key("referrer-policy"));
    // Pool details need a sign-in.
    let rows = persons(2);
    let code = conditional_pool(&p, &rows).await;
    assert_eq!(
        p.s.get_json(&format!("/api/v1/pools/{code}"), None).await.0,
        401
    );
    // A bad path parameter gets the JSON error.
    let (status, err) =
        p.s.send_json(
            Method::POST,
            "/api/v1/apps/not-a-number/revoke",
            Some(&p.bureau),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{err}"
    );
    // An uploaded HTML file comes back as an attachment of no runnable type.
    let file = common::share::published_file(
        &p.s,
        &p.police,
        &p.bureau,
        "户籍政策文件（类型测试）",
        json!([{"name": "文件名称", "data_type": "C", "length": 100}]),
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    let resp =
        p.s.call(
            Method::GET,
            &format!("/api/v1/files/{file}/latest"),
            Some(&p.police),
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/octet-stream");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    // A draft named as a formula is exported defused and imported back as it was.
    let mut body = common::resource_body(
        &org_code("公安局"),
        &class_of("公安局"),
        "=HYPERLINK(\"http://evil.example/\",\"点击\")",
    );
    body["name"] = json!("=HYPERLINK(\"http://evil.example/\",\"点击\")");
    let (status, made) =
        p.s.send_json(Method::POST, "/api/v1/resources", Some(&p.police), body)
            .await;
    assert_eq!(status, 201, "{made}");
    let csv =
        p.s.call(
            Method::GET,
            "/api/v1/catalog/export?format=csv",
            Some(&p.police),
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("'=HYPERLINK("), "defused in the export");
    assert!(!csv.lines().any(|l| {
        l.split(',')
            .any(|c| c.trim_matches('"').starts_with("=HYPERLINK"))
    }));
}
