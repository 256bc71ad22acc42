// The command policy: what it refuses (each rule, in the spellings people
// and agents actually type, behind wrappers and inside other commands), what
// it lets through though it looks alike, and how the node file changes it.

#include "actors/command_policy.hpp"
#include "actors/shell_words.hpp"
#include "config/cluster_config.hpp"
#include "config/node_file.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace cluster;

namespace {

// The suite's name hides the type inside it.
using policy_config = cluster::command_policy;

struct refused_row {
  const char* command;
  const char* rule;
};

const std::vector<refused_row> refused = {
  // Every flag spelling.
  {"rm -rf /", "recursive-delete-root"},
  {"rm -fr /", "recursive-delete-root"},
  {"rm -r -f /", "recursive-delete-root"},
  {"rm -R /", "recursive-delete-root"},
  {"rm -vRf /", "recursive-delete-root"},
  {"rm --recursive --force /", "recursive-delete-root"},
  {"rm --rec -f /boot", "recursive-delete-root"},
  {"rm -rf --no-preserve-root /", "recursive-delete-root"},
  {"rm / -rf --no-preserve-root", "recursive-delete-root"},
  {"rm -rf -- /", "recursive-delete-root"},
  // Every spelling of the root and of a system directory.
  {"rm -rf /*", "recursive-delete-root"},
  {"rm -rf //", "recursive-delete-root"},
  {"rm -rf /.", "recursive-delete-root"},
  {"rm -rf '/'", "recursive-delete-root"},
  {"rm -rf /usr", "recursive-delete-root"},
  {"rm -rf /usr/", "recursive-delete-root"},
  {"rm -rf /usr/*", "recursive-delete-root"},
  {"rm -rf //etc/./", "recursive-delete-root"},
  {"rm -rf /tmp/../etc", "recursive-delete-root"},
  {"rm -rf /home", "recursive-delete-root"},
  {"rm -rf /tmp/x /var", "recursive-delete-root"},
  {"rm -rf /u*", "recursive-delete-root"},
  {"rm -rf /{tmp/x,usr}", "recursive-delete-root"},
  {"rm -rf /Users", "recursive-delete-root"},
  // The program however it is named, behind every wrapper.
  {"/bin/rm -rf /", "recursive-delete-root"},
  {"\\rm -rf /", "recursive-delete-root"},
  {"'rm' -rf /", "recursive-delete-root"},
  {"sudo rm -rf /", "recursive-delete-root"},
  {"sudo -u root -E rm -rf /", "recursive-delete-root"},
  {"env FOO=1 nice -n 10 timeout 5 rm -rf /", "recursive-delete-root"},
  {"nohup rm -rf / &", "recursive-delete-root"},
  {"find . | xargs rm -rf /", "recursive-delete-root"},
  {"bash -c 'rm -rf /'", "recursive-delete-root"},
  {"sh -c \"rm -rf /\"", "recursive-delete-root"},
  {"sudo bash -c 'cd /tmp && rm -rf /etc'", "recursive-delete-root"},
  {"eval 'rm -rf /'", "recursive-delete-root"},
  {"eval rm -rf /", "recursive-delete-root"},
  {"bash <<'EOF'\necho bye\nrm -rf /\nEOF", "recursive-delete-root"},
  {"sh <<< 'rm -rf /'", "recursive-delete-root"},
  // Anywhere in the line.
  {"cd / && rm -rf /", "recursive-delete-root"},
  {"make; rm -rf /", "recursive-delete-root"},
  {"echo hi | rm -rf /", "recursive-delete-root"},
  {"ls $(rm -rf /)", "recursive-delete-root"},
  {"echo `rm -rf /`", "recursive-delete-root"},
  {"true && (rm -rf /)", "recursive-delete-root"},
  {"if true; then rm -rf /; fi", "recursive-delete-root"},
  // Relative paths once a `cd` says where they are.
  {"cd / && rm -rf *", "recursive-delete-root"},
  {"cd /usr; rm -rf .", "recursive-delete-root"},
  {"cd /tmp && cd .. && rm -rf etc", "recursive-delete-root"},
  // The home directory.
  {"rm -rf ~", "recursive-delete-home"},
  {"rm -rf ~/", "recursive-delete-home"},
  {"rm -rf ~/*", "recursive-delete-home"},
  {"rm -rf $HOME", "recursive-delete-home"},
  {"rm -rf \"$HOME/\"", "recursive-delete-home"},
  {"rm -rf ${HOME}/*", "recursive-delete-home"},
  {"cd && rm -rf *", "recursive-delete-home"},
  // Formatting a disk.
  {"mkfs.ext4 /dev/sda1", "format-block-device"},
  {"mkfs -t ext4 /dev/nvme0n1p1", "format-block-device"},
  {"sudo mkfs.xfs -f /dev/vdb", "format-block-device"},
  {"/sbin/mke2fs /dev/disk/by-id/ata-disk", "format-block-device"},
  {"mkfs.ext4 //dev/./sda", "format-block-device"},
  {"wipefs -a /dev/sdb", "format-block-device"},
  {"shred -n 1 /dev/sda", "format-block-device"},
  {"mkswap /dev/xvdb", "format-block-device"},
  {"blkdiscard /dev/nvme0n1", "format-block-device"},
  {"newfs_hfs /dev/disk2", "format-block-device"},
  {"bash -c 'mkfs.ext4 /dev/mapper/vg-root'", "format-block-device"},
  // Writing onto a disk.
  {"dd if=/dev/zero of=/dev/sda", "write-block-device"},
  {"dd if=x.img of=/dev/nvme0n1 bs=4M status=progress", "write-block-device"},
  {"sudo dd of=/dev/disk2 if=x.img", "write-block-device"},
  {"cd /dev && dd if=/dev/zero of=sda", "write-block-device"},
  {"cat x.img > /dev/sda", "write-block-device"},
  {"echo x >> /dev/vda", "write-block-device"},
  {"cat x &> /dev/sdb", "write-block-device"},
  {"cat x >| /dev/sdb", "write-block-device"},
  {"cat x >& /dev/sdb", "write-block-device"},
  {"make 2>/dev/sda", "write-block-device"},
  {"> /dev/sda", "write-block-device"},
  {"echo 1 | sudo tee /dev/sda", "write-block-device"},
  {"cp x.iso /dev/sdb", "write-block-device"},
  // Fork bombs.
  {":(){ :|:& };:", "fork-bomb"},
  {":(){ :|: & };:", "fork-bomb"},
  {": () { : | : & } ; :", "fork-bomb"},
  {":(){ :|:&};:", "fork-bomb"},
  {"bomb() { bomb | bomb & }; bomb", "fork-bomb"},
  {"bomb() {\n  bomb | bomb &\n}\nbomb", "fork-bomb"},
  {"function f { f | f & }; f", "fork-bomb"},
  {"function f() { f|f& }; f", "fork-bomb"},
  {"f(){ f & f; }; f", "fork-bomb"},
  {"f() ( f | f & ); f", "fork-bomb"},
  {"bash -c ':(){ :|:& };:'", "fork-bomb"},
  {"eval ':(){ :|:& };:'", "fork-bomb"},
  // Recursive mode and owner changes of the system.
  {"chmod -R 777 /", "recursive-chmod-root"},
  {"chmod --recursive 777 /", "recursive-chmod-root"},
  {"chmod --rec 755 /", "recursive-chmod-root"},
  {"chmod -Rv 000 /*", "recursive-chmod-root"},
  {"chown -R user:user /", "recursive-chmod-root"},
  {"sudo chown -R nobody /usr/", "recursive-chmod-root"},
  {"chgrp -R staff /etc", "recursive-chmod-root"},
};

// Look-alikes: each shares words with a refused command but destroys nothing.
const std::vector<const char*> allowed = {
  "rm -rf /tmp/x",
  "rm -rf ./build",
  "rm -rf build",
  "rm -rf /opt/app/build",
  "rm -rf /usr/local/lib/x",
  "rm -rf /var/tmp/x",
  "rm -rf /tmp*",
  "rm -rf /etc/*.bak",
  "rm -f /etc/foo.conf",
  "rm /",
  "rm -- -rf /",
  "rm -rf ~/build",
  "rm -rf $HOME/.cache",
  "rm -rf \"$BUILD_DIR/\"",
  "rm -rf *",
  "cd /tmp && rm -rf *",
  "cd /usr/local/src && rm -rf *",
  "dd if=a of=b.img",
  "dd if=/dev/sda of=disk.img bs=4M",
  "cp /dev/sda backup.img",
  "cat /dev/sda1 | gzip > disk.gz",
  "echo rm -rf /",
  "echo 'rm -rf /' > notes.txt",
  "git commit -m 'rm -rf /'",
  "# rm -rf /",
  "grep -r mkfs .",
  "ls /dev/sd*",
  "mkfs.ext4 disk.img",
  "shred secret.txt",
  "echo x > /dev/null",
  "make >&2",
  "make 2>&1 | tee build.log",
  "chmod -R 755 ./dist",
  "chmod 755 /",
  "chmod -r /etc/x",
  "chown -R me /opt/app/project",
  "sudo -l rm -rf /",
  "printf ':(){ :|:& };:'",
  "cat <<'EOF'\nrm -rf /\nEOF",
  "bash build.sh <<'EOF'\nrm -rf /\nEOF",
  "fib() { echo $(( $(fib $(($1-1))) + $(fib $(($1-2))) )); }",
  "f() { echo hi; }; f | f &",
  "walk() { for d in \"$1\"/*; do walk \"$d\"; done; }",
};

policy_verdict check(const std::string& command, const command_policy& p = {},
                     const std::string& cwd = {}) {
  return check_command(command, p, cwd);
}

const std::string file = "/etc/cluster/nodes.json";

void check_rejected(const std::string& json,
                    const std::vector<std::string>& words) {
  BOOST_TEST_CONTEXT(json) {
    try {
      parse_node_file(json, file);
      BOOST_ERROR("accepted");
    } catch (const config_error& e) {
      std::string msg = e.what();
      BOOST_CHECK_MESSAGE(msg.find(file + ": ") == 0, msg);
      for (auto& w : words)
        BOOST_CHECK_MESSAGE(msg.find(w) != std::string::npos,
                            "missing '" << w << "' in: " << msg);
    }
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(command_policy)

BOOST_AUTO_TEST_CASE(refuses_each_rule_in_every_spelling) {
  for (auto& r : refused) {
    BOOST_TEST_CONTEXT("command: " << r.command) {
      auto v = check(r.command);
      BOOST_TEST(!v.allowed);
      BOOST_TEST(v.rule == r.rule);
      BOOST_TEST(!v.segment.empty());
      BOOST_TEST(v.message().find(r.rule) != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(lets_look_alikes_through) {
  for (auto* command : allowed) {
    BOOST_TEST_CONTEXT("command: " << command) {
      auto v = check(command);
      BOOST_TEST(v.allowed, v.rule << ": " << v.segment << " " << v.detail);
      BOOST_TEST(v.message().empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(names_the_offending_segment_as_written) {
  auto v = check("ls && sudo  rm -rf / ; echo done");
  BOOST_TEST(v.segment == "sudo  rm -rf /");
  BOOST_TEST(v.detail == "removes / recursively");
  BOOST_TEST(check("bash -c 'echo a; rm -rf /usr/'").segment == "rm -rf /usr/");
  BOOST_TEST(check("echo $(mkfs.ext4 /dev/sda) done").segment == "mkfs.ext4 /dev/sda");
  BOOST_TEST(check(":(){ :|:& };:").segment == ":(){ :|:& }");
  BOOST_TEST(check("cat x.img > /dev/sda").segment == "cat x.img > /dev/sda");
  auto m = check("rm -rf /").message();
  BOOST_TEST(m.find("recursive-delete-root") != std::string::npos, m);
  BOOST_TEST(m.find("\"rm -rf /\"") != std::string::npos, m);
  BOOST_TEST(m.find("policy") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(reads_relative_paths_against_the_working_directory) {
  BOOST_TEST(!check("rm -rf *", {}, "/").allowed);
  BOOST_TEST(!check("rm -rf .", {}, "/usr").allowed);
  BOOST_TEST(!check("rm -rf ..", {}, "/usr/local").allowed);
  BOOST_TEST(check("rm -rf *", {}, "/tmp/work").allowed);
  BOOST_TEST(check("rm -rf build", {}, "/").allowed);
  BOOST_TEST(!check("dd if=x of=sdb", {}, "/dev").allowed);
}

BOOST_AUTO_TEST_CASE(allow_entries_let_one_command_through) {
  policy_config p;
  p.allow = {"mkfs.ext4 /dev/vdb", ":(){ :|:& };:"};
  BOOST_TEST(check("mkfs.ext4 /dev/vdb", p).allowed);
  BOOST_TEST(check("sudo /sbin/mkfs.ext4 /dev/vdb -L scratch", p).allowed);
  BOOST_TEST(check("bash -c 'mkfs.ext4 /dev/vdb'", p).allowed);
  BOOST_TEST(check("mkfs.ext4 /dev/vda", p).rule == "format-block-device");
  BOOST_TEST(check("mkfs.xfs /dev/vdb", p).rule == "format-block-device");
  // An allowed command does not carry the rest of the line with it.
  BOOST_TEST(check("mkfs.ext4 /dev/vdb; rm -rf /", p).rule == "recursive-delete-root");
  BOOST_TEST(check("mkfs.ext4 /dev/vdb && dd if=x of=/dev/vda", p).rule
             == "write-block-device");
  // A whole command allowed exactly; not once anything is added to it.
  BOOST_TEST(check("  :(){ :|:& };:\n", p).allowed);
  BOOST_TEST(check(":(){ :|:& };: ; true", p).rule == "fork-bomb");
}

BOOST_AUTO_TEST_CASE(disabled_rules_refuse_nothing) {
  policy_config p;
  p.disabled = {"fork-bomb", "write-block-device"};
  BOOST_TEST(check(":(){ :|:& };:", p).allowed);
  BOOST_TEST(check("dd if=/dev/zero of=/dev/sda", p).allowed);
  BOOST_TEST(check("cat x > /dev/sda", p).allowed);
  BOOST_TEST(check("rm -rf /", p).rule == "recursive-delete-root");
  BOOST_TEST(check("mkfs.ext4 /dev/sda", p).rule == "format-block-device");
  p.disabled = {"recursive-delete-root"};
  BOOST_TEST(check("rm -rf /", p).allowed);
  BOOST_TEST(check("rm -rf ~", p).rule == "recursive-delete-home");
  BOOST_TEST(check("chmod -R 777 /", p).rule == "recursive-chmod-root");
}

BOOST_AUTO_TEST_CASE(deny_programs_refuse_wherever_they_run) {
  policy_config p;
  p.deny_programs = {"reboot", "shutdown"};
  for (auto* c : {"reboot", "sudo reboot", "/sbin/reboot now", "make && shutdown -h now",
                  "bash -c 'reboot'", "echo $(reboot)"}) {
    BOOST_TEST_CONTEXT(c) {
      auto v = check(c, p);
      BOOST_TEST(v.rule == "denied-program");
      BOOST_TEST(v.message().find("denied-program") != std::string::npos);
    }
  }
  BOOST_TEST(check("echo reboot", p).allowed);
  BOOST_TEST(check("command -v reboot", p).allowed);
  BOOST_TEST(check("reboot").allowed);
}

BOOST_AUTO_TEST_CASE(split_commands_keeps_redirections_spans_and_operators) {
  std::string line = "cat a 2>err >/dev/sda | tee -a log && x=1 >&- rm -rf / &";
  auto cmds = split_commands(line);
  BOOST_TEST_REQUIRE(cmds.size() == 3u);
  BOOST_TEST(cmds[0].terminator == "|");
  BOOST_TEST_REQUIRE(cmds[0].redirects.size() == 2u);
  BOOST_TEST(cmds[0].redirects[1].op == ">");
  BOOST_TEST(cmds[0].redirects[1].target == "/dev/sda");
  BOOST_TEST(line.substr(cmds[0].begin, cmds[0].end - cmds[0].begin)
             == "cat a 2>err >/dev/sda");
  BOOST_TEST(cmds[1].terminator == "&&");
  // `>&-` closes a descriptor and takes no word: rm stays the program.
  std::vector<std::string> third{"x=1", "rm", "-rf", "/"};
  BOOST_TEST(cmds[2].words == third, boost::test_tools::per_element());
  BOOST_TEST(cmds[2].terminator == "&");
  auto doc = split_commands("bash <<-EOF\n\techo hi\n\tEOF\nls");
  BOOST_TEST_REQUIRE(doc.size() == 2u);
  BOOST_TEST_REQUIRE(doc[0].redirects.size() == 1u);
  BOOST_TEST(doc[0].redirects[0].body == "echo hi\n");
  auto fn = split_commands("f () { f; }");
  BOOST_TEST_REQUIRE(!fn.empty());
  BOOST_TEST(fn[0].defines_function);
  BOOST_TEST(!split_commands("(ls)")[0].defines_function);
}

BOOST_AUTO_TEST_CASE(node_file_policy_is_read_strictly) {
  auto f = parse_node_file(R"({"policy": {"disable": ["fork-bomb"],
    "allow": ["mkfs.ext4 /dev/vdb"], "deny_programs": ["reboot"],
    "_comment": "scratch VMs only"}})", file);
  BOOST_TEST_REQUIRE(f.policy.has_value());
  BOOST_TEST(f.policy->disabled == std::vector<std::string>{"fork-bomb"});
  BOOST_TEST(f.policy->allow == std::vector<std::string>{"mkfs.ext4 /dev/vdb"});
  BOOST_TEST(f.policy->deny_programs == std::vector<std::string>{"reboot"});
  BOOST_TEST(!parse_node_file("{}", file).policy.has_value());

  check_rejected(R"({"policy": []})", {"policy", "got a list"});
  check_rejected(R"({"policy": {"deny": ["x"]}})", {"policy", "unknown key \"deny\""});
  check_rejected(R"({"policy": {"disable": "fork-bomb"}})",
                 {"policy.disable", "got the string \"fork-bomb\"", "rule names"});
  check_rejected(R"({"policy": {"disable": ["fork-bombs"]}})",
                 {"policy.disable[0]", "\"fork-bombs\"", "is not a rule",
                  "recursive-delete-root"});
  check_rejected(R"({"policy": {"allow": [" "]}})", {"policy.allow[0]", "is empty"});
  check_rejected(R"({"policy": {"allow": [1]}})", {"policy.allow[0]", "got the number 1"});
  check_rejected(R"({"policy": {"allow": ["a\u0001b"]}})",
                 {"policy.allow[0]", "control characters"});
  check_rejected(R"({"policy": {"deny_programs": ["/sbin/reboot"]}})",
                 {"policy.deny_programs[0]", "is not a program name"});
  check_rejected(R"({"policy": {"deny_programs": {}}})",
                 {"policy.deny_programs", "got an object"});
}

BOOST_AUTO_TEST_CASE(node_file_policy_reaches_the_settings) {
  char tmpl[] = "/tmp/command_policy_test.XXXXXX";
  std::string home = ::mkdtemp(tmpl);
  config_inputs in;
  in.home = home;
  in.config_flag = home + "/nodes.json";
  in.local_default.id = "thishost";
  in.local_default.os = "linux";
  in.local_default.arch = "x86_64";
  in.local_default.local = true;
  std::ofstream(in.config_flag)
    << R"({"policy": {"disable": ["fork-bomb"], "deny_programs": ["reboot"]}})";
  auto c = load_cluster_config(in);
  BOOST_TEST(c.cfg.policy.disabled == std::vector<std::string>{"fork-bomb"});
  BOOST_TEST(!c.cfg.policy.enabled("fork-bomb"));
  BOOST_TEST(c.cfg.policy.enabled("recursive-delete-root"));
  auto text = describe_config(c);
  BOOST_TEST(text.find("deny_programs  reboot") != std::string::npos, text);
  std::ofstream(in.config_flag) << R"({"nodes": []})";
  BOOST_TEST((load_cluster_config(in).cfg.policy == policy_config{}));
  std::string rm = "rm -rf '" + home + "'";
  BOOST_TEST(std::system(rm.c_str()) == 0);
}

BOOST_AUTO_TEST_CASE(hostile_input_neither_crashes_nor_hangs) {
  std::mt19937 rng(77);
  const std::string alphabet = "()`$'\"\\#;&|<>{}\n \t=-rmf/*~:";
  auto start = std::chrono::steady_clock::now();
  for (int n = 0; n < 3000; ++n) {
    std::string s(rng() % 200, '\0');
    for (auto& c : s)
      c = (rng() % 2) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    auto v = check(s);
    BOOST_TEST((v.allowed || !v.rule.empty()));
  }
  // Nesting deeper than the policy looks is let through, not a crash.
  std::string nested = "rm -rf /";
  for (int k = 0; k < 40; ++k)
    nested = "eval " + nested;
  check(nested);
  BOOST_TEST(!check("eval eval eval \"rm -rf /\"").allowed);
  std::string braces = "rm -rf /x";
  for (int k = 0; k < 40; ++k)
    braces += "{a,b}";
  BOOST_TEST(check(braces).allowed);
  BOOST_TEST(!check(std::string(100000, '(') + "rm -rf /").allowed);
  check(std::string(100000, '{') + ":(){ :|:& };:");
  std::string definitions;
  for (int k = 0; k < 30000; ++k)
    definitions += "f() ";
  BOOST_TEST(check(definitions).allowed);
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(std::chrono::duration_cast<std::chrono::seconds>(took).count() < 20);
}

BOOST_AUTO_TEST_SUITE_END()
