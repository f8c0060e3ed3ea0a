//! MCP Registry client (to come).
