//! Who may do what, over HTTP: each role against each write, and what each caller
//! can read. Denials are checked as carefully as the successes.

mod common;

use common::{TestServer, class_of, org_code, resource_body};
use reqwest::Method;
use serde_json::{Value, json};

struct Callers {
    bureau: String,
    police_admin: String,
    market_operator: String,
    district_admin: String,
}

async fn callers(s: &TestServer) -> Callers {
    Callers {
        bureau: s.login("admin", "Admin@2026").await,
        police_admin: s.login("gaj_admin", "Demo@2026").await,
        market_operator: s.login("scjg_operator", "Demo@2026").await,
        district_admin: s.login("yuzhong_admin", "Demo@2026").await,
    }
}

async fn status(
    s: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> u16 {
    s.send_json(method, path, token, body).await.0
}

#[tokio::test]
async fn administration_is_the_bureaus() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let c = callers(&s).await;
        let classes = json!([{"code": "101099", "name": "测试分类"}]);
        let themes = json!([{"code": "T99", "name": "测试主题"}]);
        let org = json!({"credit_code": org_code("公安局"), "name": "重庆市公安局", "kind": "department", "level": "provincial", "region_code": "500000"});
        for (path, body) in [
            ("/api/v1/classification", &classes),
            ("/api/v1/themes", &themes),
            ("/api/v1/orgs", &org),
        ] {
            assert_eq!(
                status(&s, Method::POST, path, None, body.clone()).await,
                401,
                "{backend} anonymous {path}"
            );
            for t in [&c.police_admin, &c.market_operator, &c.district_admin] {
                assert_eq!(
                    status(&s, Method::POST, path, Some(t), body.clone()).await,
                    403,
                    "{backend} {path}"
                );
            }
        }
        assert_eq!(
            status(
                &s,
                Method::POST,
                "/api/v1/classification",
                Some(&c.bureau),
                classes
            )
            .await,
            204
        );
        assert_eq!(
            status(&s, Method::POST, "/api/v1/themes", Some(&c.bureau), themes).await,
            204
        );
        assert_eq!(
            s.get_json("/api/v1/changes", Some(&c.police_admin)).await.0,
            403
        );
        assert_eq!(s.get_json("/api/v1/changes", None).await.0, 401);
        assert_eq!(
            s.get_json("/api/v1/changes", Some(&c.bureau)).await.0,
            200,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn users_are_created_within_ones_reach() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let c = callers(&s).await;
        let user = |name: &str, role: &str, org: &str| json!({"username": name, "display_name": "测试", "password": "Strong-maple-T4q-2026", "role": role, "org_code": org_code(org)});
        let cases = [
            (&c.police_admin, user("p_op", "org_operator", "公安局"), 201),
            (
                &c.police_admin,
                user("p_admin2", "org_admin", "公安局"),
                201,
            ),
            (
                &c.police_admin,
                user("p_boss", "bureau_admin", "公安局"),
                403,
            ),
            (
                &c.police_admin,
                user("m_op", "org_operator", "市场监督管理局"),
                403,
            ),
            (
                &c.market_operator,
                user("m_op2", "org_operator", "市场监督管理局"),
                403,
            ),
            (
                &c.district_admin,
                user("yz_op", "org_operator", "渝中区"),
                201,
            ),
            (
                &c.bureau,
                user("any_admin", "org_admin", "市场监督管理局"),
                201,
            ),
            (&c.bureau, user("p_op", "org_operator", "公安局"), 409),
        ];
        for (token, body, expected) in cases {
            let name = body["username"].as_str().unwrap().to_string();
            assert_eq!(
                status(&s, Method::POST, "/api/v1/users", Some(token), body).await,
                expected,
                "{backend} {name}"
            );
        }
        let (status_code, err) = s.send_json(Method::POST, "/api/v1/users", Some(&c.bureau), json!({"username": "weak", "display_name": "x", "password": "short", "role": "org_operator", "org_code": org_code("公安局")})).await;
        assert_eq!(
            (status_code, err["error"]["problems"][0]["field"].as_str()),
            (422, Some("password"))
        );
        s.login("yz_op", "Strong-maple-T4q-2026").await;
    }
}

#[tokio::test]
async fn entries_by_role_state_and_organisation() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let c = callers(&s).await;
        let class = class_of("公安局");
        let (_, created) = s
            .send_json(
                Method::POST,
                "/api/v1/resources",
                Some(&c.police_admin),
                resource_body(&org_code("公安局"), &class, "权限测试资源"),
            )
            .await;
        let path = format!("/api/v1/resources/{}", created["code"].as_str().unwrap());
        let t = format!("{path}/transitions");
        // A draft: the owner and the bureau see it and its history; nobody else does.
        for (token, expected) in [
            (Some(&c.police_admin), 200),
            (Some(&c.bureau), 200),
            (Some(&c.market_operator), 404),
            (Some(&c.district_admin), 404),
            (None, 404),
        ] {
            assert_eq!(
                s.get_json(&path, token.map(String::as_str)).await.0,
                expected,
                "{backend} get draft"
            );
            assert_eq!(
                s.get_json(&format!("{path}/history"), token.map(String::as_str))
                    .await
                    .0,
                expected,
                "{backend} history"
            );
        }
        // Others can neither edit nor move it, and learn nothing of its existence.
        let body = resource_body(&org_code("公安局"), &class, "改名");
        assert_eq!(
            status(
                &s,
                Method::PUT,
                &path,
                Some(&c.market_operator),
                body.clone()
            )
            .await,
            404
        );
        assert_eq!(
            status(
                &s,
                Method::POST,
                &t,
                Some(&c.district_admin),
                json!({"action": "submit"})
            )
            .await,
            404
        );
        // The owner submits; the bureau registers and publishes.
        assert_eq!(
            status(
                &s,
                Method::POST,
                &t,
                Some(&c.police_admin),
                json!({"action": "submit"})
            )
            .await,
            200
        );
        for action in ["register", "publish"] {
            assert_eq!(
                status(
                    &s,
                    Method::POST,
                    &t,
                    Some(&c.police_admin),
                    json!({"action": action})
                )
                .await,
                403,
                "{action}"
            );
            assert_eq!(
                status(
                    &s,
                    Method::POST,
                    &t,
                    Some(&c.bureau),
                    json!({"action": action})
                )
                .await,
                200,
                "{action}"
            );
        }
        // Published: other departments read it, but may not change or withdraw it.
        assert_eq!(s.get_json(&path, Some(&c.market_operator)).await.0, 200);
        assert_eq!(
            status(
                &s,
                Method::PUT,
                &path,
                Some(&c.market_operator),
                body.clone()
            )
            .await,
            403
        );
        assert_eq!(
            status(
                &s,
                Method::POST,
                &t,
                Some(&c.district_admin),
                json!({"action": "withdraw", "reason": "x"})
            )
            .await,
            403
        );
        // The owner's admin may correct and withdraw it; the bureau sees every version.
        assert_eq!(
            status(&s, Method::PUT, &path, Some(&c.police_admin), body).await,
            200
        );
        assert_eq!(
            status(
                &s,
                Method::POST,
                &t,
                Some(&c.police_admin),
                json!({"action": "withdraw", "reason": "数据已迁移"})
            )
            .await,
            200
        );
        assert_eq!(
            s.get_json(&path, Some(&c.market_operator)).await.0,
            404,
            "{backend}: withdrawn is hidden again"
        );
        // Exports carry only what the caller may see.
        let (_, public) = s.get_json("/api/v1/catalog/export?format=json", None).await;
        assert_eq!(public["resources"].as_array().unwrap().len(), 0);
        let (_, own) = s
            .get_json("/api/v1/catalog/export?format=json", Some(&c.police_admin))
            .await;
        assert_eq!(own["resources"].as_array().unwrap().len(), 1, "{backend}");
    }
}
