//! A small blocking connection pool shared by both backends: connections are made
//! on demand up to a limit, handed out one caller at a time, and dropped when broken.

use crate::error::Result;
use std::sync::{Condvar, Mutex};

pub(crate) type Factory<C> = Box<dyn Fn() -> Result<C> + Send + Sync>;

pub struct Pool<C> {
    state: Mutex<PoolState<C>>,
    returned: Condvar,
    max: usize,
    make: Factory<C>,
}

struct PoolState<C> {
    idle: Vec<C>,
    open: usize,
}

impl<C> Pool<C> {
    pub fn new(max: usize, make: Factory<C>) -> Self {
        Pool {
            state: Mutex::new(PoolState {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
            max: max.max(1),
            make,
        }
    }

    /// Runs `f` with a connection, waiting for one if all are busy. A connection whose
    /// use failed with `keep == false` is closed instead of returned.
    pub fn with<T>(&self, f: impl FnOnce(&mut C) -> (Result<T>, bool)) -> Result<T> {
        let mut conn = self.checkout()?;
        let (result, keep) = f(&mut conn);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if keep {
            state.idle.push(conn);
        } else {
            state.open -= 1;
        }
        self.returned.notify_one();
        result
    }

    /// Takes the idle connections out (to close them somewhere else).
    pub fn drain(&self) -> Vec<C> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.open -= state.idle.len();
        std::mem::take(&mut state.idle)
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
