#include "actors/placement.hpp"

#include <boost/test/unit_test.hpp>

using namespace cluster;

namespace {

node_view make_node(std::string id, std::string os, std::string arch,
                    std::uint32_t slots, bool local = false) {
  node_view v;
  v.info.id = std::move(id);
  v.info.os = std::move(os);
  v.info.arch = std::move(arch);
  v.info.slots = slots;
  v.info.local = local;
  return v;
}

node_sample sample(double cpu, double load, std::uint32_t cpus = 4) {
  node_sample s;
  s.sampled = true;
  s.reachable = true;
  s.cpu_percent = cpu;
  s.load_1m = load;
  s.cpu_count = cpus;
  return s;
}

const command_profile heavy{command_weight::heavy, {"make"}, "heavy: make"};
const command_profile light{command_weight::light, {"ls"}, "light: ls"};
const load_limits limits{};

run_request request(std::string command = "true") {
  run_request r;
  r.command = std::move(command);
  return r;
}

struct three_nodes {
  std::vector<node_view> views{
    make_node("home", "linux", "x86_64", 4, true),
    make_node("studio", "darwin", "arm64", 8),
    make_node("builder", "linux", "x86_64", 16),
  };
  three_nodes() {
    views[1].info.aliases = {"mac"};
    views[2].info.capabilities = {"docker"};
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(placement)

BOOST_FIXTURE_TEST_CASE(requirements_filter_nodes, three_nodes) {
  auto req = request();
  req.needs.os = "darwin";
  auto e = eligible_nodes(req, views);
  BOOST_TEST(e.error.empty());
  BOOST_TEST(e.nodes == std::vector<std::size_t>{1});
  req.needs.os = "linux";
  req.needs.capabilities = {"docker"};
  e = eligible_nodes(req, views);
  BOOST_TEST(e.nodes == std::vector<std::size_t>{2});
}

BOOST_FIXTURE_TEST_CASE(unmet_requirements_name_what_is_missing,
                        three_nodes) {
  auto req = request();
  req.needs.os = "darwin";
  req.needs.arch = "x86_64";
  auto e = eligible_nodes(req, views);
  BOOST_TEST(e.nodes.empty());
  BOOST_TEST(e.error.find("no node offers os=darwin, arch=x86_64")
             != std::string::npos);
  BOOST_TEST(e.error.find("studio (darwin/arm64)") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(auto_route_off_still_checks_requirements,
                        three_nodes) {
  auto req = request();
  req.auto_route = false;
  auto e = eligible_nodes(req, views);
  BOOST_TEST(e.nodes == std::vector<std::size_t>{0});
  BOOST_TEST(!e.auto_routed);
  req.needs.os = "darwin";
  e = eligible_nodes(req, views);
  BOOST_TEST(e.nodes.empty());
  BOOST_TEST(e.error.find("local node home") != std::string::npos);
  BOOST_TEST(e.error.find("os=darwin") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(named_node_by_id_or_alias, three_nodes) {
  auto req = request();
  req.node = "mac";
  auto e = eligible_nodes(req, views);
  BOOST_TEST(e.nodes == std::vector<std::size_t>{1});
  req.node = "nowhere";
  e = eligible_nodes(req, views);
  BOOST_TEST(e.nodes.empty());
  BOOST_TEST(e.error.find("unknown node 'nowhere'") != std::string::npos);
  BOOST_TEST(e.error.find("mac") != std::string::npos);
  req.node = "studio";
  req.needs.os = "linux";
  e = eligible_nodes(req, views);
  BOOST_TEST(e.error.find("does not offer os=linux") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(unreachable_nodes_are_skipped, three_nodes) {
  auto req = request();
  req.needs.os = "darwin";
  node_sample down;
  down.sampled = true;
  down.reachable = false;
  views[1].sample = down;
  auto e = eligible_nodes(req, views);
  BOOST_TEST(e.nodes.empty());
  BOOST_TEST(e.error.find("unreachable") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(least_loaded_node_wins, three_nodes) {
  views[0].sample = sample(90, 3.5);
  views[1].sample = sample(10, 0.2);
  views[2].sample = sample(50, 1.0);
  auto e = eligible_nodes(request(), views);
  BOOST_TEST(e.nodes.size() == 3u);
  auto c = choose_node(e, views, heavy, limits);
  BOOST_REQUIRE(c);
  BOOST_TEST(c->node == 1u);
  BOOST_TEST(c->reason.find("studio") != std::string::npos);
  BOOST_TEST(c->reason.find("of 3 eligible") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(busy_slots_count_and_full_nodes_are_skipped,
                        three_nodes) {
  for (auto& v : views)
    v.sample = sample(10, 0.1);
  views[1].busy = 8;  // full
  views[0].busy = 3;  // 3/4 busy
  auto e = eligible_nodes(request(), views);
  auto c = choose_node(e, views, heavy, limits);
  BOOST_REQUIRE(c);
  BOOST_TEST(c->node == 2u);
  views[0].busy = 4;
  views[2].busy = 16;
  BOOST_TEST(!choose_node(e, views, heavy, limits));
}

BOOST_FIXTURE_TEST_CASE(ties_go_to_the_local_node, three_nodes) {
  // The local node last, so "first wins" would pick the wrong one.
  std::vector<node_view> two{views[2], views[0]};
  two[0].info.slots = two[1].info.slots = 4;
  auto e = eligible_nodes(request(), two);
  auto c = choose_node(e, two, heavy, limits);
  BOOST_REQUIRE(c);
  BOOST_TEST(two[c->node].info.id == "home");
}

BOOST_FIXTURE_TEST_CASE(light_commands_stay_home_unless_it_is_loaded,
                        three_nodes) {
  views[0].sample = sample(30, 1.0);  // home: busier than the others, not loaded
  views[1].sample = sample(5, 0.1);
  views[2].sample = sample(5, 0.1);
  auto e = eligible_nodes(request("ls -la"), views);
  auto c = choose_node(e, views, light, limits);
  BOOST_REQUIRE(c);
  BOOST_TEST(c->node == 0u);
  BOOST_TEST(c->reason.find("stays on the local node home") != std::string::npos);
  // The same command when home is over the CPU threshold goes elsewhere.
  views[0].sample = sample(95, 1.0);
  c = choose_node(e, views, light, limits);
  BOOST_REQUIRE(c);
  BOOST_TEST(c->node != 0u);
  BOOST_TEST(c->reason.find("local node home is loaded") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(heavy_commands_go_where_there_is_headroom,
                        three_nodes) {
  views[0].sample = sample(30, 1.0);
  views[1].sample = sample(5, 0.1);
  views[2].sample = sample(20, 0.5);
  // The seed's `cd x && make` stayed home because it starts with cd.
  auto e = eligible_nodes(request("cd x && make -j8"), views);
  auto c = choose_node(e, views, classify_command("cd x && make -j8"), limits);
  BOOST_REQUIRE(c);
  BOOST_TEST(c->node == 1u);
  BOOST_TEST(c->reason.find("heavy command (cd, make)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(loaded_means_over_any_threshold) {
  auto s = sample(10, 1.0);
  s.memory_percent = 50;
  BOOST_TEST(!is_loaded(s, limits));
  s.memory_percent = 81;
  BOOST_TEST(is_loaded(s, limits));
  s.memory_percent = 50;
  s.load_1m = 4.5;
  BOOST_TEST(is_loaded(s, limits));
  node_sample never;  // not sampled: no evidence of load
  never.cpu_percent = 99;
  BOOST_TEST(!is_loaded(never, limits));
}

BOOST_AUTO_TEST_SUITE_END()
