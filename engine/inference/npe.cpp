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
  result.estimator = nn::make_density_estimator(opt.estimator, static_cast<int>(target.rows()),
                                                static_cast<int>(x.rows()), opt.seed, nn::Standardizer::fit(target),
                                                nn::Standardizer::fit(x));
  const nn::Mat<float> y = target.cast<float>(), c = x.cast<float>();
  train::NllLoss loss(*result.estimator, y, c);
  train::TrainingOptions topt = opt.training;
  topt.seed = opt.seed;
  double t0 = MPI_Wtime();
  result.training = train::train(loss, theta.cols(), topt, comm);
  result.train_seconds = MPI_Wtime() - t0;
  t0 = MPI_Wtime();
  RejectionOptions sopt = opt.sampling;
  sopt.seed = opt.seed;
  sopt.unconstrained = opt.unconstrained;
  result.posterior = sample_posterior(*result.estimator, x_o, prior, sopt, comm);
  result.sample_seconds = MPI_Wtime() - t0;
  return result;
}

}  // namespace nsbi
