// The sshd test nodes' private /proc: what a test writes for one node is what
// commands run over real SSH on that node read, and no other node or the host
// sees it.

#include "fixtures/sshd_nodes.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace {

// What one node's /proc says, read in one SSH round trip.
struct node_view {
  std::string loadavg;       // /proc/loadavg
  std::string mem_available; // the MemAvailable line of /proc/meminfo
  std::string cpu_line;      // the first line of /proc/stat
};

// Runs a shell command, returns its stdout; fails the test on a non-zero exit.
std::string shell(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  BOOST_REQUIRE_MESSAGE(p != nullptr, "popen failed: " << command);
  std::string out;
  char buf[4096];
  for (size_t got; (got = std::fread(buf, 1, sizeof buf, p)) > 0;)
    out.append(buf, got);
  int status = ::pclose(p);
  BOOST_REQUIRE_MESSAGE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                        "'" << command << "' failed (" << status << "): " << out);
  return out;
}

// Through the OpenSSH client, so the node's own sshd and shell do the reading.
node_view view(const sshd_nodes& nodes, int i) {
  auto out = shell("ssh -F " + nodes.ssh_config() + " node" + std::to_string(i)
                   + " 'cat /proc/loadavg; grep MemAvailable /proc/meminfo; head -n 1 /proc/stat'"
                     " 2>&1");
  std::istringstream lines{out};
  node_view v;
  std::getline(lines, v.loadavg);
  std::getline(lines, v.mem_available);
  std::getline(lines, v.cpu_line);
  return v;
}

std::string first_line_of(const std::string& path) {
  std::ifstream in{path};
  std::string line;
  std::getline(in, line);
  return line;
}

std::string mount_namespace(const std::string& pid) {
  char buf[128] = {};
  auto n = ::readlink(("/proc/" + pid + "/ns/mnt").c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string{};
}

// Whether this process's own mount table has anything mounted on `path`.
bool host_has_mount_on(const std::string& path) {
  std::ifstream in{"/proc/self/mountinfo"};
  for (std::string line; std::getline(in, line);) {
    std::istringstream f{line};
    std::string id, parent, dev, root, mount_point;
    f >> id >> parent >> dev >> root >> mount_point;
    if (mount_point == path)
      return true;
  }
  return false;
}

std::string script_path() {
  std::string here = __FILE__;
  return here.substr(0, here.rfind('/') + 1) + "fixtures/sshd_nodes.sh";
}

} // namespace

BOOST_AUTO_TEST_SUITE(sshd_fixture)

BOOST_AUTO_TEST_CASE(each_node_reads_its_own_proc_over_ssh) {
  sshd_nodes nodes{2};
  const std::string host_stat = first_line_of("/proc/stat");

  // Idle and constant by default, on both nodes.
  for (int i : {1, 2}) {
    auto v = view(nodes, i);
    BOOST_TEST(v.loadavg == "0.00 0.00 0.00 1/150 1000");
    BOOST_TEST(v.mem_available == "MemAvailable:   12288000 kB");
    BOOST_TEST(v.cpu_line.rfind("cpu ", 0) == 0);
    BOOST_TEST(view(nodes, i).cpu_line == v.cpu_line); // a copy: CPU 0 % between readings
  }

  nodes.set_loadavg(1, 7.5, 6.25, 5);
  nodes.set_memory_percent(1, 90);
  auto busy = view(nodes, 1);
  BOOST_TEST(busy.loadavg == "7.50 6.25 5.00 1/150 1000");
  BOOST_TEST(busy.mem_available == "MemAvailable:    1638400 kB");
  auto idle = view(nodes, 2);
  BOOST_TEST(idle.loadavg == "0.00 0.00 0.00 1/150 1000");
  BOOST_TEST(idle.mem_available == "MemAvailable:   12288000 kB");

  // Written in place: the running sshd's bind mount sees the next value too.
  nodes.set_loadavg(1, 0.25, 12, 3);
  nodes.write_proc(1, "stat", "cpu  10 0 10 80 0 0 0 0 0 0\nintr 0\n");
  busy = view(nodes, 1);
  BOOST_TEST(busy.loadavg == "0.25 12.00 3.00 1/150 1000");
  BOOST_TEST(busy.cpu_line == "cpu  10 0 10 80 0 0 0 0 0 0");

  // The listener runs in its own mount namespace, and its pid is still known.
  auto old_pid = std::to_string(nodes.listener_pid(1));
  BOOST_TEST(first_line_of("/proc/" + old_pid + "/comm") == "sshd");
  BOOST_TEST(mount_namespace(old_pid) != mount_namespace("self"));

  // A restarted node binds the same files again.
  nodes.stop_node(1);
  BOOST_CHECK_THROW(nodes.listener_pid(1), std::runtime_error);
  nodes.start_node(1);
  auto new_pid = std::to_string(nodes.listener_pid(1));
  BOOST_TEST(new_pid != old_pid);
  BOOST_TEST(first_line_of("/proc/" + new_pid + "/comm") == "sshd");
  BOOST_TEST(mount_namespace(new_pid) != mount_namespace("self"));
  busy = view(nodes, 1);
  BOOST_TEST(busy.loadavg == "0.25 12.00 3.00 1/150 1000");
  BOOST_TEST(busy.mem_available == "MemAvailable:    1638400 kB");
  BOOST_TEST(busy.cpu_line == "cpu  10 0 10 80 0 0 0 0 0 0");
  nodes.set_memory_percent(1, 50);
  BOOST_TEST(view(nodes, 1).mem_available == "MemAvailable:    8192000 kB");

  // The host's own /proc is untouched.
  for (const char* f : {"/proc/loadavg", "/proc/stat", "/proc/meminfo"})
    BOOST_CHECK_MESSAGE(!host_has_mount_on(f), f << " is mounted over on the host");
  BOOST_TEST(first_line_of("/proc/loadavg").find(" 1/150 1000") == std::string::npos);
  BOOST_TEST(first_line_of("/proc/stat").rfind("cpu  10 0 10 80 ", 0) != 0);
  BOOST_TEST(first_line_of("/proc/stat") != host_stat); // the real one moves on
}

BOOST_AUTO_TEST_CASE(the_script_sets_a_node_proc_file_from_stdin) {
  sshd_nodes nodes{2};
  shell("printf '3.25 2.00 1.00 2/151 1001\\n' | bash " + script_path() + " set-proc "
        + nodes.dir() + " 2 loadavg 2>&1");
  BOOST_TEST(view(nodes, 2).loadavg == "3.25 2.00 1.00 2/151 1001");
  BOOST_TEST(view(nodes, 1).loadavg == "0.00 0.00 0.00 1/150 1000");

  // Clear errors, and nothing written.
  auto bad = [&](const std::string& args) {
    return shell("echo x | bash " + script_path() + " set-proc " + nodes.dir() + " " + args
                 + " 2>&1; echo \" rc=$?\"");
  };
  auto out = bad("3 loadavg");
  BOOST_CHECK_MESSAGE(out.find("no node 3 in") != std::string::npos, out);
  BOOST_CHECK_MESSAGE(out.find(" rc=1") != std::string::npos, out);
  out = bad("0 loadavg");
  BOOST_CHECK_MESSAGE(out.find("no node 0 in") != std::string::npos, out);
  out = bad("1 cpuinfo");
  BOOST_CHECK_MESSAGE(out.find("no private /proc file 'cpuinfo'") != std::string::npos, out);
  BOOST_CHECK_MESSAGE(out.find(" rc=1") != std::string::npos, out);
  BOOST_TEST(view(nodes, 1).loadavg == "0.00 0.00 0.00 1/150 1000");
}

BOOST_AUTO_TEST_CASE(bad_node_or_name_throws) {
  sshd_nodes nodes{1};
  BOOST_CHECK_THROW(nodes.write_proc(0, "loadavg", "1 1 1 1/1 1\n"), std::runtime_error);
  BOOST_CHECK_THROW(nodes.write_proc(2, "loadavg", "1 1 1 1/1 1\n"), std::runtime_error);
  BOOST_CHECK_THROW(nodes.write_proc(1, "cpuinfo", "x\n"), std::runtime_error);
  BOOST_CHECK_THROW(nodes.write_proc(1, "../id_ed25519", "x\n"), std::runtime_error);
  BOOST_CHECK_THROW(nodes.set_loadavg(2, 1, 1, 1), std::runtime_error);
  BOOST_CHECK_THROW(nodes.set_loadavg(1, -1, 1, 1), std::runtime_error);
  BOOST_CHECK_THROW(nodes.set_memory_percent(0, 50), std::runtime_error);
  BOOST_CHECK_THROW(nodes.set_memory_percent(1, 101), std::runtime_error);
  BOOST_TEST(first_line_of(nodes.dir() + "/node1/proc/loadavg") == "0.00 0.00 0.00 1/150 1000");
}

BOOST_AUTO_TEST_SUITE_END()
