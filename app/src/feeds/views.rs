//! The calendar feed card on the Settings page.

use leptos::prelude::*;

use super::api::{RenewFeed, TurnOffFeed, feed_address};
use crate::page_data::page_data;
use crate::ui::{BUTTON_CLASS, Card, DANGER_BUTTON_CLASS, FormError, action_error};

#[component]
pub fn FeedCard() -> impl IntoView {
    let renew = ServerAction::<RenewFeed>::new();
    let off = ServerAction::<TurnOffFeed>::new();
    let address = page_data(
        move || (renew.version().get(), off.version().get()),
        |_| feed_address(),
    );
    let renew_error = action_error(renew);
    view! {
        <Card title="Calendar feed">
            <p class="mb-3 text-sm text-slate-600 dark:text-slate-400">
                "Subscribe to this secret address in Google Calendar, Apple Calendar or Outlook to see your Aida events there. Anyone with it can read your calendar: make a new one if it got out."
            </p>
            <Suspense>
                {move || Suspend::new(async move {
                    match address.await {
                        Ok(Some(url)) => view! {
                            <code class="mb-3 block break-all rounded bg-slate-100 p-2 text-sm dark:bg-slate-800" data-testid="feed-address">{url}</code>
                            <div class="flex flex-wrap gap-2">
                                <ActionForm action=renew>
                                    <button type="submit" class=BUTTON_CLASS>"New address"</button>
                                </ActionForm>
                                <ActionForm action=off>
                                    <button type="submit" class=DANGER_BUTTON_CLASS>"Turn off"</button>
                                </ActionForm>
                            </div>
                        }.into_any(),
                        Ok(None) => view! {
                            <ActionForm action=renew>
                                <button type="submit" class=BUTTON_CLASS>"Make a feed address"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <FormError error=renew_error/>
        </Card>
    }
}
