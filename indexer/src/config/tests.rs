//! The configuration's parsing and validation, by example.

mod basics {
    use super::super::*;

    const EXAMPLE: &str = r#"
[[chain]]
id = 31337
name = "City ledger"
kind = "ledger"
rpc = ["http://127.0.0.1:8545"]

[[contract]]
chain = 31337
kind = "batch_anchor"
address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"

[anchoring]
chain = 31337
contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
"#;

    #[test]
    fn defaults_fill_in_what_the_file_leaves_out() {
        let config: IndexerConfig = toml::from_str(EXAMPLE).unwrap();
        config.validate().unwrap();
        let chain = &config.chains[0];
        assert_eq!(
            chain.finality(),
            FinalityConfig::Confirmations { confirmations: 0 }
        );
        assert_eq!(
            (
                chain.poll_interval_ms,
                chain.initial_block_range,
                chain.max_block_range,
                chain.reorg_window
            ),
            (1000, 20, 2000, 256)
        );
        assert_eq!(
            (
                chain.fetch_concurrency,
                chain.write_queue,
                chain.stall_after_polls
            ),
            (4, 2, 30)
        );
        let anchoring = config.anchoring.unwrap();
        assert_eq!(
            (anchoring.key_env.as_str(), anchoring.resubmit_after_secs),
            ("CITYTRACE_ANCHOR_KEY", 30)
        );
    }

    #[test]
    fn references_and_addresses_are_checked() {
        let bad_chain = EXAMPLE.replace(
            "chain = 31337\nkind = \"batch_anchor\"",
            "chain = 1\nkind = \"batch_anchor\"",
        );
        let e = toml::from_str::<IndexerConfig>(&bad_chain)
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("on chain 1, which is not configured"),
            "{e}"
        );
        let bad_kind = EXAMPLE.replace("kind = \"batch_anchor\"", "kind = \"uniswap\"");
        let e = toml::from_str::<IndexerConfig>(&bad_kind)
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("unknown kind \"uniswap\""), "{e}");
        let bad_address = EXAMPLE.replace(
            "address = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"",
            "address = \"0x1234\"",
        );
        let e = toml::from_str::<IndexerConfig>(&bad_address)
            .unwrap()
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("not a 20-byte 0x address"), "{e}");
        let typo = EXAMPLE.replace("rpc =", "rpcs =");
        assert!(toml::from_str::<IndexerConfig>(&typo)
            .unwrap_err()
            .to_string()
            .contains("unknown field `rpcs`"));
    }
}

mod finality_and_abi {
    use super::super::*;

    fn chain(extra: &str) -> Result<IndexerConfig, String> {
        let text = format!("[[chain]]\nid = 1\nname = \"x\"\nkind = \"public\"\nrpc = [\"http://a\", \"http://b\"]\n{extra}\n");
        let config: IndexerConfig = toml::from_str(&text).map_err(|e| e.to_string())?;
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }

    #[test]
    fn finality_is_a_tag_or_a_depth_with_per_kind_defaults() {
        assert_eq!(
            chain("").unwrap().chains[0].finality(),
            FinalityConfig::Confirmations { confirmations: 12 }
        );
        let tagged = chain("finality = { tag = \"finalized\" }").unwrap();
        assert_eq!(
            tagged.chains[0].finality(),
            FinalityConfig::Tag {
                tag: FinalityTag::Finalized
            }
        );
        let safe = chain("finality = { tag = \"safe\" }").unwrap();
        assert_eq!(
            safe.chains[0].finality(),
            FinalityConfig::Tag {
                tag: FinalityTag::Safe
            }
        );
        let deep = chain("finality = { confirmations = 64 }").unwrap();
        assert_eq!(
            deep.chains[0].finality(),
            FinalityConfig::Confirmations { confirmations: 64 }
        );
        assert!(chain("finality = { tag = \"latest\" }").is_err());
        assert_eq!(
            chain("").unwrap().chains[0].rpc.len(),
            2,
            "several URLs for failover"
        );
    }

    #[test]
    fn abi_contracts_need_a_file_and_builtins_refuse_one() {
        let abi = "[[contract]]\nchain = 1\nkind = \"abi\"\naddress = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"";
        assert!(chain(abi)
            .unwrap_err()
            .contains("needs abi = \"path.json\""));
        assert!(chain(&format!("{abi}\nabi = \"x.json\"\nevents = [\"Transfer\"]")).is_ok());
        let builtin = abi.replace("kind = \"abi\"", "kind = \"erc20\"");
        assert!(chain(&format!("{builtin}\nabi = \"x.json\""))
            .unwrap_err()
            .contains("has a built-in ABI"));
        assert!(chain("initial_block_range = 5000")
            .unwrap_err()
            .contains("larger than max_block_range"));
    }

    #[test]
    fn abi_paths_are_relative_to_the_configuration_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("citytrace.toml");
        std::fs::write(&path, "[[chain]]\nid = 1\nname = \"x\"\nkind = \"ledger\"\nrpc = [\"http://a\"]\n[[contract]]\nchain = 1\nkind = \"abi\"\naddress = \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"\nabi = \"abis/token.json\"\n").unwrap();
        let config = IndexerConfig::from_file(&path).unwrap();
        assert_eq!(
            config.contracts[0].abi.as_deref(),
            Some(dir.path().join("abis/token.json").as_path())
        );
    }
}

mod example_file {
    /// docs/citytrace.example.toml parses and validates.
    #[test]
    fn the_documented_example_is_a_valid_configuration() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/citytrace.example.toml");
        let config = super::super::IndexerConfig::from_file(&path).unwrap();
        assert_eq!((config.chains.len(), config.contracts.len()), (2, 5));
        assert_eq!(
            config.anchoring.unwrap().uri_base,
            "http://127.0.0.1:8080/batches/"
        );
    }
}
