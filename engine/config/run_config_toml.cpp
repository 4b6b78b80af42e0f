// RunConfig <-> TOML (toml++): reading with --set overrides and located error messages, and the
// resolved configuration written back. The keys themselves are listed once, in config_fields.hpp.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "engine/config/config_fields.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/config/run_config.hpp"
#include "nsbi/core/error.hpp"

namespace nsbi {
namespace config_detail {
namespace {

namespace fs = std::filesystem;

// Where each key of the merged document came from: an --set argument, or a place in the file.
struct Origins {
  std::string source;  // the config file as named by the user
  const toml::table* root = nullptr;
  std::vector<std::pair<std::string, std::string>> overrides;  // key path → "--set <text>"
  std::map<std::string, std::string> raw;                      // key path → the override's value text

  const std::string* override_of(const std::string& key) const {
    for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
      const std::string& k = it->first;
      if (key == k || (key.size() > k.size() && key.compare(0, k.size(), k) == 0 &&
                       (key[k.size()] == '.' || key[k.size()] == '['))) {
        return &it->second;
      }
    }
    return nullptr;
  }

  // "file:line:col" of the key, else of its nearest enclosing table, else "file".
  std::string where(const std::string& key) const {
    if (const std::string* o = override_of(key)) return *o;
    std::string path = key;
    while (!path.empty()) {
      const toml::node* n = toml::at_path(*root, path).node();
      if (n && n->source().begin.line > 0) {
        const auto& b = n->source().begin;
        return source + ":" + std::to_string(b.line) + ":" + std::to_string(b.column);
      }
      const auto cut = path.find_last_of(".[");
      path = cut == std::string::npos ? std::string() : path.substr(0, cut);
    }
    return source;
  }
};

std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string " + quote_string(n.as_string()->get());
    case toml::node_type::integer: return "integer " + std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point: return "float " + number_text(n.as_floating_point()->get());
    case toml::node_type::boolean: return n.as_boolean()->get() ? "boolean true" : "boolean false";
    case toml::node_type::table: return "a table";
    default: break;
  }
  std::ostringstream os;
  n.visit([&](const auto& x) { os << x; });
  std::string text = os.str();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  std::ostringstream type;
  type << n.type();
  return type.str() + " " + text;
}

class Reader {
 public:
  Reader(const toml::table& root, const Origins& origins) : root_(root), origins_(origins) {
    locate_ = [this](const std::string& key) { return origins_.where(key); };
  }
  const Locate& locate() const { return locate_; }

  template <class T>
  void operator()(const std::string& section, const std::string& key, T& value, Rule rule) const {
    if (const toml::node* n = find(section, key)) read(*n, key_path(section, key), value, rule);
  }
  template <class E>
  void operator()(const std::string& section, const std::string& key, E& value, const EnumNames<E>& names) const {
    const toml::node* n = find(section, key);
    if (!n) return;
    const std::string path = key_path(section, key);
    const std::string expected = one_of(names_of(names));
    std::string text;
    read_string(*n, path, text, expected);
    for (const auto& [name, e] : names) {
      if (name == text) {
        value = e;
        return;
      }
    }
    fail(locate_, path, expected, quote_string(text));
  }
  void operator()(const std::string& section, const std::string& key, std::string& value,
                  const std::vector<std::string>& accepted) const {
    if (const toml::node* n = find(section, key)) read_string(*n, key_path(section, key), value, one_of(accepted));
  }

  void read(const toml::node& n, const std::string& path, int& v, Rule rule) const {
    const std::int64_t i = integer(n, path, expected_text<int>(rule));
    if (i < std::numeric_limits<int>::min() || i > std::numeric_limits<int>::max()) {
      fail(locate_, path, expected_text<int>(rule) + " (32-bit)", describe(n));
    }
    v = static_cast<int>(i);
  }
  void read(const toml::node& n, const std::string& path, std::int64_t& v, Rule rule) const {
    v = integer(n, path, expected_text<std::int64_t>(rule));
  }
  // A seed may exceed the signed 64-bit range of TOML integers: then it is written as a string.
  void read(const toml::node& n, const std::string& path, std::uint64_t& v, Rule rule) const {
    const std::string expected = expected_text<std::uint64_t>(rule);
    if (n.is_string()) {
      const std::string& s = n.as_string()->get();
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size()) fail(locate_, path, expected, describe(n));
      return;
    }
    const std::int64_t i = integer(n, path, expected);
    if (i < 0) fail(locate_, path, expected, describe(n));
    v = static_cast<std::uint64_t>(i);
  }
  void read(const toml::node& n, const std::string& path, double& v, Rule rule) const {
    if (n.is_integer()) v = static_cast<double>(n.as_integer()->get());
    else if (n.is_floating_point()) v = n.as_floating_point()->get();
    else fail(locate_, path, expected_text<double>(rule), describe(n));
  }
  void read(const toml::node& n, const std::string& path, bool& v, Rule rule) const {
    if (!n.is_boolean()) fail(locate_, path, expected_text<bool>(rule), describe(n));
    v = n.as_boolean()->get();
  }
  void read(const toml::node& n, const std::string& path, std::string& v, Rule rule) const {
    read_string(n, path, v, expected_text<std::string>(rule));
  }
  void read(const toml::node& n, const std::string& path, std::vector<std::string>& v, Rule rule) const {
    const std::string expected = expected_text<std::vector<std::string>>(rule);
    if (!n.is_array()) fail(locate_, path, expected, describe(n));
    v.clear();
    for (const toml::node& e : *n.as_array()) {
      if (!e.is_string()) fail(locate_, path, expected, describe(n));
      v.push_back(e.as_string()->get());
    }
  }
  // Arrays of numbers; the integer arrays (embedding.shape) hold positive sizes.
  template <class E>
    requires std::is_arithmetic_v<E>
  void read(const toml::node& n, const std::string& path, std::vector<E>& v, Rule rule) const {
    if (!n.is_array()) fail(locate_, path, expected_text<std::vector<E>>(rule), describe(n));
    v.clear();
    std::size_t i = 0;
    for (const toml::node& e : *n.as_array()) {
      const std::string at = path + "[" + std::to_string(i++) + "]";
      E x{};
      read(e, at, x, Rule::any);
      if constexpr (std::is_integral_v<E>)
        if (x < 1) fail(locate_, at, expected_text<E>(Rule::positive), describe(e));
      v.push_back(x);
    }
  }

  PriorConfig read_prior(const toml::node& n, const std::string& path) const {
    if (!n.is_table()) fail(locate_, path, "a table with a prior 'type'", describe(n));
    const toml::table& t = *n.as_table();
    PriorConfig p;
    const std::vector<std::string>& types = accepted_prior_types();
    const toml::node* type = t.get("type");
    if (!type) fail(locate_, path + ".type", one_of(types), "none");
    read_string(*type, path + ".type", p.type, one_of(types));
    if (std::find(types.begin(), types.end(), p.type) == types.end()) {
      fail(locate_, path + ".type", one_of(types), quote_string(p.type));
    }
    const std::vector<std::string> keys = prior_keys(p.type);
    check_keys(t, path, "a key of a " + p.type + " prior (" + join(keys) + ")", keys);

    visit_prior_vectors(p, [&](const std::string& key, std::vector<double>& out) {
      if (const toml::node* v = t.get(key)) read(*v, path + "." + key, out, Rule::any);
    });
    if (const toml::node* cov = t.get("covariance")) {
      if (!cov->is_array()) fail(locate_, path + ".covariance", "an array of rows (arrays of numbers)", describe(*cov));
      std::size_t i = 0;
      for (const toml::node& row : *cov->as_array()) {
        p.covariance.emplace_back();
        read(row, path + ".covariance[" + std::to_string(i++) + "]", p.covariance.back(), Rule::any);
      }
    }
    if (const toml::node* parts = t.get("parts")) {
      if (!parts->is_array()) fail(locate_, path + ".parts", "an array of prior tables", describe(*parts));
      std::size_t i = 0;
      for (const toml::node& part : *parts->as_array())
        p.parts.push_back(read_prior(part, path + ".parts[" + std::to_string(i++) + "]"));
    }
    return p;
  }

  // Every key of table `t` (at `path`) must be one of `keys`.
  void check_keys(const toml::table& t, const std::string& path, const std::string& expected,
                  const std::vector<std::string>& keys) const {
    for (const auto& [k, v] : t) {
      const std::string name(k.str());
      if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
        // Point at the key itself rather than at its value.
        const auto& b = k.source().begin;
        const Locate at_key = [&](const std::string& key) {
          if (origins_.override_of(key) || b.line == 0) return origins_.where(key);
          return origins_.source + ":" + std::to_string(b.line) + ":" + std::to_string(b.column);
        };
        fail(at_key, key_path(path, name), expected, "unknown key " + quote_string(name));
      }
    }
  }

  static std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
  }

 private:
  const toml::node* find(const std::string& section, const std::string& key) const {
    if (section.empty()) return root_.get(key);
    const toml::node* t = root_.get(section);
    return t && t->is_table() ? t->as_table()->get(key) : nullptr;
  }

  std::int64_t integer(const toml::node& n, const std::string& path, const std::string& expected) const {
    if (n.is_integer()) return n.as_integer()->get();
    // 1e4 is a common way to write 10000: accept floats with an integral value.
    if (n.is_floating_point()) {
      const double x = n.as_floating_point()->get();
      if (std::isfinite(x) && x == std::trunc(x) && std::abs(x) < 9.2e18) return static_cast<std::int64_t>(x);
    }
    fail(locate_, path, expected, describe(n));
  }

  // A string; a value given with --set that TOML read as something else (--set output.dir=2024)
  // is taken as the text the user typed.
  void read_string(const toml::node& n, const std::string& path, std::string& v, const std::string& expected) const {
    if (n.is_string()) {
      v = n.as_string()->get();
      return;
    }
    const auto raw = origins_.raw.find(path);
    if (raw != origins_.raw.end() && !n.is_table() && !n.is_array()) {
      v = raw->second;
      return;
    }
    fail(locate_, path, expected, describe(n));
  }

  const toml::table& root_;
  const Origins& origins_;
  Locate locate_;
};

// The keys of each section, from the field list.
std::map<std::string, std::vector<std::string>> section_keys() {
  std::map<std::string, std::vector<std::string>> keys;
  RunConfig c;
  visit_fields(c, [&](const std::string& section, const std::string& key, auto&, const auto&) {
    keys[section].push_back(key);
  });
  return keys;
}

bool is_bare_key(const std::string& s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

// "key.path=value": the value parsed as a TOML value, or else taken as a bare string.
void apply_override(toml::table& root, const std::string& text, Origins& origins) {
  const std::string where = "--set " + text;
  const auto eq = text.find('=');
  if (eq == std::string::npos) throw ConfigError(where + ": expected key.path=value, got no '='");
  const std::string key = text.substr(0, eq);
  const std::string value = text.substr(eq + 1);

  std::vector<std::string> segments;
  for (std::size_t start = 0;;) {
    const auto dot = key.find('.', start);
    segments.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const std::string& s : segments) {
    if (!is_bare_key(s)) {
      throw ConfigError(where + ": expected a key path of names [A-Za-z0-9_-] joined by '.', got " + quote_string(key));
    }
  }

  toml::table* table = &root;
  std::string prefix;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    prefix = key_path(prefix, segments[i]);
    if (!table->contains(segments[i])) table->insert(segments[i], toml::table{});
    toml::node* n = table->get(segments[i]);
    if (!n->is_table()) throw ConfigError(where + ": " + prefix + ": expected a table, got " + describe(*n));
    table = n->as_table();
  }

  std::optional<toml::table> parsed;
  try {
    const std::string document = "v = " + value;
    parsed = toml::parse(std::string_view(document), std::string_view("--set"));
  } catch (const toml::parse_error&) {
  }
  if (parsed && parsed->size() == 1 && parsed->contains("v")) {
    parsed->get("v")->visit([&](auto& node) { table->insert_or_assign(segments.back(), std::move(node)); });
  } else {
    table->insert_or_assign(segments.back(), value);
  }
  // file and values are alternatives: setting one replaces the other.
  if (key == "observation.file") table->erase("values");
  if (key == "observation.values") table->erase("file");

  origins.overrides.emplace_back(key, where);
  origins.raw[key] = value;
}

RunConfig parse(const std::string& text, const std::string& source, const fs::path& base_dir,
                const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(std::string_view(text), std::string_view(source));
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ConfigError(source + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                      ": malformed TOML: " + std::string(e.description()));
  }
  Origins origins{source, &root, {}, {}};
  for (const std::string& o : overrides) apply_override(root, o, origins);

  Reader reader(root, origins);
  const Locate& locate = reader.locate();

  // Unknown keys and tables, before any value is read.
  const auto keys = section_keys();
  std::vector<std::string> top_keys = keys.at(""), top_names = keys.at("");
  for (const std::string& s : section_names()) {
    if (s.empty()) continue;
    top_keys.push_back(s);
    top_names.push_back("[" + s + "]");
  }
  reader.check_keys(root, "", "a top-level key or table (" + Reader::join(top_names) + ")", top_keys);
  for (const auto& [k, node] : root) {
    const std::string name(k.str());
    if (!keys.contains(name) && name != "prior") continue;  // a top-level key
    if (!node.is_table()) fail(locate, name, "a table [" + name + "]", describe(node));
    if (name != "prior") {
      reader.check_keys(*node.as_table(), name, "a key of [" + name + "] (" + Reader::join(keys.at(name)) + ")",
                        keys.at(name));
    }
  }

  RunConfig config;
  visit_fields(config, reader);
  if (const toml::node* prior = root.get("prior")) config.prior = reader.read_prior(*prior, "prior");

  // Relative observation paths: from the file against its directory, from --set against the
  // working directory. Stored absolute, so the resolved config can be loaded from anywhere.
  if (!config.observation.file.empty() && fs::path(config.observation.file).is_relative()) {
    const fs::path base = origins.override_of("observation.file") ? fs::current_path() : base_dir;
    config.observation.file = fs::absolute(base / config.observation.file).lexically_normal().string();
  }
  // Simulator paths likewise: the plugin library, and every command word that names an existing
  // file relative to that base (e.g. "simulators/two_moons.py"); program names looked up on PATH
  // ("python3") and other arguments stay as written.
  {
    const fs::path sim_base_lib = origins.override_of("simulator.library") ? fs::current_path() : base_dir;
    if (!config.simulator.library.empty() && fs::path(config.simulator.library).is_relative())
      config.simulator.library = fs::absolute(sim_base_lib / config.simulator.library).lexically_normal().string();
    const fs::path sim_base_cmd = origins.override_of("simulator.command") ? fs::current_path() : base_dir;
    for (auto& word : config.simulator.command) {
      const fs::path p(word);
      std::error_code ec;  // a word that cannot name a file (e.g. too long) is not a file: no throw
      if (p.is_relative() && word.find('/') != std::string::npos && word.find('{') == std::string::npos &&
          fs::exists(sim_base_cmd / p, ec))
        word = fs::absolute(sim_base_cmd / p).lexically_normal().string();
    }
  }
  // An MPI plugin's function has its own default name (nsbi/simulator_plugin.h).
  if (config.simulator.kind == SimulatorKind::mpi_plugin && !toml::at_path(root, "simulator.symbol"))
    config.simulator.symbol = "nsbi_simulate_mpi";
  // An [embedding] table without a type would be silently ignored: name the missing key.
  if (const toml::table* e = root["embedding"].as_table(); e && !e->empty() && !e->contains("type"))
    fail(locate, "embedding.type", one_of(nn::embedding_names()), "none (the [embedding] table has no type)");
  if (const toml::table* mcmc = root["mcmc"].as_table(); mcmc && !mcmc->empty())
    config.mcmc.given_key = "mcmc." + std::string(mcmc->begin()->first.str());
  // The method's defaults for the keys the file leaves out.
  for (const MethodInfo& m : inference_methods()) {
    if (m.name != config.inference.method) continue;
    if (!toml::at_path(root, "inference.rounds")) config.inference.rounds = m.default_rounds;
    if (!toml::at_path(root, "inference.estimator") && !m.default_estimator.empty())
      config.inference.estimator = m.default_estimator;
    if (m.defaults) m.defaults(config, [&](const std::string& key) { return static_cast<bool>(toml::at_path(root, key)); });
  }
  if (!toml::at_path(root, "output.dir")) {
    config.output.dir = (fs::path("runs") / fs::path(source).stem()).string();
  }
  config.source = source;

  validate(config, locate);
  return config;
}

// ---- writing ---------------------------------------------------------------------------------
// A small TOML emitter rather than toml++'s formatter: keys stay in declaration order and doubles
// use the shortest text that reads back to the same value.

std::string toml_value(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {  // other control characters must be escaped
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}
std::string toml_value(double v) {
  std::string s = number_text(v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // 1 → 1.0: stays a float
  return s;
}
std::string toml_value(bool v) { return v ? "true" : "false"; }
std::string toml_value(int v) { return std::to_string(v); }
std::string toml_value(std::int64_t v) { return std::to_string(v); }
// TOML integers are signed 64-bit: larger seeds are written as strings (read back by Reader).
std::string toml_value(std::uint64_t v) {
  return v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ? std::to_string(v)
                                                                                   : toml_value(std::to_string(v));
}
template <class T>
std::string toml_value(const std::vector<T>& values) {
  std::string s = "[";
  for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + toml_value(values[i]);
  return s + "]";
}

struct Writer {
  std::map<std::string, std::string>& sections;  // section → "key = value" lines

  template <class T>
  void operator()(const std::string& section, const std::string& key, const T& value, Rule rule) const {
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::string>> ||
                  std::is_same_v<T, std::vector<double>> || std::is_same_v<T, std::vector<int>>) {
      if (rule == Rule::optional && value.empty()) return;
    }
    line(section, key, toml_value(value));
  }
  template <class E>
  void operator()(const std::string& section, const std::string& key, const E& value, const EnumNames<E>& names) const {
    for (const auto& [name, e] : names)
      if (e == value) line(section, key, toml_value(name));
  }
  void operator()(const std::string& section, const std::string& key, const std::string& value,
                  const std::vector<std::string>&) const {
    line(section, key, toml_value(value));
  }
  void line(const std::string& section, const std::string& key, const std::string& value) const {
    sections[section] += key + " = " + value + "\n";
  }
};

// The keys of one prior table that its type uses: (key, value text).
// `multiline`: the parts of a product one per line (inline tables themselves must be one line).
std::vector<std::pair<std::string, std::string>> prior_entries(const PriorConfig& p, bool multiline);

// A prior as an inline table (for the parts of a product).
std::string prior_inline(const PriorConfig& p) {
  std::string s = "{ ";
  bool first = true;
  for (const auto& [key, value] : prior_entries(p, false)) {
    s += (first ? "" : ", ") + key + " = " + value;
    first = false;
  }
  return s + " }";
}

std::vector<std::pair<std::string, std::string>> prior_entries(const PriorConfig& p, bool multiline) {
  std::vector<std::pair<std::string, std::string>> out{{"type", toml_value(p.type)}};
  visit_prior_vectors(p, [&](const std::string& key, const std::vector<double>& v) {
    if (!v.empty()) out.emplace_back(key, toml_value(v));
  });
  if (!p.covariance.empty()) out.emplace_back("covariance", toml_value(p.covariance));
  if (!p.parts.empty()) {
    std::string parts = "[";
    for (std::size_t i = 0; i < p.parts.size(); ++i) {
      parts += multiline ? "\n  " : i ? ", " : "";
      parts += prior_inline(p.parts[i]) + (multiline ? "," : "");
    }
    out.emplace_back("parts", parts + (multiline ? "\n]" : "]"));
  }
  return out;
}

}  // namespace
}  // namespace config_detail

RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(make_message(path, "configuration file", "a readable TOML file", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(fs::path(path)).parent_path();
  RunConfig config = config_detail::parse(text.str(), path, dir, overrides);
  config.source = fs::absolute(fs::path(path)).lexically_normal().string();
  return config;
}

RunConfig parse_run_config(const std::string& toml_text, const std::string& source_name,
                           const std::vector<std::string>& overrides) {
  return config_detail::parse(toml_text, source_name, std::filesystem::current_path(), overrides);
}

std::string to_toml(const RunConfig& config) {
  using namespace config_detail;
  std::map<std::string, std::string> sections;
  visit_fields(config, Writer{sections});
  if (config.prior) {
    for (const auto& [key, value] : prior_entries(*config.prior, true)) sections["prior"] += key + " = " + value + "\n";
  }
  std::string out = "# nsbi run configuration, resolved: every key with its value\n";
  // [mcmc] only for the methods that use it (another method refuses the table).
  bool mcmc = false;
  for (const MethodInfo& m : inference_methods())
    if (m.name == config.inference.method) mcmc = m.mcmc;
  for (const std::string& name : section_names()) {
    const auto it = sections.find(name);
    if (it == sections.end() || (name == "mcmc" && !mcmc) || (name == "embedding" && config.embedding.type == "none"))
      continue;
    out += name.empty() ? it->second : "\n[" + name + "]\n" + it->second;
  }
  return out;
}

}  // namespace nsbi
