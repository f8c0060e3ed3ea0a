//! MCP Bundles (to come).
