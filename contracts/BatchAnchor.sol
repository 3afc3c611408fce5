// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title BatchAnchor: the city ledger's notary for imported batches.
/// @notice Each import batch in citytrace gets a Merkle root over its canonical rows
///         (docs/verification.md). Anchoring that root here lets anyone prove, against the
///         ledger alone, that a row was part of the batch and has not been changed since.
/// @dev A batch id can be anchored once: a second attempt reverts, so a resubmitted
///      transaction can never anchor a batch twice.
contract BatchAnchor {
    address public owner;
    mapping(address => bool) public isAnchorer;
    mapping(uint64 => bytes32) public rootOf;

    event BatchAnchored(bytes32 indexed root, uint64 indexed batchId, uint32 rowCount, string uri);
    event AnchorerChanged(address indexed account, bool allowed);

    error NotOwner();
    error NotAnchorer();
    error AlreadyAnchored(uint64 batchId, bytes32 root);
    error EmptyRoot();

    constructor() {
        owner = msg.sender;
        isAnchorer[msg.sender] = true;
        emit AnchorerChanged(msg.sender, true);
    }

    function setAnchorer(address account, bool allowed) external {
        if (msg.sender != owner) revert NotOwner();
        isAnchorer[account] = allowed;
        emit AnchorerChanged(account, allowed);
    }

    function anchor(uint64 batchId, bytes32 root, uint32 rowCount, string calldata uri) external {
        if (!isAnchorer[msg.sender]) revert NotAnchorer();
        if (root == bytes32(0)) revert EmptyRoot();
        bytes32 existing = rootOf[batchId];
        if (existing != bytes32(0)) revert AlreadyAnchored(batchId, existing);
        rootOf[batchId] = root;
        emit BatchAnchored(root, batchId, rowCount, uri);
    }
}
