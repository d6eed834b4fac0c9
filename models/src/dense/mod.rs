//! Dense (fully connected) rate networks that share their rate functions with the spiking
//! neurons, so a trained network runs as spiking LIF populations.
//!
//! Layout:
//! - [`matrix`]: row-major `f64` matrices whose products go through faer;
//! - [`activations`]: activation functions and their derivatives, including simcore's LIF rate
//!   curve `G(J)` and the soft LIF of Hunsberger & Eliasmith (2015);
//! - [`gradcheck`]: backprop against central finite differences;
//! - [`losses`]: mean squared error, softmax cross-entropy, binary cross-entropy;
//! - [`layers`]: a dense layer `A = f(X·W + b)` with Glorot/He initialisation and backprop;
//! - [`optimisers`]: SGD, momentum, Adam, with L2/L1 penalties;
//! - [`training`]: mini-batch training with dropout, early stopping and per-epoch history;
//! - [`datasets`]: XOR, two spirals, concentric circles, the UCI 8×8 digits, CSV loading;
//! - [`mlp`], [`perceptron`], [`autoencoder`], [`hopfield`]: the models;
//! - [`io`]: models as plain data (for the HDF5 writer in `cli`);
//! - [`tasks`]: the reference experiments behind the acceptance figures;
//! - [`spiking`]: running a trained network as spiking LIF populations.
//!
//! Conventions: a batch is a matrix with one sample per row; a layer maps `n_in` features to
//! `n_out` with weights `W` (`n_in × n_out`) and bias `b` (`n_out`).

pub mod activations;
pub mod autoencoder;
pub mod datasets;
pub mod error;
pub mod gradcheck;
pub mod hopfield;
pub mod io;
pub mod layers;
pub mod losses;
pub mod matrix;
pub mod mlp;
pub mod optimisers;
pub mod perceptron;
pub mod spiking;
pub mod tasks;

pub mod training;

pub use activations::Activation;
pub use error::DenseError;
pub use layers::Dense;
pub use losses::Loss;
pub use matrix::Matrix;
pub use mlp::Mlp;
