// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title TraceRegistry: supply-chain events recorded directly on the city ledger.
/// @notice One event per EPCIS event, answering what (epc), when (eventTime), where
///         (bizLocation) and why (bizStep, disposition). The full EPCIS document lives off
///         chain; eventHash is its CBV 2.0 event hash id (sha-256 of the canonical pre-hash string).
contract TraceRegistry {
    address public owner;
    mapping(address => bool) public isRecorder;
    mapping(bytes32 => bool) public recorded;

    event TraceEventRecorded(
        bytes32 indexed eventHash,
        address indexed recorder,
        string eventType,
        string bizStep,
        string disposition,
        string epc,
        string bizLocation,
        uint64 eventTime
    );
    event RecorderChanged(address indexed account, bool allowed);

    error NotOwner();
    error NotRecorder();
    error AlreadyRecorded(bytes32 eventHash);

    constructor() {
        owner = msg.sender;
        isRecorder[msg.sender] = true;
        emit RecorderChanged(msg.sender, true);
    }

    function setRecorder(address account, bool allowed) external {
        if (msg.sender != owner) revert NotOwner();
        isRecorder[account] = allowed;
        emit RecorderChanged(account, allowed);
    }

    function record(
        bytes32 eventHash,
        string calldata eventType,
        string calldata bizStep,
        string calldata disposition,
        string calldata epc,
        string calldata bizLocation,
        uint64 eventTime
    ) external {
        if (!isRecorder[msg.sender]) revert NotRecorder();
        if (recorded[eventHash]) revert AlreadyRecorded(eventHash);
        recorded[eventHash] = true;
        emit TraceEventRecorded(eventHash, msg.sender, eventType, bizStep, disposition, epc, bizLocation, eventTime);
    }
}
