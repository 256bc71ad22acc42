#include "actors/batch_report.hpp"

#include "actors/output_groups.hpp"
#include "actors/utf8.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace cluster {

namespace {

constexpr std::size_t max_label_bytes = 80;
constexpr const char* separator = "---------------\n";

// The command as a header shows it: its first line, cut to fit a terminal.
std::string command_label(const batch_request& request, std::size_t index) {
  auto item = request.broadcast ? 0 : index;
  if (item >= request.items.size())
    return {};
  auto& command = request.items[item].command;
  std::string_view line{command};
  line = line.substr(0, line.find('\n'));
  if (line.size() == command.size() && line.size() <= max_label_bytes)
    return command;
  line = line.substr(0, utf8_prefix_boundary(line.substr(0, max_label_bytes)));
  return std::string{line} + " ...";
}

// Where the item ran; for a broadcast target that never got that far, the
// name it was given.
std::string node_name(const batch_result& result, const batch_request& request,
                      std::size_t index) {
  auto& node = result.results[index].node;
  if (!node.empty())
    return node;
  if (request.broadcast && index < request.nodes.size())
    return request.nodes[index];
  return "-";
}

std::string duration_words(std::uint64_t ms) {
  if (ms < 1000)
    return std::to_string(ms) + " ms";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000);
  return text;
}

// "exit 0", "exit 137 (signal 9)", or the error class of a command that did
// not run to its own end ("timeout", "cancelled", "connection", ...).
std::string outcome_words(const run_result& r) {
  if (!r.ran())
    return to_string(r.error);
  auto words = "exit " + std::to_string(*r.exit_code);
  if (r.signal != 0)
    words += " (signal " + std::to_string(r.signal) + ")";
  return words;
}

// The lines under a header: why it failed, where it was tried first, then
// stdout as written and stderr marked line by line.
void append_details(std::string& text, const run_result& r) {
  if (!r.ok() && !r.error_message.empty())
    text += "error: " + std::string{to_string(r.error)} + ": "
            + r.error_message + "\n";
  if (!r.retried_from.empty()) {
    text += "note: could not connect to";
    for (auto& node : r.retried_from)
      text += " " + node;
    text += " first\n";
  }
  text += r.out.text;
  if (!r.out.text.empty() && r.out.text.back() != '\n')
    text += '\n';
  std::string_view err{r.err.text};
  while (!err.empty()) {
    auto eol = err.find('\n');
    text += "stderr: ";
    text += err.substr(0, eol);
    text += '\n';
    err = eol == std::string_view::npos ? std::string_view{}
                                        : err.substr(eol + 1);
  }
}

} // namespace

std::string list_report(const batch_result& result,
                        const batch_request& request) {
  std::string text;
  auto total = std::to_string(result.results.size());
  for (std::size_t i = 0; i < result.results.size(); ++i) {
    auto& r = result.results[i];
    text += "[" + std::to_string(i + 1) + "/" + total + "] "
            + node_name(result, request, i) + "  " + outcome_words(r) + "  "
            + duration_words(r.duration_ms) + "  " + command_label(request, i)
            + "\n";
    append_details(text, r);
  }
  return text;
}

std::string broadcast_report(const batch_result& result,
                             const batch_request& request, bool merge) {
  std::vector<output_group> groups;
  if (merge) {
    groups = group_identical(result.results);
  } else {
    for (std::size_t i = 0; i < result.results.size(); ++i)
      groups.push_back(output_group{{i}});
  }
  std::string text;
  for (auto& g : groups) {
    std::string nodes;
    for (auto i : g.members)
      nodes += (nodes.empty() ? "" : ",") + node_name(result, request, i);
    auto& first = result.results[g.members.front()];
    auto outcome = outcome_words(first);
    if (g.members.size() > 1)
      nodes += " (" + std::to_string(g.members.size()) + ")";
    else
      outcome += "  " + duration_words(first.duration_ms);
    text += separator + nodes + "\n" + separator + outcome + "\n";
    append_details(text, first);
  }
  return text;
}

std::string batch_summary(const batch_result& result,
                          const batch_request& request, bool interrupted) {
  auto& rs = result.results;
  auto succeeded = std::count_if(rs.begin(), rs.end(),
                                 [](const run_result& r) { return r.ok(); });
  auto cancelled = std::count_if(rs.begin(), rs.end(), [](const run_result& r) {
    return r.error == error_class::cancelled;
  });
  auto noun = request.broadcast ? "node" : "command";
  auto text = std::to_string(rs.size()) + " " + noun
              + (rs.size() == 1 ? "" : "s") + ": " + std::to_string(succeeded)
              + " succeeded, " + std::to_string(rs.size() - succeeded)
              + " failed";
  if (cancelled > 0)
    text += " (" + std::to_string(cancelled) + " cancelled)";
  if (!result.stopped_by.empty()) {
    auto by = std::find_if(rs.begin(), rs.end(), [&](const run_result& r) {
      return r.task_id == result.stopped_by;
    });
    auto index = static_cast<std::size_t>(by - rs.begin());
    text += "; stopped by the failure of "
            + (by == rs.end() ? result.stopped_by
               : request.broadcast
                 ? node_name(result, request, index)
                 : "[" + std::to_string(index + 1) + "]")
            + " (fail-fast)";
  }
  if (interrupted)
    text += "; interrupted";
  return text + "\n";
}

std::string progress_line(const batch_progress& progress,
                          const batch_request& request) {
  auto line = std::to_string(progress.done) + "/"
              + std::to_string(progress.total) + " "
              + (progress.node.empty() ? "-" : progress.node) + " "
              + (progress.ok ? "ok" : "failed");
  if (!request.broadcast)
    line += " [" + std::to_string(progress.index + 1) + "] "
            + command_label(request, progress.index);
  return line + "\n";
}

} // namespace cluster
