// The charts of the HTML page, inline SVG drawn here: open findings by policy and by
// severity, and week by week what came in, what was resolved and what stands open.
#include <algorithm>
#include <string>
#include <vector>

#include "format.h"
#include "html_util.h"

namespace custos::report::html {
namespace {

class ChartWriter {
 public:
  explicit ChartWriter(const ReportData& d) : d_(d) {}

  std::string Render() {
    out_ += "<div class=\"charts\">\n";
    PolicyChart();
    SeverityChart();
    WeeklyChart();
    out_ += "</div>\n";
    return std::move(out_);
  }

 private:
  // Horizontal stacked bars: active findings per policy, by status.
  void PolicyChart() {
    std::vector<const PolicyCount*> rows;
    for (const PolicyCount& p : d_.by_policy) {
      if (p.active() > 0) rows.push_back(&p);
    }
    out_ +=
        "<figure id=\"chart-policy\"><figcaption>Open findings by policy<small>coloured dot: "
        "severity</small></figcaption>\n";
    if (rows.empty()) {
      out_ += "<p class=\"empty\">No open findings.</p></figure>\n";
      return;
    }
    const size_t shown = std::min<size_t>(rows.size(), 15);
    uint64_t max = 0;
    for (size_t i = 0; i < shown; ++i) max = std::max(max, rows[i]->active());
    const double w = 640, label_w = 200, count_w = 48, row_h = 26, top = 4;
    const double bar_w = w - label_w - count_w;
    const double h = top + row_h * static_cast<double>(shown) + 4;
    out_ += "<svg viewBox=\"0 0 " + F(w) + " " + F(h) +
            "\" role=\"img\" aria-label=\"Open findings by policy\">\n";
    for (size_t i = 0; i < shown; ++i) {
      const PolicyCount& p = *rows[i];
      const double y = top + row_h * static_cast<double>(i);
      std::string id = p.policy.size() > 26 ? p.policy.substr(0, 25) + "…" : p.policy;
      out_ += "<g class=\"bar\" data-policy=\"" + H(p.policy) + "\" data-value=\"" +
              std::to_string(p.active()) + "\"><title>" + H(p.policy) + " (" + H(p.severity) +
              "): " + std::to_string(p.new_count) + " new, " + std::to_string(p.open) + " open, " +
              std::to_string(p.acknowledged) + " acknowledged</title>";
      out_ += "<circle cx=\"6\" cy=\"" + F(y + row_h / 2) + "\" r=\"5\" fill=\"" +
              SeverityColor(p.severity) + "\"/>";
      out_ += "<text x=\"16\" y=\"" + F(y + row_h / 2 + 4) + "\">" + H(id) + "</text>";
      double x = label_w;
      for (const auto& [n, color] : {std::pair<uint64_t, const char*>{p.new_count, kNewColor},
                                     {p.open, kOpenColor},
                                     {p.acknowledged, kAckColor}}) {
        if (n == 0) continue;
        const double seg = bar_w * static_cast<double>(n) / static_cast<double>(max);
        out_ += "<rect x=\"" + F(x) + "\" y=\"" + F(y + 4) + "\" width=\"" + F(std::max(seg, 1.5)) +
                "\" height=\"" + F(row_h - 8) + "\" fill=\"" + color + "\"/>";
        x += seg;
      }
      out_ += "<text x=\"" + F(x + 6) + "\" y=\"" + F(y + row_h / 2 + 4) +
              "\" font-weight=\"600\">" + std::to_string(p.active()) + "</text></g>\n";
    }
    out_ += "</svg>\n<div class=\"legend\"><span><i style=\"background:" + std::string(kNewColor) +
            "\"></i>new</span><span><i style=\"background:" + kOpenColor +
            "\"></i>open</span><span><i style=\"background:" + kAckColor +
            "\"></i>acknowledged</span>";
    if (rows.size() > shown) {
      out_ +=
          "<span>+" + std::to_string(rows.size() - shown) + " more policies (see the table)</span>";
    }
    out_ += "</div></figure>\n";
  }

  // Columns: active findings per severity.
  // The horizontal grid of a column chart: five lines from 0 to `axis`, labelled at
  // the left of the plot area (x from `left` to `w`, y from `top` down `plot_h`).
  void GridLines(uint64_t axis, double w, double left, double top, double plot_h) {
    for (int k = 0; k <= 4; ++k) {
      const double y = top + plot_h - plot_h * k / 4.0;
      out_ += "<line x1=\"" + F(left) + "\" x2=\"" + F(w) + "\" y1=\"" + F(y) + "\" y2=\"" + F(y) +
              "\" stroke=\"#e5e7eb\"/><text class=\"axis\" x=\"" + F(left - 6) + "\" y=\"" +
              F(y + 4) + "\" text-anchor=\"end\">" +
              std::to_string(axis * static_cast<uint64_t>(k) / 4) + "</text>\n";
    }
  }

  void SeverityChart() {
    out_ += "<figure id=\"chart-severity\"><figcaption>Open findings by severity</figcaption>\n";
    uint64_t max = 0;
    for (const auto& [s, n] : d_.by_severity) max = std::max(max, n);
    const uint64_t axis = NiceMax(max);
    const double w = 420, h = 230, left = 34, bottom = 26, top = 16;
    const double plot_h = h - top - bottom;
    const double col_w =
        (w - left) / static_cast<double>(std::max<size_t>(d_.by_severity.size(), 1));
    out_ += "<svg viewBox=\"0 0 " + F(w) + " " + F(h) +
            "\" role=\"img\" aria-label=\"Open findings by severity\">\n";
    GridLines(axis, w, left, top, plot_h);
    for (size_t i = 0; i < d_.by_severity.size(); ++i) {
      const auto& [sev, n] = d_.by_severity[i];
      const double bh = plot_h * static_cast<double>(n) / static_cast<double>(axis);
      const double x = left + col_w * static_cast<double>(i) + col_w * 0.2;
      out_ += "<g class=\"bar\" data-severity=\"" + H(sev) + "\" data-value=\"" +
              std::to_string(n) + "\"><title>" + H(sev) + ": " + std::to_string(n) +
              "</title><rect x=\"" + F(x) + "\" y=\"" + F(top + plot_h - bh) + "\" width=\"" +
              F(col_w * 0.6) + "\" height=\"" + F(bh) + "\" rx=\"2\" fill=\"" + SeverityColor(sev) +
              "\"/>";
      out_ += "<text x=\"" + F(x + col_w * 0.3) + "\" y=\"" + F(top + plot_h - bh - 4) +
              "\" text-anchor=\"middle\" font-weight=\"600\">" + std::to_string(n) + "</text>";
      out_ += "<text class=\"axis\" x=\"" + F(x + col_w * 0.3) + "\" y=\"" + F(h - 8) +
              "\" text-anchor=\"middle\">" + H(sev) + "</text></g>\n";
    }
    out_ += "</svg></figure>\n";
  }

  // Week by week: a stacked column of the findings open (new, open, acknowledged) and
  // excepted at the week's end, and beside it two thin columns, what came in (new or
  // back) and what was resolved in that week.
  void WeeklyChart() {
    out_ +=
        "<figure class=\"wide\" id=\"chart-weekly\"><figcaption>Week by week: new, resolved "
        "and open<small>new and resolved during each week; open and excepted at its "
        "end</small></figcaption>\n";
    uint64_t max = 0;
    for (const WeekPoint& p : d_.weekly) {
      max = std::max({max, p.active + p.excepted, p.new_count, p.resolved});
    }
    const uint64_t axis = NiceMax(max);
    const double w = 1120, h = 250, left = 40, bottom = 26, top = 18;
    const double plot_h = h - top - bottom;
    const double col_w = (w - left) / static_cast<double>(std::max<size_t>(d_.weekly.size(), 1));
    const double base = top + plot_h;
    auto height = [&](uint64_t n) {
      return plot_h * static_cast<double>(n) / static_cast<double>(axis);
    };
    // A column with its count above it (when there is one).
    auto column = [&](double x, double bw, uint64_t n, const char* color, const char* cls) {
      const double ch = height(n);
      if (n == 0) return;
      out_ += "<rect class=\"" + std::string(cls) + "\" x=\"" + F(x) + "\" y=\"" + F(base - ch) +
              "\" width=\"" + F(bw) + "\" height=\"" + F(ch) + "\" fill=\"" + color +
              "\"/><text class=\"axis\" x=\"" + F(x + bw / 2) + "\" y=\"" + F(base - ch - 3) +
              "\" text-anchor=\"middle\">" + std::to_string(n) + "</text>";
    };
    out_ += "<svg viewBox=\"0 0 " + F(w) + " " + F(h) +
            "\" role=\"img\" aria-label=\"New, resolved and open findings week by week\">\n";
    GridLines(axis, w, left, top, plot_h);
    for (size_t i = 0; i < d_.weekly.size(); ++i) {
      const WeekPoint& p = d_.weekly[i];
      const double x = left + col_w * static_cast<double>(i) + col_w * 0.08;
      const double bw = col_w * 0.44, thin = col_w * 0.18;
      const double ah = height(p.active), eh = height(p.excepted);
      out_ += "<g class=\"week\" data-week=\"" + fmt::Date(p.end) + "\" data-value=\"" +
              std::to_string(p.active) + "\" data-excepted=\"" + std::to_string(p.excepted) +
              "\" data-new=\"" + std::to_string(p.new_count) + "\" data-resolved=\"" +
              std::to_string(p.resolved) + "\"><title>week ending " + fmt::Date(p.end) + ": " +
              std::to_string(p.new_count) + " new, " + std::to_string(p.resolved) +
              " resolved; at its end " + std::to_string(p.active) + " open, " +
              std::to_string(p.excepted) + " excepted</title>";
      out_ += "<rect x=\"" + F(x) + "\" y=\"" + F(base - ah) + "\" width=\"" + F(bw) +
              "\" height=\"" + F(ah) + "\" fill=\"" + kActiveColor + "\"/>";
      if (eh > 0) {
        out_ += "<rect x=\"" + F(x) + "\" y=\"" + F(base - ah - eh) + "\" width=\"" + F(bw) +
                "\" height=\"" + F(eh) + "\" fill=\"" + kExceptColor + "\"/>";
      }
      if (p.active > 0) {
        // The open count inside its bar when there is room, above the column otherwise.
        const bool inside = ah >= 18;
        out_ += "<text x=\"" + F(x + bw / 2) + "\" y=\"" +
                F(inside ? base - ah + 14 : base - ah - eh - 4) +
                "\" text-anchor=\"middle\" font-weight=\"600\"" +
                (inside ? std::string(" style=\"fill:#fff\"") : std::string()) + ">" +
                std::to_string(p.active) + "</text>";
      }
      if (p.excepted > 0 && eh >= 16) {
        out_ += "<text x=\"" + F(x + bw / 2) + "\" y=\"" + F(base - ah - eh + 13) +
                "\" text-anchor=\"middle\" class=\"axis\" style=\"fill:#3b0764\">" +
                std::to_string(p.excepted) + "</text>";
      }
      column(x + bw + col_w * 0.03, thin, p.new_count, kNewColor, "new");
      column(x + bw + thin + col_w * 0.06, thin, p.resolved, kResolvedColor, "resolved");
      out_ += "<text class=\"axis\" x=\"" + F(x + col_w * 0.42) + "\" y=\"" + F(h - 8) +
              "\" text-anchor=\"middle\">" + ShortDate(p.end) + "</text></g>\n";
    }
    out_ +=
        "</svg>\n<div class=\"legend\"><span><i style=\"background:" + std::string(kActiveColor) +
        "\"></i>open at the week's end (new, open, acknowledged)</span><span><i "
        "style=\"background:" +
        kExceptColor + "\"></i>excepted</span><span><i style=\"background:" + kNewColor +
        "\"></i>new in the week</span><span><i style=\"background:" + kResolvedColor +
        "\"></i>resolved in the week</span></div></figure>\n";
  }
  const ReportData& d_;
  std::string out_;
};

}  // namespace

std::string ChartsHtml(const ReportData& d) { return ChartWriter(d).Render(); }

}  // namespace custos::report::html
