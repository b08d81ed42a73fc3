//! Coded values on the wire: the domain's value, as its code, and in the document a
//! string that is one of the codes, each with its Chinese label.

use govshare_domain::labels::Coded;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// The schema of a coded value: its codes, and what each means.
fn coded_schema<E: Coded>() -> RefOr<Schema> {
    let doc: Vec<&str> = E::DOC_LINES.iter().map(|l| l.trim()).collect();
    let codes = E::all()
        .iter()
        .map(|v| format!("`{}` {}", v.code(), v.label()))
        .collect::<Vec<_>>()
        .join(", ");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(E::all().iter().map(|v| v.code())))
        .description(Some(format!(
            "{} Codes: {codes}. Requests may send the Chinese label instead of the code.",
            doc.join(" ")
        )))
        .into()
}

macro_rules! coded {
    ($($name:ident = $path:path),+ $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $path);

        impl From<$path> for $name {
            fn from(v: $path) -> Self {
                $name(v)
            }
        }

        impl From<$name> for $path {
            fn from(v: $name) -> Self {
                v.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = $path;
            fn deref(&self) -> &$path {
                &self.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                coded_schema::<$path>()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    )+};
}

coded! {
    OrgKind = govshare_domain::org::OrgKind,
    OrgLevel = govshare_domain::org::OrgLevel,
    Check = govshare_domain::pool::check::Check,
    Role = govshare_domain::access::Role,
    State = govshare_domain::lifecycle::State,
    Action = govshare_domain::lifecycle::Action,
    DataType = govshare_domain::labels::DataType,
    FormatCategory = govshare_domain::labels::FormatCategory,
    SharingType = govshare_domain::labels::SharingType,
    SharingMethod = govshare_domain::labels::SharingMethod,
    OpenType = govshare_domain::labels::OpenType,
    UpdateCycle = govshare_domain::labels::UpdateCycle,
    RequestState = govshare_domain::sharing::request::RequestState,
}
