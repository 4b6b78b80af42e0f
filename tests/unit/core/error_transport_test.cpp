#include "nsbi/core/error_transport.hpp"

#include <gtest/gtest.h>

#include "nsbi/core/error.hpp"

namespace nsbi {
namespace {

template <typename E>
void expect_round_trip(bool input) {
  E original("simulator 'x': went wrong");
  if (input) original.mark_input();
  const std::string encoded = encode_exception(std::make_exception_ptr(original));
  try {
    rethrow_encoded(encoded, "rank 3: ");
    FAIL() << "no exception";
  } catch (const E& e) {
    EXPECT_STREQ(e.what(), "rank 3: simulator 'x': went wrong");
    EXPECT_EQ(e.marked_input(), input);
    EXPECT_EQ(exit_code(e), exit_code(original));
  }
}

TEST(ErrorTransportTest, KeepsTheKindMessageAndInputMarkOfNsbiErrors) {
  for (bool input : {false, true}) {
    expect_round_trip<ConfigError>(input);
    expect_round_trip<ShapeError>(input);
    expect_round_trip<NumericalError>(input);
    expect_round_trip<SimulatorError>(input);
    expect_round_trip<CheckpointError>(input);
    expect_round_trip<Interrupted>(input);
    expect_round_trip<IoError>(input);
    expect_round_trip<Error>(input);
  }
}

TEST(ErrorTransportTest, OtherExceptionsStayInternalWithTheirMessage) {
  const std::string encoded = encode_exception(std::make_exception_ptr(std::out_of_range("index 9")));
  try {
    rethrow_encoded(encoded);
  } catch (const Error&) {
    FAIL() << "an internal error became an nsbi error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "index 9");
    EXPECT_EQ(exit_code(e), 1);
  }
  EXPECT_THROW(rethrow_encoded(encode_exception(std::make_exception_ptr(42))), std::runtime_error);
}

}  // namespace
}  // namespace nsbi
