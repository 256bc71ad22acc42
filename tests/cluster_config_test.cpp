// Loading the whole configuration: which file, layer precedence with
// provenance, the local node, ssh_config and per-node environment, errors.

#include "config/cluster_config.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using namespace cluster;
using namespace std::chrono_literals;

namespace {

/// A temporary home directory, an environment and CLI inputs to load with.
struct fixture {
  std::string home;
  std::map<std::string, std::string> env;
  config_inputs in;

  fixture() {
    char tmpl[] = "/tmp/cluster_config_test.XXXXXX";
    home = ::mkdtemp(tmpl);
    ::mkdir((home + "/.ssh").c_str(), 0700);
    in.home = home;
    in.env = [this](const char* name) -> const char* {
      auto i = env.find(name);
      return i == env.end() ? nullptr : i->second.c_str();
    };
    in.local_default.id = "thishost";
    in.local_default.os = "linux";
    in.local_default.arch = "x86_64";
    in.local_default.slots = 6;
    in.local_default.local = true;
  }

  ~fixture() {
    std::string cmd = "rm -rf '" + home + "'";
    if (std::system(cmd.c_str()) != 0)
      BOOST_TEST_MESSAGE("could not remove " << home);
  }

  std::string write(const std::string& rel, const std::string& text) const {
    auto full = home + "/" + rel;
    std::ofstream(full) << text;
    return full;
  }

  /// Writes `json` as nodes.json and names it with --config.
  std::string use_file(const std::string& json) {
    in.config_flag = write("nodes.json", json);
    return in.config_flag;
  }

  cluster_config load() const {
    return load_cluster_config(in);
  }

  /// Expects loading to fail with a message containing each of `words`.
  void check_rejected(const std::vector<std::string>& words) const {
    try {
      load();
      BOOST_ERROR("accepted");
    } catch (const config_error& e) {
      std::string msg = e.what();
      for (auto& w : words)
        BOOST_CHECK_MESSAGE(msg.find(w) != std::string::npos,
                            "missing '" << w << "' in: " << msg);
    }
  }
};

const setting_origin& origin(const cluster_config& c, const std::string& key) {
  for (auto& o : c.origins)
    if (o.key == key)
      return o;
  throw std::runtime_error("no origin for " + key);
}

const node_config& node(const cluster_config& c, const std::string& id) {
  for (auto& n : c.nodes)
    if (n.info.id == id)
      return n;
  throw std::runtime_error("no node " + id);
}

const std::string remote_node =
  R"({"id": "builder", "host": "builder", "os": "linux", "arch": "x86_64"})";

std::string with_nodes(const std::string& entries) {
  return R"({"nodes": [)" + entries + "]}";
}

} // namespace

BOOST_AUTO_TEST_SUITE(cluster_config)

BOOST_FIXTURE_TEST_CASE(no_file_is_the_embedded_default, fixture) {
  auto c = load();
  BOOST_CHECK(c.node_file.empty());
  BOOST_REQUIRE_EQUAL(c.nodes.size(), 1u);
  BOOST_CHECK(c.nodes[0].info == in.local_default);
  BOOST_CHECK_EQUAL(c.origins.size(), setting_table().size());
  for (auto& o : c.origins)
    BOOST_CHECK_EQUAL(o.source, "default");
  BOOST_CHECK(c.cfg.cmd_timeout == 300s);
  BOOST_CHECK_EQUAL(c.cfg.known_hosts, home + "/.ssh/known_hosts");
  BOOST_CHECK_EQUAL(c.cfg.ssh_config, home + "/.ssh/config");
  BOOST_CHECK_EQUAL(origin(c, "cmd_timeout").value, "300");
  BOOST_CHECK(describe_config(c).find("node file: none: embedded default")
              != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(local_slots_setting_sizes_the_embedded_node, fixture) {
  env["CLUSTER_LOCAL_SLOTS"] = "3";
  BOOST_CHECK_EQUAL(load().nodes[0].info.slots, 3u);
}

BOOST_FIXTURE_TEST_CASE(xdg_default_location, fixture) {
  ::mkdir((home + "/.config").c_str(), 0700);
  ::mkdir((home + "/.config/cluster-exec").c_str(), 0700);
  auto path = write(".config/cluster-exec/nodes.json",
                    R"({"settings": {"cmd_timeout": 42}})");
  auto c = load();
  BOOST_CHECK_EQUAL(c.node_file, path);
  BOOST_CHECK_EQUAL(c.node_file_source, "default location");
  BOOST_CHECK(c.cfg.cmd_timeout == 42s);
  // XDG_CONFIG_HOME moves it; a relative one is invalid and ignored.
  ::mkdir((home + "/xdg").c_str(), 0700);
  BOOST_CHECK(load_cluster_config(in).node_file == path);
  env["XDG_CONFIG_HOME"] = home + "/xdg";
  BOOST_CHECK(load().node_file.empty());
  env["XDG_CONFIG_HOME"] = "relative/dir";
  BOOST_CHECK_EQUAL(load().node_file, path);
}

BOOST_FIXTURE_TEST_CASE(flag_beats_env_for_the_file, fixture) {
  auto by_env = write("env.json", R"({"settings": {"cmd_timeout": 1}})");
  auto by_flag = write("flag.json", R"({"settings": {"cmd_timeout": 2}})");
  env["CLUSTER_CONFIG"] = by_env;
  auto c = load();
  BOOST_CHECK_EQUAL(c.node_file, by_env);
  BOOST_CHECK_EQUAL(c.node_file_source, "env CLUSTER_CONFIG");
  in.config_flag = by_flag;
  c = load();
  BOOST_CHECK_EQUAL(c.node_file, by_flag);
  BOOST_CHECK_EQUAL(c.node_file_source, "flag --config");
  BOOST_CHECK(c.cfg.cmd_timeout == 2s);
  BOOST_CHECK(describe_config(c).find("node file: " + by_flag
                                      + " (flag --config)")
              != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(named_file_must_be_readable, fixture) {
  in.config_flag = home + "/missing.json";
  check_rejected({home + "/missing.json (flag --config)",
                  "cannot read the node file", "No such file"});
  in.config_flag.clear();
  env["CLUSTER_CONFIG"] = home;  // a directory
  check_rejected({home + " (env CLUSTER_CONFIG)", "is a directory"});
  if (::geteuid() != 0) {  // root reads anything
    auto path = write("secret.json", "{}");
    ::chmod(path.c_str(), 0);
    env["CLUSTER_CONFIG"] = path;
    check_rejected({path, "Permission denied"});
  }
}

BOOST_FIXTURE_TEST_CASE(precedence_per_layer_with_provenance, fixture) {
  auto path = use_file(R"({"settings": {"cmd_timeout": 600, "ssh_timeout": 9,
                                        "ssh_user": "fileuser"}})");
  auto c = load();
  BOOST_CHECK(c.cfg.cmd_timeout == 600s);
  BOOST_CHECK_EQUAL(origin(c, "cmd_timeout").source, "file " + path);
  BOOST_CHECK_EQUAL(origin(c, "cmd_timeout").value, "600");
  BOOST_CHECK_EQUAL(origin(c, "status_timeout").source, "default");

  env["CLUSTER_CMD_TIMEOUT"] = "700.5";
  env["CLUSTER_SSH_USER"] = "";  // empty: unset, the file's value stays
  c = load();
  BOOST_CHECK(c.cfg.cmd_timeout == 700500ms);
  BOOST_CHECK_EQUAL(origin(c, "cmd_timeout").source, "env CLUSTER_CMD_TIMEOUT");
  BOOST_CHECK_EQUAL(origin(c, "cmd_timeout").value, "700.5");
  BOOST_CHECK_EQUAL(c.cfg.ssh_user, "fileuser");
  BOOST_CHECK(c.cfg.ssh_timeout == 9s);

  in.flag_settings = {{"cmd_timeout", "800"}, {"ssh_user", "flaguser"},
                      {"cmd_timeout", "900"}};
  c = load();
  BOOST_CHECK(c.cfg.cmd_timeout == 900s);
  BOOST_CHECK_EQUAL(origin(c, "cmd_timeout").source, "flag --set");
  BOOST_CHECK_EQUAL(origin(c, "ssh_user").value, "flaguser");
  BOOST_CHECK_EQUAL(origin(c, "ssh_timeout").source, "file " + path);

  auto text = describe_config(c);
  for (auto* want : {"cmd_timeout", "900", "flag --set", "ssh_timeout"})
    BOOST_CHECK_MESSAGE(text.find(want) != std::string::npos, text);
}

BOOST_FIXTURE_TEST_CASE(bad_values_name_key_and_source, fixture) {
  env["CLUSTER_SSH_RETRIES"] = "-1";
  check_rejected({"CLUSTER_SSH_RETRIES: \"-1\" is not a whole number"});
  env.clear();
  in.flag_settings = {{"ssh_timeout", "0"}};
  check_rejected({"--set ssh_timeout: \"0\" is not positive"});
  in.flag_settings = {{"ssh_timeuot", "1"}};
  check_rejected({"--set ssh_timeuot: unknown setting", "ssh_timeout"});
  in.flag_settings.clear();
  auto path = use_file(R"({"settings": {"host_key_policy": "yes"}})");
  check_rejected({path + ": settings.host_key_policy: \"yes\""});
  // The environment cannot mask a bad file: the file is checked whole.
  env["CLUSTER_HOST_KEY_POLICY"] = "strict";
  check_rejected({path + ": settings.host_key_policy"});
}

BOOST_FIXTURE_TEST_CASE(file_errors_reach_the_caller, fixture) {
  auto path = use_file(with_nodes(remote_node + ", " + remote_node));
  check_rejected({path + ": nodes[1].id", "already used"});
  use_file("{\n\"nodes\": [,]}");
  check_rejected({"invalid JSON at line 2"});
}

BOOST_FIXTURE_TEST_CASE(local_default_added_first, fixture) {
  use_file(with_nodes(remote_node));
  auto c = load();
  BOOST_REQUIRE_EQUAL(c.nodes.size(), 2u);
  BOOST_CHECK(c.nodes[0].info == in.local_default);
  BOOST_CHECK_EQUAL(c.nodes[1].info.id, "builder");
  BOOST_CHECK(!c.nodes[1].info.local);
}

BOOST_FIXTURE_TEST_CASE(local_default_name_collision, fixture) {
  auto path = use_file(with_nodes(
    R"({"id": "thishost", "host": "h", "os": "linux", "arch": "x86_64"})"));
  check_rejected({path + ": nodes[0].id", "\"thishost\"",
                  "the local node (the embedded default"});
  use_file(with_nodes(R"({"id": "x", "aliases": ["thishost"], "host": "h",
                          "os": "linux", "arch": "x86_64"})"));
  check_rejected({"nodes[0].aliases[0]", "local node"});
}

BOOST_FIXTURE_TEST_CASE(file_local_node_replaces_the_default, fixture) {
  use_file(with_nodes(remote_node + R"(, {"id": "thishost", "os": "macos",
                       "arch": "arm64", "local": true, "aliases": ["me"]})"));
  auto c = load();
  BOOST_REQUIRE_EQUAL(c.nodes.size(), 2u);
  auto& me = node(c, "thishost");
  BOOST_CHECK(me.info.local);
  BOOST_CHECK_EQUAL(me.info.os, "darwin");
  BOOST_CHECK_EQUAL(me.info.arch, "arm64");
  BOOST_CHECK_EQUAL(me.info.slots, 6u);  // the embedded default's count
  BOOST_CHECK(me.ssh == ssh_target{});
  use_file(with_nodes(R"({"id": "me", "os": "linux", "arch": "x86_64",
                          "local": true, "slots": 2})"));
  BOOST_CHECK_EQUAL(load().nodes[0].info.slots, 2u);
  env["CLUSTER_LOCAL_SLOTS"] = "12";
  BOOST_CHECK_EQUAL(load().nodes[0].info.slots, 12u);
}

BOOST_FIXTURE_TEST_CASE(remote_defaults, fixture) {
  use_file(R"({"settings": {"ssh_user": "deploy"}, "nodes": [)" + remote_node
           + "]}");
  auto t = node(load(), "builder").ssh;
  BOOST_CHECK_EQUAL(t.host, "builder");
  BOOST_CHECK_EQUAL(t.hostname, "builder");
  BOOST_CHECK(t.fallback_ip.empty());
  BOOST_CHECK_EQUAL(t.port, 22);
  BOOST_CHECK_EQUAL(t.user, "deploy");
  BOOST_CHECK(t.identity_files.empty());
  use_file(with_nodes(remote_node));
  BOOST_CHECK_EQUAL(node(load(), "builder").ssh.user, current_user_name());
}

BOOST_FIXTURE_TEST_CASE(ssh_config_fills_what_the_node_leaves_unset, fixture) {
  write(".ssh/config", "Host builder\n"
                       "  HostName macpro51.lan\n"
                       "  User cfguser\n"
                       "  Port 2222\n"
                       "  IdentityFile ~/.ssh/id_cfg\n"
                       "  IdentityFile ~/.ssh/id_node\n");
  use_file(with_nodes(remote_node));
  auto t = node(load(), "builder").ssh;
  BOOST_CHECK_EQUAL(t.host, "builder");
  BOOST_CHECK_EQUAL(t.hostname, "macpro51.lan");
  BOOST_CHECK_EQUAL(t.user, "cfguser");
  BOOST_CHECK_EQUAL(t.port, 2222);
  BOOST_CHECK((t.identity_files
               == std::vector<std::string>{home + "/.ssh/id_cfg",
                                           home + "/.ssh/id_node"}));
  // Explicit node fields win; identity files accumulate, the node's first.
  use_file(with_nodes(R"({"id": "builder", "host": "builder", "os": "linux",
      "arch": "x86_64", "user": "nodeuser", "port": 22,
      "identity_file": ["~/.ssh/id_node", "/abs/key"]})"));
  t = node(load(), "builder").ssh;
  BOOST_CHECK_EQUAL(t.hostname, "macpro51.lan");
  BOOST_CHECK_EQUAL(t.user, "nodeuser");
  BOOST_CHECK_EQUAL(t.port, 22);
  BOOST_CHECK((t.identity_files
               == std::vector<std::string>{home + "/.ssh/id_node", "/abs/key",
                                           home + "/.ssh/id_cfg"}));
  auto text = describe_config(load());
  BOOST_CHECK_MESSAGE(text.find("builder -> macpro51.lan") != std::string::npos,
                      text);
}

BOOST_FIXTURE_TEST_CASE(ssh_config_setting_chooses_the_file, fixture) {
  write(".ssh/config", "Host builder\n  User from-default\n");
  auto other = write("other_ssh_config", "Host builder\n  User from-other\n");
  use_file(with_nodes(remote_node));
  BOOST_CHECK_EQUAL(node(load(), "builder").ssh.user, "from-default");
  env["CLUSTER_SSH_CONFIG"] = other;
  BOOST_CHECK_EQUAL(node(load(), "builder").ssh.user, "from-other");
  env["CLUSTER_SSH_CONFIG"] = "none";
  BOOST_CHECK_EQUAL(node(load(), "builder").ssh.user, current_user_name());
  // A missing default is fine; a missing file the user named is not.
  env.clear();
  ::unlink((home + "/.ssh/config").c_str());
  BOOST_CHECK_EQUAL(node(load(), "builder").ssh.user, current_user_name());
  env["CLUSTER_SSH_CONFIG"] = "~/.ssh/config";  // the default, spelled out
  BOOST_CHECK_EQUAL(node(load(), "builder").ssh.user, current_user_name());
  env["CLUSTER_SSH_CONFIG"] = home + "/nope";
  check_rejected({home + "/nope: cannot read the ssh config file"});
  write(".ssh/config", "Host builder\n  Port x\n");
  env.clear();
  check_rejected({home + "/.ssh/config line 2: Port x is not a port"});
}

BOOST_FIXTURE_TEST_CASE(per_node_env_with_hyphenated_id, fixture) {
  write(".ssh/config", "Host studio\n  HostName from-ssh-config.lan\n");
  use_file(with_nodes(R"({"id": "mac-studio", "host": "studio",
      "ip": "192.168.1.16", "os": "macos", "arch": "arm64"})"));
  auto t = node(load(), "mac-studio").ssh;
  BOOST_CHECK_EQUAL(t.hostname, "from-ssh-config.lan");
  BOOST_CHECK_EQUAL(t.fallback_ip, "192.168.1.16");
  env["CLUSTER_MAC_STUDIO_HOST"] = "Marcs-Mac-Studio.local";
  env["CLUSTER_MAC_STUDIO_IP"] = "192.168.1.99";
  t = node(load(), "mac-studio").ssh;
  BOOST_CHECK_EQUAL(t.host, "studio");
  BOOST_CHECK_EQUAL(t.hostname, "Marcs-Mac-Studio.local");
  BOOST_CHECK_EQUAL(t.fallback_ip, "192.168.1.99");
  env["CLUSTER_MAC_STUDIO_IP"] = "192.168.1.999";
  check_rejected({"CLUSTER_MAC_STUDIO_IP: \"192.168.1.999\" is not an IP",
                  "mac-studio"});
  env["CLUSTER_MAC_STUDIO_IP"] = "";
  env["CLUSTER_MAC_STUDIO_HOST"] = "bad host";
  check_rejected({"CLUSTER_MAC_STUDIO_HOST: \"bad host\""});
}

BOOST_FIXTURE_TEST_CASE(per_node_env_in_the_seed_spelling, fixture) {
  use_file(with_nodes(R"({"id": "mac-studio", "host": "studio",
      "os": "macos", "arch": "arm64"})"));
  // The Python tool's users wrote CLUSTER_MACSTUDIO_*: it must keep working.
  env["CLUSTER_MACSTUDIO_HOST"] = "Marcs-Mac-Studio.local";
  env["CLUSTER_MACSTUDIO_IP"] = "192.168.1.16";
  auto t = node(load(), "mac-studio").ssh;
  BOOST_CHECK_EQUAL(t.hostname, "Marcs-Mac-Studio.local");
  BOOST_CHECK_EQUAL(t.fallback_ip, "192.168.1.16");
  env["CLUSTER_MAC_STUDIO_HOST"] = "other.local";
  check_rejected({"disagree for node mac-studio"});
  env["CLUSTER_MAC_STUDIO_HOST"] = "Marcs-Mac-Studio.local";
  BOOST_CHECK_EQUAL(node(load(), "mac-studio").ssh.hostname,
                    "Marcs-Mac-Studio.local");
}

BOOST_FIXTURE_TEST_CASE(ambiguous_env_prefix, fixture) {
  use_file(with_nodes(
    R"({"id": "a-b", "host": "h1", "os": "linux", "arch": "x86_64"},
       {"id": "a.b", "host": "h2", "os": "linux", "arch": "x86_64"})"));
  BOOST_CHECK_EQUAL(load().nodes.size(), 3u);  // fine while unset
  env["CLUSTER_A_B_HOST"] = "x";
  check_rejected({"CLUSTER_A_B_HOST: names both node a-b and node a.b"});
}

BOOST_FIXTURE_TEST_CASE(tilde_in_paths, fixture) {
  use_file(R"({"settings": {"known_hosts": "~/kh", "ssh_config": "~/sc"}})");
  write("sc", "");
  auto c = load();
  BOOST_CHECK_EQUAL(c.cfg.known_hosts, home + "/kh");
  BOOST_CHECK_EQUAL(c.cfg.ssh_config, home + "/sc");
  BOOST_CHECK_EQUAL(origin(c, "known_hosts").value, home + "/kh");
  in.config_flag = "~/nodes.json";
  BOOST_CHECK_EQUAL(load().node_file, home + "/nodes.json");
}

BOOST_FIXTURE_TEST_CASE(describe_lists_nodes, fixture) {
  use_file(with_nodes(R"({"id": "builder", "aliases": ["mp"],
      "host": "macpro51.local", "ip": "192.168.1.183", "user": "marc",
      "identity_file": "/k", "os": "linux", "arch": "x86_64",
      "capabilities": ["docker"], "specialties": ["compilation"],
      "slots": 8})"));
  env["CLUSTER_SSH_RETRIES"] = "4";
  auto text = describe_config(load());
  for (auto* want :
       {"builder  (remote)", "thishost  (local)", "mp", "macpro51.local",
        "192.168.1.183", "marc", "/k", "linux/x86_64", "8", "docker",
        "compilation", "env CLUSTER_SSH_RETRIES", "default"})
    BOOST_CHECK_MESSAGE(text.find(want) != std::string::npos,
                        "missing '" << want << "' in:\n" << text);
}

BOOST_FIXTURE_TEST_CASE(example_file_loads, fixture) {
  // Loaded as shipped, so the example cannot drift from the parser.
  std::string src = __FILE__;
  in.config_flag = src.substr(0, src.rfind("tests/"))
                   + "config/nodes.example.json";
  auto c = load();
  // Four remote nodes, and this machine added as the local one.
  BOOST_CHECK_EQUAL(c.nodes.size(), 5u);
  BOOST_CHECK(!node(c, "mac-studio").info.local);
  BOOST_CHECK_EQUAL(node(c, "mac-studio").ssh.hostname,
                    "Marcs-Mac-Studio.local");
  BOOST_CHECK(c.nodes.front().info.local);
  BOOST_CHECK_EQUAL(node(c, "macpro51").ssh.hostname, "macpro51.local");
  BOOST_CHECK_EQUAL(node(c, "inference").ssh.identity_files.size(), 2u);
  BOOST_CHECK(c.cfg.cmd_timeout == 600s);
}

BOOST_AUTO_TEST_CASE(setting_assignments) {
  auto kv = parse_setting_assignment("cmd_timeout=600");
  BOOST_CHECK_EQUAL(kv.first, "cmd_timeout");
  BOOST_CHECK_EQUAL(kv.second, "600");
  BOOST_CHECK_EQUAL(parse_setting_assignment("ssh_user=a=b").second, "a=b");
  BOOST_CHECK_THROW(parse_setting_assignment("cmd_timeout"), config_error);
  BOOST_CHECK_THROW(parse_setting_assignment("=5"), config_error);
  BOOST_CHECK_THROW(parse_setting_assignment("nope=5"), config_error);
}

BOOST_AUTO_TEST_CASE(env_prefixes) {
  BOOST_CHECK_EQUAL(node_env_prefix("mac-studio"), "CLUSTER_MAC_STUDIO");
  BOOST_CHECK_EQUAL(node_env_prefix("macpro51"), "CLUSTER_MACPRO51");
  BOOST_CHECK_EQUAL(node_env_prefix("a.b_c"), "CLUSTER_A_B_C");
  auto both = node_env_prefixes("mac-studio");
  BOOST_REQUIRE_EQUAL(both.size(), 2u);
  BOOST_CHECK_EQUAL(both[1], "CLUSTER_MACSTUDIO");
  BOOST_CHECK_EQUAL(node_env_prefixes("macpro51").size(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
