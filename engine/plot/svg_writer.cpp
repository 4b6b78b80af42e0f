#include "nsbi/plot/svg_writer.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace nsbi::plot {

SvgWriter::SvgWriter(double width, double height) : width_(width), height_(height) {}

std::string SvgWriter::num(double v) {
  if (!std::isfinite(v)) throw std::logic_error("SvgWriter: non-finite coordinate");
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string SvgWriter::escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string SvgWriter::style_attributes(const Style& s) const {
  std::string a = " fill=\"" + escape(s.fill) + "\"";
  if (!s.stroke.empty()) a += " stroke=\"" + escape(s.stroke) + "\" stroke-width=\"" + num(s.stroke_width) + "\"";
  if (s.opacity < 1.0) a += (s.fill != "none" ? " fill-opacity=\"" : " stroke-opacity=\"") + num(s.opacity) + "\"";
  if (!s.dash.empty()) a += " stroke-dasharray=\"" + escape(s.dash) + "\"";
  if (!s.fill_rule.empty()) a += " fill-rule=\"" + escape(s.fill_rule) + "\"";
  return a;
}

void SvgWriter::rect(double x, double y, double w, double h, const Style& style) {
  body_ << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(w) << "\" height=\"" << num(h)
        << "\"" << style_attributes(style) << "/>\n";
}

void SvgWriter::line(Point a, Point b, const Style& style) {
  body_ << "<line x1=\"" << num(a.x) << "\" y1=\"" << num(a.y) << "\" x2=\"" << num(b.x) << "\" y2=\"" << num(b.y)
        << "\"" << style_attributes(style) << "/>\n";
}

void SvgWriter::circle(Point c, double r, const Style& style) {
  body_ << "<circle cx=\"" << num(c.x) << "\" cy=\"" << num(c.y) << "\" r=\"" << num(r) << "\""
        << style_attributes(style) << "/>\n";
}

void SvgWriter::polyline(const std::vector<Point>& points, const Style& style) {
  if (points.size() < 2) return;
  body_ << "<polyline points=\"";
  for (std::size_t i = 0; i < points.size(); ++i) body_ << (i ? " " : "") << num(points[i].x) << "," << num(points[i].y);
  body_ << "\"" << style_attributes(style) << "/>\n";
}

void SvgWriter::rings(const std::vector<std::vector<Point>>& rings, const Style& style) {
  std::string d;
  for (const auto& ring : rings) {
    if (ring.size() < 3) continue;
    for (std::size_t i = 0; i < ring.size(); ++i)
      d += (i ? " L" : (d.empty() ? "M" : " M")) + num(ring[i].x) + " " + num(ring[i].y);
    d += " Z";
  }
  if (d.empty()) return;
  body_ << "<path d=\"" << d << "\"" << style_attributes(style) << "/>\n";
}

void SvgWriter::text(double x, double y, std::string_view s, double size, std::string_view anchor, double rotate,
                     std::string_view fill) {
  body_ << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" font-size=\"" << num(size) << "\"";
  if (anchor != "start") body_ << " text-anchor=\"" << anchor << "\"";
  if (rotate != 0) body_ << " transform=\"rotate(" << num(rotate) << " " << num(x) << " " << num(y) << ")\"";
  body_ << " fill=\"" << escape(fill) << "\">" << escape(s) << "</text>\n";
}

void SvgWriter::clip_rect(std::string_view id, double x, double y, double w, double h) {
  body_ << "<clipPath id=\"" << escape(id) << "\"><rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\""
        << num(w) << "\" height=\"" << num(h) << "\"/></clipPath>\n";
}

void SvgWriter::begin_group(std::string_view clip_id) {
  body_ << "<g clip-path=\"url(#" << escape(clip_id) << ")\">\n";
  ++open_groups_;
}

void SvgWriter::end_group() {
  if (open_groups_ == 0) throw std::logic_error("SvgWriter: end_group without begin_group");
  body_ << "</g>\n";
  --open_groups_;
}

std::string SvgWriter::str() const {
  if (open_groups_ != 0) throw std::logic_error("SvgWriter: unclosed group");
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << num(width_) << "\" height=\""
      << num(height_) << "\" viewBox=\"0 0 " << num(width_) << " " << num(height_)
      << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
      << "<rect x=\"0\" y=\"0\" width=\"" << num(width_) << "\" height=\"" << num(height_) << "\" fill=\"white\"/>\n"
      << body_.str() << "</svg>\n";
  return out.str();
}

}  // namespace nsbi::plot
