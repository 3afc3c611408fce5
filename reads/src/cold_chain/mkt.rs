//! Mean kinetic temperature (USP <1079>).

/// 0 °C in kelvin.
const ZERO_CELSIUS_K: f64 = 273.15;

/// The mean kinetic temperature of equally weighted temperatures, in °C (unrounded):
///
/// T_K = (ΔH/R) / −ln( (1/n) Σ exp(−(ΔH/R) / T_i) ),  T_i in kelvin,
///
/// the USP <1079> formula for readings taken at equal intervals. `None` for no temperatures,
/// or when ΔH/R is not a positive finite number.
///
/// The exponentials are tiny (e^−34 at 20 °C with ΔH/R = 10,000 K), so the mean is taken
/// as a log-sum-exp around the largest exponent: exact in value, and safe from underflow
/// whatever ΔH/R a city configures.
pub fn mean_kinetic_temperature_c(
    temperatures_c: impl IntoIterator<Item = f64>,
    delta_h_over_r_kelvin: f64,
) -> Option<f64> {
    if !(delta_h_over_r_kelvin.is_finite() && delta_h_over_r_kelvin > 0.0) {
        return None;
    }
    let exponents: Vec<f64> = temperatures_c
        .into_iter()
        .map(|t| -delta_h_over_r_kelvin / (t + ZERO_CELSIUS_K))
        .collect();
    let largest = exponents.iter().copied().reduce(f64::max)?;
    let mean_scaled =
        exponents.iter().map(|x| (x - largest).exp()).sum::<f64>() / exponents.len() as f64;
    let ln_mean = largest + mean_scaled.ln();
    let kelvin = delta_h_over_r_kelvin / -ln_mean;
    kelvin.is_finite().then_some(kelvin - ZERO_CELSIUS_K)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rounded(t: Option<f64>) -> Option<f64> {
        t.map(|t| (t * 100.0).round() / 100.0)
    }

    #[test]
    fn twenty_and_thirty_degrees_weigh_towards_the_warmer() {
        // T = 293.15 K and 303.15 K; 10000/T = 34.11223 and 32.98697;
        // exp(−34.11223) = 1.53196e−15, exp(−32.98697) = 4.71999e−15; mean 3.12597e−15;
        // −ln(3.12597e−15) = 33.39903; 10000 / 33.39903 = 299.4099 K = 26.26 °C
        // (the arithmetic mean is 25.00 °C).
        assert_eq!(
            rounded(mean_kinetic_temperature_c([20.0, 30.0], 10_000.0)),
            Some(26.26)
        );
        // ΔH/R = 5000 K: 5000/T = 17.05611 and 16.49349; exp → 3.91402e−8 and 6.87022e−8;
        // mean 5.39212e−8; −ln = 16.73574; 5000 / 16.73574 = 298.7618 K = 25.61 °C.
        assert_eq!(
            rounded(mean_kinetic_temperature_c([20.0, 30.0], 5_000.0)),
            Some(25.61)
        );
    }

    #[test]
    fn a_spike_raises_the_mkt_above_the_mean() {
        // 25, 25, 40 °C: 10000/T = 33.54016, 33.54016, 31.93358; exp → 2.71451e−15 (×2) and
        // 1.35339e−14; mean 6.32098e−15; −ln = 32.69490; 10000/32.69490 = 305.8581 K = 32.71 °C
        // (arithmetic mean 30.00 °C).
        assert_eq!(
            rounded(mean_kinetic_temperature_c([25.0, 25.0, 40.0], 10_000.0)),
            Some(32.71)
        );
    }

    #[test]
    fn below_zero_temperatures_and_a_constant_series() {
        // −20 and −10 °C: T = 253.15 and 263.15 K; 10000/T = 39.50227 and 38.00114;
        // exp → 6.98846e−18 and 3.13556e−17; mean 1.91720e−17; −ln = 38.49308;
        // 10000/38.49308 = 259.7870 K = −13.36 °C.
        assert_eq!(
            rounded(mean_kinetic_temperature_c([-20.0, -10.0], 10_000.0)),
            Some(-13.36)
        );
        // Every reading 5 °C: the MKT is 5 °C.
        assert_eq!(
            rounded(mean_kinetic_temperature_c([5.0, 5.0, 5.0], 10_000.0)),
            Some(5.0)
        );
        assert_eq!(
            rounded(mean_kinetic_temperature_c([7.25], 10_000.0)),
            Some(7.25)
        );
    }

    #[test]
    fn no_temperatures_or_an_impossible_constant_give_none() {
        assert_eq!(mean_kinetic_temperature_c([], 10_000.0), None);
        assert_eq!(mean_kinetic_temperature_c([5.0], 0.0), None);
        assert_eq!(mean_kinetic_temperature_c([5.0], -1.0), None);
        assert_eq!(mean_kinetic_temperature_c([5.0], f64::NAN), None);
    }
}
