//! The expenses page: a month's expenses with totals per category, a chart, add/edit/delete and
//! CSV export. The month and the row being edited live in the URL.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{DeleteExpense, MonthView, SaveExpense, expenses_month};
use super::chart::CategoryChart;
use super::model::{Category, Expense};
use crate::money::CURRENCIES;
use crate::page_data::page_data;
use crate::ui::{
    BUTTON_CLASS, Card, DANGER_BUTTON_CLASS, EmptyState, FieldMessage, FormError, INPUT_CLASS,
    PageHeader, SECONDARY_BUTTON_CLASS, action_error, field_error, go_after_success, refused_input,
};

pub fn expenses_page() -> impl IntoView {
    let query = use_query_map();
    let month = Memo::new(move |_| query.with(|q| q.get("month")));
    let editing = Memo::new(move |_| {
        query
            .with(|q| q.get("edit"))
            .and_then(|id| id.parse::<i64>().ok())
    });
    let save = ServerAction::<SaveExpense>::new();
    let delete = ServerAction::<DeleteExpense>::new();
    let data = page_data(
        move || (month.get(), save.version().get(), delete.version().get()),
        |(month, ..)| expenses_month(month),
    );
    view! {
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading expenses…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <MonthPage view=view editing=editing save=save delete=delete/> }.into_any(),
                    Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn month_href(key: &str) -> String {
    format!("/expenses?month={key}")
}

#[component]
fn MonthPage(
    view: MonthView,
    editing: Memo<Option<i64>>,
    save: ServerAction<SaveExpense>,
    delete: ServerAction<DeleteExpense>,
) -> impl IntoView {
    let here = month_href(&view.key);
    let add_error = action_error(save);
    let other_currencies: Vec<_> = view
        .by_currency
        .iter()
        .filter(|(c, _)| *c != view.currency)
        .cloned()
        .collect();
    let main_total = view
        .by_currency
        .iter()
        .find(|(c, _)| *c == view.currency)
        .map(|(_, t)| *t)
        .unwrap_or_default();
    let rows = view.expenses.clone();
    let MonthView {
        key,
        label,
        prev,
        next,
        today,
        currency,
        by_category,
        ..
    } = view;
    let header_label = label.clone();
    let form_currency = currency.clone();
    let sent = refused_input::<SaveExpense>(None);
    view! {
        <PageHeader title="Expenses">
            <A href=month_href(&prev) attr:class=SECONDARY_BUTTON_CLASS attr:aria-label="Previous month">"‹"</A>
            <span class="min-w-32 text-center font-medium" aria-live="polite">{header_label}</span>
            <A href=month_href(&next) attr:class=SECONDARY_BUTTON_CLASS attr:aria-label="Next month">"›"</A>
            <a href=format!("/api/expenses/export?month={key}") download=format!("expenses-{key}.csv") class=SECONDARY_BUTTON_CLASS>
                "Export CSV"
            </a>
        </PageHeader>
        <div class="grid gap-4 lg:grid-cols-[1fr_1fr]">
            <Card title="Add an expense">
                <ActionForm action=save attr:class="grid gap-2 sm:grid-cols-2" attr:aria-label="Add an expense">
                    <div>
                        <label for="expense-amount" class="block text-sm font-medium">"Amount"</label>
                        <input id="expense-amount" name="amount" inputmode="decimal" placeholder="12.50" class=INPUT_CLASS required aria-describedby="expense-amount-error" value=sent.value("amount", "")/>
                        <FieldMessage id="expense-amount-error".into() error=field_error(add_error, "amount")/>
                    </div>
                    <div>
                        <label for="expense-currency" class="block text-sm font-medium">"Currency"</label>
                        <CurrencySelect id="expense-currency" selected=sent.value("currency", form_currency)/>
                        <FieldMessage id="expense-currency-error".into() error=field_error(add_error, "currency")/>
                    </div>
                    <div>
                        <label for="expense-category" class="block text-sm font-medium">"Category"</label>
                        <CategorySelect id="expense-category" selected=Category::parse(&sent.value("category", "")).unwrap_or(Category::Food)/>
                        <FieldMessage id="expense-category-error".into() error=field_error(add_error, "category")/>
                    </div>
                    <div>
                        <label for="expense-date" class="block text-sm font-medium">"Date"</label>
                        <input id="expense-date" name="date" type="date" value=sent.value("date", today) class=INPUT_CLASS aria-describedby="expense-date-error"/>
                        <FieldMessage id="expense-date-error".into() error=field_error(add_error, "date")/>
                    </div>
                    <div class="sm:col-span-2">
                        <label for="expense-description" class="block text-sm font-medium">"Description"</label>
                        <input id="expense-description" name="description" class=INPUT_CLASS aria-describedby="expense-description-error" value=sent.value("description", "")/>
                        <FieldMessage id="expense-description-error".into() error=field_error(add_error, "description")/>
                    </div>
                    <div class="sm:col-span-2"><FormError error=add_error/></div>
                    <div class="sm:col-span-2 flex justify-end">
                        <button type="submit" class=BUTTON_CLASS disabled=move || save.pending().get()>"Add expense"</button>
                    </div>
                </ActionForm>
            </Card>
            <Card title="By category">
                <p class="mb-3 text-sm text-slate-600 dark:text-slate-400">
                    "Total in " {label} ": "
                    <strong data-testid="month-total">{format!("{main_total} {currency}")}</strong>
                    {other_currencies.iter().map(|(c, t)| format!(" · {t} {c}")).collect::<String>()}
                </p>
                {if by_category.is_empty() {
                    view! { <EmptyState message="No expenses this month yet."/> }.into_any()
                } else {
                    view! {
                        <CategoryChart totals=by_category.clone() currency=currency.clone()/>
                        <table class="mt-3 w-full text-sm" aria-label="Totals by category">
                            <tbody>
                                {by_category.iter().map(|t| view! {
                                    <tr data-category=t.category.as_str()>
                                        <th scope="row" class="py-1 text-left font-normal">
                                            <span class="mr-2 inline-block h-2.5 w-2.5 rounded-full" style=format!("background:{}", t.category.color())></span>
                                            {t.category.as_str()}
                                        </th>
                                        <td class="py-1 text-right tabular-nums">{format!("{} {}", t.total, t.currency)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </Card>
        </div>
        <h2 class="mb-2 mt-6 text-lg font-semibold">"All expenses"</h2>
        {if rows.is_empty() {
            view! { <EmptyState message="Nothing spent this month. Add an expense above."/> }.into_any()
        } else {
            view! {
                <ul class="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900" aria-label="Expenses">
                    {rows.into_iter().map(|e| {
                        if editing.get_untracked() == Some(e.id) {
                            view! { <ExpenseEditor expense=e save=save here=here.clone()/> }.into_any()
                        } else {
                            view! { <ExpenseItem expense=e delete=delete here=here.clone()/> }.into_any()
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn CurrencySelect(id: &'static str, selected: String) -> impl IntoView {
    view! {
        <select id=id name="currency" class=INPUT_CLASS>
            {CURRENCIES.iter().map(|c| view! { <option value=*c selected=*c == selected>{*c}</option> }).collect_view()}
        </select>
    }
}

#[component]
fn CategorySelect(id: &'static str, selected: Category) -> impl IntoView {
    view! {
        <select id=id name="category" class=INPUT_CLASS>
            {Category::ALL.into_iter().map(|c| view! { <option value=c.as_str() selected=c == selected>{c.as_str()}</option> }).collect_view()}
        </select>
    }
}

#[component]
fn ExpenseItem(
    expense: Expense,
    delete: ServerAction<DeleteExpense>,
    here: String,
) -> impl IntoView {
    let label = if expense.description.is_empty() {
        expense.category.as_str().to_owned()
    } else {
        expense.description.clone()
    };
    view! {
        <li class="flex flex-wrap items-center gap-3 px-4 py-3" data-expense-id=expense.id>
            <span class="w-24 text-sm text-slate-500 tabular-nums">{expense.date.format("%a %b %-d").to_string()}</span>
            <span class="min-w-0 flex-1 truncate">{label.clone()}</span>
            <span class="rounded px-1.5 text-xs text-white" style=format!("background:{}", expense.category.color())>{expense.category.as_str()}</span>
            <span class="w-28 text-right font-medium tabular-nums">{format!("{} {}", expense.amount, expense.currency)}</span>
            <A href=format!("{here}&edit={}", expense.id) attr:class=SECONDARY_BUTTON_CLASS attr:aria-label=format!("Edit {label}")>"Edit"</A>
            <ActionForm action=delete>
                <input type="hidden" name="id" value=expense.id/>
                <button type="submit" class=DANGER_BUTTON_CLASS aria-label=format!("Delete {label}")>"Delete"</button>
            </ActionForm>
        </li>
    }
}

#[component]
fn ExpenseEditor(expense: Expense, save: ServerAction<SaveExpense>, here: String) -> impl IntoView {
    let error = action_error(save);
    let sent = refused_input::<SaveExpense>(Some(expense.id));
    // Leave edit mode once the save succeeds.
    go_after_success(save, here.clone());
    view! {
        <li class="px-4 py-3">
            <ActionForm action=save attr:class="grid gap-2 sm:grid-cols-3" attr:aria-label="Edit expense">
                <input type="hidden" name="id" value=expense.id/>
                <div>
                    <label for="edit-amount" class="block text-sm font-medium">"Amount"</label>
                    <input id="edit-amount" name="amount" inputmode="decimal" value=sent.value("amount", expense.amount.to_string()) class=INPUT_CLASS required autofocus/>
                    <FieldMessage id="edit-amount-error".into() error=field_error(error, "amount")/>
                </div>
                <div>
                    <label for="edit-currency" class="block text-sm font-medium">"Currency"</label>
                    <CurrencySelect id="edit-currency" selected=sent.value("currency", expense.currency.clone())/>
                </div>
                <div>
                    <label for="edit-category" class="block text-sm font-medium">"Category"</label>
                    <CategorySelect id="edit-category" selected=Category::parse(&sent.value("category", "")).unwrap_or(expense.category)/>
                </div>
                <div>
                    <label for="edit-date" class="block text-sm font-medium">"Date"</label>
                    <input id="edit-date" name="date" type="date" value=sent.value("date", expense.date.to_string()) class=INPUT_CLASS/>
                    <FieldMessage id="edit-date-error".into() error=field_error(error, "date")/>
                </div>
                <div class="sm:col-span-2">
                    <label for="edit-description" class="block text-sm font-medium">"Description"</label>
                    <input id="edit-description" name="description" value=sent.value("description", expense.description.clone()) class=INPUT_CLASS/>
                    <FieldMessage id="edit-description-error".into() error=field_error(error, "description")/>
                </div>
                <div class="sm:col-span-3"><FormError error=error/></div>
                <div class="sm:col-span-3 flex justify-end gap-2">
                    <A href=here attr:class=SECONDARY_BUTTON_CLASS>"Cancel"</A>
                    <button type="submit" class=BUTTON_CLASS>"Save"</button>
                </div>
            </ActionForm>
        </li>
    }
}
