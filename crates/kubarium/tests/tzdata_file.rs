//! The playground fetches `web/tzdata.bin` on demand (its core is built without
//! `bundled-tzdb`): the file must hold the bundled database. Regenerate it with
//! `UPDATE_GOLDEN=1 cargo test -p kubarium --test tzdata_file`. (An integration test: the core
//! itself reads no files.)

#[cfg(feature = "bundled-tzdb")]
#[test]
fn the_playground_database_file_is_the_bundled_database() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/tzdata.bin");
    let expected = kubarium::tz::Database::bundled().to_file();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let file = std::fs::read(path).expect("web/tzdata.bin");
    assert!(
        file == expected,
        "web/tzdata.bin is not the bundled database; regenerate it"
    );
}
