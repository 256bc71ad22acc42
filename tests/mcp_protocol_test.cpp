// The MCP protocol layer through its public face: session::handle and the
// reply functions, with every reply parsed back and checked field by field.

#include "mcp_test_support.hpp"

using namespace mcp_test;

BOOST_AUTO_TEST_SUITE(mcp_protocol)

BOOST_AUTO_TEST_CASE(legacy_initialize_negotiates_and_describes_the_server) {
  session s;
  auto r = only_reply(s, request("1", "initialize",
                                 R"("protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"})"));
  auto& result = r["result"];
  BOOST_TEST(str(result["protocolVersion"]) == "2025-11-25");
  BOOST_TEST(result["capabilities"]["tools"]["listChanged"].IsFalse());
  BOOST_TEST(str(result["serverInfo"]["name"]) == "cluster-execution-mcp");
  BOOST_TEST(str(result["serverInfo"]["version"]) == "0.1.0");
  BOOST_TEST(result["serverInfo"]["title"].IsString());
  BOOST_TEST(str(result["instructions"]).find("cluster_status") != std::string::npos);
  BOOST_TEST(!result.HasMember("resultType"));
  BOOST_TEST(s.handle(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").replies.empty());
  auto pong = only_reply(s, request("\"p\"", "ping"));
  BOOST_TEST(pong["result"].IsObject());
  BOOST_TEST(pong["result"].MemberCount() == 0u);
}

BOOST_AUTO_TEST_CASE(legacy_initialize_counter_offers_our_latest_version) {
  session s;
  auto version = [&](const std::string& asked) {
    auto r = only_reply(s, request("1", "initialize", R"("protocolVersion":")" + asked + "\""));
    return str(r["result"]["protocolVersion"]);
  };
  BOOST_TEST(version("1999-01-01") == "2025-11-25");
  BOOST_TEST(version("2026-07-28") == "2025-11-25");
  BOOST_TEST(version("2025-06-18") == "2025-06-18");
  BOOST_TEST(accepted(s, call("cluster_status", "")).protocol_version == "2025-06-18");
  check_error(s, request("2", "initialize", R"("capabilities":{})"), -32602, "2");
}

BOOST_AUTO_TEST_CASE(requests_before_initialize_are_served_as_legacy) {
  session s;
  auto r = only_reply(s, request("1", "tools/list"));
  BOOST_TEST(r["result"]["tools"].Size() == 8u);
  BOOST_TEST(!r["result"].HasMember("resultType"));
  BOOST_TEST(accepted(s, call("cluster_status", "{}")).protocol_version == "2025-11-25");
}

BOOST_AUTO_TEST_CASE(modern_discover_is_stateless_and_complete) {
  session s;
  auto r = only_reply(s, request("\"d\"", "server/discover", modern_meta));
  auto& result = r["result"];
  BOOST_TEST(str(result["resultType"]) == "complete");
  BOOST_REQUIRE(result["supportedVersions"].IsArray());
  BOOST_TEST(result["supportedVersions"].Size() == 1u);
  BOOST_TEST(str(result["supportedVersions"][0]) == "2026-07-28");
  BOOST_TEST(result["capabilities"]["tools"].IsObject());
  BOOST_TEST(str(result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"]) == "cluster-execution-mcp");
  BOOST_TEST(result["instructions"].IsString());
  BOOST_TEST(result["ttlMs"].IsUint64());
  BOOST_TEST(str(result["cacheScope"]) == "public");
  BOOST_TEST(id_text(r) == "\"d\"");
  // Without the _meta claim it is a legacy request, and legacy has no discover.
  check_error(s, request("2", "server/discover"), -32601, "2");
}

BOOST_AUTO_TEST_CASE(modern_unsupported_version_lists_what_we_speak) {
  session s;
  auto meta = [](const std::string& version) {
    return R"("_meta":{"io.modelcontextprotocol/protocolVersion":)" + version
           + R"(,"io.modelcontextprotocol/clientCapabilities":{}})";
  };
  for (auto version : {"\"1900-01-01\"", "\"2025-11-25\""}) {
    auto r = only_reply(s, request("9", "tools/list", meta(version)));
    BOOST_TEST(r["error"]["code"].GetInt() == -32022);
    BOOST_TEST(str(r["error"]["message"]).rfind("Unsupported protocol version", 0) == 0u);
    auto& supported = r["error"]["data"]["supported"];
    BOOST_REQUIRE(supported.IsArray());
    BOOST_REQUIRE(supported.Size() == 3u);
    BOOST_TEST(str(supported[0]) == "2026-07-28");
    BOOST_TEST(str(supported[1]) == "2025-11-25");
    BOOST_TEST(str(supported[2]) == "2025-06-18");
    BOOST_TEST("\"" + str(r["error"]["data"]["requested"]) + "\"" == version);
    BOOST_TEST(id_text(r) == "9");
  }
  check_error(s, request("3", "tools/list", meta("20260728")), -32602, "3");
  check_error(s, request("4", "tools/list",
                         R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"})"),
              -32602, "4");
  check_error(s, request("5", "tools/list", R"("_meta":[])"), -32602, "5");
}

BOOST_AUTO_TEST_CASE(modern_era_removed_methods_are_not_found) {
  session s;
  for (auto method : {"ping", "logging/setLevel", "initialize", "resources/list"})
    check_error(s, request("1", method, modern_meta), -32601, "1");
  check_error(s, request("2", "prompts/list"), -32601, "2");
}

BOOST_AUTO_TEST_CASE(tools_list_in_both_eras) {
  session s;
  auto modern = only_reply(s, request("1", "tools/list", modern_meta));
  BOOST_TEST(str(modern["result"]["resultType"]) == "complete");
  BOOST_TEST(modern["result"]["ttlMs"].GetUint64() == 3'600'000u);
  BOOST_TEST(str(modern["result"]["cacheScope"]) == "public");
  BOOST_TEST(!modern["result"].HasMember("nextCursor"));
  auto legacy = only_reply(s, request("2", "tools/list"));
  BOOST_TEST(!legacy["result"].HasMember("ttlMs"));
  BOOST_TEST((legacy["result"]["tools"] == modern["result"]["tools"]));
  auto& tools = legacy["result"]["tools"];
  const char* names[] = {"cluster_bash", "offload_to", "parallel_execute", "cluster_status"};
  for (rapidjson::SizeType i = 0; i < 4; ++i) {
    auto& t = tools[i];
    BOOST_TEST(str(t["name"]) == names[i]);
    BOOST_TEST(t["title"].IsString());
    BOOST_TEST(t["description"].GetStringLength() > 100u);
    BOOST_TEST(str(t["inputSchema"]["type"]) == "object");
    BOOST_TEST(t["inputSchema"]["additionalProperties"].IsFalse());
    BOOST_TEST(str(t["outputSchema"]["type"]) == "object");
    BOOST_TEST(!t["outputSchema"].HasMember("$schema"));
    bool status = i == 3;
    BOOST_TEST(t["annotations"]["readOnlyHint"].GetBool() == status);
    BOOST_TEST(t["annotations"]["openWorldHint"].GetBool() == !status);
    if (!status) {
      BOOST_TEST(t["annotations"]["destructiveHint"].GetBool());
      BOOST_TEST(t["annotations"]["idempotentHint"].IsFalse());
    }
  }
  auto& bash = tools[0]["inputSchema"]["properties"];
  BOOST_TEST(bash["timeout"]["maximum"].GetInt() == 86400);
  BOOST_TEST(bash["requires_arch"]["enum"].Size() == 4u);
  BOOST_TEST(str(bash["requires_capabilities"]["type"]) == "array");
  BOOST_TEST(bash["requires_capabilities"]["items"]["minLength"].GetInt() == 1);
  BOOST_TEST(str(bash["explain"]["type"]) == "boolean");
  BOOST_TEST(tools[1]["inputSchema"]["properties"].HasMember("explain"));
  BOOST_TEST(!tools[1]["inputSchema"]["properties"].HasMember("requires_capabilities"));
  BOOST_TEST(tools[2]["inputSchema"]["properties"].HasMember("requires_capabilities"));
  BOOST_TEST(!tools[2]["inputSchema"]["properties"].HasMember("explain"));
  BOOST_TEST(str(tools[3]["inputSchema"]["properties"]["refresh"]["type"]) == "boolean");
  auto& status = tools[3]["outputSchema"]["properties"]["nodes"]["additionalProperties"];
  BOOST_TEST(str(status["properties"]["status"]["enum"][1]) == "busy");
  for (auto field : {"capabilities", "sample_age_ms", "config_mismatch", "consecutive_failures"}) {
    BOOST_TEST_INFO("status field " << field);
    BOOST_TEST(status["properties"].HasMember(field));
    bool required = false;
    for (auto& r : status["required"].GetArray())
      required = required || str(r) == field;
    BOOST_TEST(required);
  }
  BOOST_TEST(tools[2]["inputSchema"]["properties"]["commands"]["maxItems"].GetInt() == 1000);
  check_error(s, request("3", "tools/list", R"("cursor":"abc")"), -32602, "3");
}

BOOST_AUTO_TEST_CASE(json_rpc_errors) {
  session s;
  check_error(s, "{", -32700, "null");
  check_error(s, R"({"jsonrpc":"2.0","id":1,"method":"ping"} x)", -32700, "null");
  check_error(s, "[]", -32600, "null");
  check_error(s, "[" + request("1", "ping") + "]", -32600, "null");
  check_error(s, "42", -32600, "null");
  check_error(s, R"({"id":1,"method":"ping"})", -32600, "1");
  check_error(s, R"({"jsonrpc":"1.0","id":1,"method":"ping"})", -32600, "1");
  check_error(s, R"({"jsonrpc":"2.0","id":1,"method":5})", -32600, "1");
  check_error(s, R"({"jsonrpc":"2.0","id":1})", -32600, "1");
  for (auto id : {"{}", "[1]", "true", "1.5", "null"})
    check_error(s, request(id, "ping"), -32600, "null");
  check_error(s, R"({"jsonrpc":"2.0","id":2,"method":"ping","params":[]})", -32600, "2");
  check_error(s, request("3", "no/such/method"), -32601, "3");
  // Still serving after all that.
  BOOST_TEST(only_reply(s, request("4", "ping"))["result"].IsObject());
}

BOOST_AUTO_TEST_CASE(notifications_responses_and_blank_lines_get_no_reply) {
  session s;
  for (auto line : {R"({"jsonrpc":"2.0","method":"notifications/whatever"})",
                    R"({"jsonrpc":"2.0","method":"notifications/initialized","params":{}})",
                    R"({"jsonrpc":"2.0","id":5,"result":{}})",
                    R"({"jsonrpc":"2.0","id":5,"error":{"code":1,"message":"x"}})", "",
                    "  \r"}) {
    auto in = s.handle(line);
    BOOST_TEST(in.replies.empty());
    BOOST_TEST(!in.call);
    BOOST_TEST(!in.cancel_request);
  }
}

BOOST_AUTO_TEST_CASE(ids_are_echoed_exactly) {
  session s;
  for (std::string id : {"\"a \\\"quoted\\\" id\"", "0", "-5", "9007199254740993",
                         "18446744073709551615", "-9223372036854775808",
                         "123456789012345678901234567890"}) {
    auto in = s.handle(request(id, "ping"));
    BOOST_REQUIRE_EQUAL(in.replies.size(), 1u);
    BOOST_TEST(in.replies[0] == R"({"jsonrpc":"2.0","id":)" + id + R"(,"result":{}})");
  }
  BOOST_TEST(accepted(s, request("123456789012345678901234567890", "tools/call",
                                 R"("name":"cluster_status")"))
               .request_id
             == "123456789012345678901234567890");
}

BOOST_AUTO_TEST_CASE(tools_call_protocol_errors) {
  session s;
  auto r = only_reply(s, call("rm_rf", "{}"));
  BOOST_TEST(r["error"]["code"].GetInt() == -32602);
  BOOST_TEST(str(r["error"]["message"]) == "Unknown tool: rm_rf");
  check_error(s, request("1", "tools/call", R"("arguments":{})"), -32602, "1");
  check_error(s, request("2", "tools/call", R"("name":5)"), -32602, "2");
  check_error(s, call("cluster_bash", "[]"), -32602, "7");
  check_error(s, call("cluster_bash", R"({"command":"ls"})", R"("_meta":{"progressToken":{}})"),
              -32602, "7");
  check_error(s, call("cluster_bash", R"({"command":"ls"})", R"("_meta":{"progressToken":1.5})"),
              -32602, "7");
}

BOOST_AUTO_TEST_CASE(argument_errors_name_the_argument) {
  session_options opts;
  opts.max_batch = 3;
  opts.max_output_limit = 4096;
  session s{opts};
  auto has = [](const std::string& text, const std::string& part) {
    BOOST_TEST_INFO("message: " << text);
    BOOST_TEST(text.find(part) != std::string::npos);
  };
  has(argument_error(s, "cluster_bash", "{}"), "missing required argument \"command\"");
  has(argument_error(s, "cluster_bash", ""), "missing required argument \"command\"");
  has(argument_error(s, "cluster_bash", R"({"command":42})"), "argument \"command\": expected");
  has(argument_error(s, "cluster_bash", R"({"command":"  "})"), "argument \"command\"");
  BOOST_TEST(argument_error(s, "cluster_bash", R"({"command":"ls","timeout":"abc"})")
             == R"(argument "timeout": expected a positive number of seconds, got "abc")");
  has(argument_error(s, "cluster_bash", R"({"command":"ls","timeout":-1})"),
      "argument \"timeout\": expected a positive number of seconds, got -1");
  has(argument_error(s, "cluster_bash", R"({"command":"ls","timeout":86401})"),
      "at most 86400 seconds");
  has(argument_error(s, "cluster_bash", R"({"command":"ls","cmd":"x"})"),
      "unknown argument \"cmd\"; cluster_bash accepts command,");
  has(argument_error(s, "cluster_bash", R"({"command":"ls","requires_os":"windows"})"),
      "argument \"requires_os\": expected one of \"linux\", \"darwin\", \"macos\", got \"windows\"");
  has(argument_error(s, "cluster_bash", R"({"command":"ls","requires_arch":"sparc"})"),
      "argument \"requires_arch\"");
  has(argument_error(s, "cluster_bash", R"({"command":"ls","auto_route":"yes"})"),
      "argument \"auto_route\": expected true or false");
  has(argument_error(s, "cluster_bash", R"({"command":"ls","cwd":"tmp"})"), "argument \"cwd\"");
  has(argument_error(s, "cluster_bash", R"({"command":"ls","max_output_bytes":0})"),
      "argument \"max_output_bytes\": expected an integer from 1 to 4096");
  has(argument_error(s, "cluster_bash", R"({"command":"ls","max_output_bytes":4097})"),
      "max_output_bytes");
  has(argument_error(s, "cluster_bash", R"({"command":"a\u0000b"})"), "NUL");
  has(argument_error(s, "offload_to", R"({"command":"ls"})"), "missing required argument \"node_id\"");
  has(argument_error(s, "parallel_execute", R"({"commands":[]})"),
      "argument \"commands\": expected a non-empty array");
  has(argument_error(s, "parallel_execute", R"({"commands":"ls"})"), "argument \"commands\"");
  has(argument_error(s, "parallel_execute", R"({"commands":["a","b","c","d"]})"),
      "expected at most 3 commands, got 4");
  has(argument_error(s, "parallel_execute", R"({"commands":["a",""]})"), "argument \"commands[1]\"");
  has(argument_error(s, "cluster_status", R"({"verbose":true})"),
      "unknown argument \"verbose\"; cluster_status accepts refresh");
  // Every problem at once, so one retry can fix them all.
  auto both = argument_error(s, "cluster_bash", R"({"timeout":0})");
  has(both, "\"command\"");
  has(both, "\"timeout\"");
}

BOOST_AUTO_TEST_CASE(requires_capabilities_is_checked_item_by_item) {
  session s;
  auto has = [](const std::string& text, const std::string& part) {
    BOOST_TEST_INFO("message: " << text);
    BOOST_TEST(text.find(part) != std::string::npos);
  };
  for (auto tool : {"cluster_bash", "parallel_execute"}) {
    auto args = [&](const std::string& caps) {
      return std::string{tool} == "cluster_bash"
               ? R"({"command":"ls","requires_capabilities":)" + caps + "}"
               : R"({"commands":["ls"],"requires_capabilities":)" + caps + "}";
    };
    BOOST_TEST_CONTEXT("tool " << tool) {
      BOOST_TEST(argument_error(s, tool, args(R"("docker")"))
                 == R"(argument "requires_capabilities": expected an array of capability names (non-empty strings), got "docker")");
      has(argument_error(s, tool, args("{}")), "expected an array of capability names");
      has(argument_error(s, tool, args("null")), "argument \"requires_capabilities\": expected an array");
      BOOST_TEST(argument_error(s, tool, args(R"(["gpu",""])"))
                 == R"(argument "requires_capabilities[1]": expected a capability name (non-empty string), got "")");
      has(argument_error(s, tool, args("[7]")),
          "argument \"requires_capabilities[0]\": expected a capability name (non-empty string), got 7");
      has(argument_error(s, tool, args(R"([["gpu"]])")), "requires_capabilities[0]");
      has(argument_error(s, tool, args(R"(["  "])")), "requires_capabilities[0]");
      BOOST_TEST(argument_error(s, tool, args(R"(["g\u0000pu"])"))
                 == R"(argument "requires_capabilities[0]": must not contain NUL or other control characters)");
      has(argument_error(s, tool, args(R"(["a\nb"])")), "control characters");
      // Every bad item is named, so one retry fixes them all.
      auto both = argument_error(s, tool, args(R"(["", 3, "ok"])"));
      has(both, "requires_capabilities[0]");
      has(both, "requires_capabilities[1]");
    }
  }
  has(argument_error(s, "offload_to",
                     R"({"command":"ls","node_id":"a","requires_capabilities":["gpu"]})"),
      "unknown argument \"requires_capabilities\"");
}

BOOST_AUTO_TEST_CASE(requires_capabilities_reach_the_request_deduplicated) {
  session s;
  auto c = accepted(s, call("cluster_bash",
                            R"({"command":"nvcc x.cu","requires_capabilities":["gpu","docker","gpu","cuda-12"]})"));
  BOOST_TEST((c.what == tool_call::kind::run));
  BOOST_TEST(c.run.needs.capabilities == (std::vector<std::string>{"gpu", "docker", "cuda-12"}),
             boost::test_tools::per_element());
  BOOST_TEST(accepted(s, call("cluster_bash", R"({"command":"ls","requires_capabilities":[]})"))
               .run.needs.capabilities.empty());
  BOOST_TEST(accepted(s, call("cluster_bash", R"({"command":"ls"})")).run.needs.capabilities.empty());
  auto b = accepted(s, call("parallel_execute",
                            R"({"commands":["a","b"],"requires_capabilities":["docker","docker"],"requires_os":"linux"})"));
  BOOST_REQUIRE(b.batch.items.size() == 2u);
  for (auto& item : b.batch.items) {
    BOOST_TEST(item.needs.capabilities == (std::vector<std::string>{"docker"}),
               boost::test_tools::per_element());
    BOOST_TEST(item.needs.os == "linux");
  }
}

BOOST_AUTO_TEST_CASE(explain_and_refresh_flags) {
  session s;
  auto has = [](const std::string& text, const std::string& part) {
    BOOST_TEST_INFO("message: " << text);
    BOOST_TEST(text.find(part) != std::string::npos);
  };
  auto e = accepted(s, call("cluster_bash",
                            R"({"command":"make","explain":true,"requires_os":"linux","auto_route":false})"));
  BOOST_TEST((e.what == tool_call::kind::explain));
  BOOST_TEST(e.run.command == "make");
  BOOST_TEST(e.run.needs.os == "linux");
  BOOST_TEST(!e.run.auto_route);
  BOOST_TEST(e.run.task_id.empty());
  auto o = accepted(s, call("offload_to", R"({"command":"ls","node_id":"b","explain":true})"));
  BOOST_TEST((o.what == tool_call::kind::explain));
  BOOST_TEST(o.run.node == "b");
  BOOST_TEST(!o.run.auto_route);
  BOOST_TEST((accepted(s, call("cluster_bash", R"({"command":"ls","explain":false})")).what
              == tool_call::kind::run));
  BOOST_TEST((accepted(s, call("offload_to", R"({"command":"ls","node_id":"b","explain":false})")).what
              == tool_call::kind::run));
  BOOST_TEST(argument_error(s, "cluster_bash", R"({"command":"ls","explain":"yes"})")
             == R"(argument "explain": expected true or false, got "yes")");
  has(argument_error(s, "offload_to", R"({"command":"ls","node_id":"b","explain":1})"),
      "argument \"explain\": expected true or false, got 1");
  // An explain call is still checked in full: it answers what the run would.
  has(argument_error(s, "cluster_bash", R"({"explain":true})"), "missing required argument \"command\"");
  has(argument_error(s, "parallel_execute", R"({"commands":["a"],"explain":true})"),
      "unknown argument \"explain\"");

  auto st = accepted(s, call("cluster_status", R"({"refresh":true})"));
  BOOST_TEST((st.what == tool_call::kind::status));
  BOOST_TEST(st.refresh);
  BOOST_TEST(!accepted(s, call("cluster_status", R"({"refresh":false})")).refresh);
  BOOST_TEST(!accepted(s, call("cluster_status", "{}")).refresh);
  BOOST_TEST(!accepted(s, call("cluster_status", "")).refresh);
  BOOST_TEST(argument_error(s, "cluster_status", R"({"refresh":"true"})")
             == R"(argument "refresh": expected true or false, got "true")");
  has(argument_error(s, "cluster_status", R"({"refresh":null})"), "argument \"refresh\"");
}

BOOST_AUTO_TEST_CASE(cluster_bash_call_is_built_with_aliases_normalised) {
  session s;
  auto c = accepted(s, call("cluster_bash",
                            R"({"command":"make -j8 && ls *.o","requires_os":"macos","requires_arch":"aarch64","auto_route":false,"timeout":1.5,"cwd":"/src","max_output_bytes":1000})"));
  BOOST_TEST((c.what == tool_call::kind::run));
  BOOST_TEST(c.tool == "cluster_bash");
  BOOST_TEST(c.request_id == "7");
  BOOST_TEST(c.progress_token.empty());
  BOOST_TEST(c.run.command == "make -j8 && ls *.o");
  BOOST_TEST(c.run.needs.os == "darwin");
  BOOST_TEST(c.run.needs.arch == "arm64");
  BOOST_TEST(!c.run.auto_route);
  BOOST_TEST(c.run.timeout_ms == 1500u);
  BOOST_TEST(c.run.cwd == "/src");
  BOOST_TEST(c.run.output_limit == 1000u);
  BOOST_TEST(c.run.task_id.empty());
  auto d = accepted(s, call("cluster_bash", R"({"command":"ls","requires_arch":"amd64","timeout":0.1})"));
  BOOST_TEST(d.run.needs.arch == "x86_64");
  BOOST_TEST(d.run.needs.os.empty());
  BOOST_TEST(d.run.auto_route);
  BOOST_TEST(d.run.timeout_ms == 100u);
  BOOST_TEST(d.run.output_limit == 0u);
  BOOST_TEST(accepted(s, call("cluster_bash", R"({"command":"ls","timeout":0.0001})")).run.timeout_ms == 1u);
}

BOOST_AUTO_TEST_CASE(offload_batch_and_status_calls) {
  session s;
  auto o = accepted(s, call("offload_to", R"({"command":"uname","node_id":"studio","timeout":2})"));
  BOOST_TEST(o.run.node == "studio");
  BOOST_TEST(!o.run.auto_route);
  BOOST_TEST(o.run.timeout_ms == 2000u);
  auto b = accepted(s, call("parallel_execute",
                            R"({"commands":["a","b"],"requires_os":"linux","cwd":"/w","timeout":3})"));
  BOOST_TEST((b.what == tool_call::kind::batch));
  BOOST_REQUIRE(b.batch.items.size() == 2u);
  BOOST_TEST(b.batch.items[1].command == "b");
  BOOST_TEST(b.batch.items[1].needs.os == "linux");
  BOOST_TEST(b.batch.items[1].cwd == "/w");
  BOOST_TEST(b.batch.items[0].timeout_ms == 3000u);
  BOOST_TEST(b.batch.batch_id.empty());
  auto st = accepted(s, call("cluster_status", ""));
  BOOST_TEST((st.what == tool_call::kind::status));
  auto m = accepted(s, call("cluster_status", "{}", modern_meta));
  BOOST_TEST(m.protocol_version == "2026-07-28");
}

BOOST_AUTO_TEST_CASE(progress_tokens_and_cancellation_are_extracted) {
  session s;
  BOOST_TEST(accepted(s, call("cluster_status", "{}", R"("_meta":{"progressToken":"abc"})")).progress_token
             == "\"abc\"");
  auto c = accepted(s, call("cluster_status", "{}", R"("_meta":{"progressToken":42})"));
  BOOST_TEST(c.progress_token == "42");
  auto line = s.progress_notification(c, 1, 4, "1 of 4 done");
  BOOST_TEST(line == R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":42,"progress":1.0,"total":4.0,"message":"1 of 4 done"}})");
  auto bare = parse(s.progress_notification(c, 2.5, std::nullopt, ""));
  BOOST_TEST(!bare["params"].HasMember("total"));
  BOOST_TEST(!bare["params"].HasMember("message"));
  BOOST_TEST(bare["params"]["progress"].GetDouble() == 2.5);
  c.progress_token.clear();
  BOOST_TEST(s.progress_notification(c, 1, 2, "x").empty());
  auto cancel = [&](const std::string& params) {
    auto in = s.handle(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{)" + params + "}}");
    BOOST_TEST(in.replies.empty());
    return in.cancel_request;
  };
  BOOST_TEST(cancel(R"("requestId":"abc","reason":"user")").value_or("") == "\"abc\"");
  BOOST_TEST(cancel(R"("requestId":7,)" + modern_meta).value_or("") == "7");
  BOOST_TEST(!cancel(R"("requestId":null)"));
  BOOST_TEST(!cancel(R"("reason":"no id")"));
}

BOOST_AUTO_TEST_SUITE_END()
