#pragma once
// Numeric CSV files: one sample per ROW on disk (DESIGN.md §4), optional single header row.
#include <Eigen/Core>
#include <string>
#include <vector>

namespace nsbi {

/// A numeric CSV file as read from disk. `rows` is N×D, one sample per row, exactly as in the file;
/// transpose it to get the engine's D×N layout. `header` holds the D column names, or is empty
/// when the file has no header row.
struct CsvTable {
  std::vector<std::string> header;
  Eigen::MatrixXd rows;
};

/// Reads a comma-separated numeric file. The first row is a header when any of its fields is not a
/// number. Fields may be surrounded by spaces and double-quoted ("" escapes a quote); blank lines
/// are skipped; "nan", "inf", "-inf" are numbers. Every data row must have as many fields as the
/// first row. Throws IoError naming the file, line and column, what was expected and what was
/// found (unreadable file, a field that is not a number, a row of the wrong length).
CsvTable read_csv(const std::string& path);

/// Writes `samples` (D×N, one sample per column) as N rows of D values under a header row of D
/// names, with shortest round-trip formatting (reading the file back gives the same doubles bit
/// for bit; non-finite values as nan/inf/-inf). An empty `header` writes no header row.
/// Throws ShapeError if header.size() != D and IoError if the file cannot be written.
void write_csv(const std::string& path, const Eigen::Ref<const Eigen::MatrixXd>& samples,
               const std::vector<std::string>& header);

/// Column names "<prefix>_1" .. "<prefix>_<d>" (e.g. theta_1, theta_2).
std::vector<std::string> numbered_names(const std::string& prefix, int d);

}  // namespace nsbi
