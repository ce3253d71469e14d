//! The rules that pick an intent and fill its fields.
//!
//! A message is first normalised and scanned for date/time phrases; the
//! remaining words are matched against a fixed list of patterns, tried in
//! order. Each pattern is strict: anything it does not fully account for
//! falls through, and the message ends as [`Intent::Unknown`].

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::{DateTime, Duration};
use chrono_tz::Tz;

use super::Context;
use super::amount::find_amounts;
use super::category::{Category, categorize, lookup};
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
    fn strip_request(&mut self) {
        for _ in 0..3 {
            let n = match (self.w(0), self.w(1), self.w(2)) {
                ("can" | "could" | "would" | "will", "you", "please") => 3,
                ("can" | "could" | "would" | "will", "you", _) => 2,
                ("i", "want", "you") if self.w(3) == "to" => 4,
                ("go", "ahead", "and") => 3,
                ("so" | "oh" | "and" | "ya" | "yes" | "yeah" | "sure", ..) => 1,
                _ => 0,
            };
            if n == 0 {
                break;
            }
            self.cut(0, n);
        }
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
    toks.iter()
        .enumerate()
        .filter(|(i, _)| !consumed.get(*i).copied().unwrap_or(false))
        .any(|(i, t)| {
            let next = toks.get(i + 1).map_or("", |t| t.norm.as_str());
            let next2 = toks.get(i + 2).map_or("", |t| t.norm.as_str());
            is_blocker(&t.norm)
                || (t.is("do") && next == "not")
                || (one_of!(t.norm.as_str(), "and then also plus , ; . &")
                    && (is_action(next)
                        || (next == "then" && is_action(next2))
                        || (next == "also" && is_action(next2))))
                || (i > 0
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
    let ws = m.words();
    let n = ws.len();
    let (a, b) = {
        match (
            ws.first().copied().unwrap_or(""),
            ws.get(1).copied().unwrap_or(""),
        ) {
            ("check" | "cross" | "tick" | "checked" | "crossed" | "ticked", "off") => (2, n),
            ("task", "done" | "complete" | "completed" | "finished") => (2, n),
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
    if words == 0 || words > 8 || vague(&query) {
        return None;
    }
    Some(Intent::CompleteTask { query })
}

/// True when a title or query names nothing ("it", "that's", "all").
fn vague(text: &str) -> bool {
    let lower: String = text
        .to_lowercase()
        .chars()
        .filter(|c| *c != '\'' && *c != '’')
        .collect();
    one_of!(
        lower.as_str(),
        "it that this them everything all something im i we you ive thats well work",
    )
}

/// "todo list", "show my tasks", "what's on my list".
fn list_tasks(m: &mut Msg, s: &Scan, _: &Context) -> Option<Intent> {
    if !s.is_empty() {
        return None;
    }
    let ws = m.words();
    let topical = ws.iter().any(|w| matches!(*w, "todo" | "tasks" | "todos"))
        || ws
            .windows(2)
            .any(|p| p == ["to", "do"] || p == ["my", "list"]);
    let all_known = ws.iter().all(|w| {
        one_of!(
            w,
            "show list my me the what whats is are on todo todos to do tasks task \
            open pending all current remaining left view see get give outstanding \
            your still unfinished have i ? : -",
        )
    });
    (topical && all_known).then_some(Intent::ListTasks)
}

/// "remind me (at|in|on) ... to X".
fn reminder(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    let n = match (m.w(0), m.w(1), m.w(2)) {
        ("remind" | "ping" | "nudge" | "alert", "me", _) => 2,
        ("set", "a" | "an", "reminder") => 3,
        ("set", "reminder", _) | ("add", "reminder", _) => 2,
        ("reminder", ..) => 1,
        _ => return None,
    };
    m.cut(0, n);
    if matches!(m.w(0), "to" | "that" | "about" | "for" | ":") {
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
    let text = m.text(0, m.free.len());
    content_ok(m, &text, 12)?;
    Some(Intent::CreateReminder { text, at: dt(at) })
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
    m.cut(0, 1);
    let ws = m.words();
    let end = ws
        .iter()
        .position(|w| matches!(*w, "to" | "until"))
        .unwrap_or(ws.len());
    if ws.get(end + 1..).is_some_and(|rest| !rest.is_empty()) {
        return None;
    }
    let mut idx: Vec<usize> = m.free.get(..end)?.to_vec();
    idx.retain(|&i| !matches!(m.toks[i].norm.as_str(), "back" | "out" | "forward"));
    let query = m.text_of(&idx);
    let when = s.resolve(&ctx.now)?;
    let new_start = match when.precision {
        Precision::Minute | Precision::PartOfDay => when.start,
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
        ("cancel" | "delete" | "remove" | "scrap" | "scratch" | "drop", _) => 1,
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
            task tasks list todo expense payment alarm that it everything all from",
        )
    }) && !from_cal
    {
        return None;
    }
    let query = m.text(0, m.free.len());
    content_ok(m, &query, 6)?;
    let date = if s.is_empty() {
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
    for w in &ws {
        if one_of!(
            w,
            "how much did i spend spent have ive my what whats was is on for the \
            total spending expenses expense show me so far been all of ? money \
            summary in we give report list are category at : do get were",
        ) {
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
    let ws = m.words();
    let topical = ws
        .iter()
        .any(|w| matches!(*w, "free" | "available" | "availability" | "open" | "busy"));
    let known = ws.iter().all(|w| {
        one_of!(
            w,
            "am i is are free available availability open busy check my any do have \
            ? the for a slot time there anything me from be calendar schedule \
            still we at on whats what how looking look like got it",
        )
    });
    if !topical || !known {
        return None;
    }
    let w = s.resolve(&ctx.now)?;
    let minutes = Duration::try_minutes(i64::from(ctx.default_minutes))?;
    let (a, b, c, d) = match w.precision {
        Precision::Minute => (
            Some(dt(w.start)),
            Some(dt(w.start.checked_add_signed(minutes)?)),
            None,
            None,
        ),
        Precision::TimeRange => (Some(dt(w.start)), Some(dt(w.end)), None, None),
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

/// "list my events today", "what's on tomorrow", "any meetings this week?".
fn list_events(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    let ws = m.words();
    let topical = ws.iter().any(|w| {
        one_of!(
            w,
            "events meetings appointments calendar schedule agenda plans left \
            happening booked planned on have got whats anything",
        )
    });
    let known = ws.iter().all(|w| {
        one_of!(
            w,
            "list show me my events event meetings meeting appointments calendar \
            schedule agenda plans what whats is are on do i have got any anything \
            left the for booked coming up upcoming happening ? there planned see \
            view check all else still going look like does how tell give we ive \
            our im doing remaining day looks",
        )
    });
    if !topical || !known || ws.is_empty() {
        return None;
    }
    if ws.iter().all(|w| one_of!(w, "on have got i do ?")) {
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
    let mut marked = false;
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
        if a < k && k + 1 == m.free.len() {
            m.cut(a, k + 1);
            marked = true;
        }
    }
    let n = match (m.w(0), m.w(1), m.w(2)) {
        ("add" | "new" | "create", "task" | "todo", ":") => 3,
        ("add" | "new" | "create", "a", "task") => 3 + usize::from(m.w(3) == ":"),
        ("add" | "new" | "create", "task" | "todo", _) => 2,
        ("task" | "todo", ":", _) => 2,
        ("to", "do", ":") => 3,
        ("task" | "todo", ..) => 1,
        ("i", "need" | "have", "to") if !s.is_empty() => 3,
        ("i", "gotta" | "must", _) if !s.is_empty() => 2,
        ("need" | "have", "to", _) if !s.is_empty() => 2,
        ("gotta" | "must", ..) if !s.is_empty() => 1,
        ("add" | "put" | "write", ..) if marked => 1,
        _ if marked => 0,
        _ => return None,
    };
    m.cut(0, n);
    if matches!(m.w(0), "to" | ":") {
        m.cut(0, 1);
    }
    if m.question || m.words().iter().any(|w| one_of!(w, "you your we us")) {
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

/// "spent $38.40 on pizza", "train ticket 210 quid yesterday", "log €23.50 gas".
fn expense(m: &mut Msg, s: &Scan, ctx: &Context) -> Option<Intent> {
    if m.question || one_of!(m.w(0), "is was should how what whats are do does") {
        return None;
    }
    let amounts = find_amounts(m.toks, &s.consumed);
    let [a] = amounts.as_slice() else {
        return None;
    };
    let ws = m.words();
    let verb = ws.iter().any(|w| {
        one_of!(
            w,
            "spent paid bought log logged expense cost costs spend track",
        )
    });
    let decimal = m
        .toks
        .get(a.span.0..a.span.1)
        .is_some_and(|t| t.iter().any(|t| t.norm.contains('.')));
    if !(verb || a.marked || decimal) || a.cents <= 0 {
        return None;
    }
    if ws.iter().any(|w| {
        one_of!(
            w,
            "owe me back us him her them owes lend lent borrowed budget save earned \
            got refund split is are will would should could might need want have",
        )
    }) {
        return None;
    }
    let date = if s.is_empty() {
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
                "spent paid bought log logged expense i ive just for on cost costs \
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
    let category = categorize(lower.iter().map(String::as_str));
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

/// Words that say "this is an event".
fn event_prefix(m: &Msg) -> usize {
    match (m.w(0), m.w(1)) {
        ("add" | "create" | "new", "event" | "meeting") if m.w(2) == ":" => 3,
        ("add" | "create" | "new", "event") => 2,
        ("event" | "meeting", ":") => 2,
        ("set", "up") | ("pencil", "in") => 2,
        ("book", "club") => 0,
        ("add" | "put" | "schedule" | "book" | "create" | "plan", _) => 1,
        _ => 0,
    }
}

/// Builds a create_event from what is left once the markers are gone.
fn make_event(m: &mut Msg, s: &Scan, ctx: &Context, allow_all_day: bool) -> Option<Intent> {
    if m.question {
        return None;
    }
    let attendees = attendees(m, ctx)?;
    let mut location = None;
    if let Some(k) = m.find(&["at"])
        && k > 0
        && k + 1 < m.free.len()
    {
        let loc = m.text(k + 1, m.free.len());
        if !loc.is_empty() {
            location = Some(loc);
            m.cut(k, m.free.len());
        }
    }
    let title = m.text(0, m.free.len());
    content_ok(m, &title, 8)?;
    let when = s.resolve(&ctx.now)?;
    let dur = Duration::try_minutes(i64::from(ctx.default_minutes))?;
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
    m.cut(0, n);
    let all_day_said = if let Some(k) = m.find(&["all", "day"]) {
        m.cut(k, k + 2);
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
    let first = m.w(0);
    let noun = matches!((first, m.w(1)), ("call", "with") | ("book", "club"));
    if (is_action(first) && !noun)
        || one_of!(
            first,
            "i we my is are what whats when where how why do does did should can \
            could would will was were who it its that this there they he she you \
            need have gotta must remind any am im let lets no yes hmm wait sorry \
            lol haha which tell find help go meet see leave take",
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
            started works ok fine good sounds perfect",
        )
    });
    if statement || find_amounts(m.toks, &s.consumed).iter().any(|a| a.marked) {
        return None;
    }
    make_event(m, s, ctx, false)
}
