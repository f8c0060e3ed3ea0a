//! The caps that keep every call bounded in memory and time.
//!
//! Owns: [`Limits`] and its defaults. Must not enforce anything itself: each tool checks
//! the caps that apply to it.

use std::time::Duration;

/// Caps on what one call may read, write, list or search. Every tool is bounded by these,
/// so no input can make a call use unbounded memory or time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest file read whole (read_file, edit_file, resources, read_media): 10 MiB.
    /// Larger files can still be read in part with `head`, `tail` or `offset`/`limit`.
    pub max_read_bytes: u64,
    /// Most bytes read_multiple_files returns in one call, over all files: 20 MiB.
    pub max_total_read_bytes: u64,
    /// Most files in one read_multiple_files call: 50.
    pub max_files_per_read: usize,
    /// Largest content write_file writes, and largest result of edit_file: 10 MiB.
    pub max_write_bytes: u64,
    /// Most entries list_directory returns: 2,000.
    pub max_list_entries: usize,
    /// Most entries directory_tree returns: 2,000.
    pub max_tree_entries: usize,
    /// Deepest directory_tree goes: 20 levels (the default depth is 3).
    pub max_tree_depth: usize,
    /// Most results search_files returns: 1,000 (the default is 100).
    pub max_search_results: usize,
    /// Most names search_files looks at in one call: 100,000.
    pub max_search_entries: usize,
    /// Deepest folder search_files descends into, counted from the folder searched: 64.
    pub max_search_depth: usize,
    /// Largest file whose content search_files scans: 4 MiB (larger ones are skipped and
    /// counted).
    pub max_search_file_bytes: u64,
    /// Most bytes of content search_files scans in one call: 256 MiB.
    pub max_search_bytes: u64,
    /// Longest a search_files or directory_tree call runs before returning what it found:
    /// 10 s.
    pub walk_timeout: Duration,
    /// Most files resources/list returns: 500.
    pub max_resources_listed: usize,
    /// Longest unified diff put in a write tool's result: 64 KiB (cut at a line, with a
    /// note).
    pub max_diff_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        const MIB: u64 = 1024 * 1024;
        Self {
            max_read_bytes: 10 * MIB,
            max_total_read_bytes: 20 * MIB,
            max_files_per_read: 50,
            max_write_bytes: 10 * MIB,
            max_list_entries: 2_000,
            max_tree_entries: 2_000,
            max_tree_depth: 20,
            max_search_results: 1_000,
            max_search_entries: 100_000,
            max_search_depth: 64,
            max_search_file_bytes: 4 * MIB,
            max_search_bytes: 256 * MIB,
            walk_timeout: Duration::from_secs(10),
            max_resources_listed: 500,
            max_diff_bytes: 64 * 1024,
        }
    }
}

/// A size for people: `512 B`, `1.5 KiB`, `10 MiB`.
pub(crate) fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    #[allow(clippy::cast_precision_loss)] // a display value
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if (value - value.round()).abs() < 0.05 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(1023), "1023 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(10 * 1024 * 1024), "10 MiB");
    }
}
