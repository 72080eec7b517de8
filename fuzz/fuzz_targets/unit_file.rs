//! A unit file, parsed as unit-run parses one (sections, continuations, Exec lines, specifiers).
#![no_main]

use corekit::unit::name::UnitName;
use corekit::unit::specifier::SpecifierContext;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["fuzz.service", "fuzz@inst.service"] {
        let ctx = SpecifierContext::new(UnitName::parse(name).unwrap());
        let _ = corekit::unit::service::parse_unit(name, name, text, &ctx);
    }
});
