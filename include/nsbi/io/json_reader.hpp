#pragma once
// A small strict JSON reader (RFC 8259) for the files nsbi writes itself: report.json and
// sbc/sbc.json. The whole text must be one value; no comments, no trailing commas, no NaN. Errors
// name the file (or the `where` given), the line and column (1-based), what was expected and what
// was found, as IoError.
//
//   const JsonValue report = read_json(run_dir + "/report.json");
//   for (const JsonValue& r : report.at("rounds").as_array()) r.at("round").as_number();
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace nsbi {

class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Object = std::map<std::string, JsonValue, std::less<>>;
  enum class Kind { null, boolean, number, string, array, object };

  JsonValue() = default;  // null
  explicit JsonValue(bool b) : v_(b) {}
  explicit JsonValue(double d) : v_(d) {}
  explicit JsonValue(std::string s) : v_(std::move(s)) {}
  explicit JsonValue(Array a) : v_(std::move(a)) {}
  explicit JsonValue(Object o) : v_(std::move(o)) {}

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::null; }
  bool is_number() const { return kind() == Kind::number; }

  /// The value as the given type; IoError "<where>: JSON value expected <type>, got <kind>"
  /// otherwise (`where` names the file and member for the message).
  bool as_bool(std::string_view where = "JSON") const;
  double as_number(std::string_view where = "JSON") const;
  const std::string& as_string(std::string_view where = "JSON") const;
  const Array& as_array(std::string_view where = "JSON") const;
  const Object& as_object(std::string_view where = "JSON") const;

  /// Object member `key`, or nullptr when this is not an object or has no such member.
  const JsonValue* find(std::string_view key) const;
  /// Object member `key`; IoError naming `where` and the key when absent.
  const JsonValue& at(std::string_view key, std::string_view where = "JSON") const;

 private:
  std::variant<std::monostate, bool, double, std::string, Array, Object> v_;
};

/// "null", "boolean", "number", "string", "array", "object".
std::string to_string(JsonValue::Kind kind);

/// Parses `text` as one JSON value. Strings may hold \uXXXX escapes (surrogate pairs joined,
/// encoded as UTF-8); numbers follow the JSON grammar exactly (no leading '+', no leading zeros,
/// no bare '.5'); duplicate object keys are an error. `where` starts every error message.
JsonValue parse_json(std::string_view text, const std::string& where);

/// Reads and parses the file at `path`; IoError naming the file if it cannot be read.
JsonValue read_json(const std::string& path);

}  // namespace nsbi
