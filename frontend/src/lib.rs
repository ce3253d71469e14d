//! The browser entry: hydrates the server-rendered page with the same components.

use any_spawner::Executor;
use leptos::tachys::dom::body;
use leptos::task::spawn_local;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are lazily loaded chunks of the bundle, so hydration waits for the current page's
    // chunk. An error here only means the executor was already set up.
    let _ = Executor::init_wasm_bindgen();
    spawn_local(async {
        leptos::mount::hydrate_from_async(body(), app::App)
            .await
            .forget();
        // Lets browser tests (and styles) know the page is interactive.
        let _ = body().set_attribute("data-hydrated", "true");
    });
}
