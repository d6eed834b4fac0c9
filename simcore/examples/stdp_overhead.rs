//! Cost of STDP: the same network run with plastic (`PlasticDelivery`) and static
//! (`SpikeDelivery`) synapses, wall time of each and their ratio.
//!
//! `cargo run --release -p simcore --example stdp_overhead -- [seconds]`
//!
//! Networks: Poisson sources at 10 Hz → conductance-based LIF targets (E_L −70 mV, threshold
//! −54 mV), additive STDP with Song et al.'s parameters, Δt 0.1 ms:
//! - `song`: 1000 sources → 1 target (all-to-all);
//! - `fan`: 4000 sources → 2000 targets, fixed in-degree 400 (800k synapses).

use std::time::Instant;

use simcore::connectivity::{Connect, Dist, Rule};
use simcore::delivery::{Projection, Receptor, SpikeDelivery};
use simcore::neuron::lif_coba::LifCobaParams;
use simcore::par::Par;
use simcore::plasticity::{PlasticDelivery, StdpParams};
use simcore::sources::{PoissonGenerator, RateTable};
use simcore::{Component, LifCobaPopulation, Population, SimError, Simulator};

fn run(
    n_src: usize,
    n_tgt: usize,
    k: Option<usize>,
    secs: f64,
    plastic: bool,
) -> Result<(f64, u64, u64), SimError> {
    let dt = 1e-4;
    let seed = 5;
    let params = LifCobaParams {
        e_l: -70.0,
        v_th: -54.0,
        v_reset: -60.0,
        t_ref: 0.0,
        e_i: -70.0,
        tau_i: 0.005,
        ..LifCobaParams::default()
    };
    let g_max = 0.015 * params.g_l * 1000.0 / k.unwrap_or(n_src) as f64;
    let rule = match k {
        Some(k) => Rule::FixedIndegree { k },
        None => Rule::AllToAll,
    };
    let csr = Connect::new(
        rule,
        Dist::Uniform {
            low: 0.0,
            high: g_max,
        },
        dt,
    )
    .build("input", n_src, n_tgt, false, dt, seed, Par::Seq)?;
    let proj = Projection {
        name: "input".into(),
        source: 0,
        target: 1,
        port: 1,
        receptor: Receptor::StepStart,
        csr,
    };
    let d = SpikeDelivery::new("input", vec![proj], &[n_src, n_tgt], &[0, 3], dt)?;
    let c: Box<dyn Component> = if plastic {
        Box::new(PlasticDelivery::new(
            "input",
            d,
            vec![(0, StdpParams::song2000(g_max))],
        )?)
    } else {
        Box::new(d)
    };
    let pops = vec![
        Population {
            name: "input".into(),
            neurons: Box::new(PoissonGenerator::new(
                "input",
                n_src,
                RateTable::constant(10.0),
                dt,
                seed,
            )),
        },
        Population {
            name: "t".into(),
            neurons: Box::new(LifCobaPopulation::new("t", params, dt, &vec![0.0; n_tgt])?),
        },
    ];
    let mut sim = Simulator::new(dt, pops, vec![c], 1)?;
    let steps = (secs / dt).round() as u64;
    let mut spikes = 0u64;
    let t0 = Instant::now();
    for _ in 0..steps {
        sim.step()?;
        spikes += sim.spikes()[1].len() as u64;
    }
    let wall = t0.elapsed().as_secs_f64();
    let updates = sim.components()[0]
        .as_any()
        .and_then(|a| a.downcast_ref::<PlasticDelivery>())
        .map_or(0, PlasticDelivery::updates);
    Ok((wall, spikes, updates))
}

fn main() -> Result<(), SimError> {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20.0);
    println!(
        "network  simulated_s  static_s  plastic_s  ratio  target_spikes(static/plastic)  weight_updates  updates/s"
    );
    for (name, n_src, n_tgt, k) in [("song", 1000, 1, None), ("fan", 4000, 2000, Some(400))] {
        let (ts, ss, _) = run(n_src, n_tgt, k, secs, false)?;
        let (tp, sp, up) = run(n_src, n_tgt, k, secs, true)?;
        println!(
            "{name:7}  {secs:11}  {ts:8.3}  {tp:9.3}  {:5.2}  {ss}/{sp}  {up}  {:.3e}",
            tp / ts,
            up as f64 / tp
        );
    }
    Ok(())
}
