//! The Today page: today's agenda, the next seven days, tasks due or overdue, and this month's
//! spending against last month's.

use leptos::prelude::*;

use super::api::{AgendaDay, AgendaItem, Spending, TodayView, load_today};
use crate::page_data::page_data;
use crate::tasks::api::SetTaskDone;
use crate::ui::{Card, EmptyState};

pub fn today_page() -> impl IntoView {
    let toggle = ServerAction::<SetTaskDone>::new();
    let data = page_data(move || toggle.version().get(), |_| load_today());
    view! {
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading your day…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <TodayBody view=view toggle=toggle/> }.into_any(),
                    Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TodayBody(view: TodayView, toggle: ServerAction<SetTaskDone>) -> impl IntoView {
    let TodayView {
        name,
        date_label,
        today,
        next_days,
        tasks,
        more_tasks,
        spending,
    } = view;
    view! {
        <div class="mb-6">
            <p class="text-sm text-slate-500 dark:text-slate-400">{date_label}</p>
            <h1 class="text-2xl font-bold tracking-tight">{format!("Hello, {name}")}</h1>
        </div>
        <div class="grid gap-4 lg:grid-cols-3">
            <div class="space-y-4 lg:col-span-2">
                <Card title="Today">
                    <section aria-label="Today's agenda">
                        <Agenda day=today empty="Nothing scheduled today."/>
                    </section>
                </Card>
                <Card title="Next 7 days">
                    <section aria-label="Next 7 days" class="space-y-3">
                        {next_days.into_iter().map(|d| view! {
                            <div>
                                <h3 class="text-sm font-semibold text-slate-600 dark:text-slate-400">{d.label.clone()}</h3>
                                <Agenda day=d empty="Free"/>
                            </div>
                        }).collect_view()}
                    </section>
                </Card>
            </div>
            <div class="space-y-4">
                <Card title="Tasks due">
                    <TasksDue tasks=tasks more=more_tasks toggle=toggle/>
                </Card>
                <Card title="Spending">
                    <SpendingSummary spending=spending/>
                </Card>
            </div>
        </div>
    }
}

#[component]
fn Agenda(day: AgendaDay, empty: &'static str) -> impl IntoView {
    if day.events.is_empty() {
        return view! { <p class="text-sm text-slate-500 dark:text-slate-400">{empty}</p> }
            .into_any();
    }
    view! {
        <ul class="agenda space-y-1">
            {day.events.into_iter().map(|AgendaItem { id, title, location, time_label }| view! {
                <li>
                    <span class="agenda-time">{time_label}</span>
                    <a href=format!("/calendar?view=week&date={}&edit={id}", day.date) class="agenda-title">
                        {title}
                    </a>
                    {(!location.is_empty()).then(|| view! { <span class="agenda-place">{format!("· {location}")}</span> })}
                </li>
            }).collect_view()}
        </ul>
    }.into_any()
}

#[component]
fn TasksDue(
    tasks: Vec<crate::tasks::api::TaskRow>,
    more: usize,
    toggle: ServerAction<SetTaskDone>,
) -> impl IntoView {
    if tasks.is_empty() {
        return view! {
            <EmptyState message="Nothing due today."/>
            <p class="mt-2 text-sm"><a href="/tasks" class="text-indigo-600 hover:underline dark:text-indigo-400">"All tasks"</a></p>
        }.into_any();
    }
    view! {
        <ul class="space-y-2" aria-label="Tasks due">
            {tasks.into_iter().map(|row| {
                let id = row.task.id;
                let complete_label = format!("Complete {}", row.task.title);
                view! {
                <li class="flex items-center gap-2 text-sm">
                    <ActionForm action=toggle>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="done" value="true"/>
                        <button type="submit" aria-label=complete_label
                            class="h-5 w-5 rounded-full border-2 border-slate-400 hover:border-indigo-600 dark:border-slate-500"></button>
                    </ActionForm>
                    <span class="flex-1">{row.task.title.clone()}</span>
                    <span class=if row.overdue { "text-red-600 dark:text-red-400" } else { "text-slate-500" }>
                        {if row.overdue { "Overdue" } else { "Today" }}
                    </span>
                </li>
            }}).collect_view()}
        </ul>
        {(more > 0).then(|| view! {
            <p class="mt-3 text-sm">
                <a href="/tasks?filter=open&sort=due" class="text-indigo-600 hover:underline dark:text-indigo-400">
                    {format!("{more} more due")}
                </a>
            </p>
        })}
    }.into_any()
}

#[component]
fn SpendingSummary(spending: Spending) -> impl IntoView {
    let change = if spending.last_month.0 > 0 {
        let pct = (spending.this_month.0 - spending.last_month.0) as f64
            / spending.last_month.0 as f64
            * 100.0;
        format!(
            "{}{:.0}% vs {}",
            if pct >= 0.0 { "+" } else { "" },
            pct,
            spending.last_month_label
        )
    } else {
        format!("nothing in {}", spending.last_month_label)
    };
    let max = spending
        .by_category
        .iter()
        .map(|(_, a, b)| a.0.max(b.0))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    view! {
        <p class="text-3xl font-bold tabular-nums" data-testid="spending-this-month">
            {format!("{} {}", spending.this_month, spending.currency)}
        </p>
        <p class="text-sm text-slate-500 dark:text-slate-400">
            {spending.this_month_label.clone()} " · " {change} " (" {format!("{} {}", spending.last_month, spending.currency)} ")"
        </p>
        <ul class="mt-3 space-y-1.5">
            {spending.by_category.into_iter().map(|(c, this, last)| view! {
                <li class="text-xs">
                    <div class="flex justify-between"><span>{c.as_str()}</span><span class="tabular-nums">{this.to_string()}</span></div>
                    <div class="mt-0.5 h-1.5 rounded bg-slate-100 dark:bg-slate-800" title=format!("last month {last}")>
                        <div class="h-1.5 rounded" style=format!("width: {:.1}%; background: {}", this.0 as f64 / max * 100.0, c.color())></div>
                    </div>
                </li>
            }).collect_view()}
        </ul>
        <p class="mt-3 text-sm"><a href="/expenses" class="text-indigo-600 hover:underline dark:text-indigo-400">"All expenses"</a></p>
    }
}
