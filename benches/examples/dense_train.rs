//! Dense-network training speed beside scikit-learn (`scripts/sklearn_mlp.py`, same workloads,
//! same JSON fields): one thread, CPU time of the training loop only.
//!
//! `cargo run --release -p spikesim-benches --example dense_train -- digits [SEEDS]`
//! `cargo run --release -p spikesim-benches --example dense_train -- synthetic [SAMPLES] [EPOCHS]`
//!
//! - digits: the shipped UCI digits / 16, stratified 20 % test split per seed, 64-100-10 ReLU,
//!   Adam η = 0.001, batch 200, L2 as scikit-learn's α = 1e-4, 200 epochs
//!   (`models::dense::tasks::digits_config`);
//! - synthetic: 784-256-10 ReLU, Adam, batch 200, standard-normal inputs labelled by a random
//!   linear teacher; prints samples per CPU-second.

use models::dense::activations::Activation;
use models::dense::datasets::Dataset;
use models::dense::losses::Loss;
use models::dense::matrix::Matrix;
use models::dense::mlp::{LayerShape, Mlp};
use models::dense::tasks;
use models::dense::training::{TrainConfig, train};
use rand_distr::{Distribution, StandardNormal};
use spikesim_benches::cpu_seconds;
use std::time::Instant;

fn shape(units: usize, activation: Activation) -> LayerShape {
    LayerShape {
        units,
        activation,
        init: None,
    }
}

fn timed(name: &str, mlp: &mut Mlp, data: &Dataset, cfg: &TrainConfig) -> (f64, f64) {
    let (c0, w0) = (cpu_seconds(), Instant::now());
    train(name, mlp, data, None, cfg, &mut |_| {}).expect("training");
    (cpu_seconds() - c0, w0.elapsed().as_secs_f64())
}

fn main() {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("one-thread pool");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: usize| -> usize {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    };
    match args.first().map_or("digits", String::as_str) {
        "digits" => {
            for seed in 0..arg(1, 3) as u64 {
                let (train_set, test) = tasks::digits_split(seed);
                let cfg = tasks::digits_config(200, seed);
                let mut mlp = Mlp::new(
                    "digits",
                    64,
                    &[shape(100, Activation::Relu), shape(10, Activation::Softmax)],
                    Loss::CrossEntropy,
                    seed,
                )
                .expect("model");
                let (cpu, wall) = timed("digits", &mut mlp, &train_set, &cfg);
                let acc = mlp.evaluate(&test).accuracy.unwrap_or(0.0);
                println!(
                    "{{\"simulator\": \"spikesim\", \"workload\": \"digits\", \"seed\": {seed}, \
                     \"epochs\": 200, \"cpu_s\": {cpu:.4}, \"wall_s\": {wall:.4}, \
                     \"test_accuracy\": {acc:.4}}}"
                );
            }
        }
        "synthetic" => {
            let (n, epochs) = (arg(1, 10_000), arg(2, 5));
            let mut rng = simcore::rng::stream(0, "bench/synthetic");
            let mut normal = |len: usize| -> Vec<f64> {
                (0..len).map(|_| StandardNormal.sample(&mut rng)).collect()
            };
            let x = Matrix::from_vec(n, 784, normal(n * 784)).expect("n × 784");
            let teacher = Matrix::from_vec(784, 10, normal(7840)).expect("784 × 10");
            let scores = models::dense::matrix::product(
                &x,
                models::dense::matrix::Op::N,
                &teacher,
                models::dense::matrix::Op::N,
            );
            let labels = scores.argmax_rows();
            let data = Dataset::classification("synthetic", x, labels, 10).expect("labels");
            let cfg = TrainConfig {
                epochs,
                batch_size: 200,
                l2: 1e-4 / 200.0,
                ..tasks::digits_config(epochs, 0)
            };
            let mut mlp = Mlp::new(
                "synthetic",
                784,
                &[shape(256, Activation::Relu), shape(10, Activation::Softmax)],
                Loss::CrossEntropy,
                0,
            )
            .expect("model");
            let (cpu, wall) = timed("synthetic", &mut mlp, &data, &cfg);
            println!(
                "{{\"simulator\": \"spikesim\", \"workload\": \"synthetic_784_256_10\", \
                 \"samples\": {n}, \"epochs\": {epochs}, \"cpu_s\": {cpu:.4}, \"wall_s\": {wall:.4}, \
                 \"samples_per_cpu_s\": {:.1}}}",
                (n * epochs) as f64 / cpu
            );
        }
        other => {
            eprintln!("unknown workload `{other}` (digits | synthetic)");
            std::process::exit(2);
        }
    }
}
