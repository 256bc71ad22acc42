#pragma once

// Reading the text a node prints about itself: words, lines and numbers as
// /proc, sysctl and vm_stat write them. Shared by the /proc parsers and the
// remote probe's parser.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace cluster::probe_text {

/// True for the blanks /proc and vm_stat pad columns with.
bool is_space(char c);

/// Splits on runs of blanks.
std::vector<std::string_view> fields(std::string_view line);

/// Every line of `text`, without its '\n' (a final line needs none).
std::vector<std::string_view> lines(std::string_view text);

/// The line starting with `prefix` (at the start of a line), without its
/// newline; nullopt when there is none.
std::optional<std::string_view> find_line(std::string_view text,
                                          std::string_view prefix);

/// A whole unsigned decimal; nullopt for anything else.
std::optional<std::uint64_t> to_u64(std::string_view s);

/// A non-negative finite decimal, as the kernel prints load averages.
std::optional<double> to_double(std::string_view s);

} // namespace cluster::probe_text
