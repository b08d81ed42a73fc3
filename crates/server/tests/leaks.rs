//! The leak detector: random grants (items, masking) and random sequences of every
//! call a consumer can make — lookups, batches, queries with random filters and
//! cursors (real, altered and made up), verifications, change feeds, corrections,
//! file downloads — and every answer's body and headers scanned for a value the grant
//! does not give in clear. A value the caller itself sent in that call does not count
//! (an echo tells it nothing); anything else fails the test on the first one found.
//!
//! The seed is fixed; GOVSHARE_LEAK_CALLS sets how many calls each backend gets
//! (default 600) and GOVSHARE_LEAK_SEED the seed.

mod common;

use common::share::{Parties, id, new_app, parties};
use common::{class_of, org_code};
use reqwest::Method;
use serde_json::{Value, json};

/// A small, fixed-seed generator (xorshift64*): the same seed, the same calls.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, of: &'a [T]) -> &'a T {
        &of[self.below(of.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const ITEMS: [&str; 4] = ["公民身份号码", "姓名", "联系电话", "户籍地址"];

/// A person: ID, name, phone, address.
fn person(i: usize) -> [String; 4] {
    [
        id(&format!(
            "50010219{:02}0{}1{:04}",
            50 + i % 40,
            1 + i % 9,
            i
        )),
        format!(
            "{}{}",
            ["赵", "钱", "孙", "李", "周"][i % 5],
            ["一", "二", "三"][i % 3]
        ),
        format!("1390{:07}", 2_000_000 + i * 7),
        format!("重庆市渝北区龙溪街道{}号", 100 + i),
    ]
}

struct Grant {
    key: String,
    /// The file resource's two items (name, ID) in clear under this app's grant there.
    file_clear: bool,
    /// Per item of ITEMS: granted, and in clear.
    granted: [bool; 4],
    clear: [bool; 4],
}

impl Grant {
    /// The values of `p` this grant must never show in clear. Names (not sensitive)
    /// are secret only when not granted.
    fn secrets<'a>(&self, p: &'a [String; 4]) -> impl Iterator<Item = &'a str> {
        (0..4)
            .filter(|&i| !self.clear[i])
            .map(move |i| p[i].as_str())
    }
}

/// The secret a file-type resource's file holds: served only to a basis that gives both of
/// its items in clear.
const FILE_SECRET: &str = "档案密文-500102195001011234";

/// A conditional file-type police entry whose file holds `FILE_SECRET`.
async fn file_resource(p: &Parties) -> String {
    let body = json!({
        "classification": class_of("公安局"), "name": "户籍档案扫描件（泄露检测）", "provider_code": org_code("公安局"),
        "summary": "户籍档案的扫描文件，含身份号码，用于泄露检测", "format_category": "electronic_file", "format_type": "PDF",
        "sharing_type": "conditional", "sharing_method": "file", "sharing_condition": "仅用于户籍核验",
        "items": [{"name": "档案名称", "data_type": "C", "length": 100}, {"name": "公民身份号码", "data_type": "C", "length": 18, "sensitive": true}],
        "open_type": "closed", "update_cycle": "yearly"
    });
    let code = common::share::registered(&p.s, &p.police, &p.bureau, body).await;
    let (status, up) =
        p.s.post_bytes(
            &format!("/api/v1/files/{code}?name=档案.txt"),
            &p.police,
            FILE_SECRET.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, 201, "{up}");
    common::share::step(&p.s, &code, &p.bureau, "publish").await;
    code
}

async fn setup(
    p: &Parties,
    rng: &mut Rng,
    n: usize,
) -> (String, String, Vec<[String; 4]>, Vec<Grant>) {
    let body = json!({
        "classification": class_of("公安局"), "name": "人口信息（泄露检测）", "provider_code": org_code("公安局"),
        "summary": "常住人口的身份号码、姓名、联系电话和户籍地址，用于泄露检测", "format_category": "database", "format_type": "Oracle",
        "items": [
            {"name": ITEMS[0], "data_type": "C", "length": 18, "key": true, "sensitive": true},
            {"name": ITEMS[1], "data_type": "C", "length": 50, "required": true},
            {"name": ITEMS[2], "data_type": "C", "length": 20, "sensitive": true},
            {"name": ITEMS[3], "data_type": "C", "length": 200, "sensitive": true}
        ],
        "open_type": "closed", "update_cycle": "daily",
        "sharing_type": "conditional", "sharing_method": "api", "sharing_condition": "仅用于户籍核验"
    });
    let people: Vec<[String; 4]> = (0..n).map(person).collect();
    let rows = people
        .iter()
        .map(|q| json!({ITEMS[0]: q[0], ITEMS[1]: q[1], ITEMS[2]: q[2], ITEMS[3]: q[3]}))
        .collect();
    let code = common::share::published_with_rows(p, body, rows).await;
    let file = file_resource(p).await;
    let mut grants = Vec::new();
    for g in 0..4 {
        let mut granted = [false; 4];
        let mut clear = [false; 4];
        for i in 0..4 {
            granted[i] = rng.chance(60);
            // Only sensitive items are masked; a grant may name some in clear.
            clear[i] = granted[i] && (i == 1 || rng.chance(25));
        }
        if !granted.contains(&true) {
            granted[1] = true;
            clear[1] = true;
        }
        let items: Vec<&str> = (0..4).filter(|&i| granted[i]).map(|i| ITEMS[i]).collect();
        let unmasked: Vec<&str> = (0..4)
            .filter(|&i| clear[i] && i != 1)
            .map(|i| ITEMS[i])
            .collect();
        let (_, made) = new_app(&p.s, &p.district, "渝中区", &format!("泄露检测{g}")).await;
        common::share::grant_items(p, &made["app"]["id"], &code, &items, &unmasked, 10_000_000)
            .await;
        // The file: its name always, its ID item sometimes, in clear or not.
        let (file_items, file_unmasked, file_clear) = match rng.below(3) {
            0 => (vec!["档案名称"], vec![], false),
            1 => (vec!["档案名称", "公民身份号码"], vec![], false),
            _ => (vec!["档案名称", "公民身份号码"], vec!["公民身份号码"], true),
        };
        common::share::grant_items(
            p,
            &made["app"]["id"],
            &file,
            &file_items,
            &file_unmasked,
            10_000_000,
        )
        .await;
        grants.push(Grant {
            key: made["key"].as_str().unwrap().to_string(),
            file_clear,
            granted,
            clear,
        });
    }
    (code, file, people, grants)
}

/// A random call of a consumer: method, path, body.
fn random_call(
    rng: &mut Rng,
    code: &str,
    file: &str,
    people: &[[String; 4]],
    cursors: &[String],
) -> (Method, String, Option<Value>) {
    let someone = rng.pick(people).clone();
    let made_up = id(&format!("5001021999{:07}", rng.below(10_000_000)));
    let key = if rng.chance(70) {
        someone[0].clone()
    } else {
        made_up.clone()
    };
    let item = *rng.pick(&ITEMS);
    let value = if rng.chance(60) {
        someone[rng.below(4)].clone()
    } else {
        "重庆".to_string()
    };
    match rng.below(8) {
        0 => (
            Method::GET,
            format!("/api/v1/share/{code}/rows/{key}"),
            None,
        ),
        1 => {
            let keys: Vec<String> = (0..1 + rng.below(20))
                .map(|_| rng.pick(people)[0].clone())
                .chain(std::iter::once(made_up))
                .collect();
            (
                Method::POST,
                format!("/api/v1/share/{code}/lookup"),
                Some(json!({"keys": keys})),
            )
        }
        2 | 3 => {
            let op = *rng.pick(&["eq", "in", "prefix", "gt", "lte", "eq"]);
            let values = if op == "in" {
                vec![value.clone(), someone[0].clone()]
            } else {
                vec![value]
            };
            let mut spec = json!({"limit": 1 + rng.below(7)});
            if rng.chance(70) {
                spec["filters"] = json!([{"item": item, "op": op, "values": values}]);
            }
            if rng.chance(20) {
                spec["items"] = json!([item]);
            }
            if !cursors.is_empty() && rng.chance(50) {
                let c = rng.pick(cursors).clone();
                spec["after"] = json!(if rng.chance(30) {
                    let mut b = c.into_bytes();
                    let at = rng.below(b.len());
                    b[at] = if b[at] == b'x' { b'y' } else { b'x' };
                    String::from_utf8(b).unwrap()
                } else {
                    c
                });
            } else if rng.chance(10) {
                spec["after"] = json!(someone[0]);
            }
            (
                Method::POST,
                format!("/api/v1/share/{code}/query"),
                Some(spec),
            )
        }
        4 => {
            let claims = json!({item: someone[rng.below(4)]});
            (
                Method::POST,
                format!("/api/v1/share/{code}/verify"),
                Some(json!({"key": [key], "claims": claims})),
            )
        }
        5 => (
            Method::GET,
            format!(
                "/api/v1/share/{code}/changes?since={}&limit={}",
                rng.below(people.len()),
                1 + rng.below(50)
            ),
            None,
        ),
        6 => (
            Method::POST,
            format!("/api/v1/share/{code}/corrections"),
            Some(
                json!({"key": [key], "item": item, "proposed": "更正值", "evidence": "户口簿记载"}),
            ),
        ),
        _ => {
            let which = if rng.chance(70) { file } else { code };
            let version = *rng.pick(&["latest", "1", "2"]);
            if rng.chance(20) {
                (Method::GET, format!("/api/v1/share/{which}/files"), None)
            } else {
                (
                    Method::GET,
                    format!("/api/v1/share/{which}/files/{version}"),
                    None,
                )
            }
        }
    }
}

#[tokio::test]
async fn no_consumer_call_shows_a_value_its_grant_masks() {
    let calls: usize = std::env::var("GOVSHARE_LEAK_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let seed: u64 = std::env::var("GOVSHARE_LEAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_261_207);
    for backend in common::backends() {
        let mut rng = Rng(seed | 1);
        let p = parties(backend).await;
        let (code, file, people, grants) = setup(&p, &mut rng, 40).await;
        let mut cursors: Vec<String> = Vec::new();
        let mut answered = 0;
        for n in 0..calls {
            let g = rng.pick(&grants);
            let (method, path, body) = random_call(&mut rng, &code, &file, &people, &cursors);
            let sent = format!(
                "{path} {}",
                body.as_ref().map(Value::to_string).unwrap_or_default()
            );
            let mut req =
                p.s.client
                    .request(method, p.s.url(&path))
                    .header("x-api-key", &g.key);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let headers = format!("{:?}", resp.headers());
            let text = resp.text().await.unwrap();
            assert!(status < 500, "{backend}: call {n} {sent}: {status} {text}");
            if status == 200 {
                answered += 1;
            }
            let seen = format!("{headers}\n{text}");
            assert!(
                g.file_clear || !seen.contains(FILE_SECRET),
                "{backend}: call {n} serves the file to a grant that masks it:\n{sent}\n→ {status} {seen}"
            );
            for person in &people {
                for secret in g.secrets(person) {
                    assert!(
                        sent.contains(secret) || !seen.contains(secret),
                        "{backend}: call {n} leaks “{secret}” (granted {:?}, clear {:?}):\n{sent}\n→ {status} {seen}",
                        g.granted,
                        g.clear
                    );
                }
            }
            if let Ok(v) = serde_json::from_str::<Value>(&text)
                && let Some(next) = v.get("next").and_then(Value::as_str)
            {
                cursors.push(next.to_string());
            }
        }
        assert!(
            answered > calls / 10,
            "{backend}: only {answered} of {calls} calls answered"
        );
        eprintln!("{backend}: {calls} calls, {answered} answered, no leak (seed {seed})");
    }
}
