#pragma once
// Internal to the pick readers and writers: number parsing and printing, and an RFC 4180 CSV table
// reader that keeps line numbers for error messages.
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace tomopick::picks_detail {

namespace fs = std::filesystem;

// Shortest text that reads back to the same double (std::to_chars). Throws Error for NaN/inf so that
// no writer can produce a file its own reader rejects.
std::string format_double(double v, const std::string& what = "value");

// Whole-string parses (surrounding spaces and a leading '+' allowed); false on anything else.
bool parse_double(std::string_view s, double& out);
bool parse_int64(std::string_view s, int64_t& out);

std::string trim(std::string_view s);

// A field for a CSV line: quoted (RFC 4180) when it holds a comma, quote, CR, LF or edge spaces.
std::string csv_field(std::string_view s);

struct CsvRecord {
  size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

// Parses CSV text: a UTF-8 BOM is dropped, CRLF / LF / CR line ends, quoted fields with "" escapes
// and embedded line breaks; unquoted fields are trimmed; blank lines are skipped.
std::vector<CsvRecord> parse_csv(const fs::path& path, std::string_view text);

// A CSV file with a header: every row has as many fields as the header (else an Error naming the line).
struct CsvTable {
  fs::path path;
  std::vector<std::string> header;  // trimmed
  size_t header_line = 1;
  std::vector<CsvRecord> rows;

  // Index of the first header name matching (case-insensitively) one of `names`, or -1. Two different
  // header columns matching the same role is an Error.
  int column(std::initializer_list<std::string_view> names, const std::string& role) const;

  // Cell parsers that throw Error(path, "line N: column C: 'v' is not a number").
  double number(const CsvRecord& r, int col) const;
  int64_t integer(const CsvRecord& r, int col) const;
  const std::string& text(const CsvRecord& r, int col) const;  // non-empty, else an Error
  [[noreturn]] void fail(const CsvRecord& r, int col, const std::string& problem) const;
};
CsvTable read_csv_table(const fs::path& path);

}  // namespace tomopick::picks_detail
