//! Embodied carbon (lots × EPD factors, rolled up through transformations), emissions by party, scope, category and period, carbon credits retired, the city's net position (docs/methods/carbon.md).
