// Node-shared windows (issue 13) under mpirun: one copy per node, written by its leader; what
// rank 0 publishes reaches every node's copy (among leaders in pieces: the MPI count limit is
// lowered to 7 elements), what a leader writes is seen by the ranks of its node only. Run with
// NSBI_RANKS_PER_NODE unset (one node) and set (several "nodes" on this machine). Prints one line
// and returns 0 when every check passed on every rank.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nsbi/farm/simulation_bank.hpp"
#include "nsbi/mpi/communicator.hpp"
#include "nsbi/mpi/environment.hpp"
#include "nsbi/mpi/node_shared.hpp"

using namespace nsbi;

int main(int argc, char** argv) {
  mpi::Environment env(&argc, &argv);
  const mpi::Communicator comm;
  const int P = comm.size(), r = comm.rank();
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) {
      ++failures;
      std::fprintf(stderr, "[rank %d of %d] FAILED: %s\n", r, P, what.c_str());
    }
  };
  const char* k_text = std::getenv("NSBI_RANKS_PER_NODE");
  const int k = k_text ? std::atoi(k_text) : P;  // this machine is one node
  const int expected_nodes = (P + k - 1) / k;
  {
    mpi::Communicator::set_max_count(7);
    mpi::NodeSharedFloats w(comm, 1000);
    check(w.size() == 1000 && w.data() != nullptr, "a window of 1000 floats");
    check(w.nodes() == expected_nodes, "nodes: " + std::to_string(w.nodes()) + ", expected " + std::to_string(expected_nodes));
    check(w.node_size() == std::min(k, P - (r / k) * k), "ranks on this rank's node");
    check(w.leader() == (r % k == 0), "the node's lowest rank leads it");
    if (r == 0)
      for (int i = 100; i < 600; ++i) w.data()[i] = 0.5f * static_cast<float>(i);
    w.publish_from_root(100, 500);
    bool published = true;
    for (int i = 100; i < 600; ++i) published = published && w.data()[i] == 0.5f * static_cast<float>(i);
    check(published, "rank 0's values in this node's copy");
    // Each leader writes its node's number; a rank sees its own node's.
    if (w.leader())
      for (int i = 0; i < 10; ++i) w.data()[i] = static_cast<float>(r / k);
    w.synchronize();
    check(w.data()[0] == static_cast<float>(r / k) && w.data()[9] == static_cast<float>(r / k), "the node leader's own writes");
    w.synchronize();  // before the leader's next writes
    mpi::Communicator::set_max_count(2147483647);
  }
  {
    // A bank's x in a window: views share it; the leader writes, the node reads.
    const BankX x = BankX::shared(comm, 3, 5);
    check(x.rows() == 3 && x.cols() == 5 && x.window() != nullptr, "BankX::shared shape");
    check(x.writer() == (r % k == 0), "BankX writer is the node leader");
    if (r == 0) x.writable().setConstant(2.0f);
    x.window()->publish_from_root(0, 15);
    const BankX tail = x.columns(3, 2);
    check(tail.shares_storage(x) && tail.matrix().sum() == 12.0f, "a view of the last two columns");
  }
  int total = failures;
  comm.allreduce(std::span<int>(&total, 1), mpi::Op::sum);
  if (r == 0) std::printf("node_shared np %d (%d node(s)): %s\n", P, expected_nodes, total == 0 ? "ok" : "FAILED");
  return total == 0 ? 0 : 1;
}
