//! The rules that pick an intent and fill its fields.
//!
//! A message is first normalised and scanned for date/time phrases; the
//! remaining words are matched against a fixed list of patterns, tried in
//! order. Each pattern is strict: anything it does not fully account for
//! falls through, and the message ends as [`Intent::Unknown`].

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, TimeZone};
use chrono_tz::Tz;

use super::Context;
use super::amount::find_amounts;
use super::category::{Category, lookup};
use super::datetime::{Precision, Scan, When, scan};
use super::model::{Cents, Intent, Moment};
use super::normalize::{Kind, Token, normalize};
use super::phone::e164;

/// True when a word is one of the space-separated words of a literal list;
/// the list becomes a hash set once per call site.
macro_rules! one_of {
    ($w:expr, $list:expr $(,)?) => {{
        static SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| $list.split(' ').collect());
        SET.contains($w)
    }};
}

/// Words that mean the message is not a single plain request.
fn is_blocker(w: &str) -> bool {
    one_of!(
        w,
        "dont not never cant cannot wont didnt doesnt shouldnt isnt arent wasnt \
        every each daily weekly monthly yearly annually everyday weekdays \
        weeknights weekends mondays tuesdays wednesdays thursdays fridays \
        saturdays sundays biweekly fortnightly always recurring repeat \
        repeating if unless maybe or instead except again undo after before",
    )
}

/// Verbs that start a second action after "and", "then", a comma...
fn is_action(w: &str) -> bool {
    one_of!(
        w,
        "remind add scratch ping put cancel delete remove move reschedule push \
        schedule book log create set list show check mark text email call \
        message pay buy send tell ask invite spent paid make get pick order \
        clear",
    )
}

/// Verbs that make "can you ...?" a request rather than a question.
fn is_request_verb(w: &str) -> bool {
    one_of!(
        w,
        "add put schedule book create set remind cancel delete remove move reschedule \
        push bump postpone mark check tick cross log track show list pencil",
    )
}

/// Words dropped from the edges of titles and queries.
fn is_edge_stop(w: &str) -> bool {
    one_of!(
        w,
        "a an the my to for on at with and in of by from that about some our me \
        is - ,",
    )
}

/// Words that are never content in a title, task or query.
fn is_noise(w: &str) -> bool {
    one_of!(w, "just quickly also aida . ! ( ) # ? : ;")
}

struct Msg<'a> {
    toks: &'a [Token],
    /// Indices of the tokens left after date/time phrases and noise.
    free: Vec<usize>,
    question: bool,
}

impl Msg<'_> {
    fn w(&self, k: usize) -> &str {
        self.free.get(k).map_or("", |&i| self.toks[i].norm.as_str())
    }

    fn words(&self) -> Vec<&str> {
        self.free
            .iter()
            .map(|&i| self.toks[i].norm.as_str())
            .collect()
    }

    /// Text of free positions `[a, b)`, edges trimmed, in the typed form.
    fn text(&self, a: usize, b: usize) -> String {
        self.text_of(self.free.get(a..b).unwrap_or(&[]))
    }

    fn text_of(&self, idx: &[usize]) -> String {
        let v: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| self.toks[i].kind != Kind::Sym || self.toks[i].norm == "&")
            .filter(|&i| self.toks[i].kind != Kind::Phone)
            .collect();
        let edge = |i: &usize| is_edge_stop(&self.toks[*i].norm);
        let a = v.iter().position(|i| !edge(i)).unwrap_or(v.len());
        let b = v.iter().rposition(|i| !edge(i)).map_or(a, |b| b + 1);
        let parts: Vec<&str> = v
            .get(a..b)
            .unwrap_or(&[])
            .iter()
            .map(|&i| self.toks[i].orig.as_str())
            .collect();
        parts.join(" ")
    }

    /// Token indices of the first `b` free positions plus the title words among the date
    /// phrases before the next one ("date night"), in order.
    fn with_soft(&self, s: &Scan, b: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = self.free.get(..b).unwrap_or(&[]).to_vec();
        let hi = self.free.get(b).copied().unwrap_or(self.toks.len());
        idx.extend((0..hi).filter(|&i| s.soft.get(i).copied().unwrap_or(false)));
        idx.sort_unstable();
        idx.dedup();
        idx
    }

    /// Removes free positions `[a, b)`.
    fn cut(&mut self, a: usize, b: usize) {
        if a < b && b <= self.free.len() {
            self.free.drain(a..b);
        }
    }

    /// Position of the first occurrence of `pat` among the free words.
    fn find(&self, pat: &[&str]) -> Option<usize> {
        let ws = self.words();
        (0..ws.len()).find(|&k| ws[k..].starts_with(pat))
    }

    /// Drops a leading request phrase ("can you", "could u", "i want you to").
    /// A request that ends in "?" ("can you add lunch at 1?") is not a
    /// question about the calendar: the flag is cleared when a request verb
    /// follows.
    fn strip_request(&mut self) {
        let mut asked = false;
        for _ in 0..4 {
            let n = match (self.w(0), self.w(1), self.w(2)) {
                ("," | "-", ..) => 1,
                ("can" | "could" | "would" | "will", "you", "please") => {
                    asked = true;
                    3
                }
                ("can" | "could" | "would" | "will", "you", _) => {
                    asked = true;
                    2
                }
                ("i", "want", "you") if self.w(3) == "to" => 4,
                ("id", "like", "to") if is_request_verb(self.w(3)) => 3,
                ("i", "would", "like") if self.w(3) == "to" && is_request_verb(self.w(4)) => 4,
                ("i", "want", "to") if is_request_verb(self.w(3)) => 3,
                ("can" | "could", "we", w)
                    if one_of!(w, "move push reschedule cancel bump shift postpone change") =>
                {
                    asked = true;
                    2
                }
                ("go", "ahead", "and") => 3,
                ("so" | "oh" | "and" | "ya" | "yes" | "yeah" | "sure", ..) => 1,
                _ => 0,
            };
            if n == 0 {
                break;
            }
            self.cut(0, n);
        }
        let last_is_mark = self.toks.last().is_some_and(|t| t.is("?"));
        let marks = self.toks.iter().filter(|t| t.is("?")).count();
        if asked && is_request_verb(self.w(0)) && last_is_mark && marks == 1 {
            self.question = false;
        }
    }

    /// Where "note to self" or "don't let me forget (to)" is, as free positions `[a, b)`:
    /// words that make the rest a task.
    fn note_marker(&self) -> Option<(usize, usize)> {
        if let Some(k) = self.find(&["note", "to", "self"]) {
            let a = if k > 0 && self.w(k - 1) == "," {
                k - 1
            } else {
                k
            };
            let b = k + 3 + usize::from(self.w(k + 3) == ":");
            // At the start or at the end, not inside ("send the note to self storage").
            return (a == 0 || b == self.free.len()).then_some((a, b));
        }
        let k = self
            .find(&["dont", "let", "me", "forget"])
            .map(|k| (k, k + 4))
            .or_else(|| {
                self.find(&["do", "not", "let", "me", "forget"])
                    .map(|k| (k, k + 5))
            })?;
        let b = k.1 + usize::from(self.w(k.1) == "to" || self.w(k.1) == "about");
        (k.0 == 0).then_some((k.0, b))
    }

    /// Removes "(add) to/on my calendar" wherever it is; true when found.
    fn strip_calendar(&mut self) -> bool {
        let Some(k) = self.find(&["calendar"]) else {
            return false;
        };
        let mut a = k;
        if a > 0 && matches!(self.w(a - 1), "my" | "the" | "your") {
            a -= 1;
        }
        if a > 0 && matches!(self.w(a - 1), "to" | "on" | "in" | "into" | "onto") {
            a -= 1;
        }
        let mut b = k + 1;
        if self.w(b) == ":" {
            b += 1;
        }
        self.cut(a, b);
        true
    }
}

fn build<'a>(toks: &'a [Token], s: &Scan) -> Msg<'a> {
    let question = toks.iter().any(|t| t.is("?"));
    let free = (0..toks.len())
        .filter(|&i| !s.consumed.get(i).copied().unwrap_or(false))
        .filter(|&i| !is_noise(&toks[i].norm) || toks[i].is(":"))
        .collect();
    Msg {
        toks,
        free,
        question,
    }
}

/// One rule: fills an intent or declines.
type Rule = fn(&mut Msg, &Scan, &Context) -> Option<Intent>;

/// Understands one message.
pub fn understand(text: &str, ctx: &Context) -> Intent {
    let Some(toks) = normalize(text) else {
        return Intent::Unknown;
    };
    let s = scan(&toks);
    if toks.is_empty() || s.trouble || blocked(&toks, &s.consumed) {
        return Intent::Unknown;
    }
    let mut m = build(&toks, &s);
    m.strip_request();
    if m.free.is_empty() && s.is_empty() {
        return Intent::Unknown;
    }
    let rules: [Rule; 12] = [
        complete_task,
        list_tasks,
        reminder,
        reschedule,
        cancel,
        expense_summary,
        availability,
        list_events,
        task,
        expense,
        event,
        implicit_event,
    ];
    // A said length ("for an hour") only makes sense for a new event or a slot.
    let with_length: [Rule; 3] = [availability, event, implicit_event];
    // "note to self: cancel the gym membership": a task, whatever its first word.
    let noted: [Rule; 1] = [task];
    let rules: &[Rule] = if m.note_marker().is_some() {
        &noted
    } else if s.length_minutes.is_some() {
        &with_length
    } else {
        &rules
    };
    for rule in rules {
        let mut copy = Msg {
            toks: m.toks,
            free: m.free.clone(),
            question: m.question,
        };
        if let Some(i) = rule(&mut copy, &s, ctx) {
            return i;
        }
    }
    Intent::Unknown
}

/// Negations, recurrence, conditions and second actions.
fn blocked(toks: &[Token], consumed: &[bool]) -> bool {
    // Index of the first token that is more than a greeting or punctuation.
    let first_content = toks
        .iter()
        .position(|t| t.kind != Kind::Sym && !one_of!(t.norm.as_str(), "aida so oh well alright"))
        .unwrap_or(toks.len());
    toks.iter()
        .enumerate()
        .filter(|(i, _)| !consumed.get(*i).copied().unwrap_or(false))
        .any(|(i, t)| {
            let next = toks.get(i + 1).map_or("", |t| t.norm.as_str());
            let next2 = toks.get(i + 2).map_or("", |t| t.norm.as_str());
            let prev = if i > 0 { toks[i - 1].norm.as_str() } else { "" };
            // "hey aida, add ...": nothing before the comma to be a first action.
            let opening = i <= first_content;
            let prev2 = if i > 1 { toks[i - 2].norm.as_str() } else { "" };
            // "check if / see if / tell me if / let me know if i'm free"
            let asking_if = t.is("if")
                && (matches!(
                    prev,
                    "check" | "see" | "know" | "asks" | "asking" | "wondering"
                ) || (prev == "me" && prev2 == "tell"));
            let next3 = toks.get(i + 3).map_or("", |t| t.norm.as_str());
            // "don't let me forget ..." asks for a task; "do not let me forget" too.
            let forget = (t.is("dont") && (next, next2, next3) == ("let", "me", "forget"))
                || (t.is("not") && prev == "do" && (next, next2) == ("let", "me"));
            let do_not_forget = t.is("do") && next == "not" && next2 == "let";
            (is_blocker(&t.norm) && !asking_if && !forget)
                || (t.is("do") && next == "not" && !do_not_forget)
                || (one_of!(t.norm.as_str(), "and then also plus , ; . &")
                    && !opening
                    && (is_action(next)
                        || done_chore(next, next2).is_some()
                        || (next == "then" && is_action(next2))
                        || (next == "also" && is_action(next2))))
                || (i > 0
                    && !opening
                    && t.kind == Kind::Sym
                    && matches!(t.norm.as_str(), "." | "!" | "?" | ";")
                    && next_is_sentence(toks, i + 1))
        })
}

/// True when a new sentence with its own request starts at `i`.
fn next_is_sentence(toks: &[Token], i: usize) -> bool {
    let w = toks.get(i).map_or("", |t| t.norm.as_str());
    is_action(w) || one_of!(w, "remind and also then what whats how is am can")
}

fn dt(w: DateTime<Tz>) -> Moment {
    Moment::DateTime(w)
}

fn day(w: DateTime<Tz>) -> Moment {
    Moment::Date(w.date_naive())
}

/// "check off X", "mark X done", "X ✅", "done with X", "finished X".
fn complete_task(m: &mut Msg, s: &Scan, _: &Context) -> Option<Intent> {
    if !s.is_empty() || m.question {
        return None;
    }
    let tick = match m.words().iter().position(|w| *w == "✅") {
        Some(0) => {
            m.cut(0, 1);
            true
        }
        Some(k) if k + 1 == m.free.len() => {
            m.cut(k, k + 1);
            true
        }
        Some(_) => return None,
        None => false,
    };
    // "cross X off my list": drop the list after "off".
    if let Some(k) = m.words().iter().rposition(|w| *w == "off")
        && k + 1 < m.free.len()
        && m.words()[k + 1..]
            .iter()
            .all(|w| one_of!(w, "my the todo to do list tasks"))
        && m.words()
            .last()
            .is_some_and(|w| one_of!(w, "list todo tasks"))
    {
        let n = m.free.len();
        m.cut(k + 1, n);
    }
    let ws = m.words();
    let n = ws.len();
    let (a, b) = {
        match (
            ws.first().copied().unwrap_or(""),
            ws.get(1).copied().unwrap_or(""),
        ) {
            ("check" | "cross" | "tick" | "checked" | "crossed" | "ticked", "off") => (2, n),
            ("task", "done" | "complete" | "completed" | "finished") => (2, n),
            ("complete", "task") if n > 2 => (2, n),
            ("complete", "the") if ws.get(2) == Some(&"task") && n > 3 => (3, n),
            ("mark", "done" | "complete" | "completed") if n > 2 => {
                (2 + usize::from(ws.get(2) == Some(&":")), n)
            }
            ("check" | "cross" | "tick", _) if ws.last() == Some(&"off") => (1, n - 1),
            ("mark" | "set", _) => {
                let end = ws
                    .iter()
                    .rposition(|w| matches!(*w, "done" | "complete" | "completed" | "finished"))?;
                if end + 1 != n {
                    return None;
                }
                let end = if end > 0 && ws[end - 1] == "as" {
                    end - 1
                } else {
                    end
                };
                (1, end)
            }
            ("done", "with") => (2, n),
            ("done" | "finished" | "completed" | "complete", _) if ws.get(1) == Some(&":") => {
                (2, n)
            }
            ("finished" | "completed" | "done", _) if n > 1 => (1, n),
            ("i" | "ive", "finished" | "completed" | "done") => (2, n),
            // A chore said done in the past tense: "paid the water bill", "picked up the
            // dry cleaning". Not with an amount: "paid $40 for gas" is an expense. Not told
            // as a story ("i did the laundry"): only the bare report.
            (verb, next) if n > 1 && !priced(m) && done_chore(verb, next).is_some() => {
                let used = done_chore(verb, next).unwrap_or(1);
                let end = n - usize::from(ws.last() == Some(&"finally"));
                (used, end)
            }
            _ => match ws.get(n.saturating_sub(2)..) {
                Some(["is" | "-" | ":", "done" | "finished" | "completed"]) => (0, n - 2),
                Some([_, "done" | "finished" | "completed"]) if ws.first() != Some(&"i") => {
                    (0, n - 1)
                }
                _ if tick => (0, n),
                _ => return None,
            },
        }
    };
    let mut idx: Vec<usize> = m.free.get(a..b)?.to_vec();
    idx.retain(|&i| !matches!(m.toks[i].norm.as_str(), "task" | "todo" | ":"));
    let query = m.text_of(&idx);
    let words = query.split_whitespace().count();
    let first = query.split_whitespace().next().unwrap_or("").to_lowercase();
    let personal = query
        .split_whitespace()
        .any(|w| matches!(w.to_lowercase().as_str(), "you" | "we" | "i" | "done"));
    if words == 0
        || words > 8
        || vague(&query)
        || personal
        || matches!(first.as_str(), "all" | "every")
    {
        return None;
    }
    Some(Intent::CompleteTask { query })
}

/// True when a title or query names nothing ("it", "that's", "all").
/// Words a chore said done in the past tense starts with ("paid", "picked up"): how many.
fn done_chore(verb: &str, next: &str) -> Option<usize> {
    // "paid off my credit card" is money, not a chore.
    if (verb, next) == ("paid", "off") {
        return None;
    }
    let particle = match verb {
        "picked" | "wrapped" | "cleaned" | "tidied" | "backed" | "signed" => next == "up",
        "dropped" => next == "off",
        "turned" | "handed" | "filled" => next == "in" || next == "out",
        "sent" => matches!(next, "off" | "in" | "out"),
        "took" => next == "out",
        _ => false,
    };
    if particle {
        return Some(2);
    }
    one_of!(
        verb,
        "paid submitted booked returned mailed cleaned renewed sent emailed texted fixed filed \
        ordered signed posted washed watered fed walked mowed vacuumed replaced wrote replied \
        prepared reviewed organized organised sorted recharged charged ironed shipped refilled \
        registered applied collected deposited transferred repaired installed tidied \
        decluttered printed packed scheduled called",
    )
    .then_some(1)
}

/// Whether the message names an amount (a number, a currency).
fn priced(m: &Msg) -> bool {
    m.toks.iter().any(|t| {
        t.kind == Kind::Num || one_of!(t.norm.as_str(), "$ € £ ₹ dollars bucks quid euros usd eur")
    })
}

fn vague(text: &str) -> bool {
    let lower: String = text
        .to_lowercase()
        .chars()
        .filter(|c| *c != '\'' && *c != '’')
        .collect();
    one_of!(
        lower.as_str(),
        "it that this them everything all something im i we you ive thats well work day plans",
    )
}

/// "todo list", "show my tasks", "what's on my list", "tasks for today".
fn list_tasks(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    // A named day does not change the answer (the list has no date fields).
    if !s.is_empty()
        && !s
            .resolve(&ctx.now)
            .is_some_and(|w| w.precision == Precision::Day && w.end > ctx.now)
    {
        return None;
    }
    let ws = m.words();
    let topical = ws.iter().any(|w| matches!(*w, "todo" | "tasks" | "todos"))
        || ws
            .windows(2)
            .any(|p| p == ["to", "do"] || p == ["my", "list"] || p == ["task", "list"])
        // "what haven't i done yet"
        || (ws.contains(&"havent") && ws.contains(&"done"));
    let all_known = ws.iter().all(|w| {
        one_of!(
            w,
            "show list my me the what whats is are on todo todos to do tasks task \
            open pending all current remaining left view see get give outstanding \
            your still unfinished have i any do read for which anything havent done yet \
            , ? : -",
        )
    });
    (topical && all_known).then_some(Intent::ListTasks)
}

/// "remind me (at|in|on) ... to X".
fn reminder(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    let n = match (m.w(0), m.w(1), m.w(2)) {
        ("remind" | "ping" | "nudge" | "alert" | "text" | "buzz", "me", _) => 2,
        ("set" | "add" | "put" | "create", "a" | "an", "reminder") => 3,
        ("set" | "add" | "put" | "create", "reminder", _) => 2,
        ("reminder", ..) => 1,
        _ => return None,
    };
    m.cut(0, n);
    // "to", "about", "re:".
    while matches!(m.w(0), "to" | "that" | "about" | "for" | ":" | "re") {
        m.cut(0, 1);
    }
    let when = s.resolve(&ctx.now)?;
    let at = match when.precision {
        Precision::Minute | Precision::PartOfDay | Precision::DayKeepTime => when.start,
        _ => return None,
    };
    if at < ctx.now || m.question {
        return None;
    }
    // "remind me who i'm meeting at 3" asks for information.
    if date_is_topic(m, s)
        || one_of!(m.w(0), "who whos what whats where when which how why whom")
        || m.words().iter().any(|w| one_of!(w, "remind reminder"))
    {
        return None;
    }
    let text = m.text(0, m.free.len());
    content_ok(m, &text, 12)?;
    Some(Intent::CreateReminder { text, at: dt(at) })
}

/// True when a date phrase is the topic ("email jen about friday"), not a time.
fn date_is_topic(m: &Msg, s: &Scan) -> bool {
    (1..m.toks.len()).any(|i| {
        s.consumed.get(i).copied().unwrap_or(false)
            && !s.consumed.get(i - 1).copied().unwrap_or(true)
            && one_of!(m.toks[i - 1].norm.as_str(), "about regarding re")
    })
}

/// True-ish when a title/query is usable: non-empty, short, no stray numbers.
fn content_ok(m: &Msg, text: &str, max_words: usize) -> Option<()> {
    let n = text.split_whitespace().count();
    if n == 0 || n > max_words {
        return None;
    }
    if vague(text) {
        return None;
    }
    let stray = m.free.iter().any(|&i| {
        let t = &m.toks[i];
        (t.kind == Kind::Num && !t.norm.contains(':') && t.norm.len() <= 2)
            || one_of!(
                t.norm.as_str(),
                "am pm week month weekend next last hours minutes later earlier noon \
                morning afternoon evening night until / $ € £",
            )
    });
    (!stray).then_some(())
}

/// "reschedule X to <time>", "move X to friday at 3", "push X to 8am".
fn reschedule(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    if !one_of!(
        m.w(0),
        "reschedule move push bump shift change postpone switch",
    ) {
        return None;
    }
    let verb = m.w(0) == "reschedule" || m.w(0) == "postpone";
    // "move lunch from 1 to 2": the new start (13:00 or 14:00?) is unsure.
    let from_said = (0..m.toks.len())
        .any(|i| m.toks[i].is("from") && s.consumed.get(i).copied().unwrap_or(false));
    m.cut(0, 1);
    let ws = m.words();
    let end = ws
        .iter()
        .position(|w| matches!(*w, "to" | "until"))
        .unwrap_or(ws.len());
    // "move the car at 5", "change the oil tomorrow at 9": only "reschedule"
    // and "postpone" name a new time without "to".
    if end == ws.len() && !verb {
        return None;
    }
    if ws.get(end + 1..).is_some_and(|rest| !rest.is_empty()) {
        return None;
    }
    let mut idx: Vec<usize> = m.free.get(..end)?.to_vec();
    idx.retain(|&i| !matches!(m.toks[i].norm.as_str(), "back" | "out" | "forward"));
    let mut titled = m.with_soft(s, end);
    titled.retain(|&i| !matches!(m.toks[i].norm.as_str(), "back" | "out" | "forward"));
    let query = m.text_of(&titled);
    let when = s.resolve(&ctx.now)?;
    let new_start = match when.precision {
        Precision::Minute | Precision::PartOfDay => when.start,
        // "move the meeting to 2-3pm": the new slot starts at 2.
        Precision::TimeRange if !from_said => when.start,
        _ => return None,
    };
    if new_start < ctx.now || m.question {
        return None;
    }
    let probe = Msg {
        toks: m.toks,
        free: idx,
        question: false,
    };
    content_ok(&probe, &query, 6)?;
    Some(Intent::RescheduleEvent {
        query,
        new_start: dt(new_start),
    })
}

/// "cancel X (date)", "delete X from my calendar", "call off X".
fn cancel(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    let n = match (m.w(0), m.w(1)) {
        ("cancel" | "delete" | "remove" | "scrap" | "scratch" | "drop" | "nix", _) => 1,
        ("call", "off") => 2,
        _ => return None,
    };
    m.cut(0, n);
    let from_cal = m.strip_calendar();
    if let Some(k) = m.find(&["from"])
        && k + 1 == m.free.len()
    {
        m.cut(k, k + 1);
    }
    let ws = m.words();
    if ws.iter().any(|w| {
        one_of!(
            w,
            "membership subscription order account card plan reminder reminders \
            task tasks list todo expense payment alarm that it everything all from \
            uber lyft taxi cab ride netflix spotify hulu delivery booking transfer",
        )
    }) && !from_cal
    {
        return None;
    }
    let query = m.text_of(&m.with_soft(s, m.free.len()));
    content_ok(m, &query, 6)?;
    let date = if s.is_empty() || s.only_soft() {
        None
    } else {
        let w = s.resolve(&ctx.now)?;
        match w.precision {
            Precision::Day | Precision::Minute | Precision::PartOfDay | Precision::TimeRange => {
                Some(day(w.start))
            }
            _ => return None,
        }
    };
    (!m.question).then_some(Intent::CancelEvent { query, date })
}

/// "food spending today?", "how much did i spend last month".
fn expense_summary(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    let ws = m.words();
    let topical = ws
        .iter()
        .any(|w| matches!(*w, "spending" | "spend" | "spent" | "expenses" | "expense"))
        || ws.windows(2).any(|p| p == ["how", "much"]);
    if !topical {
        return None;
    }
    let (from, to) = s.lookback(ctx.now.date_naive())?;
    let mut cat: Option<Category> = None;
    for (k, w) in ws.iter().enumerate() {
        if one_of!(
            w,
            "how much did i spend spent have ive my what whats was is on for the \
            total spending expenses expense show me so far been all of ? money \
            summary in we give report list are category at : do get were out tell by \
            break down breakdown went to",
        ) {
            continue;
        }
        // "christmas shopping": a modifier right before a kind of spending.
        let next = ws.get(k + 1).copied().unwrap_or("");
        if lookup([*w]).is_none()
            && k > 0
            && matches!(ws[k - 1], "on" | "for" | "the" | "my")
            && lookup([next]).is_some()
        {
            continue;
        }
        let c = lookup([*w])?;
        if cat.is_some_and(|x| x != c) {
            return None;
        }
        cat = Some(c);
    }
    if find_amounts(m.toks, &s.consumed)
        .iter()
        .any(|a| a.cents > 0)
    {
        return None;
    }
    Some(Intent::ExpenseSummary {
        from: Moment::Date(from),
        to: Moment::Date(to),
        category: cat,
    })
}

/// "am i free friday at 3", "is thurs 1:30 - 3 pm open?", "any availability tomorrow".
fn availability(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    // A voice agent relaying a caller: "the caller wants to know if you're free ...": then
    // "you" is the calendar's owner.
    let relayed = strip_caller(m);
    // "check if i'm free ..."
    let n = match (m.w(0), m.w(1), m.w(2), m.w(3)) {
        ("check" | "see", "if", ..) => 2,
        ("tell", "me", "if", _) => 3,
        ("let", "me", "know", "if") => 4,
        _ => 0,
    };
    if n > 0 {
        m.cut(0, n);
        if m.w(0) == "im" {
            m.cut(0, 1);
        }
    }
    // "do i have time for a (quick) call at 4", "could I do a call at 5", "can I fit in a
    // coffee at 9": the meeting's kind does not change the answer.
    // (the words before the meeting, how many of them stay)
    for (lead, kept) in [
        (&["for", "a"][..], 0),
        (&["do", "a"], 1),
        (&["fit", "in", "a"], 1),
    ] {
        if let Some(k) = m.find(lead) {
            let after = k + lead.len();
            let q = usize::from(m.w(after) == "quick");
            if one_of!(m.w(after + q), "call meeting chat coffee catchup") {
                m.cut(k + kept, after + q + 1);
            }
        }
    }
    let ws = m.words();
    let first = ws.first().copied().unwrap_or("");
    let asks = one_of!(first, "would does do is will could can r are am");
    let timed = s.has_time();
    let topical = ws
        .iter()
        .any(|w| {
            matches!(
                *w,
                "free" | "available" | "availability" | "open" | "busy" | "openings" | "taken"
            )
        })
        || ws.windows(2).any(|p| {
            matches!(
                p,
                ["have" | "got" | "there", "time" | "room" | "space"]
                    | ["a", "gap" | "slot"]
                    | ["tied", "up"]
                    | ["i", "do" | "fit"]
                    | ["you", "meet"]
            )
        })
        // "am I around friday afternoon?"
        || (matches!(first, "am" | "are") && ws.contains(&"around"))
        || (ws.first() == Some(&"am") && ws.contains(&"booked"))
        // "would wed at 3 work?", "is wednesday at 2 ok for me?", "would 10 on monday suit?"
        || (asks && timed && ws.iter().any(|w| one_of!(w, "work works suit suits ok okay fine")))
        // "is wed 4?", "would the 3rd at 11 be ok?" ("ok", a filler, is gone)
        || (matches!(first, "is" | "would")
            && timed
            && ws.iter().all(|w| one_of!(w, "is would be ? for me i")))
        // "the caller wants to know if Tuesday at 1:30 works for you"
        || (relayed && timed && ws.iter().any(|w| one_of!(w, "meet work works suit suits")))
        // "am I around friday afternoon?" ("around" went with the date)
        || (first == "am" && ws.len() <= 3 && m.toks.iter().any(|t| t.is("around")))
        // "is my calendar clear tomorrow" (not "clear my calendar")
        || (first == "is" && ws.contains(&"clear"));
    let known = ws.iter().all(|w| {
        one_of!(
            w,
            "am i is are free available availability open busy check my any do have \
            ? the for a slot time there anything me from be calendar schedule \
            still we at on whats what how looking look like got it when lunch openings \
            clear booked would does could can will work works suit suits ok okay fine \
            room space gap taken tied up around fit meet day completely \
            totally entirely calls something , .",
        ) || (relayed && one_of!(w, "you your youre"))
    });
    // "is there room", "have I got a gap": not "the room is available at 2".
    let room_asked = ws.windows(2).any(|p| {
        matches!(
            p,
            ["have" | "got" | "there" | "any", "room" | "space"] | ["a", "gap" | "slot"]
        )
    });
    let room_said = ws.iter().any(|w| one_of!(w, "room space gap"));
    // "am I tied up", not "free up my afternoon".
    let stray_up = ws.contains(&"up") && !ws.windows(2).any(|p| p == ["tied", "up"]);
    if !topical || !known || (room_said && !room_asked) || stray_up {
        return None;
    }
    // "will you be free tomorrow at 3?" asks about someone else.
    if !relayed && ws.contains(&"be") && m.toks.iter().any(|t| t.is("you")) {
        return None;
    }
    let mut w = s.resolve(&ctx.now)?;
    // "when am i free tomorrow": the whole day (or week).
    if ws.contains(&"when")
        && !matches!(
            w.precision,
            Precision::Day | Precision::Week | Precision::Weekend
        )
    {
        return None;
    }
    // "am i free for lunch tomorrow": lunch is 12:00.
    if ws.contains(&"lunch") {
        if w.precision != Precision::Day || !ws.windows(2).any(|p| p == ["for", "lunch"]) {
            return None;
        }
        let noon = w.start.date_naive().and_hms_opt(12, 0, 0)?;
        let start = ctx.now.timezone().from_local_datetime(&noon).single()?;
        w = When {
            start,
            end: start,
            precision: Precision::Minute,
        };
    }
    let minutes = Duration::try_minutes(
        s.length_minutes
            .unwrap_or_else(|| i64::from(ctx.default_minutes)),
    )?;
    let (a, b, c, d) = match w.precision {
        Precision::Minute => (
            Some(dt(w.start)),
            Some(dt(w.start.checked_add_signed(minutes)?)),
            None,
            None,
        ),
        Precision::TimeRange => (Some(dt(w.start)), Some(dt(w.end)), None, None),
        // "am i free friday afternoon": from the part's anchor to its end; "tonight" to 23:00.
        Precision::PartOfDay => {
            let end = if w.end.date_naive() == w.start.date_naive() {
                w.end
            } else {
                let eleven = w.start.date_naive().and_hms_opt(23, 0, 0)?;
                ctx.now.timezone().from_local_datetime(&eleven).single()?
            };
            (Some(dt(w.start)), Some(dt(end)), None, None)
        }
        Precision::Day | Precision::Week | Precision::Weekend => {
            (None, None, Some(dt(w.start)), Some(dt(w.end)))
        }
        _ => return None,
    };
    Some(Intent::CheckAvailability {
        start: a,
        end: b,
        from: c,
        to: d,
    })
}

/// Drops a voice agent's lead-in ("the caller wants to know if", "caller is asking
/// whether", "the caller asks if"); true when there was one.
fn strip_caller(m: &mut Msg) -> bool {
    let a = usize::from(m.w(0) == "the");
    if m.w(a) != "caller" {
        return false;
    }
    let k = a + 1;
    let asks = match (m.w(k), m.w(k + 1), m.w(k + 2), m.w(k + 3)) {
        ("wants" | "would", "to", "know", _) => 3,
        ("would", "like", "to", "know") => 4,
        ("is", "asking" | "wondering", ..) => 2,
        ("asks" | "asked" | "wonders" | "wondered", ..) => 1,
        _ => return false,
    };
    let b = k + asks;
    if !matches!(m.w(b), "if" | "whether") {
        return false;
    }
    m.cut(0, b + 1);
    true
}

/// "list my events today", "what's on tomorrow", "any meetings this week?".
fn list_events(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    let ws = m.words();
    let topical = ws.iter().any(|w| {
        one_of!(
            w,
            "events meetings appointments calendar schedule agenda plans left \
            happening booked planned on have got whats anything scheduled everything \
            plate doing rundown brief",
        )
    });
    let known = ws.iter().all(|w| {
        one_of!(
            w,
            "list show me my events event meetings meeting appointments calendar \
            schedule agenda plans what whats is are on do i have got any anything \
            left the for booked coming up upcoming happening ? there planned see \
            view check all else still going look like does how tell give we ive \
            our im doing remaining day looks scheduled everything plate am rundown brief \
            a of then hows looking books rest",
        )
    });
    // "what is on friday" (the "on" went with the date), "what does tuesday look like".
    let said_on = m.toks.iter().any(|t| t.is("on"));
    let topical = topical
        || (said_on && ws.windows(2).any(|p| p == ["what", "is"]))
        || ws
            .windows(2)
            .any(|p| p == ["look", "like"] || p == ["looks", "like"])
        // "how's friday looking", "anything on the books for next week"
        || (ws.contains(&"looking") && ws.iter().any(|w| one_of!(w, "how hows")))
        || ws.contains(&"books");
    if !topical || !known || ws.is_empty() {
        return None;
    }
    if ws.iter().all(|w| one_of!(w, "on have got i do ?")) {
        return None;
    }
    // "is the meeting tomorrow still on?": about one event, not a listing.
    if matches!(ws.first().copied(), Some("is" | "are" | "was" | "does"))
        && ws
            .iter()
            .any(|w| one_of!(w, "meeting event appointment still"))
    {
        return None;
    }
    let w: When = s.resolve(&ctx.now)?;
    match w.precision {
        Precision::Day
        | Precision::Week
        | Precision::Weekend
        | Precision::Month
        | Precision::Year => Some(Intent::ListEvents {
            from: dt(w.start),
            to: dt(w.end),
        }),
        _ => None,
    }
}

/// "add task X (by ...)", "put X on my list", "i need to X (tomorrow)".
fn task(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    if date_is_topic(m, s) {
        return None;
    }
    let mut marked = false;
    if let Some((a, b)) = m.note_marker() {
        m.cut(a, b);
        marked = true;
    }
    // "add to my (todo) list: X"
    if matches!(m.w(0), "add" | "put") && m.w(1) == "to" {
        let mut k = 2;
        while one_of!(m.w(k), "my the todo list tasks to do") {
            k += 1;
        }
        if k > 2 && matches!(m.w(k - 1), "todo" | "list" | "tasks") {
            k += usize::from(m.w(k) == ":");
            m.cut(0, k);
            marked = true;
        }
    }
    let list_pos = ["list", "tasks", "todo"].iter().find_map(|w| m.find(&[w]));
    if let Some(k) = list_pos {
        // "... on/to my (todo|to do)? list"
        let mut a = k;
        while a > 0 && one_of!(m.w(a - 1), "todo to do my the on onto in task") {
            a -= 1;
        }
        let placed = (a..k).any(|j| matches!(m.w(j), "on" | "onto" | "to" | "in"));
        if a < k && k + 1 == m.free.len() && placed {
            m.cut(a, k + 1);
            marked = true;
        }
    }
    let n = match (m.w(0), m.w(1), m.w(2)) {
        ("add" | "new" | "create", "task" | "todo", ":") => 3,
        ("add" | "new" | "create", "a", "task" | "todo") => 3 + usize::from(m.w(3) == ":"),
        ("add" | "new" | "create", "task" | "todo", _) => 2,
        ("task" | "todo", ":", _) => 2,
        ("to", "do", ":") => 3,
        ("task" | "todo", ..) => 1,
        ("i", "need" | "have", "to") if errand(m.w(3), m.w(4), s) => 3,
        ("i", "gotta" | "must", _) if errand(m.w(2), m.w(3), s) => 2,
        ("need" | "have", "to", _) if errand(m.w(2), m.w(3), s) => 2,
        ("gotta" | "must", ..) if errand(m.w(1), m.w(2), s) => 1,
        ("add" | "put" | "write", ..) if marked => 1,
        _ if marked => 0,
        _ if due_said(m, s) => 0,
        _ => return None,
    };
    m.cut(0, n);
    if matches!(m.w(0), "to" | ":") {
        m.cut(0, 1);
    }
    if m.question
        || m.words().iter().any(|w| one_of!(w, "you your we us"))
        || one_of!(
            m.w(0),
            "what whats which how is are do does did show list any where when who"
        )
    {
        return None;
    }
    let title = m.text(0, m.free.len());
    content_ok(m, &title, 12)?;
    let due = if s.is_empty() {
        None
    } else {
        let w = s.resolve(&ctx.now)?;
        let due = match w.precision {
            Precision::Day | Precision::DayKeepTime => day(w.start),
            Precision::Minute | Precision::PartOfDay => dt(w.start),
            _ => return None,
        };
        if w.start.date_naive() < ctx.now.date_naive() {
            return None;
        }
        Some(due)
    };
    Some(Intent::CreateTask { title, due })
}

/// "tax forms due apr 15", "passport renewal by the 30th": a thing with a date said after
/// "due" or "by", the date last.
fn due_said(m: &Msg, s: &Scan) -> bool {
    let Some(first) = s.consumed.iter().position(|&c| c) else {
        return false;
    };
    let last_free = m.free.last().copied().unwrap_or(0);
    // "rent due 1st" may be every month's: a bare ordinal is not enough.
    let bare_ordinal = m
        .toks
        .get(first + 1)
        .is_some_and(|t| t.norm.starts_with(|c: char| c.is_ascii_digit()))
        && s.consumed.get(first + 2) != Some(&true);
    m.toks.get(first).is_some_and(|t| t.is("due") || t.is("by"))
        && !bare_ordinal
        && first > last_free
        && !m.free.is_empty()
        && !one_of!(
            m.w(0),
            "meet meeting lunch dinner breakfast coffee drinks call cancel move reschedule \
            push postpone delete remove show list what whats when where who how is are am \
            do does can could will would should i we you be get"
        )
}

/// "need to <verb> ...": a task when the verb is an errand, or when a date
/// was said and the verb is not a calendar operation or a state of mind.
fn errand(verb: &str, object: &str, s: &Scan) -> bool {
    // "get up early", "get some sleep", "pay attention", "fix this", "call it a day"
    let idle = match verb {
        "get" => one_of!(
            object,
            "up some better home ready back there going over out away rest sleep \
            started to along a in off on",
        ),
        "pay" => object == "attention",
        _ => one_of!(object, "this that it them something everything"),
    };
    if idle {
        return false;
    }
    is_chore(verb)
        || (!s.is_empty()
            && !one_of!(
                verb,
                "cancel reschedule move push postpone delete remove relax sleep rest chill \
                think vent know say be stop calm breathe figure decide talk go leave see \
                focus eat",
            ))
}

/// Verbs of an errand: "need to <verb> ..." is a task even without a date.
fn is_chore(w: &str) -> bool {
    one_of!(
        w,
        "call buy pick get grab order book pay email text send renew return clean \
        fix finish submit file mail post drop wash update print sign water feed walk \
        mow vacuum replace write reply prepare review organize organise sort \
        schedule recharge charge bring iron wrap ship refill register \
        apply collect deposit transfer repair install backup tidy declutter",
    )
}

/// "spent $38.40 on pizza", "train ticket 210 quid yesterday", "log €23.50 gas".
fn expense(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    if m.question
        || one_of!(
            m.w(0),
            "is was should how what whats are do does can could would will may might"
        )
    {
        return None;
    }
    let amounts = find_amounts(m.toks, &s.consumed);
    let [a] = amounts.as_slice() else {
        return None;
    };
    let ws = m.words();
    let is_verb = |w: &str| one_of!(w, "spent paid bought log logged expense spend track");
    // "the flight to Chicago cost $289", "my dentist copay was $40": the price ends the message.
    let priced = a.span.0 > 0
        && one_of!(m.toks[a.span.0 - 1].norm.as_str(), "cost costs was")
        && m.free.last().is_some_and(|&i| i < a.span.1);
    let verb = priced || ws.iter().any(|w| is_verb(w));
    // "sam spent $30 on pizza", "my wife paid $50": someone else's spending.
    if let Some(k) = ws.iter().position(|w| is_verb(w))
        && !ws[..k]
            .iter()
            .all(|w| one_of!(w, "i ive we just also already so and add new an a"))
    {
        return None;
    }
    let decimal = m
        .toks
        .get(a.span.0..a.span.1)
        .is_some_and(|t| t.iter().any(|t| t.norm.contains('.')));
    // "bus pass 156", "movie tix 28": a bare whole number that ends the message and cannot
    // be a clock time (1 to 24, or 4 digits such as 1930) is a price.
    let bare_price = m.free.last().is_some_and(|&i| i + 1 == a.span.1)
        && a.span.1 == a.span.0 + 1
        && m.toks[a.span.0].kind == Kind::Num
        && (a.cents >= 2500 && !looks_like_hhmm(&m.toks[a.span.0].norm))
        && !s.has_time();
    if !(verb || a.marked || decimal || bare_price) || a.cents <= 0 {
        return None;
    }
    // "got a haircut for $30": bought, not received.
    let bought = a.span.0 > 0 && m.toks[a.span.0 - 1].is("for") && m.w(0) == "got";
    if ws.iter().any(|w| {
        let explained = bought && *w == "got" || priced && *w == "was";
        !explained
            && one_of!(
                w,
                "owe me back us him her them owes lend lent borrowed budget save earned \
            got refund split is are will would should could might need want have \
            free over under discount sale deal worth afford cheap expensive off was were \
            send sent venmo zelle paypal etransfer transfer transferred withdrew withdraw \
            withdrawal deposit deposited atm savings salary paycheck income raised went \
            price prices",
            )
    }) {
        return None;
    }
    let date = if s.is_empty() || s.only_soft() {
        Some(ctx.now.date_naive())
    } else {
        s.past_date(ctx.now.date_naive())
    }?;
    let idx: Vec<usize> = m
        .free
        .iter()
        .copied()
        .filter(|&i| i < a.span.0 || i >= a.span.1)
        .filter(|&i| {
            !one_of!(
                m.toks[i].norm.as_str(),
                "spent paid bought got log logged expense i ive we just for on cost costs \
                spend track add like about around roughly an was it total of",
            )
        })
        .collect();
    let probe = Msg {
        toks: m.toks,
        free: idx.clone(),
        question: false,
    };
    let description = probe.text_of(&idx);
    content_ok(&probe, &description, 6)?;

    let lower: Vec<String> = description
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    // "vet bill", "dinner bill": a bill for something that has its own
    // category is not clearly Bills.
    if lower.iter().any(|w| w == "bill" || w == "bills")
        && lower.iter().any(|w| {
            matches!(
                lookup([w.as_str()]),
                Some(
                    Category::Food | Category::Health | Category::Travel | Category::Entertainment
                )
            )
        })
    {
        return None;
    }
    let category = lookup(lower.iter().map(String::as_str))?;
    Some(Intent::LogExpense {
        amount: Cents(a.cents),
        currency: a
            .currency
            .map_or_else(|| ctx.currency.clone(), str::to_string),
        category,
        description,
        date: Moment::Date(date),
    })
}

/// "1930", "0845": four digits that read as a 24-hour clock time.
fn looks_like_hhmm(digits: &str) -> bool {
    digits.len() == 4
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && digits[2..].parse::<u32>().is_ok_and(|m| m < 60)
}

/// Words that say "this is an event".
fn event_prefix(m: &Msg) -> usize {
    match (m.w(0), m.w(1)) {
        ("add" | "create" | "new", "event" | "meeting") if m.w(2) == ":" => 3,
        ("add" | "create" | "new", "event") => 2,
        // "create an event for my birthday", "add an event called team lunch"
        ("add" | "create", "a" | "an") if m.w(2) == "event" => {
            3 + usize::from(matches!(m.w(3), "for" | "called" | "named" | ":"))
        }
        ("event" | "meeting", ":") => 2,
        ("set", "up") | ("pencil", "in") | ("block", "off" | "out") => 2,
        ("book", "club") => 0,
        ("add" | "put" | "schedule" | "book" | "create" | "plan" | "block", _) => 1,
        _ => 0,
    }
}

/// Builds a create_event from what is left once the markers are gone.
fn make_event(m: &mut Msg, s: &Scan, ctx: &Context, allow_all_day: bool) -> Option<Intent> {
    if m.question {
        return None;
    }
    let attendees = attendees(m, ctx)?;
    let location = place(m);
    if m.words()
        .iter()
        .any(|w| one_of!(w, "reminder reminders remind"))
    {
        return None;
    }
    let title = m.text_of(&m.with_soft(s, m.free.len()));
    content_ok(m, &m.text(0, m.free.len()), 8)?;
    let when = s.resolve(&ctx.now)?;
    let dur = Duration::try_minutes(
        s.length_minutes
            .unwrap_or_else(|| i64::from(ctx.default_minutes)),
    )?;
    let (start, end, all_day) = match when.precision {
        Precision::Minute | Precision::PartOfDay => (
            dt(when.start),
            dt(when.start.checked_add_signed(dur)?),
            false,
        ),
        Precision::TimeRange => (dt(when.start), dt(when.end), false),
        Precision::Day if allow_all_day => (day(when.start), day(when.end), true),
        _ => return None,
    };
    if when.start < ctx.now && when.precision != Precision::Day {
        return None;
    }
    if all_day && when.start.date_naive() < ctx.now.date_naive() {
        return None;
    }
    Some(Intent::CreateEvent {
        title,
        start,
        end,
        all_day,
        location,
        attendees,
    })
}

/// The place an event is at: the words after "at" ("at the office"), or a proper name after
/// "in" that ends the message ("in Conference Room B"); they are cut from the title.
fn place(m: &mut Msg) -> Option<String> {
    let n = m.free.len();
    let proper = |i: usize| {
        m.toks[i].orig.starts_with(|c: char| c.is_uppercase())
            || m.toks[i].kind == Kind::Num
            || one_of!(m.toks[i].norm.as_str(), "of the and &")
    };
    let k = m
        .find(&["at"])
        .filter(|&k| k > 0 && k + 1 < n)
        .or_else(|| {
            let k = m.words().iter().rposition(|w| *w == "in")?;
            let first = *m.free.get(k + 1)?;
            (k > 0
                && m.toks[first].orig.starts_with(|c: char| c.is_uppercase())
                && m.free[k + 1..].iter().all(|&i| proper(i)))
            .then_some(k)
        })?;
    let mut loc = m.text(k + 1, n);
    // "at The Grounds": the article is part of the name.
    if m.toks[m.free[k + 1]].orig == "The" && !loc.starts_with("The") {
        loc = format!("The {loc}");
    }
    if loc.is_empty() || loc == "The" {
        return None;
    }
    m.cut(k, n);
    Some(loc)
}

/// Names after "with" (and "and") and phone numbers, as attendees.
fn attendees(m: &Msg, ctx: &Context) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for &i in &m.free {
        if m.toks[i].kind == Kind::Phone {
            out.push(e164(&m.toks[i].norm, ctx.now.timezone())?);
        }
    }
    let ws = m.words();
    let mut k = 0;
    while k < ws.len() {
        if ws[k] != "with" {
            k += 1;
            continue;
        }
        k += 1;
        while let Some(&i) = m.free.get(k) {
            let t = &m.toks[i];
            let name_like = t.kind == Kind::Word
                && t.norm.chars().all(char::is_alphabetic)
                && !one_of!(
                    t.norm.as_str(),
                    "the my a an team everyone family friends him her them us you some our \
                    his their girls boys guys at on in for about re client clients people",
                );
            if !name_like {
                break;
            }
            k += 1;
            let title = matches!(t.norm.as_str(), "dr" | "mr" | "mrs" | "ms" | "prof");
            match m.free.get(k).map(|&j| &m.toks[j]) {
                Some(next) if title && next.kind == Kind::Word => {
                    out.push(format!("{} {}", t.orig, next.orig));
                    k += 1;
                }
                _ => out.push(t.orig.clone()),
            }
            if matches!(m.w(k), "and" | ",") {
                k += 1;
            } else {
                break;
            }
        }
    }
    Some(out)
}

/// "add X ...", "put X on my calendar", "schedule X ...".
fn event(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    let cal = m.strip_calendar();
    let n = event_prefix(m);
    if n == 0 && !cal {
        return None;
    }
    // "book a table / an uber / a flight": a booking, not a calendar entry.
    if m.w(0) == "book" {
        let k = 1 + usize::from(matches!(m.w(1), "a" | "an" | "the" | "me"));
        if one_of!(
            m.w(k),
            "table uber lyft taxi cab ride flight flights hotel room car ticket tickets seat \
            seats train bus me us"
        ) {
            return None;
        }
    }
    // "block 9-11 tomorrow for deep work": time held for something, named after "for".
    if m.w(0) == "block" && m.w(n) != "for" {
        return None;
    }
    m.cut(0, n);
    // "add me to sam's meeting", "what's on sam's calendar friday",
    // "take gym off my calendar"
    if one_of!(
        m.w(0),
        "me us him her them it that this what whats which when where who how is are do does \
        take remove delete clear get drop cancel"
    ) {
        return None;
    }
    let all_day_said = if let Some(k) = m.find(&["all", "day"]) {
        m.cut(k, k + 2);
        true
    } else if let Some(k) = m.find(&["all", "-", "day"]) {
        m.cut(k, k + 3);
        true
    } else if let Some(k) = m.find(&["all-day"]) {
        m.cut(k, k + 1);
        true
    } else {
        false
    };
    let special = m.words().iter().any(|w| {
        one_of!(
            w,
            "birthday anniversary holiday vacation conference off trip wedding",
        )
    });
    make_event(m, s, ctx, all_day_said || cal || special)
}

/// "lunch with Sam tomorrow at 1", "dr. patel on tuesday at 8:00am".
fn implicit_event(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    if !s.has_time() {
        return None;
    }
    if matches!((m.w(0), m.w(1)), ("i", "have" | "got") | ("ive", "got")) {
        let n = if matches!(m.w(2), "a" | "an") { 3 } else { 2 };
        m.cut(0, n);
    }
    if m.w(0) == "meet" && m.w(2) == "for" {
        // "meet sam for coffee tomorrow at 10"
        m.cut(0, 1);
    }
    let first = m.w(0);
    let noun = matches!((first, m.w(1)), ("call", "with") | ("book", "club"));
    if (is_action(first) && !noun)
        || one_of!(
            first,
            "i we my is are what whats when where how why do does did should can \
            could would will was were who it its that this there they he she you \
            need have gotta must remind any am im let lets no yes hmm wait sorry \
            lol haha which tell find help go meet see leave take block change switch shift \
            bump recommend suggest search look play read write translate convert calculate \
            summarize explain ask",
        )
    {
        return None;
    }
    let statement = m.words().iter().any(|w| {
        one_of!(
            w,
            "be late there here you me us it its sorry maybe gonna wanna still \
            already yet was were is are went did had been got has will moved \
            cancelled canceled postponed rescheduled changed confirmed over \
            started works ok fine good sounds perfect go goes opens closes starts ends \
            begins sale due rain snow sunset sunrise weather storm forecast arriving \
            arrives arrive arrived leaves leaving lands landing departs departing delayed \
            closed alarm timer outage wants want wanted needs asked asks says said free",
        )
    });
    if statement || find_amounts(m.toks, &s.consumed).iter().any(|a| a.marked) {
        return None;
    }
    make_event(m, s, ctx, false)
}
