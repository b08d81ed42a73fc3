//! The OpenAPI 3.1 document, generated from the handlers and types. A copy is
//! committed at `docs/openapi.json`; a test fails when the two differ.

use crate::routes;
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "app_key",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::new("X-Api-Key"),
            )),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "govshare API", description = "政务数据资源中心 API: catalog, classification, organisations, search, data pools, sharing and audit."),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The document as served and committed (pretty JSON, trailing newline): the
/// description above with the paths the routes registered.
pub fn document() -> String {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOCUMENT
        .get_or_init(|| {
            let mut doc =
                serde_json::to_value(routes::api().1).expect("the OpenAPI document serialises");
            complete(&mut doc);
            let mut text =
                serde_json::to_string_pretty(&doc).expect("the OpenAPI document serialises");
            text.push('\n');
            text
        })
        .clone()
}

/// The answers any operation can give whatever its handler does, added where the
/// handler does not list them (each with the error body), and the output schemas that
/// extend an input schema made into one object (an input refuses unknown fields; the
/// output that adds fields to it must not be read as refusing them).
fn complete(doc: &mut Value) {
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        })
    };
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let security: Vec<&str> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_object())
                .flat_map(|r| r.keys().map(String::as_str))
                .collect();
            let (signed, app) = (!security.is_empty(), security.contains(&"app_key"));
            let body = op.get("requestBody").is_some();
            let query = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            let Some(responses) = op["responses"].as_object_mut() else {
                continue;
            };
            let mut add = |code: &str, when: bool, description: &str| {
                if when && !responses.contains_key(code) {
                    responses.insert(code.to_string(), error(description));
                }
            };
            add(
                "400",
                true,
                "请求无法读取 (bad request): the body, a query parameter or a path segment is not of the form the operation takes",
            );
            add(
                "401",
                signed,
                "需要登录或有效的应用密钥 (sign in first, or send a valid app key)",
            );
            add("404", path.contains('{'), "不存在或不可见 (not found)");
            add("413", body, "请求体过大 (payload too large)");
            add(
                "422",
                body || query,
                "输入有误 (invalid input): each problem names its field",
            );
            add("429", app, "调用过于频繁 (too many calls): see Retry-After");
        }
    }
    let schemas = doc["components"]["schemas"].clone();
    let Some(out) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    for schema in out.values_mut() {
        let Some(parts) = schema["allOf"].as_array() else {
            continue;
        };
        let resolved: Vec<&Value> = parts
            .iter()
            .map(|p| match p["$ref"].as_str() {
                Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
                None => p,
            })
            .collect();
        if !resolved.iter().any(|p| p["additionalProperties"] == false) {
            continue;
        }
        let (mut properties, mut required) = (Map::new(), Vec::new());
        for part in resolved {
            if let Some(p) = part["properties"].as_object() {
                properties.extend(p.clone());
            }
            required.extend(part["required"].as_array().cloned().unwrap_or_default());
        }
        let mut merged = json!({"type": "object", "required": required, "properties": properties});
        if let Some(d) = schema.get("description") {
            merged["description"] = d.clone();
        }
        *schema = merged;
    }
}

pub async fn serve_openapi() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        document(),
    )
}
