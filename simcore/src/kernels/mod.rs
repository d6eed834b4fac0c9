//! Per-step integration kernels. Each kernel has a scalar reference (`*_scalar`) beside its
//! `wide` f32x8 version; tests compare them on awkward sizes and random parameters.

pub mod hh;
pub mod lif;
#[cfg(target_arch = "x86_64")]
pub mod lif_avx512;
pub mod lif_coba;
pub mod mathf;
pub mod psc;
