//! The jobs page, for administrators: how many jobs wait, run and are dead, the jobs in one
//! state (`?state=` in the URL, dead by default) with their errors, and Retry for dead ones.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{RetryJob, load_jobs};
use super::model::{Job, JobCounts, JobState, JobsView};
use crate::error::AppError;
use crate::page_data::page_data;
use crate::ui::{
    BUTTON_CLASS, EmptyState, FieldMessage, FormError, PageHeader, SECONDARY_BUTTON_CLASS,
    action_error, field_error,
};

/// The tabs, in the order the page shows them.
const STATES: [JobState; 3] = [JobState::Queued, JobState::Running, JobState::Dead];

pub fn jobs_page() -> impl IntoView {
    let query = use_query_map();
    let state = Memo::new(move |_| query.with(|q| q.get("state")).unwrap_or_default());
    let retry = ServerAction::<RetryJob>::new();
    let error = action_error(retry);
    let data = page_data(
        move || (state.get(), retry.version().get()),
        |(state, _)| load_jobs(state),
    );
    view! {
        <PageHeader title="Jobs">
            <a href="/admin" class=SECONDARY_BUTTON_CLASS>"Accounts"</a>
        </PageHeader>
        <FormError error=error/>
        <FieldMessage id="retry-error".into() error=field_error(error, "id")/>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading jobs…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(JobsView { counts, state: shown, jobs }) => view! {
                        <StateTabs counts=counts shown=shown/>
                        {if jobs.is_empty() {
                            view! { <EmptyState message=match shown {
                                JobState::Queued => "No jobs are waiting.",
                                JobState::Running => "No jobs are running.",
                                JobState::Dead => "No dead jobs.",
                            }/> }.into_any()
                        } else {
                            view! { <JobTable jobs=jobs shown=shown retry=retry/> }.into_any()
                        }}
                    }.into_any(),
                    Err(e) => {
                        answer_bad_address(&e);
                        view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// An unknown `?state=` is a bad address: the page as served answers 400 with the message,
/// as an unknown page answers 404. (Other refusals are shown as the admin page shows them.)
fn answer_bad_address(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let (AppError::Invalid(_), Some(response)) =
        (error, use_context::<leptos_axum::ResponseOptions>())
    {
        response.set_status(axum::http::StatusCode::BAD_REQUEST);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// What a state is called on its tab.
fn label(state: JobState) -> &'static str {
    match state {
        JobState::Queued => "Queued",
        JobState::Running => "Running",
        JobState::Dead => "Dead",
    }
}

/// One link per state with its count; the one shown is current. Plain links: the router's
/// `<A>` marks every link to this path current, whatever its query.
#[component]
fn StateTabs(counts: JobCounts, shown: JobState) -> impl IntoView {
    let count = move |state| match state {
        JobState::Queued => counts.queued,
        JobState::Running => counts.running,
        JobState::Dead => counts.dead,
    };
    view! {
        <nav aria-label="Jobs by state" class="mb-4 flex flex-wrap gap-1">
            {STATES.into_iter().map(move |state| view! {
                <a href=format!("/admin/jobs?state={}", state.as_str())
                    aria-current=(state == shown).then_some("page")
                    class="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-indigo-600 aria-[current=page]:text-white dark:text-slate-300 dark:hover:bg-slate-800">
                    {label(state)}
                    " "
                    <span class="tabular-nums" data-testid=format!("count-{}", state.as_str())>{count(state)}</span>
                </a>
            }).collect_view()}
        </nav>
    }
}

/// A job's time as the table shows it (UTC: the browser carries no timezone database).
fn when(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The jobs in one state, newest first; dead ones can be retried.
#[component]
fn JobTable(jobs: Vec<Job>, shown: JobState, retry: ServerAction<RetryJob>) -> impl IntoView {
    const HEAD: &str = "px-3 py-2";
    const CELL: &str = "px-3 py-2 align-top";
    let dead = shown == JobState::Dead;
    view! {
        <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <table class="min-w-full text-sm">
                <caption class="sr-only">{format!("{} jobs, newest first", label(shown))}</caption>
                <thead class="bg-slate-50 text-left text-xs uppercase text-slate-500 dark:bg-slate-800 dark:text-slate-400">
                    <tr>
                        <th scope="col" class=HEAD>"Id"</th>
                        <th scope="col" class=HEAD>"Kind"</th>
                        <th scope="col" class=format!("{HEAD} text-right")>"Attempts"</th>
                        <th scope="col" class=HEAD>{if shown == JobState::Queued { "Run at" } else { "Last update" }}</th>
                        <th scope="col" class=HEAD>"Key"</th>
                        <th scope="col" class=HEAD>"Last error"</th>
                        {dead.then(|| view! { <th scope="col" class=HEAD><span class="sr-only">"Retry"</span></th> })}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-200 dark:divide-slate-800">
                    {jobs.into_iter().map(|job| {
                        let time = if shown == JobState::Queued { job.run_at } else { job.updated_at };
                        view! {
                            <tr data-job-id=job.id>
                                <th scope="row" class=format!("{CELL} text-left font-medium tabular-nums")>{job.id}</th>
                                <td class=format!("{CELL} font-mono text-xs")>{job.kind.clone()}</td>
                                <td class=format!("{CELL} text-right tabular-nums")>{format!("{}/{}", job.attempts, job.max_attempts)}</td>
                                <td class=format!("{CELL} whitespace-nowrap tabular-nums")>{when(time)}</td>
                                <td class=format!("{CELL} font-mono text-xs [overflow-wrap:anywhere]")>{job.key.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                <td class=format!("{CELL} min-w-64")>
                                    {match job.last_error.clone() {
                                        Some(error) => view! {
                                            <pre class="whitespace-pre-wrap font-mono text-xs text-red-700 [overflow-wrap:anywhere] dark:text-red-300">{error}</pre>
                                        }.into_any(),
                                        None => view! { <span class="text-slate-400">"—"</span> }.into_any(),
                                    }}
                                </td>
                                {dead.then(|| view! {
                                    <td class=CELL>
                                        <ActionForm action=retry>
                                            <input type="hidden" name="id" value=job.id/>
                                            <button type="submit" class=BUTTON_CLASS aria-label=format!("Retry job {}", job.id)>"Retry"</button>
                                        </ActionForm>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
