//! The SMS page: a number's texts with Aida (what came in, and what Aida sent: replies, codes,
//! reminders, with how each fared), and a simulator that texts Aida as that number through
//! the webhook's own code path: without Twilio, this is how the demo texts.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::api::{SimulateText, load_sms};
use super::model::{Direction, SmsView, ThreadText};
use crate::page_data::page_data;
use crate::ui::{
    BUTTON_CLASS, Card, EmptyState, FormError, INPUT_CLASS, PageHeader, SECONDARY_BUTTON_CLASS,
    action_error, field_error,
};

pub fn sms_page() -> impl IntoView {
    let query = use_query_map();
    let number = Memo::new(move |_| query.with(|q| q.get("number")));
    let simulate = ServerAction::<SimulateText>::new();
    let data = page_data(
        move || (number.get(), simulate.version().get()),
        |(number, _)| load_sms(number),
    );
    view! {
        <PageHeader title="Text messages"/>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading texts…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <SmsBody view=view simulate=simulate/> }.into_any(),
                    Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SmsBody(view: SmsView, simulate: ServerAction<SimulateText>) -> impl IntoView {
    let SmsView {
        number,
        any_number,
        twilio,
        thread,
    } = view;
    let error = action_error(simulate);
    let answered = move || {
        simulate
            .value()
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
    };
    view! {
        {(!twilio).then(|| view! {
            <p role="note" class="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
                "Twilio is not configured, so texts from Aida stay here, unsent. Use the simulator below to text Aida as a phone would."
            </p>
        })}
        <div class="grid gap-4 lg:grid-cols-2">
            <Card title="Simulator">
                {any_number.then(|| view! {
                    <form method="get" action="/sms" class="mb-3 flex items-end gap-2" aria-label="Show a number">
                        <div class="flex-1">
                            <label for="show-number" class="block text-sm font-medium">"Number"</label>
                            <input id="show-number" name="number" type="tel" value=number.clone().unwrap_or_default() class=INPUT_CLASS placeholder="+1 212 555 0123"/>
                        </div>
                        <button type="submit" class=SECONDARY_BUTTON_CLASS>"Show"</button>
                    </form>
                })}
                {match number.clone() {
                    None => view! {
                        <EmptyState message="Add and verify a phone in Settings to text Aida."/>
                        <a href="/settings" class="text-sm font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Go to Settings"</a>
                    }.into_any(),
                    Some(from) => view! {
                        <ActionForm action=simulate attr:class="space-y-2" attr:aria-label="Text Aida">
                            <input type="hidden" name="from" value=from.clone()/>
                            <label for="sms-body" class="block text-sm font-medium">{format!("Text Aida as {from}")}</label>
                            <textarea id="sms-body" name="body" rows="2" required maxlength="1600" class=INPUT_CLASS
                                placeholder="lunch w/ Sam tmrw 1pm" aria-describedby="sms-body-error"></textarea>
                            <p id="sms-body-error" class="text-sm text-red-600 dark:text-red-400">{move || field_error(error, "body").get()}</p>
                            <FormError error=error/>
                            <div class="flex items-center justify-end gap-3">
                                <span class="text-sm text-slate-500">{move || simulate.pending().get().then_some("Waiting for Aida…")}</span>
                                <button type="submit" class=BUTTON_CLASS disabled=move || simulate.pending().get()>"Send"</button>
                            </div>
                        </ActionForm>
                        {move || {
                            let said = answered();
                            (!said.is_empty()).then(|| view! {
                                <div role="status" class="mt-3 text-sm">
                                    <p class="font-medium">"Aida answered at once:"</p>
                                    {said.into_iter().map(|s| view! { <p class="whitespace-pre-line">{s}</p> }).collect_view()}
                                </div>
                            })
                        }}
                    }.into_any(),
                }}
            </Card>
            <Card title="Texts">
                {if thread.is_empty() {
                    view! { <EmptyState message="No texts yet."/> }.into_any()
                } else {
                    view! {
                        <ol class="space-y-2" aria-label="Texts, newest first">
                            {thread.into_iter().map(|t| view! { <Text text=t/> }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </Card>
        </div>
    }
}

#[component]
fn Text(text: ThreadText) -> impl IntoView {
    let (who, class) = match text.direction {
        Direction::In => ("Texted to Aida", "ml-8 bg-indigo-50 dark:bg-indigo-950"),
        Direction::Out => ("From Aida", "mr-8 bg-slate-100 dark:bg-slate-800"),
    };
    let details = [
        text.purpose.clone(),
        text.state.clone(),
        text.segments.map(|s| {
            if s == 1 {
                "1 segment".to_owned()
            } else {
                format!("{s} segments")
            }
        }),
        text.error.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    view! {
        <li class=format!("rounded-lg p-2 text-sm {class}") data-direction=match text.direction { Direction::In => "in", Direction::Out => "out" }>
            <p class="text-xs text-slate-500">{format!("{who} · {}", text.when)}</p>
            <p class="whitespace-pre-line">{text.body}</p>
            {(!details.is_empty()).then(|| view! { <p class="text-xs text-slate-500">{details}</p> })}
        </li>
    }
}
