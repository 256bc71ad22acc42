#pragma once

// The tools this server offers, as tools/list describes them to a client
// and its model: names, descriptions, input and output schemas, annotations.

#include "actors/mcp/mcp_session.hpp"

#include <string>
#include <string_view>

namespace cluster::mcp {

/// Runs one command on the node the router picks (or locally).
inline constexpr std::string_view cluster_bash_tool = "cluster_bash";
/// Runs one command on a node named by id or alias.
inline constexpr std::string_view offload_to_tool = "offload_to";
/// Runs many commands at once over the cluster.
inline constexpr std::string_view parallel_execute_tool = "parallel_execute";
/// Reports every node's health and the router's slots and queue.
inline constexpr std::string_view cluster_status_tool = "cluster_status";

/// True when `name` is one of the tools (task tools included).
bool is_known_tool(std::string_view name);

/// The `tools` array of a tools/list result as compact JSON, always in the
/// same order; schema limits come from `opts`.
std::string tool_list_json(const session_options& opts);

/// Guidance for the model on using these tools (initialize, server/discover).
std::string server_instructions();

} // namespace cluster::mcp
