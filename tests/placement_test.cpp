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

node_sample sample(double cpu, double load, std::uint32_t cpus = 4,
                   double memory = 20) {
  node_sample s;
  s.sampled = true;
  s.reachable = true;
  s.cpu_percent = cpu;
  s.load_1m = load;
  s.cpu_count = cpus;
  s.memory_percent = memory;
  return s;
}

// The platform a probe found, for nodes whose figures do not matter.
node_sample detected(std::string os, std::string arch) {
  auto s = sample(5, 0.1);
  s.os = std::move(os);
  s.arch = std::move(arch);
  return s;
}

node_sample unreachable(std::string why) {
  node_sample s;
  s.sampled = true;
  s.reachable = false;
  s.error = std::move(why);
  return s;
}

const command_profile heavy{command_weight::heavy, {"make"}, "heavy: make",
                            {"build"}};
const command_profile light{command_weight::light, {"ls"}, "light: ls", {}};
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

BOOST_FIXTURE_TEST_CASE(memory_counts_in_the_load_score, three_nodes) {
  views[1].sample = sample(10, 0.4, 4, 95);
  views[2].sample = sample(10, 0.4, 4, 20);
  BOOST_TEST(load_score(views[1]) > load_score(views[2]));
}

BOOST_FIXTURE_TEST_CASE(a_measured_idle_node_beats_an_unmeasured_one,
                        three_nodes) {
  views[0].sample = sample(5, 0.1);
  // views[2] (builder) has no sample: it may be swamped.
  std::vector<node_view> two{views[2], views[0]};
  two[0].info.slots = two[1].info.slots = 4;
  auto c = choose_node(eligible_nodes(request(), two), two, heavy, limits);
  BOOST_REQUIRE(c);
  BOOST_TEST(two[c->node].info.id == "home");
  BOOST_TEST(load_score(two[0]) > load_score(two[1]));
}

BOOST_FIXTURE_TEST_CASE(the_detected_platform_overrides_a_wrong_config,
                        three_nodes) {
  // builder is configured linux/x86_64 but the probe found arm64.
  views[2].sample = detected("linux", "arm64");
  auto req = request();
  req.needs.arch = "arm64";
  auto e = eligible_nodes(req, views);
  BOOST_TEST(e.nodes == (std::vector<std::size_t>{1, 2}));
  req.needs.arch = "x86_64";
  e = eligible_nodes(req, views);
  BOOST_TEST(e.nodes == std::vector<std::size_t>{0});
}

BOOST_AUTO_TEST_CASE(specialties_match_the_kind_of_work) {
  node_info n;
  n.specialties = {"testing", "containerization"};
  BOOST_TEST(matching_specialty(n, classify_command("pytest -x")) == "testing");
  BOOST_TEST(matching_specialty(n, classify_command("docker build .")) ==
             "containerization");
  BOOST_TEST(matching_specialty(n, classify_command("make -j8")).empty());
  BOOST_TEST(matching_specialty(n, classify_command("ls")).empty());
  n.specialties = {"compilation"};
  BOOST_TEST(matching_specialty(n, classify_command("cd x && make")) ==
             "compilation");
  BOOST_TEST(matching_specialty(n, classify_command("gcc -c a.c")) ==
             "compilation");
}

// One fixed snapshot, many commands: the routing table the router follows,
// with each of the seed's routing defects among the rows.
struct cluster_of_four {
  std::vector<node_view> views{
    make_node("home", "linux", "x86_64", 4, true),
    make_node("studio", "darwin", "arm64", 8),
    make_node("builder", "linux", "x86_64", 16),
    make_node("pi", "linux", "arm64", 4),
  };
  cluster_of_four() {
    views[0].sample = sample(20, 1.0, 8);        // home: fine, not idle
    views[1].sample = sample(10, 0.8, 10);       // studio: quiet
    views[2].sample = sample(35, 6.0, 32);       // builder: busy but roomy
    views[3].sample = unreachable("connection refused");
    views[1].sample->os = "darwin";
    views[1].sample->arch = "arm64";
    views[2].info.capabilities = {"docker"};
    views[2].info.specialties = {"compilation"};
    views[1].info.specialties = {"testing"};
    views[1].info.aliases = {"mac"};
  }

  // Where the router would put `command`, or "error: ..." when nowhere.
  std::string route(const std::string& command, requirements needs = {},
                    bool auto_route = true, std::string node = {}) {
    auto req = request(command);
    req.needs = std::move(needs);
    req.auto_route = auto_route;
    req.node = std::move(node);
    auto x = explain_placement(req, views, limits);
    return x.error.empty() ? x.node : "error: " + x.error;
  }
};

BOOST_FIXTURE_TEST_CASE(routing_table, cluster_of_four) {
  requirements darwin{"darwin", "", {}};
  requirements arm{"", "arm64", {}};
  requirements docker{"", "", {"docker"}};
  requirements gpu{"", "", {"gpu"}};
  // Light commands stay home.
  BOOST_TEST(route("ls -la") == "home");
  BOOST_TEST(route("cat README | wc -l") == "home");
  // Seed 4: `cd x && make` is heavy; the build specialist gets it.
  BOOST_TEST(route("cd x && make -j8") == "builder");
  // Seed 4: substrings are not programs: merge is not rg, restart not tar.
  BOOST_TEST(route("git merge main") == "home");
  BOOST_TEST(route("systemctl restart nginx") == "home");
  // Tests go to the testing specialist.
  BOOST_TEST(route("python3 -m pytest -q") == "studio");
  // Heavy work without a specialist goes to the most headroom.
  BOOST_TEST(route("tar czf a.tgz dir") == "studio");
  // Seed 3: requirements hold for light commands and with auto_route off.
  BOOST_TEST(route("uname -a", darwin) == "studio");
  BOOST_TEST(route("uname -a", darwin, false).find("error: auto_route is off")
             == 0u);
  BOOST_TEST(route("make", docker) == "builder");
  // An unreachable node is skipped, and named when it is the only fit.
  BOOST_TEST(route("uname -m", arm) == "studio");
  requirements linux_arm{"linux", "arm64", {}};
  BOOST_TEST(route("ls", linux_arm)
             == "error: every node offering os=linux, arch=arm64 is unreachable");
  BOOST_TEST(route("ls", gpu).find("error: no node offers capability gpu")
             == 0u);
  // Named nodes, by id or alias, still checked against requirements.
  BOOST_TEST(route("make", {}, true, "mac") == "studio");
  BOOST_TEST(route("make", docker, true, "mac").find("error: node studio")
             == 0u);
}

BOOST_FIXTURE_TEST_CASE(seed_2_live_load_and_slots_decide, cluster_of_four) {
  // The seed ignored remote load: here a loaded specialist loses its work.
  views[2].sample = sample(95, 40, 32);
  BOOST_TEST(route("make -j8") == "studio");
  // ... and a full one too, however idle.
  views[2].sample = sample(1, 0.1, 32);
  views[2].busy = 16;
  BOOST_TEST(route("make -j8") == "studio");
  // A loaded home sends even light commands away.
  views[0].sample = sample(99, 12, 8);
  BOOST_TEST(route("ls") == "studio");
}

BOOST_FIXTURE_TEST_CASE(explanation_gives_a_verdict_on_every_node,
                        cluster_of_four) {
  auto req = request("cd build && make -j8");
  req.needs.arch = "x86_64";
  auto x = explain_placement(req, views, limits);
  BOOST_TEST(x.error.empty());
  BOOST_TEST(x.node == "builder");
  BOOST_TEST(x.weight == "heavy");
  BOOST_TEST(x.classification.find("make (build)") != std::string::npos);
  BOOST_TEST(x.auto_routed);
  BOOST_TEST(!x.would_wait);
  BOOST_TEST(x.reason.find("specialist in compilation: builder") != std::string::npos);
  BOOST_TEST(x.reason.find("0 of 16 slots busy") != std::string::npos);
  BOOST_TEST(x.reason.find("load 6.00/32 CPUs") != std::string::npos);
  BOOST_REQUIRE_EQUAL(x.nodes.size(), 4u);
  BOOST_TEST(x.nodes[0].eligible);
  BOOST_TEST(!x.nodes[1].eligible);
  BOOST_TEST(x.nodes[1].note == "lacks arch=x86_64");
  BOOST_TEST(x.nodes[2].eligible);
  BOOST_TEST(x.nodes[2].note.find("specialist in compilation")
             != std::string::npos);
  BOOST_TEST(!x.nodes[3].eligible);
  BOOST_TEST(x.nodes[3].note == "lacks arch=x86_64");
  BOOST_TEST(x.nodes[0].score > 0.0);
}

BOOST_FIXTURE_TEST_CASE(explanation_says_when_it_would_wait,
                        cluster_of_four) {
  views[0].busy = 4;
  views[1].busy = 8;
  views[2].busy = 16;
  auto x = explain_placement(request("make"), views, limits);
  BOOST_TEST(x.error.empty());
  BOOST_TEST(x.node.empty());
  BOOST_TEST(x.would_wait);
  BOOST_TEST(x.nodes[3].note == "unreachable: connection refused");
  BOOST_TEST(x.nodes[2].note.find("(full now)") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
