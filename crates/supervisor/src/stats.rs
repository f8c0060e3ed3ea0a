//! CPU and memory of server process trees, through sysinfo. One sampler is kept across
//! samples, since CPU use is measured between two refreshes.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// What a process tree uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct TreeUsage {
    /// Percent of one CPU, summed over the tree (may exceed 100).
    pub cpu_percent: f32,
    /// Resident memory, summed over the tree.
    pub memory_bytes: u64,
    /// How many processes the tree has.
    pub processes: usize,
}

impl std::ops::AddAssign for TreeUsage {
    fn add_assign(&mut self, other: Self) {
        self.cpu_percent += other.cpu_percent;
        self.memory_bytes += other.memory_bytes;
        self.processes += other.processes;
    }
}

/// Measures process trees.
pub struct TreeSampler {
    /// `None` where the platform gives no process information: every sample is then empty.
    system: Option<System>,
}

impl std::fmt::Debug for TreeSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreeSampler").finish_non_exhaustive()
    }
}

impl Default for TreeSampler {
    fn default() -> Self {
        Self {
            system: System::new().ok(),
        }
    }
}

impl TreeSampler {
    /// The usage of the tree under each of `roots` (each root included), and of this
    /// process (read it with [`TreeSampler::process`]).
    pub fn sample(&mut self, roots: &[u32]) -> HashMap<u32, TreeUsage> {
        let Some(system) = self.system.as_mut() else {
            return HashMap::new();
        };
        // Finding a tree's descendants takes every process on the computer (and sysinfo
        // then keeps an entry for each); with no tree to measure, this process is enough.
        let own = [Pid::from_u32(std::process::id())];
        let which = if roots.is_empty() {
            ProcessesToUpdate::Some(&own)
        } else {
            ProcessesToUpdate::All
        };
        system.refresh_processes_specifics(
            which,
            true,
            ProcessRefreshKind::nothing().with_cpu().with_memory(),
        );
        let mut children: HashMap<Pid, Vec<Pid>> = HashMap::new();
        // On Linux sysinfo also lists threads; they share their process's memory.
        for (pid, process) in system
            .processes()
            .iter()
            .filter(|(_, p)| p.thread_kind().is_none())
        {
            if let Some(parent) = process.parent() {
                children.entry(parent).or_default().push(*pid);
            }
        }
        roots
            .iter()
            .map(|&root| {
                let mut usage = TreeUsage::default();
                let mut todo = vec![Pid::from_u32(root)];
                while let Some(pid) = todo.pop() {
                    if let Some(process) = system.process(pid) {
                        usage += TreeUsage {
                            cpu_percent: process.cpu_usage(),
                            memory_bytes: process.memory(),
                            processes: 1,
                        };
                    }
                    if let Some(kids) = children.get(&pid) {
                        todo.extend(kids);
                    }
                }
                (root, usage)
            })
            .collect()
    }

    /// The usage of one process alone (its children not counted), as of the last
    /// [`TreeSampler::sample`].
    pub fn process(&self, pid: u32) -> TreeUsage {
        self.system
            .as_ref()
            .and_then(|system| system.process(Pid::from_u32(pid)))
            .map(|process| TreeUsage {
                cpu_percent: process.cpu_usage(),
                memory_bytes: process.memory(),
                processes: 1,
            })
            .unwrap_or_default()
    }
}
