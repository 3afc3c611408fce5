// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title MockKlimaRetirement: emits KlimaDAO's `CarbonRetired` event, for tests and the demo.
/// @notice The event has the signature KlimaDAO's retirement aggregator (Klima Infinity) emits:
///         CarbonRetired(uint8,address,string,address,string,string,address,address,uint256).
///         It records nothing and moves no tokens.
contract MockKlimaRetirement {
    event CarbonRetired(
        uint8 carbonBridge,
        address indexed retiringAddress,
        string retiringEntityString,
        address indexed beneficiaryAddress,
        string beneficiaryString,
        string retirementMessage,
        address indexed carbonPool,
        address carbonToken,
        uint256 retiredAmount
    );

    function retire(
        uint8 carbonBridge,
        string calldata retiringEntityString,
        address beneficiaryAddress,
        string calldata beneficiaryString,
        string calldata retirementMessage,
        address carbonPool,
        address carbonToken,
        uint256 retiredAmount
    ) external {
        emit CarbonRetired(
            carbonBridge,
            msg.sender,
            retiringEntityString,
            beneficiaryAddress,
            beneficiaryString,
            retirementMessage,
            carbonPool,
            carbonToken,
            retiredAmount
        );
    }
}
