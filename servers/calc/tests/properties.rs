//! Property tests of the expression language: no input panics or runs away, and the
//! evaluator agrees with Rust's own arithmetic on well-formed input.

use proptest::prelude::*;
use server_calc::{Limits, expression::evaluate};

proptest! {
    #[test]
    fn any_input_returns_a_value_or_an_error(input in ".{0,300}") {
        let _ = evaluate(&input, &Limits::default());
    }

    #[test]
    fn operator_soup_never_panics(input in "[0-9().,+*/%^ e-]{0,200}") {
        if let Ok(value) = evaluate(&input, &Limits::default()) {
            prop_assert!(value.is_finite());
            prop_assert!(value.abs() <= 1e300);
        }
    }

    #[test]
    fn integer_arithmetic_matches_rust(a in -1_000_000i64..1_000_000, b in 1i64..1_000) {
        let limits = Limits::default();
        let eval = |text: String| evaluate(&text, &limits).unwrap();
        prop_assert_eq!(eval(format!("{a} + {b}")), (a + b) as f64);
        prop_assert_eq!(eval(format!("{a} - -{b}")), (a + b) as f64);
        prop_assert_eq!(eval(format!("{a} * {b}")), (a * b) as f64);
        prop_assert_eq!(eval(format!("({a}) % {b}")), a.rem_euclid(b) as f64);
        prop_assert_eq!(eval(format!("max({a}, {b})")), a.max(b) as f64);
    }
}
