//! The console in a real browser: headless Chromium driven over WebDriver (Debian's
//! `chromium` and `chromium-driver`, with `fonts-noto-cjk` so that Chinese shows), as a
//! person would use it — typing into the sign-in form, following the menu, submitting
//! a form with mistakes, opening another organisation's page by its address. Each page
//! is kept as a screenshot in `$CARGO_TARGET_TMPDIR/screenshots/` to look at.
//!
//! Without chromedriver on the machine the test says so and passes, except in CI
//! (`CI` set), where `.ci/run` installs the browser first and its absence fails.

mod common;

use common::TestServer;
use serde_json::{Value, json};

struct Driver {
    child: std::process::Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How many times a wait looks again, 50 ms apart: 30 s, for a machine under load.
const WAITS: usize = 600;

impl Driver {
    /// Starts chromedriver and a headless Chromium session 1280 px wide; `None` when
    /// chromedriver is not installed.
    async fn start() -> Option<Driver> {
        let binary = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let child = std::process::Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let mut d = Driver {
            child,
            base,
            session: String::new(),
            http,
        };
        let made = d
            .call(
                reqwest::Method::POST,
                "/session",
                json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900", "--lang=zh-CN"]
                }}}}),
            )
            .await;
        d.session = made["sessionId"]
            .as_str()
            .expect("a WebDriver session")
            .to_string();
        Some(d)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let answer = self.try_call(method, path, body).await;
        assert!(answer["error"].is_null(), "WebDriver {path}: {answer}");
        answer
    }

    /// A WebDriver command's value, or its error as the value.
    async fn try_call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = if self.session.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let mut req = self.http.request(method.clone(), url);
        if method != reqwest::Method::GET {
            req = req.json(&body);
        }
        let answer: Value = req.send().await.unwrap().json().await.unwrap();
        answer["value"].clone()
    }

    /// Waits until the page a click or a form led to has loaded.
    async fn settle(&self) {
        for _ in 0..100 {
            let state = self
                .try_call(
                    reqwest::Method::POST,
                    "/execute/sync",
                    json!({"script": "return document.readyState", "args": []}),
                )
                .await;
            if state == "complete" {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    async fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
    }

    /// The element `css` selects, waited for (up to 30 s) while a page loads.
    async fn find(&self, css: &str) -> String {
        let mut last = Value::Null;
        for _ in 0..WAITS {
            last = self
                .try_call(
                    reqwest::Method::POST,
                    "/element",
                    json!({"using": "css selector", "value": css}),
                )
                .await;
            // The element's reference, under the W3C identifier key.
            let found = last
                .as_object()
                .filter(|o| !o.contains_key("error"))
                .and_then(|o| o.values().next())
                .and_then(|v| v.as_str());
            if let Some(e) = found {
                return e.to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let at = self.try_call(reqwest::Method::GET, "/url", json!({})).await;
        panic!("no element {css} at {at}: {last}");
    }

    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            json!({"text": text}),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            json!({}),
        )
        .await;
        self.settle().await;
    }

    /// The visible text of the page (asked again if the page changed under the ask).
    async fn text(&self) -> String {
        for _ in 0..50 {
            let body = self.find("body").await;
            let text = self
                .try_call(
                    reqwest::Method::GET,
                    &format!("/element/{body}/text"),
                    json!({}),
                )
                .await;
            if let Some(t) = text.as_str() {
                return t.to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the page's text could not be read");
    }

    /// Waits (up to 30 s) for the page to show every one of `needles`; its text.
    async fn shows(&self, needles: &[&str]) -> String {
        let mut text = String::new();
        for _ in 0..WAITS {
            text = self.text().await;
            if needles.iter().all(|n| text.contains(n)) {
                return text;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the page does not show {needles:?}: {text}");
    }

    /// Waits (up to 30 s) for the address to contain `part`.
    async fn at(&self, part: &str) {
        let mut url = String::new();
        for _ in 0..WAITS {
            url = self.url().await;
            if url.contains(part) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the browser is at {url}, not at {part}");
    }

    async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", json!({}))
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Sets the window's size (a tablet is 820 × 1180).
    async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
        self.settle().await;
    }

    /// As `screenshot`, of the whole page however long, at the window's width.
    async fn whole_page(&self, name: &str, width: u32) {
        let height = self
            .call(
                reqwest::Method::POST,
                "/execute/sync",
                json!({"script": "return document.documentElement.scrollHeight", "args": []}),
            )
            .await
            .as_u64()
            .unwrap_or(900)
            .clamp(600, 6000);
        self.resize(width, height as u32 + 120).await;
        self.screenshot(name).await;
        self.resize(width, 900).await;
    }

    /// Keeps the page as `name.png` and checks that it is a real, non-blank picture.
    async fn screenshot(&self, name: &str) {
        use base64::Engine;
        let data = self
            .call(reqwest::Method::GET, "/screenshot", json!({}))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{name}: a blank screenshot"
        );
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

async fn sign_in(d: &Driver, s: &TestServer, username: &str, password: &str) {
    d.open(&s.url("/console/")).await;
    d.at("/console/sign-in").await;
    d.type_into("#username", username).await;
    d.type_into("#password", password).await;
    d.click("button[type=submit]").await;
    // Signed in once the browser has left the form: opening another page before
    // then would abort the form's post.
    for _ in 0..WAITS {
        if !d.url().await.contains("/console/sign-in") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{username} was not signed in");
}

/// The browser, or `None` (with a note) where none is installed outside CI.
async fn browser() -> Option<Driver> {
    let d = Driver::start().await;
    if d.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs chromium and chromium-driver"
        );
        eprintln!(
            "skipped: install chromium, chromium-driver and fonts-noto-cjk to run the browser tests"
        );
    }
    d
}

#[tokio::test]
async fn the_console_works_in_a_real_browser() {
    let Some(d) = browser().await else {
        return;
    };
    let s = TestServer::start("sqlite", true).await;
    d.open(&s.url("/console/sign-in")).await;
    d.screenshot("console-sign-in").await;
    // A wrong password: the message, the username kept.
    d.type_into("#username", "gaj_admin").await;
    d.type_into("#password", "not-the-password").await;
    d.click("button[type=submit]").await;
    d.shows(&["用户名或密码不正确"]).await;
    d.screenshot("console-sign-in-refused").await;
    // The bureau's workbench, then the catalog through the menu.
    sign_in(&d, &s, "admin", "Admin@2026").await;
    d.shows(&["待登记审核的目录", "大数据局管理员"]).await;
    d.screenshot("console-workbench-bureau").await;
    d.click("nav a[href='/console/bureau']").await;
    d.shows(&["申请督办", "工作日历"]).await;
    d.click("nav.tabs a[href='/console/bureau/quotas']").await;
    d.shows(&["数据池的总行数", "重庆市公安局"]).await;
    d.whole_page("console-bureau-quotas", 1280).await;
    d.click("nav a[href='/console/catalog']").await;
    d.at("/console/catalog").await;
    d.shows(&["资源目录", "共享类型"]).await;
    d.screenshot("console-catalog").await;
    d.type_into("#q", "人口").await;
    d.click("form.filters button").await;
    d.at("q=%E4%BA%BA%E5%8F%A3").await;
    d.click("table tbody tr a").await;
    d.shows(&["核心元数据"]).await;
    d.screenshot("console-entry").await;
    // A password form with mistakes: each problem beside its field.
    d.click(".who a[href='/console/password']").await;
    d.shows(&["再次输入新密码"]).await;
    d.type_into("#current", "wrong").await;
    d.type_into("#new", "short").await;
    d.type_into("#again", "other").await;
    d.click("main button[type=submit]").await;
    d.shows(&["当前密码不正确", "两次输入的新密码不一致"]).await;
    d.screenshot("console-password-problems").await;
    // Signing out through the header's button.
    d.click(".who button").await;
    d.at("/console/sign-in").await;
    // A market-regulation operator opens a police draft by its address: refused.
    let code = common::police_draft(&s, "浏览器测试草稿").await;
    sign_in(&d, &s, "scjg_operator", "Demo@2026").await;
    d.shows(&["被退回修改的目录"]).await;
    d.screenshot("console-workbench-operator").await;
    d.open(&s.url(&format!("/console/catalog/{code}"))).await;
    let text = d.shows(&["无权访问"]).await;
    assert!(!text.contains("浏览器测试草稿"), "{text}");
    d.screenshot("console-refused").await;
    // A provider answers an application: one item unticked, then approved.
    let id = common::share::application(&s).await;
    d.open(&s.url("/console/")).await;
    d.click(".who button").await;
    d.at("/console/sign-in").await;
    sign_in(&d, &s, "gaj_admin", "Demo@2026").await;
    d.shows(&["待答复的共享申请"]).await;
    d.click("nav a[href='/console/sharing/requests']").await;
    d.shows(&["本单位作为提供方收到的申请"]).await;
    d.screenshot("console-requests").await;
    d.click(&format!("a[href='/console/sharing/requests/{id}']"))
        .await;
    d.shows(&["窗口办理户籍业务时核验身份", "联系电话", "审核"])
        .await;
    d.screenshot("console-request").await;
    d.click("input[name=items][value=lxdh], input[name=items]:last-of-type")
        .await;
    d.click("form button.primary").await;
    d.shows(&["已批准", "授权编号"]).await;
    d.screenshot("console-request-approved").await;
    // The dashboard: figures, charts drawn on the server, the numbers beside them,
    // after a district app has looked persons up.
    calls(&s, 12).await;
    d.click("nav a[href='/console/dashboard']").await;
    d.shows(&["运行监测", "累计共享调用", "近30天每日调用次数"])
        .await;
    d.screenshot("console-dashboard").await;
    // The auditor reads the whole log and checks the chains.
    d.click(".who button").await;
    d.at("/console/sign-in").await;
    sign_in(&d, &s, "city_auditor", "Demo@2026").await;
    d.shows(&["审计员"]).await;
    d.click("nav a[href='/console/audit']").await;
    d.shows(&["审计日志", "按主键查询", "校验哈希链"]).await;
    d.click("form[action='/console/audit/verify'] button").await;
    d.shows(&["哈希链完整"]).await;
    d.screenshot("console-audit").await;
    d.call(reqwest::Method::DELETE, "", json!({})).await;
}

#[tokio::test]
async fn cataloguing_keys_and_applications_work_in_a_real_browser() {
    let Some(d) = browser().await else {
        return;
    };
    let s = TestServer::start("sqlite", true).await;
    sign_in(&d, &s, "gaj_admin", "Demo@2026").await;
    d.click("nav a[href='/console/catalog']").await;
    d.click("a[href='/console/catalog/new']").await;
    d.shows(&["新建目录", "信息项", "资源普查数据"]).await;
    // Live checking as the user types: problems appear without leaving the page.
    d.type_into("#name", "出租房屋登记信息").await;
    d.type_into("input[name=item_name]", "房屋地址").await;
    d.type_into("input[name=item_length]", "十").await;
    d.click("#summary").await;
    d.shows(&["需要修改", "数据长度“十”应为正整数", "信息资源摘要为必填项"])
        .await;
    d.at("/console/catalog/new").await;
    d.whole_page("console-entry-form-live-check", 1280).await;
    // Fixed and saved.
    let class = common::class_of("公安局");
    d.click(&format!("#classification option[value='{class}']"))
        .await;
    d.type_into("#summary", "全市出租房屋及承租人登记信息")
        .await;
    d.call(
        reqwest::Method::POST,
        "/execute/sync",
        json!({"script": "document.querySelector('input[name=item_length]').value = ''", "args": []}),
    )
    .await;
    d.type_into("input[name=item_length]", "200").await;
    d.click("button[name=op][value=save]").await;
    d.shows(&["目录已保存为草稿", "房屋地址", "提交审核"]).await;
    d.screenshot("console-entry-saved").await;
    d.click("button[name=action][value=submit]").await;
    d.shows(&["已提交审核", "待登记审核"]).await;
    d.click("a[href$='/history']").await;
    d.shows(&["变更历史", "提交审核", "新建"]).await;
    d.screenshot("console-entry-history").await;
    // A catalog spreadsheet (the national two-sheet XLSX) with a problem: nothing
    // imported, the problem located by sheet, row and column.
    let police_code = common::org_code("公安局");
    let mut records: Vec<_> = govshare_demo::catalog()
        .resources
        .into_iter()
        .filter(|r| r.spec.provider_code == police_code)
        .take(2)
        .collect();
    for r in &mut records {
        r.spec.code = None;
        r.state = govshare_domain::lifecycle::State::Draft;
    }
    records[1].spec.summary.clear();
    let xlsx =
        govshare_interchange::write_catalog(&records, govshare_interchange::Format::Xlsx).unwrap();
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("公安局目录.xlsx");
    std::fs::write(&file, xlsx).unwrap();
    d.open(&s.url("/console/catalog/import")).await;
    d.type_into("#file", file.to_str().unwrap()).await;
    d.click("form[action='/console/catalog/import'] button")
        .await;
    d.shows(&["未导入任何目录", "“信息资源摘要”为必填项", "信息资源"])
        .await;
    d.whole_page("console-catalog-import-problems", 1280).await;
    // The same form on a tablet.
    d.resize(820, 1180).await;
    d.open(&s.url("/console/catalog/new")).await;
    d.shows(&["新建目录"]).await;
    d.screenshot("console-entry-form-tablet").await;
    d.resize(1280, 900).await;
    // A district admin makes an app and sees its key once.
    d.click(".who button").await;
    d.at("/console/sign-in").await;
    sign_in(&d, &s, "yuzhong_admin", "Demo@2026").await;
    d.click("nav a[href='/console/sharing/apps']").await;
    d.type_into("#name", "窗口核验系统").await;
    d.type_into("#expires_days", "365").await;
    d.click("form[action='/console/sharing/apps'] button").await;
    d.shows(&["密钥只显示这一次", "复制密钥"]).await;
    d.click("button[data-copy]").await;
    d.shows(&["已复制"]).await;
    d.screenshot("console-app-key").await;
    d.click("nav a[href='/console/sharing/apps']").await;
    d.shows(&["窗口核验系统", "有效", "撤销密钥"]).await;
    d.screenshot("console-apps").await;
    // … and applies for a police entry shared on condition.
    let police = s.login("gaj_admin", "Demo@2026").await;
    let bureau = s.login("admin", "Admin@2026").await;
    let rows = json!([{"公民身份号码": common::share::id("50010319800101005"), "姓名": "钱七", "联系电话": "13800000005"},
                      {"公民身份号码": common::share::id("50010319800101006"), "姓名": "孙八", "联系电话": "13800000006"}]);
    let sharing = json!({"sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"});
    let code = common::share::published(&s, &police, &bureau, sharing, &rows).await;
    d.open(&s.url(&format!("/console/catalog/{code}"))).await;
    d.click("a[href$='/use']").await;
    d.shows(&["申请的信息项", "申请依据"]).await;
    d.click("input[name=items][value=xm]").await;
    d.type_into("#purpose", "窗口办理户籍业务时核验身份").await;
    d.type_into("#legal_basis", "《户口登记条例》").await;
    d.whole_page("console-apply", 1280).await;
    d.click("main button.primary").await;
    d.shows(&["待审核", "窗口办理户籍业务时核验身份"]).await;
    d.screenshot("console-applied").await;
    // The police load a file into the entry's pool: sent with a progress bar, loaded
    // as a job, one row refused for its check digit.
    d.click(".who button").await;
    d.at("/console/sign-in").await;
    sign_in(&d, &s, "gaj_admin", "Demo@2026").await;
    d.open(&s.url(&format!("/console/catalog/{code}"))).await;
    d.click("a[href$='/pool']").await;
    d.shows(&["当前数据行数", "上传数据文件", "公民身份号码校验"])
        .await;
    let good = common::share::id("50010319800101007");
    let bad = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('0') { '1' } else { '0' }
    );
    let csv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("补充人口.csv");
    std::fs::write(
        &csv,
        format!("公民身份号码,姓名,联系电话\n{good},周九,13800000007\n{bad},吴十,13800000008\n"),
    )
    .unwrap();
    d.type_into("#file", csv.to_str().unwrap()).await;
    d.whole_page("console-pool", 1280).await;
    d.click("form[data-upload] button").await;
    d.shows(&["导入完成", "拒收", "批次号"]).await;
    d.screenshot("console-pool-job").await;
    d.click("a[href^='/console/pool-batches/']").await;
    d.shows(&["拒收数据", "下载 XLSX", &bad]).await;
    d.screenshot("console-pool-refused").await;
    // The refused rows downloaded as the browser would: an XLSX file.
    let got = d
        .call(
            reqwest::Method::POST,
            "/execute/async",
            json!({"script": "const done = arguments[arguments.length - 1]; \
                fetch(document.querySelector(\"a[href$='.xlsx']\").href) \
                .then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), b.byteLength]))) \
                .catch(e => done(String(e)));", "args": []}),
        )
        .await;
    assert_eq!(got[0], 200, "{got}");
    assert!(
        got[1]
            .as_str()
            .unwrap_or_default()
            .contains("spreadsheetml"),
        "{got}"
    );
    assert!(got[2].as_u64().unwrap_or(0) > 1000, "{got}");
    // The police admin's accounts, and a password reset shown once.
    d.click("nav a[href='/console/admin/users']").await;
    d.shows(&["用户管理", "gaj_approver", "新建账号"]).await;
    d.click("tr:has(td:first-child + td) input[name=confirm]")
        .await;
    d.click("tr:has(td:first-child + td) button[value=reset]")
        .await;
    d.shows(&["新密码只显示这一次"]).await;
    d.whole_page("console-users-reset", 1280).await;
    d.call(reqwest::Method::DELETE, "", json!({})).await;
}

#[tokio::test]
async fn reviewing_publishing_keys_and_the_audit_trail_work_in_a_real_browser() {
    let Some(d) = browser().await else {
        return;
    };
    let s = TestServer::start("sqlite", true).await;
    let police = s.login("gaj_admin", "Demo@2026").await;
    let bureau = s.login("admin", "Admin@2026").await;
    let district = s.login("yuzhong_admin", "Demo@2026").await;
    // The bureau registers and publishes an entry the police submitted.
    let draft = common::police_draft(&s, "流动人口居住登记信息").await;
    common::share::step(&s, &draft, &police, "submit").await;
    sign_in(&d, &s, "admin", "Admin@2026").await;
    d.open(&s.url(&format!("/console/catalog/{draft}"))).await;
    d.click("button[name=action][value=register]").await;
    d.shows(&["已登记"]).await;
    d.click("button[name=action][value=publish]").await;
    d.shows(&["已发布，其他单位可在资源目录中看到并申请使用"])
        .await;
    d.screenshot("console-entry-published").await;
    // … and puts registrations of an unconditional entry under review.
    let rows = json!([{"公民身份号码": common::share::id("50010319800101011"), "姓名": "郑一", "联系电话": "13800000011"},
                      {"公民身份号码": common::share::id("50010419800101012"), "姓名": "王二", "联系电话": "13800000012"}]);
    let open = common::share::published(
        &s,
        &police,
        &bureau,
        json!({"sharing_type": "unconditional", "sharing_method": "api"}),
        &rows,
    )
    .await;
    d.open(&s.url(&format!("/console/catalog/{open}"))).await;
    d.click("form[action$='/review'] button").await;
    d.shows(&["须经提供方审核通过后方可调用"]).await;
    // The audit log: an entry's page and its place in the chain.
    d.click("nav a[href='/console/audit']").await;
    d.click("td a[href^='/console/audit/']").await;
    d.shows(&["在哈希链中的位置", "内容与哈希", "一致"]).await;
    d.whole_page("console-audit-entry", 1280).await;
    // A district registers its use and revokes a key it no longer needs.
    let (_, kept) = common::share::new_app(&s, &district, "渝中区", "窗口核验系统").await;
    let (_, spare) = common::share::new_app(&s, &district, "渝中区", "旧版接口").await;
    let (status, _) = s
        .send_json(
            reqwest::Method::POST,
            "/api/v1/share/registrations",
            Some(&district),
            json!({"app_id": kept["app"]["id"], "resource": open, "purpose": "窗口办理时核验身份", "scenario": "窗口受理"}),
        )
        .await;
    assert_eq!(status, 201);
    d.click(".who button").await;
    d.at("/console/sign-in").await;
    sign_in(&d, &s, "yuzhong_admin", "Demo@2026").await;
    d.click("nav a[href='/console/sharing/apps']").await;
    let spare_id = spare["app"]["id"].as_i64().unwrap();
    d.click(&format!("#confirm-{spare_id}")).await;
    d.click(&format!(
        "form[action='/console/sharing/apps/{spare_id}/revoke'] button"
    ))
    .await;
    d.shows(&["已撤销"]).await;
    d.screenshot("console-apps-revoked").await;
    // The police approver answers the registration from the workbench.
    d.click(".who button").await;
    d.at("/console/sign-in").await;
    sign_in(&d, &s, "gaj_approver", "Demo@2026").await;
    d.shows(&["待审核的使用登记"]).await;
    d.click("a[href='/console/sharing/registrations']").await;
    d.shows(&["本单位资源的使用登记", "窗口核验系统", "待审核"])
        .await;
    d.screenshot("console-registrations").await;
    d.click("form[action^='/console/sharing/registrations/'] button[value=approve]")
        .await;
    d.shows(&["已通过"]).await;
    // The police admin keeps only one district's rows in the pool.
    d.click(".who button").await;
    d.at("/console/sign-in").await;
    sign_in(&d, &s, "gaj_admin", "Demo@2026").await;
    d.open(&s.url(&format!("/console/catalog/{open}/pool")))
        .await;
    d.click("select[name=rule_item] option[value=gmsfhm]").await;
    d.click("select[name=rule_op] option[value=prefix]").await;
    d.type_into("input[name=rule_values]", "500103").await;
    d.click("form[action$='/pool/selection'] button").await;
    d.shows(&["数据筛选规则已保存"]).await;
    d.whole_page("console-pool-rules", 1280).await;
    d.call(reqwest::Method::DELETE, "", json!({})).await;
}

/// `n` lookups by a district app in an unconditional police entry of two persons.
async fn calls(s: &TestServer, n: usize) {
    let police = s.login("gaj_admin", "Demo@2026").await;
    let bureau = s.login("admin", "Admin@2026").await;
    let district = s.login("yuzhong_admin", "Demo@2026").await;
    let person = common::share::id("50010319800101003");
    let rows = json!([{"公民身份号码": person, "姓名": "王五", "联系电话": "13800000003"},
                      {"公民身份号码": common::share::id("50010319800101004"), "姓名": "赵六", "联系电话": "13800000004"}]);
    let sharing = json!({"sharing_type": "unconditional", "sharing_method": "api"});
    let code = common::share::published(s, &police, &bureau, sharing, &rows).await;
    let key = common::share::registered_app(s, &district, &code, "窗口查询系统").await;
    for _ in 0..n {
        let path = format!("/api/v1/share/{code}/rows/{person}");
        let (status, _) =
            common::share::app_call(s, Some(&key), reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200);
    }
}
