//! PostgreSQL values in binary wire format turned into JSON: numbers as numbers (numeric as
//! exact text), text cut to the cell limit, bytea as a BLOB cell, json as JSON, dates and times
//! in ISO 8601, arrays as JSON arrays, and any other type as a short note saying how to see it.
//!
//! Pure functions over bytes and type descriptions; must not touch a connection. Malformed
//! input gives a note, never a panic.

use std::fmt::Write as _;

use serde_json::Value;
use tokio_postgres::types::{Kind, Type};

use crate::cells::{blob_cell, real_cell, text_cell};

// Built-in type OIDs (pg_type.h); a test checks them against tokio-postgres.
const BOOL: u32 = 16;
const BYTEA: u32 = 17;
const CHAR: u32 = 18;
const NAME: u32 = 19;
const INT8: u32 = 20;
const INT2: u32 = 21;
const INT4: u32 = 23;
const TEXT: u32 = 25;
const OID: u32 = 26;
const JSON: u32 = 114;
const XML: u32 = 142;
const CIDR: u32 = 650;
const FLOAT4: u32 = 700;
const FLOAT8: u32 = 701;
const UNKNOWN: u32 = 705;
const INET: u32 = 869;
const BPCHAR: u32 = 1042;
const VARCHAR: u32 = 1043;
const DATE: u32 = 1082;
const TIME: u32 = 1083;
const TIMESTAMP: u32 = 1114;
const TIMESTAMPTZ: u32 = 1184;
const INTERVAL: u32 = 1186;
const TIMETZ: u32 = 1266;
const NUMERIC: u32 = 1700;
const UUID: u32 = 2950;
const JSONB: u32 = 3802;

/// Microseconds in a day; PostgreSQL counts dates and times from 2000-01-01.
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The bytes did not hold a value of the type they claimed.
#[derive(Debug)]
pub(crate) struct Malformed;

/// Reads fixed-size big-endian fields.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], Malformed> {
        if self.bytes.len() < count {
            return Err(Malformed);
        }
        let (head, tail) = self.bytes.split_at(count);
        self.bytes = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        self.take(N)?.try_into().map_err(|_| Malformed)
    }

    fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.array::<1>()?[0])
    }

    fn i16(&mut self) -> Result<i16, Malformed> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    fn u16(&mut self) -> Result<u16, Malformed> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn i32(&mut self) -> Result<i32, Malformed> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, Malformed> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn i64(&mut self) -> Result<i64, Malformed> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    fn finish(&self) -> Result<(), Malformed> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(Malformed)
        }
    }
}

fn exact<const N: usize>(raw: &[u8]) -> Result<[u8; N], Malformed> {
    raw.try_into().map_err(|_| Malformed)
}

fn utf8(raw: &[u8]) -> Result<&str, Malformed> {
    std::str::from_utf8(raw).map_err(|_| Malformed)
}

/// A note for a value this tool cannot show.
fn unshown(ty: &Type) -> Value {
    Value::String(format!(
        "<{} value: select it as column::text to see it>",
        ty.name()
    ))
}

/// The JSON for one non-NULL value, and whether it was cut.
pub(crate) fn decode(ty: &Type, raw: &[u8], max_cell_bytes: usize) -> (Value, bool) {
    decode_value(ty, raw, max_cell_bytes, 0).unwrap_or_else(|Malformed| (unshown(ty), false))
}

fn decode_value(
    ty: &Type,
    raw: &[u8],
    max_cell_bytes: usize,
    depth: usize,
) -> Result<(Value, bool), Malformed> {
    match ty.kind() {
        Kind::Domain(base) if depth < 8 => {
            return decode_value(base, raw, max_cell_bytes, depth + 1);
        }
        Kind::Enum(_) => return Ok(text_cell(utf8(raw)?, max_cell_bytes)),
        Kind::Array(member) if depth < 8 => {
            if raw.len() > max_cell_bytes.saturating_mul(4) {
                return Ok((
                    Value::String(format!(
                        "<{} of {} bytes, too large to show; select part of it, such as \
                         column[1:10]>",
                        ty.name(),
                        raw.len()
                    )),
                    true,
                ));
            }
            return decode_array(member, raw, max_cell_bytes, depth + 1);
        }
        _ => {}
    }
    let plain = |value: Value| Ok((value, false));
    match ty.oid() {
        BOOL => plain(Value::Bool(exact::<1>(raw)?[0] != 0)),
        INT2 => plain(Value::from(i16::from_be_bytes(exact(raw)?))),
        INT4 => plain(Value::from(i32::from_be_bytes(exact(raw)?))),
        INT8 => plain(Value::from(i64::from_be_bytes(exact(raw)?))),
        OID => plain(Value::from(u32::from_be_bytes(exact(raw)?))),
        FLOAT4 => plain(real_cell(f64::from(f32::from_be_bytes(exact(raw)?)))),
        FLOAT8 => plain(real_cell(f64::from_be_bytes(exact(raw)?))),
        NUMERIC => plain(Value::String(numeric(raw)?)),
        TEXT | VARCHAR | BPCHAR | NAME | UNKNOWN | XML => Ok(text_cell(utf8(raw)?, max_cell_bytes)),
        CHAR => plain(Value::String(String::from_utf8_lossy(raw).into_owned())),
        BYTEA => Ok(blob_cell(raw, max_cell_bytes)),
        JSON => json(raw, max_cell_bytes),
        JSONB => match raw.split_first() {
            Some((1, rest)) => json(rest, max_cell_bytes),
            _ => Err(Malformed),
        },
        UUID => plain(Value::String(uuid(&exact::<16>(raw)?))),
        DATE => plain(Value::String(date(i32::from_be_bytes(exact(raw)?)))),
        TIME => plain(Value::String(time_of_day(i64::from_be_bytes(exact(raw)?)))),
        TIMETZ => {
            let mut reader = Reader { bytes: raw };
            let micros = reader.i64()?;
            let zone = reader.i32()?;
            reader.finish()?;
            plain(Value::String(format!(
                "{}{}",
                time_of_day(micros),
                offset(-zone)
            )))
        }
        TIMESTAMP => plain(Value::String(timestamp(
            i64::from_be_bytes(exact(raw)?),
            "",
        ))),
        TIMESTAMPTZ => plain(Value::String(timestamp(
            i64::from_be_bytes(exact(raw)?),
            "Z",
        ))),
        INTERVAL => {
            let mut reader = Reader { bytes: raw };
            let micros = reader.i64()?;
            let days = reader.i32()?;
            let months = reader.i32()?;
            reader.finish()?;
            plain(Value::String(interval(micros, days, months)))
        }
        INET | CIDR => plain(Value::String(network(raw)?)),
        _ if ty.name() == "citext" => Ok(text_cell(utf8(raw)?, max_cell_bytes)),
        _ => plain(unshown(ty)),
    }
}

fn json(raw: &[u8], max_cell_bytes: usize) -> Result<(Value, bool), Malformed> {
    if raw.len() > max_cell_bytes {
        return Ok(text_cell(utf8(raw)?, max_cell_bytes));
    }
    serde_json::from_slice(raw)
        .map(|value| (value, false))
        .map_err(|_| Malformed)
}

fn decode_array(
    member: &Type,
    raw: &[u8],
    max_cell_bytes: usize,
    depth: usize,
) -> Result<(Value, bool), Malformed> {
    let mut reader = Reader { bytes: raw };
    let dimensions = usize::try_from(reader.i32()?).map_err(|_| Malformed)?;
    let _has_nulls = reader.i32()?;
    let _element_type = reader.u32()?;
    if dimensions == 0 {
        return Ok((Value::Array(Vec::new()), false));
    }
    if dimensions > 6 {
        return Err(Malformed);
    }
    let mut lengths = Vec::with_capacity(dimensions);
    for _ in 0..dimensions {
        let length = usize::try_from(reader.i32()?).map_err(|_| Malformed)?;
        let _lower_bound = reader.i32()?;
        lengths.push(length);
    }
    let total = lengths
        .iter()
        .try_fold(1usize, |total, length| total.checked_mul(*length))
        .ok_or(Malformed)?;
    // Every element takes at least its 4-byte length.
    if total > reader.bytes.len() / 4 {
        return Err(Malformed);
    }
    let mut cut = false;
    let mut elements = Vec::with_capacity(total);
    for _ in 0..total {
        let length = reader.i32()?;
        if length < 0 {
            elements.push(Value::Null);
            continue;
        }
        let bytes = reader.take(usize::try_from(length).map_err(|_| Malformed)?)?;
        let (value, was_cut) = decode_value(member, bytes, max_cell_bytes, depth)?;
        cut |= was_cut;
        elements.push(value);
    }
    reader.finish()?;
    // Nest from the innermost dimension outwards.
    let mut level = elements;
    for length in lengths.iter().skip(1).rev() {
        if *length == 0 {
            break;
        }
        level = level
            .chunks(*length)
            .map(|chunk| Value::Array(chunk.to_vec()))
            .collect();
    }
    Ok((Value::Array(level), cut))
}

/// PostgreSQL's binary numeric (base-10000 digits) as exact decimal text.
pub(crate) fn numeric(raw: &[u8]) -> Result<String, Malformed> {
    let mut reader = Reader { bytes: raw };
    let count = usize::from(reader.u16()?);
    let weight = i32::from(reader.i16()?);
    let sign = reader.u16()?;
    let scale = usize::from(reader.u16()?);
    let mut digits = Vec::with_capacity(count);
    for _ in 0..count {
        let digit = reader.u16()?;
        if digit > 9999 {
            return Err(Malformed);
        }
        digits.push(digit);
    }
    reader.finish()?;
    match sign {
        0xC000 => return Ok("NaN".to_owned()),
        0xD000 => return Ok("Infinity".to_owned()),
        0xF000 => return Ok("-Infinity".to_owned()),
        0x0000 | 0x4000 => {}
        _ => return Err(Malformed),
    }
    let digit_at = |position: i32| -> u16 {
        usize::try_from(position)
            .ok()
            .and_then(|index| digits.get(index).copied())
            .unwrap_or(0)
    };
    let mut text = String::new();
    if sign == 0x4000 && !digits.is_empty() {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        for position in 0..=weight {
            let digit = digit_at(position);
            if position == 0 {
                let _ = write!(text, "{digit}");
            } else {
                let _ = write!(text, "{digit:04}");
            }
        }
    }
    if scale > 0 {
        let mut fraction = String::with_capacity(scale + 4);
        let mut position = weight + 1;
        while fraction.len() < scale {
            let _ = write!(fraction, "{:04}", digit_at(position));
            position += 1;
        }
        fraction.truncate(scale);
        text.push('.');
        text.push_str(&fraction);
    }
    Ok(text)
}

fn uuid(bytes: &[u8; 16]) -> String {
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        let _ = write!(text, "{byte:02x}");
    }
    text
}

/// The civil date `days` after 2000-01-01 (Howard Hinnant's days-to-civil algorithm), as
/// YYYY-MM-DD, with years before 1 AD written as PostgreSQL does ("0044-03-15 BC").
fn civil(days_since_2000: i64) -> String {
    let z = days_since_2000 + 730_425; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    if year <= 0 {
        format!("{:04}-{month:02}-{day:02} BC", 1 - year)
    } else {
        format!("{year:04}-{month:02}-{day:02}")
    }
}

fn date(days: i32) -> String {
    match days {
        i32::MAX => "infinity".to_owned(),
        i32::MIN => "-infinity".to_owned(),
        days => civil(i64::from(days)),
    }
}

/// HH:MM:SS with a fraction only when there is one (trailing zeros dropped).
fn time_of_day(micros: i64) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    let mut text = format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if fraction > 0 {
        let digits = format!("{fraction:06}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text
}

/// A UTC offset in seconds east as +HH:MM (or +HH:MM:SS).
fn offset(seconds_east: i32) -> String {
    let sign = if seconds_east < 0 { '-' } else { '+' };
    let total = seconds_east.unsigned_abs();
    let mut text = format!("{sign}{:02}:{:02}", total / 3600, total / 60 % 60);
    if !total.is_multiple_of(60) {
        let _ = write!(text, ":{:02}", total % 60);
    }
    text
}

fn timestamp(micros: i64, suffix: &str) -> String {
    match micros {
        i64::MAX => "infinity".to_owned(),
        i64::MIN => "-infinity".to_owned(),
        micros => {
            let days = micros.div_euclid(MICROS_PER_DAY);
            let time = micros.rem_euclid(MICROS_PER_DAY);
            let date = civil(days);
            match date.strip_suffix(" BC") {
                Some(date) => format!("{date}T{}{suffix} BC", time_of_day(time)),
                None => format!("{date}T{}{suffix}", time_of_day(time)),
            }
        }
    }
}

/// An interval in ISO 8601 form (each part keeps its own sign, as PostgreSQL's iso_8601
/// style does), such as "P1Y2M3DT4H5M6.5S".
fn interval(micros: i64, days: i32, months: i32) -> String {
    let mut text = String::from("P");
    let (years, months) = (months / 12, months % 12);
    for (amount, unit) in [
        (i64::from(years), 'Y'),
        (i64::from(months), 'M'),
        (i64::from(days), 'D'),
    ] {
        if amount != 0 {
            let _ = write!(text, "{amount}{unit}");
        }
    }
    if micros != 0 {
        text.push('T');
        let hours = micros / 3_600_000_000;
        let minutes = micros / 60_000_000 % 60;
        let rest = micros % 60_000_000;
        if hours != 0 {
            let _ = write!(text, "{hours}H");
        }
        if minutes != 0 {
            let _ = write!(text, "{minutes}M");
        }
        if rest != 0 {
            let sign = if rest < 0 { "-" } else { "" };
            let rest = rest.unsigned_abs();
            let _ = write!(text, "{sign}{}", rest / 1_000_000);
            if !rest.is_multiple_of(1_000_000) {
                let digits = format!("{:06}", rest % 1_000_000);
                let _ = write!(text, ".{}", digits.trim_end_matches('0'));
            }
            text.push('S');
        }
    }
    if text == "P" {
        text.push_str("T0S");
    }
    text
}

fn network(raw: &[u8]) -> Result<String, Malformed> {
    let mut reader = Reader { bytes: raw };
    let family = reader.u8()?;
    let bits = reader.u8()?;
    let is_cidr = reader.u8()? != 0;
    let length = usize::from(reader.u8()?);
    let address = reader.take(length)?;
    reader.finish()?;
    let (address, full): (std::net::IpAddr, u8) = match (family, address.len()) {
        (2, 4) => (
            <[u8; 4]>::try_from(address).map_err(|_| Malformed)?.into(),
            32,
        ),
        (3, 16) => (
            <[u8; 16]>::try_from(address).map_err(|_| Malformed)?.into(),
            128,
        ),
        _ => return Err(Malformed),
    };
    Ok(if is_cidr || bits != full {
        format!("{address}/{bits}")
    } else {
        address.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn the_oids_match_tokio_postgres() {
        for (oid, ty) in [
            (BOOL, Type::BOOL),
            (BYTEA, Type::BYTEA),
            (CHAR, Type::CHAR),
            (NAME, Type::NAME),
            (INT8, Type::INT8),
            (INT2, Type::INT2),
            (INT4, Type::INT4),
            (TEXT, Type::TEXT),
            (OID, Type::OID),
            (JSON, Type::JSON),
            (XML, Type::XML),
            (CIDR, Type::CIDR),
            (FLOAT4, Type::FLOAT4),
            (FLOAT8, Type::FLOAT8),
            (UNKNOWN, Type::UNKNOWN),
            (INET, Type::INET),
            (BPCHAR, Type::BPCHAR),
            (VARCHAR, Type::VARCHAR),
            (DATE, Type::DATE),
            (TIME, Type::TIME),
            (TIMESTAMP, Type::TIMESTAMP),
            (TIMESTAMPTZ, Type::TIMESTAMPTZ),
            (INTERVAL, Type::INTERVAL),
            (TIMETZ, Type::TIMETZ),
            (NUMERIC, Type::NUMERIC),
            (UUID, Type::UUID),
            (JSONB, Type::JSONB),
        ] {
            assert_eq!(oid, ty.oid(), "{}", ty.name());
        }
    }

    /// PostgreSQL's binary numeric for `mantissa × 10^-scale`.
    fn encode_numeric(mantissa: i128, scale: u16) -> Vec<u8> {
        let negative = mantissa < 0;
        let text = mantissa.unsigned_abs().to_string();
        let scale_usize = usize::from(scale);
        let (integer, fraction) = if text.len() > scale_usize {
            text.split_at(text.len() - scale_usize)
        } else {
            ("", text.as_str())
        };
        let fraction = format!("{fraction:0>scale_usize$}");
        let integer = integer.trim_start_matches('0');
        let integer = format!("{}{integer}", "0".repeat((4 - integer.len() % 4) % 4));
        let fraction_padded = format!("{fraction}{}", "0".repeat((4 - fraction.len() % 4) % 4));
        let groups = |text: &str| -> Vec<u16> {
            text.as_bytes()
                .chunks(4)
                .map(|chunk| std::str::from_utf8(chunk).unwrap().parse().unwrap())
                .collect()
        };
        let mut digits = groups(&integer);
        let mut weight = i16::try_from(digits.len()).unwrap() - 1;
        digits.extend(groups(&fraction_padded));
        while digits.first() == Some(&0) {
            digits.remove(0);
            weight -= 1;
        }
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            weight = 0;
        }
        let mut out = Vec::new();
        out.extend(u16::try_from(digits.len()).unwrap().to_be_bytes());
        out.extend(weight.to_be_bytes());
        out.extend(
            if negative && !digits.is_empty() {
                0x4000u16
            } else {
                0
            }
            .to_be_bytes(),
        );
        out.extend(scale.to_be_bytes());
        for digit in digits {
            out.extend(digit.to_be_bytes());
        }
        out
    }

    fn decimal(mantissa: i128, scale: u16) -> String {
        let negative = mantissa < 0;
        let text = mantissa.unsigned_abs().to_string();
        let scale = usize::from(scale);
        let padded = format!("{text:0>width$}", width = scale + 1);
        let (integer, fraction) = padded.split_at(padded.len() - scale);
        let sign = if negative && mantissa != 0 { "-" } else { "" };
        if scale == 0 {
            format!("{sign}{integer}")
        } else {
            format!("{sign}{integer}.{fraction}")
        }
    }

    #[test]
    fn numerics_decode_exactly() {
        assert_eq!(
            numeric(&encode_numeric(12_345_678, 3)).unwrap(),
            "12345.678"
        );
        assert_eq!(numeric(&encode_numeric(5, 1)).unwrap(), "0.5");
        assert_eq!(numeric(&encode_numeric(1, 5)).unwrap(), "0.00001");
        assert_eq!(numeric(&encode_numeric(10_000, 0)).unwrap(), "10000");
        assert_eq!(numeric(&encode_numeric(-250, 2)).unwrap(), "-2.50");
        assert_eq!(numeric(&encode_numeric(0, 2)).unwrap(), "0.00");
        assert_eq!(
            numeric(&[0, 0, 0, 0, 0xC0, 0, 0, 0]).unwrap(),
            "NaN",
            "special values"
        );
    }

    proptest! {
        #[test]
        fn any_decimal_round_trips(mantissa in any::<i64>(), scale in 0u16..30) {
            let mantissa = i128::from(mantissa);
            prop_assert_eq!(numeric(&encode_numeric(mantissa, scale)).unwrap(), decimal(mantissa, scale));
        }

        #[test]
        fn arbitrary_bytes_never_panic(raw in proptest::collection::vec(any::<u8>(), 0..64)) {
            for ty in [Type::NUMERIC, Type::INT4_ARRAY, Type::TEXT_ARRAY, Type::INET, Type::INTERVAL,
                       Type::JSONB, Type::TIMETZ, Type::UUID, Type::DATE, Type::NUMERIC_ARRAY] {
                let _ = decode(&ty, &raw, 64);
            }
        }
    }

    #[test]
    fn dates_and_times_are_iso_8601() {
        assert_eq!(date(0), "2000-01-01");
        assert_eq!(date(-1), "1999-12-31");
        assert_eq!(date(9556), "2026-03-01");
        assert_eq!(date(i32::MAX), "infinity");
        assert_eq!(civil(-730_119 - 366), "0001-01-01 BC");
        assert_eq!(
            timestamp(86_400_000_000 + 3_723_500_000, ""),
            "2000-01-02T01:02:03.5"
        );
        assert_eq!(timestamp(-1, "Z"), "1999-12-31T23:59:59.999999Z");
        assert_eq!(time_of_day(45_296_000_000), "12:34:56");
        assert_eq!(offset(-(5 * 3600 + 30 * 60)), "-05:30");
        assert_eq!(interval(0, 0, 0), "PT0S");
        assert_eq!(
            interval(4 * 3_600_000_000 + 5 * 60_000_000 + 6_500_000, 3, 14),
            "P1Y2M3DT4H5M6.5S"
        );
        assert_eq!(interval(-1_500_000, 0, 0), "PT-1.5S");
    }

    #[test]
    fn arrays_nest_and_keep_nulls() {
        // int4[][] {{1,NULL},{3,4}}
        let mut raw = Vec::new();
        raw.extend(2i32.to_be_bytes());
        raw.extend(1i32.to_be_bytes());
        raw.extend(23u32.to_be_bytes());
        for _ in 0..2 {
            raw.extend(2i32.to_be_bytes());
            raw.extend(1i32.to_be_bytes());
        }
        for value in [Some(1i32), None, Some(3), Some(4)] {
            match value {
                Some(value) => {
                    raw.extend(4i32.to_be_bytes());
                    raw.extend(value.to_be_bytes());
                }
                None => raw.extend((-1i32).to_be_bytes()),
            }
        }
        assert_eq!(
            decode(&Type::INT4_ARRAY, &raw, 1000).0,
            json!([[1, null], [3, 4]])
        );
    }

    #[test]
    fn other_values_decode_naturally() {
        assert_eq!(
            decode(&Type::UUID, &[0x12; 16], 100).0,
            json!("12121212-1212-1212-1212-121212121212")
        );
        assert_eq!(
            decode(&Type::INET, &[2, 32, 0, 4, 127, 0, 0, 1], 100).0,
            json!("127.0.0.1")
        );
        assert_eq!(
            decode(&Type::CIDR, &[2, 8, 1, 4, 10, 0, 0, 0], 100).0,
            json!("10.0.0.0/8")
        );
        assert_eq!(
            decode(&Type::JSONB, b"\x01{\"a\": [1]}", 100).0,
            json!({"a": [1]})
        );
        assert_eq!(
            decode(&Type::FLOAT8, &f64::NAN.to_be_bytes(), 100).0,
            json!("NaN")
        );
        assert_eq!(
            decode(&Type::TS_VECTOR, b"anything", 100).0,
            json!("<tsvector value: select it as column::text to see it>")
        );
    }
}
