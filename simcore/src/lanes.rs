//! SIMD lane width and padded state vectors.
//!
//! Every per-neuron state variable is a [`Padded`] vector: storage is a `Vec<f32x8>`, so it is
//! 32-byte aligned and its length is a multiple of [`LANES`]. Kernels therefore have no tail
//! loop; padding lanes hold inert values (zero input, zero voltage) chosen so they never spike.

use wide::f32x8;

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
    vars.into_iter().find_map(|(name, x)| {
        x.as_slice()
            .iter()
            .position(|v| !v.is_finite())
            .map(|i| (i, name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
