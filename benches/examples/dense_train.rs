//! Dense-network training speed and accuracy beside scikit-learn (`scripts/sklearn_mlp.py`,
//! same workloads, same JSON fields): one thread, CPU time of the training loop only.
//!
//! `cargo run --release -p spikesim-benches --example dense_train -- digits [SEEDS] [f32|f64] [SPLIT_DIR]`
//! `cargo run --release -p spikesim-benches --example dense_train -- synthetic [SAMPLES] [EPOCHS]`
//!
//! - digits: the shipped UCI digits / 16, stratified 20 % test split per seed
//!   (`models::dense::tasks::digits_split`), whose test rows are written to
//!   `SPLIT_DIR/digits_seed<k>.txt` (default `target/dense_splits`) so that scikit-learn trains
//!   and tests on exactly the same samples; 64-100-10 ReLU/softmax with scikit-learn's
//!   initialisation, Adam η = 0.001, batch 200, L2 as scikit-learn's α = 1e-4, 200 epochs
//!   (`tasks::digits_layers`, `tasks::digits_config`); training precision f32 (default) or f64.
//!   Ends with a `summary` line: mean and sample standard deviation over the seeds.
//! - synthetic: 784-256-10 ReLU, Adam, batch 200, standard-normal inputs labelled by a random
//!   linear teacher; prints samples per CPU-second.

use models::dense::activations::Activation;
use models::dense::datasets::Dataset;
use models::dense::layers::Init;
use models::dense::losses::Loss;
use models::dense::matrix::Matrix;
use models::dense::mlp::{LayerShape, Mlp};
use models::dense::tasks;
use models::dense::training::{Precision, TrainConfig, train};
use rand_distr::{Distribution, StandardNormal};
use spikesim_benches::cpu_seconds;
use std::time::Instant;

/// A layer with scikit-learn's initialisation.
fn shape(units: usize, activation: Activation) -> LayerShape {
    LayerShape {
        units,
        activation,
        init: Some(Init::Sklearn),
    }
}

fn timed(name: &str, mlp: &mut Mlp, data: &Dataset, cfg: &TrainConfig) -> (f64, f64) {
    let (c0, w0) = (cpu_seconds(), Instant::now());
    train(name, mlp, data, None, cfg, &mut |_| {}).expect("training");
    (cpu_seconds() - c0, w0.elapsed().as_secs_f64())
}

/// Mean and sample standard deviation.
fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

fn digits(seeds: u64, precision: Precision, split_dir: &std::path::Path) {
    if let Err(e) = std::fs::create_dir_all(split_dir) {
        eprintln!("cannot create {}: {e}", split_dir.display());
        std::process::exit(2);
    }
    let (mut accs, mut cpus) = (Vec::new(), Vec::new());
    for seed in 0..seeds {
        let rows: Vec<String> = tasks::digits_test_rows(seed)
            .iter()
            .map(usize::to_string)
            .collect();
        let path = split_dir.join(format!("digits_seed{seed}.txt"));
        if let Err(e) = std::fs::write(&path, rows.join("\n") + "\n") {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(2);
        }
        let (train_set, test) = tasks::digits_split(seed);
        let cfg = TrainConfig {
            precision,
            ..tasks::digits_config(200, seed)
        };
        let mut mlp = Mlp::new(
            "digits",
            64,
            &tasks::digits_layers(),
            Loss::CrossEntropy,
            seed,
        )
        .expect("model");
        let (cpu, wall) = timed("digits", &mut mlp, &train_set, &cfg);
        let acc = mlp.evaluate(&test).accuracy.unwrap_or(0.0);
        accs.push(acc);
        cpus.push(cpu);
        println!(
            "{{\"simulator\": \"spikesim\", \"workload\": \"digits\", \"precision\": \"{}\", \
             \"seed\": {seed}, \"epochs\": 200, \"train\": {}, \"test\": {}, \
             \"cpu_s\": {cpu:.4}, \"wall_s\": {wall:.4}, \"test_accuracy\": {acc:.4}}}",
            precision.name(),
            train_set.len(),
            test.len()
        );
    }
    let ((am, asd), (cm, csd)) = (mean_sd(&accs), mean_sd(&cpus));
    println!(
        "{{\"simulator\": \"spikesim\", \"workload\": \"digits\", \"summary\": true, \
         \"precision\": \"{}\", \"seeds\": {seeds}, \"test_accuracy_mean\": {am:.4}, \
         \"test_accuracy_sd\": {asd:.4}, \"cpu_s_mean\": {cm:.4}, \"cpu_s_sd\": {csd:.4}}}",
        precision.name()
    );
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
            let precision = match args.get(2).map(String::as_str) {
                None | Some("f32") => Precision::F32,
                Some("f64") => Precision::F64,
                Some(other) => {
                    eprintln!("unknown precision `{other}` (f32 | f64)");
                    std::process::exit(2);
                }
            };
            let dir = args.get(3).map_or("target/dense_splits", String::as_str);
            digits(arg(1, 5) as u64, precision, std::path::Path::new(dir));
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
            let cfg = tasks::digits_config(epochs, 0);
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
