#include "nsbi/bench/sbibm_grid.hpp"

#include <mpi.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "nsbi/config/run_config.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/diagnostics/c2st.hpp"
#include "nsbi/inference/inference_method.hpp"
#include "nsbi/inference/run.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/io/npy.hpp"
#include "nsbi/mpi/agreement.hpp"
#include "nsbi/simulator/task.hpp"

namespace nsbi::bench {

namespace {

namespace fs = std::filesystem;

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  std::istringstream in(text);
  while (std::getline(in, cur, sep)) parts.push_back(cur);
  if (!text.empty() && text.back() == sep) parts.emplace_back();
  return parts;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

template <typename T>
bool parse_number(const std::string& s, T& value) {
  const auto* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, value);
  return ec == std::errc() && p == end;
}

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& part : split(text, ',')) {
    const std::string t = trim(part);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

/// The cell's key in results.csv and the order of the grid.
using CellKey = std::tuple<std::string, std::string, std::int64_t, int>;  // task, method label, budget, obs

CellKey key_of(const GridRow& r) {
  return {r.task, r.estimator.empty() ? r.method : r.method + ":" + r.estimator, r.budget, r.observation};
}

struct Cell {
  std::string task;
  GridMethod method;  // estimator resolved
  std::int64_t budget;
  int observation;
  std::string label;  // method spec as given (the CSV's method column is the method, estimator separately)
  std::string reference;
  RunConfig config;
  std::string not_applicable;  // why the method cannot run on the task's prior ("" when it can)
};

CellKey key_of(const Cell& c) { return {c.task, c.method.method + ":" + c.method.estimator, c.budget, c.observation}; }

std::string fmt(double v, int precision) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(precision) << v;
  return o.str();
}

}  // namespace

std::vector<int> parse_index_list(const std::string& text, const std::string& what) {
  std::set<int> values;
  const auto bad = [&](const std::string& part) {
    return ConfigError(make_message(what, "list", "positive integers and ranges such as 1-5 or 1,3,5", "'" + part + "'"));
  };
  for (const auto& part : comma_list(text)) {
    const auto dash = part.find('-');
    int lo = 0, hi = 0;
    if (dash == std::string::npos) {
      if (!parse_number(part, lo)) throw bad(part);
      hi = lo;
    } else if (!parse_number(trim(part.substr(0, dash)), lo) || !parse_number(trim(part.substr(dash + 1)), hi)) {
      throw bad(part);
    }
    if (lo < 1 || hi < lo) throw bad(part);
    for (int v = lo; v <= hi; ++v) values.insert(v);
  }
  if (values.empty()) throw bad(text);
  return {values.begin(), values.end()};
}

std::vector<std::int64_t> parse_budget_list(const std::string& text, const std::string& what) {
  std::vector<std::int64_t> out;
  for (const auto& part : comma_list(text)) {
    double v = 0;
    if (!parse_number(part, v) || !(v >= 1) || v > 1e12 || std::floor(v) != v)
      throw ConfigError(make_message(what, "budget", "a positive integer number of simulations", "'" + part + "'"));
    out.push_back(static_cast<std::int64_t>(v));
  }
  if (out.empty()) throw ConfigError(make_message(what, "list", "at least one budget", "'" + text + "'"));
  return out;
}

std::vector<std::string> parse_task_list(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& t : comma_list(text)) {
    find_task(t);  // throws ConfigError listing the known tasks
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  if (out.empty()) throw ConfigError(make_message("--tasks", "list", "at least one builtin task", "'" + text + "'"));
  return out;
}

std::vector<GridMethod> parse_method_list(const std::string& text) {
  std::vector<GridMethod> out;
  for (const auto& part : comma_list(text)) {
    GridMethod m;
    const auto colon = part.find(':');
    m.method = trim(part.substr(0, colon));
    if (colon != std::string::npos) m.estimator = trim(part.substr(colon + 1));
    find_method(m.method);  // throws ConfigError listing the known methods
    if (colon != std::string::npos) {
      const auto& known = accepted_estimators();
      if (std::find(known.begin(), known.end(), m.estimator) == known.end()) {
        std::string list;
        for (const auto& e : known) list += (list.empty() ? "" : ", ") + e;
        throw ConfigError(make_message("--methods '" + part + "'", "estimator", "one of " + list, "'" + m.estimator + "'"));
      }
    }
    out.push_back(m);
  }
  if (out.empty()) throw ConfigError(make_message("--methods", "list", "at least one method", "'" + text + "'"));
  return out;
}

std::string default_benchmark_estimator(const std::string& method) {
  if (method == "npe" || method == "snpe_b" || method == "snpe_c" || method == "tsnpe") return "nsf";
  const std::string& own = find_method(method).default_estimator;
  return own.empty() ? RunConfig{}.inference.estimator : own;
}

std::string paper_algorithm(const std::string& method) {
  static const std::map<std::string, std::string> names{{"npe", "NPE"},   {"snpe_c", "SNPE"}, {"nle", "NLE"},
                                                        {"snle", "SNLE"}, {"nre_b", "NRE"},   {"snre_b", "SNRE"}};
  const auto it = names.find(method);
  return it == names.end() ? "" : it->second;
}

std::string paper_budget(std::int64_t budget) {
  switch (budget) {
    case 1000: return "10³";
    case 10000: return "10⁴";
    case 100000: return "10⁵";
    default: return "";
  }
}

PaperResults read_paper_results(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError(path + ": cannot open the paper's results (expected sbibm's paper_results.csv)");
  std::string line;
  std::getline(in, line);
  const auto header = split(trim(line), ',');
  const auto column = [&](const std::string& name) -> std::size_t {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw IoError(make_message(path + ":1", "header", "a column '" + name + "'", "'" + trim(line) + "'"));
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t c_task = column("task"), c_sims = column("num_simulations"), c_obs = column("num_observation"),
                    c_alg = column("algorithm"), c_c2st = column("C2ST");
  PaperResults out;
  for (int lineno = 2; std::getline(in, line); ++lineno) {
    if (trim(line).empty()) continue;
    const auto f = split(trim(line), ',');
    int obs = 0;
    double c = 0;
    if (f.size() != header.size() || !parse_number(f[c_obs], obs) || !parse_number(f[c_c2st], c))
      throw IoError(make_message(path + ":" + std::to_string(lineno), "row", std::to_string(header.size()) +
                                 " fields with a numeric num_observation and C2ST", "'" + line + "'"));
    out[{f[c_task], f[c_alg], f[c_sims]}][obs] = c;
  }
  return out;
}

PaperResults read_paper_results_dir(const std::string& sbibm_dir) {
  const fs::path main_file = fs::path(sbibm_dir) / "paper_results.csv";
  std::error_code ec;  // the non-throwing overloads: a bad path is bad input, not an internal error
  if (!fs::exists(main_file, ec)) return {};
  PaperResults out = read_paper_results(main_file.string());
  std::vector<fs::path> reruns;
  for (const auto& e : fs::directory_iterator(sbibm_dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind("paper_results_", 0) == 0 && n.size() > 20 && n.substr(n.size() - 10) == "_rerun.csv") reruns.push_back(e.path());
  }
  std::sort(reruns.begin(), reruns.end());
  for (const auto& f : reruns) {
    const PaperResults rerun = read_paper_results(f.string());
    std::set<std::string> tasks;
    for (const auto& [key, _] : rerun) tasks.insert(std::get<0>(key));
    std::erase_if(out, [&](const auto& kv) { return tasks.count(std::get<0>(kv.first)) > 0; });
    for (const auto& kv : rerun) out.insert(kv);
  }
  return out;
}

std::string grid_csv_header() {
  return "task,method,estimator,budget,observation,c2st,simulate_seconds,train_seconds,proposal_seconds,"
         "sample_seconds,total_seconds,c2st_seconds,epochs,ranks,seed";
}

std::string to_csv_line(const GridRow& r) {
  std::ostringstream o;
  o << r.task << ',' << r.method << ',' << r.estimator << ',' << r.budget << ',' << r.observation << ','
    << fmt(r.c2st, 6) << ',' << fmt(r.simulate_seconds, 3) << ',' << fmt(r.train_seconds, 3) << ','
    << fmt(r.proposal_seconds, 3) << ',' << fmt(r.sample_seconds, 3) << ',' << fmt(r.total_seconds, 3) << ','
    << fmt(r.c2st_seconds, 3) << ',' << r.epochs << ',' << r.ranks << ',' << r.seed;
  return o.str();
}

std::vector<GridRow> read_grid_csv(const std::string& path) {
  std::vector<GridRow> rows;
  std::ifstream in(path, std::ios::binary);
  if (!in) return rows;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines = split(text, '\n');
  // Rows are appended whole with their '\n'; a last line without one was cut short by a kill.
  if (!lines.empty()) lines.pop_back();
  if (lines.empty()) return rows;
  if (trim(lines[0]) != grid_csv_header())
    throw IoError(make_message(path + ":1", "header", "'" + grid_csv_header() + "'", "'" + trim(lines[0]) + "'"));
  lines.erase(lines.begin());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string t = trim(lines[i]);
    if (t.empty()) continue;
    const auto f = split(t, ',');
    GridRow r;
    const bool ok = f.size() == 15 && parse_number(f[3], r.budget) && parse_number(f[4], r.observation) &&
                    parse_number(f[5], r.c2st) && parse_number(f[6], r.simulate_seconds) &&
                    parse_number(f[7], r.train_seconds) && parse_number(f[8], r.proposal_seconds) &&
                    parse_number(f[9], r.sample_seconds) && parse_number(f[10], r.total_seconds) &&
                    parse_number(f[11], r.c2st_seconds) && parse_number(f[12], r.epochs) &&
                    parse_number(f[13], r.ranks) && parse_number(f[14], r.seed);
    if (!ok)
      throw IoError(make_message(path + ":" + std::to_string(i + 2), "row", "15 fields as in the header", "'" + t + "'"));
    r.task = f[0];
    r.method = f[1];
    r.estimator = f[2];
    rows.push_back(r);
  }
  return rows;
}

std::string grid_markdown(const std::vector<GridRow>& rows, const PaperResults& paper,
                          const NotApplicable& not_applicable) {
  std::vector<std::int64_t> budgets;
  std::vector<std::string> tasks, methods;
  const auto add = [](auto& v, const auto& x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
  };
  for (const auto& r : rows) {
    add(budgets, r.budget);
    add(tasks, r.task);
    add(methods, std::get<1>(key_of(r)));
  }
  for (const auto& [cell, why] : not_applicable) {
    add(tasks, std::get<0>(cell));
    add(methods, std::get<1>(cell));
    add(budgets, std::get<2>(cell));
  }
  std::sort(budgets.begin(), budgets.end());
  std::ostringstream o;
  for (const auto budget : budgets) {
    o << "### " << budget << " simulations: mean C2ST over the observations run (count), paper's mean over the same\n\n";
    o << "| task |";
    for (const auto& m : methods) {
      const std::string method = m.substr(0, m.find(':'));
      o << ' ' << m << " |" << (paper_algorithm(method).empty() ? "" : " paper " + paper_algorithm(method) + " |");
    }
    o << "\n|---|";
    for (const auto& m : methods) o << (paper_algorithm(m.substr(0, m.find(':'))).empty() ? "---|" : "---|---|");
    o << "\n";
    for (const auto& task : tasks) {
      o << "| " << task << " |";
      for (const auto& m : methods) {
        double sum = 0, psum = 0;
        int n = 0, pn = 0;
        const std::string method = m.substr(0, m.find(':'));
        const std::string alg = paper_algorithm(method);
        const auto pit = paper.find({task, alg, paper_budget(budget)});
        for (const auto& r : rows) {
          if (r.task != task || r.budget != budget || std::get<1>(key_of(r)) != m) continue;
          sum += r.c2st;
          ++n;
          if (pit != paper.end()) {
            const auto oit = pit->second.find(r.observation);
            if (oit != pit->second.end()) {
              psum += oit->second;
              ++pn;
            }
          }
        }
        o << ' ' << (n ? fmt(sum / n, 3) + " (" + std::to_string(n) + ")" : not_applicable.count({task, m, budget}) ? "n/a" : "—")
          << " |";
        if (!alg.empty()) o << ' ' << (pn ? fmt(psum / pn, 3) : "—") << " |";
      }
      o << "\n";
    }
    o << "\n";
  }
  std::set<std::string> reasons;  // one line per (method, task), whatever the budgets
  for (const auto& [cell, why] : not_applicable)
    reasons.insert("n/a: " + std::get<1>(cell) + " on " + std::get<0>(cell) + ": " + why + "\n");
  for (const auto& line : reasons) o << line;
  if (!not_applicable.empty()) o << "\n";
  return o.str();
}

std::vector<GridRow> run_sbibm_grid(const GridSpec& spec, const mpi::Communicator& comm, std::ostream& out) {
  const bool root = comm.is_root();
  const fs::path out_dir = spec.out_dir;
  const fs::path sbibm = spec.sbibm_dir;

  // Every cell's configuration and files, checked before the first simulation is paid for.
  const auto cells = mpi::agree(comm, [&] {
    std::vector<Cell> cs;
    for (const auto& task : spec.tasks) find_task(task);  // ConfigError listing the known tasks
    std::error_code ec;  // non-throwing: an unusable path is reported as bad input below
    if (!fs::is_directory(sbibm, ec))
      throw IoError(make_message("--sbibm", "directory", "sbibm's benchmark data (<task>/obs<k>/...)",
                                 "'" + sbibm.string() + "', which is not a directory"));
    for (const auto& task : spec.tasks)
      for (const auto& gm : spec.methods)
        for (const auto budget : spec.budgets)
          for (const int o : spec.observations) {
            Cell c;
            c.task = task;
            c.method = gm;
            if (c.method.estimator.empty()) c.method.estimator = default_benchmark_estimator(gm.method);
            c.label = gm.label();
            c.budget = budget;
            c.observation = o;
            const fs::path obs_dir = sbibm / task / ("obs" + std::to_string(o));
            const fs::path obs_file = obs_dir / "observation.csv";
            c.reference = (obs_dir / "reference_posterior_samples.csv").string();
            for (const auto& f : {obs_file.string(), c.reference})
              if (!fs::is_regular_file(f, ec))
                throw IoError(make_message("bench sbibm", "file for task " + task + ", observation " + std::to_string(o),
                                           "an existing file", "'" + f + "' is missing"));
            const fs::path run_dir = out_dir / "runs" / task / (c.method.method + "-" + c.method.estimator) /
                                     std::to_string(budget) / ("obs" + std::to_string(o));
            std::ostringstream toml;
            toml << "seed = " << spec.seed + static_cast<std::uint64_t>(o) << "\n[task]\nname = \"" << task << "\"\n"
                 << "[inference]\nmethod = \"" << c.method.method << "\"\nestimator = \"" << c.method.estimator
                 << "\"\nsimulations = " << budget << "\n[observation]\nfile = \"" << obs_file.string() << "\"\n"
                 << "[training]\nbatch_size = 50\n[posterior]\nsamples = 10000\n";
            if (find_method(c.method.method).mcmc) toml << "[mcmc]\ngroup_size = 50\n";
            toml << "[output]\ndir = \"" << run_dir.string() << "\"\noverwrite = true\n";
            // [mcmc] overrides reach only the methods that sample by MCMC (the others refuse the table).
            std::vector<std::string> overrides;
            for (const auto& kv : spec.overrides)
              if (kv.rfind("mcmc.", 0) != 0 || find_method(c.method.method).mcmc) overrides.push_back(kv);
            c.config = parse_run_config(toml.str(), "bench sbibm cell " + task + "/" + c.label + "/" + std::to_string(budget) +
                                                        "/obs" + std::to_string(o), overrides);
            if (const auto& check = find_method(c.method.method).check_prior)
              if (const auto problem = check(c.config, *make_prior(c.config)))
                c.not_applicable = problem->expected + ", got " + problem->found;
            cs.push_back(std::move(c));
          }
    return cs;
  }, mpi::Failure::bad_input);

  // The paper's figures (optional: a grid on a custom sbibm directory may lack them).
  const PaperResults paper = read_paper_results_dir(sbibm.string());

  const fs::path csv = out_dir / "results.csv";
  std::vector<GridRow> done = mpi::agree(comm, [&] {
    std::vector<GridRow> rows;
    if (root) {
      std::error_code ec;
      fs::create_directories(out_dir, ec);
      if (ec) throw IoError(make_message("--out", "directory", "one that can be created", "'" + out_dir.string() + "' (" + ec.message() + ")"));
      rows = read_grid_csv(csv.string());
      // Written back whole: drops a row a kill cut short, so that appending starts on a new line.
      std::ofstream f(csv, std::ios::trunc);
      f << grid_csv_header() << "\n";
      for (const auto& r : rows) f << to_csv_line(r) << "\n";
      if (!f) throw IoError(csv.string() + ": cannot write");
    }
    return rows;
  }, mpi::Failure::bad_input);
  std::set<CellKey> finished;
  for (const auto& r : done) finished.insert(key_of(r));

  std::size_t k = 0;
  for (const Cell& c : cells) {
    ++k;
    const CellKey key = key_of(c);
    int skip = root && finished.count(key) ? 1 : 0;
    comm.broadcast(skip);
    const std::string name = c.task + " " + std::get<1>(key) + " " + std::to_string(c.budget) + " obs" +
                             std::to_string(c.observation);
    if (skip) {
      if (root) out << "[" << k << "/" << cells.size() << "] " << name << ": finished before, skipped\n" << std::flush;
      continue;
    }
    if (!c.not_applicable.empty()) {
      if (root) out << "[" << k << "/" << cells.size() << "] " << name << ": not applicable, skipped (" << c.not_applicable << ")\n" << std::flush;
      continue;
    }
    if (spec.report_only) continue;
    const RunSummary s = run_inference(c.config, comm);
    GridRow row;
    if (root) {
      const double t0 = MPI_Wtime();
      const Eigen::MatrixXd samples = read_npy_matrix((fs::path(s.run_dir) / "posterior_samples.npy").string());
      const Eigen::MatrixXd reference = read_csv(c.reference).rows.transpose();
      C2stOptions opt;
      opt.threads = spec.c2st_threads;
      // As sbibm: as many algorithm samples as reference samples (unequal sets bias the accuracy).
      opt.max_samples = static_cast<std::size_t>(std::min(samples.cols(), reference.cols()));
      row.c2st = c2st(reference, samples, opt);
      row.c2st_seconds = MPI_Wtime() - t0;
      row.task = c.task;
      row.method = c.method.method;
      row.estimator = c.method.estimator;
      row.budget = c.budget;
      row.observation = c.observation;
      row.simulate_seconds = s.phases.simulate;
      row.train_seconds = s.phases.train;
      row.proposal_seconds = s.phases.proposal;
      row.sample_seconds = s.phases.sample;
      row.total_seconds = s.phases.total;
      row.epochs = s.epochs;
      row.ranks = comm.size();
      row.seed = c.config.seed;
    }
    mpi::agree_on_root(comm, [&] {
      std::ofstream f(csv, std::ios::app);
      f << to_csv_line(row) << "\n" << std::flush;
      if (!f) throw IoError(csv.string() + ": cannot append a row");
    });
    if (root)
      out << "[" << k << "/" << cells.size() << "] " << name << ": c2st " << fmt(row.c2st, 4) << " (run "
          << fmt(row.total_seconds, 1) << " s, c2st " << fmt(row.c2st_seconds, 1) << " s)\n" << std::flush;
    if (root) done.push_back(row);  // rows (and the table) live on rank 0
  }

  // The table over the cells of this grid (results.csv may hold others from earlier grids).
  std::set<CellKey> wanted;
  NotApplicable not_applicable;
  for (const Cell& c : cells) {
    wanted.insert(key_of(c));
    if (!c.not_applicable.empty()) not_applicable[{c.task, std::get<1>(key_of(c)), c.budget}] = c.not_applicable;
  }
  std::vector<GridRow> rows;
  for (const auto& r : done)
    if (wanted.count(key_of(r))) rows.push_back(r);
  mpi::agree_on_root(comm, [&] {
    const std::string md = grid_markdown(rows, paper, not_applicable);
    std::ofstream f(out_dir / "results.md");
    f << md;
    if (!f) throw IoError((out_dir / "results.md").string() + ": cannot write");
    out << "\n" << md << std::flush;
  });
  return rows;
}

}  // namespace nsbi::bench
