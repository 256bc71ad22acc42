// Pages of a task's spooled output: they end on character boundaries, so
// consecutive pages join to exactly the bytes written, and a finished
// stream's broken last character is shown, not held back forever.

#include "actors/mcp/task_results.hpp"

#include <boost/test/unit_test.hpp>

using namespace cluster;
using namespace cluster::mcp;

namespace {

transport::spool_bytes bytes_at(std::string bytes, std::uint64_t offset,
                                std::uint64_t size) {
  transport::spool_bytes b;
  b.bytes = std::move(bytes);
  b.offset = offset;
  b.size = size;
  return b;
}

task_record task_in(task_state state) {
  task_record t;
  t.id = "t-1";
  t.state = state;
  return t;
}

} // namespace

BOOST_AUTO_TEST_SUITE(mcp_protocol)

BOOST_AUTO_TEST_CASE(a_page_never_splits_a_character) {
  // "aé" is 61 C3 A9; a 2-byte read cuts the é in half.
  auto page = make_output_page(task_in(task_state::running), {},
                               bytes_at("a\xC3", 0, 3));
  BOOST_TEST(page.text == "a");
  BOOST_TEST(page.next_offset == 1u);
  BOOST_TEST(!page.complete);
  auto next = make_output_page(task_in(task_state::succeeded), {},
                               bytes_at("\xC3\xA9", 1, 3));
  BOOST_TEST(next.text == "\xC3\xA9");
  BOOST_TEST(next.next_offset == 3u);
  BOOST_TEST(next.complete);
}

BOOST_AUTO_TEST_CASE(a_finished_stream_shows_its_broken_end) {
  auto page = make_output_page(task_in(task_state::failed), {},
                               bytes_at("ok\xC3", 0, 3));
  BOOST_TEST(page.text == "ok\xEF\xBF\xBD");  // U+FFFD
  BOOST_TEST(page.next_offset == 3u);
  BOOST_TEST(page.complete);
  // Still running, the same bytes wait for the rest of the character.
  auto running = make_output_page(task_in(task_state::running), {},
                                  bytes_at("ok\xC3", 0, 3));
  BOOST_TEST(running.text == "ok");
  BOOST_TEST(running.next_offset == 2u);
}

BOOST_AUTO_TEST_CASE(a_tail_starts_at_a_whole_character) {
  output_request tail;
  tail.tail = 3;
  // The last 3 bytes of "xé!" start inside the é.
  auto page = make_output_page(task_in(task_state::succeeded), tail,
                               bytes_at("\xA9!", 2, 4));
  BOOST_TEST(page.text == "!");
  BOOST_TEST(page.offset == 3u);
  BOOST_TEST(page.complete);
}

BOOST_AUTO_TEST_SUITE_END()
