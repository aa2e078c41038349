//! Where the server and the load generator run. On a machine with two or more CPUs the
//! bench also measures them on separate CPUs, the closest this machine comes to a load
//! generator on another host: the server then has one CPU to itself and none to spare.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// How the CPUs are shared between the server and the load generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Both may run on every CPU (the operating system decides).
    Shared,
    /// The load generator on CPU 0, the server on CPU 1.
    Separate,
}

impl Placement {
    /// The placements this machine can measure.
    pub fn available() -> Vec<Placement> {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cpus >= 2 {
            vec![Placement::Shared, Placement::Separate]
        } else {
            vec![Placement::Shared]
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Placement::Shared => "shared CPUs",
            Placement::Separate => "server on CPU 1, load on CPU 0",
        }
    }

    /// CPUs for the server, or `None` for all of them.
    pub fn server_cpu(self) -> Option<usize> {
        match self {
            Placement::Shared => None,
            Placement::Separate => Some(1),
        }
    }

    /// CPUs for the load generator, or `None` for all of them.
    pub fn load_cpu(self) -> Option<usize> {
        match self {
            Placement::Shared => None,
            Placement::Separate => Some(0),
        }
    }
}

fn set_affinity(cpu: Option<usize>) -> std::io::Result<()> {
    // SAFETY: cpu_set_t is plain data; CPU_ZERO/CPU_SET write within it; pid 0 is the caller.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_ZERO(&mut set);
        match cpu {
            Some(cpu) => libc::CPU_SET(cpu, &mut set),
            // The kernel ignores CPUs the machine does not have.
            None => (0..libc::CPU_SETSIZE as usize).for_each(|cpu| libc::CPU_SET(cpu, &mut set)),
        }
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
}

/// Runs the calling thread on `cpu` (or anywhere for `None`).
pub fn pin_current_thread(cpu: Option<usize>) {
    set_affinity(cpu).expect("set CPU affinity");
}

/// Starts `command` on `cpu` (or anywhere for `None`); its threads inherit the placement.
pub fn pin_command(command: &mut Command, cpu: Option<usize>) {
    // SAFETY: the closure runs in the forked child before exec and only makes a syscall.
    unsafe {
        command.pre_exec(move || set_affinity(cpu));
    }
}
