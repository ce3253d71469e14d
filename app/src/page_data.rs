//! Data a page loads while the server renders it and the browser picks up when it hydrates.
//!
//! Leptos's default resource codec reads the embedded data with `serde_json::from_str`, while
//! server functions read their replies with `serde_json::from_slice`. The two readers are
//! different types, so the browser bundle carried every result type's deserializer twice.
//! [`Json`] reads the embedded data through the same byte reader as server functions, and so
//! does [`read_json`], which the browser's other JSON (the chat stream) goes through.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::{Serialize, de::DeserializeOwned};

/// JSON, read from bytes like a server function's reply.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        read_json(text)
    }
}

/// Reads JSON text with the reader server functions use (see the module's documentation).
pub fn read_json<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_slice(text.as_bytes())
}

/// A page's data: loaded by `fetch` whenever `source` changes, first on the server.
pub type PageData<T> = Resource<T, Json>;

/// Starts loading a page's data (see [`PageData`]).
#[track_caller]
pub fn page_data<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageData<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetch, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_encoded_decodes_to_the_same_value() {
        let value: Result<Vec<(String, i64)>, String> = Ok(vec![("café \"au lait\"".into(), -3)]);
        let text = <Json as Encoder<_>>::encode(&value).unwrap();
        let back: Result<Vec<(String, i64)>, String> = <Json as Decoder<_>>::decode(&text).unwrap();
        assert_eq!(back, value);
        assert!(<Json as Decoder<Vec<i64>>>::decode("{\"not\": \"a list\"}").is_err());
    }
}
