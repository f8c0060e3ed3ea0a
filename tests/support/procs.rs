//! Reading live processes from /proc (Linux), to check that no process of a tree is left.

use std::time::{Duration, Instant};

/// (pid, parent pid, process group, state) of every process.
fn all() -> Vec<(i32, i32, i32, char)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // The command name is in parentheses and may contain spaces: read after it.
            let rest = &stat[stat.rfind(')')? + 2..];
            let mut fields = rest.split_whitespace();
            let state = fields.next()?.chars().next()?;
            let parent = fields.next()?.parse().ok()?;
            let group = fields.next()?.parse().ok()?;
            Some((pid, parent, group, state))
        })
        .collect()
}

/// Living (not zombie) processes whose process group is `pgid`.
pub fn group_members(pgid: i32) -> Vec<i32> {
    all()
        .into_iter()
        .filter(|&(_, _, group, state)| group == pgid && state != 'Z')
        .map(|(pid, ..)| pid)
        .collect()
}

/// Living descendants of `pid`, not counting `pid` itself.
pub fn descendants(pid: i32) -> Vec<i32> {
    let processes = all();
    let mut found = Vec::new();
    let mut todo = vec![pid];
    while let Some(parent) = todo.pop() {
        for &(child, child_parent, _, state) in &processes {
            if child_parent == parent && state != 'Z' {
                found.push(child);
                todo.push(child);
            }
        }
    }
    found
}

/// Whether `pid` is alive (and not a zombie).
pub fn alive(pid: i32) -> bool {
    all()
        .iter()
        .any(|&(p, _, _, state)| p == pid && state != 'Z')
}

/// Polls `check` every 20 ms until it is true or `limit` has passed; returns the last answer.
pub fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if check() {
            return true;
        }
        if started.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
