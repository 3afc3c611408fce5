//! The committed ABI and bytecode in contracts/build/ are what the pinned solc makes of the
//! sources: rebuild them into a temporary folder (contracts/build.sh, offline npm `solc`) and
//! compare byte for byte.

use std::path::Path;
use std::process::Command;

#[test]
fn committed_contract_builds_match_their_sources() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(root.join("contracts/build.sh"))
        .arg(out.path())
        .status()
        .expect("run contracts/build.sh (needs node and npm)");
    assert!(status.success(), "contracts/build.sh failed");
    let committed = root.join("contracts/build");
    let mut names: Vec<String> = std::fs::read_dir(&committed)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut rebuilt: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    rebuilt.sort();
    assert_eq!(names, rebuilt, "the same set of artifacts");
    assert!(
        names.contains(&"BatchAnchor.bin".to_string())
            && names.contains(&"TraceRegistry.abi.json".to_string())
    );
    for name in names {
        let a = std::fs::read(committed.join(&name)).unwrap();
        let b = std::fs::read(out.path().join(&name)).unwrap();
        assert!(
            a == b,
            "contracts/build/{name} is stale: run contracts/build.sh and commit the result"
        );
    }
}
