//! The public catalog pages (政务数据资源目录): home, search with facets, and each
//! entry's metadata and items. Server-rendered Chinese HTML; they show what the
//! public may see (published entries that are open), like the anonymous API.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use govshare_domain::access::Visibility;
use govshare_domain::resource::Resource;
use govshare_search::{FACETS, SearchRequest};
use govshare_store::Caller;
use govshare_store::catalog::resources::ResourceFilter;
use minijinja::{Environment, context};
use std::collections::BTreeMap;
use std::sync::LazyLock;

const PAGE: usize = 20;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, text) in [
        ("base.html", include_str!("templates/base.html")),
        ("index.html", include_str!("templates/index.html")),
        ("search.html", include_str!("templates/search.html")),
        ("resource.html", include_str!("templates/resource.html")),
    ] {
        env.add_template(name, text).expect("templates parse");
    }
    env
});

/// An error shown as a page rather than JSON.
pub struct PageError(ApiError);

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let api = self.0.into_response();
        let status = api.status();
        let message = match status {
            StatusCode::NOT_FOUND => "未找到该目录，或它尚未向社会开放。",
            s if s.is_client_error() => "请求有误，请检查后重试。",
            _ => "服务暂时不可用，请稍后再试。",
        };
        let body = format!(
            "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>{}</title><body style=\"font-family:sans-serif;padding:40px\"><h1>{}</h1><p>{message}</p><p><a href=\"/\">返回首页</a></p></body></html>",
            status.as_u16(),
            status.as_u16()
        );
        (status, Html(body)).into_response()
    }
}

fn render(name: &str, ctx: minijinja::Value) -> Result<Html<String>, PageError> {
    let t = TEMPLATES
        .get_template(name)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    t.render(ctx)
        .map(Html)
        .map_err(|e| ApiError::Internal(e.to_string()).into())
}

pub async fn index(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let public = state
        .store
        .catalog
        .list_resources(
            &Caller::Public,
            ResourceFilter {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await?;
    let search = state.search.clone();
    let facets = tokio::task::spawn_blocking(move || {
        search.search(
            &SearchRequest {
                limit: 1,
                ..Default::default()
            },
            Visibility::PublicOpen,
        )
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    render(
        "index.html",
        context! {
            open_count => public.total,
            total_count => state.store.catalog.count_resources().await?,
            providers => facets.facets.get("provider_code").map_or(0, Vec::len),
            // Counts of what the public can open, as the theme links will show.
            themes => state.store.catalog.list_themes().await?.into_iter().map(|t| {
                let open = facets.facets.get("theme").and_then(|f| f.iter().find(|c| c.value == t.spec.code)).map_or(0, |c| c.count);
                context! { code => t.spec.code, name => t.spec.name, resource_count => open }
            }).collect::<Vec<_>>(),
        },
    )
}

const FACET_LABELS: [(&str, &str); 7] = [
    ("provider_code", "提供单位"),
    ("class", "资源分类"),
    ("theme", "主题"),
    ("sharing_type", "共享类型"),
    ("open_type", "开放类型"),
    ("format_category", "资源格式"),
    ("update_cycle", "更新周期"),
];

fn href(q: &str, filters: &BTreeMap<String, String>, offset: usize) -> String {
    let mut parts = vec![format!("q={}", encode(q))];
    parts.extend(filters.iter().map(|(k, v)| format!("{k}={}", encode(v))));
    if offset > 0 {
        parts.push(format!("offset={offset}"));
    }
    format!("/search?{}", parts.join("&"))
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub async fn search(
    State(state): State<AppState>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Result<Html<String>, PageError> {
    let q = params.get("q").cloned().unwrap_or_default();
    let offset: usize = params
        .get("offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or(0)
        .min(10_000);
    let filters: BTreeMap<String, String> = params
        .iter()
        .filter(|(k, v)| FACETS.contains(&k.as_str()) && !v.is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let req = SearchRequest {
        q: q.clone(),
        filters: filters.clone().into_iter().collect(),
        limit: PAGE,
        offset,
    };
    let search = state.search.clone();
    let outcome = tokio::task::spawn_blocking(move || search.search(&req, Visibility::PublicOpen))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let (results, error) = match outcome {
        Ok(r) => (Some(r), None),
        Err(govshare_search::SearchError::BadQuery(m)) => (None, Some(m)),
        Err(e) => return Err(e.into()),
    };
    let total = results.as_ref().map_or(0, |r| r.total);
    let mut facets = Vec::new();
    let mut active = Vec::new();
    for (name, label) in FACET_LABELS {
        let counts = results
            .as_ref()
            .and_then(|r| r.facets.get(name))
            .cloned()
            .unwrap_or_default();
        let values: Vec<_> = counts
            .iter()
            .take(30)
            .map(|c| {
                let mut f = filters.clone();
                let on = f.get(name) == Some(&c.value);
                if on {
                    f.remove(name);
                } else {
                    f.insert(name.to_string(), c.value.clone());
                }
                context! { label => c.label.clone(), count => c.count, on => on, href => href(&q, &f, 0) }
            })
            .collect();
        if let Some(v) = filters.get(name) {
            let mut f = filters.clone();
            f.remove(name);
            let shown = counts
                .iter()
                .find(|c| &c.value == v)
                .map_or(v.clone(), |c| c.label.clone());
            active.push(context! { name => name, value => v, label => format!("{label}：{shown}"), remove => href(&q, &f, 0) });
        }
        if !values.is_empty() {
            facets.push(context! { label => label, values => values });
        }
    }
    let hits = results.map(|r| r.results).unwrap_or_default();
    render(
        "search.html",
        context! {
            q => q.clone(),
            total => total,
            hits => minijinja::Value::from(minijinja::value::Serde(&hits)),
            facets => facets,
            active => active,
            error => error,
            prev => (offset > 0).then(|| href(&q, &filters, offset.saturating_sub(PAGE))),
            next => (offset + PAGE < total).then(|| href(&q, &filters, offset + PAGE)),
        },
    )
}

fn yes(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

pub(crate) fn metadata_rows(r: &Resource) -> Vec<(&'static str, String)> {
    let s = &r.spec;
    vec![
        ("信息资源代码", r.code.clone()),
        ("信息资源分类", s.classification.clone()),
        (
            "信息资源提供方",
            format!("{} {}", s.provider, s.provider_unit),
        ),
        ("信息资源提供方代码", s.provider_code.clone()),
        ("信息资源摘要", s.summary.clone()),
        (
            "信息资源格式",
            format!("{} {}", s.format_category.label(), s.format_type),
        ),
        ("共享类型", s.sharing_type.label().to_string()),
        ("共享条件", s.sharing_condition.clone()),
        (
            "共享方式",
            s.sharing_method.map_or(String::new(), |m| {
                format!("{} / {}", m.category_label(), m.label())
            }),
        ),
        ("开放类型", s.open_type.label().to_string()),
        ("开放条件", s.open_condition.clone()),
        ("更新周期", s.update_cycle.label().to_string()),
        (
            "发布日期",
            s.published_on.map_or(String::new(), |d| d.to_string()),
        ),
        ("关联资源代码", s.related_codes.join("；")),
        ("关键字", s.keywords.join("；")),
        ("所属信息系统", s.system_name.clone()),
    ]
}

pub async fn resource(
    State(state): State<AppState>,
    Path((class, seq)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    let r = state
        .store
        .catalog
        .resource(&Caller::Public, &format!("{class}/{seq}"))
        .await?;
    let items: Vec<_> = r
        .spec
        .items
        .iter()
        .map(|i| context! { name => i.name.clone(), column => i.column.clone(), data_type => i.data_type.label(), length => i.length, key => yes(i.key), sensitive => yes(i.sensitive) })
        .collect();
    let rows = metadata_rows(&r);
    render(
        "resource.html",
        context! { r => context! { name => r.spec.name, code => r.code, items => r.spec.items.len() }, rows => rows, items => items },
    )
}
