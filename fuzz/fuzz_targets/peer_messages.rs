//! A batch of Raft messages as a peer sends them (length-prefixed protobuf).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = corekit::raft::transport::decode(bytes::Bytes::copy_from_slice(data));
});
