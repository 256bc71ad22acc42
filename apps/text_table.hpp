#pragma once

// Text for people: aligned tables, colour only where someone sees it, and
// the width of their terminal.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cluster {

/// Colours of the terminal's basic palette.
enum class colour { none, red, green, yellow, blue, magenta, cyan, dim };

/// True when `fd` is a terminal and NO_COLOR is unset (or empty) and TERM
/// is not "dumb": colour is for people, never for pipes and files.
bool colour_on(int fd);

/// `text` in `c` (SGR escapes) when `on`; else `text` as is.
std::string paint(std::string_view text, colour c, bool on);

/// The width of the terminal on `fd` in columns; 0 when it is none.
std::size_t terminal_width(int fd);

/// Columns `text` takes on a terminal: UTF-8 code points, one each.
std::size_t display_width(std::string_view text);

/// `text` on one line: every control character (newlines, tabs, escapes)
/// becomes a space, so a table row stays one row and prints nothing hidden.
std::string one_line(std::string_view text);

/// One cell: its text and colour.
struct table_cell {
  std::string text;              ///< Printed on one line (see one_line).
  colour paint = colour::none;   ///< Used only where colour is on.
};

/// A table: a header row and rows of cells, columns left-aligned and
/// separated by two spaces; the last column is cut to the width, if any.
class text_table {
public:
  /// A table with these column titles.
  explicit text_table(std::vector<std::string> header);

  /// Adds a row (missing cells are empty).
  void add(std::vector<table_cell> row);

  /// The table as text, one line per row; with `width` > 0 every line is
  /// cut to that many columns (the last column ends in "…"); colours only
  /// when `coloured`.
  std::string render(std::size_t width, bool coloured) const;

  /// True when no row was added.
  bool empty() const {
    return rows_.empty();
  }

private:
  std::vector<std::string> header_;
  std::vector<std::vector<table_cell>> rows_;
};

} // namespace cluster
