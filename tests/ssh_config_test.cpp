// The OpenSSH client config reader: patterns, first-wins, IdentityFile,
// tokens, Include, Match, and malformed lines named by file and line.

#include "config/settings.hpp"
#include "config/ssh_config.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace cluster;

namespace {

/// A fresh directory under /tmp, standing in for $HOME; removed afterwards.
struct temp_home {
  std::string path;

  temp_home() {
    char tmpl[] = "/tmp/ssh_config_test.XXXXXX";
    path = ::mkdtemp(tmpl);
    ::mkdir((path + "/.ssh").c_str(), 0700);
  }

  ~temp_home() {
    std::string cmd = "rm -rf '" + path + "'";
    if (std::system(cmd.c_str()) != 0)
      BOOST_TEST_MESSAGE("could not remove " << path);
  }

  std::string write(const std::string& rel, const std::string& text) const {
    auto full = path + "/" + rel;
    std::ofstream(full) << text;
    return full;
  }

  ssh_config_context context() const {
    return {path, "me", "box.lan", 1000};
  }

  ssh_client_config parse(const std::string& text) const {
    auto file = write(".ssh/config", text);
    return ssh_client_config::read(file, context(), true);
  }
};

ssh_host_settings look(const ssh_client_config& cfg, const std::string& host) {
  return cfg.lookup({host, std::nullopt, std::nullopt, "remote-default"});
}

/// Expects parsing `text` to fail with a message naming the file and `line`.
void check_malformed(const temp_home& home, const std::string& text,
                     int line, const std::string& words) {
  BOOST_TEST_CONTEXT(text) {
    try {
      home.parse(text);
      BOOST_ERROR("accepted");
    } catch (const config_error& e) {
      std::string msg = e.what();
      BOOST_CHECK_MESSAGE(msg.find(home.path + "/.ssh/config line "
                                   + std::to_string(line) + ": ")
                            == 0,
                          msg);
      BOOST_CHECK_MESSAGE(msg.find(words) != std::string::npos, msg);
    }
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(ssh_config)

BOOST_AUTO_TEST_CASE(glob_patterns) {
  BOOST_CHECK(ssh_pattern_match("*", "anything"));
  BOOST_CHECK(ssh_pattern_match("*", ""));
  BOOST_CHECK(ssh_pattern_match("mac*", "macpro51"));
  BOOST_CHECK(ssh_pattern_match("*.local", "macpro51.local"));
  BOOST_CHECK(!ssh_pattern_match("*.local", "macpro51.lan"));
  BOOST_CHECK(ssh_pattern_match("web-?", "web-1"));
  BOOST_CHECK(!ssh_pattern_match("web-?", "web-12"));
  BOOST_CHECK(ssh_pattern_match("a*b*c", "axxbyybzc"));
  BOOST_CHECK(!ssh_pattern_match("a*b*c", "axxbyyb"));
  BOOST_CHECK(ssh_pattern_match("MacPro*", "macpro51"));
  BOOST_CHECK(!ssh_pattern_match("builder", "builder2"));
}

BOOST_AUTO_TEST_CASE(host_block_and_first_value_wins) {
  temp_home home;
  auto cfg = home.parse("Host builder\n"
                        "  HostName macpro51.local\n"
                        "  User marc\n"
                        "  Port 2222\n"
                        "  User ignored-second\n"
                        "Host *\n"
                        "  HostName generic.lan\n"
                        "  User fallback\n"
                        "  Port 22\n");
  auto b = look(cfg, "builder");
  BOOST_CHECK_EQUAL(b.hostname.value_or("?"), "macpro51.local");
  BOOST_CHECK_EQUAL(b.user.value_or("?"), "marc");
  BOOST_CHECK_EQUAL(b.port.value_or(0), 2222);
  auto other = look(cfg, "other");
  BOOST_CHECK_EQUAL(other.hostname.value_or("?"), "generic.lan");
  BOOST_CHECK_EQUAL(other.user.value_or("?"), "fallback");
  BOOST_CHECK_EQUAL(other.port.value_or(0), 22);
}

BOOST_AUTO_TEST_CASE(lines_before_any_host_apply_to_all) {
  temp_home home;
  auto cfg = home.parse("User early\nHost x\n  User late\n");
  BOOST_CHECK_EQUAL(look(cfg, "x").user.value_or("?"), "early");
  BOOST_CHECK_EQUAL(look(cfg, "y").user.value_or("?"), "early");
}

BOOST_AUTO_TEST_CASE(unset_fields_stay_empty) {
  temp_home home;
  auto cfg = home.parse("Host a\n  User alice\n");
  auto r = look(cfg, "b");
  BOOST_CHECK(!r.hostname && !r.user && !r.port);
  BOOST_CHECK(r.identity_files.empty());
}

BOOST_AUTO_TEST_CASE(several_patterns_wildcards_and_case) {
  temp_home home;
  auto cfg = home.parse("HOST web-? *.LAN db\n"
                        "  hostname %h.example.com\n"
                        "  PORT 2200\n");
  BOOST_CHECK_EQUAL(look(cfg, "web-1").hostname.value_or("?"),
                    "web-1.example.com");
  BOOST_CHECK_EQUAL(look(cfg, "nas.lan").port.value_or(0), 2200);
  BOOST_CHECK_EQUAL(look(cfg, "DB").port.value_or(0), 2200);
  BOOST_CHECK(!look(cfg, "web-10").port);
}

BOOST_AUTO_TEST_CASE(negated_patterns) {
  temp_home home;
  auto cfg = home.parse("Host *.lan !secret.lan\n"
                        "  User lan-user\n"
                        "Host !nothing\n"
                        "  Port 1234\n"
                        "Host *\n"
                        "  User everyone\n");
  BOOST_CHECK_EQUAL(look(cfg, "nas.lan").user.value_or("?"), "lan-user");
  BOOST_CHECK_EQUAL(look(cfg, "secret.lan").user.value_or("?"), "everyone");
  // A line of negations alone matches nothing, as in OpenSSH.
  BOOST_CHECK(!look(cfg, "nas.lan").port);
  BOOST_CHECK(!look(cfg, "nothing").port);
}

BOOST_AUTO_TEST_CASE(identity_files_accumulate_in_order) {
  temp_home home;
  auto cfg = home.parse("Host builder\n"
                        "  IdentityFile ~/.ssh/id_builder\n"
                        "  IdentityFile /keys/second\n"
                        "Host *\n"
                        "  IdentityFile ~/.ssh/id_builder\n"
                        "  IdentityFile ~\n"
                        "  IdentityFile ~/.ssh/id_all\n");
  std::vector<std::string> expected{home.path + "/.ssh/id_builder",
                                    "/keys/second", home.path,
                                    home.path + "/.ssh/id_all"};
  auto r = look(cfg, "builder");
  BOOST_CHECK_EQUAL_COLLECTIONS(r.identity_files.begin(),
                                r.identity_files.end(), expected.begin(),
                                expected.end());
  BOOST_CHECK_EQUAL(look(cfg, "x").identity_files.size(), 3u);
}

BOOST_AUTO_TEST_CASE(tokens_in_identity_file) {
  temp_home home;
  auto cfg = home.parse("Host alias\n"
                        "  HostName real.lan\n"
                        "  User bob\n"
                        "  IdentityFile %d/k/%u@%l-%L/%h/%n/%r:%p/%i/100%%\n");
  auto r = look(cfg, "alias");
  BOOST_REQUIRE_EQUAL(r.identity_files.size(), 1u);
  BOOST_CHECK_EQUAL(r.identity_files[0], home.path
                                           + "/k/me@box.lan-box/real.lan/"
                                             "alias/bob:22/1000/100%");
  // What the caller fixed wins for %r and %p; otherwise the default user.
  auto fixed = cfg.lookup({"alias", std::string("carol"), 2200, "x"});
  BOOST_CHECK_EQUAL(fixed.identity_files[0],
                    home.path + "/k/me@box.lan-box/real.lan/alias/"
                                "carol:2200/1000/100%");
  auto cfg2 = home.parse("IdentityFile /k/%r\n");
  BOOST_CHECK_EQUAL(look(cfg2, "h").identity_files[0], "/k/remote-default");
}

BOOST_AUTO_TEST_CASE(unsupported_token_names_file_and_line) {
  temp_home home;
  auto cfg = home.parse("Host a\n  IdentityFile ~/.ssh/%C\nHost b\n"
                        "  HostName %u.lan\n");
  BOOST_CHECK(look(cfg, "c").identity_files.empty());
  for (const char* host : {"a", "b"}) {
    try {
      look(cfg, host);
      BOOST_ERROR("accepted");
    } catch (const config_error& e) {
      std::string msg = e.what();
      auto line = std::string(host) == "a" ? " line 2: " : " line 4: ";
      BOOST_CHECK_MESSAGE(msg.find(home.path + "/.ssh/config" + line) == 0,
                          msg);
      BOOST_CHECK_MESSAGE(msg.find("not supported") != std::string::npos, msg);
    }
  }
}

BOOST_AUTO_TEST_CASE(equals_quotes_comments_and_crlf) {
  temp_home home;
  auto cfg = home.parse("# a comment\n"
                        "\n"
                        "   \t\n"
                        "Host=\"quoted host\" plain\r\n"
                        "  User=alice   # trailing comment\r\n"
                        "  Port = 2201\r\n"
                        "  IdentityFile \"/path with space/key\"\r\n"
                        "  IdentityFile '/single quoted/key'\r\n"
                        "  IdentityFile /escaped\\ space/key\r\n");
  auto r = look(cfg, "plain");
  BOOST_CHECK_EQUAL(r.user.value_or("?"), "alice");
  BOOST_CHECK_EQUAL(r.port.value_or(0), 2201);
  std::vector<std::string> expected{"/path with space/key",
                                    "/single quoted/key",
                                    "/escaped space/key"};
  BOOST_CHECK_EQUAL_COLLECTIONS(r.identity_files.begin(),
                                r.identity_files.end(), expected.begin(),
                                expected.end());
  BOOST_CHECK_EQUAL(look(cfg, "quoted host").user.value_or("?"), "alice");
}

BOOST_AUTO_TEST_CASE(match_blocks_are_skipped) {
  temp_home home;
  auto cfg = home.parse("Match host builder exec \"true\"\n"
                        "  User from-match\n"
                        "  Port 9999\n"
                        "Host builder\n"
                        "  User from-host\n"
                        "Match all\n"
                        "  Port 2022\n");
  auto r = look(cfg, "builder");
  BOOST_CHECK_EQUAL(r.user.value_or("?"), "from-host");
  BOOST_CHECK_EQUAL(r.port.value_or(0), 2022);
  BOOST_CHECK_EQUAL(look(cfg, "other").port.value_or(0), 2022);
}

BOOST_AUTO_TEST_CASE(include_relative_glob_and_conditional) {
  temp_home home;
  ::mkdir((home.path + "/.ssh/conf.d").c_str(), 0700);
  home.write(".ssh/conf.d/10-builder.conf", "Host builder\n  User inc-user\n");
  home.write(".ssh/conf.d/20-all.conf", "Port 2200\n");
  home.write(".ssh/only-web", "User web-user\n");
  auto abs = home.write("absolute.conf", "Host abs\n  HostName abs.lan\n");
  auto cfg = home.parse("Include conf.d/*.conf " + abs + "\n"
                        "Include ~/.ssh/does-not-exist\n"
                        "Host web\n"
                        "  Include only-web\n"
                        "Host *\n"
                        "  User last\n");
  BOOST_CHECK_EQUAL(look(cfg, "builder").user.value_or("?"), "inc-user");
  BOOST_CHECK_EQUAL(look(cfg, "builder").port.value_or(0), 2200);
  BOOST_CHECK_EQUAL(look(cfg, "abs").hostname.value_or("?"), "abs.lan");
  // Inside `Host web` the included lines apply to web only.
  BOOST_CHECK_EQUAL(look(cfg, "web").user.value_or("?"), "web-user");
  BOOST_CHECK_EQUAL(look(cfg, "other").user.value_or("?"), "last");
}

BOOST_AUTO_TEST_CASE(include_inside_match_never_applies) {
  temp_home home;
  home.write(".ssh/inc", "User included\n");
  auto cfg = home.parse("Match user root\n  Include inc\nHost *\n  User x\n");
  BOOST_CHECK_EQUAL(look(cfg, "a").user.value_or("?"), "x");
}

BOOST_AUTO_TEST_CASE(include_loop_is_an_error) {
  temp_home home;
  home.write(".ssh/loop", "Include loop\n");
  try {
    home.parse("Include loop\n");
    BOOST_ERROR("accepted");
  } catch (const config_error& e) {
    std::string msg = e.what();
    BOOST_CHECK_MESSAGE(msg.find("/.ssh/loop line 1: Include nested")
                          != std::string::npos,
                        msg);
  }
}

BOOST_AUTO_TEST_CASE(malformed_lines_name_file_and_line) {
  temp_home home;
  check_malformed(home, "Host a\n  User \"alice\n", 2, "unterminated quote");
  check_malformed(home, "Host a\n\n  HostName\n", 3, "HostName needs a value");
  check_malformed(home, "Host a\n  User \"\"\n", 2, "needs a value");
  check_malformed(home, "Port 0\n", 1, "expected 1 to 65535");
  check_malformed(home, "Port 65536\n", 1, "not a port");
  check_malformed(home, "Port ssh\n", 1, "not a port");
  check_malformed(home, "Host\n", 1, "Host needs at least one pattern");
  check_malformed(home, "Match\n", 1, "Match needs criteria");
  check_malformed(home, "Include\n", 1, "Include needs a file");
  check_malformed(home, "User alice bob\n", 1,
                  "unexpected bob after the value of User");
  check_malformed(home, "=value\n", 1, "must start with a keyword");
  // Lines we do not use must still be well-formed, as OpenSSH requires.
  check_malformed(home, "ProxyCommand \"nc %h\n", 1, "unterminated quote");
}

BOOST_AUTO_TEST_CASE(unknown_keywords_are_ignored) {
  temp_home home;
  auto cfg = home.parse("Host a\n  ForwardAgent yes\n  ServerAliveInterval 30\n"
                        "  User alice\n");
  BOOST_CHECK_EQUAL(cfg.size(), 1u);
  BOOST_CHECK_EQUAL(look(cfg, "a").user.value_or("?"), "alice");
}

BOOST_AUTO_TEST_CASE(missing_file_is_empty_unless_required) {
  temp_home home;
  auto missing = home.path + "/.ssh/nope";
  auto cfg = ssh_client_config::read(missing, home.context());
  BOOST_CHECK_EQUAL(cfg.size(), 0u);
  BOOST_CHECK(!look(cfg, "a").user);
  try {
    ssh_client_config::read(missing, home.context(), true);
    BOOST_ERROR("accepted");
  } catch (const config_error& e) {
    std::string msg = e.what();
    BOOST_CHECK_MESSAGE(msg.find(missing) == 0, msg);
    BOOST_CHECK_MESSAGE(msg.find("No such file") != std::string::npos, msg);
  }
  // A directory is unreadable: empty by default, an error when required.
  BOOST_CHECK_EQUAL(
    ssh_client_config::read(home.path, home.context()).size(), 0u);
  BOOST_CHECK_THROW(ssh_client_config::read(home.path, home.context(), true),
                    config_error);
}

BOOST_AUTO_TEST_CASE(tilde_expansion) {
  BOOST_CHECK_EQUAL(expand_tilde("~", "/h"), "/h");
  BOOST_CHECK_EQUAL(expand_tilde("~/.ssh/k", "/h"), "/h/.ssh/k");
  BOOST_CHECK_EQUAL(expand_tilde("~bob/k", "/h"), "~bob/k");
  BOOST_CHECK_EQUAL(expand_tilde("/abs/~", "/h"), "/abs/~");
  BOOST_CHECK_EQUAL(expand_tilde("rel", "/h"), "rel");
  BOOST_CHECK_EQUAL(expand_tilde("~/k", ""), "~/k");
}

BOOST_AUTO_TEST_SUITE_END()
