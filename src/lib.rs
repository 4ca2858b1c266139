pub mod raw {
    include!(concat!(env!("OUT_DIR"), "/orum_raw.rs"));
}
pub mod transport;
