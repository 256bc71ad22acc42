#pragma once

// The node file: a JSON document with "settings" (keys of setting_table()),
// "nodes" and "policy" (the command policy's allow and deny lists). Parsing is strict: unknown keys, wrong types, duplicate
// names and out-of-range values are errors naming the file, the JSON path
// (e.g. `nodes[2].port`) and what was expected. Keys starting with '_' are
// ignored anywhere, so a file can carry notes ("_comment": "...").
// nodes.example.json next to this header documents the format.

#include "config/policy_config.hpp"
#include "config/settings.hpp"
#include "messages/node.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// One entry of "nodes"; SSH fields the file leaves out stay unset so ~/.ssh/config can fill them.
struct node_entry {
  node_info info;                           ///< slots 4 when not given.
  bool slots_given = false;                 ///< "slots" was written (a local node defaults otherwise).
  std::string host;                         ///< Name, ssh_config alias or IP; may be empty for the local node.
  std::string ip;                           ///< Fallback IP literal; empty: none.
  std::optional<std::uint16_t> port;        ///< "port".
  std::optional<std::string> user;          ///< "user".
  std::vector<std::string> identity_files;  ///< As written; `~` not yet expanded.
  std::string json_path;                    ///< e.g. "nodes[2]", for messages.
};

/// A setting the file gives, already validated by its table row.
struct file_setting {
  const setting_spec* spec = nullptr;  ///< Its row of setting_table().
  std::string value;  ///< As the table's parser reads it (numbers as decimal text).
  std::string where;  ///< e.g. "/etc/nodes.json: settings.cmd_timeout".
};

/// A node file, parsed and checked.
struct node_file_contents {
  std::string path;
  std::vector<file_setting> settings;  ///< In file order.
  std::vector<node_entry> nodes;       ///< In file order.
  std::optional<command_policy> policy;  ///< "policy", when the file has one.
};

/// Parses `json` as the node file `path` (used in messages); throws `config_error`.
node_file_contents parse_node_file(std::string_view json,
                                   const std::string& path);

/// Reads and parses the node file at `path`; unreadable or missing is a `config_error`.
node_file_contents read_node_file(const std::string& path);

/// True for a valid node id or alias: 1 to 64 of [A-Za-z0-9._-].
bool is_node_name(std::string_view name);

/// True for an IPv4 or IPv6 literal (inet_pton).
bool is_ip_literal(std::string_view text);

/// True for a usable host: a DNS-like name or an IP literal, no leading '-'.
bool is_host_name(std::string_view text);

} // namespace cluster
