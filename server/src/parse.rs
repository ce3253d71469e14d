//! `aida parse`: the rules tier on the command line, in the two forms of
//! `shared/nlu/SCHEMA.md`.

use std::io::{BufRead, Write};

use app::understanding::{ContextError, context_from_args, understand};

#[derive(Debug, thiserror::Error)]
pub enum ParseCommandError {
    #[error("{0}")]
    Context(#[from] ContextError),
    #[error("cannot read or write: {0}")]
    Io(#[from] std::io::Error),
}

/// Prints the intent of `text`, or with `None` of every line of standard input, one JSON line
/// each and nothing else.
pub fn run(
    now: Option<&str>,
    tz: &str,
    currency: &str,
    duration: u32,
    text: Option<String>,
) -> Result<(), ParseCommandError> {
    let now = match now {
        Some(now) => now.to_owned(),
        None => {
            let zone: chrono_tz::Tz = tz.parse().map_err(|_| ContextError::BadTz(tz.to_owned()))?;
            chrono::Utc::now()
                .with_timezone(&zone)
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string()
        }
    };
    let ctx = context_from_args(&now, tz, Some(currency), Some(duration))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match text {
        Some(text) => writeln!(out, "{}", understand(&text, &ctx).to_json())?,
        None => {
            for line in std::io::stdin().lock().lines() {
                writeln!(out, "{}", understand(&line?, &ctx).to_json())?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
