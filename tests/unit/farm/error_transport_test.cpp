#include "nsbi/farm/error_transport.hpp"

#include <gtest/gtest.h>

#include "nsbi/core/error.hpp"

namespace nsbi::farm {
namespace {

template <typename E>
void expect_round_trip() {
  const std::string encoded = encode_exception(std::make_exception_ptr(E("simulator 'x': went wrong")));
  try {
    rethrow_encoded(encoded, "rank 3: ");
    FAIL() << "no exception";
  } catch (const E& e) {
    EXPECT_STREQ(e.what(), "rank 3: simulator 'x': went wrong");
  }
}

TEST(ErrorTransportTest, KeepsTheTypeAndMessageOfNsbiErrors) {
  expect_round_trip<ConfigError>();
  expect_round_trip<ShapeError>();
  expect_round_trip<NumericalError>();
  expect_round_trip<SimulatorError>();
  expect_round_trip<CheckpointError>();
  expect_round_trip<IoError>();
  expect_round_trip<Error>();
}

TEST(ErrorTransportTest, OtherExceptionsBecomeErrorWithTheirMessage) {
  const std::string encoded = encode_exception(std::make_exception_ptr(std::out_of_range("index 9")));
  try {
    rethrow_encoded(encoded);
  } catch (const SimulatorError&) {
    FAIL() << "wrong type";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "index 9");
  }
  EXPECT_THROW(rethrow_encoded(encode_exception(std::make_exception_ptr(42))), Error);
}

}  // namespace
}  // namespace nsbi::farm
