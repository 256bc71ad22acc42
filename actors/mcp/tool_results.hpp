#pragma once

// Encoding of tool results: the members of a CallToolResult (content,
// structuredContent, isError) for each tool, matching the output schemas in
// tool_catalog.cpp. The caller opens and closes the result object, so it can
// add era-specific members (resultType, _meta) around them.

#include "actors/mcp/json_rpc.hpp"
#include "actors/mcp/mcp_session.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace cluster::mcp {

/// Writes the result members for cluster_bash / offload_to.
void write_run_result(json_writer& out, const run_result& result);

/// Writes the result members for parallel_execute; `request` supplies the
/// commands that label each item in the text summary; with `merge`, a
/// broadcast's identical outcomes are shown once per group.
void write_batch_result(json_writer& out, const batch_result& result,
                        const batch_request& request, bool merge = true);

/// Writes the result members for cluster_status; `now_ms` (Unix ms) is when
/// the answer is written, from which each sample's age is computed.
void write_status_result(json_writer& out, const cluster_snapshot& snapshot,
                         const slot_ledger& ledger,
                         const session_options& opts, std::int64_t now_ms);

/// Writes the structured object of one run (cluster_bash's structuredContent).
void write_run_object(json_writer& out, const run_result& result);

/// Writes the structured object of a batch (parallel_execute's
/// structuredContent): results, total, succeeded, failed, stopped_by; for a
/// broadcast also `groups` (nodes that ended identically, with their shared
/// outcome and output); for a batch refused as a whole also `error` and
/// `error_message`.
void write_batch_object(json_writer& out, const batch_result& result,
                        const batch_request& request);

/// Writes the structured object of cluster_status (see write_status_result).
void write_status_object(json_writer& out, const cluster_snapshot& snapshot,
                         const slot_ledger& ledger,
                         const session_options& opts, std::int64_t now_ms);

/// A text table of every node: status, CPU %, memory %, load, slots, platform.
std::string status_table(const cluster_snapshot& snapshot,
                         const slot_ledger& ledger,
                         const session_options& opts);

// Explanations (explain_results.cpp).

/// Writes the result members for cluster_bash / offload_to with explain:
/// true; isError when no node qualifies, as the run itself would be.
void write_explanation_result(json_writer& out,
                              const placement_explanation& explanation);

/// Writes the explanation object (structuredContent.explanation).
void write_explanation_object(json_writer& out,
                              const placement_explanation& explanation);

/// The decision in words: "would run on NODE: REASON", then one line per node.
std::string explanation_text(const placement_explanation& explanation);

/// Writes the `content` member: one text item.
void write_text_content(json_writer& out, std::string_view text);

/// `value` rounded to 1/scale (scale 10: one decimal), printed without
/// binary noise.
double rounded(double value, double scale);

/// Writes the members of a tool result that only carries an error message.
void write_error_result(json_writer& out, std::string_view message);

/// "2025-01-02T03:04:05.678Z" for Unix ms; empty for 0 (never).
std::string utc_timestamp(std::int64_t unix_ms);

} // namespace cluster::mcp
