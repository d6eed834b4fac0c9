//! Compressed sparse rows of synapses, one row per presynaptic neuron.
//!
//! A row holds the row's targets in ascending order (so delivery partitioned by target finds
//! its part of a row by binary search, and walks it in one fixed order). Weights and delays are
//! stored per synapse only when they vary: a projection with one weight and one delay costs
//! 4 bytes per synapse (the target index), per-synapse weights add 4 bytes, per-synapse delays
//! 2 bytes (`u16` steps). Row offsets add 8 bytes per presynaptic neuron.

/// Synaptic weights of a projection.
#[derive(Clone, Debug, PartialEq)]
pub enum Weights {
    /// One weight for every synapse.
    Uniform(f32),
    /// One weight per synapse, in CSR order.
    PerSynapse(Vec<f32>),
}

/// Synaptic delays of a projection, in whole steps (≥ 1).
#[derive(Clone, Debug, PartialEq)]
pub enum Delays {
    /// One delay for every synapse.
    Uniform(u16),
    /// One delay per synapse, in CSR order.
    PerSynapse(Vec<u16>),
}

/// Synapses from `n_pre` source neurons to `n_post` targets, as CSR rows per source.
#[derive(Clone, Debug, PartialEq)]
pub struct Csr {
    n_pre: usize,
    n_post: usize,
    offsets: Vec<usize>,
    targets: Vec<u32>,
    weights: Weights,
    delays: Delays,
}

/// One presynaptic neuron's synapses.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    /// Targets, ascending.
    pub targets: &'a [u32],
    /// Per-synapse weights (None: the projection's uniform weight).
    pub weights: Option<&'a [f32]>,
    /// Per-synapse delays in steps (None: the projection's uniform delay).
    pub delays: Option<&'a [u16]>,
}

impl Csr {
    /// Assembles a CSR from its parts. `offsets` has `n_pre + 1` ascending entries ending at
    /// `targets.len()`; per-synapse weights/delays have `targets.len()` entries; targets are
    /// `< n_post` and ascending within each row. Panics when these invariants fail (they are
    /// the builder's, never user input's: the builder validates user data first).
    pub fn from_parts(
        n_pre: usize,
        n_post: usize,
        offsets: Vec<usize>,
        targets: Vec<u32>,
        weights: Weights,
        delays: Delays,
    ) -> Self {
        assert_eq!(offsets.len(), n_pre + 1);
        assert_eq!(*offsets.last().unwrap_or(&0), targets.len());
        if let Weights::PerSynapse(w) = &weights {
            assert_eq!(w.len(), targets.len());
        }
        if let Delays::PerSynapse(d) = &delays {
            assert_eq!(d.len(), targets.len());
            assert!(d.iter().all(|&d| d >= 1));
        }
        if let Delays::Uniform(d) = delays {
            assert!(d >= 1);
        }
        debug_assert!(offsets.windows(2).all(|w| w[0] <= w[1]));
        debug_assert!(offsets.windows(2).all(|w| {
            let row = &targets[w[0]..w[1]];
            row.windows(2).all(|p| p[0] <= p[1]) && row.iter().all(|&t| (t as usize) < n_post)
        }));
        Self {
            n_pre,
            n_post,
            offsets,
            targets,
            weights,
            delays,
        }
    }

    /// Number of presynaptic neurons (rows).
    pub fn n_pre(&self) -> usize {
        self.n_pre
    }

    /// Number of postsynaptic neurons.
    pub fn n_post(&self) -> usize {
        self.n_post
    }

    /// Number of synapses.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// True when there are no synapses.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Row offsets (`n_pre + 1` entries).
    pub fn offsets(&self) -> &[usize] {
        &self.offsets
    }

    /// All targets in CSR order.
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }

    /// The weights.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// The delays, in steps.
    pub fn delays(&self) -> &Delays {
        &self.delays
    }

    /// Largest delay in steps (1 for an empty projection).
    pub fn max_delay(&self) -> u16 {
        match &self.delays {
            Delays::Uniform(d) => *d,
            Delays::PerSynapse(d) => d.iter().copied().max().unwrap_or(1),
        }
    }

    /// Smallest delay in steps (the projection's share of the network's minimum delay).
    pub fn min_delay(&self) -> u16 {
        match &self.delays {
            Delays::Uniform(d) => *d,
            Delays::PerSynapse(d) => d.iter().copied().min().unwrap_or(u16::MAX),
        }
    }

    /// The synapses of presynaptic neuron `i`.
    #[inline]
    pub fn row(&self, i: usize) -> Row<'_> {
        let (a, b) = (self.offsets[i], self.offsets[i + 1]);
        Row {
            targets: &self.targets[a..b],
            weights: match &self.weights {
                Weights::Uniform(_) => None,
                Weights::PerSynapse(w) => Some(&w[a..b]),
            },
            delays: match &self.delays {
                Delays::Uniform(_) => None,
                Delays::PerSynapse(d) => Some(&d[a..b]),
            },
        }
    }

    /// Weight of synapse `s` (CSR index).
    pub fn weight(&self, s: usize) -> f32 {
        match &self.weights {
            Weights::Uniform(w) => *w,
            Weights::PerSynapse(w) => w[s],
        }
    }

    /// The row offsets and targets with the weights for in-place modification (plasticity).
    /// A uniform weight is first expanded into one weight per synapse.
    pub fn weights_mut_with_rows(&mut self) -> (&[usize], &[u32], &mut [f32]) {
        if let Weights::Uniform(w) = self.weights {
            self.weights = Weights::PerSynapse(vec![w; self.targets.len()]);
        }
        let w: &mut [f32] = match &mut self.weights {
            Weights::PerSynapse(w) => w,
            Weights::Uniform(_) => &mut [],
        };
        (&self.offsets, &self.targets, w)
    }

    /// Delay of synapse `s` (CSR index), in steps.
    pub fn delay(&self, s: usize) -> u16 {
        match &self.delays {
            Delays::Uniform(d) => *d,
            Delays::PerSynapse(d) => d[s],
        }
    }

    /// Heap bytes held by the synapse arrays (targets, per-synapse weights and delays).
    pub fn synapse_bytes(&self) -> usize {
        let w = match &self.weights {
            Weights::Uniform(_) => 0,
            Weights::PerSynapse(w) => w.len() * size_of::<f32>(),
        };
        let d = match &self.delays {
            Delays::Uniform(_) => 0,
            Delays::PerSynapse(d) => d.len() * size_of::<u16>(),
        };
        self.targets.len() * size_of::<u32>() + w + d
    }

    /// Heap bytes including the row offsets.
    pub fn bytes(&self) -> usize {
        self.synapse_bytes() + self.offsets.len() * size_of::<usize>()
    }

    /// Synapse bytes per synapse (0 for an empty projection).
    pub fn bytes_per_synapse(&self) -> f64 {
        if self.is_empty() {
            0.0
        } else {
            self.synapse_bytes() as f64 / self.len() as f64
        }
    }

    /// Number of synapses onto each postsynaptic neuron.
    pub fn in_degrees(&self) -> Vec<u32> {
        let mut k = vec![0u32; self.n_post];
        for &t in &self.targets {
            k[t as usize] += 1;
        }
        k
    }

    /// `(pre, post)` of every synapse in CSR order.
    pub fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.n_pre).flat_map(move |i| {
            self.targets[self.offsets[i]..self.offsets[i + 1]]
                .iter()
                .map(move |&t| (i as u32, t))
        })
    }
}
