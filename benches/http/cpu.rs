//! Where the server and the load generator run. When this process may use two or more CPUs
//! the bench also measures them on separate CPUs, the closest one machine comes to a load
//! generator on another host: the server then has one CPU to itself and none to spare.

use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::Duration;

/// How the CPUs are shared between the server and the load generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Both may run on every CPU this process was allowed at start (the OS decides).
    Shared(Vec<usize>),
    /// The load generator on one CPU, the server on another.
    Separate { load: usize, server: usize },
}

impl Placement {
    /// The placements this process can measure, from the CPUs it may run on.
    pub fn available() -> Vec<Placement> {
        let allowed = allowed_cpus();
        let mut placements = vec![Placement::Shared(allowed.clone())];
        if let [load, server, ..] = allowed[..] {
            placements.push(Placement::Separate { load, server });
        }
        placements
    }

    pub fn describe(&self) -> String {
        match self {
            Placement::Shared(cpus) => format!("shared CPUs {cpus:?}"),
            Placement::Separate { load, server } => {
                format!("server on CPU {server}, load on CPU {load}")
            }
        }
    }

    /// The CPUs for the server.
    pub fn server_cpus(&self) -> Vec<usize> {
        match self {
            Placement::Shared(cpus) => cpus.clone(),
            Placement::Separate { server, .. } => vec![*server],
        }
    }

    /// The CPUs for the load generator.
    pub fn load_cpus(&self) -> Vec<usize> {
        match self {
            Placement::Shared(cpus) => cpus.clone(),
            Placement::Separate { load, .. } => vec![*load],
        }
    }
}

/// The CPUs the calling thread may run on.
fn allowed_cpus() -> Vec<usize> {
    // SAFETY: cpu_set_t is plain data, filled in by the kernel; CPU_ISSET reads within it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return vec![0];
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&cpu| libc::CPU_ISSET(cpu, &set))
            .collect()
    }
}

fn set_affinity(cpus: &[usize]) -> std::io::Result<()> {
    // SAFETY: cpu_set_t is plain data; CPU_ZERO/CPU_SET write within it; pid 0 is the caller.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_ZERO(&mut set);
        for &cpu in cpus {
            libc::CPU_SET(cpu, &mut set);
        }
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
}

/// Runs the calling thread on `cpus`.
pub fn pin_current_thread(cpus: &[usize]) {
    set_affinity(cpus).expect("set CPU affinity");
}

/// Starts `command` on `cpus`; its threads inherit the placement.
pub fn pin_command(command: &mut Command, cpus: Vec<usize>) {
    // SAFETY: the closure runs in the forked child before exec; it only fills a stack value
    // and makes a syscall.
    unsafe {
        command.pre_exec(move || set_affinity(&cpus));
    }
}

/// CPU time (user and system) used so far by process `pid`, all its threads together.
pub fn process_time(pid: u32) -> Duration {
    stat_time(&format!("/proc/{pid}/stat"))
}

/// `utime + stime` of a `/proc/…/stat` file (zero if it cannot be read).
fn stat_time(path: &str) -> Duration {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return Duration::ZERO;
    };
    // The command name, in parentheses, may hold spaces: count fields after its end.
    let Some(after_name) = stat.rfind(')').map(|end| &stat[end + 1..]) else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields[11..13]
        .iter()
        .filter_map(|field| field.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_secs_f64(ticks as f64 / per_second as f64)
}
