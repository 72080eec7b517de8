//! `/v2/auth` bodies and `Authorization` headers, decoded as the server decodes them.
#![no_main]

use corekit::auth::role::RoleRequest;
use corekit::auth::user::UserRequest;
use corekit::auth::{Auth, Change, access, json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = access::basic(data);
    let mut a = Auth::default();
    if let Some(request) = json::decode::<UserRequest>(data) {
        let _ = a.apply(Change::PutUser { request, hash: Some("h".into()) });
    }
    if let Some(request) = json::decode::<RoleRequest>(data) {
        let _ = a.apply(Change::PutRole { request });
        let _ = a.show_roles();
    }
});
