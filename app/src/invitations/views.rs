//! Invitations waiting for an answer, shown above the calendar.

use leptos::prelude::*;

use super::api::{AnswerInvitation, Invite, load_invitations};
use crate::page_data::page_data;
use crate::ui::{
    BUTTON_CLASS, FieldMessage, FormError, INPUT_CLASS, SECONDARY_BUTTON_CLASS, action_error,
    field_error,
};

/// `answer` is the page's, so the page reloads its own data (an accepted event) after one.
#[component]
pub fn WaitingInvitations(answer: ServerAction<AnswerInvitation>) -> impl IntoView {
    let error = action_error(answer);
    let data = page_data(move || answer.version().get(), |_| load_invitations());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let invitations = data.await.unwrap_or_default();
                (!invitations.is_empty()).then(|| view! {
                    <section aria-label="Invitations" class="mb-4 rounded-xl border border-indigo-200 bg-indigo-50 p-3 dark:border-indigo-900 dark:bg-indigo-950">
                        <h2 class="mb-2 text-sm font-semibold">"Invitations"</h2>
                        <FormError error=error/>
                        <ul class="space-y-2">
                            {invitations.into_iter().map(|i| {
                                let (accept_label, decline_label) = (format!("Accept {}", i.title), format!("Decline {}", i.title));
                                view! {
                                <li class="flex flex-wrap items-center gap-2 text-sm">
                                    <span class="flex-1">{format!("{} invited you to “{}”, {}", i.from, i.title, i.when)}</span>
                                    <ActionForm action=answer>
                                        <input type="hidden" name="id" value=i.id/>
                                        <input type="hidden" name="answer" value="accept"/>
                                        <button type="submit" class=BUTTON_CLASS aria-label=accept_label>"Accept"</button>
                                    </ActionForm>
                                    <ActionForm action=answer>
                                        <input type="hidden" name="id" value=i.id/>
                                        <input type="hidden" name="answer" value="decline"/>
                                        <button type="submit" class=SECONDARY_BUTTON_CLASS aria-label=decline_label>"Decline"</button>
                                    </ActionForm>
                                </li>
                            }}).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

/// Inviting someone to event `event_id` by phone (in the event's dialog).
#[component]
pub fn InviteForm(event_id: i64) -> impl IntoView {
    let invite = ServerAction::<Invite>::new();
    let error = action_error(invite);
    let done = move || matches!(invite.value().get(), Some(Ok(())));
    view! {
        <ActionForm action=invite attr:class="mt-4 space-y-2 border-t border-slate-200 pt-4 dark:border-slate-700" attr:aria-label="Invite by phone">
            <input type="hidden" name="event_id" value=event_id/>
            <div class="grid gap-2 sm:grid-cols-2">
                <div>
                    <label for="invite-phone" class="block text-sm font-medium">"Invite by phone"</label>
                    <input id="invite-phone" name="phone" type="tel" class=INPUT_CLASS required placeholder="+1 212 555 0123" aria-describedby="invite-phone-error"/>
                    <FieldMessage id="invite-phone-error".into() error=field_error(error, "phone")/>
                </div>
                <div>
                    <label for="invite-name" class="block text-sm font-medium">"Their name"</label>
                    <input id="invite-name" name="name" class=INPUT_CLASS/>
                </div>
            </div>
            <FormError error=error/>
            <div class="flex items-center justify-end gap-3">
                <span role="status" class="text-sm text-emerald-700 dark:text-emerald-400">{move || done().then_some("Invited: they get a text.")}</span>
                <button type="submit" class=SECONDARY_BUTTON_CLASS>"Send invitation"</button>
            </div>
        </ActionForm>
    }
}
