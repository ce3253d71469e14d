//! `X-Twilio-Signature`: an HMAC-SHA1, keyed by the account's auth token, over the URL Twilio
//! requested followed by every posted parameter (names sorted, each name then its value). The
//! URL is accepted with or without its default port, as Twilio's own libraries do. JSON
//! bodies are signed through a `bodySHA256` query parameter instead of parameters.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

type HmacSha1 = Hmac<Sha1>;

/// The signature Twilio sends for a form POST to `url` with `params`.
pub fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac(auth_token, url, params).finalize().into_bytes())
}

/// Whether `signature` is Twilio's for a form POST to `url` with `params` (compared in
/// constant time).
pub fn is_valid_form(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    signature: &str,
) -> bool {
    let Ok(expected) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    // Every variant is checked, so the time taken does not tell which one came close.
    url_variants(url)
        .iter()
        .map(|u| mac(auth_token, u, params).verify_slice(&expected).is_ok())
        .fold(false, |any, ok| any | ok)
}

/// Whether `signature` is Twilio's for a JSON `body` POSTed to `url`, which must carry the
/// body's SHA-256 as `bodySHA256`.
pub fn is_valid_json(auth_token: &str, url: &str, body: &[u8], signature: &str) -> bool {
    let Some(claimed) = query_value(url, "bodySHA256") else {
        return false;
    };
    let actual = hex::encode(Sha256::digest(body));
    is_valid_form(auth_token, url, &[], signature) & (claimed == actual)
}

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> HmacSha1 {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    // Names by byte order; a repeated name's values sorted too.
    sorted.sort();
    let mut mac =
        HmacSha1::new_from_slice(auth_token.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    mac
}

/// The URL with its default port added, and with any port removed; each also with a quote
/// escaped or not (`'` and `%27` are the same to Twilio).
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = Vec::with_capacity(4);
    for u in [with_port(url), without_port(url)] {
        if u.contains('\'') {
            variants.push(u.replace('\'', "%27"));
        }
        if u.contains("%27") {
            variants.push(u.replace("%27", "'"));
        }
        variants.push(u);
    }
    variants
}

/// `(scheme://, authority, rest)`; `None` for what is not an absolute http(s) URL.
fn split(url: &str) -> Option<(&str, &str, &str)> {
    let scheme_end = url.find("://")? + 3;
    let after = &url[scheme_end..];
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    Some((&url[..scheme_end], &after[..end], &after[end..]))
}

/// Where the authority's port begins (its `:`), if it has one.
fn port_at(authority: &str) -> Option<usize> {
    let colon = authority.rfind(':')?;
    let host_ends = authority.rfind(']').map_or(0, |b| b + 1);
    (colon >= host_ends && authority[colon + 1..].chars().all(|c| c.is_ascii_digit()))
        .then_some(colon)
}

fn with_port(url: &str) -> String {
    let Some((scheme, authority, rest)) = split(url) else {
        return url.to_owned();
    };
    if port_at(authority).is_some() {
        return url.to_owned();
    }
    let port = if scheme.eq_ignore_ascii_case("https://") {
        "443"
    } else {
        "80"
    };
    format!("{scheme}{authority}:{port}{rest}")
}

fn without_port(url: &str) -> String {
    let Some((scheme, authority, rest)) = split(url) else {
        return url.to_owned();
    };
    match port_at(authority) {
        Some(colon) => format!("{scheme}{}{rest}", &authority[..colon]),
        None => url.to_owned(),
    }
}

fn query_value<'u>(url: &'u str, name: &str) -> Option<&'u str> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "12345";
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const BODY: &[u8] = br#"{"property": "value", "boolean": true}"#;
    const BODY_HASH: &str = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";

    fn params() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
    }

    #[test]
    fn v1_the_library_vector() {
        assert_eq!(sign(TOKEN, URL, &params()), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
        assert!(is_valid_form(
            TOKEN,
            URL,
            &params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn v2_v3_a_signature_made_with_the_default_port_is_valid_without_it() {
        let with_443 = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        assert_eq!(
            sign(TOKEN, with_443, &params()),
            "kvajT1Ptam85bY51eRf/AJRuM3w="
        );
        assert!(is_valid_form(
            TOKEN,
            URL,
            &params(),
            "kvajT1Ptam85bY51eRf/AJRuM3w="
        ));
        let http = "http://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            sign(
                TOKEN,
                "http://mycompany.com:80/myapp.php?foo=1&bar=2",
                &params()
            ),
            "0ZXoZLH/DfblKGATFgpif+LLRf4="
        );
        assert!(is_valid_form(
            TOKEN,
            http,
            &params(),
            "0ZXoZLH/DfblKGATFgpif+LLRf4="
        ));
    }

    #[test]
    fn v4_v5_other_ports() {
        let http_1234 = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
        assert_eq!(
            sign(TOKEN, http_1234, &params()),
            "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="
        );
        assert!(is_valid_form(
            TOKEN,
            http_1234,
            &params(),
            "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="
        ));
        // Arrived with a port; valid because the port-less URL was signed.
        assert!(is_valid_form(
            TOKEN,
            "https://mycompany.com:1234/myapp.php?foo=1&bar=2",
            &params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn v6_repeated_names_sort_their_values() {
        let params: Vec<(String, String)> = [
            ("Sid", "CA123"),
            ("SidAccount", "AC123"),
            ("Digits", "5678"),
            ("Digits", "1234"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(sign(TOKEN, URL, &params), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
        assert!(is_valid_form(
            TOKEN,
            URL,
            &params,
            "IK+Dwps556ElfBT0I3Rgjkr1wJU="
        ));
    }

    #[test]
    fn v7_v8_json_bodies_are_signed_through_their_hash() {
        let v7 = format!("{URL}&bodySHA256={BODY_HASH}");
        assert!(is_valid_json(
            TOKEN,
            &v7,
            BODY,
            "a9nBmqA0ju/hNViExpshrM61xv4="
        ));
        let v8 = format!("https://mycompany.com/myapp.php?bodySHA256={BODY_HASH}");
        assert!(is_valid_json(
            TOKEN,
            &v8,
            BODY,
            "y77kIzt2vzLz71DgmJGsen2scGs="
        ));
        assert!(
            !is_valid_json(TOKEN, &v8, b"{}", "y77kIzt2vzLz71DgmJGsen2scGs="),
            "another body"
        );
    }

    #[test]
    fn v9_a_json_body_without_its_hash_is_refused() {
        assert!(!is_valid_json(
            TOKEN,
            URL,
            BODY,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn a_realistic_inbound_sms() {
        let sid = "SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
        let params: Vec<(String, String)> = [
            ("AccountSid", "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
            ("ApiVersion", "2010-04-01"),
            ("Body", "Hello world"),
            ("From", "+14155550100"),
            ("MessageSid", sid),
            ("NumMedia", "0"),
            ("NumSegments", "1"),
            ("SmsMessageSid", sid),
            ("SmsSid", sid),
            ("SmsStatus", "received"),
            ("To", "+14155550199"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        assert!(is_valid_form(
            TOKEN,
            "https://example.com/sms",
            &params,
            "2jnAcVqanmekWZ/I250qrYDMLbU="
        ));
    }

    #[test]
    fn forged_tampered_and_malformed_signatures_are_refused() {
        let good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        assert!(!is_valid_form("54321", URL, &params(), good), "other token");
        let mut tampered = params();
        tampered[2].1 = "9999".into();
        assert!(!is_valid_form(TOKEN, URL, &tampered, good), "other digits");
        let mut added = params();
        added.push(("Extra".into(), "x".into()));
        assert!(
            !is_valid_form(TOKEN, URL, &added, good),
            "a parameter added"
        );
        assert!(
            !is_valid_form(
                TOKEN,
                "https://mycompany.com/other.php?foo=1&bar=2",
                &params(),
                good
            ),
            "another URL"
        );
        assert!(!is_valid_form(TOKEN, URL, &params(), ""), "empty");
        assert!(
            !is_valid_form(TOKEN, URL, &params(), "not base64!"),
            "garbage"
        );
    }

    #[test]
    fn quotes_escaped_or_not_are_the_same_url() {
        let plain = "https://mycompany.com/myapp.php?test=param'WithQuote";
        let escaped = "https://mycompany.com/myapp.php?test=param%27WithQuote";
        assert!(is_valid_form(TOKEN, escaped, &[], &sign(TOKEN, plain, &[])));
        assert!(is_valid_form(TOKEN, plain, &[], &sign(TOKEN, escaped, &[])));
    }

    #[test]
    fn ports_are_found_only_after_the_host() {
        assert_eq!(
            without_port("http://[::1]:8080/x?a=b"),
            "http://[::1]/x?a=b"
        );
        assert_eq!(with_port("http://[::1]/x"), "http://[::1]:80/x");
        assert_eq!(with_port("https://h.example/x"), "https://h.example:443/x");
    }
}
