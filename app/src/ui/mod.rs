//! Small building blocks shared by every page: form fields with their errors, notices, layout.

use leptos::prelude::*;

use crate::error::AppError;

/// The error of the last run of an action, if it failed.
pub fn action_error<I, O>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// Goes to `href` once the action succeeds (closing an inline editor).
pub fn go_after_success<I>(action: ServerAction<I>, href: String)
where
    I: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            navigate(&href, Default::default());
        }
    });
}

/// The message for `field` in an error, if any.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field_message(field)))
}

pub const INPUT_CLASS: &str = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100";
pub const BUTTON_CLASS: &str = "inline-flex items-center justify-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-50 dark:focus-visible:ring-offset-slate-900";
pub const SECONDARY_BUTTON_CLASS: &str = "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700";
pub const DANGER_BUTTON_CLASS: &str = "inline-flex items-center justify-center rounded-md border border-red-300 px-3 py-2 text-sm font-medium text-red-700 hover:bg-red-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500 dark:border-red-700 dark:text-red-300 dark:hover:bg-red-950";

/// A labelled input with its error underneath.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: Signal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] step: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-700 dark:text-slate-300">
                {label}
            </label>
            <input
                id=id
                name=name
                type=kind
                class=INPUT_CLASS
                // The attribute for the page as served (and for plain forms), the property
                // for later changes.
                value=value.get_untracked()
                prop:value=move || value.get()
                required=required
                autocomplete=autocomplete
                step=step
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()
            />
            <FieldMessage id=error_id error=error/>
        </div>
    }
}

/// The error text under a field (an empty live region when there is none).
#[component]
pub fn FieldMessage(id: String, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p id=id class="mt-1 min-h-[1.25rem] text-sm text-red-600 dark:text-red-400" aria-live="polite">
            {move || error.get()}
        </p>
    }
}

/// An error that belongs to no single field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|e| {
            view! {
                <p role="alert" class="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
                    {e.to_string()}
                </p>
            }
        })
    }
}

/// A page title with room for actions on the right.
#[component]
pub fn PageHeader(
    title: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="mb-6 flex flex-wrap items-center justify-between gap-3">
            <h1 class="text-2xl font-bold tracking-tight text-slate-900 dark:text-white">{title}</h1>
            <div class="flex flex-wrap items-center gap-2">{children.map(|c| c())}</div>
        </div>
    }
}

/// What a list shows when it has nothing in it.
#[component]
pub fn EmptyState(message: &'static str) -> impl IntoView {
    view! {
        <p class="rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
            {message}
        </p>
    }
}

/// A card section.
#[component]
pub fn Card(#[prop(optional)] title: Option<&'static str>, children: Children) -> impl IntoView {
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
            {title.map(|t| view! { <h2 class="mb-3 text-lg font-semibold text-slate-900 dark:text-white">{t}</h2> })}
            {children()}
        </section>
    }
}

/// What a plain form (no JavaScript) sent when the server refused it: the server sends the
/// browser back with the fields in the URL (`__input`, see the server's `refused_form` layer),
/// so the form can show them again beside the error. Empty when the page was not reached so.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RefusedInput(Option<Vec<(String, String)>>);

impl RefusedInput {
    /// What the form sent as `name`, or `shown` (the record's value) when it was not refused.
    pub fn value(&self, name: &str, shown: impl Into<String>) -> String {
        self.get(name).unwrap_or_else(|| shown.into())
    }

    /// Whether the checkbox `name` was ticked when the form was refused, or `shown`.
    pub fn checked(&self, name: &str, shown: bool) -> bool {
        match &self.0 {
            Some(_) => self.get(name).is_some(),
            None => shown,
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        let fields = self.0.as_ref()?;
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// The input in `encoded` (base64url of the form's fields) if it was sent for the record
    /// `id` (`None`: a new record).
    fn parse(encoded: &str, id: Option<i64>) -> Self {
        use base64::Engine;
        let Ok(form) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded) else {
            return Self(None);
        };
        let fields: Vec<(String, String)> = form_urlencoded::parse(&form).into_owned().collect();
        let sent_for = fields
            .iter()
            .find(|(n, _)| n == "id")
            .and_then(|(_, v)| v.parse::<i64>().ok());
        Self((sent_for == id).then_some(fields))
    }
}

/// The input of a refused plain form for the server function `F` and the record `id` (`None`:
/// the form for a new one), if this page was reached by one.
pub fn refused_input<F: leptos::server_fn::ServerFn>(id: Option<i64>) -> RefusedInput {
    let query = leptos_router::hooks::use_query_map();
    query.with_untracked(|q| match (q.get_str("__path"), q.get_str("__input")) {
        (Some(path), Some(input)) if path == F::PATH => RefusedInput::parse(input, id),
        _ => RefusedInput::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::RefusedInput;
    use base64::Engine;

    fn parse(form: &str, id: Option<i64>) -> RefusedInput {
        RefusedInput::parse(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(form),
            id,
        )
    }

    #[test]
    fn refused_input_gives_what_was_sent_for_its_record_only() {
        let sent = parse("id=7&title=A+%26+B&start=", Some(7));
        assert_eq!(sent.value("title", "old"), "A & B");
        assert_eq!(sent.value("start", "09:00"), "");
        assert_eq!(sent.value("end", "10:00"), "10:00");
        assert!(
            !sent.checked("all_day", true),
            "a box not sent was not ticked"
        );
        let other = parse("id=7&title=x", None);
        assert_eq!(other.value("title", "old"), "old");
        assert!(other.checked("all_day", true));
        assert_eq!(parse("title=x", None).value("title", ""), "x");
        assert_eq!(
            RefusedInput::parse("%%%", None).value("title", "old"),
            "old"
        );
    }
}
