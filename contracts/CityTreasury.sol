// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title CityTreasury: the city's budget allocations and payments, on the city ledger.
/// @notice Amounts are in minor units of `currency` (cents for EUR). Ids are the treasury
///         system's own (hashed to bytes32); each can be recorded once.
contract CityTreasury {
    address public owner;
    mapping(address => bool) public isTreasurer;
    mapping(bytes32 => bool) public recorded;

    event BudgetAllocated(
        bytes32 indexed allocationId,
        uint16 indexed fiscalYear,
        string department,
        string program,
        string cofog,
        uint256 amount,
        string currency
    );
    event PaymentMade(
        bytes32 indexed paymentId,
        address indexed payee,
        string department,
        string payeeName,
        uint256 amount,
        string currency,
        string contractRef
    );
    /// A payment made from a budget line (`budgetLineId`, the budget file's `budget_line_id`):
    /// the second version of `PaymentMade`, which names no line. Both are recorded.
    event PaymentMadeOnBudgetLine(
        bytes32 indexed paymentId,
        address indexed payee,
        string department,
        string payeeName,
        uint256 amount,
        string currency,
        string contractRef,
        string budgetLineId
    );
    event TreasurerChanged(address indexed account, bool allowed);

    error NotOwner();
    error NotTreasurer();
    error AlreadyRecorded(bytes32 id);

    constructor() {
        owner = msg.sender;
        isTreasurer[msg.sender] = true;
        emit TreasurerChanged(msg.sender, true);
    }

    modifier onlyTreasurer() {
        if (!isTreasurer[msg.sender]) revert NotTreasurer();
        _;
    }

    function setTreasurer(address account, bool allowed) external {
        if (msg.sender != owner) revert NotOwner();
        isTreasurer[account] = allowed;
        emit TreasurerChanged(account, allowed);
    }

    function allocate(
        bytes32 allocationId,
        uint16 fiscalYear,
        string calldata department,
        string calldata program,
        string calldata cofog,
        uint256 amount,
        string calldata currency
    ) external onlyTreasurer {
        _once(allocationId);
        emit BudgetAllocated(allocationId, fiscalYear, department, program, cofog, amount, currency);
    }

    function pay(
        bytes32 paymentId,
        address payee,
        string calldata department,
        string calldata payeeName,
        uint256 amount,
        string calldata currency,
        string calldata contractRef
    ) external onlyTreasurer {
        _once(paymentId);
        emit PaymentMade(paymentId, payee, department, payeeName, amount, currency, contractRef);
    }

    /// The arguments of `payOnBudgetLine`: those of `pay` and the budget line.
    struct LinePayment {
        bytes32 paymentId;
        address payee;
        string department;
        string payeeName;
        uint256 amount;
        string currency;
        string contractRef;
        string budgetLineId;
    }

    /// A payment as `pay`, naming the budget line it is made from.
    function payOnBudgetLine(LinePayment calldata p) external onlyTreasurer {
        _once(p.paymentId);
        emit PaymentMadeOnBudgetLine(
            p.paymentId, p.payee, p.department, p.payeeName, p.amount, p.currency, p.contractRef,
            p.budgetLineId
        );
    }

    function _once(bytes32 id) private {
        if (recorded[id]) revert AlreadyRecorded(id);
        recorded[id] = true;
    }
}
