#pragma once

// The node file's "policy" object, read as strictly as the rest of the file:
//   "policy": {"disable": ["fork-bomb"], "allow": ["mkfs.ext4 /dev/vdb"],
//              "deny_programs": ["reboot"]}

#include "config/json_reader.hpp"
#include "config/policy_config.hpp"

#include <string>

namespace cluster {

/// Reads `v` (at JSON path `path`) as a command policy; a wrong shape, an
/// unknown rule or an unusable entry is a `config_error` naming the key.
command_policy read_policy(const json_reader& r, const json_value& v,
                           const std::string& path);

} // namespace cluster
