#include "config/local_node.hpp"

#include "config/platform_names.hpp"
#include "transport/proc_files.hpp"

#include <algorithm>
#include <cstdlib>

namespace cluster {

node_info embedded_local_node(const settings& cfg) {
  auto un = transport::local_uname();
  node_info node;
  node.id = un.nodename.substr(0, un.nodename.find('.'));
  if (node.id.empty())
    node.id = "local";
  node.os = normalize_os(un.sysname);
  node.arch = normalize_arch(un.machine);
  node.local = true;
  // Shell commands are often I/O-bound: a 2-CPU machine still runs four
  // `sleep`s or `curl`s at once without harm.
  node.slots = cfg.local_slots != 0
                 ? cfg.local_slots
                 : std::max(4u, transport::online_cpu_count());
  return node;
}

} // namespace cluster

namespace cluster {

config_inputs process_config_inputs(const config_flags& flags) {
  config_inputs in;
  in.config_flag = flags.file;
  in.env = [](const char* name) { return std::getenv(name); };
  in.flag_settings = flags.settings;
  in.local_default = embedded_local_node(cluster::settings{});
  return in;
}

} // namespace cluster
