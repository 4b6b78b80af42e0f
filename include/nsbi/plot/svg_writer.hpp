#pragma once
// A minimal SVG 1.1 writer for nsbi's plots. The plots are hand-written SVG rather than drawn by a
// plotting library (matplotlib, gnuplot): `nsbi plot` then needs nothing at run time beyond the
// nsbi binary (a cluster's compute node rarely has a matching Python stack), the output is
// deterministic text (the same run gives the same bytes, so plots can be diffed and tested), and
// what the plots need — rectangles, polylines, closed contour paths, text — is a few elements.
// Coordinates are pixels, y downwards; numbers are written with two decimals.
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace nsbi::plot {

struct Point {
  double x = 0, y = 0;
};

/// Presentation attributes of one element; empty strings are left out.
///   Style::line("#1f77b4", 1.5).dashed("4 2"), Style::area("#1f77b4", 0.3).outlined("#1f77b4", 1)
struct Style {
  std::string fill = "none";
  std::string stroke;
  double stroke_width = 1.0;
  double opacity = 1.0;   // fill-opacity when filled, stroke-opacity otherwise
  std::string dash;       // stroke-dasharray, e.g. "4 3"
  std::string fill_rule;  // "evenodd" for rings with holes

  static Style line(std::string colour, double width = 1.0) {
    Style s;
    s.stroke = std::move(colour);
    s.stroke_width = width;
    return s;
  }
  static Style area(std::string colour, double opacity = 1.0) {
    Style s;
    s.fill = std::move(colour);
    s.opacity = opacity;
    return s;
  }
  Style dashed(std::string pattern) const {
    Style s = *this;
    s.dash = std::move(pattern);
    return s;
  }
  Style outlined(std::string colour, double width) const {
    Style s = *this;
    s.stroke = std::move(colour);
    s.stroke_width = width;
    return s;
  }
  Style evenodd() const {
    Style s = *this;
    s.fill_rule = "evenodd";
    return s;
  }
};

class SvgWriter {
 public:
  SvgWriter(double width, double height);

  void rect(double x, double y, double w, double h, const Style& style);
  void line(Point a, Point b, const Style& style);
  void circle(Point c, double r, const Style& style);
  /// An open polyline through `points` (nothing for fewer than two).
  void polyline(const std::vector<Point>& points, const Style& style);
  /// One path of closed rings (each ring "M ... Z"); with fill_rule "evenodd" holes stay empty.
  void rings(const std::vector<std::vector<Point>>& rings, const Style& style);
  /// Text at (x, y) (the baseline); anchor "start", "middle" or "end"; rotate in degrees about (x, y).
  void text(double x, double y, std::string_view s, double size, std::string_view anchor = "start",
            double rotate = 0, std::string_view fill = "#222");
  /// A clip rectangle named `id` for later begin_group(id).
  void clip_rect(std::string_view id, double x, double y, double w, double h);
  /// Elements until end_group() are clipped to clip_rect `id`.
  void begin_group(std::string_view clip_id);
  void end_group();

  /// The complete document.
  std::string str() const;

  /// `s` with & < > " escaped for XML text and attributes.
  static std::string escape(std::string_view s);
  /// A coordinate with two decimals ("-0.00" written as "0").
  static std::string num(double v);

 private:
  std::string style_attributes(const Style& style) const;
  double width_, height_;
  std::ostringstream body_;
  int open_groups_ = 0;
};

}  // namespace nsbi::plot
