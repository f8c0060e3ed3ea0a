//! `clock`: an MCP server that tells the current time in any IANA time zone and converts a
//! time between zones.
//!
//! Owns: the two tools (`get_current_time`, `convert_time`), a zone finder
//! (`list_timezones`), and the rules for reading a time a model typed. The time zone database
//! is compiled into the binary (jiff's bundled tzdb), so answers do not depend on the
//! machine's zoneinfo files. Knows nothing of Switchboard: it is a plain rmcp
//! `ServerHandler`, served by whoever embeds it.

mod zones;

use jiff::{
    Timestamp, ZonedDateTime,
    civil::{DateTime, Time},
    tz::{AmbiguousOffset, TimeZone},
};
use rmcp::{
    Json, ServerHandler,
    handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{Implementation, ServerCapabilities, ServerConfig},
    tool, tool_handler, tool_router,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use zones::{ZoneError, local_zone_name, lookup_zone};

/// The clock server. Cheap to clone; one instance may serve many sessions.
#[derive(Debug, Clone)]
pub struct ClockServer {
    local: TimeZone,
}

/// Arguments of `get_current_time`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CurrentTimeRequest {
    /// IANA time zone name, such as "Europe/Warsaw", "America/New_York" or "UTC". Leave it out for the user's local time zone.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Arguments of `convert_time`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ConvertTimeRequest {
    /// IANA time zone the given time is in, such as "America/Los_Angeles".
    pub source_timezone: String,
    /// The time to convert: "14:30" or "14:30:15" (today in the source zone), a date and time such as "2026-03-29T02:30" (in the source zone), an instant with an offset such as "2026-03-29T02:30:00Z", or "now".
    pub time: String,
    /// IANA time zone to convert to, such as "Asia/Tokyo".
    pub target_timezone: String,
}

/// Arguments of `list_timezones`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListTimezonesRequest {
    /// Only names containing this text (case-insensitive), such as "america" or "york". Leave it out to list every zone.
    #[serde(default)]
    pub query: Option<String>,
}

/// A moment as seen in one time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ZonedTime {
    /// Canonical IANA name of the zone.
    pub timezone: String,
    /// ISO 8601 date and time with the zone's UTC offset, to the second.
    pub datetime: String,
    /// The zone's offset from UTC at that moment, such as "+01:00".
    pub utc_offset: String,
    /// The zone's abbreviation at that moment, such as "CET" (may be numeric, such as "+03").
    pub abbreviation: String,
    /// Whether daylight saving time is in effect at that moment.
    pub is_dst: bool,
    /// English name of the day of the week.
    pub day_of_week: String,
}

/// The result of `convert_time`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TimeConversion {
    /// The moment in the source zone.
    pub source: ZonedTime,
    /// The same moment in the target zone.
    pub target: ZonedTime,
    /// How far the target zone's clock is ahead of the source zone's (negative if behind), such as "+9h" or "-4h30m".
    pub time_difference: String,
    /// Present when the given local time was ambiguous or did not exist in the source zone (around a daylight saving change), saying which moment was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The result of `list_timezones`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TimezoneList {
    /// How many names matched.
    pub count: usize,
    /// Matching IANA names, sorted.
    pub timezones: Vec<String>,
}

#[tool_router]
impl ClockServer {
    /// A clock whose "local" zone is `local` (used when a request names no zone).
    pub fn new(local: TimeZone) -> Self {
        Self { local }
    }

    /// A clock whose local zone is UTC.
    pub fn utc() -> Self {
        Self::new(TimeZone::UTC)
    }

    #[tool(
        description = "Get the current date and time in an IANA time zone (the user's local \
                       zone if none is given), with its UTC offset and whether daylight saving \
                       time is in effect.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn get_current_time(
        &self,
        Parameters(request): Parameters<CurrentTimeRequest>,
    ) -> Result<Json<ZonedTime>, String> {
        let zone = match request.timezone.as_deref() {
            Some(name) => lookup_zone(name).map_err(|e| e.to_string())?,
            None => self.local.clone(),
        };
        Ok(Json(describe(&Timestamp::now().to_zoned_datetime(zone))))
    }

    #[tool(
        description = "Convert a time from one IANA time zone to another. Accepts \"14:30\" \
                       (today), \"2026-03-29T02:30\" (a date and time), an instant with an \
                       offset, or \"now\". Reports both sides and the difference between the \
                       zones, and notes when the time falls in a daylight saving change.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn convert_time(
        &self,
        Parameters(request): Parameters<ConvertTimeRequest>,
    ) -> Result<Json<TimeConversion>, String> {
        convert(
            &request.source_timezone,
            &request.time,
            &request.target_timezone,
            Timestamp::now(),
        )
        .map(Json)
    }

    #[tool(
        description = "List IANA time zone names, optionally only those containing some text \
                       (such as a city or region). Use it to find the exact name to pass to \
                       the other tools.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    fn list_timezones(
        &self,
        Parameters(request): Parameters<ListTimezonesRequest>,
    ) -> Json<TimezoneList> {
        let timezones = zones::matching(request.query.as_deref().unwrap_or(""));
        Json(TimezoneList {
            count: timezones.len(),
            timezones,
        })
    }
}

impl ClockServer {
    /// The tools and their schemas, made once per process when first asked for: not at
    /// start, and not again for each session the daemon serves.
    fn router() -> &'static ToolRouter<Self> {
        static ROUTER: std::sync::OnceLock<ToolRouter<ClockServer>> = std::sync::OnceLock::new();
        ROUTER.get_or_init(Self::tool_router)
    }
}

#[tool_handler(router = Self::router())]
impl ServerHandler for ClockServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("clock", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Tells the current time in any IANA time zone and converts times between \
                 zones. Time zone names look like \"Europe/Warsaw\"; list_timezones finds them.",
            )
    }
}

/// Converts `time` read in `source` to `target`. `now` anchors "today" and "now".
pub fn convert(
    source: &str,
    time: &str,
    target: &str,
    now: Timestamp,
) -> Result<TimeConversion, String> {
    let source_zone = lookup_zone(source).map_err(|e| e.to_string())?;
    let target_zone = lookup_zone(target).map_err(|e| e.to_string())?;
    let (instant, note) = read_time(time, &source_zone, now)?;
    let from = instant.to_zoned_datetime(source_zone);
    let to = instant.to_zoned_datetime(target_zone);
    let difference = to.offset().seconds() - from.offset().seconds();
    Ok(TimeConversion {
        source: describe(&from),
        target: describe(&to),
        time_difference: format_difference(difference),
        note,
    })
}

/// Reads a time a model typed, in `zone`. Returns the instant and, when the local time was
/// skipped or repeated by a daylight saving change, a note saying which instant was taken.
fn read_time(
    text: &str,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<(Timestamp, Option<String>), String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("now") {
        return Ok((now, None));
    }
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok((instant, None));
    }
    let civil = if let Ok(datetime) = text.parse::<DateTime>() {
        datetime
    } else if let Ok(clock) = text.parse::<Time>() {
        now.to_zoned_datetime(zone.clone())
            .date()
            .to_datetime(clock)
    } else {
        return Err(format!(
            "Could not read the time \"{text}\". Use \"HH:MM\" (24-hour, today), a date and \
             time such as \"2026-03-29T14:30\", an instant such as \"2026-03-29T14:30:00Z\", \
             or \"now\"."
        ));
    };
    let ambiguous = zone.to_ambiguous_zoned_datetime(civil);
    let note = match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } => None,
        AmbiguousOffset::Gap { before, after } => Some(format!(
            "{civil} does not exist in {name}: clocks jumped from {before} to {after} at a \
             daylight saving change, so the time was read with the earlier offset ({before}).",
            name = zone_name(zone),
        )),
        AmbiguousOffset::Fold { before, after } => Some(format!(
            "{civil} happens twice in {name}: clocks went back from {before} to {after} at a \
             daylight saving change; the first occurrence ({before}) was used.",
            name = zone_name(zone),
        )),
    };
    let zoned = ambiguous
        .compatible()
        .map_err(|e| format!("The time \"{text}\" is out of range: {e}"))?;
    Ok((zoned.timestamp(), note))
}

fn describe(zoned: &ZonedDateTime) -> ZonedTime {
    let zone = zoned.time_zone();
    let info = zone.to_offset_info(zoned.timestamp());
    ZonedTime {
        timezone: zone_name(zone).to_owned(),
        datetime: zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        utc_offset: zoned.strftime("%:z").to_string(),
        abbreviation: info.abbreviation().to_owned(),
        is_dst: info.dst().is_dst(),
        day_of_week: format!("{:?}", zoned.weekday()),
    }
}

fn zone_name(zone: &TimeZone) -> &str {
    zone.iana_name().unwrap_or("UTC")
}

/// `+9h`, `-4h30m`, `+5h45m`, `+0h`.
fn format_difference(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    let (hours, minutes) = (minutes / 60, minutes % 60);
    if minutes == 0 {
        format!("{sign}{hours}h")
    } else {
        format!("{sign}{hours}h{minutes}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("test timestamp")
    }

    #[test]
    fn converts_a_clock_time_between_zones() {
        let now = at("2026-01-15T12:00:00Z");
        let result = convert("Europe/Warsaw", "09:30", "America/New_York", now).unwrap();
        assert_eq!(result.source.datetime, "2026-01-15T09:30:00+01:00");
        assert_eq!(result.target.datetime, "2026-01-15T03:30:00-05:00");
        assert_eq!(result.time_difference, "-6h");
        assert_eq!(result.note, None, "an ordinary time needs no note");
    }

    #[test]
    fn reports_half_and_quarter_hour_differences() {
        let now = at("2026-01-15T12:00:00Z");
        let result = convert("UTC", "00:00", "Asia/Kathmandu", now).unwrap();
        assert_eq!(result.time_difference, "+5h45m");
        let result = convert("UTC", "00:00", "America/St_Johns", now).unwrap();
        assert_eq!(result.time_difference, "-3h30m");
    }

    #[test]
    fn a_time_in_the_spring_forward_gap_is_noted() {
        let now = at("2026-03-01T00:00:00Z");
        let result = convert("Europe/Warsaw", "2026-03-29T02:30", "UTC", now).unwrap();
        let note = result.note.expect("a gap must be noted");
        assert!(note.contains("does not exist"), "note was: {note}");
        assert_eq!(result.target.datetime, "2026-03-29T01:30:00+00:00");
    }

    #[test]
    fn a_repeated_time_in_the_autumn_fold_is_noted() {
        let now = at("2026-10-01T00:00:00Z");
        let result = convert("Europe/Warsaw", "2026-10-25T02:30", "UTC", now).unwrap();
        let note = result.note.expect("a fold must be noted");
        assert!(note.contains("happens twice"), "note was: {note}");
        assert!(
            result.source.is_dst,
            "the first occurrence is still summer time"
        );
    }

    #[test]
    fn an_instant_with_an_offset_is_taken_as_is() {
        let now = at("2026-01-15T12:00:00Z");
        let result = convert("Asia/Tokyo", "2026-06-01T00:00:00Z", "Europe/London", now).unwrap();
        assert_eq!(result.source.datetime, "2026-06-01T09:00:00+09:00");
        assert_eq!(result.target.datetime, "2026-06-01T01:00:00+01:00");
        assert!(result.target.is_dst);
        assert_eq!(result.target.abbreviation, "BST");
    }

    #[test]
    fn now_is_accepted_as_a_time() {
        let now = at("2026-07-04T16:00:00Z");
        let result = convert("UTC", "now", "America/Los_Angeles", now).unwrap();
        assert_eq!(result.target.datetime, "2026-07-04T09:00:00-07:00");
        assert_eq!(result.target.day_of_week, "Saturday");
    }

    #[test]
    fn unreadable_times_get_an_error_that_shows_the_accepted_forms() {
        let now = at("2026-01-15T12:00:00Z");
        for bad in ["half past nine", "25:00", "2026-13-01T00:00", ""] {
            let error = convert("UTC", bad, "UTC", now).unwrap_err();
            assert!(error.contains("HH:MM"), "error for {bad:?} was: {error}");
        }
    }

    #[test]
    fn unknown_zones_are_named_in_the_error() {
        let now = at("2026-01-15T12:00:00Z");
        let error = convert("Mars/Olympus", "10:00", "UTC", now).unwrap_err();
        assert!(error.contains("Mars/Olympus"), "error was: {error}");
        let error = convert("UTC", "10:00", "Europe/Warsow", now).unwrap_err();
        assert!(
            error.contains("Europe/Warsaw"),
            "a near miss should suggest: {error}"
        );
    }

    #[test]
    fn differences_are_formatted_with_sign_and_minutes() {
        assert_eq!(format_difference(0), "+0h");
        assert_eq!(format_difference(9 * 3600), "+9h");
        assert_eq!(format_difference(-(4 * 3600 + 30 * 60)), "-4h30m");
    }
}
