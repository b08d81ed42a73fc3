//! Catalog files in the forms departments write, over HTTP: a provider not yet
//! registered is named in the refusal, and the bureau (only) may register it with the
//! import; every form the national guide allows is read.
mod common;

use common::{TestServer, backends, class_of};
use govshare_store::prelude::*;
use serde_json::Value;

fn new_provider_code() -> String {
    let first17 = "11500000MB9990001";
    format!(
        "{first17}{}",
        govshare_domain::ids::credit_code_check_char(first17).unwrap()
    )
}

/// A one-sheet CSV in the forms departments write: 信息资源格式 in one column, the
/// classification with its label, 是否向社会开放 answered 是, a short sharing type,
/// database column types.
fn department_csv(class: &str, provider: &str, provider_code: &str, name: &str) -> Vec<u8> {
    format!(
        "信息资源分类,信息资源名称,信息资源提供方,信息资源提供方代码,信息资源摘要,信息资源格式,共享类型,共享条件,共享方式,是否向社会开放,开放条件,更新周期,信息项名称,数据类型,数据长度,是否主键\n\
         {class} 某类信息,{name},{provider},{provider_code},{name}，全市范围,数据库/KingbaseES,有条件,凭授权使用,接口,是,申请后开放,每月,统一社会信用代码,VARCHAR2(18),,是\n\
         ,,,,,,,,,,,,登记日期,DATE,,否\n"
    )
    .into_bytes()
}

fn reasons(body: &Value) -> String {
    body.to_string()
}

#[tokio::test]
async fn an_unregistered_provider_is_named_and_the_bureau_may_register_it() {
    for backend in backends() {
        let s = TestServer::start(backend, false).await;
        let class = class_of("公安");
        let code = new_provider_code();
        let file = department_csv(&class, "重庆市新设数据局", &code, "新设单位基本信息");
        let police = s.login("gaj_admin", "Demo@2026").await;
        let admin = s.login("admin", "Admin@2026").await;

        // A department's import names the provider, by name and code, and says how.
        let (status, body) = s
            .post_bytes("/api/v1/catalog/import?format=csv", &police, file.clone())
            .await;
        assert_eq!(status, 422, "{backend}: {body}");
        let text = reasons(&body);
        assert!(
            text.contains("重庆市新设数据局") && text.contains(&code) && text.contains("未登记"),
            "{backend}: {text}"
        );
        assert!(
            text.contains("信息资源提供方代码"),
            "{backend}: the column is named: {text}"
        );
        // Registering organisations is the bureau's.
        let (status, body) = s
            .post_bytes(
                "/api/v1/catalog/import?format=csv&create_providers=true",
                &police,
                file.clone(),
            )
            .await;
        assert_eq!(status, 403, "{backend}: {body}");
        assert!(s.store.org_by_code(&code).await.is_err(), "{backend}");

        // The bureau, with another entry in the file that cannot be imported: all or
        // nothing, so the provider is not registered either.
        let mut with_bad = file.clone();
        with_bad.extend_from_slice(
            format!("{class},坏条目,重庆市新设数据局,{code},摘要,文档/pdf,无条件,,,否,,每月,,,,\n")
                .as_bytes(),
        );
        let (status, body) = s
            .post_bytes(
                "/api/v1/catalog/import?format=csv&create_providers=true",
                &admin,
                with_bad,
            )
            .await;
        assert_eq!(status, 422, "{backend}: {body}");
        assert!(reasons(&body).contains("信息资源格式"), "{backend}: {body}");
        assert!(
            s.store.org_by_code(&code).await.is_err(),
            "{backend}: nothing imported, nobody registered"
        );

        // The bureau's import registers the provider and imports the entry.
        let (status, body) = s
            .post_bytes(
                "/api/v1/catalog/import?format=csv&create_providers=true",
                &admin,
                file,
            )
            .await;
        assert_eq!(status, 200, "{backend}: {body}");
        assert_eq!(body["imported"], 1, "{backend}: {body}");
        assert_eq!(
            body["providers"],
            serde_json::json!([format!("重庆市新设数据局（{code}）")]),
            "{backend}"
        );
        let org = s.store.org_by_code(&code).await.unwrap();
        assert_eq!(org.spec.name, "重庆市新设数据局", "{backend}");
        // The entry came in as the department forms meant it.
        let (status, list) = s
            .get_json(
                &format!("/api/v1/resources?provider_code={code}"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, 200, "{backend}: {list}");
        let entry = list["results"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["name"] == "新设单位基本信息"))
            .cloned()
            .unwrap_or_else(|| panic!("{backend}: {list}"));
        assert_eq!(entry["classification"], class, "{backend}");
        assert_eq!(entry["format_category"], "database", "{backend}");
        assert_eq!(entry["format_type"], "KingbaseES", "{backend}");
        assert_eq!(entry["sharing_type"], "conditional", "{backend}");
        assert_eq!(entry["open_type"], "conditional", "{backend}");
        assert_eq!(entry["items"][0]["length"], 18, "{backend}");
        assert_eq!(entry["items"][1]["data_type"], "D", "{backend}");
        // The audit log says who registered whom.
        let (_, log) = s.get_json("/api/v1/audit?limit=100", Some(&admin)).await;
        assert!(
            log.as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "catalog.import"
                    && e["actor"] == "admin"
                    && e["detail"]
                        .as_str()
                        .unwrap_or("")
                        .contains("重庆市新设数据局")),
            "{backend}: {log}"
        );
        // A provider already registered is not registered twice.
        let again = department_csv(&class, "重庆市新设数据局", &code, "新设单位资质信息");
        let (status, body) = s
            .post_bytes(
                "/api/v1/catalog/import?format=csv&create_providers=true",
                &admin,
                again,
            )
            .await;
        assert_eq!(status, 200, "{backend}: {body}");
        assert_eq!(body["providers"], serde_json::json!([]), "{backend}");
    }
}
