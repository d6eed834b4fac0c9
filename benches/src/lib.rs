//! # spikesim-benches — the workloads the criterion benches time
//!
//! Each workload is built here with the same parameters as the peer scripts in
//! `../shared/peers/common.py`, so spikesim and NEST/Brian2/Nengo are timed on the same network.
#![deny(missing_docs)]

pub mod lif_pop;
