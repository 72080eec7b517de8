//! A `/v2/keys` request as the server checks it: method, escaped path, query and form body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let method = ["GET", "PUT", "POST", "DELETE", "HEAD"][data.first().map_or(0, |b| *b as usize % 5)];
    let rest = data.get(1..).unwrap_or(&[]);
    let mut parts = rest.splitn(3, |&b| b == 0);
    let path = String::from_utf8_lossy(parts.next().unwrap_or(&[]));
    let query = parts.next().unwrap_or(&[]);
    let body = parts.next().unwrap_or(&[]);
    let _ = corekit::api::keys::check_request(method, &format!("/v2/keys{path}"), query, body);
    let _ = corekit::api::form::unescape_path(&path);
});
