#include "apps/task_text.hpp"

#include "actors/mcp/task_results.hpp"
#include "actors/mcp/tool_results.hpp"
#include "apps/follow_output.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <tuple>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cluster {

namespace {

// `status` shows this much of each stream; `logs` has the rest.
constexpr std::uint32_t detail_lines = 10;
// A few enormous lines must not flood a status.
constexpr std::uint64_t detail_bytes = 8192;

// A table's date: the time alone today, the day too before.
std::string short_time(std::int64_t ms, std::int64_t now_ms) {
  if (ms <= 0)
    return "-";
  auto seconds = static_cast<std::time_t>(ms / 1000);
  auto now = static_cast<std::time_t>(now_ms / 1000);
  std::tm at{};
  std::tm today{};
  localtime_r(&seconds, &at);
  localtime_r(&now, &today);
  const char* format = "%Y-%m-%d";
  if (at.tm_year == today.tm_year)
    format = at.tm_yday == today.tm_yday ? "%H:%M:%S" : "%b %d %H:%M";
  char text[32];
  std::strftime(text, sizeof text, format, &at);
  return text;
}

// The command ran to its own end: its exit status is its own.
bool ran(const task_record& r) {
  return (r.error == error_class::none || r.error == error_class::command)
         && r.exit_code;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (auto& item : items)
    out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string requirements_text(const requirements& needs) {
  std::string out;
  auto add = [&](const std::string& text) {
    out += (out.empty() ? "" : " ") + text;
  };
  if (!needs.os.empty())
    add("os=" + needs.os);
  if (!needs.arch.empty())
    add("arch=" + needs.arch);
  if (!needs.capabilities.empty())
    add("capabilities=" + joined(needs.capabilities));
  return out;
}

std::int64_t file_size(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0)
    return -1;
  return static_cast<std::int64_t>(st.st_size);
}

// The last lines of a stream: from its spool file when there is one (the
// whole output, even while it runs), else the tail the journal kept.
std::string last_output(const std::string& path, const std::string& tail) {
  auto size = file_size(path);
  if (size < 0)
    return last_lines(tail, detail_lines);
  auto from = last_lines_offset(path, detail_lines);
  auto total = static_cast<std::uint64_t>(size);
  from = std::max(from, total > detail_bytes ? total - detail_bytes : 0);
  std::string text(total - std::min(from, total), '\0');
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return last_lines(tail, detail_lines);
  auto n = ::pread(fd, text.data(), text.size(), static_cast<off_t>(from));
  ::close(fd);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return text;
}

void optional_string(mcp::json_writer& out, const char* name,
                     const std::string& value) {
  out.key(name);
  if (value.empty())
    out.null();
  else
    out.string(value);
}

void optional_time(mcp::json_writer& out, const char* name, std::int64_t ms) {
  optional_string(out, name, ms > 0 ? mcp::utc_timestamp(ms) : std::string{});
}

} // namespace

colour state_colour(task_state s) {
  switch (s) {
    case task_state::queued: return colour::cyan;
    case task_state::running: return colour::yellow;
    case task_state::succeeded: return colour::green;
    case task_state::cancelled: return colour::magenta;
    default: return colour::red;
  }
}

std::string local_time(std::int64_t ms) {
  if (ms <= 0)
    return "-";
  auto seconds = static_cast<std::time_t>(ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

std::string human_duration(std::int64_t ms) {
  char text[48];
  if (ms < 0)
    ms = 0;
  if (ms < 1000)
    std::snprintf(text, sizeof text, "%lld ms", static_cast<long long>(ms));
  else if (ms < 60'000)
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000);
  else if (ms < 3'600'000)
    std::snprintf(text, sizeof text, "%lld min %02lld s",
                  static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  else
    std::snprintf(text, sizeof text, "%lld h %02lld min",
                  static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  return text;
}

std::string outcome_word(const task_record& r) {
  if (!is_final(r.state))
    return "-";
  if (ran(r))
    return std::to_string(*r.exit_code);
  if (r.state == task_state::cancelled || r.state == task_state::lost)
    return to_string(r.state);
  return to_string(r.error);
}

std::string task_details(const task_record& r, bool coloured,
                         std::int64_t now_ms) {
  std::string text;
  auto field = [&](const char* name, const std::string& value) {
    char label[16];
    std::snprintf(label, sizeof label, "%-11s", name);
    text += label + value + "\n";
  };
  field("task", r.id);
  auto state = paint(to_string(r.state), state_colour(r.state), coloured);
  if (is_final(r.state) && r.exit_code)
    state += ", exit " + std::to_string(*r.exit_code);
  else if (r.state == task_state::failed)
    state += ", " + std::string{to_string(r.error)};
  field("state", state);
  field("command", one_line(r.command));
  if (!r.node.empty())
    field("node", r.reason.empty() ? r.node : r.node + "  (" + r.reason + ")");
  else if (!r.requested_node.empty())
    field("node", r.requested_node + "  (requested)");
  if (auto needs = requirements_text(r.needs); !needs.empty())
    field("requires", needs);
  if (!r.cwd.empty())
    field("cwd", r.cwd);
  field("submitter", (r.submitter.empty() ? std::string{"-"} : r.submitter)
                       + (r.owner_pid > 0 ? "  (pid "
                                              + std::to_string(r.owner_pid) + ")"
                                          : ""));
  if (!r.batch_id.empty())
    field("batch", r.batch_id);
  field("created", local_time(r.created_ms));
  if (r.started_ms > 0)
    field("started", local_time(r.started_ms) + "  (waited "
                       + human_duration(r.started_ms - r.created_ms) + ")");
  if (r.finished_ms > 0)
    field("finished", local_time(r.finished_ms) + "  (took "
                        + human_duration(r.finished_ms
                                         - (r.started_ms > 0 ? r.started_ms
                                                             : r.created_ms))
                        + ")");
  else if (r.started_ms > 0)
    field("running", "for " + human_duration(now_ms - r.started_ms));
  if (r.error != error_class::none && r.error != error_class::command)
    field("error", std::string{to_string(r.error)}
                     + (r.error_message.empty() ? "" : ": " + r.error_message));
  else if (!r.error_message.empty())
    field("error", r.error_message);
  if (r.cancel_requested && !is_final(r.state))
    field("cancel", "requested; its owner (pid " + std::to_string(r.owner_pid)
                      + ") acts on it within about a second");
  for (auto [name, path] : {std::pair{"stdout", &r.stdout_path},
                            std::pair{"stderr", &r.stderr_path}}) {
    auto size = file_size(*path);
    if (!path->empty())
      field(name, *path + (size >= 0 ? "  (" + std::to_string(size) + " bytes)"
                                     : "  (gone)"));
  }
  for (auto [name, path, tail] :
       {std::tuple{"stdout", &r.stdout_path, &r.stdout_tail},
        std::tuple{"stderr", &r.stderr_path, &r.stderr_tail}}) {
    auto last = last_output(*path, *tail);
    if (last.empty())
      continue;
    text += "\n" + paint(std::string{"last lines of "} + name + ":",
                         colour::dim, coloured)
            + "\n" + last;
    if (last.back() != '\n')
      text += '\n';
  }
  return text;
}

std::string task_table(const std::vector<task_record>& tasks, bool coloured,
                       std::size_t width, std::int64_t now_ms) {
  text_table table{{"ID", "STATE", "NODE", "STARTED", "DURATION", "EXIT",
                    "COMMAND"}};
  for (auto& r : tasks) {
    auto began = r.started_ms > 0 ? r.started_ms : r.created_ms;
    std::string took = "-";
    if (r.finished_ms > 0 && r.started_ms > 0)
      took = human_duration(r.finished_ms - r.started_ms);
    else if (r.state == task_state::running && r.started_ms > 0)
      took = human_duration(now_ms - r.started_ms) + "+";
    table.add({{r.id},
               {to_string(r.state), state_colour(r.state)},
               {r.node.empty() ? "-" : r.node},
               {short_time(began, now_ms)},
               {took},
               {outcome_word(r)},
               {r.command}});
  }
  return table.render(width, coloured);
}

void write_task_object(mcp::json_writer& out, const task_record& r,
                       bool with_tails, std::int64_t now_ms) {
  // The members of the MCP task tools' task object first, named alike, so
  // a script reads a task the same from either; then what only the command
  // line shows.
  out.begin_object();
  mcp::write_task_members(out, r, now_ms, with_tails);

  optional_string(out, "requested_node", r.requested_node);
  out.key("requires").begin_object();
  optional_string(out, "os", r.needs.os);
  optional_string(out, "arch", r.needs.arch);
  out.key("capabilities").begin_array();
  for (auto& c : r.needs.capabilities)
    out.string(c);
  out.end_array();
  out.end_object();
  optional_string(out, "cwd", r.cwd);
  out.key("owner_pid").integer(r.owner_pid);
  optional_string(out, "batch_id", r.batch_id);
  optional_string(out, "stdout_path", r.stdout_path);
  optional_string(out, "stderr_path", r.stderr_path);
  out.end_object();
}

} // namespace cluster
