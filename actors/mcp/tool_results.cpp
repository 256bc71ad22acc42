#include "actors/mcp/tool_results.hpp"

#include "actors/batch_report.hpp"
#include "actors/output_groups.hpp"
#include "actors/placement.hpp"
#include "actors/utf8.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace cluster::mcp {

namespace {

// One line saying how the run ended, e.g. "exit 0 on node-a in 12 ms".
std::string outcome_line(const run_result& r) {
  std::string line;
  auto where = r.node.empty() ? std::string{} : " on " + r.node;
  if (r.ran()) {
    line = (r.exit_code ? "exit " + std::to_string(*r.exit_code) : "no exit status")
           + where + " in " + std::to_string(r.duration_ms) + " ms";
    if (r.signal != 0)
      line += " (signal " + std::to_string(r.signal) + ")";
  } else {
    line = std::string{to_string(r.error)} + " error" + where + " after "
           + std::to_string(r.duration_ms) + " ms";
    if (!r.error_message.empty())
      line += ": " + r.error_message;
    if (r.retriable)
      line += " (retriable)";
  }
  if (r.auto_routed && !r.reason.empty())
    line += " [routed: " + r.reason + "]";
  return line;
}

void append_stream(std::string& text, const char* name,
                   const captured_output& stream) {
  if (stream.text.empty() && !stream.truncated)
    return;
  text += "\n--- ";
  text += name;
  if (stream.truncated)
    text += " (truncated; " + std::to_string(stream.total_bytes)
            + " bytes written, head and tail kept)";
  text += " ---\n";
  text += stream.text;
}

std::string run_summary(const run_result& r) {
  auto text = outcome_line(r);
  append_stream(text, "stdout", r.out);
  append_stream(text, "stderr", r.err);
  if (r.ran() && r.out.text.empty() && r.err.text.empty())
    text += "\n(no output)";
  return text;
}

} // namespace

void write_run_object(json_writer& out, const run_result& r) {
  out.begin_object();
  out.key("success").boolean(r.ok());
  out.key("executed_on").string(r.node);
  out.key("stdout").string(r.out.text);
  out.key("stderr").string(r.err.text);
  // Only a process that ended on its own has a return code worth reading.
  out.key("return_code");
  if (r.ran())
    out.integer(*r.exit_code);
  else
    out.null();
  out.key("signal");
  if (r.signal != 0)
    out.integer(r.signal);
  else
    out.null();
  out.key("error").string(to_string(r.error));
  out.key("error_message").string(r.error_message);
  out.key("retriable").boolean(r.retriable);
  out.key("stdout_truncated").boolean(r.out.truncated);
  out.key("stderr_truncated").boolean(r.err.truncated);
  out.key("stdout_bytes").unsigned_integer(r.out.total_bytes);
  out.key("stderr_bytes").unsigned_integer(r.err.total_bytes);
  out.key("duration_ms").unsigned_integer(r.duration_ms);
  out.key("auto_routed").boolean(r.auto_routed);
  out.key("routing_reason").string(r.reason);
  out.key("retried_from").begin_array();
  for (auto& node : r.retried_from)
    out.string(node);
  out.end_array();
  out.key("task_id").string(r.task_id);
  out.end_object();
}

namespace {


slot_usage slots_of(const slot_ledger& ledger, const std::string& node) {
  auto i = std::find_if(ledger.nodes.begin(), ledger.nodes.end(),
                        [&](const slot_usage& u) { return u.node == node; });
  return i == ledger.nodes.end() ? slot_usage{} : *i;
}

// What follows a node's row: the probe's complaint and the platform
// mismatch, which explain a node that never gets work.
std::string row_notes(const node_sample& s) {
  std::string notes;
  auto add = [&](const std::string& note) {
    notes += (notes.empty() ? "" : "; ") + note;
  };
  if (!s.error.empty())
    add(s.error);
  if (s.failures > 1)
    add(std::to_string(s.failures) + " probes failed in a row");
  if (!s.mismatch.empty())
    add(s.mismatch);
  return notes.empty() ? notes : "  (" + notes + ")";
}

// healthy, busy (over a threshold), unreachable, or unknown (never sampled).
const char* node_status(const node_sample& s, const session_options& opts) {
  if (!s.sampled)
    return "unknown";
  if (!s.reachable)
    return "unreachable";
  return is_loaded(s, opts.limits) ? "busy" : "healthy";
}

} // namespace

std::string status_table(const cluster_snapshot& snapshot,
                         const slot_ledger& ledger,
                         const session_options& opts) {
  std::string text = "local node: " + snapshot.local_node + "; queued: "
                     + std::to_string(ledger.queued) + " of "
                     + std::to_string(ledger.queue_limit) + "\n";
  int width = 4;
  for (auto& s : snapshot.nodes)
    width = std::max(width, static_cast<int>(s.node.size()));
  char row[512];
  std::snprintf(row, sizeof row, "%-*s  %-11s  %5s  %5s  %6s  %7s  %s\n",
                width, "node", "status", "cpu%", "mem%", "load1", "slots",
                "platform");
  text += row;
  for (auto& s : snapshot.nodes) {
    auto used = slots_of(ledger, s.node);
    auto slots = std::to_string(used.busy) + "/" + std::to_string(used.slots);
    auto platform = s.os + "/" + s.arch;
    if (s.sampled && s.reachable)
      std::snprintf(row, sizeof row, "%-*s  %-11s  %5.1f  %5.1f  %6.2f  %7s  %s",
                    width, s.node.c_str(), node_status(s, opts), s.cpu_percent,
                    s.memory_percent, s.load_1m, slots.c_str(), platform.c_str());
    else
      std::snprintf(row, sizeof row, "%-*s  %-11s  %5s  %5s  %6s  %7s  %s", width,
                    s.node.c_str(), node_status(s, opts), "-", "-", "-",
                    slots.c_str(), platform.c_str());
    text += row;
    text += row_notes(s);
    text += "\n";
  }
  if (snapshot.nodes.empty())
    text += "(no nodes sampled yet)\n";
  return text;
}

void write_run_result(json_writer& out, const run_result& result) {
  write_text_content(out, run_summary(result));
  out.key("structuredContent");
  write_run_object(out, result);
  // A command that ran and failed is the command's failure, not the tool's.
  out.key("isError").boolean(!result.ran());
}

void write_batch_result(json_writer& out, const batch_result& result,
                        const batch_request& request, bool merge) {
  auto refused = result.error != error_class::none;
  if (refused)
    write_text_content(out, "parallel_execute refused ("
                              + std::string{to_string(result.error)}
                              + "): " + result.error_message);
  else
    write_text_content(out, batch_summary(result, request, false) + "\n"
                              + (request.broadcast
                                   ? broadcast_report(result, request, merge)
                                   : list_report(result, request)));
  out.key("structuredContent");
  write_batch_object(out, result, request);
  // Per-command failures are reported per item; only a batch refused whole
  // (nothing ran) is the call's own failure.
  out.key("isError").boolean(refused);
}

void write_batch_object(json_writer& out, const batch_result& result,
                        const batch_request& request) {
  auto total = result.results.size();
  auto succeeded = static_cast<std::size_t>(
    std::count_if(result.results.begin(), result.results.end(),
                  [](const run_result& r) { return r.ok(); }));
  out.begin_object();
  out.key("results").begin_array();
  for (auto& r : result.results)
    write_run_object(out, r);
  out.end_array();
  out.key("total").unsigned_integer(total);
  out.key("succeeded").unsigned_integer(succeeded);
  out.key("failed").unsigned_integer(total - succeeded);
  out.key("stopped_by");
  if (result.stopped_by.empty())
    out.null();
  else
    out.string(result.stopped_by);
  if (request.broadcast) {
    out.key("groups").begin_array();
    for (auto& g : group_identical(result.results)) {
      // Every member ended like the first: its outcome speaks for all.
      auto& r = result.results[g.members.front()];
      out.begin_object().key("nodes").begin_array();
      for (auto i : g.members)
        out.string(result.results[i].node);
      out.end_array();
      out.key("success").boolean(r.ok());
      out.key("return_code");
      if (r.ran())
        out.integer(*r.exit_code);
      else
        out.null();
      out.key("error").string(to_string(r.error));
      out.key("error_message").string(r.error_message);
      out.key("stdout").string(r.out.text);
      out.key("stderr").string(r.err.text);
      out.end_object();
    }
    out.end_array();
  }
  if (result.error != error_class::none) {
    out.key("error").string(to_string(result.error));
    out.key("error_message").string(result.error_message);
  }
  out.end_object();
}

void write_status_result(json_writer& out, const cluster_snapshot& snapshot,
                         const slot_ledger& ledger,
                         const session_options& opts, std::int64_t now_ms) {
  write_text_content(out, status_table(snapshot, ledger, opts));
  out.key("structuredContent");
  write_status_object(out, snapshot, ledger, opts, now_ms);
  out.key("isError").boolean(false);
}

void write_status_object(json_writer& out, const cluster_snapshot& snapshot,
                         const slot_ledger& ledger,
                         const session_options& opts, std::int64_t now_ms) {
  out.begin_object();
  out.key("local_node").string(snapshot.local_node);
  out.key("nodes").begin_object();
  for (auto& s : snapshot.nodes) {
    auto used = slots_of(ledger, s.node);
    out.key(s.node).begin_object();
    // Figures of a node never sampled would be made up: null instead.
    auto figure = [&](const char* name, double value, double scale) {
      out.key(name);
      if (s.sampled && s.reachable)
        out.number(rounded(value, scale));
      else
        out.null();
    };
    figure("cpu_percent", s.cpu_percent, 10);
    figure("memory_percent", s.memory_percent, 10);
    figure("load_1m", s.load_1m, 100);
    figure("load_5m", s.load_5m, 100);
    figure("load_15m", s.load_15m, 100);
    out.key("cpu_count");
    if (s.sampled && s.reachable)
      out.unsigned_integer(s.cpu_count);
    else
      out.null();
    out.key("os").string(s.os);
    out.key("arch").string(s.arch);
    out.key("status").string(node_status(s, opts));
    out.key("reachable");
    if (s.sampled)
      out.boolean(s.reachable);
    else
      out.null();
    out.key("error");
    if (s.error.empty())
      out.null();
    else
      out.string(s.error);
    out.key("consecutive_failures").unsigned_integer(s.failures);
    out.key("config_mismatch");
    if (s.mismatch.empty())
      out.null();
    else
      out.string(s.mismatch);
    out.key("capabilities").begin_array();
    for (auto& capability : s.capabilities)
      out.string(capability);
    out.end_array();
    out.key("slots").unsigned_integer(used.slots);
    out.key("busy_slots").unsigned_integer(used.busy);
    out.key("queued").unsigned_integer(used.queued);
    out.key("sampled_at");
    if (auto at = utc_timestamp(s.sampled_at_ms); at.empty())
      out.null();
    else
      out.string(at);
    // Computed here, not by the monitor, so the age is true when read; a
    // clock step backwards must not make it negative.
    out.key("sample_age_ms");
    if (s.sampled_at_ms > 0)
      out.integer(std::max<std::int64_t>(0, now_ms - s.sampled_at_ms));
    else
      out.null();
    out.end_object();
  }
  out.end_object();
  out.key("queued").unsigned_integer(ledger.queued);
  out.key("queue_limit").unsigned_integer(ledger.queue_limit);
  out.end_object();
}

void write_text_content(json_writer& out, std::string_view text) {
  out.key("content").begin_array();
  out.begin_object().key("type").string("text").key("text").string(text);
  out.end_object().end_array();
}

// Dividing by the power of ten (not multiplying by 0.1) gives the double
// nearest to the decimal, so it prints as e.g. 0.3, not 0.30000000000000004.
double rounded(double value, double scale) {
  return std::round(value * scale) / scale;
}

void write_error_result(json_writer& out, std::string_view message) {
  write_text_content(out, message);
  out.key("isError").boolean(true);
}

std::string utc_timestamp(std::int64_t unix_ms) {
  if (unix_ms <= 0)
    return {};
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", date, int(unix_ms % 1000));
  return out;
}

} // namespace cluster::mcp
