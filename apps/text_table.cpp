#include "apps/text_table.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <sys/ioctl.h>
#include <unistd.h>

namespace cluster {

namespace {

const char* sgr(colour c) {
  switch (c) {
    case colour::red: return "\033[31m";
    case colour::green: return "\033[32m";
    case colour::yellow: return "\033[33m";
    case colour::blue: return "\033[34m";
    case colour::magenta: return "\033[35m";
    case colour::cyan: return "\033[36m";
    case colour::dim: return "\033[2m";
    default: return "";
  }
}

// The first `columns` columns of `text`, never splitting a UTF-8 sequence.
std::string cut(std::string_view text, std::size_t columns) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool starts = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts && seen++ == columns)
      return std::string{text.substr(0, i)};
  }
  return std::string{text};
}

} // namespace

bool colour_on(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return ::isatty(fd) == 1 && (no_colour == nullptr || *no_colour == '\0')
         && (term == nullptr || std::strcmp(term, "dumb") != 0);
}

std::string paint(std::string_view text, colour c, bool on) {
  if (!on || c == colour::none)
    return std::string{text};
  return sgr(c) + std::string{text} + "\033[0m";
}

std::size_t terminal_width(int fd) {
  if (::isatty(fd) != 1)
    return 0;
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  // A terminal that does not say (a serial line): the shell may.
  if (const char* cols = std::getenv("COLUMNS"); cols != nullptr)
    if (auto n = std::strtoul(cols, nullptr, 10); n > 0 && n < 10'000)
      return n;
  return 80;
}

std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
    std::count_if(text.begin(), text.end(), [](char ch) {
      return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    }));
}

std::string one_line(std::string_view text) {
  std::string out{text};
  for (auto& ch : out)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
      ch = ' ';
  return out;
}

text_table::text_table(std::vector<std::string> header)
  : header_(std::move(header)) {
}

void text_table::add(std::vector<table_cell> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

std::string text_table::render(std::size_t width, bool coloured) const {
  std::vector<std::size_t> widths(header_.size());
  for (std::size_t c = 0; c < header_.size(); ++c) {
    widths[c] = display_width(header_[c]);
    for (auto& row : rows_)
      widths[c] = std::max(widths[c], display_width(row[c].text));
  }
  auto line = [&](const std::vector<table_cell>& cells) {
    std::string text;
    std::size_t used = 0;
    auto more_after = [&](std::size_t c) {
      return std::any_of(cells.begin() + static_cast<long>(c) + 1, cells.end(),
                         [](const table_cell& t) { return !t.text.empty(); });
    };
    for (std::size_t c = 0; c < cells.size(); ++c) {
      auto cell = one_line(cells[c].text);
      auto w = display_width(cell);
      if (width > 0 && used + w > width) {
        // Only what fits; "…" says something was cut.
        auto room = width - used;
        cell = room > 0 ? cut(cell, room - 1) + "…" : std::string{};
        text += paint(cell, cells[c].paint, coloured);
        break;
      }
      text += paint(cell, cells[c].paint, coloured);
      used += w;
      if (c + 1 == cells.size() || !more_after(c))
        break;
      auto pad = widths[c] - std::min(widths[c], w) + 2;
      if (width > 0 && used + pad >= width) {
        // The next column would start at the edge: the cut shows there.
        if (used < width)
          text += std::string(width - used - 1, ' ') + "…";
        break;
      }
      text.append(pad, ' ');
      used += pad;
    }
    return text + "\n";
  };
  std::vector<table_cell> head;
  for (auto& h : header_)
    head.push_back({h, colour::none});
  std::string out = line(head);
  for (auto& row : rows_)
    out += line(row);
  return out;
}

} // namespace cluster
