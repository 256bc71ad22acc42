#include "actors/mcp/tool_results.hpp"

#include <cstdio>

namespace cluster::mcp {

std::string explanation_text(const placement_explanation& x) {
  std::string text;
  // First: where it would go matters little when it would not run at all.
  if (!x.policy.empty())
    text = "would not run: " + x.policy + "\nwithout the policy: ";
  if (!x.error.empty()) {
    text += "no node can run it: " + x.error;
  } else {
    if (x.would_wait)
      text += "would wait for a free slot (every eligible node is busy)"
             + (x.node.empty() ? std::string{} : ", then run on " + x.node);
    else
      text += "would run on " + (x.node.empty() ? "no node" : x.node);
    if (!x.reason.empty())
      text += ": " + x.reason;
  }
  if (!x.classification.empty())
    text += "\ncommand: " + x.classification;
  for (auto& v : x.nodes) {
    text += "\n  " + v.node + ": "
            + (v.eligible ? "eligible" : "not eligible");
    if (!v.note.empty())
      text += ", " + v.note;
    if (v.eligible) {
      char score[32];
      std::snprintf(score, sizeof score, " (score %.2f)", v.score);
      text += score;
    }
  }
  text += "\nnothing was run (explain)";
  return text;
}

void write_explanation_object(json_writer& out,
                              const placement_explanation& x) {
  auto string_or_null = [&](const char* name, const std::string& value) {
    out.key(name);
    if (value.empty())
      out.null();
    else
      out.string(value);
  };
  out.begin_object();
  string_or_null("would_run_on", x.node);
  out.key("routing_reason").string(x.reason);
  string_or_null("error", x.error);
  out.key("auto_routed").boolean(x.auto_routed);
  out.key("would_wait").boolean(x.would_wait);
  string_or_null("weight", x.weight);
  out.key("classification").string(x.classification);
  string_or_null("policy", x.policy);
  out.key("nodes").begin_array();
  for (auto& v : x.nodes) {
    out.begin_object();
    out.key("node").string(v.node);
    out.key("eligible").boolean(v.eligible);
    out.key("note").string(v.note);
    // An ineligible node's score was never computed: null, not a made-up 0.
    out.key("score");
    if (v.eligible)
      out.number(rounded(v.score, 1000));
    else
      out.null();
    out.end_object();
  }
  out.end_array();
  out.end_object();
}

void write_explanation_result(json_writer& out,
                              const placement_explanation& x) {
  write_text_content(out, explanation_text(x));
  out.key("structuredContent").begin_object().key("explanation");
  write_explanation_object(out, x);
  out.end_object();
  // No node qualifying, or the policy refusing, is the error the run would return.
  out.key("isError").boolean(!x.error.empty() || !x.policy.empty());
}

} // namespace cluster::mcp
