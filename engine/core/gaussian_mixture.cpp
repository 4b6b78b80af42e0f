#include "nsbi/core/gaussian_mixture.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

std::string dims(Eigen::Index rows, Eigen::Index cols) { return std::to_string(rows) + "×" + std::to_string(cols); }

void check_shapes(const GaussianMixture& q, const char* where) {
  const Eigen::Index K = q.log_weights.size(), D = q.means.rows();
  if (K < 1 || D < 1) throw ShapeError(make_message(where, "mixture", "at least one component and dimension", dims(D, K)));
  if (q.means.cols() != K)
    throw ShapeError(make_message(where, "means", dims(D, K) + " (one column per weight)", dims(D, q.means.cols())));
  if (static_cast<Eigen::Index>(q.covariances.size()) != K)
    throw ShapeError(make_message(where, "covariances", std::to_string(K), std::to_string(q.covariances.size())));
  for (const auto& s : q.covariances)
    if (s.rows() != D || s.cols() != D) throw ShapeError(make_message(where, "covariance", dims(D, D), dims(s.rows(), s.cols())));
}

// L with L·Lᵀ = s; throws NumericalError naming `what` when s is not positive definite.
Eigen::LLT<Eigen::MatrixXd> cholesky(const Eigen::MatrixXd& s, const char* where, const std::string& what) {
  Eigen::LLT<Eigen::MatrixXd> llt(s);
  if (llt.info() != Eigen::Success)
    throw NumericalError(make_message(where, what, "positive definite",
                                      "smallest eigenvalue " +
                                          std::to_string(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(s).eigenvalues()(0))));
  return llt;
}

// log det of the matrix factored by llt: 2 Σ log L_ii.
double log_det(const Eigen::LLT<Eigen::MatrixXd>& llt) {
  return 2.0 * llt.matrixLLT().diagonal().array().log().sum();
}

Eigen::VectorXd normalized_log_weights(const Eigen::VectorXd& log_w) {
  const double m = log_w.maxCoeff();
  return log_w.array() - (m + std::log((log_w.array() - m).exp().sum()));
}

// What sample() and sample_in_box() share: the cumulative weights and the Cholesky factors,
// computed once per call, and one draw at a time without allocation.
class ComponentSampler {
 public:
  ComponentSampler(const GaussianMixture& q, const char* where) : q_(q), z_(q.dim()) {
    check_shapes(q, where);
    const Eigen::VectorXd w = normalized_log_weights(q.log_weights).array().exp();
    cumulative_.resize(w.size());
    double s = 0;
    for (Eigen::Index k = 0; k < w.size(); ++k) cumulative_(k) = s += w(k);
    chol_.reserve(q.covariances.size());
    for (std::size_t k = 0; k < q.covariances.size(); ++k)
      chol_.push_back(cholesky(q.covariances[k], where, "covariance of component " + std::to_string(k)).matrixL());
  }

  void draw(RandomStream& rng, Eigen::Ref<Eigen::VectorXd> theta) {
    // Inverse CDF of the weights; the last component takes any rounding remainder of Σ α < 1.
    const double u = rng.uniform() * cumulative_(cumulative_.size() - 1);
    Eigen::Index k = 0;
    while (k + 1 < cumulative_.size() && cumulative_(k) < u) ++k;
    for (Eigen::Index i = 0; i < z_.size(); ++i) z_(i) = rng.normal();
    theta = q_.means.col(k);
    theta.noalias() += chol_[k].triangularView<Eigen::Lower>() * z_;
  }

 private:
  const GaussianMixture& q_;
  Eigen::VectorXd cumulative_, z_;
  std::vector<Eigen::MatrixXd> chol_;
};

// log Σ_k exp(terms_k) of each column, with the column maximum taken out.
Eigen::VectorXd log_sum_exp_columns(const Eigen::MatrixXd& terms) {
  const Eigen::RowVectorXd m = terms.colwise().maxCoeff();
  return (m.array() + ((terms.rowwise() - m).array().exp().colwise().sum()).log()).transpose();
}

}  // namespace

Eigen::MatrixXd GaussianMixture::component_log_probs(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  constexpr const char* where = "GaussianMixture::log_prob";
  check_shapes(*this, where);
  const Eigen::Index D = dim(), K = components(), N = theta.cols();
  if (theta.rows() != D) throw ShapeError(make_message(where, "theta rows", std::to_string(D), std::to_string(theta.rows())));
  const Eigen::VectorXd log_w = normalized_log_weights(log_weights);
  // log α_k + log N(θ; μ_k, Σ_k) = log α_k − ½‖L_k⁻¹(θ − μ_k)‖² − ½ log|Σ_k| − (D/2) log 2π, per column.
  Eigen::MatrixXd terms(K, N), w(D, N);
  const double half_log_2pi = 0.5 * std::log(2.0 * std::numbers::pi);
  for (Eigen::Index k = 0; k < K; ++k) {
    const auto llt = cholesky(covariances[k], where, "covariance of component " + std::to_string(k));
    w = theta.colwise() - means.col(k);
    llt.matrixL().solveInPlace(w);
    terms.row(k) = (-0.5 * w.colwise().squaredNorm()).array() +
                   (log_w(k) - 0.5 * log_det(llt) - static_cast<double>(D) * half_log_2pi);
  }
  return terms;
}

Eigen::VectorXd GaussianMixture::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  return log_sum_exp_columns(component_log_probs(theta));
}

Eigen::MatrixXd GaussianMixture::sample(RandomStream& rng, Eigen::Index n) const {
  ComponentSampler sampler(*this, "GaussianMixture::sample");
  Eigen::MatrixXd theta(dim(), n);
  for (Eigen::Index j = 0; j < n; ++j) sampler.draw(rng, theta.col(j));
  return theta;
}

TruncatedSamples GaussianMixture::sample_in_box(RandomStream& rng, Eigen::Index n, const Eigen::VectorXd& lo,
                                                const Eigen::VectorXd& hi, std::int64_t max_draws) const {
  constexpr const char* where = "GaussianMixture::sample_in_box";
  ComponentSampler sampler(*this, where);
  const Eigen::Index D = dim();
  if (lo.size() != D || hi.size() != D)
    throw ShapeError(make_message(where, "box bounds", "length " + std::to_string(D),
                                  std::to_string(lo.size()) + " and " + std::to_string(hi.size())));
  TruncatedSamples out;
  out.theta.resize(D, n);
  Eigen::VectorXd t(D);
  Eigen::Index kept = 0;
  while (kept < n && out.draws < max_draws) {
    sampler.draw(rng, t);
    ++out.draws;
    if ((t.array() >= lo.array()).all() && (t.array() <= hi.array()).all()) out.theta.col(kept++) = t;
  }
  out.truncated = kept < n;
  out.theta.conservativeResize(D, kept);
  out.acceptance = out.draws ? static_cast<double>(kept) / static_cast<double>(out.draws) : 0.0;
  return out;
}

Eigen::VectorXd GaussianMixture::mean() const {
  check_shapes(*this, "GaussianMixture::mean");
  return means * normalized_log_weights(log_weights).array().exp().matrix();
}

Eigen::MatrixXd GaussianMixture::covariance() const {
  check_shapes(*this, "GaussianMixture::covariance");
  const Eigen::VectorXd w = normalized_log_weights(log_weights).array().exp(), mu = means * w;
  // Law of total covariance: E[Cov θ | k] + Cov E[θ | k].
  Eigen::MatrixXd s = Eigen::MatrixXd::Zero(dim(), dim());
  for (int k = 0; k < components(); ++k) {
    const Eigen::VectorXd d = means.col(k) - mu;
    s += w(k) * (covariances[k] + d * d.transpose());
  }
  return s;
}

namespace {

// correct_mixture and correct_mixture_in_box: box null for the first, which throws where Λ'_k is
// not positive definite.
struct Box {
  const Eigen::VectorXd& lo;
  const Eigen::VectorXd& hi;
};

// The tilt that makes Λ' = Σ_i λ_i v_i v_iᵀ positive definite inside the box: every λ_i below
// 1/s_i² (s_i = Σ_j |v_ij|·half-width_j, the box's half-extent along v_i) raised to it, and b the
// bound of ½ (θ − c)ᵀT(θ − c) on the box (|v_iᵀ(θ − c)| ≤ s_i there).
QuadraticTilt box_tilt(const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>& eig, const Box& box) {
  const Eigen::Index D = eig.eigenvalues().size();
  const Eigen::VectorXd half_width = 0.5 * (box.hi - box.lo);
  QuadraticTilt tilt;
  tilt.c = 0.5 * (box.lo + box.hi);
  tilt.T = Eigen::MatrixXd::Zero(D, D);
  for (Eigen::Index i = 0; i < D; ++i) {
    const Eigen::VectorXd v = eig.eigenvectors().col(i);
    const double s = v.cwiseAbs().dot(half_width), floor = 1.0 / (s * s), lam = eig.eigenvalues()(i);
    if (lam >= floor) continue;
    tilt.T += (floor - lam) * v * v.transpose();
    tilt.b += 0.5 * (floor - lam) * s * s;
  }
  tilt.T = 0.5 * (tilt.T + tilt.T.transpose());
  return tilt;
}

TiltedMixture correct(const GaussianMixture& q, const Eigen::VectorXd& proposal_mean, const Eigen::MatrixXd& proposal_cov,
                      const Eigen::VectorXd* prior_mean, const Eigen::MatrixXd* prior_cov, const Box* box,
                      const char* where) {
  check_shapes(q, where);
  const Eigen::Index D = q.dim(), K = q.components();
  if (proposal_mean.size() != D || proposal_cov.rows() != D || proposal_cov.cols() != D)
    throw ShapeError(make_message(where, "proposal mean and covariance", "length " + std::to_string(D) + " and " + dims(D, D),
                                  std::to_string(proposal_mean.size()) + " and " + dims(proposal_cov.rows(), proposal_cov.cols())));
  if ((prior_mean == nullptr) != (prior_cov == nullptr))
    throw ShapeError(make_message(where, "prior", "both mean and covariance (Gaussian) or neither (box-uniform)",
                                  "only one of them"));
  const bool gaussian_prior = prior_mean != nullptr;
  if (gaussian_prior && (prior_mean->size() != D || prior_cov->rows() != D || prior_cov->cols() != D))
    throw ShapeError(make_message(where, "prior mean and covariance", "length " + std::to_string(D) + " and " + dims(D, D),
                                  std::to_string(prior_mean->size()) + " and " + dims(prior_cov->rows(), prior_cov->cols())));
  if (box && (box->lo.size() != D || box->hi.size() != D || !(box->lo.array() < box->hi.array()).all()))
    throw ShapeError(make_message(where, "box", "lo < hi, length " + std::to_string(D),
                                  "lengths " + std::to_string(box->lo.size()) + " and " + std::to_string(box->hi.size())));

  const Eigen::MatrixXd I = Eigen::MatrixXd::Identity(D, D);
  // The k-independent part of Λ' and η': −Λ_p̃ (+ Λ_p for a Gaussian prior; 0 for a box).
  Eigen::MatrixXd lambda_0 = -cholesky(proposal_cov, where, "proposal covariance").solve(I);
  Eigen::VectorXd eta_0 = lambda_0 * proposal_mean;
  if (gaussian_prior) {
    const Eigen::MatrixXd lambda_p = cholesky(*prior_cov, where, "prior covariance").solve(I);
    lambda_0 += lambda_p;
    eta_0 += lambda_p * *prior_mean;
  }

  // Log normaliser. In canonical form
  //   log N(θ; μ, Σ) = −½ θᵀΛθ + θᵀΛμ − ½ μᵀΛμ − ½ log|Σ| − (D/2) log 2π,
  // so log N_k + log p − log p̃ = −½ θᵀΛ'_kθ + θᵀη'_k + c_k with
  //   c_k = −½ μ_kᵀΛ_kμ_k − ½ log|Σ_k| + (terms of p and p̃ only),
  // and ∫ exp(−½ θᵀΛ'θ + θᵀη') dθ = (2π)^{D/2} |Λ'|^{−½} exp(½ η'ᵀΛ'⁻¹η'). Hence
  //   log Z_k = −½ μ_kᵀΛ_kμ_k − ½ log|Σ_k| + ½ η'_kᵀμ'_k + ½ log|Σ'_k| + const,
  // the constant (shared by all k) cancelling when the weights are renormalised. For a box prior
  // N_k/p̃ = Z_k N(θ; μ'_k, Σ'_k) holds pointwise, so truncating the corrected mixture to the box
  // afterwards is exact: the α'_k are coefficients of that identity, not masses inside the box.
  // A tilted component (box only): −½ θᵀΛ'θ + θᵀη' = −½ θᵀΛ^eθ + θᵀη^e + ½ (θ − c)ᵀT(θ − c) − ½ cᵀTc,
  // so its coefficient is the envelope's, times exp(b − ½ cᵀTc) for the factor exp(½(θ−c)ᵀT(θ−c) − b).
  TiltedMixture out;
  GaussianMixture& m = out.mixture;
  m.log_weights.resize(K);
  m.means.resize(D, K);
  m.covariances.resize(K);
  for (Eigen::Index k = 0; k < K; ++k) {
    const std::string component = "component " + std::to_string(k);
    const auto llt_k = cholesky(q.covariances[k], where, "covariance of " + component);
    const Eigen::MatrixXd lambda_k = llt_k.solve(I);
    const Eigen::VectorXd mu_k = q.means.col(k), eta_k = lambda_k * mu_k;
    Eigen::MatrixXd lambda = lambda_k + lambda_0;
    Eigen::VectorXd eta = eta_k + eta_0;
    Eigen::LLT<Eigen::MatrixXd> llt(lambda);
    double tilt_log_weight = 0;
    if (llt.info() != Eigen::Success) {
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(lambda);
      if (!box)
        throw NumericalError(make_message(
            where, component + ": corrected precision Λ_k − Λ_proposal + Λ_prior", "positive definite",
            "smallest eigenvalue " + std::to_string(eig.eigenvalues()(0)) + " (the proposal is narrower than the estimate)"));
      QuadraticTilt tilt = box_tilt(eig, *box);
      lambda += tilt.T;
      eta += tilt.T * tilt.c;
      llt = cholesky(lambda, where, component + ": tilted envelope's precision");
      tilt_log_weight = tilt.b - 0.5 * tilt.c.dot(tilt.T * tilt.c);
      if (out.tilts.empty()) out.tilts.resize(static_cast<std::size_t>(K));
      out.tilts[static_cast<std::size_t>(k)] = std::move(tilt);
    }
    const Eigen::VectorXd mu = llt.solve(eta);
    Eigen::MatrixXd sigma = llt.solve(I);
    m.covariances[k] = 0.5 * (sigma + sigma.transpose());  // exactly symmetric
    m.means.col(k) = mu;
    m.log_weights(k) = q.log_weights(k) - 0.5 * mu_k.dot(eta_k) - 0.5 * log_det(llt_k) + 0.5 * eta.dot(mu) -
                       0.5 * log_det(llt) + tilt_log_weight;
  }
  m.log_weights = normalized_log_weights(m.log_weights);
  return out;
}

}  // namespace

GaussianMixture correct_mixture(const GaussianMixture& q, const Eigen::VectorXd& proposal_mean,
                                const Eigen::MatrixXd& proposal_cov, const Eigen::VectorXd* prior_mean,
                                const Eigen::MatrixXd* prior_cov) {
  return correct(q, proposal_mean, proposal_cov, prior_mean, prior_cov, nullptr, "correct_mixture").mixture;
}

TiltedMixture correct_mixture_in_box(const GaussianMixture& q, const Eigen::VectorXd& proposal_mean,
                                     const Eigen::MatrixXd& proposal_cov, const Eigen::VectorXd& lo,
                                     const Eigen::VectorXd& hi) {
  const Box box{lo, hi};
  return correct(q, proposal_mean, proposal_cov, nullptr, nullptr, &box, "correct_mixture_in_box");
}

Eigen::VectorXd QuadraticTilt::log_factor(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  const Eigen::MatrixXd d = theta.colwise() - c;
  return (0.5 * (d.array() * (T * d).array()).colwise().sum() - b).transpose();
}

bool TiltedMixture::tilted() const {
  return std::any_of(tilts.begin(), tilts.end(), [](const auto& t) { return t.has_value(); });
}

namespace {

// The tilts' log factors added to the component terms of theta.
Eigen::MatrixXd& add_tilts(const std::vector<std::optional<QuadraticTilt>>& tilts,
                           const Eigen::Ref<const Eigen::MatrixXd>& theta, Eigen::MatrixXd& terms) {
  for (std::size_t k = 0; k < tilts.size(); ++k)
    if (tilts[k]) terms.row(static_cast<Eigen::Index>(k)) += tilts[k]->log_factor(theta).transpose();
  return terms;
}

}  // namespace

Eigen::VectorXd TiltedMixture::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& theta) const {
  if (!tilted()) return mixture.log_prob(theta);
  Eigen::MatrixXd terms = mixture.component_log_probs(theta);
  return log_sum_exp_columns(add_tilts(tilts, theta, terms));
}

Eigen::MatrixXd TiltedMixture::candidates(RandomStream& rng, Eigen::Index n) const {
  Eigen::MatrixXd theta = mixture.sample(rng, n);
  if (!tilted()) return theta;
  Eigen::MatrixXd terms = mixture.component_log_probs(theta);
  const Eigen::VectorXd untilted = log_sum_exp_columns(terms);
  const Eigen::VectorXd keep = log_sum_exp_columns(add_tilts(tilts, theta, terms)) - untilted;
  for (Eigen::Index j = 0; j < n; ++j)
    if (std::log(rng.uniform()) > keep(j)) theta.col(j).setConstant(std::numeric_limits<double>::quiet_NaN());
  return theta;
}

}  // namespace nsbi
