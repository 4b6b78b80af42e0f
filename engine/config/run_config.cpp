// RunConfig's rules: accepted names, value ranges, cross-key consistency, and what the
// configuration builds (prior, observation). Reading and writing TOML is in run_config_toml.cpp.
#include "nsbi/config/run_config.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>

#include "engine/config/config_fields.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/prior/box_uniform.hpp"
#include "nsbi/prior/gaussian.hpp"
#include "nsbi/prior/log_normal.hpp"
#include "nsbi/mcmc/chain_kernels.hpp"
#include "nsbi/prior/product_prior.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi {

const std::vector<std::string>& accepted_methods() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const MethodInfo& m : inference_methods()) n.push_back(m.name);
    return n;
  }();
  return names;
}

const std::vector<std::string>& accepted_estimators() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = nn::density_estimator_names();
    for (const std::string& c : nn::ratio_classifier_names()) n.push_back(c);
    return n;
  }();
  return names;
}

const std::vector<std::string>& accepted_prior_types() {
  static const std::vector<std::string> names{"box_uniform", "gaussian", "lognormal", "product"};
  return names;
}

const std::vector<std::string>& accepted_samplers() { return mcmc::chain_kernel_names(); }
const std::vector<std::string>& accepted_flow_orders() {
  static const std::vector<std::string> names{"reverse", "random"};
  return names;
}

const std::vector<std::string>& accepted_maf_scales() {
  static const std::vector<std::string> names{"sigmoid", "softplus"};
  return names;
}

const std::vector<std::string>& accepted_z_scores() {
  static const std::vector<std::string> names{"auto", "independent", "structured"};
  return names;
}

const std::vector<std::string>& accepted_mcmc_inits() {
  static const std::vector<std::string> names{"sir", "prior"};
  return names;
}

namespace config_detail {

const EnumNames<SimulatorKind>& simulator_kind_names() {
  static const EnumNames<SimulatorKind> names{
      {"builtin", SimulatorKind::builtin}, {"external", SimulatorKind::external}, {"plugin", SimulatorKind::plugin},
      {"mpi_plugin", SimulatorKind::mpi_plugin}};
  return names;
}

const EnumNames<ExternalMode>& external_mode_names() {
  static const EnumNames<ExternalMode> names{{"persistent", ExternalMode::persistent},
                                             {"per_call", ExternalMode::per_call}};
  return names;
}

const EnumNames<FailurePolicy>& failure_policy_names() {
  static const EnumNames<FailurePolicy> names{
      {"resample", FailurePolicy::resample}, {"drop", FailurePolicy::drop}, {"abort", FailurePolicy::abort}};
  return names;
}

namespace {

std::string range_text(Rule rule, const char* noun) {
  const std::string article = noun[0] == 'i' ? "an " : "a ";
  switch (rule) {
    case Rule::positive: return std::string("a positive ") + noun;
    case Rule::non_negative: return std::string("a non-negative ") + noun;
    case Rule::at_least_one: return article + noun + " >= 1";
    case Rule::open_unit: return article + noun + " in (0, 1)";
    case Rule::closed_unit: return article + noun + " in [0, 1]";
    default: return article + noun;
  }
}

template <class T>
bool satisfies(T v, Rule rule) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(v)) return false;
  }
  switch (rule) {
    case Rule::positive: return v > 0;
    case Rule::non_negative: return v >= 0;
    case Rule::at_least_one: return v >= 1;
    case Rule::open_unit: return v > 0 && v < 1;
    case Rule::closed_unit: return v >= 0 && v <= 1;
    default: return true;
  }
}

template <class T>
std::string value_text(T v) {
  if constexpr (std::is_floating_point_v<T>) return number_text(v);
  else return std::to_string(v);
}

// Range checks of the scalar keys (their types were checked when they were read).
struct Checker {
  const Locate& locate;

  template <class T>
  void operator()(const std::string& section, const std::string& key, const T& value, Rule rule) const {
    const std::string path = key_path(section, key);
    if constexpr (std::is_same_v<T, std::string>) {
      if (rule == Rule::non_empty && value.empty()) fail(locate, path, expected_text<T>(rule), "\"\"");
    } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
      if (!satisfies(value, rule)) fail(locate, path, expected_text<T>(rule), value_text(value));
    }
  }
  template <class E>
  void operator()(const std::string&, const std::string&, const E&, const EnumNames<E>&) const {}
  void operator()(const std::string& section, const std::string& key, const std::string& value,
                  const std::vector<std::string>& accepted) const {
    for (const std::string& a : accepted)
      if (a == value) return;
    fail(locate, key_path(section, key), one_of(accepted), quote_string(value));
  }
};

void check_finite(const std::vector<double>& v, const std::string& path, const Locate& locate) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) fail(locate, path + "[" + std::to_string(i) + "]", "a finite number", number_text(v[i]));
}

void check_vector(const std::vector<double>& v, const std::string& path, std::size_t size, const Locate& locate) {
  if (size == 0 && v.empty()) fail(locate, path, "a non-empty array of numbers", "none");
  if (size != 0 && v.size() != size) {
    fail(locate, path, std::to_string(size) + " numbers (one per dimension)", std::to_string(v.size()));
  }
  check_finite(v, path, locate);
}

void check_positive(const std::vector<double>& v, const std::string& path, const Locate& locate) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!(v[i] > 0)) fail(locate, path + "[" + std::to_string(i) + "]", "a positive number", number_text(v[i]));
}

std::string task_names() {
  std::string names;
  for (const Task& t : builtin_tasks()) names += (names.empty() ? "" : ", ") + t.name;
  return names;
}

const Task* task_of(const RunConfig& c) { return c.task.name.empty() ? nullptr : &find_task(c.task.name); }

// Where RunConfig::x_dim() comes from, for messages.
std::string x_dim_origin(const RunConfig& c) {
  return c.simulator.x_dim > 0 ? std::string("simulator.x_dim") : "x dimension of task " + c.task.name;
}

Eigen::Map<const Eigen::VectorXd> as_vector(const std::vector<double>& v) {
  return {v.data(), static_cast<Eigen::Index>(v.size())};
}

}  // namespace

template <class T>
std::string expected_text(Rule rule) {
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  else if constexpr (std::is_same_v<T, std::string>) return rule == Rule::non_empty ? "a non-empty string" : "a string";
  else if constexpr (std::is_same_v<T, std::vector<std::string>>) return "an array of strings";
  else if constexpr (std::is_same_v<T, std::vector<double>>) return "an array of numbers";
  else if constexpr (std::is_same_v<T, std::vector<int>>) return "an array of positive integers";
  else if constexpr (std::is_same_v<T, std::uint64_t>) return "a non-negative integer (64-bit)";
  else if constexpr (std::is_integral_v<T>) return range_text(rule, "integer");
  else return range_text(rule, "number");
}
template std::string expected_text<bool>(Rule);
template std::string expected_text<int>(Rule);
template std::string expected_text<std::int64_t>(Rule);
template std::string expected_text<std::uint64_t>(Rule);
template std::string expected_text<double>(Rule);
template std::string expected_text<std::string>(Rule);
template std::string expected_text<std::vector<std::string>>(Rule);
template std::string expected_text<std::vector<double>>(Rule);
template std::string expected_text<std::vector<int>>(Rule);

std::string one_of(const std::vector<std::string>& names) {
  std::string s = "one of ";
  for (std::size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + quote_string(names[i]);
  return s;
}

std::string quote_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string number_text(double v) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

namespace {
std::string message(const Locate& locate, const std::string& key, const std::string& expected, const std::string& found) {
  const std::string where = locate ? locate(key) : std::string();
  return (where.empty() ? "" : where + ": ") + key + ": expected " + expected + ", got " + found;
}
}  // namespace

void fail(const Locate& locate, const std::string& key, const std::string& expected, const std::string& found) {
  throw ConfigError(message(locate, key, expected, found));
}
void fail_shape(const Locate& locate, const std::string& key, const std::string& expected, const std::string& found) {
  throw ShapeError(message(locate, key, expected, found));
}
void fail_numerical(const Locate& locate, const std::string& key, const std::string& expected,
                    const std::string& found) {
  throw NumericalError(message(locate, key, expected, found));
}

std::vector<std::string> prior_keys(const std::string& type) {
  if (type == "box_uniform") return {"type", "low", "high"};
  if (type == "gaussian") return {"type", "mean", "std", "covariance"};
  if (type == "lognormal") return {"type", "log_mean", "log_std"};
  if (type == "product") return {"type", "parts"};
  return {"type"};
}

void validate_prior(const PriorConfig& p, const std::string& path, const Locate& locate) {
  const auto& types = accepted_prior_types();
  if (std::find(types.begin(), types.end(), p.type) == types.end()) {
    fail(locate, path + ".type", one_of(types), p.type.empty() ? "none" : quote_string(p.type));
  }
  if (p.type == "box_uniform") {
    check_vector(p.low, path + ".low", 0, locate);
    check_vector(p.high, path + ".high", p.low.size(), locate);
    for (std::size_t i = 0; i < p.low.size(); ++i) {
      if (!(p.high[i] > p.low[i])) {
        fail(locate, path + ".high[" + std::to_string(i) + "]", "a bound above low[" + std::to_string(i) + "] = " +
             number_text(p.low[i]), number_text(p.high[i]));
      }
    }
  } else if (p.type == "gaussian") {
    check_vector(p.mean, path + ".mean", 0, locate);
    const std::size_t d = p.mean.size();
    if (p.std.empty() == p.covariance.empty()) {
      fail(locate, path, "exactly one of " + path + ".std or " + path + ".covariance", p.std.empty() ? "neither" : "both");
    }
    if (!p.std.empty()) {
      check_vector(p.std, path + ".std", d, locate);
      check_positive(p.std, path + ".std", locate);
    } else {
      if (p.covariance.size() != d) {
        fail(locate, path + ".covariance", std::to_string(d) + " rows (a D×D matrix, D = " + std::to_string(d) + ")",
             std::to_string(p.covariance.size()));
      }
      Eigen::MatrixXd cov(d, d);
      for (std::size_t i = 0; i < d; ++i) {
        check_vector(p.covariance[i], path + ".covariance[" + std::to_string(i) + "]", d, locate);
        cov.row(static_cast<Eigen::Index>(i)) = as_vector(p.covariance[i]).transpose();
      }
      const double tol = 1e-10 * std::max(1.0, cov.cwiseAbs().maxCoeff());
      if (!((cov - cov.transpose()).cwiseAbs().maxCoeff() <= tol)) {
        fail(locate, path + ".covariance", "a symmetric matrix", "an asymmetric one");
      }
      if (Eigen::LLT<Eigen::MatrixXd>(cov).info() != Eigen::Success) {
        fail(locate, path + ".covariance", "a positive-definite matrix", "one without a Cholesky factor");
      }
    }
  } else if (p.type == "lognormal") {
    check_vector(p.log_mean, path + ".log_mean", 0, locate);
    check_vector(p.log_std, path + ".log_std", p.log_mean.size(), locate);
    check_positive(p.log_std, path + ".log_std", locate);
  } else {  // product
    if (p.parts.empty()) fail(locate, path + ".parts", "a non-empty array of prior tables", "none");
    for (std::size_t i = 0; i < p.parts.size(); ++i)
      validate_prior(p.parts[i], path + ".parts[" + std::to_string(i) + "]", locate);
  }
}

/// The names of the methods with a capability, comma-separated.
std::string methods_with(bool MethodInfo::*capability) {
  std::string names;
  for (const MethodInfo& o : inference_methods())
    if (o.*capability) names += (names.empty() ? "" : ", ") + o.name;
  return names;
}

void validate(const RunConfig& c, const Locate& locate) {
  visit_fields(c, Checker{locate});
  for (const MethodInfo& m : inference_methods()) {
    if (m.name != c.inference.method) continue;
    if (!m.mcmc && !c.mcmc.given_key.empty()) {
      const std::string mcmc_methods = methods_with(&MethodInfo::mcmc);
      fail(locate, c.mcmc.given_key,
           "no [mcmc] settings for method " + quote_string(m.name) + " (it samples its posterior directly; " +
               "the methods that sample by MCMC: " + (mcmc_methods.empty() ? "none" : mcmc_methods) + ")",
           "a value");
    }
    if (!m.reference_parameter && !c.inference.theta_ref.empty())
      fail(locate, "inference.theta_ref",
           "no theta_ref for method " + quote_string(m.name) + " (only " + methods_with(&MethodInfo::reference_parameter) +
               " simulates at a reference parameter)",
           "a value");
    if (!m.embedding && c.embedding.type != "none")
      fail(locate, "embedding.type",
           "\"none\" for method " + quote_string(m.name) + " (an embedding network maps x for the posterior flow "
               "or the ratio classifier of " + methods_with(&MethodInfo::embedding) + ")",
           quote_string(c.embedding.type));
    if (!m.combined_loss && c.inference.combined_loss)
      fail(locate, "inference.combined_loss",
           "false for method " + quote_string(m.name) + " (it adds an NLL term to the atomic loss of " +
               methods_with(&MethodInfo::combined_loss) + ")",
           "true");
    if (m.check)
      if (const auto problem = m.check(c)) fail(locate, problem->key, problem->expected, problem->found);
  }
  if (c.embedding.type != "none" && c.x_dim() > 0)
    if (const auto problem = nn::embedding_problem(c.embedding, c.x_dim()))
      fail(locate, problem->key, problem->expected, problem->found);
  if (c.inference.simulations < c.inference.rounds)
    fail(locate, "inference.simulations", "at least one simulation per round (inference.rounds = " +
                                              std::to_string(c.inference.rounds) + ")",
         std::to_string(c.inference.simulations));

  const Task* task = nullptr;
  if (!c.task.name.empty()) {
    for (const Task& t : builtin_tasks())
      if (t.name == c.task.name) task = &t;
    if (!task) fail(locate, "task.name", "a builtin task, one of " + task_names(), quote_string(c.task.name));
  }
  if (c.prior) validate_prior(*c.prior, "prior", locate);

  const SimulatorOptions& s = c.simulator;
  switch (s.kind) {
    case SimulatorKind::builtin:
      if (!task) fail(locate, "task.name", "a builtin task (simulator.kind = \"builtin\" runs the task's simulator)", "none");
      if (s.theta_dim != 0 && s.theta_dim != task->theta_dim) {
        fail(locate, "simulator.theta_dim", "0 or " + std::to_string(task->theta_dim) + " (task " + task->name + ")",
             std::to_string(s.theta_dim));
      }
      if (s.x_dim != 0 && s.x_dim != task->x_dim) {
        fail(locate, "simulator.x_dim", "0 or " + std::to_string(task->x_dim) + " (task " + task->name + ")",
             std::to_string(s.x_dim));
      }
      break;
    case SimulatorKind::external:
      if (s.command.empty()) fail(locate, "simulator.command", "the simulator's argv, a non-empty array of strings", "[]");
      break;
    case SimulatorKind::plugin:
    case SimulatorKind::mpi_plugin:
      if (s.library.empty()) fail(locate, "simulator.library", "the path of the plugin shared library", "\"\"");
      break;
  }
  if (s.ranks_per_simulation > 1 && s.kind != SimulatorKind::mpi_plugin)
    fail(locate, "simulator.ranks_per_simulation",
         "1 for simulator.kind = \"" + simulator_kind_names()[static_cast<std::size_t>(s.kind)].first +
             "\" (ranks share a simulation only with kind = \"mpi_plugin\")",
         std::to_string(s.ranks_per_simulation));
  if (!task) {
    if (!c.prior) fail(locate, "prior", "a [prior] table (there is no [task] to take the prior from)", "none");
    if (s.x_dim <= 0) fail(locate, "simulator.x_dim", "a positive integer (there is no [task] to take it from)", std::to_string(s.x_dim));
  }
  if (c.prior) {
    const int expected = s.theta_dim > 0 ? s.theta_dim : task ? task->theta_dim : 0;
    if (expected > 0 && c.prior->dim() != expected) {
      fail(locate, "prior", "a prior of dimension " + std::to_string(expected) +
                                (s.theta_dim > 0 ? " (simulator.theta_dim)" : " (θ dimension of task " + task->name + ")"),
           "dimension " + std::to_string(c.prior->dim()));
    }
  }

  const ObservationConfig& o = c.observation;
  if (o.file.empty() == o.values.empty()) {
    fail(locate, "observation", "exactly one of observation.file or observation.values", o.file.empty() ? "neither" : "both");
  }
  if (!o.values.empty()) check_observation_values(c, locate);
}

void check_observation_values(const RunConfig& c, const Locate& locate) {
  const std::vector<double>& values = c.observation.values;
  const int x_dim = c.x_dim();
  if (static_cast<int>(values.size()) != x_dim) {
    fail_shape(locate, "observation.values", std::to_string(x_dim) + " values (" + x_dim_origin(c) + ")",
               std::to_string(values.size()));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      fail_numerical(locate, "observation.values[" + std::to_string(i) + "]", "a finite number", number_text(values[i]));
    }
  }
}

}  // namespace config_detail

using namespace config_detail;

int PriorConfig::dim() const {
  if (type == "box_uniform") return static_cast<int>(low.size());
  if (type == "gaussian") return static_cast<int>(mean.size());
  if (type == "lognormal") return static_cast<int>(log_mean.size());
  int d = 0;
  if (type == "product")
    for (const PriorConfig& p : parts) d += p.dim();
  return d;
}

void RunConfig::validate() const { config_detail::validate(*this, Locate()); }

int RunConfig::theta_dim() const {
  if (simulator.theta_dim > 0) return simulator.theta_dim;
  if (prior) return prior->dim();
  const Task* task = task_of(*this);
  return task ? task->theta_dim : 0;
}

int RunConfig::x_dim() const {
  if (simulator.x_dim > 0) return simulator.x_dim;
  const Task* task = task_of(*this);
  return task ? task->x_dim : 0;
}

std::int64_t RunConfig::round_simulations(int round) const {
  const std::int64_t R = std::max(1, inference.rounds);
  return inference.simulations / R + (round < inference.simulations % R ? 1 : 0);
}

Observation load_observation_file(const std::string& path, int x_dim, const std::string& what) {
  std::error_code ec;  // a path the system rejects (too long, ...) is a bad input, not a filesystem_error
  if (!std::filesystem::exists(path, ec)) {
    throw IoError(make_message(path, "observation file", "an existing CSV file", ec ? ec.message() : "no such file"));
  }
  const CsvTable table = read_csv(path);
  if (table.rows.rows() != 1) {
    throw ShapeError(make_message(path, "observation", "exactly 1 data row (one observation x_o)",
                                  std::to_string(table.rows.rows()) + " rows"));
  }
  if (x_dim > 0 && table.rows.cols() != x_dim) {
    throw ShapeError(make_message(path, "observation", std::to_string(x_dim) + " values (" + what + ")",
                                  std::to_string(table.rows.cols())));
  }
  Observation obs{table.rows.row(0).transpose(), path};
  for (Eigen::Index i = 0; i < obs.x_o.size(); ++i) {
    if (!std::isfinite(obs.x_o[i])) {
      std::string column = "column " + std::to_string(i + 1);
      if (!table.header.empty()) column += " (" + table.header[static_cast<std::size_t>(i)] + ")";
      throw NumericalError(make_message(path, "observation " + column, "a finite number", number_text(obs.x_o[i])));
    }
  }
  return obs;
}

Observation load_observation(const RunConfig& config) {
  if (config.observation.file.empty()) {
    if (config.observation.values.empty()) {
      throw ConfigError(make_message("observation", "observation", "observation.file or observation.values", "neither"));
    }
    check_observation_values(config, Locate());
    return {as_vector(config.observation.values), "observation.values"};
  }
  std::filesystem::path file(config.observation.file);
  if (file.is_relative() && !config.source.empty()) file = std::filesystem::path(config.source).parent_path() / file;
  const int x_dim = config.x_dim();
  return load_observation_file(file.lexically_normal().string(), x_dim, x_dim_origin(config));
}

std::unique_ptr<Prior> make_prior(const PriorConfig& p) {
  validate_prior(p, "prior", Locate());
  if (p.type == "box_uniform") return std::make_unique<BoxUniform>(as_vector(p.low), as_vector(p.high));
  if (p.type == "lognormal") return std::make_unique<LogNormal>(as_vector(p.log_mean), as_vector(p.log_std));
  if (p.type == "gaussian") {
    if (!p.std.empty()) return std::make_unique<Gaussian>(Gaussian::diagonal(as_vector(p.mean), as_vector(p.std)));
    const auto d = static_cast<Eigen::Index>(p.mean.size());
    Eigen::MatrixXd cov(d, d);
    for (Eigen::Index i = 0; i < d; ++i) cov.row(i) = as_vector(p.covariance[static_cast<std::size_t>(i)]).transpose();
    return std::make_unique<Gaussian>(as_vector(p.mean), cov);
  }
  std::vector<std::unique_ptr<Prior>> parts;
  for (const PriorConfig& part : p.parts) parts.push_back(make_prior(part));
  return std::make_unique<ProductPrior>(std::move(parts));
}

std::unique_ptr<Prior> make_prior(const RunConfig& config) {
  if (config.prior) return make_prior(*config.prior);
  if (config.task.name.empty()) {
    throw ConfigError(make_message("prior", "prior", "a [prior] table or a [task]", "neither"));
  }
  return find_task(config.task.name).make_prior();
}

}  // namespace nsbi
