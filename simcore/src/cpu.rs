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

/// A warning for builds that do not use the AVX2+FMA code paths although the running CPU has
/// them (built without `.cargo/config.toml`'s flags: `cargo install --git`, `cargo build
/// --manifest-path` from another directory, or `simcore` as another project's dependency).
/// Such a build is slower, and since `wide`'s `mul_add` then rounds twice instead of once, its
/// spike times differ in the last bits from those of a standard build. `None` otherwise.
pub fn build_advice() -> Option<String> {
    let built = cfg!(all(target_feature = "avx2", target_feature = "fma"));
    #[cfg(target_arch = "x86_64")]
    let cpu =
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
    #[cfg(not(target_arch = "x86_64"))]
    let cpu = false;
    advice(built, cpu)
}

/// [`build_advice`] for a build that does (`built`) or does not use AVX2+FMA on a CPU that
/// has (`cpu`) or lacks them.
fn advice(built: bool, cpu: bool) -> Option<String> {
    (!built && cpu).then(|| {
        "this spikesim was built without AVX2+FMA although this CPU has them: it runs \
         slower, and its spike times differ in the last bits from a standard build's. \
         Rebuild from the repository's root (`cargo install --path cli`, which reads \
         .cargo/config.toml), or with RUSTFLAGS=\"-C target-cpu=x86-64-v3\""
            .to_string()
    })
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
    fn builds_without_fma_on_cpus_with_it_are_told_to_rebuild() {
        let told = super::advice(false, true).unwrap();
        assert!(told.contains("x86-64-v3") && told.contains("slower"));
        assert_eq!(super::advice(true, true), None);
        assert_eq!(super::advice(false, false), None);
        // This workspace's own build uses AVX2+FMA (`.cargo/config.toml`).
        assert_eq!(super::build_advice(), None);
    }

    #[test]
    fn this_machine_passes_the_check() {
        super::require_simd().unwrap();
        assert!(super::simd_description().contains("f32x8"));
    }
}
