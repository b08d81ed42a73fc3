//! The public catalog pages: what a citizen sees, and nothing more.

mod common;

use common::TestServer;

async fn page(s: &TestServer, path: &str) -> (u16, String) {
    let resp = s.client.get(s.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

#[tokio::test]
async fn public_pages_show_only_open_published_entries() {
    let s = TestServer::start("sqlite", true).await;
    let (status, home) = page(&s, "/").await;
    assert_eq!(status, 200);
    assert!(home.contains("政务数据资源目录") && home.contains("主题目录"));
    let demo = govshare_demo::catalog();
    let open = demo
        .resources
        .iter()
        .find(|r| {
            r.state == govshare_domain::lifecycle::State::Published
                && r.spec.open_type == govshare_domain::labels::OpenType::Open
        })
        .unwrap();
    let closed = demo
        .resources
        .iter()
        .find(|r| r.spec.open_type == govshare_domain::labels::OpenType::Closed)
        .unwrap();
    let (status, detail) = page(
        &s,
        &format!("/resources/{}", open.spec.code.as_deref().unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(detail.contains(&open.spec.name) && detail.contains("信息项"));
    let (status, missing) = page(
        &s,
        &format!("/resources/{}", closed.spec.code.as_deref().unwrap()),
    )
    .await;
    assert_eq!(status, 404);
    assert!(missing.contains("未找到"));
    // Facet links narrow the results; the query is echoed escaped.
    let (status, results) = page(&s, "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(status, 200);
    assert!(!results.contains("<script>alert(1)</script>") && results.contains("&lt;script&gt;"));
    let (_, all) = page(&s, "/search").await;
    let open_published = common::public_count(&demo);
    assert!(
        all.contains(&format!("共找到 {open_published} 条目录")),
        "public total"
    );
    let (_, filtered) = page(&s, "/search?sharing_type=unconditional").await;
    assert!(filtered.contains("已筛选") && filtered.contains("无条件共享"));
}
