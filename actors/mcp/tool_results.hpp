#pragma once

// Encoding of tool results: the members of a CallToolResult (content,
// structuredContent, isError) for each tool, matching the output schemas in
// tool_catalog.cpp. The caller opens and closes the result object, so it can
// add era-specific members (resultType, _meta) around them.

#include "actors/mcp/json_rpc.hpp"
#include "actors/mcp/mcp_session.hpp"

#include <string_view>

namespace cluster::mcp {

/// Writes the result members for cluster_bash / offload_to.
void write_run_result(json_writer& out, const run_result& result);

/// Writes the result members for parallel_execute; `request` supplies the
/// commands that label each item in the text summary.
void write_batch_result(json_writer& out, const batch_result& result,
                        const batch_request& request);

/// Writes the result members for cluster_status.
void write_status_result(json_writer& out, const cluster_snapshot& snapshot,
                         const slot_ledger& ledger,
                         const session_options& opts);

/// Writes the structured object of one run (cluster_bash's structuredContent).
void write_run_object(json_writer& out, const run_result& result);

/// Writes the structured object of cluster_status.
void write_status_object(json_writer& out, const cluster_snapshot& snapshot,
                         const slot_ledger& ledger,
                         const session_options& opts);

/// A text table of every node: status, CPU %, memory %, load, slots, platform.
std::string status_table(const cluster_snapshot& snapshot,
                         const slot_ledger& ledger,
                         const session_options& opts);

/// Writes the members of a tool result that only carries an error message.
void write_error_result(json_writer& out, std::string_view message);

} // namespace cluster::mcp
