#include "actors/ssh_executor.hpp"

#include "actors/output_capture.hpp"
#include "actors/run_outcome.hpp"
#include "transport/log.hpp"
#include "transport/ssh_reactor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <unordered_map>
#include <vector>

namespace cluster {

namespace {

struct remote_task {
  run_request req;
  caf::typed_response_promise<run_result> promise;
  transport::ssh_reactor::run_id run = 0;  // 0: still waiting for an address
  std::string address;                     // where it was sent
  bool probe = false;                      // a health probe: takes no slot
};

struct ssh_executor_state {
  static inline const char* name = "ssh_executor";
  node_config node;
  settings cfg;
  resolver_actor resolver;
  std::shared_ptr<transport::ssh_reactor> ssh;
  std::string address;   // empty: not resolved (or forgotten after a failure)
  bool resolving = false;
  bool warm = false;     // connect as soon as the address is known
  std::unordered_map<std::string, remote_task> tasks;
  std::size_t probes = 0;  // entries of `tasks` that are probes
  std::vector<std::string> waiting;  // tasks waiting for an address, in order
};

using ssh_pointer = executor_actor::stateful_pointer<ssh_executor_state>;

error_class failure_class(transport::ssh_failure f) {
  switch (f) {
    case transport::ssh_failure::none: return error_class::none;
    case transport::ssh_failure::connection: return error_class::connection;
    case transport::ssh_failure::auth: return error_class::auth;
    case transport::ssh_failure::host_key: return error_class::host_key;
  }
  return error_class::connection;
}

transport::ssh_endpoint endpoint_of(const ssh_executor_state& st) {
  transport::ssh_endpoint ep;
  ep.node = st.node.info.id;
  ep.host_key_name = st.node.ssh.hostname;
  ep.address = st.address;
  ep.port = st.node.ssh.port;
  ep.user = st.node.ssh.user;
  ep.identity_files = st.node.ssh.identity_files;
  ep.known_hosts_file = st.cfg.known_hosts;
  ep.policy = st.cfg.host_key_policy == host_key_checking::strict
                ? transport::host_key_policy::strict
                : transport::host_key_policy::accept_new;
  ep.connect_timeout = st.cfg.ssh_connect_timeout;
  ep.ssh_timeout = st.cfg.ssh_timeout;
  ep.retries = st.cfg.ssh_retries;
  return ep;
}

void launch(ssh_pointer self, remote_task& task) {
  auto& st = self->state;
  transport::remote_spec spec;
  spec.command = task.req.command;
  spec.cwd = task.req.cwd;
  spec.timeout = effective_timeout(task.req, st.cfg);
  spec.kill_grace = st.cfg.kill_grace;
  auto capture = std::make_shared<output_capture>(
    effective_output_limit(task.req, st.cfg), task.req.spool);
  // The completion runs on the SSH I/O thread and may outlive this actor.
  auto addr = self->address();
  auto on_done = [addr, req = task.req, node_id = st.node.info.id, capture,
                  timeout = spec.timeout](const transport::remote_outcome& o) {
    run_ending ending{o.end,    failure_class(o.failure), o.exit_code,
                      o.signal, o.error,                  o.duration,
                      o.started};
    auto result = make_run_result(req, node_id, ending, *capture, timeout);
    if (auto hdl = caf::actor_cast<executor_actor>(addr))
      caf::anon_send(hdl, atom::ended_v, std::move(result));
  };
  task.address = st.address;
  task.run = st.ssh->start(endpoint_of(st), std::move(spec), capture,
                           std::move(on_done));
}

// Removes a finished task and hands back its promise.
caf::typed_response_promise<run_result>
take_task(ssh_executor_state& st,
          std::unordered_map<std::string, remote_task>::iterator i) {
  auto promise = std::move(i->second.promise);
  st.probes -= i->second.probe ? 1 : 0;
  st.tasks.erase(i);
  return promise;
}

void fail_waiting(ssh_pointer self, const std::string& why) {
  auto& st = self->state;
  for (auto& id : st.waiting) {
    auto i = st.tasks.find(id);
    if (i == st.tasks.end())
      continue;
    auto r = make_failed_result(i->second.req, error_class::connection, why,
                                true);
    r.node = st.node.info.id;
    take_task(st, i).deliver(std::move(r));
  }
  st.waiting.clear();
}

void launch_waiting(ssh_pointer self) {
  auto& st = self->state;
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  for (auto& id : waiting)
    if (auto i = st.tasks.find(id); i != st.tasks.end())
      launch(self, i->second);
}

// Resolution goes through the resolver actor (which never blocks); commands
// that arrive meanwhile wait here, bounded by the node's slots.
void resolve(ssh_pointer self) {
  auto& st = self->state;
  if (st.resolving)
    return;
  st.resolving = true;
  auto deadline = st.cfg.ssh_timeout + std::chrono::seconds{30};
  self
    ->request(st.resolver, deadline, atom::resolve_v, st.node.ssh.hostname,
              st.node.ssh.fallback_ip)
    .then(
      [self](resolved_address& a) {
        auto& st = self->state;
        st.resolving = false;
        if (a.address.empty()) {
          fail_waiting(self, a.error);
          return;
        }
        transport::log(log_level::info, "node ", st.node.info.id, ": ",
                       a.host, " -> ", a.address, " (", a.method, ")");
        st.address = a.address;
        if (st.warm) {
          // Only the first connection is opened ahead; a dropped one is
          // reopened by the next command.
          st.warm = false;
          st.ssh->warm_up(endpoint_of(st), [node = st.node.info.id](
                                             transport::ssh_failure f,
                                             const std::string& error) {
            if (f != transport::ssh_failure::none)
              transport::log(log_level::warning, "node ", node,
                             ": could not connect ahead of use: ", error);
          });
        }
        launch_waiting(self);
      },
      [self](caf::error& err) {
        self->state.resolving = false;
        fail_waiting(self, "the resolver did not answer: " + to_string(err));
      });
}

caf::result<run_result> start(ssh_pointer self, run_request& req, bool probe) {
  auto& st = self->state;
  if (auto no = refusal(req, st.tasks.count(req.task_id) != 0,
                        probe ? 0 : st.tasks.size() - st.probes,
                        st.node.info))
    return *no;
  auto id = req.task_id;
  auto& task = st.tasks[id];
  task.req = std::move(req);
  task.probe = probe;
  st.probes += probe ? 1 : 0;
  task.promise = self->make_response_promise<run_result>();
  auto promise = task.promise;
  if (st.address.empty()) {
    st.waiting.push_back(id);
    resolve(self);
  } else {
    launch(self, task);
  }
  return promise;
}

executor_actor::behavior_type
ssh_executor(ssh_pointer self, node_config node, resolver_actor resolver,
             std::shared_ptr<transport::ssh_reactor> ssh, settings cfg,
             bool warm) {
  auto& st = self->state;
  st.warm = warm;
  st.node = std::move(node);
  st.resolver = std::move(resolver);
  st.ssh = std::move(ssh);
  st.cfg = std::move(cfg);
  self->attach_functor([ssh = st.ssh, self] {
    // Nothing may outlive the executor: kill what still runs remotely.
    for (auto& [id, task] : self->state.tasks)
      if (task.run != 0)
        ssh->cancel(task.run);
  });
  if (st.warm)
    resolve(self);
  return {
    [=](atom::run, run_request& req) -> caf::result<run_result> {
      return start(self, req, false);
    },
    [=](atom::probe, run_request& req) -> caf::result<run_result> {
      return start(self, req, true);
    },
    [=](atom::cancel, const std::string& task_id) {
      auto& st = self->state;
      auto i = st.tasks.find(task_id);
      if (i == st.tasks.end())
        return;
      if (i->second.run != 0) {
        st.ssh->cancel(i->second.run);
        return;
      }
      // Not sent yet: it never started, so nothing remote needs killing.
      st.waiting.erase(std::remove(st.waiting.begin(), st.waiting.end(),
                                   task_id),
                       st.waiting.end());
      auto r = make_failed_result(i->second.req, error_class::cancelled,
                                  "cancelled before it started");
      r.node = st.node.info.id;
      take_task(st, i).deliver(std::move(r));
    },
    [=](atom::ended, run_result& result) {
      auto& st = self->state;
      auto i = st.tasks.find(result.task_id);
      if (i == st.tasks.end())
        return;
      if (result.error == error_class::connection
          && i->second.address == st.address && !st.address.empty()) {
        // The address may have moved (DHCP, another network): ask afresh.
        self->send(st.resolver, atom::forget_v, st.node.ssh.hostname,
                   st.address);
        st.address.clear();
      }
      take_task(st, i).deliver(std::move(result));
    },
  };
}

} // namespace

executor_actor spawn_ssh_executor(caf::actor_system& sys, node_config node,
                                  resolver_actor resolver,
                                  std::shared_ptr<transport::ssh_reactor> ssh,
                                  settings cfg, bool warm) {
  return sys.spawn(ssh_executor, std::move(node), std::move(resolver),
                   std::move(ssh), std::move(cfg), warm);
}

} // namespace cluster
