#include "nsbi/io/json_reader.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "nsbi/core/error.hpp"
#include "nsbi/io/json_writer.hpp"
#include "io_test_util.hpp"

namespace nsbi {
namespace {

using test::error_of;

std::string parse_error(const std::string& text) {
  return error_of<IoError>([&] { parse_json(text, "r.json"); });
}

TEST(JsonReaderTest, ReadsEveryKindOfValue) {
  const JsonValue v = parse_json(
      R"( {"a": [1, -2.5e3, 0, 0.125, 1E-2], "s": "x\"\\\/\n\u00e9\ud83d\ude00", "t": true, "f": false, "n": null,
           "o": {"k": {}}, "e": []} )",
      "w");
  const auto& a = v.at("a").as_array();
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].as_number(), 1.0);
  EXPECT_EQ(a[1].as_number(), -2500.0);
  EXPECT_EQ(a[2].as_number(), 0.0);
  EXPECT_EQ(a[3].as_number(), 0.125);
  EXPECT_EQ(a[4].as_number(), 0.01);
  EXPECT_EQ(v.at("s").as_string(), "x\"\\/\n\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_TRUE(v.at("t").as_bool());
  EXPECT_FALSE(v.at("f").as_bool());
  EXPECT_TRUE(v.at("n").is_null());
  EXPECT_EQ(v.at("o").at("k").as_object().size(), 0u);
  EXPECT_TRUE(v.at("e").as_array().empty());
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_EQ(a[0].find("k"), nullptr);  // not an object
}

TEST(JsonReaderTest, ReadsWhatTheWriterWritesBitForBit) {
  const std::vector<double> values = {0.1, -1.0 / 3.0, 6.02214076e23, 5e-324, 123456789.0};
  std::ostringstream os;
  JsonWriter w(os);
  w.begin_object().key("v").value(std::span<const double>(values));
  w.field("nan", std::numeric_limits<double>::quiet_NaN()).field("name", "tab\there").end_object();
  const JsonValue v = parse_json(os.str(), "w");
  const auto& a = v.at("v").as_array();
  ASSERT_EQ(a.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(a[i].as_number(), values[i]);
  EXPECT_TRUE(v.at("nan").is_null());  // the writer's NaN
  EXPECT_EQ(v.at("name").as_string(), "tab\there");
}

TEST(JsonReaderTest, MalformedInputNamesLineColumnExpectedAndFound) {
  EXPECT_EQ(parse_error("{\"a\": 1,\n \"b\" 2}"), "r.json:2:6: JSON expected ':' after an object key, got '2'");
  EXPECT_EQ(parse_error("[1, 2,]"), "r.json:1:7: JSON expected a value, got ']'");
  EXPECT_EQ(parse_error("{\"a\": 1,}"), "r.json:1:9: JSON expected a string key, got '}'");
  EXPECT_EQ(parse_error("[1 2]"), "r.json:1:4: JSON expected ',' or ']' in an array, got '2'");
  EXPECT_EQ(parse_error("{\"a\": [1}"), "r.json:1:9: JSON expected ',' or ']' in an array, got '}'");
  EXPECT_EQ(parse_error("{\"a\": 1"), "r.json:1:8: JSON expected ',' or '}' in an object, got the end of the text");
  EXPECT_EQ(parse_error(""), "r.json:1:1: JSON expected a value, got the end of the text");
  EXPECT_EQ(parse_error("1 2"), "r.json:1:3: JSON expected the end of the text after the top-level value, got '2'");
  EXPECT_EQ(parse_error("{\"a\": 1, \"a\": 2}"), "r.json:1:10: JSON expected unique object keys, got a second \"a\"");
  EXPECT_EQ(parse_error("\"abc"), "r.json:1:5: JSON expected '\"' closing the string, got the end of the text");
  EXPECT_EQ(parse_error("\"a\nb\""), "r.json:1:3: JSON expected an escaped control character in a string, got byte 0x0A");
  EXPECT_EQ(parse_error("\"\\x\""), "r.json:1:3: JSON expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u, got 'x'");
  EXPECT_EQ(parse_error("\"\\u12g4\""), "r.json:1:6: JSON expected 4 hex digits after \\u, got 'g'");
  EXPECT_EQ(parse_error("tru"), "r.json:1:1: JSON expected 'true', got 't'");
}

TEST(JsonReaderTest, NumbersFollowTheJsonGrammarExactly) {
  for (const char* bad : {"01", "+1", ".5", "1.", "1e", "-", "1e+", "NaN", "Infinity", "-inf"})
    EXPECT_FALSE(parse_error(bad).empty()) << bad;
  EXPECT_EQ(parse_error("01"), "r.json:1:2: JSON expected no leading zero in a number, got '1'");
  EXPECT_EQ(parse_error("1e999"), "r.json:1:1: JSON expected a number within the range of a double, got \"1e999\"");
  EXPECT_EQ(parse_json("-0.0e0", "w").as_number(), 0.0);
  EXPECT_EQ(parse_json("1e-2", "w").as_number(), 0.01);
}

TEST(JsonReaderTest, WrongKindAndMissingMemberNameWhere) {
  const JsonValue v = parse_json(R"({"rounds": 3})", "w");
  EXPECT_EQ(error_of<IoError>([&] { v.at("rounds").as_array("report.json: rounds"); }),
            "report.json: rounds: JSON value expected array, got number");
  EXPECT_EQ(error_of<IoError>([&] { v.at("dim", "sbc.json"); }),
            "sbc.json: JSON object expected a member \"dim\", got none");
}

TEST(JsonReaderTest, DeepNestingIsRefusedNotACrash) {
  const std::string deep(100000, '[');
  EXPECT_NE(parse_error(deep).find("nesting of at most 256 levels"), std::string::npos);
  EXPECT_EQ(parse_json(std::string(200, '[') + std::string(200, ']'), "w").as_array().size(), 1u);
}

TEST(JsonReaderTest, ReadJsonNamesAMissingFile) {
  test::TempDir dir;
  const std::string path = dir.file("absent.json");
  EXPECT_NE(error_of<IoError>([&] { read_json(path); }).find(path), std::string::npos);
  const std::string good = dir.write("r.json", "{\"x\": [1]}\n");
  EXPECT_EQ(read_json(good).at("x").as_array()[0].as_number(), 1.0);
}

}  // namespace
}  // namespace nsbi
