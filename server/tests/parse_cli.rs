//! `aida parse` in both forms of the contract, run as a real process.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

const NOW: &str = "2026-11-22T10:00:00";
const TZ: &str = "America/Toronto";

fn aida() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aida"));
    command.env("RUST_LOG", "off");
    command
}

fn parse_one(text: &str) -> Value {
    let output = aida()
        .args(["parse", "--now", NOW, "--tz", TZ, text])
        .output()
        .expect("run aida parse");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(stdout.lines().count(), 1, "one JSON object: {stdout}");
    serde_json::from_str(&stdout).expect("JSON")
}

#[test]
fn one_message_gives_one_object() {
    let answer = parse_one("lunch with Sam tomorrow at 1");
    assert_eq!(answer["intent"], "create_event");
    assert_eq!(answer["start"], "2026-11-23T13:00:00-05:00");
    assert_eq!(answer["end"], "2026-11-23T13:30:00-05:00");
    assert_eq!(parse_one("spent $12 on lunch")["amount"], "12.00");
}

#[test]
fn jsonl_answers_every_line_in_order_and_nothing_else() {
    let lines = [
        "spent $12 on lunch",
        "",
        "what's on friday?",
        "remind me tomorrow at 9am to call mom 📞",
        "blah blah",
        "dentist next tuesday at 3:45",
    ];
    let mut child = aida()
        .args([
            "parse",
            "--now",
            NOW,
            "--tz",
            TZ,
            "--currency",
            "CAD",
            "--jsonl",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(lines.join("\n").as_bytes()).expect("write");
    drop(stdin);
    let output = child.wait_with_output().expect("wait");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let answers: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(answers.len(), lines.len());
    let intents: Vec<&str> = answers
        .iter()
        .map(|a| a["intent"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        intents,
        [
            "log_expense",
            "unknown",
            "list_events",
            "create_reminder",
            "unknown",
            "create_event"
        ]
    );
    assert_eq!(answers[0]["currency"], "CAD");
    // "next tuesday" is the first Tuesday after today (the contract), 3:45 a bare pm hour.
    assert_eq!(answers[5]["start"], "2026-11-24T15:45:00-05:00");
}

#[test]
fn bad_arguments_fail_with_a_message_and_no_output() {
    let output = aida()
        .args(["parse", "--now", NOW, "--tz", "Mars/Olympus", "hi"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("Mars/Olympus"));
}
