// The trainer's state is a plain value: a trainer restored from the state after some epochs
// continues with the same bytes as one that never stopped (what checkpoints rely on).
#include "nsbi/train/trainer.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include "nsbi/core/error.hpp"
#include "nsbi/core/interrupt.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/nn/masked_autoregressive_flow.hpp"
#include "nsbi/train/nll_loss.hpp"

using namespace nsbi;
using namespace nsbi::nn;

namespace {

mpi::Environment& env() {
  static mpi::Environment e;
  return e;
}

struct Pairs {
  Pairs() {
    RandomStream rng(2, StreamId::simulation, 0, 0);
    y.resize(2, 600);
    c.resize(1, 600);
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
      c(0, j) = static_cast<float>(rng.normal());
      y(0, j) = c(0, j) + 0.3f * static_cast<float>(rng.normal());
      y(1, j) = y(0, j) * y(0, j) + 0.2f * static_cast<float>(rng.normal());
    }
  }
  Mat<float> y, c;
};

MaskedAutoregressiveFlow<float> make_flow() {
  return MaskedAutoregressiveFlow<float>(2, 1, MafOptions{2, 16}, 4, Standardizer::identity(2),
                                         Standardizer::identity(1));
}

TEST(TrainerTest, RestoredStateContinuesWithTheSameBytes) {
  env();
  const Pairs d;
  train::TrainingOptions opt;
  opt.batch_size = 64;
  opt.max_epochs = 8;
  opt.stop_after_epochs = 3;  // so that patience and a learning-rate decay are part of the state
  opt.lr_decays = 1;
  opt.seed = 9;
  std::vector<std::int64_t> tr, va;
  train::split_examples(600, 0.1, 9, 0, tr, va);
  const mpi::Communicator comm;

  auto flow_a = make_flow();
  train::NllLoss loss_a(flow_a, d.y, d.c);
  train::Trainer a(loss_a, tr, va, opt, comm);
  for (int e = 0; e < 4; ++e) a.run_epoch();
  const train::TrainerState mid = a.state();
  EXPECT_EQ(mid.epoch, 4);
  EXPECT_EQ(mid.result.history.size(), 4u);
  a.run();

  auto flow_b = make_flow();  // other weights until restored
  train::NllLoss loss_b(flow_b, d.y, d.c);
  train::Trainer b(loss_b, tr, va, opt, comm);
  b.restore(mid);
  const train::TrainingResult rb = b.run();
  EXPECT_EQ(flow_a.parameters().values(), flow_b.parameters().values());
  const train::TrainerState sa = a.state(), sb = b.state();
  EXPECT_EQ(sa.adam_m, sb.adam_m);
  EXPECT_EQ(sa.adam_v, sb.adam_v);
  EXPECT_EQ(sa.epoch, sb.epoch);
  EXPECT_EQ(sa.best_val, sb.best_val);
  ASSERT_EQ(rb.history.size(), sa.result.history.size());
  for (std::size_t k = 0; k < rb.history.size(); ++k) EXPECT_EQ(rb.history[k].val_loss, sa.result.history[k].val_loss);
}

TEST(TrainerTest, AStopSignalEndsTrainingAfterTheEpochInProgress) {
  env();
  const Pairs d;
  train::TrainingOptions opt;
  opt.batch_size = 64;
  opt.max_epochs = 50;
  opt.seed = 9;
  std::vector<std::int64_t> tr, va;
  train::split_examples(600, 0.1, 9, 0, tr, va);
  const mpi::Communicator comm;
  auto flow = make_flow();
  train::NllLoss loss(flow, d.y, d.c);
  train::Trainer t(loss, tr, va, opt, comm);
  t.run_epoch();
  request_interrupt(SIGTERM);
  try {
    t.run();
    FAIL() << "training went on after a stop signal";
  } catch (const Interrupted& e) {
    EXPECT_NE(std::string(e.what()).find("after training epoch 2"), std::string::npos) << e.what();
    EXPECT_EQ(exit_code(e), 3);
  }
  clear_interrupt();
  EXPECT_EQ(t.state().epoch, 2);  // one more epoch, then the safe point
  EXPECT_FALSE(interrupt_requested());
}

TEST(TrainerTest, RestoreRejectsAStateOfAnotherSize) {
  env();
  const Pairs d;
  auto flow = make_flow();
  train::NllLoss loss(flow, d.y, d.c);
  std::vector<std::int64_t> tr, va;
  train::split_examples(600, 0.1, 9, 0, tr, va);
  train::Trainer t(loss, tr, va, train::TrainingOptions{}, mpi::Communicator());
  train::TrainerState s = t.state();
  s.weights.pop_back();
  EXPECT_THROW(t.restore(s), CheckpointError);
}

}  // namespace
