//! Data pools in the console: a department uploads a file, watches the load as a job,
//! reads and downloads the rows it refused; a file refused as a whole writes nothing;
//! and another department sees the pool's shape but none of its loads, jobs or
//! refused rows.

mod common;

use common::TestServer;
use common::console::{Answer, Browser, form_token};
use common::share::{id, parties, published};
use serde_json::json;

/// The pool form posted with a file.
async fn upload(
    b: &mut Browser<'_>,
    path: &str,
    token: &str,
    mode: &str,
    file: &str,
    csv: &[u8],
) -> Answer {
    b.upload(path, &[("form_token", token), ("mode", mode)], file, csv)
        .await
}

/// The job's page once the load has ended.
async fn ended(b: &mut Browser<'_>, job: &str) -> String {
    for _ in 0..200 {
        let page = b.get(job).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if !page.body.contains("正在导入") {
            return page.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the load at {job} did not end");
}

async fn bureau_log(s: &TestServer, token: &str) -> serde_json::Value {
    s.get_json("/api/v1/audit?limit=1000", Some(token)).await.1
}

#[tokio::test]
async fn a_department_loads_a_file_as_a_job_and_reads_what_it_refused() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let rows = json!([{"公民身份号码": id("50010319800101001"), "姓名": "张三", "联系电话": "13800000001"},
                          {"公民身份号码": id("50010319800101002"), "姓名": "李四", "联系电话": "13800000002"}]);
        let code = published(
            s,
            &p.police,
            &p.bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &rows,
        )
        .await;
        let pool = format!("/console/catalog/{code}/pool");
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let page = police.get(&pool).await;
        assert_eq!(page.status, 200, "{backend}: {}", page.body);
        for text in [
            "当前数据行数",
            ">2<",
            "公民身份号码校验",
            "上传并导入",
            "导入记录",
        ] {
            assert!(
                page.body.contains(text),
                "{backend}: the pool page lacks {text}"
            );
        }
        let token = form_token(&page.body);

        // Nothing chosen: told so, nothing started.
        let empty = upload(&mut police, &pool, &token, "upsert", "", b"").await;
        assert_eq!(empty.status, 422, "{backend}");
        assert!(empty.body.contains("请选择要上传的文件"));

        // One good row and one bad ID number.
        let good = id("50010319800101004");
        let wrong_digit = if good.ends_with('0') { '1' } else { '0' };
        let bad = format!("{}{wrong_digit}", &good[..17]);
        let csv = format!(
            "公民身份号码,姓名,联系电话\n{},王五,13800000003\n{bad},赵六,13800000004\n",
            id("50010319800101003")
        );
        let started = upload(
            &mut police,
            &pool,
            &token,
            "upsert",
            "补充人口.csv",
            csv.as_bytes(),
        )
        .await;
        assert_eq!(started.status, 303, "{backend}: {}", started.body);
        assert!(started.location.starts_with("/console/pool-jobs/"));
        let job = started.location.clone();
        let report = ended(&mut police, &job).await;
        assert!(report.contains("导入完成"), "{backend}: {report}");
        for figure in [
            ">2</div><div class=\"figure-label\">收到",
            ">1</div><div class=\"figure-label\">接收",
            ">1</div><div class=\"figure-label\">拒收",
        ] {
            assert!(
                report.contains(figure),
                "{backend}: the report lacks {figure}: {report}"
            );
        }
        let batch = {
            let at = report
                .find("/console/pool-batches/")
                .expect("a link to the refused rows")
                + 22;
            report[at..at + report[at..].find('"').unwrap()].to_string()
        };
        let refused = police.get(&format!("/console/pool-batches/{batch}")).await;
        assert_eq!(refused.status, 200);
        assert!(
            refused.body.contains(&bad) && refused.body.contains("共1处问题"),
            "{backend}"
        );
        let filtered = police
            .get(&format!(
                "/console/pool-batches/{batch}?q=%E6%B2%A1%E6%9C%89"
            ))
            .await;
        assert!(filtered.body.contains("没有符合条件的拒收数据"));
        let file = police
            .get(&format!("/console/pool-batches/{batch}/rejected.csv"))
            .await;
        assert_eq!(file.status, 200);
        assert!(
            file.body.contains("错误原因") && file.body.contains("赵六"),
            "{backend}: {}",
            file.body
        );
        let history = police.get(&pool).await;
        assert!(
            history.body.contains("补充人口.csv") && history.body.contains(">3<"),
            "{backend}: three rows now"
        );
        assert!(police.get("/console/").await.body.contains("我的导入任务"));

        // A file refused as a whole: nothing of it is written.
        let wrong = upload(
            &mut police,
            &pool,
            &token,
            "replace",
            "错表.csv",
            "编号,名称\n1,甲\n".as_bytes(),
        )
        .await;
        assert_eq!(wrong.status, 303);
        let report = ended(&mut police, &wrong.location).await;
        assert!(report.contains("文件未导入"), "{backend}: {report}");
        let (_, info) = s
            .get_json(&format!("/api/v1/pools/{code}"), Some(&p.police))
            .await;
        assert_eq!(
            info["row_count"], 3,
            "{backend}: the replacement wrote nothing"
        );

        // Another department: the pool's shape, nothing of its loads.
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        let theirs = market.get(&pool).await;
        assert_eq!(theirs.status, 200);
        assert!(
            !theirs.body.contains("上传并导入") && !theirs.body.contains("补充人口.csv"),
            "{backend}"
        );
        let token = form_token(&theirs.body);
        let posted = upload(
            &mut market,
            &pool,
            &token,
            "replace",
            "x.csv",
            csv.as_bytes(),
        )
        .await;
        assert_eq!(posted.status, 403, "{backend}");
        for path in [
            job.clone(),
            format!("/console/pool-batches/{batch}"),
            format!("/console/pool-batches/{batch}/rejected.xlsx"),
        ] {
            assert_eq!(market.get(&path).await.status, 403, "{backend}: {path}");
        }
        // A form without the session's token changes nothing.
        let stale = upload(
            &mut police,
            &pool,
            "0000",
            "replace",
            "x.csv",
            csv.as_bytes(),
        )
        .await;
        assert_eq!(stale.status, 403);
        let loads: Vec<_> = bureau_log(s, &p.bureau)
            .await
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "pool.load" && e["actor"] == "gaj_admin")
            .map(|e| e["row_count"].as_i64().unwrap())
            .collect();
        assert!(
            loads.contains(&1),
            "{backend}: the console's load is audited: {loads:?}"
        );
    }
}

/// The checks of a pool's column as the API shows them.
fn checks_of(info: &serde_json::Value, column: &str) -> serde_json::Value {
    info["schema"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == column)
        .unwrap()["checks"]
        .clone()
}

/// A post from the pool's page with its form token.
async fn post_rules(b: &mut Browser<'_>, pool: &str, to: &str, fields: &[(&str, &str)]) -> Answer {
    let token = b.token_of(pool).await;
    let mut all = vec![("form_token", token.as_str())];
    all.extend_from_slice(fields);
    b.post(to, &all).await
}

#[tokio::test]
async fn a_pools_keepers_edit_its_checks_and_selection_rules_and_others_cannot() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let rows = json!([{"公民身份号码": id("50010319800101001"), "姓名": "张三", "联系电话": "13800000001"},
                          {"公民身份号码": id("50010319800101002"), "姓名": "李四", "联系电话": "13800000002"}]);
        let code = published(
            s,
            &p.police,
            &p.bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &rows,
        )
        .await;
        let pool = format!("/console/catalog/{code}/pool");
        let checks = format!("{pool}/checks");
        let selection = format!("{pool}/selection");
        let api = format!("/api/v1/pools/{code}");
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let page = police.get(&pool).await.body;
        assert!(
            page.contains("修改内容校验") && page.contains("保存筛选规则"),
            "{backend}"
        );

        // Checks: the phone's check taken off, the ID number's kept.
        let saved = post_rules(
            &mut police,
            &pool,
            &checks,
            &[("check", "gmsfhm:citizen_id")],
        )
        .await;
        assert_eq!(saved.status, 303, "{backend}: {}", saved.body);
        assert!(
            police
                .get(&saved.location)
                .await
                .body
                .contains("内容校验已保存")
        );
        let (_, info) = s.get_json(&api, Some(&p.police)).await;
        assert_eq!(
            checks_of(&info, "gmsfhm"),
            json!(["citizen_id"]),
            "{backend}"
        );
        assert_eq!(checks_of(&info, "lxdh"), json!([]), "{backend}");

        // A condition with two values where one is wanted: refused beside its row,
        // what was typed kept, nothing saved.
        let refused = post_rules(
            &mut police,
            &pool,
            &selection,
            &[
                ("take", "lxdh"),
                ("rule_item", "gmsfhm"),
                ("rule_op", "at_least"),
                ("rule_values", "500103、500104"),
                ("rule_item", ""),
                ("rule_op", "in"),
                ("rule_values", ""),
            ],
        )
        .await;
        assert_eq!(refused.status, 422, "{backend}");
        assert!(
            refused
                .body
                .contains("id=\"p-rule-0\">条件“公民身份号码”需要1个比较值，给了2个")
                && refused.body.contains("value=\"500103、500104\""),
            "{backend}: {}",
            refused.body
        );
        // Rows of one district only, and the phone not taken.
        let saved = post_rules(
            &mut police,
            &pool,
            &selection,
            &[
                ("rule_item", "gmsfhm"),
                ("rule_op", "prefix"),
                ("rule_values", "500103"),
            ],
        )
        .await;
        assert_eq!(saved.status, 303, "{backend}: {}", saved.body);
        let (_, info) = s.get_json(&api, Some(&p.police)).await;
        let sel = &info["schema"]["selection"];
        assert!(
            !sel["items"].as_array().unwrap().contains(&json!("lxdh"))
                && sel["rows"][0]["op"] == "prefix",
            "{backend}: {sel}"
        );
        let shown = police.get(&pool).await.body;
        assert!(
            shown.contains("value=\"500103\""),
            "{backend}: the rule shown"
        );
        let (status, report) = s
            .send_json(
                reqwest::Method::POST,
                &format!("/api/v1/pools/{code}/rows"),
                Some(&p.police),
                json!({"rows": [
                    {"公民身份号码": id("50010319900101003"), "姓名": "王五", "联系电话": "13800000003"},
                    {"公民身份号码": id("50010419900101004"), "姓名": "赵六", "联系电话": "13800000004"}
                ]}),
            )
            .await;
        assert_eq!(status, 201, "{backend}: {report}");
        assert_eq!(
            (report["accepted"].as_i64(), report["skipped"].as_i64()),
            (Some(1), Some(1)),
            "{backend}: {report}"
        );

        // Others: the district sees the pool's shape without the forms; the market
        // and an auditor are refused whatever they post.
        let mut district = Browser::new(s);
        district.sign_in("yuzhong_admin", "Demo@2026").await;
        let theirs = district.get(&pool).await;
        assert!(
            !theirs.body.contains("修改内容校验") && !theirs.body.contains("保存筛选规则"),
            "{backend}"
        );
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        let mut auditor = Browser::new(s);
        auditor.sign_in("city_auditor", "Demo@2026").await;
        for b in [&mut district, &mut market, &mut auditor] {
            let token = b.token_of("/console/").await;
            for to in [&checks, &selection] {
                let answer = b
                    .post(to, &[("form_token", &token), ("check", "gmsfhm:phone")])
                    .await;
                assert_eq!(answer.status, 403, "{backend}: {to}");
            }
        }
        let (_, info) = s.get_json(&api, Some(&p.police)).await;
        assert_eq!(checks_of(&info, "gmsfhm"), json!(["citizen_id"]));
        assert!(info["schema"]["selection"]["rows"][0]["op"] == "prefix");
        let log = bureau_log(s, &p.bureau).await;
        for action in ["pool.checks", "pool.selection"] {
            assert_eq!(
                log.as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["action"] == action && e["outcome"] == "ok")
                    .count(),
                1,
                "{backend}: {action}"
            );
        }
    }
}

#[tokio::test]
async fn a_file_entrys_keepers_upload_versions_and_others_see_only_the_list() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let items = json!([{"name": "文件名称", "data_type": "string", "length": 100}]);
        let code = common::share::published_file(
            s,
            &p.police,
            &p.bureau,
            "户籍政策文件",
            items,
            b"%PDF-1.4 first",
        )
        .await;
        let files = format!("/console/catalog/{code}/files");
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let entry = police.get(&format!("/console/catalog/{code}")).await.body;
        assert!(entry.contains("/files\">文件</a>"), "{backend}: linked");
        let page = police.get(&files).await;
        assert_eq!(page.status, 200, "{backend}");
        assert!(
            page.body.contains("户籍政策汇编.pdf") && page.body.contains("上传新版本"),
            "{backend}"
        );
        let token = form_token(&page.body);
        // Nothing chosen: told so beside the field, the note kept.
        let empty = police
            .upload(
                &files,
                &[("form_token", &token), ("note", "2027年修订")],
                "",
                b"",
            )
            .await;
        assert_eq!(empty.status, 422, "{backend}");
        assert!(
            empty.body.contains("请选择要上传的文件")
                && empty.body.contains("value=\"2027年修订\""),
            "{backend}"
        );
        let added = police
            .upload(
                &files,
                &[("form_token", &token), ("note", "2027年修订")],
                "户籍政策汇编2027.pdf",
                b"%PDF-1.4 second",
            )
            .await;
        assert_eq!(added.status, 303, "{backend}: {}", added.body);
        let listed = police.get(&added.location).await.body;
        assert!(
            listed.contains("新版本已上传")
                && listed.contains("户籍政策汇编2027.pdf")
                && listed.contains("共2个"),
            "{backend}"
        );
        let second = police.get(&format!("{files}/2")).await;
        assert_eq!(
            (second.status, second.body.as_str()),
            (200, "%PDF-1.4 second"),
            "{backend}"
        );
        assert!(
            second.set_cookies.is_empty(),
            "{backend}: a download sets no cookie"
        );
        // Another department: the list, no upload, no download.
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        let theirs = market.get(&files).await;
        assert_eq!(theirs.status, 200, "{backend}");
        assert!(
            !theirs.body.contains("上传新版本") && !theirs.body.contains(&format!("{files}/1")),
            "{backend}"
        );
        assert_eq!(market.get(&format!("{files}/1")).await.status, 403);
        let token = form_token(&theirs.body);
        let refused = market
            .upload(&files, &[("form_token", &token)], "伪造.pdf", b"%PDF")
            .await;
        assert_eq!(refused.status, 403, "{backend}");
        let (_, versions) = s
            .get_json(&format!("/api/v1/files/{code}"), Some(&p.police))
            .await;
        assert_eq!(versions.as_array().unwrap().len(), 2, "{backend}");
        let log = bureau_log(s, &p.bureau).await;
        let uploads = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "file.upload" && e["outcome"] == "ok")
            .count();
        assert_eq!(uploads, 2, "{backend}: the API's and the console's alike");
    }
}
