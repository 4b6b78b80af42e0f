#include "nsbi/io/json_reader.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

constexpr int kMaxDepth = 256;  // deeper nesting is not a file nsbi wrote; refuse before the stack does

// Recursive descent over the RFC 8259 grammar, tracking the byte offset for messages.
class Parser {
 public:
  Parser(std::string_view text, const std::string& where) : s_(text), where_(where) {}

  JsonValue document() {
    skip_space();
    JsonValue v = value(0);
    skip_space();
    if (pos_ != s_.size()) fail("the end of the text after the top-level value", found());
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& expected, const std::string& got) const {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw IoError(make_message(where_ + ":" + std::to_string(line) + ":" + std::to_string(col), "JSON", expected, got));
  }

  std::string found() const {
    if (pos_ >= s_.size()) return "the end of the text";
    const unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (c < 0x20 || c >= 0x7F) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "byte 0x%02X", c);
      return buf;
    }
    return "'" + std::string(1, static_cast<char>(c)) + "'";
  }

  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  bool peek(char c) const { return pos_ < s_.size() && s_[pos_] == c; }

  void expect(char c, const char* what) {
    if (!peek(c)) fail(what, found());
    ++pos_;
  }

  JsonValue value(int depth) {
    if (depth > kMaxDepth) fail("nesting of at most " + std::to_string(kMaxDepth) + " levels", "deeper nesting");
    if (pos_ >= s_.size()) fail("a value", found());
    switch (s_[pos_]) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return JsonValue(string());
      case 't': literal("true"); return JsonValue(true);
      case 'f': literal("false"); return JsonValue(false);
      case 'n': literal("null"); return JsonValue();
      default:
        if (s_[pos_] == '-' || (s_[pos_] >= '0' && s_[pos_] <= '9')) return JsonValue(number());
        fail("a value", found());
    }
  }

  void literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) fail("'" + std::string(word) + "'", found());
    pos_ += word.size();
  }

  JsonValue object(int depth) {
    ++pos_;  // '{'
    JsonValue::Object members;
    skip_space();
    if (peek('}')) {
      ++pos_;
      return JsonValue(std::move(members));
    }
    while (true) {
      skip_space();
      if (!peek('"')) fail("a string key", found());
      const std::size_t key_pos = pos_;
      std::string key = string();
      skip_space();
      expect(':', "':' after an object key");
      skip_space();
      JsonValue v = value(depth + 1);
      if (!members.emplace(key, std::move(v)).second) {
        pos_ = key_pos;
        fail("unique object keys", "a second \"" + key + "\"");
      }
      skip_space();
      if (peek(',')) {
        ++pos_;
        continue;
      }
      expect('}', "',' or '}' in an object");
      return JsonValue(std::move(members));
    }
  }

  JsonValue array(int depth) {
    ++pos_;  // '['
    JsonValue::Array items;
    skip_space();
    if (peek(']')) {
      ++pos_;
      return JsonValue(std::move(items));
    }
    while (true) {
      skip_space();
      items.push_back(value(depth + 1));
      skip_space();
      if (peek(',')) {
        ++pos_;
        continue;
      }
      expect(']', "',' or ']' in an array");
      return JsonValue(std::move(items));
    }
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      if (pos_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_]))) fail("4 hex digits after \\u", found());
      const char c = s_[pos_++];
      v = v * 16 + static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string string() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) fail("'\"' closing the string", found());
      const char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("an escaped control character in a string", found());
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) fail("an escape character after '\\'", found());
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00) {
            if (s_.substr(pos_, 2) != "\\u") fail("a low surrogate \\uDC00..\\uDFFF after a high surrogate", found());
            pos_ += 2;
            const unsigned lo = hex4();
            if (lo < 0xDC00 || lo >= 0xE000) fail("a low surrogate \\uDC00..\\uDFFF after a high surrogate", "another \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            fail("a high surrogate before a low one", "a lone low surrogate");
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          fail("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u", found());
      }
    }
  }

  bool digit() const { return pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9'; }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  double number() {
    const std::size_t start = pos_;
    if (peek('-')) ++pos_;
    if (peek('0')) {
      ++pos_;
      if (digit()) fail("no leading zero in a number", found());
    } else if (digit()) {
      while (digit()) ++pos_;
    } else {
      fail("a digit in a number", found());
    }
    if (peek('.')) {
      ++pos_;
      if (!digit()) fail("a digit after '.' in a number", found());
      while (digit()) ++pos_;
    }
    if (peek('e') || peek('E')) {
      ++pos_;
      if (peek('+') || peek('-')) ++pos_;
      if (!digit()) fail("a digit in a number's exponent", found());
      while (digit()) ++pos_;
    }
    double v = 0;
    const auto r = std::from_chars(s_.data() + start, s_.data() + pos_, v);
    if (r.ec == std::errc::result_out_of_range) {
      pos_ = start;
      fail("a number within the range of a double", "\"" + std::string(s_.substr(start, r.ptr - s_.data() - start)) + "\"");
    }
    return v;
  }

  std::string_view s_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

template <class T>
const T& get(const auto& v, JsonValue::Kind want, JsonValue::Kind have, std::string_view where) {
  if (const T* p = std::get_if<T>(&v)) return *p;
  throw IoError(make_message(std::string(where), "JSON value", to_string(want), to_string(have)));
}

}  // namespace

std::string to_string(JsonValue::Kind kind) {
  switch (kind) {
    case JsonValue::Kind::null: return "null";
    case JsonValue::Kind::boolean: return "boolean";
    case JsonValue::Kind::number: return "number";
    case JsonValue::Kind::string: return "string";
    case JsonValue::Kind::array: return "array";
    case JsonValue::Kind::object: return "object";
  }
  return "unknown";
}

bool JsonValue::as_bool(std::string_view where) const { return get<bool>(v_, Kind::boolean, kind(), where); }
double JsonValue::as_number(std::string_view where) const { return get<double>(v_, Kind::number, kind(), where); }
const std::string& JsonValue::as_string(std::string_view where) const {
  return get<std::string>(v_, Kind::string, kind(), where);
}
const JsonValue::Array& JsonValue::as_array(std::string_view where) const {
  return get<Array>(v_, Kind::array, kind(), where);
}
const JsonValue::Object& JsonValue::as_object(std::string_view where) const {
  return get<Object>(v_, Kind::object, kind(), where);
}

const JsonValue* JsonValue::find(std::string_view key) const {
  const auto* o = std::get_if<Object>(&v_);
  if (!o) return nullptr;
  const auto it = o->find(key);
  return it == o->end() ? nullptr : &it->second;
}

const JsonValue& JsonValue::at(std::string_view key, std::string_view where) const {
  const Object& o = as_object(where);
  const auto it = o.find(key);
  if (it == o.end())
    throw IoError(make_message(std::string(where), "JSON object", "a member \"" + std::string(key) + "\"", "none"));
  return it->second;
}

JsonValue parse_json(std::string_view text, const std::string& where) { return Parser(text, where).document(); }

JsonValue read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(make_message(path, "JSON file", "a readable file", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw IoError(make_message(path, "JSON file", "a readable file", "a read error"));
  return parse_json(text.str(), path);
}

}  // namespace nsbi
