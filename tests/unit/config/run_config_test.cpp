#include "nsbi/config/run_config.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numbers>

#include "../io/io_test_util.hpp"
#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

using test::error_of;
using test::TempDir;

const char* kTwoMoons =
    "[task]\n"
    "name = \"two_moons\"\n"
    "[observation]\n"
    "values = [0.1, -0.2]\n";

TEST(RunConfigTest, DefaultsAreTheReferencePackages) {
  const RunConfig c;
  EXPECT_EQ(c.seed, 1u);
  EXPECT_EQ(c.inference.method, "npe");
  EXPECT_EQ(c.inference.estimator, "maf");
  EXPECT_EQ(c.inference.simulations, 10000);
  EXPECT_EQ(c.inference.rounds, 1);
  EXPECT_EQ(c.estimator.hidden_features, 50);
  EXPECT_EQ(c.estimator.transforms, 5);
  EXPECT_EQ(c.training.batch_size, 200);
  EXPECT_EQ(c.training.learning_rate, 5e-4);
  EXPECT_EQ(c.training.clip_norm, 5.0);
  EXPECT_EQ(c.training.validation_fraction, 0.1);
  EXPECT_EQ(c.training.stop_after_epochs, 20);
  EXPECT_EQ(c.training.max_epochs, 100000);
  EXPECT_EQ(c.training.micro_batch, 50);
  EXPECT_EQ(c.posterior.samples, 10000);
  EXPECT_EQ(c.posterior.max_sampling_draws, 10000000);
  EXPECT_EQ(c.posterior.min_acceptance_warning, 1e-3);
  EXPECT_FALSE(c.output.overwrite);  // a finished run is never replaced by default
  EXPECT_EQ(c.simulator.kind, SimulatorKind::builtin);
  EXPECT_NE(std::find(accepted_methods().begin(), accepted_methods().end(), "npe"), accepted_methods().end());
  EXPECT_NE(std::find(accepted_estimators().begin(), accepted_estimators().end(), "maf"), accepted_estimators().end());
}

TEST(RunConfigTest, MinimalFileTakesDefaultsAndNamesTheOutputAfterIt) {
  TempDir dir;
  const RunConfig c = load_run_config(dir.write("moons.toml", kTwoMoons), {});
  EXPECT_EQ(c.task.name, "two_moons");
  EXPECT_EQ(c.observation.values, (std::vector<double>{0.1, -0.2}));
  EXPECT_EQ(c.output.dir, "runs/moons");
  EXPECT_EQ(c.inference.simulations, 10000);
  EXPECT_EQ(c.theta_dim(), 2);
  EXPECT_EQ(c.x_dim(), 2);
  EXPECT_EQ(c.source, dir.file("moons.toml"));
}

TEST(RunConfigTest, EveryKeyIsRead) {
  TempDir dir;
  const std::string path = dir.write("all.toml",
                                     "seed = 42\n"
                                     "[task]\nname = \"slcp\"\n"
                                     "[simulator]\nkind = \"external\"\ncommand = [\"python3\", \"sim.py\", \"--fast\"]\n"
                                     "mode = \"per_call\"\nlibrary = \"libsim.so\"\nsymbol = \"simulate\"\ntheta_dim = 5\n"
                                     "x_dim = 8\ntimeout = 2.5\nkill_grace = 0.5\nmax_retries = 4\non_failure = \"drop\"\n"
                                     "max_resample_factor = 3\nchunk_size = 16\n"
                                     "[observation]\nvalues = [1, 2, 3, 4, 5, 6, 7, 8.5]\n"
                                     "[inference]\nmethod = \"npe\"\nestimator = \"nsf\"\nsimulations = 1e4\nrounds = 1\nunconstrained = true\n"
                                     "[estimator]\nhidden_features = 64\ntransforms = 3\nbins = 8\ntail_bound = 4.5\n"
                                     "[training]\nbatch_size = 100\nlearning_rate = 1e-3\nclip_norm = 1.5\n"
                                     "validation_fraction = 0.2\nstop_after_epochs = 7\nmax_epochs = 99\nmicro_batch = 25\n"
                                     "[posterior]\nsamples = 123\nmax_sampling_draws = 456789\nmin_acceptance_warning = 0.01\n"
                                     "[output]\ndir = \"out/here\"\noverwrite = false\n");
  const RunConfig c = load_run_config(path, {});
  EXPECT_EQ(c.seed, 42u);
  EXPECT_EQ(c.task.name, "slcp");
  EXPECT_EQ(c.simulator.kind, SimulatorKind::external);
  EXPECT_EQ(c.simulator.command, (std::vector<std::string>{"python3", "sim.py", "--fast"}));
  EXPECT_EQ(c.simulator.mode, ExternalMode::per_call);
  // Relative simulator paths resolve against the config file's directory.
  EXPECT_EQ(c.simulator.library, (std::filesystem::path(path).parent_path() / "libsim.so").string());
  EXPECT_EQ(c.simulator.symbol, "simulate");
  EXPECT_EQ(c.simulator.theta_dim, 5);
  EXPECT_EQ(c.simulator.x_dim, 8);
  EXPECT_EQ(c.simulator.timeout_seconds, 2.5);
  EXPECT_EQ(c.simulator.kill_grace_seconds, 0.5);
  EXPECT_EQ(c.simulator.max_retries, 4);
  EXPECT_EQ(c.simulator.on_failure, FailurePolicy::drop);
  EXPECT_EQ(c.simulator.max_resample_factor, 3.0);
  EXPECT_EQ(c.simulator.chunk_size, 16);
  EXPECT_EQ(c.observation.values.back(), 8.5);
  EXPECT_EQ(c.inference.simulations, 10000);  // 1e4 written as a float is accepted
  EXPECT_EQ(c.inference.rounds, 1);
  EXPECT_TRUE(c.inference.unconstrained);
  EXPECT_EQ(c.estimator.hidden_features, 64);
  EXPECT_EQ(c.estimator.transforms, 3);
  EXPECT_EQ(c.inference.estimator, "nsf");
  EXPECT_EQ(c.estimator.bins, 8);
  EXPECT_EQ(c.estimator.tail_bound, 4.5);
  EXPECT_EQ(c.training.batch_size, 100);
  EXPECT_EQ(c.training.learning_rate, 1e-3);
  EXPECT_EQ(c.training.clip_norm, 1.5);
  EXPECT_EQ(c.training.validation_fraction, 0.2);
  EXPECT_EQ(c.training.stop_after_epochs, 7);
  EXPECT_EQ(c.training.max_epochs, 99);
  EXPECT_EQ(c.training.micro_batch, 25);
  EXPECT_EQ(c.posterior.samples, 123);
  EXPECT_EQ(c.posterior.max_sampling_draws, 456789);
  EXPECT_EQ(c.posterior.min_acceptance_warning, 0.01);
  EXPECT_EQ(c.output.dir, "out/here");
  EXPECT_FALSE(c.output.overwrite);
}

TEST(RunConfigTest, OverridesParseTomlValuesOrBareStringsAndCreateKeys) {
  TempDir dir;
  const std::string obs = dir.write("o.csv", "x_1,x_2\n0.5,0.25\n");
  const RunConfig c = load_run_config(dir.write("cfg.toml", kTwoMoons),
                                      {"inference.simulations=500", "training.learning_rate=1e-3",
                                       "observation.file=" + obs,  // replaces observation.values
                                       "output.dir=/tmp/x y", "output.overwrite=false", "seed=18446744073709551615",
                                       "simulator.on_failure=abort", "task.name=\"two_moons\"", "estimator.transforms=2"});
  EXPECT_EQ(c.inference.simulations, 500);
  EXPECT_EQ(c.training.learning_rate, 1e-3);
  EXPECT_EQ(c.observation.file, obs);
  EXPECT_TRUE(c.observation.values.empty());
  EXPECT_EQ(c.output.dir, "/tmp/x y");
  EXPECT_FALSE(c.output.overwrite);
  EXPECT_EQ(c.seed, 18446744073709551615u);
  EXPECT_EQ(c.simulator.on_failure, FailurePolicy::abort);
  EXPECT_EQ(c.estimator.transforms, 2);
  EXPECT_EQ(load_observation(c).x_o, Eigen::Vector2d(0.5, 0.25));

  // A string key given something TOML reads as a number keeps the text as typed.
  EXPECT_EQ(load_run_config(dir.file("cfg.toml"), {"output.dir=2024"}).output.dir, "2024");
  // An array value, and the later of two --set of one key wins.
  const RunConfig d = load_run_config(dir.file("cfg.toml"), {"observation.values=[1, 2]", "observation.values=[3,4]"});
  EXPECT_EQ(d.observation.values, (std::vector<double>{3, 4}));
  // A relative path given with --set is relative to the working directory, not the config's.
  EXPECT_EQ(load_run_config(dir.file("cfg.toml"), {"observation.file=rel/o.csv"}).observation.file,
            (std::filesystem::current_path() / "rel/o.csv").string());
}

TEST(RunConfigTest, RelativeObservationFileResolvesAgainstTheConfigDirectory) {
  TempDir dir;
  dir.write("sub/obs.csv", "0.125,-4\n");  // no header row
  const std::string path = dir.write("sub/cfg.toml", "[task]\nname = \"two_moons\"\n[observation]\nfile = \"obs.csv\"\n");
  const RunConfig c = load_run_config(path, {});
  EXPECT_EQ(c.observation.file, dir.file("sub/obs.csv"));
  const Observation o = load_observation(c);
  EXPECT_EQ(o.x_o, Eigen::Vector2d(0.125, -4));
  EXPECT_EQ(o.source, dir.file("sub/obs.csv"));

  // Built in code with a relative path: against the directory of `source`.
  RunConfig code;
  code.task.name = "two_moons";
  code.observation.file = "obs.csv";
  code.source = path;
  EXPECT_EQ(load_observation(code).x_o, Eigen::Vector2d(0.125, -4));
}

TEST(RunConfigTest, ToTomlRoundTripsEveryValueExactly) {
  TempDir dir;
  const std::string path = dir.write(
      "cfg.toml",
      "seed = 9\n"
      "[prior]\ntype = \"product\"\n"
      "parts = [ { type = \"box_uniform\", low = [0.1], high = [0.30000000000000004] },\n"
      "          { type = \"product\", parts = [ { type = \"gaussian\", mean = [0, 1], covariance = [[2, 0.5], [0.5, 1]] } ] },\n"
      "          { type = \"lognormal\", log_mean = [-1], log_std = [0.7] } ]\n"
      "[simulator]\nkind = \"plugin\"\nlibrary = \"/opt/lib\\\"sim\\\".so\"\nx_dim = 3\n"
      "[observation]\nvalues = [0.1, 1e-300, -7]\n"
      "[training]\nlearning_rate = 0.00031415926535897933\n");
  const RunConfig a = load_run_config(path, {"seed=18446744073709551615"});
  const std::string text = to_toml(a);
  const RunConfig b = load_run_config(dir.write("resolved.toml", text), {});
  EXPECT_EQ(to_toml(b), text);
  EXPECT_EQ(b.seed, 18446744073709551615u);
  EXPECT_EQ(b.simulator.library, "/opt/lib\"sim\".so");
  EXPECT_EQ(b.observation.values, a.observation.values);
  EXPECT_EQ(b.training.learning_rate, 0.00031415926535897933);
  EXPECT_EQ(b.output.dir, "runs/cfg");  // resolved from the first file's name, then kept
  ASSERT_TRUE(b.prior.has_value());
  ASSERT_EQ(b.prior->parts.size(), 3u);
  EXPECT_EQ(b.prior->parts[0].high, (std::vector<double>{0.30000000000000004}));
  EXPECT_EQ(b.prior->parts[1].parts[0].covariance, (std::vector<std::vector<double>>{{2, 0.5}, {0.5, 1}}));
  EXPECT_EQ(b.prior->dim(), 4);
  EXPECT_EQ(b.theta_dim(), 4);
  EXPECT_EQ(b.x_dim(), 3);
}

TEST(RunConfigTest, EmbeddingRoundTripsAndIsLeftOutWhenNone) {
  TempDir dir;
  const RunConfig a = load_run_config(
      dir.write("emb.toml", "[task]\nname = \"gaussian_linear\"\n[observation]\nvalues = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n"
                            "[inference]\nmethod = \"snpe_c\"\n"
                            "[embedding]\ntype = \"cnn2d\"\nshape = [2, 5]\nfeatures = 6\nkernel = 3\n"),
      {});
  EXPECT_EQ(a.embedding.type, "cnn2d");
  EXPECT_EQ(a.embedding.shape, (std::vector<int>{2, 5}));
  EXPECT_EQ(a.embedding.features, 6);
  EXPECT_EQ(a.embedding.hidden, 50);  // defaults: sbi's
  const std::string text = to_toml(a);
  const RunConfig b = load_run_config(dir.write("resolved.toml", text), {});
  EXPECT_EQ(to_toml(b), text);
  EXPECT_EQ(b.embedding.shape, a.embedding.shape);
  EXPECT_EQ(b.embedding.kernel, 3);
  const RunConfig none = load_run_config(dir.write("t.toml", kTwoMoons), {});
  EXPECT_EQ(none.embedding.type, "none");
  EXPECT_EQ(to_toml(none).find("[embedding]"), std::string::npos);
}

TEST(RunConfigTest, MakePriorBuildsTheTableOrTheTasksPrior) {
  TempDir dir;
  const RunConfig c = load_run_config(
      dir.write("cfg.toml",
                "[task]\nname = \"two_moons\"\n[observation]\nvalues = [0, 0]\n"
                "[prior]\ntype = \"product\"\nparts = [ { type = \"box_uniform\", low = [-1], high = [3] },"
                " { type = \"gaussian\", mean = [1], std = [2] } ]\n"),
      {});
  const auto prior = make_prior(c);
  ASSERT_EQ(prior->dim(), 2);
  // log p(θ) = log U(θ1; -1, 3) + log N(θ2; 1, 2²), computed by hand.
  const Eigen::Vector2d theta(0.5, 2.0);
  const double expected = -std::log(4.0) - 0.5 * std::log(2 * std::numbers::pi * 4.0) - 0.5 * (1.0 / 4.0);
  EXPECT_NEAR(prior->log_prob(theta)(0), expected, 1e-12);

  const RunConfig task_only = load_run_config(dir.write("t.toml", kTwoMoons), {});
  const auto task_prior = make_prior(task_only);
  ASSERT_EQ(task_prior->dim(), 2);
  EXPECT_NEAR(task_prior->log_prob(Eigen::Vector2d(0.3, -0.9))(0), -std::log(4.0), 1e-12);  // U([-1,1]²)

  PriorConfig cov;
  cov.type = "gaussian";
  cov.mean = {0, 0};
  cov.covariance = {{1, 0.5}, {0.5, 1}};
  // Bivariate normal with unit variances and correlation ρ = 0.5 at (1, 0):
  // log p = -log(2π sqrt(1-ρ²)) - (x² - 2ρxy + y²) / (2(1-ρ²)).
  const double rho = 0.5;
  EXPECT_NEAR(make_prior(cov)->log_prob(Eigen::Vector2d(1, 0))(0),
              -std::log(2 * std::numbers::pi * std::sqrt(1 - rho * rho)) - 1.0 / (2 * (1 - rho * rho)), 1e-12);
}

TEST(RunConfigTest, ExternalSimulatorWithoutTaskTakesDimensionsFromPriorAndSimulator) {
  TempDir dir;
  const RunConfig c = load_run_config(
      dir.write("ext.toml",
                "[prior]\ntype = \"lognormal\"\nlog_mean = [0, 0, 0]\nlog_std = [1, 1, 1]\n"
                "[simulator]\nkind = \"external\"\ncommand = [\"./sim\"]\nx_dim = 4\n"
                "[observation]\nvalues = [1, 2, 3, 4]\n"),
      {});
  EXPECT_EQ(c.theta_dim(), 3);
  EXPECT_EQ(c.x_dim(), 4);
  EXPECT_EQ(make_prior(c)->dim(), 3);
  EXPECT_EQ(load_observation(c).source, "observation.values");
}

TEST(RunConfigTest, ValidateChecksAConfigBuiltInCode) {
  RunConfig c;
  c.task.name = "two_moons";
  c.observation.values = {0, 0};
  c.output.dir = "out";
  EXPECT_NO_THROW(c.validate());
  c.training.validation_fraction = 1.5;
  EXPECT_EQ(error_of<ConfigError>([&] { c.validate(); }),
            "training.validation_fraction: expected a number in (0, 1), got 1.5");
  c.training.validation_fraction = 0.1;
  c.inference.estimator = "realnvp";
  EXPECT_EQ(error_of<ConfigError>([&] { c.validate(); }).substr(0, 44), "inference.estimator: expected one of \"maf\", ");
}

TEST(RunConfigTest, ParseRunConfigReadsText) {
  const RunConfig c = parse_run_config(std::string(kTwoMoons) + "[inference]\nrounds = 1\n", "inline.toml");
  EXPECT_EQ(c.inference.rounds, 1);
  EXPECT_FALSE(c.inference.unconstrained);
  EXPECT_EQ(error_of<ConfigError>([] { parse_run_config(std::string(kTwoMoons) + "[inference]\nrounds = 2\n", "x.toml"); }),
            "x.toml:6:10: inference.rounds: expected 1 for method \"npe\" (sequential rounds: snpe_a, snpe_b, snpe_c or "
            "tsnpe), got 2");
  EXPECT_EQ(c.output.dir, "runs/inline");
  EXPECT_EQ(error_of<ConfigError>([] { parse_run_config("[inference]\nrounds = 0\n", "x.toml"); }),
            "x.toml:2:10: inference.rounds: expected a positive integer, got 0");
}

TEST(RunConfigTest, SequentialMethodsTakeTheirDefaultsAndCheckTheirKeys) {
  const RunConfig c = parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"snpe_c\"\n", "x.toml");
  EXPECT_EQ(c.inference.rounds, 10);
  EXPECT_EQ(c.inference.atoms, 10);
  EXPECT_EQ(c.inference.estimator, "maf");
  EXPECT_EQ(c.round_simulations(0), 1000);
  const RunConfig t = parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"tsnpe\"\nrounds = 3\n"
                                                                "simulations = 1000\n", "x.toml");
  EXPECT_EQ(t.inference.rounds, 3);
  EXPECT_EQ(t.round_simulations(0), 334);
  EXPECT_EQ(t.round_simulations(2), 333);
  EXPECT_EQ(t.inference.truncation_quantile, 1e-4);
  // A resolved configuration reads back the same (the defaults are written out).
  EXPECT_EQ(parse_run_config(to_toml(c), "again.toml").inference.rounds, 10);

  EXPECT_EQ(error_of<ConfigError>([] {
              parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"snpe_c\"\natoms = 1\n", "x.toml");
            }),
            "x.toml:7:9: inference.atoms: expected an integer in [2, training.batch_size = 200] (atoms are drawn from the "
            "minibatch), got 1");
  EXPECT_EQ(error_of<ConfigError>([] {
              parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"snpe_c\"\natoms = 300\n", "x.toml");
            }).substr(0, 72),
            "x.toml:7:9: inference.atoms: expected an integer in [2, training.batch_s");
  EXPECT_TRUE(parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"snpe_c\"\ncombined_loss = true\n",
                               "x.toml")
                  .inference.combined_loss);
  EXPECT_EQ(error_of<ConfigError>([] {
              parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"tsnpe\"\ncombined_loss = true\n",
                               "x.toml");
            }),
            "x.toml:7:17: inference.combined_loss: expected false for method \"tsnpe\" (it adds an NLL term to the atomic "
            "loss of snpe_c), got true");
  EXPECT_EQ(error_of<ConfigError>([] {
              parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"tsnpe\"\ntruncation_quantile = 1\n",
                               "x.toml");
            }),
            "x.toml:7:23: inference.truncation_quantile: expected a number in (0, 1), got 1");
  EXPECT_EQ(error_of<ConfigError>([] {
              parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"snpe\"\n", "x.toml");
            }).substr(0, 52),
            "x.toml:6:10: inference.method: expected one of \"npe\"");
  EXPECT_EQ(error_of<ConfigError>([] {
              parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"snpe_c\"\nsimulations = 5\n", "x.toml");
            }),
            "x.toml:7:15: inference.simulations: expected at least one simulation per round (inference.rounds = 10), got 5");
}

TEST(RunConfigTest, LikelihoodMethodsTakeTheirDefaults) {
  const auto parse = [](const std::string& extra) {
    return parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"nle\"\n" + extra, "x.toml");
  };
  const RunConfig nle = parse("");
  EXPECT_EQ(nle.inference.estimator, "maf");
  EXPECT_EQ(nle.estimator.scale, "softplus");
  EXPECT_EQ(nle.training.lr_decays, 2);
  // What the file says wins; an nsf keeps the only scale it has.
  const RunConfig given = parse("[estimator]\nscale = \"sigmoid\"\n[training]\nlr_decays = 0\n");
  EXPECT_EQ(given.estimator.scale, "sigmoid");
  EXPECT_EQ(given.training.lr_decays, 0);
  EXPECT_EQ(parse("estimator = \"nsf\"\n").estimator.scale, "sigmoid");
  // NPE keeps sbi's.
  const RunConfig npe = parse_run_config(std::string(kTwoMoons), "x.toml");
  EXPECT_EQ(npe.estimator.scale, "sigmoid");
  EXPECT_EQ(npe.training.lr_decays, 0);
  // The resolved configuration reads back the same.
  EXPECT_EQ(parse_run_config(to_toml(given), "again.toml").estimator.scale, "sigmoid");
}

TEST(RunConfigTest, SnpeAWaitsLongerBeforeStopping) {
  const auto parse = [](const std::string& extra) {
    return parse_run_config(std::string(kTwoMoons) + "[inference]\nmethod = \"snpe_a\"\n" + extra, "x.toml");
  };
  EXPECT_EQ(parse("").training.stop_after_epochs, 60);
  EXPECT_EQ(parse("[training]\nstop_after_epochs = 20\n").training.stop_after_epochs, 20);
  EXPECT_EQ(parse_run_config(std::string(kTwoMoons), "x.toml").training.stop_after_epochs, 20);
}

TEST(RunConfigTest, MafScaleIsOneOfTwoAndForMafOnly) {
  const RunConfig c = parse_run_config(std::string(kTwoMoons) + "[estimator]\nscale = \"softplus\"\n", "x.toml");
  EXPECT_EQ(c.estimator.scale, "softplus");
  EXPECT_EQ(parse_run_config(to_toml(c), "again.toml").estimator.scale, "softplus");
  EXPECT_EQ(error_of<ConfigError>([] {
              parse_run_config(std::string(kTwoMoons) + "[estimator]\nscale = \"exp\"\n", "x.toml");
            }),
            "x.toml:6:9: estimator.scale: expected one of \"sigmoid\", \"softplus\", got \"exp\"");
  EXPECT_EQ(error_of<ConfigError>([] {
              parse_run_config(std::string(kTwoMoons) + "[inference]\nestimator = \"nsf\"\n[estimator]\nscale = \"softplus\"\n",
                               "x.toml");
            }),
            "x.toml:8:9: estimator.scale: expected the default \"sigmoid\" for estimator \"nsf\" (maf only), got "
            "\"softplus\"");
}

TEST(RunConfigTest, ZScoreOfXIsOneOfThreeAndRoundTrips) {
  EXPECT_EQ(parse_run_config(std::string(kTwoMoons), "x.toml").estimator.z_score_x, "auto");
  const RunConfig c =
      parse_run_config(std::string(kTwoMoons) + "[estimator]\nz_score_x = \"structured\"\n", "x.toml");
  EXPECT_EQ(c.estimator.z_score_x, "structured");
  EXPECT_EQ(parse_run_config(to_toml(c), "again.toml").estimator.z_score_x, "structured");
  EXPECT_EQ(error_of<ConfigError>([] {
              parse_run_config(std::string(kTwoMoons) + "[estimator]\nz_score_x = \"global\"\n", "x.toml");
            }),
            "x.toml:6:13: estimator.z_score_x: expected one of \"auto\", \"independent\", \"structured\", got "
            "\"global\"");
}

TEST(RunConfigTest, SpectrumBinsAreForThePowerSpectrumEmbeddingOnly) {
  const std::string grf = "[task]\nname = \"gaussian_random_field\"\n[observation]\nvalues = [" +
                          [] {
                            std::string v;
                            for (int i = 0; i < 1024; ++i) v += i ? ", 0" : "0";
                            return v;
                          }() +
                          "]\n[embedding]\n";
  const RunConfig c = parse_run_config(grf + "type = \"power_spectrum\"\nshape = [32, 32]\nbins = 24\n", "x.toml");
  EXPECT_EQ(c.embedding.bins, 24);
  EXPECT_EQ(parse_run_config(to_toml(c), "again.toml").embedding.bins, 24);
  const std::string message = error_of<ConfigError>(
      [&] { parse_run_config(grf + "type = \"cnn2d\"\nshape = [32, 32]\nbins = 24\n", "x.toml"); });
  EXPECT_NE(message.find("embedding.bins: expected no bins for type \"cnn2d\""), std::string::npos) << message;
  const std::string no_shape =
      error_of<ConfigError>([&] { parse_run_config(grf + "type = \"power_spectrum\"\n", "x.toml"); });
  EXPECT_NE(no_shape.find("embedding.shape: expected [H, W], two positive integers, for type \"power_spectrum\""),
            std::string::npos)
      << no_shape;
}

TEST(RunConfigTest, FlowOrderIsForTheAutoregressiveFlowsOnly) {
  const auto parse = [](const std::string& estimator) {
    return parse_run_config(std::string(kTwoMoons) + "[inference]\nestimator = \"" + estimator +
                                "\"\n[estimator]\norder = \"random\"\n",
                            "x.toml");
  };
  EXPECT_EQ(parse("nsf").estimator.order, "random");
  EXPECT_EQ(parse("maf").estimator.order, "random");
  EXPECT_EQ(error_of<ConfigError>([&] { parse("nsf_coupling"); }),
            "x.toml:8:9: estimator.order: expected the default \"reverse\" for estimator \"nsf_coupling\" (the "
            "autoregressive flows maf and nsf only), got \"random\"");
}

}  // namespace
}  // namespace nsbi
