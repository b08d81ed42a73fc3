//! Request extractors whose rejections are `ApiError`s, so that a malformed body,
//! a wrong type or an oversized upload gets the same JSON error as everything else.

use crate::error::ApiError;
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// The raw request body (for file uploads), within the route's size limit.
pub struct Body(pub bytes::Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        bytes::Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(ApiError::from)
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

fn too_large(status: axum::http::StatusCode) -> bool {
    status == axum::http::StatusCode::PAYLOAD_TOO_LARGE
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        if too_large(r.status()) {
            return ApiError::TooLarge(crate::MAX_JSON_BODY);
        }
        ApiError::BadRequest(format!("请求体不是有效的JSON：{}", r.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(format!("查询参数有误：{}", r.body_text()))
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        if too_large(r.status()) {
            return ApiError::TooLarge(govshare_interchange::MAX_FILE_BYTES);
        }
        ApiError::BadRequest(r.body_text())
    }
}

/// The client's address, when the server was started with connection info.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, ApiError> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// Path parameters whose rejection is the JSON error (400) like every other input.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T> FromRequestParts<S> for Path<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|r| ApiError::BadRequest(format!("路径参数有误：{}", r.body_text())))
    }
}
