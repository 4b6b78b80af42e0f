#pragma once
// A small streaming JSON writer for report.json: objects, arrays, strings (escaped), numbers with
// round-trip precision, booleans and null. Non-finite doubles are written as null (JSON has no
// NaN or infinity). Misuse (a value where a key is due, unbalanced ends) throws std::logic_error:
// that is a bug in the caller, not bad user input.
//
//   JsonWriter w(out);
//   w.begin_object().field("seed", 1).key("losses").begin_array();
//   for (double l : losses) w.value(l);
//   w.end_array().end_object();
#include <concepts>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nsbi {

class JsonWriter {
 public:
  /// `indent` spaces per level; 0 writes compact JSON on one line. Arrays of scalars stay on one
  /// line either way (long loss curves remain readable).
  explicit JsonWriter(std::ostream& out, int indent = 2);

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// The next member's name; only directly inside an object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(double v);  // shortest round-trip decimal; NaN/±inf → null
  JsonWriter& value(bool v);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  JsonWriter& value(T v) {
    if constexpr (std::is_signed_v<T>) return write_integer(static_cast<std::int64_t>(v));
    else return write_unsigned(static_cast<std::uint64_t>(v));
  }
  JsonWriter& null();
  /// An array of numbers.
  JsonWriter& value(std::span<const double> values);

  /// key(name).value(v).
  template <class T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  /// True once exactly one complete top-level value has been written.
  bool complete() const { return stack_.empty() && root_done_; }

  /// `s` as a JSON string literal, quotes included.
  static std::string quote(std::string_view s);

 private:
  enum class Scope { object, array };
  struct Level {
    Scope scope;
    int count = 0;              // members / elements written so far
    bool expect_value = false;  // object: a key was written
    bool has_container = false; // array: holds an object or array → one element per line
  };

  JsonWriter& write_integer(std::int64_t v);
  JsonWriter& write_unsigned(std::uint64_t v);
  JsonWriter& write_scalar(std::string_view text);
  void before_value(bool is_container);
  void newline(std::size_t depth);

  std::ostream& out_;
  int indent_;
  std::vector<Level> stack_;
  bool root_done_ = false;
};

}  // namespace nsbi
