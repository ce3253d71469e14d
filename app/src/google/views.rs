//! The Google Calendar card on the Settings page.

use leptos::prelude::*;

use super::Connection;
use super::api::{DisconnectGoogle, google_connection};
use crate::page_data::page_data;
use crate::ui::{BUTTON_CLASS, Card, DANGER_BUTTON_CLASS, FormError, action_error};

#[component]
pub fn GoogleCard() -> impl IntoView {
    let disconnect = ServerAction::<DisconnectGoogle>::new();
    let connection = page_data(move || disconnect.version().get(), |_| google_connection());
    let error = action_error(disconnect);
    view! {
        <Card title="Google Calendar">
            <Suspense>
                {move || Suspend::new(async move {
                    match connection.await {
                        Ok(Connection::Unavailable) => view! {
                            <p class="text-sm text-slate-600 dark:text-slate-400">"Google Calendar is not set up on this server (GOOGLE_CLIENT_ID)."</p>
                        }.into_any(),
                        Ok(Connection::NotConnected) => view! {
                            <p class="mb-3 text-sm text-slate-600 dark:text-slate-400">"See your Google events in Aida, and Aida's in Google."</p>
                            <ConnectLink/>
                        }.into_any(),
                        Ok(Connection::Connected { since, sync }) => view! {
                            <p class="mb-1 text-sm" data-testid="google-status">{format!("Connected since {}.", since.format("%Y-%m-%d"))}</p>
                            <p class="mb-3 text-sm text-slate-600 dark:text-slate-400" role="status">{sync_line(&sync)}</p>
                            {sync.problem.map(|p| view! { <p role="alert" class="mb-3 text-sm text-amber-800 dark:text-amber-200">{p}</p> })}
                            <ActionForm action=disconnect>
                                <button type="submit" class=DANGER_BUTTON_CLASS>"Disconnect"</button>
                            </ActionForm>
                        }.into_any(),
                        Ok(Connection::Broken { problem }) => view! {
                            <p role="alert" class="mb-3 rounded-md bg-red-50 p-3 text-sm text-red-800 dark:bg-red-950 dark:text-red-100" data-testid="google-status">{problem}</p>
                            <ConnectLink/>
                        }.into_any(),
                        Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <FormError error=error/>
        </Card>
    }
}

/// How the pulls are going, in a sentence.
fn sync_line(sync: &super::Sync) -> String {
    match (sync.importing, sync.last_synced_at) {
        (Some(n), _) => format!("Importing your Google events: {n} so far…"),
        (None, Some(at)) => format!("Up to date as of {} UTC.", at.format("%Y-%m-%d %H:%M")),
        (None, None) => "The first import starts in a moment.".into(),
    }
}

/// A plain link: the server redirects to Google's consent page.
#[component]
fn ConnectLink() -> impl IntoView {
    view! {
        <a href="/integrations/google/connect" rel="external" class=BUTTON_CLASS>"Connect Google Calendar"</a>
    }
}
