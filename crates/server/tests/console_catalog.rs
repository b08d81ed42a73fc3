//! Cataloguing in the console: a department files an entry through the form (each
//! problem beside its field, what was typed kept), edits it, takes it through review
//! and publication, and reads its history; the live check answers for the rows the
//! user sees; and those without standing can neither open the forms nor take a step.

mod common;

use common::TestServer;
use common::console::{Answer, Browser, form_token};
use govshare_store::prelude::*;

/// The text of the problem shown beside `field` (its `p-…` element).
fn problem_beside(page: &str, id: &str) -> String {
    let marker = format!("id=\"p-{id}\"");
    let Some(at) = page.find(&marker) else {
        return String::new();
    };
    let rest = &page[at..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</div>").unwrap();
    rest[open..close].to_string()
}

/// The form of a police entry: one field list as a browser posts it, item rows in
/// the order given.
fn entry_form(token: &str, name: &str, items: &[(&str, &str, &str)]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("form_token", token),
        ("classification", &common::class_of("公安局")),
        ("name", name),
        ("provider_code", &common::org_code("市场监督")),
        ("summary", "全市流动人口居住登记信息，用于政务服务办理"),
        ("format_category", "database"),
        ("format_type", "Oracle"),
        ("sharing_type", "conditional"),
        ("sharing_condition", ""),
        ("sharing_method", "api"),
        ("open_type", "closed"),
        ("update_cycle", "daily"),
        ("keywords", "居住证、暂住"),
        ("survey.structured_records", "1,200,000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (order, item, length) in items {
        for (k, v) in [
            ("item_order", *order),
            ("item_name", *item),
            ("item_column", ""),
            ("item_type", "C"),
            ("item_length", *length),
        ] {
            f.push((k.to_string(), v.to_string()));
        }
    }
    f
}

async fn post_owned(b: &mut Browser<'_>, path: &str, fields: &[(String, String)]) -> Answer {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(path, &borrowed).await
}

/// The names of an entry page's information items, in order.
async fn item_names(s: &TestServer, code: &str) -> Vec<String> {
    let token = s.login("admin", "Admin@2026").await;
    let (_, r) = s
        .get_json(&format!("/api/v1/resources/{code}"), Some(&token))
        .await;
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_department_files_an_entry_by_the_form_and_takes_it_through_review() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let mut police = Browser::new(&s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let list = police.get("/console/catalog").await;
        assert!(list.body.contains("/console/catalog/new"), "{backend}");
        let token = police.token_of("/console/catalog/new").await;

        // First try: no condition for conditional data, a length in words, and the
        // third row ordered first.
        let mut fields = entry_form(
            &token,
            "流动人口居住登记信息",
            &[
                ("1", "公民身份号码", "18"),
                ("2", "居住地址", "十"),
                ("0", "姓名", "50"),
            ],
        );
        fields.push(("item_key".into(), "0".into()));
        fields.push(("item_sensitive".into(), "1".into()));
        let refused = post_owned(&mut police, "/console/catalog/new", &fields).await;
        assert_eq!(refused.status, 422, "{backend}: {}", refused.body);
        assert!(
            problem_beside(&refused.body, "sharing_condition").contains("共享条件"),
            "{backend}: {}",
            problem_beside(&refused.body, "sharing_condition")
        );
        // 姓名 now stands first, so the length in words is on the third row.
        assert_eq!(
            problem_beside(&refused.body, "items-2--length"),
            "数据长度“十”应为正整数"
        );
        assert!(refused.body.contains("有2处需要修改"), "{backend}");
        for typed in [
            "流动人口居住登记信息",
            "居住证、暂住",
            "1,200,000",
            "value=\"十\"",
        ] {
            assert!(refused.body.contains(typed), "{backend}: {typed} was kept");
        }

        // Fixed: saved as a draft, under the police's own code whatever was posted.
        let mut fields = entry_form(
            &token,
            "流动人口居住登记信息",
            &[
                ("1", "公民身份号码", "18"),
                ("2", "居住地址", "200"),
                ("0", "姓名", "50"),
            ],
        );
        fields[8].1 = "经市公安局审批后共享".into();
        fields.push(("item_key".into(), "0".into()));
        fields.push(("item_sensitive".into(), "1".into()));
        let saved = post_owned(&mut police, "/console/catalog/new", &fields).await;
        assert_eq!(saved.status, 303, "{backend}: {}", saved.body);
        let code = saved
            .location
            .strip_prefix("/console/catalog/")
            .and_then(|l| l.strip_suffix("?done=created"))
            .expect("off to the new entry")
            .to_string();
        assert_eq!(
            item_names(&s, &code).await,
            ["姓名", "公民身份号码", "居住地址"]
        );
        let bureau_token = s.login("admin", "Admin@2026").await;
        let (_, stored) = s
            .get_json(&format!("/api/v1/resources/{code}"), Some(&bureau_token))
            .await;
        assert_eq!(stored["provider_code"], common::org_code("公安局"));
        assert_eq!(
            stored["items"][1]["key"], true,
            "{backend}: the tick followed its row"
        );
        assert_eq!(stored["items"][2]["sensitive"], true);
        assert_eq!(stored["survey"]["structured_records"], 1_200_000);
        let page = police.get(&saved.location).await;
        assert!(page.body.contains("目录已保存为草稿"), "{backend}");
        assert!(
            page.body.contains("value=\"submit\""),
            "{backend}: 提交审核 is offered"
        );

        // An edit: one row removed, the summary changed.
        let edit = police.get(&format!("/console/catalog/{code}/edit")).await;
        assert_eq!(edit.status, 200, "{backend}");
        assert!(edit.body.contains("value=\"居住地址\""));
        let mut fields = entry_form(
            &token,
            "流动人口居住登记信息",
            &[
                ("1", "姓名", "50"),
                ("2", "公民身份号码", "18"),
                ("3", "居住地址", "200"),
            ],
        );
        fields[8].1 = "经市公安局审批后共享".into();
        fields[4].1 = "全市流动人口居住登记信息（含居住证）".into();
        fields.push(("version".into(), "1".into()));
        fields.push(("item_drop".into(), "2".into()));
        let path = format!("/console/catalog/{code}/edit");
        let saved = post_owned(&mut police, &path, &fields).await;
        assert_eq!(saved.status, 303, "{backend}: {}", saved.body);
        assert_eq!(item_names(&s, &code).await, ["姓名", "公民身份号码"]);
        // The same form again, from version 1: someone else's change is not lost.
        let stale = post_owned(&mut police, &path, &fields).await;
        assert_eq!(stale.status, 422, "{backend}");
        assert!(
            problem_beside(&stale.body, "version").contains("已更新到第2版"),
            "{backend}: {}",
            problem_beside(&stale.body, "version")
        );

        // Submitted; the bureau sends it back, then a reason is required.
        let step = format!("/console/catalog/{code}/step");
        let token = police.token_of(&format!("/console/catalog/{code}")).await;
        let moved = police
            .post(&step, &[("form_token", &token), ("action", "submit")])
            .await;
        assert_eq!(moved.status, 303, "{backend}: {}", moved.body);
        let mut bureau = Browser::new(&s);
        bureau.sign_in("admin", "Admin@2026").await;
        let token = bureau.token_of(&format!("/console/catalog/{code}")).await;
        let bare = bureau
            .post(&step, &[("form_token", &token), ("action", "return")])
            .await;
        assert_eq!(bare.status, 422, "{backend}");
        assert!(bare.body.contains("退回修改需要填写理由"));
        let returned = bureau
            .post(
                &step,
                &[
                    ("form_token", &token),
                    ("action", "return"),
                    ("reason", "请补充居住证号码信息项"),
                ],
            )
            .await;
        assert_eq!(returned.status, 303, "{backend}");

        // The history says who did what, and what the edit changed.
        let history = police
            .get(&format!("/console/catalog/{code}/history"))
            .await;
        assert_eq!(history.status, 200);
        for text in [
            "共4个版本",
            "第4版 · 退回修改",
            "请补充居住证号码信息项",
            "第2版 · 修改",
            "删除：居住地址（jzdz） · 字符型 200 · 敏感",
            "全市流动人口居住登记信息，用于政务服务办理 → 全市流动人口居住登记信息（含居住证）",
            "第1版 · 新建",
        ] {
            assert!(
                history.body.contains(text),
                "{backend}: history lacks {text}"
            );
        }
    }
}

#[tokio::test]
async fn those_without_standing_cannot_open_the_forms_or_take_a_step() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let code = common::police_draft(&s, "重点人员管控名单（内部草稿）").await;
        let mut market = Browser::new(&s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        let token = market.token_of("/console/catalog").await;
        let edit = market.get(&format!("/console/catalog/{code}/edit")).await;
        let nothing = market.get("/console/catalog/101001/999999/edit").await;
        assert_eq!((edit.status, nothing.status), (403, 403), "{backend}");
        assert_eq!(
            edit.body, nothing.body,
            "{backend}: a draft and nothing look alike"
        );
        let fields = entry_form(&token, "改名", &[("1", "姓名", "50")]);
        let posted = post_owned(
            &mut market,
            &format!("/console/catalog/{code}/edit"),
            &fields,
        )
        .await;
        assert_eq!(posted.status, 403, "{backend}");
        let step = market
            .post(
                &format!("/console/catalog/{code}/step"),
                &[("form_token", &token), ("action", "submit")],
            )
            .await;
        assert_eq!(step.status, 403, "{backend}");
        // The approver of the police keeps no catalog.
        let mut approver = Browser::new(&s);
        approver.sign_in("gaj_approver", "Demo@2026").await;
        assert!(
            !approver
                .get("/console/catalog")
                .await
                .body
                .contains("新建目录")
        );
        assert_eq!(approver.get("/console/catalog/new").await.status, 403);
        let entry = approver.get(&format!("/console/catalog/{code}")).await;
        assert_eq!(entry.status, 200, "{backend}: its own organisation's draft");
        assert!(!entry.body.contains("value=\"submit\"") && !entry.body.contains("/edit\""));
        let token = form_token(&entry.body);
        let step = approver
            .post(
                &format!("/console/catalog/{code}/step"),
                &[("form_token", &token), ("action", "submit")],
            )
            .await;
        assert_eq!(step.status, 403, "{backend}");
        let bureau = s.login("admin", "Admin@2026").await;
        let (_, r) = s
            .get_json(&format!("/api/v1/resources/{code}"), Some(&bureau))
            .await;
        assert_eq!(
            (
                r["name"].as_str(),
                r["state"].as_str(),
                r["version"].as_i64()
            ),
            (Some("重点人员管控名单（内部草稿）"), Some("draft"), Some(1)),
            "{backend}: nothing changed"
        );
    }
}

#[tokio::test]
async fn the_live_check_points_at_the_row_the_user_sees_and_saves_nothing() {
    let s = TestServer::start("sqlite", false).await;
    let mut police = Browser::new(&s);
    police.sign_in("gaj_admin", "Demo@2026").await;
    let token = police.token_of("/console/catalog/new").await;
    // The second row on the screen has the bad length, but is numbered first.
    let fields = entry_form(&token, "", &[("2", "姓名", "50"), ("1", "住址", "abc")]);
    let before = s.store.count_resources().await.unwrap();
    let checked = post_owned(&mut police, "/console/catalog/check", &fields).await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(checked.body.contains("data-place"));
    assert_eq!(
        problem_beside(&checked.body, "items-1--length"),
        "数据长度“abc”应为正整数"
    );
    assert_eq!(problem_beside(&checked.body, "items-0--length"), "");
    assert_eq!(
        problem_beside(&checked.body, "name"),
        "信息资源名称为必填项"
    );
    assert!(checked.body.contains("信息项第2行·数据长度"));
    let after = s.store.count_resources().await.unwrap();
    assert_eq!(before, after, "nothing saved");
    // Without the session's token, or as an auditor, nothing is checked.
    let stale = entry_form("0000", "x", &[]);
    assert_eq!(
        post_owned(&mut police, "/console/catalog/check", &stale)
            .await
            .status,
        403
    );
    let mut auditor = Browser::new(&s);
    auditor.sign_in("city_auditor", "Demo@2026").await;
    let token = auditor.token_of("/console/").await;
    let fields = entry_form(&token, "x", &[]);
    assert_eq!(
        post_owned(&mut auditor, "/console/catalog/check", &fields)
            .await
            .status,
        403
    );
}

/// An import's page once the import has ended.
async fn finished(b: &mut Browser<'_>, job: &str) -> common::console::Answer {
    assert!(job.starts_with("/console/catalog/import/"), "{job}");
    for _ in 0..200 {
        let page = b.get(job).await;
        if !page.body.contains("正在导入") {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import at {job} did not end");
}

#[tokio::test]
async fn the_catalog_goes_out_as_files_and_comes_in_with_each_problem_located() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let draft = common::police_draft(&s, "重点人员管控名单（内部草稿）").await;
        let mut police = Browser::new(&s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let page = police.get("/console/catalog/import").await;
        assert_eq!(page.status, 200, "{backend}");
        let token = form_token(&page.body);
        let template = police
            .get("/console/catalog/files/catalog-template.csv")
            .await;
        assert_eq!(template.status, 200);
        assert!(
            template.body.contains("信息资源名称"),
            "{backend}: {}",
            template.body
        );
        let mine = police.get("/console/catalog/files/catalog.csv").await;
        assert!(
            mine.body.contains("重点人员管控名单（内部草稿）"),
            "{backend}: the owner exports its draft"
        );
        let mut market = Browser::new(&s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        let theirs = market.get("/console/catalog/files/catalog.csv").await;
        assert_eq!(theirs.status, 200);
        assert!(
            !theirs.body.contains("重点人员管控名单"),
            "{backend}: another's draft is not exported"
        );
        assert!(!theirs.body.contains(&draft));

        // One sound entry and one under a classification that does not exist.
        let good = common::resource_body(
            &common::org_code("公安局"),
            &common::class_of("公安局"),
            "出租房屋登记信息",
        );
        let mut bad =
            common::resource_body(&common::org_code("公安局"), "999999", "无处安放的目录");
        bad["summary"] = serde_json::json!("");
        let file = serde_json::to_vec(&serde_json::json!([good, bad])).unwrap();
        let fields = [("form_token", token.as_str()), ("mode", "all")];
        let started = police
            .upload("/console/catalog/import", &fields, "目录.json", &file)
            .await;
        assert_eq!(started.status, 303, "{backend}: {}", started.body);
        let all = finished(&mut police, &started.location).await;
        assert_eq!(all.status, 422, "{backend}: {}", all.body);
        // The job is its starter's: another user, even of the bureau, is refused.
        let mut bureau = Browser::new(&s);
        bureau.sign_in("admin", "Admin@2026").await;
        assert_eq!(bureau.get(&started.location).await.status, 403, "{backend}");
        assert!(
            police
                .get("/console/")
                .await
                .body
                .contains(&started.location),
            "{backend}: listed on the workbench"
        );
        assert!(all.body.contains("未导入任何目录"), "{backend}");
        assert!(
            all.body.contains("999999") && all.body.contains("信息资源摘要为必填项"),
            "{backend}: {}",
            all.body
        );
        let listed = police.get("/console/catalog?q=出租房屋").await;
        assert!(
            !listed.body.contains("出租房屋登记信息"),
            "{backend}: all or nothing"
        );
        let fields = [("form_token", token.as_str()), ("mode", "valid")];
        let started = police
            .upload("/console/catalog/import", &fields, "目录.json", &file)
            .await;
        let valid = finished(&mut police, &started.location).await;
        assert_eq!(valid.status, 200, "{backend}: {}", valid.body);
        assert!(
            valid.body.contains("文件中共2条目录") && valid.body.contains("导入1条"),
            "{backend}: {}",
            valid.body
        );
        let listed = police.get("/console/catalog?q=出租房屋").await;
        assert!(
            listed.body.contains("出租房屋登记信息"),
            "{backend}: the sound entry is in"
        );

        // An approver keeps no catalog: downloads, but no import.
        let mut approver = Browser::new(&s);
        approver.sign_in("gaj_approver", "Demo@2026").await;
        let page = approver.get("/console/catalog/import").await;
        assert!(!page.body.contains("name=\"file\""), "{backend}");
        let token = form_token(&page.body);
        let fields = [("form_token", token.as_str()), ("mode", "valid")];
        let refused = approver
            .upload("/console/catalog/import", &fields, "目录.json", &file)
            .await;
        assert_eq!(refused.status, 403, "{backend}");
    }
}
