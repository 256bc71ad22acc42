#include "config/settings.hpp"

#include "config/setting_parsers.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <limits>
#include <string>

namespace cluster {

namespace {

/// Bytes per stream: beyond this a single result no longer fits comfortably
/// in one message.
constexpr std::uint64_t max_output_limit = 16 * 1024 * 1024;

constexpr std::uint64_t max_local_slots = 1024;

/// More attempts than this only delays the error for an unreachable node.
constexpr std::uint64_t max_ssh_retries = 10;

using ms_field = std::chrono::milliseconds settings::*;
using count_field = std::uint32_t settings::*;
using number_field = double settings::*;
using text_field = std::string settings::*;

setting_spec seconds_row(std::string_view key, std::string_view var,
                         ms_field field, std::string_view example) {
  return {key, var, setting_kind::number,
          [=](settings& s, std::string_view v, std::string_view where) {
            s.*field = parse_seconds(where, v, example);
          },
          [=](const settings& s) { return format_seconds(s.*field); }};
}

setting_spec count_row(std::string_view key, std::string_view var,
                       count_field field, std::uint64_t lo, std::uint64_t hi) {
  return {key, var, setting_kind::number,
          [=](settings& s, std::string_view v, std::string_view where) {
            s.*field = parse_count(where, v, lo, hi);
          },
          [=](const settings& s) { return std::to_string(s.*field); }};
}

setting_spec threshold_row(std::string_view key, std::string_view var,
                           number_field field, double hi,
                           std::string_view expected) {
  return {key, var, setting_kind::number,
          [=](settings& s, std::string_view v, std::string_view where) {
            s.*field = parse_threshold(where, v, hi, expected);
          },
          [=](const settings& s) { return format_number(s.*field); }};
}

setting_spec path_row(std::string_view key, std::string_view var,
                      text_field field) {
  return {key, var, setting_kind::text,
          [=](settings& s, std::string_view v, std::string_view where) {
            s.*field = parse_path(where, v);
          },
          [=](const settings& s) { return s.*field; }};
}

std::vector<setting_spec> make_table() {
  constexpr auto inf = std::numeric_limits<double>::infinity();
  constexpr auto percent_40 = "a percentage above 0 and at most 100, e.g. 40";
  constexpr auto percent_80 = "a percentage above 0 and at most 100, e.g. 80";
  std::vector<setting_spec> t;
  t.push_back(seconds_row("cmd_timeout", "CLUSTER_CMD_TIMEOUT",
                          &settings::cmd_timeout, "300"));
  t.push_back(seconds_row("status_timeout", "CLUSTER_STATUS_TIMEOUT",
                          &settings::status_timeout, "5"));
  t.push_back(count_row("output_limit", "CLUSTER_OUTPUT_LIMIT",
                        &settings::output_limit, 1, max_output_limit));
  t.push_back(threshold_row("cpu_threshold", "CLUSTER_CPU_THRESHOLD",
                            &settings::cpu_threshold, 100, percent_40));
  t.push_back(threshold_row("load_threshold", "CLUSTER_LOAD_THRESHOLD",
                            &settings::load_threshold, inf,
                            "a positive load per CPU, e.g. 1.5"));
  t.push_back(threshold_row("memory_threshold", "CLUSTER_MEMORY_THRESHOLD",
                            &settings::memory_threshold, 100, percent_80));
  t.push_back(seconds_row("health_interval", "CLUSTER_HEALTH_INTERVAL",
                          &settings::health_interval, "2"));
  t.push_back(count_row("local_slots", "CLUSTER_LOCAL_SLOTS",
                        &settings::local_slots, 0, max_local_slots));
  t.push_back(count_row("queue_limit", "CLUSTER_QUEUE_LIMIT",
                        &settings::queue_limit, 1,
                        std::numeric_limits<std::uint32_t>::max()));
  t.push_back(seconds_row("kill_grace", "CLUSTER_KILL_GRACE",
                          &settings::kill_grace, "1"));
  t.push_back(seconds_row("progress_interval", "CLUSTER_PROGRESS_INTERVAL",
                          &settings::progress_interval, "5"));
  t.push_back({"log_level", "CLUSTER_LOG_LEVEL", setting_kind::text,
               [](settings& s, std::string_view v, std::string_view where) {
                 s.log = parse_log_level(where, v);
               },
               [](const settings& s) {
                 return std::string(log_level_name(s.log));
               }});
  t.push_back({"ssh_user", "CLUSTER_SSH_USER", setting_kind::text,
               [](settings& s, std::string_view v, std::string_view where) {
                 s.ssh_user = parse_user_name(where, v);
               },
               [](const settings& s) { return s.ssh_user; }});
  t.push_back(seconds_row("ssh_timeout", "CLUSTER_SSH_TIMEOUT",
                          &settings::ssh_timeout, "5"));
  t.push_back(seconds_row("ssh_connect_timeout", "CLUSTER_SSH_CONNECT_TIMEOUT",
                          &settings::ssh_connect_timeout, "2"));
  t.push_back(count_row("ssh_retries", "CLUSTER_SSH_RETRIES",
                        &settings::ssh_retries, 0, max_ssh_retries));
  t.push_back(seconds_row("ip_cache_ttl", "CLUSTER_IP_CACHE_TTL",
                          &settings::ip_cache_ttl, "300"));
  t.push_back(path_row("known_hosts", "CLUSTER_KNOWN_HOSTS",
                       &settings::known_hosts));
  t.push_back({"host_key_policy", "CLUSTER_HOST_KEY_POLICY", setting_kind::text,
               [](settings& s, std::string_view v, std::string_view where) {
                 s.host_key_policy = parse_host_key_policy(where, v);
               },
               [](const settings& s) {
                 return std::string(host_key_policy_name(s.host_key_policy));
               }});
  t.push_back(path_row("ssh_config", "CLUSTER_SSH_CONFIG",
                       &settings::ssh_config));
  // Empty is allowed: it stands for the XDG default, resolved at load.
  t.push_back({"state_dir", "CLUSTER_STATE_DIR", setting_kind::text,
               [](settings& s, std::string_view v, std::string_view where) {
                 s.state_dir = v.empty() ? std::string{} : parse_path(where, v);
               },
               [](const settings& s) { return s.state_dir; }});
  t.push_back(seconds_row("journal_max_age", "CLUSTER_JOURNAL_MAX_AGE",
                          &settings::journal_max_age, "604800"));
  t.push_back(count_row("journal_max_tasks", "CLUSTER_JOURNAL_MAX_TASKS",
                        &settings::journal_max_tasks, 1,
                        std::numeric_limits<std::uint32_t>::max()));
  t.push_back(seconds_row("wait_seconds", "CLUSTER_WAIT_SECONDS",
                          &settings::wait_default, "45"));
  return t;
}

} // namespace

std::string current_user_name() {
  // getpwuid rather than $USER: the variable is easily stale (sudo, su) and
  // the login we act as is the effective user's.
  if (const passwd* pw = ::getpwuid(::geteuid());
      pw != nullptr && pw->pw_name != nullptr)
    return pw->pw_name;
  return {};
}

const std::vector<setting_spec>& setting_table() {
  static const std::vector<setting_spec> table = make_table();
  return table;
}

const setting_spec* find_setting(std::string_view key) {
  for (auto& row : setting_table())
    if (row.key == key)
      return &row;
  return nullptr;
}

const char* env_value(const env_lookup& getenv_fn, std::string_view var) {
  if (!getenv_fn)
    return nullptr;
  // An empty value counts as unset: `CLUSTER_CMD_TIMEOUT= cmd` is how shell
  // users clear a variable for one command, and it should mean "default".
  const char* v = getenv_fn(std::string(var).c_str());
  return v == nullptr || *v == '\0' ? nullptr : v;
}

settings settings_from_environment(const env_lookup& getenv_fn) {
  settings s;
  for (auto& row : setting_table())
    if (const char* v = env_value(getenv_fn, row.env_var))
      row.assign(s, v, row.env_var);
  return s;
}

} // namespace cluster
