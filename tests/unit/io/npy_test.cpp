#include "nsbi/io/npy.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "nsbi/core/error.hpp"
#include "nsbi/io/csv.hpp"
#include "io_test_util.hpp"

namespace nsbi {
namespace {

using test::read_text;
using test::TempDir;

Eigen::MatrixXd example(int d, int n) {
  Eigen::MatrixXd m(d, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < d; ++i) m(i, j) = 1.0 / (1 + i + 10 * j) - 0.1 * j;
  return m;
}

TEST(NpyTest, HeaderIsVersion1WithShapeNByDAndAlignedData) {
  TempDir dir;
  const Eigen::MatrixXd m = example(3, 5);
  write_npy(dir.file("m.npy"), m);
  const std::string bytes = read_text(dir.file("m.npy"));
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  const std::size_t offset = 10 + header_len;
  EXPECT_EQ(offset % 64, 0u);
  const std::string dict = bytes.substr(10, header_len);
  EXPECT_EQ(dict.back(), '\n');
  EXPECT_NE(dict.find("'descr': '<f8'"), std::string::npos) << dict;
  EXPECT_NE(dict.find("'fortran_order': False"), std::string::npos) << dict;
  EXPECT_NE(dict.find("'shape': (5, 3)"), std::string::npos) << dict;
  ASSERT_EQ(bytes.size(), offset + 15 * sizeof(double));
  // C order (N, D): row i of the array is sample i, i.e. column i of the D×N matrix.
  double row1[3];
  std::memcpy(row1, bytes.data() + offset + 3 * sizeof(double), sizeof(row1));
  EXPECT_EQ(row1[0], m(0, 1));
  EXPECT_EQ(row1[1], m(1, 1));
  EXPECT_EQ(row1[2], m(2, 1));
}

TEST(NpyTest, MatrixRoundTripIncludingAStridedBlock) {
  TempDir dir;
  const Eigen::MatrixXd m = example(4, 7);
  write_npy(dir.file("m.npy"), m);
  EXPECT_EQ(read_npy_matrix(dir.file("m.npy")), m);

  write_npy(dir.file("b.npy"), m.block(1, 2, 2, 3));
  const Eigen::MatrixXd b = read_npy_matrix(dir.file("b.npy"));
  EXPECT_EQ(b, m.block(1, 2, 2, 3));
}

// x.npy as simulations arrive: blocks of rows in any order, the shape set (and set again, larger,
// for a further round) by finish(); what it holds reads back as the matrix written at once.
TEST(NpyTest, RowsFileTakesBlocksInAnyOrder) {
  TempDir dir;
  const Eigen::MatrixXd m = example(3, 9);
  {
    NpyRowsFile f(dir.file("x.npy"), 3);
    EXPECT_EQ(read_npy_matrix(dir.file("x.npy")).cols(), 0);  // a valid empty array at once
    f.write(4, m.col(4).data(), 3);  // rows 4–6
    f.write(0, m.col(0).data(), 4);
    f.finish(7);
    EXPECT_EQ(read_npy_matrix(dir.file("x.npy")), m.leftCols(7));
    f.write(7, m.col(7).data(), 2);
    f.finish(9);
  }
  EXPECT_EQ(read_npy_matrix(dir.file("x.npy")), m);
  const std::string bytes = read_text(dir.file("x.npy"));
  EXPECT_EQ(bytes.size(), 128u + 9 * 3 * sizeof(double));
  EXPECT_THROW(NpyRowsFile(dir.file("no/such/dir/x.npy"), 3), IoError);
}

TEST(NpyTest, EmptyMatrixRoundTrip) {
  TempDir dir;
  write_npy(dir.file("e.npy"), Eigen::MatrixXd(3, 0));
  const Eigen::MatrixXd e = read_npy_matrix(dir.file("e.npy"));
  EXPECT_EQ(e.rows(), 3);
  EXPECT_EQ(e.cols(), 0);
}

TEST(NpyTest, Uint8RoundTrip) {
  TempDir dir;
  const std::vector<std::uint8_t> status{0, 1, 4, 255, 0};
  write_npy(dir.file("s.npy"), status);
  EXPECT_NE(read_text(dir.file("s.npy")).find("'shape': (5,)"), std::string::npos);
  EXPECT_EQ(read_npy_u8(dir.file("s.npy")), status);
}

TEST(NpyTest, BadFilesAreIoErrors) {
  TempDir dir;
  EXPECT_THROW(read_npy_matrix(dir.file("missing.npy")), IoError);
  EXPECT_THROW(read_npy_matrix(dir.write("text.npy", "x_1,x_2\n1,2\n")), IoError);

  write_npy(dir.file("m.npy"), example(2, 4));
  const std::string full = read_text(dir.file("m.npy"));
  const std::string truncated = dir.write("t.npy", full.substr(0, full.size() - 3));
  try {
    read_npy_matrix(truncated);
    FAIL() << "truncated file accepted";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_npy_u8(dir.file("m.npy")), IoError);  // float64, not uint8
  write_npy(dir.file("s.npy"), std::vector<std::uint8_t>{1, 2});
  EXPECT_THROW(read_npy_matrix(dir.file("s.npy")), IoError);  // uint8, not float64
}

// Independent reader and writer: numpy itself (skipped when no python3 can import numpy).
TEST(NpyTest, NumpyLoadsOurFilesAndWeReadNumpys) {
  const auto python = test::python_with("numpy");
  if (!python) GTEST_SKIP() << "no python3 with numpy";
  TempDir dir;
  const Eigen::MatrixXd m = example(3, 6);
  write_npy(dir.file("m.npy"), m);
  write_csv(dir.file("m.csv"), m, numbered_names("x", 3));
  write_npy(dir.file("s.npy"), std::vector<std::uint8_t>{0, 3, 1});
  const std::string script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "a = np.load(d + '/m.npy')\n"
      "assert a.dtype == np.float64 and a.shape == (6, 3), (a.dtype, a.shape)\n"
      "assert (a == np.loadtxt(d + '/m.csv', delimiter=',', skiprows=1)).all()\n"
      "s = np.load(d + '/s.npy')\n"
      "assert s.dtype == np.uint8 and list(s) == [0, 3, 1], s\n"
      "f = np.asfortranarray(np.arange(12.0).reshape(4, 3) / 7)\n"
      "np.save(d + '/f.npy', f)\n"
      "np.save(d + '/v.npy', np.array([0.5, -1.5]))\n"
      "np.save(d + '/u.npy', np.array([7, 9], dtype=np.uint8))\n";
  dir.write("check.py", script);
  const std::string cmd = *python + " " + dir.file("check.py") + " " + dir.path.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

  const Eigen::MatrixXd f = read_npy_matrix(dir.file("f.npy"));  // Fortran order (4, 3)
  ASSERT_EQ(f.rows(), 3);
  ASSERT_EQ(f.cols(), 4);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(f(j, i), (3.0 * i + j) / 7) << i << "," << j;
  const Eigen::MatrixXd v = read_npy_matrix(dir.file("v.npy"));  // shape (2,) → 1×2
  ASSERT_EQ(v.rows(), 1);
  ASSERT_EQ(v.cols(), 2);
  EXPECT_EQ(v(0, 1), -1.5);
  EXPECT_EQ(read_npy_u8(dir.file("u.npy")), (std::vector<std::uint8_t>{7, 9}));
}

TEST(NpyTest, Int64MatrixRoundTripAndNumpysInt64) {
  TempDir dir;
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> r(2, 3);  // D = 2, N = 3
  r << 0, 5, -7, 100, 1LL << 40, 3;  // row-major: sample i is column i, (0, 100), (5, 2^40), (-7, 3)
  write_npy(dir.file("r.npy"), r);
  EXPECT_EQ(read_npy_int64_matrix(dir.file("r.npy")), r);
  EXPECT_NE(read_text(dir.file("r.npy")).find("'descr': '<i8'"), std::string::npos);
  EXPECT_NE(read_text(dir.file("r.npy")).find("'shape': (3, 2)"), std::string::npos);
  // A float64 file is not silently read as ranks.
  write_npy(dir.file("f.npy"), example(2, 3));
  EXPECT_NE(test::error_of<IoError>([&] { read_npy_int64_matrix(dir.file("f.npy")); }).find("'<i8' (int64), got '<f8'"),
            std::string::npos);

  const auto python = test::python_with("numpy");
  if (!python) GTEST_SKIP() << "no python3 with numpy";
  const std::string script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "r = np.load(d + '/r.npy')\n"
      "assert r.dtype == np.int64 and r.tolist() == [[0, 100], [5, 1 << 40], [-7, 3]], r\n"
      "np.save(d + '/n.npy', np.asfortranarray(np.arange(6, dtype=np.int64).reshape(3, 2) - 2))\n";
  dir.write("check.py", script);
  const std::string cmd = *python + " " + dir.file("check.py") + " " + dir.path.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const auto n = read_npy_int64_matrix(dir.file("n.npy"));  // Fortran order (3, 2) → 2×3
  ASSERT_EQ(n.rows(), 2);
  ASSERT_EQ(n.cols(), 3);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) EXPECT_EQ(n(j, i), 2 * i + j - 2) << i << "," << j;
}

}  // namespace
}  // namespace nsbi
