//! Form bodies as browsers post them (`application/x-www-form-urlencoded`), with the
//! repeated fields that checkbox lists make (`items=姓名&items=性别`).

/// A posted form's fields in the order they came.
pub struct Fields(Vec<(String, String)>);

/// `%XX` and `+` decoded; invalid escapes kept as they are.
fn decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or(())
                {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Fields {
    pub fn parse(body: &str) -> Fields {
        Fields(
            body.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decoded(k), decoded(v))
                })
                .collect(),
        )
    }

    /// The first value of `name` (empty when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// A posted `multipart/form-data` form: its text fields and its one file.
pub struct Upload {
    pub fields: Fields,
    pub file_name: String,
    /// The type the browser named for the file (empty when it named none).
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Reads a multipart form whole, within the route's size limit (a file over it is
/// answered 413, naming the limit).
pub async fn upload(
    mut form: axum::extract::Multipart,
) -> Result<Upload, crate::console::ConsoleError> {
    use crate::error::ApiError;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        crate::console::ConsoleError::Api(
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(govshare_interchange::MAX_FILE_BYTES)
            } else {
                ApiError::BadRequest(format!("无法读取上传的表单：{}", e.body_text()))
            },
        )
    };
    let (mut fields, mut file_name, mut bytes) = (Vec::new(), String::new(), Vec::new());
    let mut media_type = String::new();
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            file_name = field
                .file_name()
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect();
            media_type = field.content_type().unwrap_or_default().to_string();
            bytes = field.bytes().await.map_err(unreadable)?.to_vec();
        } else {
            let text = field.text().await.map_err(unreadable)?;
            fields.push((name, text));
        }
    }
    Ok(Upload {
        fields: Fields(fields),
        file_name,
        media_type,
        bytes,
    })
}

/// The problems a refused change reports, by the form field each is shown beside
/// (several of one field joined); a conflict (someone else changed it first, an
/// answer already given) beside `conflict_field`. Other refusals stay errors.
pub fn problems_of(
    e: impl Into<crate::error::ApiError>,
    conflict_field: &str,
) -> Result<std::collections::BTreeMap<String, String>, crate::console::ConsoleError> {
    use crate::error::ApiError;
    use govshare_domain::Error;
    match e.into() {
        ApiError::Domain(Error::Invalid(found)) => {
            let mut out = std::collections::BTreeMap::new();
            for p in found {
                crate::console::draft::merge(&mut out, p);
            }
            Ok(out)
        }
        ApiError::Domain(Error::Conflict(why)) => Ok([(conflict_field.to_string(), why)].into()),
        other => Err(other.into()),
    }
}

/// As `problems_of`, for a form of one row among many (row `id`'s `field`): every
/// problem under `{field}-{id}`, where the page shows it beside that row's form.
pub fn row_problems(
    e: impl Into<crate::error::ApiError>,
    field: &str,
    id: i64,
) -> Result<std::collections::BTreeMap<String, String>, crate::console::ConsoleError> {
    let mut out = std::collections::BTreeMap::new();
    for why in problems_of(e, field)?.into_values() {
        out.entry(format!("{field}-{id}"))
            .and_modify(|all: &mut String| {
                all.push('；');
                all.push_str(&why);
            })
            .or_insert(why);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_and_escapes_are_read_as_a_browser_sent_them() {
        let f = Fields::parse(
            "items=%E5%A7%93%E5%90%8D&items=%E6%80%A7%E5%88%AB&note=a+b%21&bad=%zz&x",
        );
        assert_eq!(f.all("items"), ["姓名", "性别"]);
        assert_eq!(f.get("note"), "a b!");
        assert_eq!(f.get("bad"), "%zz");
        assert_eq!(f.get("x"), "");
        assert_eq!(f.get("missing"), "");
    }
}
