//! The chat page (conversations, a streamed reply with Stop, action cards with Undo) and the
//! usage page. Before the page is interactive the message box posts a plain form and the
//! page shows the finished reply; afterwards the reply streams in.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    DeleteConversation, RenameConversation, SendMessage, UndoAction, list_conversations,
    load_conversation, load_usage,
};
use super::model::{
    ActionCard, ChatEvent, ChatMessage, Conversation, ConversationSummary, MessageStatus, Role,
    Tier, usd,
};
use crate::page_data::{PageData, page_data};
use crate::ui::{
    BUTTON_CLASS, Card, DANGER_BUTTON_CLASS, EmptyState, FormError, INPUT_CLASS, PageHeader,
    SECONDARY_BUTTON_CLASS, action_error,
};

/// The reply being streamed into this page.
#[derive(Clone, Copy)]
struct Live {
    /// What the user just sent, shown until the stored conversation has it.
    sent: RwSignal<Option<String>>,
    text: RwSignal<String>,
    actions: RwSignal<Vec<ActionCard>>,
    message_id: RwSignal<Option<i64>>,
    running: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

impl Live {
    fn new() -> Self {
        Self {
            sent: RwSignal::new(None),
            text: RwSignal::new(String::new()),
            actions: RwSignal::new(Vec::new()),
            message_id: RwSignal::new(None),
            running: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    fn clear(self) {
        self.sent.set(None);
        self.text.set(String::new());
        self.actions.set(Vec::new());
        self.message_id.set(None);
    }
}

pub fn chat_page() -> impl IntoView {
    let params = use_params_map();
    let current = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<i64>().ok())
    });
    let refresh = RwSignal::new(0u32);
    let rename = ServerAction::<RenameConversation>::new();
    let delete = ServerAction::<DeleteConversation>::new();
    let undo = ServerAction::<UndoAction>::new();
    let live = Live::new();
    let list = page_data(
        move || {
            (
                refresh.get(),
                rename.version().get(),
                delete.version().get(),
            )
        },
        |_| list_conversations(),
    );
    let conversation = page_data(
        move || {
            (
                current.get(),
                refresh.get(),
                undo.version().get(),
                rename.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => load_conversation(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // The stored conversation now holds the streamed reply: stop showing the live copy.
    Effect::new(move |_| {
        if let Some(Ok(Some(c))) = conversation.get()
            && let Some(id) = live.message_id.get_untracked()
            && c.messages
                .iter()
                .any(|m| m.id == id && m.status != MessageStatus::Streaming)
        {
            live.clear();
        }
    });
    // A reply still being written by the server (after a reload): look again shortly.
    Effect::new(move |_| {
        if let Some(Ok(Some(c))) = conversation.get()
            && !live.running.get_untracked()
            && c.messages
                .iter()
                .any(|m| m.status == MessageStatus::Streaming)
        {
            set_timeout(
                move || refresh.update(|n| *n += 1),
                std::time::Duration::from_millis(800),
            );
        }
    });
    let undo_error = action_error(undo);

    view! {
        <PageHeader title="Chat">
            <A href="/chat" attr:class=BUTTON_CLASS>"New chat"</A>
        </PageHeader>
        <div class="grid gap-6 md:grid-cols-[15rem_1fr]">
            <ConversationList list=list current=current/>
            <section aria-label="Conversation" class="flex min-w-0 flex-col gap-4">
                <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match conversation.await {
                            Ok(Some(c)) => view! {
                                <ConversationHeader conversation=c.clone() rename=rename delete=delete/>
                                <Messages messages=c.messages undo=undo/>
                            }.into_any(),
                            Ok(None) => view! {
                                <EmptyState message="Ask anything, or tell me what to do: “lunch with Sam tomorrow at 1pm”, “spent $12 on lunch”, “am I free Tuesday at 3?”"/>
                            }.into_any(),
                            Err(e) => view! { <p role="alert" class="text-red-700 dark:text-red-300">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <FormError error=undo_error/>
                <LiveReply live=live/>
                <Composer current=current live=live refresh=refresh/>
            </section>
        </div>
    }
}

#[component]
fn ConversationList(
    list: PageData<Result<Vec<ConversationSummary>, crate::error::AppError>>,
    current: Memo<Option<i64>>,
) -> impl IntoView {
    view! {
        <nav aria-label="Conversations" class="min-w-0">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! {
                            <p class="text-sm text-slate-500">"No conversations yet."</p>
                        }.into_any(),
                        Ok(items) => view! {
                            <ul class="flex flex-col gap-1">
                                {items.into_iter().map(|c| {
                                    let id = c.id;
                                    view! {
                                        <li>
                                            <A href=format!("/chat/{id}")
                                                attr:aria-current=move || (current.get() == Some(id)).then_some("page")
                                                attr:class="block truncate rounded-md px-3 py-2 text-sm text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-700 dark:text-slate-300 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-slate-800 dark:aria-[current=page]:text-white">
                                                {c.title}
                                            </A>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p role="alert" class="text-sm text-red-700">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </nav>
    }
}

#[component]
fn ConversationHeader(
    conversation: Conversation,
    rename: ServerAction<RenameConversation>,
    delete: ServerAction<DeleteConversation>,
) -> impl IntoView {
    let id = conversation.id.to_string();
    let delete_id = id.clone();
    let rename_error = action_error(rename);
    view! {
        <div class="flex flex-wrap items-end gap-2">
            <ActionForm action=rename attr:class="flex min-w-0 flex-1 items-end gap-2" attr:aria-label="Rename the conversation">
                <input type="hidden" name="id" value=id/>
                <div class="min-w-0 flex-1">
                    <label for="conversation-title" class="sr-only">"Conversation name"</label>
                    <input id="conversation-title" name="title" value=conversation.title class=INPUT_CLASS maxlength="100" required/>
                </div>
                <button type="submit" class=SECONDARY_BUTTON_CLASS>"Rename"</button>
            </ActionForm>
            <ActionForm action=delete attr:aria-label="Delete the conversation">
                <input type="hidden" name="id" value=delete_id/>
                <button type="submit" class=DANGER_BUTTON_CLASS>"Delete"</button>
            </ActionForm>
        </div>
        <FormError error=rename_error/>
        {move || rename_error.get().and_then(|e| e.field_message("title")).map(|m| view! {
            <p class="text-sm text-red-600 dark:text-red-400" role="alert">{m}</p>
        })}
    }
}

const USER_BUBBLE: &str = "ml-auto max-w-[85%] whitespace-pre-wrap rounded-2xl rounded-br-sm bg-indigo-600 px-4 py-2 text-white";
const REPLY_BUBBLE: &str = "chat-markdown max-w-[85%] rounded-2xl rounded-bl-sm border border-slate-200 bg-white px-4 py-2 dark:border-slate-700 dark:bg-slate-900";

fn tier_label(tier: Option<Tier>) -> &'static str {
    match tier {
        Some(Tier::Rules) => "Answered by rules · free",
        Some(Tier::Cheap) => "Answered by the standard model",
        Some(Tier::Premium) => "Answered by the premium model",
        Some(Tier::None) | None => "",
    }
}

#[component]
fn Messages(messages: Vec<ChatMessage>, undo: ServerAction<UndoAction>) -> impl IntoView {
    view! {
        <ol class="flex flex-col gap-3" aria-label="Messages">
            {messages.into_iter().map(|m| match m.role {
                Role::User => view! {
                    <li class=USER_BUBBLE data-role="user">{m.content}</li>
                }.into_any(),
                Role::Assistant => {
                    let status = match m.status {
                        MessageStatus::Streaming => Some("Still writing…".to_owned()),
                        MessageStatus::Stopped => Some("Stopped.".to_owned()),
                        MessageStatus::Failed => Some(m.error.clone().unwrap_or_else(|| "This reply failed.".into())),
                        MessageStatus::Done => None,
                    };
                    view! {
                        <li class="flex flex-col gap-2" data-role="assistant" data-status=m.status.as_str()>
                            {(!m.content.is_empty()).then(|| view! { <div class=REPLY_BUBBLE inner_html=m.html></div> })}
                            {m.actions.into_iter().map(|a| view! { <ActionCardView card=a undo=undo/> }).collect_view()}
                            {status.map(|s| view! {
                                <p class=if m.status == MessageStatus::Failed { "text-sm text-red-700 dark:text-red-300" } else { "text-sm text-slate-500" }
                                    role=(m.status == MessageStatus::Failed).then_some("alert")>{s}</p>
                            })}
                            {(m.status == MessageStatus::Done && m.tier.is_some_and(|t| t != Tier::None)).then(|| view! {
                                <p class="text-xs text-slate-500">{tier_label(m.tier)}</p>
                            })}
                        </li>
                    }.into_any()
                }
            }).collect_view()}
        </ol>
    }
}

#[component]
fn ActionCardView(card: ActionCard, undo: ServerAction<UndoAction>) -> impl IntoView {
    view! {
        <div class="flex max-w-[85%] items-center gap-3 rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm dark:border-emerald-800 dark:bg-emerald-950"
            data-action=card.kind.clone() data-undone=card.undone.to_string()>
            <span aria-hidden="true">{if card.undone { "↩" } else { "✓" }}</span>
            <span class=if card.undone { "flex-1 text-slate-500 line-through" } else { "flex-1" }>{card.summary}</span>
            {if card.undone {
                view! { <span class="text-xs font-medium text-slate-500">"Undone"</span> }.into_any()
            } else {
                view! {
                    <ActionForm action=undo>
                        <input type="hidden" name="action_id" value=card.id.to_string()/>
                        <button type="submit" class=SECONDARY_BUTTON_CLASS>"Undo"</button>
                    </ActionForm>
                }.into_any()
            }}
        </div>
    }
}

/// The reply as it streams in, with its cards and the Stop button.
#[component]
fn LiveReply(live: Live) -> impl IntoView {
    let stop = move |_| {
        if let Some(id) = live.message_id.get_untracked() {
            leptos::task::spawn_local(async move {
                let _ = super::api::stop_reply(id).await;
            });
        }
    };
    view! {
        <Show when=move || live.sent.with(Option::is_some) || live.error.with(Option::is_some)>
            <div class="flex flex-col gap-3" aria-live="polite" data-testid="live-reply">
                {move || live.sent.get().map(|text| view! { <p class=USER_BUBBLE>{text}</p> })}
                <Show when=move || !live.text.with(String::is_empty)>
                    <p class=format!("{REPLY_BUBBLE} whitespace-pre-wrap") data-testid="streaming-text">{move || live.text.get()}</p>
                </Show>
                <For each=move || live.actions.get() key=|a| a.id let:card>
                    <div class="max-w-[85%] rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm dark:border-emerald-800 dark:bg-emerald-950">
                        "✓ " {card.summary}
                    </div>
                </For>
                <Show when=move || live.running.get()>
                    <div class="flex items-center gap-3">
                        <span class="text-sm text-slate-500">"Writing…"</span>
                        <button type="button" class=SECONDARY_BUTTON_CLASS on:click=stop>"Stop"</button>
                    </div>
                </Show>
                {move || live.error.get().map(|e| view! {
                    <p role="alert" class="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">{e}</p>
                })}
            </div>
        </Show>
    }
}

const SEND_PATH: &str = <SendMessage as ServerFn>::PATH;

/// The message box: a plain form before the page is interactive, a streamed reply after.
#[component]
fn Composer(current: Memo<Option<i64>>, live: Live, refresh: RwSignal<u32>) -> impl IntoView {
    let input = NodeRef::<leptos::html::Textarea>::new();
    let navigate = leptos_router::hooks::use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(textarea) = input.get() else { return };
        let message = textarea.value();
        if message.trim().is_empty() || live.running.get_untracked() {
            return;
        }
        textarea.set_value("");
        live.clear();
        live.error.set(None);
        live.sent.set(Some(message.clone()));
        live.running.set(true);
        let conversation_id = current.get_untracked();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let mut finished_in = None;
            let on_event = |event: ChatEvent| match event {
                ChatEvent::Start(started) => live.message_id.set(Some(started.message_id)),
                ChatEvent::Token(piece) => live.text.update(|t| t.push_str(&piece.text)),
                ChatEvent::Action(card) => live.actions.update(|a| a.push(card)),
                ChatEvent::Done(done) => finished_in = Some(done.conversation_id),
                ChatEvent::Error(failed) => live.error.set(Some(failed.message)),
            };
            let result = stream(&message, conversation_id, on_event).await;
            live.running.set(false);
            if let Err(e) = result {
                live.error.set(Some(e));
                live.sent.set(None);
            }
            refresh.update(|n| *n += 1);
            if let (Some(id), None) = (finished_in, conversation_id) {
                navigate(&format!("/chat/{id}"), Default::default());
            }
        });
    };
    view! {
        <form method="post" action=SEND_PATH on:submit=on_submit aria-label="Send a message"
            class="sticky bottom-0 flex flex-col gap-2 border-t border-slate-200 bg-slate-50 pt-3 dark:border-slate-800 dark:bg-slate-950">
            {move || current.get().map(|id| view! { <input type="hidden" name="conversation_id" value=id.to_string()/> })}
            <label for="chat-message" class="sr-only">"Message"</label>
            <textarea id="chat-message" name="message" node_ref=input rows="3" maxlength="4000" required
                placeholder="Message Aida…" class=INPUT_CLASS></textarea>
            <div class="flex justify-end">
                <button type="submit" class=BUTTON_CLASS disabled=move || live.running.get()>"Send"</button>
            </div>
        </form>
    }
}

/// Streams a reply (in the browser only; the server renders the plain form).
async fn stream(
    message: &str,
    conversation_id: Option<i64>,
    on_event: impl FnMut(ChatEvent),
) -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    {
        super::client::send(message, conversation_id, on_event).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (message, conversation_id, on_event);
        Err("streaming needs the browser".to_owned())
    }
}

pub fn usage_page() -> impl IntoView {
    let query = use_query_map();
    let everyone = Memo::new(move |_| query.with(|q| q.get("everyone")).is_some_and(|v| v == "1"));
    let usage = page_data(move || everyone.get(), load_usage);
    view! {
        <Transition fallback=|| view! { <PageHeader title="Usage"/><p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let u = match usage.await {
                    Ok(u) => u,
                    Err(e) => return view! {
                        <PageHeader title="Usage"/>
                        <p role="alert" class="text-red-700 dark:text-red-300">{e.to_string()}</p>
                    }.into_any(),
                };
                let over = u.month_cost_microusd >= u.budget_microusd;
                view! {
                    <PageHeader title="Usage">
                        {u.can_see_everyone.then(|| view! {
                            <A href="/usage" attr:class=SECONDARY_BUTTON_CLASS attr:aria-current=move || (!everyone.get()).then_some("true")>"Mine"</A>
                            <A href="/usage?everyone=1" attr:class=SECONDARY_BUTTON_CLASS attr:aria-current=move || everyone.get().then_some("true")>"Everyone"</A>
                        })}
                    </PageHeader>
                    <Card>
                        <p class="text-sm" data-testid="month-cost">
                            "Language model and text message cost this month: "
                            <strong>{format!("${}", usd(u.month_cost_microusd))}</strong>
                            {format!(" of your ${} budget.", usd(u.budget_microusd))}
                            {over.then_some(" The budget is used up: only rule-based answers until next month.")}
                        </p>
                    </Card>
                    {if u.days.is_empty() {
                        view! { <div class="mt-4"><EmptyState message="No messages in the last 30 days."/></div> }.into_any()
                    } else {
                        view! { <UsageTable days=u.days everyone=u.everyone/> }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn UsageTable(days: Vec<super::model::UsageDay>, everyone: bool) -> impl IntoView {
    const CELL: &str = "px-3 py-2 text-right tabular-nums";
    view! {
        <div class="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <table class="min-w-full text-sm">
                <caption class="sr-only">"Messages, tokens and cost per day"</caption>
                <thead class="bg-slate-50 text-left text-xs uppercase text-slate-500 dark:bg-slate-800 dark:text-slate-400">
                    <tr>
                        <th scope="col" class="px-3 py-2">"Day"</th>
                        {everyone.then(|| view! { <th scope="col" class="px-3 py-2">"User"</th> })}
                        <th scope="col" class="px-3 py-2 text-right">"Rules"</th>
                        <th scope="col" class="px-3 py-2 text-right">"Standard model"</th>
                        <th scope="col" class="px-3 py-2 text-right">"Premium model"</th>
                        <th scope="col" class="px-3 py-2 text-right">"Unanswered"</th>
                        <th scope="col" class="px-3 py-2 text-right">"Tokens in / out"</th>
                        <th scope="col" class="px-3 py-2 text-right">"Model cost (USD)"</th>
                        <th scope="col" class="px-3 py-2 text-right">"SMS segments"</th>
                        <th scope="col" class="px-3 py-2 text-right">"SMS cost (USD)"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-200 dark:divide-slate-800">
                    {days.into_iter().map(|d| view! {
                        <tr>
                            <th scope="row" class="px-3 py-2 text-left font-medium">{d.day.format("%a %-d %b").to_string()}</th>
                            {everyone.then(|| view! { <td class="px-3 py-2">{d.email.clone().unwrap_or_default()}</td> })}
                            <td class=CELL>{d.rules}</td>
                            <td class=CELL>{d.cheap}</td>
                            <td class=CELL>{d.premium}</td>
                            <td class=CELL>{d.unanswered}</td>
                            <td class=CELL>{format!("{} / {}", d.input_tokens, d.output_tokens)}</td>
                            <td class=CELL>{usd(d.cost_microusd)}</td>
                            <td class=CELL>{d.sms_segments}</td>
                            <td class=CELL>{usd(d.sms_cost_microusd)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
