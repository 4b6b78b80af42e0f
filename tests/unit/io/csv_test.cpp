#include "nsbi/io/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "nsbi/core/error.hpp"
#include "io_test_util.hpp"

namespace nsbi {
namespace {

using test::error_of;
using test::read_text;
using test::TempDir;

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

TEST(CsvTest, WritesOneSamplePerRowUnderTheHeader) {
  TempDir dir;
  Eigen::MatrixXd samples(2, 3);  // D = 2, N = 3: columns are samples
  samples << 1.0, 2.0, 3.0,
             0.5, -0.25, 1e-300;
  write_csv(dir.file("a.csv"), samples, {"theta_1", "theta_2"});
  EXPECT_EQ(read_text(dir.file("a.csv")), "theta_1,theta_2\n1,0.5\n2,-0.25\n3,1e-300\n");
}

TEST(CsvTest, RoundTripIsBitExact) {
  TempDir dir;
  const double inf = std::numeric_limits<double>::infinity();
  Eigen::MatrixXd samples(3, 4);
  samples << 0.1, 1.0 / 3.0, -0.0, 5e-324,
             1.7976931348623157e308, -2.2250738585072014e-308, inf, -inf,
             std::numbers::pi, -std::numbers::e, 123456789.123456789, std::nan("");
  write_csv(dir.file("r.csv"), samples, numbered_names("x", 3));
  const CsvTable t = read_csv(dir.file("r.csv"));
  ASSERT_EQ(t.header, (std::vector<std::string>{"x_1", "x_2", "x_3"}));
  ASSERT_EQ(t.rows.rows(), 4);
  ASSERT_EQ(t.rows.cols(), 3);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) {
      if (std::isnan(samples(i, j))) EXPECT_TRUE(std::isnan(t.rows(j, i)));
      else EXPECT_TRUE(same_bits(samples(i, j), t.rows(j, i))) << i << "," << j << ": " << t.rows(j, i);
    }
  }
}

TEST(CsvTest, WritesNoHeaderRowWhenGivenNone) {
  TempDir dir;
  write_csv(dir.file("n.csv"), Eigen::MatrixXd::Constant(1, 2, 7.0), {});
  EXPECT_EQ(read_text(dir.file("n.csv")), "7\n7\n");
}

TEST(CsvTest, FirstRowIsDataWhenAllNumbers) {
  TempDir dir;
  const CsvTable t = read_csv(dir.write("d.csv", "1, 2.5\n-3,+4e2\n"));
  EXPECT_TRUE(t.header.empty());
  ASSERT_EQ(t.rows.rows(), 2);
  EXPECT_EQ(t.rows(0, 1), 2.5);
  EXPECT_EQ(t.rows(1, 0), -3.0);
  EXPECT_EQ(t.rows(1, 1), 400.0);
}

TEST(CsvTest, ReadsHeaderQuotesCrlfAndBlankLines) {
  TempDir dir;
  const CsvTable t = read_csv(dir.write("h.csv", "\"a,1\", \"say \"\"hi\"\"\" ,c\r\n\r\n1,2,3\r\n4,5,nan\r\n\n"));
  EXPECT_EQ(t.header, (std::vector<std::string>{"a,1", "say \"hi\"", "c"}));
  ASSERT_EQ(t.rows.rows(), 2);
  EXPECT_EQ(t.rows(1, 1), 5.0);
  EXPECT_TRUE(std::isnan(t.rows(1, 2)));
}

TEST(CsvTest, HeaderWithNoDataGivesZeroRows) {
  TempDir dir;
  const CsvTable t = read_csv(dir.write("e.csv", "x_1,x_2\n"));
  EXPECT_EQ(t.header.size(), 2u);
  EXPECT_EQ(t.rows.rows(), 0);
  EXPECT_EQ(t.rows.cols(), 2);
}

TEST(CsvTest, NonNumberNamesFileLineColumnAndField) {
  TempDir dir;
  const std::string path = dir.write("bad.csv", "a,b\n1,2\n3,abc\n");
  EXPECT_EQ(error_of<IoError>([&] { read_csv(path); }), path + ":3: column 2 (b) expected a number, got \"abc\"");
}

TEST(CsvTest, EmptyFieldInNumericFirstRowIsAnErrorNotAHeader) {
  TempDir dir;
  const std::string path = dir.write("gap.csv", "1,,2\n");
  EXPECT_EQ(error_of<IoError>([&] { read_csv(path); }), path + ":1: column 2 expected a number, got an empty field");
}

TEST(CsvTest, RaggedRowNamesBothLines) {
  TempDir dir;
  const std::string path = dir.write("rag.csv", "a,b,c\n1,2,3\n\n4,5\n");
  EXPECT_EQ(error_of<IoError>([&] { read_csv(path); }), path + ":4: row expected 3 fields (as in line 1), got 2");
}

TEST(CsvTest, MissingAndEmptyFilesAreIoErrors) {
  TempDir dir;
  const std::string missing = dir.file("nope.csv");
  EXPECT_NE(error_of<IoError>([&] { read_csv(missing); }).find(missing + ": CSV file expected a readable file, got "),
            std::string::npos);
  const std::string empty = dir.write("empty.csv", "\n \n");
  EXPECT_EQ(error_of<IoError>([&] { read_csv(empty); }), empty + ": CSV file expected at least one row, got an empty file");
}

TEST(CsvTest, HeaderOfWrongLengthIsAShapeError) {
  TempDir dir;
  EXPECT_THROW(write_csv(dir.file("w.csv"), Eigen::MatrixXd::Zero(3, 2), {"a", "b"}), ShapeError);
}

TEST(CsvTest, UnwritablePathIsAnIoError) {
  EXPECT_THROW(write_csv("/nonexistent-dir/x.csv", Eigen::MatrixXd::Zero(1, 1), {"a"}), IoError);
}

}  // namespace
}  // namespace nsbi
