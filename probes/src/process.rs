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
    let mut child = spawn(command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()))?;
    let (out_tx, out_rx) = mpsc::channel();
    let (err_tx, err_rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        std::thread::spawn(move || {
            let mut buffer = Vec::new();
            let result = stdout.take(limit as u64 + 1).read_to_end(&mut buffer).map(|_| buffer);
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
    let deadline = Instant::now() + timeout;
    let mut stdout: Option<Vec<u8>> = None;
    let code = loop {
        if stdout.is_none() {
            match out_rx.try_recv() {
                Ok(Ok(bytes)) if bytes.len() > limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(ProbeError::Other(format!("output exceeds {limit} bytes; the program was stopped")));
                }
                Ok(Ok(bytes)) => stdout = Some(bytes),
                Ok(Err(e)) => return Err(ProbeError::Io(e)),
                Err(_) => {}
            }
        }
        match child.try_wait() {
            Ok(Some(status)) if stdout.is_some() => break status.code(),
            Ok(_) => {}
            Err(e) => return Err(ProbeError::Io(e)),
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ProbeError::Timeout(timeout));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Standard error closes with the program (or soon after, if it left children behind).
    let stderr = err_rx.recv_timeout(Duration::from_millis(500)).unwrap_or_default();
    Ok(Finished { code, stdout: stdout.unwrap_or_default(), stderr })
}
