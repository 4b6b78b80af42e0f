#include "nsbi/plot/svg_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace nsbi::plot {
namespace {

TEST(SvgWriterTest, NumbersHaveTwoDecimalsAtMostAndNoNegativeZero) {
  EXPECT_EQ(SvgWriter::num(1.0), "1");
  EXPECT_EQ(SvgWriter::num(0.126), "0.13");
  EXPECT_EQ(SvgWriter::num(0.1), "0.1");
  EXPECT_EQ(SvgWriter::num(-0.001), "0");
  EXPECT_EQ(SvgWriter::num(-12.5), "-12.5");
  EXPECT_THROW(SvgWriter::num(std::nan("")), std::logic_error);
}

TEST(SvgWriterTest, TextAndAttributesAreEscaped) {
  SvgWriter svg(10, 20);
  svg.text(1, 2, "a<b & \"c\"", 9);
  svg.rings({{{0, 0}, {1, 0}, {1, 1}}, {{2, 2}, {3, 2}}}, Style::area("#123456", 0.5).evenodd());
  const std::string s = svg.str();
  EXPECT_NE(s.find(">a&lt;b &amp; &quot;c&quot;</text>"), std::string::npos) << s;
  // A ring of fewer than three points is left out; the others close with Z.
  EXPECT_NE(s.find("<path d=\"M0 0 L1 0 L1 1 Z\" fill=\"#123456\" fill-opacity=\"0.5\" fill-rule=\"evenodd\"/>"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find("M2 2"), std::string::npos);
  EXPECT_EQ(s.rfind("</svg>\n"), s.size() - 7);
}

TEST(SvgWriterTest, UnbalancedGroupsAreABug) {
  SvgWriter svg(1, 1);
  EXPECT_THROW(svg.end_group(), std::logic_error);
  svg.clip_rect("c", 0, 0, 1, 1);
  svg.begin_group("c");
  EXPECT_THROW(svg.str(), std::logic_error);
  svg.end_group();
  EXPECT_NE(svg.str().find("<g clip-path=\"url(#c)\">\n</g>"), std::string::npos);
}

}  // namespace
}  // namespace nsbi::plot
