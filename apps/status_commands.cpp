#include "apps/status_commands.hpp"

#include "actors/health_monitor.hpp"
#include "actors/mcp/tool_results.hpp"
#include "apps/exit_codes.hpp"
#include "apps/task_text.hpp"
#include "apps/text_table.hpp"
#include "transport/wall_clock.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <csignal>
#include <ctime>
#include <iostream>
#include <optional>

#include <unistd.h>

namespace cluster {

namespace {

struct status_view {
  cluster_snapshot snap;
  slot_ledger ledger;
};

// One fresh look at every node; nullopt (the reason on stderr) when the
// runtime did not answer.
std::optional<status_view> sample(caf::actor_system& sys, runtime& rt) {
  caf::scoped_actor self{sys};
  status_view view;
  bool ok = true;
  auto on_error = [&](caf::error& err) {
    std::cerr << "cluster-router: no status: " << caf::to_string(err) << '\n';
    ok = false;
  };
  // A one-shot process has no history, and a watch wants the present:
  // sample every node now.
  self->request(rt.health, snapshot_deadline(rt.cfg), atom::get_v,
                atom::snapshot_v, true)
    .receive([&](cluster_snapshot& s) { view.snap = std::move(s); }, on_error);
  if (ok)
    self->request(rt.router, rt.cfg.status_timeout, atom::get_v, atom::ledger_v)
      .receive([&](slot_ledger& l) { view.ledger = std::move(l); }, on_error);
  if (!ok)
    return std::nullopt;
  return view;
}

void print(const status_view& v, const runtime& rt, const router_invocation& inv,
           bool redraw) {
  auto limits = mcp::session_options_from(rt.cfg);
  auto now = transport::unix_now_ms();
  if (inv.json) {
    // One object per line: a watch is a stream scripts read line by line.
    mcp::json_writer json;
    mcp::write_status_object(json, v.snap, v.ledger, limits, now);
    std::cout << json.str() << '\n';
  } else {
    if (redraw)
      std::cout << "\033[H\033[2J";
    if (inv.watch)
      std::cout << "every " << human_duration(inv.interval_ms) << ", "
                << local_time(now) << "\n\n";
    std::cout << mcp::status_table(v.snap, v.ledger, limits);
    if (inv.watch && !redraw)
      std::cout << '\n';
  }
  std::cout.flush();
}

// Sleeps one interval; true when SIGINT or SIGTERM came instead (blocked
// in every thread, so only this wait takes them).
bool interrupted_within(std::uint32_t ms) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  timespec wait{static_cast<time_t>(ms / 1000),
                static_cast<long>(ms % 1000) * 1'000'000};
  return sigtimedwait(&set, nullptr, &wait) > 0;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (auto& item : items)
    out += (out.empty() ? "" : ",") + item;
  return out.empty() ? "-" : out;
}

void write_strings(mcp::json_writer& json, const char* name,
                   const std::vector<std::string>& items) {
  json.key(name).begin_array();
  for (auto& item : items)
    json.string(item);
  json.end_array();
}

} // namespace

int cluster_status(caf::actor_system& sys, runtime& rt,
                   const router_invocation& inv) {
  // Clearing the screen is for people; a log of a watch keeps every round.
  bool redraw = inv.watch && !inv.json && ::isatty(STDOUT_FILENO) == 1;
  for (;;) {
    auto view = sample(sys, rt);
    if (!view && !inv.watch)
      return exit_code::cluster_error;
    if (view)
      print(*view, rt, inv, redraw);
    if (!inv.watch || interrupted_within(inv.interval_ms))
      return 0;
  }
}

int show_nodes(const cluster_config& conf, const router_invocation& inv) {
  if (inv.json) {
    mcp::json_writer json;
    json.begin_object().key("nodes").begin_array();
    for (auto& n : conf.nodes) {
      json.begin_object();
      json.key("id").string(n.info.id);
      write_strings(json, "aliases", n.info.aliases);
      json.key("local").boolean(n.info.local);
      // SSH fields mean nothing for the machine we run on.
      auto remote = [&](const char* name, const std::string& value) {
        json.key(name);
        if (n.info.local || value.empty())
          json.null();
        else
          json.string(value);
      };
      remote("host", n.ssh.host);
      remote("hostname", n.ssh.hostname);
      remote("fallback_ip", n.ssh.fallback_ip);
      json.key("port");
      if (n.info.local)
        json.null();
      else
        json.integer(n.ssh.port);
      remote("user", n.ssh.user);
      json.key("os").string(n.info.os);
      json.key("arch").string(n.info.arch);
      json.key("slots").unsigned_integer(n.info.slots);
      write_strings(json, "capabilities", n.info.capabilities);
      write_strings(json, "specialties", n.info.specialties);
      json.end_object();
    }
    json.end_array().end_object();
    std::cout << json.str() << '\n';
    return 0;
  }
  text_table table{{"NODE", "WHERE", "PLATFORM", "SLOTS", "CAPABILITIES",
                    "SPECIALTIES", "ALIASES"}};
  for (auto& n : conf.nodes) {
    auto where = n.info.local
                   ? std::string{"local"}
                   : n.ssh.user + "@" + n.ssh.host
                       + (n.ssh.port == 22 ? "" : ":" + std::to_string(n.ssh.port));
    table.add({{n.info.id},
               {where, n.info.local ? colour::green : colour::none},
               {n.info.os + "/" + n.info.arch},
               {std::to_string(n.info.slots)},
               {joined(n.info.capabilities)},
               {joined(n.info.specialties)},
               {joined(n.info.aliases)}});
  }
  std::cout << table.render(terminal_width(STDOUT_FILENO),
                            colour_on(STDOUT_FILENO));
  return 0;
}

} // namespace cluster
