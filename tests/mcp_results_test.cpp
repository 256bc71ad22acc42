// The MCP protocol layer's replies to finished tool calls: each tool's result
// in both eras, checked field by field and against the tool's outputSchema.

#include "mcp_test_support.hpp"

#include <rapidjson/document.h>

using namespace mcp_test;

namespace {

run_result finished_run() {
  run_result r;
  r.task_id = "task-1";
  r.node = "node-a";
  r.exit_code = 0;
  r.out = {"hello\n", 6, false};
  r.duration_ms = 12;
  r.auto_routed = true;
  r.reason = "least loaded eligible node";
  return r;
}

tool_call call_of(session& s, const std::string& tool,
                  const std::string& arguments, const std::string& extra = "") {
  return accepted(s, call(tool, arguments, extra));
}

std::string text_of(const rapidjson::Document& reply) {
  auto& content = reply["result"]["content"];
  BOOST_REQUIRE(content.IsArray() && content.Size() == 1u);
  BOOST_TEST(str(content[0]["type"]) == "text");
  return str(content[0]["text"]);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(mcp_protocol)

BOOST_AUTO_TEST_CASE(successful_run_reply) {
  session s;
  auto c = call_of(s, "cluster_bash", R"({"command":"echo hello"})");
  auto r = parse(s.run_reply(c, finished_run()));
  BOOST_TEST(id_text(r) == "7");
  BOOST_TEST(!r["result"].HasMember("resultType"));
  BOOST_TEST(r["result"]["isError"].IsFalse());
  auto& sc = r["result"]["structuredContent"];
  BOOST_TEST(sc["success"].IsTrue());
  BOOST_TEST(str(sc["executed_on"]) == "node-a");
  BOOST_TEST(str(sc["stdout"]) == "hello\n");
  BOOST_TEST(str(sc["stderr"]) == "");
  BOOST_TEST(sc["return_code"].GetInt() == 0);
  BOOST_TEST(sc["signal"].IsNull());
  BOOST_TEST(str(sc["error"]) == "none");
  BOOST_TEST(sc["stdout_bytes"].GetUint64() == 6u);
  BOOST_TEST(sc["duration_ms"].GetUint64() == 12u);
  BOOST_TEST(sc["auto_routed"].IsTrue());
  BOOST_TEST(str(sc["routing_reason"]) == "least loaded eligible node");
  BOOST_TEST(str(sc["task_id"]) == "task-1");
  auto text = text_of(r);
  BOOST_TEST(contains(text, "exit 0 on node-a in 12 ms"));
  BOOST_TEST(contains(text, "--- stdout ---\nhello\n"));
  check_output("cluster_bash", r);
}

BOOST_AUTO_TEST_CASE(non_zero_exit_is_not_a_tool_error) {
  session s;
  auto c = call_of(s, "offload_to", R"({"command":"false","node_id":"b"})");
  auto run = finished_run();
  run.exit_code = 2;
  run.error = error_class::command;
  run.err = {"no such file\n", 13, false};
  auto r = parse(s.run_reply(c, run));
  BOOST_TEST(r["result"]["isError"].IsFalse());
  auto& sc = r["result"]["structuredContent"];
  BOOST_TEST(sc["success"].IsFalse());
  BOOST_TEST(str(sc["error"]) == "command");
  BOOST_TEST(sc["return_code"].GetInt() == 2);
  BOOST_TEST(contains(text_of(r), "--- stderr ---\nno such file"));
  check_output("offload_to", r);
}

BOOST_AUTO_TEST_CASE(timeout_keeps_output_and_has_no_return_code) {
  session s;
  auto c = call_of(s, "cluster_bash", R"({"command":"sleep 100","timeout":1})");
  auto run = finished_run();
  run.error = error_class::timeout;
  run.error_message = "killed after 1000 ms";
  run.exit_code = 137;
  run.signal = 9;
  run.out = {"partial output", 1 << 20, true};
  auto r = parse(s.run_reply(c, run));
  BOOST_TEST(r["result"]["isError"].IsTrue());
  auto& sc = r["result"]["structuredContent"];
  BOOST_TEST(sc["return_code"].IsNull());
  BOOST_TEST(sc["signal"].GetInt() == 9);
  BOOST_TEST(str(sc["error"]) == "timeout");
  BOOST_TEST(str(sc["stdout"]) == "partial output");
  BOOST_TEST(sc["stdout_truncated"].IsTrue());
  BOOST_TEST(sc["stdout_bytes"].GetUint64() == 1u << 20);
  auto text = text_of(r);
  BOOST_TEST(contains(text, "timeout error on node-a after 12 ms: killed after 1000 ms"));
  BOOST_TEST(contains(text, "partial output"));
  check_output("cluster_bash", r);
}

BOOST_AUTO_TEST_CASE(placement_failure_validates_too) {
  session s;
  auto c = call_of(s, "cluster_bash", R"({"command":"ls","requires_os":"darwin"})");
  auto run = make_failed_result(c.run, error_class::placement,
                                "no node offers os=darwin");
  auto r = parse(s.run_reply(c, run));
  BOOST_TEST(r["result"]["isError"].IsTrue());
  auto& sc = r["result"]["structuredContent"];
  BOOST_TEST(str(sc["executed_on"]) == "");
  BOOST_TEST(sc["return_code"].IsNull());
  BOOST_TEST(str(sc["error"]) == "placement");
  BOOST_TEST(sc["retriable"].IsFalse());
  BOOST_TEST(contains(text_of(r), "placement error after 0 ms: no node offers os=darwin"));
  check_output("cluster_bash", r);
}

BOOST_AUTO_TEST_CASE(modern_replies_carry_result_type_and_server_info) {
  session s;
  auto c = call_of(s, "cluster_bash", R"({"command":"ls"})", modern_meta);
  for (auto line : {s.run_reply(c, finished_run()), s.failure_reply(c, "runtime gone")}) {
    auto r = parse(line);
    BOOST_TEST(str(r["result"]["resultType"]) == "complete");
    BOOST_TEST(str(r["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["version"]) == "0.1.0");
  }
}

BOOST_AUTO_TEST_CASE(failure_reply_is_a_tool_error) {
  session s;
  auto c = call_of(s, "parallel_execute", R"({"commands":["a"]})");
  auto r = parse(s.failure_reply(c, "the router is not running"));
  BOOST_TEST(r["result"]["isError"].IsTrue());
  BOOST_TEST(text_of(r) == "the router is not running");
  BOOST_TEST(!r["result"].HasMember("structuredContent"));
}

BOOST_AUTO_TEST_CASE(batch_reply_keeps_input_order_and_counts) {
  session s;
  auto c = call_of(s, "parallel_execute", R"({"commands":["echo one","exit 3","sleep 9"]})");
  batch_result b;
  b.results = {finished_run(), finished_run(), finished_run()};
  b.results[1].exit_code = 3;
  b.results[1].error = error_class::command;
  b.results[1].node = "node-b";
  b.results[2].error = error_class::connection;
  b.results[2].exit_code = caf::none;
  b.results[2].retriable = true;
  auto r = parse(s.batch_reply(c, b));
  BOOST_TEST(r["result"]["isError"].IsFalse());
  auto& sc = r["result"]["structuredContent"];
  BOOST_TEST(sc["total"].GetUint64() == 3u);
  BOOST_TEST(sc["succeeded"].GetUint64() == 1u);
  BOOST_TEST(sc["failed"].GetUint64() == 2u);
  BOOST_REQUIRE(sc["results"].Size() == 3u);
  BOOST_TEST(str(sc["results"][1]["executed_on"]) == "node-b");
  BOOST_TEST(sc["results"][1]["return_code"].GetInt() == 3);
  BOOST_TEST(sc["results"][2]["return_code"].IsNull());
  BOOST_TEST(sc["results"][2]["retriable"].IsTrue());
  auto text = text_of(r);
  BOOST_TEST(contains(text, "3 commands: 1 succeeded, 2 failed"));
  BOOST_TEST(contains(text, "[2/3] node-b  exit 3  "));
  BOOST_TEST(contains(text, "[3/3] node-a  connection  "));
  BOOST_TEST(contains(text, "  sleep 9\n"));
  check_output("parallel_execute", r);
}

BOOST_AUTO_TEST_CASE(status_reply_classifies_nodes) {
  session_options opts;
  opts.limits.cpu_percent = 50;
  session s{opts};
  auto c = call_of(s, "cluster_status", "{}");
  cluster_snapshot snap;
  snap.local_node = "a";
  node_sample a;
  a.node = "a";
  a.sampled = true;
  a.reachable = true;
  a.cpu_percent = 12.34;
  a.memory_percent = 40;
  a.load_1m = 0.5;
  a.cpu_count = 8;
  a.os = "linux";
  a.arch = "x86_64";
  a.sampled_at_ms = 1'735'787'045'678;
  a.capabilities = {"docker", "gpu"};
  auto b = a;
  b.node = "b";
  b.cpu_percent = 75;
  b.capabilities = {};
  b.mismatch = "configured darwin/arm64, found linux/x86_64";
  auto d = a;
  d.node = "d";
  d.reachable = false;
  d.error = "ssh: connect timeout";
  d.failures = 3;
  d.sampled_at_ms = 0;
  node_sample e;  // configured, never probed
  e.node = "e";
  e.os = "darwin";
  e.arch = "arm64";
  snap.nodes = {a, b, d, e};
  slot_ledger ledger;
  ledger.nodes = {{"a", 8, 3, 1}};
  ledger.queued = 2;
  ledger.queue_limit = 64;
  auto now = a.sampled_at_ms + 1'250;
  auto r = parse(s.status_reply(c, snap, ledger, now));
  BOOST_TEST(r["result"]["isError"].IsFalse());
  auto& sc = r["result"]["structuredContent"];
  BOOST_TEST(str(sc["local_node"]) == "a");
  BOOST_TEST(sc["queued"].GetUint() == 2u);
  BOOST_TEST(sc["queue_limit"].GetUint() == 64u);
  auto& na = sc["nodes"]["a"];
  BOOST_TEST(str(na["status"]) == "healthy");
  BOOST_TEST(na["cpu_percent"].GetDouble() == 12.3);
  BOOST_TEST(na["slots"].GetUint() == 8u);
  BOOST_TEST(na["busy_slots"].GetUint() == 3u);
  BOOST_TEST(na["queued"].GetUint() == 1u);
  BOOST_TEST(na["error"].IsNull());
  BOOST_TEST(str(na["sampled_at"]) == "2025-01-02T03:04:05.678Z");
  BOOST_TEST(na["sample_age_ms"].GetInt64() == 1250);
  BOOST_REQUIRE(na["capabilities"].IsArray());
  BOOST_REQUIRE(na["capabilities"].Size() == 2u);
  BOOST_TEST(str(na["capabilities"][0]) == "docker");
  BOOST_TEST(str(na["capabilities"][1]) == "gpu");
  BOOST_TEST(na["config_mismatch"].IsNull());
  BOOST_TEST(na["consecutive_failures"].GetUint() == 0u);
  auto& nb = sc["nodes"]["b"];
  BOOST_TEST(str(nb["status"]) == "busy");
  BOOST_TEST(nb["slots"].GetUint() == 0u);
  BOOST_TEST(str(nb["config_mismatch"]) == "configured darwin/arm64, found linux/x86_64");
  BOOST_TEST(nb["capabilities"].IsArray());
  BOOST_TEST(nb["capabilities"].Empty());
  auto& nd = sc["nodes"]["d"];
  BOOST_TEST(str(nd["status"]) == "unreachable");
  BOOST_TEST(nd["reachable"].IsFalse());
  BOOST_TEST(str(nd["error"]) == "ssh: connect timeout");
  BOOST_TEST(nd["consecutive_failures"].GetUint() == 3u);
  BOOST_TEST(nd["sampled_at"].IsNull());
  BOOST_TEST(nd["sample_age_ms"].IsNull());
  BOOST_TEST(nd["cpu_percent"].IsNull());
  auto& ne = sc["nodes"]["e"];
  BOOST_TEST(str(ne["status"]) == "unknown");
  BOOST_TEST(ne["reachable"].IsNull());
  BOOST_TEST(ne["cpu_percent"].IsNull());
  BOOST_TEST(ne["sample_age_ms"].IsNull());
  BOOST_TEST(ne["config_mismatch"].IsNull());
  BOOST_TEST(str(ne["os"]) == "darwin");
  auto text = text_of(r);
  BOOST_TEST(contains(text, "local node: a; queued: 2 of 64"));
  BOOST_TEST(contains(text, "unreachable"));
  // Notes follow their node's row.
  BOOST_TEST(contains(text, "linux/x86_64  (configured darwin/arm64, found linux/x86_64)\n"));
  BOOST_TEST(contains(text, "(ssh: connect timeout; 3 probes failed in a row)\n"));
  check_output("cluster_status", r);
}

BOOST_AUTO_TEST_CASE(sample_age_never_goes_negative) {
  session s;
  auto c = call_of(s, "cluster_status", R"({"refresh":true})");
  cluster_snapshot snap;
  snap.local_node = "a";
  node_sample a;
  a.node = "a";
  a.sampled = true;
  a.reachable = true;
  a.sampled_at_ms = 2'000'000'000'000;
  snap.nodes = {a};
  // The wall clock stepped back between sampling and answering.
  auto r = parse(s.status_reply(c, snap, {}, a.sampled_at_ms - 5'000));
  BOOST_TEST(r["result"]["structuredContent"]["nodes"]["a"]["sample_age_ms"].GetInt64() == 0);
  check_output("cluster_status", r);
}

namespace {

placement_explanation three_node_explanation() {
  placement_explanation x;
  x.node = "node2";
  x.reason = "heavy command (make), least loaded eligible node: node2, "
             "0/4 slots busy, cpu 3%, load 0.10 (of 2 eligible)";
  x.auto_routed = true;
  x.weight = "heavy";
  x.classification = "heavy: make (build)";
  x.nodes = {{"node1", false, "lacks capability gpu", 0},
             {"node2", true, "0/4 slots busy, cpu 3%", 0.13333},
             {"node3", true, "2/8 slots busy, cpu 40%", 1.25}};
  return x;
}

} // namespace

BOOST_AUTO_TEST_CASE(explain_reply_says_where_and_why) {
  session s;
  auto c = call_of(s, "cluster_bash",
                   R"({"command":"make","explain":true,"requires_capabilities":["gpu"]})");
  BOOST_TEST((c.what == tool_call::kind::explain));
  auto r = parse(s.explain_reply(c, three_node_explanation()));
  BOOST_TEST(id_text(r) == "7");
  BOOST_TEST(r["result"]["isError"].IsFalse());
  auto& sc = r["result"]["structuredContent"];
  // Only the decision: no run fields that would claim something ran.
  BOOST_TEST(sc.MemberCount() == 1u);
  auto& x = sc["explanation"];
  BOOST_TEST(str(x["would_run_on"]) == "node2");
  BOOST_TEST(str(x["routing_reason"]) == three_node_explanation().reason);
  BOOST_TEST(x["error"].IsNull());
  BOOST_TEST(x["auto_routed"].IsTrue());
  BOOST_TEST(x["would_wait"].IsFalse());
  BOOST_TEST(str(x["weight"]) == "heavy");
  BOOST_TEST(str(x["classification"]) == "heavy: make (build)");
  BOOST_REQUIRE(x["nodes"].Size() == 3u);
  BOOST_TEST(str(x["nodes"][0]["node"]) == "node1");
  BOOST_TEST(x["nodes"][0]["eligible"].IsFalse());
  BOOST_TEST(str(x["nodes"][0]["note"]) == "lacks capability gpu");
  BOOST_TEST(x["nodes"][0]["score"].IsNull());
  BOOST_TEST(x["nodes"][1]["eligible"].IsTrue());
  BOOST_TEST(x["nodes"][1]["score"].GetDouble() == 0.133);
  BOOST_TEST(x["nodes"][2]["score"].GetDouble() == 1.25);
  auto text = text_of(r);
  BOOST_TEST(text.rfind("would run on node2: heavy command (make), least loaded "
                        "eligible node: node2, 0/4 slots busy, cpu 3%, load 0.10 "
                        "(of 2 eligible)\n", 0) == 0u);
  BOOST_TEST(contains(text, "\n  node1: not eligible, lacks capability gpu\n"));
  BOOST_TEST(contains(text, "\n  node2: eligible, 0/4 slots busy, cpu 3% (score 0.13)\n"));
  BOOST_TEST(contains(text, "\n  node3: eligible, 2/8 slots busy, cpu 40% (score 1.25)\n"));
  BOOST_TEST(contains(text, "nothing was run"));
  check_output("cluster_bash", r);
  check_output("offload_to", r);
}

BOOST_AUTO_TEST_CASE(explain_without_a_node_is_a_placement_tool_error) {
  session s;
  auto c = call_of(s, "offload_to", R"({"command":"ls","node_id":"node1","explain":true})");
  BOOST_TEST((c.what == tool_call::kind::explain));
  placement_explanation x;
  x.error = "node node1 (linux/x86_64) does not offer os=darwin";
  x.weight = "light";
  x.classification = "light: ls";
  x.nodes = {{"node1", false, "lacks os=darwin", 0}};
  auto r = parse(s.explain_reply(c, x));
  BOOST_TEST(r["result"]["isError"].IsTrue());
  auto& e = r["result"]["structuredContent"]["explanation"];
  BOOST_TEST(e["would_run_on"].IsNull());
  BOOST_TEST(str(e["error"]) == x.error);
  BOOST_TEST(str(e["routing_reason"]) == "");
  auto text = text_of(r);
  BOOST_TEST(text.rfind("no node can run it: node node1 (linux/x86_64) does not "
                        "offer os=darwin\n", 0) == 0u);
  BOOST_TEST(contains(text, "node1: not eligible, lacks os=darwin"));
  check_output("offload_to", r);
}

BOOST_AUTO_TEST_CASE(explain_when_every_slot_is_busy_says_it_would_wait) {
  session s;
  auto c = call_of(s, "cluster_bash", R"({"command":"make","explain":true})");
  placement_explanation x;
  x.would_wait = true;
  x.auto_routed = true;
  x.nodes = {{"a", true, "4/4 slots busy", 1}};
  auto r = parse(s.explain_reply(c, x));
  BOOST_TEST(r["result"]["isError"].IsFalse());
  auto& e = r["result"]["structuredContent"]["explanation"];
  BOOST_TEST(e["would_wait"].IsTrue());
  BOOST_TEST(e["would_run_on"].IsNull());
  BOOST_TEST(e["weight"].IsNull());
  BOOST_TEST(text_of(r).rfind("would wait for a free slot", 0) == 0u);
  check_output("cluster_bash", r);
}

BOOST_AUTO_TEST_CASE(run_output_schema_still_requires_every_run_field) {
  session s;
  auto list = only_reply(s, request("1", "tools/list"));
  for (auto& t : list["result"]["tools"].GetArray()) {
    auto name = str(t["name"]);
    if (name != "cluster_bash" && name != "offload_to")
      continue;
    rapidjson::Document partial;
    partial.Parse(R"({"success":true,"executed_on":"a"})");
    BOOST_TEST(violation(t["outputSchema"], partial, name) != "");
    rapidjson::Document both;
    both.Parse(R"({"explanation":{"would_run_on":null,"routing_reason":"","error":null,"auto_routed":false,"would_wait":false,"weight":null,"classification":"","nodes":[]}})");
    BOOST_TEST(violation(t["outputSchema"], both, name) == "");
    both["explanation"].RemoveMember("nodes");
    BOOST_TEST(violation(t["outputSchema"], both, name) != "");
  }
}

BOOST_AUTO_TEST_CASE(awkward_text_stays_valid_one_line_json) {
  session s;
  auto c = call_of(s, "cluster_bash", R"({"command":"x"})",
                   R"("_meta":{"progressToken":"tok \"1\"\n"})");
  auto run = finished_run();
  run.out.text = "quote \" backslash \\ newline \n tab \t bell \x07 nul " + std::string(1, '\0') + " end";
  run.err.text = "bad utf8 \xC3\x28 and \xFF, good \xC3\xA9";
  run.node = "n\"ode";
  auto line = s.run_reply(c, run);
  BOOST_TEST(line.find('\n') == std::string::npos);
  auto r = parse(line);
  auto& sc = r["result"]["structuredContent"];
  BOOST_TEST(str(sc["stdout"]) == run.out.text);
  BOOST_TEST(str(sc["stderr"]) == "bad utf8 \xEF\xBF\xBD( and \xEF\xBF\xBD, good \xC3\xA9");
  BOOST_TEST(str(sc["executed_on"]) == "n\"ode");
  auto progress = s.progress_notification(c, 1, std::nullopt, "line\nbreak \x01");
  BOOST_TEST(progress.find('\n') == std::string::npos);
  auto p = parse(progress);
  BOOST_TEST(str(p["params"]["progressToken"]) == "tok \"1\"\n");
  BOOST_TEST(str(p["params"]["message"]) == "line\nbreak \x01");
  BOOST_TEST(s.failure_reply(c, "two\nlines").find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
