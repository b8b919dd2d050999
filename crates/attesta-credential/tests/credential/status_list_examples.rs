//! The draft's published status-list examples decode to the listed
//! statuses; the encoder round-trips them.

use std::path::PathBuf;

use attesta_credential::card::StatusList;
use serde_json::Value;

#[test]
fn draft_examples_decode_and_round_trip() {
    let Some(path) = attesta_testkit::require_path(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/testdata/status-list/examples.json"),
    ) else {
        return;
    };
    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let examples = v["examples"].as_array().unwrap();
    assert!(!examples.is_empty());
    for ex in examples {
        let bits = ex["bits"].as_u64().unwrap() as u8;
        let list = StatusList::from_lst(bits, ex["lst"].as_str().unwrap()).unwrap();
        assert_eq!(
            hex::encode(list.as_bytes()),
            ex["byte_array_hex"].as_str().unwrap()
        );
        let statuses: Vec<u8> = ex["statuses_by_index"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_u64().unwrap() as u8)
            .collect();
        for (i, want) in statuses.iter().enumerate() {
            assert_eq!(list.get(i as u64), Some(*want), "bits {bits} index {i}");
        }
        // Our own encoding of the same statuses decodes to the same array.
        let mut ours = StatusList::new(bits, statuses.len()).unwrap();
        for (i, s) in statuses.iter().enumerate() {
            assert!(ours.set(i as u64, *s));
        }
        assert_eq!(ours.as_bytes(), list.as_bytes());
        assert_eq!(StatusList::from_lst(bits, &ours.lst()).unwrap(), ours);
    }
}

#[test]
fn four_and_eight_bit_lists_round_trip() {
    for bits in [4u8, 8] {
        let mut l = StatusList::new(bits, 100).unwrap();
        let max = ((1u16 << bits) - 1) as u8;
        for i in 0..100u64 {
            assert!(l.set(i, (i as u8) % max.saturating_add(1).max(1)));
        }
        let back = StatusList::from_lst(bits, &l.lst()).unwrap();
        for i in 0..100u64 {
            assert_eq!(back.get(i), l.get(i));
        }
    }
    assert!(StatusList::new(3, 8).is_err());
}
