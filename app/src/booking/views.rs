//! The Booking page: how callers may book (the settings), what to paste into Retell, a form
//! that calls the webhooks as the agent would, and the bookings, calls and failures, each
//! under its own address (`/booking`, `/booking/calls`, `/booking/failures`).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::api::{ResolveBookingFailure, SaveBookingSettings, TryAsCaller, load_booking};
use super::model::{BookingLine, BookingPage, CallLine, FailureLine};
use super::settings::{BookingSettings, WEEKDAYS, hours_text};
use crate::page_data::page_data;
use crate::ui::{
    BUTTON_CLASS, Card, EmptyState, FieldMessage, FormError, INPUT_CLASS, PageHeader,
    SECONDARY_BUTTON_CLASS, action_error, field_error,
};

/// Which part of the page is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Settings,
    Calls,
    Failures,
}

impl Tab {
    fn read(tab: Option<&str>) -> Self {
        match tab {
            Some("calls") => Self::Calls,
            Some("failures") => Self::Failures,
            _ => Self::Settings,
        }
    }
}

pub fn booking_page() -> impl IntoView {
    let params = use_params_map();
    let tab = Memo::new(move |_| params.with(|p| Tab::read(p.get("tab").as_deref())));
    let save = ServerAction::<SaveBookingSettings>::new();
    let resolve = ServerAction::<ResolveBookingFailure>::new();
    let try_it = ServerAction::<TryAsCaller>::new();
    let data = page_data(
        move || {
            (
                save.version().get(),
                resolve.version().get(),
                try_it.version().get(),
            )
        },
        |_| load_booking(),
    );
    view! {
        <PageHeader title="Booking by phone"/>
        <Tabs tab=tab/>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading bookings…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => match tab.get() {
                        Tab::Settings => view! { <SettingsTab page=page save=save try_it=try_it/> }.into_any(),
                        Tab::Calls => view! { <Calls calls=page.calls/> }.into_any(),
                        Tab::Failures => view! { <Failures failures=page.failures resolve=resolve/> }.into_any(),
                    },
                    Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Tabs(tab: Memo<Tab>) -> impl IntoView {
    let link = move |href: &'static str, label: &'static str, this: Tab| {
        let class = move || {
            if tab.get() == this {
                "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white"
            } else {
                "rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
            }
        };
        view! {
            <a href=href class=class aria-current=move || (tab.get() == this).then_some("page")>{label}</a>
        }
    };
    view! {
        <nav class="mb-4 flex gap-2" aria-label="Booking">
            {link("/booking", "Settings", Tab::Settings)}
            {link("/booking/calls", "Calls", Tab::Calls)}
            {link("/booking/failures", "Failures", Tab::Failures)}
        </nav>
    }
}

#[component]
fn SettingsTab(
    page: BookingPage,
    save: ServerAction<SaveBookingSettings>,
    try_it: ServerAction<TryAsCaller>,
) -> impl IntoView {
    let BookingPage {
        settings,
        webhooks,
        retell_configured,
        bookings,
        ..
    } = page;
    view! {
        {(!retell_configured).then(|| view! {
            <p role="note" class="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
                "RETELL_API_KEY is not set, so Retell's requests are refused. The form below still calls the webhooks' code as Retell would."
            </p>
        })}
        <div class="grid gap-4 lg:grid-cols-2">
            <SettingsForm settings=settings save=save/>
            <div class="space-y-4">
                <Card title="Connect Retell">
                    <p class="mb-2 text-sm text-slate-600 dark:text-slate-400">
                        "Give your agent two custom tools with these URLs (POST), and set the agent's webhook to the third. Add each agent's id above."
                    </p>
                    <dl class="space-y-2 text-sm">
                        <Url label="check_availability (requested_time_string, duration_minutes)" url=webhooks.check_availability/>
                        <Url label="book (customer_name, customer_phone, start, duration_minutes, notes)" url=webhooks.book/>
                        <Url label="Agent webhook (call events)" url=webhooks.events/>
                    </dl>
                </Card>
                <TryForm try_it=try_it/>
                <Card title="Recent bookings">
                    {if bookings.is_empty() {
                        view! { <EmptyState message="No caller has booked yet."/> }.into_any()
                    } else {
                        view! {
                            <ul class="divide-y divide-slate-200 text-sm dark:divide-slate-800" aria-label="Bookings">
                                {bookings.into_iter().map(|b| view! { <Booking booking=b/> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </Card>
            </div>
        </div>
    }
}

#[component]
fn Url(label: &'static str, url: String) -> impl IntoView {
    view! {
        <div>
            <dt class="font-medium">{label}</dt>
            <dd><input readonly value=url class=format!("{INPUT_CLASS} font-mono text-xs") aria-label=label/></dd>
        </div>
    }
}

#[component]
fn SettingsForm(
    settings: BookingSettings,
    save: ServerAction<SaveBookingSettings>,
) -> impl IntoView {
    let error = action_error(save);
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let days = settings.hours.days().map(hours_text);
    let number = move |label: &'static str, name: &'static str, value: i32| {
        let id = format!("booking-{name}");
        let error_id = format!("{id}-error");
        view! {
            <div>
                <label for=id.clone() class="block text-sm font-medium">{label}</label>
                <input id=id name=format!("form[{name}]") type="number" min="0" value=value.to_string() class=INPUT_CLASS aria-describedby=error_id.clone()/>
                <FieldMessage id=error_id error=field_error(error, name)/>
            </div>
        }
    };
    let text = move |label: &'static str, name: &'static str, value: String, hint: &'static str| {
        let id = format!("booking-{name}");
        let error_id = format!("{id}-error");
        view! {
            <div>
                <label for=id.clone() class="block text-sm font-medium">{label}</label>
                <input id=id name=format!("form[{name}]") value=value class=INPUT_CLASS placeholder=hint aria-describedby=error_id.clone()/>
                <FieldMessage id=error_id error=field_error(error, name)/>
            </div>
        }
    };
    view! {
        <Card title="Taking bookings">
            <ActionForm action=save attr:class="space-y-3" attr:aria-label="Booking settings">
                <label class="flex items-center gap-2 text-sm font-medium">
                    <input type="checkbox" name="form[enabled]" checked=settings.enabled/>
                    "Callers may book"
                </label>
                {text("Time zone", "timezone", settings.timezone.clone(), "America/Toronto")}
                <fieldset>
                    <legend class="text-sm font-medium">"Working hours (empty: closed)"</legend>
                    <div class="mt-1 grid grid-cols-2 gap-2 sm:grid-cols-4">
                        {WEEKDAYS.iter().zip(days).map(|(day, hours)| {
                            let id = format!("booking-{day}");
                            let label = format!("{}{}", day[..1].to_uppercase(), &day[1..]);
                            view! {
                                <div>
                                    <label for=id.clone() class="block text-xs text-slate-600 dark:text-slate-400">{label}</label>
                                    <input id=id name=format!("form[{day}]") value=hours class=INPUT_CLASS placeholder="09:00-17:00"/>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                    <FieldMessage id="booking-hours-error".into() error=field_error(error, "hours")/>
                </fieldset>
                {text(
                    "Meeting lengths, in minutes (the first is the default)",
                    "lengths",
                    settings.lengths.iter().map(i32::to_string).collect::<Vec<_>>().join(", "),
                    "30, 60",
                )}
                <div class="grid grid-cols-3 gap-2">
                    {number("Buffer (min)", "buffer_minutes", settings.buffer_minutes)}
                    {number("Notice (min)", "notice_minutes", settings.notice_minutes)}
                    {number("Ahead (days)", "horizon_days", settings.horizon_days)}
                </div>
                {text(
                    "Business phone (texted for each booking)",
                    "business_phone",
                    settings.business_phone.clone().unwrap_or_default(),
                    "+1 416 555 0123",
                )}
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="form[confirm_callers]" checked=settings.confirm_callers/>
                    "Text callers a confirmation with a link to cancel or move"
                </label>
                {text("Retell agent ids", "agent_ids", settings.agent_ids.join(", "), "agent_…")}
                <FormError error=error/>
                <div class="flex items-center justify-end gap-3">
                    <span role="status" class="text-sm text-emerald-700 dark:text-emerald-400">{move || saved().then_some("Saved.")}</span>
                    <button type="submit" class=BUTTON_CLASS disabled=move || save.pending().get()>"Save"</button>
                </div>
            </ActionForm>
        </Card>
    }
}

#[component]
fn TryForm(try_it: ServerAction<TryAsCaller>) -> impl IntoView {
    let error = action_error(try_it);
    let answer = move || try_it.value().get().and_then(Result::ok);
    view! {
        <Card title="Try it as a caller">
            <ActionForm action=try_it attr:class="space-y-2" attr:aria-label="Try it as a caller">
                <div>
                    <label for="try-said" class="block text-sm font-medium">"When"</label>
                    <input id="try-said" name="said" required class=INPUT_CLASS placeholder="next Tuesday afternoon"/>
                </div>
                <div class="grid grid-cols-2 gap-2">
                    <div>
                        <label for="try-name" class="block text-sm font-medium">"Name (to book)"</label>
                        <input id="try-name" name="name" class=INPUT_CLASS/>
                    </div>
                    <div>
                        <label for="try-phone" class="block text-sm font-medium">"Phone (to book)"</label>
                        <input id="try-phone" name="phone" type="tel" class=INPUT_CLASS/>
                    </div>
                </div>
                <FormError error=error/>
                <div class="flex justify-end gap-2">
                    <button type="submit" name="tool" value="check" class=SECONDARY_BUTTON_CLASS>"Check availability"</button>
                    <button type="submit" name="tool" value="book" class=BUTTON_CLASS>"Book"</button>
                </div>
            </ActionForm>
            {move || answer().map(|json| view! {
                <div role="status" class="mt-3">
                    <p class="text-sm font-medium">"The agent gets:"</p>
                    <pre class="mt-1 overflow-x-auto rounded-md bg-slate-100 p-2 text-xs dark:bg-slate-800">{json}</pre>
                </div>
            })}
        </Card>
    }
}

#[component]
fn Booking(booking: BookingLine) -> impl IntoView {
    view! {
        <li class="py-2">
            <p class="font-medium">
                {booking.when}
                {booking.cancelled.then(|| view! { <span class="ml-2 text-xs font-normal text-slate-500">"cancelled"</span> })}
            </p>
            <p class="text-slate-600 dark:text-slate-400">{format!("{} · {}", booking.customer_name, booking.customer_phone)}</p>
            {(!booking.notes.is_empty()).then(|| view! { <p class="text-slate-500">{booking.notes}</p> })}
        </li>
    }
}

#[component]
fn Calls(calls: Vec<CallLine>) -> impl IntoView {
    view! {
        <Card title="Calls">
            {if calls.is_empty() {
                view! { <EmptyState message="No calls yet. Calls show here once Retell sends their events."/> }.into_any()
            } else {
                view! {
                    <ul class="divide-y divide-slate-200 text-sm dark:divide-slate-800" aria-label="Calls">
                        {calls.into_iter().map(|c| view! {
                            <li class="py-2" data-call=c.call_id>
                                <p class="font-medium">{format!("{} · {}", c.caller, c.when)}</p>
                                <p class="text-slate-600 dark:text-slate-400">
                                    {[c.duration, Some(c.outcome)].into_iter().flatten().collect::<Vec<_>>().join(" · ")}
                                </p>
                                {c.summary.map(|s| view! { <p class="text-slate-500">{s}</p> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Card>
    }
}

#[component]
fn Failures(
    failures: Vec<FailureLine>,
    resolve: ServerAction<ResolveBookingFailure>,
) -> impl IntoView {
    let error = action_error(resolve);
    view! {
        <Card title="Bookings to make by hand">
            <FormError error=error/>
            {if failures.is_empty() {
                view! { <EmptyState message="No failed bookings."/> }.into_any()
            } else {
                view! {
                    <ul class="divide-y divide-slate-200 text-sm dark:divide-slate-800" aria-label="Failures">
                        {failures.into_iter().map(|f| view! {
                            <li class="flex items-start justify-between gap-3 py-2">
                                <div>
                                    <p class="font-medium">{format!("{} requested {}", f.customer_name, f.requested)}</p>
                                    <p class="text-slate-600 dark:text-slate-400">{format!("{} · call {} · {}", f.customer_phone, f.call_id, f.when)}</p>
                                    <p class="text-slate-500">{f.reason}</p>
                                </div>
                                {if f.resolved {
                                    view! { <span class="text-xs text-emerald-700 dark:text-emerald-400">"resolved"</span> }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=resolve attr:aria-label=format!("Resolve failure {}", f.id)>
                                            <input type="hidden" name="id" value=f.id/>
                                            <button type="submit" class=SECONDARY_BUTTON_CLASS>"Resolve"</button>
                                        </ActionForm>
                                    }.into_any()
                                }}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </Card>
    }
}

/// The page a caller's confirmation text links to (`/bookings/{token}`): their booking, with
/// buttons to cancel it or move it to a free time. No account is needed; the link's secret
/// names the booking.
pub fn caller_booking_page() -> impl IntoView {
    use super::api::{CancelCallerBooking, MoveCallerBooking, load_caller_booking};
    let params = use_params_map();
    let token = Memo::new(move |_| params.with(|p| p.get("token").unwrap_or_default()));
    let cancel = ServerAction::<CancelCallerBooking>::new();
    let move_it = ServerAction::<MoveCallerBooking>::new();
    let data = page_data(
        move || (token.get(), cancel.version().get(), move_it.version().get()),
        |(token, _, _)| load_caller_booking(token),
    );
    let cancel_error = action_error(cancel);
    let move_error = action_error(move_it);
    view! {
        <main class="mx-auto max-w-lg px-4 py-10">
            <h1 class="mb-4 text-2xl font-bold tracking-tight">"Your booking"</h1>
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(b) => view! {
                            <CallerBookingCard booking=b token=token.get() cancel=cancel move_it=move_it/>
                            <FormError error=cancel_error/>
                            <FormError error=move_error/>
                        }.into_any(),
                        Err(crate::error::AppError::NotFound) => view! {
                            <p role="alert">"This link does not name a booking. Check the link in your text message."</p>
                        }.into_any(),
                        Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn CallerBookingCard(
    booking: super::model::CallerBooking,
    token: String,
    cancel: ServerAction<super::api::CancelCallerBooking>,
    move_it: ServerAction<super::api::MoveCallerBooking>,
) -> impl IntoView {
    let summary = format!(
        "{}, your {}-minute meeting with {}",
        booking.customer_name, booking.minutes, booking.owner_name
    );
    if booking.cancelled {
        return view! {
            <Card>
                <p>{summary}</p>
                <p class="mt-2 font-medium" role="status">{format!("on {} was cancelled.", booking.when)}</p>
            </Card>
        }
        .into_any();
    }
    let call = booking
        .business_phone
        .clone()
        .map(|p| format!(" To change it, please call {p}."))
        .unwrap_or_default();
    view! {
        <Card>
            <p>{summary}</p>
            <p class="mt-1 text-lg font-semibold" data-when>{format!("is on {}.", booking.when)}</p>
            {if booking.changeable {
                let token_move = token.clone();
                view! {
                    {(!booking.free_times.is_empty()).then(|| view! {
                        <h2 class="mt-4 text-sm font-medium">"Move it to"</h2>
                        <ul class="mt-2 space-y-2" aria-label="Free times">
                            {booking.free_times.into_iter().map(|(start, said)| {
                                let token = token_move.clone();
                                let label = format!("Move to {said}");
                                view! {
                                    <li>
                                        <ActionForm action=move_it attr:aria-label=label>
                                            <input type="hidden" name="token" value=token/>
                                            <input type="hidden" name="start" value=start/>
                                            <button type="submit" class=SECONDARY_BUTTON_CLASS>{said}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })}
                    <ActionForm action=cancel attr:class="mt-4" attr:aria-label="Cancel the booking">
                        <input type="hidden" name="token" value=token/>
                        <button type="submit" class=crate::ui::DANGER_BUTTON_CLASS>"Cancel the booking"</button>
                    </ActionForm>
                }.into_any()
            } else {
                view! { <p class="mt-3 text-sm text-slate-600 dark:text-slate-400">{format!("It is too late to change it here.{call}")}</p> }.into_any()
            }}
        </Card>
    }
    .into_any()
}
