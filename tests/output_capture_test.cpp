// Bounded output capture and the UTF-8 helpers it relies on.

#include "actors/output_capture.hpp"
#include "actors/utf8.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace cluster;

namespace {

const std::string fffd = "\xEF\xBF\xBD";

captured_output capture(std::size_t limit, std::string_view input) {
  bounded_stream s{limit};
  s.append(input);
  return s.finish();
}

captured_output capture_chunked(std::size_t limit, std::string_view input,
                                std::mt19937& rng, std::size_t max_chunk) {
  bounded_stream s{limit};
  std::uniform_int_distribution<std::size_t> len(0, max_chunk);
  while (!input.empty()) {
    auto n = std::min(input.size(), len(rng));
    s.append(input.substr(0, n));
    input.remove_prefix(n);
  }
  return s.finish();
}

/// Splits a truncated text into head, omitted count and tail.
struct split_text {
  std::string head;
  std::uint64_t omitted = 0;
  std::string tail;
};

split_text split_marker(const std::string& text) {
  static const std::string open = "\n[... ";
  static const std::string close = " bytes omitted ...]\n";
  auto a = text.find(open);
  BOOST_REQUIRE(a != std::string::npos);
  auto b = text.find(close, a);
  BOOST_REQUIRE(b != std::string::npos);
  split_text r;
  r.head = text.substr(0, a);
  r.omitted = std::stoull(text.substr(a + open.size(), b - a - open.size()));
  r.tail = text.substr(b + close.size());
  return r;
}

/// Valid UTF-8 mixing 1- to 4-byte characters.
std::string random_utf8(std::mt19937& rng, std::size_t chars) {
  static const std::vector<std::string> pool = {
    "a", "Z", " ", "\n", "\xC3\xA9", "\xD0\xAF", "\xE2\x82\xAC",
    "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF"};
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
  std::string s;
  for (std::size_t i = 0; i < chars; ++i)
    s += pool[pick(rng)];
  return s;
}

/// What the capture must produce, computed from the whole input at once.
captured_output reference(std::size_t limit, const std::string& in) {
  captured_output r;
  r.total_bytes = in.size();
  if (in.size() <= limit) {
    r.text = sanitize_utf8(in);
    return r;
  }
  auto head = in.substr(0, limit - limit / 2);
  auto tail = in.substr(in.size() - limit / 2);
  head.resize(utf8_prefix_boundary(head));
  tail.erase(0, utf8_suffix_boundary(tail));
  r.truncated = true;
  r.text = sanitize_utf8(head) + "\n[... "
           + std::to_string(in.size() - head.size() - tail.size())
           + " bytes omitted ...]\n" + sanitize_utf8(tail);
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(output_capture)

BOOST_AUTO_TEST_CASE(utf8_valid_text_passes_through) {
  const std::vector<std::string> samples = {
    "", "plain ascii\n", "\xC3\xA9t\xC3\xA9", "\xE2\x82\xAC 5",
    "\xF0\x9F\x98\x80!", "\xEF\xBF\xBD", "\xF4\x8F\xBF\xBF", "\xED\x9F\xBF",
    "\xEE\x80\x80", std::string("nul\0byte", 8)};
  for (const auto& s : samples)
    BOOST_CHECK_EQUAL(sanitize_utf8(s), s);
}

BOOST_AUTO_TEST_CASE(utf8_invalid_sequences_replaced) {
  // Overlong '/' (C0 is never a lead) and a lone continuation.
  BOOST_CHECK_EQUAL(sanitize_utf8("\xC0\xAF"), fffd + fffd);
  BOOST_CHECK_EQUAL(sanitize_utf8("\xE0\x80\xAF"), fffd + fffd + fffd);
  // Surrogate U+D800 and code point U+110000.
  BOOST_CHECK_EQUAL(sanitize_utf8("\xED\xA0\x80"), fffd + fffd + fffd);
  BOOST_CHECK_EQUAL(sanitize_utf8("\xF4\x90\x80\x80"),
                    fffd + fffd + fffd + fffd);
  BOOST_CHECK_EQUAL(sanitize_utf8("x\x80y"), "x" + fffd + "y");
  BOOST_CHECK_EQUAL(sanitize_utf8("\xFE\xFF"), fffd + fffd);
  // A truncated character is one maximal subpart, hence one U+FFFD.
  BOOST_CHECK_EQUAL(sanitize_utf8("a\xE2\x82"), "a" + fffd);
  BOOST_CHECK_EQUAL(sanitize_utf8("a\xF0\x9F\x98"), "a" + fffd);
  BOOST_CHECK_EQUAL(sanitize_utf8("\xE2\x82z"), fffd + "z");
}

BOOST_AUTO_TEST_CASE(utf8_maximal_subparts_as_in_the_unicode_standard) {
  // The example of Unicode 15, section 3.9, table 3-8.
  BOOST_CHECK_EQUAL(
    sanitize_utf8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
    "a" + fffd + fffd + fffd + "b" + fffd + "c" + fffd + fffd + "d");
}

BOOST_AUTO_TEST_CASE(utf8_boundaries) {
  BOOST_CHECK_EQUAL(utf8_prefix_boundary(""), 0u);
  BOOST_CHECK_EQUAL(utf8_prefix_boundary("abc"), 3u);
  BOOST_CHECK_EQUAL(utf8_prefix_boundary("a\xE2\x82\xAC"), 4u);
  BOOST_CHECK_EQUAL(utf8_prefix_boundary("a\xE2\x82"), 1u);
  BOOST_CHECK_EQUAL(utf8_prefix_boundary("a\xE2"), 1u);
  BOOST_CHECK_EQUAL(utf8_prefix_boundary("\xF0\x9F\x98"), 0u);
  BOOST_CHECK_EQUAL(utf8_prefix_boundary("\xF0\x9F\x98\x80"), 4u);
  BOOST_CHECK_EQUAL(utf8_suffix_boundary(""), 0u);
  BOOST_CHECK_EQUAL(utf8_suffix_boundary("abc"), 0u);
  BOOST_CHECK_EQUAL(utf8_suffix_boundary("\x82\xAC" "b"), 2u);
  BOOST_CHECK_EQUAL(utf8_suffix_boundary("\x80\x80\x80\x80"), 3u);
  BOOST_CHECK_EQUAL(utf8_suffix_boundary("\x80"), 1u);
}

BOOST_AUTO_TEST_CASE(under_and_at_the_limit_keeps_everything) {
  auto r = capture(10, "hello");
  BOOST_CHECK_EQUAL(r.text, "hello");
  BOOST_CHECK_EQUAL(r.total_bytes, 5u);
  BOOST_CHECK(!r.truncated);
  r = capture(10, "0123456789");
  BOOST_CHECK_EQUAL(r.text, "0123456789");
  BOOST_CHECK(!r.truncated);
  r = capture(10, "");
  BOOST_CHECK_EQUAL(r.text, "");
  BOOST_CHECK_EQUAL(r.total_bytes, 0u);
}

BOOST_AUTO_TEST_CASE(over_the_limit_keeps_head_and_tail) {
  auto r = capture(10, "0123456789AB");
  BOOST_CHECK_EQUAL(r.text, "01234\n[... 2 bytes omitted ...]\n789AB");
  BOOST_CHECK_EQUAL(r.total_bytes, 12u);
  BOOST_CHECK(r.truncated);
  // An odd limit gives the extra byte to the head.
  r = capture(5, "abcdefghij");
  BOOST_CHECK_EQUAL(r.text, "abc\n[... 5 bytes omitted ...]\nij");
  r = capture(1, "abc");
  BOOST_CHECK_EQUAL(r.text, "a\n[... 2 bytes omitted ...]\n");
}

BOOST_AUTO_TEST_CASE(limit_zero_counts_but_keeps_nothing) {
  auto r = capture(0, "");
  BOOST_CHECK_EQUAL(r.text, "");
  BOOST_CHECK(!r.truncated);
  r = capture(0, "abc");
  BOOST_CHECK_EQUAL(r.text, "\n[... 3 bytes omitted ...]\n");
  BOOST_CHECK_EQUAL(r.total_bytes, 3u);
  BOOST_CHECK(r.truncated);
}

BOOST_AUTO_TEST_CASE(chunking_never_changes_the_result) {
  std::mt19937 rng{42};
  std::vector<std::string> inputs;
  for (std::size_t chars : {0, 1, 5, 20, 100, 700}) {
    inputs.push_back(random_utf8(rng, chars));
    // Stray bytes sprinkled in: invalid input must be chunk-proof too.
    auto garbled = random_utf8(rng, chars);
    for (auto& c : garbled)
      if (rng() % 8 == 0)
        c = static_cast<char>(rng() % 256);
    inputs.push_back(garbled);
  }
  for (std::size_t limit : {0, 1, 2, 3, 7, 8, 10, 33, 64, 1000}) {
    for (const auto& in : inputs) {
      auto expected = reference(limit, in);
      BOOST_TEST_CONTEXT("limit " << limit << ", " << in.size() << " bytes") {
        BOOST_CHECK(capture(limit, in) == expected);
        BOOST_CHECK(capture_chunked(limit, in, rng, 1) == expected);
        BOOST_CHECK(capture_chunked(limit, in, rng, 7) == expected);
        BOOST_CHECK(capture_chunked(limit, in, rng, 300) == expected);
        BOOST_CHECK(capture_chunked(limit, in, rng, limit + 1) == expected);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(cut_points_fall_between_whole_characters) {
  // Every combination of cut offsets inside 2-, 3- and 4-byte characters.
  for (std::string ch : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    std::string in;
    for (int i = 0; i < 50; ++i)
      in += ch;
    for (std::size_t limit = 1; limit < 3 * ch.size() + 4; ++limit) {
      for (std::size_t extra = 0; extra < ch.size(); ++extra) {
        auto text = in + std::string(extra, 'x');
        std::mt19937 rng(static_cast<unsigned>(limit));
        auto r = capture_chunked(limit, text, rng, 3);
        BOOST_TEST_CONTEXT("char " << ch.size() << " bytes, limit " << limit
                                   << ", extra " << extra) {
          BOOST_REQUIRE(r.truncated);
          BOOST_CHECK(r.text.find(fffd) == std::string::npos);
          auto parts = split_marker(r.text);
          BOOST_CHECK_EQUAL(parts.head.size() % ch.size(), 0u);
          BOOST_CHECK_LE(parts.head.size(), limit - limit / 2);
          BOOST_CHECK_LE(parts.tail.size(), limit / 2);
          BOOST_CHECK_EQUAL(parts.head.size() + parts.tail.size()
                              + parts.omitted,
                            text.size());
          BOOST_CHECK_EQUAL(r.total_bytes, text.size());
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(marker_count_is_exact) {
  std::mt19937 rng{7};
  for (int round = 0; round < 200; ++round) {
    auto in = random_utf8(rng, 10 + rng() % 300);
    std::size_t limit = rng() % 200;
    auto r = capture_chunked(limit, in, rng, 50);
    BOOST_CHECK_EQUAL(r.total_bytes, in.size());
    if (!r.truncated) {
      BOOST_CHECK_EQUAL(r.text, in);
      continue;
    }
    auto parts = split_marker(r.text);
    // Valid input: what is shown is exactly a prefix and a suffix of it.
    BOOST_CHECK_EQUAL(in.compare(0, parts.head.size(), parts.head), 0);
    BOOST_CHECK_EQUAL(in.compare(in.size() - parts.tail.size(),
                                 parts.tail.size(), parts.tail),
                      0);
    BOOST_CHECK_EQUAL(parts.head.size() + parts.tail.size() + parts.omitted,
                      in.size());
  }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_output_is_replaced) {
  auto r = capture(100, "ok \xFF\xC0\xAF done \xED\xA0\x80");
  BOOST_CHECK_EQUAL(r.text, "ok " + fffd + fffd + fffd + " done " + fffd
                              + fffd + fffd);
  BOOST_CHECK_EQUAL(r.total_bytes, 15u);
  // Garbage in head and tail of a truncated stream as well.
  r = capture(6, "\xFF\xFE\xFD" "0123456789\xFF\xFE\xFD");
  BOOST_CHECK_EQUAL(r.text, fffd + fffd + fffd + "\n[... 10 bytes omitted ...]\n"
                              + fffd + fffd + fffd);
}

BOOST_AUTO_TEST_CASE(huge_output_stays_bounded) {
  constexpr std::size_t limit = 16384;
  constexpr std::size_t total = 10 * 1000 * 1000;
  bounded_stream s{limit};
  std::string chunk;
  for (int i = 0; chunk.size() < 65536; ++i)
    chunk += "line " + std::to_string(i) + " \xE2\x82\xAC\n";
  std::size_t fed = 0;
  while (fed < total) {
    auto n = std::min(chunk.size(), total - fed);
    s.append(std::string_view{chunk}.substr(0, n));
    fed += n;
  }
  auto r = s.finish();
  BOOST_CHECK_EQUAL(r.total_bytes, total);
  BOOST_CHECK(r.truncated);
  auto parts = split_marker(r.text);
  BOOST_CHECK_LE(parts.head.size() + parts.tail.size(), limit);
  BOOST_CHECK_GE(parts.head.size() + parts.tail.size(), limit - 6);
  BOOST_CHECK_LE(r.text.size(), limit + 64);
  BOOST_CHECK_EQUAL(parts.head.size() + parts.tail.size() + parts.omitted,
                    total);
  BOOST_CHECK(r.text.find(fffd) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(output_capture_keeps_streams_apart) {
  cluster::output_capture cap{8};
  cap.append(transport::stream_kind::out, "stdout ");
  cap.append(transport::stream_kind::err, "err");
  cap.append(transport::stream_kind::out, "text");
  auto out = cap.out();
  BOOST_CHECK_EQUAL(out.text, "stdo\n[... 3 bytes omitted ...]\ntext");
  BOOST_CHECK_EQUAL(out.total_bytes, 11u);
  BOOST_CHECK(out.truncated);
  auto err = cap.err();
  BOOST_CHECK_EQUAL(err.text, "err");
  BOOST_CHECK(!err.truncated);
}

BOOST_AUTO_TEST_SUITE_END()
