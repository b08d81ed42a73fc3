//! Sharing between government bodies (政务数据共享): who may read which items of a
//! resource, masked or not, on what basis — decided here, in one place, and enforced
//! by the store inside the query.

pub mod checkpoint;
pub mod cursor;
pub mod mask;
pub mod policy;
pub mod request;
pub mod seal;

pub use mask::{Mask, mask};
pub use policy::{Basis, Decision, Standing, decide};
pub use seal::Sealer;
