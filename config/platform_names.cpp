#include "config/platform_names.hpp"

#include <cctype>

namespace cluster {

namespace {

std::optional<std::string> lookup(const std::vector<name_alias>& table,
                                  std::string_view name) {
  for (auto& [given, canonical] : table)
    if (given == name)
      return std::string{canonical};
  return std::nullopt;
}

} // namespace

const std::vector<name_alias>& os_names() {
  static const std::vector<name_alias> table{
    {"linux", "linux"}, {"darwin", "darwin"}, {"macos", "darwin"}};
  return table;
}

const std::vector<name_alias>& arch_names() {
  static const std::vector<name_alias> table{{"x86_64", "x86_64"},
                                             {"arm64", "arm64"},
                                             {"aarch64", "arm64"},
                                             {"amd64", "x86_64"}};
  return table;
}

std::optional<std::string> canonical_os(std::string_view name) {
  return lookup(os_names(), name);
}

std::optional<std::string> canonical_arch(std::string_view name) {
  return lookup(arch_names(), name);
}

namespace {

// Remote probes read `uname` output, trailing newline included.
std::string_view trimmed(std::string_view s) {
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

std::string normalize_os(std::string_view uname_s) {
  return lowered(trimmed(uname_s));
}

std::string normalize_arch(std::string_view uname_m) {
  auto m = trimmed(uname_m);
  if (auto canonical = canonical_arch(lowered(m)))
    return *canonical;
  return std::string(m);
}

} // namespace cluster
