//! Administration in the console: an organisation's admin manages its own accounts
//! (never bureau roles, never another organisation's, never their own here), with
//! deactivation and password resets that end sessions; the bureau registers
//! organisations; everyone else is refused.

mod common;

use common::TestServer;
use common::console::Browser;

const USERS: &str = "/console/admin/users";

/// The id of `username` in the accounts table of a users page.
fn user_id(page: &str, username: &str) -> String {
    let row = page
        .find(&format!("<td>{username}</td>"))
        .expect("the user is listed");
    let at = page[row..].find("/console/admin/users/").unwrap() + row + 21;
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

/// Posts a confirmed deactivation of account `id`.
async fn deactivate(b: &mut Browser<'_>, token: &str, id: &str) -> common::console::Answer {
    let fields = [
        ("form_token", token),
        ("op", "deactivate"),
        ("confirm", "1"),
    ];
    b.post(&format!("{USERS}/{id}"), &fields).await
}

#[tokio::test]
async fn an_organisations_admin_manages_its_own_accounts_and_no_one_elses() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let mut admin = Browser::new(&s);
        admin.sign_in("gaj_admin", "Demo@2026").await;
        let page = admin.get(USERS).await;
        assert_eq!(page.status, 200, "{backend}: {}", page.body);
        assert!(
            page.body.contains("gaj_approver") && !page.body.contains("scjg_operator"),
            "{backend}"
        );
        assert!(
            !page.body.contains("value=\"bureau_admin\"")
                && !page.body.contains("value=\"auditor\""),
            "{backend}: no bureau roles are offered"
        );
        let token = admin.token_of(USERS).await;

        // A weak password: told beside the field, the name kept.
        let weak = admin
            .post(
                USERS,
                &[
                    ("form_token", &token),
                    ("username", "gaj_clerk"),
                    ("display_name", "王警官"),
                    ("role", "org_operator"),
                    ("password", "12345678"),
                ],
            )
            .await;
        assert_eq!(weak.status, 422, "{backend}");
        assert!(
            weak.body.contains("value=\"gaj_clerk\"")
                && weak.body.contains("id=\"p-password\">密码"),
            "{backend}: {}",
            weak.body
        );
        // A bureau role, posted by hand: refused, nothing made.
        let grab = admin
            .post(
                USERS,
                &[
                    ("form_token", &token),
                    ("username", "gaj_boss"),
                    ("display_name", "越权"),
                    ("role", "bureau_admin"),
                    ("password", "Wq7!long-enough-pass"),
                ],
            )
            .await;
        assert_eq!(grab.status, 403, "{backend}");
        let made = admin
            .post(
                USERS,
                &[
                    ("form_token", &token),
                    ("username", "gaj_clerk"),
                    ("display_name", "王警官"),
                    ("role", "org_operator"),
                    ("password", "Wq7!long-enough-pass"),
                ],
            )
            .await;
        assert_eq!(made.status, 303, "{backend}: {}", made.body);
        let mut clerk = Browser::new(&s);
        assert_eq!(
            clerk
                .sign_in("gaj_clerk", "Wq7!long-enough-pass")
                .await
                .status,
            303
        );
        assert_eq!(clerk.get("/console/").await.status, 200);
        assert_eq!(
            clerk.get(USERS).await.status,
            403,
            "{backend}: an operator manages no one"
        );

        let page = admin.get(USERS).await;
        assert!(
            page.body.contains("本人（在“修改密码”中修改）"),
            "{backend}: one's own row has no forms"
        );
        let clerk_id = user_id(&page.body, "gaj_clerk");
        let path = format!("{USERS}/{clerk_id}");
        // Reset without confirming: nothing; confirmed: a new password shown once.
        let unconfirmed = admin
            .post(&path, &[("form_token", &token), ("op", "reset")])
            .await;
        assert_eq!(unconfirmed.status, 422);
        let reset = admin
            .post(
                &path,
                &[("form_token", &token), ("op", "reset"), ("confirm", "1")],
            )
            .await;
        assert_eq!(reset.status, 200, "{backend}: {}", reset.body);
        let new_password = {
            let at = reset
                .body
                .find("id=\"new-password\" type=\"text\" readonly value=\"")
                .unwrap()
                + 46;
            reset.body[at..at + reset.body[at..].find('"').unwrap()].to_string()
        };
        assert!(new_password.len() >= 10, "{new_password}");
        assert_eq!(
            clerk.get("/console/").await.status,
            303,
            "{backend}: the reset ended the clerk's session"
        );
        let mut again = Browser::new(&s);
        assert_ne!(
            again
                .sign_in("gaj_clerk", "Wq7!long-enough-pass")
                .await
                .status,
            303,
            "{backend}: the old password is gone"
        );
        assert_eq!(
            again.sign_in("gaj_clerk", &new_password).await.status,
            303,
            "{backend}: the new one works"
        );
        // Deactivated: the session ends and signing in fails.
        let off = admin
            .post(
                &path,
                &[
                    ("form_token", &token),
                    ("op", "deactivate"),
                    ("confirm", "1"),
                ],
            )
            .await;
        assert_eq!(off.status, 303, "{backend}");
        assert_eq!(
            again.get("/console/").await.status,
            303,
            "{backend}: the deactivated session ended"
        );
        let mut late = Browser::new(&s);
        assert_ne!(
            late.sign_in("gaj_clerk", &new_password).await.status,
            303,
            "{backend}"
        );
        assert!(admin.get(USERS).await.body.contains("已停用"));

        // Not another organisation's account, not one's own.
        let mut bureau = Browser::new(&s);
        bureau.sign_in("admin", "Admin@2026").await;
        let everyone = bureau.get(USERS).await;
        let market_id = user_id(&everyone.body, "scjg_operator");
        let theirs = deactivate(&mut admin, &token, &market_id).await;
        assert_eq!(theirs.status, 403, "{backend}");
        let own_id = user_id(&everyone.body, "gaj_admin");
        let own = deactivate(&mut admin, &token, &own_id).await;
        assert_eq!(own.status, 422, "{backend}");
        assert!(own.body.contains("不能在这里更改自己的账号"));
        let mut market = Browser::new(&s);
        assert_eq!(
            market.sign_in("scjg_operator", "Demo@2026").await.status,
            303,
            "{backend}: untouched"
        );

        // Every change is in the audit log.
        let bureau_token = s.login("admin", "Admin@2026").await;
        let (_, log) = s
            .get_json("/api/v1/audit?limit=1000", Some(&bureau_token))
            .await;
        let changes: Vec<String> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["actor"] == "gaj_admin"
                    && (e["action"] == "user.create" || e["action"] == "user.change")
            })
            .map(|e| e["detail"].as_str().unwrap().to_string())
            .collect();
        assert!(
            changes.iter().any(|d| d.contains("重置密码"))
                && changes.iter().any(|d| d.contains("停用")),
            "{backend}: {changes:?}"
        );
        assert!(
            !changes.iter().any(|d| d.contains(&new_password)),
            "{backend}: no password in the log"
        );
    }
}

#[tokio::test]
async fn the_bureau_registers_organisations_and_no_one_else_does() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let mut bureau = Browser::new(&s);
        bureau.sign_in("admin", "Admin@2026").await;
        let token = bureau.token_of("/console/admin/orgs").await;
        let first17 = "11500000MB0123456";
        let code = format!(
            "{first17}{}",
            govshare_domain::ids::credit_code_check_char(first17).unwrap()
        );
        let wrong = format!("{first17}{}", if code.ends_with('0') { '1' } else { '0' });
        let form = |credit: &str| {
            vec![
                ("form_token", token.clone()),
                ("credit_code", credit.to_string()),
                ("name", "重庆市数字化城市管理中心".into()),
                ("short_name", "数字城管".into()),
                ("kind", "department".into()),
                ("level", "city".into()),
                ("region_code", "500000".into()),
            ]
        };
        let post = |fields: Vec<(&'static str, String)>| {
            let body: Vec<(&str, String)> = fields;
            body
        };
        let bad = post(form(&wrong));
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = bureau.post("/console/admin/orgs", &bad).await;
        assert_eq!(refused.status, 422, "{backend}: {}", refused.body);
        assert!(
            refused.body.contains("id=\"p-credit_code\">")
                && refused.body.contains("value=\"重庆市数字化城市管理中心\""),
            "{backend}"
        );
        let good = post(form(&code));
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let saved = bureau.post("/console/admin/orgs", &good).await;
        assert_eq!(saved.status, 303, "{backend}: {}", saved.body);
        assert!(bureau.get("/console/admin/orgs").await.body.contains(&code));
        let mut police = Browser::new(&s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        assert_eq!(
            police.get("/console/admin/orgs").await.status,
            403,
            "{backend}"
        );
        let token = police.token_of("/console/").await;
        let mut theirs = good.clone();
        theirs[0] = ("form_token", token.as_str());
        assert_eq!(
            police.post("/console/admin/orgs", &theirs).await.status,
            403,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_api_lists_and_changes_accounts_under_the_same_rules() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let police = s.login("gaj_admin", "Demo@2026").await;
        let market = s.login("scjg_operator", "Demo@2026").await;
        let (status, own) = s.get_json("/api/v1/users", Some(&police)).await;
        assert_eq!(status, 200, "{backend}: {own}");
        let names: Vec<&str> = own
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["username"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"gaj_approver") && !names.contains(&"admin"),
            "{backend}: {names:?}"
        );
        let (status, _) = s.get_json("/api/v1/users", Some(&market)).await;
        assert_eq!(status, 403, "{backend}: an operator lists no one");
        let approver = own
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "gaj_approver")
            .unwrap()["id"]
            .clone();
        let path = format!("/api/v1/users/{approver}");
        let (status, _) = s
            .send_json(
                reqwest::Method::PATCH,
                &path,
                Some(&market),
                serde_json::json!({"active": false}),
            )
            .await;
        assert_eq!(
            status, 404,
            "{backend}: another organisation's account is not found"
        );
        let (status, changed) = s
            .send_json(
                reqwest::Method::PATCH,
                &path,
                Some(&police),
                serde_json::json!({"reset_password": true}),
            )
            .await;
        assert_eq!(status, 200, "{backend}: {changed}");
        let password = changed["password"].as_str().unwrap();
        assert!(
            !s.login("gaj_approver", password).await.is_empty(),
            "{backend}: the new password works"
        );
        let (status, _) = s
            .send_json(
                reqwest::Method::PATCH,
                &path,
                Some(&police),
                serde_json::json!({"role": "auditor"}),
            )
            .await;
        assert_eq!(
            status, 403,
            "{backend}: an organisation appoints no auditor"
        );
    }
}

/// A bureau form: its tab, its fields, the answer and what the page then shows.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, u16, &'a str);

#[tokio::test]
async fn the_bureau_keeps_the_calendar_quotas_themes_and_classes_and_watches_deadlines() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let application = common::share::application(&s).await;
        let mut bureau = Browser::new(&s);
        bureau.sign_in("admin", "Admin@2026").await;
        let overdue = bureau.get("/console/bureau/overdue").await;
        assert_eq!(overdue.status, 200, "{backend}: {}", overdue.body);
        assert!(
            overdue
                .body
                .contains(&format!("/console/sharing/requests/{application}"))
                && overdue.body.contains("重庆市公安局"),
            "{backend}: the open application and its provider"
        );
        let token = bureau.token_of("/console/bureau/calendar").await;
        let post = |tab: &str, fields: &[(&str, &str)]| {
            let mut all = vec![("form_token", token.as_str())];
            all.extend_from_slice(fields);
            (
                format!("/console/bureau/{tab}"),
                all.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<Vec<_>>(),
            )
        };
        let police_code = common::org_code("公安局");
        let cases: Vec<Case> = vec![
            (
                "calendar",
                vec![("day", "明年春节"), ("kind", "holiday")],
                422,
                "请填写日期",
            ),
            (
                "calendar",
                vec![("day", "2027-02-11"), ("kind", "holiday")],
                303,
                "2027-02-11",
            ),
            (
                "calendar",
                vec![("day", "2027-02-12"), ("kind", "clear")],
                422,
                "该日期未设为节假日或调休上班",
            ),
            (
                "quotas",
                vec![
                    ("org", &police_code),
                    ("max_rows", "很多"),
                    ("max_bytes", ""),
                ],
                422,
                "请填写整数",
            ),
            (
                "quotas",
                vec![
                    ("org", &police_code),
                    ("max_rows", "1,000,000"),
                    ("max_bytes", ""),
                ],
                303,
                "1000000",
            ),
            (
                "themes",
                vec![
                    ("code", "T99"),
                    ("name", "城市更新"),
                    ("description", "旧城改造相关资源"),
                ],
                303,
                "城市更新",
            ),
            (
                "classes",
                vec![("code", "12"), ("name", "不成层级")],
                422,
                "12",
            ),
            (
                "classes",
                vec![("code", "101099"), ("name", "流动人口管理")],
                303,
                "流动人口管理",
            ),
        ];
        for (tab, fields, status, shown) in &cases {
            let (path, all) = post(tab, fields);
            let borrowed: Vec<(&str, &str)> =
                all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let answer = bureau.post(&path, &borrowed).await;
            assert_eq!(
                answer.status, *status,
                "{backend}: {tab} {fields:?}: {}",
                answer.body
            );
            let page = if *status == 303 {
                bureau.get(&path).await.body
            } else {
                answer.body
            };
            assert!(page.contains(shown), "{backend}: {tab} shows {shown}");
        }
        // A day set by mistake is put back to the weekday rule.
        let (path, all) = post("calendar", &[("day", "2027-02-11"), ("kind", "clear")]);
        let borrowed: Vec<(&str, &str)> =
            all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(bureau.post(&path, &borrowed).await.status, 303, "{backend}");
        assert!(
            !bureau.get(&path).await.body.contains("2027-02-11"),
            "{backend}: the holiday is gone"
        );
        // A theme or a class no longer wanted is deleted after ticking 确认; one that
        // something still depends on is kept, and the page says why.
        let police_class = common::class_of("公安局");
        let deletions: Vec<Case> = vec![
            ("themes", vec![("delete", "T99")], 422, "删除前请勾选确认"),
            (
                "classes",
                vec![("delete", &police_class), ("confirm", "1")],
                422,
                "条目录",
            ),
            (
                "classes",
                vec![("delete", "1"), ("confirm", "1")],
                422,
                "下级分类",
            ),
            (
                "classes",
                vec![("delete", "101098"), ("confirm", "1")],
                422,
                "101098",
            ),
        ];
        for (tab, fields, status, shown) in &deletions {
            let (path, all) = post(tab, fields);
            let borrowed: Vec<(&str, &str)> =
                all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let answer = bureau.post(&path, &borrowed).await;
            assert_eq!(
                answer.status, *status,
                "{backend}: {tab} {fields:?}: {}",
                answer.body
            );
            assert!(
                answer.body.contains(shown),
                "{backend}: {tab} {fields:?} says {shown}"
            );
        }
        for (tab, code, name) in [
            ("themes", "T99", "城市更新"),
            ("classes", "101099", "流动人口管理"),
        ] {
            let (path, all) = post(tab, &[("delete", code), ("confirm", "1")]);
            let borrowed: Vec<(&str, &str)> =
                all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            assert_eq!(
                bureau.post(&path, &borrowed).await.status,
                303,
                "{backend}: {tab}"
            );
            let listed = bureau.get(&path).await.body;
            assert!(
                !listed.contains(&format!(">{code}</td>")),
                "{backend}: {code} {name} gone"
            );
        }
        // Nobody else.
        let mut police = Browser::new(&s);
        police.sign_in("gaj_admin", "Demo@2026").await;
        assert!(
            !police
                .get("/console/")
                .await
                .body
                .contains("/console/bureau")
        );
        for tab in ["overdue", "calendar", "quotas", "themes", "classes"] {
            assert_eq!(
                police.get(&format!("/console/bureau/{tab}")).await.status,
                403,
                "{backend}: {tab}"
            );
        }
        let token = police.token_of("/console/").await;
        let theirs = police
            .post(
                "/console/bureau/quotas",
                &[
                    ("form_token", &token),
                    ("org", &police_code),
                    ("max_rows", ""),
                ],
            )
            .await;
        assert_eq!(theirs.status, 403, "{backend}");
    }
}
