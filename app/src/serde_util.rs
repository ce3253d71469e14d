//! Small serde helpers shared by the API's input types.

use serde::{Deserialize, Deserializer};

/// Tells a field that is absent (`None`) from one set to `null` (`Some(None)`), for PATCH.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
