// `nsbi bench train`: trains a conditional flow (MAF by default, or NSF) for a fixed number of epochs on a pairs CSV and
// prints one JSON line with the keys of ../shared/peer/torch_maf.py, for side-by-side speed
// ratios. Under `mpirun -np P` it trains data-parallel (exact gradient allreduce).
#include <mpi.h>

#include <climits>
#include <cstdlib>
#include <iostream>

#include "nsbi/bench/reference_posterior.hpp"
#include "nsbi/bench/sbibm_grid.hpp"
#include "nsbi/cli/commands.hpp"
#include "nsbi/core/error.hpp"
#include "nsbi/io/csv.hpp"
#include "nsbi/io/json_writer.hpp"
#include "nsbi/mpi/agreement.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/nn/estimator_registry.hpp"
#include "nsbi/train/nll_loss.hpp"
#include "nsbi/train/trainer.hpp"
#include "nsbi/version.hpp"

namespace nsbi::cli {

namespace {

struct BenchTrainArgs {
  std::string data;
  int theta_dim = 2;
  int epochs = 20;
  int batch = 200;
  int micro_batch = 50;
  std::string target = "theta";
  std::uint64_t seed = 0;
  int hidden = 50, transforms = 5;
  std::string estimator = "maf";
};

void bench_train(const BenchTrainArgs& a) {
  const mpi::Communicator comm;
  const CsvTable table = read_csv(a.data);
  const Eigen::Index d = table.rows.cols();
  if (a.theta_dim < 1 || a.theta_dim >= d)
    throw ShapeError(make_message(a.data, "--theta-dim", "between 1 and " + std::to_string(d - 1) + " (the file has " +
                                                             std::to_string(d) + " columns)",
                                  std::to_string(a.theta_dim)));
  const Eigen::MatrixXd theta = table.rows.leftCols(a.theta_dim).transpose();
  const Eigen::MatrixXd x = table.rows.rightCols(d - a.theta_dim).transpose();
  const bool npe = a.target == "theta";
  const Eigen::MatrixXd& y = npe ? theta : x;
  const Eigen::MatrixXd& c = npe ? x : theta;
  nn::DensityEstimatorSpec spec;
  spec.name = a.estimator;
  spec.transforms = a.transforms;
  spec.hidden = a.hidden;
  auto flow = nn::make_density_estimator(spec, static_cast<int>(y.rows()),
                                         static_cast<int>(c.rows()), a.seed, nn::Standardizer::fit(y),
                                         nn::Standardizer::fit(c));
  const nn::Mat<float> yf = y.cast<float>(), cf = c.cast<float>();
  train::NllLoss loss(*flow, yf, cf);
  train::TrainingOptions opt;
  opt.batch_size = a.batch;
  opt.micro_batch = a.micro_batch;
  opt.max_epochs = a.epochs;
  opt.stop_after_epochs = INT_MAX;
  opt.seed = a.seed;
  const auto result = train::train(loss, y.cols(), opt, comm);
  if (!comm.is_root()) return;
  double seconds = 0;
  for (const auto& e : result.history) seconds += e.seconds;
  JsonWriter j(std::cout, 0);
  j.begin_object();
  j.field("framework", std::string("nsbi ") + kVersion).field("estimator", a.estimator).field("threads", 1).field("ranks", comm.size());
  j.field("pairs", y.cols()).field("epochs", a.epochs).field("params", flow->parameters().size());
  j.field("micro_batch", a.micro_batch);
  j.field("seconds_per_epoch", seconds / a.epochs);
  j.field("train_pairs_per_second", static_cast<double>(result.train_examples) * a.epochs / seconds);
  j.field("communication_fraction", result.communication_seconds / seconds);
  j.field("final_train_loss", result.history.back().train_loss);
  j.field("final_val_loss", result.history.back().val_loss);
  j.end_object();
  std::cout << std::endl;
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  auto a = std::make_shared<BenchTrainArgs>();
  auto* tr = bench->add_subcommand("train", "Train a flow for a fixed number of epochs and print timing JSON");
  tr->add_option("--data", a->data, "pairs CSV: theta columns then x columns, header row")->required();
  tr->add_option("--theta-dim", a->theta_dim, "number of theta columns")->required();
  tr->add_option("--epochs", a->epochs, "epochs")->check(CLI::PositiveNumber);
  tr->add_option("--batch", a->batch, "minibatch size")->check(CLI::PositiveNumber);
  tr->add_option("--micro-batch", a->micro_batch, "gradient micro-shard size")->check(CLI::PositiveNumber);
  tr->add_option("--target", a->target, "density target: theta (NPE) or x (NLE)")->check(CLI::IsMember({"theta", "x"}));
  tr->add_option("--seed", a->seed, "seed");
  tr->add_option("--hidden", a->hidden, "hidden units per MADE layer");
  tr->add_option("--transforms", a->transforms, "MADE transforms");
  tr->add_option("--estimator", a->estimator, "density estimator")->check(CLI::IsMember(nn::density_estimator_names()));
  tr->callback([a] { bench_train(*a); });

  struct GridArgs {
    std::string tasks = "two_moons", methods = "npe", budgets = "10000", observations = "1-5";
    bench::GridSpec spec;
  };
  auto g = std::make_shared<GridArgs>();
  g->spec.sbibm_dir = std::getenv("NSBI_SHARED") ? std::string(std::getenv("NSBI_SHARED")) + "/sbibm" : "../shared/sbibm";
  g->spec.out_dir = "runs/sbibm";
  auto* sb = bench->add_subcommand(
      "sbibm", "Run the sbibm benchmark grid (task × method × budget × observation; resumable) and tabulate C2ST");
  sb->add_option("--tasks", g->tasks, "comma-separated builtin tasks (nsbi tasks lists them)")->capture_default_str();
  sb->add_option("--methods", g->methods, "comma-separated methods, each `method` or `method:estimator`")
      ->capture_default_str();
  sb->add_option("--budgets", g->budgets, "comma-separated simulation budgets, e.g. 1000,10000,100000")
      ->capture_default_str();
  sb->add_option("--observations", g->observations, "sbibm observation numbers, e.g. 1-5 or 1,3")->capture_default_str();
  sb->add_option("--sbibm", g->spec.sbibm_dir, "sbibm's data: <task>/obs<k>/observation.csv, reference samples, paper_results.csv "
                                               "(default $NSBI_SHARED/sbibm or ../shared/sbibm)")
      ->capture_default_str();
  sb->add_option("--out", g->spec.out_dir, "grid directory: results.csv, results.md, runs/")->capture_default_str();
  sb->add_option("--seed", g->spec.seed, "base seed; a cell's seed is this plus its observation number")
      ->capture_default_str();
  sb->add_option("--set", g->spec.overrides, "configuration override for every cell: key.path=value (repeatable)")
      ->allow_extra_args(false);
  sb->add_flag("--report-only", g->spec.report_only,
              "Run no cell: write results.md (and print it) for the cells results.csv already holds");
  sb->add_option("--c2st-threads", g->spec.c2st_threads, "C2ST folds trained concurrently on rank 0 (same result)")
      ->check(CLI::PositiveNumber);
  sb->callback([g] {
    const mpi::Communicator comm;
    const auto parsed = mpi::agree(comm, [&] {
      bench::GridSpec spec = g->spec;
      spec.tasks = bench::parse_task_list(g->tasks);
      spec.methods = bench::parse_method_list(g->methods);
      spec.budgets = bench::parse_budget_list(g->budgets, "--budgets");
      spec.observations = bench::parse_index_list(g->observations, "--observations");
      return spec;
    }, mpi::Failure::bad_input);
    bench::run_sbibm_grid(parsed, comm, std::cout);
  });

  struct ReferenceArgs {
    std::string observations = "1-5";
    bench::ReferenceSpec spec;
  };
  auto r = std::make_shared<ReferenceArgs>();
  r->spec.task = "gaussian_random_field";
  r->spec.out_dir = "runs/reference";
  auto* rf = bench->add_subcommand(
      "reference", "Observations and reference posterior samples (MCMC on the exact likelihood) in sbibm's layout");
  rf->add_option("--task", r->spec.task, "a builtin task whose likelihood is known (" + bench::reference_tasks() + ")")
      ->capture_default_str();
  rf->add_option("--observations", r->observations, "observation numbers, e.g. 1-5")->capture_default_str();
  rf->add_option("--out", r->spec.out_dir, "directory: <task>/obs<j>/{observation,true_parameters,reference_posterior_samples}.csv")
      ->capture_default_str();
  rf->add_option("-n,--samples", r->spec.samples, "reference samples per observation")->check(CLI::PositiveNumber)
      ->capture_default_str();
  rf->add_option("--seed", r->spec.seed, "seed of θ_j, x_j and the chains")->capture_default_str();
  rf->add_option("--chains", r->spec.chains, "MCMC chains")->check(CLI::PositiveNumber)->capture_default_str();
  rf->add_option("--warmup", r->spec.warmup, "warm-up steps per chain")->check(CLI::NonNegativeNumber)->capture_default_str();
  rf->add_option("--thin", r->spec.thin, "steps per kept draw")->check(CLI::PositiveNumber)->capture_default_str();
  rf->callback([r] {
    const mpi::Communicator comm;
    bench::ReferenceSpec spec = r->spec;
    spec.observations = mpi::agree(comm, [&] { return bench::parse_index_list(r->observations, "--observations"); },
                                   mpi::Failure::bad_input);
    bench::make_reference_posteriors(spec, comm, std::cout);
  });
}

}  // namespace nsbi::cli
