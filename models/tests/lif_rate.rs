//! LIF-rate ensembles simulated in a network: rates equal the analytic curve and decoded values
//! equal the static decode, step for step.

use models::cache::DecoderCache;
use models::ensemble::{EnsembleSpec, NeuronType};
use models::network::{BuildOptions, ConnectionSpec, Endpoint, NefNetwork, ProbeSpec, ProbeWhat};
use models::node::Signal;
use models::synapse::Synapse;
use simcore::neuron::lif::LifParams;

fn network(x: f64) -> NefNetwork {
    let mut net = NefNetwork::default();
    let mut ens = EnsembleSpec::new("ens", 60, 1);
    ens.neuron = NeuronType::LifRate(LifParams::default());
    net.ensembles.push(ens);
    net.nodes.push(("in".into(), Signal::Constant(vec![x])));
    let mut c = ConnectionSpec::new(
        Endpoint::Node("in".into()),
        Endpoint::Ensemble("ens".into()),
    );
    c.synapse = Synapse::None;
    net.connections.push(c);
    net.probes.push(ProbeSpec::new(
        "x",
        Endpoint::Ensemble("ens".into()),
        ProbeWhat::Value,
    ));
    let mut p = ProbeSpec::new(
        "x_filtered",
        Endpoint::Ensemble("ens".into()),
        ProbeWhat::Value,
    );
    p.synapse = Synapse::Lowpass(0.01);
    net.probes.push(p);
    net.probes.push(ProbeSpec::new(
        "rate",
        Endpoint::Neurons("ens".into()),
        ProbeWhat::Variable("rate".into()),
    ));
    net
}

#[test]
fn lif_rate_ensemble_outputs_the_analytic_rates_and_their_decode() {
    let dt = 1e-3;
    for x in [-0.6, 0.25, 0.9] {
        let built = network(x)
            .build(&BuildOptions {
                dt,
                seed: 3,
                cache: DecoderCache::disabled(),
            })
            .unwrap();
        let (mut run, rec) = built.into_run(dt, 1).unwrap();
        run.run(0.2).unwrap();
        let ens = &rec.ensembles[0];
        let p = LifParams::default();
        // Analytic rates G(α e x + β), written out.
        let expected: Vec<f64> = (0..ens.n)
            .map(|i| {
                let j = ens.gain[i] * ens.encoders[i] * x + ens.bias[i];
                if j > 1.0 {
                    1.0 / (p.tau_ref - p.tau_rc * (1.0 - 1.0 / j).ln())
                } else {
                    0.0
                }
            })
            .collect();
        assert!(expected.iter().filter(|&&r| r > 0.0).count() > 10);
        let rates = rec.probe("rate").unwrap().data();
        // Step 0 sees the node's value already (no synapse): every recorded step is steady.
        for row in rates.values.chunks(ens.n) {
            for (got, want) in row.iter().zip(&expected) {
                assert!(
                    (got - want).abs() <= 1e-4 * want.max(1.0),
                    "{got} vs {want}"
                );
            }
        }
        // Decoded value: Σ d_i r_i with the probe's own decoders, one step late (the decode
        // of step s arrives at step s + 1, as for spikes).
        let dec = &rec
            .decoders
            .iter()
            .find(|d| d.name == "x")
            .unwrap()
            .decoders;
        let decode: f64 = expected.iter().zip(&dec.values).map(|(r, d)| r * d).sum();
        assert!((decode - x).abs() < 0.05, "static decode {decode} vs {x}");
        let y = rec.probe("x").unwrap().data();
        assert_eq!(y.values[0], 0.0);
        for v in &y.values[1..] {
            assert!((v - decode).abs() < 1e-4, "{v} vs {decode}");
        }
        // Through Lowpass(0.01): 1 − a^s approach to the same value.
        let yf = rec.probe("x_filtered").unwrap().data();
        let a: f64 = (-dt / 0.01_f64).exp();
        let last = yf.values.len() - 1;
        let want = decode * (1.0 - a.powi(last as i32));
        assert!(
            (yf.values[last] - want).abs() < 1e-4,
            "{} vs {want}",
            yf.values[last]
        );
    }
}

#[test]
fn lif_rate_ensembles_have_no_spikes_to_probe() {
    let mut net = network(0.0);
    net.probes.push(ProbeSpec::new(
        "s",
        Endpoint::Neurons("ens".into()),
        ProbeWhat::Spikes,
    ));
    let e = net
        .build(&BuildOptions {
            dt: 1e-3,
            seed: 0,
            cache: DecoderCache::disabled(),
        })
        .unwrap_err();
    assert!(e.to_string().contains("rate"), "{e}");
}
