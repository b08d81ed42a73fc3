//! Faults inside the store: a panic in the middle of a write transaction leaves
//! nothing half-written and does not keep the writer checked out, so the next write
//! goes through. On SQLite, and on PostgreSQL when GOVSHARE_TEST_POSTGRES_URL is set.

use govshare_store::Store;
use govshare_store::value::Value;
use std::time::Duration;

#[tokio::test]
async fn a_panic_inside_a_write_rolls_it_back_and_frees_the_writer() {
    for backend in govshare_store::testing::backends() {
        let store = Store::open(&govshare_store::testing::fresh_database(backend))
            .await
            .unwrap();
        let count = |store: &Store| {
            let store = store.clone();
            async move {
                store
                    .read(|c| {
                        c.query_one("SELECT COUNT(*) AS days FROM calendar_days", &[])?
                            .i64("days")
                    })
                    .await
                    .unwrap()
            }
        };
        let before = count(&store).await;
        // Each write closure runs on the one writer (SQLite) or a pooled connection;
        // enough panics to take every connection the pool has, if they were leaked.
        for _ in 0..20 {
            let failed = store
                .write(|c| -> govshare_store::Result<()> {
                    c.execute(
                        "INSERT INTO calendar_days (day, working) VALUES (?, ?)",
                        &[Value::Text("2031-01-01".into()), Value::Bool(false)],
                    )?;
                    panic!("injected after a row was written");
                })
                .await;
            assert!(
                failed.is_err(),
                "{backend}: the panic is an error to the caller"
            );
        }
        assert_eq!(
            count(&store).await,
            before,
            "{backend}: nothing half-written"
        );
        let written = tokio::time::timeout(
            Duration::from_secs(10),
            store.write(|c| {
                c.execute(
                    "INSERT INTO calendar_days (day, working) VALUES (?, ?)",
                    &[Value::Text("2031-01-02".into()), Value::Bool(false)],
                )
            }),
        )
        .await
        .expect("the next write was kept waiting");
        assert_eq!(written.unwrap(), 1, "{backend}");
        assert_eq!(count(&store).await, before + 1, "{backend}");
    }
}
