//! The console at demo scale (`govshare demo` with its defaults): the workbench, the
//! catalog list and the dashboard under 16 connections (wrk, signed in as the
//! bureau's admin, who sees the most), each beside the JSON API's own answer for the
//! same data (the requests to answer, the resource list, the sharing statistics) in
//! the same turns; and the weight of every page a user opens (HTML with its inline
//! CSS, and the scripts it loads), with any request that would leave the server.

use crate::lookups::{Govshare, SECONDS, Wrk, in_turns, run_wrk, wrk_script};
use crate::pools::govshare_bin;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

const CONNECTIONS: u32 = 16;

/// The demo's bureau admin (sees every page and the most rows).
const USER: (&str, &str) = ("admin", "Admin@2026");

/// Pages measured under load: name, console page, JSON API call for the same data,
/// and the p99 target in milliseconds.
const LOADS: [(&str, &str, &str, f64); 3] = [
    (
        "workbench 工作台",
        "/console/",
        "/api/v1/share/requests",
        30.0,
    ),
    (
        "catalog list 资源目录",
        "/console/catalog",
        "/api/v1/resources",
        30.0,
    ),
    (
        "dashboard 运行监测",
        "/console/dashboard",
        "/api/v1/share/stats",
        50.0,
    ),
];

/// A signed-in client of the console and the API.
struct Session {
    client: reqwest::Client,
    base: String,
    cookie: String,
    bearer: String,
}

/// `name=value` of the first `Set-Cookie` of `resp` named `name`.
fn cookie_of(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
        .find(|pair| pair.starts_with(&format!("{name}=")))
}

/// The value of the hidden `form_token` field of a form.
fn form_token(page: &str) -> anyhow::Result<String> {
    let marker = "name=\"form_token\" value=\"";
    let at = page
        .find(marker)
        .ok_or_else(|| anyhow::anyhow!("no form token"))?
        + marker.len();
    let end = page[at..].find('"').unwrap_or(0);
    Ok(page[at..at + end].to_string())
}

fn encoded(v: &str) -> String {
    govshare_server::console::session::percent_encoded(v)
}

impl Session {
    /// Signs in through the console's form and through the API's login.
    async fn open(base: &str) -> anyhow::Result<Session> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let form = client.get(format!("{base}/console/sign-in")).send().await?;
        let sign_in = cookie_of(&form, govshare_server::console::session::SIGN_IN)
            .ok_or_else(|| anyhow::anyhow!("no sign-in cookie"))?;
        let token = form_token(&form.text().await?)?;
        let answer = client
            .post(format!("{base}/console/sign-in"))
            .header("cookie", &sign_in)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "username={}&password={}&form_token={token}&next=%2Fconsole%2F",
                encoded(USER.0),
                encoded(USER.1)
            ))
            .send()
            .await?;
        let cookie = cookie_of(&answer, govshare_server::console::session::SESSION)
            .ok_or_else(|| anyhow::anyhow!("signing in failed: {}", answer.status()))?;
        let login: serde_json::Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": USER.0, "password": USER.1}))
            .send()
            .await?
            .json()
            .await?;
        let bearer = login["token"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("API login: {login}"))?
            .to_string();
        Ok(Session {
            client,
            base: base.to_string(),
            cookie,
            bearer,
        })
    }

    async fn page(&self, path: &str) -> anyhow::Result<(u16, String)> {
        let resp = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await?;
        Ok((resp.status().as_u16(), resp.text().await?))
    }
}

/// Every `attr="…"` value of a page.
fn attributes<'a>(page: &'a str, attr: &str) -> Vec<&'a str> {
    let marker = format!("{attr}=\"");
    page.match_indices(&marker)
        .filter_map(|(at, _)| {
            let rest = &page[at + marker.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The first link of `page` under `prefix` followed by a number (an entry's code, a
/// request's id).
fn first_link(page: &str, prefix: &str) -> Option<String> {
    attributes(page, "href")
        .into_iter()
        .find(|h| {
            h.strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .map(|h| h.replace("&amp;", "&").replace("&#x2f;", "/"))
}

/// The weight of each page: its HTML (inline CSS included), the scripts and styles it
/// loads (each counted on every page that loads it, as a first visit would), and the
/// requests it would make to another host.
async fn weights(s: &Session) -> anyhow::Result<()> {
    let (_, catalog) = s.page("/console/catalog").await?;
    let entry = first_link(&catalog, "/console/catalog/").unwrap_or_default();
    // The demo's population pool, the largest.
    let found: serde_json::Value = s
        .client
        .get(format!(
            "{}/api/v1/search?q={}&limit=1",
            s.base,
            encoded("户籍人口基本信息")
        ))
        .send()
        .await?
        .json()
        .await?;
    let persons = found["results"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (_, requests) = s.page("/console/sharing/requests").await?;
    let request = first_link(&requests, "/console/sharing/requests/").unwrap_or_default();
    let mut pages = vec![
        "/console/sign-in".to_string(),
        "/console/".into(),
        "/console/catalog".into(),
        "/console/catalog/new".into(),
        "/console/catalog/import".into(),
        entry.clone(),
        format!("{entry}/history"),
        format!("/console/catalog/{persons}/pool"),
        "/console/sharing/requests".into(),
        request,
        "/console/sharing/grants".into(),
        "/console/sharing/apps".into(),
        "/console/sharing/corrections".into(),
        "/console/admin/users".into(),
        "/console/admin/orgs".into(),
        "/console/bureau/overdue".into(),
        "/console/bureau/quotas".into(),
        "/console/dashboard".into(),
        "/console/audit".into(),
        "/console/password".into(),
    ];
    pages.retain(|p| !p.is_empty());
    let mut assets: BTreeMap<String, usize> = BTreeMap::new();
    println!();
    println!(
        "| page | status | HTML (with inline CSS) | scripts and styles | total | target ≤ 100 KB | requests elsewhere |"
    );
    println!("|---|---|---|---|---|---|---|");
    for path in &pages {
        let (status, html) = s.page(path).await?;
        let mut loaded = 0;
        let mut elsewhere = 0;
        let links = attributes(&html, "src")
            .into_iter()
            .chain(
                attributes(&html, "href")
                    .into_iter()
                    .filter(|h| h.ends_with(".css")),
            )
            .collect::<Vec<_>>();
        for link in links {
            if link.starts_with("http:") || link.starts_with("https:") || link.starts_with("//") {
                elsewhere += 1;
                continue;
            }
            if !assets.contains_key(link) {
                let (_, body) = s.page(link).await?;
                assets.insert(link.to_string(), body.len());
            }
            loaded += assets[link];
        }
        let total = html.len() + loaded;
        println!(
            "| `{path}` | {status} | {:.1} KB | {:.1} KB | {:.1} KB | {} | {elsewhere} |",
            html.len() as f64 / 1024.0,
            loaded as f64 / 1024.0,
            total as f64 / 1024.0,
            if total <= 100 * 1024 { "met" } else { "MISSED" },
        );
    }
    let scripts: Vec<String> = assets
        .iter()
        .map(|(k, v)| format!("`{k}` {:.1} KB", *v as f64 / 1024.0))
        .collect();
    println!();
    println!("Loaded by the pages: {}", scripts.join(", "));
    Ok(())
}

/// wrk on the three pages and their API calls, in turns.
/// A wrk script that asks `path` again and again with `header`.
fn fixed_script(
    work: &Path,
    name: &str,
    path: &str,
    (key, value): (&str, &str),
) -> anyhow::Result<std::path::PathBuf> {
    wrk_script(
        work,
        name,
        &format!(
            "request = function()\n  return wrk.format(\"GET\", \"{path}\", {{[\"{key}\"] = \"{value}\"}})\nend"
        ),
    )
}

async fn loads(s: &Session, work: &Path) -> anyhow::Result<()> {
    // Each call answers 200 before it is loaded: a load of refusals measures nothing.
    for (_, page, api, _) in LOADS {
        let page_status = s.page(page).await?.0;
        let api_status = s
            .client
            .get(format!("{}{api}", s.base))
            .bearer_auth(&s.bearer)
            .send()
            .await?
            .status()
            .as_u16();
        anyhow::ensure!(
            (page_status, api_status) == (200, 200),
            "{page} answered {page_status}, {api} answered {api_status}"
        );
    }
    // The wrk scripts read keys; these pages take none.
    std::fs::write(work.join("keys.txt"), "-\n")?;
    let cookie = s.cookie.clone();
    let bearer = format!("Bearer {}", s.bearer);
    let mut scripts = Vec::new();
    for (i, (_, page, api, _)) in LOADS.iter().enumerate() {
        scripts.push(fixed_script(
            work,
            &format!("page{i}"),
            page,
            ("Cookie", &cookie),
        )?);
        scripts.push(fixed_script(
            work,
            &format!("api{i}"),
            api,
            ("Authorization", &bearer),
        )?);
    }
    let base = s.base.clone();
    let mut runs: Vec<Box<dyn FnMut(u32) -> anyhow::Result<Wrk>>> = scripts
        .iter()
        .map(|script| {
            let (script, base) = (script.clone(), base.clone());
            Box::new(move |secs| run_wrk(&script, &base, CONNECTIONS, secs))
                as Box<dyn FnMut(u32) -> anyhow::Result<Wrk>>
        })
        .collect();
    let mut borrowed: Vec<&mut dyn FnMut(u32) -> anyhow::Result<Wrk>> =
        runs.iter_mut().map(|r| r.as_mut() as _).collect();
    let slices = in_turns(&mut borrowed)?;
    let joined: Vec<Wrk> = slices.iter().map(|s| Wrk::joined(s)).collect();
    println!();
    println!("wrk -c{CONNECTIONS}, {SECONDS} s each in turns, signed in as the bureau's admin:");
    println!();
    println!(
        "| page, and the API call for the same data | requests/s | p50 | p99 | errors | page ÷ API | p99 target |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (i, (name, page, api, target)) in LOADS.iter().enumerate() {
        let (p, a) = (&joined[2 * i], &joined[2 * i + 1]);
        let met = p.micros_at(99.0) as f64 <= target * 1000.0;
        println!(
            "| console {name} `{page}` | {:.0} | {} | {} | {} | {:.2}× | ≤ {target} ms: {} |",
            p.rps(),
            p.at(50.0),
            p.at(99.0),
            p.errors,
            p.rps() / a.rps().max(1.0),
            if met { "met" } else { "MISSED" }
        );
        println!(
            "| API `{api}` | {:.0} | {} | {} | {} | | |",
            a.rps(),
            a.at(50.0),
            a.at(99.0),
            a.errors
        );
    }
    Ok(())
}

pub async fn run(work: &Path) -> anyhow::Result<()> {
    let db = work.join("console-bench.db");
    let url = format!("sqlite://{}", db.display());
    let started = std::time::Instant::now();
    let status = Command::new(govshare_bin())
        .args(["--database-url", &url, "--data-dir"])
        .arg(work.join("console-data"))
        .args(["demo", "--no-serve"])
        .env("GOVSHARE_LOG", "error")
        .stdout(Stdio::null())
        .status()?;
    anyhow::ensure!(status.success(), "govshare demo --no-serve failed");
    println!();
    println!("## Console pages at demo scale (SQLite)");
    println!();
    println!(
        "`govshare demo --no-serve` (defaults) loaded in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let g = Govshare::start_in(&url, &work.join("console-data"))?;
    let s = Session::open(&g.base).await?;
    weights(&s).await?;
    loads(&s, work).await?;
    g.stop().await?;
    Ok(())
}
