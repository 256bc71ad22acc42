#pragma once

// The accepted spellings of operating systems and architectures: one table
// for the command line, the MCP tools and the probes.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cluster {

/// A spelling we accept and the canonical name it stands for.
using name_alias = std::pair<std::string_view, std::string_view>;

/// linux, darwin, and macos (= darwin).
const std::vector<name_alias>& os_names();

/// x86_64, arm64, and their aliases aarch64 (= arm64) and amd64 (= x86_64).
const std::vector<name_alias>& arch_names();

/// The canonical OS for `name`; nullopt when it is not one of os_names().
std::optional<std::string> canonical_os(std::string_view name);

/// The canonical architecture for `name`; nullopt when not in arch_names().
std::optional<std::string> canonical_arch(std::string_view name);

/// What `uname -s` prints, as an OS name: "Linux\n" -> "linux",
/// "Darwin" -> "darwin"; anything else lower-cased.
std::string normalize_os(std::string_view uname_s);

/// What `uname -m` prints, as an architecture: "x86_64"/"amd64" -> "x86_64",
/// "aarch64"/"arm64" -> "arm64"; anything else as given (trimmed).
std::string normalize_arch(std::string_view uname_m);

} // namespace cluster
