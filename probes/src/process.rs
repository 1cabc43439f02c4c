//! Running a program with a time limit and an output cap (extensions, PowerShell commands).

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::ProbeError;

/// Bytes of standard error kept.
pub const STDERR_TAIL: usize = 2048;

/// How a program ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    /// Standard output (at most the cap).
    pub stdout: Vec<u8>,
    /// The end of standard error.
    pub stderr: Vec<u8>,
}

/// "Text file busy" (`ETXTBSY`): the program was written a moment ago and another thread's fork
/// still holds a copy of the writer's descriptor until it execs.
const TEXT_FILE_BUSY: i32 = 26;

/// Starts a program, retrying for up to a second while it is "text file busy" — a program that was
/// just written (an extension dropped in place by a deployment tool, or by a parallel test) can
/// briefly be unexecutable while any other thread of this process forks.
fn spawn(command: &mut Command) -> std::io::Result<std::process::Child> {
    let mut waited = Duration::ZERO;
    loop {
        match command.spawn() {
            Err(e) if cfg!(unix) && e.raw_os_error() == Some(TEXT_FILE_BUSY) && waited < Duration::from_secs(1) => {
                std::thread::sleep(Duration::from_millis(20));
                waited += Duration::from_millis(20);
            }
            other => return other,
        }
    }
}

/// Runs `command` (standard input closed) until it exits, at most `timeout`, reading at most
/// `limit` bytes of standard output.
///
/// # Errors
///
/// [`ProbeError::Io`] when it cannot start; [`ProbeError::Timeout`] (the program is killed);
/// [`ProbeError::Other`] when the output exceeds `limit` (the program is killed).
pub fn run(command: &mut Command, timeout: Duration, limit: usize) -> Result<Finished, ProbeError> {
    // Its own process group, so a time-out stops the program and everything it started.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    let mut child = spawn(command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()))?;
    let (out_tx, out_rx) = mpsc::channel();
    let (err_tx, err_rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut buffer = Vec::new();
            let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
            let result = stdout.take(cap).read_to_end(&mut buffer).map(|_| buffer);
            let _ = out_tx.send(result);
        });
    }
    if let Some(mut stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buffer.extend_from_slice(&chunk[..n]);
                if buffer.len() > 4 * STDERR_TAIL {
                    buffer.drain(..buffer.len() - STDERR_TAIL);
                }
            }
            let _ = err_tx.send(buffer);
        });
    }
    let started = Instant::now();
    let mut stdout: Option<Vec<u8>> = None;
    let mut exited: Option<(Option<i32>, Instant)> = None;
    let code = loop {
        if stdout.is_none() {
            match out_rx.try_recv() {
                Ok(Ok(bytes)) if bytes.len() > limit => {
                    stop(&mut child);
                    return Err(ProbeError::Other(format!("output exceeds {limit} bytes; the program was stopped")));
                }
                Ok(Ok(bytes)) => stdout = Some(bytes),
                Ok(Err(e)) => return Err(ProbeError::Io(e)),
                Err(_) => {}
            }
        }
        if exited.is_none() {
            match child.try_wait() {
                Ok(Some(status)) => exited = Some((status.code(), Instant::now())),
                Ok(None) => {}
                Err(e) => return Err(ProbeError::Io(e)),
            }
        }
        match exited {
            Some((code, _)) if stdout.is_some() => break code,
            // The program has exited but something it left behind (a background child) still
            // holds its standard output: the program's work is done, so stop the leftovers and
            // keep what it printed.
            Some((code, at)) if at.elapsed() >= EXIT_GRACE => {
                stop(&mut child);
                match out_rx.recv_timeout(EXIT_GRACE) {
                    Ok(Ok(bytes)) if bytes.len() <= limit => stdout = Some(bytes),
                    Ok(Ok(_)) => {
                        return Err(ProbeError::Other(format!(
                            "output exceeds {limit} bytes; the program was stopped"
                        )));
                    }
                    Ok(Err(e)) => return Err(ProbeError::Io(e)),
                    Err(_) => stdout = Some(Vec::new()),
                }
                break code;
            }
            _ => {}
        }
        if started.elapsed() >= timeout {
            stop(&mut child);
            return Err(ProbeError::Timeout(timeout));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Standard error closes with the program (or soon after, if it left children behind).
    let stderr = err_rx.recv_timeout(Duration::from_millis(500)).unwrap_or_default();
    Ok(Finished { code, stdout: stdout.unwrap_or_default(), stderr })
}

/// How long the output may stay open after the program exited.
const EXIT_GRACE: Duration = Duration::from_millis(500);

/// Kills the program and every process of its group (what it started and left running), then
/// reaps it. On Windows only the program itself is stopped (a job object would be needed for its
/// children; that path cannot be tested here).
fn stop(child: &mut std::process::Child) {
    // The group the child leads (`process_group(0)` above) outlives it while any member does.
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Whether a process is still running (absent or a zombie counts as gone).
    fn running(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.rsplit(')').next().is_some_and(|rest| !rest.trim_start().starts_with('Z')))
    }

    #[test]
    fn a_time_out_kills_the_program_and_what_it_started() {
        let dir = std::env::temp_dir().join(format!("syncdoctor-pgroup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("child.pid");
        let script = format!("sleep 60 & echo $! > {}; sleep 60", pid_file.display());
        let started = Instant::now();
        let result = run(Command::new("sh").args(["-c", &script]), Duration::from_secs(1), 1024);
        assert!(matches!(result, Err(ProbeError::Timeout(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let pid = pid.trim();
        let gone = (0..50).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            !running(pid)
        });
        assert!(gone, "the background child {pid} outlived the time-out");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_background_child_holding_the_output_does_not_turn_success_into_a_time_out() {
        let started = Instant::now();
        let finished =
            run(Command::new("sh").args(["-c", "echo '{\"facts\": {}}'; sleep 60 &"]), Duration::from_secs(20), 1024)
                .unwrap();
        assert_eq!(finished.code, Some(0));
        assert_eq!(String::from_utf8_lossy(&finished.stdout).trim(), "{\"facts\": {}}");
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    }

    #[test]
    fn the_largest_output_cap_does_not_wrap_to_zero() {
        let finished = run(Command::new("sh").args(["-c", "echo hello"]), Duration::from_secs(20), usize::MAX).unwrap();
        assert_eq!(String::from_utf8_lossy(&finished.stdout).trim(), "hello");
    }
}
