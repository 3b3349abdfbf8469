//! Resource quantities (`100m`, `0.5`, `200Mi`, `1Gi`, `1e3`, `1k`), parsed as
//! `k8s.io/apimachinery/pkg/api/resource/quantity.go` `ParseQuantity` parses them.
//!
//! The value is kept exactly as an integer number of nano-units (10^-9), the finest precision
//! Kubernetes keeps; anything finer is rounded up, as Kubernetes rounds it. `milli_value` and
//! `value` round up as `Quantity.MilliValue` and `Quantity.Value` do.

use std::fmt;

/// `resource.ErrFormatWrong`.
pub const ERR_FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/// `resource.ErrNumeric`.
pub const ERR_NUMERIC: &str = "unable to parse quantity's numeric part";
/// `resource.ErrSuffix`.
pub const ERR_SUFFIX: &str = "unable to parse quantity's suffix";

const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// A parsed quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity {
    nanos: i128,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantityError(pub &'static str);

impl fmt::Display for QuantityError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.0)
    }
}

impl std::error::Error for QuantityError {}

/// A suffix's multiplier: `base^exponent`.
#[derive(Debug, Clone, Copy)]
struct Multiplier {
    base: i128,
    exponent: i32,
}

impl Quantity {
    pub const ZERO: Quantity = Quantity { nanos: 0 };

    pub fn from_milli(milli: i64) -> Self {
        Quantity {
            nanos: i128::from(milli) * 1_000_000,
        }
    }

    pub fn from_units(units: i64) -> Self {
        Quantity {
            nanos: i128::from(units) * NANOS_PER_UNIT,
        }
    }

    /// `ParseQuantity`.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        if text.is_empty() {
            return Err(QuantityError(ERR_FORMAT_WRONG));
        }
        let (number, suffix) = split_number_and_suffix(text)?;
        let multiplier = parse_suffix(suffix)?;
        let (negative, digits) = match number.as_bytes()[0] {
            b'-' => (true, &number[1..]),
            b'+' => (false, &number[1..]),
            _ => (false, number),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (digits, ""),
        };
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return Err(QuantityError(ERR_NUMERIC));
        }
        // The number as an integer `mantissa` times 10^-(fraction digits).
        let mut mantissa: i128 = 0;
        for digit in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|value| value.checked_add(i128::from(digit - b'0')))
                .ok_or(QuantityError(ERR_NUMERIC))?;
        }
        let decimal_exponent = -(fraction.len() as i32);
        let nanos = scale_to_nanos(mantissa, decimal_exponent, multiplier).ok_or(QuantityError(ERR_NUMERIC))?;
        Ok(Quantity {
            nanos: if negative { -nanos } else { nanos },
        })
    }

    /// `MilliValue`: thousandths, rounded up.
    pub fn milli_value(&self) -> i64 {
        div_ceil(self.nanos, 1_000_000).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// `Value`: whole units, rounded up.
    pub fn value(&self) -> i64 {
        div_ceil(self.nanos, NANOS_PER_UNIT).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    pub fn saturating_add(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
        }
    }

    pub fn saturating_sub(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_sub(other.nanos),
        }
    }
}

fn div_ceil(numerator: i128, denominator: i128) -> i128 {
    // Most quantities fit in 64 bits, where division is much cheaper than in 128.
    if let (Ok(numerator), Ok(denominator)) = (i64::try_from(numerator), i64::try_from(denominator)) {
        let quotient = numerator.div_euclid(denominator);
        return i128::from(if numerator.rem_euclid(denominator) == 0 {
            quotient
        } else {
            quotient + 1
        });
    }
    let quotient = numerator.div_euclid(denominator);
    if numerator.rem_euclid(denominator) == 0 {
        quotient
    } else {
        quotient + 1
    }
}

/// Splits at the first character that cannot be part of the number (`[+-]?[0-9.]+`), and checks
/// the suffix against `[eEinumkKMGTP]*[-+]?[0-9]*` as the regular expression does.
fn split_number_and_suffix(text: &str) -> Result<(&str, &str), QuantityError> {
    let bytes = text.as_bytes();
    let mut end = usize::from(matches!(bytes[0], b'+' | b'-'));
    let digits_start = end;
    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
        end += 1;
    }
    if end == digits_start {
        return Err(QuantityError(ERR_FORMAT_WRONG));
    }
    let suffix = &text[end..];
    let letters_end = suffix
        .bytes()
        .position(|byte| !b"eEinumkKMGTP".contains(&byte))
        .unwrap_or(suffix.len());
    let mut rest = &suffix[letters_end..];
    if let Some(stripped) = rest.strip_prefix(['+', '-']) {
        rest = stripped;
    }
    if !rest.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(QuantityError(ERR_FORMAT_WRONG));
    }
    Ok((&text[..end], suffix))
}

/// `suffixer.interpret`: binary-SI (`Ki` .. `Ei`), decimal-SI (`n` .. `E`) or a decimal
/// exponent (`e3`, `E-3`).
fn parse_suffix(suffix: &str) -> Result<Multiplier, QuantityError> {
    let binary = |exponent| Multiplier { base: 2, exponent };
    let decimal = |exponent| Multiplier { base: 10, exponent };
    let multiplier = match suffix {
        "" => decimal(0),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        _ => {
            let exponent = suffix
                .strip_prefix(['e', 'E'])
                .filter(|rest| !rest.is_empty())
                .and_then(|rest| rest.parse::<i32>().ok())
                .ok_or(QuantityError(ERR_SUFFIX))?;
            decimal(exponent)
        }
    };
    Ok(multiplier)
}

/// `mantissa × 10^decimal_exponent × multiplier`, in nanos, rounded up; `None` on overflow.
fn scale_to_nanos(mantissa: i128, decimal_exponent: i32, multiplier: Multiplier) -> Option<i128> {
    let mut numerator = mantissa;
    let mut denominator: i128 = 1;
    let mut ten_power = decimal_exponent + 9;
    if multiplier.base == 10 {
        ten_power += multiplier.exponent;
    } else {
        numerator = numerator.checked_mul(2_i128.checked_pow(multiplier.exponent as u32)?)?;
    }
    if ten_power >= 0 {
        numerator = numerator.checked_mul(10_i128.checked_pow(ten_power as u32)?)?;
    } else {
        let divisor_power = (-ten_power) as u32;
        if divisor_power > 38 {
            return Some(i128::from(numerator > 0));
        }
        denominator = 10_i128.pow(divisor_power);
    }
    Some(div_ceil(numerator, denominator))
}

impl fmt::Display for Quantity {
    /// A canonical form: whole units, else milli-units, else nano-units (`2`, `250m`, `5n`).
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos % NANOS_PER_UNIT == 0 {
            write!(formatter, "{}", self.nanos / NANOS_PER_UNIT)
        } else if self.nanos % 1_000_000 == 0 {
            write!(formatter, "{}m", self.nanos / 1_000_000)
        } else {
            write!(formatter, "{}n", self.nanos)
        }
    }
}

impl serde::Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Quantity {
    /// `Quantity.UnmarshalJSON`: a string, or a bare number.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Integer(i64),
            Float(f64),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Text(text) => Quantity::parse(text.trim()).map_err(serde::de::Error::custom),
            Raw::Integer(number) => Ok(Quantity::from_units(number)),
            Raw::Float(number) => Quantity::parse(&number.to_string()).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_kubernetes() {
        // (input, milli_value, value)
        let cases: &[(&str, i64, i64)] = &[
            ("100m", 100, 1),
            ("0.5", 500, 1),
            ("1", 1_000, 1),
            ("2.5", 2_500, 3),
            ("200Mi", 200 * 1_048_576 * 1_000, 200 * 1_048_576),
            ("1Gi", 1_073_741_824_000, 1_073_741_824),
            ("1.5Gi", 1_610_612_736_000, 1_610_612_736),
            ("1e3", 1_000_000, 1_000),
            ("1E-3", 1, 1),
            ("1k", 1_000_000, 1_000),
            ("8Gi", 8_589_934_592_000, 8_589_934_592),
            ("128974848", 128_974_848_000, 128_974_848),
            ("129e6", 129_000_000_000, 129_000_000),
            ("123Mi", 128_974_848_000, 128_974_848),
            ("1n", 1, 1),
            ("1u", 1, 1),
            ("-100m", -100, 0),
            ("+4", 4_000, 4),
            (".5", 500, 1),
            ("5.", 5_000, 5),
            ("0", 0, 0),
        ];
        for (text, milli, units) in cases {
            let quantity = Quantity::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(quantity.milli_value(), *milli, "milli value of {text}");
            assert_eq!(quantity.value(), *units, "value of {text}");
        }
    }

    #[test]
    fn rejects_what_kubernetes_rejects_with_its_messages() {
        let cases: &[(&str, &str)] = &[
            ("", ERR_FORMAT_WRONG),
            ("abc", ERR_FORMAT_WRONG),
            ("1 Gi", ERR_FORMAT_WRONG),
            ("1Gb", ERR_FORMAT_WRONG),
            ("1.2.3", ERR_NUMERIC),
            ("1iK", ERR_SUFFIX),
            ("1MM", ERR_SUFFIX),
            ("1e", ERR_SUFFIX),
            ("-", ERR_FORMAT_WRONG),
            (".", ERR_NUMERIC),
        ];
        for (text, message) in cases {
            assert_eq!(Quantity::parse(text), Err(QuantityError(message)), "{text:?}");
        }
    }

    #[test]
    fn arithmetic_and_ordering() {
        let cpu = Quantity::parse("250m")
            .unwrap()
            .saturating_add(Quantity::parse("0.75").unwrap());
        assert_eq!(cpu, Quantity::from_units(1));
        assert!(Quantity::parse("1Gi").unwrap() > Quantity::parse("1G").unwrap());
        assert_eq!(
            Quantity::from_milli(1500)
                .saturating_sub(Quantity::from_units(2))
                .milli_value(),
            -500
        );
    }
}
