//! Files of file-type resources over HTTP: versions with size and checksum, downloads
//! byte for byte, and the denials around them.

mod common;

use common::{TestServer, class_of, org_code};
use reqwest::Method;
use serde_json::json;

async fn registered(s: &TestServer, token: &str, bureau: &str, body: serde_json::Value) -> String {
    let (status, created) = s
        .send_json(Method::POST, "/api/v1/resources", Some(token), body)
        .await;
    assert_eq!(status, 201, "{created}");
    let code = created["code"].as_str().unwrap().to_string();
    let t = format!("/api/v1/resources/{code}/transitions");
    s.send_json(Method::POST, &t, Some(token), json!({"action": "submit"}))
        .await;
    let (status, _) = s
        .send_json(
            Method::POST,
            &t,
            Some(bureau),
            json!({"action": "register"}),
        )
        .await;
    assert_eq!(status, 200);
    code
}

#[tokio::test]
async fn file_resources_keep_versions_with_size_and_checksum() {
    for backend in common::backends() {
        let s = TestServer::start(backend, false).await;
        let police = s.login("gaj_admin", "Demo@2026").await;
        let bureau = s.login("admin", "Admin@2026").await;
        let market = s.login("scjg_operator", "Demo@2026").await;
        let code = registered(
            &s,
            &police,
            &bureau,
            json!({
                "classification": class_of("公安局"), "name": "户籍管理政策文件汇编", "provider_code": org_code("公安局"),
                "summary": "户籍管理相关政策文件", "format_category": "electronic_file", "format_type": "PDF",
                "sharing_type": "unconditional", "sharing_method": "file",
                "open_type": "open", "update_cycle": "yearly"
            }),
        )
        .await;
        let path = format!("/api/v1/files/{code}");
        let v1 = b"%PDF-1.4 first edition".to_vec();
        let v2 = "%PDF-1.4 第二版".as_bytes().to_vec();
        let (status, first) = s
            .post_bytes(
                &format!("{path}?name=户籍政策汇编.pdf"),
                &police,
                v1.clone(),
            )
            .await;
        assert_eq!(status, 201, "{backend}: {first}");
        assert_eq!(
            (first["version"].as_i64(), first["size"].as_i64()),
            (Some(1), Some(v1.len() as i64))
        );
        let (_, second) = s
            .post_bytes(
                &format!("{path}?name=../../etc/户籍政策汇编.pdf&note=修订"),
                &police,
                v2.clone(),
            )
            .await;
        assert_eq!(second["version"], 2);
        assert_eq!(
            second["name"], "户籍政策汇编.pdf",
            "the path is dropped from the name"
        );
        let (_, versions) = s.get_json(&path, Some(&bureau)).await;
        let listed: Vec<i64> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect();
        assert_eq!(listed, [2, 1], "{backend}");
        // Downloads: byte for byte, with the checksum as ETag; the newest by default.
        for (version, bytes) in [("1", &v1), ("latest", &v2)] {
            let resp = s
                .call(
                    Method::GET,
                    &format!("{path}/{version}"),
                    Some(&police),
                    None,
                )
                .await;
            assert_eq!(resp.status(), 200);
            let etag = resp.headers()["etag"].to_str().unwrap().to_string();
            let disposition = resp.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                disposition.contains("filename*=UTF-8''%E6%88%B7"),
                "{disposition}"
            );
            let body = resp.bytes().await.unwrap();
            assert_eq!(&body[..], &bytes[..], "{backend}: version {version}");
            use sha2::Digest;
            assert_eq!(
                etag,
                format!("\"{}\"", hex::encode(sha2::Sha256::digest(&body)))
            );
        }
        // Denials: another department neither uploads nor downloads; no anonymous
        // upload; an empty file, a bad version, a data resource, an unknown version.
        let (status, _) = s
            .post_bytes(&format!("{path}?name=x.pdf"), &market, v1.clone())
            .await;
        assert_eq!(
            status, 404,
            "an entry not yet published is invisible to others"
        );
        let resp = s
            .call(Method::GET, &format!("{path}/1"), Some(&market), None)
            .await;
        assert_eq!(resp.status(), 404);
        let resp = s
            .call(Method::POST, &format!("{path}?name=x.pdf"), None, None)
            .await;
        assert_eq!(resp.status(), 401);
        let (status, _) = s
            .post_bytes(&format!("{path}?name=x.pdf"), &police, vec![])
            .await;
        assert_eq!(status, 422);
        let resp = s
            .call(Method::GET, &format!("{path}/abc"), Some(&police), None)
            .await;
        assert_eq!(resp.status(), 400);
        let resp = s
            .call(Method::GET, &format!("{path}/9"), Some(&police), None)
            .await;
        assert_eq!(resp.status(), 404);
        let data = registered(
            &s,
            &police,
            &bureau,
            json!({
                "classification": class_of("公安局"), "name": "人口数据", "provider_code": org_code("公安局"),
                "summary": "人口", "format_category": "database", "format_type": "Oracle",
                "items": [{"name": "公民身份号码", "data_type": "C", "length": 18, "key": true}],
                "sharing_type": "conditional", "sharing_condition": "核验", "sharing_method": "api",
                "open_type": "closed", "update_cycle": "daily"
            }),
        )
        .await;
        let (status, err) = s
            .post_bytes(
                &format!("/api/v1/files/{data}?name=x.csv"),
                &police,
                v1.clone(),
            )
            .await;
        assert_eq!(status, 409, "{err}");
    }
}
