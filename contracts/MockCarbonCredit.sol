// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title MockCarbonCredit: a stand-in for a Toucan TCO2 token, for tests and the demo.
/// @notice An ERC-20 (18 decimals, 1e18 = 1 tCO2e) whose retirements emit the same events as
///         Toucan's TCO2: the current `Retired(address,uint256,uint256)` and the 2021
///         `Retired(address,uint256)`, each with the burn's `Transfer(account, 0x0, amount)`.
///         Not a real carbon credit: anyone may mint.
contract MockCarbonCredit {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    uint256 public retirementCount;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Retired(address sender, uint256 amount, uint256 eventId);
    event Retired(address sender, uint256 amount);

    error InsufficientBalance(uint256 balance, uint256 needed);
    error LengthMismatch();

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
    }

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    /// Many transfers in one transaction (load generation for tests and benchmarks).
    function batchTransfer(address[] calldata to, uint256[] calldata amounts) external {
        if (to.length != amounts.length) revert LengthMismatch();
        for (uint256 i = 0; i < to.length; i++) {
            _move(msg.sender, to[i], amounts[i]);
        }
    }

    function retire(uint256 amount) external returns (uint256 eventId) {
        _burn(msg.sender, amount);
        eventId = ++retirementCount;
        emit Retired(msg.sender, amount, eventId);
    }

    function retireLegacy(uint256 amount) external {
        _burn(msg.sender, amount);
        emit Retired(msg.sender, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(balance, amount);
        balanceOf[from] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }

    function _burn(address from, uint256 amount) private {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(balance, amount);
        balanceOf[from] = balance - amount;
        totalSupply -= amount;
        emit Transfer(from, address(0), amount);
    }
}
