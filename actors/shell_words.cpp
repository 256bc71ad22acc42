#include "actors/shell_words.hpp"

#include <cstddef>

namespace cluster {
namespace {

// Where the scanner is: the top level, or inside a substitution whose end
// (`)` or a backtick) returns to the frame below.
enum class frame_kind { top, paren, backtick };

struct frame {
  frame_kind kind = frame_kind::top;
  long seg = -1;          // Index of the simple command being read; -1 none yet.
  std::string word;
  bool in_word = false;
  bool in_dquote = false;
  int paren_depth = 0;    // Subshells opened inside this frame.
  bool redirect = false;  // The next word is a redirection target.
  bool heredoc = false;   // ...and that target is a here-document delimiter.
  bool heredoc_tabs = false;
  std::string redirect_op;
};

struct pending_heredoc {
  std::string delimiter;
  bool strip_tabs = false;
  std::size_t seg = 0;       // The command it belongs to,
  std::size_t redirect = 0;  // and which of its redirections it is.
};

class scanner {
public:
  explicit scanner(std::string_view text) : s_(text) { frames_.push_back({}); }

  std::vector<simple_command> run() {
    while (i_ < s_.size())
      step();
    while (frames_.size() > 1)
      close_frame();
    end_segment(frames_.back(), "");
    std::vector<simple_command> out;
    for (auto& seg : segs_)
      if (!seg.words.empty() || !seg.redirects.empty())
        out.push_back(std::move(seg));
    return out;
  }

private:
  char at(std::size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  simple_command& seg_of(const frame& f) {
    return segs_[static_cast<std::size_t>(f.seg)];
  }

  // A segment slot is taken when its first word or redirection starts, so
  // that an outer command precedes the commands substituted into it.
  void take_slot(frame& f) {
    if (f.seg >= 0)
      return;
    f.seg = static_cast<long>(segs_.size());
    segs_.emplace_back();
    segs_.back().begin = i_;
  }

  void start_word(frame& f) {
    if (f.in_word)
      return;
    f.in_word = true;
    f.word.clear();
    take_slot(f);
  }

  void end_word(frame& f) {
    if (!f.in_word)
      return;
    f.in_word = false;
    take_slot(f);
    auto& seg = seg_of(f);
    seg.end = i_;
    if (f.redirect) {
      if (f.heredoc)
        heredocs_.push_back({f.word, f.heredoc_tabs,
                             static_cast<std::size_t>(f.seg),
                             seg.redirects.size()});
      seg.redirects.push_back({f.redirect_op, std::move(f.word), {}});
      f.redirect = f.heredoc = false;
      f.word.clear();
      return;
    }
    seg.words.push_back(std::move(f.word));
    f.word.clear();
  }

  void end_segment(frame& f, std::string_view terminator) {
    end_word(f);
    if (f.seg >= 0)
      seg_of(f).terminator = terminator;
    f.seg = -1;
    f.redirect = f.heredoc = false;
  }

  void open_frame(frame_kind kind, std::string_view marker) {
    frame& f = frames_.back();
    start_word(f);
    f.word += marker;
    frames_.push_back({});
    frames_.back().kind = kind;
  }

  void close_frame() {
    end_segment(frames_.back(), "");
    bool tick = frames_.back().kind == frame_kind::backtick;
    frames_.pop_back();
    frames_.back().word += tick ? "`" : ")";
  }

  // Here-document bodies follow the line that introduced them; they are data.
  // They are kept with their redirection: a shell reading one runs it.
  void skip_heredoc_bodies() {
    for (const auto& doc : heredocs_) {
      std::string& body = segs_[doc.seg].redirects[doc.redirect].body;
      while (i_ < s_.size()) {
        std::size_t eol = s_.find('\n', i_);
        if (eol == std::string_view::npos)
          eol = s_.size();
        std::string_view line = s_.substr(i_, eol - i_);
        i_ = eol < s_.size() ? eol + 1 : eol;
        if (doc.strip_tabs)
          while (!line.empty() && line.front() == '\t')
            line.remove_prefix(1);
        if (line == doc.delimiter)
          break;
        body.append(line).push_back('\n');
      }
    }
    heredocs_.clear();
  }

  // Copies a balanced `( ... )` run verbatim (arithmetic, array values): it
  // holds no commands worth finding.
  void copy_balanced(frame& f) {
    int depth = 0;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      f.word += c;
      if (c == '(')
        ++depth;
      else if (c == ')' && --depth <= 0)
        return;
    }
  }

  void step() {
    frame& f = frames_.back();
    char c = s_[i_];
    if (c == '`') {
      // Inside backticks the next backtick closes them, quotes or not.
      if (f.kind == frame_kind::backtick)
        close_frame();
      else
        open_frame(frame_kind::backtick, "`");
      ++i_;
      return;
    }
    if (c == '$' && at(i_ + 1) == '(' && at(i_ + 2) != '(') {
      open_frame(frame_kind::paren, "$(");
      i_ += 2;
      return;
    }
    if (f.in_dquote) {
      step_dquoted(f, c);
      return;
    }
    step_unquoted(f, c);
  }

  void step_dquoted(frame& f, char c) {
    if (c == '"') {
      f.in_dquote = false;
      ++i_;
    } else if (c == '\\' && i_ + 1 < s_.size()) {
      char n = s_[i_ + 1];
      if (n == '"' || n == '\\' || n == '$' || n == '`')
        f.word += n;
      else if (n != '\n')
        f.word += {c, n};
      i_ += 2;
    } else {
      f.word += c;
      ++i_;
    }
  }

  void step_unquoted(frame& f, char c) {
    switch (c) {
    case '\\':
      if (at(i_ + 1) != '\n' && i_ + 1 < s_.size()) {
        start_word(f);
        f.word += s_[i_ + 1];
      }
      i_ += 2;
      return;
    case '\'': {
      start_word(f);
      std::size_t close = s_.find('\'', i_ + 1);
      std::size_t end = close == std::string_view::npos ? s_.size() : close;
      f.word += s_.substr(i_ + 1, end - i_ - 1);
      i_ = end + 1;
      return;
    }
    case '"':
      start_word(f);
      f.in_dquote = true;
      ++i_;
      return;
    case '$':
      start_word(f);
      if (at(i_ + 1) == '(') {  // `$((`: arithmetic.
        f.word += '$';
        ++i_;
        copy_balanced(f);
      } else if (at(i_ + 1) == '\'') {  // `$'...'`: ANSI-C quoting.
        i_ += 2;
        while (i_ < s_.size() && s_[i_] != '\'') {
          if (s_[i_] == '\\' && i_ + 1 < s_.size())
            f.word += s_[i_++];
          f.word += s_[i_++];
        }
        ++i_;
      } else {
        f.word += c;
        ++i_;
      }
      return;
    case '#':
      if (f.in_word) {
        f.word += c;
        ++i_;
      } else {
        while (i_ < s_.size() && s_[i_] != '\n')
          ++i_;
      }
      return;
    case ' ':
    case '\t':
    case '\r':
      end_word(f);
      ++i_;
      return;
    case '\n':
      end_segment(f, "\n");
      ++i_;
      skip_heredoc_bodies();
      return;
    case '&':
      if (at(i_ + 1) == '>') {  // `&>` / `&>>`: a redirection, not a list.
        end_word(f);
        take_slot(f);
        i_ += 2;
        f.redirect_op = "&>";
        if (at(i_) == '>') {
          ++i_;
          f.redirect_op = "&>>";
        }
        f.redirect = true;
        return;
      }
      [[fallthrough]];
    case ';':
    case '|':
      list_operator(f, c);
      return;
    case '<':
    case '>':
      redirection(f, c);
      return;
    case '(':
      if (f.in_word && !f.word.empty() && f.word.back() == '=') {
        copy_balanced(f);  // `a=(1 2 3)`: an array value.
        return;
      }
      end_word(f);
      // `name()`: nothing but blanks between the parentheses.
      if (f.seg >= 0) {
        std::size_t k = i_ + 1;
        while (at(k) == ' ' || at(k) == '\t')
          ++k;
        seg_of(f).defines_function = at(k) == ')';
      }
      end_segment(f, "(");
      ++f.paren_depth;
      ++i_;
      return;
    case ')':
      if (f.kind == frame_kind::paren && f.paren_depth == 0) {
        close_frame();
      } else {
        end_segment(f, ")");
        if (f.paren_depth > 0)
          --f.paren_depth;
      }
      ++i_;
      return;
    default:
      start_word(f);
      f.word += c;
      ++i_;
    }
  }

  // `;` `&` `|` and their doubled forms end the command; which one it was
  // matters to a reader of the pipeline (`a | b` against `a & b`).
  void list_operator(frame& f, char c) {
    std::string op(1, c);
    char n = at(i_ + 1);
    if (n == c || (c == '|' && n == '&'))
      op += n;
    end_segment(f, op);
    i_ += op.size();
  }

  void redirection(frame& f, char c) {
    if (at(i_ + 1) == '(') {  // `<(cmd)` / `>(cmd)`: process substitution.
      open_frame(frame_kind::paren, c == '<' ? "<(" : ">(");
      i_ += 2;
      return;
    }
    // `2>` names a file descriptor, not an argument.
    bool fd = f.in_word && !f.word.empty() &&
              f.word.find_first_not_of("0123456789") == std::string::npos;
    if (fd)
      f.in_word = false;
    else
      end_word(f);
    take_slot(f);
    std::string op(1, c);
    ++i_;
    while (i_ < s_.size() && op.size() < 3 &&
           std::string_view("<>&|-").find(s_[i_]) != std::string_view::npos)
      op += s_[i_++];
    // `>&-` and `<&-` close a descriptor: no word follows.
    if (op.size() == 3 && op[1] == '&' && op[2] == '-')
      return;
    f.redirect = true;
    f.redirect_op = op;
    f.heredoc = op == "<<" || op == "<<-";
    f.heredoc_tabs = op == "<<-";
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::vector<frame> frames_;
  std::vector<simple_command> segs_;
  std::vector<pending_heredoc> heredocs_;
};

} // namespace

std::vector<shell_words> split_simple_commands(std::string_view command) {
  std::vector<shell_words> out;
  for (auto& c : scanner{command}.run())
    if (!c.words.empty())
      out.push_back(std::move(c.words));
  return out;
}

std::vector<simple_command> split_commands(std::string_view command) {
  return scanner{command}.run();
}

} // namespace cluster
