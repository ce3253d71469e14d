//! `aida`: serve the app, migrate the database, administer accounts.

use axum::serve::ListenerExt;
use clap::{Parser, Subcommand};

use app::auth::ops::{self, SignUp};
use app::jobs::worker::{self, WorkerSettings};
use server::config::{self, Config};

/// mimalloc (v3): rendering pages allocates and frees many short strings across threads, and
/// glibc's allocator spent about a quarter of the server's time on them (Today page: 640 →
/// 820 requests/s in `scripts/bench` conditions, RSS 26 → 46 MB).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "aida",
    about = "Aida, a self-hostable personal assistant",
    version
)]
struct Cli {
    /// What to do; without one, `serve` (as `cargo leptos watch` runs it).
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the web app and API; also run jobs unless AIDA_WORKERS=0.
    Serve,
    /// Apply migrations and run jobs only (any number of these may share a database).
    Worker,
    /// Apply pending database migrations.
    Migrate,
    /// Manage accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Create the demo account with a few weeks of sample data (idempotent).
    Demo,
    /// Write the whole database to FILE (PostgreSQL's archive format, as `pg_dump -Fc`).
    Backup { file: std::path::PathBuf },
    /// Restore FILE into the database DATABASE_URL names, which must be new and empty.
    Restore { file: std::path::PathBuf },
    /// Seal every stored secret (Google's tokens) anew under AIDA_ENCRYPTION_KEY, after a
    /// rotation that put the old key in AIDA_ENCRYPTION_KEY_PREVIOUS.
    Reencrypt,
    /// Understand a message with the local rules and print the intent as JSON.
    Parse(ParseArgs),
}

#[derive(clap::Args)]
struct ParseArgs {
    /// The local wall-clock time in --tz, like 2026-11-22T10:00:00 (default: now).
    #[arg(long)]
    now: Option<String>,
    /// The IANA timezone the message is read in.
    #[arg(long, default_value = "UTC")]
    tz: String,
    /// What "$", "bucks" and "dollars" mean.
    #[arg(long, default_value = "USD")]
    currency: String,
    /// Length in minutes of an event given without an end.
    #[arg(long, default_value_t = 30)]
    duration: u32,
    /// Read one message per line from standard input and print one JSON line for each.
    #[arg(long)]
    jsonl: bool,
    /// The message (without --jsonl).
    text: Option<String>,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an active administrator.
    Create {
        #[arg(long)]
        email: String,
        /// Better left out: then read from AIDA_ADMIN_PASSWORD, or else from the first line of
        /// standard input, so that it stays out of the shell's history.
        #[arg(long, env = "AIDA_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long, default_value = "")]
        name: String,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::telemetry::init();
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aida: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Worker => work().await,
        Command::Migrate => {
            let applied = app::db::migrate(&config::database_url()?).await?;
            println!("applied {} migration(s)", applied.len());
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    password,
                    name,
                },
        } => {
            let state = offline_state().await?;
            let user = ops::create_admin(
                &state,
                SignUp {
                    email,
                    password: match password {
                        Some(password) => password.into(),
                        None => password_from_stdin()?.into(),
                    },
                    name,
                },
            )
            .await?;
            println!("created administrator {} (id {})", user.email, user.id);
            Ok(())
        }
        Command::Reencrypt => {
            let state = offline_state().await?;
            let count = app::google::ops::reencrypt(&state).await?;
            println!("sealed {count} Google connection(s) under the current key");
            Ok(())
        }
        Command::Parse(args) => server::parse::run(
            args.now.as_deref(),
            &args.tz,
            &args.currency,
            args.duration,
            if args.jsonl {
                None
            } else {
                Some(args.text.unwrap_or_default())
            },
        )
        .map_err(Into::into),
        Command::Backup { file } => {
            server::backup::backup(&config::database_url()?, &file)?;
            println!("backed up to {}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            server::backup::restore(&config::database_url()?, &file).await?;
            println!("restored {}", file.display());
            Ok(())
        }
        Command::Demo => {
            let state = offline_state().await?;
            let email = server::demo::seed(&state).await?;
            println!("demo account: {email} / {}", server::demo::PASSWORD);
            Ok(())
        }
    }
}

/// The first line of standard input, without its line ending.
fn password_from_stdin() -> Result<String, Box<dyn std::error::Error>> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(
            "give the password on standard input, in AIDA_ADMIN_PASSWORD, or with --password"
                .into(),
        );
    }
    Ok(password)
}

/// State for commands that use the database but serve nothing.
async fn offline_state() -> Result<app::state::AppState, Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    app::db::migrate(config.database_url.expose()).await?;
    let pool = app::db::pool(config.database_url.expose(), 2)?;
    Ok(server::state(&config, pool)?)
}

/// The shared state of a process that serves or works: migrated, listening to the others.
async fn running_state(
    config: &Config,
) -> Result<app::state::AppState, Box<dyn std::error::Error>> {
    let applied = app::db::migrate(config.database_url.expose()).await?;
    tracing::info!(count = applied.len(), "migrations applied");
    let pool = app::db::pool(config.database_url.expose(), config.db_pool_size)?;
    let state = server::state(config, pool)?;
    state
        .listen(config.database_url.expose().to_owned())
        .await?;
    Ok(state)
}

/// Starts `config.workers` job workers; they stop when `stop` is cancelled.
async fn start_workers(
    state: &app::state::AppState,
    config: &Config,
    stop: &tokio_util::sync::CancellationToken,
) -> Result<tokio::task::JoinHandle<()>, Box<dyn std::error::Error>> {
    let handlers = app::jobs::kinds::handlers();
    handlers.schedule_recurring(state).await?;
    let settings = WorkerSettings {
        concurrency: config.workers,
        lease: config.job_lease,
        ..WorkerSettings::default()
    };
    Ok(tokio::spawn(worker::run(
        state.clone(),
        handlers,
        settings,
        stop.clone(),
    )))
}

async fn work() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    if config.workers == 0 {
        return Err("AIDA_WORKERS is 0: a worker process needs at least 1".into());
    }
    let state = running_state(&config).await?;
    let stop = tokio_util::sync::CancellationToken::new();
    let workers = start_workers(&state, &config, &stop).await?;
    shutdown_signal().await;
    stop.cancel();
    workers.await?;
    tracing::info!("stopped");
    Ok(())
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    // Bookings taken while PostgreSQL is away wait there: it must work before a call needs it.
    if config.voice.retell_api_key.is_some() {
        app::booking::spool::ensure_writable(&config.voice.data_dir)
            .map_err(|e| format!("AIDA_DATA_DIR cannot hold spooled bookings: {e}"))?;
    }
    let state = running_state(&config).await?;
    let stop = tokio_util::sync::CancellationToken::new();
    let workers = if config.workers > 0 {
        Some(start_workers(&state, &config, &stop).await?)
    } else {
        None
    };
    // Bookings the database could not take while this process answered are replayed by it.
    let spool = tokio::spawn(app::booking::spool::run(state.clone(), stop.clone()));
    let app = server::router::build(state);
    // Responses are written in pieces (headers, streamed pages, files): without TCP_NODELAY,
    // Nagle's algorithm holds each later piece for the client's delayed ACK (~40 ms).
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await?
        .tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "cannot set TCP_NODELAY");
            }
        });
    tracing::info!(addr = %config.addr, "Aida is listening on http://{}", config.addr);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    stop.cancel();
    spool.await?;
    if let Some(workers) = workers {
        workers.await?;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for ctrl-c");
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => tracing::error!(error = %e, "cannot listen for SIGTERM"),
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
