//! The demo city at full scale: 3,614 valid entries, lossless export → import →
//! export on each backend, import from the national spreadsheet layout with every
//! problem located, and Chinese search quality over the whole catalog.

mod common;

use common::TestServer;
use govshare_store::prelude::*;
use reqwest::Method;

async fn export(s: &TestServer, token: &str, format: &str) -> Vec<u8> {
    let resp = s
        .call(
            Method::GET,
            &format!("/api/v1/catalog/export?format={format}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(resp.status(), 200);
    resp.bytes().await.unwrap().to_vec()
}

async fn import(
    s: &TestServer,
    token: &str,
    query: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    s.post_bytes(&format!("/api/v1/catalog/import{query}"), token, body)
        .await
}

#[tokio::test]
async fn demo_catalog_round_trips_on_every_backend() {
    for backend in common::backends() {
        let full = TestServer::start(backend, true).await;
        let admin = full.login("admin", "Admin@2026").await;
        let (_, health) = full.get_json("/healthz", None).await;
        assert!(
            health["resources"].as_i64().unwrap() >= 3600,
            "{backend}: {health}"
        );
        let json = export(&full, &admin, "json").await;
        let xlsx = export(&full, &admin, "xlsx").await;
        let csv = export(&full, &admin, "csv").await;
        let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let resources = doc["resources"].as_array().unwrap();
        let items: usize = resources
            .iter()
            .map(|r| r["items"].as_array().unwrap().len())
            .sum();
        assert!(
            resources.len() >= 3600 && items >= 49_000,
            "{backend}: {} resources, {items} items",
            resources.len()
        );

        for (format, bytes) in [("json", &json), ("xlsx", &xlsx), ("csv", &csv)] {
            let empty = TestServer::start(backend, false).await;
            let token = empty.login("admin", "Admin@2026").await;
            let (status, report) =
                import(&empty, &token, &format!("?format={format}"), bytes.clone()).await;
            assert_eq!(status, 200, "{backend} {format}: {report}");
            assert_eq!(
                report["imported"].as_u64().unwrap() as usize,
                resources.len()
            );
            let again = export(&empty, &token, format).await;
            match format {
                "xlsx" => assert_eq!(
                    govshare_interchange::xlsx_cells(&again).unwrap(),
                    govshare_interchange::xlsx_cells(bytes).unwrap(),
                    "{backend}: XLSX differs cell by cell"
                ),
                _ => assert!(
                    &again == bytes,
                    "{backend}: {format} export after import is not byte-identical"
                ),
            }
            // Importing the same file again is refused whole: every code is taken.
            let (status, err) =
                import(&empty, &token, &format!("?format={format}"), bytes.clone()).await;
            assert_eq!(status, 422, "{backend} {format}");
            assert_eq!(
                err["error"]["locations"].as_array().unwrap().len(),
                resources.len()
            );
            assert!(
                err["error"]["locations"][0]["reason"]
                    .as_str()
                    .unwrap()
                    .contains("已存在")
            );
        }
    }
}

#[tokio::test]
async fn bad_catalog_files_are_refused_with_their_place_and_change_nothing() {
    let s = TestServer::start("sqlite", false).await;
    let token = s.login("admin", "Admin@2026").await;
    let demo = govshare_demo::catalog();
    let mut records: Vec<_> = demo.resources[..40].to_vec();
    records[3].spec.sharing_type = govshare_domain::labels::SharingType::Conditional;
    records[3].spec.sharing_condition.clear();
    records[5].spec.code = Some("12345".into());
    records[7].spec.summary.clear();
    records[9].spec.code = records[8].spec.code.clone();
    records[11].spec.sharing_type = govshare_domain::labels::SharingType::NotShared;
    records[11].spec.sharing_method = None;
    records[11].spec.not_shared_basis.clear();
    records[11].spec.open_type = govshare_domain::labels::OpenType::Closed;
    records[11].spec.sharing_condition.clear();
    let xlsx =
        govshare_interchange::write_catalog(&records, govshare_interchange::Format::Xlsx).unwrap();
    let (status, err) = import(&s, &token, "", xlsx.clone()).await;
    assert_eq!(status, 422, "{err}");
    let places: Vec<(u64, String)> = err["error"]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["row"].as_u64().unwrap(),
                l["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for expected in [
        (5, "共享条件"),
        (7, "信息资源代码"),
        (9, "信息资源摘要"),
        (11, "信息资源代码"),
        (13, "不予共享依据"),
    ] {
        assert!(
            places.contains(&(expected.0, expected.1.to_string())),
            "{expected:?} not in {places:?}"
        );
    }
    assert_eq!(s.store.count_resources().await.unwrap(), 0);
    // Asked to, it imports the valid ones and names the rest. The entry whose code
    // the duplicate repeats is refused too: the item rows of both carry that code.
    let (status, report) = import(&s, &token, "?mode=valid", xlsx).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], 34, "{report}");
    assert_eq!(s.store.count_resources().await.unwrap(), 34);

    // Unknown data type in a GBK CSV: named by row and column; a clean GBK CSV imports.
    let fresh: Vec<_> = demo.resources[100..103].to_vec();
    let csv =
        govshare_interchange::write_catalog(&fresh, govshare_interchange::Format::Csv).unwrap();
    let text = std::str::from_utf8(&csv[3..]).unwrap();
    let broken = text.replacen(",字符型,", ",文字型,", 1);
    let (gbk, _, _) = encoding_rs::GBK.encode(&broken);
    let (status, err) = import(&s, &token, "?format=csv", gbk.to_vec()).await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["locations"][0]["column"], "数据类型", "{err}");
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let (status, report) = import(&s, &token, "?format=csv", gbk.to_vec()).await;
    assert_eq!(
        (status, report["imported"].as_u64()),
        (200, Some(3)),
        "{report}"
    );

    // A truncated XLSX, 50 MB of junk, and a body over the limit.
    let good = govshare_interchange::write_catalog(
        &demo.resources[200..210],
        govshare_interchange::Format::Xlsx,
    )
    .unwrap();
    let (status, err) = import(&s, &token, "", good[..good.len() - 200].to_vec()).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("invalid_file")),
        "{err}"
    );
    let junk: Vec<u8> = (0..50u32 * 1024 * 1024)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let (status, _) = import(&s, &token, "?format=csv", junk).await;
    assert_eq!(status, 422);
    let (status, err) = import(
        &s,
        &token,
        "?format=json",
        vec![b'['; govshare_interchange::MAX_FILE_BYTES + 10],
    )
    .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    // Organisation users may import only their own drafts.
    let operator = s.login("scjg_operator", "Demo@2026").await;
    let (status, err) = import(&s, &operator, "", good).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(s.store.count_resources().await.unwrap(), 37);
}

#[tokio::test]
async fn search_finds_the_expected_resource_in_the_top_five() {
    let s = TestServer::start("sqlite", true).await;
    let demo = govshare_demo::catalog();
    let cases = govshare_demo::search_cases(&demo);
    assert!(cases.len() >= 200);
    let admin = s.login("admin", "Admin@2026").await;
    let mut hits = 0;
    let mut misses = Vec::new();
    for case in &cases {
        let q: String = url_encode(&case.query);
        let (status, res) = s
            .get_json(&format!("/api/v1/search?q={q}&limit=5"), Some(&admin))
            .await;
        assert_eq!(status, 200);
        let codes: Vec<&str> = res["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["code"].as_str())
            .collect();
        if codes.contains(&case.expected_code.as_str()) {
            hits += 1;
        } else {
            misses.push(case.query.clone());
        }
    }
    let rate = hits as f64 / cases.len() as f64;
    assert!(
        rate >= 0.95,
        "top-5 hit rate {rate:.3}; misses: {:?}",
        &misses[..misses.len().min(30)]
    );
    // The same over HTTP, as the public sees it: only open, published entries.
    let (_, res) = s.get_json("/api/v1/search?q=营业执照&limit=5", None).await;
    assert!(
        res["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["code"].is_string())
    );
    assert!(res["facets"]["provider_code"].is_array());
    let (_, all_public) = s.get_json("/api/v1/search?limit=1", None).await;
    let open_published = common::public_count(&demo);
    assert_eq!(
        all_public["total"].as_u64().unwrap() as usize,
        open_published
    );
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
