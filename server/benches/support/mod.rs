//! What the benchmarks share: the real router served on loopback, row counts, percentiles.

use std::sync::Arc;
use std::time::Duration;

use app::assistant::Assistant;
use app::state::{AppState, Settings, SystemClock};

/// The app with `settings` on the database at `url`, listening to the other processes and
/// served on a loopback port; its state and base URL.
pub async fn serve(url: &str, settings: Settings) -> (AppState, String) {
    let pool = app::db::pool(url, 12).expect("pool");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let options = leptos::config::LeptosOptions::builder()
        .output_name("aida")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let state = AppState::new(
        options,
        pool,
        Arc::new(SystemClock),
        settings,
        Assistant::new(None, 0).expect("assistant"),
    );
    let _ = state.listen(url.to_owned()).await;
    let router = server::router::build(state.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    (state, format!("http://{addr}"))
}

/// The `p` quantile of sorted latencies, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> String {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    format!("{:.1} ms", sorted[i].as_secs_f64() * 1000.0)
}

/// Rows of `table` (which may carry a `WHERE`).
pub async fn count(state: &AppState, table: &str) -> i64 {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app::db::conn(&state.pool).await.expect("conn");
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result::<Count>(&mut conn)
        .await
        .expect("count")
        .n
}
