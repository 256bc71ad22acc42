// Settings from the environment: defaults, overrides and rejected values.

#include "config/settings.hpp"

#include <boost/test/unit_test.hpp>

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace cluster;
using namespace std::chrono_literals;

namespace {

using env_map = std::map<std::string, std::string>;

settings from(const env_map& env) {
  return settings_from_environment([&](const char* name) -> const char* {
    auto i = env.find(name);
    return i == env.end() ? nullptr : i->second.c_str();
  });
}

/// Expects `var=value` to be rejected with a message naming both.
void check_rejected(const std::string& var, const std::string& value) {
  BOOST_TEST_CONTEXT(var << "=\"" << value << "\"") {
    try {
      from({{var, value}});
      BOOST_ERROR("accepted");
    } catch (const config_error& e) {
      std::string msg = e.what();
      BOOST_CHECK_MESSAGE(msg.find(var) != std::string::npos, msg);
      BOOST_CHECK_MESSAGE(msg.find("expected") != std::string::npos, msg);
      // Short printable values appear as given; others are escaped or cut.
      bool printable = value.size() <= 64;
      for (unsigned char c : value)
        printable = printable && c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
      if (printable)
        BOOST_CHECK_MESSAGE(msg.find("\"" + value + "\"") != std::string::npos,
                            msg);
    }
  }
}

const std::vector<std::string> durations = {
  "CLUSTER_CMD_TIMEOUT", "CLUSTER_STATUS_TIMEOUT", "CLUSTER_HEALTH_INTERVAL",
  "CLUSTER_KILL_GRACE", "CLUSTER_PROGRESS_INTERVAL", "CLUSTER_SSH_TIMEOUT",
  "CLUSTER_SSH_CONNECT_TIMEOUT", "CLUSTER_IP_CACHE_TTL"};

} // namespace

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(defaults_with_an_empty_environment) {
  auto s = from({});
  BOOST_CHECK(s.cmd_timeout == 300s);
  BOOST_CHECK(s.status_timeout == 5s);
  BOOST_CHECK_EQUAL(s.output_limit, 16384u);
  BOOST_CHECK_EQUAL(s.cpu_threshold, 40.0);
  BOOST_CHECK_EQUAL(s.load_threshold, 1.0);
  BOOST_CHECK_EQUAL(s.memory_threshold, 80.0);
  BOOST_CHECK(s.health_interval == 2s);
  BOOST_CHECK_EQUAL(s.local_slots, 0u);
  BOOST_CHECK_EQUAL(s.queue_limit, 1024u);
  BOOST_CHECK(s.kill_grace == 1s);
  BOOST_CHECK(s.progress_interval == 5s);
  BOOST_CHECK(s.log == log_level::warning);
  BOOST_CHECK_EQUAL(s.ssh_user, ::getpwuid(::geteuid())->pw_name);
  BOOST_CHECK(s.ssh_timeout == 5s);
  BOOST_CHECK(s.ssh_connect_timeout == 2s);
  BOOST_CHECK_EQUAL(s.ssh_retries, 2u);
  BOOST_CHECK(s.ip_cache_ttl == 300s);
  BOOST_CHECK_EQUAL(s.known_hosts, "~/.ssh/known_hosts");
  BOOST_CHECK(s.host_key_policy == host_key_checking::accept_new);
  BOOST_CHECK_EQUAL(s.ssh_config, "~/.ssh/config");
  // A null lookup behaves like an empty environment.
  BOOST_CHECK(settings_from_environment(env_lookup{}).cmd_timeout == 300s);
}

BOOST_AUTO_TEST_CASE(empty_values_count_as_unset) {
  env_map env;
  for (const auto& var : durations)
    env[var] = "";
  for (const char* var :
       {"CLUSTER_OUTPUT_LIMIT", "CLUSTER_CPU_THRESHOLD", "CLUSTER_LOG_LEVEL",
        "CLUSTER_LOAD_THRESHOLD", "CLUSTER_MEMORY_THRESHOLD",
        "CLUSTER_LOCAL_SLOTS", "CLUSTER_QUEUE_LIMIT", "CLUSTER_SSH_USER",
        "CLUSTER_SSH_RETRIES", "CLUSTER_KNOWN_HOSTS",
        "CLUSTER_HOST_KEY_POLICY", "CLUSTER_SSH_CONFIG"})
    env[var] = "";
  auto s = from(env);
  BOOST_CHECK(s.ssh_timeout == 5s);
  BOOST_CHECK_EQUAL(s.ssh_user, current_user_name());
  BOOST_CHECK_EQUAL(s.known_hosts, "~/.ssh/known_hosts");
  BOOST_CHECK(s.cmd_timeout == 300s);
  BOOST_CHECK_EQUAL(s.output_limit, 16384u);
  BOOST_CHECK(s.log == log_level::warning);
}

BOOST_AUTO_TEST_CASE(durations_override) {
  BOOST_CHECK(from({{"CLUSTER_CMD_TIMEOUT", "10"}}).cmd_timeout == 10s);
  BOOST_CHECK(from({{"CLUSTER_CMD_TIMEOUT", "0.25"}}).cmd_timeout == 250ms);
  BOOST_CHECK(from({{"CLUSTER_CMD_TIMEOUT", "0.3"}}).cmd_timeout == 300ms);
  BOOST_CHECK(from({{"CLUSTER_CMD_TIMEOUT", ".5"}}).cmd_timeout == 500ms);
  BOOST_CHECK(from({{"CLUSTER_CMD_TIMEOUT", "007"}}).cmd_timeout == 7s);
  BOOST_CHECK(from({{"CLUSTER_CMD_TIMEOUT", "1.0005"}}).cmd_timeout == 1001ms);
  BOOST_CHECK(from({{"CLUSTER_CMD_TIMEOUT", "0.001"}}).cmd_timeout == 1ms);
  BOOST_CHECK(from({{"CLUSTER_CMD_TIMEOUT", "4294967"}}).cmd_timeout
              == 4294967s);
  BOOST_CHECK(from({{"CLUSTER_STATUS_TIMEOUT", "2.5"}}).status_timeout
              == 2500ms);
  BOOST_CHECK(from({{"CLUSTER_HEALTH_INTERVAL", "0.5"}}).health_interval
              == 500ms);
  BOOST_CHECK(from({{"CLUSTER_KILL_GRACE", "0.1"}}).kill_grace == 100ms);
  BOOST_CHECK(from({{"CLUSTER_PROGRESS_INTERVAL", "1"}}).progress_interval
              == 1s);
}

BOOST_AUTO_TEST_CASE(numbers_override) {
  BOOST_CHECK_EQUAL(from({{"CLUSTER_OUTPUT_LIMIT", "1"}}).output_limit, 1u);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_OUTPUT_LIMIT", "16777216"}}).output_limit,
                    16777216u);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_QUEUE_LIMIT", "1"}}).queue_limit, 1u);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_QUEUE_LIMIT", "50000"}}).queue_limit,
                    50000u);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_LOCAL_SLOTS", "0"}}).local_slots, 0u);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_LOCAL_SLOTS", "1024"}}).local_slots,
                    1024u);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_CPU_THRESHOLD", "55.5"}}).cpu_threshold,
                    55.5);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_CPU_THRESHOLD", "100"}}).cpu_threshold,
                    100.0);
  BOOST_CHECK_EQUAL(
    from({{"CLUSTER_MEMORY_THRESHOLD", "0.5"}}).memory_threshold, 0.5);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_LOAD_THRESHOLD", "8"}}).load_threshold,
                    8.0);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_LOAD_THRESHOLD", "250.75"}}).load_threshold,
                    250.75);
}

BOOST_AUTO_TEST_CASE(log_level_overrides) {
  BOOST_CHECK(from({{"CLUSTER_LOG_LEVEL", "error"}}).log == log_level::error);
  BOOST_CHECK(from({{"CLUSTER_LOG_LEVEL", "Warning"}}).log
              == log_level::warning);
  BOOST_CHECK(from({{"CLUSTER_LOG_LEVEL", "INFO"}}).log == log_level::info);
  BOOST_CHECK(from({{"CLUSTER_LOG_LEVEL", "debug"}}).log == log_level::debug);
}

BOOST_AUTO_TEST_CASE(bad_durations_are_rejected) {
  for (const auto& var : durations)
    for (const char* bad :
         {"abc", "5s", "-1", "+1", "nan", "inf", "1e999", "1e3", " 5", "5 ",
          "5\n", "0", "0.0", "000", "0.0004", ".", "1.2.3", "1,5", "0x10",
          "4294968", "99999999999", "123456789012345678901234567890",
          "\xFF"})
      check_rejected(var, bad);
}

BOOST_AUTO_TEST_CASE(bad_counts_are_rejected) {
  for (const char* var : {"CLUSTER_OUTPUT_LIMIT", "CLUSTER_QUEUE_LIMIT",
                          "CLUSTER_LOCAL_SLOTS"})
    for (const char* bad : {"abc", "-1", "+1", "1.5", "1e3", "0x10", " 1",
                            "1 ", "nan", "inf", "99999999999999999999999"})
      check_rejected(var, bad);
  check_rejected("CLUSTER_OUTPUT_LIMIT", "0");
  check_rejected("CLUSTER_OUTPUT_LIMIT", "16777217");
  check_rejected("CLUSTER_QUEUE_LIMIT", "0");
  check_rejected("CLUSTER_QUEUE_LIMIT", "4294967296");
  check_rejected("CLUSTER_LOCAL_SLOTS", "1025");
}

BOOST_AUTO_TEST_CASE(bad_thresholds_are_rejected) {
  for (const char* var : {"CLUSTER_CPU_THRESHOLD", "CLUSTER_MEMORY_THRESHOLD",
                          "CLUSTER_LOAD_THRESHOLD"})
    for (const char* bad : {"abc", "0", "0.0", "-5", "nan", "inf", "1e999",
                            "1e2", "5%", " 5", "5 "})
      check_rejected(var, bad);
  check_rejected("CLUSTER_CPU_THRESHOLD", "100.1");
  check_rejected("CLUSTER_MEMORY_THRESHOLD", "101");
  check_rejected("CLUSTER_LOAD_THRESHOLD", std::string(400, '9'));
}

BOOST_AUTO_TEST_CASE(bad_log_levels_are_rejected) {
  for (const char* bad : {"verbose", "warn", "warning ", "0", "trace"})
    check_rejected("CLUSTER_LOG_LEVEL", bad);
}

BOOST_AUTO_TEST_CASE(message_says_what_is_expected) {
  try {
    from({{"CLUSTER_CMD_TIMEOUT", "abc"}});
    BOOST_ERROR("accepted");
  } catch (const config_error& e) {
    BOOST_CHECK_EQUAL(std::string(e.what()),
                      "CLUSTER_CMD_TIMEOUT: \"abc\" is not a number of seconds "
                      "(expected a positive number, e.g. 300)");
  }
  try {
    from({{"CLUSTER_OUTPUT_LIMIT", std::string("1\x1b[2J", 5)}});
    BOOST_ERROR("accepted");
  } catch (const config_error& e) {
    // Control bytes come out escaped, never raw on the terminal.
    BOOST_CHECK_EQUAL(std::string(e.what()),
                      "CLUSTER_OUTPUT_LIMIT: \"1\\x1b[2J\" is not a whole "
                      "number (expected an integer from 1 to 16777216)");
  }
}

BOOST_AUTO_TEST_CASE(ssh_variables_override) {
  BOOST_CHECK_EQUAL(from({{"CLUSTER_SSH_USER", "marc"}}).ssh_user, "marc");
  BOOST_CHECK_EQUAL(from({{"CLUSTER_SSH_USER", "first.last_1-x"}}).ssh_user,
                    "first.last_1-x");
  BOOST_CHECK(from({{"CLUSTER_SSH_TIMEOUT", "10"}}).ssh_timeout == 10s);
  BOOST_CHECK(from({{"CLUSTER_SSH_CONNECT_TIMEOUT", "0.5"}}).ssh_connect_timeout
              == 500ms);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_SSH_RETRIES", "0"}}).ssh_retries, 0u);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_SSH_RETRIES", "10"}}).ssh_retries, 10u);
  BOOST_CHECK(from({{"CLUSTER_IP_CACHE_TTL", "60"}}).ip_cache_ttl == 60s);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_KNOWN_HOSTS", "/etc/kh"}}).known_hosts,
                    "/etc/kh");
  BOOST_CHECK(from({{"CLUSTER_HOST_KEY_POLICY", "strict"}}).host_key_policy
              == host_key_checking::strict);
  BOOST_CHECK(from({{"CLUSTER_HOST_KEY_POLICY", "Accept-New"}}).host_key_policy
              == host_key_checking::accept_new);
  BOOST_CHECK_EQUAL(from({{"CLUSTER_SSH_CONFIG", "none"}}).ssh_config, "none");
}

BOOST_AUTO_TEST_CASE(bad_ssh_variables_are_rejected) {
  for (const char* bad : {"-1", "11", "2.5", "abc", " 2"})
    check_rejected("CLUSTER_SSH_RETRIES", bad);
  for (const char* bad : {"no", "yes", "accept_new", "off", "strict "})
    check_rejected("CLUSTER_HOST_KEY_POLICY", bad);
  for (const char* bad : {"-oProxyCommand=x", "a b", "me@host", "a:b",
                          "tab\there", "\x01"})
    check_rejected("CLUSTER_SSH_USER", bad);
  check_rejected("CLUSTER_SSH_USER", std::string(300, 'u'));
  check_rejected("CLUSTER_KNOWN_HOSTS", "/tmp/kh\n");
  check_rejected("CLUSTER_SSH_CONFIG", std::string("a\x7f", 2));
}

BOOST_AUTO_TEST_CASE(table_rows_are_consistent) {
  cluster::settings defaults;
  std::set<std::string_view> keys;
  for (auto& row : setting_table()) {
    BOOST_TEST_CONTEXT(row.key) {
      BOOST_CHECK(keys.insert(row.key).second);
      // The environment name is the key, upper-cased, after CLUSTER_.
      std::string var = "CLUSTER_";
      for (char c : row.key)
        var += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      BOOST_CHECK_EQUAL(row.env_var, var);
      BOOST_CHECK(find_setting(row.key) == &row);
      // What a row prints, it accepts back unchanged.
      cluster::settings s;
      row.assign(s, row.print(defaults), "test");
      BOOST_CHECK_EQUAL(row.print(s), row.print(defaults));
    }
  }
  BOOST_CHECK(find_setting("CLUSTER_CMD_TIMEOUT") == nullptr);
  BOOST_CHECK_EQUAL(find_setting("cmd_timeout")->env_var, "CLUSTER_CMD_TIMEOUT");
}

BOOST_AUTO_TEST_CASE(printers_round_trip_parsed_values) {
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
         {"cmd_timeout", "0.25"}, {"cmd_timeout", "1.001"},
         {"cpu_threshold", "55.5"}, {"load_threshold", "0.1"},
         {"log_level", "debug"}, {"host_key_policy", "strict"},
         {"ssh_user", "marc"}, {"ssh_retries", "7"}}) {
    BOOST_TEST_CONTEXT(key << "=" << value) {
      cluster::settings s;
      auto* row = find_setting(key);
      BOOST_REQUIRE(row != nullptr);
      row->assign(s, value, "test");
      BOOST_CHECK_EQUAL(row->print(s), value);
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_start_with_the_given_source) {
  cluster::settings s;
  try {
    find_setting("ssh_retries")->assign(s, "99",
                                        "nodes.json: settings.ssh_retries");
    BOOST_ERROR("accepted");
  } catch (const config_error& e) {
    BOOST_CHECK_EQUAL(std::string(e.what()),
                      "nodes.json: settings.ssh_retries: \"99\" is out of "
                      "range (expected an integer from 0 to 10)");
  }
}

BOOST_AUTO_TEST_SUITE_END()
