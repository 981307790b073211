//! Field driver: reqwest (async, on tokio) with its default features, over the kit's JSON Lines
//! protocol (docs/PROTOCOL.md). Wiring, and nothing else: the base URL, a bearer default header,
//! connect_timeout / read_timeout / timeout from the params, and at `debug` env_logger at TRACE with
//! connection_verbose. The CA comes from SSL_CERT_FILE, which the default TLS (rustls with
//! rustls-platform-verifier, whose Linux roots come from rustls-native-certs) reads itself.
//! Each request line runs as its own tokio task; one lock keeps each reply line whole.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

/// The reqwest version pinned in Cargo.toml.
const VERSION: &str = "0.13.5";

struct Instance {
    client: reqwest::Client,
    base: String,
}

type Clients = Arc<Mutex<HashMap<String, Instance>>>;

/// The last handle number given out.
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A protocol SdkError, as a JSON object.
struct SdkError(Value);

fn fail(kind: &str, message: &str, rendered: String) -> SdkError {
    SdkError(json!({"type": kind, "message": message, "rendered": rendered}))
}

fn config(message: &str) -> SdkError {
    SdkError(json!({"type": "config", "message": message}))
}

/// Maps a reqwest error to the protocol's types; rendered is the error's own Display.
fn classify(e: &reqwest::Error) -> SdkError {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_decode() {
        "transport"
    } else if e.is_builder() {
        "config"
    } else if e.is_connect() {
        let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut tls = false;
        while let Some(s) = src {
            let text = s.to_string().to_lowercase();
            tls |= text.contains("certificate") || text.contains("unknownissuer");
            src = s.source();
        }
        if tls {
            "insecure"
        } else {
            "network"
        }
    } else if e.is_request() || e.is_body() {
        "network"
    } else {
        "other"
    };
    fail(kind, "reqwest::Error", e.to_string())
}

const CANONICAL: [&str; 5] = ["code", "kind", "message", "correlation_id", "details"];

/// An error status is `problem` with the canonical members of the body decoded by serde_json
/// (what Response::json does), `transport` when it does not decode; an undecodable 2xx/3xx body
/// is `transport` too.
fn result(status: u16, headers: Map<String, Value>, body: &[u8]) -> Result<Value, SdkError> {
    let doc: Option<Result<Value, serde_json::Error>> = if body.is_empty() {
        None
    } else {
        Some(serde_json::from_slice(body))
    };
    if let Some(Err(e)) = &doc {
        let mut err = fail("transport", "serde_json::Error", e.to_string());
        err.0["status"] = json!(status);
        return Err(err);
    }
    let doc = doc.map(|d| d.unwrap_or(Value::Null));
    if status >= 400 {
        let mut err = json!({"type": "problem", "status": status, "message": format!("HTTP {status}"),
            "rendered": format!("HTTP {status}")});
        if let Some(Value::Object(obj)) = &doc {
            for k in CANONICAL {
                match (k, obj.get(k)) {
                    ("details", Some(v @ Value::Object(_))) => err[k] = v.clone(),
                    ("details", _) => {}
                    (_, Some(v @ Value::String(_))) => err[k] = v.clone(),
                    _ => {}
                }
            }
        }
        return Err(SdkError(err));
    }
    let mut out = json!({"status": status, "headers": headers});
    if let Some(d) = doc {
        out["json"] = d;
    }
    Ok(out)
}

fn ms(p: &Value, key: &str) -> Option<Duration> {
    p["timeouts"][key]
        .as_u64()
        .filter(|v| *v > 0)
        .map(Duration::from_millis)
}

fn configure(clients: &Clients, p: &Value) -> Result<Value, SdkError> {
    if p["debug"].as_bool() == Some(true) {
        log::set_max_level(log::LevelFilter::Trace);
    }
    let mut builder = reqwest::Client::builder();
    if let Some(token) = p["token"].as_str() {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| config("the token is not a valid header value"))?;
        value.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, value);
        builder = builder.default_headers(headers);
    }
    if let Some(d) = ms(p, "connect_ms") {
        builder = builder.connect_timeout(d);
    }
    if let Some(d) = ms(p, "read_ms") {
        builder = builder.read_timeout(d);
    }
    if let Some(d) = ms(p, "total_ms") {
        builder = builder.timeout(d);
    }
    if p["debug"].as_bool() == Some(true) {
        builder = builder.connection_verbose(true);
    }
    let client = builder.build().map_err(|e| classify(&e))?;
    let base = p["base_url"]
        .as_str()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    let handle = format!("c{}", NEXT.fetch_add(1, Ordering::Relaxed) + 1);
    clients
        .lock()
        .unwrap()
        .insert(handle.clone(), Instance { client, base });
    Ok(json!({"client": handle}))
}

async fn request(clients: &Clients, p: &Value) -> Result<Value, SdkError> {
    let handle = p["client"].as_str().unwrap_or_default();
    let (client, base) = {
        let map = clients.lock().unwrap();
        let inst = map
            .get(handle)
            .ok_or_else(|| config("unknown client handle"))?;
        (inst.client.clone(), inst.base.clone())
    };
    let method = reqwest::Method::from_bytes(p["method"].as_str().unwrap_or("GET").as_bytes())
        .map_err(|_| config("invalid method"))?;
    let mut url = reqwest::Url::parse(&format!("{base}{}", p["path"].as_str().unwrap_or_default()))
        .map_err(|_| config("invalid URL"))?;
    if let Some(q) = p["query"].as_object().filter(|q| !q.is_empty()) {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in q {
            pairs.append_pair(k, v.as_str().unwrap_or_default());
        }
    }
    let mut req = client.request(method, url);
    if let Some(body) = p.get("json") {
        req = req
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    let resp = req.send().await.map_err(|e| classify(&e))?;
    let status = resp.status().as_u16();
    let mut headers = Map::new();
    for (k, v) in resp.headers() {
        let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
        let joined = match headers.get(k.as_str()) {
            Some(Value::String(prev)) => format!("{prev}, {v}"),
            _ => v,
        };
        headers.insert(k.as_str().to_string(), Value::String(joined));
    }
    let body = resp.bytes().await.map_err(|e| classify(&e))?;
    result(status, headers, &body)
}

async fn dispatch(clients: &Clients, op: &str, p: &Value) -> Result<Value, SdkError> {
    match op {
        "hello" => Ok(
            json!({"protocol": 1, "name": "reqwest", "version": VERSION, "language": "rust",
            "capabilities": ["http", "tls"]}),
        ),
        "configure" => configure(clients, p),
        "request" => request(clients, p).await,
        "close" => {
            let handle = p["client"].as_str().unwrap_or_default();
            match clients.lock().unwrap().remove(handle) {
                Some(_) => Ok(json!({})),
                None => Err(config("unknown client handle")),
            }
        }
        _ => Err(SdkError(json!({"type": "unsupported"}))),
    }
}

static OUT: Mutex<()> = Mutex::new(());

fn reply(id: i64, res: Result<Value, SdkError>) {
    let line = match res {
        Ok(v) => json!({"id": id, "ok": true, "result": v}),
        Err(SdkError(e)) => json!({"id": id, "ok": false, "error": e}),
    };
    let _guard = OUT.lock().unwrap();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

#[tokio::main]
async fn main() {
    // Every target at TRACE once a configure asks for debug; off until then.
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Trace)
        .target(env_logger::Target::Stderr)
        .init();
    log::set_max_level(log::LevelFilter::Off);
    let clients: Clients = Arc::new(Mutex::new(HashMap::new()));
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut tasks = tokio::task::JoinSet::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let Some(id) = msg["id"].as_i64() else {
            continue;
        };
        let op = msg["op"].as_str().unwrap_or_default().to_string();
        if op == "shutdown" {
            let _ = tokio::time::timeout(Duration::from_millis(500), async {
                while tasks.join_next().await.is_some() {}
            })
            .await;
            reply(id, Ok(json!({})));
            std::process::exit(0);
        }
        let clients = clients.clone();
        tasks.spawn(async move {
            let res = dispatch(&clients, &op, &msg).await;
            reply(id, res);
        });
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    std::process::exit(0);
}
