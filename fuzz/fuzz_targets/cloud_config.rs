//! User data (a #cloud-config, a script, gzip…) decoded, validated and re-indented.
#![no_main]

use corekit::cloudconfig::metadata::Metadata;
use corekit::cloudconfig::{reindent, userdata, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(ud) = userdata::decode("fuzz.yml".into(), data.to_vec()) {
        let md = Metadata::default();
        for mode in [validate::Mode::Validate, validate::Mode::Apply] {
            let _ = validate::validate(&ud, &md, mode);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = reindent::reindent(text);
    }
});
