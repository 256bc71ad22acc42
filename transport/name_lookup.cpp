#include "transport/name_lookup.hpp"

#include "transport/mdns_query.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

#include <netdb.h>
#include "transport/wakeup_fd.hpp"
#include <sys/socket.h>
#include <unistd.h>

namespace cluster::transport {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

enum class job_kind { mdns, dns };

struct job;
using job_ptr = std::shared_ptr<job>;

// One lookup, shared by whichever threads may end it. Everything but the
// constant fields is guarded by core::mutex.
struct job {
  std::string host;
  job_kind kind = job_kind::dns;
  steady::time_point started;
  steady::time_point deadline;
  name_lookup::completion on_done;
  std::vector<std::string> addresses;
  bool done = false;
  bool running = false;  // getaddrinfo or the mDNS query has begun
  bool in_timer = false;
  std::multimap<steady::time_point, job_ptr>::iterator timer_entry;
};

// Lets the destructor tell that it runs inside one of its own completions.
thread_local const void* completing_for = nullptr;

long long ms_between(steady::time_point a, steady::time_point b) {
  return std::chrono::duration_cast<milliseconds>(b - a).count();
}

void add_unique(std::vector<std::string>& to, std::string address) {
  if (std::find(to.begin(), to.end(), address) == to.end())
    to.push_back(std::move(address));
}

bool ends_with_label(std::string host, const char* label) {
  if (!host.empty() && host.back() == '.')
    host.pop_back();
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  std::string suffix = std::string{"."} + label;
  return host.size() > suffix.size()
         && host.compare(host.size() - suffix.size(), suffix.size(), suffix)
              == 0;
}

// Blocking: runs on a DNS worker only.
std::string system_lookup(const std::string& host,
                          std::vector<std::string>& found) {
  // RFC 6761 6.4: `.invalid` never resolves and should not be asked about.
  if (ends_with_label(host, "invalid"))
    return "dns: names under .invalid never resolve (RFC 6761)";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM; // one entry per address, not per protocol
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    auto why = rc == EAI_SYSTEM ? std::string{std::strerror(errno)}
                                : std::string{::gai_strerror(rc)};
    return "dns: getaddrinfo: " + why;
  }
  for (auto* p = list; p != nullptr; p = p->ai_next) {
    char text[NI_MAXHOST];
    if (::getnameinfo(p->ai_addr, p->ai_addrlen, text, sizeof text, nullptr,
                      0, NI_NUMERICHOST)
        == 0)
      add_unique(found, text);
  }
  ::freeaddrinfo(list);
  return found.empty() ? "dns: getaddrinfo gave no addresses" : "";
}

} // namespace

struct name_lookup_core {
  name_lookup_options options;
  std::mutex mutex;
  std::condition_variable dns_ready;
  std::condition_variable timer_wake;
  std::condition_variable callbacks_idle;
  bool stopping = false;
  int callbacks_running = 0;
  std::deque<job_ptr> dns_queue;
  std::deque<job_ptr> mdns_queue;
  std::multimap<steady::time_point, job_ptr> deadlines;
  std::vector<char> busy;  // per thread: inside a call we cannot interrupt
  wakeup_fd mdns_wakeup;  // wakes the mDNS thread's poll()
  std::atomic<std::uint64_t> started{0};

  void wake_mdns() {
    mdns_wakeup.notify();
  }

  bool is_done(const job_ptr& j) {
    std::lock_guard<std::mutex> guard{mutex};
    return j->done || stopping;
  }

  // First caller wins; later ones (a late getaddrinfo, the timer after an
  // answer) are no-ops. `error` is used only when no address was found.
  void finish(const job_ptr& j, std::string error) {
    lookup_result result;
    name_lookup::completion on_done;
    {
      std::lock_guard<std::mutex> guard{mutex};
      if (j->done || stopping)
        return;
      j->done = true;
      if (j->in_timer) {
        deadlines.erase(j->timer_entry);
        j->in_timer = false;
      }
      result.host = j->host;
      result.addresses = j->addresses;
      result.method = j->kind == job_kind::mdns ? "mdns" : "dns";
      if (result.addresses.empty())
        result.error = std::move(error);
      on_done = std::move(j->on_done);
      ++callbacks_running;
    }
    completing_for = this;
    try {
      on_done(std::move(result));
    } catch (...) {
      // A throwing completion must not take the lookup thread down with it.
    }
    on_done = nullptr;
    completing_for = nullptr;
    {
      std::lock_guard<std::mutex> guard{mutex};
      --callbacks_running;
    }
    callbacks_idle.notify_all();
  }

  std::string timeout_text(const job& j) {
    auto waited = std::to_string(ms_between(j.started, j.deadline)) + " ms";
    if (j.kind == job_kind::mdns)
      return "mdns: no answer within " + waited;
    return "dns: no answer within " + waited
           + (j.running ? " (getaddrinfo still running)"
                        : " (waiting for a free lookup thread)");
  }
};

namespace {

using core = name_lookup_core;

// Ends every job whose deadline passed; never blocks on anything else, so
// deadlines hold even while the other threads are stuck.
void run_timer(std::shared_ptr<core> c) {
  std::unique_lock<std::mutex> lock{c->mutex};
  while (!c->stopping) {
    if (c->deadlines.empty()) {
      c->timer_wake.wait(lock);
      continue;
    }
    auto first = c->deadlines.begin();
    // A copy: the entry may be erased while we wait.
    auto due = first->first;
    if (steady::now() < due) {
      c->timer_wake.wait_until(lock, due);
      continue;
    }
    auto j = first->second;
    auto text = c->timeout_text(*j);
    lock.unlock();
    c->finish(j, std::move(text));
    lock.lock();
  }
}

void run_dns_worker(std::shared_ptr<core> c, std::size_t index) {
  for (;;) {
    job_ptr j;
    {
      std::unique_lock<std::mutex> lock{c->mutex};
      c->dns_ready.wait(lock,
                        [&] { return c->stopping || !c->dns_queue.empty(); });
      if (c->stopping)
        return;
      j = std::move(c->dns_queue.front());
      c->dns_queue.pop_front();
      if (j->done)
        continue; // its deadline passed while it queued
      j->running = true;
      c->busy[index] = 1;
    }
    std::vector<std::string> found;
    auto error = system_lookup(j->host, found);
    {
      std::lock_guard<std::mutex> guard{c->mutex};
      c->busy[index] = 0;
      if (c->stopping)
        return;
      j->addresses = std::move(found);
    }
    c->finish(j, std::move(error));
  }
}

struct mdns_job {
  mdns_job(job_ptr job, core& c)
    : j{std::move(job)},
      query{j->deadline, c.options.mdns_settle, c.mutex, j->addresses} {}
  job_ptr j;
  mdns_query query;
};

// Creating a ref is a D-Bus round trip (25 s with a frozen daemon): the
// thread counts as busy meanwhile, so the destructor will not wait for it.
void start_mdns(core& c, std::size_t index, const job_ptr& j,
                mdns_daemon_memory& daemon, std::list<mdns_job>& active) {
  if (auto reason = daemon.believed_absent()) {
    c.finish(j, std::move(*reason));
    return;
  }
  {
    std::lock_guard<std::mutex> guard{c.mutex};
    if (c.stopping || j->done)
      return;
    j->running = true;
    c.busy[index] = 1;
  }
  auto& m = active.emplace_back(j, c);
  auto before = steady::now();
  int error = m.query.open(j->host);
  bool stopping;
  {
    std::lock_guard<std::mutex> guard{c.mutex};
    c.busy[index] = 0;
    stopping = c.stopping;
  }
  if (error == 0 && !stopping)
    return;
  active.pop_back();
  if (!stopping)
    c.finish(j, daemon.open_failed(error, before));
}

void run_mdns(std::shared_ptr<core> c, std::size_t index) {
  mdns_daemon_memory daemon{c->options.mdns_retry};
  std::list<mdns_job> active;
  std::deque<job_ptr> waiting;
  for (;;) {
    c->mdns_wakeup.clear();
    {
      std::lock_guard<std::mutex> guard{c->mutex};
      if (c->stopping)
        break;
      for (auto& j : c->mdns_queue)
        waiting.push_back(std::move(j));
      c->mdns_queue.clear();
    }
    auto now = steady::now();
    for (auto i = active.begin(); i != active.end();) {
      if (!c->is_done(i->j) && !i->query.over(now)) {
        ++i;
        continue;
      }
      i->query.close();
      c->finish(i->j, i->query.error(i->j->started, now));
      i = active.erase(i);
    }
    while (!waiting.empty() && active.size() < c->options.mdns_lookups) {
      auto j = std::move(waiting.front());
      waiting.pop_front();
      if (!c->is_done(j))
        start_mdns(*c, index, j, daemon, active);
    }
    // Queued lookups are ended by the timer; wake for the active ones.
    std::vector<mdns_query*> queries;
    for (auto& m : active)
      queries.push_back(&m.query);
    mdns_query::wait_for_answers(c->mdns_wakeup.fd(), queries);
  }
  for (auto& m : active)
    m.query.close();
}

} // namespace

name_lookup::name_lookup(name_lookup_options options)
  : core_{std::make_shared<name_lookup_core>()} {
  // In case static init (mdns_query.cpp) ran before something cleared it.
  ::setenv("AVAHI_COMPAT_NOWARN", "1", 0);
  options.dns_threads = std::max<std::size_t>(1, options.dns_threads);
  options.mdns_lookups = std::max<std::size_t>(1, options.mdns_lookups);
  core_->options = options;
  core_->busy.assign(options.dns_threads + 2, 0);
  threads_.emplace_back(run_timer, core_);
  threads_.emplace_back(run_mdns, core_, std::size_t{1});
  for (std::size_t i = 0; i < options.dns_threads; ++i)
    threads_.emplace_back(run_dns_worker, core_, i + 2);
}

name_lookup::~name_lookup() {
  std::vector<char> busy;
  {
    std::unique_lock<std::mutex> lock{core_->mutex};
    core_->stopping = true;
    // Dropped uncalled: their owner is going away with us.
    core_->dns_queue.clear();
    core_->mdns_queue.clear();
    core_->deadlines.clear();
    int self = completing_for == core_.get() ? 1 : 0;
    core_->callbacks_idle.wait(
      lock, [&] { return core_->callbacks_running <= self; });
    busy = core_->busy;
  }
  core_->dns_ready.notify_all();
  core_->timer_wake.notify_all();
  core_->wake_mdns();
  // A thread blocked in getaddrinfo or an Avahi call cannot be interrupted:
  // detach it (it holds the core and exits when the call returns). The
  // others see `stopping` within microseconds and are joined.
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    auto& t = threads_[i];
    if (busy[i] != 0 || t.get_id() == std::this_thread::get_id())
      t.detach();
    else
      t.join();
  }
}

void name_lookup::lookup(std::string host, steady::time_point deadline,
                         completion on_done) {
  auto j = std::make_shared<job>();
  j->host = std::move(host);
  j->kind = is_mdns_name(j->host) ? job_kind::mdns : job_kind::dns;
  j->started = steady::now();
  j->deadline = deadline;
  if (j->kind == job_kind::mdns)
    j->deadline = std::min(deadline, j->started + core_->options.mdns_wait);
  j->on_done = std::move(on_done);
  ++core_->started;
  {
    std::lock_guard<std::mutex> guard{core_->mutex};
    j->timer_entry = core_->deadlines.emplace(j->deadline, j);
    j->in_timer = true;
    if (j->kind == job_kind::mdns)
      core_->mdns_queue.push_back(j);
    else
      core_->dns_queue.push_back(j);
  }
  core_->timer_wake.notify_one();
  if (j->kind == job_kind::mdns)
    core_->wake_mdns();
  else
    core_->dns_ready.notify_one();
}

std::uint64_t name_lookup::lookups_started() const {
  return core_->started.load();
}

bool name_lookup::is_mdns_name(const std::string& host) {
  return ends_with_label(host, "local");
}

} // namespace cluster::transport
