// The node file: what a valid file yields, and that every kind of mistake
// is reported with the file, the JSON path and what was expected.

#include "config/node_file.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace cluster;

namespace {

const std::string file = "/etc/cluster/nodes.json";

node_file_contents parse(const std::string& json) {
  return parse_node_file(json, file);
}

/// A remote node entry with the required fields, plus `extra` members.
std::string node(const std::string& id, const std::string& extra = "") {
  return R"({"id": ")" + id + R"(", "host": ")" + id
         + R"(.lan", "os": "linux", "arch": "x86_64")"
         + (extra.empty() ? "" : ", " + extra) + "}";
}

std::string nodes(const std::vector<std::string>& entries) {
  std::string out = R"({"nodes": [)";
  for (std::size_t i = 0; i < entries.size(); ++i)
    out += (i == 0 ? "" : ", ") + entries[i];
  return out + "]}";
}

/// Expects `json` to be rejected with a message starting with the file and
/// containing each of `words` (the JSON path, the offending value, ...).
void check_rejected(const std::string& json,
                    const std::vector<std::string>& words) {
  BOOST_TEST_CONTEXT(json) {
    try {
      parse(json);
      BOOST_ERROR("accepted");
    } catch (const config_error& e) {
      std::string msg = e.what();
      BOOST_CHECK_MESSAGE(msg.find(file + ": ") == 0, msg);
      for (auto& w : words)
        BOOST_CHECK_MESSAGE(msg.find(w) != std::string::npos,
                            "missing '" << w << "' in: " << msg);
    }
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(node_file)

BOOST_AUTO_TEST_CASE(full_entry) {
  auto f = parse(R"({
    "nodes": [
      { "id": "builder", "aliases": ["macpro51", "big.box"],
        "host": "macpro51.local", "ip": "192.168.1.183", "port": 2222,
        "user": "marc", "identity_file": "~/.ssh/id_ed25519",
        "os": "linux", "arch": "amd64", "capabilities": ["docker", "gpu"],
        "specialties": ["compilation"], "slots": 8, "local": false }
    ]})");
  BOOST_CHECK_EQUAL(f.path, file);
  BOOST_REQUIRE_EQUAL(f.nodes.size(), 1u);
  auto& n = f.nodes[0];
  BOOST_CHECK_EQUAL(n.info.id, "builder");
  BOOST_CHECK((n.info.aliases == std::vector<std::string>{"macpro51", "big.box"}));
  BOOST_CHECK_EQUAL(n.host, "macpro51.local");
  BOOST_CHECK_EQUAL(n.ip, "192.168.1.183");
  BOOST_CHECK_EQUAL(n.port.value_or(0), 2222);
  BOOST_CHECK_EQUAL(n.user.value_or("?"), "marc");
  BOOST_CHECK((n.identity_files == std::vector<std::string>{"~/.ssh/id_ed25519"}));
  BOOST_CHECK_EQUAL(n.info.os, "linux");
  BOOST_CHECK_EQUAL(n.info.arch, "x86_64");
  BOOST_CHECK((n.info.capabilities == std::vector<std::string>{"docker", "gpu"}));
  BOOST_CHECK((n.info.specialties == std::vector<std::string>{"compilation"}));
  BOOST_CHECK_EQUAL(n.info.slots, 8u);
  BOOST_CHECK(n.slots_given);
  BOOST_CHECK(!n.info.local);
  BOOST_CHECK_EQUAL(n.json_path, "nodes[0]");
}

BOOST_AUTO_TEST_CASE(defaults_and_optional_fields) {
  auto f = parse(nodes({node("a"), R"({"id": "me", "os": "macos",
                        "arch": "aarch64", "local": true})"}));
  BOOST_REQUIRE_EQUAL(f.nodes.size(), 2u);
  auto& a = f.nodes[0];
  BOOST_CHECK(!a.port && !a.user);
  BOOST_CHECK(a.ip.empty() && a.identity_files.empty());
  BOOST_CHECK_EQUAL(a.info.slots, 4u);
  BOOST_CHECK(!a.slots_given);
  BOOST_CHECK(!a.info.local);
  auto& me = f.nodes[1];
  BOOST_CHECK(me.info.local);
  BOOST_CHECK(me.host.empty());
  BOOST_CHECK_EQUAL(me.info.os, "darwin");
  BOOST_CHECK_EQUAL(me.info.arch, "arm64");
  BOOST_CHECK(f.settings.empty());
}

BOOST_AUTO_TEST_CASE(identity_file_list_ipv6_and_ip_hosts) {
  auto f = parse(nodes({node("a", R"("identity_file": ["~/k1", "/k2"],
                                     "ip": "fe80::1")"),
                        R"({"id": "b", "host": "10.0.0.7", "os": "linux",
                            "arch": "arm64"})"}));
  BOOST_CHECK((f.nodes[0].identity_files == std::vector<std::string>{"~/k1", "/k2"}));
  BOOST_CHECK_EQUAL(f.nodes[0].ip, "fe80::1");
  BOOST_CHECK_EQUAL(f.nodes[1].host, "10.0.0.7");
}

BOOST_AUTO_TEST_CASE(empty_file_object_and_settings_only) {
  BOOST_CHECK(parse("{}").nodes.empty());
  auto f = parse(R"({"settings": {"cmd_timeout": 600, "ssh_timeout": 2.5,
                      "cpu_threshold": 55.5, "ssh_user": "marc",
                      "host_key_policy": "strict", "known_hosts": "~/kh",
                      "ssh_retries": 0, "log_level": "debug"}})");
  BOOST_CHECK(f.nodes.empty());
  std::vector<std::pair<std::string, std::string>> got;
  for (auto& s : f.settings)
    got.emplace_back(std::string(s.spec->key), s.value);
  std::vector<std::pair<std::string, std::string>> expected{
    {"cmd_timeout", "600"},    {"ssh_timeout", "2.5"},
    {"cpu_threshold", "55.5"}, {"ssh_user", "marc"},
    {"host_key_policy", "strict"}, {"known_hosts", "~/kh"},
    {"ssh_retries", "0"},      {"log_level", "debug"}};
  BOOST_CHECK(got == expected);
  BOOST_CHECK_EQUAL(f.settings[0].where, file + ": settings.cmd_timeout");
}

BOOST_AUTO_TEST_CASE(note_keys_are_ignored) {
  auto f = parse(R"({"_comment": "top", "settings": {"_why": 1},
                     "nodes": [{"_note": ["anything"], "id": "a", "host": "h",
                                "os": "linux", "arch": "x86_64"}]})");
  BOOST_CHECK_EQUAL(f.nodes.size(), 1u);
  BOOST_CHECK(f.settings.empty());
}

BOOST_AUTO_TEST_CASE(names_must_be_unique) {
  check_rejected(nodes({node("a"), node("a")}),
                 {"nodes[1].id", "\"a\"", "already used by nodes[0].id"});
  check_rejected(nodes({node("a"), node("b", R"("aliases": ["a"])")}),
                 {"nodes[1].aliases[0]", "already used by nodes[0].id"});
  check_rejected(nodes({node("a", R"("aliases": ["x"])"),
                        node("b", R"("aliases": ["y", "x"])")}),
                 {"nodes[1].aliases[1]", "already used by nodes[0].aliases[0]"});
  check_rejected(nodes({node("a", R"("aliases": ["b"])"), node("b")}),
                 {"nodes[1].id", "already used by nodes[0].aliases[0]"});
  check_rejected(nodes({node("a", R"("aliases": ["a"])")}),
                 {"nodes[0].aliases[0]", "already used by nodes[0].id"});
}

BOOST_AUTO_TEST_CASE(at_most_one_local_node) {
  check_rejected(nodes({node("a", R"("local": true)"), node("b"),
                        node("c", R"("local": true)")}),
                 {"nodes[2].local", "nodes[0] is already local",
                  "at most one"});
}

BOOST_AUTO_TEST_CASE(bad_field_values) {
  check_rejected(nodes({node("a", R"("port": 0)")}),
                 {"nodes[0].port", "\"0\" is out of range", "1 to 65535"});
  check_rejected(nodes({node("a"), node("b", R"("port": 70000)")}),
                 {"nodes[1].port", "70000", "1 to 65535"});
  check_rejected(nodes({node("a", R"("port": 22.5)")}),
                 {"nodes[0].port", "not a whole number"});
  check_rejected(nodes({node("a", R"("port": -1)")}), {"nodes[0].port"});
  check_rejected(nodes({node("a", R"("port": "22")")}),
                 {"nodes[0].port", "got the string \"22\"", "an integer"});
  check_rejected(nodes({R"({"id": "a", "host": "h", "os": "windows",
                            "arch": "x86_64"})"}),
                 {"nodes[0].os", "\"windows\" is not a known OS",
                  "linux, darwin or macos"});
  check_rejected(nodes({R"({"id": "a", "host": "h", "os": "linux",
                            "arch": "sparc"})"}),
                 {"nodes[0].arch", "\"sparc\"", "x86_64"});
  check_rejected(nodes({node("bad id")}),
                 {"nodes[0].id", "\"bad id\" is not a valid name"});
  check_rejected(nodes({node("")}), {"nodes[0].id"});
  check_rejected(nodes({node("a", R"("aliases": ["ok", "no/slash"])")}),
                 {"nodes[0].aliases[1]", "no/slash"});
  check_rejected(nodes({node("a", R"("ip": "192.168.1.300")")}),
                 {"nodes[0].ip", "192.168.1.300", "not an IP address"});
  check_rejected(nodes({node("a", R"("ip": "host.lan")")}), {"nodes[0].ip"});
  check_rejected(nodes({R"({"id": "a", "host": "-oProxyCommand=x",
                            "os": "linux", "arch": "x86_64"})"}),
                 {"nodes[0].host", "not a host name"});
  check_rejected(nodes({node("a", R"("slots": 0)")}),
                 {"nodes[0].slots", "1 to 1024"});
  check_rejected(nodes({node("a", R"("slots": 1025)")}), {"nodes[0].slots"});
  check_rejected(nodes({node("a", R"("user": "a b")")}),
                 {"nodes[0].user", "\"a b\""});
  check_rejected(nodes({node("a", R"("identity_file": ["", "x"])")}),
                 {"nodes[0].identity_file[0]", "is empty"});
  check_rejected(nodes({node("a", R"("capabilities": ["ok", ""])")}),
                 {"nodes[0].capabilities[1]"});
}

BOOST_AUTO_TEST_CASE(missing_and_mistyped_fields) {
  check_rejected(nodes({R"({"host": "h", "os": "linux", "arch": "x86_64"})"}),
                 {"nodes[0]", "\"id\" is missing"});
  check_rejected(nodes({R"({"id": "a", "os": "linux", "arch": "x86_64"})"}),
                 {"nodes[0]", "\"host\" is missing", "not local"});
  check_rejected(nodes({R"({"id": "a", "host": "h", "arch": "x86_64"})"}),
                 {"nodes[0]", "\"os\" is missing"});
  check_rejected(nodes({R"({"id": "a", "host": "h", "os": "linux"})"}),
                 {"nodes[0]", "\"arch\" is missing"});
  check_rejected(nodes({node("a", R"("aliases": "b")")}),
                 {"nodes[0].aliases", "got the string \"b\"", "a list"});
  check_rejected(nodes({node("a", R"("local": "yes")")}),
                 {"nodes[0].local", "true or false"});
  check_rejected(nodes({node("a", R"("capabilities": [1])")}),
                 {"nodes[0].capabilities[0]", "got the number 1"});
  check_rejected(nodes({node("a", R"("identity_file": {"a": 1})")}),
                 {"nodes[0].identity_file", "got an object"});
  check_rejected(R"({"nodes": {}})", {"nodes: got an object", "a list"});
  check_rejected(R"({"nodes": ["a"]})", {"nodes[0]", "an object"});
  check_rejected("[]", {"(top level)", "got a list"});
}

BOOST_AUTO_TEST_CASE(unknown_and_duplicate_keys) {
  check_rejected(nodes({node("a", R"("prot": 22)")}),
                 {"nodes[0]", "unknown key \"prot\"", "port"});
  check_rejected(R"({"node": []})", {"(top level)", "unknown key \"node\""});
  check_rejected(R"({"settings": {"cmd_timeuot": 5}})",
                 {"settings", "unknown setting \"cmd_timeuot\"", "cmd_timeout"});
  check_rejected(nodes({node("a", R"("port": 22, "port": 23)")}),
                 {"nodes[0]", "\"port\" appears twice"});
  check_rejected(R"({"settings": {"cmd_timeout": 1, "cmd_timeout": 2}})",
                 {"settings", "appears twice"});
}

BOOST_AUTO_TEST_CASE(bad_settings_go_through_the_table) {
  check_rejected(R"({"settings": {"cmd_timeout": "600"}})",
                 {"settings.cmd_timeout", "got the string \"600\"", "a number"});
  check_rejected(R"({"settings": {"cmd_timeout": -5}})",
                 {"settings.cmd_timeout: \"-5\" is not a number of seconds"});
  check_rejected(R"({"settings": {"cmd_timeout": 0}})",
                 {"settings.cmd_timeout", "is not positive"});
  check_rejected(R"({"settings": {"ssh_retries": 11}})",
                 {"settings.ssh_retries", "0 to 10"});
  check_rejected(R"({"settings": {"ssh_user": 5}})",
                 {"settings.ssh_user", "got the number 5", "a string"});
  check_rejected(R"({"settings": {"host_key_policy": "no"}})",
                 {"settings.host_key_policy", "accept-new or strict"});
  check_rejected(R"({"settings": {"log_level": "loud"}})",
                 {"settings.log_level", "\"loud\""});
  check_rejected(R"({"settings": []})", {"settings: got a list"});
}

BOOST_AUTO_TEST_CASE(bad_json_names_line_and_column) {
  check_rejected("{\n  \"nodes\": [\n    {\"id\": \"a\",}\n  ]\n}",
                 {"invalid JSON at line 3, column 16 (offset 30)"});
  check_rejected("", {"invalid JSON at line 1, column 1 (offset 0)",
                      "empty"});
  check_rejected("{} {}", {"invalid JSON at line 1", "root"});
  check_rejected("{\"nodes\": [\"\xff\"]}", {"invalid JSON", "encoding"});
}

BOOST_AUTO_TEST_CASE(unreadable_file_is_an_error) {
  try {
    read_node_file("/nonexistent/nodes.json");
    BOOST_ERROR("accepted");
  } catch (const config_error& e) {
    std::string msg = e.what();
    BOOST_CHECK_MESSAGE(msg.find("/nonexistent/nodes.json: cannot read")
                          == 0,
                        msg);
    BOOST_CHECK_MESSAGE(msg.find("No such file") != std::string::npos, msg);
  }
  BOOST_CHECK_THROW(read_node_file("/tmp"), config_error);
}

BOOST_AUTO_TEST_CASE(name_checks) {
  BOOST_CHECK(is_node_name("mac-studio"));
  BOOST_CHECK(is_node_name("a.b_c-9"));
  BOOST_CHECK(!is_node_name(""));
  BOOST_CHECK(!is_node_name(std::string(65, 'a')));
  BOOST_CHECK(!is_node_name("é"));
  BOOST_CHECK(is_ip_literal("192.168.1.16"));
  BOOST_CHECK(is_ip_literal("::1"));
  BOOST_CHECK(!is_ip_literal("1.2.3"));
  BOOST_CHECK(is_host_name("Marcs-Mac-Studio.local"));
  BOOST_CHECK(is_host_name("2001:db8::1"));
  BOOST_CHECK(!is_host_name("-x"));
  BOOST_CHECK(!is_host_name("a b"));
}

BOOST_AUTO_TEST_SUITE_END()
