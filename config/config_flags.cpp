#include "config/config_flags.hpp"

#include "config/router_cli.hpp"

namespace cluster {

bool take_config_flag(const std::vector<std::string>& args, std::size_t& i,
                      config_flags& out) {
  auto& arg = args[i];
  auto eq = arg.find('=');
  auto name = arg.substr(0, eq);
  if (name != "--config" && name != "--set")
    return false;
  std::string value;
  if (eq != std::string::npos)
    value = arg.substr(eq + 1);
  else if (i + 1 < args.size())
    value = args[++i];
  else
    throw usage_error("option " + name + " needs a value");
  if (name == "--config") {
    if (value.empty())
      throw usage_error("--config: the path must not be empty");
    out.file = value;
    return true;
  }
  auto sep = value.find('=');
  if (sep == std::string::npos || sep == 0)
    throw usage_error("--set: '" + value + "' is not KEY=VALUE");
  out.settings.emplace_back(value.substr(0, sep), value.substr(sep + 1));
  return true;
}

} // namespace cluster
