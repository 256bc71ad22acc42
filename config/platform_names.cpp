#include "config/platform_names.hpp"

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

} // namespace cluster
