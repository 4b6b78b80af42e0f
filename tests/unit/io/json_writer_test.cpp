#include "nsbi/io/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "io_test_util.hpp"

namespace nsbi {
namespace {

TEST(JsonWriterTest, CompactNestedDocument) {
  std::ostringstream os;
  JsonWriter w(os, 0);
  w.begin_object()
      .field("name", "two_moons")
      .field("seed", std::uint64_t{18446744073709551615u})
      .field("rank", -3)
      .field("ok", true)
      .key("losses").value(std::vector<double>{0.5, -1.25})
      .key("nested").begin_array().begin_object().end_object().begin_array().end_array().null().end_array()
      .end_object();
  EXPECT_EQ(os.str(),
            "{\"name\":\"two_moons\",\"seed\":18446744073709551615,\"rank\":-3,\"ok\":true,"
            "\"losses\":[0.5,-1.25],\"nested\":[{},[],null]}");
  EXPECT_TRUE(w.complete());
}

TEST(JsonWriterTest, IndentedLayoutKeepsScalarArraysOnOneLine) {
  std::ostringstream os;
  JsonWriter w(os);
  w.begin_object().key("a").value(std::vector<double>{1, 2, 3});
  w.key("runs").begin_array().begin_object().field("t", 1.5).end_object().end_array();
  w.key("empty").begin_object().end_object();
  w.end_object();
  EXPECT_EQ(os.str(),
            "{\n"
            "  \"a\": [1, 2, 3],\n"
            "  \"runs\": [\n"
            "    {\n"
            "      \"t\": 1.5\n"
            "    }\n"
            "  ],\n"
            "  \"empty\": {}\n"
            "}\n");
}

TEST(JsonWriterTest, NumbersRoundTripAndNonFiniteIsNull) {
  const double values[] = {0.1, 1.0 / 3.0, 1e300, -5e-324, 123456789012345678.0, 0.0};
  for (const double v : values) {
    std::ostringstream os;
    JsonWriter(os, 0).value(v);
    EXPECT_EQ(std::strtod(os.str().c_str(), nullptr), v) << os.str();
  }
  std::ostringstream os;
  JsonWriter w(os, 0);
  w.begin_array()
      .value(std::numeric_limits<double>::quiet_NaN())
      .value(std::numeric_limits<double>::infinity())
      .value(-std::numeric_limits<double>::infinity())
      .end_array();
  EXPECT_EQ(os.str(), "[null,null,null]");
}

TEST(JsonWriterTest, StringsAreEscaped) {
  EXPECT_EQ(JsonWriter::quote("a\"b\\c\nd\te\x01\x1f" "\xc3\xa9"), "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\xc3\xa9\"");
  std::ostringstream os;
  JsonWriter(os, 0).begin_object().field("k\"ey", "v\r").end_object();
  EXPECT_EQ(os.str(), "{\"k\\\"ey\":\"v\\r\"}");
}

TEST(JsonWriterTest, MisuseThrowsLogicError) {
  std::ostringstream os;
  JsonWriter a(os);
  a.begin_object();
  EXPECT_THROW(a.value(1), std::logic_error);  // no key
  EXPECT_THROW(a.end_array(), std::logic_error);
  a.key("k");
  EXPECT_THROW(a.key("k2"), std::logic_error);
  EXPECT_THROW(a.end_object(), std::logic_error);  // key without value
  a.value(1).end_object();
  EXPECT_TRUE(a.complete());
  EXPECT_THROW(a.begin_array(), std::logic_error);  // second root

  JsonWriter b(os);
  b.begin_array();
  EXPECT_THROW(b.key("k"), std::logic_error);
  EXPECT_FALSE(b.complete());
}

// Independent parser: Python's json module (skipped without python3).
TEST(JsonWriterTest, PythonJsonParsesTheOutput) {
  const auto python = test::python_with("json");
  if (!python) GTEST_SKIP() << "no python3";
  test::TempDir dir;
  std::ostringstream os;
  JsonWriter w(os);
  w.begin_object().field("s", "quote \" backslash \\ newline \n ctl \x02").field("x", 0.1).field("n", -7);
  w.key("l").begin_array().value(std::nan("")).value(2.5e-8).begin_object().field("b", false).end_object().end_array();
  w.end_object();
  dir.write("r.json", os.str());
  const std::string script =
      "import json, sys\n"
      "r = json.load(open(sys.argv[1]))\n"
      "assert r == {'s': 'quote \" backslash \\\\ newline \\n ctl \\x02', 'x': 0.1, 'n': -7,"
      " 'l': [None, 2.5e-8, {'b': False}]}, r\n";
  dir.write("check.py", script);
  const std::string cmd = *python + " " + dir.file("check.py") + " " + dir.file("r.json");
  EXPECT_EQ(std::system(cmd.c_str()), 0) << os.str();
}

}  // namespace
}  // namespace nsbi
