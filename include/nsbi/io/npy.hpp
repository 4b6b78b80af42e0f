#pragma once
// NumPy .npy files (format version 1.0, little-endian, C order), so that numpy.load reads the
// run's arrays directly. Reference: numpy/lib/format.py ("NPY format" NEP 1).
#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nsbi {

/// Writes `samples` (D×N, one sample per column) as a float64 array of shape (N, D), one sample
/// per row: numpy.load(path)[i] is sample i. (Column-major D×N memory is row-major N×D, so the
/// data is written as it lies.) Throws IoError if the file cannot be written.
void write_npy(const std::string& path, const Eigen::Ref<const Eigen::MatrixXd>& samples);

/// Writes `rows` (D×N, one row of the file per column) as an int64 array of shape (N, D), the
/// inverse of read_npy_int64_matrix, e.g. SBC rank statistics.
void write_npy(const std::string& path,
               const Eigen::Ref<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>>& rows);

/// Writes `values` as a uint8 array of shape (N,) (descr '|u1', the form numpy itself writes),
/// e.g. per-simulation SimStatus codes.
void write_npy(const std::string& path, std::span<const std::uint8_t> values);

/// Writes `values` as a little-endian uint32 array of shape (N,) (e.g. each simulation's round).
void write_npy(const std::string& path, std::span<const std::uint32_t> values);
/// Writes `values` as a float64 array of shape (N,).
void write_npy(const std::string& path, std::span<const double> values);

/// A float64 array of shape (N, D) written a block of rows at a time, at the rows' place (rows may
/// arrive in any order), its shape set by finish(): x.npy as the simulations arrive, so that the
/// simulator's doubles reach the disk without a double copy of x in memory. The header has a fixed
/// size (128 bytes), so finish() may be called again with more rows.
class NpyRowsFile {
 public:
  /// Creates `path` (an existing file is replaced), shape (0, cols). Throws IoError.
  NpyRowsFile(std::string path, std::int64_t cols);
  NpyRowsFile(NpyRowsFile&&) noexcept;
  NpyRowsFile& operator=(NpyRowsFile&&) noexcept;
  NpyRowsFile(const NpyRowsFile&) = delete;
  ~NpyRowsFile();
  /// Rows first … first + rows − 1 from `data` (rows × cols, C order = column-major cols × rows).
  void write(std::int64_t first, const double* data, std::int64_t rows);
  /// Sets the shape to (rows, cols), cuts the file there and flushes it to the disk.
  void finish(std::int64_t rows);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::int64_t cols_ = 0;
  int fd_ = -1;
};

/// Reads a float64 array of shape (N, D) (C or Fortran order) or (N,) (then D = 1) and returns it
/// D×N, one sample per column: the inverse of write_npy. Throws IoError naming the file and the
/// problem (not an .npy file, another dtype or rank, truncated data).
Eigen::MatrixXd read_npy_matrix(const std::string& path);

/// Reads an int64 array ('<i8') of shape (N, D) or (N,) as D×N, one row of the file per column
/// (e.g. SBC ranks, tests × D on disk). Same errors as read_npy_matrix.
Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic> read_npy_int64_matrix(const std::string& path);


/// Reads a uint8 array of shape (N,).
std::vector<std::uint8_t> read_npy_u8(const std::string& path);

}  // namespace nsbi
