//! The browser's side of `/api/chat`: posts a message and hands each event of the reply to
//! the page as it arrives.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Headers, ReadableStreamDefaultReader, Request, RequestCredentials, RequestInit, Response,
    TextDecodeOptions, TextDecoder,
};

use super::model::ChatEvent;
use super::sse::Parser;
use crate::page_data::read_json;

#[derive(serde::Serialize)]
struct Body<'a> {
    message: &'a str,
    conversation_id: Option<i64>,
}

/// The API's error shape, as much of it as the page shows.
#[derive(serde::Deserialize)]
struct Refusal {
    error: RefusalMessage,
}

#[derive(serde::Deserialize)]
struct RefusalMessage {
    message: String,
}

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the connection failed".to_owned())
}

/// Sends `message` and calls `on_event` for every event of the reply until it ends.
pub async fn send(
    message: &str,
    conversation_id: Option<i64>,
    mut on_event: impl FnMut(ChatEvent),
) -> Result<(), String> {
    let body = serde_json::to_string(&Body {
        message,
        conversation_id,
    })
    .map_err(|e| e.to_string())?;
    let headers = Headers::new().map_err(js_error)?;
    headers
        .set("content-type", "application/json")
        .map_err(js_error)?;
    headers
        .set("accept", "text/event-stream")
        .map_err(js_error)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_credentials(RequestCredentials::SameOrigin);
    init.set_body(&JsValue::from_str(&body));
    let request = Request::new_with_str_and_init("/api/chat", &init).map_err(js_error)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    if !response.ok() {
        let text = JsFuture::from(response.text().map_err(js_error)?)
            .await
            .map_err(js_error)?
            .as_string()
            .unwrap_or_default();
        let message = read_json::<Refusal>(&text)
            .map(|r| r.error.message)
            .unwrap_or_else(|_| format!("the server answered {}", response.status()));
        return Err(message);
    }
    let reader: ReadableStreamDefaultReader = response
        .body()
        .ok_or("the reply has no body")?
        .get_reader()
        .dyn_into()
        .map_err(|_| "the reply cannot be read as a stream".to_owned())?;
    let decoder = TextDecoder::new().map_err(js_error)?;
    let options = TextDecodeOptions::new();
    options.set_stream(true);
    let mut parser = Parser::default();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(js_error)?;
        if Reflect::get(&chunk, &"done".into())
            .map_err(js_error)?
            .as_bool()
            .unwrap_or(true)
        {
            return Ok(());
        }
        let bytes: Uint8Array = Reflect::get(&chunk, &"value".into())
            .map_err(js_error)?
            .dyn_into()
            .map_err(js_error)?;
        let text = decoder
            .decode_with_buffer_source_and_options(&bytes, &options)
            .map_err(js_error)?;
        for event in parser.push(&text) {
            on_event(event);
        }
    }
}
