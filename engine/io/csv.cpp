#include "nsbi/io/csv.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <string_view>

#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

struct Field {
  std::string text;
  bool quoted = false;
};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Splits one line into fields: commas separate, a field may be wrapped in double quotes, in
// which case commas are literal and "" stands for one quote.
std::vector<Field> split_fields(std::string_view line, const std::string& where) {
  std::vector<Field> fields;
  std::size_t i = 0;
  while (true) {
    Field f;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i < line.size() && line[i] == '"') {
      f.quoted = true;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f.text += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        f.text += line[i++];
      }
      if (!closed) {
        throw IoError(make_message(where + ", column " + std::to_string(fields.size() + 1), "quoted field",
                                   "a closing '\"'", "end of line"));
      }
      const auto comma = line.find(',', i);
      const std::string_view rest = trim(line.substr(i, comma == std::string_view::npos ? line.npos : comma - i));
      if (!rest.empty()) {
        throw IoError(make_message(where + ", column " + std::to_string(fields.size() + 1), "quoted field",
                                   "',' or end of line after the closing quote", quote(rest)));
      }
      i = comma;
    } else {
      const auto comma = line.find(',', i);
      f.text = std::string(trim(line.substr(i, comma == std::string_view::npos ? line.npos : comma - i)));
      i = comma;
    }
    fields.push_back(std::move(f));
    if (i == std::string_view::npos) break;
    ++i;  // skip the comma
  }
  return fields;
}

// A number in the text form written by write_csv, numpy.savetxt or pandas (a leading '+' allowed).
std::optional<double> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double value = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  // Out-of-range magnitudes (1e999) are reported as errors, not silently clamped.
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

CsvTable read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(make_message(path, "CSV file", "a readable file", std::strerror(errno)));

  CsvTable table;
  std::vector<double> values;  // row-major
  std::size_t width = 0;
  int first_line = 0;  // line number of the row that fixed the width
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (trim(line).empty()) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    std::vector<Field> fields = split_fields(line, where);

    if (first_line == 0) {
      first_line = line_no;
      width = fields.size();
      // A header row has a field that is text: quoted, or non-empty and not a number. (An empty
      // field in a numeric first row is a missing value, reported below, not a header.)
      bool is_header = false;
      for (const Field& f : fields) is_header = is_header || f.quoted || (!f.text.empty() && !parse_number(f.text));
      if (is_header) {
        for (Field& f : fields) table.header.push_back(std::move(f.text));
        continue;
      }
    }
    if (fields.size() != width) {
      throw IoError(make_message(where, "row", std::to_string(width) + " fields (as in line " +
                                                   std::to_string(first_line) + ")",
                                 std::to_string(fields.size())));
    }
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const std::optional<double> v = parse_number(fields[c].text);
      if (!v) {
        std::string column = "column " + std::to_string(c + 1);
        if (!table.header.empty()) column += " (" + table.header[c] + ")";
        throw IoError(make_message(where, column, "a number",
                                   fields[c].text.empty() ? std::string("an empty field") : quote(fields[c].text)));
      }
      values.push_back(*v);
    }
  }
  if (in.bad()) throw IoError(make_message(path, "CSV file", "a readable file", "a read error"));
  if (first_line == 0) throw IoError(make_message(path, "CSV file", "at least one row", "an empty file"));

  const auto n = static_cast<Eigen::Index>(width == 0 ? 0 : values.size() / width);
  table.rows = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      values.data(), n, static_cast<Eigen::Index>(width));
  return table;
}

void write_csv(const std::string& path, const Eigen::Ref<const Eigen::MatrixXd>& samples,
               const std::vector<std::string>& header) {
  if (!header.empty() && static_cast<Eigen::Index>(header.size()) != samples.rows()) {
    throw ShapeError(make_message("write_csv " + path, "header", std::to_string(samples.rows()) +
                                                                     " names (one per row of the D×N matrix)",
                                  std::to_string(header.size())));
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError(make_message(path, "CSV file", "a writable path", std::strerror(errno)));

  std::string buffer;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (i) buffer += ',';
    const bool needs_quotes = header[i].find_first_of(",\"\n\r") != std::string::npos ||
                              trim(header[i]).size() != header[i].size() || header[i].empty();
    if (!needs_quotes) {
      buffer += header[i];
      continue;
    }
    buffer += '"';
    for (const char c : header[i]) buffer += c == '"' ? std::string("\"\"") : std::string(1, c);
    buffer += '"';
  }
  if (!header.empty()) buffer += '\n';

  char number[32];
  for (Eigen::Index j = 0; j < samples.cols(); ++j) {
    for (Eigen::Index i = 0; i < samples.rows(); ++i) {
      if (i) buffer += ',';
      // Shortest representation that reads back to the same double (round-trip exact).
      const auto res = std::to_chars(number, number + sizeof(number), samples(i, j));
      buffer.append(number, res.ptr);
    }
    buffer += '\n';
    if (buffer.size() > (1u << 20)) {
      out << buffer;
      buffer.clear();
    }
  }
  out << buffer;
  out.flush();
  if (!out) throw IoError(make_message(path, "CSV file", "a completed write", std::strerror(errno)));
}

std::vector<std::string> numbered_names(const std::string& prefix, int d) {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(d));
  for (int i = 1; i <= d; ++i) names.push_back(prefix + "_" + std::to_string(i));
  return names;
}

}  // namespace nsbi
