//! Start-up check that the running CPU supports the instructions the build targets.
//!
//! The workspace is compiled for `x86-64-v3` (see `.cargo/config.toml`): `wide` selects its
//! AVX2/FMA code paths at compile time, so running the binary on a CPU without them would fault
//! with an illegal instruction. [`require_simd`] turns that into a clear error at start-up.

use crate::SimError;

/// What SIMD the build uses, and whether this CPU runs the LIF step's 16-lane AVX-512 form
/// ([`crate::kernels::lif_avx512`], chosen at run time; same bits), for provenance.
pub fn simd_description() -> String {
    let base = if cfg!(all(target_feature = "avx2", target_feature = "fma")) {
        "f32x8 AVX2+FMA"
    } else if cfg!(target_feature = "sse2") {
        "f32x8 as 2×SSE2 (build without target-cpu=x86-64-v3: slower)"
    } else {
        "f32x8 portable fallback"
    };
    #[cfg(target_arch = "x86_64")]
    if crate::kernels::lif_avx512::available() {
        return format!("{base}; LIF step in 16-lane AVX-512F form (run-time choice)");
    }
    base.to_string()
}

/// Fails when the build was compiled for AVX2/FMA and the running CPU lacks them.
pub fn require_simd() -> Result<(), SimError> {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
    {
        let missing: Vec<&str> = [
            ("avx2", std::arch::is_x86_feature_detected!("avx2")),
            ("fma", std::arch::is_x86_feature_detected!("fma")),
        ]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| name)
        .collect();
        if !missing.is_empty() {
            return Err(SimError::Cpu(format!(
                "this build of spikesim targets x86-64-v3 (AVX2+FMA) but the CPU lacks {}; \
                 rebuild without the rustflags in .cargo/config.toml",
                missing.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_machine_passes_the_check() {
        super::require_simd().unwrap();
        assert!(super::simd_description().contains("f32x8"));
    }
}
