#include "nsbi/inference/npe.hpp"

#include <mpi.h>

#include "nsbi/core/error.hpp"
#include "nsbi/train/nll_loss.hpp"

namespace nsbi {

NpeResult run_npe(const Eigen::MatrixXd& theta, const Eigen::MatrixXd& x, const Eigen::VectorXd& x_o,
                  const Prior& prior, const NpeOptions& opt, const mpi::Communicator& comm) {
  if (theta.cols() != x.cols())
    throw ShapeError(make_message("npe", "pairs", "as many θ as x", std::to_string(theta.cols()) + " θ and " +
                                                                          std::to_string(x.cols()) + " x"));
  if (x_o.size() != x.rows())
    throw ShapeError(make_message("npe", "observation dimension", std::to_string(x.rows()), std::to_string(x_o.size())));
  NpeResult result;
  const Eigen::MatrixXd target = opt.unconstrained ? prior.to_unconstrained(theta) : theta;
  if (!target.allFinite())
    throw NumericalError(make_message("npe", "θ inside the prior's support", "finite unconstrained values",
                                      "θ on or outside the support boundary"));
  if (opt.ensemble < 1)
    throw ConfigError(make_message("npe", "ensemble size", ">= 1", std::to_string(opt.ensemble)));
  const nn::Mat<float> y = target.cast<float>(), c = x.cast<float>();
  const nn::Standardizer y_std = nn::Standardizer::fit(target), c_std = nn::Standardizer::fit(x);
  double t0 = MPI_Wtime();
  std::vector<nn::ConditionalDensityEstimator<float>*> members;
  for (int k = 0; k < opt.ensemble; ++k) {
    // Member k: its own initial weights and minibatch order; the same data and validation split.
    const std::uint64_t member_seed = k == 0 ? opt.seed : RandomStream(opt.seed, StreamId::initialization, 1, k).next_u64();
    result.estimators.push_back(nn::make_density_estimator(opt.estimator, static_cast<int>(target.rows()),
                                                           static_cast<int>(x.rows()), member_seed, y_std, c_std));
    members.push_back(result.estimators.back().get());
    train::NllLoss loss(*result.estimators.back(), y, c);
    train::TrainingOptions topt = opt.training;
    topt.seed = member_seed;
    topt.split_seed = opt.seed;
    result.trainings.push_back(train::train(loss, theta.cols(), topt, comm));
  }
  result.train_seconds = MPI_Wtime() - t0;
  t0 = MPI_Wtime();
  RejectionOptions sopt = opt.sampling;
  sopt.seed = opt.seed;
  sopt.unconstrained = opt.unconstrained;
  result.posterior = sample_posterior(members, x_o, prior, sopt, comm);
  result.sample_seconds = MPI_Wtime() - t0;
  return result;
}

}  // namespace nsbi
