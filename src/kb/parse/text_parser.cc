// Plain text, plus the text sniffers and small text helpers shared by the text formats.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "kb/parse/parsers.h"
#include "kb/parse/text_encoding.h"

namespace savoir::kb::parse_internal {
namespace {

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\f' && c != '\v') return false;
  }
  return true;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// If `line` (left-trimmed) starts with a list marker, returns the marker's length and sets
// `*number` (0 for bullets).
size_t ListMarker(std::string_view line, int* number) {
  *number = 0;
  if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') {
    return 2;
  }
  for (std::string_view bullet : {"\u2022 ", "\u2013 ", "\u25CF ", "\u25AA "}) {
    if (line.substr(0, bullet.size()) == bullet) return bullet.size();
  }
  size_t i = 0;
  int n = 0;
  while (i < line.size() && i < 3 && std::isdigit(static_cast<unsigned char>(line[i]))) {
    n = n * 10 + (line[i] - '0');
    ++i;
  }
  if (i > 0 && i + 1 < line.size() && (line[i] == '.' || line[i] == ')') && line[i + 1] == ' ') {
    *number = n > 0 ? n : 1;
    return i + 2;
  }
  return 0;
}

// Emits one blank-line separated paragraph of plain text: lines starting with a list marker
// become list items (continued by the indented lines after them), other lines are joined.
bool EmitPlainParagraph(std::string_view para, DocumentBuilder* b) {
  std::string text;
  int number = 0;
  bool in_item = false;
  auto flush = [&]() {
    const bool ok = in_item ? b->AddListItem(1, number, text) : b->AddParagraph(text);
    text.clear();
    return ok;
  };
  size_t pos = 0;
  while (pos <= para.size()) {
    size_t eol = para.find('\n', pos);
    if (eol == std::string_view::npos) eol = para.size();
    const std::string_view raw = para.substr(pos, eol - pos);
    const std::string_view line = TrimLeft(raw);
    int n = 0;
    const size_t marker = ListMarker(line, &n);
    if (marker > 0) {
      if (!text.empty() && !flush()) return false;
      in_item = true;
      number = n;
      AppendCollapsed(line.substr(marker), &text);
      text.push_back(' ');
    } else {
      if (in_item && line.size() == raw.size() && !text.empty()) {
        // An unindented line after a list item ends the item.
        if (!flush()) return false;
        in_item = false;
      }
      AppendCollapsed(line, &text);
      text.push_back(' ');
    }
    pos = eol + 1;
  }
  return text.empty() || flush();
}

// Signals of Markdown syntax in one line: strong ones (headings, fences, setext underlines,
// tables, links) and weak ones (list markers, quotes, emphasis, code spans) that plain text
// uses too.
void ScoreMarkdownLine(std::string_view line, std::string_view previous, int* strong, int* weak) {
  const std::string_view t = TrimLeft(line);
  if (t.empty()) return;
  if (t[0] == '#') {
    size_t n = t.find_first_not_of('#');
    if (n != std::string_view::npos && n <= 6 && t[n] == ' ') *strong += 3;
  }
  if (t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~") *strong += 3;
  if (!previous.empty() && !IsBlank(previous) && t.size() >= 3 && (t[0] == '=' || t[0] == '-') &&
      t.find_first_not_of(t[0]) == std::string_view::npos) {
    *strong += 2;
  }
  if (t[0] == '|' && t.find("---") != std::string_view::npos) *strong += 3;
  const size_t link = t.find("](");
  if (link != std::string_view::npos && t.rfind('[', link) != std::string_view::npos) *strong += 2;
  int number = 0;
  if (ListMarker(t, &number) > 0 || (t[0] == '>' && t.size() > 1 && t[1] == ' ') ||
      t.find("**") != std::string_view::npos || t.find('`') != std::string_view::npos) {
    *weak += 1;
  }
}

struct Entity {
  std::string_view name;
  uint32_t cp;
};
constexpr std::array<Entity, 24> kEntities = {{
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122}, {"hellip", 0x2026},
    {"mdash", 0x2014}, {"ndash", 0x2013}, {"laquo", 0xAB},   {"raquo", 0xBB},   {"euro", 0x20AC},
    {"eacute", 0xE9},  {"egrave", 0xE8},  {"agrave", 0xE0},  {"ccedil", 0xE7},  {"rsquo", 0x2019},
    {"lsquo", 0x2018}, {"rdquo", 0x201D}, {"ldquo", 0x201C}, {"middot", 0xB7},
}};

}  // namespace

std::string DecodeEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) break;
    out.append(text.substr(i, amp - i));
    const size_t semi = text.find(';', amp);
    i = amp + 1;
    if (semi == std::string_view::npos || semi - amp > 32) {
      out.push_back('&');
      continue;
    }
    const std::string_view ref = text.substr(amp + 1, semi - amp - 1);
    uint32_t cp = 0;
    bool found = false;
    if (ref.size() >= 2 && ref[0] == '#') {
      const bool hex = ref[1] == 'x' || ref[1] == 'X';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      found = !digits.empty() && digits.size() <= 8;
      for (char c : digits) {
        const int d = std::isdigit(static_cast<unsigned char>(c))
                          ? c - '0'
                          : (hex && std::isxdigit(static_cast<unsigned char>(c))
                                 ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                                 : -1);
        if (d < 0) found = false;
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d < 0 ? 0 : d);
      }
      if (cp == 0) cp = 0xFFFD;
    } else {
      for (const Entity& e : kEntities) {
        if (e.name == ref) {
          cp = e.cp;
          found = true;
        }
      }
    }
    if (!found) {
      out.push_back('&');
      continue;
    }
    AppendUtf8(cp, &out);
    i = semi + 1;
  }
  out.append(text.substr(i));
  return out;
}

FrontMatter ReadFrontMatter(std::string_view text) {
  FrontMatter fm;
  if (text.substr(0, 4) != "---\n") return fm;
  const size_t close = text.find("\n---", 3);
  if (close == std::string_view::npos) return fm;
  size_t end = close + 4;
  if (end < text.size() && text[end] != '\n') return fm;
  fm.length = end < text.size() ? end + 1 : end;
  std::string_view body = text.substr(4, close - 3);
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    if (eol == std::string_view::npos) eol = body.size();
    std::string_view line = body.substr(pos, eol - pos);
    pos = eol + 1;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = CollapseWhitespace(line.substr(0, colon));
    std::string value = CollapseWhitespace(line.substr(colon + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (key == "title") fm.title = value;
    if (key == "author") fm.author = value;
    if (key == "date") fm.date = value;
  }
  return fm;
}

bool LooksLikeHtml(std::string_view text) {
  std::string_view t = text.substr(0, 4096);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  if (t.empty() || t[0] != '<') return false;
  if (StartsWithNoCase(t, "<!doctype html") || StartsWithNoCase(t, "<html")) return true;
  std::string lower(t);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("<html") != std::string::npos || lower.find("<body") != std::string::npos ||
      lower.find("<head") != std::string::npos) {
    return true;
  }
  for (std::string_view tag : {"<div", "<p>", "<p ", "<h1", "<h2", "<table", "<ul", "<section",
                               "<article", "<main", "<title", "<meta"}) {
    if (StartsWithNoCase(t, tag)) return true;
  }
  return false;
}

bool LooksLikeMarkdown(std::string_view text) {
  int strong = ReadFrontMatter(text).length > 0 ? 2 : 0;
  int weak = 0;
  std::string_view previous;
  size_t pos = 0;
  const size_t limit = text.size() < 65536 ? text.size() : 65536;
  while (pos < limit && strong + std::min(weak, 1) < 3) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    ScoreMarkdownLine(line, previous, &strong, &weak);
    previous = line;
    pos = eol + 1;
  }
  return strong + std::min(weak, 1) >= 3;
}

bool AppendPlainTextBlocks(std::string_view text, DocumentBuilder* b) {
  size_t pos = 0;
  size_t para_start = 0;
  bool in_para = false;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const bool blank = IsBlank(text.substr(pos, eol - pos));
    if (!blank && !in_para) {
      in_para = true;
      para_start = pos;
    }
    if ((blank || eol == text.size()) && in_para) {
      in_para = false;
      const size_t para_end = blank ? pos : eol;
      if (!EmitPlainParagraph(text.substr(para_start, para_end - para_start), b)) return false;
    }
    pos = eol + 1;
  }
  return b->status().ok();
}

StatusOr<ParsedDocument> ParsePlainText(std::string_view text, const ParseContext& ctx) {
  DocumentBuilder b(ctx.options().max_output_bytes);
  AppendPlainTextBlocks(text, &b);
  SAVOIR_RETURN_IF_ERROR(b.status());
  ParsedDocument doc = std::move(b).Finish();
  doc.type = DocumentType::kPlainText;
  return doc;
}

}  // namespace savoir::kb::parse_internal
