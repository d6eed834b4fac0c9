//! SIMD lane width and padded state vectors.
//!
//! Every per-neuron state variable is a [`Padded`] vector: storage is a `Vec<f32x8>`, so it is
//! 32-byte aligned and its length is a multiple of [`LANES`]. Kernels therefore have no tail
//! loop; padding lanes hold inert values (zero input, zero voltage) chosen so they never spike.

use wide::{f32x8, i32x8};

/// Number of f32 lanes in one SIMD vector (`f32x8`, AVX2).
pub const LANES: usize = 8;

/// `n` rounded up to a whole number of lanes.
pub const fn padded_len(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// A per-neuron f32 state vector padded to whole SIMD lanes.
#[derive(Clone, Debug, PartialEq)]
pub struct Padded {
    data: Vec<f32x8>,
    len: usize,
}

impl Padded {
    /// `len` logical elements, all (padding included) set to `value`.
    pub fn filled(len: usize, value: f32) -> Self {
        Self {
            data: vec![f32x8::splat(value); padded_len(len) / LANES],
            len,
        }
    }

    /// Copy of `values`, padding lanes set to `pad`.
    pub fn from_slice(values: &[f32], pad: f32) -> Self {
        let mut p = Self::filled(values.len(), pad);
        p.as_mut_slice()[..values.len()].copy_from_slice(values);
        p
    }

    /// Logical length (number of neurons).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no neurons.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The logical elements.
    pub fn as_slice(&self) -> &[f32] {
        &bytemuck::cast_slice(&self.data)[..self.len]
    }

    /// The logical elements, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut bytemuck::cast_slice_mut(&mut self.data)[..self.len]
    }

    /// All elements including padding (length a multiple of [`LANES`]).
    pub fn padded(&self) -> &[f32] {
        bytemuck::cast_slice(&self.data)
    }

    /// All elements including padding, mutable.
    pub fn padded_mut(&mut self) -> &mut [f32] {
        bytemuck::cast_slice_mut(&mut self.data)
    }

    /// The SIMD vectors.
    pub fn lanes(&self) -> &[f32x8] {
        &self.data
    }

    /// The SIMD vectors, mutable.
    pub fn lanes_mut(&mut self) -> &mut [f32x8] {
        &mut self.data
    }
}

/// First non-finite value among named state vectors, as `(neuron index, variable name)`;
/// the scan every neuron model's `find_non_finite` performs.
pub fn first_non_finite<'a>(
    vars: impl IntoIterator<Item = (&'static str, &'a Padded)>,
) -> Option<(usize, &'static str)> {
    vars.into_iter()
        .find_map(|(name, x)| position_non_finite(x.as_slice()).map(|i| (i, name)))
}

/// Index of the first NaN or infinity in `x`. Blocks of 64 values are reduced without an
/// early exit, which the compiler vectorises (a plain `position` tests one value at a time);
/// only a block holding one is searched value by value. The simulator's periodic non-finite
/// check scans all state with it.
pub fn position_non_finite(x: &[f32]) -> Option<usize> {
    const BLOCK: usize = 64;
    x.chunks(BLOCK).enumerate().find_map(|(b, block)| {
        let bad = block.iter().fold(false, |bad, v| bad | !v.is_finite());
        bad.then(|| b * BLOCK + block.iter().position(|v| !v.is_finite()).unwrap_or(0))
    })
}

/// The ids `first, first + 1, …, first + 7` of the neurons in the lanes of one vector.
#[inline(always)]
pub fn lane_ids(first: u32) -> i32x8 {
    i32x8::splat(first as i32) + i32x8::from([0, 1, 2, 3, 4, 5, 6, 7])
}

/// The lane permutation that moves the lanes set in a mask to the front, in lane order (the
/// other lanes get unspecified values): the core of branch-free compaction in SIMD kernels
/// (spike output, lists of lanes that need more work). One table lookup, then one AVX2
/// `vpermps`/`vpermd` per vector permuted.
#[derive(Clone, Copy, Debug)]
pub struct LeftPack {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
    idx: safe_arch::m256i,
    #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
    idx: [usize; LANES],
}

impl LeftPack {
    /// The permutation for the lanes set in the low eight bits of `mask`.
    #[inline(always)]
    pub fn new(mask: u32) -> Self {
        let nibbles = PACK[(mask & 0xff) as usize];
        #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
        {
            // Lane l's index is nibble l; the permutations read only its low three bits.
            let idx = i32x8::splat(nibbles as i32) >> i32x8::from([0, 4, 8, 12, 16, 20, 24, 28]);
            Self {
                idx: bytemuck::cast(idx),
            }
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
        Self {
            idx: std::array::from_fn(|l| ((nibbles >> (4 * l)) & 7) as usize),
        }
    }

    /// `x` permuted.
    #[inline(always)]
    pub fn f32s(self, x: f32x8) -> f32x8 {
        #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
        {
            let x = bytemuck::cast::<f32x8, safe_arch::m256>(x);
            bytemuck::cast(safe_arch::shuffle_av_f32_all_m256(x, self.idx))
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
        {
            let x = x.to_array();
            f32x8::from(self.idx.map(|i| x[i]))
        }
    }

    /// `x` permuted (as bits, by [`f32s`](Self::f32s): a lane permutation moves bits).
    #[inline(always)]
    pub fn i32s(self, x: i32x8) -> i32x8 {
        bytemuck::cast(self.f32s(bytemuck::cast(x)))
    }
}

/// For each 8-bit mask, the indices of its set lanes in order, one per 4-bit nibble (lowest
/// nibble first; unused nibbles 0).
const PACK: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut mask = 0;
    while mask < 256 {
        let (mut packed, mut n, mut lane) = (0u32, 0, 0);
        while lane < 8 {
            if mask & (1 << lane) != 0 {
                packed |= (lane as u32) << (4 * n);
                n += 1;
            }
            lane += 1;
        }
        table[mask] = packed;
        mask += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_non_finite_is_the_first_nan_or_infinity() {
        for n in [0usize, 1, 7, 63, 64, 65, 130, 1000] {
            let clean: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 3.0).collect();
            assert_eq!(position_non_finite(&clean), None, "n {n}");
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                for at in [0, n / 3, n.saturating_sub(1), 63, 64] {
                    if at >= n {
                        continue;
                    }
                    let mut x = clean.clone();
                    x[at] = bad;
                    if at + 5 < n {
                        x[at + 5] = f32::NAN; // a later one does not count
                    }
                    assert_eq!(position_non_finite(&x), Some(at), "n {n}, at {at}, {bad}");
                }
            }
        }
    }

    #[test]
    fn left_pack_moves_the_set_lanes_to_the_front_in_order() {
        let ids = i32x8::from([10, 11, 12, 13, 14, 15, 16, 17]);
        let t = f32x8::from([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
        for mask in 0..256u32 {
            let p = LeftPack::new(mask | 0x100); // bits above the eighth are ignored
            let (pi, pt) = (p.i32s(ids).to_array(), p.f32s(t).to_array());
            let set = (0..LANES).filter(|l| mask & (1 << l) != 0);
            for (k, l) in set.enumerate() {
                assert_eq!(pi[k], 10 + l as i32, "mask {mask:#010b}");
                assert_eq!(pt[k], l as f32 + 0.5, "mask {mask:#010b}");
            }
        }
    }

    #[test]
    fn padding_rounds_up_to_lanes() {
        for (n, p) in [(0, 0), (1, 8), (7, 8), (8, 8), (9, 16), (1023, 1024)] {
            assert_eq!(padded_len(n), p);
            let v = Padded::filled(n, 2.0);
            assert_eq!(v.len(), n);
            assert_eq!(v.padded().len(), p);
        }
    }

    #[test]
    fn first_non_finite_names_variable_and_index() {
        let a = Padded::from_slice(&[1.0, 2.0], 0.0);
        let b = Padded::from_slice(&[0.0, 3.0, f32::INFINITY], 0.0);
        assert_eq!(first_non_finite([("a", &a), ("b", &b)]), Some((2, "b")));
        assert_eq!(first_non_finite([("a", &a)]), None);
    }

    #[test]
    fn from_slice_keeps_values_and_pads() {
        let v = Padded::from_slice(&[1.0, 2.0, 3.0], -1.0);
        assert_eq!(v.as_slice(), &[1.0, 2.0, 3.0]);
        assert_eq!(&v.padded()[3..], &[-1.0; 5]);
    }
}
