//! A small blocking set of connections shared by both backends: connections are made
//! on demand up to a limit, handed out one caller at a time, and dropped when broken.

use crate::error::Result;
use std::sync::{Condvar, Mutex};

pub(crate) type Factory<C> = Box<dyn Fn() -> Result<C> + Send + Sync>;

pub struct Connections<C> {
    state: Mutex<SetState<C>>,
    returned: Condvar,
    max: usize,
    make: Factory<C>,
}

struct SetState<C> {
    idle: Vec<C>,
    open: usize,
}

impl<C> Connections<C> {
    pub fn new(max: usize, make: Factory<C>) -> Self {
        Connections {
            state: Mutex::new(SetState {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
            max: max.max(1),
            make,
        }
    }

    /// Runs `f` with a connection, waiting for one if all are busy. A connection whose
    /// use failed with `keep == false` is closed instead of returned, and so is one
    /// whose user panicked (its transaction, if any, is rolled back as it closes): the
    /// pool's count goes down either way, so no later caller waits for it.
    pub fn with<T>(&self, f: impl FnOnce(&mut C) -> (Result<T>, bool)) -> Result<T> {
        let conn = self.checkout()?;
        self.lend(conn, f)
    }

    /// Runs `f` with a checked-out connection and gives it back (or closes it).
    fn lend<T>(&self, conn: C, f: impl FnOnce(&mut C) -> (Result<T>, bool)) -> Result<T> {
        let mut lease = Lease {
            set: self,
            conn: Some(conn),
        };
        let (result, keep) = match lease.conn.as_mut() {
            Some(conn) => f(conn),
            None => unreachable!("a lease holds its connection until it ends"),
        };
        if keep && let Some(conn) = lease.conn.take() {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            state.idle.push(conn);
            self.returned.notify_one();
        }
        result
    }

    /// Runs `f` with an idle connection, or returns `None` at once when none is idle:
    /// for callers on an async runtime's worker thread, which must not wait here (they
    /// go to a blocking thread instead).
    pub fn try_with<T>(&self, f: impl FnOnce(&mut C) -> (Result<T>, bool)) -> Option<Result<T>> {
        let conn = self
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .idle
            .pop()?;
        Some(self.lend(conn, f))
    }

    /// Takes the idle connections out (to close them somewhere else).
    pub fn drain(&self) -> Vec<C> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.open -= state.idle.len();
        std::mem::take(&mut state.idle)
    }

    /// Connections made and not closed (idle or in use).
    #[cfg(test)]
    fn open(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).open
    }

    fn checkout(&self) -> Result<C> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(c) = state.idle.pop() {
                return Ok(c);
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return (self.make)().inspect_err(|_| {
                    self.state.lock().unwrap_or_else(|e| e.into_inner()).open -= 1;
                    self.returned.notify_one();
                });
            }
            state = self.returned.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// A connection in use: unless it is given back, it is closed when the lease ends —
/// also when its user panicked — and its place in the pool is freed.
struct Lease<'a, C> {
    set: &'a Connections<C>,
    conn: Option<C>,
}

impl<C> Drop for Lease<'_, C> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(conn);
            let mut state = self.set.state.lock().unwrap_or_else(|e| e.into_inner());
            state.open -= 1;
            self.set.returned.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_panic_while_holding_the_only_connection_frees_it() {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = made.clone();
        let pool = Arc::new(Connections::new(
            1,
            Box::new(move || Ok(counter.fetch_add(1, Ordering::SeqCst))),
        ));
        let p = pool.clone();
        let panicked = std::thread::spawn(move || {
            p.with(|_| -> (Result<()>, bool) { panic!("injected into a write") })
        })
        .join();
        assert!(panicked.is_err(), "the panic reached its caller");
        assert_eq!(
            pool.open(),
            0,
            "the connection was closed, not kept checked out"
        );
        // The next caller gets a fresh connection at once instead of waiting for ever.
        let (tx, rx) = std::sync::mpsc::channel();
        let p = pool.clone();
        std::thread::spawn(move || {
            let _ = tx.send(p.with(|c| (Ok(*c), true)));
        });
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("a later caller was not kept waiting");
        assert_eq!(got.unwrap(), 1, "a new connection was made");
        assert_eq!(pool.open(), 1);
        assert_eq!(pool.with(|c| (Ok(*c), true)).unwrap(), 1, "and kept");
    }

    #[test]
    fn a_connection_not_kept_is_closed_and_replaced() {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = made.clone();
        let pool = Connections::new(
            2,
            Box::new(move || Ok(counter.fetch_add(1, Ordering::SeqCst))),
        );
        let r: Result<usize> = pool.with(|c| (Ok(*c), false));
        assert_eq!(r.unwrap(), 0);
        assert_eq!(pool.open(), 0);
        assert_eq!(pool.with(|c| (Ok(*c), true)).unwrap(), 1);
        assert_eq!(made.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn try_with_never_waits() {
        let set = Connections::new(1, Box::new(|| Ok(())));
        // Nothing idle yet: no connection is made on the caller's thread.
        assert!(set.try_with(|_| (Ok(()), true)).is_none());
        set.with(|_| (Ok(()), true)).unwrap();
        assert!(set.try_with(|_| (Ok(1), true)).unwrap().is_ok());
        // While the only connection is in use, the answer is "none", not a wait.
        let inner = set.with(|_| (Ok(set.try_with(|_| (Ok(()), true)).is_none()), true));
        assert!(inner.unwrap());
        assert_eq!(set.open(), 1);
    }
}
