//! The hand-written department tables (units and business subjects of the bureau
//! and the 71 municipal departments), in the order of their 302NNN numbers.

mod d1;
mod d2;
mod d3;
mod d4;
mod d5;
mod d6;

use crate::model::{Dept, parse};

/// The bureau followed by the 71 departments.
pub fn departments() -> Vec<Dept> {
    parse(&[d1::TEXT, d2::TEXT, d3::TEXT, d4::TEXT, d5::TEXT, d6::TEXT].concat())
}
