//! Using other departments' data in the console: an organisation's admin makes an
//! app whose key is shown once and revokes it after confirming; a district applies
//! for conditional data and registers its use of unconditional data through forms
//! that keep what was typed; and those without standing are refused.

mod common;

use common::console::{Answer, Browser, form_token};
use common::share::{id, parties, published};
use serde_json::json;

/// The value of the read-only key field of the page that shows a new key.
fn shown_key(page: &str) -> String {
    let at = page.find("readonly value=\"").expect("a key field") + 16;
    let end = page[at..].find('"').unwrap();
    page[at..at + end].to_string()
}

/// The form token of a page, for a post made from it.
async fn post_from(b: &mut Browser<'_>, page: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    let token = b.token_of(page).await;
    let mut all = vec![("form_token", token.as_str())];
    all.extend_from_slice(fields);
    b.post(path, &all).await
}

/// An application form's body as a browser posts it.
fn application(
    token: &str,
    app: &str,
    items: &[&str],
    unmasked: &[&str],
    purpose: &str,
    valid_to: &str,
) -> String {
    let today = govshare_store::clock::today().to_string();
    let mut f = vec![
        ("form_token", token),
        ("app", app),
        ("purpose", purpose),
        ("legal_basis", "《户口登记条例》"),
        ("material", "区政务服务中心业务说明"),
        ("valid_from", &today),
        ("valid_to", valid_to),
        ("daily_quota", "500"),
        ("total_quota", "5,000"),
    ];
    f.extend(items.iter().map(|i| ("items", *i)));
    f.extend(unmasked.iter().map(|i| ("unmasked", *i)));
    common::console::form_body(&f)
}

#[tokio::test]
async fn an_admin_makes_a_key_that_is_shown_once_and_revokes_it_after_confirming() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let mut district = Browser::new(s);
        district.sign_in("yuzhong_admin", "Demo@2026").await;
        let apps = "/console/sharing/apps";
        let empty = post_from(
            &mut district,
            apps,
            apps,
            &[("name", " "), ("expires_days", "")],
        )
        .await;
        assert_eq!(empty.status, 422, "{backend}");
        assert!(empty.body.contains("应用名称应为1到100个字符"));
        let bad_days = post_from(
            &mut district,
            apps,
            apps,
            &[("name", "窗口核验系统"), ("expires_days", "一年")],
        )
        .await;
        assert_eq!(bad_days.status, 422);
        assert!(
            bad_days.body.contains("value=\"窗口核验系统\""),
            "{backend}: the name typed is kept"
        );
        assert!(bad_days.body.contains("有效天数应为1到3650的整数"));

        let made = post_from(
            &mut district,
            apps,
            apps,
            &[("name", "窗口核验系统"), ("expires_days", "365")],
        )
        .await;
        assert_eq!(made.status, 200, "{backend}: {}", made.body);
        assert!(made.body.contains("密钥只显示这一次"));
        let key = shown_key(&made.body);
        assert!(key.starts_with("gsk_"), "{key}");
        let second = post_from(
            &mut district,
            apps,
            apps,
            &[("name", "不动产登记系统"), ("expires_days", "")],
        )
        .await;
        let second_key = shown_key(&second.body);
        let list = district.get(apps).await;
        assert!(list.body.contains("窗口核验系统") && list.body.contains("不动产登记系统"));
        assert!(
            !list.body.contains(&key) && !list.body.contains(&second_key),
            "{backend}: keys are not shown again"
        );
        let (_, listed) = s
            .get_json(
                &format!("/api/v1/orgs/{}/apps", common::org_code("渝中区")),
                Some(&p.district),
            )
            .await;
        let ids: Vec<i64> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        let first = ids[ids.len() - 2];
        let prefix = listed[ids.len() - 2]["key_prefix"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            key.starts_with(&format!("gsk_{prefix}")),
            "{backend}: the key shown is the app's"
        );

        // Others: an operator sees the apps but makes none; another organisation's
        // admin cannot revoke them.
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        let theirs = market.get(apps).await;
        assert_eq!(theirs.status, 200);
        assert!(!theirs.body.contains("创建并生成密钥") && !theirs.body.contains("窗口核验系统"));
        let made = post_from(&mut market, apps, apps, &[("name", "偷偷建的")]).await;
        assert_eq!(made.status, 403, "{backend}");
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let path = format!("/console/sharing/apps/{first}/revoke");
        let refused = post_from(&mut police, apps, &path, &[("confirm", "1")]).await;
        assert_eq!(refused.status, 403, "{backend}");

        // The owner must confirm; then the key stops working at once.
        let unconfirmed = post_from(&mut district, apps, &path, &[]).await;
        assert_eq!(unconfirmed.status, 422);
        assert!(unconfirmed.body.contains("请勾选确认"));
        let code = published(s, &p.police, &p.bureau, json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &json!([{"公民身份号码": id("50010319800101001"), "姓名": "张三", "联系电话": "13800000001"},
                    {"公民身份号码": id("50010319800101002"), "姓名": "李四", "联系电话": "13800000002"}])).await;
        let row = format!("/api/v1/share/{code}/rows/{}", id("50010319800101001"));
        let call = |key: String| {
            let row = row.clone();
            async move {
                common::share::app_call(s, Some(&key), reqwest::Method::GET, &row, None)
                    .await
                    .0
            }
        };
        let before = call(key.clone()).await;
        assert_ne!(before, 401, "{backend}: a live key is known");
        let revoked = post_from(&mut district, apps, &path, &[("confirm", "1")]).await;
        assert_eq!(
            (revoked.status, revoked.location.as_str()),
            (303, "/console/sharing/apps?done=revoked")
        );
        assert_eq!(call(key).await, 401, "{backend}: a revoked key is refused");
        assert!(district.get(apps).await.body.contains("已撤销"));
        let (_, log) = s
            .get_json("/api/v1/audit?limit=1000", Some(&p.bureau))
            .await;
        let made_or_ended = |action: &str| {
            log.as_array()
                .unwrap()
                .iter()
                .filter(|e| e["actor"] == "yuzhong_admin" && e["action"] == action)
                .count()
        };
        assert_eq!(
            (made_or_ended("app.create"), made_or_ended("app.revoke")),
            (2, 1),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_district_applies_for_conditional_data_and_registers_use_of_open_data() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let rows = json!([{"公民身份号码": id("50010319800101001"), "姓名": "张三", "联系电话": "13800000001"},
                          {"公民身份号码": id("50010319800101002"), "姓名": "李四", "联系电话": "13800000002"}]);
        let conditional = published(s, &p.police, &p.bureau,
            json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"}), &rows).await;
        let mut district = Browser::new(s);
        district.sign_in("yuzhong_admin", "Demo@2026").await;
        let entry = district
            .get(&format!("/console/catalog/{conditional}"))
            .await;
        let use_path = format!("/console/catalog/{conditional}/use");
        assert!(
            entry.body.contains("/use\">申请使用</a>"),
            "{backend}: {}",
            entry.body
        );

        // No app yet: the form says where to make one.
        let no_app = district.get(&use_path).await;
        assert!(no_app.body.contains("还没有有效的应用"), "{backend}");
        let apps = "/console/sharing/apps";
        post_from(&mut district, apps, apps, &[("name", "窗口核验系统")]).await;

        let dated = post_from(
            &mut district,
            &use_path,
            &use_path,
            &[
                ("app", "x"),
                ("items", "xm"),
                ("purpose", "窗口办理户籍业务时核验身份"),
            ],
        )
        .await;
        assert_eq!(dated.status, 422, "{backend}");
        assert!(dated.body.contains("请选择本单位的有效应用"));
        let form = district.get(&use_path).await;
        let app = {
            let at = form.body.find("<option value=\"").unwrap() + 15;
            form.body[at..at + form.body[at..].find('"').unwrap()].to_string()
        };
        let token = form_token(&form.body);
        let client = district.client.clone();
        let post = |body: String| {
            client
                .post(s.url(&use_path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
        };
        let refused = district
            .send(post(application(
                &token,
                &app,
                &[],
                &["lxdh"],
                "看看",
                "明年",
            )))
            .await;
        assert_eq!(refused.status, 422, "{backend}");
        assert!(refused.body.contains("请填写日期"), "{backend}");
        assert!(
            refused
                .body
                .contains("要明文提供“联系电话”，请同时勾选为申请的信息项")
        );
        assert!(
            refused.body.contains("区政务服务中心业务说明"),
            "{backend}: the material typed is kept"
        );
        let valid_to = (govshare_store::clock::today() + chrono::Days::new(90)).to_string();
        let refused = district
            .send(post(application(&token, &app, &[], &[], "看看", &valid_to)))
            .await;
        assert_eq!(refused.status, 422);
        assert!(
            refused.body.contains("请选择申请的信息项") && refused.body.contains("请写明使用用途"),
            "{backend}: {}",
            refused.body
        );
        let asked = application(
            &token,
            &app,
            &["gmsfhm", "xm", "lxdh"],
            &["lxdh"],
            "窗口办理户籍业务时核验身份",
            &valid_to,
        );
        let made = district.send(post(asked)).await;
        assert_eq!(made.status, 303, "{backend}: {}", made.body);
        let request = district.get(&made.location).await;
        assert!(
            request.body.contains("待审核") || request.body.contains("审核中"),
            "{backend}: {}",
            request.body
        );
        assert!(
            request.body.contains("联系电话（明文）")
                && request.body.contains("每日500次，总计5000次")
        );
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let workbench = police.get("/console/").await;
        assert!(
            workbench
                .body
                .contains("待答复的共享申请 <span class=\"count\">共1条"),
            "{backend}: the provider sees it waiting"
        );

        // Unconditional data: a registration of use.
        let open = published(
            s,
            &p.police,
            &p.bureau,
            json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &rows,
        )
        .await;
        let path = format!("/console/catalog/{open}/use");
        let form = district.get(&path).await;
        assert!(form.body.contains("登记使用") && !form.body.contains("申请依据"));
        let registered = post_from(
            &mut district,
            &path,
            &path,
            &[
                ("app", &app),
                ("purpose", "窗口办理时核验身份"),
                ("scenario", "窗口受理时自动核验"),
            ],
        )
        .await;
        assert_eq!(registered.status, 303, "{backend}: {}", registered.body);
        let (_, regs) = s
            .get_json("/api/v1/share/registrations", Some(&p.district))
            .await;
        assert!(
            regs.to_string().contains("窗口受理时自动核验"),
            "{backend}: {regs}"
        );

        // Who may not: the provider for its own data, an auditor, anyone for a draft.
        assert_eq!(police.get(&use_path).await.status, 403, "{backend}");
        let mut auditor = Browser::new(s);
        auditor.sign_in("city_auditor", "Demo@2026").await;
        assert_eq!(auditor.get(&use_path).await.status, 403);
        let draft = common::police_draft(s, "内部草稿").await;
        assert_eq!(
            district
                .get(&format!("/console/catalog/{draft}/use"))
                .await
                .status,
            403
        );
    }
}

#[tokio::test]
async fn grants_show_their_use_against_quotas_and_only_the_provider_revokes_them() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let person = id("50010319800101001");
        let rows = json!([{"公民身份号码": person, "姓名": "张三", "联系电话": "13800000001"},
                          {"公民身份号码": id("50010319800101002"), "姓名": "李四", "联系电话": "13800000002"}]);
        let code = published(s, &p.police, &p.bureau,
            json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"}), &rows).await;
        let (_, made) = common::share::new_app(s, &p.district, "渝中区", "窗口核验系统").await;
        let key = made["key"].as_str().unwrap().to_string();
        common::share::grant_items(
            &p,
            &made["app"]["id"],
            &code,
            &["公民身份号码", "姓名"],
            &[],
            5,
        )
        .await;
        let path = format!("/api/v1/share/{code}/rows/{person}");
        for _ in 0..3 {
            let (status, _) =
                common::share::app_call(s, Some(&key), reqwest::Method::GET, &path, None).await;
            assert_eq!(status, 200, "{backend}");
        }
        // The visits are counted from the log's group commit.
        let _ = s.get_json("/api/v1/audit?limit=1", Some(&p.bureau)).await;
        let grants = "/console/sharing/grants";
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let page = police.get(grants).await;
        assert_eq!(page.status, 200, "{backend}: {}", page.body);
        for text in [
            "本单位数据的授权 <span class=\"count\">1项",
            "窗口核验系统",
            "公民身份号码、姓名",
            "3 / 5",
            "撤销授权",
        ] {
            assert!(
                page.body.contains(text),
                "{backend}: the provider's page lacks {text}: {}",
                page.body
            );
        }
        let mut district = Browser::new(s);
        district.sign_in("yuzhong_admin", "Demo@2026").await;
        let theirs = district.get(grants).await;
        assert!(
            theirs
                .body
                .contains("本单位获得的授权 <span class=\"count\">1项")
                && theirs.body.contains("3 / 5"),
            "{backend}"
        );
        assert!(
            !theirs.body.contains("撤销授权"),
            "{backend}: the consumer does not revoke"
        );
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        let none = market.get(grants).await;
        assert!(
            !none.body.contains("窗口核验系统"),
            "{backend}: a stranger sees no grant"
        );
        let grant = {
            let at = page.body.find("/console/sharing/grants/").unwrap() + 24;
            page.body[at..at + page.body[at..].find('/').unwrap()].to_string()
        };
        let revoke = format!("/console/sharing/grants/{grant}/revoke");
        for b in [&mut district, &mut market] {
            let answer = post_from(b, grants, &revoke, &[("confirm", "1")]).await;
            assert_eq!(answer.status, 403, "{backend}: only the provider revokes");
        }
        let unconfirmed = post_from(&mut police, grants, &revoke, &[]).await;
        assert_eq!(unconfirmed.status, 422);
        let (status, _) =
            common::share::app_call(s, Some(&key), reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{backend}: still granted");
        let revoked = post_from(&mut police, grants, &revoke, &[("confirm", "1")]).await;
        assert_eq!(
            (revoked.status, revoked.location.as_str()),
            (303, "/console/sharing/grants?done=revoked"),
            "{backend}"
        );
        let (status, _) =
            common::share::app_call(s, Some(&key), reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 403, "{backend}: a revoked grant is refused at once");
        assert!(police.get(grants).await.body.contains("已撤销"));
        let (_, log) = s
            .get_json("/api/v1/audit?limit=1000", Some(&p.bureau))
            .await;
        assert!(
            log.as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "grant.revoke" && e["actor"] == "gaj_admin"),
            "{backend}: the revocation is audited"
        );
    }
}

#[tokio::test]
async fn a_provider_fixes_or_refuses_an_error_report_and_no_one_else_can() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let (code, key, person) = common::share::open_with_app(&p).await;
        let report = |name: &'static str| {
            let path = format!("/api/v1/share/{code}/corrections");
            let key = key.clone();
            let person = person.clone();
            async move {
                let (status, made) = common::share::app_call(s, Some(&key), reqwest::Method::POST, &path,
                    Some(json!({"key": [person], "item": "姓名", "proposed": name, "evidence": "户口簿记载"}))).await;
                assert_eq!(status, 201, "{made}");
                made["id"].as_i64().unwrap()
            }
        };
        let (fixed, refused) = (report("张叁").await, report("章三").await);
        let list = "/console/sharing/corrections";
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let page = police.get(list).await;
        assert!(
            page.body
                .contains("本单位数据的纠错 <span class=\"count\">2件")
                && page.body.contains("张叁"),
            "{backend}"
        );
        // Others: the reporter sees its reports without the forms; a stranger sees none.
        let mut district = Browser::new(s);
        district.sign_in("yuzhong_admin", "Demo@2026").await;
        let theirs = district.get(list).await;
        assert!(
            theirs
                .body
                .contains("本单位提出的纠错 <span class=\"count\">2件")
                && !theirs.body.contains("按建议值更正"),
            "{backend}"
        );
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        assert!(!market.get(list).await.body.contains("张叁"), "{backend}");
        let answer = |id: i64| format!("{list}/{id}");
        for b in [&mut district, &mut market] {
            let tried = post_from(b, list, &answer(fixed), &[("decision", "accept")]).await;
            assert_eq!(tried.status, 403, "{backend}: only the provider answers");
        }
        // A refusal needs its reason; an acceptance fixes the pool's value at once.
        let bare = post_from(
            &mut police,
            list,
            &answer(refused),
            &[("decision", "reject"), ("note", "")],
        )
        .await;
        assert_eq!(bare.status, 422, "{backend}");
        assert!(bare.body.contains("不予更正须写明理由"));
        let no = post_from(
            &mut police,
            list,
            &answer(refused),
            &[("decision", "reject"), ("note", "户籍档案记载无误")],
        )
        .await;
        assert_eq!(no.status, 303, "{backend}");
        let yes = post_from(&mut police, list, &answer(fixed), &[("decision", "accept")]).await;
        assert_eq!(yes.status, 303, "{backend}: {}", yes.body);
        let (_, row) = common::share::app_call(
            s,
            Some(&key),
            reqwest::Method::GET,
            &format!("/api/v1/share/{code}/rows/{person}"),
            None,
        )
        .await;
        assert!(
            row.to_string().contains("张叁"),
            "{backend}: the value is fixed: {row}"
        );
        let after = district.get(list).await;
        assert!(
            after.body.contains("已更正") && after.body.contains("户籍档案记载无误"),
            "{backend}"
        );
        let again = post_from(&mut police, list, &answer(fixed), &[("decision", "accept")]).await;
        assert_eq!(again.status, 422, "{backend}: answered once");
    }
}

#[tokio::test]
async fn the_audit_log_is_filtered_by_outcome_resource_organisation_and_day() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let (code, key, person) = common::share::open_with_app(&p).await;
        let path = format!("/api/v1/share/{code}/rows/{person}");
        for _ in 0..3 {
            let (status, _) =
                common::share::app_call(s, Some(&key), reqwest::Method::GET, &path, None).await;
            assert_eq!(status, 200);
        }
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        assert_eq!(
            market.get("/console/catalog/101001/999999").await.status,
            403
        );
        let mut bureau = Browser::new(s);
        bureau.sign_in("admin", "Admin@2026").await;
        let outcome_cells = |page: &str| -> Vec<String> {
            page.split("<tr><td>")
                .skip(1)
                .map(|row| {
                    let cells: Vec<&str> = row.split("</td><td").collect();
                    cells
                        .get(6)
                        .map(|c| {
                            c.trim_start_matches(|ch| ch != '>')
                                .trim_start_matches('>')
                                .replace("<span class=\"late\">", "")
                                .replace("</span>", "")
                        })
                        .unwrap_or_default()
                })
                .collect()
        };
        let denied = bureau.get("/console/audit?outcome=denied").await;
        assert_eq!(denied.status, 200, "{backend}");
        let cells = outcome_cells(&denied.body);
        assert!(
            !cells.is_empty() && cells.iter().all(|c| c == "拒绝"),
            "{backend}: {cells:?}"
        );
        let used = bureau
            .get(&format!(
                "/console/audit?resource={}&outcome=ok",
                code.replace('/', "%2F")
            ))
            .await;
        let served = used.body.matches("按主键查询").count();
        assert_eq!(served, 3, "{backend}: the three lookups of the entry");
        let tomorrow = govshare_store::clock::today() + chrono::Days::new(1);
        let later = bureau.get(&format!("/console/audit?from={tomorrow}")).await;
        assert!(later.body.contains("没有可查看的审计记录"), "{backend}");
        let bad = bureau.get("/console/audit?from=%E6%98%A8%E5%A4%A9").await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("请填写日期"));
        // A department filters within what it may read: the market operator's refusal
        // is not the district's to see, whatever it asks.
        let mut district = Browser::new(s);
        district.sign_in("yuzhong_admin", "Demo@2026").await;
        let theirs = district
            .get(&format!(
                "/console/audit?org={}",
                common::org_code("市场监督")
            ))
            .await;
        assert!(theirs.body.contains("没有可查看的审计记录"), "{backend}");
        let own = district.get("/console/audit?outcome=ok").await;
        assert!(
            own.body.contains("按主键查询") && !own.body.contains("scjg_operator"),
            "{backend}"
        );
        // The API takes the same filters, and refuses what it does not know.
        let (status, log) = s
            .get_json("/api/v1/audit?outcome=denied&limit=1000", Some(&p.bureau))
            .await;
        assert_eq!(status, 200);
        assert!(
            log.as_array()
                .unwrap()
                .iter()
                .all(|e| e["outcome"] == "denied"),
            "{backend}"
        );
        let (status, _) = s
            .get_json("/api/v1/audit?colour=red", Some(&p.bureau))
            .await;
        assert_eq!(status, 400, "{backend}");
    }
}

/// The kinds of the audit entries of `action` the bureau reads through the API.
async fn logged(s: &common::TestServer, bureau: &str, action: &str) -> usize {
    let (_, log) = s.get_json("/api/v1/audit?limit=1000", Some(bureau)).await;
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action && e["outcome"] == "ok")
        .count()
}

#[tokio::test]
async fn the_applicant_supplies_the_material_asked_for_and_providers_review_registrations() {
    for backend in common::backends() {
        let p = parties(backend).await;
        let s = &p.s;
        let id = common::share::application(s).await;
        let page = format!("/console/sharing/requests/{id}");
        let material = format!("{page}/material");
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let asked = post_from(
            &mut police,
            &page,
            &page,
            &[("decision", "ask_more"), ("note", "请补充区政府的授权文件")],
        )
        .await;
        assert_eq!(asked.status, 303, "{backend}: {}", asked.body);
        // The provider has no material to supply; the applicant sees what is asked.
        assert!(!police.get(&page).await.body.contains("提交补充材料"));
        assert_eq!(
            post_from(&mut police, &page, &material, &[("material", "伪造")])
                .await
                .status,
            403,
            "{backend}"
        );
        let mut district = Browser::new(s);
        district.sign_in("yuzhong_admin", "Demo@2026").await;
        let shown = district.get(&page).await;
        assert!(
            shown.body.contains("提交补充材料") && shown.body.contains("请补充区政府的授权文件"),
            "{backend}: {}",
            shown.body
        );
        let empty = post_from(&mut district, &page, &material, &[("material", "  ")]).await;
        assert_eq!(empty.status, 422, "{backend}");
        assert!(empty.body.contains("请提供补充材料"), "{backend}");
        let supplied = post_from(
            &mut district,
            &page,
            &material,
            &[("material", "渝中府办〔2026〕12号授权文件")],
        )
        .await;
        assert_eq!(supplied.status, 303, "{backend}: {}", supplied.body);
        let again = district.get(&page).await.body;
        assert!(
            again.contains("【补充材料】") && again.contains("渝中府办〔2026〕12号"),
            "{backend}"
        );
        assert!(!again.contains("提交补充材料"), "{backend}: supplied once");
        let twice = post_from(&mut district, &page, &material, &[("material", "再一次")]).await;
        assert_eq!(twice.status, 422, "{backend}: no longer asked for");
        // A department party to none sees neither the request nor the form.
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        assert_eq!(market.get(&page).await.status, 403);
        // The console's steps are audited as the API's are.
        assert_eq!(
            logged(s, &p.bureau, "request.ask_more").await,
            1,
            "{backend}"
        );
        assert_eq!(
            logged(s, &p.bureau, "request.material").await,
            1,
            "{backend}"
        );

        // Registrations under manual review: the bureau switches it on the entry page.
        let rows = serde_json::json!([{"公民身份号码": common::share::id("50010319800101001"), "姓名": "张三", "联系电话": "13800000001"},
                                      {"公民身份号码": common::share::id("50010319800101002"), "姓名": "李四", "联系电话": "13800000002"}]);
        let open = published(
            s,
            &p.police,
            &p.bureau,
            serde_json::json!({"sharing_type": "unconditional", "sharing_method": "api"}),
            &rows,
        )
        .await;
        let entry = format!("/console/catalog/{open}");
        let review = format!("{entry}/review");
        assert!(district.get(&entry).await.body.contains("自动通过"));
        assert!(
            !district
                .get(&entry)
                .await
                .body
                .contains("改为提供方人工审核")
        );
        assert_eq!(
            post_from(&mut police, &entry, &review, &[("manual", "1")])
                .await
                .status,
            403,
            "{backend}: the bureau's switch"
        );
        let mut bureau = Browser::new(s);
        bureau.sign_in("admin", "Admin@2026").await;
        let switched = post_from(&mut bureau, &entry, &review, &[("manual", "1")]).await;
        assert_eq!(switched.status, 303, "{backend}: {}", switched.body);
        assert!(
            district
                .get(&entry)
                .await
                .body
                .contains("须经提供方审核通过后方可调用")
        );
        let apps = "/console/sharing/apps";
        post_from(&mut district, apps, apps, &[("name", "登记测试系统")]).await;
        let use_path = format!("{entry}/use");
        let form = district.get(&use_path).await;
        let app = {
            let at = form.body.find("<option value=\"").unwrap() + 15;
            form.body[at..at + form.body[at..].find('"').unwrap()].to_string()
        };
        let registered = post_from(
            &mut district,
            &use_path,
            &use_path,
            &[
                ("app", &app),
                ("purpose", "窗口办理时核验身份"),
                ("scenario", "窗口受理"),
            ],
        )
        .await;
        assert_eq!(registered.status, 303, "{backend}: {}", registered.body);
        let listing = "/console/sharing/registrations";
        let mine = district.get(listing).await.body;
        assert!(
            mine.contains("待审核") && !mine.contains("sharing/registrations/"),
            "{backend}: the consumer waits and cannot answer"
        );
        let (_, regs) = s
            .get_json(
                "/api/v1/share/registrations?status=pending",
                Some(&p.district),
            )
            .await;
        let reg = regs[0]["id"].as_i64().unwrap();
        let answer = format!("/console/sharing/registrations/{reg}");
        assert_eq!(
            market
                .get(listing)
                .await
                .body
                .matches("登记测试系统")
                .count(),
            0,
            "{backend}: nothing of others"
        );
        assert_eq!(
            post_from(&mut market, listing, &answer, &[("decision", "approve")])
                .await
                .status,
            403,
            "{backend}"
        );
        let mut approver = Browser::new(s);
        approver.sign_in("gaj_approver", "Demo@2026").await;
        assert!(
            approver
                .get("/console/")
                .await
                .body
                .contains("待审核的使用登记"),
            "{backend}: waiting on the approver's workbench"
        );
        let short = post_from(
            &mut approver,
            listing,
            &answer,
            &[("decision", "reject"), ("reason", "不")],
        )
        .await;
        assert_eq!(short.status, 422, "{backend}");
        assert!(short.body.contains("至少4个字"), "{backend}");
        let approved = post_from(&mut approver, listing, &answer, &[("decision", "approve")]).await;
        assert_eq!(approved.status, 303, "{backend}: {}", approved.body);
        assert!(district.get(listing).await.body.contains("已通过"));
        assert_eq!(
            logged(s, &p.bureau, "share.review.set").await,
            1,
            "{backend}"
        );
        assert_eq!(
            logged(s, &p.bureau, "share.register.answer").await,
            1,
            "{backend}"
        );
    }
}
