//! The incoming synapses of each postsynaptic neuron: a transposed index into a [`Csr`].
//!
//! Spike delivery walks CSR rows (one per presynaptic neuron). Rules that act when a
//! *postsynaptic* neuron spikes (STDP potentiation) need the synapses onto that neuron; this
//! index lists them, per target, as CSR synapse indices in CSR order (so ascending source, and
//! for multapses ascending position in the row). It is built by a counting sort in one pass,
//! deterministic and independent of any thread count. Memory: 12 bytes per synapse plus
//! 8 bytes per target.

use super::Csr;

/// Synapses onto each postsynaptic neuron of a CSR (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    offsets: Vec<usize>,
    sources: Vec<u32>,
    synapses: Vec<usize>,
}

impl Incoming {
    /// The transposed index of `csr`.
    pub fn new(csr: &Csr) -> Self {
        let n_post = csr.n_post();
        let mut offsets = vec![0usize; n_post + 1];
        for &t in csr.targets() {
            offsets[t as usize + 1] += 1;
        }
        for j in 0..n_post {
            offsets[j + 1] += offsets[j];
        }
        let mut fill = offsets[..n_post].to_vec();
        let mut sources = vec![0u32; csr.len()];
        let mut synapses = vec![0usize; csr.len()];
        let rows = csr.offsets();
        for i in 0..csr.n_pre() {
            for s in rows[i]..rows[i + 1] {
                let j = csr.targets()[s] as usize;
                sources[fill[j]] = i as u32;
                synapses[fill[j]] = s;
                fill[j] += 1;
            }
        }
        Self {
            offsets,
            sources,
            synapses,
        }
    }

    /// Number of postsynaptic neurons.
    pub fn n_post(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Sources and CSR synapse indices of the synapses onto neuron `j`, in CSR order.
    #[inline]
    pub fn of(&self, j: usize) -> (&[u32], &[usize]) {
        let (a, b) = (self.offsets[j], self.offsets[j + 1]);
        (&self.sources[a..b], &self.synapses[a..b])
    }

    /// Heap bytes of the index.
    pub fn bytes(&self) -> usize {
        self.offsets.len() * size_of::<usize>()
            + self.sources.len() * size_of::<u32>()
            + self.synapses.len() * size_of::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectivity::{Delays, Weights};

    #[test]
    fn lists_every_synapse_once_under_its_target_in_csr_order() {
        // rows: 0 → {1, 1, 3}, 1 → {}, 2 → {0, 3}
        let csr = Csr::from_parts(
            3,
            4,
            vec![0, 3, 3, 5],
            vec![1, 1, 3, 0, 3],
            Weights::Uniform(1.0),
            Delays::Uniform(1),
        );
        let inc = Incoming::new(&csr);
        assert_eq!(inc.n_post(), 4);
        assert_eq!(inc.of(0), (&[2u32][..], &[3usize][..]));
        assert_eq!(inc.of(1), (&[0u32, 0][..], &[0usize, 1][..]));
        assert_eq!(inc.of(2), (&[][..], &[][..]));
        assert_eq!(inc.of(3), (&[0u32, 2][..], &[2usize, 4][..]));
    }
}
