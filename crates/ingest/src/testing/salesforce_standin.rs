//! A local Salesforce that speaks the part of the protocol the connector uses, as Salesforce
//! documents it, so the connector's tests exercise real HTTP without the internet:
//!
//! - `POST /services/oauth2/token`: the JWT bearer flow (the assertion's RS256 signature is
//!   checked against a configured public key, and `iss`, `sub`, `aud`, `exp`) and the
//!   client-credentials flow (consumer key and secret); Salesforce-shaped success and
//!   `{"error","error_description"}` bodies.
//! - `GET /services/data/vXX.X/query?q=…`: the SOQL our client sends (`SELECT fields FROM object
//!   [WHERE SystemModstamp > literal] [ORDER BY SystemModstamp [ASC]]`) over an in-memory
//!   dataset, with `totalSize`, `done`, `attributes {type,url}` on records and paging by
//!   `nextRecordsUrl` (`/services/data/vXX.X/query/01g…-2000`, served by
//!   `GET /services/data/vXX.X/query/{locator}`).
//! - `GET /services/data/vXX.X/sobjects/{Object}/deleted/?start=…&end=…`: the records deleted
//!   (see [`SalesforceStandIn::delete`]) in that range, with `latestDateCovered`.
//! - `SystemModstamp` filters compare at whole seconds, as Salesforce does.
//! - `Sforce-Limit-Info: api-usage=used/limit` on every API response.
//! - Fault injection: expired sessions (`401 INVALID_SESSION_ID`), `403 REQUEST_LIMIT_EXCEEDED`
//!   and `503 SERVER_UNAVAILABLE` for the next N API requests.
//! - Counters of token and query requests, and the SOQL received, for assertions.
//!
//! Test-only: nothing here is hardened for production use.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Timelike, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rand::Rng;
use serde_json::{json, Map, Value};

use crate::source::salesforce::api::{
    RetrySettings, SalesforceConfig, DEFAULT_ACCOUNT_EMAIL_FIELD,
};
use crate::source::salesforce::auth::{SfAuth, JWT_BEARER_GRANT_TYPE};
use crate::source::salesforce::id::{key_prefix, normalize_id};
use crate::source::salesforce::records::{
    SfAccount, SfActivity, SfBatch, SfContact, SfObject, SfUser,
};
use crate::source::salesforce::values::{parse_zoned_datetime, rest_datetime};

/// The consumer key the stand-in accepts unless configured otherwise.
pub const TEST_CLIENT_ID: &str = "3MVG9STANDIN.TestConsumerKey.pms_hub";
/// The consumer secret of the client-credentials flow.
pub const TEST_CLIENT_SECRET: &str = "standin-consumer-secret";
/// The user the JWT bearer flow signs in as.
pub const TEST_USERNAME: &str = "integration@pms-hub.test";

/// A throwaway RSA key pair for signing test JWT assertions, in PEM.
#[derive(Clone)]
pub struct TestKeyPair {
    /// PKCS#8 (`BEGIN PRIVATE KEY`).
    pub private_key_pem: String,
    /// SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`).
    pub public_key_pem: String,
}

impl std::fmt::Debug for TestKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TestKeyPair { .. }")
    }
}

/// Generates a fresh 2048-bit RSA key pair (the size Salesforce requires of connected-app
/// certificates). Takes a moment unoptimised: prefer [`test_key_pair`].
///
/// # Panics
/// If the operating system's random source fails.
pub fn generate_test_key_pair() -> TestKeyPair {
    use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
    let mut rng = rsa::rand_core::OsRng;
    let private = rsa::RsaPrivateKey::new(&mut rng, 2048).expect("generating a test RSA key");
    let public = rsa::RsaPublicKey::from(&private);
    TestKeyPair {
        private_key_pem: private
            .to_pkcs8_pem(LineEnding::LF)
            .expect("encoding the test private key")
            .to_string(),
        public_key_pem: public
            .to_public_key_pem(LineEnding::LF)
            .expect("encoding the test public key"),
    }
}

/// One key pair per test process, generated on first use.
pub fn test_key_pair() -> &'static TestKeyPair {
    static PAIR: OnceLock<TestKeyPair> = OnceLock::new();
    PAIR.get_or_init(generate_test_key_pair)
}

/// A valid 18-character Salesforce Id for `object` built from a number (`005…`, `001…`, …), so
/// tests can write `test_sf_id(SfObject::Account, 7)`.
pub fn test_sf_id(object: SfObject, n: u64) -> String {
    let id15 = format!("{}5g{:010}", key_prefix(object), n % 10_000_000_000);
    normalize_id(&id15).unwrap_or(id15)
}

/// What the stand-in accepts and how it pages.
#[derive(Clone, Debug)]
pub struct StandInConfig {
    /// Consumer key accepted by both flows (the JWT's `iss`, or `client_id`).
    pub client_id: String,
    /// The JWT bearer flow: the username (`sub`) and the public key the assertion must verify
    /// with. `None` = the flow is not enabled on the "connected app".
    pub jwt: Option<(String, String)>,
    /// The client-credentials flow's secret; `None` = not enabled.
    pub client_secret: Option<String>,
    /// The JWT `aud` required; `None` = the stand-in's own base URL (what a client that uses
    /// the stand-in as its login URL sends).
    pub audience: Option<String>,
    /// Records per page unless the request asks for fewer (`Sforce-Query-Options: batchSize`).
    pub page_size: usize,
    /// The daily API allowance reported in `Sforce-Limit-Info`.
    pub api_limit: u64,
    /// The field under which seeded Accounts carry their email.
    pub account_email_field: String,
}

impl Default for StandInConfig {
    /// Both flows enabled with [`TEST_CLIENT_ID`], [`TEST_USERNAME`] + [`test_key_pair`], and
    /// [`TEST_CLIENT_SECRET`]; pages of 2000; a limit of 15000 calls.
    fn default() -> Self {
        Self {
            client_id: TEST_CLIENT_ID.to_string(),
            jwt: Some((
                TEST_USERNAME.to_string(),
                test_key_pair().public_key_pem.clone(),
            )),
            client_secret: Some(TEST_CLIENT_SECRET.to_string()),
            audience: None,
            page_size: 2000,
            api_limit: 15000,
            account_email_field: DEFAULT_ACCOUNT_EMAIL_FIELD.to_string(),
        }
    }
}

struct Cursor {
    records: Vec<Value>,
    page_size: usize,
}

struct StandInState {
    config: StandInConfig,
    base_url: String,
    records: HashMap<SfObject, Vec<Map<String, Value>>>,
    /// Deleted records: object → (Id, deletedDate).
    deleted: HashMap<SfObject, Vec<(String, DateTime<Utc>)>>,
    tokens: HashSet<String>,
    token_seq: u64,
    cursors: HashMap<String, Cursor>,
    cursor_seq: u64,
    fail_limit: u32,
    fail_unavailable: u32,
    expire_after: Option<u64>,
    user_approved: bool,
    api_used: u64,
    token_requests: u64,
    query_requests: u64,
    soql: Vec<String>,
}

type Shared = Arc<Mutex<StandInState>>;

fn lock(shared: &Shared) -> MutexGuard<'_, StandInState> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running stand-in on `127.0.0.1:<random port>`; stops when dropped.
pub struct SalesforceStandIn {
    base_url: String,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SalesforceStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SalesforceStandIn {
    /// Starts a stand-in with [`StandInConfig::default`].
    pub async fn start_default() -> std::io::Result<Self> {
        Self::start(StandInConfig::default()).await
    }

    /// Starts a stand-in on a random local port.
    pub async fn start(config: StandInConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared: Shared = Arc::new(Mutex::new(StandInState {
            config,
            base_url: base_url.clone(),
            records: HashMap::new(),
            deleted: HashMap::new(),
            tokens: HashSet::new(),
            token_seq: 0,
            cursors: HashMap::new(),
            cursor_seq: 0,
            fail_limit: 0,
            fail_unavailable: 0,
            expire_after: None,
            user_approved: true,
            api_used: 0,
            token_requests: 0,
            query_requests: 0,
            soql: Vec::new(),
        }));
        let router = Router::new()
            .route("/services/oauth2/token", post(token_endpoint))
            .route("/services/data/{version}/query", get(query_endpoint))
            .route(
                "/services/data/{version}/query/{locator}",
                get(query_more_endpoint),
            )
            .route(
                "/services/data/{version}/sobjects/{object}/deleted/",
                get(deleted_endpoint),
            )
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the Salesforce stand-in stopped");
            }
        });
        Ok(Self {
            base_url,
            shared,
            task,
        })
    }

    /// `http://127.0.0.1:<port>`: both the login URL and the instance URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A client configuration for the JWT bearer flow with [`TEST_CLIENT_ID`],
    /// [`TEST_USERNAME`] and [`test_key_pair`], and fast retries (4 attempts from 1 ms).
    pub fn jwt_config(&self) -> SalesforceConfig {
        self.client_config(SfAuth::JwtBearer {
            client_id: TEST_CLIENT_ID.to_string(),
            username: TEST_USERNAME.to_string(),
            private_key_pem: test_key_pair().private_key_pem.clone(),
        })
    }

    /// A client configuration for the client-credentials flow with [`TEST_CLIENT_ID`] and
    /// [`TEST_CLIENT_SECRET`], and fast retries.
    pub fn client_credentials_config(&self) -> SalesforceConfig {
        self.client_config(SfAuth::ClientCredentials {
            client_id: TEST_CLIENT_ID.to_string(),
            client_secret: TEST_CLIENT_SECRET.to_string(),
        })
    }

    /// A client configuration pointing at this stand-in with the given credentials.
    pub fn client_config(&self, auth: SfAuth) -> SalesforceConfig {
        let mut config = SalesforceConfig::new(self.base_url.clone(), auth);
        config.retry = RetrySettings {
            max_attempts: 4,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(20),
        };
        config.request_timeout = Duration::from_secs(10);
        config
    }

    /// Adds records to the dataset, as the REST API would render them; a record with the Id of
    /// one already there replaces it (its new version, as after an edit in Salesforce).
    pub fn seed(&self, batch: &SfBatch) {
        let mut state = lock(&self.shared);
        let email_field = state.config.account_email_field.clone();
        let records = &mut state.records;
        for user in &batch.users {
            put(records, SfObject::User, user_json(user));
        }
        for account in &batch.accounts {
            put(
                records,
                SfObject::Account,
                account_json(account, &email_field),
            );
        }
        for contact in &batch.contacts {
            put(records, SfObject::Contact, contact_json(contact));
        }
        for activity in &batch.activities {
            put(records, activity.kind, activity_json(activity));
        }
    }

    /// Adds one record given as REST JSON fields (`{"Id": …, "SystemModstamp": "…+0000", …}`),
    /// for records the typed seeding cannot express (malformed values).
    pub fn seed_raw(&self, object: SfObject, record: Map<String, Value>) {
        put(&mut lock(&self.shared).records, object, record);
    }

    /// Deletes a record now, as a user (or a merge) would: it leaves the query results and
    /// appears in the object's deleted records.
    pub fn delete(&self, object: SfObject, id: &str) {
        let mut state = lock(&self.shared);
        if let Some(records) = state.records.get_mut(&object) {
            records.retain(|r| r.get("Id").and_then(Value::as_str) != Some(id));
        }
        state
            .deleted
            .entry(object)
            .or_default()
            // Salesforce records deletion times at whole seconds.
            .push((id.to_string(), whole_seconds(Utc::now())));
    }

    /// Removes every record.
    pub fn clear(&self) {
        lock(&self.shared).records.clear();
    }

    /// Records per page from now on.
    pub fn set_page_size(&self, page_size: usize) {
        lock(&self.shared).config.page_size = page_size.max(1);
    }

    /// Invalidates every access token issued so far: the next API request gets
    /// `401 INVALID_SESSION_ID`, as after a session timeout.
    pub fn expire_tokens(&self) {
        lock(&self.shared).tokens.clear();
    }

    /// Lets the next `n` API requests through, then invalidates every access token, so the
    /// request after them gets `401 INVALID_SESSION_ID` (for example in the middle of paging).
    pub fn expire_tokens_after(&self, n: u64) {
        lock(&self.shared).expire_after = Some(n);
    }

    /// The next `n` API requests get `403 [{"errorCode":"REQUEST_LIMIT_EXCEEDED",…}]`.
    pub fn fail_with_request_limit(&self, n: u32) {
        lock(&self.shared).fail_limit = n;
    }

    /// The next `n` API requests get `503 [{"errorCode":"SERVER_UNAVAILABLE",…}]`.
    pub fn fail_with_unavailable(&self, n: u32) {
        lock(&self.shared).fail_unavailable = n;
    }

    /// Whether the JWT user has approved the connected app (if not, the bearer flow gets
    /// `invalid_grant` – `user hasn't approved this consumer`).
    pub fn set_user_approved(&self, approved: bool) {
        lock(&self.shared).user_approved = approved;
    }

    /// Sets the API usage the next responses report (`used` is incremented by each request).
    pub fn set_api_usage(&self, used: u64, limit: u64) {
        let mut state = lock(&self.shared);
        state.api_used = used;
        state.config.api_limit = limit;
    }

    /// Requests to the token endpoint so far (successful or not).
    pub fn token_requests(&self) -> u64 {
        lock(&self.shared).token_requests
    }

    /// Requests to the query resources so far (first pages, further pages and refused ones).
    pub fn query_requests(&self) -> u64 {
        lock(&self.shared).query_requests
    }

    /// Every SOQL query received, in order.
    pub fn soql_received(&self) -> Vec<String> {
        lock(&self.shared).soql.clone()
    }
}

/// Stores `record`, replacing the one with the same Id.
fn put(
    records: &mut HashMap<SfObject, Vec<Map<String, Value>>>,
    object: SfObject,
    record: Map<String, Value>,
) {
    let list = records.entry(object).or_default();
    let id = record.get("Id").cloned();
    match list
        .iter_mut()
        .find(|r| id.is_some() && r.get("Id") == id.as_ref())
    {
        Some(existing) => *existing = record,
        None => list.push(record),
    }
}

// ---------------------------------------------------------------------------------------------
// Typed records → REST JSON, as Salesforce renders them.

fn opt_str(value: &Option<String>) -> Value {
    value
        .as_ref()
        .map_or(Value::Null, |v| Value::String(v.clone()))
}

fn user_json(u: &SfUser) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Id".into(), json!(u.id));
    m.insert("Name".into(), json!(u.name));
    m.insert("Email".into(), opt_str(&u.email));
    m.insert("Phone".into(), opt_str(&u.phone));
    m.insert("EmployeeNumber".into(), opt_str(&u.employee_number));
    m.insert("Department".into(), opt_str(&u.department));
    m.insert("IsActive".into(), json!(u.is_active));
    m.insert(
        "SystemModstamp".into(),
        json!(rest_datetime(u.system_modstamp)),
    );
    m
}

fn account_json(a: &SfAccount, email_field: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Id".into(), json!(a.id));
    m.insert("Name".into(), json!(a.name));
    m.insert("PAN__c".into(), opt_str(&a.pan));
    m.insert("PMS_Client_Code__c".into(), opt_str(&a.pms_client_code));
    m.insert("Client_Type__c".into(), opt_str(&a.client_type));
    m.insert("Risk_Profile__c".into(), opt_str(&a.risk_profile));
    m.insert("BillingCity".into(), opt_str(&a.billing_city));
    m.insert("BillingState".into(), opt_str(&a.billing_state));
    m.insert("Phone".into(), opt_str(&a.phone));
    m.insert(email_field.into(), opt_str(&a.email));
    m.insert("OwnerId".into(), json!(a.owner_id));
    m.insert(
        "Onboarding_Date__c".into(),
        a.onboarding_date
            .map_or(Value::Null, |d| json!(d.to_string())),
    );
    m.insert("Status__c".into(), opt_str(&a.status));
    m.insert(
        "Closure_Date__c".into(),
        a.closure_date.map_or(Value::Null, |d| json!(d.to_string())),
    );
    // A currency field is a JSON number.
    m.insert(
        "AUM__c".into(),
        a.aum
            .and_then(|d| serde_json::from_str::<Value>(&d.normalize().to_string()).ok())
            .unwrap_or(Value::Null),
    );
    m.insert(
        "SystemModstamp".into(),
        json!(rest_datetime(a.system_modstamp)),
    );
    m
}

fn contact_json(c: &SfContact) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Id".into(), json!(c.id));
    m.insert("AccountId".into(), opt_str(&c.account_id));
    m.insert("Name".into(), json!(c.name));
    m.insert("Email".into(), opt_str(&c.email));
    m.insert("Phone".into(), opt_str(&c.phone));
    m.insert("Title".into(), opt_str(&c.title));
    m.insert(
        "SystemModstamp".into(),
        json!(rest_datetime(c.system_modstamp)),
    );
    m
}

fn activity_json(a: &SfActivity) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Id".into(), json!(a.id));
    m.insert("WhatId".into(), opt_str(&a.what_id));
    m.insert("OwnerId".into(), opt_str(&a.owner_id));
    m.insert("Subject".into(), opt_str(&a.subject));
    m.insert("Type".into(), opt_str(&a.activity_type));
    m.insert(
        "ActivityDate".into(),
        a.activity_date
            .map_or(Value::Null, |d| json!(d.to_string())),
    );
    if a.kind == SfObject::Task {
        m.insert("Status".into(), opt_str(&a.status));
    }
    m.insert(
        "SystemModstamp".into(),
        json!(rest_datetime(a.system_modstamp)),
    );
    m
}

/// The fields each object has in the stand-in's "org" (beyond them: `INVALID_FIELD`).
fn schema(object: SfObject, email_field: &str) -> Vec<String> {
    let mut fields: Vec<String> = crate::source::salesforce::api::fields_for(object, email_field)
        .into_iter()
        .map(str::to_string)
        .collect();
    fields.extend(["CreatedDate", "LastModifiedDate", "IsDeleted"].map(str::to_string));
    fields
}

// ---------------------------------------------------------------------------------------------
// The token endpoint.

/// An error answer, before it becomes a response.
struct Refusal {
    status: StatusCode,
    body: Value,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Refusal {
    Refusal {
        status,
        body: json!({ "error": error, "error_description": description }),
    }
}

async fn token_endpoint(
    State(shared): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut state = lock(&shared);
    state.token_requests += 1;
    let grant_type = form
        .get("grant_type")
        .map(String::as_str)
        .unwrap_or_default();
    let accepted = match grant_type {
        JWT_BEARER_GRANT_TYPE => check_assertion(
            &state,
            form.get("assertion")
                .map(String::as_str)
                .unwrap_or_default(),
        ),
        "client_credentials" => check_client_credentials(&state, &form),
        "" => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "grant type not specified",
        )),
        _ => Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant type not supported",
        )),
    };
    if let Err(refusal) = accepted {
        return refusal.into_response();
    }
    state.token_seq += 1;
    let suffix: String = (0..24)
        .map(|_| rand::rng().sample(rand::distr::Alphanumeric) as char)
        .collect();
    let access_token = format!("00DSTANDIN000001!AQ{}{suffix}", state.token_seq);
    state.tokens.insert(access_token.clone());
    let base = state.base_url.clone();
    let mut body = json!({
        "access_token": access_token,
        "scope": "api",
        "instance_url": base,
        "id": format!("{base}/id/00D5g000000STANDIN/{}", test_sf_id(SfObject::User, 1)),
        "token_type": "Bearer",
    });
    if grant_type == "client_credentials" {
        body["issued_at"] = json!(Utc::now().timestamp_millis().to_string());
        body["signature"] = json!("c3RhbmRpbi1zaWduYXR1cmU=");
    }
    (StatusCode::OK, Json(body)).into_response()
}

fn check_client_credentials(
    state: &StandInState,
    form: &HashMap<String, String>,
) -> Result<(), Refusal> {
    let Some(secret) = &state.config.client_secret else {
        return Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "no client credentials user enabled",
        ));
    };
    let id_ok = form.get("client_id") == Some(&state.config.client_id);
    let secret_ok = form.get("client_secret") == Some(secret);
    if id_ok && secret_ok {
        Ok(())
    } else {
        Err(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "invalid client credentials",
        ))
    }
}

fn check_assertion(state: &StandInState, assertion: &str) -> Result<(), Refusal> {
    let refuse =
        |error: &str, description: &str| oauth_error(StatusCode::BAD_REQUEST, error, description);
    let Some((username, public_pem)) = &state.config.jwt else {
        return Err(refuse("invalid_grant", "invalid assertion"));
    };
    let key = DecodingKey::from_rsa_pem(public_pem.as_bytes())
        .map_err(|_| refuse("invalid_grant", "invalid assertion"))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    let claims = match jsonwebtoken::decode::<HashMap<String, Value>>(assertion, &key, &validation)
    {
        Ok(data) => data.claims,
        Err(e) => {
            return Err(match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    refuse("invalid_grant", "expired authorization code")
                }
                _ => refuse("invalid_grant", "invalid assertion"),
            })
        }
    };
    let claim = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    if claim("iss") != state.config.client_id {
        return Err(refuse("invalid_client_id", "client identifier invalid"));
    }
    let audience = state
        .config
        .audience
        .clone()
        .unwrap_or_else(|| state.base_url.clone());
    if claim("aud").trim_end_matches('/') != audience.trim_end_matches('/') {
        return Err(refuse("invalid_grant", "audience is invalid"));
    }
    // Salesforce wants the assertion to expire within 3 minutes; allow some clock skew.
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .unwrap_or_default();
    if exp > Utc::now().timestamp() + 300 {
        return Err(refuse(
            "invalid_grant",
            "invalid assertion: exp is more than 3 minutes ahead",
        ));
    }
    if claim("sub") != *username {
        return Err(refuse("invalid_grant", "invalid user ID provided"));
    }
    if !state.user_approved {
        return Err(refuse(
            "invalid_grant",
            "user hasn't approved this consumer",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The query resources.

fn api_refusal(status: StatusCode, code: &str, message: &str) -> Refusal {
    Refusal {
        status,
        body: json!([{ "message": message, "errorCode": code }]),
    }
}

fn api_error(state: &StandInState, status: StatusCode, code: &str, message: &str) -> Response {
    with_limit_header(
        state,
        (
            status,
            Json(json!([{ "message": message, "errorCode": code }])),
        )
            .into_response(),
    )
}

fn with_limit_header(state: &StandInState, mut response: Response) -> Response {
    if let Ok(value) = HeaderValue::from_str(&format!(
        "api-usage={}/{}",
        state.api_used, state.config.api_limit
    )) {
        response.headers_mut().insert("Sforce-Limit-Info", value);
    }
    response
}

/// The checks every API request goes through, in Salesforce's order: resource, session, limits,
/// availability.
fn admit(state: &mut StandInState, version: &str, headers: &HeaderMap) -> Result<(), Refusal> {
    state.query_requests += 1;
    state.api_used += 1;
    let version_ok = version
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .is_some_and(|(major, minor)| {
            major.parse::<u32>().is_ok_and(|m| (20..=70).contains(&m)) && minor == "0"
        });
    if !version_ok {
        return Err(api_refusal(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        ));
    }
    match state.expire_after {
        Some(0) => {
            state.tokens.clear();
            state.expire_after = None;
        }
        Some(n) => state.expire_after = Some(n - 1),
        None => {}
    }
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !state.tokens.contains(token) {
        return Err(api_refusal(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        ));
    }
    if state.fail_limit > 0 {
        state.fail_limit -= 1;
        let message = format!(
            "TotalRequests Limit exceeded. (api-usage {}/{})",
            state.api_used, state.config.api_limit
        );
        return Err(api_refusal(
            StatusCode::FORBIDDEN,
            "REQUEST_LIMIT_EXCEEDED",
            &message,
        ));
    }
    if state.fail_unavailable > 0 {
        state.fail_unavailable -= 1;
        return Err(api_refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVER_UNAVAILABLE",
            "Server is temporarily unavailable. Please try again later.",
        ));
    }
    Ok(())
}

/// The SOQL subset the stand-in understands.
struct Soql {
    fields: Vec<String>,
    object: String,
    after: Option<DateTime<Utc>>,
    order_by_modstamp: bool,
}

fn parse_soql(q: &str) -> Result<Soql, String> {
    let q = q.trim();
    let upper = q.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("SELECT ")
        .map(|_| &q[7..])
        .ok_or_else(|| "unexpected token: the query must start with SELECT".to_string())?;
    let from_at = rest
        .to_ascii_uppercase()
        .find(" FROM ")
        .ok_or_else(|| "expecting FROM".to_string())?;
    let fields: Vec<String> = rest[..from_at]
        .split(',')
        .map(|f| f.trim().to_string())
        .collect();
    if fields
        .iter()
        .any(|f| f.is_empty() || f.contains(char::is_whitespace))
    {
        return Err(format!(
            "unexpected token in the field list: {:?}",
            &rest[..from_at]
        ));
    }
    let mut tokens = rest[from_at + 6..].split_whitespace().peekable();
    let object = tokens
        .next()
        .ok_or_else(|| "expecting an object after FROM".to_string())?
        .to_string();
    let mut after = None;
    let mut order_by_modstamp = false;
    while let Some(token) = tokens.next() {
        match token.to_ascii_uppercase().as_str() {
            "WHERE" if after.is_none() => {
                let field = tokens.next().unwrap_or_default();
                let op = tokens.next().unwrap_or_default();
                let literal = tokens.next().unwrap_or_default();
                if !field.eq_ignore_ascii_case("SystemModstamp") || op != ">" {
                    return Err(format!(
                        "the stand-in understands only WHERE SystemModstamp > <datetime>, not {field} {op} {literal}"
                    ));
                }
                after = Some(parse_zoned_datetime(literal).ok_or_else(|| {
                    format!("value of filter criterion for field 'SystemModstamp' must be of type dateTime: {literal}")
                })?);
            }
            "ORDER" => {
                let by = tokens.next().unwrap_or_default();
                let field = tokens.next().unwrap_or_default();
                if !by.eq_ignore_ascii_case("BY") || !field.eq_ignore_ascii_case("SystemModstamp") {
                    return Err(format!("the stand-in understands only ORDER BY SystemModstamp, not ORDER {by} {field}"));
                }
                if tokens.peek().is_some_and(|t| t.eq_ignore_ascii_case("ASC")) {
                    tokens.next();
                }
                order_by_modstamp = true;
            }
            other => return Err(format!("unexpected token: '{other}'")),
        }
    }
    Ok(Soql {
        fields,
        object,
        after,
        order_by_modstamp,
    })
}

fn object_named(name: &str) -> Option<SfObject> {
    SfObject::ALL
        .into_iter()
        .find(|o| o.api_name().eq_ignore_ascii_case(name))
}

fn modstamp_of(record: &Map<String, Value>) -> Option<DateTime<Utc>> {
    record
        .get("SystemModstamp")
        .and_then(Value::as_str)
        .and_then(parse_zoned_datetime)
}

/// Salesforce compares `SystemModstamp` without its milliseconds.
fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_nanosecond(0).unwrap_or(at)
}

fn requested_batch_size(headers: &HeaderMap) -> Option<usize> {
    let value = headers.get("sforce-query-options")?.to_str().ok()?;
    value
        .split(',')
        .find_map(|part| part.trim().strip_prefix("batchSize=")?.trim().parse().ok())
}

async fn query_endpoint(
    State(shared): State<Shared>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut state = lock(&shared);
    if let Err(refusal) = admit(&mut state, &version, &headers) {
        return with_limit_header(&state, refusal.into_response());
    }
    let Some(q) = params.get("q") else {
        return api_error(
            &state,
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "A query string has to be specified",
        );
    };
    state.soql.push(q.clone());
    let soql = match parse_soql(q) {
        Ok(soql) => soql,
        Err(message) => {
            return api_error(&state, StatusCode::BAD_REQUEST, "MALFORMED_QUERY", &message)
        }
    };
    let Some(object) = object_named(&soql.object) else {
        let message = format!(
            "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append \
             the '__c' after the entity name.",
            soql.object
        );
        return api_error(&state, StatusCode::BAD_REQUEST, "INVALID_TYPE", &message);
    };
    let known = schema(object, &state.config.account_email_field);
    if let Some(unknown) = soql
        .fields
        .iter()
        .find(|f| !known.iter().any(|k| k.eq_ignore_ascii_case(f)))
    {
        let message = format!(
            "No such column '{unknown}' on entity '{}'. If you are attempting to use a custom field, be sure to \
             append the '__c' after the custom field name.",
            object.api_name()
        );
        return api_error(&state, StatusCode::BAD_REQUEST, "INVALID_FIELD", &message);
    }
    let mut matching: Vec<&Map<String, Value>> = state
        .records
        .get(&object)
        .map(|records| {
            records
                .iter()
                .filter(|r| {
                    soql.after.is_none_or(|after| {
                        modstamp_of(r).is_some_and(|m| whole_seconds(m) > after)
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if soql.order_by_modstamp {
        matching.sort_by_key(|r| modstamp_of(r));
    }
    let rendered: Vec<Value> = matching
        .into_iter()
        .map(|record| {
            let id = record.get("Id").and_then(Value::as_str).unwrap_or_default();
            let mut out = Map::new();
            out.insert(
                "attributes".into(),
                json!({
                    "type": object.api_name(),
                    "url": format!("/services/data/{version}/sobjects/{}/{id}", object.api_name()),
                }),
            );
            for field in &soql.fields {
                // Salesforce answers with the field's own spelling, whatever the query's case.
                let canonical = known
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(field))
                    .unwrap_or(field);
                out.insert(
                    canonical.clone(),
                    record.get(canonical).cloned().unwrap_or(Value::Null),
                );
            }
            Value::Object(out)
        })
        .collect();
    let page_size = requested_batch_size(&headers)
        .map_or(state.config.page_size, |asked| {
            asked.min(state.config.page_size)
        })
        .max(1);
    state.cursor_seq += 1;
    let locator = format!("01g5gSI{:08}AAA", state.cursor_seq);
    let cursor = Cursor {
        records: rendered,
        page_size,
    };
    let response = page(&version, &locator, &cursor, 0);
    if cursor.records.len() > page_size {
        state.cursors.insert(locator, cursor);
    }
    with_limit_header(&state, response)
}

/// How long Salesforce keeps deleted records available to this resource.
const DELETED_RECORDS_KEPT_DAYS: i64 = 30;

async fn deleted_endpoint(
    State(shared): State<Shared>,
    Path((version, object)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut state = lock(&shared);
    if let Err(refusal) = admit(&mut state, &version, &headers) {
        return with_limit_header(&state, refusal.into_response());
    }
    let Some(object) = object_named(&object) else {
        return api_error(
            &state,
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        );
    };
    let bound = |name: &str| params.get(name).and_then(|v| parse_zoned_datetime(v));
    let (Some(start), Some(end)) = (bound("start"), bound("end")) else {
        return api_error(
            &state,
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "start and end must be date-times such as 2026-11-20T10:00:00+00:00",
        );
    };
    let earliest = Utc::now() - chrono::Duration::days(DELETED_RECORDS_KEPT_DAYS);
    if start < earliest || end < start {
        return api_error(
            &state,
            StatusCode::BAD_REQUEST,
            "INVALID_REPLICATION_DATE",
            "startDate must chronologically precede endDate and be within the last 30 days",
        );
    }
    let records: Vec<Value> = state
        .deleted
        .get(&object)
        .into_iter()
        .flatten()
        .filter(|(_, at)| (start..=end).contains(at))
        .map(|(id, at)| json!({ "id": id, "deletedDate": rest_datetime(*at) }))
        .collect();
    let body = json!({
        "deletedRecords": records,
        "earliestDateAvailable": rest_datetime(earliest),
        "latestDateCovered": rest_datetime(end),
    });
    with_limit_header(&state, (StatusCode::OK, Json(body)).into_response())
}

fn page(version: &str, locator: &str, cursor: &Cursor, offset: usize) -> Response {
    let total = cursor.records.len();
    let end = offset.saturating_add(cursor.page_size).min(total);
    let records: Vec<Value> = cursor
        .records
        .get(offset..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let done = end >= total;
    let mut body = json!({ "totalSize": total, "done": done, "records": records });
    if !done {
        body["nextRecordsUrl"] = json!(format!("/services/data/{version}/query/{locator}-{end}"));
    }
    (StatusCode::OK, Json(body)).into_response()
}

async fn query_more_endpoint(
    State(shared): State<Shared>,
    Path((version, locator)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut state = lock(&shared);
    if let Err(refusal) = admit(&mut state, &version, &headers) {
        return with_limit_header(&state, refusal.into_response());
    }
    let parsed = locator
        .rsplit_once('-')
        .and_then(|(id, offset)| Some((id.to_string(), offset.parse::<usize>().ok()?)));
    let response = match parsed
        .as_ref()
        .and_then(|(id, offset)| Some((id, *offset, state.cursors.get(id)?)))
    {
        Some((id, offset, cursor)) => page(&version, id, cursor, offset),
        None => {
            return api_error(
                &state,
                StatusCode::BAD_REQUEST,
                "INVALID_QUERY_LOCATOR",
                "invalid query locator",
            );
        }
    };
    with_limit_header(&state, response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_queries_the_client_sends() {
        let q = parse_soql("SELECT Id, Name FROM Account WHERE SystemModstamp > 2026-11-20T10:00:00Z ORDER BY SystemModstamp")
            .unwrap();
        assert_eq!(q.fields, ["Id", "Name"]);
        assert_eq!(q.object, "Account");
        assert!(q.after.is_some());
        assert!(q.order_by_modstamp);
        assert!(parse_soql("SELECT Id FROM Account LIMIT 5").is_err());
        assert!(parse_soql("DELETE FROM Account").is_err());
        assert!(parse_soql("SELECT Id FROM Account WHERE Name = 'x'").is_err());
    }

    #[test]
    fn test_ids_are_valid() {
        let id = test_sf_id(SfObject::Account, 42);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("001"));
        assert_eq!(normalize_id(&id).unwrap(), id);
    }
}
