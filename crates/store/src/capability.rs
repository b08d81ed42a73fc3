//! What the store can do, as traits the server depends on: one per room
//! (`CatalogStore`, `PoolStore`, `SharingReads` and `SharingDuties`, `AuditStore`,
//! `OrgStore`), plus the audit writer's blocking calls (`AuditChain`) and
//! `Liveness`. `Store` implements them all; a test can put a fake of one in its
//! place and keep the real others.
//!
//! Each room declares its trait with `capability!`, which writes the trait and the
//! `Store` implementation that calls the room's code.

/// Declares a capability trait and implements it for `Store` by calling the
/// inherent method of the same name (where the room's code is).
macro_rules! capability {
    (
        $(#[$meta:meta])*
        pub trait $name:ident {
            $(
                $(#[$fmeta:meta])*
                async fn $f:ident(&self $(, $a:ident : $t:ty)* $(,)?) -> $r:ty;
            )*
        }
    ) => {
        $(#[$meta])*
        #[async_trait::async_trait]
        pub trait $name: Send + Sync {
            $( $(#[$fmeta])* async fn $f(&self $(, $a: $t)*) -> $r; )*
        }

        #[async_trait::async_trait]
        impl $name for crate::Store {
            $(
                async fn $f(&self $(, $a: $t)*) -> $r {
                    crate::Store::$f(self $(, $a)*).await
                }
            )*
        }
    };
    (
        $(#[$meta:meta])*
        pub blocking trait $name:ident {
            $(
                $(#[$fmeta:meta])*
                fn $f:ident(&self $(, $a:ident : $t:ty)* $(,)?) -> $r:ty;
            )*
        }
    ) => {
        $(#[$meta])*
        pub trait $name: Send + Sync {
            $( $(#[$fmeta])* fn $f(&self $(, $a: $t)*) -> $r; )*
        }

        impl $name for crate::Store {
            $(
                fn $f(&self $(, $a: $t)*) -> $r {
                    crate::Store::$f(self $(, $a)*)
                }
            )*
        }
    };
}

pub(crate) use capability;

/// Is the database there, and which is it.
#[async_trait::async_trait]
pub trait Liveness: Send + Sync {
    /// "sqlite" or "postgres".
    fn backend_name(&self) -> &'static str;
    /// A round trip to the database.
    async fn ping(&self) -> crate::Result<()>;
}

#[async_trait::async_trait]
impl Liveness for crate::Store {
    fn backend_name(&self) -> &'static str {
        crate::Store::backend_name(self)
    }
    async fn ping(&self) -> crate::Result<()> {
        crate::Store::ping(self).await
    }
}
