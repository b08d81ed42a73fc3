//! The government console over HTTP, as a browser uses it: signing in with a session
//! cookie, forms that carry the session's token, the workbench and catalog pages by
//! role, and what a user of another organisation (or another site) can do and learn.

mod common;

use common::TestServer;
use common::console::{Browser, form_body, form_token};

#[tokio::test]
async fn signing_in_sets_a_guarded_cookie_that_opens_the_console_and_not_the_api() {
    let s = TestServer::start("sqlite", false).await;
    let mut b = Browser::new(&s);
    let away = b.get("/console/").await;
    assert_eq!(
        (away.status, away.location.as_str()),
        (303, "/console/sign-in?next=/console/")
    );
    let answer = b.sign_in("admin", "Admin@2026").await;
    assert_eq!(
        (answer.status, answer.location.as_str()),
        (303, "/console/catalog"),
        "{}",
        answer.body
    );
    let session = answer
        .set_cookies
        .iter()
        .find(|c| c.starts_with("gs_console="))
        .expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/console", "Max-Age=43200"] {
        assert!(session.contains(flag), "{session} lacks {flag}");
    }
    assert!(!session.contains("Secure"), "no TLS here: {session}");
    let workbench = b.get("/console/").await;
    assert_eq!(workbench.status, 200);
    for text in ["工作台", "待登记审核的目录", "admin", "大数据局管理员"] {
        assert!(workbench.body.contains(text), "workbench lacks {text}");
    }
    assert_eq!(workbench_header(&s, &b, "cache-control").await, "no-store");
    // The cookie is the console's alone: the JSON API does not take it.
    let cookie = format!("gs_console={}", b.cookies["gs_console"]);
    let api = s
        .client
        .get(s.url("/api/v1/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
    // Behind a TLS proxy the cookie is Secure.
    let mut tls = Browser::new(&s);
    let form = tls.get("/console/sign-in").await;
    let token = form_token(&form.body);
    let req = tls
        .client
        .post(s.url("/console/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-proto", "https")
        .body(form_body(&[
            ("username", "admin"),
            ("password", "Admin@2026"),
            ("form_token", &token),
        ]));
    let answer = tls.send(req).await;
    assert!(
        answer
            .set_cookies
            .iter()
            .any(|c| c.starts_with("gs_console=") && c.contains("Secure"))
    );
    // Signing out ends the session: the old cookie no longer opens anything.
    let token = b.token_of("/console/").await;
    let old = b.cookies["gs_console"].clone();
    let out = b.post("/console/sign-out", &[("form_token", &token)]).await;
    assert_eq!(
        (out.status, out.location.as_str()),
        (303, "/console/sign-in")
    );
    b.cookies.insert("gs_console".into(), old);
    assert_eq!(b.get("/console/").await.status, 303);
}

async fn workbench_header(s: &TestServer, b: &Browser<'_>, name: &str) -> String {
    let resp = s
        .client
        .get(s.url("/console/"))
        .header("cookie", format!("gs_console={}", b.cookies["gs_console"]))
        .send()
        .await
        .unwrap();
    resp.headers()[name].to_str().unwrap().to_string()
}

#[tokio::test]
async fn wrong_passwords_are_refused_in_chinese_then_slowed_with_the_wait_shown() {
    let s = TestServer::start("sqlite", false).await;
    let mut b = Browser::new(&s);
    let first = b.sign_in("gaj_admin", "wrong-password").await;
    assert_eq!(first.status, 401);
    assert!(first.body.contains("用户名或密码不正确"));
    assert!(
        first.body.contains("value=\"gaj_admin\""),
        "the username typed is kept"
    );
    assert!(
        !first.body.contains("wrong-password"),
        "the password is never echoed"
    );
    let mut slowed = None;
    for _ in 0..10 {
        let a = b.sign_in("gaj_admin", "wrong-password").await;
        if a.status == 429 {
            slowed = Some(a);
            break;
        }
    }
    let slowed = slowed.expect("repeated failures are slowed");
    assert!(
        slowed.body.contains("登录失败次数过多") && slowed.body.contains("秒后再试"),
        "{}",
        slowed.body
    );
    // The right password waits too, while the delay lasts.
    assert_eq!(b.sign_in("gaj_admin", "Demo@2026").await.status, 429);
    let log = s
        .store
        .read(|c| {
            c.query_one(
                "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'login' AND actor = 'gaj_admin' AND outcome = 'throttled'",
                &[],
            )?
            .i64("n")
        })
        .await
        .unwrap();
    assert!(log >= 1, "throttled sign-ins are audited");
}

#[tokio::test]
async fn forms_from_another_site_or_without_the_sessions_token_change_nothing() {
    let s = TestServer::start("sqlite", false).await;
    let mut b = Browser::new(&s);
    assert_eq!(b.sign_in("scjg_operator", "Demo@2026").await.status, 303);
    let token = b.token_of("/console/password").await;
    let change = [
        ("current", "Demo@2026"),
        ("new", "Lan-Tian#Bai-Yun-2026"),
        ("again", "Lan-Tian#Bai-Yun-2026"),
    ];
    // A made-up token.
    let mut forged = change.to_vec();
    forged.push(("form_token", "0123456789abcdef0123456789abcdef"));
    let refused = b.post("/console/password", &forged).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("表单已失效"));
    // The right token, posted from another site.
    let mut cross = change.to_vec();
    cross.push(("form_token", &token));
    let req = b
        .client
        .post(s.url("/console/password"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://evil.example")
        .body(form_body(&cross));
    assert_eq!(b.send(req).await.status, 403);
    // Another session's token.
    let mut other = Browser::new(&s);
    other.sign_in("scjg_operator", "Demo@2026").await;
    let theirs = other.token_of("/console/").await;
    assert_ne!(theirs, token);
    let out = b
        .post("/console/sign-out", &[("form_token", &theirs)])
        .await;
    assert_eq!(out.status, 403);
    assert_eq!(b.get("/console/").await.status, 200, "still signed in");
    // The password is unchanged: it still signs in.
    assert_eq!(
        Browser::new(&s)
            .sign_in("scjg_operator", "Demo@2026")
            .await
            .status,
        303
    );
    // A sign-in form posted without the form's own cookie is refused.
    let mut bare = Browser::new(&s);
    let a = bare
        .post(
            "/console/sign-in",
            &[
                ("username", "admin"),
                ("password", "Admin@2026"),
                ("form_token", &token),
            ],
        )
        .await;
    assert_eq!(a.status, 403);
    assert!(!a.set_cookies.iter().any(|c| c.starts_with("gs_console=")));
}

#[tokio::test]
async fn a_password_change_shows_each_problem_beside_its_field_and_ends_other_sessions() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let mut here = Browser::new(&s);
        let mut elsewhere = Browser::new(&s);
        here.sign_in("scjg_operator", "Demo@2026").await;
        elsewhere.sign_in("scjg_operator", "Demo@2026").await;
        let token = here.token_of("/console/password").await;
        let bad = here
            .post(
                "/console/password",
                &[
                    ("current", "not-it"),
                    ("new", "scjg_operator123"),
                    ("again", "other"),
                    ("form_token", &token),
                ],
            )
            .await;
        assert_eq!(bad.status, 422, "{backend}");
        for (id, text) in [
            ("current-problem", "当前密码不正确"),
            ("new-problem", "密码不能包含用户名"),
            ("again-problem", "两次输入的新密码不一致"),
        ] {
            assert!(
                bad.body.contains(&format!("id=\"{id}\">{text}")),
                "{backend}: {id} lacks {text}"
            );
        }
        let new = "Lan-Tian#Bai-Yun-2026";
        let good = here
            .post(
                "/console/password",
                &[
                    ("current", "Demo@2026"),
                    ("new", new),
                    ("again", new),
                    ("form_token", &token),
                ],
            )
            .await;
        assert_eq!(good.status, 200, "{backend}");
        assert!(good.body.contains("密码已修改"));
        assert_eq!(
            here.get("/console/").await.status,
            200,
            "{backend}: this session goes on"
        );
        assert_eq!(
            elsewhere.get("/console/").await.status,
            303,
            "{backend}: the other session ended"
        );
        assert_eq!(
            Browser::new(&s)
                .sign_in("scjg_operator", "Demo@2026")
                .await
                .status,
            401
        );
        assert_eq!(
            Browser::new(&s).sign_in("scjg_operator", new).await.status,
            303
        );
    }
}

#[tokio::test]
async fn a_user_of_another_organisation_cannot_open_a_draft_by_its_address() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let code = common::police_draft(&s, "重点人员管控名单（内部草稿）").await;
        let path = format!("/console/catalog/{code}");
        let mut owner = Browser::new(&s);
        owner.sign_in("gaj_admin", "Demo@2026").await;
        let seen = owner.get(&path).await;
        assert_eq!(seen.status, 200, "{backend}");
        assert!(seen.body.contains("重点人员管控名单（内部草稿）") && seen.body.contains("信息项"));
        let listed = owner.get("/console/catalog?mine=1&state=draft").await;
        assert!(
            listed.body.contains("重点人员管控名单（内部草稿）"),
            "{backend}: the owner's list shows its draft"
        );
        let mut other = Browser::new(&s);
        other.sign_in("scjg_operator", "Demo@2026").await;
        let refused = other.get(&path).await;
        let missing = other.get("/console/catalog/101001/999999").await;
        assert_eq!((refused.status, missing.status), (403, 403), "{backend}");
        assert_eq!(
            refused.body, missing.body,
            "{backend}: a draft and nothing look alike"
        );
        assert!(!refused.body.contains("重点人员管控名单"));
        // Read through the API, which waits for the log's group commit.
        let bureau_token = s.login("admin", "Admin@2026").await;
        let (_, log) = s
            .get_json("/api/v1/audit?limit=1000", Some(&bureau_token))
            .await;
        let trace = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["actor"] == "scjg_operator"
                    && e["outcome"] == "denied"
                    && e["detail"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("403 /console/catalog/")
            })
            .count();
        assert_eq!(trace, 2, "{backend}: each refused page is in the audit log");
        let list = other.get("/console/catalog?q=重点人员").await;
        assert_eq!(list.status, 200);
        assert!(
            !list.body.contains("重点人员管控名单"),
            "{backend}: another's draft is not listed"
        );
        assert_eq!(other.get("/console/no-such-page").await.status, 403);
        let mut bureau = Browser::new(&s);
        bureau.sign_in("admin", "Admin@2026").await;
        assert_eq!(
            bureau.get(&path).await.status,
            200,
            "{backend}: the bureau sees every entry"
        );
    }
}

#[tokio::test]
async fn a_provider_approves_an_application_narrower_and_no_one_else_can_answer_it() {
    for backend in common::backends() {
        let p = common::share::parties(backend).await;
        let s = &p.s;
        let id = common::share::application(s).await;
        let path = format!("/console/sharing/requests/{id}");
        // A stranger: the page looks like a missing one.
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        let refused = market.get(&path).await;
        let missing = market.get("/console/sharing/requests/999999").await;
        assert_eq!((refused.status, missing.status), (403, 403), "{backend}");
        assert_eq!(refused.body, missing.body);
        // The applicant sees it, without the answer form.
        let mut district = Browser::new(s);
        district.sign_in("yuzhong_admin", "Demo@2026").await;
        let own = district.get(&path).await;
        assert_eq!(own.status, 200, "{backend}");
        assert!(
            own.body.contains("窗口办理户籍业务时核验身份")
                && !own.body.contains("value=\"approve\"")
        );
        // ... and cannot answer it by posting the form anyway.
        let token = district.token_of(&path).await;
        let forged = district
            .post(
                &path,
                &[
                    ("form_token", &token),
                    ("decision", "approve"),
                    ("items", "姓名"),
                    ("valid_to", "2099-01-01"),
                    ("daily_quota", "1"),
                    ("total_quota", "1"),
                ],
            )
            .await;
        assert_eq!(forged.status, 403, "{backend}: {}", forged.body);
        // The provider: on the workbench, then the page with its form.
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        let bench = police.get("/console/").await;
        assert!(
            bench
                .body
                .contains(&format!("/console/sharing/requests/{id}\"")),
            "{backend}: on the workbench"
        );
        let token = police.token_of(&path).await;
        let valid_to = (govshare_store::clock::today() + chrono::Duration::days(10)).to_string();
        // Mistakes: no item, a quota that is not a number, a rejection not confirmed.
        let bad = police
            .post(
                &path,
                &[
                    ("form_token", &token),
                    ("decision", "approve"),
                    ("valid_to", &valid_to),
                    ("daily_quota", "100"),
                    ("total_quota", "很多"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422, "{backend}");
        assert!(bad.body.contains("id=\"items-problem\">至少选择一个信息项"));
        assert!(bad.body.contains("id=\"total_quota-problem\">请填写整数"));
        assert!(
            bad.body.contains(&format!("value=\"{valid_to}\"")),
            "what was typed is kept"
        );
        let too_long = police
            .post(
                &path,
                &[
                    ("form_token", &token),
                    ("decision", "approve"),
                    ("items", "姓名"),
                    ("valid_to", "2099-12-31"),
                    ("daily_quota", "100"),
                    ("total_quota", "1000"),
                ],
            )
            .await;
        assert_eq!(too_long.status, 422, "{backend}");
        assert!(
            too_long.body.contains("valid_to-problem"),
            "{backend}: the store rule, beside its field: {}",
            too_long.body
        );
        let unconfirmed = police
            .post(
                &path,
                &[
                    ("form_token", &token),
                    ("decision", "reject"),
                    ("note", "用途与申请依据不符"),
                ],
            )
            .await;
        assert_eq!(unconfirmed.status, 422);
        assert!(unconfirmed.body.contains("驳回前请勾选确认"));
        // Approved narrower: two of three items, none in clear, ten days, smaller quotas.
        let approved = police
            .post(
                &path,
                &[
                    ("form_token", &token),
                    ("decision", "approve"),
                    ("items", "公民身份号码"),
                    ("items", "姓名"),
                    ("valid_to", &valid_to),
                    ("daily_quota", "100"),
                    ("total_quota", "1,000"),
                ],
            )
            .await;
        assert_eq!(
            (approved.status, approved.location.as_str()),
            (303, path.as_str()),
            "{backend}: {}",
            approved.body
        );
        let after = police.get(&path).await;
        assert!(
            after.body.contains("已批准") && after.body.contains("授权编号"),
            "{backend}"
        );
        assert!(
            !after.body.contains("value=\"approve\""),
            "{backend}: answered once"
        );
        // The page shows what was granted, narrower than what was asked.
        assert!(
            after
                .body
                .contains("批准的信息项</dt><dd>公民身份号码、姓名</dd>")
                && after.body.contains("每日100次，总计1000次")
                && after.body.contains("今日0次，累计0次"),
            "{backend}: {}",
            after.body
        );
        let (_, grants) = s
            .get_json("/api/v1/share/requests", Some(&p.district))
            .await;
        let grant_id = grants["results"]
            .as_array()
            .or_else(|| grants.as_array())
            .and_then(|all| all.iter().find(|r| r["id"] == id))
            .map(|r| r["grant_id"].clone())
            .unwrap_or_default();
        assert!(
            grant_id.is_i64(),
            "{backend}: the approval made a grant: {grants}"
        );
    }
}

/// The figures of a dashboard page: (label, value) of each headline figure.
fn figures(page: &str) -> Vec<(String, i64)> {
    page.split("<div class=\"figure-value\">")
        .skip(1)
        .filter_map(|part| {
            let (value, rest) = part.split_once("</div><div class=\"figure-label\">")?;
            let label = rest.split("</div>").next()?;
            Some((label.to_string(), value.trim().parse().ok()?))
        })
        .collect()
}

#[tokio::test]
async fn the_dashboard_and_the_audit_log_show_the_city_to_the_bureau_and_a_department_its_own() {
    use serde_json::json;
    for backend in common::backends() {
        let p = common::share::parties(backend).await;
        let s = &p.s;
        let rows = json!([
            {"公民身份号码": common::share::id("50010319800101001"), "姓名": "张三", "联系电话": "13800000001"},
            {"公民身份号码": common::share::id("50010319800101002"), "姓名": "李四", "联系电话": "13800000002"}
        ]);
        let sharing = json!({"sharing_type": "unconditional", "sharing_method": "api"});
        let code = common::share::published(s, &p.police, &p.bureau, sharing, &rows).await;
        let key = common::share::registered_app(s, &p.district, &code, "监测测试应用").await;
        let person = common::share::id("50010319800101001");
        for _ in 0..7 {
            let (status, _) = common::share::app_call(
                s,
                Some(&key),
                reqwest::Method::GET,
                &format!("/api/v1/share/{code}/rows/{person}"),
                None,
            )
            .await;
            assert_eq!(status, 200);
        }
        let value = |page: &str, label: &str| {
            figures(page)
                .into_iter()
                .find(|(l, _)| l == label)
                .unwrap_or_else(|| panic!("no figure {label}"))
                .1
        };
        let mut bureau = Browser::new(s);
        bureau.sign_in("admin", "Admin@2026").await;
        let city = bureau.get("/console/dashboard").await;
        assert_eq!(city.status, 200, "{backend}");
        assert_eq!(value(&city.body, "累计共享调用"), 7, "{backend}");
        assert_eq!(value(&city.body, "今日调用"), 7, "{backend}");
        assert_eq!(value(&city.body, "累计提供数据（行）"), 7, "{backend}");
        assert_eq!(value(&city.body, "被调用的提供部门"), 1, "{backend}");
        assert!(city.body.contains("<svg") && city.body.contains("role=\"img\""));
        assert!(
            city.body.contains("重庆市公安局") && city.body.contains("<td>7</td>"),
            "{backend}: the numbers beside the chart"
        );
        // The provider sees the calls to its data; a department party to none sees none.
        let mut police = Browser::new(s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        assert_eq!(
            value(&police.get("/console/dashboard").await.body, "累计共享调用"),
            7
        );
        let mut market = Browser::new(s);
        market.sign_in("scjg_operator", "Demo@2026").await;
        let own = market.get("/console/dashboard").await;
        assert_eq!(value(&own.body, "累计共享调用"), 0, "{backend}");
        assert!(
            !own.body.contains("重庆市公安局"),
            "{backend}: no other department's figures"
        );
        // The audit log: the consumer's and the provider's pages show the calls; a
        // department party to none does not; the bureau checks the chains.
        let lookups = |page: &str| page.matches("<td>按主键查询</td>").count();
        let mut district = Browser::new(s);
        district.sign_in("yuzhong_admin", "Demo@2026").await;
        assert_eq!(
            lookups(&district.get("/console/audit").await.body),
            7,
            "{backend}"
        );
        assert_eq!(
            lookups(&police.get("/console/audit").await.body),
            7,
            "{backend}"
        );
        let theirs = market.get("/console/audit").await;
        assert_eq!(
            (theirs.status, lookups(&theirs.body)),
            (200, 0),
            "{backend}"
        );
        assert!(
            !theirs.body.contains("校验哈希链"),
            "{backend}: not the market's to check"
        );
        let token = market.token_of("/console/audit").await;
        assert_eq!(
            market
                .post("/console/audit/verify", &[("form_token", &token)])
                .await
                .status,
            403
        );
        let token = bureau.token_of("/console/audit").await;
        let checked = bureau
            .post("/console/audit/verify", &[("form_token", &token)])
            .await;
        assert_eq!(checked.status, 200, "{backend}");
        assert!(
            checked.body.contains("哈希链完整") && lookups(&checked.body) == 7,
            "{backend}"
        );
        // An entry's page: what it records and where it stands in the chain. The
        // district reads its own call's entry but not how long the city's chain is;
        // the market, party to none, gets the refusal a missing entry gets.
        let listing = district.get("/console/audit").await.body;
        // The number of the newest lookup's row.
        let row = listing.find("<td>按主键查询</td>").expect("a lookup");
        let at = listing[..row]
            .rfind("href=\"/console/audit/")
            .expect("an entry link")
            + 6;
        let link = listing[at..at + listing[at..].find('"').unwrap()].to_string();
        let own = district.get(&link).await;
        assert_eq!(own.status, 200, "{backend}: {link}");
        for shown in ["按主键查询", "内容与哈希", "一致：", "衔接：", "渝中区"] {
            assert!(own.body.contains(shown), "{backend}: {shown} on {link}");
        }
        assert!(
            !own.body.contains("条，共"),
            "{backend}: the chain's length is the bureau's"
        );
        let refused = market.get(&link).await;
        let missing = market.get("/console/audit/node-x/99999999").await;
        assert_eq!((refused.status, missing.status), (403, 403), "{backend}");
        assert_eq!(refused.body, missing.body, "{backend}: nothing told apart");
        let full = bureau.get(&link).await;
        assert!(full.body.contains("条，共"), "{backend}");
        // An entry changed after it was written shows so on its page.
        let seq: i64 = link.rsplit('/').next().unwrap().parse().unwrap();
        s.store
            .write_audit(move |c| {
                c.batch(&format!(
                    "UPDATE audit_log SET row_count = row_count + 100 WHERE seq = {seq}"
                ))
            })
            .await
            .unwrap();
        let changed = bureau.get(&link).await;
        assert!(
            changed.body.contains("不一致：该条目在写入后被修改"),
            "{backend}: {}",
            changed.body
        );
    }
}
