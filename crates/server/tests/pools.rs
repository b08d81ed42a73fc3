//! Data pools over HTTP: a registered resource gets a pool; files in every format
//! load as batches; refused rows come back with their reasons; others are kept out.

mod common;

use common::{TestServer, class_of, org_code};
use reqwest::Method;
use serde_json::json;

fn id(first17: &str) -> String {
    format!(
        "{first17}{}",
        govshare_domain::ids::citizen_id_check_char(first17).unwrap()
    )
}

async fn upload(
    s: &TestServer,
    token: &str,
    code: &str,
    query: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    s.post_bytes(&format!("/api/v1/pools/{code}/batches{query}"), token, body)
        .await
}

/// A police entry of persons, submitted and registered: it has a pool.
async fn registered_pool(s: &TestServer, police: &str, bureau: &str) -> String {
    let body = json!({
        "classification": class_of("公安局"), "name": "常住人口登记信息", "provider_code": org_code("公安局"),
        "summary": "全市常住人口登记的身份号码、姓名、性别和出生日期", "format_category": "database", "format_type": "Oracle",
        "items": [
            {"name": "公民身份号码", "data_type": "C", "length": 18, "key": true},
            {"name": "姓名", "data_type": "C", "length": 50, "required": true},
            {"name": "性别", "data_type": "C", "length": 1},
            {"name": "出生日期", "data_type": "D", "length": 10}
        ],
        "sharing_type": "conditional", "sharing_condition": "仅用于身份核验", "sharing_method": "api",
        "open_type": "closed", "update_cycle": "daily"
    });
    let (_, created) = s
        .send_json(Method::POST, "/api/v1/resources", Some(police), body)
        .await;
    let code = created["code"].as_str().unwrap().to_string();
    let t = format!("/api/v1/resources/{code}/transitions");
    assert_eq!(
        s.get_json(&format!("/api/v1/pools/{code}"), Some(police))
            .await
            .0,
        404,
        "no pool before registration"
    );
    s.send_json(Method::POST, &t, Some(police), json!({"action": "submit"}))
        .await;
    s.send_json(
        Method::POST,
        &t,
        Some(bureau),
        json!({"action": "register"}),
    )
    .await;
    code
}

#[tokio::test]
async fn files_load_into_a_registered_pool_with_bad_rows_quarantined() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let police = s.login("gaj_admin", "Demo@2026").await;
        let bureau = s.login("admin", "Admin@2026").await;
        let market = s.login("scjg_operator", "Demo@2026").await;
        let code = registered_pool(&s, &police, &bureau).await;
        let (status, pool) = s
            .get_json(&format!("/api/v1/pools/{code}"), Some(&police))
            .await;
        assert_eq!(
            (status, pool["row_count"].as_i64()),
            (200, Some(0)),
            "{backend}: {pool}"
        );

        // A GBK CSV with one bad check digit.
        let (a, b, c) = (
            id("50010319800101002"),
            id("50010319900202003"),
            id("50010319751231004"),
        );
        let bad = format!("{}{}", &a[..16], "99");
        let csv = format!(
            "公民身份号码,姓名,性别,出生日期\n{a},张三,1,1980年1月1日\n{b},李四,2,1990/2/2\n{bad},王五,1,1975-12-31\n{c},赵六,2,19751231\n"
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
        let (status, report) = upload(
            &s,
            &police,
            &code,
            "?format=csv&batch_id=day-1&file_name=people.csv",
            gbk.to_vec(),
        )
        .await;
        assert_eq!(status, 201, "{backend}: {report}");
        assert_eq!(
            (
                report["received"].as_i64(),
                report["accepted"].as_i64(),
                report["rejected"].as_i64()
            ),
            (Some(4), Some(3), Some(1))
        );
        // The same batch again changes nothing.
        let (_, again) = upload(
            &s,
            &police,
            &code,
            "?format=csv&batch_id=day-1",
            gbk.to_vec(),
        )
        .await;
        assert_eq!(again["replayed"], true);
        let (_, pool) = s
            .get_json(&format!("/api/v1/pools/{code}"), Some(&police))
            .await;
        assert_eq!(pool["row_count"], 3, "{backend}");

        // The refused row, ready to fix: original columns and a reason column.
        let batch = report["batch_id"].as_i64().unwrap();
        let resp = s
            .call(
                Method::GET,
                &format!("/api/v1/pools/batches/{batch}/quarantine?format=csv"),
                Some(&police),
                None,
            )
            .await;
        let text = resp.text().await.unwrap();
        assert!(
            text.contains("错误原因") && text.contains(&bad) && text.contains("校验位"),
            "{text}"
        );
        // Fixed and submitted again as downloaded (行号 and 错误原因 are ignored).
        let fixed_id = id("50010319751231005");
        let fixed = text.replace(&bad, &fixed_id);
        let (status, resubmitted) = upload(
            &s,
            &police,
            &code,
            "?format=csv&file_name=fixed.csv",
            fixed.into_bytes(),
        )
        .await;
        assert_eq!(status, 201, "{backend}: {resubmitted}");
        assert_eq!(
            (
                resubmitted["accepted"].as_i64(),
                resubmitted["rejected"].as_i64()
            ),
            (Some(1), Some(0)),
            "{backend}: {resubmitted}"
        );
        assert_eq!(
            s.get_json(&format!("/api/v1/pools/{code}"), Some(&police))
                .await
                .1["row_count"],
            4
        );
        assert_eq!(
            s.get_json(
                &format!("/api/v1/pools/batches/{batch}/quarantine"),
                Some(&market)
            )
            .await
            .0,
            404
        );
        let resp = s
            .call(
                Method::GET,
                &format!("/api/v1/pools/batches/{batch}/quarantine?format=xlsx"),
                Some(&police),
                None,
            )
            .await;
        let sheets = govshare_interchange::xlsx_cells(&resp.bytes().await.unwrap()).unwrap();
        let rows = &sheets[0].1;
        assert_eq!(rows[0].last().map(String::as_str), Some("错误原因"));
        assert!(
            rows[1].contains(&bad) && rows[1].last().unwrap().contains("校验位"),
            "{rows:?}"
        );

        // NDJSON in delete mode; an unknown header refuses the whole file.
        let nd = format!("{{\"公民身份号码\": \"{c}\"}}\n");
        let (_, del) = upload(
            &s,
            &police,
            &code,
            "?format=ndjson&mode=delete",
            nd.into_bytes(),
        )
        .await;
        assert_eq!(del["accepted"], 1, "{del}");
        let (status, err) = upload(
            &s,
            &police,
            &code,
            "?format=csv",
            "身份证,姓名\n1,2\n".as_bytes().to_vec(),
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            err["error"]["problems"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("身份证"),
            "{err}"
        );
        // Another department cannot load data into it.
        let (status, _) = upload(&s, &market, &code, "?format=csv", csv.into_bytes()).await;
        assert_eq!(status, 404);
        let (_, pool) = s
            .get_json(&format!("/api/v1/pools/{code}"), Some(&police))
            .await;
        assert_eq!(pool["row_count"], 3, "{backend}");
        // The change feed shows each row at its latest change, in order: the two rows
        // still there, then the deletion of the third (its earlier upsert is
        // superseded); not for other departments.
        let (_, changes) = s
            .get_json(
                &format!("/api/v1/pools/{code}/changes?since=0"),
                Some(&police),
            )
            .await;
        let ops: Vec<(&str, &str)> = changes
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["op"].as_str().unwrap(), c["key"].as_str().unwrap()))
            .collect();
        assert_eq!(
            ops,
            [
                ("upsert", a.as_str()),
                ("upsert", b.as_str()),
                ("upsert", fixed_id.as_str()),
                ("delete", c.as_str())
            ],
            "{backend}"
        );
        let since = changes[1]["seq"].as_i64().unwrap();
        let (_, later) = s
            .get_json(
                &format!("/api/v1/pools/{code}/changes?since={since}"),
                Some(&police),
            )
            .await;
        assert_eq!(later.as_array().unwrap().len(), 2);
        assert_eq!(later[1]["op"], "delete");
        assert_eq!(
            s.get_json(&format!("/api/v1/pools/{code}/changes"), Some(&market))
                .await
                .0,
            404
        );
    }
}

#[tokio::test]
async fn a_batch_over_the_quota_loads_nothing() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let police = s.login("gaj_admin", "Demo@2026").await;
        let bureau = s.login("admin", "Admin@2026").await;
        let market = s.login("scjg_operator", "Demo@2026").await;
        let code = registered_pool(&s, &police, &bureau).await;
        let quota = format!("/api/v1/orgs/{}/quota", org_code("公安局"));
        assert_eq!(
            s.send_json(
                Method::PUT,
                &quota,
                Some(&police),
                json!({"max_rows": 1000})
            )
            .await
            .0,
            403
        );
        assert_eq!(s.get_json(&quota, Some(&market)).await.0, 403);
        let (status, q) = s
            .send_json(
                Method::PUT,
                &quota,
                Some(&bureau),
                json!({"max_rows": 3, "max_bytes": null}),
            )
            .await;
        assert_eq!((status, q["max_rows"].as_i64()), (200, Some(3)), "{q}");
        let rows: Vec<String> = [
            "50010319800101002",
            "50010319900202003",
            "50010319751231004",
            "50010319660606005",
        ]
        .iter()
        .map(|f| format!("{},某某,1,1980-01-01", id(f)))
        .collect();
        let csv = format!("公民身份号码,姓名,性别,出生日期\n{}\n", rows.join("\n"));
        let (status, err) =
            upload(&s, &police, &code, "?format=csv", csv.clone().into_bytes()).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (409, Some("quota_exceeded")),
            "{backend}: {err}"
        );
        let (_, pool) = s
            .get_json(&format!("/api/v1/pools/{code}"), Some(&police))
            .await;
        assert_eq!(
            pool["row_count"], 0,
            "{backend}: nothing of the refused batch stays"
        );
        let three = format!(
            "公民身份号码,姓名,性别,出生日期\n{}\n",
            rows[..3].join("\n")
        );
        assert_eq!(
            upload(&s, &police, &code, "?format=csv", three.into_bytes())
                .await
                .0,
            201
        );
        let (_, usage) = s.get_json(&quota, Some(&police)).await;
        assert_eq!(usage["rows"], 3);
        assert!(usage["bytes"].as_i64().unwrap() > 0);
        s.send_json(
            Method::PUT,
            &quota,
            Some(&bureau),
            json!({"max_rows": null, "max_bytes": 10}),
        )
        .await;
        let (status, _) = upload(&s, &police, &code, "?format=csv", csv.into_bytes()).await;
        assert_eq!(status, 409, "{backend}: bytes quota");
    }
}

#[tokio::test]
async fn systems_push_json_rows_and_owners_edit_checks() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let police = s.login("gaj_admin", "Demo@2026").await;
        let bureau = s.login("admin", "Admin@2026").await;
        let market = s.login("scjg_operator", "Demo@2026").await;
        let code = registered_pool(&s, &police, &bureau).await;
        let rows_path = format!("/api/v1/pools/{code}/rows");
        let (a, b) = (id("50010319800101002"), id("50010319900202003"));
        // The inferred check refuses a bad check digit; after the owner
        // removes it, the same row goes in; a check added to 姓名 bites at once.
        let bad = format!("{}{}", &a[..16], "99");
        let push = |rows: serde_json::Value| json!({"rows": rows, "batch_id": null});
        let (status, first) = s
            .send_json(
                Method::POST,
                &rows_path,
                Some(&police),
                push(json!([
                    {"公民身份号码": a, "姓名": "张三", "性别": "1", "出生日期": "1980-01-01"},
                    {"公民身份号码": bad, "姓名": "王五"}
                ])),
            )
            .await;
        assert_eq!(status, 201, "{backend}: {first}");
        assert_eq!(
            (first["accepted"].as_i64(), first["rejected"].as_i64()),
            (Some(1), Some(1))
        );
        let checks_path = format!("/api/v1/pools/{code}/checks");
        let (status, pool) = s
            .send_json(
                Method::PUT,
                &checks_path,
                Some(&police),
                json!({"checks": {"公民身份号码": [], "性别": ["gender"], "xm": ["phone"]}}),
            )
            .await;
        assert_eq!(status, 200, "{backend}: {pool}");
        let cols = pool["schema"]["columns"].as_array().unwrap();
        assert_eq!(cols[0]["checks"], json!([]));
        assert_eq!(cols[1]["checks"], json!(["phone"]));
        let (_, second) = s
            .send_json(
                Method::POST,
                &rows_path,
                Some(&police),
                push(json!([
                    {"公民身份号码": bad, "姓名": "13800001111"},
                    {"公民身份号码": b, "姓名": "李四"}
                ])),
            )
            .await;
        assert_eq!(
            (second["accepted"].as_i64(), second["rejected"].as_i64()),
            (Some(1), Some(1)),
            "{backend}: {second}"
        );
        // Denials and limits: another department, an unknown column or check, too many rows.
        let (status, _) = s
            .send_json(
                Method::PUT,
                &checks_path,
                Some(&market),
                json!({"checks": {"姓名": []}}),
            )
            .await;
        assert_eq!(status, 404);
        let (status, _) = s
            .send_json(
                Method::POST,
                &rows_path,
                Some(&market),
                push(json!([{"公民身份号码": b}])),
            )
            .await;
        assert_eq!(status, 404);
        let (status, err) = s
            .send_json(
                Method::PUT,
                &checks_path,
                Some(&police),
                json!({"checks": {"籍贯": ["gender"]}}),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        assert!(err.to_string().contains("籍贯"), "{err}");
        let (status, _) = s
            .send_json(
                Method::PUT,
                &checks_path,
                Some(&police),
                json!({"checks": {"姓名": ["no_such_check"]}}),
            )
            .await;
        assert!(status == 400 || status == 422, "{status}");
        let many: Vec<serde_json::Value> =
            (0..10_001).map(|_| json!({"公民身份号码": a})).collect();
        let (status, err) = s
            .send_json(Method::POST, &rows_path, Some(&police), push(json!(many)))
            .await;
        assert_eq!(status, 400, "{err}");
        assert_eq!(
            s.get_json(&format!("/api/v1/pools/{code}"), Some(&police))
                .await
                .1["row_count"],
            2,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn owners_set_selection_rules_over_http() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let police = s.login("gaj_admin", "Demo@2026").await;
        let bureau = s.login("admin", "Admin@2026").await;
        let market = s.login("scjg_operator", "Demo@2026").await;
        let code = registered_pool(&s, &police, &bureau).await;
        let path = format!("/api/v1/pools/{code}/selection");
        let rules =
            json!({"rows": [{"item": "出生日期", "op": "at_least", "values": ["1985年1月1日"]}]});
        let (status, _) = s
            .send_json(Method::PUT, &path, Some(&market), rules.clone())
            .await;
        assert_eq!(status, 404, "{backend}: another department");
        let (status, _) = s.send_json(Method::PUT, &path, None, rules.clone()).await;
        assert_eq!(status, 401);
        let (status, err) = s
            .send_json(
                Method::PUT,
                &path,
                Some(&police),
                json!({"rows": [{"item": "出生日期", "op": "at_least", "values": ["上个月"]}]}),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        assert!(err.to_string().contains("上个月"), "{err}");
        let (status, pool) = s.send_json(Method::PUT, &path, Some(&police), rules).await;
        assert_eq!(status, 200, "{backend}: {pool}");
        assert_eq!(pool["schema"]["selection"]["rows"][0]["op"], "at_least");
        // Loads, check and selection edits are audit entries, visible to the owner.
        let (_, log) = s.get_json("/api/v1/audit?limit=100", Some(&police)).await;
        assert!(
            log.as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "pool.selection" && e["resource_code"] == code),
            "{log}"
        );
        let (a, b) = (id("50010319800101002"), id("50010319900202003"));
        let (status, report) = s
            .send_json(
                Method::POST,
                &format!("/api/v1/pools/{code}/rows"),
                Some(&police),
                json!({"rows": [
                    {"公民身份号码": a, "姓名": "张三", "出生日期": "1980-01-01"},
                    {"公民身份号码": b, "姓名": "李四", "出生日期": "1990-02-02"}
                ]}),
            )
            .await;
        assert_eq!(status, 201, "{report}");
        assert_eq!(
            (report["accepted"].as_i64(), report["skipped"].as_i64()),
            (Some(1), Some(1)),
            "{backend}: {report}"
        );
        let (_, log) = s.get_json("/api/v1/audit?limit=100", Some(&bureau)).await;
        let load = log
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "pool.load")
            .unwrap();
        assert_eq!(
            (load["row_count"].as_i64(), load["actor"].as_str()),
            (Some(1), Some("gaj_admin"))
        );
        assert!(
            load["detail"].as_str().unwrap().contains("skipped 1"),
            "{load}"
        );
    }
}

#[tokio::test]
async fn broken_quoting_and_oversized_fields_are_refused_with_their_reasons() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let police = s.login("gaj_admin", "Demo@2026").await;
        let bureau = s.login("admin", "Admin@2026").await;
        let code = registered_pool(&s, &police, &bureau).await;
        let (a, b, c) = (
            id("50010319800101002"),
            id("50010319900202003"),
            id("50010319751231004"),
        );
        let long = "长".repeat(40_000);
        // Row 3 opens a quote it never closes: what follows is read into its cell.
        let csv = format!(
            "公民身份号码,姓名,性别,出生日期\n{a},张三,1,1980-01-01\n{b},{long},2,1990-02-02\n{c},\"赵六,2,1975-12-31\n"
        );
        let (status, report) = upload(&s, &police, &code, "?format=csv", csv.into_bytes()).await;
        assert_eq!(status, 201, "{backend}: {report}");
        assert_eq!(
            (
                report["received"].as_i64(),
                report["accepted"].as_i64(),
                report["rejected"].as_i64()
            ),
            (Some(3), Some(1), Some(2)),
            "{report}"
        );
        let (_, q) = s
            .get_json(
                &format!("/api/v1/pools/batches/{}/quarantine", report["batch_id"]),
                Some(&police),
            )
            .await;
        let rows = q["rows"].as_array().unwrap();
        let reason = |row: i64| {
            rows.iter()
                .filter(|r| r["row_number"] == row)
                .map(|r| r["reason"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(reason(3).contains("超过50字节"), "{}", reason(3));
        assert!(reason(4).contains("引号"), "{}", reason(4));
        // Nothing is lost: the refused rows keep what was submitted.
        assert!(q.to_string().contains("赵六"));
    }
}
