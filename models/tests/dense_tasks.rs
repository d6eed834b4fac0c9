//! Acceptance experiments of the dense module, in their quick form (seconds in the dev
//! profile); `spikesim validate dense` runs the full ones.

use models::dense::tasks;

#[test]
fn xor_is_learned_exactly() {
    let o = tasks::xor(1).unwrap();
    assert_eq!(o.test.accuracy, Some(1.0));
}

#[test]
fn two_spirals_reach_98_percent_on_the_test_set() {
    let o = tasks::two_spirals(1, true).unwrap();
    assert!(o.test.accuracy.unwrap() >= 0.98, "{:?}", o.test);
}

#[test]
fn circles_are_separated() {
    let o = tasks::circles(1).unwrap();
    assert!(o.test.accuracy.unwrap() >= 0.98, "{:?}", o.test);
}

#[test]
fn digits_reach_96_percent_and_training_is_reproducible() {
    let a = tasks::digits(1, true).unwrap();
    assert!(a.test.accuracy.unwrap() >= 0.96, "{:?}", a.test);
    let b = tasks::digits(1, true).unwrap();
    assert_eq!(a.model, b.model, "same seed ⇒ same model");
    let c = tasks::digits(2, true).unwrap();
    assert_ne!(a.model, c.model);
}

#[test]
fn autoencoder_explains_most_of_the_pixel_variance() {
    let o = tasks::digits_autoencoder(1, true).unwrap();
    assert!(
        o.test_error < 0.2 * o.baseline,
        "{} vs baseline {}",
        o.test_error,
        o.baseline
    );
}

#[test]
fn spiking_digits_net_stays_within_two_points_of_the_rate_net() {
    use models::dense::mlp::accuracy;
    use models::dense::spiking::{SpikingConfig, run};
    let o = tasks::digits_soft_lif(1, true).unwrap();
    let rate = o.test.accuracy.unwrap();
    assert!(rate >= 0.93, "{rate}");
    let r = run(&o.model, &o.test_set.x, &SpikingConfig::default()).unwrap();
    let labels = o.test_set.labels.as_ref().unwrap();
    let spiking = accuracy(&r.classes_counts, labels);
    assert!(
        (spiking - rate).abs() <= 0.02,
        "spiking {spiking} vs rate {rate}"
    );
    assert!(
        r.mean_rates[0] > 1.0 && r.mean_rates[0] < 500.0,
        "{:?}",
        r.mean_rates
    );
}
