// The text of `cluster-router config`: what is in effect and why, so a
// surprising value can be traced to the layer that set it.

#include "config/cluster_config.hpp"

#include <algorithm>
#include <sstream>

namespace cluster {

namespace {

std::string joined(const std::vector<std::string>& items) {
  if (items.empty())
    return "-";
  std::string out;
  for (auto& item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string padded(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + ' '
                              : text + std::string(width - text.size(), ' ');
}

void describe_node(std::ostringstream& os, const node_config& n) {
  auto field = [&](const char* name, const std::string& value) {
    os << "    " << padded(name, 14) << value << '\n';
  };
  os << "  " << n.info.id << "  (" << (n.info.local ? "local" : "remote")
     << ")\n";
  field("aliases", joined(n.info.aliases));
  if (!n.info.local) {
    field("host", n.ssh.host == n.ssh.hostname
                    ? n.ssh.host
                    : n.ssh.host + " -> " + n.ssh.hostname);
    field("fallback ip", n.ssh.fallback_ip.empty() ? "-" : n.ssh.fallback_ip);
    field("port", std::to_string(n.ssh.port));
    field("user", n.ssh.user);
    field("identities", n.ssh.identity_files.empty()
                          ? "- (ssh-agent, then ~/.ssh/id_*)"
                          : joined(n.ssh.identity_files));
  }
  field("platform", n.info.os + "/" + n.info.arch);
  field("slots", std::to_string(n.info.slots));
  field("capabilities", joined(n.info.capabilities));
  field("specialties", joined(n.info.specialties));
}

void describe_policy(std::ostringstream& os, const command_policy& p) {
  // Only the node file sets it, so a changed policy came from there.
  os << "\ncommand policy ("
     << (p == command_policy{} ? "default" : "file") << "):\n";
  std::vector<std::string> on;
  for (auto rule : policy_rule_names)
    if (p.enabled(rule))
      on.emplace_back(rule);
  os << "  " << padded("rules", 15) << joined(on) << '\n';
  os << "  " << padded("disabled", 15) << joined(p.disabled) << '\n';
  os << "  " << padded("allow", 15) << joined(p.allow) << '\n';
  os << "  " << padded("deny_programs", 15) << joined(p.deny_programs) << '\n';
}

} // namespace

std::string describe_config(const cluster_config& c) {
  std::ostringstream os;
  os << "node file: ";
  if (c.node_file.empty())
    os << "none: embedded default\n";
  else
    os << c.node_file << " (" << c.node_file_source << ")\n";
  std::size_t key_width = 0;
  std::size_t value_width = 0;
  for (auto& o : c.origins) {
    key_width = std::max(key_width, o.key.size());
    value_width = std::max(value_width, o.value.size());
  }
  os << "\nsettings:\n";
  for (auto& o : c.origins)
    os << "  " << padded(o.key, key_width + 1)
       << padded(o.value.empty() ? "\"\"" : o.value, value_width + 1)
       << o.source << '\n';
  describe_policy(os, c.cfg.policy);
  os << "\nnodes:\n";
  for (auto& n : c.nodes)
    describe_node(os, n);
  return os.str();
}

} // namespace cluster
