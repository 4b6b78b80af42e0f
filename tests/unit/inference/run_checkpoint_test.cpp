// Checkpoints of trainings (issue 11): the file round-trips every field of a trainer state; a
// foreign, truncated, wrong-version, bit-flipped or other-configuration file is a CheckpointError
// naming it; the newest valid file is loaded and a newer invalid one skipped; and a training
// resumed through a checkpoint file ends with the bytes of one that never stopped, while a
// finished training is not run again.
#include "nsbi/inference/run_checkpoint.hpp"

#include <gtest/gtest.h>

#include <boost/crc.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "nsbi/core/error.hpp"
#include "nsbi/core/random.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/nn/masked_autoregressive_flow.hpp"
#include "nsbi/train/nll_loss.hpp"

using namespace nsbi;

namespace {

namespace fs = std::filesystem;

mpi::Environment& env() {
  static mpi::Environment e;
  return e;
}

std::string fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("nsbi_checkpoint_test_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

CheckpointContent sample_content() {
  CheckpointContent c;
  c.fingerprint = 0x1234abcdULL;
  c.sequence = 7;
  train::TrainerState done;
  done.finished = true;
  done.weights = {1.5f, -2.25f, 3.0f};
  done.epoch = 12;
  done.result.history = {{0, 1.0, 2.0, 0.1}, {1, 0.5, 1.5, 0.2}};
  done.result.best_epoch = 1;
  done.result.best_val_loss = 1.5;
  done.result.early_stopped = true;
  done.result.steps = 99;
  train::TrainerState mid;
  mid.adam_steps = 40;
  mid.adam_m = {0.1f, 0.2f, 0.3f};
  mid.adam_v = {0.01f, 0.02f, 0.03f};
  mid.learning_rate = 1e-4;
  mid.weights = {4.0f, 5.0f, 6.0f};
  mid.best_weights = {4.5f, 5.5f, 6.5f};
  mid.best_val = std::numeric_limits<double>::infinity();
  mid.since_improvement = 3;
  mid.epoch = 5;
  mid.allreduce_has_bound = true;
  mid.allreduce_bound = -17;
  mid.result.lr_decays = 1;
  mid.result.train_examples = 900;
  mid.result.validation_examples = 100;
  c.trainings = {{0, done}, {1, mid}};
  mcmc::ChainsProgress s;
  s.round = 3;
  s.dim = 2;
  s.chains = 2;
  s.init_u = {0.5, -1.0, 2.0, 0.25};
  s.log_normalizer = -3.5;
  s.init_ess = 17.25;
  s.init_evaluations = 1000;
  s.groups = {std::string("\0\1group 0 bytes", 15), std::string()};
  c.samplings = {s};
  return c;
}

TEST(RunCheckpointTest, RoundTripsEveryField) {
  const CheckpointContent c = sample_content();
  const CheckpointContent d = decode_checkpoint(encode_checkpoint(c), "x.bin", c.fingerprint);
  EXPECT_EQ(d.sequence, 7u);
  ASSERT_EQ(d.trainings.size(), 2u);
  const auto& a = d.trainings[0].state;
  EXPECT_TRUE(a.finished);
  EXPECT_EQ(a.weights, c.trainings[0].state.weights);
  ASSERT_EQ(a.result.history.size(), 2u);
  EXPECT_EQ(a.result.history[1].val_loss, 1.5);
  EXPECT_EQ(a.result.steps, 99);
  EXPECT_TRUE(a.result.early_stopped);
  const auto& b = d.trainings[1].state;
  const auto& m = c.trainings[1].state;
  EXPECT_EQ(d.trainings[1].round, 1u);
  EXPECT_EQ(b.adam_steps, m.adam_steps);
  EXPECT_EQ(b.adam_m, m.adam_m);
  EXPECT_EQ(b.adam_v, m.adam_v);
  EXPECT_EQ(b.best_weights, m.best_weights);
  EXPECT_EQ(b.best_val, m.best_val);
  EXPECT_EQ(b.since_improvement, 3);
  EXPECT_EQ(b.epoch, 5);
  EXPECT_TRUE(b.allreduce_has_bound);
  EXPECT_EQ(b.allreduce_bound, -17);
  EXPECT_EQ(b.learning_rate, 1e-4);
  EXPECT_EQ(b.result.train_examples, 900);
  ASSERT_EQ(d.samplings.size(), 1u);
  const mcmc::ChainsProgress &s = d.samplings[0], &t = c.samplings[0];
  EXPECT_EQ(s.round, 3u);
  EXPECT_EQ(s.dim, 2);
  EXPECT_EQ(s.chains, 2);
  EXPECT_EQ(s.init_u, t.init_u);
  EXPECT_EQ(s.log_normalizer, -3.5);
  EXPECT_EQ(s.init_ess, 17.25);
  EXPECT_EQ(s.init_evaluations, 1000);
  EXPECT_EQ(s.groups, t.groups);
  EXPECT_FALSE(s.finished());
  EXPECT_EQ(encode_checkpoint(d), encode_checkpoint(c));
}

std::string message_of(const std::string& bytes, std::uint64_t fingerprint) {
  try {
    decode_checkpoint(bytes, "run/checkpoint-000003.bin", fingerprint);
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "";
}

TEST(RunCheckpointTest, EveryKindOfBadFileIsNamed) {
  const CheckpointContent c = sample_content();
  const std::string good = encode_checkpoint(c);
  const auto has = [](const std::string& m, const std::string& s) { return m.find(s) != std::string::npos; };
  std::string m = message_of("NSBIEST\0 something else", c.fingerprint);
  EXPECT_TRUE(has(m, "run/checkpoint-000003.bin") && has(m, "magic NSBICKPT")) << m;
  m = message_of(good.substr(0, good.size() - 9), c.fingerprint);
  EXPECT_TRUE(has(m, "truncated file")) << m;
  std::string v = good;
  v[8] = 9;
  m = message_of(v, c.fingerprint);
  EXPECT_TRUE(has(m, "format version expected 2, got 9")) << m;
  for (std::size_t at : {std::size_t{30}, good.size() / 2, good.size() - 5}) {
    std::string f = good;
    f[at] = static_cast<char>(f[at] ^ 0x10);
    m = message_of(f, c.fingerprint);
    EXPECT_TRUE(has(m, "checksum") && has(m, "corrupt")) << at << ": " << m;
  }
  m = message_of(good, c.fingerprint + 1);
  EXPECT_TRUE(has(m, "another configuration")) << m;
  EXPECT_EQ(message_of(good, c.fingerprint), "");
}

TEST(RunCheckpointTest, LoadsTheNewestValidFileAndSkipsANewerInvalidOne) {
  env();
  const mpi::Communicator comm;
  Log log(false);
  const std::string dir = fresh_dir("load");
  EXPECT_FALSE(load_newest_checkpoint(dir, 5, comm, log));
  CheckpointContent c = sample_content();
  c.fingerprint = 5;
  for (std::uint64_t s : {3u, 4u}) {
    c.sequence = s;
    write_checkpoint(dir, c);
  }
  EXPECT_EQ(checkpoint_sequences(dir), (std::vector<std::uint64_t>{4, 3}));
  EXPECT_FALSE(fs::exists(fs::path(dir) / "checkpoint.tmp"));
  EXPECT_EQ(load_newest_checkpoint(dir, 5, comm, log)->sequence, 4u);
  std::string bytes = read_file(checkpoint_path(dir, 4));
  bytes[bytes.size() / 2] ^= 1;
  write_file(checkpoint_path(dir, 4), bytes);
  EXPECT_EQ(load_newest_checkpoint(dir, 5, comm, log)->sequence, 3u);
  EXPECT_EQ(read_file(checkpoint_path(dir, 4)), bytes);  // left as it was
  write_file(checkpoint_path(dir, 3), "garbage");
  try {
    load_newest_checkpoint(dir, 5, comm, log);
    ADD_FAILURE() << "no error";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint-000004.bin"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no valid checkpoint"), std::string::npos) << e.what();
  }
}

struct Pairs {
  Pairs() {
    RandomStream rng(2, StreamId::simulation, 0, 0);
    y.resize(2, 500);
    c.resize(1, 500);
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
      c(0, j) = static_cast<float>(rng.normal());
      y(0, j) = c(0, j) + 0.3f * static_cast<float>(rng.normal());
      y(1, j) = y(0, j) * y(0, j) + 0.2f * static_cast<float>(rng.normal());
    }
  }
  nn::Mat<float> y, c;
};

nn::MaskedAutoregressiveFlow<float> make_flow() {
  return nn::MaskedAutoregressiveFlow<float>(2, 1, nn::MafOptions{2, 16}, 4, nn::Standardizer::identity(2),
                                             nn::Standardizer::identity(1));
}

/// A RunCheckpointer that counts the epochs it sees run.
struct CountingCheckpointer : RunCheckpointer {
  using RunCheckpointer::RunCheckpointer;
  void after_epoch(const train::Trainer& t, std::uint32_t round, bool stopping) override {
    ++epochs;
    RunCheckpointer::after_epoch(t, round, stopping);
  }
  int epochs = 0;
};

// Two trainings (rounds 0 and 1) as a run makes them, with a ledger.
Eigen::VectorXf two_trainings(train::TrainingLedger* ledger) {
  const Pairs d;
  const mpi::Communicator comm;
  auto flow = make_flow();
  train::NllLoss loss(flow, d.y, d.c);
  std::vector<std::int64_t> tr, va;
  train::split_examples(500, 0.1, 9, 0, tr, va);
  for (std::uint32_t r = 0; r < 2; ++r) {
    train::TrainingOptions opt;
    opt.batch_size = 50;
    opt.max_epochs = 6;
    opt.seed = 9;
    opt.round = r;
    opt.ledger = ledger;
    train::Trainer t(loss, tr, va, opt, comm);
    const train::TrainingResult res = t.run();
    EXPECT_EQ(res.history.size(), 6u);
  }
  return flow.parameters().values();
}

TEST(RunCheckpointTest, ATrainingResumedFromAFileEndsWithTheSameBytes) {
  env();
  const mpi::Communicator comm;
  Log log(false);
  const Eigen::VectorXf plain = two_trainings(nullptr);

  // Every epoch checkpointed; the last two files: round 1 at epoch 5 (in progress), then finished.
  const std::string dir = fresh_dir("resume");
  RunCheckpointer writer(dir, 11, 1e-9, comm, log);
  writer.adopt(std::nullopt, 1);
  EXPECT_EQ(two_trainings(&writer), plain);  // a ledger changes nothing
  const std::vector<std::uint64_t> seqs = checkpoint_sequences(dir);
  ASSERT_EQ(seqs.size(), 2u);  // the newest two are kept
  const CheckpointContent mid = decode_checkpoint(read_file(checkpoint_path(dir, seqs[1])), "mid", 11);
  ASSERT_EQ(mid.trainings.size(), 2u);
  EXPECT_TRUE(mid.trainings[0].state.finished);
  EXPECT_FALSE(mid.trainings[1].state.finished);
  EXPECT_EQ(mid.trainings[1].round, 1u);
  EXPECT_EQ(mid.trainings[1].state.epoch, 5);

  // Resumed from the in-progress file: round 0 is not run, round 1 runs its last epoch only.
  const std::string dir2 = fresh_dir("resume2");
  CountingCheckpointer reader(dir2, 11, 0, comm, log);
  reader.adopt(mid, 20);
  EXPECT_EQ(two_trainings(&reader), plain);
  EXPECT_EQ(reader.epochs, 1);
  EXPECT_EQ(reader.restored(), 2u);
  EXPECT_EQ(checkpoint_sequences(dir2), (std::vector<std::uint64_t>{20}));  // written at its finish

  // A checkpoint whose training is of another round does not fit the run.
  CheckpointContent wrong = mid;
  wrong.trainings[0].round = 1;
  RunCheckpointer bad(dir2, 11, 0, comm, log);
  bad.adopt(wrong, 30);
  EXPECT_THROW(two_trainings(&bad), CheckpointError);
}

}  // namespace

namespace {

/// A sampling's progress whose groups are all done or not (finished() reads steps taken and
/// steps in all from each group's header).
mcmc::ChainsProgress progress(std::uint32_t round, bool done) {
  mcmc::ChainsProgress p;
  p.round = round;
  p.dim = 1;
  p.chains = 1;
  p.init_u = {0.5};
  std::string g(64, '\0');
  const std::uint32_t format = 0x4E4D4301;  // parallel_chains.cpp's group format
  std::memcpy(g.data(), &format, 4);
  const std::int64_t steps = done ? 30 : 12, total = 30;
  std::memcpy(g.data() + 28, &steps, 8);
  std::memcpy(g.data() + 36, &total, 8);
  p.groups = {g};
  return p;
}

}  // namespace

TEST(RunCheckpointTest, SamplingsAreRestoredInOrderAndKeptUntilReplayed) {
  env();
  const mpi::Communicator comm;
  Log log(false);
  const std::string dir = fresh_dir("samplings");
  RunCheckpointer writer(dir, 21, 0, comm, log);
  writer.adopt(std::nullopt, 1);
  EXPECT_FALSE(writer.checkpoint_due());  // every_seconds = 0: never by time
  EXPECT_FALSE(writer.resume_sampling(1));
  writer.save_sampling(progress(1, true), false);    // checkpoint 1: sampling 1 done
  EXPECT_FALSE(writer.resume_sampling(2));
  writer.save_sampling(progress(2, false), false);   // checkpoint 2: sampling 2 in progress
  EXPECT_EQ(checkpoint_sequences(dir), (std::vector<std::uint64_t>{2, 1}));

  std::optional<CheckpointContent> loaded = load_newest_checkpoint(dir, 21, comm, log);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->samplings.size(), 2u);
  EXPECT_TRUE(loaded->samplings[0].finished());
  EXPECT_FALSE(loaded->samplings[1].finished());

  // A resumed run: sampling 1 comes back finished and is not written again; while sampling 2 is
  // not yet replayed, a checkpoint still holds it as loaded.
  RunCheckpointer resumed(dir, 21, 0, comm, log);
  resumed.adopt(loaded, 3);
  const auto first = resumed.resume_sampling(1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->groups, loaded->samplings[0].groups);
  resumed.save_sampling(*first, false);
  EXPECT_EQ(checkpoint_sequences(dir), (std::vector<std::uint64_t>{2, 1}));  // nothing new to write
  resumed.save_sampling(*first, true);  // a stop signal writes even so
  const CheckpointContent stopped = decode_checkpoint(read_file(checkpoint_path(dir, 3)), "3", 21);
  ASSERT_EQ(stopped.samplings.size(), 2u);
  EXPECT_EQ(stopped.samplings[1].groups, loaded->samplings[1].groups);
  EXPECT_EQ(resumed.restored_samplings(), 1u);

  // The next sampling must be of the round the checkpoint says.
  try {
    resumed.resume_sampling(5);
    ADD_FAILURE() << "no error";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("sampling 2's round expected 5, got 2"), std::string::npos) << e.what();
  }
}

// Every byte of a checkpoint is a field that is read and checked: a file changed in any one byte
// (with its CRC made to match, as the fuzz harness does) is refused or loads to content that
// encodes to exactly its bytes. (Found by bench/fuzz.sh: Boost's class-version byte of a type
// written with `&` loaded whatever its value and was written back as 0.)
TEST(RunCheckpointTest, EveryByteIsAFieldThatIsChecked) {
  const CheckpointContent c = sample_content();
  const std::string good = encode_checkpoint(c);
  constexpr std::size_t kHeader = 28;
  int refused = 0, loaded = 0;
  for (std::size_t at = kHeader; at + 4 < good.size(); ++at) {
    for (const unsigned char v : {0x00, 0x01, 0x0a, 0xff}) {
      std::string b = good;
      b[at] = static_cast<char>(v);
      boost::crc_32_type crc;
      crc.process_bytes(b.data(), b.size() - 4);
      const std::uint32_t sum = crc.checksum();
      std::memcpy(b.data() + b.size() - 4, &sum, 4);
      try {
        const CheckpointContent d = decode_checkpoint(b, "x.bin", c.fingerprint);
        ASSERT_EQ(encode_checkpoint(d), b) << "byte " << at << " = " << int(v);
        ++loaded;
      } catch (const CheckpointError&) {
        ++refused;
      }
    }
  }
  EXPECT_GT(loaded, 0);
  EXPECT_GT(refused, 0);
}
