//! The parties of the sharing tests: a server over the demo city's organisations with
//! four users signed in, published entries with rows, apps and their calls.

use super::{TestServer, class_of, org_code};
use reqwest::Method;
use serde_json::{Value, json};

pub fn id(first17: &str) -> String {
    format!(
        "{first17}{}",
        govshare_domain::ids::citizen_id_check_char(first17).unwrap()
    )
}

/// A server over the demo city's organisations and users, with four of them signed in:
/// the police (provider), the bureau, a district (consumer) and a market operator
/// (another department).
pub struct Parties {
    pub s: TestServer,
    pub police: String,
    pub bureau: String,
    pub district: String,
    pub market: String,
}

pub async fn parties(backend: &'static str) -> Parties {
    parties_with(backend, TestServer::config()).await
}

/// As `parties`, the server serving with `config`.
pub async fn parties_with(backend: &'static str, config: govshare_server::ServerConfig) -> Parties {
    signed_in(TestServer::start_with(backend, false, config).await).await
}

/// The four users signed in on `s` (a server over the demo city's organisations).
pub async fn signed_in(s: TestServer) -> Parties {
    Parties {
        police: s.login("gaj_admin", "Demo@2026").await,
        bureau: s.login("admin", "Admin@2026").await,
        district: s.login("yuzhong_admin", "Demo@2026").await,
        market: s.login("scjg_operator", "Demo@2026").await,
        s,
    }
}

/// One lifecycle step of an entry, which must succeed.
pub async fn step(s: &TestServer, code: &str, who: &str, action: &str) {
    let (status, r) = s
        .send_json(
            Method::POST,
            &format!("/api/v1/resources/{code}/transitions"),
            Some(who),
            json!({"action": action}),
        )
        .await;
    assert_eq!(status, 200, "{action}: {r}");
}

/// A police entry made from `body`, submitted and registered (not yet published).
pub async fn registered(s: &TestServer, police: &str, bureau: &str, body: Value) -> String {
    let (status, created) = s
        .send_json(Method::POST, "/api/v1/resources", Some(police), body)
        .await;
    assert_eq!(status, 201, "{created}");
    let code = created["code"].as_str().unwrap().to_string();
    step(s, &code, police, "submit").await;
    step(s, &code, bureau, "register").await;
    code
}

/// A published police entry of persons shared as `sharing`, with two rows.
pub async fn published(
    s: &TestServer,
    police: &str,
    bureau: &str,
    sharing: Value,
    rows: &Value,
) -> String {
    let mut body = json!({
        "classification": class_of("公安局"), "name": "人口信息（共享测试）", "provider_code": org_code("公安局"),
        "summary": "常住人口的身份号码、姓名和联系电话，用于共享接口测试", "format_category": "database", "format_type": "Oracle",
        "items": [
            {"name": "公民身份号码", "data_type": "C", "length": 18, "key": true, "sensitive": true},
            {"name": "姓名", "data_type": "C", "length": 50, "required": true},
            {"name": "联系电话", "data_type": "C", "length": 20, "sensitive": true}
        ],
        "open_type": "closed", "update_cycle": "daily"
    });
    for (k, v) in sharing.as_object().unwrap() {
        body[k] = v.clone();
    }
    let code = registered(s, police, bureau, body).await;
    step(s, &code, bureau, "publish").await;
    let (status, report) = s
        .send_json(
            Method::POST,
            &format!("/api/v1/pools/{code}/rows"),
            Some(police),
            json!({"rows": rows}),
        )
        .await;
    let refused = s
        .get_json(
            &format!("/api/v1/pools/batches/{}/quarantine", report["batch_id"]),
            Some(police),
        )
        .await
        .1;
    assert_eq!(
        (status, report["accepted"].as_i64()),
        (201, Some(2)),
        "{report}: {refused}"
    );
    code
}

/// A published file-type entry of the police with one uploaded file; `items` become
/// its items (a file of sensitive items cannot be masked).
pub async fn published_file(
    s: &TestServer,
    police: &str,
    bureau: &str,
    name: &str,
    items: Value,
    content: &[u8],
) -> String {
    let body = json!({
        "classification": class_of("公安局"), "name": name, "provider_code": org_code("公安局"),
        "summary": "户籍管理相关文件，供共享测试", "format_category": "electronic_file", "format_type": "PDF",
        "sharing_type": "unconditional", "sharing_method": "file", "items": items,
        "open_type": "closed", "update_cycle": "yearly"
    });
    let code = registered(s, police, bureau, body).await;
    // Files go up once the entry is registered.
    let (status, up) = s
        .post_bytes(
            &format!("/api/v1/files/{code}?name=户籍政策汇编.pdf"),
            police,
            content.to_vec(),
        )
        .await;
    assert_eq!(status, 201, "{up}");
    step(s, &code, bureau, "publish").await;
    code
}

pub async fn app_call(
    s: &TestServer,
    key: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = s.client.request(method, s.url(path));
    if let Some(k) = key {
        req = req.header("x-api-key", k);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub async fn new_app(s: &TestServer, token: &str, org_word: &str, name: &str) -> (u16, Value) {
    s.send_json(
        Method::POST,
        &format!("/api/v1/orgs/{}/apps", org_code(org_word)),
        Some(token),
        json!({"name": name, "expires_days": 30}),
    )
    .await
}

/// A district app registered to use the unconditional entry `code`; its key.
pub async fn registered_app(s: &TestServer, district: &str, code: &str, name: &str) -> String {
    let (_, made) = new_app(s, district, "渝中区", name).await;
    let (status, r) = s
        .send_json(
            Method::POST,
            "/api/v1/share/registrations",
            Some(district),
            json!({"app_id": made["app"]["id"], "resource": code, "purpose": format!("{name}：核查"), "scenario": "窗口受理"}),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    made["key"].as_str().unwrap().to_string()
}

/// A police entry made from `body`, registered, published and filled with `rows`.
pub async fn published_with_rows(p: &Parties, body: Value, rows: Vec<Value>) -> String {
    let code = registered(&p.s, &p.police, &p.bureau, body).await;
    step(&p.s, &code, &p.bureau, "publish").await;
    let (status, report) =
        p.s.send_json(
            Method::POST,
            &format!("/api/v1/pools/{code}/rows"),
            Some(&p.police),
            json!({"rows": rows}),
        )
        .await;
    assert_eq!(status, 201, "{report}");
    code
}

/// The district asks for a grant of `items` (`unmasked` in clear) of `code` for app
/// `app_id`, with `quota` visits a day and in all, and the police approve it.
pub async fn grant_items(
    p: &Parties,
    app_id: &Value,
    code: &str,
    items: &[&str],
    unmasked: &[&str],
    quota: i64,
) {
    let today = govshare_store::clock::today();
    let (status, req) = p.s.send_json(Method::POST, "/api/v1/share/requests", Some(&p.district), json!({
        "app_id": app_id, "resource": code, "purpose": "户籍业务核验（安全测试）", "legal_basis": "《户口登记条例》",
        "scope": {"items": items, "unmasked": unmasked, "valid_from": today, "valid_to": today + chrono::Duration::days(1),
                  "daily_quota": quota, "total_quota": quota}
    })).await;
    assert_eq!(status, 201, "{req}");
    let (status, r) =
        p.s.send_json(
            Method::POST,
            &format!("/api/v1/share/requests/{}/answer", req["id"]),
            Some(&p.police),
            json!({"answer": "approve"}),
        )
        .await;
    assert_eq!(status, 200, "{r}");
}

/// A district's application for a conditional police entry (three items, the phone in
/// clear): its id.
pub async fn application(s: &TestServer) -> i64 {
    let police = s.login("gaj_admin", "Demo@2026").await;
    let bureau = s.login("admin", "Admin@2026").await;
    let district = s.login("yuzhong_admin", "Demo@2026").await;
    let rows = json!([
        {"公民身份号码": id("50010319800101001"), "姓名": "张三", "联系电话": "13800000001"},
        {"公民身份号码": id("50010319800101002"), "姓名": "李四", "联系电话": "13800000002"}
    ]);
    let sharing = json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"});
    let code = published(s, &police, &bureau, sharing, &rows).await;
    let (_, made) = new_app(s, &district, "渝中区", "窗口核验系统").await;
    let today = govshare_store::clock::today();
    let (status, req) = s
        .send_json(
            Method::POST,
            "/api/v1/share/requests",
            Some(&district),
            json!({"app_id": made["app"]["id"], "resource": code, "purpose": "窗口办理户籍业务时核验身份",
                   "legal_basis": "《户口登记条例》", "scope": {"items": ["公民身份号码", "姓名", "联系电话"],
                   "unmasked": ["联系电话"], "valid_from": today, "valid_to": today + chrono::Duration::days(30),
                   "daily_quota": 500, "total_quota": 5000}}),
        )
        .await;
    assert_eq!(status, 201, "{req}");
    req["id"].as_i64().unwrap()
}

/// A published unconditional police entry of two persons and a district app
/// registered to use it: (code, key, the first person's ID number).
pub async fn open_with_app(p: &Parties) -> (String, String, String) {
    let person = id("50010319800101001");
    let rows = json!([{"公民身份号码": person, "姓名": "张三", "联系电话": "13800000001"},
                      {"公民身份号码": id("50010319800101002"), "姓名": "李四", "联系电话": "13800000002"}]);
    let sharing = json!({"sharing_type": "unconditional", "sharing_method": "api"});
    let code = published(&p.s, &p.police, &p.bureau, sharing, &rows).await;
    let key = registered_app(&p.s, &p.district, &code, "窗口核验系统").await;
    (code, key, person)
}
