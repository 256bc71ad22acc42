#include "config/cluster_config.hpp"

#include "config/node_file.hpp"
#include "config/setting_parsers.hpp"
#include "config/ssh_config.hpp"
#include "config/text_file.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace cluster {

namespace {

// CLUSTER_<NODE><suffix> under either spelling of NODE; `var` names the one
// that was set. Both set to different values is an error.
const char* node_env(const config_inputs& in, const std::string& id,
                     const char* suffix, std::string& var) {
  const char* found = nullptr;
  for (auto& prefix : node_env_prefixes(id)) {
    auto name = prefix + suffix;
    const char* v = env_value(in.env, name);
    if (v == nullptr)
      continue;
    if (found != nullptr && std::string_view{found} != v)
      throw config_error(var + " and " + name + " disagree for node " + id
                         + " (set one of them)");
    if (found == nullptr) {
      found = v;
      var = name;
    }
  }
  return found;
}

std::string setting_keys() {
  std::string out;
  for (auto& row : setting_table())
    out += (out.empty() ? "" : ", ") + std::string(row.key);
  return out;
}

/// The node file to read, if any, and how it was chosen.
struct node_file_choice {
  std::string path;
  std::string source;
  bool explicit_choice = false;  ///< Named by the user: it must exist.
};

node_file_choice choose_node_file(const config_inputs& in,
                                  const std::string& home) {
  if (!in.config_flag.empty())
    return {expand_tilde(in.config_flag, home), "flag --config", true};
  if (const char* v = env_value(in.env, "CLUSTER_CONFIG"))
    return {expand_tilde(v, home), "env CLUSTER_CONFIG", true};
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and ignored.
  std::string base;
  if (const char* x = env_value(in.env, "XDG_CONFIG_HOME"); x && *x == '/')
    base = x;
  else if (!home.empty())
    base = home + "/.config";
  if (base.empty())
    return {};
  auto path = base + "/cluster-exec/nodes.json";
  if (!path_exists(path))
    return {};
  return {path, "default location", false};
}

std::string home_directory(const config_inputs& in) {
  if (!in.home.empty())
    return in.home;
  if (const char* h = env_value(in.env, "HOME"))
    return h;
  return current_ssh_config_context().home;
}

// The XDG base directory spec's state home, where logs and history belong.
std::string default_state_dir(const env_lookup& env, const std::string& home) {
  if (const char* x = env_value(env, "XDG_STATE_HOME"); x != nullptr && x[0] == '/')
    return std::string{x} + "/cluster-exec";
  return home + "/.local/state/cluster-exec";
}

/// Applies the layers in precedence order, recording who set each value.
settings layered_settings(const config_inputs& in,
                          const node_file_contents* file,
                          std::vector<std::string>& sources) {
  auto& table = setting_table();
  settings s;
  sources.assign(table.size(), "default");
  auto index = [&](const setting_spec* spec) {
    return static_cast<std::size_t>(spec - table.data());
  };
  if (file != nullptr)
    for (auto& fs : file->settings) {
      fs.spec->assign(s, fs.value, fs.where);
      sources[index(fs.spec)] = "file " + file->path;
    }
  for (auto& row : table)
    if (const char* v = env_value(in.env, row.env_var)) {
      row.assign(s, v, row.env_var);
      sources[index(&row)] = "env " + std::string(row.env_var);
    }
  for (auto& [key, value] : in.flag_settings) {
    auto* spec = find_setting(key);
    if (spec == nullptr)
      throw config_error("--set " + key + ": unknown setting (expected one of "
                         + setting_keys() + ")");
    spec->assign(s, value, "--set " + key);
    sources[index(spec)] = "flag --set";
  }
  return s;
}

/// The embedded local node may not share a name with a node of the file.
void check_local_default_names(const node_info& local,
                               const node_file_contents& file) {
  std::vector<std::string> local_names{local.id};
  local_names.insert(local_names.end(), local.aliases.begin(),
                     local.aliases.end());
  for (auto& n : file.nodes) {
    std::vector<std::pair<std::string, std::string>> names{
      {n.info.id, n.json_path + ".id"}};
    for (std::size_t i = 0; i < n.info.aliases.size(); ++i)
      names.push_back(
        {n.info.aliases[i], n.json_path + ".aliases[" + std::to_string(i) + "]"});
    for (auto& [name, path] : names)
      if (std::find(local_names.begin(), local_names.end(), name)
          != local_names.end())
        throw config_error(
          file.path + ": " + path + ": " + shown(name)
          + " is also the name of the local node (the embedded default, "
            "named after this machine); no node of the file is marked "
            "local (expected another name, or \"local\": true on the node "
            "that is this machine)");
  }
}

/// Works out how to reach one remote node (see the header for the order).
ssh_target remote_target(const node_entry& n, const settings& s,
                         const ssh_client_config& ssh, const config_inputs& in,
                         const std::string& home) {
  ssh_target t;
  t.host = n.host;
  t.hostname = n.host;
  t.fallback_ip = n.ip;
  auto found = ssh.lookup({n.host, n.user, n.port, s.ssh_user});
  std::string from_ssh = s.ssh_config + " for host " + n.host;
  if (found.hostname) {
    if (!is_host_name(*found.hostname))
      reject_value(from_ssh + ": HostName", *found.hostname,
                   "is not a host name", "a host name or an IP address");
    t.hostname = *found.hostname;
  }
  std::string var;
  if (const char* v = node_env(in, n.info.id, "_HOST", var)) {
    if (!is_host_name(v))
      reject_value(var, v, "is not a host name",
                   "a host name or an IP address for node " + n.info.id);
    t.hostname = v;
  }
  if (const char* v = node_env(in, n.info.id, "_IP", var)) {
    if (!is_ip_literal(v))
      reject_value(var, v, "is not an IP address",
                   "an IPv4 or IPv6 address for node " + n.info.id);
    t.fallback_ip = v;
  }
  t.port = n.port.value_or(found.port.value_or(22));
  if (n.user)
    t.user = *n.user;
  else if (found.user)
    t.user = parse_user_name(from_ssh + ": User", *found.user);
  else
    t.user = s.ssh_user;
  if (t.user.empty())
    throw config_error(n.json_path + " (" + n.info.id
                       + "): no SSH user: the current user has no name; set "
                         "\"user\", User in the ssh config, or ssh_user");
  for (auto& f : n.identity_files)
    t.identity_files.push_back(expand_tilde(f, home));
  for (auto& f : found.identity_files)
    if (std::find(t.identity_files.begin(), t.identity_files.end(), f)
        == t.identity_files.end())
      t.identity_files.push_back(f);
  return t;
}

/// Two ids like "a-b" and "a.b" share CLUSTER_A_B_*; setting it would be ambiguous.
void check_env_prefixes(const std::vector<node_entry>& nodes,
                        const config_inputs& in) {
  std::map<std::string, std::string> owner;
  for (auto& n : nodes) {
    if (n.info.local)
      continue;
    for (auto& prefix : node_env_prefixes(n.info.id)) {
      auto [it, fresh] = owner.emplace(prefix, n.info.id);
      if (fresh || it->second == n.info.id)
        continue;
      for (const char* suffix : {"_HOST", "_IP"})
        if (env_value(in.env, prefix + suffix))
          throw config_error(prefix + suffix + ": names both node "
                             + it->second + " and node " + n.info.id
                             + " (expected ids that differ in letters or "
                               "digits)");
    }
  }
}

} // namespace

std::vector<std::string> node_env_prefixes(std::string_view node_id) {
  std::vector<std::string> out{node_env_prefix(node_id)};
  // The Python tool this replaces dropped the separators instead
  // (mac-studio -> CLUSTER_MACSTUDIO_HOST); its users' variables keep working.
  std::string seed = "CLUSTER_";
  for (char c : out.front().substr(8))
    if (c != '_')
      seed += c;
  if (seed != out.front())
    out.push_back(seed);
  return out;
}

std::string node_env_prefix(std::string_view node_id) {
  std::string out = "CLUSTER_";
  for (char c : node_id) {
    if (c >= 'a' && c <= 'z')
      out += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      out += c;
    else
      out += '_';
  }
  return out;
}

std::pair<std::string, std::string>
parse_setting_assignment(std::string_view arg) {
  auto eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0)
    throw config_error("--set " + shown(arg)
                       + ": expected key=value, e.g. cmd_timeout=600");
  std::string key(arg.substr(0, eq));
  if (find_setting(key) == nullptr)
    throw config_error("--set " + key + ": unknown setting (expected one of "
                       + setting_keys() + ")");
  return {key, std::string(arg.substr(eq + 1))};
}

cluster_config load_cluster_config(const config_inputs& in) {
  cluster_config out;
  auto home = home_directory(in);
  auto choice = choose_node_file(in, home);
  std::optional<node_file_contents> file;
  if (!choice.path.empty()) {
    auto text = read_text_file(choice.path);
    if (!text.ok)
      throw config_error(choice.path + " (" + choice.source
                         + "): cannot read the node file: " + text.error);
    file = parse_node_file(text.contents, choice.path);
    out.node_file = choice.path;
    out.node_file_source = choice.source;
  }
  std::vector<std::string> sources;
  auto s = layered_settings(in, file ? &*file : nullptr, sources);
  if (file && file->policy)
    s.policy = *file->policy;
  s.known_hosts = expand_tilde(s.known_hosts, home);
  s.state_dir = s.state_dir.empty() ? default_state_dir(in.env, home)
                                    : expand_tilde(s.state_dir, home);
  if (s.ssh_config != "none")
    s.ssh_config = expand_tilde(s.ssh_config, home);
  auto& table = setting_table();
  for (std::size_t i = 0; i < table.size(); ++i)
    out.origins.push_back(
      {std::string(table[i].key), table[i].print(s), sources[i]});

  std::vector<node_entry> entries = file ? file->nodes : std::vector<node_entry>{};
  bool has_local = std::any_of(entries.begin(), entries.end(),
                               [](auto& n) { return n.info.local; });
  if (!has_local) {
    if (file)
      check_local_default_names(in.local_default, *file);
    node_config local{in.local_default, {}};
    local.info.local = true;
    if (s.local_slots != 0)
      local.info.slots = s.local_slots;
    out.nodes.push_back(std::move(local));
  }
  bool any_remote = std::any_of(entries.begin(), entries.end(),
                                [](auto& n) { return !n.info.local; });
  std::optional<ssh_client_config> ssh;
  if (any_remote) {
    check_env_prefixes(entries, in);
    auto ctx = current_ssh_config_context();
    ctx.home = home;
    if (s.ssh_config == "none")
      ssh = ssh_client_config::parse({}, "none", ctx);
    else
      // Only the default location may be absent (many users have none); a
      // different file the user named must be there, or their intent would
      // be silently dropped.
      ssh = ssh_client_config::read(
        s.ssh_config, ctx,
        s.ssh_config != expand_tilde(settings{}.ssh_config, home));
  }
  for (auto& n : entries) {
    node_config node{n.info, {}};
    if (n.info.local) {
      // CLUSTER_LOCAL_SLOTS is a named setting and outranks the file's
      // "slots"; without either, the embedded default's CPU-based count.
      if (s.local_slots != 0)
        node.info.slots = s.local_slots;
      else if (!n.slots_given)
        node.info.slots = in.local_default.slots;
    } else {
      node.ssh = remote_target(n, s, *ssh, in, home);
    }
    out.nodes.push_back(std::move(node));
  }
  out.cfg = std::move(s);
  return out;
}

} // namespace cluster
