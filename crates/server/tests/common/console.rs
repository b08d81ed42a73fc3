//! The console as a browser without JavaScript uses it: a cookie jar, forms posted
//! as `application/x-www-form-urlencoded`, redirects not followed (so that tests see
//! them).

use super::TestServer;
use std::collections::HashMap;

/// A browser's view of the console: its cookies, no redirects followed.
pub struct Browser<'a> {
    pub s: &'a TestServer,
    pub client: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

/// A page as answered: status, `Location`, `Set-Cookie` lines and body.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub set_cookies: Vec<String>,
    pub body: String,
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                govshare_server::console::session::percent_encoded(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The value of the hidden `form_token` field of a page.
pub fn form_token(page: &str) -> String {
    let at = page
        .find("name=\"form_token\" value=\"")
        .expect("a form token")
        + 25;
    page[at..at + 32].to_string()
}

impl<'a> Browser<'a> {
    pub fn new(s: &'a TestServer) -> Self {
        Browser {
            s,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Answer {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.header("cookie", cookie)
        };
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for c in &set_cookies {
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        Answer {
            status,
            location,
            set_cookies,
            body: resp.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let req = self.client.get(self.s.url(path));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let req = self
            .client
            .post(self.s.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body(fields));
        self.send(req).await
    }

    /// Posts a `multipart/form-data` form: text fields and one file (`file`).
    pub async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        content: &[u8],
    ) -> Answer {
        let boundary = "----govshareTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .client
            .post(self.s.url(path))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(req).await
    }

    /// Signs in through the form; returns the answer to the form's POST.
    pub async fn sign_in(&mut self, username: &str, password: &str) -> Answer {
        let form = self.get("/console/sign-in").await;
        assert_eq!(form.status, 200);
        let token = form_token(&form.body);
        self.post(
            "/console/sign-in",
            &[
                ("username", username),
                ("password", password),
                ("form_token", &token),
                ("next", "/console/catalog"),
            ],
        )
        .await
    }

    /// The form token of the page at `path`.
    pub async fn token_of(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        form_token(&page.body)
    }
}
