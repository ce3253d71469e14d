//! The test harness: each test gets its own PostgreSQL database, cloned from the migrated
//! template that `scripts/test` prepares, and the real router served on a loopback port.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub mod fake_google;
pub mod fake_llm;
pub mod fake_twilio;
pub mod own_postgres;
pub mod process;
pub mod retell;
pub mod sms;

use app::assistant::Assistant;
use app::assistant::llm::{EndpointSettings, LlmSettings, Prices};
use app::auth::model::AccountStatus;
use app::auth::ops::{self, SignUp};
use app::error::AppError;
use app::state::{AppState, Clock, Settings};

/// The monthly model budget of test apps: five dollars.
pub const BUDGET: i64 = 5_000_000;

/// How long test apps wait for a model to start answering, or between two pieces.
pub const LLM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Where the template database lives; `scripts/test` sets it.
fn template_url() -> String {
    std::env::var("AIDA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://aida@127.0.0.1:54330/aida_test_template".to_owned())
}

fn with_database(url: &str, name: &str) -> String {
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    format!("{base}/{name}")
}

/// A clock the test moves by hand.
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = t;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

/// The moment tests start at unless they move the clock: Sunday 2026-11-22 15:00 UTC.
pub fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 15, 0, 0)
        .single()
        .expect("valid time")
}

pub struct TestApp {
    pub state: AppState,
    pub clock: Arc<TestClock>,
    pub base: String,
    pub database_url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A new database on the test cluster, copied from `template`; its URL.
async fn new_database(template: &str) -> String {
    let url = template_url();
    let name = format!(
        "aida_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = AsyncPgConnection::establish(&with_database(&url, "postgres"))
        .await
        .expect("connect to PostgreSQL (run the tests through scripts/test)");
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await
        .expect("drop old test database");
    diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    with_database(&url, &name)
}

/// A new, migrated database (a copy of the template `scripts/test` prepares).
async fn fresh_database() -> String {
    let url = template_url();
    let template = url.rsplit('/').next().unwrap_or("aida_test_template");
    new_database(template).await
}

/// A new database with nothing in it (not even migrations), on the test cluster; its URL.
pub async fn empty_database() -> String {
    new_database("template0").await
}

impl TestApp {
    pub async fn start() -> Self {
        Self::with_settings(Settings::default()).await
    }

    /// An app with these settings and no language model on the database at `database_url`
    /// (a server of the test's own, see [`own_postgres::OwnPostgres`]).
    pub async fn on_database(database_url: String, settings: Settings) -> Self {
        let pool = app::db::pool(&database_url, 8).expect("pool");
        Self::serve(
            pool,
            database_url,
            Assistant::new(None, BUDGET).expect("assistant"),
            settings,
        )
        .await
    }

    /// An app with these settings and no language model, on a fresh database.
    pub async fn with_settings(settings: Settings) -> Self {
        Self::on_database(fresh_database().await, settings).await
    }

    /// An app whose language models are `primary` and optionally `fallback` (fake servers),
    /// with a monthly budget per user in millionths of a dollar.
    pub async fn with_llm(
        primary: &fake_llm::FakeLlm,
        fallback: Option<&fake_llm::FakeLlm>,
        budget_microusd: i64,
    ) -> Self {
        Self::with_llm_at(primary.url(), fallback.map(|f| f.url()), budget_microusd).await
    }

    /// An app whose language models are at these base URLs (`.../v1`).
    pub async fn with_llm_at(
        primary: String,
        fallback: Option<String>,
        budget_microusd: i64,
    ) -> Self {
        let endpoint = |base_url: String| EndpointSettings {
            base_url,
            api_key: "test-key".into(),
            cheap_model: "gpt-4o-mini".into(),
            premium_model: "gpt-4o".into(),
        };
        let settings = LlmSettings {
            primary: endpoint(primary),
            fallback: fallback.map(endpoint),
            max_retries: 2,
            timeout: LLM_TIMEOUT,
            breaker_cool_down: std::time::Duration::from_secs(30),
            prices: Prices::default(),
        };
        let database_url = fresh_database().await;
        let pool = app::db::pool(&database_url, 8).expect("pool");
        let assistant = Assistant::new(Some(&settings), budget_microusd).expect("assistant");
        Self::serve(pool, database_url, assistant, Settings::default()).await
    }

    /// A second app on this one's database, with its own pool and memory and the same
    /// settings, as another Aida process would be.
    pub async fn beside(&self) -> Self {
        let pool = app::db::pool(&self.database_url, 8).expect("pool");
        Self::serve(
            pool,
            self.database_url.clone(),
            Assistant::new(None, BUDGET).expect("assistant"),
            (*self.state.settings).clone(),
        )
        .await
    }

    /// An app whose database is unreachable (a closed port), for outage behaviour.
    pub async fn without_database() -> Self {
        let url = "postgres://aida@127.0.0.1:9/nowhere".to_owned();
        let pool = app::db::pool(&url, 2).expect("pool");
        Self::serve(
            pool,
            url,
            Assistant::new(None, BUDGET).expect("assistant"),
            Settings::default(),
        )
        .await
    }

    async fn serve(
        pool: app::db::Pool,
        database_url: String,
        assistant: Assistant,
        settings: Settings,
    ) -> Self {
        let clock = Arc::new(TestClock(Mutex::new(default_now())));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let leptos_options = leptos::config::LeptosOptions::builder()
            .output_name("aida")
            .site_root("target/site")
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let state = AppState::new(leptos_options, pool, clock.clone(), settings, assistant);
        // Fails only for the app without a database, which then serves nothing from memory.
        let _ = state.listen(database_url.clone()).await;
        let router = server::router::build(state.clone());
        tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        Self {
            state,
            clock,
            base: format!("http://{addr}"),
            database_url,
        }
    }

    /// A visitor with their own cookie jar.
    pub fn client(&self) -> Client {
        self.client_with_jar(Arc::default())
    }

    /// A visitor whose jar starts with `cookie` (a `Set-Cookie` value) for this server.
    pub fn client_with_cookie(&self, cookie: &str) -> Client {
        let jar = reqwest::cookie::Jar::default();
        jar.add_cookie_str(cookie, &self.base.parse().expect("base url"));
        self.client_with_jar(Arc::new(jar))
    }

    fn client_with_jar(&self, jar: Arc<reqwest::cookie::Jar>) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_provider(jar)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: self.base.clone(),
            token: None,
        }
    }

    /// Creates an active user (an admin when `admin`) directly through the operations.
    pub async fn user(&self, email: &str, admin: bool) -> app::auth::model::User {
        let input = SignUp {
            email: email.into(),
            password: PASSWORD.into(),
            name: email.split('@').next().unwrap_or_default().into(),
        };
        if admin {
            ops::create_admin(&self.state, input)
                .await
                .expect("create admin")
        } else {
            // Each from its own address, so tests may make many users.
            ops::sign_up(&self.state, input, &format!("harness {email}"))
                .await
                .expect("sign up");
            let root = self.root().await;
            let waiting = ops::list_users(&self.state, &root, Some(AccountStatus::Pending))
                .await
                .expect("the waitlist");
            let user = waiting
                .into_iter()
                .find(|u| u.email == email)
                .expect("the sign-up waits");
            ops::approve(&self.state, &root, user.id)
                .await
                .expect("approve")
        }
    }

    /// An administrator used to approve test users.
    async fn root(&self) -> app::auth::model::User {
        match ops::authenticate(&self.state, "root@aida.test", PASSWORD, "setup").await {
            Ok(user) => user,
            Err(_) => ops::create_admin(
                &self.state,
                SignUp {
                    email: "root@aida.test".into(),
                    password: PASSWORD.into(),
                    name: "root".into(),
                },
            )
            .await
            .expect("create root"),
        }
    }

    /// A client signed in through the API as a new active user.
    pub async fn signed_in(&self, email: &str) -> Client {
        self.user(email, false).await;
        self.client_for(email).await
    }

    /// A client signed in through the API as a new administrator.
    pub async fn signed_in_admin(&self, email: &str) -> Client {
        self.user(email, true).await;
        self.client_for(email).await
    }

    /// A client holding an API token for an existing user.
    pub async fn client_for(&self, email: &str) -> Client {
        let mut client = self.client();
        let (status, body) = client
            .post(
                "/api/auth/sign-in",
                json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(status, 200, "sign-in failed: {body}");
        client.token = Some(body["token"].as_str().expect("token").to_owned());
        client
    }

    /// Runs SQL statements on the test database, as an operator would by hand.
    pub async fn sql(&self, statements: &str) {
        use diesel_async::SimpleAsyncConnection;
        let mut conn = app::db::conn(&self.state.pool).await.expect("conn");
        conn.batch_execute(statements).await.expect("sql");
    }

    /// Makes every insert into (or delete from) `table` fail, as a fault in the middle of a
    /// transaction would.
    pub async fn break_writes(&self, table: &str, operation: &str) {
        self.sql(&format!(
            "CREATE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$; \
             CREATE TRIGGER injected_fault BEFORE {operation} ON {table} \
             FOR EACH ROW EXECUTE FUNCTION injected_fault();"
        ))
        .await;
    }

    /// Undoes [`TestApp::break_writes`].
    pub async fn mend_writes(&self, table: &str) {
        self.sql(&format!(
            "DROP TRIGGER injected_fault ON {table}; DROP FUNCTION injected_fault();"
        ))
        .await;
    }

    /// Counts rows of a table, to check that a refused request wrote nothing.
    pub async fn count(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = app::db::conn(&self.state.pool).await.expect("conn");
        diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result::<Count>(&mut conn)
            .await
            .expect("count")
            .n
    }
}

impl TestApp {
    /// The text rows a query gives, its one column named `row`.
    pub async fn rows(&self, sql: &str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            row: String,
        }
        let mut conn = app::db::conn(&self.state.pool).await.expect("conn");
        diesel::sql_query(sql)
            .load::<Row>(&mut conn)
            .await
            .expect("rows")
            .into_iter()
            .map(|r| r.row)
            .collect()
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// Server-sent events read as they arrive: (event name, JSON data).
pub struct Events {
    pub status: u16,
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    /// The next event, or `None` when the stream has ended. A non-2xx answer comes back as
    /// one `http_error` event holding its JSON body.
    pub async fn next(&mut self) -> Option<(String, Value)> {
        if self.status >= 300 {
            self.status_error().await
        } else {
            self.next_event().await
        }
    }

    async fn status_error(&mut self) -> Option<(String, Value)> {
        let chunk = self.response.chunk().await.ok().flatten()?;
        let body = serde_json::from_slice(&chunk).unwrap_or(Value::Null);
        Some(("http_error".to_owned(), body))
    }

    async fn next_event(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some((
                    name,
                    serde_json::from_str(&data).expect("event data is JSON"),
                ));
            }
            let chunk = self.response.chunk().await.expect("read the stream")?;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Client {
    /// The same credentials, talking to `app` (another process on the same database).
    pub fn at(&self, app: &TestApp) -> Client {
        Client {
            http: self.http.clone(),
            base: app.base.clone(),
            token: self.token.clone(),
        }
    }

    fn with_auth(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn finish(req: reqwest::RequestBuilder) -> (u16, Value) {
        let response = req.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        Self::finish(self.with_auth(self.http.get(format!("{}{path}", self.base)))).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        Self::finish(self.with_auth(self.http.post(format!("{}{path}", self.base)).json(&body)))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        Self::finish(self.with_auth(self.http.patch(format!("{}{path}", self.base)).json(&body)))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        Self::finish(self.with_auth(self.http.put(format!("{}{path}", self.base)).json(&body)))
            .await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        Self::finish(self.with_auth(self.http.delete(format!("{}{path}", self.base)))).await
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self
            .with_auth(self.http.get(format!("{}{path}", self.base)))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request");
        (
            response.status().as_u16(),
            response.text().await.expect("body"),
        )
    }

    /// Opens `/api/chat` with `body`, to read its events one by one.
    pub async fn chat_stream(&self, body: Value) -> Events {
        let response = self
            .with_auth(
                self.http
                    .post(format!("{}/api/chat", self.base))
                    .json(&body),
            )
            .send()
            .await
            .expect("request");
        Events {
            status: response.status().as_u16(),
            response,
            buffer: String::new(),
        }
    }

    /// Sends a chat message and reads every event of the reply.
    pub async fn chat(&self, body: Value) -> (u16, Vec<(String, Value)>) {
        let mut events = self.chat_stream(body).await;
        let mut all = Vec::new();
        while let Some(event) = events.next().await {
            all.push(event);
        }
        (events.status, all)
    }

    /// Calls a server function the way the hydrated page does.
    pub async fn rpc<F>(&self, args: F) -> Result<F::Output, AppError>
    where
        F: ServerFn<Error = AppError> + serde::Serialize,
        F::Output: DeserializeOwned,
    {
        let body = serde_urlencoded::to_string(&args).expect("encode arguments");
        let response = self
            .http
            .post(format!("{}{}", self.base, F::PATH))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        let ok = response.status().is_success();
        let bytes = response.bytes().await.expect("body");
        if ok {
            Ok(serde_json::from_slice(&bytes).expect("decode output"))
        } else {
            Err(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                AppError::Request(String::from_utf8_lossy(&bytes).into_owned())
            }))
        }
    }

    /// Signs in through the sign-in server function (a session cookie).
    pub async fn sign_in_session(&self, email: &str) -> Result<(), AppError> {
        self.rpc(app::auth::api::SignIn {
            email: email.into(),
            password: PASSWORD.into(),
        })
        .await
    }
}
