//! The admin page: approve or reject sign-ups, disable or enable accounts; a link to the jobs
//! page (`jobs::views`).

use leptos::prelude::*;

use super::api::{Accounts, ManageAccount, list_accounts};
use crate::auth::model::{AccountStatus, User};
use crate::page_data::page_data;
use crate::ui::{
    BUTTON_CLASS, Card, DANGER_BUTTON_CLASS, EmptyState, FormError, PageHeader,
    SECONDARY_BUTTON_CLASS, action_error,
};

pub fn admin_page() -> impl IntoView {
    let manage = ServerAction::<ManageAccount>::new();
    let error = action_error(manage);
    let data = page_data(move || manage.version().get(), |_| list_accounts());
    view! {
        <PageHeader title="Administration">
            <a href="/admin/jobs" class=SECONDARY_BUTTON_CLASS>"Jobs"</a>
        </PageHeader>
        <FormError error=error/>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading accounts…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Accounts { pending, all, me: my_id }) => view! {
                        <div class="space-y-4">
                            <Card title="Waiting for approval">
                                {if pending.is_empty() {
                                    view! { <EmptyState message="No one is waiting."/> }.into_any()
                                } else {
                                    view! { <AccountList users=pending manage=manage my_id=my_id label="Waiting for approval"/> }.into_any()
                                }}
                            </Card>
                            <Card title="All accounts">
                                <AccountList users=all manage=manage my_id=my_id label="All accounts"/>
                            </Card>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountList(
    users: Vec<User>,
    manage: ServerAction<ManageAccount>,
    my_id: i64,
    label: &'static str,
) -> impl IntoView {
    view! {
        <ul class="divide-y divide-slate-200 dark:divide-slate-800" aria-label=label>
            {users.into_iter().map(|u| {
                let actions: Vec<(&'static str, &'static str, &'static str)> = match u.status {
                    AccountStatus::Pending => vec![("approve", "Approve", BUTTON_CLASS), ("reject", "Reject", DANGER_BUTTON_CLASS)],
                    AccountStatus::Active if u.id != my_id => vec![("disable", "Disable", DANGER_BUTTON_CLASS)],
                    AccountStatus::Active => vec![],
                    AccountStatus::Disabled => vec![("enable", "Enable", SECONDARY_BUTTON_CLASS)],
                };
                let email = u.email.clone();
                view! {
                    <li class="flex flex-wrap items-center gap-3 py-2 text-sm" data-email=u.email.clone()>
                        <span class="flex-1 font-medium">{u.email.clone()}</span>
                        <span class="text-slate-500">{u.name.clone()}</span>
                        <span class="rounded bg-slate-100 px-1.5 text-xs dark:bg-slate-800">{u.role.as_str()}</span>
                        <span class="rounded bg-slate-100 px-1.5 text-xs dark:bg-slate-800">{u.status.as_str()}</span>
                        {actions.into_iter().map(|(action, text, class)| {
                            let aria = format!("{text} {email}");
                            view! {
                                <ActionForm action=manage>
                                    <input type="hidden" name="id" value=u.id/>
                                    <input type="hidden" name="action" value=action/>
                                    <button type="submit" class=class aria-label=aria>{text}</button>
                                </ActionForm>
                            }
                        }).collect_view()}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
