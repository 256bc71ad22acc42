#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cluster::transport {

/// Quotes `arg` for POSIX sh/bash so that the shell reads back exactly these
/// bytes (any bytes but NUL) as one word.
std::string shell_quote(std::string_view arg);

/// Turns an argument vector into one command string: a single argument is
/// taken as a shell command as it stands; several are quoted and joined, so
/// `submit -- printf '%s' 'a b'` runs exactly that argv.
std::string join_command(const std::vector<std::string>& argv);

} // namespace cluster::transport
