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
