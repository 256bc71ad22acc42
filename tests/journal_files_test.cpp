// The task journal's files: directories it cannot use, files that are not a
// journal, the modes it creates, and several processes writing one journal
// at once.

#include "journal_test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace cluster;
using namespace cluster::test;
using transport::spool_prefix;

BOOST_AUTO_TEST_SUITE(task_journal)

BOOST_AUTO_TEST_CASE(an_uncreatable_state_directory_is_named) {
  temp_dir tmp;
  // A path under a regular file: mkdir fails even for root.
  write_file(tmp.path + "/file", "not a directory");
  auto dir = tmp.path + "/file/state";
  BOOST_TEST(throws_naming([&] { journal j{dir}; },
                           {"directory " + dir + ":", std::strerror(ENOTDIR)}));
  // The state directory itself a file.
  BOOST_TEST(throws_naming([&] { journal j{tmp.path + "/file"}; },
                           {tmp.path + "/file", std::strerror(ENOTDIR)}));
  BOOST_TEST(throws_naming([&] { journal j{""}; },
                           {"no state directory"}));
}

BOOST_AUTO_TEST_CASE(a_read_only_state_directory_is_named) {
  temp_dir tmp;
  { journal j{tmp.state()}; j.put(make_record("x", now)); }
  // Mode bits do not stop root: a read-only bind mount does, made in a
  // child's private mount namespace so nothing outlives the test.
  pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    auto dir = tmp.state();
    if (::unshare(CLONE_NEWNS) != 0
        || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0
        || ::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0
        || ::mount(nullptr, dir.c_str(), nullptr,
                   MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
      ::_exit(77);
    int rc = 1;  // no error at all
    try {
      journal j{dir};
    } catch (const journal_error& e) {
      std::string what = e.what();
      rc = what.find("directory " + dir + " ") != std::string::npos
               && what.find(std::strerror(EROFS)) != std::string::npos
             ? 0
             : 2;
      if (rc != 0)
        std::cerr << "unexpected: " << what << std::endl;
    }
    ::_exit(rc);
  }
  int status = 0;
  BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
  BOOST_REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    BOOST_WARN_MESSAGE(false, "no mount namespace here: read-only case not run");
    return;
  }
  BOOST_TEST(WEXITSTATUS(status) == 0);
}

BOOST_AUTO_TEST_CASE(directories_and_file_are_private) {
  temp_dir tmp;
  auto old_mask = ::umask(022);
  auto dir = tmp.path + "/deep/er/state";
  { journal j{dir}; j.put(make_record("x", now)); }
  ::umask(old_mask);
  auto mode = [](const std::string& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
  };
  BOOST_TEST(mode(tmp.path + "/deep") == 0700u);
  BOOST_TEST(mode(dir) == 0700u);
  BOOST_TEST(mode(dir + "/spool") == 0700u);
  BOOST_TEST(mode(dir + "/journal.sqlite3") == 0600u);
  BOOST_TEST(spool_prefix(dir, "x") == dir + "/spool/x");
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_journal_is_named) {
  temp_dir tmp;
  std::filesystem::create_directories(tmp.state());
  auto file = tmp.state() + "/journal.sqlite3";
  write_file(file, std::string(4096, '\x5a') + "garbage");
  BOOST_TEST(throws_naming([&] { journal j{tmp.state()}; },
                           {file, "move it away"}));
  // Left as it was: nothing of ours was written into it.
  BOOST_TEST(std::filesystem::file_size(file) == 4096u + 7u);

  // Another program's SQLite database, and a journal of another schema.
  auto make_db = [&](const char* sql) {
    std::filesystem::remove(file);
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  };
  make_db("CREATE TABLE photos (id INTEGER)");
  BOOST_TEST(throws_naming([&] { journal j{tmp.state()}; },
                           {file, "another program", "move it away"}));
  make_db("CREATE TABLE tasks (id TEXT); PRAGMA user_version = 99");
  BOOST_TEST(throws_naming([&] { journal j{tmp.state()}; },
                           {file, "schema version 99", "newer", "move it away"}));
  std::filesystem::remove(file);
  BOOST_CHECK_NO_THROW(journal j{tmp.state()});
}

BOOST_AUTO_TEST_CASE(processes_writing_at_once_lose_nothing) {
  temp_dir tmp;
  constexpr int writers = 4;
  constexpr int per_writer = 200;
  // The journal does not exist yet: the writers also race to create it.
  std::vector<pid_t> children;
  for (int w = 0; w < writers; ++w) {
    pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
      int rc = 0;
      try {
        journal j{tmp.state()};
        for (int i = 0; i < per_writer; ++i) {
          auto id = "w" + std::to_string(w) + "-" + std::to_string(i);
          j.put(make_record(id, now + i));
          if (i % 2 == 0) {
            j.started({id, "n", "r", now + i + 1});
            j.finished(make_result(id, error_class::none, 0), now + i + 2);
          }
        }
      } catch (const std::exception& e) {
        std::cerr << "writer " << w << ": " << e.what() << std::endl;
        rc = 1;
      }
      ::_exit(rc);  // no test framework teardown in the child
    }
    children.push_back(pid);
  }
  for (auto pid : children) {
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  }
  journal j{tmp.state()};
  task_query q;
  q.limit = 100000;
  BOOST_TEST(j.list(q).size() == std::size_t{writers * per_writer});
  q.state = "succeeded";
  BOOST_TEST(j.list(q).size() == std::size_t{writers * per_writer / 2});
  q.state = "queued";
  BOOST_TEST(j.list(q).size() == std::size_t{writers * per_writer / 2});
  for (int w = 0; w < writers; ++w) {
    auto last = j.find("w" + std::to_string(w) + "-198");
    BOOST_REQUIRE(last);
    BOOST_TEST(last->state == task_state::succeeded);
    BOOST_TEST(last->node == "n");
  }
}

BOOST_AUTO_TEST_SUITE_END()
