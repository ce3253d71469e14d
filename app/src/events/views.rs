//! The calendar page: week and month views, and the dialog that creates, edits and deletes
//! events. The view, the date and the open dialog live in the URL, so every control is a link
//! or a form that works before the page is hydrated.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{DeleteEvent, SaveEvent, calendar, load_event_card};
use super::calendar::{CalendarView, Day, EventCard, Mode, Placed};
use crate::invitations::api::AnswerInvitation;
use crate::invitations::views::WaitingInvitations;
use crate::page_data::page_data;
use crate::ui::{
    BUTTON_CLASS, DANGER_BUTTON_CLASS, FieldMessage, FormError, INPUT_CLASS, PageHeader,
    SECONDARY_BUTTON_CLASS, action_error, field_error, refused_input,
};

/// Hours drawn in the week grid.
const HOUR_ROWS: u32 = 24;

fn calendar_href(mode: Mode, date: chrono::NaiveDate, extra: &str) -> String {
    format!("/calendar?view={}&date={date}{extra}", mode.as_str())
}

pub fn calendar_page() -> impl IntoView {
    let query = use_query_map();
    let mode = Memo::new(move |_| Mode::parse(&query.with(|q| q.get("view").unwrap_or_default())));
    let date = Memo::new(move |_| query.with(|q| q.get("date")));
    // The event being edited, and for an instance of a series its start (Unix seconds).
    let editing = Memo::new(move |_| {
        query.with(|q| {
            let id = q.get("edit")?.parse::<i64>().ok()?;
            Some((id, q.get("at").and_then(|at| at.parse::<i64>().ok())))
        })
    });
    let creating = Memo::new(move |_| query.with(|q| q.get("new").is_some()));
    let save = ServerAction::<SaveEvent>::new();
    let delete = ServerAction::<DeleteEvent>::new();
    let answer = ServerAction::<AnswerInvitation>::new();
    let view_data = page_data(
        move || {
            (
                mode.get(),
                date.get(),
                save.version().get(),
                delete.version().get(),
                answer.version().get(),
            )
        },
        |(mode, date, _, _, _)| calendar(mode.as_str().to_owned(), date),
    );

    view! {
        <WaitingInvitations answer=answer/>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading the calendar…"</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(cal) => view! {
                        <CalendarBody cal=cal.clone() editing=editing creating=creating save=save delete=delete/>
                    }.into_any(),
                    Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CalendarBody(
    cal: CalendarView,
    editing: Memo<Option<(i64, Option<i64>)>>,
    creating: Memo<bool>,
    save: ServerAction<SaveEvent>,
    delete: ServerAction<DeleteEvent>,
) -> impl IntoView {
    let mode = cal.mode;
    let here = calendar_href(mode, cal.anchor, "");
    let other_mode = match mode {
        Mode::Week => Mode::Month,
        Mode::Month => Mode::Week,
    };
    let grid = match mode {
        Mode::Week => view! { <WeekGrid days=cal.days.clone() here=here.clone()/> }.into_any(),
        Mode::Month => view! { <MonthGrid days=cal.days.clone() here=here.clone()/> }.into_any(),
    };
    let default_day = if cal.days.iter().any(|d| d.date == cal.today) {
        cal.today
    } else {
        cal.anchor
    };
    view! {
        <PageHeader title="Calendar">
            <A href=calendar_href(mode, cal.prev, "") attr:class=SECONDARY_BUTTON_CLASS attr:aria-label="Previous">"‹"</A>
            <A href=calendar_href(mode, cal.today, "") attr:class=SECONDARY_BUTTON_CLASS>"Today"</A>
            <A href=calendar_href(mode, cal.next, "") attr:class=SECONDARY_BUTTON_CLASS attr:aria-label="Next">"›"</A>
            <A href=calendar_href(other_mode, cal.anchor, "") attr:class=SECONDARY_BUTTON_CLASS>
                {match other_mode { Mode::Week => "Week view", Mode::Month => "Month view" }}
            </A>
            <A href=calendar_href(mode, cal.anchor, "&new=1") attr:class=BUTTON_CLASS>"New event"</A>
        </PageHeader>
        <h2 class="mb-3 text-lg font-semibold" aria-live="polite">{cal.title.clone()}</h2>
        {grid}
        {
            let here = here.clone();
            move || {
                if creating.get() {
                    Some(view! { <EventDialog card=None default_day=default_day here=here.clone() save=save delete=delete/> }.into_any())
                } else {
                    editing.get().map(|(id, at)| view! { <EditDialog id=id at=at default_day=default_day here=here.clone() save=save delete=delete/> }.into_any())
                }
            }
        }
    }
}

fn event_link(here: &str, card: &EventCard) -> String {
    match instance_start(card) {
        Some(at) => format!("{here}&edit={}&at={at}", card.event.id),
        None => format!("{here}&edit={}", card.event.id),
    }
}

/// For an instance of a series as the series makes it, its start in Unix seconds.
fn instance_start(card: &EventCard) -> Option<i64> {
    card.event
        .recurrence
        .as_ref()
        .and(card.event.occurrence)
        .map(|t| t.timestamp())
}

#[component]
fn WeekGrid(days: Vec<Day>, here: String) -> impl IntoView {
    let hours = (0..HOUR_ROWS).map(|h| view! {
        <div class="h-10 border-t border-slate-100 pr-1 text-right text-[10px] text-slate-400 dark:border-slate-800">
            {format!("{h:02}:00")}
        </div>
    }).collect_view();
    let columns = days.into_iter().map(|day| {
        let here = here.clone();
        let all_day = day.all_day.clone().into_iter().map(|c| view! {
            <A href=event_link(&here, &c) attr:class="block truncate rounded bg-emerald-100 px-1 text-xs text-emerald-900 hover:bg-emerald-200 dark:bg-emerald-900 dark:text-emerald-100">
                {c.event.title.clone()}
            </A>
        }).collect_view();
        let timed = day.timed.clone().into_iter().map(|p| timed_block(&here, p)).collect_view();
        view! {
            <div role="group" aria-label=day.date.format("%A %B %-d").to_string() class="min-w-0 border-l border-slate-200 dark:border-slate-800">
                <div class=if day.is_today { "h-8 text-center text-sm font-bold text-indigo-600 dark:text-indigo-400" } else { "h-8 text-center text-sm font-medium" }>
                    {day.label.clone()}
                </div>
                <div class="min-h-6 space-y-0.5 border-b border-slate-200 p-0.5 dark:border-slate-800">{all_day}</div>
                <div class="relative" style=format!("height: {}rem", HOUR_ROWS as f32 * 2.5)>
                    {(0..HOUR_ROWS).map(|_| view! { <div class="h-10 border-t border-slate-100 dark:border-slate-800"></div> }).collect_view()}
                    {timed}
                </div>
            </div>
        }
    }).collect_view();
    view! {
        <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <div class="grid min-w-[720px] grid-cols-[3rem_repeat(7,minmax(0,1fr))]">
                <div>
                    <div class="h-8"></div>
                    <div class="min-h-6 border-b border-slate-200 dark:border-slate-800"></div>
                    {hours}
                </div>
                {columns}
            </div>
        </div>
    }
}

fn timed_block(here: &str, p: Placed) -> impl IntoView + use<> {
    let width = 100.0 / p.lanes.max(1) as f32;
    let style = format!(
        "top: {:.3}%; height: {:.3}%; left: {:.3}%; width: {:.3}%",
        p.top,
        p.height,
        width * p.lane as f32,
        width
    );
    view! {
        <A href=event_link(here, &p.card) attr:style=style
            attr:class="absolute overflow-hidden rounded border border-indigo-300 bg-indigo-100 px-1 text-xs text-indigo-900 hover:z-10 hover:bg-indigo-200 dark:border-indigo-700 dark:bg-indigo-900 dark:text-indigo-100">
            <span class="font-semibold">{p.card.event.title.clone()}</span>
            <span class="block text-[10px]">{p.card.time_label.clone()}</span>
        </A>
    }
}

#[component]
fn MonthGrid(days: Vec<Day>, here: String) -> impl IntoView {
    const SHOWN: usize = 3;
    let cells = days.into_iter().map(|day| {
        let here = here.clone();
        let mut cards: Vec<EventCard> = day.all_day.clone();
        cards.extend(day.timed.iter().map(|p| p.card.clone()));
        let more = cards.len().saturating_sub(SHOWN);
        let list = cards.into_iter().take(SHOWN).map(|c| view! {
            <li>
                <A href=event_link(&here, &c) attr:class="block truncate rounded px-1 text-xs hover:bg-indigo-50 dark:hover:bg-slate-800">
                    {(!c.event.all_day).then(|| c.time_label.split('–').next().unwrap_or_default().to_owned() + " ")}
                    {c.event.title.clone()}
                </A>
            </li>
        }).collect_view();
        let week_link = format!("/calendar?view=week&date={}", day.date);
        view! {
            <div class=if day.in_range { "min-h-24 border-t border-l border-slate-200 p-1 dark:border-slate-800" } else { "min-h-24 border-t border-l border-slate-200 bg-slate-50 p-1 text-slate-400 dark:border-slate-800 dark:bg-slate-950" }>
                <A href=week_link attr:class=if day.is_today { "text-sm font-bold text-indigo-600 dark:text-indigo-400" } else { "text-sm" }>
                    {day.label.clone()}
                </A>
                <ul class="mt-1 space-y-0.5">{list}</ul>
                {(more > 0).then(|| view! { <p class="px-1 text-xs text-slate-500">{format!("+{more} more")}</p> })}
            </div>
        }
    }).collect_view();
    view! {
        <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <div class="grid min-w-[640px] grid-cols-7">{cells}</div>
        </div>
    }
}

#[component]
fn EditDialog(
    id: i64,
    at: Option<i64>,
    default_day: chrono::NaiveDate,
    here: String,
    save: ServerAction<SaveEvent>,
    delete: ServerAction<DeleteEvent>,
) -> impl IntoView {
    let card = page_data(move || (id, at), |(id, at)| load_event_card(id, at));
    view! {
        <Suspense>
            {move || {
                let here = here.clone();
                Suspend::new(async move {
                    match card.await {
                        Ok(card) => view! { <EventDialog card=Some(card) default_day=default_day here=here save=save delete=delete/> }.into_any(),
                        Err(e) => view! { <p role="alert" class="mt-4 text-red-700">{e.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The create/edit dialog. `card` is the event being edited, or `None` for a new one.
#[component]
fn EventDialog(
    card: Option<EventCard>,
    default_day: chrono::NaiveDate,
    here: String,
    save: ServerAction<SaveEvent>,
    delete: ServerAction<DeleteEvent>,
) -> impl IntoView {
    let error = action_error(save);
    let delete_error = action_error(delete);
    let close_href = here.clone();
    let navigate = leptos_router::hooks::use_navigate();
    let on_key = {
        let close_href = close_href.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Escape" {
                navigate(&close_href, Default::default());
            }
        }
    };
    let (title, description, place, start, end, all_day, id) = match &card {
        Some(c) => (
            c.event.title.clone(),
            c.event.description.clone(),
            c.event.location.clone(),
            c.start_input.clone(),
            c.end_input.clone(),
            c.event.all_day,
            Some(c.event.id),
        ),
        None => (
            String::new(),
            String::new(),
            String::new(),
            format!("{default_day}T09:00"),
            format!("{default_day}T09:30"),
            false,
            None,
        ),
    };
    let reminders = card
        .as_ref()
        .and_then(|c| c.event.reminder_minutes.as_deref())
        .map(crate::reminders::offsets::describe)
        .unwrap_or_default();
    let at = card.as_ref().and_then(instance_start);
    let google_link = card.as_ref().and_then(|c| c.event.google_link.clone());
    let in_series = card.as_ref().is_some_and(|c| c.event.repeats());
    let (repeat, repeat_until, repeat_count) = card
        .as_ref()
        .map(|c| {
            (
                c.repeat.clone(),
                c.repeat_until.clone(),
                c.repeat_count.clone(),
            )
        })
        .unwrap_or_default();
    let repeat_day = card
        .as_ref()
        .and_then(|c| c.start_input.get(..10))
        .and_then(|d| crate::time::read_date(d).ok())
        .unwrap_or(default_day);
    // After a refused save without JavaScript, the form shows what was sent.
    let sent = refused_input::<SaveEvent>(id);
    let (title, description, place) = (
        sent.value("title", title),
        sent.value("description", description),
        sent.value("location", place),
    );
    let (start, end, all_day) = (
        sent.value("start", start),
        sent.value("end", end),
        sent.checked("all_day", all_day),
    );
    let is_all_day = RwSignal::new(all_day);
    let input_kind = move || {
        if is_all_day.get() {
            "date"
        } else {
            "datetime-local"
        }
    };
    // A date input keeps only the date part of a date-time value.
    let start_value = start.clone();
    let end_value = end.clone();
    view! {
           <div class="fixed inset-0 z-40 bg-slate-900/40" aria-hidden="true"></div>
           <dialog open aria-labelledby="event-dialog-title" on:keydown=on_key
               class="fixed inset-x-0 top-6 z-50 mx-auto max-h-[calc(100dvh-3rem)] w-[min(32rem,calc(100%-2rem))] overflow-y-auto rounded-xl border border-slate-200 bg-white p-6 text-slate-900 shadow-xl dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100">
               <h2 id="event-dialog-title" class="mb-4 text-xl font-semibold">
                   {if id.is_some() { "Edit event" } else { "New event" }}
               </h2>
               {google_link.map(|href| view! {
                   <p class="-mt-3 mb-3 text-sm">
                       <a href=href rel="external noopener" target="_blank" class="text-indigo-700 underline dark:text-indigo-300">"From Google Calendar: open it there"</a>
                   </p>
               })}
               <ActionForm action=save attr:class="space-y-2">
                   {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
                   {at.map(|at| view! { <input type="hidden" name="at" value=at/> })}
                   <div>
                       <label for="event-title" class="block text-sm font-medium">"Title"</label>
                       <input id="event-title" name="title" class=INPUT_CLASS value=title required autofocus
                           aria-describedby="event-title-error"/>
                       <FieldMessage id="event-title-error".into() error=field_error(error, "title")/>
                   </div>
                   <label class="flex items-center gap-2 text-sm">
                       <input type="checkbox" name="all_day" checked=all_day
                           on:change=move |ev| is_all_day.set(event_target_checked(&ev))/>
                       "All day"
                   </label>
                   <div class="grid gap-2 sm:grid-cols-2">
                       <div>
                           <label for="event-start" class="block text-sm font-medium">"Start"</label>
                           <input id="event-start" name="start" type=input_kind class=INPUT_CLASS required
                               value=move || if is_all_day.get() { start_value.chars().take(10).collect() } else { start_value.clone() }
                               aria-describedby="event-start-error"/>
                           <FieldMessage id="event-start-error".into() error=field_error(error, "start")/>
                       </div>
                       <div>
                           <label for="event-end" class="block text-sm font-medium">"End"</label>
                           <input id="event-end" name="end" type=input_kind class=INPUT_CLASS
                               value=move || if is_all_day.get() { end_value.chars().take(10).collect() } else { end_value.clone() }
                               aria-describedby="event-end-error"/>
                           <FieldMessage id="event-end-error".into() error=field_error(error, "end")/>
                       </div>
                   </div>
    <RepeatFields day=repeat_day rule=sent.value("repeat", repeat)
                       until=sent.value("repeat_until", repeat_until) count=sent.value("repeat_count", repeat_count)
                       error=field_error(error, "recurrence")/>
                   {in_series.then(|| view! { <ScopeChoice legend="Save changes to"/> })}
                   <div>
                       <label for="event-reminders" class="block text-sm font-medium">"Text reminders (like “1 hour, 10 min”; empty: your usual ones)"</label>
                       <input id="event-reminders" name="reminders" class=INPUT_CLASS value=sent.value("reminders", reminders) aria-describedby="event-reminders-error"/>
                       <FieldMessage id="event-reminders-error".into() error=field_error(error, "reminder_minutes")/>
                   </div>
                   <div>
                       <label for="event-location" class="block text-sm font-medium">"Location"</label>
                       <input id="event-location" name="location" class=INPUT_CLASS value=place aria-describedby="event-location-error"/>
                       <FieldMessage id="event-location-error".into() error=field_error(error, "location")/>
                   </div>
                   <div>
                       <label for="event-description" class="block text-sm font-medium">"Description"</label>
                       <textarea id="event-description" name="description" rows="3" class=INPUT_CLASS aria-describedby="event-description-error">{description}</textarea>
                       <FieldMessage id="event-description-error".into() error=field_error(error, "description")/>
                   </div>
                   <FormError error=error/>
                   <div class="flex flex-wrap justify-end gap-2 pt-2">
                       <A href=close_href.clone() attr:class=SECONDARY_BUTTON_CLASS>"Cancel"</A>
                       <button type="submit" class=BUTTON_CLASS disabled=move || save.pending().get()>"Save"</button>
                   </div>
               </ActionForm>
               {id.map(|id| view! { <crate::invitations::views::InviteForm event_id=id/> })}
               {id.map(move |id| view! {
                   <ActionForm action=delete attr:class="mt-4 border-t border-slate-200 pt-4 dark:border-slate-700">
                       <input type="hidden" name="id" value=id/>
                       {at.map(|at| view! { <input type="hidden" name="at" value=at/> })}
                       {in_series.then(|| view! { <ScopeChoice legend="Delete"/> })}
                       <FormError error=delete_error/>
                       <button type="submit" class=DANGER_BUTTON_CLASS>"Delete event"</button>
                   </ActionForm>
               })}
           </dialog>
       }
}

/// How the event repeats, and when that ends.
#[component]
fn RepeatFields(
    day: chrono::NaiveDate,
    rule: String,
    until: String,
    count: String,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let mut choices = super::repeat::choices(day);
    if !choices.iter().any(|(r, _)| *r == rule) {
        choices.push((rule.clone(), format!("Custom: {rule}")));
    }
    let options = choices
        .into_iter()
        .map(|(value, label)| {
            let selected = value == rule;
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <div class="grid gap-2 sm:grid-cols-3">
            <div class="sm:col-span-3">
                <label for="event-repeat" class="block text-sm font-medium">"Repeats"</label>
                <select id="event-repeat" name="repeat" class=INPUT_CLASS aria-describedby="event-repeat-error">{options}</select>
            </div>
            <div>
                <label for="event-repeat-until" class="block text-sm font-medium">"Until (last day)"</label>
                <input id="event-repeat-until" name="repeat_until" type="date" class=INPUT_CLASS value=until/>
            </div>
            <div>
                <label for="event-repeat-count" class="block text-sm font-medium">"Or times"</label>
                <input id="event-repeat-count" name="repeat_count" type="number" min="1" max="1000" class=INPUT_CLASS value=count/>
            </div>
        </div>
        <FieldMessage id="event-repeat-error".into() error=error/>
    }
}

/// For an event of a series: which of its events a save or delete is about.
#[component]
fn ScopeChoice(legend: &'static str) -> impl IntoView {
    view! {
        <fieldset class="text-sm">
            <legend class="font-medium">{legend}</legend>
            <div class="flex flex-wrap gap-x-4">
                <label class="flex items-center gap-1"><input type="radio" name="scope" value="this" checked/>"This event"</label>
                <label class="flex items-center gap-1"><input type="radio" name="scope" value="following"/>"This and following"</label>
                <label class="flex items-center gap-1"><input type="radio" name="scope" value="all"/>"All events"</label>
            </div>
        </fieldset>
    }
}
