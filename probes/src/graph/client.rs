//! A small Microsoft Graph client: OAuth2 client credentials, paging through
//! `@odata.nextLink`, and waiting out throttling (`429`/`503` with `Retry-After`).
//!
//! The access token and the client secret live only in memory: they are sent in the token
//! request body and the `Authorization` header and never appear in an error message, a fact or
//! a log line.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::secret::Secret;

/// Longest wait honoured from one `Retry-After`.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Why a Graph call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// Getting a token failed (the token endpoint's error code and description, never the secret).
    #[error("sign-in failed: {0}")]
    Auth(String),
    /// Graph answered with an error status.
    #[error("{path}: HTTP {status}{}", .code.as_ref().map(|c| format!(" {c}")).unwrap_or_default())]
    Status {
        /// Request path (no host, no token).
        path: String,
        /// HTTP status.
        status: u16,
        /// Graph's `error.code`, if any.
        code: Option<String>,
    },
    /// No answer, or an answer that is not JSON.
    #[error("{path}: {message}")]
    Transport {
        /// Request path.
        path: String,
        /// What happened.
        message: String,
    },
    /// The probe's time ran out while waiting out throttling.
    #[error("{0}: out of time while throttled")]
    OutOfTime(String),
}

impl GraphError {
    /// The HTTP status, if Graph answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Where and how to sign in and call Graph.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Graph root, e.g. `https://graph.microsoft.com` (without `/v1.0`).
    pub base_url: String,
    /// Token endpoint, e.g. `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`.
    pub token_url: String,
    /// Application (client) id.
    pub client_id: String,
    /// Client secret.
    pub secret: Secret,
    /// Scope, e.g. `https://graph.microsoft.com/.default`.
    pub scope: String,
    /// Proxy URL, if any.
    pub proxy: Option<String>,
    /// Time limit of each HTTP exchange.
    pub request_timeout: Duration,
    /// When the whole probe must be done.
    pub deadline: Instant,
    /// Retries of a throttled request.
    pub max_retries: u32,
    /// Most pages read from one collection.
    pub max_pages: usize,
}

/// A signed-in Graph client.
pub struct GraphClient {
    agent: ureq::Agent,
    settings: ClientSettings,
    token: Option<String>,
    /// Number of requests sent (for tests and diagnostics).
    pub requests: usize,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient").field("base_url", &self.settings.base_url).finish_non_exhaustive()
    }
}

impl GraphClient {
    /// A client; nothing is sent until the first call.
    ///
    /// # Errors
    ///
    /// A bad proxy URL.
    pub fn new(settings: ClientSettings) -> Result<Self, GraphError> {
        let proxy = match &settings.proxy {
            Some(url) => Some(ureq::Proxy::new(url).map_err(|e| GraphError::Transport {
                path: "proxy".into(),
                message: format!("bad proxy {url}: {e}"),
            })?),
            None => None,
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(settings.request_timeout))
            .proxy(proxy)
            .user_agent("syncdoctor")
            .build();
        Ok(Self { agent: config.into(), settings, token: None, requests: 0 })
    }

    fn path_of(&self, url: &str) -> String {
        let path = url.strip_prefix(&self.settings.base_url).unwrap_or(url);
        path.split('?').next().unwrap_or(path).to_owned()
    }

    /// Signs in (client credentials) if there is no token yet.
    fn token(&mut self) -> Result<String, GraphError> {
        if let Some(token) = &self.token {
            return Ok(token.clone());
        }
        self.requests += 1;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.settings.client_id.as_str()),
            ("client_secret", self.settings.secret.expose()),
            ("scope", self.settings.scope.as_str()),
        ];
        let response = self
            .agent
            .post(&self.settings.token_url)
            .send_form(form)
            .map_err(|e| GraphError::Auth(format!("token endpoint unreachable: {}", transport_message(&e))))?;
        let status = response.status().as_u16();
        let body: Value = response
            .into_body()
            .read_to_string()
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        if status != 200 {
            let error = body.get("error").and_then(Value::as_str).unwrap_or("unknown_error");
            let description = body.get("error_description").and_then(Value::as_str).unwrap_or_default();
            // The first line of the description carries the AADSTS code; the rest is trace ids.
            let description = description.lines().next().unwrap_or_default();
            return Err(GraphError::Auth(format!("HTTP {status} {error}: {description}")));
        }
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| GraphError::Auth("the token endpoint returned no access_token".into()))?
            .to_owned();
        self.token = Some(token.clone());
        Ok(token)
    }

    /// `GET` one URL (absolute, or a path below the Graph root such as `/v1.0/domains`),
    /// retrying throttled answers; returns the JSON body.
    ///
    /// # Errors
    ///
    /// [`GraphError`]; a 401 is retried once with a fresh token.
    pub fn get(&mut self, path_or_url: &str, headers: &[(&str, &str)]) -> Result<Value, GraphError> {
        let url = if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_owned()
        } else {
            format!("{}{}", self.settings.base_url, path_or_url)
        };
        let path = self.path_of(&url);
        let mut attempts = 0;
        let mut refreshed = false;
        loop {
            let token = self.token()?;
            self.requests += 1;
            let mut request = self
                .agent
                .get(&url)
                .header("Authorization", format!("Bearer {token}"))
                .header("Accept", "application/json");
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let response = request
                .call()
                .map_err(|e| GraphError::Transport { path: path.clone(), message: transport_message(&e) })?;
            let status = response.status().as_u16();
            let retry_after =
                response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(retry_after_delay);
            let text = response.into_body().read_to_string().unwrap_or_default();
            match status {
                200..=299 => {
                    return serde_json::from_str(&text)
                        .map_err(|e| GraphError::Transport { path, message: format!("not JSON: {e}") });
                }
                401 if !refreshed => {
                    self.token = None;
                    refreshed = true;
                }
                429 | 503 | 504 if attempts < self.settings.max_retries => {
                    attempts += 1;
                    let wait = retry_after.unwrap_or(Duration::from_secs(1 << attempts)).min(MAX_RETRY_AFTER);
                    if Instant::now() + wait >= self.settings.deadline {
                        return Err(GraphError::OutOfTime(path));
                    }
                    std::thread::sleep(wait);
                }
                _ => {
                    let code = serde_json::from_str::<Value>(&text)
                        .ok()
                        .and_then(|v| v.pointer("/error/code").and_then(Value::as_str).map(str::to_owned));
                    return Err(GraphError::Status { path, status, code });
                }
            }
        }
    }

    /// Every item of a collection, following `@odata.nextLink` (only below the same Graph root,
    /// so the token never goes elsewhere) up to `max_pages` pages.
    ///
    /// Graph documents some resources both as a collection (`{"value": [...]}`) and as a single
    /// entity (`{"@odata.context": "…/$entity", …}`): a body without `value` that is an object is
    /// read as a collection of that one entity. A list cut short (the page limit, or a `nextLink`
    /// on another host, which is not followed) says why in [`Page::truncated`].
    ///
    /// # Errors
    ///
    /// The first page's or a later page's [`GraphError`]; a body that is neither shape is a
    /// [`GraphError::Transport`] ("unexpected body").
    pub fn get_all(&mut self, path: &str, headers: &[(&str, &str)]) -> Result<Page, GraphError> {
        let mut items = Vec::new();
        let mut next = Some(path.to_owned());
        let mut pages = 0;
        let mut truncated = None;
        while let Some(url) = next.take() {
            let page = self.get(&url, headers)?;
            pages += 1;
            match page.get("value") {
                Some(Value::Array(values)) => items.extend(values.iter().cloned()),
                None if page.is_object() => {
                    items.push(page.clone());
                    break;
                }
                _ => {
                    return Err(GraphError::Transport {
                        path: self.path_of(&url),
                        message: "unexpected body: neither a collection (`value`) nor an entity".into(),
                    });
                }
            }
            let Some(link) = page.get("@odata.nextLink").and_then(Value::as_str) else { break };
            if !self.is_below_base(link) {
                truncated = Some(format!(
                    "{}: list cut short, the next page is on another host (`@odata.nextLink` not followed)",
                    self.path_of(path)
                ));
                break;
            }
            if pages >= self.settings.max_pages {
                truncated = Some(format!("{}: list cut short after {pages} pages (`max_pages`)", self.path_of(path)));
                break;
            }
            next = Some(link.to_owned());
        }
        Ok(Page { items, truncated })
    }

    /// `true` when `url` is the Graph root itself or below it (same scheme, host and port).
    fn is_below_base(&self, url: &str) -> bool {
        let base = self.settings.base_url.as_str();
        url.strip_prefix(base).is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
    }
}

/// What [`GraphClient::get_all`] read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The items, in Graph's order.
    pub items: Vec<Value>,
    /// Why the list is not complete (page limit, foreign `nextLink`); `None` when it is.
    pub truncated: Option<String>,
}

/// The delay a `Retry-After` header asks for: whole or fractional seconds (Graph documents
/// `Retry-After: 2.128`), rounded up to the millisecond; `None` when it is not a number.
#[must_use]
pub fn retry_after_delay(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    let seconds = seconds.min(MAX_RETRY_AFTER.as_secs_f64());
    Some(Duration::from_millis((seconds * 1000.0).ceil() as u64))
}

/// A transport error without anything that could carry a credential.
fn transport_message(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::Io(e) => e.to_string(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        other => other.to_string(),
    }
}
