#include "nsbi/io/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace nsbi {

JsonWriter::JsonWriter(std::ostream& out, int indent) : out_(out), indent_(indent < 0 ? 0 : indent) {}

void JsonWriter::newline(std::size_t depth) {
  if (indent_ == 0) return;
  out_ << '\n' << std::string(depth * static_cast<std::size_t>(indent_), ' ');
}

void JsonWriter::before_value(bool is_container) {
  if (stack_.empty()) {
    if (root_done_) throw std::logic_error("JsonWriter: a second top-level value");
    return;
  }
  Level& top = stack_.back();
  if (top.scope == Scope::object) {
    if (!top.expect_value) throw std::logic_error("JsonWriter: a value inside an object needs a key first");
    top.expect_value = false;
    return;
  }
  if (top.count > 0) out_ << ',';
  if (is_container) top.has_container = true;
  if (top.has_container) {
    newline(stack_.size());
  } else if (top.count > 0 && indent_ > 0) {
    out_ << ' ';
  }
  ++top.count;
}

JsonWriter& JsonWriter::begin_object() {
  before_value(true);
  out_ << '{';
  stack_.push_back({Scope::object});
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value(true);
  out_ << '[';
  stack_.push_back({Scope::array});
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  if (stack_.empty() || stack_.back().scope != Scope::object) throw std::logic_error("JsonWriter: end_object without an open object");
  if (stack_.back().expect_value) throw std::logic_error("JsonWriter: end_object right after a key");
  const bool had_members = stack_.back().count > 0;
  stack_.pop_back();
  if (had_members) newline(stack_.size());
  out_ << '}';
  if (stack_.empty()) {
    root_done_ = true;
    if (indent_ > 0) out_ << '\n';
  }
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  if (stack_.empty() || stack_.back().scope != Scope::array) throw std::logic_error("JsonWriter: end_array without an open array");
  const bool multiline = stack_.back().has_container;
  stack_.pop_back();
  if (multiline) newline(stack_.size());
  out_ << ']';
  if (stack_.empty()) {
    root_done_ = true;
    if (indent_ > 0) out_ << '\n';
  }
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (stack_.empty() || stack_.back().scope != Scope::object) throw std::logic_error("JsonWriter: key outside an object");
  Level& top = stack_.back();
  if (top.expect_value) throw std::logic_error("JsonWriter: two keys in a row");
  if (top.count > 0) out_ << ',';
  newline(stack_.size());
  out_ << quote(name) << (indent_ > 0 ? ": " : ":");
  top.expect_value = true;
  ++top.count;
  return *this;
}

JsonWriter& JsonWriter::write_scalar(std::string_view text) {
  before_value(false);
  out_ << text;
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  if (!std::isfinite(v)) return null();
  char buf[32];
  // Shortest decimal that reads back to the same double; always valid JSON for finite values.
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return write_scalar(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

JsonWriter& JsonWriter::write_integer(std::int64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return write_scalar(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

JsonWriter& JsonWriter::write_unsigned(std::uint64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return write_scalar(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

JsonWriter& JsonWriter::value(bool v) { return write_scalar(v ? "true" : "false"); }
JsonWriter& JsonWriter::null() { return write_scalar("null"); }
JsonWriter& JsonWriter::value(std::string_view s) { return write_scalar(quote(s)); }

JsonWriter& JsonWriter::value(std::span<const double> values) {
  begin_array();
  for (const double v : values) value(v);
  return end_array();
}

std::string JsonWriter::quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          // Other control characters: \u00XX. Bytes >= 0x80 (UTF-8) pass through unchanged.
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace nsbi
