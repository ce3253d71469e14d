//! The tasks page: add, edit, complete and reopen, delete; filter and sort through the URL.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{DeleteTask, SaveTask, SetTaskDone, TaskRow, list_tasks};
use super::model::{Filter, Priority, Sort};
use crate::page_data::page_data;
use crate::ui::{
    BUTTON_CLASS, Card, DANGER_BUTTON_CLASS, EmptyState, FieldMessage, FormError, INPUT_CLASS,
    PageHeader, SECONDARY_BUTTON_CLASS, action_error, field_error, go_after_success, refused_input,
};

fn tasks_href(filter: Filter, sort: Sort, extra: &str) -> String {
    format!(
        "/tasks?filter={}&sort={}{extra}",
        filter.as_str(),
        sort.as_str()
    )
}

pub fn tasks_page() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query
            .with(|q| q.get("filter"))
            .and_then(|f| Filter::parse(&f))
            .unwrap_or_default()
    });
    let sort = Memo::new(move |_| {
        query
            .with(|q| q.get("sort"))
            .and_then(|s| Sort::parse(&s))
            .unwrap_or_default()
    });
    let editing = Memo::new(move |_| {
        query
            .with(|q| q.get("edit"))
            .and_then(|id| id.parse::<i64>().ok())
    });
    let save = ServerAction::<SaveTask>::new();
    let toggle = ServerAction::<SetTaskDone>::new();
    let delete = ServerAction::<DeleteTask>::new();
    let tasks = page_data(
        move || {
            (
                filter.get(),
                sort.get(),
                save.version().get(),
                toggle.version().get(),
                delete.version().get(),
            )
        },
        |(filter, sort, ..)| list_tasks(filter.as_str().to_owned(), sort.as_str().to_owned()),
    );
    let add_error = action_error(save);
    let tab = move |f: Filter| {
        view! {
            <A href=move || tasks_href(f, sort.get(), "")
                attr:aria-current=move || (filter.get() == f).then_some("page")
                attr:class="rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-indigo-600 aria-[current=page]:text-white dark:text-slate-300 dark:hover:bg-slate-800">
                {f.label()}
            </A>
        }
    };
    let sent = refused_input::<SaveTask>(None);
    let sent_priority = Priority::parse(&sent.value("priority", "")).unwrap_or(Priority::Normal);
    view! {
        <PageHeader title="Tasks"/>
        <Card>
            <ActionForm action=save attr:class="grid gap-2 sm:grid-cols-[1fr_auto_auto_auto_auto] sm:items-start" attr:aria-label="Add a task">
                <div>
                    <label for="task-title" class="sr-only">"New task"</label>
                    <input id="task-title" name="title" placeholder="Add a task…" class=INPUT_CLASS required aria-describedby="task-title-error" value=sent.value("title", "")/>
                    <FieldMessage id="task-title-error".into() error=field_error(add_error, "title")/>
                </div>
                <div>
                    <label for="task-due-date" class="sr-only">"Due date"</label>
                    <input id="task-due-date" name="due_date" type="date" class=INPUT_CLASS aria-describedby="task-due-error" value=sent.value("due_date", "")/>
                    <FieldMessage id="task-due-error".into() error=field_error(add_error, "due")/>
                </div>
                <div>
                    <label for="task-due-time" class="sr-only">"Due time (optional)"</label>
                    <input id="task-due-time" name="due_time" type="time" class=INPUT_CLASS value=sent.value("due_time", "")/>
                </div>
                <div>
                    <label for="task-priority" class="sr-only">"Priority"</label>
                    <PrioritySelect id="task-priority" selected=sent_priority/>
                </div>
                <button type="submit" class=format!("{BUTTON_CLASS} mt-1") disabled=move || save.pending().get()>"Add task"</button>
            </ActionForm>
            <FormError error=add_error/>
        </Card>
        <div class="my-4 flex flex-wrap items-center gap-2">
            <nav aria-label="Filter tasks" class="flex flex-wrap gap-1">
                {Filter::ALL.into_iter().map(tab).collect_view()}
            </nav>
            <span class="ml-auto text-sm text-slate-500">"Sort by"</span>
            <A href=move || tasks_href(filter.get(), Sort::Due, "") attr:class=SECONDARY_BUTTON_CLASS
                attr:aria-current=move || (sort.get() == Sort::Due).then_some("true")>"Due date"</A>
            <A href=move || tasks_href(filter.get(), Sort::Priority, "") attr:class=SECONDARY_BUTTON_CLASS
                attr:aria-current=move || (sort.get() == Sort::Priority).then_some("true")>"Priority"</A>
        </div>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading tasks…"</p> }>
            {move || Suspend::new(async move {
                match tasks.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <EmptyState message=match filter.get_untracked() {
                            Filter::Open => "Nothing to do. Add a task above.",
                            Filter::Overdue => "Nothing overdue. Nice work.",
                            Filter::Done => "No completed tasks yet.",
                            Filter::All => "No tasks yet. Add one above.",
                        }/>
                    }.into_any(),
                    Ok(rows) => view! {
                        <ul class="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900" aria-label="Tasks">
                            {rows.into_iter().map(|row| {
                                let here = tasks_href(filter.get_untracked(), sort.get_untracked(), "");
                                if editing.get_untracked() == Some(row.task.id) {
                                    view! { <TaskEditor row=row save=save here=here/> }.into_any()
                                } else {
                                    view! { <TaskItem row=row toggle=toggle delete=delete here=here/> }.into_any()
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PrioritySelect(id: &'static str, selected: Priority) -> impl IntoView {
    view! {
        <select id=id name="priority" class=INPUT_CLASS>
            {Priority::ALL.into_iter().map(|p| view! {
                <option value=p.as_str() selected=p == selected>{match p {
                    Priority::High => "High priority",
                    Priority::Normal => "Normal priority",
                    Priority::Low => "Low priority",
                }}</option>
            }).collect_view()}
        </select>
    }
}

fn priority_badge(p: Priority) -> Option<impl IntoView> {
    match p {
        Priority::High => Some(view! { <span class="rounded bg-red-100 px-1.5 text-xs font-medium text-red-800 dark:bg-red-900 dark:text-red-100">"High"</span> }.into_any()),
        Priority::Low => Some(view! { <span class="rounded bg-slate-100 px-1.5 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">"Low"</span> }.into_any()),
        Priority::Normal => None,
    }
}

#[component]
fn TaskItem(
    row: TaskRow,
    toggle: ServerAction<SetTaskDone>,
    delete: ServerAction<DeleteTask>,
    here: String,
) -> impl IntoView {
    let task = row.task;
    let done = task.done;
    let title = task.title.clone();
    view! {
        <li class="flex flex-wrap items-center gap-3 px-4 py-3" data-task-id=task.id>
            <ActionForm action=toggle>
                <input type="hidden" name="id" value=task.id/>
                <input type="hidden" name="done" value=(!done).to_string()/>
                <button type="submit"
                    class="flex h-6 w-6 items-center justify-center rounded-full border-2 border-slate-400 text-xs hover:border-indigo-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-500"
                    aria-label=format!("{} {}", if done { "Reopen" } else { "Complete" }, title)>
                    {done.then_some("✓")}
                </button>
            </ActionForm>
            <div class="min-w-0 flex-1">
                <p class=if done { "text-slate-400 line-through" } else { "font-medium" }>{task.title.clone()}</p>
                {(!task.notes.is_empty()).then(|| view! { <p class="truncate text-sm text-slate-500">{task.notes.clone()}</p> })}
            </div>
            {priority_badge(task.priority)}
            {row.due_label.map(|label| view! {
                <span class=if row.overdue { "text-sm font-medium text-red-600 dark:text-red-400" } else { "text-sm text-slate-500" }>
                    {if row.overdue { format!("Overdue · {label}") } else { label }}
                </span>
            })}
            <A href=format!("{here}&edit={}", task.id) attr:class=SECONDARY_BUTTON_CLASS attr:aria-label=format!("Edit {}", task.title)>"Edit"</A>
            <ActionForm action=delete>
                <input type="hidden" name="id" value=task.id/>
                <button type="submit" class=DANGER_BUTTON_CLASS aria-label=format!("Delete {}", task.title)>"Delete"</button>
            </ActionForm>
        </li>
    }
}

#[component]
fn TaskEditor(row: TaskRow, save: ServerAction<SaveTask>, here: String) -> impl IntoView {
    let error = action_error(save);
    let task = row.task;
    let (due_date, due_time) = match row.due_input.split_once('T') {
        Some((d, t)) => (d.to_owned(), t.to_owned()),
        None => (row.due_input.clone(), String::new()),
    };
    let sent = refused_input::<SaveTask>(Some(task.id));
    let priority = Priority::parse(&sent.value("priority", "")).unwrap_or(task.priority);
    // Leave edit mode once the save succeeds.
    go_after_success(save, here.clone());
    view! {
        <li class="px-4 py-3">
            <ActionForm action=save attr:class="grid gap-2 sm:grid-cols-2" attr:aria-label="Edit task">
                <input type="hidden" name="id" value=task.id/>
                <div class="sm:col-span-2">
                    <label for="edit-title" class="block text-sm font-medium">"Title"</label>
                    <input id="edit-title" name="title" class=INPUT_CLASS value=sent.value("title", task.title.clone()) required autofocus/>
                    <FieldMessage id="edit-title-error".into() error=field_error(error, "title")/>
                </div>
                <div class="sm:col-span-2">
                    <label for="edit-notes" class="block text-sm font-medium">"Notes"</label>
                    <textarea id="edit-notes" name="notes" rows="2" class=INPUT_CLASS>{sent.value("notes", task.notes.clone())}</textarea>
                    <FieldMessage id="edit-notes-error".into() error=field_error(error, "notes")/>
                </div>
                <div>
                    <label for="edit-due-date" class="block text-sm font-medium">"Due date"</label>
                    <input id="edit-due-date" name="due_date" type="date" class=INPUT_CLASS value=sent.value("due_date", due_date)/>
                    <FieldMessage id="edit-due-error".into() error=field_error(error, "due")/>
                </div>
                <div>
                    <label for="edit-due-time" class="block text-sm font-medium">"Time (optional)"</label>
                    <input id="edit-due-time" name="due_time" type="time" class=INPUT_CLASS value=sent.value("due_time", due_time)/>
                </div>
                <div>
                    <label for="edit-priority" class="block text-sm font-medium">"Priority"</label>
                    <PrioritySelect id="edit-priority" selected=priority/>
                </div>
                <FormError error=error/>
                <div class="flex items-end justify-end gap-2">
                    <A href=here attr:class=SECONDARY_BUTTON_CLASS>"Cancel"</A>
                    <button type="submit" class=BUTTON_CLASS>"Save"</button>
                </div>
            </ActionForm>
        </li>
    }
}
